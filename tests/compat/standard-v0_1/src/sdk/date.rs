//! Local calendar dates: day arithmetic and the business calendar.
//!
//! Dates in the contract are local to the account's time zone. Arithmetic here is plain proleptic
//! Gregorian day counting (no time zones involved); [`crate::sdk::clock`] derives local dates from instants.

use std::cmp::Ordering;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::sdk::types::{Calendar, Date, Weekday};

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

    /// Parses `YYYY-MM-DD`, the form dates take in JSON and in Rhai.
    pub fn parse(text: &str) -> Option<Date> {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|_| text.len() == 10)
            .map(Date::from_naive)
    }
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
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn day_numbers_round_trip_and_match_chrono() {
        for days in (-800_000..800_000).step_by(997) {
            let date = Date::from_day_number(days);
            assert_eq!(date.day_number(), days);
            let naive = date.to_naive().unwrap();
            let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
            assert_eq!((naive - epoch).num_days(), days);
        }
    }

    #[test]
    fn weekdays_follow_the_2026_calendar() {
        assert_eq!(d("2026-03-01").weekday(), Weekday::Sunday);
        assert_eq!(d("2026-03-24").weekday(), Weekday::Tuesday);
        assert_eq!(d("2026-03-13").weekday(), Weekday::Friday);
    }

    #[test]
    fn parse_rejects_impossible_and_sloppy_dates() {
        assert!(Date::parse("2026-02-30").is_none());
        assert!(Date::parse("2026-2-3").is_none());
        assert!(Date::parse("2026-02-28").is_some());
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
    }

    #[test]
    fn business_days_roll_in_the_asked_direction() {
        let calendar = Calendar {
            weekend: vec![Weekday::Saturday, Weekday::Sunday],
            holidays: vec![d("2026-03-16")],
        };
        assert_eq!(calendar.on_or_before(&d("2026-03-21")), d("2026-03-20"));
        assert_eq!(calendar.on_or_after(&d("2026-03-14")), d("2026-03-17"));
        assert_eq!(
            calendar.add_business_days(&d("2026-03-12"), 2),
            d("2026-03-17")
        );
        let never = Calendar {
            weekend: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
            holidays: vec![],
        };
        assert_eq!(never.on_or_after(&d("2026-03-14")), d("2026-03-14"));
    }
}
