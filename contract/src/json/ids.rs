//! Ids in JSON: every id and every reference to one.
//!
//! Ids become parts of idempotency keys (`rem:{invoice_id}:post-1`), where an empty or invisible part
//! makes keys that collide or cannot be told apart, so an id is a non-empty string without control
//! characters and without leading or trailing whitespace.

use serde_json::Value;

use super::error::InputError;
use super::reader::{Path, mismatch};

/// An id, or a reference to one (`invoice_id`, `deal_id`, a contact id): a non-empty string
/// without control characters and without leading or trailing whitespace.
pub(crate) fn id(value: &Value, path: &Path) -> Result<String, InputError> {
    let Value::String(text) = value else {
        return Err(mismatch(path, "an id (a non-empty string)", value));
    };
    if text.is_empty() {
        return Err(path.error("an id must not be empty"));
    }
    if let Some((position, bad)) = text.char_indices().find(|(_, c)| c.is_control()) {
        return Err(path.error(format!(
            "id {text:?} contains the control character U+{:04X} at byte {position}; ids are \
             printable text",
            u32::from(bad)
        )));
    }
    if text.trim() != text {
        return Err(path.error(format!(
            "id {text:?} has leading or trailing whitespace; remove it"
        )));
    }
    Ok(text.clone())
}

/// A list of ids (see [`id`]).
pub(crate) fn ids(value: &Value, path: &Path) -> Result<Vec<String>, InputError> {
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| id(item, &path.index(index)))
            .collect(),
        other => Err(mismatch(path, "a list of ids", other)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_are_non_empty_printable_and_trimmed() {
        let root = Path::Root;
        let at = root.field("id");
        assert_eq!(id(&json!("inv_1"), &at).unwrap(), "inv_1");
        assert_eq!(id(&json!("Rechnung 7/ü"), &at).unwrap(), "Rechnung 7/ü");
        let error = id(&json!(""), &at).unwrap_err();
        assert_eq!(error.to_string(), "id: an id must not be empty");
        let error = id(&json!("inv\u{0}1"), &at).unwrap_err();
        assert_eq!(
            error.to_string(),
            "id: id \"inv\\01\" contains the control character U+0000 at byte 3; ids are printable text"
        );
        let error = id(&json!(" inv_1"), &at).unwrap_err();
        assert!(
            error.message().contains("leading or trailing whitespace"),
            "{error}"
        );
        assert!(id(&json!("\t"), &at).is_err());
    }
}
