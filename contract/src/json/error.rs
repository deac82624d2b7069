//! The error every JSON conversion returns: where in the document, and what is wrong there.

use std::fmt;

/// Malformed or invalid JSON input, located by a field path.
///
/// The path uses dots for fields and brackets for list indices (`invoices[3].due_date`); it is
/// relative to the value handed to the conversion (a caller that embeds the value elsewhere
/// prefixes it with [`InputError::within`]). Displayed as `{path}: {message}`, or as the message
/// alone when the path is empty (malformed JSON text, whose message starts with the line and
/// column: `line 4 column 7: expected value`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    path: String,
    message: String,
}

impl InputError {
    /// An error at `path` (empty for the whole document) with a human message.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> InputError {
        InputError {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The syntax error of a JSON text, with its line and column in the message.
    pub fn syntax(error: &serde_json::Error) -> InputError {
        let full = error.to_string();
        let location = format!(" at line {} column {}", error.line(), error.column());
        let bare = full.strip_suffix(&location).unwrap_or(&full);
        InputError::new(
            "",
            format!("line {} column {}: {bare}", error.line(), error.column()),
        )
    }

    /// Where the problem is: `invoices[3].due_date`; empty for the document as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the problem is: `invalid date "2026-02-30", expected YYYY-MM-DD`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error seen from an enclosing document: `prefix` is prepended to the path
    /// (`within("expected.actions[2]")` turns `channel` into `expected.actions[2].channel`).
    pub fn within(mut self, prefix: &str) -> InputError {
        self.path = if prefix.is_empty() {
            self.path
        } else if self.path.is_empty() {
            prefix.to_owned()
        } else if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_path_then_message() {
        let error = InputError::new("invoices[3].due_date", "invalid date");
        assert_eq!(error.to_string(), "invoices[3].due_date: invalid date");
        assert_eq!(error.path(), "invoices[3].due_date");
        assert_eq!(error.message(), "invalid date");
    }

    #[test]
    fn prefixes_join_fields_and_indices() {
        let field = InputError::new("channel", "bad").within("actions[2]");
        assert_eq!(field.path(), "actions[2].channel");
        let index = InputError::new("[0].id", "bad").within("invoices");
        assert_eq!(index.path(), "invoices[0].id");
        let whole = InputError::new("", "bad").within("input");
        assert_eq!(whole.path(), "input");
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let error = serde_json::from_str::<serde_json::Value>("{\n  \"a\": ,\n}").unwrap_err();
        let error = InputError::syntax(&error);
        assert_eq!(error.path(), "");
        assert_eq!(error.to_string(), "line 2 column 8: expected value");
    }
}
