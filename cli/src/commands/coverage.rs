//! `crm-rules test --coverage [--min-coverage PCT] [--coverage-json FILE]`: what the fixtures make
//! each declared rule id do, printed per pack, and the threshold that fails CI.

use std::io;
use std::path::PathBuf;

use crm_rules_host::fixture::coverage::Coverage;

/// The coverage options of `crm-rules test`.
#[derive(Debug, Clone, clap::Args)]
pub struct CoverageArgs {
    /// Report, per declared rule id (`rules = [...]` of each module in pack.toml), how many cases
    /// make it fire and how many make it stand down, and list the ids no case reaches.
    #[arg(long)]
    pub coverage: bool,
    /// Fail (exit 1) when a pack's cases reach fewer than PCT percent of its declared rule ids, or
    /// when a module declares none (its coverage cannot be measured). Implies --coverage.
    #[arg(long, value_name = "PCT", value_parser = percent)]
    pub min_coverage: Option<f64>,
    /// Also write the coverage of every pack as JSON to FILE. Implies --coverage.
    #[arg(long, value_name = "FILE")]
    pub coverage_json: Option<PathBuf>,
}

impl CoverageArgs {
    /// Whether coverage is measured at all.
    pub fn wanted(&self) -> bool {
        self.coverage || self.min_coverage.is_some() || self.coverage_json.is_some()
    }

    /// Why `coverage` falls short of `--min-coverage`, if it does.
    pub fn shortfall(&self, coverage: &Coverage) -> Option<String> {
        let min = self.min_coverage?;
        let undeclared = coverage.undeclared_modules();
        if !undeclared.is_empty() {
            return Some(format!(
                "pack {}: module(s) {} declare no rule ids, so their coverage cannot be \
                 measured; add `rules = [...]` to each in pack.toml",
                coverage.pack,
                undeclared.join(", ")
            ));
        }
        let percent = coverage.percent();
        (percent < min).then(|| {
            format!(
                "pack {}: the cases reach {percent:.1}% of the declared rule ids, below \
                 --min-coverage {min}%; never reached: {}",
                coverage.pack,
                coverage.never_reached().join(", ")
            )
        })
    }
}

fn percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

/// Prints `coverage` as a table: one line per rule id, under its module.
pub fn print(out: &mut impl io::Write, coverage: &Coverage, source: &str) -> io::Result<()> {
    let (declared, reached) = coverage.declared_and_reached();
    writeln!(
        out,
        "coverage of {} ({source}): {reached} of {declared} declared rule ids reached ({:.1}%) by {} cases",
        coverage.pack,
        coverage.percent(),
        coverage.cases
    )?;
    let width = coverage
        .modules
        .iter()
        .flat_map(|m| &m.rules)
        .map(|r| r.rule.len())
        .max()
        .unwrap_or(0);
    for module in &coverage.modules {
        if module.declares_rules {
            writeln!(out, "  module {}", module.module)?;
        } else {
            writeln!(
                out,
                "  module {}: declares no rule ids (add `rules = [...]` to measure what its cases miss)",
                module.module
            )?;
        }
        for rule in &module.rules {
            let note = match (rule.reached(), rule.declared) {
                (false, _) => "  NEVER REACHED".to_owned(),
                (true, false) => "  (not declared)".to_owned(),
                (true, true) => String::new(),
            };
            writeln!(
                out,
                "    {:width$}  fired in {:>3}  stood down in {:>3}{note}",
                rule.rule, rule.fired, rule.stood_down
            )?;
        }
    }
    Ok(())
}
