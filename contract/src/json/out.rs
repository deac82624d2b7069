//! Writing a JSON object field by field, leaving unset options out.

use serde_json::{Map, Value};

/// An object under construction.
pub(crate) struct Out(pub(crate) Map<String, Value>);

impl Out {
    /// Sets field `name`.
    pub(crate) fn put(&mut self, name: &str, value: impl Into<Value>) {
        self.0.insert(name.to_owned(), value.into());
    }

    /// Sets field `name` when there is a value; leaves it out otherwise.
    pub(crate) fn put_opt(&mut self, name: &str, value: Option<impl Into<Value>>) {
        if let Some(value) = value {
            self.put(name, value);
        }
    }
}
