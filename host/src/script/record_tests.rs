//! A record reads like an object map, changes only its own copy, and names what it lacks.

use rhai::{Dynamic, Engine, Scope};

use crate::engine::RhaiMemory;
use crate::limits::Limits;

fn engine() -> Engine {
    super::super::new_engine(&Limits::default(), RhaiMemory::SizeLimits)
}

fn invoice() -> Dynamic {
    record!("invoice" {
        "id" => Dynamic::from("inv_1"),
        "status" => Dynamic::from("open"),
        "due_date" => Dynamic::UNIT,
        "amount_due" => Dynamic::from_decimal(rust_decimal::Decimal::new(12_000, 2)),
    })
}

/// Runs `script` with `invoice` and `other` (a second invoice, equal to the first) in scope.
fn run(script: &str) -> Result<Dynamic, String> {
    let mut scope = Scope::new();
    scope.push("invoice", invoice());
    scope.push("other", invoice());
    engine()
        .eval_with_scope::<Dynamic>(&mut scope, script)
        .map_err(|error| match *error {
            rhai::EvalAltResult::ErrorRuntime(message, _) => message.to_string(),
            other => other.to_string(),
        })
}

fn text(script: &str) -> String {
    run(script)
        .map(|value| value.to_string())
        .unwrap_or_else(|error| error)
}

#[test]
fn a_record_reads_like_a_map() {
    assert_eq!(text("invoice.status"), "open");
    assert_eq!(text("invoice[\"status\"]"), "open");
    assert_eq!(text("invoice.due_date == ()"), "true");
    assert_eq!(text("invoice.amount_due > 100.00"), "true");
    assert_eq!(text("\"status\" in invoice"), "true");
    assert_eq!(text("\"stauts\" in invoice"), "false");
    assert_eq!(text("invoice.get(\"stauts\") ?? \"none\""), "none");
    assert_eq!(
        text("invoice.keys()"),
        r#"["amount_due", "due_date", "id", "status"]"#
    );
    assert_eq!(text("invoice.values().len()"), "4");
    assert_eq!(text("invoice.len()"), "4");
    assert_eq!(text("invoice.is_empty()"), "false");
    assert_eq!(text("type_of(invoice)"), "Record");
    assert_eq!(
        text("let n = 0; for key in invoice.keys() { n += 1 } n"),
        "4"
    );
}

#[test]
fn a_field_the_record_lacks_is_an_error_naming_the_record_and_the_nearest_field() {
    assert_eq!(
        text("invoice.stauts"),
        "no field `stauts` in this `invoice`; did you mean `status`?"
    );
    let error = text("invoice[\"customer_mood\"]");
    assert!(
        error.starts_with("no field `customer_mood` in this `invoice` (its fields: id, status,"),
        "{error}"
    );
    assert!(
        error.ends_with("read an optional one with `invoice.get(\"customer_mood\")`"),
        "{error}"
    );
}

#[test]
fn changing_a_record_changes_that_copy_only() {
    assert_eq!(
        text("let copy = invoice; copy.status = \"paid\"; [copy.status, invoice.status]"),
        r#"["paid", "open"]"#
    );
    assert_eq!(
        text("let copy = invoice; copy[\"note\"] = 1; [copy.note, \"note\" in invoice]"),
        "[1, false]"
    );
    assert_eq!(
        text("let list = [invoice]; for i in list { i.status = \"void\" } list[0].status"),
        "open"
    );
    assert_eq!(text("invoice.note = 2; invoice.keys().len()"), "5");
}

#[test]
fn records_compare_by_their_fields() {
    assert_eq!(text("invoice == other"), "true");
    assert_eq!(text("invoice != other"), "false");
    assert_eq!(text("invoice == invoice"), "true");
    assert_eq!(text("other.status = \"paid\"; invoice == other"), "false");
    assert_eq!(text("other.note = 1; invoice != other"), "true");
    assert_eq!(text("invoice == ()"), "false");
    assert_eq!(text("invoice != ()"), "true");
}

#[test]
fn to_map_gives_a_map_of_its_own_for_everything_else_a_map_does() {
    assert_eq!(
        text("let m = invoice.to_map(); m.remove(\"status\"); [m.len(), invoice.len()]"),
        "[3, 4]"
    );
    assert_eq!(
        text("let m = #{}; m.mixin(invoice.to_map()); m.id"),
        "inv_1"
    );
    assert_eq!(
        text("invoice.to_json()"),
        text("invoice.to_map().to_json()")
    );
    assert!(text("invoice.to_json()").contains(r#""status":"open""#));
    assert_eq!(
        text("invoice.to_string()"),
        r#"invoice #{"amount_due": 120.00, "due_date": (), "id": "inv_1", "status": "open"}"#
    );
}

#[test]
fn what_only_a_map_does_is_an_error_that_points_to_to_map() {
    let mut scope = Scope::new();
    scope.push("invoice", invoice());
    let error = engine()
        .eval_with_scope::<Dynamic>(&mut scope, "invoice.remove(\"status\")")
        .expect_err("records have no remove");
    let failure = super::super::classify(&error, std::time::Duration::from_secs(1));
    assert!(
        failure
            .message
            .starts_with("function not found: remove (Record,"),
        "{}",
        failure.message
    );
    assert!(
        failure
            .message
            .ends_with("`record.to_map()` gives a map of your own for what only maps do"),
        "{}",
        failure.message
    );
}

/// Rhai's size checks do not look inside a host type: what a script stores in records is charged
/// to its budget instead, so it cannot hide data there when memory is not counted.
#[test]
fn what_a_script_stores_in_records_is_charged_without_counted_memory() {
    let limits = Limits {
        max_memory_bytes: 1 << 20,
        ..Limits::default()
    };
    let script = "
        let big = [];
        big.pad(1000, \"0123456789abcdef0123456789abcdef\");
        let kept = [];
        for i in 0..1000 { let copy = invoice; copy.note = big; kept.push(copy); }
        kept.len()";
    super::super::budget::start(&limits, false);
    let mut scope = Scope::new();
    scope.push("invoice", invoice());
    let error = engine()
        .eval_with_scope::<Dynamic>(&mut scope, script)
        .expect_err("stopped by the memory limit");
    let failure = super::super::classify(&error, limits.deadline);
    assert_eq!(
        failure.kind,
        crate::RuleErrorKind::Memory,
        "{}",
        failure.message
    );

    // Reading and setting small fields stays well within it.
    super::super::budget::start(&limits, false);
    let mut scope = Scope::new();
    scope.push("invoice", invoice());
    let fine = engine()
        .eval_with_scope::<Dynamic>(
            &mut scope,
            "let n = 0; for i in 0..1000 { let copy = invoice; copy.status = \"paid\"; n += 1 } n",
        )
        .map_err(|error| error.to_string());
    assert_eq!(fine.map(|n| n.as_int()), Ok(Ok(1000)));
}
