//! `crm-rules test PACK... [--junit FILE]`: run every fixture, explain each failure.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::RuleEngine;
use crm_rules_host::fixture::{self, CaseResult};

fn print_failure(result: &CaseResult) {
    println!("FAIL {} ({})", result.name, result.file.display());
    for mismatch in &result.mismatches {
        println!("  {}: {}", mismatch.path, mismatch.message);
    }
    if let Some(actions) = result.actual.get("actions").and_then(|a| a.as_array()) {
        println!("  actual actions:");
        for action in actions {
            println!("    {action}");
        }
    }
    if let Some(errors) = result.actual.get("errors").and_then(|e| e.as_array()) {
        for error in errors {
            println!("  actual error: {error}");
        }
    }
}

pub fn run(
    engine: &RuleEngine,
    packs: &[PathBuf],
    junit: Option<&Path>,
    verbose: bool,
) -> anyhow::Result<ExitCode> {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut suites = Vec::new();
    for dir in packs {
        let pack = engine
            .load_pack(dir)
            .with_context(|| format!("failed to load pack `{}`", dir.display()))?;
        let cases = fixture::load_dir(&pack.fixtures_dir())?;
        if cases.is_empty() {
            anyhow::bail!(
                "pack `{}` has no fixture cases in `{}`",
                dir.display(),
                pack.fixtures_dir().display()
            );
        }
        let mut results = Vec::with_capacity(cases.len());
        for case in &cases {
            let result = fixture::run_case(&pack, case);
            if result.passed() {
                passed += 1;
                if verbose {
                    println!("ok   {}", result.name);
                }
            } else {
                failed += 1;
                print_failure(&result);
            }
            results.push(result);
        }
        suites.push((dir.display().to_string(), results));
    }
    if let Some(path) = junit {
        std::fs::write(path, fixture::junit::render(&suites))
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
