//! Exact money: ISO-4217 currencies, minor units and half-up rounding.
//!
//! Amounts are `i64` counts of a currency's minor units. Arithmetic that can produce fractions of a
//! minor unit (basis points, hourly rates) is done in `i128` and rounded once, half away from zero.

use crate::types::Money;

/// Why a money computation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// The code is not an active ISO-4217 currency.
    UnknownCurrency(String),
    /// The result does not fit in 64 bits of minor units.
    Overflow,
    /// Two amounts in different currencies were combined.
    CurrencyMismatch(String, String),
}

impl std::fmt::Display for MoneyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MoneyError::UnknownCurrency(code) => {
                write!(f, "`{code}` is not an ISO-4217 currency code")
            }
            MoneyError::Overflow => write!(f, "amount overflows 64-bit minor units"),
            MoneyError::CurrencyMismatch(a, b) => {
                write!(f, "cannot combine amounts in `{a}` and `{b}`")
            }
        }
    }
}

impl std::error::Error for MoneyError {}

/// An ISO-4217 currency and its number of minor-unit digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    /// The upper-case code.
    pub code: &'static str,
    /// Digits after the decimal point: 0 for JPY, 2 for USD, 3 for KWD.
    pub exponent: u32,
}

const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const THREE_DECIMAL: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const FOUR_DECIMAL: &[&str] = &["CLF", "UYW"];
const TWO_DECIMAL: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF",
    "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR",
    "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF",
    "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TOP",
    "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VES", "WST", "XCD", "YER", "ZAR",
    "ZMW", "ZWG",
];

/// The currency tables with their exponents, the most used first.
const CODES_BY_EXPONENT: [(&[&str], u32); 4] = [
    (TWO_DECIMAL, 2),
    (ZERO_DECIMAL, 0),
    (THREE_DECIMAL, 3),
    (FOUR_DECIMAL, 4),
];

impl Currency {
    /// Looks up an ISO-4217 code (upper case).
    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        // Each table is sorted (a test checks), so a lookup is a binary search: the host converts
        // amounts for every invoice of every evaluation.
        CODES_BY_EXPONENT
            .iter()
            .find_map(|(codes, exponent)| {
                let index = codes.binary_search(&code).ok()?;
                codes.get(index).map(|known| Currency {
                    code: known,
                    exponent: *exponent,
                })
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// Minor units per major unit: 100 for USD, 1 for JPY, 1000 for KWD.
    pub fn minor_per_major(&self) -> i64 {
        10_i64.pow(self.exponent)
    }

    /// Formats minor units as a plain decimal (`1234` USD is `12.34`, `500` JPY is `500`).
    pub fn format_minor(&self, minor: i64) -> String {
        if self.exponent == 0 {
            return minor.to_string();
        }
        let scale = self.minor_per_major().unsigned_abs();
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = self.exponent as usize
        )
    }
}

/// `numerator / denominator` rounded half away from zero (`denominator > 0`).
pub fn div_round_half_up(numerator: i128, denominator: i128) -> Result<i64, MoneyError> {
    if denominator <= 0 {
        return Err(MoneyError::Overflow);
    }
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    i64::try_from(rounded).map_err(|_| MoneyError::Overflow)
}

/// `minor x bps / 10 000`, rounded half-up once: a share of an amount in basis points.
pub fn apply_bps(minor: i64, bps: u32) -> Result<i64, MoneyError> {
    div_round_half_up(i128::from(minor) * i128::from(bps), 10_000)
}

/// `minutes x hourly_rate / 60`, rounded half-up once: time billed at an hourly rate.
pub fn bill_minutes(minutes: u32, hourly_rate_minor: i64) -> Result<i64, MoneyError> {
    div_round_half_up(i128::from(minutes) * i128::from(hourly_rate_minor), 60)
}

impl Money {
    /// An amount of `minor` units of `currency`.
    pub fn new(minor: i64, currency: &str) -> Money {
        Money {
            minor,
            currency: currency.to_owned(),
        }
    }

    /// The sum of two amounts in the same currency; never converts.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(
                self.currency.clone(),
                other.currency.clone(),
            ));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, &self.currency))
    }

    /// The amount as text with its currency: `USD 12000.00`, `JPY 48000`.
    pub fn display(&self) -> String {
        match Currency::from_code(&self.currency) {
            Ok(currency) => format!("{} {}", self.currency, currency.format_minor(self.minor)),
            Err(_) => format!("{} {} (minor units)", self.currency, self.minor),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_cover_zero_two_and_three_decimal_currencies() {
        assert_eq!(Currency::from_code("JPY").unwrap().exponent, 0);
        assert_eq!(Currency::from_code("USD").unwrap().exponent, 2);
        assert_eq!(Currency::from_code("KWD").unwrap().exponent, 3);
        assert!(Currency::from_code("XXX").is_err());
        assert!(Currency::from_code("usd").is_err());
    }

    /// `from_code` searches each table by halves: an unsorted table would lose codes silently.
    #[test]
    fn every_currency_table_is_sorted_without_repeats_and_every_code_is_found() {
        for (codes, exponent) in CODES_BY_EXPONENT {
            assert!(codes.windows(2).all(|pair| pair[0] < pair[1]), "{codes:?}");
            for code in codes {
                assert_eq!(Currency::from_code(code).unwrap().exponent, exponent);
            }
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero_once() {
        assert_eq!(div_round_half_up(5, 10).unwrap(), 1);
        assert_eq!(div_round_half_up(4, 10).unwrap(), 0);
        assert_eq!(div_round_half_up(-5, 10).unwrap(), -1);
        assert_eq!(apply_bps(10_000_000, 3000).unwrap(), 3_000_000);
        assert_eq!(apply_bps(333, 5000).unwrap(), 167);
        assert_eq!(bill_minutes(750, 15_000).unwrap(), 187_500);
        assert_eq!(bill_minutes(1, 100).unwrap(), 2);
    }

    #[test]
    fn formats_minor_units_per_currency() {
        assert_eq!(Money::new(1_200_000, "USD").display(), "USD 12000.00");
        assert_eq!(Money::new(48_000, "JPY").display(), "JPY 48000");
        assert_eq!(Money::new(1_234, "KWD").display(), "KWD 1.234");
        assert_eq!(Money::new(-5, "USD").display(), "USD -0.05");
    }
}
