//! `ctx.seen_keys` reads as the map of keys it replaced: the same keys, each once, in the same
//! order, looked up by `contains`, `in`, `get` and `[]`; a key a script sets stays in its copy.

use crm_rules_contract::types::Context;
use rhai::{Dynamic, Scope};

use crate::engine::RhaiMemory;
use crate::limits::Limits;
use crate::script::lazy_context::lend;
use crate::script::sources::Sources;

/// The test context with keys in every place: activities (one repeated), an invoice's source key
/// and the credit hold.
fn context() -> Context {
    let vocabulary = crm_rules_contract::vocabulary::Vocabulary {
        states: vec!["suspended".to_owned()],
        ..crm_rules_contract::vocabulary::Vocabulary::contract_0_1()
    };
    let text = include_str!("record_fields_context.json");
    let mut ctx =
        crate::json::parse_context_in(&crate::json::parse_json(text).expect("json"), &vocabulary)
            .expect("a context with every optional field")
            .context;
    let activity = ctx.activities.first().expect("an activity").clone();
    for key in ["esc:acc_1:USD:30:inv_1", "rem:inv_1:pre-7", "a-first"] {
        let mut more = activity.clone();
        more.key = key.to_owned();
        ctx.activities.push(more);
    }
    if let Some(invoice) = ctx.invoices.first_mut() {
        invoice.source_key = Some("bill:deal_9:m1".to_owned());
    }
    ctx
}

/// Runs `script` (which defines `fn run(ctx)`) on `ctx`; an error is the message a rule's author
/// reads.
fn run_on(ctx: &Context, script: &str) -> Result<Dynamic, String> {
    let engine = super::super::new_engine(&Limits::default(), RhaiMemory::SizeLimits);
    let ast = engine.compile(script).expect("compiles");
    let vocabulary = crm_rules_contract::vocabulary::Vocabulary::contract_0_1();
    let sources = Sources {
        ctx,
        defaults: &[],
        vocabulary: &vocabulary,
    };
    lend(&sources, |conversion| {
        let handle = Dynamic::from(conversion.module_view(true));
        engine
            .call_fn::<Dynamic>(&mut Scope::new(), &ast, "run", (handle,))
            .map_err(|error| super::super::classify(&error, Limits::default().deadline).message)
    })
}

/// Runs `script` on the test context.
fn run(script: &str) -> Result<Dynamic, String> {
    run_on(&context(), script)
}

fn text(script: &str) -> String {
    let value = run(script).expect("runs");
    value.into_string().expect("a text")
}

#[test]
fn every_key_of_the_context_is_there_once_sorted_as_a_map_sorts_keys() {
    assert_eq!(
        text("fn run(ctx) { `${ctx.seen_keys.keys()} ${ctx.seen_keys.len()}` }"),
        "[\"a-first\", \"bill:deal_9:m1\", \"esc:acc_1:USD:30:inv_1\", \"hold:acc_1\", \
         \"rem:inv_1:pre-7\"] 5"
    );
    assert_eq!(
        text("fn run(ctx) { ctx.seen_keys.to_json() }"),
        text("fn run(ctx) { ctx.seen_keys.to_map().to_json() }"),
    );
    assert_eq!(
        text("fn run(ctx) { `${ctx.seen_keys.values()} ${type_of(ctx.seen_keys)}` }"),
        "[true, true, true, true, true] SeenKeys"
    );
}

#[test]
fn each_way_of_looking_a_key_up_finds_what_a_map_would() {
    for key in [
        "a-first",
        "bill:deal_9:m1",
        "esc:acc_1:USD:30:inv_1",
        "hold:acc_1",
        "rem:inv_1:pre-7",
    ] {
        let script = format!(
            "fn run(ctx) {{ let k = \"{key}\"; \
             `${{ctx.seen_keys.contains(k)}} ${{k in ctx.seen_keys}} ${{ctx.seen_keys.get(k)}} \
             ${{ctx.seen_keys[k]}}` }}"
        );
        assert_eq!(text(&script), "true true true true", "{key}");
    }
    assert_eq!(
        text(
            "fn run(ctx) { let k = \"rem:inv_1:pre-8\"; \
             `${ctx.seen_keys.contains(k)} ${k in ctx.seen_keys} ${ctx.seen_keys.get(k) ?? \"none\"}` }"
        ),
        "false false none"
    );
    let error = run("fn run(ctx) { ctx.seen_keys[\"rem:inv_1:pre-8\"] }").unwrap_err();
    assert!(error.contains("rem:inv_1:pre-8"), "{error}");
}

#[test]
fn a_key_set_in_a_copy_is_in_that_copy_only() {
    assert_eq!(
        text(
            "fn run(ctx) { let mine = ctx.seen_keys; mine[\"new\"] = 5; mine[\"hold:acc_1\"] = false; \
             `${mine.len()} ${mine[\"new\"]} ${mine.get(\"hold:acc_1\")} ${\"new\" in ctx.seen_keys} \
             ${ctx.seen_keys.len()} ${mine == ctx.seen_keys}` }"
        ),
        "6 5 false false 5 false"
    );
}

#[test]
fn what_only_a_map_does_is_an_error_that_points_to_to_map() {
    let error = run("fn run(ctx) { ctx.seen_keys.remove(\"a-first\") }").unwrap_err();
    assert!(
        error.starts_with("function not found: remove (SeenKeys,"),
        "{error}"
    );
    assert!(
        error.ends_with("`ctx.seen_keys.to_map()` gives a map of your own for what only maps do")
    );
    assert_eq!(
        text("fn run(ctx) { let m = ctx.seen_keys.to_map(); m.remove(\"a-first\"); `${m.len()}` }"),
        "4"
    );
}

#[test]
fn a_context_without_keys_has_none() {
    assert_eq!(
        text("fn run(ctx) { `${ctx.seen_keys.is_empty()}` }"),
        "false"
    );
    let empty = Context {
        activities: Vec::new(),
        invoices: Vec::new(),
        ..context()
    };
    let mut account = empty.account.clone();
    account.credit_hold = None;
    let ctx = Context { account, ..empty };
    let printed = run_on(
        &ctx,
        "fn run(ctx) { `${ctx.seen_keys.is_empty()} ${ctx.seen_keys.len()} ${ctx.seen_keys}` }",
    )
    .expect("runs");
    assert_eq!(printed.into_string().expect("a text"), "true 0 #{}");
}

#[test]
fn lookups_find_the_same_keys_before_and_after_the_keys_are_sorted() {
    // Each round looks up five present keys and two absent ones: the first lookups scan, the later
    // ones search the sorted keys.
    let rounds = 2 + super::SCANS_BEFORE_SORTING / 7;
    let script = format!(
        "fn run(ctx) {{ let found = []; for round in 0..{rounds} {{ \
           for k in [\"a-first\", \"bill:deal_9:m1\", \"esc:acc_1:USD:30:inv_1\", \"hold:acc_1\", \
                     \"rem:inv_1:pre-7\", \"rem:inv_1:pre-8\", \"\"] {{ found.push(k in ctx.seen_keys); }} }} \
           `${{found}}` }}"
    );
    let once = "true, true, true, true, true, false, false";
    let expected = format!("[{}]", vec![once; rounds].join(", "));
    assert_eq!(text(&script), expected);
}
