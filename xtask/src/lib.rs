//! Builds rule components from source: each guest crate is compiled for `wasm32-unknown-unknown` and
//! turned into a component with `wit-component`. Used by `cargo xtask build-rules`, `cargo xtask ci`
//! and the tests' build script, so no `.wasm` binary is ever committed. The target's standard library
//! is added with rustup when it is missing, so a fresh clone needs no set-up step.

use std::ffi::OsStr;
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
pub const PACK_GUESTS: &[Guest] = &[
    Guest {
        package: "crm-rules-standard",
        output: "rules/standard/rust/standard.wasm",
    },
    Guest {
        package: "crm-rules-example-overdue-states",
        output: "rules/examples/overdue-states/rust/overdue-states.wasm",
    },
];

/// The deliberately hostile rule crate of the sandbox tests (`tests/hostile/`): built from source
/// like the packs' crates, never committed.
pub const HOSTILE_GUESTS: &[Guest] = &[Guest {
    package: "crm-rules-hostile",
    output: "tests/hostile/guest/hostile.wasm",
}];

/// The typed mirror of the crossing tests (`tests/mirror/`): a component built on `wit-bindgen`
/// alone that exports only `evaluate`, so the host gives it the context typed, as it does a
/// component written in another language.
pub const MIRROR_GUESTS: &[Guest] = &[Guest {
    package: "crm-rules-typed-mirror",
    output: "tests/mirror/guest/typed-mirror.wasm",
}];

/// The frozen 0.1 standard rule crate of the compatibility tests (`tests/compat/standard-v0_1`, the
/// standard pack and guest SDK as they were at commit `66022eb`, against `wit/v0.1`): built from
/// source like the packs' crates, never committed, so a test can prove 0.1 components keep deciding
/// as before.
pub const COMPAT_GUESTS: &[Guest] = &[Guest {
    package: "crm-rules-compat-standard-v0-1",
    output: "tests/compat/standard-v0_1.wasm",
}];

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Environment variables a parent cargo (or clippy) sets that must not leak into the nested build.
pub const LEAKY_ENV: &[&str] = &[
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

/// The target rule guests are compiled for.
pub const GUEST_TARGET: &str = "wasm32-unknown-unknown";

/// What [`ensure_target`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetStatus {
    /// rustup lists the target as installed.
    Installed,
    /// The target was missing and `rustup target add` installed it.
    Added,
    /// rustup is not on the `PATH`: nothing was checked or added.
    NoRustup,
}

/// Makes sure the active toolchain (the one `rust-toolchain.toml` pins, run from `root`) has the
/// standard library for `target`: asks `rustup target list --installed` and runs `rustup target add`
/// when the target is not listed.
///
/// # Errors
/// When rustup fails to list or to add the target.
pub fn ensure_target(root: &Path, target: &str) -> anyhow::Result<TargetStatus> {
    ensure_target_with(OsStr::new("rustup"), root, target)
}

/// [`ensure_target`] with the rustup program given, so tests can stand in for it.
fn ensure_target_with(rustup: &OsStr, root: &Path, target: &str) -> anyhow::Result<TargetStatus> {
    let listing = match Command::new(rustup)
        .current_dir(root)
        .args(["target", "list", "--installed"])
        .output()
    {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(TargetStatus::NoRustup);
        }
        Err(error) => return Err(error).context("failed to run `rustup target list --installed`"),
    };
    if !listing.status.success() {
        bail!(
            "`rustup target list --installed` failed ({}): {}",
            listing.status,
            String::from_utf8_lossy(&listing.stderr).trim()
        );
    }
    if lists_target(&String::from_utf8_lossy(&listing.stdout), target) {
        return Ok(TargetStatus::Installed);
    }
    eprintln!("the {target} target is missing: running `rustup target add {target}`");
    let status = Command::new(rustup)
        .current_dir(root)
        .args(["target", "add", target])
        .status()
        .context("failed to run `rustup target add`")?;
    if !status.success() {
        bail!("`rustup target add {target}` failed ({status})");
    }
    Ok(TargetStatus::Added)
}

/// Whether the output of `rustup target list --installed` (one target per line) names `target`.
fn lists_target(listing: &str, target: &str) -> bool {
    listing.lines().any(|line| line.trim() == target)
}

/// Compiles `guests` for `wasm32-unknown-unknown` in release mode and writes each as a component,
/// first adding the target with rustup if it is missing ([`ensure_target`]).
///
/// # Errors
/// When rustup cannot add the target, cargo fails (without rustup, a missing target is one cause:
/// the message says what to install), or a module cannot be turned into a component.
pub fn build_guests(root: &Path, guests: &[Guest]) -> anyhow::Result<Vec<PathBuf>> {
    let target_status = ensure_target(root, GUEST_TARGET)?;
    let target_dir = root.join("target").join("guests");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["build", "--release", "--target", GUEST_TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    for guest in guests {
        command.args(["-p", guest.package]);
    }
    // Components keep their name section (traps show function names) but no DWARF. Whole-program
    // optimisation inlines the allocator and the packed context's readers into the rule: a fifth
    // fewer instructions per evaluation of E1 (docs/performance.md, ninth pass).
    command
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo")
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1");
    for name in LEAKY_ENV {
        command.env_remove(name);
    }
    let status = command.status().context("failed to run cargo")?;
    if !status.success() {
        if target_status == TargetStatus::NoRustup {
            bail!(
                "building the rule crates for {GUEST_TARGET} failed ({status}); rustup was not \
                 found, so the target could not be checked or added: install the {GUEST_TARGET} \
                 standard library for this Rust toolchain (with rustup, from https://rustup.rs: \
                 `rustup target add {GUEST_TARGET}`; otherwise your Rust distribution's package \
                 for that target)"
            );
        }
        bail!("building the rule crates for {GUEST_TARGET} failed ({status})");
    }
    let mut written = Vec::new();
    for guest in guests {
        let module_path = target_dir
            .join(GUEST_TARGET)
            .join("release")
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

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "test code: a failed unwrap is the test failing"
    )]

    use super::*;

    #[test]
    fn a_target_is_listed_only_by_its_exact_name() {
        let listing = "wasm32-unknown-unknown\nx86_64-unknown-linux-gnu\n";
        assert!(lists_target(listing, "wasm32-unknown-unknown"));
        assert!(lists_target(listing, "x86_64-unknown-linux-gnu"));
        assert!(!lists_target(
            "wasm32-wasip1\nwasm32v1-none\n",
            "wasm32-unknown-unknown"
        ));
        assert!(!lists_target("", "wasm32-unknown-unknown"));
    }

    /// A stand-in for rustup: a shell script that logs its arguments, lists `installed` and exits
    /// with `add_exit` from `target add`.
    #[cfg(unix)]
    fn fake_rustup(dir: &Path, installed: &str, add_exit: u8) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let log = dir.join("calls.log");
        let script = format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\n\
             if [ \"$1 $2\" = 'target list' ]; then printf '{installed}\\n'; exit 0; fi\n\
             if [ \"$1 $2\" = 'target add' ]; then exit {add_exit}; fi\nexit 2\n",
            log.display()
        );
        let path = dir.join("rustup");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// One test for every case that starts a process, so no other test's child inherits a script
    /// still open for writing.
    #[cfg(unix)]
    #[test]
    fn a_missing_target_is_added_with_rustup_and_a_missing_rustup_is_reported() {
        let dir = std::env::temp_dir().join(format!("xtask-rustup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("calls.log");
        let target = GUEST_TARGET;

        let missing = dir.join("no-such-rustup");
        let status = ensure_target_with(missing.as_os_str(), &dir, target).unwrap();
        assert_eq!(status, TargetStatus::NoRustup);

        let rustup = fake_rustup(&dir, "x86_64-unknown-linux-gnu", 0);
        let status = ensure_target_with(rustup.as_os_str(), &dir, target).unwrap();
        assert_eq!(status, TargetStatus::Added);
        let calls = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            calls,
            format!("target list --installed\ntarget add {target}\n")
        );

        std::fs::remove_file(&log).unwrap();
        let rustup = fake_rustup(&dir, target, 0);
        let status = ensure_target_with(rustup.as_os_str(), &dir, target).unwrap();
        assert_eq!(status, TargetStatus::Installed);
        let calls = std::fs::read_to_string(&log).unwrap();
        assert_eq!(calls, "target list --installed\n");

        let rustup = fake_rustup(&dir, "x86_64-unknown-linux-gnu", 1);
        let error = ensure_target_with(rustup.as_os_str(), &dir, target).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`rustup target add wasm32-unknown-unknown` failed"),
            "{error}"
        );

        std::fs::remove_dir_all(&dir).unwrap();
    }
}
