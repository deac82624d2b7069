//! `crm-rules bundle`: the standard Rhai pack (its parameters and fixtures outside its folder) as one
//! file that `eval`, `batch`, `test` and `check` take as they take the folder, with the same pack
//! hash, from a folder of its own; the same bytes every time; a damaged bundle refused with exit 2;
//! a component's precompiled code run only when trusted.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::{command, crm_rules, scratch, text};

const PACK: &str = "rules/standard/rhai";

fn path(file: &Path) -> &str {
    file.to_str().expect("a UTF-8 path")
}

/// Bundles the standard Rhai pack (with `extra` arguments) into a scratch folder of its own
/// (`name`); returns the bundle's path.
fn bundle(name: &str, extra: &[&str]) -> PathBuf {
    let dir = scratch(name);
    let file = dir.join("standard.crmpack");
    let mut args = vec!["bundle", PACK, "-o", path(&file)];
    args.extend_from_slice(extra);
    let out = crm_rules(&args);
    assert!(out.status.success(), "bundle: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("wrote "), "{stdout}");
    file
}

/// Runs `args` in `dir` (a folder holding nothing but the bundle).
fn run_in(dir: &Path, args: &[&str]) -> Output {
    command(args)
        .current_dir(dir)
        .output()
        .expect("crm-rules runs")
}

#[test]
fn eval_batch_test_and_check_take_the_bundle_as_the_folder() {
    let bundle = bundle("same", &[]);
    let dir = bundle.parent().expect("its folder");
    let input = super::root().join("examples/closed-won.json");
    let book = super::root().join("examples/book.ndjson");
    let checked = text(&crm_rules(&["check", PACK]).stdout);
    let hash = checked
        .split_whitespace()
        .last()
        .filter(|hash| hash.starts_with("sha256:"))
        .expect("check ends with the pack hash");
    for args in [
        vec!["eval", "PACK", "--input", path(&input)],
        vec!["batch", "PACK", "--input", path(&book), "--threads", "2"],
    ] {
        let on = |pack: &str| {
            let args: Vec<&str> = args
                .iter()
                .map(|arg| if *arg == "PACK" { pack } else { arg })
                .collect();
            crm_rules(&args)
        };
        let (folder, bundled) = (on(PACK), on(path(&bundle)));
        assert!(bundled.status.success(), "{}", text(&bundled.stderr));
        assert!(
            text(&bundled.stdout).contains(hash),
            "{}",
            text(&bundled.stdout)
        );
        assert!(
            folder.stdout == bundled.stdout,
            "{}: the bundle decides otherwise",
            args[0]
        );
    }
    // From the bundle's own folder, with nothing beside it: it is self-contained.
    let out = run_in(dir, &["test", "standard.crmpack"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.trim_end().ends_with("163 passed, 0 failed"),
        "{stdout}"
    );
    let (folder, bundled) = (
        crm_rules(&["check", PACK]),
        run_in(dir, &["check", "standard.crmpack"]),
    );
    assert!(bundled.status.success(), "{}", text(&bundled.stderr));
    let summary = |out: &Output| {
        let stdout = text(&out.stdout);
        let summary = stdout.splitn(3, ": ").nth(2).expect("ok: PACK: summary");
        summary.trim_end().to_owned()
    };
    assert_eq!(summary(&bundled), summary(&folder));
    assert!(summary(&folder).contains("163 fixture cases"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bundling_twice_gives_the_same_bytes_under_the_default_name() {
    let dir = scratch("twice");
    let mut written = Vec::new();
    for _ in 0..2 {
        let out = run_in(&dir, &["bundle", path(&super::root().join(PACK))]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        written.push(std::fs::read(dir.join("standard-rhai-0.2.0.crmpack")).expect("written"));
    }
    assert!(written[0] == written[1], "the two bundles differ");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .expect("listed")
        .map(|entry| entry.expect("entry").file_name())
        .collect();
    assert_eq!(
        names,
        ["standard-rhai-0.2.0.crmpack"],
        "no temporary file left"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_bundle_is_refused_with_exit_2() {
    let bundle = bundle("damaged", &[]);
    let mut bytes = std::fs::read(&bundle).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&bundle, &bytes).expect("written");
    let input = super::root().join("examples/closed-won.json");
    let out = crm_rules(&["eval", path(&bundle), "--input", path(&input)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("invalid pack bundle") && stderr.contains("corrupted: its contents hash"),
        "{stderr}"
    );
    std::fs::write(&bundle, &bytes[..middle]).expect("written");
    let out = crm_rules(&["test", path(&bundle)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("truncated or corrupted"));
    let _ = std::fs::remove_dir_all(bundle.parent().expect("its folder"));
}

#[test]
fn without_fixtures_check_passes_and_test_says_there_are_none() {
    let with = bundle("with-fixtures", &[]);
    let without = bundle("no-fixtures", &["--no-fixtures"]);
    let size = |file: &Path| std::fs::metadata(file).expect("written").len();
    assert!(size(&without) < size(&with));
    let out = crm_rules(&["check", path(&without)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("0 fixture cases"));
    let out = crm_rules(&["test", path(&without)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the bundle has no fixtures"), "{stderr}");
    for file in [with, without] {
        let _ = std::fs::remove_dir_all(file.parent().expect("its folder"));
    }
}

#[test]
fn a_bundle_or_a_broken_pack_is_not_bundled() {
    let bundle = bundle("again", &[]);
    let out = crm_rules(&["bundle", path(&bundle)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("it is a bundle already"));
    let out = crm_rules(&["bundle", "rules/no-such-pack"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("failed to load pack `rules/no-such-pack`"));
    let _ = std::fs::remove_dir_all(bundle.parent().expect("its folder"));
}

#[test]
fn a_precompiled_bundle_runs_its_code_only_when_trusted_and_decides_alike() {
    let dir = scratch("precompiled");
    let file = dir.join("standard-rust.crmpack");
    let out = crm_rules(&[
        "bundle",
        "rules/standard/rust",
        "--precompile",
        "--no-cache",
        "-o",
        path(&file),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(", 1 precompiled components,"),
        "{}",
        text(&out.stdout)
    );
    let checked = crm_rules(&["check", path(&file), "--no-cache", "--trust-precompiled"]);
    assert!(
        text(&checked.stdout).contains("1 component(s) precompiled in the bundle"),
        "{}",
        text(&checked.stdout)
    );
    let book = super::root().join("examples/book.ndjson");
    let batch = |extra: &[&str]| {
        let mut args = vec!["batch", path(&file), "--no-cache", "--input", path(&book)];
        args.extend_from_slice(extra);
        let out = crm_rules(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        out
    };
    let (untrusted, trusted) = (batch(&[]), batch(&["--trust-precompiled"]));
    assert!(
        text(&untrusted.stderr).contains(
            "the bundle of `standard-rust` carries precompiled code for 1 component(s) that was \
             not loaded: give --trust-precompiled"
        ),
        "{}",
        text(&untrusted.stderr)
    );
    assert!(
        !text(&trusted.stderr).contains("precompiled"),
        "{}",
        text(&trusted.stderr)
    );
    assert!(!trusted.stdout.is_empty());
    assert!(
        trusted.stdout == untrusted.stdout,
        "the precompiled code decides otherwise"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
