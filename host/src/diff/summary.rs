//! The totals of a diff over a book: per action kind, per currency, per side's errors, and the
//! first changed contexts as examples. Chunks are tallied apart and merged in input order, so the
//! examples are the book's first changes whatever the number of threads.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use super::ContextDiff;
use super::compare::field_text;

/// Counts of one action kind on both sides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KindCounts {
    /// Actions of the kind the champion asked for.
    pub champion: u64,
    /// Actions of the kind the challenger asked for.
    pub challenger: u64,
    /// Only the challenger's.
    pub added: u64,
    /// Only the champion's.
    pub removed: u64,
    /// Both, with different fields.
    pub changed: u64,
}

/// The money the actions touch, in one currency (exact decimals, written as text): see
/// [`DiffSummary::money`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MoneyTotals {
    // Each total is written as exact decimal text, like the amounts of the decisions.
    /// Carried by all of the champion's actions.
    #[serde(serialize_with = "decimal_text")]
    pub champion: Decimal,
    /// Carried by all of the challenger's actions.
    #[serde(serialize_with = "decimal_text")]
    pub challenger: Decimal,
    /// Carried by the actions only the challenger asks for.
    #[serde(serialize_with = "decimal_text")]
    pub added: Decimal,
    /// Carried by the actions only the champion asks for.
    #[serde(serialize_with = "decimal_text")]
    pub removed: Decimal,
    /// Carried by changed actions, as the champion had them.
    #[serde(serialize_with = "decimal_text")]
    pub changed_from: Decimal,
    /// Carried by changed actions, as the challenger has them.
    #[serde(serialize_with = "decimal_text")]
    pub changed_to: Decimal,
}

/// Which side failed to read a line, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SideCounts {
    /// The champion only.
    pub champion: u64,
    /// The challenger only.
    pub challenger: u64,
    /// Both.
    pub both: u64,
}

/// What a diff over a book found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DiffSummary {
    /// Input lines read.
    pub contexts: u64,
    /// Lines both packs decided.
    pub compared: u64,
    /// Of those, the ones whose decisions differ.
    pub changed: u64,
    /// Lines a pack could not read as a context (bad JSON, or a field one pack does not declare).
    pub input_errors: SideCounts,
    /// Decisions holding rule errors, per side.
    pub decisions_with_rule_errors: SideCounts,
    /// Decisions whose status differs.
    pub status_changed: u64,
    /// Decisions whose next evaluation moved.
    pub next_evaluation_changed: u64,
    /// Suppressions only the challenger records.
    pub suppressions_added: u64,
    /// Suppressions only the champion records.
    pub suppressions_removed: u64,
    /// Per action kind.
    pub kinds: BTreeMap<String, KindCounts>,
    /// Per currency: the money the actions touch: what an action carries (`amount` of an invoice
    /// to create, a fee or a payment request, `total` of a notice), else the amount due of the
    /// invoices it is about, each invoice counted once per column and decision.
    pub money: BTreeMap<String, MoneyTotals>,
    /// Distinct accounts with a changed decision.
    pub accounts_changed: u64,
    /// The first changed contexts, in input order.
    pub examples: Vec<ContextDiff>,
    /// The accounts counted in `accounts_changed`.
    #[serde(skip)]
    accounts: HashSet<String>,
    /// How many examples to keep.
    #[serde(skip)]
    pub(crate) max_examples: usize,
}

impl DiffSummary {
    /// An empty summary that keeps up to `max_examples` examples.
    pub(crate) fn keeping(max_examples: usize) -> DiffSummary {
        DiffSummary {
            max_examples,
            ..DiffSummary::default()
        }
    }

    /// Counts one decided line: both decisions, and their diff; `invoices` are the context's
    /// invoices, for the money that actions about them touch.
    pub(crate) fn decided(
        &mut self,
        champion: &Value,
        challenger: &Value,
        diff: &ContextDiff,
        invoices: &Invoices,
    ) {
        self.compared += 1;
        let actions = |decision: &Value| -> Vec<Value> {
            let list = decision.get("actions").and_then(Value::as_array);
            list.cloned().unwrap_or_default()
        };
        let (before, after) = (actions(champion), actions(challenger));
        for action in &before {
            self.kind(action).champion += 1;
        }
        for action in &after {
            self.kind(action).challenger += 1;
        }
        self.add_money(touched(&before, invoices), |totals| &mut totals.champion);
        self.add_money(touched(&after, invoices), |totals| &mut totals.challenger);
        let has_errors = |decision: &Value| {
            decision
                .get("errors")
                .and_then(Value::as_array)
                .is_some_and(|errors| !errors.is_empty())
        };
        count_sides(
            &mut self.decisions_with_rule_errors,
            has_errors(champion),
            has_errors(challenger),
        );
        let changes = &diff.changes;
        if changes.is_empty() {
            return;
        }
        self.changed += 1;
        for action in &changes.added {
            self.kind(action).added += 1;
        }
        for action in &changes.removed {
            self.kind(action).removed += 1;
        }
        for action in &changes.changed {
            self.kind(&action.champion).changed += 1;
        }
        self.add_money(touched(&changes.added, invoices), |totals| {
            &mut totals.added
        });
        self.add_money(touched(&changes.removed, invoices), |totals| {
            &mut totals.removed
        });
        let from: Vec<Value> = changes.changed.iter().map(|c| c.champion.clone()).collect();
        let to: Vec<Value> = changes
            .changed
            .iter()
            .map(|c| c.challenger.clone())
            .collect();
        self.add_money(touched(&from, invoices), |totals| &mut totals.changed_from);
        self.add_money(touched(&to, invoices), |totals| &mut totals.changed_to);
        self.suppressions_added += changes.suppressions_added.len() as u64;
        self.suppressions_removed += changes.suppressions_removed.len() as u64;
        self.status_changed += u64::from(changes.status.is_some());
        self.next_evaluation_changed += u64::from(changes.next_evaluation_at.is_some());
        if let Some(account) = &diff.account_id {
            self.accounts.insert(account.clone());
            self.accounts_changed = self.accounts.len() as u64;
        }
        self.example(diff);
    }

    /// Counts a line one side or both could not read; with an example when only one could.
    pub(crate) fn unread(&mut self, champion: bool, challenger: bool, diff: &ContextDiff) {
        count_sides(&mut self.input_errors, champion, challenger);
        if champion != challenger {
            self.example(diff);
        }
    }

    fn example(&mut self, diff: &ContextDiff) {
        if self.examples.len() < self.max_examples {
            self.examples.push(diff.clone());
        }
    }

    fn kind(&mut self, action: &Value) -> &mut KindCounts {
        self.kinds.entry(field_text(action, "kind")).or_default()
    }

    fn add_money(
        &mut self,
        amounts: BTreeMap<String, Decimal>,
        column: fn(&mut MoneyTotals) -> &mut Decimal,
    ) {
        for (currency, amount) in amounts {
            *column(self.money.entry(currency).or_default()) += amount;
        }
    }

    /// Adds the tally of the chunk after this one.
    pub(crate) fn absorb(&mut self, next: DiffSummary) {
        self.contexts += next.contexts;
        self.compared += next.compared;
        self.changed += next.changed;
        add_sides(&mut self.input_errors, &next.input_errors);
        add_sides(
            &mut self.decisions_with_rule_errors,
            &next.decisions_with_rule_errors,
        );
        self.status_changed += next.status_changed;
        self.next_evaluation_changed += next.next_evaluation_changed;
        self.suppressions_added += next.suppressions_added;
        self.suppressions_removed += next.suppressions_removed;
        for (kind, counts) in next.kinds {
            let mine = self.kinds.entry(kind).or_default();
            mine.champion += counts.champion;
            mine.challenger += counts.challenger;
            mine.added += counts.added;
            mine.removed += counts.removed;
            mine.changed += counts.changed;
        }
        for (currency, totals) in next.money {
            let mine = self.money.entry(currency).or_default();
            mine.champion += totals.champion;
            mine.challenger += totals.challenger;
            mine.added += totals.added;
            mine.removed += totals.removed;
            mine.changed_from += totals.changed_from;
            mine.changed_to += totals.changed_to;
        }
        self.accounts.extend(next.accounts);
        self.accounts_changed = self.accounts.len() as u64;
        let room = self.max_examples.saturating_sub(self.examples.len());
        self.examples.extend(next.examples.into_iter().take(room));
    }
}

fn decimal_text<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

fn count_sides(counts: &mut SideCounts, champion: bool, challenger: bool) {
    match (champion, challenger) {
        (true, true) => counts.both += 1,
        (true, false) => counts.champion += 1,
        (false, true) => counts.challenger += 1,
        (false, false) => {}
    }
}

fn add_sides(counts: &mut SideCounts, more: &SideCounts) {
    counts.champion += more.champion;
    counts.challenger += more.challenger;
    counts.both += more.both;
}

/// A context's invoices by id: currency and amount due.
pub(crate) type Invoices = HashMap<String, (String, Decimal)>;

/// The money `actions` touch, per currency: what an action carries itself (`amount` of an invoice
/// to create, a fee or a payment request; `total` of a notice), else the amount due of the
/// invoices it is about (`invoice_id`, `invoice_ids`), each invoice counted once.
fn touched(actions: &[Value], invoices: &Invoices) -> BTreeMap<String, Decimal> {
    let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut counted: HashSet<&str> = HashSet::new();
    for action in actions {
        if let Some((currency, amount)) = carried(action) {
            *totals.entry(currency).or_default() += amount;
            continue;
        }
        let one = action.get("invoice_id").and_then(Value::as_str);
        let many = action.get("invoice_ids").and_then(Value::as_array);
        let ids = one
            .into_iter()
            .chain(many.into_iter().flatten().filter_map(Value::as_str));
        for id in ids {
            if let Some((currency, due)) = invoices.get(id)
                && counted.insert(id)
            {
                *totals.entry(currency.clone()).or_default() += *due;
            }
        }
    }
    totals
}

/// The money an action carries itself: its currency, and its `amount` or `total`.
fn carried(action: &Value) -> Option<(String, Decimal)> {
    let currency = action.get("currency")?.as_str()?;
    let amount = ["amount", "total"]
        .iter()
        .find_map(|name| action.get(*name).and_then(Value::as_str))?;
    let amount = Decimal::from_str(amount).ok()?;
    Some((currency.to_owned(), amount))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn money_is_what_an_action_carries_or_the_amount_due_of_its_invoices_once() {
        let invoices: Invoices = [
            (
                "inv_1".to_owned(),
                ("EUR".to_owned(), Decimal::new(10000, 2)),
            ),
            (
                "inv_2".to_owned(),
                ("USD".to_owned(), Decimal::new(5000, 2)),
            ),
        ]
        .into_iter()
        .collect();
        let actions = vec![
            json!({"kind": "apply-fee", "amount": "5.00", "currency": "EUR", "invoice_id": "inv_1"}),
            json!({"kind": "send-notice", "total": "105.00", "currency": "EUR", "invoice_ids": ["inv_1"]}),
            json!({"kind": "escalate", "invoice_id": "inv_1", "currency": "EUR"}),
            json!({"kind": "create-task", "invoice_id": "inv_1"}),
            json!({"kind": "send-reminder", "invoice_id": "inv_2"}),
            json!({"kind": "create-task", "invoice_id": "inv_unknown"}),
        ];
        let totals = touched(&actions, &invoices);
        // The fee and the notice carry 110.00; inv_1's 100.00 counts once for the escalation and
        // the task; inv_2's 50.00 for the reminder.
        assert_eq!(totals.get("EUR"), Some(&Decimal::new(21000, 2)));
        assert_eq!(totals.get("USD"), Some(&Decimal::new(5000, 2)));
    }
}
