//! Native code shipped precompiled in a bundle (`crm-rules bundle --precompile`), loaded instead of
//! compiling the component, when the engine trusts it.
//!
//! Loading native code runs it in the host with the host's rights: wasmtime cannot check that the
//! code is what the component compiles to, only that its header fits the engine. A bundle's digest
//! detects a damaged file, not who wrote it. So precompiled code is used only when the host says it
//! trusts the bundles it loads as it trusts its own binary
//! ([`crate::EngineOptions::trust_precompiled`]); otherwise it is ignored and the component is
//! compiled (or taken from the compile cache) as for any pack.
//!
//! Code is keyed like a compile cache entry ([`super::cache::code_name`]): by the engine's
//! configuration (crm-rules version, wasmtime version, target CPU and every setting that changes
//! the generated code) and the component's bytes, so an engine configured otherwise, or a changed
//! component, finds no code for it and compiles.

use wasmtime::Engine;
use wasmtime::component::Component;

/// Precompiled native code for a component, which the host has said it trusts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trusted<'a> {
    bytes: &'a [u8],
}

impl<'a> Trusted<'a> {
    /// Code the engine's options trust: only a loader honouring
    /// [`crate::EngineOptions::trust_precompiled`] makes one.
    pub(crate) fn new(bytes: &'a [u8]) -> Trusted<'a> {
        Trusted { bytes }
    }

    /// The component, or `None` when wasmtime refuses the code (it was produced for another
    /// engine configuration, or is not `Component::serialize` output).
    #[allow(
        unsafe_code,
        reason = "wasmtime cannot validate native code; the host's trust (module docs) covers it"
    )]
    pub(crate) fn load(self, engine: &Engine) -> Option<Component> {
        // SAFETY: `deserialize` requires bytes produced by `Component::serialize` of a compatible
        // engine, which wasmtime cannot check beyond its header. The host has declared that it
        // trusts the bundles it loads to hold only what `crm-rules bundle --precompile` wrote
        // (`EngineOptions::trust_precompiled`); wasmtime checks the engine compatibility header
        // itself and refuses a mismatch, which then compiles.
        unsafe { Component::deserialize(engine, self.bytes) }.ok()
    }
}
