//! The functions and types the host registers for Rhai rules: dates, the business calendar, local
//! time, exact money and text. Each one calls the guest SDK, so Rhai and Rust rules share one
//! implementation.

use crm_rules_contract::money::{self, Currency};
use crm_rules_contract::types::{Calendar, Date, Weekday};
use crm_rules_contract::{clock, text};
use rhai::{Array, Engine, EvalAltResult, INT, ImmutableString, NativeCallContext, Position};
use rust_decimal::Decimal;

use super::budget;

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

/// `moved` (the result of moving `date` by `count` `unit`), or an error naming the move.
fn moved(moved: Option<Date>, date: Date, count: INT, unit: &str) -> Fallible<Date> {
    moved.map_or_else(
        || fail(format!("date {date} plus {count} {unit} is out of range")),
        Ok,
    )
}

/// Checks, before a helper builds a string of `bytes`, that the script may hold it: no longer than
/// the longest string a script may build (`max_bytes`, `Limits::rhai_max_string_bytes`) and within
/// the call's memory budget (when memory is counted), as the built-ins of [`super::capped`] do.
fn reserve_string(bytes: usize, max_bytes: usize) -> Fallible<()> {
    if bytes > max_bytes {
        return Err(Box::new(EvalAltResult::ErrorDataTooLarge(
            "Length of string".to_owned(),
            Position::NONE,
        )));
    }
    budget::reserve(bytes)
}

/// `pattern` formatted by `format`, its size checked first: a pattern's result is at most twice as
/// long as the pattern (see `Date::format`; every date a script holds has a year of at most seven
/// digits).
fn checked_format<E: std::fmt::Display>(
    max_bytes: usize,
    pattern: &str,
    format: impl FnOnce() -> Result<String, E>,
) -> Fallible<String> {
    budget::reserve(pattern.len().saturating_mul(2))?;
    let out = format().or_else(|error| fail(error.to_string()))?;
    reserve_string(out.len(), max_bytes)?;
    Ok(out)
}

fn register_dates(engine: &mut Engine, max_bytes: usize) {
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
        .register_fn("add_months", |a: &mut Date, months: INT| {
            moved(a.add_months(months), *a, months, "months")
        })
        .register_fn("add_years", |a: &mut Date, years: INT| {
            moved(a.add_years(years), *a, years, "years")
        })
        .register_fn("start_of_month", |a: &mut Date| a.start_of_month())
        .register_fn("end_of_month", |a: &mut Date| a.end_of_month())
        .register_fn("days_in_month", |a: &mut Date| INT::from(a.days_in_month()))
        .register_fn("format", move |a: &mut Date, pattern: &str| {
            checked_format(max_bytes, pattern, || a.format(pattern))
        })
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

fn register_clock(engine: &mut Engine, max_bytes: usize) {
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
        )
        .register_fn(
            "utc_offset_minutes",
            |at: INT, zone: &str| -> Fallible<INT> {
                clock::utc_offset_minutes(at, zone)
                    .map(INT::from)
                    .or_else(|error| fail(error.to_string()))
            },
        )
        .register_fn("format_local", move |at: INT, zone: &str, pattern: &str| {
            checked_format(max_bytes, pattern, || {
                clock::format_local(at, zone, pattern)
            })
        });
}

/// `join(items, separator)`: the strings of `items` with `separator` between each two, through the
/// SDK's `text::join`; an item that is not a string is an error naming its index, and the result's
/// size is checked before it is built (an array may hold the same long string many times over).
fn join(
    context: &NativeCallContext,
    items: &Array,
    separator: &str,
    max_bytes: usize,
) -> Fallible<String> {
    let strings = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.clone().into_immutable_string().or_else(|_| {
                let kind = context.engine().map_type_name(item.type_name());
                fail(format!(
                    "join: item {index} of the array is {kind}, not a string (convert it with \
                     to_string)"
                ))
            })
        })
        .collect::<Fallible<Vec<ImmutableString>>>()?;
    reserve_string(text::joined_len(&strings, separator), max_bytes)?;
    Ok(text::join(&strings, separator))
}

fn register_text(engine: &mut Engine, max_bytes: usize) {
    engine.register_fn(
        "join",
        move |context: NativeCallContext, items: &mut Array, separator: &str| {
            join(&context, items, separator, max_bytes)
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

/// Registers every helper on `engine`; helpers that build strings keep to `limits`' longest string.
pub(crate) fn register(engine: &mut Engine, limits: &crate::limits::Limits) {
    let max_bytes = limits.rhai_max_string_bytes;
    register_dates(engine, max_bytes);
    register_calendar(engine);
    register_clock(engine, max_bytes);
    register_money(engine);
    register_text(engine, max_bytes);
}
