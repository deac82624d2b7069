//! Instantiating components on their own: what every evaluation pays before its first call, and
//! the memory limit applied to the instance's initial memory.

use crm_rules_host::{Limits, RuleErrorKind};

#[test]
fn components_instantiate_on_their_own_and_a_memory_limit_below_their_initial_memory_is_typed() {
    let pack = &super::standard().wasm;
    pack.instantiate_components(&Limits::default())
        .expect("the standard component instantiates");
    let tiny = Limits {
        max_memory_bytes: 64 << 10,
        ..Limits::default()
    };
    let (kind, message) = pack
        .instantiate_components(&tiny)
        .expect_err("its initial memory is over 1 MiB");
    assert_eq!(kind, RuleErrorKind::Memory, "{message}");
    assert!(message.contains("memory limit of 65536 bytes"), "{message}");
}

/// A thread reuses the copy of the context its last component evaluation crossed with: evaluating
/// the standard pack's fixture inputs (accounts of every shape, a few invoices to many) one after
/// the other, in one order on one thread and in the other order on another, must decide each the
/// same, so nothing of one context is left in the next one's copy.
#[test]
fn a_thread_reusing_its_context_copy_decides_each_context_alone() {
    let pack = crate::engine()
        .load_pack(crm_rules_tests::standard_rust())
        .expect("pack");
    let inputs: Vec<String> = pack
        .load_fixtures()
        .expect("fixtures")
        .cases
        .iter()
        .map(|case| case.input.to_string())
        .collect();
    assert!(inputs.len() > 100);
    let decide_all = |order: Vec<usize>| {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let mut decided = vec![String::new(); inputs.len()];
                    for index in order {
                        let ctx = pack.parse_context(&inputs[index]).expect("valid").context;
                        decided[index] = pack.evaluate(&ctx).to_json().to_string();
                    }
                    decided
                })
                .join()
                .expect("no panic")
        })
    };
    let forward = decide_all((0..inputs.len()).collect());
    let backward = decide_all((0..inputs.len()).rev().collect());
    for (index, (a, b)) in forward.iter().zip(&backward).enumerate() {
        assert_eq!(
            a, b,
            "fixture input {index} is decided otherwise after another context"
        );
    }
}
