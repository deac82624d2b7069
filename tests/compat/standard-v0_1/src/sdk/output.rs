//! Building a rule's output: actions with idempotency keys, and suppressions with reasons.

use crate::sdk::types::{Action, ActionDetail, RuleOutput, Suppression, SuppressionReason};

impl RuleOutput {
    /// An output with no actions and no suppressions.
    pub fn empty() -> RuleOutput {
        RuleOutput {
            actions: Vec::new(),
            suppressed: Vec::new(),
        }
    }

    /// Appends an action.
    pub fn act(&mut self, rule_id: &str, key: String, reason: String, detail: ActionDetail) {
        self.actions.push(Action {
            detail,
            key,
            not_before: None,
            requires_approval: false,
            rule_id: rule_id.to_owned(),
            reason,
        });
    }

    /// Appends a suppression: what `rule_id` would have done for `subject_id`, and why not.
    pub fn suppress(&mut self, rule_id: &str, subject_id: &str, reason: SuppressionReason) {
        self.suppressed.push(Suppression {
            rule_id: rule_id.to_owned(),
            subject_id: subject_id.to_owned(),
            reason,
        });
    }
}
