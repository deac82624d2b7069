//! Local calendar dates: day arithmetic and the business calendar.
//!
//! Dates in the contract are local to the account's time zone. Arithmetic here is plain proleptic
//! Gregorian day counting (no time zones involved); [`crate::clock`] derives local dates from instants.

use std::cmp::Ordering;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::types::{Calendar, Date, Weekday};

impl Date {
    /// A date from its parts, if it exists (`2026-02-30` does not).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day)).map(Date::from_naive)
    }

    /// Converts a `chrono` date.
    pub fn from_naive(date: NaiveDate) -> Date {
        // chrono guarantees 1..=12 and 1..=31, so the narrowing cannot lose anything.
        Date {
            year: date.year(),
            month: u8::try_from(date.month()).unwrap_or(u8::MAX),
            day: u8::try_from(date.day()).unwrap_or(u8::MAX),
        }
    }

    /// The date as a `chrono` date, or `None` if the parts do not name a real day.
    pub fn to_naive(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.month), u32::from(self.day))
    }

    /// Days since 1970-01-01 (negative before it). Exact for every valid date.
    pub fn day_number(&self) -> i64 {
        // Days-from-civil (H. Hinnant), valid over the whole proleptic Gregorian calendar.
        let (y, m, d) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date with this day number (see [`Date::day_number`]).
    pub fn from_day_number(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(u8::MAX),
            day: u8::try_from(day).unwrap_or(u8::MAX),
        }
    }

    /// This date moved by `days` (negative moves back).
    pub fn add_days(&self, days: i64) -> Date {
        Date::from_day_number(self.day_number() + days)
    }

    /// Whole days from `earlier` to `self`: `today.days_since(due_date)` is the days past due.
    pub fn days_since(&self, earlier: &Date) -> i64 {
        self.day_number() - earlier.day_number()
    }

    /// The day of the week.
    pub fn weekday(&self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.day_number() + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    /// The number of days in this date's month: 28 to 31 (February has 29 in a leap year). A month
    /// outside 1 to 12 names no real date and has 0 days.
    pub fn days_in_month(&self) -> u8 {
        month_length(self.year, self.month)
    }

    /// The first day of this date's month.
    pub fn start_of_month(&self) -> Date {
        Date { day: 1, ..*self }
    }

    /// The last day of this date's month: `2024-02-10` gives `2024-02-29`, `2023-02-10` gives
    /// `2023-02-28`.
    pub fn end_of_month(&self) -> Date {
        Date {
            day: self.days_in_month(),
            ..*self
        }
    }

    /// This date moved by `months` calendar months (negative moves back), without overflowing into
    /// the next month: a day the target month does not have becomes its last day, so `2026-01-31`
    /// plus one month is `2026-02-28` (`2024-02-29` in a leap year), and `2026-03-31` minus one is
    /// `2026-02-28`. Each call clamps once: `d.add_months(1).add_months(1)` may differ from
    /// `d.add_months(2)` (Jan 31 gives Mar 28 against Mar 31), so count from a fixed anchor date.
    ///
    /// `None` when `self` is not a real date or the result is outside the years `chrono` represents
    /// (about 262,000 years either side of year 0); never a wrapped date.
    pub fn add_months(&self, months: i64) -> Option<Date> {
        self.to_naive()?;
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1;
        let target = index.checked_add(months)?;
        let year = i32::try_from(target.div_euclid(12)).ok()?;
        let month = u8::try_from(target.rem_euclid(12) + 1).ok()?;
        Date::new(year, month, self.day.min(month_length(year, month)))
    }

    /// This date moved by `years` (negative moves back), as [`Date::add_months`] with twelve months a
    /// year: `2024-02-29` plus one year is `2025-02-28`, plus four is `2028-02-29`. `None` out of
    /// range, like [`Date::add_months`].
    pub fn add_years(&self, years: i64) -> Option<Date> {
        self.add_months(years.checked_mul(12)?)
    }

    /// The date written after `pattern`, a small explicit pattern language:
    ///
    /// | pattern | prints | `2026-03-07` |
    /// |---------|--------|--------------|
    /// | `YYYY`  | the year, at least four digits (`-` before a year before year 0) | `2026` |
    /// | `MM`    | the month, two digits | `03` |
    /// | `M`     | the month, no leading zero | `3` |
    /// | `DD`    | the day of the month, two digits | `07` |
    /// | `D`     | the day of the month, no leading zero | `7` |
    ///
    /// A pattern is a run of one repeated ASCII letter (`YYYYMMDD` is three). Every character that is
    /// not an ASCII letter (digits, punctuation, spaces, accented letters) is printed as it is; an
    /// ASCII letter run that is not a pattern above (`YY`, `Y`, `d`, `Do`, `at`) is an error, never
    /// printed literally, so that a typo is caught rather than sent to a customer. To put words
    /// around a date, concatenate: `format!("due {}", d.format("D/M/YYYY")?)`.
    ///
    /// `D/M/YYYY` gives `7/3/2026`, `DD.MM.YYYY` gives `07.03.2026`, and `YYYY-MM-DD` is ISO 8601,
    /// the same as `to_string()`. [`crate::clock::format_local`] formats an instant in a time zone
    /// with `HH` and `mm` besides. The result is at most twice as long as the pattern for any year of
    /// up to seven digits.
    pub fn format(&self, pattern: &str) -> Result<String, FormatError> {
        render(pattern, self, None)
    }

    /// Parses `YYYY-MM-DD`, the form dates take in JSON and in Rhai.
    pub fn parse(text: &str) -> Option<Date> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10)
            .map(Date::from_naive)
    }
}

/// Whether `year` is a leap year of the proleptic Gregorian calendar (year 0 is one).
fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` of `year`; 0 for a month outside 1 to 12.
fn month_length(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A pattern given to [`Date::format`] or [`crate::clock::format_local`] that is not one of theirs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The run of letters that is not a pattern (`YYY`, `d`, `HH` for a date).
    pub run: String,
    /// Where it starts in the pattern, in characters from 0.
    pub at: usize,
    /// Whether the pattern formats a time as well (`HH` and `mm` known).
    pub with_time: bool,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (run, at) = (&self.run, self.at + 1);
        if !self.with_time && (run == "HH" || run == "mm") {
            return write!(
                f,
                "`{run}` (character {at} of the pattern) is a time, and a date has none: format \
                 an instant with format_local"
            );
        }
        let known = if self.with_time {
            "YYYY, MM, M, DD, D, HH, mm"
        } else {
            "YYYY, MM, M, DD, D"
        };
        write!(
            f,
            "unknown pattern `{run}` at character {at}: the patterns are {known}, and other ASCII \
             letters are not printed as they are"
        )
    }
}

impl std::error::Error for FormatError {}

/// Writes `date` (and the local `(hour, minute)`, for `HH` and `mm`) after `pattern`; see
/// [`Date::format`] for the language.
pub(crate) fn render(
    pattern: &str,
    date: &Date,
    time: Option<(u32, u32)>,
) -> Result<String, FormatError> {
    use fmt::Write as _;
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().enumerate().peekable();
    while let Some((at, letter)) = chars.next() {
        if !letter.is_ascii_alphabetic() {
            out.push(letter);
            continue;
        }
        let mut count = 1;
        while chars.next_if(|(_, next)| *next == letter).is_some() {
            count += 1;
        }
        // Writing to a `String` cannot fail.
        let _ = match (letter, count, time) {
            ('Y', 4, _) => write!(out, "{:04}", date.year),
            ('M', 2, _) => write!(out, "{:02}", date.month),
            ('M', 1, _) => write!(out, "{}", date.month),
            ('D', 2, _) => write!(out, "{:02}", date.day),
            ('D', 1, _) => write!(out, "{}", date.day),
            ('H', 2, Some((hour, _))) => write!(out, "{hour:02}"),
            ('m', 2, Some((_, minute))) => write!(out, "{minute:02}"),
            _ => {
                return Err(FormatError {
                    run: std::iter::repeat_n(letter, count).collect(),
                    at,
                    with_time: time.is_some(),
                });
            }
        };
    }
    Ok(out)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.year, self.month, self.day).cmp(&(other.year, other.month, other.day))
    }
}

impl Calendar {
    /// Whether `date` is a business day: not a weekend day and not a holiday.
    pub fn is_business_day(&self, date: &Date) -> bool {
        let weekday = date.weekday();
        !self.weekend.contains(&weekday) && !self.holidays.contains(date)
    }

    /// `date` if it is a business day, else the closest business day before it.
    ///
    /// A calendar with no business day at all (every weekday a weekend day) returns `date` unchanged.
    pub fn on_or_before(&self, date: &Date) -> Date {
        self.roll(date, -1)
    }

    /// `date` if it is a business day, else the closest business day after it.
    pub fn on_or_after(&self, date: &Date) -> Date {
        self.roll(date, 1)
    }

    /// The date `days` business days after `date` (0 is `date` rolled forward to a business day).
    pub fn add_business_days(&self, date: &Date, days: u32) -> Date {
        let mut current = self.on_or_after(date);
        for _ in 0..days {
            current = self.on_or_after(&current.add_days(1));
        }
        current
    }

    fn roll(&self, date: &Date, step: i64) -> Date {
        // Seven weekdays plus every holiday bounds any run of non-business days.
        let bound = 7 + self.holidays.len();
        let mut current = *date;
        for _ in 0..=bound {
            if self.is_business_day(&current) {
                return current;
            }
            current = current.add_days(step);
        }
        *date
    }
}

#[cfg(test)]
mod tests;
