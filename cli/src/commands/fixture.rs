//! `crm-rules fixture from-log`: logged decisions become fixture cases.
//!
//! A decision someone questions is a regression test in one command: the logged context is the
//! case's input, the logged decision its expectation. The parts:
//!
//! - [`logged`]: reading a log (`batch --keep-input` output or a `serve --decision-log` file) and
//!   selecting its entries;
//! - [`case`]: a selected entry as a fixture case (name, description, expectation);
//! - [`file`]: the fixture file the cases are appended to, written atomically;
//! - [`from_log`]: the command itself, from the selection to the report.

mod case;
mod file;
mod from_log;
mod logged;

use std::process::ExitCode;

use crm_rules_host::RuleEngine;

use super::Console;
use super::exit;

/// `crm-rules fixture` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum FixtureCommand {
    /// Turn logged decisions into fixture cases of a pack.
    ///
    /// Each selected entry of the log (the output of `crm-rules batch --keep-input`, or a
    /// `crm-rules serve --decision-log` file) becomes a case whose input is the logged context and
    /// whose expectation is the logged decision, exactly. Entries are selected by account, key,
    /// line or request id (at least one: a whole log is not a regression suite); different
    /// selectors must all match, repeats of one are alternatives. The cases are appended to
    /// `fixtures/NAME` of the pack (created when absent), then run against the pack at once: each
    /// is reported as reproducing the logged decision (`ok`) or not (`DIFF`).
    #[command(after_help = exit::FIXTURE_FROM_LOG)]
    FromLog(from_log::FromLogArgs),
}

/// Runs a `crm-rules fixture` subcommand.
pub fn run(
    engine: &RuleEngine,
    command: FixtureCommand,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    match command {
        FixtureCommand::FromLog(args) => from_log::run(engine, &args, console),
    }
}
