//! The lazily converted, shared, read-only `ctx`: what a module reads is converted once per
//! evaluation, nothing else is; writes into it are errors; copies are the script's own; and a
//! handle kept past its evaluation reads as an error.

use rhai::{Dynamic, Engine, Scope};

use super::*;
use crate::engine::RhaiMemory;
use crate::limits::Limits;

fn context() -> crm_rules_contract::types::Context {
    let vocabulary = crm_rules_contract::vocabulary::Vocabulary {
        states: vec!["suspended".to_owned()],
        ..crm_rules_contract::vocabulary::Vocabulary::contract_0_1()
    };
    let text = include_str!("record_fields_context.json");
    crate::json::parse_context_in(&crate::json::parse_json(text).expect("json"), &vocabulary)
        .expect("a context with every optional field")
        .context
}

fn engine() -> Engine {
    super::super::new_engine(&Limits::default(), RhaiMemory::SizeLimits)
}

/// Runs `script` (which defines `fn run(ctx)`) on `handle`.
fn run(engine: &Engine, script: &str, handle: &ScriptContext) -> Result<Dynamic, String> {
    let ast = engine.compile(script).expect("compiles");
    engine
        .call_fn::<Dynamic>(
            &mut Scope::new(),
            &ast,
            "run",
            (Dynamic::from(handle.clone()),),
        )
        .map_err(|error| error.to_string())
}

/// The names of the fields `view` has read so far.
fn read(view: &ScriptContext) -> Vec<&'static str> {
    FIELDS
        .iter()
        .zip(&view.view.fields)
        .filter(|(_, slot)| slot.get().is_some())
        .map(|(name, _)| *name)
        .collect()
}

/// The names of the fields converted and kept for a later module.
fn kept(conversion: &Conversion) -> Vec<&'static str> {
    let converted = conversion.converted.lock().expect("not poisoned");
    FIELDS
        .iter()
        .zip(converted.iter())
        .filter(|(_, slot)| slot.is_some())
        .map(|(name, _)| *name)
        .collect()
}

fn with_conversion<R>(evaluate: impl FnOnce(&Arc<Conversion>) -> R) -> R {
    let ctx = context();
    let vocabulary = crm_rules_contract::vocabulary::Vocabulary::contract_0_1();
    let sources = Sources {
        ctx: &ctx,
        defaults: &[],
        vocabulary: &vocabulary,
    };
    lend(&sources, evaluate)
}

#[test]
fn a_module_converts_only_what_it_reads_and_the_last_takes_the_conversion() {
    let engine = engine();
    with_conversion(|conversion| {
        let first = conversion.module_view(false);
        let one = run(&engine, "fn run(ctx) { 1 }", &first).expect("runs");
        assert_eq!(one.as_int(), Ok(1));
        assert!(read(&first).is_empty(), "{:?}", read(&first));
        let id = run(&engine, "fn run(ctx) { ctx.account.id }", &first).expect("runs");
        assert_eq!(id.into_string().expect("a text"), "acc_1");
        assert_eq!(read(&first), ["account"]);
        assert_eq!(kept(conversion), ["account"], "kept for the next module");
        let once = first.field(3).expect("account");
        assert!(
            once.is_shared(),
            "a record is shared by its readers in a module"
        );
        let count = run(
            &engine,
            "fn run(ctx) { ctx.invoices.len() + ctx[\"invoices\"].len() }",
            &first,
        )
        .expect("runs");
        assert_eq!(count.as_int(), Ok(2));
        assert_eq!(read(&first), ["account", "invoices"]);

        let last = conversion.module_view(true);
        let id = run(&engine, "fn run(ctx) { ctx.account.id }", &last).expect("runs");
        assert_eq!(id.into_string().expect("a text"), "acc_1");
        assert_eq!(
            kept(conversion),
            ["invoices"],
            "the last module took the account"
        );
    });
}

#[test]
fn a_module_may_change_its_own_view_and_the_next_module_sees_the_context() {
    let engine = engine();
    with_conversion(|conversion| {
        let first = conversion.module_view(false);
        let changed = run(
            &engine,
            "fn run(ctx) {
                 ctx.invoices[0].status = \"paid\";
                 ctx.invoices.push(1);
                 ctx.seen_keys[\"k\"] = true;
                 ctx.account.tags.clear();
                 `${ctx.invoices.len()} ${ctx.invoices[0].status} ${\"k\" in ctx.seen_keys}`
             }",
            &first,
        )
        .expect("a module may change its view");
        assert_eq!(changed.into_string().expect("a text"), "2 paid true");
        let second = conversion.module_view(true);
        let seen = run(
            &engine,
            "fn run(ctx) {
                 `${ctx.invoices.len()} ${ctx.invoices[0].status} ${\"k\" in ctx.seen_keys} \
                  ${ctx.account.tags}`
             }",
            &second,
        )
        .expect("runs");
        assert_eq!(
            seen.into_string().expect("a text"),
            "1 open false [\"vip\"]"
        );
        let assigned = run(&engine, "fn run(ctx) { ctx.account = 1; }", &second);
        assert!(assigned.is_err(), "ctx has no setter: {assigned:?}");
    });
}

#[test]
fn a_misspelt_field_is_an_error_and_the_context_lists_its_fields() {
    let engine = engine();
    with_conversion(|conversion| {
        let view = conversion.module_view(true);
        let error = run(&engine, "fn run(ctx) { ctx.invoicez }", &view).unwrap_err();
        assert!(error.contains("invoicez"), "{error}");
        let keys = run(
            &engine,
            "fn run(ctx) { `${ctx.keys().len()} ${\"params\" in ctx} ${\"x\" in ctx}` }",
            &view,
        )
        .expect("runs");
        assert_eq!(keys.into_string().expect("a text"), "14 true false");
    });
}

#[test]
fn a_view_kept_past_its_evaluation_reads_as_an_error() {
    let kept = with_conversion(|conversion| conversion.module_view(true));
    let error = kept.named("account").unwrap_err().to_string();
    assert!(error.contains("no longer available"), "{error}");
}

/// How many fields of the record in `value` have been converted from the typed context.
fn fields_read(value: &Dynamic) -> usize {
    let record = value
        .read_lock::<crate::script::record::Record>()
        .expect("a record");
    record.fields_read()
}

#[test]
fn a_record_converts_a_field_when_it_is_first_read_and_only_then() {
    let engine = engine();
    with_conversion(|conversion| {
        let view = conversion.module_view(true);
        let invoices = view.field(4).expect("invoices");
        let invoice = invoices.into_array().expect("a list").remove(0);
        assert_eq!(
            fields_read(&invoice),
            0,
            "listing the invoices reads no field"
        );
        let ast = engine
            .compile(
                "fn run(invoice) { `${invoice.status} ${invoice.status} ${invoice.amount_due}` }",
            )
            .expect("compiles");
        let text: Dynamic = engine
            .call_fn(&mut Scope::new(), &ast, "run", (invoice.clone(),))
            .expect("runs");
        assert_eq!(text.into_string().expect("a text"), "open open 1200.00");
        assert_eq!(fields_read(&invoice), 2, "status once, amount_due once");
    });
}

#[test]
fn changing_a_record_read_from_the_context_changes_the_modules_copy_only() {
    let engine = engine();
    with_conversion(|conversion| {
        let view = conversion.module_view(true);
        let changed = run(
            &engine,
            "fn run(ctx) {
                 let invoice = ctx.invoices[0];
                 invoice.status = \"void\";
                 invoice.note = 1;
                 `${invoice.status} ${invoice.note} ${invoice.id} ${ctx.invoices[0].status} \
                  ${\"note\" in ctx.invoices[0]}`
             }",
            &view,
        )
        .expect("runs");
        assert_eq!(
            changed.into_string().expect("a text"),
            "void 1 inv_1 open false"
        );
    });
}

#[test]
fn a_record_kept_past_its_evaluation_reads_as_an_error() {
    let engine = engine();
    let kept = with_conversion(|conversion| {
        let view = conversion.module_view(true);
        view.field(3).expect("account")
    });
    let ast = engine
        .compile("fn run(account) { account.name }")
        .expect("compiles");
    let error = engine
        .call_fn::<Dynamic>(&mut Scope::new(), &ast, "run", (kept,))
        .unwrap_err()
        .to_string();
    assert!(error.contains("no longer available"), "{error}");
}
