//! `crm-rules test PACK... [--junit FILE]`: run every fixture, explain each failure.
//!
//! A pack or fixture file that does not load is reported (on standard error, and in the JUnit file
//! as an `<error>`) and the run goes on with the other packs and files; it makes the exit code 2.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::RuleEngine;
use crm_rules_host::fixture::coverage::Coverage;
use crm_rules_host::fixture::junit::{LoadFailure, Suite};
use crm_rules_host::fixture::{self, CaseResult};
use serde_json::Value;

use super::Console;
use super::coverage::{self, CoverageArgs};

/// Prints the entries of the decision's list `name` (`actions`, `suppressed`), one per line.
fn print_list(out: &mut impl io::Write, result: &CaseResult, name: &str) -> io::Result<()> {
    if let Some(entries) = result.actual.get(name).and_then(Value::as_array) {
        writeln!(out, "  actual {name}:")?;
        for entry in entries {
            writeln!(out, "    {entry}")?;
        }
    }
    Ok(())
}

fn print_failure(out: &mut impl io::Write, result: &CaseResult) -> io::Result<()> {
    writeln!(out, "FAIL {} ({})", result.name, result.file.display())?;
    for mismatch in &result.mismatches {
        // `path: message`, any detail lines of the message (the candidates of a `contains` entry,
        // say) indented below it.
        writeln!(out, "  {}", mismatch.to_string().replace('\n', "\n  "))?;
    }
    print_list(out, result, "actions")?;
    print_list(out, result, "suppressed")?;
    if let Some(errors) = result.actual.get("errors").and_then(Value::as_array) {
        for error in errors {
            writeln!(out, "  actual error: {error}")?;
        }
    }
    Ok(())
}

/// Cases passed and failed, and things that did not load, over all packs.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    not_loaded: usize,
    /// Packs whose coverage is below `--min-coverage`.
    below_coverage: usize,
    /// The coverage of each pack, when asked for.
    coverage: Vec<Coverage>,
}

impl Tally {
    /// Records a load failure in `suite` and reports it on standard error.
    fn not_loaded(
        &mut self,
        console: &mut Console,
        suite: &mut Suite,
        source: String,
        message: String,
    ) -> io::Result<()> {
        self.not_loaded += 1;
        console.error(&message)?;
        suite.load_failures.push(LoadFailure { source, message });
        Ok(())
    }
}

/// Loads the pack in `dir` and its fixtures and runs every case that loaded.
fn run_pack(
    engine: &RuleEngine,
    dir: &Path,
    options: &TestOptions<'_>,
    console: &mut Console,
    tally: &mut Tally,
) -> io::Result<Suite> {
    let verbose = options.verbose;
    let name = dir.display().to_string();
    let mut suite = Suite {
        name: name.clone(),
        ..Suite::default()
    };
    let pack = match engine.load_pack(dir) {
        Ok(pack) => pack,
        Err(error) => {
            let message = format!("failed to load pack `{name}`: {error}");
            tally.not_loaded(console, &mut suite, name, message)?;
            return Ok(suite);
        }
    };
    let fixtures_dir = pack.fixtures_dir();
    let set = pack
        .load_fixtures()
        .unwrap_or_else(|error| fixture::FixtureSet {
            errors: vec![error],
            ..fixture::FixtureSet::default()
        });
    for error in &set.errors {
        let source = error.path.display().to_string();
        tally.not_loaded(console, &mut suite, source, error.to_string())?;
    }
    if set.cases.is_empty() && set.errors.is_empty() {
        let message = format!(
            "pack `{name}` has no fixture cases in `{}`; add a fixture file there (see the README)",
            fixtures_dir.display()
        );
        tally.not_loaded(console, &mut suite, name.clone(), message)?;
    }
    for case in &set.cases {
        let result = fixture::run_case(&pack, case);
        if result.passed() {
            tally.passed += 1;
            if verbose {
                writeln!(console.out, "ok   {}", result.name)?;
            }
        } else {
            tally.failed += 1;
            print_failure(&mut console.out, &result)?;
        }
        suite.results.push(result);
    }
    if options.coverage.wanted() && !set.cases.is_empty() {
        let coverage = Coverage::measure(&pack, &suite.results);
        coverage::print(&mut console.out, &coverage, &name)?;
        if let Some(shortfall) = options.coverage.shortfall(&coverage) {
            tally.below_coverage += 1;
            console.error(&shortfall)?;
        }
        tally.coverage.push(coverage);
    }
    Ok(suite)
}

/// What `crm-rules test` was asked for, beside the packs.
pub struct TestOptions<'a> {
    pub junit: Option<&'a Path>,
    pub verbose: bool,
    pub coverage: &'a CoverageArgs,
}

pub fn run(
    engine: &RuleEngine,
    packs: &[PathBuf],
    options: &TestOptions<'_>,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let mut tally = Tally::default();
    let mut suites = Vec::with_capacity(packs.len());
    for dir in packs {
        suites.push(run_pack(engine, dir, options, console, &mut tally)?);
    }
    write!(
        console.out,
        "{} passed, {} failed",
        tally.passed, tally.failed
    )?;
    if tally.not_loaded > 0 {
        write!(console.out, ", {} not loaded", tally.not_loaded)?;
    }
    writeln!(console.out)?;
    if let Some(path) = options.junit {
        std::fs::write(path, fixture::junit::render(&suites))
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    if let Some(path) = &options.coverage.coverage_json {
        let json = serde_json::to_string_pretty(&tally.coverage)?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    Ok(if tally.not_loaded > 0 {
        ExitCode::from(2)
    } else if tally.failed > 0 || tally.below_coverage > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
