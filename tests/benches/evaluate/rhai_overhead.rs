//! What the engine adds to a Rhai rule: a module that returns at once (`rhai-trivial/`), and a
//! small rule, the E1 escalation ladder alone (`rhai-e1/`), evaluated by its pack and called
//! directly on a Rhai engine with the same packages and helpers, every top-level field of its
//! input converted into one object map per call (a plain embedding,
//! [`crm_rules_host::bench_support`]), on the same realistic contexts after checking both give the
//! same actions.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use crm_rules_host::bench_support::{rhai_engine, with_rhai_context};
use crm_rules_host::types::Context;
use crm_rules_host::{Limits, RuleEngine, RulePack};
use rhai::{AST, Dynamic, Engine, Map, Scope};

/// The two packs and the plain embedding of the E1 script.
pub(crate) struct Overhead {
    trivial: RulePack,
    e1: RulePack,
    plain: Engine,
    e1_ast: AST,
}

pub(crate) fn setup(engine: &RuleEngine) -> Overhead {
    let dir = crm_rules_tests::root().join("tests/benches/evaluate");
    let load = |name: &str| engine.load_pack(dir.join(name)).expect("pack");
    let plain = rhai_engine(&Limits::default());
    let source = std::fs::read_to_string(dir.join("rhai-e1/e1.rhai")).expect("e1.rhai");
    let e1_ast = plain.compile(&source).expect("e1.rhai compiles");
    Overhead {
        trivial: load("rhai-trivial"),
        e1: load("rhai-e1"),
        plain,
        e1_ast,
    }
}

/// E1 called directly: every top-level field converted, then the entry point called.
fn plain_e1(overhead: &Overhead, ctx: &Context) -> Dynamic {
    with_rhai_context(&overhead.e1, ctx, |input| {
        overhead
            .plain
            .call_fn::<Dynamic>(&mut Scope::new(), &overhead.e1_ast, "evaluate_e1", (input,))
            .expect("e1 runs")
    })
}

/// The keys of the actions each way gives, which must be equal.
fn same_actions(overhead: &Overhead, ctx: &Context) -> usize {
    let decision = overhead.e1.evaluate(ctx);
    assert!(decision.errors.is_empty(), "{:?}", decision.errors);
    let by_pack: Vec<String> = decision
        .actions
        .iter()
        .map(|decided| decided.action.key.clone())
        .collect();
    let output = plain_e1(overhead, ctx).cast::<Map>();
    let by_plain: Vec<String> = output
        .get("actions")
        .cloned()
        .map(Dynamic::cast::<rhai::Array>)
        .unwrap_or_default()
        .into_iter()
        .map(|action| {
            action
                .cast::<Map>()
                .get("key")
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(by_pack, by_plain);
    by_pack.len()
}

pub(crate) fn bench(c: &mut Criterion, overhead: &Overhead, contexts: &[Context]) {
    let mut group = c.benchmark_group("rhai-overhead");
    let cycle = || contexts.iter().cycle();
    group.bench_function("trivial-module", |b| {
        let mut next = cycle();
        b.iter(|| black_box(overhead.trivial.evaluate(next.next().expect("cycle"))))
    });
    group.bench_function("e1-pack", |b| {
        let mut next = cycle();
        b.iter(|| black_box(overhead.e1.evaluate(next.next().expect("cycle"))))
    });
    group.bench_function("e1-plain-rhai", |b| {
        let mut next = cycle();
        b.iter(|| black_box(plain_e1(overhead, next.next().expect("cycle"))))
    });
    group.finish();
}

/// One timed way of evaluating a context, by name.
type Run<'a> = (&'a str, &'a dyn Fn(&Context));

/// The table: medians taking turns in blocks, against the targets (a module that returns at once
/// under 5 µs; the E1 pack within 1.3x of the plain embedding).
pub(crate) fn ratios(overhead: &Overhead, contexts: &[Context]) {
    let actions: usize = contexts.iter().map(|ctx| same_actions(overhead, ctx)).sum();
    let blocks = 300;
    let runs: [Run<'_>; 3] = [
        ("trivial module", &|ctx| {
            black_box(overhead.trivial.evaluate(ctx));
        }),
        ("E1, pack", &|ctx| {
            black_box(overhead.e1.evaluate(ctx));
        }),
        ("E1, plain Rhai", &|ctx| {
            let _ = black_box(plain_e1(overhead, ctx));
        }),
    ];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); runs.len()];
    for _ in 0..blocks {
        for (index, (_, run)) in runs.iter().enumerate() {
            for ctx in contexts {
                let start = Instant::now();
                run(black_box(ctx));
                samples[index].push(start.elapsed());
            }
        }
    }
    println!(
        "\nRhai overhead, {} realistic contexts ({actions} E1 actions, the same both ways), {blocks} blocks each",
        contexts.len()
    );
    println!("  run                  median        p99");
    let mut medians = Vec::new();
    for ((name, _), samples) in runs.iter().zip(&mut samples) {
        let (median, p99) = super::median_p99(samples);
        medians.push(median);
        println!("  {name:16} {median:>10.2?} {p99:>10.2?}");
    }
    if let [trivial, pack, plain] = medians.as_slice() {
        let ratio = pack.as_secs_f64() / plain.as_secs_f64();
        println!(
            "  trivial module < 5 µs: {}; E1 pack / plain Rhai: {ratio:.2}x (<= 1.3x: {})",
            super::verdict(*trivial < Duration::from_micros(5)),
            super::verdict(ratio <= 1.3),
        );
    }
}
