//! Hooks for the repository's own benchmarks (`tests/benches`), hidden from the documentation and
//! not part of the API: they may change with any release.
//!
//! The Rhai benchmark compares a pack's evaluation with the same script called directly on a Rhai
//! engine, every top-level field of its input converted into one object map per call (records
//! reading their fields as a pack's do): the cost of a plain embedding, without the engine's lazy
//! top-level fields, budgets, input and output checks and decision.

use crm_rules_contract::types::Context;
use rhai::{Dynamic, Engine, Map};

use crate::engine::RhaiMemory;
use crate::limits::Limits;
use crate::pack::RulePack;
use crate::script::context::top_level;
use crate::script::lent::lend;
use crate::script::sources::{FIELDS, Sources};

/// A Rhai engine with the packs' packages, helpers and size limits, but none of the engine's
/// per-call budget (operations, deadline, memory): a plain embedding's.
pub fn rhai_engine(limits: &Limits) -> Engine {
    let mut engine = crate::script::new_engine(limits, RhaiMemory::SizeLimits);
    engine.on_progress(|_| None);
    engine
}

/// The whole of `ctx` as one Rhai object map, every top-level field converted, with `pack`'s
/// parameter defaults and vocabulary: what a plain embedding hands its script. Records read their
/// fields from `ctx` as a pack's do, so the map is handed to `run` and valid only while it runs.
pub fn with_rhai_context<R>(pack: &RulePack, ctx: &Context, run: impl FnOnce(Dynamic) -> R) -> R {
    let defaults = pack.missing_params(ctx);
    let sources = Sources {
        ctx,
        defaults: &defaults,
        vocabulary: pack.vocabulary(),
    };
    lend(&sources, |lent| {
        let map: Map = FIELDS
            .iter()
            .enumerate()
            .map(|(index, name)| ((*name).into(), top_level(index, &sources, lent)))
            .collect();
        run(Dynamic::from_map(map))
    })
}
