//! `crm-rules bundle PACK -o NAME.crmpack`: a pack as one self-contained file.

use std::process::ExitCode;

use crm_rules_host::RuleEngine;

use super::Console;

/// `crm-rules bundle` arguments.
#[derive(Debug, clap::Args)]
pub struct BundleArgs {}

pub fn run(
    _engine: &RuleEngine,
    _args: &BundleArgs,
    _console: &mut Console,
) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`crm-rules bundle` is being written")
}
