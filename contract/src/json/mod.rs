//! The JSON layer: evaluation contexts in, actions and suppressions out (and back, for fixtures).
//!
//! JSON names are the WIT names in snake_case, enum values the WIT names in kebab-case (reminder
//! steps are `pre-7`, `pre-3`, `due`, `post-1`). Instants are RFC 3339 strings with an offset,
//! local dates `YYYY-MM-DD`, money decimal amounts in major units (strings, or integers; never
//! floats) converted exactly to the contract's minor units. Unknown fields, duplicate keys and
//! `null` are errors, so typos and ambiguous input are caught; every error names the path of the
//! offending value (`invoices[3].due_date`). A scheduled context (no `deal_event`) lists its
//! `invoices`, `payment_attempts`, `activities` and `promises`, `[]` when there are none.
//!
//! ```
//! use crm_rules_contract::json::context_from_json;
//!
//! let context = context_from_json(r#"{
//!     "now": "2026-03-18T02:30:00Z",
//!     "account": {"id": "acc_1", "name": "Acme", "tier": "smb",
//!                 "timezone": "America/New_York", "currency": "USD"},
//!     "invoices": [{"id": "inv_1", "status": "open", "currency": "USD", "total": "1200.00",
//!                   "paid": "200", "issue_date": "2026-02-15", "due_date": "2026-03-17"}],
//!     "payment_attempts": [], "activities": [], "promises": []
//! }"#).unwrap();
//! assert_eq!(context.today.to_string(), "2026-03-17");
//! assert_eq!(context.invoices[0].amount_due_minor, 100_000);
//! ```

mod account;
mod action;
mod action_kinds;
mod amount;
mod context;
mod encoding;
mod enums;
mod error;
mod extensions;
mod ids;
mod out;
mod params;
mod reader;
mod records;
mod references;
mod strict;
mod time;
mod typed_params;
mod value;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod validity_tests;

pub use action::{
    action_from_json, action_from_json_in, action_to_json, kind_name, suppression_from_json,
    suppression_to_json,
};
pub use context::{ParsedContext, parse_context, parse_context_in};
pub use encoding::{text_from_bytes, text_from_bytes_at};
pub use error::InputError;
pub use params::{param_value_from_json, param_value_to_json, params_from_json};
pub use references::check_references;
pub use time::{timestamp_from_json, timestamp_to_rfc3339};
pub use typed_params::param_value_as;
pub use value::{decimal_from_exact, decimal_to_exact, fields_to_json, value_to_json};

use crate::types::Context;
use serde_json::Value;

/// Parses JSON text into a value; a syntax error names the line and column
/// (`line 4 column 7: expected value`), and so does a key that appears twice in one object, which is
/// an error at its path (`invoices[0].total: duplicate key "total" at line 9 column 20; ...`). Every
/// entry point that reads JSON text (contexts, batch lines, fixture files) parses it here.
pub fn parse_json(text: &str) -> Result<Value, InputError> {
    if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
        return Err(InputError::new(
            "",
            "the input is empty, expected a JSON object",
        ));
    }
    strict::parse_strict(text)
}

/// Parses and converts a JSON evaluation context given as text, keeping its optional `id`.
pub fn parse_context_str(text: &str) -> Result<ParsedContext, InputError> {
    parse_context(&parse_json(text)?)
}

/// Parses and converts a JSON evaluation context given as raw bytes (a file or a request body),
/// through [`text_from_bytes`]: a UTF-8 byte-order mark is skipped, UTF-16 is refused with a hint,
/// and bytes that are not UTF-8 are an error naming the line and column of the first bad byte, like
/// a syntax error, instead of an I/O error without a location.
pub fn parse_context_bytes(bytes: &[u8]) -> Result<ParsedContext, InputError> {
    parse_context_str(text_from_bytes(bytes)?)
}

/// [`parse_context_str`], refusing text longer than `max_bytes` before parsing it (see
/// `Limits::max_input_bytes` in the host).
pub fn parse_context_limited(text: &str, max_bytes: usize) -> Result<ParsedContext, InputError> {
    parse_context_limited_in(
        text,
        max_bytes,
        &crate::vocabulary::Vocabulary::contract_0_1(),
    )
}

/// [`parse_context_limited`] against a pack's vocabulary (see [`parse_context_in`]).
pub fn parse_context_limited_in(
    text: &str,
    max_bytes: usize,
    vocabulary: &crate::vocabulary::Vocabulary,
) -> Result<ParsedContext, InputError> {
    if text.len() > max_bytes {
        return Err(InputError::new(
            "",
            format!(
                "the context is {} bytes; the limit is {max_bytes} (Limits::max_input_bytes)",
                text.len()
            ),
        ));
    }
    parse_context_in(&parse_json(text)?, vocabulary)
}

/// Converts a JSON evaluation context (see [`parse_context`]), dropping its optional `id`.
pub fn context_from_value(value: &Value) -> Result<Context, InputError> {
    parse_context(value).map(|parsed| parsed.context)
}

/// Parses and converts a JSON evaluation context given as text.
pub fn context_from_json(text: &str) -> Result<Context, InputError> {
    context_from_value(&parse_json(text)?)
}
