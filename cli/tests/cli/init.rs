//! `crm-rules init`: a new pack passes `check` and `test` straight away, with either backend (the
//! Rust one once built, as the command says); a bad name, a folder in use and an unknown backend are
//! refused with exit 2, and nothing is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{command, crm_rules, root, scratch, text};

/// The fixture cases `init` writes (billing 4, reminders 5, escalation 4).
const CASES: usize = 13;

fn path(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 path")
}

/// `check` and `test` pass on `pack`, and see every module and case.
fn assert_check_and_test_pass(pack: &Path) {
    let out = crm_rules(&["check", path(pack)]);
    assert!(out.status.success(), "check: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!("(contract 0.2, 3 modules, {CASES} fixture cases")),
        "{stdout}"
    );
    let out = crm_rules(&["test", path(pack)]);
    assert!(
        out.status.success(),
        "test: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .trim_end()
            .ends_with(&format!("{CASES} passed, 0 failed")),
        "{stdout}"
    );
}

/// The kinds of the actions `eval` decides for `input`, a file of the pack.
fn eval_kinds(pack: &Path, input: &str) -> Vec<String> {
    let out = crm_rules(&["eval", path(pack), "--input", path(&pack.join(input))]);
    assert!(out.status.success(), "eval: {}", text(&out.stderr));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(decision["status"], "complete", "{decision}");
    decision["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts that `out` is an exit 2 whose message contains `message`, and that nothing was written
/// to standard output.
fn assert_refused(out: &Output, message: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(message), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}

#[test]
fn a_rhai_pack_passes_check_and_test_at_once() {
    let dir = scratch("init-rhai");
    // An empty folder is fine, and the current folder is the default parent.
    std::fs::create_dir(dir.join("acme-collections")).unwrap();
    let out = command(&["init", "acme-collections"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("Created pack `acme-collections` (Rhai rules) in acme-collections:"),
        "{stdout}"
    );
    for next in [
        "cd acme-collections",
        "crm-rules check .",
        "crm-rules test .",
    ] {
        assert!(stdout.contains(&format!("\n  {next}\n")), "{stdout}");
    }
    let pack = dir.join("acme-collections");
    for file in [
        "pack.toml",
        "README.md",
        "billing.rhai",
        "reminders.rhai",
        "escalation.rhai",
        "fixtures/base/account.json",
        "fixtures/billing.json",
        "fixtures/reminders.json",
        "fixtures/escalation.json",
    ] {
        assert!(pack.join(file).is_file(), "{file} missing");
        assert!(
            stdout.contains(&format!("  {file} ")),
            "{file} not listed: {stdout}"
        );
    }
    let manifest = std::fs::read_to_string(pack.join("pack.toml")).unwrap();
    assert!(
        manifest.contains("name = \"acme-collections\"\n"),
        "{manifest}"
    );
    assert!(manifest.contains("contract = \"0.2\"\n"), "{manifest}");
    assert_check_and_test_pass(&pack);
    assert_eq!(
        eval_kinds(&pack, "try/scheduled.json"),
        ["send-reminder", "create-task"]
    );
    assert_eq!(eval_kinds(&pack, "try/closed-won.json"), ["create-invoice"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_rust_pack_builds_then_passes_check_and_test() {
    // Inside the repository (under its target/), so the build also shows that the crate does not
    // join the repository's workspace.
    let dir = root()
        .join("target/init-test-packs")
        .join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    let out = crm_rules(&["init", "ledger", "--backend", "rust", "--dir", path(&dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "\n  cargo build --release --target wasm32-unknown-unknown --target-dir target\n"
        ),
        "{stdout}"
    );
    let pack = dir.join("ledger");
    let cargo_toml = std::fs::read_to_string(pack.join("Cargo.toml")).unwrap();
    let sdk = root().join("guest-sdk").canonicalize().unwrap();
    assert!(
        cargo_toml.contains(&format!("crm-rules-guest = {{ path = \"{}\"", path(&sdk))),
        "{cargo_toml}"
    );
    assert!(cargo_toml.contains("\n[workspace]\n"), "{cargo_toml}");
    let wasm = "target/wasm32-unknown-unknown/release/ledger_rules.wasm";
    let manifest = std::fs::read_to_string(pack.join("pack.toml")).unwrap();
    assert_eq!(
        manifest.matches(&format!("source = \"{wasm}\"")).count(),
        3,
        "{manifest}"
    );

    // The printed build, into a target folder shared between runs so dependencies are built once;
    // the module is then copied to where `--target-dir target` would have put it.
    let target_dir = root().join("target/init-test-guest");
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo
        .current_dir(&pack)
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"]);
    for name in xtask::LEAKY_ENV {
        cargo.env_remove(name);
    }
    let started = std::time::Instant::now();
    let built = cargo.env("CARGO_TARGET_DIR", &target_dir).output().unwrap();
    assert!(built.status.success(), "{}", text(&built.stderr));
    eprintln!("the guest built in {:.1?}", started.elapsed());
    let module: PathBuf = target_dir.join("wasm32-unknown-unknown/release/ledger_rules.wasm");
    std::fs::create_dir_all(pack.join(wasm).parent().unwrap()).unwrap();
    std::fs::copy(&module, pack.join(wasm)).unwrap();

    assert_check_and_test_pass(&pack);
    assert_eq!(
        eval_kinds(&pack, "try/scheduled.json"),
        ["send-reminder", "create-task"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_that_is_not_empty_is_refused_and_left_alone() {
    let dir = scratch("init-not-empty");
    std::fs::create_dir(dir.join("acme")).unwrap();
    std::fs::write(dir.join("acme/notes.txt"), "mine").unwrap();
    let out = crm_rules(&["init", "acme", "--dir", path(&dir)]);
    assert_refused(&out, "acme` exists and is not empty");
    let left: Vec<_> = std::fs::read_dir(dir.join("acme")).unwrap().collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("acme/notes.txt")).unwrap(),
        "mine"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_name_that_is_not_a_pack_name_is_refused() {
    let dir = scratch("init-bad-name");
    for (name, why) in [
        (
            "Acme",
            "invalid pack name `Acme`: it does not start with a lower-case letter",
        ),
        (
            "acme_rules",
            "invalid pack name `acme_rules`: it contains `_`",
        ),
        (
            "packs/acme",
            "that is a path: give the folder to create the pack in with --dir",
        ),
        ("acme-", "a `-` must sit between two letters or digits"),
    ] {
        let out = crm_rules(&["init", name, "--dir", path(&dir)]);
        assert_refused(&out, why);
        assert!(text(&out.stderr).contains("e.g. `acme-collections`"));
    }
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_backend_is_a_usage_error() {
    let out = crm_rules(&["init", "acme", "--backend", "python"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("invalid value 'python' for '--backend <BACKEND>'"),
        "{stderr}"
    );
    assert!(stderr.contains("[possible values: rhai, rust]"), "{stderr}");
    assert!(!root().join("acme").exists(), "nothing written");
}

#[test]
fn a_folder_that_holds_no_guest_sdk_is_refused() {
    let dir = scratch("init-no-sdk");
    let out = crm_rules(&[
        "init",
        "ledger",
        "--backend",
        "rust",
        "--dir",
        path(&dir),
        "--sdk",
        path(&root().join("host")),
    ]);
    assert_refused(
        &out,
        "expected the `crm-rules-guest` package's Cargo.toml there",
    );
    let out = crm_rules(&["init", "ledger", "--dir", path(&dir), "--sdk", "guest-sdk"]);
    assert_refused(&out, "--sdk is for `--backend rust`");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "nothing written"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
