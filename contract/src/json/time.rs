//! Dates and instants in JSON: `YYYY-MM-DD` local dates and RFC 3339 instants.
//!
//! Both are limited to the years 0001 to 9999 (year 0000 does not exist in the calendar people
//! write invoices in, and RFC 3339 has four-digit years). An instant separates date and time with
//! `T` (RFC 3339 also allows a space or a lower-case `t`; those are refused, so that every instant is
//! written one way).

use chrono::{DateTime, Datelike, SecondsFormat, Utc};
use serde_json::Value;

use crate::types::{Date, Timestamp};

use super::error::InputError;
use super::reader::{Path, mismatch};

/// The years a date or an instant may have.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// The message for a date or an instant outside [`YEARS`].
fn year_out_of_range(text: &str) -> String {
    format!("\"{text}\" is outside the years 0001 to 9999")
}

/// A local date, `YYYY-MM-DD` in the years 0001 to 9999; impossible dates (`2026-02-30`) are
/// rejected.
pub(crate) fn date(value: &Value, path: &Path) -> Result<Date, InputError> {
    let Value::String(text) = value else {
        return Err(mismatch(path, "a date string (YYYY-MM-DD)", value));
    };
    let date = Date::parse(text)
        .ok_or_else(|| path.error(format!("invalid date \"{text}\", expected YYYY-MM-DD")))?;
    if !YEARS.contains(&date.year) {
        return Err(path.error(year_out_of_range(text)));
    }
    Ok(date)
}

/// An instant: an RFC 3339 string with `T` between date and time and an offset
/// (`2026-03-17T14:00:00Z`), in the years 0001 to 9999 (as written, in its own offset), as
/// milliseconds since the epoch. Precision finer than a millisecond is rejected rather than
/// silently truncated.
pub(crate) fn timestamp(value: &Value, path: &Path) -> Result<Timestamp, InputError> {
    let Value::String(text) = value else {
        return Err(mismatch(
            path,
            "an RFC 3339 timestamp string like \"2026-03-17T14:00:00Z\"",
            value,
        ));
    };
    let invalid = || {
        path.error(format!(
            "invalid timestamp \"{text}\", expected RFC 3339 with an offset, e.g. \"2026-03-17T14:00:00Z\""
        ))
    };
    let parsed = DateTime::parse_from_rfc3339(text).map_err(|_| invalid())?;
    if text.as_bytes().get(10) != Some(&b'T') {
        return Err(path.error(format!(
            "invalid timestamp \"{text}\": date and time must be separated by \"T\", e.g. \"2026-03-17T14:00:00Z\""
        )));
    }
    if !YEARS.contains(&parsed.year()) {
        return Err(path.error(year_out_of_range(text)));
    }
    if parsed.timestamp_subsec_nanos() % 1_000_000 != 0 {
        return Err(path.error(format!(
            "timestamp \"{text}\" is more precise than a millisecond"
        )));
    }
    Ok(parsed.timestamp_millis())
}

/// An instant given either as an RFC 3339 string or as an integer of milliseconds since the epoch.
pub(crate) fn timestamp_or_millis(value: &Value, path: &Path) -> Result<Timestamp, InputError> {
    match value {
        Value::Number(number) => number.as_i64().ok_or_else(|| {
            path.error(format!(
                "expected a whole number of milliseconds since 1970-01-01T00:00:00Z, found {number}"
            ))
        }),
        _ => timestamp(value, path),
    }
}

/// The instant `ms` (milliseconds since the epoch) as RFC 3339 in UTC: `2026-03-20T12:00:00Z`, with
/// `.mmm` only when the milliseconds are not zero (`2026-03-20T12:00:00.250Z`).
///
/// Instants chrono cannot represent (beyond about ±262,000 years) come out as the bare number of
/// milliseconds.
pub fn timestamp_to_rfc3339(ms: Timestamp) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(instant) => {
            let format = if ms.rem_euclid(1000) == 0 {
                SecondsFormat::Secs
            } else {
                SecondsFormat::Millis
            };
            instant.to_rfc3339_opts(format, true)
        }
        None => ms.to_string(),
    }
}

/// The instant as JSON: an RFC 3339 string when it reads back as one (years 0000 to 9999), else
/// the integer milliseconds (which [`timestamp_or_millis`] also accepts).
pub(crate) fn timestamp_to_json(ms: Timestamp) -> Value {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(instant) if (0..=9999).contains(&instant.year()) => {
            Value::String(timestamp_to_rfc3339(ms))
        }
        _ => Value::from(ms),
    }
}

/// Reads an instant as [`timestamp_or_millis`] does (an RFC 3339 string or integer milliseconds),
/// for values that come from a rule rather than from input.
pub fn timestamp_from_json(value: &Value) -> Result<Timestamp, InputError> {
    timestamp_or_millis(value, &Path::Root)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(name: &str) -> Path<'_> {
        Path::Field(&Path::Root, name)
    }

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            date(&json!("2026-03-17"), &at("d")).unwrap(),
            Date::parse("2026-03-17").unwrap()
        );
        let error = date(&json!("2026-02-30"), &at("due_date")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "due_date: invalid date \"2026-02-30\", expected YYYY-MM-DD"
        );
        assert!(date(&json!("2026-3-17"), &at("d")).is_err());
        let error = date(&json!("0000-01-01"), &at("issue_date")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "issue_date: \"0000-01-01\" is outside the years 0001 to 9999"
        );
        assert!(date(&json!("0001-01-01"), &at("d")).is_ok());
        assert!(date(&json!("9999-12-31"), &at("d")).is_ok());
        assert!(date(&json!(20260317), &at("d")).is_err());
    }

    #[test]
    fn timestamps_need_an_offset_and_honour_it() {
        let utc = timestamp(&json!("2026-03-17T14:00:00Z"), &at("now")).unwrap();
        let offset = timestamp(&json!("2026-03-17T10:00:00-04:00"), &at("now")).unwrap();
        assert_eq!(utc, offset);
        assert_eq!(utc, 1_773_756_000_000);
        let error = timestamp(&json!("2026-03-17T14:00:00"), &at("now")).unwrap_err();
        assert!(
            error.to_string().starts_with("now: invalid timestamp"),
            "{error}"
        );
        assert!(timestamp(&json!("2026-03-17T14:00:00.0005Z"), &at("now")).is_err());
        let error = timestamp(&json!("2026-03-17 14:00:00Z"), &at("now")).unwrap_err();
        assert!(error.message().contains("separated by \"T\""), "{error}");
        assert!(timestamp(&json!("2026-03-17t14:00:00Z"), &at("now")).is_err());
        let error = timestamp(&json!("0000-06-01T00:00:00Z"), &at("now")).unwrap_err();
        assert!(error.message().contains("outside the years"), "{error}");
        assert!(timestamp(&json!("0001-01-01T00:00:00+01:00"), &at("now")).is_ok());
        assert!(timestamp(&json!(1_773_756_000_000_i64), &at("now")).is_err());
        assert_eq!(
            timestamp_or_millis(&json!(1_773_756_000_000_i64), &at("now")).unwrap(),
            utc
        );
    }

    #[test]
    fn formats_seconds_and_millis() {
        assert_eq!(
            timestamp_to_rfc3339(1_773_756_000_000),
            "2026-03-17T14:00:00Z"
        );
        assert_eq!(
            timestamp_to_rfc3339(1_773_756_000_250),
            "2026-03-17T14:00:00.250Z"
        );
        assert_eq!(timestamp_to_rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(timestamp_to_json(i64::MAX), json!(i64::MAX));
        let far = -100_000_000_000_000_i64;
        let back = timestamp_or_millis(&timestamp_to_json(far), &at("t")).unwrap();
        assert_eq!(back, far);
    }
}
