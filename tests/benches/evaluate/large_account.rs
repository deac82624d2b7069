//! Large accounts (issues 9 and 12): the cost of one evaluation grows linearly with the account.
//! Criterion measures one scheduled evaluation of `crm_rules_tests::large_account::mixed` accounts
//! of 10, 100, 1,000 and 10,000 invoices on each backend, with the invoice as its throughput element (so its
//! figures read as invoices per second); the table printed afterwards gives time per invoice at each
//! size as a ratio to 100 invoices, and the component's fuel (Rhai's operations) per invoice, which
//! is deterministic.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use crm_rules_host::types::Context;
use crm_rules_host::{DecisionStatus, RulePack};
use crm_rules_tests::large_account;

/// Account sizes timed, in invoices.
const TIMED: [usize; 4] = [10, 100, 1_000, 10_000];
/// The account size the others' time per invoice is compared with: at 10 invoices the fixed cost
/// of an evaluation still weighs on each invoice.
const BASE: usize = 100;
/// Account sizes whose fuel per invoice is reported.
const FUELLED: [usize; 7] = [10, 100, 200, 400, 800, 1_000, 10_000];

/// A backend's name and its pack.
pub type Backend<'a> = (&'static str, &'a RulePack);

/// An account of `invoices` invoices of `shape`, with the pack's parameter defaults in it (as
/// `crm-rules batch` hands it to every backend).
fn account(pack: &RulePack, shape: large_account::Shape, invoices: usize) -> Context {
    let mut ctx = crm_rules_host::json::context_from_value(&shape(invoices)).expect("context");
    pack.apply_param_defaults(&mut ctx);
    ctx
}

/// The timed accounts, built once.
pub fn accounts(pack: &RulePack) -> Vec<(usize, Context)> {
    TIMED
        .iter()
        .map(|&invoices| (invoices, account(pack, large_account::mixed, invoices)))
        .collect()
}

/// Criterion's figures: one evaluation per backend and size.
pub fn bench(c: &mut Criterion, backends: &[Backend<'_>], accounts: &[(usize, Context)]) {
    let mut group = c.benchmark_group("large-account");
    group.sample_size(10);
    for (invoices, ctx) in accounts {
        group.throughput(Throughput::Elements(*invoices as u64));
        for (name, pack) in backends {
            group.bench_with_input(BenchmarkId::new(*name, invoices), ctx, |b, ctx| {
                // A figure for an evaluation that failed would measure the failure.
                let status = pack.evaluate(ctx).status;
                assert_eq!(status, DecisionStatus::Complete, "{name}, {invoices}");
                b.iter(|| black_box(pack.evaluate(black_box(ctx))))
            });
        }
    }
    group.finish();
}

/// The median of `runs` evaluations of `ctx`.
fn median_evaluation(pack: &RulePack, ctx: &Context, runs: usize) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(pack.evaluate(black_box(ctx)));
            start.elapsed()
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Time per invoice at each size and its ratio to the smallest account, for each backend (the
/// backends take turns at each size, so machine noise hits them alike); then fuel per invoice.
pub fn ratios(backends: &[Backend<'_>], accounts: &[(usize, Context)]) {
    println!(
        "\nlarge accounts (mixed), median of one evaluation, time per invoice (ratio to 100 invoices)"
    );
    let mut per_invoice = vec![Vec::new(); backends.len()];
    for (invoices, ctx) in accounts {
        let runs = (20_000 / invoices).clamp(5, 200);
        for (slot, (_, pack)) in backends.iter().enumerate() {
            let median = median_evaluation(pack, ctx, runs);
            per_invoice[slot].push(median.as_secs_f64() / *invoices as f64);
        }
    }
    let base = accounts
        .iter()
        .position(|(invoices, _)| *invoices == BASE)
        .unwrap_or_default();
    for ((name, _), figures) in backends.iter().zip(&per_invoice) {
        let cells: Vec<String> = accounts
            .iter()
            .zip(figures)
            .map(|((invoices, _), seconds)| {
                let ratio = seconds / figures[base];
                format!("{invoices:>6}: {:>7.2} µs ({ratio:.2}x)", seconds * 1e6)
            })
            .collect();
        println!("  {name:6} {}", cells.join("  "));
    }
    fuel_per_invoice(backends);
}

/// Fuel (component) and operations (Rhai) per invoice, per module, for both shapes of account.
fn fuel_per_invoice(backends: &[Backend<'_>]) {
    for (shape_name, shape) in large_account::SHAPES {
        println!("\nfuel (component) and operations (Rhai) per invoice, {shape_name}");
        for (name, pack) in backends.iter().filter(|(name, _)| *name != "native") {
            let mut rows: Vec<(String, Vec<String>)> = Vec::new();
            for invoices in FUELLED {
                let decision = pack.evaluate(&account(pack, shape, invoices));
                assert_eq!(
                    decision.status,
                    DecisionStatus::Complete,
                    "{name}, {invoices}"
                );
                for cost in &decision.cost {
                    let cell =
                        format!("{invoices:>6}: {:>6.0}", cost.fuel as f64 / invoices as f64);
                    match rows.iter_mut().find(|(module, _)| *module == cost.module) {
                        Some((_, cells)) => cells.push(cell),
                        None => rows.push((cost.module.clone(), vec![cell])),
                    }
                }
            }
            for (module, cells) in rows {
                println!("  {name:6} {module:11} {}", cells.join("  "));
            }
        }
    }
}
