//! What passing the context into a component once per evaluation buys (contract 0.2), against once
//! per module (contract 0.1), in one run: the standard policy's two scheduled modules (reminders and
//! escalation) from the frozen 0.1 component (`tests/compat/pack-v0_1`) and from today's component
//! (`two-modules/pack.toml`), on the same realistic contexts, with the same host.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use crm_rules_host::types::Context;
use crm_rules_host::{RuleEngine, RulePack};

/// The two packs: contract 0.1's component, then 0.2's.
pub(crate) fn packs(engine: &RuleEngine) -> [(&'static str, RulePack); 2] {
    let root = crm_rules_tests::root();
    let load = |dir| engine.load_pack(dir).expect("pack");
    [
        ("0.1, per module", load(root.join("tests/compat/pack-v0_1"))),
        (
            "0.2, once",
            load(root.join("tests/benches/evaluate/two-modules")),
        ),
    ]
}

/// Criterion's figures for both.
pub(crate) fn bench(c: &mut Criterion, packs: &[(&str, RulePack)], contexts: &[Context]) {
    let mut group = c.benchmark_group("context-crossing");
    for (name, pack) in packs {
        group.bench_function(*name, |b| {
            let mut next = contexts.iter().cycle();
            b.iter(|| black_box(pack.evaluate(black_box(next.next().expect("cycle")))))
        });
    }
    group.finish();
}

/// The table: medians taking turns in blocks, and the fuel of each (modules, and the 0.2
/// constructor), after checking both decide the same.
pub(crate) fn ratios(packs: &[(&str, RulePack)], contexts: &[Context]) {
    let comparable = |pack: &RulePack, ctx: &Context| {
        let decision = pack.evaluate(ctx);
        assert!(decision.errors.is_empty(), "{:?}", decision.errors);
        (decision.actions, decision.suppressed)
    };
    for ctx in contexts {
        assert_eq!(comparable(&packs[0].1, ctx), comparable(&packs[1].1, ctx));
    }
    let blocks = 300;
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); packs.len()];
    for _ in 0..blocks {
        for (index, (_, pack)) in packs.iter().enumerate() {
            for ctx in contexts {
                let start = Instant::now();
                black_box(pack.evaluate(black_box(ctx)));
                samples[index].push(start.elapsed());
            }
        }
    }
    println!(
        "\ncontext crossing: the standard component's reminders and escalation, {} realistic contexts, {blocks} blocks each",
        contexts.len()
    );
    println!(
        "  contract          median        p99   fuel: modules + context = total (all contexts)"
    );
    let mut medians = Vec::new();
    for ((name, pack), samples) in packs.iter().zip(&mut samples) {
        let (median, p99) = super::median_p99(samples);
        medians.push(median);
        let (mut modules, mut context) = (0_u64, 0_u64);
        for ctx in contexts {
            let decision = pack.evaluate(ctx);
            modules += decision.cost.iter().map(|cost| cost.fuel).sum::<u64>();
            context += decision
                .context_cost
                .iter()
                .map(|cost| cost.fuel)
                .sum::<u64>();
        }
        println!(
            "  {name:16} {median:>10.2?} {p99:>10.2?}   {modules} + {context} = {}",
            modules + context
        );
    }
    if let [per_module, once] = medians.as_slice() {
        println!(
            "  once / per module: {:.2}x the time",
            once.as_secs_f64() / per_module.as_secs_f64()
        );
    }
}
