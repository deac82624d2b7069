//! Two packs over one book: what a policy change would do before it ships.
//!
//! [`run_diff`] reads an NDJSON book as [`crate::batch`] does (streaming, in parallel, in input
//! order, every bad line reported with its number), has the champion and the challenger each read
//! and decide every line, and compares the two decisions ([`compare`]). It writes one line per
//! context whose decisions differ, or that one pack or both could not read, and returns a
//! [`DiffSummary`]: per action kind what was added, removed or changed; the money those actions
//! touch, per currency; the accounts whose decision changed, with the first changes as examples;
//! the errors on either side.

pub mod compare;
mod summary;

use std::io::{BufRead, Write};

use serde::Serialize;
use serde_json::Value;

use crate::batch::pipeline::{LineJob, run_lines};
use crate::pack::RulePack;
use compare::DecisionDiff;

pub use summary::{DiffSummary, KindCounts, MoneyTotals, SideCounts};

/// What differs on one context of the book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextDiff {
    /// The input line.
    pub line: u64,
    /// The context's `account.id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The context's top-level `id`, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_id: Option<String>,
    /// Why the champion could not read the line, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub champion_error: Option<String>,
    /// Why the challenger could not read the line, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenger_error: Option<String>,
    /// What differs between the decisions, when both decided.
    #[serde(flatten)]
    pub changes: DecisionDiff,
}

/// How to run a diff.
#[derive(Debug, Clone, Copy)]
pub struct DiffOptions {
    /// Worker threads (at least one is used).
    pub threads: usize,
    /// Changed contexts kept in the summary as examples.
    pub examples: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            threads: 1,
            examples: 20,
        }
    }
}

struct DiffJob<'a> {
    champion: &'a RulePack,
    challenger: &'a RulePack,
    examples: usize,
}

impl LineJob for DiffJob<'_> {
    type Tally = DiffSummary;

    fn new_tally(&self) -> DiffSummary {
        DiffSummary::keeping(self.examples)
    }

    fn max_line_bytes(&self) -> usize {
        let limit = |pack: &RulePack| pack.limits().max_input_bytes;
        limit(self.champion).max(limit(self.challenger))
    }

    fn line(
        &self,
        number: u64,
        line: Result<&str, String>,
        out: &mut Vec<u8>,
        tally: &mut DiffSummary,
    ) {
        tally.contexts += 1;
        let text = match line {
            Ok(text) => text,
            Err(message) => {
                let diff = unread(number, None, Some(message.clone()), Some(message));
                tally.unread(true, true, &diff);
                return write_line(out, &diff);
            }
        };
        let decide = |pack: &RulePack| {
            pack.parse_context(text).map(|parsed| {
                let decision = pack.evaluate_with_id(&parsed.context, parsed.id.as_deref());
                (parsed, decision.to_json())
            })
        };
        match (decide(self.champion), decide(self.challenger)) {
            (Ok((parsed, champion)), Ok((_, challenger))) => {
                let account = parsed.context.account.id.clone();
                let diff = ContextDiff {
                    line: number,
                    account_id: Some(account),
                    context_id: champion
                        .get("context_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    champion_error: None,
                    challenger_error: None,
                    changes: compare::compare(&champion, &challenger),
                };
                tally.decided(&champion, &challenger, &diff, &invoices_of(&parsed.context));
                if !diff.changes.is_empty() {
                    write_line(out, &diff);
                }
            }
            (champion, challenger) => {
                let account = match (&champion, &challenger) {
                    (Ok((parsed, _)), _) | (_, Ok((parsed, _))) => {
                        Some(parsed.context.account.id.clone())
                    }
                    _ => None,
                };
                let champion = champion.err().map(|error| error.to_string());
                let challenger = challenger.err().map(|error| error.to_string());
                let (champion_failed, challenger_failed) =
                    (champion.is_some(), challenger.is_some());
                let diff = unread(number, account, champion, challenger);
                tally.unread(champion_failed, challenger_failed, &diff);
                write_line(out, &diff);
            }
        }
    }
}

/// The context's invoices by id, with their currency and amount due.
fn invoices_of(ctx: &crm_rules_contract::types::Context) -> summary::Invoices {
    ctx.invoices
        .iter()
        .filter_map(|invoice| {
            let code = crm_rules_contract::money::Currency::from_code(&invoice.currency).ok()?;
            let due =
                rust_decimal::Decimal::from_str_exact(&code.format_minor(invoice.amount_due_minor))
                    .ok()?;
            Some((invoice.id.clone(), (invoice.currency.clone(), due)))
        })
        .collect()
}

fn unread(
    line: u64,
    account_id: Option<String>,
    champion_error: Option<String>,
    challenger_error: Option<String>,
) -> ContextDiff {
    ContextDiff {
        line,
        account_id,
        context_id: None,
        champion_error,
        challenger_error,
        changes: DecisionDiff::default(),
    }
}

fn write_line(out: &mut Vec<u8>, diff: &ContextDiff) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, diff);
    out.push(b'\n');
}

/// Has `champion` and `challenger` decide every line of `input` and writes to `output` one JSON
/// line per context that differs ([`ContextDiff`]), in input order; returns the totals.
///
/// # Errors
/// Only I/O errors reading `input` or writing `output`.
pub fn run_diff(
    champion: &RulePack,
    challenger: &RulePack,
    input: impl BufRead + Send,
    output: &mut dyn Write,
    options: &DiffOptions,
) -> std::io::Result<DiffSummary> {
    let job = DiffJob {
        champion,
        challenger,
        examples: options.examples,
    };
    let mut summary = DiffSummary::keeping(options.examples);
    run_lines(&job, input, output, options.threads, &mut |chunk| {
        summary.absorb(chunk);
    })?;
    Ok(summary)
}
