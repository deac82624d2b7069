//! Pack bundles: a pack as one self-contained, content-addressed file (`NAME-VERSION.crmpack`), to
//! ship where a folder cannot go whole (Spark, Dask or Ray executors, an object store).
//!
//! [`write()`] makes one from a pack loaded from its folder; [`RuleEngine::load_pack`] takes a
//! bundle wherever it takes a folder (it tells them apart by the bundle's magic header, not by the
//! file's name), and [`RuleEngine::load_pack_bytes`] takes one from memory. A pack loaded from its
//! bundle has the same [`crate::PackIdentity`], hash included, and makes the same decisions, as
//! the pack loaded from its folder.
//!
//! # What a bundle holds
//!
//! Every file the pack loads — `pack.toml`, its `params_file`, its `rhai_prelude`, every module
//! `source` — and, unless it is written without them, its fixtures: every `*.json` file of its
//! fixtures folder and every `base` they name. The files are laid out as they are on disk, relative
//! to the nearest folder holding them all: `rules/standard/rhai`, whose manifest names
//! `../params.toml` and `../fixtures`, is bundled as `rhai/pack.toml`, `rhai/billing.rhai`, ...,
//! `params.toml`, `fixtures/billing.json`, `fixtures/base/account.json`. The manifest is kept byte
//! for byte, so every path it (or a fixture's `base`) writes resolves inside the bundle, and the
//! pack hash, over the manifest and the files as it names them, is the folder's.
//!
//! Written with [`BundleOptions::precompile`], it also carries each component's native code, as
//! the bundling engine compiled it, under `.crmpack/precompiled/`; an engine loads that code only
//! when it trusts precompiled code ([`crate::EngineOptions::trust_precompiled`]) and the code was
//! compiled for its own configuration, and compiles the component otherwise. The code is not part
//! of the pack's hash: the same pack decides the same whichever way its components were obtained.
//!
//! # Layout (format version 1)
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic: `0x89 'C' 'R' 'M' 'P' 'A' 'C' 'K'` |
//! | 4 | format version, little-endian `u32`: `1` |
//! | 32 | SHA-256 of everything after it: the bundle's digest |
//! | 4 | the number of entries, little-endian `u32` |
//! | ... | each entry: its name's length (`u16` LE), its name (UTF-8), its size (`u64` LE), its bytes |
//!
//! Entries are sorted by name (bytewise), each name once; names are relative `/`-separated paths
//! without `.`, `..`, empty components, `\` or control characters. Nothing is compressed and
//! nothing records a time, an owner or a mode, so bundling the same pack twice gives the same
//! bytes. One entry, `.crmpack/index.json`, is the index: the pack's name, version and hash; `root`,
//! the pack's folder inside the bundle; `files`, the entries the pack loads; `fixtures`, the
//! fixtures folder and its entries, or `null` for a bundle written without them; and, only in a
//! bundle written with precompiled code, `precompiled`: for each component, the entry holding its
//! code, the component's entry, the key of the engine configuration and what compiled it.
//!
//! # Reading one: a bundle is untrusted input
//!
//! Loading checks, before it compiles anything: the magic and version; the size
//! ([`MAX_BUNDLE_BYTES`]), entry count ([`MAX_ENTRIES`]) and name length ([`MAX_NAME_BYTES`]);
//! the digest (a changed byte is "corrupted", a cut file "truncated or corrupted"); every name;
//! that the index lists every entry and every entry it lists is there (no unknown entry); and,
//! once the pack is loaded, that its hash is the one the index records. Each is a
//! [`LoadError::Bundle`] saying what is wrong. The pack's own paths are looked up in the bundle,
//! never on disk: one climbing out of it is "not in the bundle". Precompiled code is the one thing
//! these checks cannot make safe (wasmtime cannot validate native code), so it is ignored unless
//! the engine was told to trust it.

mod container;
mod precompiled;
pub(crate) mod read;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_precompiled;
mod write;

use std::path::Path;

pub use container::{MAGIC, MAX_BUNDLE_BYTES, MAX_ENTRIES, MAX_NAME_BYTES, VERSION};

use crate::decision::PackIdentity;
use crate::engine::RuleEngine;
use crate::error::{BundleError, LoadError};
use crate::pack::RulePack;

/// The file extension of bundles: `crmpack`.
pub const EXTENSION: &str = "crmpack";

/// What [`write()`] puts in a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleOptions {
    /// Whether the fixtures go in (the default): `crm-rules test` then runs on the bundle.
    /// Without them the bundle is smaller, and still loads, evaluates and checks.
    pub fixtures: bool,
    /// Whether each component's native code, as the pack's engine compiled it, goes in too (off
    /// by default). An engine configured the same way, that trusts precompiled code
    /// ([`crate::EngineOptions::trust_precompiled`]), then loads the pack without compiling;
    /// any other engine compiles as usual.
    pub precompile: bool,
}

impl Default for BundleOptions {
    fn default() -> BundleOptions {
        BundleOptions {
            fixtures: true,
            precompile: false,
        }
    }
}

/// A bundle written by [`write()`].
#[derive(Debug, Clone)]
pub struct Bundled {
    /// The bundle's bytes.
    pub bytes: Vec<u8>,
    /// Its digest, `sha256:<hex>`: the SHA-256 of everything after its header's digest field,
    /// which identifies the bundle's contents.
    pub digest: String,
    /// The pack it holds: the folder's identity, hash included.
    pub pack: PackIdentity,
    /// How many files the pack loads from it (its manifest among them).
    pub files: usize,
    /// How many fixture files (bases included) it holds.
    pub fixture_files: usize,
    /// How many components it carries precompiled.
    pub precompiled: usize,
}

/// Writes `pack`, loaded from its folder, as a bundle, then loads the bundle back with the pack's
/// engine to check that it gives the same identity and hash (so a bundle written always loads).
///
/// # Errors
/// A pack loaded from a bundle, a file that cannot be read, a path a bundle cannot hold (absolute,
/// or climbing above the file system's root), a pack past the bundle limits, or a bundle that does
/// not load back as the pack (a file changed while it was bundled).
pub fn write(pack: &RulePack, options: &BundleOptions) -> Result<Bundled, BundleError> {
    write::write(pack, options)
}

/// Whether `bytes` start with a bundle's magic header.
pub fn is_bundle(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// The file name a bundle of `pack` is given by default: `NAME-VERSION.crmpack`, any character
/// but ASCII letters, digits, `.`, `_` and `-` replaced with `_`.
pub fn default_file_name(pack: &PackIdentity) -> String {
    let clean = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}-{}.{EXTENSION}", clean(&pack.name), clean(&pack.version))
}

impl RuleEngine {
    /// Loads a pack from a bundle's bytes, as [`RuleEngine::load_pack`] loads a bundle file;
    /// messages name it `<bundle>`. For a host that ships the bundle itself (to a Spark executor,
    /// say) rather than a path.
    ///
    /// # Errors
    /// A [`LoadError::Bundle`] when `bytes` are not a valid bundle, or any error loading its pack.
    pub fn load_pack_bytes(&self, bytes: &[u8]) -> Result<RulePack, LoadError> {
        RulePack::load_bundle(self.clone(), Path::new("<bundle>"), bytes)
    }
}
