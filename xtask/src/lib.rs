//! Builds rule components from source: each guest crate is compiled for `wasm32-unknown-unknown` and
//! turned into a component with `wit-component`. Used by `cargo xtask build-rules` and by the tests'
//! build script, so no `.wasm` binary is ever committed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

/// A guest crate and where its component goes.
#[derive(Debug, Clone, Copy)]
pub struct Guest {
    /// The cargo package name.
    pub package: &'static str,
    /// The component's path, relative to the workspace root.
    pub output: &'static str,
}

/// The rule crates of the repository's packs.
pub const PACK_GUESTS: &[Guest] = &[Guest {
    package: "crm-rules-standard",
    output: "rules/standard/rust/standard.wasm",
}];

/// The deliberately hostile rule crate of the sandbox tests (`tests/hostile/`): built from source
/// like the packs' crates, never committed.
pub const HOSTILE_GUESTS: &[Guest] = &[Guest {
    package: "crm-rules-hostile",
    output: "tests/hostile/guest/hostile.wasm",
}];

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Environment variables a parent cargo (or clippy) sets that must not leak into the nested build.
const LEAKY_ENV: &[&str] = &[
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_PKG_NAME",
];

/// Compiles `guests` for `wasm32-unknown-unknown` in release mode and writes each as a component.
///
/// # Errors
/// When cargo fails (for example the target is not installed: run
/// `rustup target add wasm32-unknown-unknown`), or a module cannot be turned into a component.
pub fn build_guests(root: &Path, guests: &[Guest]) -> anyhow::Result<Vec<PathBuf>> {
    let target_dir = root.join("target").join("guests");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        .arg("--target-dir")
        .arg(&target_dir);
    for guest in guests {
        command.args(["-p", guest.package]);
    }
    // Components keep their name section (traps show function names) but no DWARF.
    command
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo");
    for name in LEAKY_ENV {
        command.env_remove(name);
    }
    let status = command.status().context("failed to run cargo")?;
    if !status.success() {
        bail!(
            "building the rule crates for wasm32-unknown-unknown failed ({status}); \
             if the target is missing run `rustup target add wasm32-unknown-unknown`"
        );
    }
    let mut written = Vec::new();
    for guest in guests {
        let module_path = target_dir
            .join("wasm32-unknown-unknown/release")
            .join(format!("{}.wasm", guest.package.replace('-', "_")));
        let module = std::fs::read(&module_path)
            .with_context(|| format!("failed to read `{}`", module_path.display()))?;
        let component = wit_component::ComponentEncoder::default()
            .module(&module)
            .and_then(|encoder| encoder.validate(true).encode())
            .with_context(|| format!("failed to turn `{}` into a component", guest.package))?;
        let output = root.join(guest.output);
        // Rewrite only on change, so tools watching the file see no spurious updates.
        if std::fs::read(&output).ok().as_deref() != Some(component.as_slice()) {
            std::fs::write(&output, &component)
                .with_context(|| format!("failed to write `{}`", output.display()))?;
        }
        written.push(output);
    }
    Ok(written)
}
