//! Regressions for the sandbox holes found from outside (issue 9, items 1-4): built-ins that
//! block, limits a pack could raise past the host's, and misspelled fields read as nothing.

use std::time::Duration;

use crm_rules_host::{DecisionStatus, LimitOverrides, Limits, LoadError, RuleErrorKind, RulePack};

fn load(dir: &str) -> Result<RulePack, LoadError> {
    super::engine().load_pack(crm_rules_tests::root().join("tests/hostile").join(dir))
}

fn scheduled_context() -> crm_rules_host::types::Context {
    let mut input = crm_rules_tests::realistic_context(3);
    if let Some(object) = input.as_object_mut() {
        object.remove("deal_event");
    }
    crm_rules_host::json::context_from_value(&input).expect("valid context")
}

#[test]
fn sleep_does_not_exist() {
    let decision = load("rhai-sleep").unwrap().evaluate(&scheduled_context());
    let error = decision.errors.first().expect("an error");
    assert_eq!(error.kind, RuleErrorKind::Script, "{error}");
    assert!(error.message.contains("sleep"), "{error}");
    assert_eq!((error.line, error.column), (Some(3), Some(5)), "{error}");
}

#[test]
fn a_pack_cannot_raise_its_limits_past_the_hosts_ceiling() {
    let Err(error) = load("limits-above-ceiling") else {
        panic!("a pack asking for a trillion operations loaded");
    };
    let LoadError::LimitAboveCeiling { error: source, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(source.limit, "rhai_max_operations", "{error}");
    assert_eq!(
        (source.asked, source.ceiling),
        (1_000_000_000_000, 10_000_000)
    );
    assert!(
        error.to_string().contains("may only lower limits"),
        "{error}"
    );
}

#[test]
fn a_per_call_override_may_lower_a_limit_but_not_raise_it() {
    let pack = load("rhai-typo").unwrap();
    let ctx = scheduled_context();
    let raise = LimitOverrides {
        deadline_ms: Some(3_600_000),
        ..LimitOverrides::default()
    };
    let error = pack.evaluate_with_limits(&ctx, None, &raise).unwrap_err();
    assert_eq!((error.limit, error.ceiling), ("deadline_ms", 30_000));
    let lower = LimitOverrides {
        rhai_max_operations: Some(1),
        ..LimitOverrides::default()
    };
    let decision = pack.evaluate_with_limits(&ctx, None, &lower).unwrap();
    assert_eq!(decision.errors[0].kind, RuleErrorKind::OutOfFuel);
}

#[test]
fn the_engine_limits_are_the_ceilings_a_pack_inherits() {
    let ceilings = Limits {
        deadline: Duration::from_millis(250),
        ..Limits::default()
    };
    let engine = crm_rules_host::RuleEngine::new(ceilings).unwrap();
    let pack = engine
        .load_pack(crm_rules_tests::root().join("tests/hostile/rhai-print"))
        .unwrap();
    assert_eq!(pack.limits().deadline, Duration::from_millis(250));
}

#[test]
fn a_misspelled_field_is_an_error_naming_the_record_the_field_and_the_place() {
    let decision = load("rhai-typo").unwrap().evaluate(&scheduled_context());
    assert_eq!(decision.status, DecisionStatus::HeldForReview);
    let error = decision.errors.first().expect("an error");
    assert_eq!(error.kind, RuleErrorKind::Script, "{error}");
    assert!(
        error
            .message
            .contains("no field `stauts` in this `invoice`; did you mean `status`?"),
        "{error}"
    );
    assert_eq!(error.line, Some(5), "{error}");
    assert!(error.column.is_some(), "{error}");
}

#[test]
fn a_misspelled_parameter_is_an_error_suggesting_the_declared_one() {
    let decision = load("rhai-param-typo")
        .unwrap()
        .evaluate(&scheduled_context());
    let error = decision.errors.first().expect("an error");
    assert!(
        error
            .message
            .contains("the pack declares no parameter `sms_maxx`; did you mean `sms_max`?"),
        "{error}"
    );
    assert_eq!(error.line, Some(3), "{error}");
}

#[test]
fn an_error_inside_the_prelude_points_at_the_prelude_not_the_module() {
    let decision = load("rhai-prelude-error")
        .unwrap()
        .evaluate(&scheduled_context());
    let error = decision.errors.first().expect("an error");
    assert_eq!(error.kind, RuleErrorKind::Script, "{error}");
    assert_eq!(error.file.as_deref(), Some("shared.rhai"), "{error}");
    assert_eq!((error.line, error.column), (Some(5), Some(9)), "{error}");
    assert!(
        error
            .to_string()
            .starts_with("module `hostile` failed at shared.rhai:5:9"),
        "{error}"
    );
    // An error in the module itself names the module's file.
    let decision = load("rhai-typo").unwrap().evaluate(&scheduled_context());
    assert_eq!(decision.errors[0].file.as_deref(), Some("typo.rhai"));
}
