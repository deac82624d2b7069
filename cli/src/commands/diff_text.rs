//! The terminal summary of `crm-rules diff`: the totals, a table per action kind, the money per
//! currency, and the first changed contexts.

use std::io;

use crm_rules_host::PackIdentity;
use crm_rules_host::diff::{ContextDiff, DiffSummary};
use serde_json::Value;

fn short(hash: &str) -> &str {
    hash.get(..15).unwrap_or(hash)
}

/// Prints `summary` for a reader at a terminal.
pub fn print(
    out: &mut impl io::Write,
    champion: &PackIdentity,
    challenger: &PackIdentity,
    summary: &DiffSummary,
) -> io::Result<()> {
    writeln!(
        out,
        "{} {} ({}) -> {} {} ({}) over {} contexts",
        champion.name,
        champion.version,
        short(&champion.hash),
        challenger.name,
        challenger.version,
        short(&challenger.hash),
        summary.contexts
    )?;
    let percent = if summary.compared > 0 {
        summary.changed as f64 * 100.0 / summary.compared as f64
    } else {
        0.0
    };
    writeln!(
        out,
        "  {} compared, {} changed ({percent:.1}%) on {} accounts; {} status changes, {} next evaluations moved",
        summary.compared,
        summary.changed,
        summary.accounts_changed,
        summary.status_changed,
        summary.next_evaluation_changed
    )?;
    let unread = &summary.input_errors;
    if unread.champion + unread.challenger + unread.both > 0 {
        writeln!(
            out,
            "  unreadable lines: {} by both, {} by the champion only, {} by the challenger only",
            unread.both, unread.champion, unread.challenger
        )?;
    }
    let errors = &summary.decisions_with_rule_errors;
    writeln!(
        out,
        "  decisions with rule errors: {} champion only, {} challenger only, {} both",
        errors.champion, errors.challenger, errors.both
    )?;
    writeln!(
        out,
        "  suppressions: {} added, {} removed",
        summary.suppressions_added, summary.suppressions_removed
    )?;
    if !summary.kinds.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "  {:28} {:>9} {:>10} {:>7} {:>8} {:>8}",
            "action kind", "champion", "challenger", "added", "removed", "changed"
        )?;
        for (kind, counts) in &summary.kinds {
            writeln!(
                out,
                "  {kind:28} {:>9} {:>10} {:>7} {:>8} {:>8}",
                counts.champion, counts.challenger, counts.added, counts.removed, counts.changed
            )?;
        }
    }
    if !summary.money.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "  {:8} {:>14} {:>14} {:>12} {:>12}   changed from -> to",
            "currency", "champion", "challenger", "added", "removed"
        )?;
        for (currency, money) in &summary.money {
            writeln!(
                out,
                "  {currency:8} {:>14} {:>14} {:>12} {:>12}   {} -> {}",
                money.champion,
                money.challenger,
                money.added,
                money.removed,
                money.changed_from,
                money.changed_to
            )?;
        }
    }
    if !summary.examples.is_empty() {
        writeln!(out)?;
        writeln!(out, "  first {} changed contexts:", summary.examples.len())?;
        for example in &summary.examples {
            print_example(out, example)?;
        }
    }
    Ok(())
}

fn print_example(out: &mut impl io::Write, diff: &ContextDiff) -> io::Result<()> {
    let account = diff.account_id.as_deref().unwrap_or("(no account)");
    writeln!(out, "  line {}, account {account}:", diff.line)?;
    for (side, error) in [
        ("champion", &diff.champion_error),
        ("challenger", &diff.challenger_error),
    ] {
        if let Some(error) = error {
            writeln!(out, "    the {side} cannot read it: {error}")?;
        }
    }
    let changes = &diff.changes;
    for action in &changes.added {
        writeln!(out, "    + {}", describe(action))?;
    }
    for action in &changes.removed {
        writeln!(out, "    - {}", describe(action))?;
    }
    for changed in &changes.changed {
        let fields: Vec<String> = changed
            .fields
            .iter()
            .map(|field| format!("{} {} -> {}", field.field, field.champion, field.challenger))
            .collect();
        writeln!(
            out,
            "    ~ {} {}: {}",
            changed.kind,
            changed.key,
            fields.join(", ")
        )?;
    }
    for suppression in &changes.suppressions_added {
        writeln!(out, "    + suppressed {suppression}")?;
    }
    for suppression in &changes.suppressions_removed {
        writeln!(out, "    - suppressed {suppression}")?;
    }
    if let Some((before, after)) = &changes.status {
        writeln!(out, "    status {before} -> {after}")?;
    }
    if let Some((before, after)) = &changes.next_evaluation_at {
        writeln!(out, "    next evaluation {before} -> {after}")?;
    }
    if let Some((before, after)) = &changes.errors {
        writeln!(out, "    rule errors {before} -> {after}")?;
    }
    Ok(())
}

/// `kind key` and the money it carries.
fn describe(action: &Value) -> String {
    let text = |name: &str| action.get(name).and_then(Value::as_str).unwrap_or_default();
    let money = ["amount", "total"]
        .iter()
        .find(|name| !text(name).is_empty())
        .map(|name| format!(" ({} {})", text("currency"), text(name)))
        .unwrap_or_default();
    format!("{} {}{money}", text("kind"), text("key"))
}
