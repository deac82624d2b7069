//! Large accounts: both backends decide an account of 10,000 open invoices within the default
//! limits, identically, and the component's cost per invoice does not grow with the account (issue
//! 9: work per invoice that scanned the whole history made an evaluation quadratic, and accounts of
//! a few thousand invoices ran out of fuel).
//!
//! Decisions use the test engine's limits (see `engine()`): the defaults, but for a 30 s wall-clock
//! backstop, since a debug build on a loaded machine is no measure of time. Every deterministic
//! limit (fuel, operations, memory, output) is the default.

use crm_rules_host::types::Context;
use crm_rules_host::{Decision, DecisionStatus, LimitOverrides, RuleErrorKind, RulePack};
use crm_rules_tests::large_account;
use serde_json::Value;

use super::parity::comparable;

fn context(value: &Value) -> Context {
    crm_rules_host::json::context_from_value(value).expect("a large account is a valid context")
}

/// Where two decisions first differ (the whole decision of 10,000 invoices is too long to print).
fn first_difference(wasm: &Value, rhai: &Value) -> Option<String> {
    for part in ["status", "errors", "actions", "suppressed"] {
        let (left, right) = (&wasm[part], &rhai[part]);
        if left == right {
            continue;
        }
        let (Some(left), Some(right)) = (left.as_array(), right.as_array()) else {
            return Some(format!("{part}: component {left}, Rhai {right}"));
        };
        let index = left.iter().zip(right).position(|(l, r)| l != r);
        return Some(match index {
            Some(i) => format!("{part}[{i}]: component {}, Rhai {}", left[i], right[i]),
            None => format!(
                "{part}: component {} entries, Rhai {}",
                left.len(),
                right.len()
            ),
        });
    }
    None
}

/// Fuel per invoice of each module of the component, on an account of `invoices` invoices.
fn component_fuel_per_invoice(shape: large_account::Shape, invoices: usize) -> Vec<(String, f64)> {
    let decision = super::standard().wasm.evaluate(&context(&shape(invoices)));
    assert_eq!(decision.errors, Vec::new(), "{invoices} invoices");
    decision
        .cost
        .iter()
        .map(|cost| (cost.module.clone(), cost.fuel as f64 / invoices as f64))
        .collect()
}

/// Fuel is deterministic, so linear growth can be asserted exactly: fuel per invoice at 1,000
/// invoices is at most 1.5 times that at 100 (fixed costs spread over more invoices make it lower;
/// when look-ups scanned the history per invoice, the reminder module's figure at 800 invoices was
/// already 1.8 times, on the mixed account 5.6 times, the figure at 100).
#[test]
fn component_fuel_per_invoice_does_not_grow_with_the_account() {
    for (name, shape) in large_account::SHAPES {
        let small = component_fuel_per_invoice(shape, 100);
        let large = component_fuel_per_invoice(shape, 1_000);
        for ((module, at_100), (_, at_1000)) in small.iter().zip(&large) {
            println!(
                "{name}, {module}: {at_100:.0} fuel per invoice at 100, {at_1000:.0} at 1,000"
            );
            assert!(
                *at_1000 <= 1.5 * at_100,
                "{name}, {module}: {at_1000:.0} fuel per invoice at 1,000 invoices, {at_100:.0} at 100"
            );
        }
    }
}

/// Issue 9's account at 10,000 invoices (every one due yesterday, so every one gets a reminder) and
/// an account of 10,000 invoices with a history: complete on both backends within the default
/// limits, with the same actions and suppressions.
#[test]
fn both_backends_decide_an_account_of_10000_open_invoices_within_the_defaults() {
    let packs = super::standard();
    for (name, shape) in large_account::SHAPES {
        let ctx = context(&shape(10_000));
        let wasm = packs.wasm.evaluate(&ctx);
        assert_eq!(wasm.errors, Vec::new(), "{name}: component");
        assert_eq!(wasm.status, DecisionStatus::Complete, "{name}: component");
        let rhai = packs.rhai.evaluate(&ctx);
        assert_eq!(rhai.errors, Vec::new(), "{name}: Rhai");
        assert_eq!(rhai.status, DecisionStatus::Complete, "{name}: Rhai");
        if let Some(difference) = first_difference(&comparable(&wasm), &comparable(&rhai)) {
            panic!("{name}: the component and Rhai decide differently: {difference}");
        }
        let reminders = wasm
            .actions
            .iter()
            .filter(|decided| decided.module == "reminders")
            .count();
        println!(
            "{name}: {reminders} reminder actions, {} in all, {} suppressions; cost {:?}",
            wasm.actions.len(),
            wasm.suppressed.len(),
            wasm.cost.iter().chain(&rhai.cost).collect::<Vec<_>>()
        );
        if name == "due yesterday" {
            assert_eq!(reminders, 10_000, "one post-1 reminder per invoice");
        }
    }
}

/// The output limits are the host's and mean the same on both backends: 1,000 reminders are over a
/// limit of 999 entries, and over a limit of 50,000 bytes of text, with the same error (which
/// counts the bytes) from the component and from Rhai; at a limit of 1,000 entries both decide.
#[test]
fn output_limits_mean_the_same_on_both_backends() {
    let packs = super::standard();
    let ctx = context(&large_account::due_yesterday(1_000));
    let over = [
        LimitOverrides {
            max_output_entries: Some(999),
            ..LimitOverrides::default()
        },
        LimitOverrides {
            max_output_bytes: Some(50_000),
            ..LimitOverrides::default()
        },
    ];
    let evaluate = |pack: &RulePack, overrides: &LimitOverrides| {
        pack.evaluate_with_limits(&ctx, None, overrides)
            .expect("the overrides lower the defaults")
    };
    for overrides in &over {
        let reminders = |decision: &Decision| {
            decision
                .errors
                .iter()
                .find(|error| error.module == "reminders")
                .map(|error| (error.kind, error.message.clone()))
        };
        let wasm = reminders(&evaluate(&packs.wasm, overrides));
        let rhai = reminders(&evaluate(&packs.rhai, overrides));
        let too_large = Some(RuleErrorKind::OutputTooLarge);
        assert_eq!(wasm.as_ref().map(|e| e.0), too_large, "{overrides:?}");
        assert_eq!(wasm, rhai, "{overrides:?}");
    }
    let exact = LimitOverrides {
        max_output_entries: Some(1_000),
        ..LimitOverrides::default()
    };
    for pack in [&packs.wasm, &packs.rhai] {
        assert_eq!(evaluate(pack, &exact).errors, Vec::new());
    }
}
