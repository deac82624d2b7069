//! Per-evaluation cost of the standard pack on a realistic context (1 account, 10 invoices, 20
//! activities): native Rust (the baseline), the component, and the Rhai script; and batch throughput
//! on 1 and 2 threads. `cargo bench -p crm-rules-tests` prints criterion's figures, then the ratios
//! to native measured in the same run (see docs/performance.md).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "benchmark set-up: a failure is the benchmark failing"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use crm_rules_guest::types::Context;
use crm_rules_host::{Limits, RuleEngine, RulePack};

struct Packs {
    native: RulePack,
    wasm: RulePack,
    rhai: RulePack,
}

fn packs(engine: &RuleEngine) -> Packs {
    let wasm = engine
        .load_pack(crm_rules_tests::standard_rust())
        .expect("wasm pack");
    let native = engine
        .load_pack(crm_rules_tests::standard_rust())
        .expect("wasm pack")
        .with_native::<crm_rules_standard::Standard>();
    let rhai = engine
        .load_pack(crm_rules_tests::standard_rhai())
        .expect("rhai pack");
    Packs { native, wasm, rhai }
}

fn context() -> Context {
    crm_rules_host::json::context_from_value(&crm_rules_tests::realistic_context(3))
        .expect("context")
}

fn book(count: u64) -> String {
    (0..count)
        .map(|seed| crm_rules_tests::realistic_context(seed).to_string() + "\n")
        .collect()
}

fn evaluation(c: &mut Criterion, packs: &Packs, ctx: &Context) {
    let mut group = c.benchmark_group("evaluate");
    for (name, pack) in [
        ("native", &packs.native),
        ("wasm", &packs.wasm),
        ("rhai", &packs.rhai),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| black_box(pack.evaluate(black_box(ctx))))
        });
    }
    group.finish();
}

fn batch(c: &mut Criterion, packs: &Packs) {
    let text = book(2_000);
    let mut group = c.benchmark_group("batch-2000-contexts");
    group.throughput(Throughput::Elements(2_000));
    group.sample_size(10);
    for threads in [1, 2] {
        group.bench_function(format!("wasm-{threads}-threads"), |b| {
            b.iter(|| {
                let mut sink = std::io::sink();
                crm_rules_host::batch::run_batch(
                    &packs.wasm,
                    text.as_bytes(),
                    &mut sink,
                    threads,
                    &|_| {},
                )
                .expect("batch")
            })
        });
    }
    group.finish();
}

fn load(c: &mut Criterion, engine: &RuleEngine) {
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("rhai-pack", |b| {
        b.iter(|| {
            engine
                .load_pack(crm_rules_tests::standard_rhai())
                .expect("rhai pack")
        })
    });
    group.bench_function("wasm-pack-cold-compile", |b| {
        b.iter(|| {
            engine
                .load_pack(crm_rules_tests::standard_rust())
                .expect("wasm pack")
        })
    });
    group.finish();
}

/// Median and 99th percentile of single evaluations, interleaving the backends so machine noise
/// hits them alike.
fn ratios(packs: &Packs, ctx: &Context) {
    let rounds = 20_000;
    let mut samples: [Vec<Duration>; 3] = Default::default();
    let all = [&packs.native, &packs.wasm, &packs.rhai];
    for _ in 0..rounds {
        for (index, pack) in all.iter().enumerate() {
            let start = Instant::now();
            black_box(pack.evaluate(black_box(ctx)));
            samples[index].push(start.elapsed());
        }
    }
    let stats = |samples: &mut Vec<Duration>| {
        samples.sort_unstable();
        (
            samples[samples.len() / 2],
            samples[samples.len() * 99 / 100],
        )
    };
    let [native, wasm, rhai] = &mut samples;
    let (native_median, native_p99) = stats(native);
    println!(
        "\nstandard pack, realistic context, {rounds} interleaved rounds (median, p99, ratio of medians to native):"
    );
    println!(
        "  native {:>10.2?} {:>10.2?}   1.0x",
        native_median, native_p99
    );
    for (name, samples, target) in [("wasm", wasm, 10.0), ("rhai", rhai, 50.0)] {
        let (median, p99) = stats(samples);
        let ratio = median.as_secs_f64() / native_median.as_secs_f64();
        let verdict = if ratio <= target { "met" } else { "missed" };
        println!(
            "  {name:6} {median:>10.2?} {p99:>10.2?} {ratio:6.1}x  (target {target}x: {verdict}; p99 target 20 µs: {})",
            if p99 <= Duration::from_micros(20) {
                "met"
            } else {
                "missed"
            }
        );
    }
}

fn main() {
    let engine = RuleEngine::new(Limits::default()).expect("engine");
    let packs = packs(&engine);
    let ctx = context();
    let mut criterion = Criterion::default().configure_from_args();
    evaluation(&mut criterion, &packs, &ctx);
    batch(&mut criterion, &packs);
    load(&mut criterion, &engine);
    criterion.final_summary();
    ratios(&packs, &ctx);
}
