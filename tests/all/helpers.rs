//! The Rhai wrappers of the date, clock and text helpers (issue 11): each one called once from a
//! script, and each one's error path a script error at the line of the call (or a memory error for a
//! result too long to build), never a silently wrapped date or a typo printed to a customer.

use crm_rules_host::{
    DecisionStatus, EngineOptions, Limits, RhaiMemory, RuleEngine, RuleErrorKind, RulePack,
};
use serde_json::json;

const MANIFEST: &str = r#"
[pack]
name = "helpers-test"
version = "1"
contract = "0.2"

[[modules]]
id = "helpers"
triggers = ["scheduled"]
source = "helpers.rhai"

[params]
scenario = "values"
"#;

/// `values` checks every helper's result in the script (a mismatch throws); every other scenario is
/// one failing call, on a line of its own.
const SCRIPT: &str = r#"
fn expect(what, got, want) {
    if got != want { throw `${what}: got ${got}, want ${want}`; }
}
fn values(ctx) {
    let jan31 = date("2024-01-31");
    expect("add_months", jan31.add_months(1), date("2024-02-29"));
    expect("add_months back", date("2026-03-31").add_months(-1), date("2026-02-28"));
    expect("add_years", date("2024-02-29").add_years(1), date("2025-02-28"));
    expect("end_of_month", date("2023-02-10").end_of_month(), date("2023-02-28"));
    expect("start_of_month", date("2023-02-10").start_of_month(), date("2023-02-01"));
    expect("days_in_month", jan31.add_months(1).days_in_month(), 29);
    expect("format", date("2026-03-07").format("D/M/YYYY"), "7/3/2026");
    expect("format iso", date("2026-03-07").format("YYYY-MM-DD"), "2026-03-07");
    // ctx.now is 2026-03-18T02:30:00Z.
    expect("utc_offset_minutes", utc_offset_minutes(ctx.now, "America/New_York"), -240);
    expect("utc_offset_minutes east", utc_offset_minutes(ctx.now, "Asia/Kathmandu"), 345);
    expect("format_local", format_local(ctx.now, "America/New_York", "DD.MM.YYYY HH:mm"),
           "17.03.2026 22:30");
    expect("join", ["INV-1", "INV-2", "INV-3"].join(", "), "INV-1, INV-2, INV-3");
    expect("join fn", join([], ", "), "");
    #{ actions: [], suppressed: [] }
}
fn evaluate(ctx) {
    let d = date("2026-01-31");
    switch ctx.params.scenario {
        "values" => values(ctx),
        "add_months" => d.add_months(9223372036854775807),
        "add_years" => d.add_years(-300000),
        "end_of_month" => "2026-01-31".end_of_month(),
        "format" => d.format("DD.MM.YY"),
        "format_local" => format_local(ctx.now, "Europe/Berlin", "YYYY-MM-DD hh:mm"),
        "utc_offset_minutes" => utc_offset_minutes(ctx.now, "Mars/Olympus"),
        "join" => ["INV-1", 2, "INV-3"].join(", "),
        "join-huge" => {
            let items = [];
            items.pad(4000, "");
            let separator = "";
            separator.pad(60000, "x");
            for i in 0..8 { separator += separator; }
            items.join(separator)
        }
        "join-long" => {
            let separator = "";
            separator.pad(40000, "x");
            ["a", "b", "c"].join(separator)
        }
        _ => throw `unknown scenario ${ctx.params.scenario}`
    }
}
"#;

fn load(engine: &RuleEngine, name: &str) -> RulePack {
    let files = [("pack.toml", MANIFEST), ("helpers.rhai", SCRIPT)];
    super::load_temp_pack(engine, name, &files).unwrap_or_else(|error| panic!("{error}"))
}

fn pack() -> &'static RulePack {
    static PACK: std::sync::OnceLock<RulePack> = std::sync::OnceLock::new();
    PACK.get_or_init(|| load(super::engine(), "helpers"))
}

/// The decision of `pack` on `scenario`: its status and its errors (kind, message, line).
fn outcome(
    pack: &RulePack,
    scenario: &str,
) -> (DecisionStatus, Vec<(RuleErrorKind, String, Option<usize>)>) {
    let ctx = json!({
        "now": "2026-03-18T02:30:00Z",
        "account": {"id": "acc_1", "name": "Acme", "tier": "smb", "timezone": "Europe/Berlin",
                    "currency": "EUR"},
        "invoices": [], "payment_attempts": [], "activities": [], "promises": [],
        "params": {"scenario": scenario}
    });
    let parsed = pack
        .parse_context(&ctx.to_string())
        .unwrap_or_else(|error| panic!("{error}"));
    let decision = pack.evaluate(&parsed.context);
    let errors = decision
        .errors
        .iter()
        .map(|error| (error.kind, error.message.clone(), error.line))
        .collect();
    (decision.status, errors)
}

/// The 1-based line of `SCRIPT` on which `scenario`'s arm is.
fn line_of(scenario: &str) -> usize {
    let arm = format!("\"{scenario}\" =>");
    SCRIPT
        .lines()
        .position(|line| line.trim_start().starts_with(&arm))
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("no arm {scenario}"))
}

#[test]
fn every_helper_gives_the_sdk_result_in_rhai() {
    let (status, errors) = outcome(pack(), "values");
    assert_eq!(
        (status, errors.len()),
        (DecisionStatus::Complete, 0),
        "{errors:?}"
    );
}

#[test]
fn each_helper_fails_as_a_script_error_at_its_line() {
    let cases = [
        (
            "add_months",
            "date 2026-01-31 plus 9223372036854775807 months is out of range",
        ),
        (
            "add_years",
            "date 2026-01-31 plus -300000 years is out of range",
        ),
        // Every date a script holds is a real date, so the month helpers cannot fail on one; a
        // string is not converted into a date.
        ("end_of_month", "end_of_month"),
        (
            "format",
            "unknown pattern `YY` at character 7: the patterns are YYYY, MM, M, DD, D,",
        ),
        (
            "format_local",
            "unknown pattern `hh` at character 12: the patterns are YYYY, MM, M, DD, D, HH, mm,",
        ),
        ("utc_offset_minutes", "unknown time zone `Mars/Olympus`"),
        (
            "join",
            "join: item 1 of the array is i64, not a string (convert it with to_string)",
        ),
    ];
    for (scenario, expected) in cases {
        let (status, errors) = outcome(pack(), scenario);
        assert_eq!(status, DecisionStatus::HeldForReview, "{scenario}");
        let [(kind, message, line)] = errors.as_slice() else {
            panic!("{scenario}: {errors:?}");
        };
        assert_eq!(*kind, RuleErrorKind::Script, "{scenario}: {message}");
        assert!(message.contains(expected), "{scenario}: {message}");
        assert_eq!(*line, Some(line_of(scenario)), "{scenario}: {message}");
    }
}

#[test]
fn join_checks_the_size_of_its_result_before_building_it() {
    // Counted memory (the default): 4,000 empty strings joined by a 15 MB separator would be 61 GB,
    // asked of the allocator at once (which aborts the process) unless refused first.
    let (status, errors) = outcome(pack(), "join-huge");
    assert_eq!(status, DecisionStatus::HeldForReview);
    let [(kind, message, _)] = errors.as_slice() else {
        panic!("{errors:?}");
    };
    assert_eq!(*kind, RuleErrorKind::Memory, "{message}");
    // Size limits: 80 KB joined is longer than the longest string (64 KB) a script may hold,
    // though no value it joins is.
    let sized = RuleEngine::with_options(
        EngineOptions::new(Limits {
            deadline: std::time::Duration::from_secs(30),
            ..Limits::default()
        })
        .rhai_memory(RhaiMemory::SizeLimits),
    )
    .unwrap_or_else(|error| panic!("{error}"));
    let (status, errors) = outcome(&load(&sized, "helpers-sized"), "join-long");
    assert_eq!(status, DecisionStatus::HeldForReview);
    let [(kind, message, _)] = errors.as_slice() else {
        panic!("{errors:?}");
    };
    assert_eq!(*kind, RuleErrorKind::Memory, "{message}");
    assert!(message.contains("Length of string"), "{message}");
}
