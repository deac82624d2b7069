//! What the engines are compared on before timing: each action's kind and idempotency key, in the
//! order the engine gave them.

use std::fmt;

/// One action, by the two things every engine must agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSummary {
    /// The action kind's wire name: `create-task` or `escalate`.
    pub kind: String,
    /// The idempotency key, `esc:{account}:{currency}:{level}:{anchor}`.
    pub key: String,
}

impl ActionSummary {
    /// The escalation level the key names (15, 30 or 60 with the standard parameters), if it
    /// names one.
    pub fn level(&self) -> Option<i64> {
        self.key
            .split(':')
            .nth(3)
            .and_then(|level| level.parse().ok())
    }
}

impl fmt::Display for ActionSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.key)
    }
}

/// The summary of an action given as a JSON object with `kind` and `key` (the Zen graphs' output);
/// a missing field reads as an empty string, so the comparison fails loudly on it.
pub fn from_json(action: &serde_json::Value) -> ActionSummary {
    let field = |name: &str| action[name].as_str().unwrap_or_default().to_owned();
    ActionSummary {
        kind: field("kind"),
        key: field("key"),
    }
}
