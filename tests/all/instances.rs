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
