//! A host that does not install `CountingAllocator` must choose how Rhai memory is capped: the
//! default (counted) refuses to build, naming the choice; `RhaiMemory::SizeLimits` builds, and
//! its Rhai rules still run. This binary deliberately keeps the system allocator.
// See: issue 9, item 3.

use crm_rules_host::{DecisionStatus, EngineOptions, LoadError, RhaiMemory, RuleEngine};

#[test]
fn the_default_engine_names_the_missing_allocator_and_the_alternative() {
    let Err(error) = RuleEngine::with_options(EngineOptions::default()) else {
        panic!("an engine with counted Rhai memory was built without the counting allocator");
    };
    assert!(matches!(error, LoadError::Engine(_)), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("CountingAllocator"), "{message}");
    assert!(message.contains("RhaiMemory::SizeLimits"), "{message}");
}

#[test]
fn size_limits_are_an_explicit_choice_that_still_caps_a_growing_string() {
    let engine =
        RuleEngine::with_options(EngineOptions::default().rhai_memory(RhaiMemory::SizeLimits))
            .expect("engine");
    let pack = engine
        .load_pack(crm_rules_tests::root().join("tests/hostile/rhai-string"))
        .expect("pack");
    let mut input = crm_rules_tests::random_context(1);
    if let Some(object) = input.as_object_mut() {
        object.remove("deal_event");
    }
    let ctx = crm_rules_host::json::context_from_value(&input).expect("context");
    let decision = pack.evaluate(&ctx);
    assert_eq!(decision.status, DecisionStatus::HeldForReview);
    assert_eq!(
        decision.errors.first().map(|error| error.kind),
        Some(crm_rules_host::RuleErrorKind::Memory),
        "{:?}",
        decision.errors
    );
}
