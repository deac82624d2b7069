//! Reading the contract's enums from JSON, by their wire names ([`crate::wire`]).

use serde_json::Value;

use crate::wire::{Named, OpenNamed, names};

use super::error::InputError;
use super::reader::{Path, describe};

/// Converts a JSON string naming a case of `T`.
pub(crate) fn parse_enum<T: Named>(value: &Value, path: &Path) -> Result<T, InputError> {
    let text = expect_name(value, path, T::WHAT)?;
    T::from_name(text).ok_or_else(|| {
        path.error(format!(
            "unknown {} \"{text}\", expected one of {}",
            T::WHAT,
            names::<T>()
        ))
    })
}

/// Converts a JSON string naming a core case of `T`, or a pack-declared one (checked against the
/// pack's vocabulary by the host, which knows it).
pub(crate) fn parse_open<T: OpenNamed>(value: &Value, path: &Path) -> Result<T, InputError> {
    let text = expect_name(value, path, T::WHAT)?;
    if text.is_empty() {
        return Err(path.error(format!("expected a {}, found an empty string", T::WHAT)));
    }
    Ok(T::from_name(text))
}

fn expect_name<'v>(value: &'v Value, path: &Path, what: &str) -> Result<&'v str, InputError> {
    match value {
        Value::String(text) => Ok(text),
        other => Err(path.error(format!(
            "expected a string naming a {what}, found {}",
            describe(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::types::{ActionKind, Channel, Tier};

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        let root = Path::Root;
        let path = root.field("channel");
        let error = parse_enum::<Channel>(&json!("fax"), &path).unwrap_err();
        assert_eq!(
            error.to_string(),
            "channel: unknown channel \"fax\", expected one of email, sms, letter, phone, task, in-app"
        );
        let error = parse_enum::<Tier>(&json!(3), &path).unwrap_err();
        assert_eq!(
            error.message(),
            "expected a string naming a tier, found a number"
        );
    }

    #[test]
    fn open_names_keep_what_the_pack_declares() {
        let path = Path::Root;
        let kind: ActionKind = parse_open(&json!("send-reminder"), &path).unwrap();
        assert_eq!(kind, ActionKind::SendReminder);
        let kind: ActionKind = parse_open(&json!("open-ticket"), &path).unwrap();
        assert_eq!(kind, ActionKind::Custom("open-ticket".to_owned()));
        assert!(parse_open::<ActionKind>(&json!(""), &path).is_err());
    }
}
