//! Running a rule module natively in a unit test: a context from the JSON a fixture or the CLI would
//! take, checked by the same codec the host uses, so a test exercises exactly what production would.
//!
//! ```
//! use crm_rules_guest::testing::context;
//!
//! let ctx = context(r#"{
//!     "now": "2026-03-18T14:00:00Z",
//!     "account": {"id": "acc_1", "name": "Acme", "tier": "smb",
//!                 "timezone": "Europe/Berlin", "currency": "EUR"},
//!     "invoices": [], "payment_attempts": [], "activities": [], "promises": []
//! }"#).unwrap();
//! assert_eq!(ctx.today.to_string(), "2026-03-18");
//! ```

use crm_rules_contract::json::{self, InputError};
use crm_rules_contract::types::Context;
use crm_rules_contract::vocabulary::Vocabulary;

/// A context from JSON text, read against contract 0.1's implied vocabulary (no custom fields,
/// states or kinds; the four standard reminder steps).
///
/// # Errors
/// What the host would refuse, with the field path.
pub fn context(text: &str) -> Result<Context, InputError> {
    json::context_from_json(text)
}

/// A context from JSON text, read against a pack's vocabulary.
///
/// # Errors
/// What the host would refuse, with the field path.
pub fn context_in(text: &str, vocabulary: &Vocabulary) -> Result<Context, InputError> {
    json::parse_context_in(&json::parse_json(text)?, vocabulary).map(|parsed| parsed.context)
}
