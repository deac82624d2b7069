//! A component the guest SDK builds exports the typed crossing (`evaluate`) beside the packed one
//! (`evaluate-packed`), so hosts from before the packed one keep running it. Loaded as such a host
//! loads it, each of the repository's SDK-built packs takes the context typed and passes every one
//! of its fixtures, as it does packed.

use std::path::Path;

use super::Pre;
use super::bindings::v0_2::Crossing;
use super::session::TYPED_ONLY;
use crate::fixture::run_case;
use crate::{EngineOptions, Limits, RhaiMemory, RuleEngine, RulePack};

/// The packs whose components the guest SDK builds.
const SDK_PACKS: &[&str] = &["rules/standard/rust", "rules/examples/overdue-states/rust"];

/// The pack in `dir` (from the repository root), loaded on this thread with only the typed crossing
/// when `typed_only`.
fn load(dir: &str, typed_only: bool) -> RulePack {
    let engine = RuleEngine::with_options(
        EngineOptions::new(Limits::default())
            .rhai_memory(RhaiMemory::SizeLimits)
            .instance_pool(None),
    )
    .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir);
    TYPED_ONLY.with(|flag| flag.set(typed_only));
    let loaded = engine.load_pack(&dir);
    TYPED_ONLY.with(|flag| flag.set(false));
    loaded.unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
}

/// How each component of `pack` takes the context.
fn crossings(pack: &RulePack) -> Vec<Crossing> {
    pack.components()
        .iter()
        .map(|rule| match &rule.pre {
            Pre::V0_2 { pre, .. } => pre.crossing(),
            Pre::V0_1(_) => panic!("an SDK-built component is 0.1"),
        })
        .collect()
}

#[test]
fn sdk_components_take_the_context_packed_by_default() {
    for dir in SDK_PACKS {
        assert_eq!(crossings(&load(dir, false)), [Crossing::Packed], "{dir}");
    }
}

#[test]
fn taken_typed_as_an_older_host_would_sdk_components_pass_every_fixture() {
    for dir in SDK_PACKS {
        let pack = load(dir, true);
        assert_eq!(crossings(&pack), [Crossing::Typed], "{dir}");
        let fixtures = pack.load_fixtures().unwrap();
        assert!(fixtures.errors.is_empty(), "{dir}: {:?}", fixtures.errors);
        assert!(
            fixtures.cases.len() >= 20,
            "{dir}: too few fixtures to mean much"
        );
        for case in &fixtures.cases {
            let result = run_case(&pack, case);
            assert!(
                result.passed(),
                "{dir}, {} taken typed: {:?}\n{:#}",
                result.name,
                result.mismatches,
                result.actual
            );
        }
    }
}
