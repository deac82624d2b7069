//! The command line: argument parsing and dispatch to one file per command.

mod batch;
mod check;
mod eval;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use crm_rules_host::{EngineOptions, Limits, RuleEngine};

/// Evaluate, test and check crm-rules packs.
#[derive(Debug, Parser)]
#[command(name = "crm-rules", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Compile components every time instead of using the compile cache (by default
    /// `$CRM_RULES_CACHE_DIR`, else `$XDG_CACHE_HOME/crm-rules`, else `~/.cache/crm-rules`).
    #[arg(long, global = true)]
    no_cache: bool,
}

/// Where compiled components are kept between runs, unless `--no-cache`.
fn cache_dir() -> Option<PathBuf> {
    let from = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    from("CRM_RULES_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| from("XDG_CACHE_HOME").map(|dir| PathBuf::from(dir).join("crm-rules")))
        .or_else(|| from("HOME").map(|dir| PathBuf::from(dir).join(".cache/crm-rules")))
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate one context (JSON) and print the decision (JSON).
    Eval {
        /// The pack folder (holding pack.toml).
        pack: PathBuf,
        /// The context file, or `-` for standard input.
        #[arg(long, short)]
        input: PathBuf,
    },
    /// Evaluate a book of contexts (NDJSON, one per line), in parallel, streaming; one result line per
    /// context, in input order, with its line number. Exit 1 if any line was not a valid context.
    Batch {
        /// The pack folder (holding pack.toml).
        pack: PathBuf,
        /// The NDJSON book, or `-` for standard input.
        #[arg(long, short)]
        input: PathBuf,
        /// Where to write the results (NDJSON); standard output by default.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Worker threads; all available cores by default.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Run every fixture of the packs; exit 1 if any fails.
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
    },
    /// Load and validate packs without evaluating anything: manifests, scripts, components, fixtures.
    Check {
        /// Pack folders.
        #[arg(required = true)]
        packs: Vec<PathBuf>,
    },
}

/// Runs the parsed command; `Err` is a usage or environment problem (exit 2).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cache = if cli.no_cache { None } else { cache_dir() };
    let engine =
        RuleEngine::with_options(EngineOptions::new(Limits::default()).compile_cache(cache))?;
    match cli.command {
        Command::Eval { pack, input } => eval::run(&engine, &pack, &input),
        Command::Batch {
            pack,
            input,
            output,
            threads,
        } => batch::run(&engine, &pack, &input, output.as_deref(), threads),
        Command::Test {
            packs,
            junit,
            verbose,
        } => test::run(&engine, &packs, junit.as_deref(), verbose),
        Command::Check { packs } => check::run(&engine, &packs),
    }
}
