//! Property tests: the JSON layer never panics and always explains a refusal, and every context it
//! accepts is evaluated by both standard packs without a panic and, when neither reports an error, to
//! the same actions and suppressions.
//!
//! Inputs are arbitrary JSON trees (shaped by the context's field names and value formats so they get
//! past the first checks) and mutations of [`crm_rules_tests::random_context`]: fields deleted or
//! nulled, values replaced by other types, date, time and amount fields replaced by random or extreme
//! text, list elements duplicated. The evaluation property starts from
//! [`crm_rules_tests::random_context_v0_2`] (with the standard pack's custom field, tag, dunning
//! state and triggers), read with the pack's vocabulary. Case counts are small enough for a debug
//! build on two cores; `PROPTEST_CASES` raises them all for a longer run. Failures are not persisted
//! to files: pin a failing input as a case in `tests/bad-input` or a unit test instead.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crm_rules_host::Decision;
use crm_rules_host::json::{InputError, ParsedContext, parse_context, parse_context_in};
use crm_rules_host::vocabulary::Vocabulary;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Number, Value};

use super::parity::comparable;

/// The configuration of every property here: `cases` cases, no regression files.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(cases);
    Config {
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::with_cases(cases)
    }
}

/// Field names of contexts and their records, so random objects sometimes look like contexts.
const FIELDS: &[&str] = &[
    "id",
    "now",
    "today",
    "account",
    "invoices",
    "deal_event",
    "payment_attempts",
    "activities",
    "promises",
    "calendar",
    "params",
    "name",
    "tier",
    "timezone",
    "currency",
    "total",
    "paid",
    "credited",
    "amount",
    "amount_due",
    "status",
    "issue_date",
    "due_date",
    "contacts",
    "balances",
    "open",
    "role",
    "settled_12m",
    "late_12m",
    "risk_score",
    "kind",
    "deal",
    "stage",
    "billing_model",
    "occurred_at",
    "at",
    "outcome",
    "weekend",
    "holidays",
];

/// Fields holding dates, instants or amounts: the targets of format mutations.
const FORMATTED: &[&str] = &[
    "now",
    "at",
    "since",
    "expires_at",
    "occurred_at",
    "issue_date",
    "due_date",
    "promised_date",
    "dunning_paused_until",
    "next_bill_date",
    "period_start",
    "period_end",
    "holidays",
    "total",
    "paid",
    "credited",
    "open",
    "unapplied_credit",
    "amount",
    "received",
    "unit_price",
    "hourly_rate",
    "balance",
    "threshold",
    "target",
    "fixed",
];

/// Words a context uses: enum names (and near misses), currency codes, zones.
const WORDS: &[&str] = &[
    "",
    "open",
    "paid",
    "draft",
    "void",
    "pending",
    "smb",
    "vip",
    "enterprise",
    "USD",
    "usd",
    "JPY",
    "KWD",
    "XYZ",
    "UTC",
    "America/New_York",
    "America/Nowhere",
    "+05:00",
    "Pacific/Kiritimati",
    "email",
    "sms",
    "pre-7",
    "due",
    "none",
    "billing",
    "send-reminder",
    "closed-won",
    "fixed",
    "milestone",
    "succeeded",
    "declined",
    "saturday",
];

fn date_like() -> BoxedStrategy<String> {
    prop_oneof![
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[+-]?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,3}",
        (0_u32..=9999, 1_u32..=12, 1_u32..=31)
            .prop_map(|(year, month, day)| format!("{year:04}-{month:02}-{day:02}")),
    ]
    .boxed()
}

fn timestamp_like() -> BoxedStrategy<String> {
    prop_oneof![
        "[0-9]{4}-[01][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-5][0-9]:[0-6][0-9](\\.[0-9]{1,10})?(Z|z|[+-][0-2][0-9]:[0-5][0-9])?",
        valid_timestamp(),
    ]
    .boxed()
}

fn amount_like() -> BoxedStrategy<String> {
    prop_oneof![
        "-?[0-9]{0,22}(\\.[0-9]{0,5})?",
        "[0-9 .,eE+_-]{0,8}",
        valid_amount(),
    ]
    .boxed()
}

/// Valid dates anywhere in years 0001 to 9999 (the day clamped to 28 so all are real).
fn valid_date() -> BoxedStrategy<String> {
    (1_u32..=9999, 1_u32..=12, 1_u32..=28)
        .prop_map(|(year, month, day)| format!("{year:04}-{month:02}-{day:02}"))
        .boxed()
}

/// Valid RFC 3339 instants in years 0001 to 9999 with offsets up to ±23:59.
fn valid_timestamp() -> BoxedStrategy<String> {
    (
        valid_date(),
        0_u32..24,
        0_u32..60,
        0_u32..60,
        prop::option::of(0_u32..1000),
        prop::option::of((any::<bool>(), 0_u32..24, 0_u32..60)),
    )
        .prop_map(|(date, hour, minute, second, millis, offset)| {
            let millis = millis.map_or_else(String::new, |ms| format!(".{ms:03}"));
            let offset = offset.map_or_else(
                || "Z".to_owned(),
                |(east, h, m)| format!("{}{h:02}:{m:02}", if east { '+' } else { '-' }),
            );
            format!("{date}T{hour:02}:{minute:02}:{second:02}{millis}{offset}")
        })
        .boxed()
}

/// Amounts that are valid in every currency (no decimals), from zero to beyond i64 minor units.
fn valid_amount() -> BoxedStrategy<String> {
    prop_oneof![
        (0_u64..100_000).prop_map(|n| n.to_string()),
        "[0-9]{1,17}",
        // Near the i64 limit of minor units: sums and differences in the rules may overflow.
        "[1-9][0-9]{15,18}",
        "0{0,3}[0-9]{1,3}\\.0{0,4}",
    ]
    .boxed()
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(WORDS).prop_map(str::to_owned),
        2 => date_like(),
        2 => timestamp_like(),
        2 => amount_like(),
        2 => ".{0,12}",
    ]
    .boxed()
}

fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        (0_u64..200).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("not finite", |f| Number::from_f64(f).map(Value::Number)),
        // Integers beyond 64 bits, which serde_json reads as floats.
        "[1-9][0-9]{19,40}".prop_map(|digits| serde_json::from_str(&digits).unwrap_or(Value::Null)),
    ]
    .boxed()
}

fn leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ]
    .boxed()
}

/// Arbitrary JSON trees, keys mostly context field names.
fn json_value() -> BoxedStrategy<Value> {
    let key = prop_oneof![3 => select(FIELDS).prop_map(str::to_owned), 1 => ".{0,6}"];
    leaf()
        .prop_recursive(5, 64, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..8)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// One edit of a document, at a node chosen by `Index` among all nodes (or the formatted ones).
#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the node from its object or list.
    Delete(Index),
    /// Replace the node with `null`.
    Null(Index),
    /// Replace the node with an arbitrary tree.
    Replace(Index, Value),
    /// Replace a date, instant or amount field with text.
    Reformat(Index, String),
    /// Replace a date field with a valid date, an instant with a valid instant, an amount with a
    /// valid amount: mostly still a valid context, with extreme values.
    Extreme(Index, String, String, String),
    /// Append a copy of a list element (duplicate ids).
    Duplicate(Index),
}

fn mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Null),
        2 => (any::<Index>(), json_value()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        3 => (any::<Index>(), text()).prop_map(|(at, text)| Mutation::Reformat(at, text)),
        3 => (any::<Index>(), valid_date(), valid_timestamp(), valid_amount())
            .prop_map(|(at, d, t, a)| Mutation::Extreme(at, d, t, a)),
        1 => any::<Index>().prop_map(Mutation::Duplicate),
    ]
    .boxed()
}

/// Mutations that usually keep a context valid (for the evaluation property).
fn benign_mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Null),
        4 => (any::<Index>(), valid_date(), valid_timestamp(), valid_amount())
            .prop_map(|(at, d, t, a)| Mutation::Extreme(at, d, t, a)),
    ]
    .boxed()
}

/// A JSON pointer token for `key`.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointers of every node below the root.
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let pointer = format!("{prefix}/{}", escape(key));
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let pointer = format!("{prefix}/{index}");
                out.push(pointer.clone());
                pointers(child, &pointer, out);
            }
        }
        _ => {}
    }
}

/// The field name a pointer ends in, ignoring list indices (`/invoices/0/due_date` -> `due_date`,
/// `/calendar/holidays/2` -> `holidays`).
fn field_of(pointer: &str) -> &str {
    pointer
        .rsplit('/')
        .find(|token| token.parse::<usize>().is_err())
        .unwrap_or("")
}

fn is_date_field(field: &str) -> bool {
    field.ends_with("_date")
        || matches!(
            field,
            "dunning_paused_until" | "holidays" | "period_start" | "period_end"
        )
}

fn is_instant_field(field: &str) -> bool {
    matches!(field, "now" | "at" | "since" | "expires_at" | "occurred_at")
}

fn apply(document: &mut Value, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(document, "", &mut all);
    let formatted: Vec<String> = all
        .iter()
        .filter(|pointer| FORMATTED.contains(&field_of(pointer)))
        .filter(|pointer| document.pointer(pointer).is_some_and(|v| !v.is_object()))
        .cloned()
        .collect();
    let pick = |from: &[String], at: &Index| (!from.is_empty()).then(|| at.get(from).clone());
    match mutation {
        Mutation::Delete(at) => {
            let Some(pointer) = pick(&all, at) else {
                return;
            };
            let (parent, token) = pointer.rsplit_once('/').unwrap_or(("", &pointer));
            match document.pointer_mut(parent) {
                Some(Value::Object(map)) => {
                    map.shift_remove(&token.replace("~1", "/").replace("~0", "~"));
                }
                Some(Value::Array(items)) => {
                    if let Ok(index) = token.parse::<usize>()
                        && index < items.len()
                    {
                        items.remove(index);
                    }
                }
                _ => {}
            }
        }
        Mutation::Null(at) => set(document, pick(&all, at), Value::Null),
        Mutation::Replace(at, value) => set(document, pick(&all, at), value.clone()),
        Mutation::Reformat(at, text) => {
            set(document, pick(&formatted, at), Value::String(text.clone()));
        }
        Mutation::Extreme(at, date, instant, amount) => {
            let Some(pointer) = pick(&formatted, at) else {
                return;
            };
            let field = field_of(&pointer);
            let text = if is_date_field(field) {
                date
            } else if is_instant_field(field) {
                instant
            } else {
                amount
            };
            set(document, Some(pointer), Value::String(text.clone()));
        }
        Mutation::Duplicate(at) => {
            let lists: Vec<String> = all
                .iter()
                .filter(|pointer| {
                    document
                        .pointer(pointer)
                        .is_some_and(|v| v.as_array().is_some_and(|items| !items.is_empty()))
                })
                .cloned()
                .collect();
            if let Some(pointer) = pick(&lists, at)
                && let Some(Value::Array(items)) = document.pointer_mut(&pointer)
            {
                let copy = items[at.index(items.len())].clone();
                items.push(copy);
            }
        }
    }
}

fn set(document: &mut Value, pointer: Option<String>, value: Value) {
    if let Some(slot) = pointer.and_then(|pointer| document.pointer_mut(&pointer)) {
        *slot = value;
    }
}

/// `document` (a generated context) with `mutations` applied in order.
fn mutated(mut document: Value, mutations: &[Mutation]) -> Value {
    for mutation in mutations {
        apply(&mut document, mutation);
    }
    document
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-text payload".to_owned())
}

/// `parse_context`, with a panic turned into a test failure.
fn parse(document: &Value) -> Result<Result<ParsedContext, InputError>, TestCaseError> {
    catch_unwind(AssertUnwindSafe(|| parse_context(document))).map_err(|payload| {
        TestCaseError::fail(format!(
            "parse_context panicked: {}\ninput: {document}",
            panic_text(&*payload)
        ))
    })
}

/// `parse_context_in` a pack's vocabulary, with a panic turned into a test failure.
fn parse_in(
    document: &Value,
    vocabulary: &Vocabulary,
) -> Result<Result<ParsedContext, InputError>, TestCaseError> {
    catch_unwind(AssertUnwindSafe(|| parse_context_in(document, vocabulary))).map_err(|payload| {
        TestCaseError::fail(format!(
            "parse_context_in panicked: {}\ninput: {document}",
            panic_text(&*payload)
        ))
    })
}

/// One step of an error path: a field or a list index.
enum Step<'a> {
    Field(&'a str),
    Index(usize),
}

/// `invoices[3].due_date` as steps; `None` if it does not read back as a path.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !name.is_empty() {
            out.push(Step::Field(name));
        }
        while !rest.is_empty() {
            let (index, after) = rest.strip_prefix('[')?.split_once(']')?;
            out.push(Step::Index(index.parse().ok()?));
            rest = after;
        }
    }
    Some(out)
}

/// An error must have a message, and its path must lead into the document: every step but the last
/// exists, and so does the last unless the field is reported missing (or is an unknown field whose
/// name does not read back as a path).
fn check_error(document: &Value, error: &InputError) -> Result<(), TestCaseError> {
    let context = || format!("error `{error}`\ninput: {document}");
    if error.message().trim().is_empty() {
        return Err(TestCaseError::fail(format!("empty message; {}", context())));
    }
    if error.path().is_empty() {
        return Ok(());
    }
    let unknown_field = error.message().starts_with("unknown field \"");
    let Some(steps) = steps(error.path()) else {
        return if unknown_field {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!(
                "path does not parse; {}",
                context()
            )))
        };
    };
    let mut node = document;
    for (position, step) in steps.iter().enumerate() {
        let next = match step {
            Step::Field(name) => node.get(*name),
            Step::Index(index) => node.get(*index),
        };
        match next {
            Some(child) => node = child,
            None if position + 1 == steps.len()
                && error.message().starts_with("missing required field") =>
            {
                return Ok(());
            }
            None if unknown_field => return Ok(()),
            None => {
                return Err(TestCaseError::fail(format!(
                    "path leads nowhere in the input; {}",
                    context()
                )));
            }
        }
    }
    Ok(())
}

/// The property of the JSON layer: no panic; `Ok`, or an error with a message and a real path.
fn parses_or_explains(document: &Value) -> Result<(), TestCaseError> {
    match parse(document)? {
        Ok(_) => Ok(()),
        Err(error) => check_error(document, &error),
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_json_never_panics_the_parser(document in json_value()) {
        parses_or_explains(&document)?;
    }

    #[test]
    fn context_shaped_json_never_panics_the_parser(
        fields in prop::collection::vec((select(FIELDS), json_value()), 0..10),
    ) {
        let document = Value::Object(
            fields.into_iter().map(|(key, value)| (key.to_owned(), value)).collect(),
        );
        parses_or_explains(&document)?;
    }

    #[test]
    fn mutated_contexts_never_panic_the_parser(
        seed in 0_u64..100_000,
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        parses_or_explains(&mutated(crm_rules_tests::random_context(seed), &mutations))?;
    }
}

/// Evaluates `parsed` with `pack`, a panic being a test failure.
fn evaluate(
    label: &str,
    pack: &crm_rules_host::RulePack,
    parsed: &ParsedContext,
    document: &Value,
) -> Result<Decision, TestCaseError> {
    catch_unwind(AssertUnwindSafe(|| pack.evaluate(&parsed.context))).map_err(|payload| {
        TestCaseError::fail(format!(
            "the {label} pack panicked: {}\ninput: {document}",
            panic_text(&*payload)
        ))
    })
}

/// Every context that parses is decided by both packs, without a panic, and identically when
/// neither reports an error. Run with an explicit runner so the test can check afterwards that
/// enough of the mutated contexts were valid for the property to mean something.
#[test]
fn accepted_contexts_are_decided_alike_by_both_packs() {
    let packs = super::standard();
    let parsed_count = std::cell::Cell::new(0_u32);
    let compared = std::cell::Cell::new(0_u32);
    let errors = std::cell::RefCell::new(Vec::new());
    let mut runner = TestRunner::new(config(400));
    let strategy = (
        0_u64..100_000,
        prop::collection::vec(benign_mutation(), 0..4),
    );
    let outcome = runner.run(&strategy, |(seed, mutations)| {
        let document = mutated(crm_rules_tests::random_context_v0_2(seed), &mutations);
        let Ok(parsed) = parse_in(&document, packs.rhai.vocabulary())? else {
            return Ok(());
        };
        parsed_count.set(parsed_count.get() + 1);
        let wasm = evaluate("component", &packs.wasm, &parsed, &document)?;
        let rhai = evaluate("Rhai", &packs.rhai, &parsed, &document)?;
        for (label, decision) in [("component", &wasm), ("Rhai", &rhai)] {
            for error in &decision.errors {
                errors
                    .borrow_mut()
                    .push(format!("{label}: {error} (seed {seed})"));
            }
        }
        if wasm.errors.is_empty() && rhai.errors.is_empty() {
            compared.set(compared.get() + 1);
            let (wasm, rhai) = (comparable(&wasm), comparable(&rhai));
            prop_assert_eq!(
                &wasm,
                &rhai,
                "component and Rhai differ\ninput: {:#}",
                document
            );
        }
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let cases = runner.config().cases;
    println!(
        "{} of {cases} mutated contexts parsed, {} compared",
        parsed_count.get(),
        compared.get()
    );
    // Errors are allowed (a rule may refuse an extreme context, a slow machine may hit a
    // deadline) but listed, so that a pattern can be noticed.
    for error in errors.borrow().iter().take(20) {
        println!("  rule error: {error}");
    }
    assert!(
        parsed_count.get() * 3 >= cases,
        "only {} of {cases} mutated contexts parsed: the property is nearly vacuous",
        parsed_count.get()
    );
}
