//! The audit of every function a Rhai rule can call: the engine's functions must be exactly the
//! ones listed, with what each may cost, in `rhai_functions.txt`. A Rhai upgrade or a new package
//! that adds one (a `sleep`, a clock, a file read) fails this test until someone has read it.

use std::collections::BTreeSet;

use crate::engine::RhaiMemory;
use crate::limits::Limits;

/// `name/arity` of every function the engine exposes (script-callable names; operators included).
fn exposed(memory: RhaiMemory) -> BTreeSet<String> {
    let engine = super::new_engine(&Limits::default(), memory);
    engine
        .gen_fn_signatures(true)
        .into_iter()
        .map(|signature| {
            let (name, rest) = signature.split_once('(').unwrap_or((&signature, ""));
            let params = rest.split_once(')').map_or("", |(params, _)| params);
            let arity = if params.trim().is_empty() {
                0
            } else {
                params.split(',').count()
            };
            format!("{name}/{arity}")
        })
        .collect()
}

/// The audited list: `name/arity`, one per line, before any `#` comment.
fn audited() -> BTreeSet<String> {
    include_str!("rhai_functions.txt")
        .lines()
        .filter_map(|line| line.split('#').next())
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_function_a_rule_can_call_has_been_audited() {
    for memory in [RhaiMemory::Counted, RhaiMemory::SizeLimits] {
        let exposed = exposed(memory);
        let audited = audited();
        let unaudited: Vec<&String> = exposed.difference(&audited).collect();
        let gone: Vec<&String> = audited.difference(&exposed).collect();
        assert!(
            unaudited.is_empty() && gone.is_empty(),
            "the Rhai engine exposes functions nobody audited: {unaudited:?}; \
             audited functions it no longer has: {gone:?}; read each new one (does it block, read \
             a clock, randomness, files or the environment, or allocate in proportion to an \
             argument?) and update host/src/script/rhai_functions.txt"
        );
    }
}

#[test]
fn nothing_that_blocks_or_reads_the_world_is_exposed() {
    let exposed = exposed(RhaiMemory::Counted);
    for forbidden in [
        "sleep",
        "timestamp",
        "exit",
        "parse_json",
        "blob",
        "get_fn_metadata_list",
    ] {
        assert!(
            !exposed
                .iter()
                .any(|entry| entry.split('/').next() == Some(forbidden)),
            "`{forbidden}` is exposed to rules"
        );
    }
}
