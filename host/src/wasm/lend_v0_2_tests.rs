//! The lent context borrows the host's texts, appends the extra parameters after the context's
//! own, and leaves the thread's arena empty for the next evaluation.

use crm_rules_contract::types::{Context, Param, ParamValue};

use super::{context, with_arena};

/// A context with every optional field set (the Rhai record tests' context), and one parameter.
fn sample() -> Context {
    let text = include_str!("../script/record_fields_context.json");
    let vocabulary = crm_rules_contract::vocabulary::Vocabulary {
        states: vec!["suspended".to_owned()],
        ..crm_rules_contract::vocabulary::Vocabulary::contract_0_1()
    };
    let mut ctx =
        crate::json::parse_context_in(&crate::json::parse_json(text).expect("json"), &vocabulary)
            .expect("a context with every optional field")
            .context;
    ctx.params = vec![integer("own", 1)];
    ctx
}

fn integer(name: &str, value: i64) -> Param {
    Param {
        name: name.to_owned(),
        value: ParamValue::Integer(value),
    }
}

#[test]
fn texts_are_the_contexts_own_not_copies() {
    let ctx = sample();
    with_arena(|arena| {
        let lent = context(&ctx, &[], arena);
        let (invoice, lent_invoice) = (&ctx.invoices[0], &lent.invoices[0]);
        assert_eq!(lent_invoice.id, invoice.id);
        assert!(std::ptr::eq(lent_invoice.id, invoice.id.as_str()));
        assert!(std::ptr::eq(lent.account.name, ctx.account.name.as_str()));
        assert_eq!(lent.activities.len(), ctx.activities.len());
        assert_eq!(lent.account.contacts.len(), ctx.account.contacts.len());
    });
}

#[test]
fn extra_params_follow_the_contexts_own_in_order() {
    let ctx = sample();
    let (first, second) = (integer("first_default", 2), integer("second_default", 3));
    with_arena(|arena| {
        let names = |params: &[super::wit::Param<'_>]| -> Vec<String> {
            params.iter().map(|param| param.name.to_owned()).collect()
        };
        assert_eq!(names(context(&ctx, &[], arena).params), ["own"]);
        assert_eq!(
            names(context(&ctx, &[&first, &second], arena).params),
            ["own", "first_default", "second_default"]
        );
    });
}

#[test]
fn the_next_evaluation_gets_the_same_arena_emptied() {
    let ctx = sample();
    let used = with_arena(|arena| {
        context(&ctx, &[], arena);
        arena.allocated_bytes()
    });
    assert!(
        used > 0,
        "the invoices and activities were laid out in the arena"
    );
    let first_place = |arena: &bumpalo::Bump| {
        // Kept: the largest block the last lending grew is still there...
        assert!(arena.allocated_bytes() > 0);
        std::ptr::from_ref(arena.alloc(0_u64)) as usize
    };
    // ...and emptied: each evaluation starts at the same place, not below the last one's.
    assert_eq!(with_arena(first_place), with_arena(first_place));
}
