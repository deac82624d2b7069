//! Dates: parsing, arithmetic, business days and calendars.

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

#[test]
fn months_are_added_without_overflowing_into_the_next() {
    let plus = |text, months| d(text).add_months(months).unwrap().to_string();
    assert_eq!(plus("2024-01-31", 1), "2024-02-29");
    assert_eq!(plus("2023-01-31", 1), "2023-02-28");
    assert_eq!(plus("2026-01-31", 13), "2027-02-28");
    assert_eq!(plus("2026-01-31", 2), "2026-03-31");
    assert_eq!(plus("2026-08-31", 1), "2026-09-30");
    assert_eq!(plus("2026-03-15", 0), "2026-03-15");
    // Negative months, across year ends.
    assert_eq!(plus("2024-03-31", -1), "2024-02-29");
    assert_eq!(plus("2026-03-31", -1), "2026-02-28");
    assert_eq!(plus("2026-01-15", -1), "2025-12-15");
    assert_eq!(plus("2026-01-31", -14), "2024-11-30");
    assert_eq!(plus("2026-12-31", 1), "2027-01-31");
    // Years, and year 0 and before (proleptic: 0 and -4 are leap years).
    let years = |text, years| d(text).add_years(years).unwrap().to_string();
    assert_eq!(years("2024-02-29", 1), "2025-02-28");
    assert_eq!(years("2024-02-29", 4), "2028-02-29");
    assert_eq!(years("2024-02-29", -1), "2023-02-28");
    assert_eq!(years("2100-02-28", 0), "2100-02-28");
    assert_eq!(years("2000-02-29", 100), "2100-02-28");
    assert_eq!(years("2000-02-29", -2000), "0000-02-29");
    assert_eq!(
        d("0001-01-31").add_months(-13).unwrap(),
        Date::new(-1, 12, 31).unwrap()
    );
}

#[test]
fn far_months_and_years_fail_cleanly() {
    let last = NaiveDate::MAX;
    let last = Date::from_naive(last);
    assert!(last.add_months(0).is_some());
    assert_eq!(last.add_months(1), None);
    assert_eq!(last.add_years(1), None);
    let first = Date::from_naive(NaiveDate::MIN);
    assert_eq!(first.add_months(-1), None);
    let today = d("2026-03-17");
    for months in [i64::MAX, i64::MIN, 12 * 300_000, -12 * 300_000] {
        assert_eq!(today.add_months(months), None, "{months}");
    }
    for years in [i64::MAX, i64::MIN, i64::MAX / 12 + 1, 1 << 40] {
        assert_eq!(today.add_years(years), None, "{years}");
    }
    // Not a real date: no answer rather than a guess.
    let bogus = Date {
        year: 2026,
        month: 2,
        day: 30,
    };
    assert_eq!(bogus.add_months(1), None);
}

#[test]
fn month_starts_ends_and_lengths() {
    let lengths: Vec<u8> = (1..=12)
        .map(|month| Date::new(2026, month, 1).unwrap().days_in_month())
        .collect();
    assert_eq!(lengths, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    assert_eq!(d("2024-02-10").days_in_month(), 29);
    assert_eq!(d("2000-02-10").days_in_month(), 29);
    assert_eq!(d("1900-02-10").days_in_month(), 28);
    assert_eq!(d("2024-02-10").end_of_month(), d("2024-02-29"));
    assert_eq!(d("2023-02-10").end_of_month(), d("2023-02-28"));
    assert_eq!(d("2026-12-31").end_of_month(), d("2026-12-31"));
    assert_eq!(d("2026-04-30").start_of_month(), d("2026-04-01"));
    assert_eq!(d("2026-04-01").start_of_month(), d("2026-04-01"));
    let bogus = Date {
        year: 2026,
        month: 13,
        day: 1,
    };
    assert_eq!(bogus.days_in_month(), 0);
}

#[test]
fn format_follows_the_pattern_and_rejects_unknown_letters() {
    let date = d("2026-03-07");
    assert_eq!(date.format("D/M/YYYY").unwrap(), "7/3/2026");
    assert_eq!(date.format("DD.MM.YYYY").unwrap(), "07.03.2026");
    assert_eq!(date.format("YYYY-MM-DD").unwrap(), date.to_string());
    assert_eq!(date.format("YYYYMMDD").unwrap(), "20260307");
    assert_eq!(date.format("M/D").unwrap(), "3/7");
    assert_eq!(d("2026-12-25").format("D/M").unwrap(), "25/12");
    assert_eq!(date.format("").unwrap(), "");
    assert_eq!(date.format("1. – 2.").unwrap(), "1. – 2.");
    // `M` in `März` is the month: a word is not literal text.
    assert_eq!(date.format("DD. März é").unwrap_err().run, "r");
    assert_eq!(d("0099-01-02").format("YYYY").unwrap(), "0099");
    assert_eq!(Date::new(-5, 1, 2).unwrap().format("YYYY").unwrap(), "-005");
    for (pattern, run, at) in [
        ("D/M/Y", "Y", 4),
        ("DD.MM.YY", "YY", 6),
        ("YYYYY", "YYYYY", 0),
        ("dd/MM/YYYY", "dd", 0),
        ("DDD", "DDD", 0),
        ("Due D/M", "u", 1),
        ("YYYY-MM-DD HH:mm", "HH", 11),
    ] {
        let error = date.format(pattern).unwrap_err();
        assert_eq!(
            (error.run.as_str(), error.at, error.with_time),
            (run, at, false),
            "{pattern}"
        );
    }
    assert_eq!(
        date.format("D/M/YYY").unwrap_err().to_string(),
        "unknown pattern `YYY` at character 5: the patterns are YYYY, MM, M, DD, D, and other \
         ASCII letters are not printed as they are"
    );
    assert!(
        date.format("HH")
            .unwrap_err()
            .to_string()
            .contains("format_local"),
    );
}
