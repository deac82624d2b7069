//! The Rust backend's side of `init`: where the guest SDK is, and what the new crate takes from the
//! SDK's source tree (its pinned toolchain and its lock file).
//!
//! `crm-rules-guest` is not on crates.io, so the crate `init` writes depends on it by path. The
//! default is the SDK of the source tree this binary was built from (`env!("CARGO_MANIFEST_DIR")`
//! at build time), which `--sdk` overrides; either way the path is checked and made absolute, so
//! the pack builds wherever its folder is.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// The guest SDK's package name, as its `Cargo.toml` gives it.
const SDK_PACKAGE: &str = "crm-rules-guest";

/// The build command the pack's README and `init` print, run in the pack folder.
pub const BUILD_COMMAND: &str =
    "cargo build --release --target wasm32-unknown-unknown --target-dir target";

/// The lowest Rust the SDK builds with: the command line's own `rust-version`.
pub const RUST_VERSION: &str = env!("CARGO_PKG_RUST_VERSION");

/// The guest SDK of the source tree this binary was built from.
pub fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("guest-sdk")
}

/// A guest SDK found on disk, and what its source tree offers the new crate.
#[derive(Debug)]
pub struct Sdk {
    /// Its folder, absolute, as written into the crate's `Cargo.toml`.
    pub path: String,
    /// The source tree's `rust-toolchain.toml`, if it has one.
    pub toolchain: Option<String>,
    /// The source tree's `Cargo.lock`, if it has one: the versions the SDK is tested with.
    pub lock: Option<String>,
}

impl Sdk {
    /// Finds the SDK at `given`, or at [`default_sdk`] when `None`.
    ///
    /// # Errors
    /// When the folder does not exist, holds no `crm-rules-guest` package, or its path is not
    /// UTF-8 (`Cargo.toml` needs it as text); or when a file of its source tree cannot be read.
    pub fn find(given: Option<&Path>) -> anyhow::Result<Sdk> {
        let (dir, how) = match given {
            Some(dir) => (dir.to_path_buf(), "given with --sdk"),
            None => (
                default_sdk(),
                "in the crm-rules source tree this command line was built from; \
                 pass --sdk PATH/TO/guest-sdk",
            ),
        };
        let Ok(dir) = dir.canonicalize() else {
            bail!(
                "no guest SDK at `{}` ({how}): the folder does not exist",
                dir.display()
            );
        };
        let manifest = dir.join("Cargo.toml");
        let declares_sdk = std::fs::read_to_string(&manifest)
            .map(|text| names_package(&text, SDK_PACKAGE))
            .unwrap_or(false);
        if !declares_sdk {
            bail!(
                "no guest SDK at `{}` ({how}): expected the `{SDK_PACKAGE}` package's Cargo.toml \
                 there (the `guest-sdk` folder of a crm-rules source tree)",
                dir.display()
            );
        }
        let Some(path) = dir.to_str().map(str::to_owned) else {
            bail!(
                "the guest SDK's path `{}` is not UTF-8, which Cargo.toml cannot hold",
                dir.display()
            );
        };
        let tree = dir.parent().unwrap_or(&dir);
        Ok(Sdk {
            path,
            toolchain: read_if_present(&tree.join("rust-toolchain.toml"))?,
            lock: read_if_present(&tree.join("Cargo.lock"))?,
        })
    }

    /// Bullets for the pack's README on the toolchain and target the build needs, and on the
    /// lock file, each ending with a newline.
    pub fn toolchain_note(&self) -> String {
        let mut note = if self.toolchain.is_some() {
            "- `rust-toolchain.toml`, copied from the SDK's source tree, pins the toolchain the SDK is\n  \
             built with and lists the `wasm32-unknown-unknown` target, which rustup installs with\n  \
             that toolchain. If the build says the target is missing, run\n  \
             `rustup target add wasm32-unknown-unknown` in this folder.\n"
                .to_owned()
        } else {
            format!(
                "- The build needs Rust {RUST_VERSION} or later and its `wasm32-unknown-unknown` target\n  \
                 (`rustup target add wasm32-unknown-unknown`).\n"
            )
        };
        if self.lock.is_some() {
            note.push_str(
                "- `Cargo.lock` is the SDK source tree's: the rules build with the dependency versions\n  \
                 the SDK is tested with (and without a network, when those are in Cargo's cache).\n",
            );
        }
        note
    }
}

/// The crate's package name for a pack: `NAME-rules`, or the name itself when it says so already.
/// A suffix, because a pack name may be a Rust keyword (`match`) or a reserved crate name (`test`).
pub fn crate_name(pack: &str) -> String {
    if pack.ends_with("-rules") {
        pack.to_owned()
    } else {
        format!("{pack}-rules")
    }
}

/// Where `cargo build` puts the module, relative to the pack folder: what `source` points at.
pub fn wasm_path(crate_name: &str) -> String {
    format!(
        "target/wasm32-unknown-unknown/release/{}.wasm",
        crate_name.replace('-', "_")
    )
}

/// `text` as a TOML basic string, quotes included.
pub fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Whether a `Cargo.toml`'s text names the package `name` (`name = "..."` in `[package]`).
fn names_package(manifest: &str, name: &str) -> bool {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            return value.trim() == toml_string(name);
        }
    }
    false
}

/// The text of `path`, or `None` when there is no such file.
fn read_if_present(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read `{}`", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_sdk_is_found_with_its_source_tree() {
        let sdk = Sdk::find(None).unwrap();
        assert!(Path::new(&sdk.path).is_absolute(), "{}", sdk.path);
        assert!(sdk.path.ends_with("guest-sdk"), "{}", sdk.path);
        assert!(sdk.lock.is_some() && sdk.toolchain.is_some());
    }

    #[test]
    fn a_folder_without_the_sdk_is_refused_with_a_hint() {
        let error = Sdk::find(Some(Path::new(env!("CARGO_MANIFEST_DIR")))).unwrap_err();
        assert!(
            error.to_string().contains("expected the `crm-rules-guest`"),
            "{error}"
        );
    }

    #[test]
    fn names_and_paths_are_written_for_cargo() {
        assert_eq!(crate_name("acme"), "acme-rules");
        assert_eq!(crate_name("acme-rules"), "acme-rules");
        assert_eq!(
            wasm_path("acme-rules"),
            "target/wasm32-unknown-unknown/release/acme_rules.wasm"
        );
        assert_eq!(toml_string(r#"C:\a "b""#), r#""C:\\a \"b\"""#);
        assert!(names_package(
            "[package]\nname = \"crm-rules-guest\"\n",
            "crm-rules-guest"
        ));
        assert!(!names_package(
            "[dependencies]\nname = \"crm-rules-guest\"\n",
            "crm-rules-guest"
        ));
    }
}
