//! The pack manifest, `pack.toml`: the pack's name and version, its modules, parameters and limits.
//!
//! ```toml
//! [pack]
//! name = "standard"
//! version = "0.1.0"
//! contract = "0.2"                  # the contract the pack is written for; absent: "0.1"
//! fixtures = "../fixtures"          # optional; defaults to "fixtures"
//! params_file = "../params.toml"    # optional; shared defaults, overridden by [params]
//! rhai_prelude = "common.rhai"      # optional; functions shared by the pack's Rhai modules
//!
//! [[modules]]
//! id = "billing"
//! source = "billing.rhai"           # a .rhai script, or a .wasm component or core module
//! triggers = ["deal-event"]         # what it runs on: scheduled, deal-event, payment-attempt,
//!                                   # invoice-event, tag-change, dispute
//! entry = "billing"                 # the component's module, or the Rhai function (0.2; default:
//!                                   # the id for a component, `evaluate` for a script)
//! on_error = "hold"                 # hold (the whole decision for review) | skip (this module)
//!
//! [[modules]]                       # a module written for contract 0.1 names its kind instead:
//! id = "reminders"                  # billing runs on deal events, reminders and escalation on
//! kind = "reminders"                # the schedule, through the 0.1 entry points
//! source = "reminders.rhai"
//!
//! [vocabulary]                      # contract 0.2: the names the pack declares (see vocabulary.rs)
//! templates = ["reminder1", "reminder2"]
//! states = ["warning", "suspended"]
//! fields.invoice.po_number = { type = "text", required = true }
//!
//! [params]
//! own_origin = "crm-rules"
//! sms_max = { USD = "500.00", JPY = "50000" }
//!
//! [limits]
//! fuel = 5_000_000
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::LoadError;
use crate::limits::LimitOverrides;

/// What kind of rule a module is: which entry point the host calls, on which evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// Billing triggers: evaluated when the context carries a deal event.
    Billing,
    /// Reminders: evaluated on scheduled runs (no deal event).
    Reminders,
    /// Escalation: evaluated on scheduled runs (no deal event).
    Escalation,
}

impl RuleKind {
    /// The entry point's name: the WIT export, and the Rhai function (with `_` for `-`).
    pub fn entry_point(&self) -> &'static str {
        match self {
            RuleKind::Billing => "evaluate_billing",
            RuleKind::Reminders => "evaluate_reminders",
            RuleKind::Escalation => "evaluate_escalation",
        }
    }

    /// The kind's name in manifests.
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::Billing => "billing",
            RuleKind::Reminders => "reminders",
            RuleKind::Escalation => "escalation",
        }
    }
}

/// What a module's failure means for the decision; declared per module so a host never guesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Hold the whole decision for review: no action of it may run unattended. The default.
    #[default]
    Hold,
    /// Skip the module: the decision is as if it did not exist (its error is still reported).
    Skip,
}

/// The `[pack]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// A one-line description.
    #[serde(default)]
    pub description: Option<String>,
    /// The fixtures folder, relative to the manifest. Defaults to `fixtures`.
    #[serde(default)]
    pub fixtures: Option<PathBuf>,
    /// A TOML file of parameter defaults shared by several packs (relative to the manifest); the
    /// manifest's own `[params]` override it.
    #[serde(default)]
    pub params_file: Option<PathBuf>,
    /// A Rhai script of functions shared by every Rhai module of the pack (relative to the
    /// manifest); a module's own functions take precedence.
    #[serde(default)]
    pub rhai_prelude: Option<PathBuf>,
    /// The contract version the pack is written for (`0.1`, `0.2`); absent is `0.1`.
    #[serde(default)]
    pub contract: ContractVersion,
}

/// A version of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
pub enum ContractVersion {
    /// `crm:rules@0.1.0`: the standard policy's vocabulary only.
    #[default]
    #[serde(rename = "0.1")]
    V0_1,
    /// `crm:rules@0.2.0`: triggers, vocabulary, custom fields, the new records and actions.
    #[serde(rename = "0.2")]
    V0_2,
}

/// One `[[modules]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleSpec {
    /// The module's id, reported with its actions, errors and cost.
    pub id: String,
    /// The 0.1 rule kind it serves (which entry point, which triggers); a 0.2 module gives
    /// `triggers` (and `entry`) instead.
    #[serde(default)]
    pub kind: Option<RuleKind>,
    /// The source file, relative to the manifest: `.rhai`, or `.wasm` (component or core module).
    pub source: PathBuf,
    /// The triggers it runs on (wire names, `scheduled`, `payment-attempt`); absent: its kind's.
    #[serde(default)]
    pub triggers: Vec<String>,
    /// The module's name inside a 0.2 component, or its Rhai function; absent: the id for a
    /// component, `evaluate` for a script (a 0.1 module's entry point is its kind's).
    #[serde(default)]
    pub entry: Option<String>,
    /// What its failure means.
    #[serde(default)]
    pub on_error: OnError,
    /// The policy rule ids the module may emit (`rules = ["billing.closed-won"]`), when it
    /// declares them: an action or suppression under any other id is then `bad-output`, and
    /// `crm-rules test --coverage` lists the declared ids no fixture reaches.
    #[serde(default)]
    pub rules: Option<Vec<String>>,
}

/// A parsed `pack.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The `[pack]` table.
    pub pack: PackInfo,
    /// The modules, evaluated in this order.
    pub modules: Vec<ModuleSpec>,
    /// Parameter defaults, as written (validated when the pack loads).
    #[serde(default)]
    pub params: toml::Table,
    /// Per-evaluation limit overrides.
    #[serde(default)]
    pub limits: LimitOverrides,
    /// The pack's vocabulary, as written (read by [`crate::manifest_vocabulary`]).
    #[serde(default)]
    pub vocabulary: Option<toml::Table>,
}

impl ModuleSpec {
    /// The triggers the module runs on: its own list, or its 0.1 kind's.
    pub fn runs_on(&self, trigger: &str) -> bool {
        if self.triggers.is_empty() {
            return match self.kind {
                Some(RuleKind::Billing) => trigger == "deal-event",
                Some(RuleKind::Reminders | RuleKind::Escalation) => trigger == "scheduled",
                None => false,
            };
        }
        self.triggers.iter().any(|own| own == trigger)
    }
}

impl Manifest {
    /// Parses manifest text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, LoadError> {
        let manifest: Manifest = toml::from_str(text).map_err(|error| LoadError::Manifest {
            path: path.to_path_buf(),
            message: toml_error_message(text, &error),
        })?;
        let invalid = |message: String| LoadError::Manifest {
            path: path.to_path_buf(),
            message,
        };
        if manifest.modules.is_empty() {
            return Err(invalid("the pack declares no [[modules]]".to_owned()));
        }
        let mut seen = std::collections::HashSet::new();
        for module in &manifest.modules {
            if module.id.is_empty() {
                return Err(invalid("a module has an empty `id`".to_owned()));
            }
            if !seen.insert(module.id.as_str()) {
                return Err(invalid(format!("duplicate module id `{}`", module.id)));
            }
            if module.kind.is_none() && module.triggers.is_empty() {
                return Err(invalid(format!(
                    "module `{}` gives neither `triggers` nor a 0.1 `kind`: say what it runs on, \
                     e.g. triggers = [\"scheduled\"]",
                    module.id
                )));
            }
            if let Some(rules) = &module.rules {
                check_rule_ids(&module.id, rules).map_err(invalid)?;
            }
            for trigger in &module.triggers {
                if !crm_rules_contract::wire::TRIGGER_KINDS.contains(&trigger.as_str()) {
                    let hint = crate::suggest::closest(
                        crm_rules_contract::wire::TRIGGER_KINDS.iter().copied(),
                        trigger,
                    )
                    .map(|near: &str| format!(" (did you mean `{near}`?)"))
                    .unwrap_or_default();
                    return Err(invalid(format!(
                        "module `{}`: unknown trigger `{trigger}`{hint}; triggers are {}",
                        module.id,
                        crm_rules_contract::wire::TRIGGER_KINDS.join(", ")
                    )));
                }
            }
        }
        if manifest.vocabulary.is_some() && manifest.pack.contract == ContractVersion::V0_1 {
            return Err(invalid(
                "[vocabulary] is contract 0.2: add `contract = \"0.2\"` to [pack]".to_owned(),
            ));
        }
        Ok(manifest)
    }
}

/// A module's declared rule ids: at least one, none empty, none twice.
fn check_rule_ids(module: &str, rules: &[String]) -> Result<(), String> {
    if rules.is_empty() {
        return Err(format!(
            "module `{module}` declares `rules = []`: list the rule ids it emits, or leave \
             `rules` out"
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for rule in rules {
        if rule.trim().is_empty() {
            return Err(format!("module `{module}`: `rules` holds an empty rule id"));
        }
        if !seen.insert(rule.as_str()) {
            return Err(format!(
                "module `{module}`: rule id `{rule}` is declared twice"
            ));
        }
    }
    Ok(())
}

/// A TOML error for a terminal: one line saying where and what (`line 3, column 1: unknown field
/// `modle`, expected ...`), then, on the lines below, the offending line of `text` with the problem
/// underlined:
///
/// ```text
///   |
/// 3 | modle = "billing"
///   | ^^^^^
/// ```
pub(crate) fn toml_error_message(text: &str, error: &toml::de::Error) -> String {
    let what: Vec<&str> = error
        .message()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    let what = what.join("; ");
    let Some(span) = error.span() else {
        return what;
    };
    let start = span.start.min(text.len());
    let before = text.get(..start).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line_number = before.matches('\n').count() + 1;
    let line = text
        .get(line_start..)
        .and_then(|rest| rest.split('\n').next())
        .unwrap_or_default()
        .trim_end_matches('\r');
    let column = text
        .get(line_start..start)
        .map_or(0, |head| head.chars().count());
    let underline = text
        .get(start..span.end.min(text.len()))
        .map_or(1, |marked| marked.chars().count())
        .clamp(1, line.chars().count().saturating_sub(column).max(1));
    let gutter = " ".repeat(line_number.to_string().len());
    format!(
        "line {line_number}, column {}: {what}\n{gutter} |\n{line_number} | {line}\n{gutter} | {}{}",
        column + 1,
        " ".repeat(column),
        "^".repeat(underline)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_errors_keep_their_snippet_on_lines_of_its_own() {
        let text =
            "[pack]\nname = \"t\"\nversion = \"1\"\n\n[[modules]]\nid = \"r\"\nmodle = \"x\"\n";
        let error = Manifest::parse(text, Path::new("p/pack.toml")).unwrap_err();
        let shown = error.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 4, "{shown}");
        assert!(
            lines[0].starts_with(
                "invalid manifest `p/pack.toml`: line 7, column 1: unknown field `modle`"
            ),
            "{shown}"
        );
        assert_eq!(
            &lines[1..],
            ["  |", "7 | modle = \"x\"", "  | ^^^^^"],
            "{shown}"
        );
    }

    #[test]
    fn a_syntax_error_is_located_and_underlined() {
        let error = toml::from_str::<toml::Table>("a = 1\nb = \"open\n").unwrap_err();
        let shown = toml_error_message("a = 1\nb = \"open\n", &error);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(
            lines,
            [
                "line 2, column 10: invalid basic string, expected `\"`",
                "  |",
                "2 | b = \"open",
                "  |          ^"
            ],
            "{shown}"
        );
    }
}
