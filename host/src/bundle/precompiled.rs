//! Native code in a bundle (`crm-rules bundle --precompile`): each component of the pack, compiled
//! by the bundling engine, in an entry named like a compile cache entry
//! (`.crmpack/precompiled/<name>.cwasm`, `<name>` from the engine configuration's key and the
//! component's bytes). A loading engine looks up the name it computes itself, so code compiled for
//! another configuration, or for other bytes, is never found; and it loads what it finds only when
//! it trusts precompiled code ([`crate::EngineOptions::trust_precompiled`], see
//! `crate::wasm::precompiled`).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use wasmtime::component::Component;

use super::container;
use crate::wasm::cache;

/// The folder of precompiled entries.
const FOLDER: &str = ".crmpack/precompiled/";

/// The suffix of a precompiled entry.
const SUFFIX: &str = ".cwasm";

/// The entry holding the code named `name` (64 hex digits).
pub(crate) fn entry(name: &str) -> String {
    format!("{FOLDER}{name}{SUFFIX}")
}

/// One component's precompiled code, in the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndexPrecompiled {
    /// The entry holding the code.
    pub(crate) entry: String,
    /// The component's entry (one of the index's `files`).
    pub(crate) source: String,
    /// The key of the engine configuration it was compiled for (64 hex digits): an engine with
    /// another key compiles the component instead.
    pub(crate) engine: String,
    /// What compiled it: the crm-rules version and the target, for people reading the index.
    pub(crate) compiled_by: String,
}

/// Whether `listed` (the index's `precompiled`) is well formed: each entry a precompiled entry
/// name, listed once, for a component that `files` lists.
pub(crate) fn check(listed: &[IndexPrecompiled], files: &BTreeSet<&String>) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for code in listed {
        let name = code
            .entry
            .strip_prefix(FOLDER)
            .and_then(|rest| rest.strip_suffix(SUFFIX));
        if !name.is_some_and(is_hex_key) {
            return Err(format!(
                "its index: precompiled entry `{}` is not `{FOLDER}<64 hex digits>{SUFFIX}`",
                code.entry.escape_debug()
            ));
        }
        if !is_hex_key(&code.engine) {
            return Err(format!(
                "its index: precompiled entry `{}`: engine `{}` is not 64 hex digits",
                code.entry,
                code.engine.escape_debug()
            ));
        }
        if !files.contains(&code.source) {
            return Err(format!(
                "its index: precompiled entry `{}` is for `{}`, which is not one of its files",
                code.entry,
                code.source.escape_debug()
            ));
        }
        if !seen.insert(&code.entry) {
            return Err(format!(
                "its index: precompiled entry `{}` is listed twice",
                code.entry
            ));
        }
        container::check_name(&code.entry)?;
    }
    Ok(())
}

fn is_hex_key(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// One component compiled for the bundle: its entry, its bytes and what the index says of it.
pub(crate) struct Compiled {
    pub(crate) bytes: Vec<u8>,
    pub(crate) index: IndexPrecompiled,
}

/// The native code of `component` (compiled by the engine keyed `engine_key`), whose source's
/// bytes are `source_bytes` and entry `source_entry`.
///
/// # Errors
/// When wasmtime cannot serialize the component.
pub(crate) fn compile(
    component: &Component,
    engine_key: &[u8; 32],
    source_bytes: &[u8],
    source_entry: &str,
) -> Result<Compiled, String> {
    let bytes = component
        .serialize()
        .map_err(|error| format!("`{source_entry}` cannot be serialized: {error:#}"))?;
    Ok(Compiled {
        bytes,
        index: IndexPrecompiled {
            entry: entry(&cache::code_name(engine_key, source_bytes)),
            source: source_entry.to_owned(),
            engine: hex(engine_key),
            compiled_by: format!(
                "crm-rules {} for {}-{}",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::ARCH,
                std::env::consts::OS
            ),
        },
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
