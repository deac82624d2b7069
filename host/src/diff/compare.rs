//! What differs between two decisions on one context: actions added, removed or changed (matched by
//! idempotency key, compared field by field), suppressions added or removed, a status, errors or
//! a next evaluation that moved.

use serde::Serialize;
use serde_json::{Map, Value};

/// A field of one action that the two packs set differently.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field (`channel`, `amount`).
    pub field: String,
    /// Its value in the champion's action (`null` when absent).
    pub champion: Value,
    /// Its value in the challenger's action (`null` when absent).
    pub challenger: Value,
}

/// An action both packs ask for, under one key, with different fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedAction {
    /// The idempotency key both share.
    pub key: String,
    /// The champion's kind (the challenger's is among the changes when it differs).
    pub kind: String,
    /// The fields that differ.
    pub fields: Vec<FieldChange>,
    /// The champion's action.
    #[serde(skip)]
    pub champion: Value,
    /// The challenger's action.
    #[serde(skip)]
    pub challenger: Value,
}

/// Everything that differs between the two decisions on one context.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DecisionDiff {
    /// Actions only the challenger asks for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<Value>,
    /// Actions only the champion asks for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Value>,
    /// Actions both ask for, differently.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<ChangedAction>,
    /// Suppressions only the challenger records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions_added: Vec<Value>,
    /// Suppressions only the champion records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions_removed: Vec<Value>,
    /// The two statuses, when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<(Value, Value)>,
    /// The two lists of rule errors, when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<(Value, Value)>,
    /// The two next evaluations, when they differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_evaluation_at: Option<(Value, Value)>,
}

impl DecisionDiff {
    /// Whether the decisions are the same in everything compared.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.suppressions_added.is_empty()
            && self.suppressions_removed.is_empty()
            && self.status.is_none()
            && self.errors.is_none()
            && self.next_evaluation_at.is_none()
    }
}

/// Compares two decisions as JSON (`Decision::to_json`): the champion's and the challenger's.
pub fn compare(champion: &Value, challenger: &Value) -> DecisionDiff {
    let list = |decision: &Value, name: &str| -> Vec<Value> {
        decision
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut diff = DecisionDiff::default();
    let (removed, added, pairs) = match_by(
        list(champion, "actions"),
        list(challenger, "actions"),
        &|action| field_text(action, "key"),
    );
    diff.removed = removed;
    diff.added = added;
    for (before, after) in pairs {
        let fields = field_changes(&before, &after);
        if !fields.is_empty() {
            diff.changed.push(ChangedAction {
                key: field_text(&before, "key"),
                kind: field_text(&before, "kind"),
                fields,
                champion: before,
                challenger: after,
            });
        }
    }
    let (removed, added, _) = match_by(
        list(champion, "suppressed"),
        list(challenger, "suppressed"),
        &|suppression| suppression.to_string(),
    );
    diff.suppressions_removed = removed;
    diff.suppressions_added = added;
    let pair = |name: &str| {
        let before = champion.get(name).cloned().unwrap_or(Value::Null);
        let after = challenger.get(name).cloned().unwrap_or(Value::Null);
        (before != after).then_some((before, after))
    };
    diff.status = pair("status");
    diff.errors = errors_pair(champion, challenger);
    diff.next_evaluation_at = pair("next_evaluation_at");
    diff
}

/// Rule errors compared by module, kind and message (not by what they cost).
fn errors_pair(champion: &Value, challenger: &Value) -> Option<(Value, Value)> {
    let essence = |decision: &Value| -> Vec<(String, String, String)> {
        let errors = decision.get("errors").and_then(Value::as_array);
        errors
            .into_iter()
            .flatten()
            .map(|error| {
                (
                    field_text(error, "module"),
                    field_text(error, "kind"),
                    field_text(error, "message"),
                )
            })
            .collect()
    };
    if essence(champion) == essence(challenger) {
        return None;
    }
    let errors = |decision: &Value| decision.get("errors").cloned().unwrap_or(Value::Null);
    Some((errors(champion), errors(challenger)))
}

/// Splits two lists into entries only in the first, entries only in the second, and pairs with
/// the same identity (matched in order, so a repeated identity pairs up one by one).
fn match_by(
    first: Vec<Value>,
    second: Vec<Value>,
    identity: &dyn Fn(&Value) -> String,
) -> (Vec<Value>, Vec<Value>, Vec<(Value, Value)>) {
    let mut unmatched: Vec<Option<Value>> = second.into_iter().map(Some).collect();
    let ids: Vec<String> = unmatched
        .iter()
        .map(|entry| entry.as_ref().map(identity).unwrap_or_default())
        .collect();
    let mut only_first = Vec::new();
    let mut pairs = Vec::new();
    for entry in first {
        let id = identity(&entry);
        let found =
            (0..unmatched.len()).find(|&index| unmatched[index].is_some() && ids[index] == id);
        match found.and_then(|index| unmatched[index].take()) {
            Some(other) => pairs.push((entry, other)),
            None => only_first.push(entry),
        }
    }
    let only_second = unmatched.into_iter().flatten().collect();
    (only_first, only_second, pairs)
}

/// The fields that differ between two actions, in the champion's field order, then the
/// challenger's new fields.
fn field_changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let before = fields_of(before);
    let after = fields_of(after);
    let mut changes = Vec::new();
    for (field, value) in &before {
        let other = after.get(field).cloned().unwrap_or(Value::Null);
        if value != &other {
            changes.push(FieldChange {
                field: field.clone(),
                champion: value.clone(),
                challenger: other,
            });
        }
    }
    for (field, value) in &after {
        if !before.contains_key(field) && !value.is_null() {
            changes.push(FieldChange {
                field: field.clone(),
                champion: Value::Null,
                challenger: value.clone(),
            });
        }
    }
    changes
}

fn fields_of(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// A string field of a JSON object, or `""`.
pub(crate) fn field_text(value: &Value, name: &str) -> String {
    value
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn decision(actions: Value, suppressed: Value) -> Value {
        json!({"status": "complete", "actions": actions, "suppressed": suppressed, "errors": []})
    }

    #[test]
    fn actions_pair_by_key_and_differences_are_named_by_field() {
        let champion = decision(
            json!([
                {"kind": "send-notice", "key": "n:1", "channel": "email", "total": "10.00"},
                {"kind": "create-task", "key": "t:1", "title": "Chase"},
            ]),
            json!([{"rule": "r", "subject_id": "inv_1", "reason": "dispute-open"}]),
        );
        let challenger = decision(
            json!([
                {"kind": "send-notice", "key": "n:1", "channel": "sms", "total": "10.00", "fee": "5.00"},
                {"kind": "apply-fee", "key": "f:1", "amount": "5.00", "currency": "EUR"},
            ]),
            json!([]),
        );
        let diff = compare(&champion, &challenger);
        assert_eq!(
            diff.removed,
            vec![json!({"kind": "create-task", "key": "t:1", "title": "Chase"})]
        );
        assert_eq!(diff.added.len(), 1);
        assert_eq!(diff.added[0]["key"], "f:1");
        assert_eq!(diff.changed.len(), 1);
        let fields: Vec<(&str, &Value, &Value)> = diff.changed[0]
            .fields
            .iter()
            .map(|change| (change.field.as_str(), &change.champion, &change.challenger))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("channel", &json!("email"), &json!("sms")),
                ("fee", &Value::Null, &json!("5.00")),
            ]
        );
        assert_eq!(diff.suppressions_removed.len(), 1);
        assert!(diff.suppressions_added.is_empty());
        assert!(diff.status.is_none() && diff.errors.is_none());
        assert!(!diff.is_empty());
    }

    #[test]
    fn equal_decisions_differ_in_nothing_whatever_they_cost() {
        let mut champion = decision(json!([{"kind": "no-action", "key": "k"}]), json!([]));
        let challenger = champion.clone();
        champion["cost"] = json!([{"module": "m", "fuel": 1}]);
        champion["pack"] = json!({"hash": "sha256:aa"});
        assert!(compare(&champion, &challenger).is_empty());
    }

    #[test]
    fn a_repeated_key_pairs_one_by_one_and_errors_compare_by_message() {
        let champion = decision(
            json!([{"key": "k", "n": 1}, {"key": "k", "n": 2}]),
            json!([]),
        );
        let challenger = decision(json!([{"key": "k", "n": 1}]), json!([]));
        let diff = compare(&champion, &challenger);
        assert_eq!(diff.removed, vec![json!({"key": "k", "n": 2})]);
        assert!(diff.changed.is_empty());
        let mut failing = challenger.clone();
        failing["errors"] = json!([{"module": "m", "kind": "trap", "message": "boom"}]);
        failing["status"] = json!("held-for-review");
        let diff = compare(&challenger, &failing);
        assert_eq!(
            diff.status,
            Some((json!("complete"), json!("held-for-review")))
        );
        assert!(diff.errors.is_some());
    }
}
