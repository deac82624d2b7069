//! The summary's per-kind counts and per-currency amounts, read once for the charts and tables.

use serde_json::Value;

use super::{count, decimal, plain};

/// One action kind's counts on both sides.
pub(super) struct KindRow {
    /// The action kind (`create-task`).
    pub kind: String,
    /// Actions of the kind the champion asks for.
    pub champion: u64,
    /// Actions of the kind the challenger asks for.
    pub challenger: u64,
    /// Only the challenger's.
    pub added: u64,
    /// Only the champion's.
    pub removed: u64,
    /// Both, with different fields.
    pub changed: u64,
}

impl KindRow {
    /// The kinds of the summary: those the challenger changes first, then the others, each group
    /// in the summary's (alphabetical) order.
    pub(super) fn all(summary: &Value) -> Vec<KindRow> {
        let mut rows: Vec<KindRow> = summary["kinds"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(kind, counts)| {
                let number = |name: &str| count(counts, &[name]);
                KindRow {
                    kind: kind.clone(),
                    champion: number("champion"),
                    challenger: number("challenger"),
                    added: number("added"),
                    removed: number("removed"),
                    changed: number("changed"),
                }
            })
            .collect();
        rows.sort_by_key(|row| !row.touched());
        rows
    }

    /// Whether the challenger adds, removes or changes any action of the kind.
    pub(super) fn touched(&self) -> bool {
        self.added + self.removed + self.changed > 0
    }
}

/// One currency's totals, as exact decimal text.
pub(super) struct MoneyRow {
    /// The currency code.
    pub currency: String,
    /// `champion`, `challenger`, `added`, `removed`, `changed_from`, `changed_to`, in that order.
    pub amounts: [String; 6],
    /// Challenger minus champion, computed exactly (`None` when the amounts cannot be read).
    pub net: Option<String>,
}

/// The names of [`MoneyRow::amounts`] in the summary.
pub(super) const MONEY_FIELDS: [&str; 6] = [
    "champion",
    "challenger",
    "added",
    "removed",
    "changed_from",
    "changed_to",
];

impl MoneyRow {
    /// The currencies of the summary, in its order.
    pub(super) fn all(summary: &Value) -> Vec<MoneyRow> {
        let money = summary["money"].as_object().into_iter().flatten();
        money
            .map(|(currency, totals)| {
                let amounts = MONEY_FIELDS.map(|name| match &totals[name] {
                    Value::Null => "0".to_owned(),
                    other => plain(other),
                });
                let net = decimal::difference(&amounts[1], &amounts[0]);
                MoneyRow {
                    currency: currency.clone(),
                    amounts,
                    net,
                }
            })
            .collect()
    }
}
