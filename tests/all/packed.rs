//! The packed context (`crm_rules_contract::packed`, what a component exporting `evaluate-packed`
//! is given) against every context the repository has: each fixture of every pack, and generated
//! accounts, come back from packing exactly as they went in. And the typed crossing, which a
//! component exporting only `evaluate` is given: the typed mirror (`tests/mirror`) returns every
//! standard fixture's context as it received it.

use crm_rules_guest::packed::{pack_context, unpack_context};
use crm_rules_guest::types::ActionDetail;
use crm_rules_guest::types::Context;
use crm_rules_host::RulePack;
use crm_rules_host::fixture;
use crm_rules_host::json::parse_context_in;

fn load(dir: &str) -> RulePack {
    super::engine()
        .load_pack(crm_rules_tests::root().join(dir))
        .unwrap_or_else(|error| panic!("{dir}: {error}"))
}

fn round_trip(ctx: &Context, what: &str) {
    let mut bytes = Vec::new();
    pack_context(ctx, &[], &mut bytes);
    let back = unpack_context(&bytes).unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(&back == ctx, "{what}: the context changed on its way");
}

#[test]
fn every_fixture_context_comes_back_as_it_went() {
    let mut checked = 0;
    for dir in [
        "rules/standard/rust",
        "rules/examples/overdue-states/rust",
        "rules/examples/invoice-ladder",
    ] {
        let pack = load(dir);
        for loaded in fixture::load_dir(&pack.fixtures_dir()).expect("fixtures load") {
            // Cases about bad input have contexts that do not parse: nothing of theirs crosses.
            if let Ok(parsed) = parse_context_in(&loaded.input, pack.vocabulary()) {
                round_trip(&parsed.context, &format!("{dir}: {}", loaded.case.name));
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 230,
        "only {checked} fixture contexts were checked"
    );
}

#[test]
fn generated_accounts_come_back_as_they_went() {
    let pack = load("rules/standard/rust");
    for seed in 0..200 {
        let raw = crm_rules_tests::random_context_v0_2(seed);
        let parsed = parse_context_in(&raw, pack.vocabulary())
            .unwrap_or_else(|error| panic!("seed {seed}: {error}"));
        round_trip(&parsed.context, &format!("seed {seed}"));
    }
}

/// The context the typed mirror received, from its one action.
fn mirrored(mirror: &RulePack, ctx: &Context, what: &str) -> Context {
    let decision = mirror.evaluate(ctx);
    assert!(decision.errors.is_empty(), "{what}: {:?}", decision.errors);
    let [decided] = decision.actions.as_slice() else {
        panic!(
            "{what}: the mirror returned {} actions",
            decision.actions.len()
        );
    };
    let ActionDetail::NotifyInternal(notification) = &decided.action.detail else {
        panic!("{what}: the mirror returned {:?}", decided.action.detail);
    };
    let hex = notification.message.as_bytes();
    let bytes: Vec<u8> = hex
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect();
    unpack_context(&bytes).unwrap_or_else(|error| panic!("{what}: {error}"))
}

#[test]
fn a_component_that_takes_the_context_typed_receives_every_fixture_whole() {
    let standard = load("rules/standard/rust");
    let mirror = load("tests/mirror");
    let mut checked = 0;
    for loaded in fixture::load_dir(&standard.fixtures_dir()).expect("fixtures load") {
        let Ok(parsed) = parse_context_in(&loaded.input, mirror.vocabulary()) else {
            continue;
        };
        let what = &loaded.case.name;
        // What the host sends: the context, then the pack's parameter defaults it lacks.
        let mut sent = parsed.context.clone();
        mirror.apply_param_defaults(&mut sent);
        assert!(
            mirrored(&mirror, &parsed.context, what) == sent,
            "{what}: the context changed"
        );
        checked += 1;
    }
    assert!(
        checked >= 160,
        "only {checked} fixture contexts were checked"
    );
}
