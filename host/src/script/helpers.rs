//! The functions and types the host registers for Rhai rules: dates, the business calendar, local
//! time and exact money. Each one calls the guest SDK, so Rhai and Rust rules share one implementation.

use crm_rules_contract::clock;
use crm_rules_contract::money::{self, Currency};
use crm_rules_contract::types::{Calendar, Date, Weekday};
use rhai::{Engine, EvalAltResult, INT};
use rust_decimal::Decimal;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

fn fail<T>(message: String) -> Fallible<T> {
    Err(message.into())
}

fn weekday_name(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

fn currency(code: &str) -> Fallible<Currency> {
    Currency::from_code(code).or_else(|error| fail(error.to_string()))
}

/// Minor units of an exact decimal amount; more decimals than the currency has is an error.
pub(crate) fn to_minor(amount: Decimal, code: &str) -> Result<i64, String> {
    let currency = Currency::from_code(code).map_err(|error| error.to_string())?;
    let scaled = amount
        .checked_mul(Decimal::from(currency.minor_per_major()))
        .ok_or_else(|| format!("amount {amount} {code} is out of range"))?;
    if !scaled.fract().is_zero() {
        return Err(format!(
            "amount {amount} has more decimals than {code} allows ({}); round it with round_money",
            currency.exponent
        ));
    }
    i64::try_from(scaled).map_err(|_| format!("amount {amount} {code} is out of range"))
}

/// An exact decimal amount from minor units.
pub(crate) fn from_minor(minor: i64, exponent: u32) -> Decimal {
    Decimal::new(minor, exponent)
}

fn decimal_result(minor: Result<i64, money::MoneyError>, code: &str) -> Fallible<Decimal> {
    let minor = minor.or_else(|error| fail(error.to_string()))?;
    Ok(from_minor(minor, currency(code)?.exponent))
}

/// How far from 1970-01-01 date arithmetic may go: about a million years either way. Far beyond any
/// real date, and far inside what the SDK's day numbers handle without overflowing (a script adding
/// `i64::MAX` days used to panic the host with overflow checks on, and wrap silently without).
const MAX_DAY_NUMBER: i64 = 365_242_500;

/// Most business days `add_business_days` walks: about 38 years. The walk runs in the host, out of
/// reach of the script's operation budget and deadline, so a script asking for four billion days
/// used to keep the host busy for minutes.
const MAX_BUSINESS_DAYS: u32 = 10_000;

/// `date` moved by `days`, or an error when the result is beyond [`MAX_DAY_NUMBER`].
fn add_days(date: Date, days: INT) -> Fallible<Date> {
    date.day_number()
        .checked_add(days)
        .filter(|day| day.abs() <= MAX_DAY_NUMBER)
        .map_or_else(
            || fail(format!("date {date} plus {days} days is out of range")),
            |day| Ok(Date::from_day_number(day)),
        )
}

fn register_dates(engine: &mut Engine) {
    engine
        .register_type_with_name::<Date>("Date")
        .register_fn("date", |text: &str| -> Fallible<Date> {
            Date::parse(text).map_or_else(
                || fail(format!("invalid date `{text}`, expected YYYY-MM-DD")),
                Ok,
            )
        })
        .register_fn("-", |a: Date, b: Date| -> INT { a.days_since(&b) })
        .register_fn("+", |a: Date, days: INT| add_days(a, days))
        .register_fn("-", |a: Date, days: INT| -> Fallible<Date> {
            let back = days
                .checked_neg()
                .map_or_else(|| fail(format!("{days} days is out of range")), Ok)?;
            add_days(a, back)
        })
        .register_fn("add_days", |a: &mut Date, days: INT| add_days(*a, days))
        .register_fn("==", |a: Date, b: Date| a == b)
        .register_fn("!=", |a: Date, b: Date| a != b)
        .register_fn("<", |a: Date, b: Date| a < b)
        .register_fn("<=", |a: Date, b: Date| a <= b)
        .register_fn(">", |a: Date, b: Date| a > b)
        .register_fn(">=", |a: Date, b: Date| a >= b)
        .register_fn("to_string", |a: &mut Date| a.to_string())
        .register_fn("to_debug", |a: &mut Date| a.to_string())
        .register_get("year", |a: &mut Date| INT::from(a.year))
        .register_get("month", |a: &mut Date| INT::from(a.month))
        .register_get("day", |a: &mut Date| INT::from(a.day))
        .register_get("weekday", |a: &mut Date| {
            weekday_name(a.weekday()).to_owned()
        });
}

fn register_calendar(engine: &mut Engine) {
    engine
        .register_type_with_name::<Calendar>("Calendar")
        .register_fn("is_business_day", |c: &mut Calendar, d: Date| {
            c.is_business_day(&d)
        })
        .register_fn("on_or_before", |c: &mut Calendar, d: Date| {
            c.on_or_before(&d)
        })
        .register_fn("on_or_after", |c: &mut Calendar, d: Date| c.on_or_after(&d))
        .register_fn(
            "add_business_days",
            |c: &mut Calendar, d: Date, days: INT| -> Fallible<Date> {
                let days = u32::try_from(days)
                    .ok()
                    .filter(|days| *days <= MAX_BUSINESS_DAYS)
                    .map_or_else(
                        || {
                            fail(format!(
                                "{days} is not a count of business days (0 to {MAX_BUSINESS_DAYS})"
                            ))
                        },
                        Ok,
                    )?;
                Ok(c.add_business_days(&d, days))
            },
        );
}

fn register_clock(engine: &mut Engine) {
    engine
        .register_fn("local_date", |at: INT, zone: &str| -> Fallible<Date> {
            clock::local_date(at, zone).or_else(|error| fail(error.to_string()))
        })
        .register_fn(
            "local_minute_of_day",
            |at: INT, zone: &str| -> Fallible<INT> {
                clock::local_minute_of_day(at, zone)
                    .map(INT::from)
                    .or_else(|error| fail(error.to_string()))
            },
        )
        .register_fn(
            "next_local_time",
            |at: INT, zone: &str, hour: INT| -> Fallible<INT> {
                let hour = u32::try_from(hour)
                    .or_else(|_| fail(format!("{hour} is not an hour of the day (0 to 23)")))?;
                clock::next_local_time(at, zone, hour).or_else(|error| fail(error.to_string()))
            },
        )
        .register_fn(
            "local_time_on",
            |date: Date, zone: &str, hour: INT| -> Fallible<INT> {
                let hour = u32::try_from(hour)
                    .or_else(|_| fail(format!("{hour} is not an hour of the day (0 to 23)")))?;
                clock::local_time_on(&date, zone, hour).or_else(|error| fail(error.to_string()))
            },
        );
}

fn register_money(engine: &mut Engine) {
    engine
        .register_fn("minor_digits", |code: &str| -> Fallible<INT> {
            Ok(INT::from(currency(code)?.exponent))
        })
        .register_fn(
            "apply_bps",
            |amount: Decimal, bps: INT, code: &str| -> Fallible<Decimal> {
                let minor = to_minor(amount, code).or_else(fail)?;
                let bps = u32::try_from(bps)
                    .or_else(|_| fail(format!("{bps} is not a count of basis points")))?;
                decimal_result(money::apply_bps(minor, bps), code)
            },
        )
        .register_fn(
            "bill_minutes",
            |minutes: INT, rate: Decimal, code: &str| -> Fallible<Decimal> {
                let rate = to_minor(rate, code).or_else(fail)?;
                let minutes = u32::try_from(minutes)
                    .or_else(|_| fail(format!("{minutes} is not a count of minutes")))?;
                decimal_result(money::bill_minutes(minutes, rate), code)
            },
        )
        .register_fn(
            "round_money",
            |amount: Decimal, code: &str| -> Fallible<Decimal> {
                let exponent = currency(code)?.exponent;
                Ok(amount.round_dp_with_strategy(
                    exponent,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                ))
            },
        )
        .register_fn(
            "format_money",
            |amount: Decimal, code: &str| -> Fallible<String> {
                let minor = to_minor(amount, code).or_else(fail)?;
                Ok(crm_rules_contract::types::Money::new(minor, code).display())
            },
        );
}

/// Registers every helper on `engine`.
pub(crate) fn register(engine: &mut Engine) {
    register_dates(engine);
    register_calendar(engine);
    register_clock(engine);
    register_money(engine);
}
