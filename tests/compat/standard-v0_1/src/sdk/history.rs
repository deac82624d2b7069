//! The history of an account, indexed once per evaluation so that a rule can ask about every invoice
//! without scanning every activity for each one.
//!
//! A rule that loops over the invoices and, for each, checks an idempotency key, the reminders
//! already sent or the promises to pay would otherwise do work proportional to invoices x history:
//! an account with thousands of invoices would run out of fuel. [`History::new`] reads the
//! activities, the invoices' source keys, the credit hold and the promises once (O(n log n)); each
//! question afterwards is a binary search (O(log n)).
//!
//! Entries are ordered by a 64-bit FNV-1a fingerprint of their text, then by the text itself, so a
//! comparison is almost always one integer comparison instead of a string comparison over a shared
//! prefix (`rem:inv_...`). Texts whose fingerprints collide are still told apart by the text: a
//! crafted history costs string comparisons, never more than O(n log n) of them.

use crate::sdk::types::{ActionKind, ActivityOutcome, Context, PromiseStatus, ReminderStep};

/// A reminder already sent for an invoice: a `send-reminder` activity that names the invoice and
/// the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentReminder {
    /// The step sent.
    pub step: ReminderStep,
    /// How the send went.
    pub outcome: ActivityOutcome,
}

/// Entries looked up by a text (a key or an invoice id): sorted by fingerprint, then text.
struct TextIndex<'a, T> {
    entries: Vec<(u64, &'a str, T)>,
}

impl<'a, T> TextIndex<'a, T> {
    fn new(mut entries: Vec<(u64, &'a str, T)>) -> TextIndex<'a, T> {
        // Stable, so the entries of one text keep the order of the input.
        entries.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        TextIndex { entries }
    }

    /// Every entry for `text`, in input order.
    fn get(&self, text: &str) -> &[(u64, &'a str, T)] {
        let wanted = (fingerprint(text), text);
        let start = self.entries.partition_point(|e| (e.0, e.1) < wanted);
        let rest = &self.entries[start..];
        let len = rest.partition_point(|e| (e.0, e.1) == wanted);
        &rest[..len]
    }
}

/// 64-bit FNV-1a: a cheap, deterministic fingerprint (a guest has no randomness to seed a hash).
fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn entry<T>(text: &str, value: T) -> (u64, &str, T) {
    (fingerprint(text), text, value)
}

/// What an account has already done and been promised, indexed for look-ups by key and by invoice.
/// Build it once per evaluation with [`History::new`] and pass it to the code that loops over the
/// invoices.
pub struct History<'a> {
    /// Idempotency keys of everything already done.
    keys: TextIndex<'a, ()>,
    /// Reminders sent, by invoice id.
    reminders: TextIndex<'a, SentReminder>,
    /// Invoices an open promise to pay covers at the context's `today`.
    promised: TextIndex<'a, ()>,
}

impl<'a> History<'a> {
    /// Indexes the context's activities, its invoices' source keys, the account's credit hold and
    /// its promises to pay.
    pub fn new(ctx: &'a Context) -> History<'a> {
        let activities = ctx.activities.iter().map(|activity| activity.key.as_str());
        let sources = ctx.invoices.iter().filter_map(|i| i.source_key.as_deref());
        let hold = ctx.account.credit_hold.iter().map(|hold| hold.key.as_str());
        let keys = activities
            .chain(sources)
            .chain(hold)
            .map(|key| entry(key, ()))
            .collect();
        let reminders = ctx
            .activities
            .iter()
            .filter(|activity| activity.kind == ActionKind::SendReminder)
            .filter_map(|activity| {
                let invoice_id = activity.invoice_id.as_deref()?;
                let step = activity.step?;
                let outcome = activity.outcome;
                Some(entry(invoice_id, SentReminder { step, outcome }))
            })
            .collect();
        let promised = ctx
            .promises
            .iter()
            .filter(|promise| {
                promise.status == PromiseStatus::Open
                    && ctx.today.days_since(&promise.promised_date) <= i64::from(promise.grace_days)
            })
            .flat_map(|promise| promise.invoice_ids.iter())
            .map(|id| entry(id.as_str(), ()))
            .collect();
        History {
            keys: TextIndex::new(keys),
            reminders: TextIndex::new(reminders),
            promised: TextIndex::new(promised),
        }
    }

    /// Whether an action with this idempotency key was already done: an activity, an invoice created
    /// by it, or the account's current credit hold carries it.
    pub fn key_seen(&self, key: &str) -> bool {
        !self.keys.get(key).is_empty()
    }

    /// The reminders already sent for an invoice, over any channel, in the order of the activities.
    pub fn reminders_sent(&self, invoice_id: &str) -> impl Iterator<Item = SentReminder> + '_ {
        self.reminders
            .get(invoice_id)
            .iter()
            .map(|(_, _, sent)| *sent)
    }

    /// Whether an open promise to pay covers the invoice at the context's `today`: the promise lists
    /// it and `today` is at most `grace_days` after the promised date.
    pub fn promise_covers(&self, invoice_id: &str) -> bool {
        !self.promised.get(invoice_id).is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use super::{TextIndex, entry, fingerprint};

    #[test]
    fn every_entry_of_a_text_in_input_order_and_nothing_else() {
        let index = TextIndex::new(vec![
            entry("inv_2", 'a'),
            entry("inv_1", 'b'),
            entry("inv_2", 'c'),
            entry("inv_10", 'd'),
        ]);
        let values = |text| index.get(text).iter().map(|e| e.2).collect::<String>();
        assert_eq!(values("inv_2"), "ac");
        assert_eq!(values("inv_1"), "b");
        assert_eq!(values("inv_10"), "d");
        assert_eq!(values("inv_"), "");
        assert_eq!(values(""), "");
        assert!(TextIndex::<()>::new(Vec::new()).get("inv_1").is_empty());
    }

    #[test]
    fn fingerprints_are_fnv_1a() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fingerprint(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fingerprint("foobar"), 0x8594_4171_f739_67e8);
    }
}
