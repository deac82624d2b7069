//! Money in JSON: decimal amounts in major units, converted exactly to minor units.
//!
//! An amount is a JSON string (`"12000.00"`, `"500"`) or a JSON integer (`500`, meaning 500 major
//! units). Numbers with a fraction or an exponent (`12.5`, `1e3`) are rejected: JSON parsers read
//! them as binary floats, which cannot hold most decimal amounts exactly. The number of decimals may
//! not exceed the currency's exponent (2 for USD, 0 for JPY, 3 for KWD), except for trailing zeros,
//! which do not change the value and are dropped (`"900.000000"` USD is 90 000 cents; CRMs that
//! store every currency with the same scale write `"48000.00"` for JPY). Amounts in a context are
//! never negative, and are written without a sign: `"-0.00"` is refused like `"-1.00"`.

use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use crate::money::Currency;
use crate::types::Money;

use super::error::InputError;
use super::reader::{Obj, Path, beyond_64_bits, describe};

/// Whether an amount may be below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sign {
    /// Amounts in the context: totals, balances, prices, thresholds.
    NonNegative,
    /// Amounts read back from actions, which mirror whatever a rule produced.
    Any,
}

/// An ISO-4217 currency code known to the SDK.
pub(crate) fn currency(value: &Value, path: &Path) -> Result<Currency, InputError> {
    let Value::String(code) = value else {
        return Err(path.error(format!(
            "expected an ISO-4217 currency code like \"USD\", found {}",
            describe(value)
        )));
    };
    Currency::from_code(code).map_err(|_| {
        let upper = code.to_ascii_uppercase();
        let hint = if upper != *code && Currency::from_code(&upper).is_ok() {
            format!("; currency codes are upper-case: \"{upper}\"")
        } else {
            String::new()
        };
        path.error(format!("unknown currency \"{code}\"{hint}"))
    })
}

/// An amount in major units of `currency`, as minor units.
pub(crate) fn amount(
    value: &Value,
    path: &Path,
    currency: Currency,
    sign: Sign,
) -> Result<i64, InputError> {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Number(number) if number.is_i64() || number.is_u64() => number.to_string(),
        Value::Number(number) if beyond_64_bits(number).is_some() => {
            return Err(path.error(
                "amount is too large (a number beyond 64 bits); write amounts as strings, e.g. \"12.50\"",
            ));
        }
        Value::Number(number) => {
            return Err(path.error(format!(
                "{number} is a floating-point number; write amounts as strings, e.g. \"12.50\""
            )));
        }
        other => {
            return Err(path.error(format!(
                "expected an amount as a string like \"12.50\", found {}",
                describe(other)
            )));
        }
    };
    minor_units(&text, currency, sign).map_err(|message| path.error(message))
}

/// Parses `text` (`-`? digits (`.` digits)?) in major units of `currency` into minor units.
fn minor_units(text: &str, currency: Currency, sign: Sign) -> Result<i64, String> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !digits(whole) || !fraction.is_none_or(digits) {
        return Err(format!(
            "invalid amount \"{text}\", expected a decimal number like \"12.50\""
        ));
    }
    let fraction = fraction.unwrap_or("");
    let significant = fraction.trim_end_matches('0').len();
    let exponent = currency.exponent as usize;
    if significant > exponent {
        let written = fraction.len();
        let plural = if written == 1 { "" } else { "s" };
        return Err(format!(
            "\"{text}\" has {written} decimal{plural} but {} allows {exponent}",
            currency.code
        ));
    }
    let too_large = || format!("amount \"{text}\" is too large");
    // At most `exponent` significant decimals remain, so the fraction never needs rounding.
    let trimmed = format!(
        "{}{whole}.{}",
        if text.starts_with('-') { "-" } else { "" },
        &fraction[..significant]
    );
    if sign == Sign::NonNegative && text.starts_with('-') {
        return Err(format!(
            "amount must not be negative, found \"{text}\"; amounts here are written without a sign"
        ));
    }
    let decimal = Decimal::from_str(trimmed.trim_end_matches('.')).map_err(|_| too_large())?;
    let scale = Decimal::from(currency.minor_per_major());
    decimal
        .checked_mul(scale)
        .and_then(|minor| minor.to_i64())
        .ok_or_else(too_large)
}

/// Minor units of `currency` as a decimal string with exactly its exponent: `"12000.00"`,
/// `"48000"` (JPY), `"1.234"` (KWD).
pub(crate) fn format_amount(minor: i64, currency: Currency) -> String {
    currency.format_minor(minor)
}

/// A money record: `{"amount": "12000.00", "currency": "USD"}`.
pub(crate) fn money(value: &Value, path: &Path) -> Result<Money, InputError> {
    money_signed(value, path, Sign::NonNegative)
}

/// A money record whose amount may be negative if `sign` allows it.
pub(crate) fn money_signed(value: &Value, path: &Path, sign: Sign) -> Result<Money, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["amount", "currency"]])?;
    let currency = obj.req("currency", currency)?;
    let minor = obj.req("amount", |value, path| amount(value, path, currency, sign))?;
    Ok(Money {
        minor,
        currency: currency.code.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn code(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    fn parse(value: Value, currency: &str) -> Result<i64, String> {
        let root = Path::Root;
        amount(
            &value,
            &root.field("total"),
            code(currency),
            Sign::NonNegative,
        )
        .map_err(|error| error.to_string())
    }

    #[test]
    fn converts_major_units_per_currency_exponent() {
        assert_eq!(parse(json!("12000.00"), "USD"), Ok(1_200_000));
        assert_eq!(parse(json!("12000"), "USD"), Ok(1_200_000));
        assert_eq!(parse(json!("0.5"), "USD"), Ok(50));
        assert_eq!(parse(json!("12.000"), "USD"), Ok(1200));
        assert_eq!(parse(json!("900.000000"), "USD"), Ok(90_000));
        assert_eq!(parse(json!("48000.00"), "JPY"), Ok(48_000));
        assert_eq!(parse(json!(500), "USD"), Ok(50_000));
        assert_eq!(parse(json!("48000"), "JPY"), Ok(48_000));
        assert_eq!(parse(json!("1.234"), "KWD"), Ok(1234));
    }

    #[test]
    fn rejects_extra_decimals_floats_negatives_and_garbage() {
        assert_eq!(
            parse(json!("12.345"), "USD"),
            Err("total: \"12.345\" has 3 decimals but USD allows 2".into())
        );
        assert_eq!(
            parse(json!("1.5"), "JPY"),
            Err("total: \"1.5\" has 1 decimal but JPY allows 0".into())
        );
        assert_eq!(
            parse(json!("1.2345"), "KWD"),
            Err("total: \"1.2345\" has 4 decimals but KWD allows 3".into())
        );
        assert_eq!(
            parse(json!(12.5), "USD"),
            Err(
                "total: 12.5 is a floating-point number; write amounts as strings, e.g. \"12.50\""
                    .into()
            )
        );
        for negative in [json!("-1.5"), json!(-3), json!("-0.00"), json!("-0")] {
            let error = parse(negative.clone(), "USD").unwrap_err();
            assert!(
                error.starts_with("total: amount must not be negative, found \"-"),
                "{negative}: {error}"
            );
        }
        for bad in [
            "", "abc", "1.", ".5", "1e3", "+1", "1_000", "1.2.3", " 1", "--1",
        ] {
            let error = parse(json!(bad), "USD").unwrap_err();
            assert!(error.contains("invalid amount"), "{bad}: {error}");
        }
        assert!(parse(json!(true), "USD").is_err());
    }

    #[test]
    fn rejects_overflow() {
        let error = parse(json!("92233720368547758.08"), "USD").unwrap_err();
        assert!(error.contains("too large"), "{error}");
        assert!(parse(json!("92233720368547758.07"), "USD").is_ok());
        let error = parse(json!("1".repeat(40)), "JPY").unwrap_err();
        assert!(error.contains("too large"), "{error}");
        assert!(parse(json!(u64::MAX), "JPY").is_err());
    }

    #[test]
    fn negatives_allowed_when_asked_and_formatting_inverts() {
        let root = Path::Root;
        let minor = amount(&json!("-1.50"), &root, code("USD"), Sign::Any).unwrap();
        assert_eq!(minor, -150);
        assert_eq!(format_amount(1_200_000, code("USD")), "12000.00");
        assert_eq!(format_amount(48_000, code("JPY")), "48000");
        assert_eq!(format_amount(1_234, code("KWD")), "1.234");
    }

    #[test]
    fn money_records_read_currency_first() {
        let root = Path::Root;
        let deal = root.field("amount");
        let value = money(&json!({"amount": "12000.00", "currency": "USD"}), &deal).unwrap();
        assert_eq!(value, Money::new(1_200_000, "USD"));
        let error = money(&json!({"amount": "1", "currency": "XYZ"}), &deal).unwrap_err();
        assert_eq!(
            error.to_string(),
            "amount.currency: unknown currency \"XYZ\""
        );
        let error = money(&json!({"amount": "1", "currency": "usd"}), &deal).unwrap_err();
        assert_eq!(
            error.to_string(),
            "amount.currency: unknown currency \"usd\"; currency codes are upper-case: \"USD\""
        );
        let error = parse(serde_json::from_str("18446744073709551616").unwrap(), "JPY");
        assert!(error.unwrap_err().contains("amount is too large"));
        let error = money(&json!({"amount": "1", "currency": "USD", "x": 1}), &deal).unwrap_err();
        assert!(error.to_string().starts_with("amount.x: unknown field"));
    }
}
