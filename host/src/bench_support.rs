//! Hooks for the repository's own benchmarks (`tests/benches`), hidden from the documentation and
//! not part of the API: they may change with any release.
//!
//! The Rhai benchmark compares a pack's evaluation with the same script called directly on a Rhai
//! engine, its input converted whole into one object map per call: the cost of a plain embedding,
//! without the engine's lazy context, budgets, output checks and decision.

use crm_rules_contract::types::Context;
use rhai::{Dynamic, Engine, Map};

use crate::engine::RhaiMemory;
use crate::limits::Limits;
use crate::pack::RulePack;
use crate::script::context::{FIELDS, Sources, top_level};

/// A Rhai engine with the packs' packages, helpers and size limits, but none of the engine's
/// per-call budget (operations, deadline, memory): a plain embedding's.
pub fn rhai_engine(limits: &Limits) -> Engine {
    let mut engine = crate::script::new_engine(limits, RhaiMemory::SizeLimits);
    engine.on_progress(|_| None);
    engine
}

/// The whole of `ctx` as one Rhai object map, every field converted, with `pack`'s parameter
/// defaults and vocabulary: what a plain embedding hands its script.
pub fn rhai_context_map(pack: &RulePack, ctx: &Context) -> Dynamic {
    let defaults = pack.missing_params(ctx);
    let sources = Sources {
        ctx,
        defaults: &defaults,
        vocabulary: pack.vocabulary(),
    };
    let map: Map = FIELDS
        .iter()
        .enumerate()
        .map(|(index, name)| ((*name).into(), top_level(index, &sources)))
        .collect();
    Dynamic::from_map(map)
}
