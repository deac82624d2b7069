//! The command line: argument parsing and dispatch to one file per command.

mod batch;
mod bundle;
mod ceilings;
mod check;
mod coverage;
mod diff;
mod diff_html;
mod diff_text;
mod engine_args;
mod eval;
mod exit;
mod explain;
mod fixture;
mod init;
mod output;
mod serve;
mod test;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use crm_rules_host::RuleEngine;

pub use output::Console;

/// Evaluate, test and check crm-rules packs.
#[derive(Debug, Parser)]
#[command(name = "crm-rules", version, about, after_help = exit::ALL)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    engine: engine_args::EngineArgs,
    #[command(flatten)]
    ceilings: ceilings::Ceilings,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate one context (JSON) and print the decision (JSON).
    #[command(after_help = exit::EVAL)]
    Eval {
        /// The pack folder (holding pack.toml).
        pack: PathBuf,
        /// The context file, or `-` for standard input.
        #[arg(long, short)]
        input: PathBuf,
    },
    /// Evaluate a book of contexts (NDJSON, one per line), in parallel, streaming; exactly one result
    /// line per input line, in input order, with its line number.
    ///
    /// Each result is `{"line": N, "decision": {...}}` or `{"line": N, "error": "..."}` (with
    /// `"id"` first when `--id-field` is given). A line is an
    /// error when it is not valid UTF-8 (the error names its line and column), looks like UTF-16, is
    /// longer than the input limit (16 MiB by default; skipped without being read into memory), is
    /// blank (or only spaces), or is not a valid context. Lines end at `\n` or `\r\n`; the last line
    /// needs no newline; a UTF-8 byte-order mark at the start of a line is skipped.
    #[command(after_help = exit::BATCH)]
    Batch(batch::BatchArgs),
    /// Run every fixture of the packs; print each failure as a diff.
    ///
    /// A pack or fixture file that does not load is reported and the other packs still run; the
    /// JUnit file, when asked for, is written anyway, with each load failure as an `<error>`.
    #[command(after_help = exit::TEST)]
    Test {
        /// Pack folders.
        #[arg(required = true)]
        packs: Vec<PathBuf>,
        /// Also write the results as JUnit XML to this file.
        #[arg(long)]
        junit: Option<PathBuf>,
        /// Print every case, not only failures.
        #[arg(long, short)]
        verbose: bool,
        #[command(flatten)]
        coverage: coverage::CoverageArgs,
    },
    /// Load and validate packs without evaluating anything: manifests, scripts, components, fixtures.
    #[command(after_help = exit::CHECK)]
    Check {
        /// Pack folders.
        #[arg(required = true)]
        packs: Vec<PathBuf>,
    },
    /// Serve every pack under a directory over HTTP (a sidecar for host apps in any language):
    /// POST /v1/packs/{name}/evaluate and /evaluate-batch, GET /v1/packs, /metrics, /healthz,
    /// /readyz, and the OpenAPI document at /v1/openapi.json. SIGHUP reloads the packs; SIGTERM
    /// drains the requests in flight and exits 0.
    #[command(after_help = exit::SERVE)]
    Serve(serve::ServeArgs),
    /// Explain one decision: per module, what it read (fields and parameters), the rules that
    /// fired and those that stood down with the reason, its notes on the records it examined, and
    /// its cost; a tree on a terminal, `--json` for tools.
    #[command(after_help = exit::EXPLAIN)]
    Explain(explain::ExplainArgs),
    /// Compare two packs over a book: both decide every context (streaming, in parallel), and the
    /// summary says per action kind what the challenger adds, removes or changes, the money those
    /// actions carry per currency, the accounts whose decision changes (with examples), and the
    /// errors on either side.
    #[command(after_help = exit::DIFF)]
    Diff(diff::DiffArgs),
    /// Write a pack as one self-contained, content-addressed file (`NAME.crmpack`) that every
    /// command taking a pack folder also takes; its decisions carry the folder's pack hash.
    #[command(after_help = exit::BUNDLE)]
    Bundle(bundle::BundleArgs),
    /// Create a new pack: a manifest, one module per kind and a fixture for each, passing `check`
    /// and `test` straight away.
    #[command(after_help = exit::INIT)]
    Init(init::InitArgs),
    /// Work with fixtures: `fixture from-log` turns logged decisions into fixture cases.
    #[command(subcommand)]
    Fixture(fixture::FixtureCommand),
}

/// Runs the parsed command, writing to `console`; `Err` is a usage, environment or write problem
/// (exit 2).
pub fn run(cli: Cli, console: &mut Console) -> anyhow::Result<ExitCode> {
    let engine = RuleEngine::with_options(cli.engine.options(cli.ceilings.limits()))?;
    let code = match cli.command {
        Command::Eval { pack, input } => eval::run(&engine, &pack, &input, console),
        Command::Batch(args) => batch::run(&engine, &args, console),
        Command::Test {
            packs,
            junit,
            verbose,
            coverage,
        } => {
            let options = test::TestOptions {
                junit: junit.as_deref(),
                verbose,
                coverage: &coverage,
            };
            test::run(&engine, &packs, &options, console)
        }
        Command::Check { packs } => check::run(&engine, &packs, console),
        Command::Serve(args) => serve::run(engine, args),
        Command::Explain(args) => explain::run(&engine, &args, console),
        Command::Diff(args) => diff::run(&engine, &args, console),
        Command::Bundle(args) => bundle::run(&engine, &args, console),
        Command::Init(args) => init::run(&engine, &args, console),
        Command::Fixture(command) => fixture::run(&engine, command, console),
    };
    // What the command printed is written out even when it failed.
    let flushed = console.out.flush();
    let code = code?;
    flushed.context("the output is incomplete")?;
    Ok(code)
}
