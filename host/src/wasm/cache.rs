//! The compile cache: components compiled by Cranelift, kept on disk so that loading a pack again
//! maps native code instead of compiling it (tens of milliseconds to over a hundred for a large
//! component, against about 2 ms).
//!
//! An entry is named by the SHA-256 of a format tag, the crm-rules version, the engine's
//! [`precompile_compatibility_hash`](wasmtime::Engine::precompile_compatibility_hash) (the wasmtime
//! version, target and every setting that changes the generated code) and the source bytes, so a
//! changed rule, a new wasmtime or a different configuration misses instead of loading stale code.
//! Entries are written to a temporary file and renamed into place, so a reader never sees half an
//! entry; one that wasmtime still refuses (it checks its own header on load) is compiled again and
//! replaced. Failing to write an entry only costs the next load a compile.
//!
//! Loading an entry maps its code into the host as executable: only a directory the host alone can
//! write may be a cache (it is created with mode `0700`).

use std::hash::{Hash, Hasher};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Bumped when the layout of an entry changes.
const FORMAT: &[u8] = b"crm-rules compile cache v1\0";

/// Feeds everything `Hash` writes into SHA-256 (the std hashers are not stable across runs).
struct Sha256Hasher(Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        // Only the SHA-256 digest is used; `finish` is required by the trait.
        0
    }
}

/// Where a component came from when a pack was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Compiled now (no cache, or not in it yet).
    Compiled,
    /// Loaded from the compile cache.
    Cached,
    /// Loaded from native code the pack's bundle carries, which the engine trusts
    /// ([`crate::EngineOptions::trust_precompiled`]).
    Precompiled,
}

/// A compile cache directory for one engine configuration.
#[derive(Debug)]
pub(crate) struct CompileCache {
    dir: PathBuf,
    engine_key: [u8; 32],
}

/// The key of `engine`'s configuration: a format tag, the crm-rules version and the engine's
/// [`precompile_compatibility_hash`](wasmtime::Engine::precompile_compatibility_hash). Native code
/// compiled by one engine may be loaded by another only when their keys are equal.
pub(crate) fn engine_key(engine: &Engine) -> [u8; 32] {
    let mut hasher = Sha256Hasher(Sha256::new());
    hasher.write(FORMAT);
    // A new crm-rules may turn the same source into a different component (a newer
    // wit-component, say): its entries are its own.
    hasher.write(env!("CARGO_PKG_VERSION").as_bytes());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.0.finalize().into()
}

/// The name of `source`'s native code for the engine keyed `engine_key`: 64 hex digits.
pub(crate) fn code_name(engine_key: &[u8; 32], source: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(engine_key);
    hasher.update(source);
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl CompileCache {
    /// A cache in `dir` for the engine whose configuration has the key `engine_key`
    /// ([`engine_key`]).
    pub(crate) fn new(dir: &Path, engine_key: [u8; 32]) -> CompileCache {
        CompileCache {
            dir: dir.to_path_buf(),
            engine_key,
        }
    }

    /// The entry for `source` (the bytes the pack ships, before any conversion).
    fn entry(&self, source: &[u8]) -> PathBuf {
        let name = code_name(&self.engine_key, source);
        self.dir.join(format!("{name}.cwasm"))
    }

    /// The compiled form of `source`: from the cache when it holds a usable entry, otherwise
    /// `compile(source)`, which is then stored.
    pub(crate) fn load_or_compile<E>(
        &self,
        engine: &Engine,
        source: &[u8],
        compile: impl FnOnce() -> Result<Component, E>,
    ) -> Result<(Component, Origin), E> {
        let entry = self.entry(source);
        if !is_private(&self.dir) {
            return compile().map(|component| (component, Origin::Compiled));
        }
        if let Some(component) = deserialize(engine, &entry) {
            return Ok((component, Origin::Cached));
        }
        let component = compile()?;
        if let Ok(bytes) = component.serialize() {
            // A cache that cannot be written is a slower next load, not an error.
            let _ = self.store(&entry, &bytes);
        }
        Ok((component, Origin::Compiled))
    }

    fn store(&self, entry: &Path, bytes: &[u8]) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        // Unique per process and write, so concurrent loads never share a temporary file.
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let mut temporary = entry.as_os_str().to_owned();
        temporary.push(format!(
            ".{}.{}.tmp",
            std::process::id(),
            WRITES.fetch_add(1, Ordering::Relaxed)
        ));
        let temporary = PathBuf::from(temporary);
        let written = std::fs::File::create(&temporary).and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        });
        match written.and_then(|()| std::fs::rename(&temporary, entry)) {
            Ok(()) => Ok(()),
            Err(error) => {
                let _ = std::fs::remove_file(&temporary);
                Err(error)
            }
        }
    }
}

/// Why `dir` cannot serve as a compile cache, if it cannot: it is not a directory, other users may
/// write to it, or it cannot be created or written.
pub(crate) fn problem(dir: &Path) -> Option<String> {
    if !is_private(dir) {
        return Some(format!(
            "`{}` is not a directory only this user can write (loading compiled code from it \
             would let others run code in this process)",
            dir.display()
        ));
    }
    if let Err(error) = create_private_dir(dir) {
        return Some(format!("`{}` cannot be created: {error}", dir.display()));
    }
    let probe = dir.join(format!(".probe.{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            None
        }
        Err(error) => Some(format!("`{}` cannot be written: {error}", dir.display())),
    }
}

/// Loads a cache entry, or `None` when there is none or wasmtime refuses it.
#[allow(
    unsafe_code,
    reason = "wasmtime cannot validate native code; the cache's trust model (module docs) covers it"
)]
fn deserialize(engine: &Engine, entry: &Path) -> Option<Component> {
    if !entry.is_file() {
        return None;
    }
    // SAFETY: `deserialize_file` requires bytes produced by `Component::serialize` of a compatible
    // engine. Entries are only ever written by `CompileCache::store` with such bytes, renamed into
    // place whole, in a directory only this user may write; wasmtime checks the engine
    // compatibility header itself and refuses a mismatch (which then recompiles).
    unsafe { Component::deserialize_file(engine, entry) }.ok()
}

/// Whether `dir` is missing (it will be created private) or writable by its owner only.
#[cfg(unix)]
fn is_private(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    match std::fs::metadata(dir) {
        Ok(metadata) => metadata.is_dir() && metadata.permissions().mode() & 0o022 == 0,
        Err(error) => error.kind() == std::io::ErrorKind::NotFound,
    }
}

#[cfg(not(unix))]
fn is_private(_dir: &Path) -> bool {
    true
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}
