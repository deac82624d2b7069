//! Instants and local time: the only place a time zone is interpreted.
//!
//! The host passes `now` (UTC) and the account's IANA time zone; rules derive local dates and local
//! wall-clock times here, through `chrono-tz`, so daylight-saving changes are handled once, correctly.

use chrono::{DateTime, LocalResult, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

use crate::date::FormatError;
use crate::types::{Date, Timestamp};

/// Why a local-time computation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockError {
    /// The time zone is not an IANA name known to the tz database.
    UnknownTimeZone(String),
    /// The instant is outside the range `chrono` represents.
    OutOfRange(Timestamp),
    /// The hour is not one of 0 to 23.
    InvalidHour(u32),
    /// A [`format_local`] pattern is not one of the patterns.
    Format(FormatError),
}

impl std::fmt::Display for ClockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClockError::UnknownTimeZone(tz) => write!(f, "unknown time zone `{tz}`"),
            ClockError::OutOfRange(ms) => write!(f, "instant {ms} ms is out of range"),
            ClockError::InvalidHour(hour) => {
                write!(f, "{hour} is not an hour of the day (0 to 23)")
            }
            ClockError::Format(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ClockError {}

/// Parses an IANA time zone name.
pub fn time_zone(name: &str) -> Result<Tz, ClockError> {
    name.parse::<Tz>()
        .map_err(|_| ClockError::UnknownTimeZone(name.to_owned()))
}

fn instant(at: Timestamp) -> Result<DateTime<chrono::Utc>, ClockError> {
    DateTime::from_timestamp_millis(at).ok_or(ClockError::OutOfRange(at))
}

/// The local calendar date in `zone` at the instant `at`.
pub fn local_date(at: Timestamp, zone: &str) -> Result<Date, ClockError> {
    let tz = time_zone(zone)?;
    Ok(Date::from_naive(
        instant(at)?.with_timezone(&tz).date_naive(),
    ))
}

/// The local wall-clock time in `zone` at `at`, as minutes after local midnight (0..1440).
pub fn local_minute_of_day(at: Timestamp, zone: &str) -> Result<u32, ClockError> {
    let tz = time_zone(zone)?;
    let local = instant(at)?.with_timezone(&tz);
    Ok(local.hour() * 60 + local.minute())
}

/// The first instant at or after `at` whose local time in `zone` is `hour:00` (a UTC timestamp).
///
/// Daylight-saving aware: when `hour:00` does not exist on a day (the clocks jump over it), the first
/// instant after the gap is used; when it exists twice, the earlier one.
pub fn next_local_time(at: Timestamp, zone: &str, hour: u32) -> Result<Timestamp, ClockError> {
    let tz = time_zone(zone)?;
    let start = instant(at)?;
    let target = NaiveTime::from_hms_opt(hour, 0, 0).ok_or(ClockError::InvalidHour(hour))?;
    let mut day = start.with_timezone(&tz).date_naive();
    // Two days always suffice: today's target has passed at most once.
    for _ in 0..3 {
        let wanted = day.and_time(target);
        let candidate = match tz.from_local_datetime(&wanted) {
            LocalResult::Single(t) => Some(t),
            LocalResult::Ambiguous(first, _) => Some(first),
            // In a spring-forward gap: the gap's end is one hour later in local wall time.
            LocalResult::None => tz
                .from_local_datetime(&(wanted + chrono::Duration::hours(1)))
                .earliest(),
        };
        if let Some(candidate) = candidate {
            let millis = candidate.timestamp_millis();
            if millis >= at {
                return Ok(millis);
            }
        }
        day = day.succ_opt().ok_or(ClockError::OutOfRange(at))?;
    }
    Err(ClockError::OutOfRange(at))
}

/// The instant (UTC) at which it is `hour:00` local time in `zone` on the local `date`.
///
/// Daylight-saving aware, like [`next_local_time`]: when `hour:00` does not exist that day (the
/// clocks jump over it), the first instant after the gap; when it exists twice, the earlier one.
/// `local_time_on(date, zone, 0)` is the start of the local day: what a rule gives as
/// `next_evaluation_at` when its outcome changes with the date.
pub fn local_time_on(date: &Date, zone: &str, hour: u32) -> Result<Timestamp, ClockError> {
    let tz = time_zone(zone)?;
    let target = NaiveTime::from_hms_opt(hour, 0, 0).ok_or(ClockError::InvalidHour(hour))?;
    let wanted = date
        .to_naive()
        .ok_or(ClockError::OutOfRange(0))?
        .and_time(target);
    let found = match tz.from_local_datetime(&wanted) {
        LocalResult::Single(t) => Some(t),
        LocalResult::Ambiguous(first, _) => Some(first),
        LocalResult::None => tz
            .from_local_datetime(&(wanted + chrono::Duration::hours(1)))
            .earliest(),
    };
    found
        .map(|instant| instant.timestamp_millis())
        .ok_or(ClockError::OutOfRange(0))
}

/// The offset of `zone` from UTC at the instant `at`, in minutes east of UTC (negative west of it):
/// New York is -300 in winter and -240 in summer, Tokyo +540, Kathmandu +345, Lord Howe Island +630
/// or +660 (a half-hour daylight saving). Historical local mean times with seconds in their offset
/// (before about 1900 in most zones) are cut toward zero to whole minutes.
pub fn utc_offset_minutes(at: Timestamp, zone: &str) -> Result<i32, ClockError> {
    let tz = time_zone(zone)?;
    let local = instant(at)?.with_timezone(&tz);
    Ok(local.offset().fix().local_minus_utc() / 60)
}

/// The instant `at` as local time in `zone`, written after `pattern`: the date patterns of
/// [`Date::format`] (`YYYY`, `MM`, `M`, `DD`, `D`) and, for the wall-clock time, `HH` (the hour,
/// 00 to 23) and `mm` (the minute, two digits). `"YYYY-MM-DD HH:mm"` gives `2026-03-17 22:30` for
/// `2026-03-18T02:30:00Z` in New York. Any other run of ASCII letters is an error
/// ([`ClockError::Format`]), as for [`Date::format`].
pub fn format_local(at: Timestamp, zone: &str, pattern: &str) -> Result<String, ClockError> {
    let tz = time_zone(zone)?;
    let local = instant(at)?.with_timezone(&tz);
    let date = Date::from_naive(local.date_naive());
    crate::date::render(pattern, &date, Some((local.hour(), local.minute())))
        .map_err(ClockError::Format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> Timestamp {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn local_date_follows_the_zone_not_utc() {
        let late_evening_ny = ms("2026-03-18T02:30:00Z");
        assert_eq!(
            local_date(late_evening_ny, "America/New_York").unwrap(),
            Date::parse("2026-03-17").unwrap()
        );
        assert_eq!(
            local_date(late_evening_ny, "Asia/Tokyo").unwrap(),
            Date::parse("2026-03-18").unwrap()
        );
        assert!(local_date(0, "Mars/Olympus").is_err());
    }

    #[test]
    fn local_time_on_a_date_is_dst_correct_east_and_west() {
        let date = |text| Date::parse(text).unwrap();
        // New York's spring-forward day: 02:00 does not exist, so 03:00 EDT (07:00Z).
        assert_eq!(
            local_time_on(&date("2026-03-08"), "America/New_York", 2).unwrap(),
            ms("2026-03-08T07:00:00Z")
        );
        // Its fall-back day: 01:00 happens twice, the first is EDT (05:00Z).
        assert_eq!(
            local_time_on(&date("2026-11-01"), "America/New_York", 1).unwrap(),
            ms("2026-11-01T05:00:00Z")
        );
        // East of UTC, local midnight is the previous UTC day.
        assert_eq!(
            local_time_on(&date("2026-03-18"), "Asia/Tokyo", 0).unwrap(),
            ms("2026-03-17T15:00:00Z")
        );
        assert!(local_time_on(&date("2026-03-18"), "UTC", 24).is_err());
    }

    #[test]
    fn next_local_time_is_dst_correct() {
        // 2026-03-08 02:00 does not exist in New York; 08:00 that day is 12:00Z (EDT, -4).
        assert_eq!(
            next_local_time(ms("2026-03-08T03:00:00Z"), "America/New_York", 8).unwrap(),
            ms("2026-03-08T12:00:00Z")
        );
        // The day before, 08:00 EST is 13:00Z.
        assert_eq!(
            next_local_time(ms("2026-03-07T03:00:00Z"), "America/New_York", 8).unwrap(),
            ms("2026-03-07T13:00:00Z")
        );
        // After today's 08:00 has passed: tomorrow's.
        assert_eq!(
            next_local_time(ms("2026-03-07T14:00:00Z"), "America/New_York", 8).unwrap(),
            ms("2026-03-08T12:00:00Z")
        );
    }

    #[test]
    fn utc_offsets_east_and_west_and_across_daylight_saving() {
        // New York springs forward at 2026-03-08 02:00 EST, 07:00Z.
        let spring = ms("2026-03-08T07:00:00Z");
        assert_eq!(
            utc_offset_minutes(spring - 1, "America/New_York").unwrap(),
            -300
        );
        assert_eq!(
            utc_offset_minutes(spring, "America/New_York").unwrap(),
            -240
        );
        // And falls back at 2026-11-01 02:00 EDT, 06:00Z.
        let fall = ms("2026-11-01T06:00:00Z");
        assert_eq!(
            utc_offset_minutes(fall - 1, "America/New_York").unwrap(),
            -240
        );
        assert_eq!(utc_offset_minutes(fall, "America/New_York").unwrap(), -300);
        let winter = ms("2026-01-15T12:00:00Z");
        let summer = ms("2026-07-15T12:00:00Z");
        assert_eq!(utc_offset_minutes(winter, "Asia/Tokyo").unwrap(), 540);
        assert_eq!(utc_offset_minutes(summer, "Asia/Tokyo").unwrap(), 540);
        assert_eq!(utc_offset_minutes(winter, "Asia/Kathmandu").unwrap(), 345);
        assert_eq!(utc_offset_minutes(winter, "Asia/Kolkata").unwrap(), 330);
        assert_eq!(utc_offset_minutes(winter, "UTC").unwrap(), 0);
        // Southern hemisphere: Berlin's summer is Sydney's winter.
        assert_eq!(utc_offset_minutes(winter, "Europe/Berlin").unwrap(), 60);
        assert_eq!(utc_offset_minutes(summer, "Europe/Berlin").unwrap(), 120);
        assert_eq!(utc_offset_minutes(winter, "Australia/Sydney").unwrap(), 660);
        assert_eq!(utc_offset_minutes(summer, "Australia/Sydney").unwrap(), 600);
        // Lord Howe Island moves its clocks by half an hour: +10:30 standard, +11:00 in summer.
        assert_eq!(
            utc_offset_minutes(winter, "Australia/Lord_Howe").unwrap(),
            660
        );
        assert_eq!(
            utc_offset_minutes(summer, "Australia/Lord_Howe").unwrap(),
            630
        );
        assert_eq!(
            utc_offset_minutes(0, "Mars/Olympus"),
            Err(ClockError::UnknownTimeZone("Mars/Olympus".to_owned()))
        );
        assert_eq!(
            utc_offset_minutes(Timestamp::MAX, "UTC"),
            Err(ClockError::OutOfRange(Timestamp::MAX))
        );
    }

    #[test]
    fn format_local_writes_the_wall_clock_of_the_zone() {
        let at = ms("2026-03-18T02:30:00Z");
        assert_eq!(
            format_local(at, "America/New_York", "YYYY-MM-DD HH:mm").unwrap(),
            "2026-03-17 22:30"
        );
        assert_eq!(
            format_local(at, "Asia/Kathmandu", "D/M/YYYY HH:mm").unwrap(),
            "18/3/2026 08:15"
        );
        assert_eq!(
            format_local(ms("2026-01-05T00:05:00Z"), "UTC", "HH:mm DD.MM.").unwrap(),
            "00:05 05.01."
        );
        let Err(ClockError::Format(error)) = format_local(at, "UTC", "YYYY-MM-DD hh:mm") else {
            panic!("a 12-hour `hh` is not a pattern");
        };
        assert_eq!((error.run.as_str(), error.at), ("hh", 11));
        assert!(error.to_string().contains("HH, mm"), "{error}");
        assert!(format_local(at, "Mars/Olympus", "YYYY").is_err());
    }
}
