//! The E1 escalation ladder (`tests/benches/evaluate/rhai-e1/e1.rhai`) on crm-rules and its peers,
//! over the same generated accounts: native Rust, the crm-rules Rhai pack, the crm-rules component,
//! the same script on a plain Rhai engine, and GoRules Zen (a graph of expression nodes, and one
//! with a JavaScript function node).
//!
//! Every engine must give the same actions (kinds and keys, in order) on every account before
//! anything is timed; then the engines take turns in blocks and the table shows each one's median
//! and p99 per evaluation and its ratio to native. See README.md; run with `run.sh`.

mod contexts;
mod engines;
mod native;
mod summary;
mod timing;

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use crm_rules_host::{EngineOptions, Limits, RuleEngine};

use crate::contexts::Sample;
use crate::engines::{Contender, CrmRulesPack, InputChecks, Native, PlainRhai, ZenGraph};
use crate::summary::ActionSummary;

/// Counts each thread's heap bytes, so Rhai rules are held to their memory limit, as a crm-rules
/// host runs them.
#[global_allocator]
static ALLOCATOR: crm_rules_host::alloc::CountingAllocator =
    crm_rules_host::alloc::CountingAllocator;

/// The generator's seed: the same accounts on every run.
const SEED: u64 = 0xE1_2026;
/// Accounts generated.
const ACCOUNTS: usize = 64;
/// Timed rounds; in each, every engine evaluates every account once.
const DEFAULT_BLOCKS: usize = 200;
/// Each E1 level must appear at least this often over the accounts, or the comparison says little.
const MIN_ACTIONS_PER_LEVEL: usize = 10;

/// Names of the rows the verdicts compare.
const NATIVE: &str = "native Rust";
const RHAI_PACK: &str = "crm-rules Rhai pack";
const COMPONENT: &str = "crm-rules component";
const ZEN_EXPRESSIONS: &str = "Zen expression graph";
const ZEN_FUNCTION: &str = "Zen function node (JS)";
/// The reference row of a Rhai pack whose module returns at once.
const TRIVIAL_PACK: &str = "crm-rules Rhai pack, module returning at once";

fn main() {
    let blocks = std::env::var("PEERS_BLOCKS")
        .ok()
        .map(|text| text.parse().expect("PEERS_BLOCKS is a number of rounds"))
        .unwrap_or(DEFAULT_BLOCKS);
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = here.join("../..");
    let rhai_dir = repo.join("tests/benches/evaluate/rhai-e1");

    // `PEERS_INSTANCE_POOL=off`: instances without the pooling allocator, whose reservation of
    // address space Valgrind cannot make (for counting instructions under callgrind).
    let mut options = EngineOptions::new(Limits::default());
    if std::env::var("PEERS_INSTANCE_POOL").is_ok_and(|pool| pool == "off") {
        options = options.instance_pool(None);
    }
    let engine = RuleEngine::with_options(options).expect("the crm-rules engine starts");
    let load = |dir: &PathBuf| {
        engine.load_pack(dir).unwrap_or_else(|error| {
            panic!(
                "cannot load the pack at {}: {error} (run benchmarks/peers/run.sh, which builds the component first)",
                dir.display()
            )
        })
    };
    let rhai_pack = Rc::new(load(&rhai_dir));
    let component_pack = Rc::new(load(&here.join("e1-guest")));
    let samples = contexts::generate(SEED, ACCOUNTS, &[&rhai_pack, &component_pack]);

    let contenders: Vec<Box<dyn Contender>> = vec![
        Box::new(Native),
        Box::new(CrmRulesPack::new(RHAI_PACK, Rc::clone(&rhai_pack))),
        Box::new(CrmRulesPack::new(COMPONENT, component_pack)),
        Box::new(PlainRhai::new(
            &rhai_dir.join("e1.rhai"),
            Rc::clone(&rhai_pack),
        )),
        Box::new(ZenGraph::load(
            ZEN_EXPRESSIONS,
            &here.join("zen-e1-expressions.json"),
        )),
        Box::new(ZenGraph::load(
            ZEN_FUNCTION,
            &here.join("zen-e1-function.json"),
        )),
    ];

    let expected = check_same_actions(&contenders, &samples);
    report_actions(&expected, contenders.len(), samples.len());
    if let Ok(name) = std::env::var("PEERS_PROFILE") {
        profile(&contenders, &samples, &name);
        return;
    }

    let timings = timing::measure(&contenders, &samples, blocks);
    // Evaluating again after thousands of runs must still give the same actions (no engine kept
    // state between evaluations that changed its answers).
    let after = check_same_actions(&contenders, &samples);
    assert_eq!(expected, after, "the actions changed while timing");

    println!(
        "\nE1 escalation ladder, {} accounts, {blocks} blocks (each engine evaluates every account once per block, taking turns)",
        samples.len()
    );
    println!(
        "  {:<26} {:>12} {:>12} {:>10}",
        "engine", "median", "p99", "/ native"
    );
    let mut medians: Vec<(&str, Duration)> = Vec::new();
    let native_median = timings
        .iter()
        .find(|timing| timing.name == NATIVE)
        .map(|timing| timing.median_p99().0)
        .unwrap_or_default();
    for timing in &timings {
        let (median, p99) = timing.median_p99();
        let ratio = median.as_secs_f64() / native_median.as_secs_f64().max(f64::MIN_POSITIVE);
        println!(
            "  {:<26} {:>12} {:>12} {:>9.1}x",
            timing.name,
            format!("{median:.2?}"),
            format!("{p99:.2?}"),
            ratio
        );
        medians.push((timing.name, median));
    }
    print_verdicts(&medians);

    // Where a Rhai pack's time goes, in part: the input checks every pack evaluation starts with,
    // and a pack whose module returns at once (the fixed cost of a Rhai pack evaluation).
    let trivial = load(&repo.join("tests/benches/evaluate/rhai-trivial"));
    let floors: [Box<dyn Contender>; 2] = [
        Box::new(InputChecks::new(Rc::clone(&rhai_pack))),
        Box::new(CrmRulesPack::new(TRIVIAL_PACK, Rc::new(trivial))),
    ];
    println!("\n  For reference (not engines):");
    for timing in timing::measure(&floors, &samples, blocks) {
        let (median, p99) = timing.median_p99();
        println!(
            "  {:<44} {:>12} {:>12}",
            timing.name,
            format!("{median:.2?}"),
            format!("{p99:.2?}")
        );
    }
}

/// Runs the contender named `name` alone over the samples for about ten seconds, for a profiler
/// (`PEERS_PROFILE="crm-rules component" perf record -g ...`) to see one engine at a time. With
/// `PEERS_PROFILE_PASSES=N` it makes exactly N passes over the samples instead, for counting the
/// instructions of one evaluation under callgrind (README, "One engine alone"), a figure the
/// machine's noise does not move.
fn profile(contenders: &[Box<dyn Contender>], samples: &[Sample], name: &str) {
    let Some(contender) = contenders.iter().find(|contender| contender.name() == name) else {
        let names: Vec<&str> = contenders
            .iter()
            .map(|contender| contender.name())
            .collect();
        panic!("PEERS_PROFILE: no engine `{name}`; the engines are {names:?}");
    };
    let passes: Option<u64> = std::env::var("PEERS_PROFILE_PASSES").ok().map(|passes| {
        passes
            .parse()
            .unwrap_or_else(|_| panic!("PEERS_PROFILE_PASSES: not a count: {passes:?}"))
    });
    let start = std::time::Instant::now();
    let mut evaluations = 0_u64;
    let samples_len = samples.len() as u64;
    while match passes {
        Some(passes) => evaluations < passes * samples_len,
        None => start.elapsed() < Duration::from_secs(10),
    } {
        for sample in samples {
            contender.evaluate(sample);
        }
        evaluations += samples_len;
    }
    let each = start.elapsed() / u32::try_from(evaluations.max(1)).unwrap_or(u32::MAX);
    println!("{name}: {evaluations} evaluations, {each:.2?} each (mean, profiled)");
}

/// Every contender's actions on every sample, which must equal the native function's; returns
/// the native function's actions per sample.
fn check_same_actions(
    contenders: &[Box<dyn Contender>],
    samples: &[Sample],
) -> Vec<Vec<ActionSummary>> {
    let Some((reference, others)) = contenders.split_first() else {
        return Vec::new();
    };
    samples
        .iter()
        .enumerate()
        .map(|(index, sample)| {
            let expected = reference.actions(sample);
            for other in others {
                let actual = other.actions(sample);
                assert_eq!(
                    expected,
                    actual,
                    "account {index}: {} and {} disagree",
                    reference.name(),
                    other.name()
                );
            }
            expected
        })
        .collect()
}

/// Prints how many actions every engine agreed on, by level, and insists each level is well
/// represented.
fn report_actions(expected: &[Vec<ActionSummary>], engines: usize, accounts: usize) {
    let all: Vec<&ActionSummary> = expected.iter().flatten().collect();
    let at_level = |level: i64| {
        all.iter()
            .filter(|action| action.level() == Some(level))
            .count()
    };
    let (followups, executive, collections) = (at_level(15), at_level(30), at_level(60));
    let silent = expected.iter().filter(|actions| actions.is_empty()).count();
    println!(
        "All {engines} engines give the same {} actions on all {accounts} accounts: {followups} follow-up tasks (15 days), \
         {executive} escalations to the account executive (30), {collections} to collections (60); \
         {silent} accounts get none.",
        all.len()
    );
    for (name, count) in [("15", followups), ("30", executive), ("60", collections)] {
        assert!(
            count >= MIN_ACTIONS_PER_LEVEL,
            "only {count} actions at level {name}: the generated accounts should exercise every level"
        );
    }
}

/// The targets: the Rhai pack faster than Zen's expression graph; the component faster than both.
fn print_verdicts(medians: &[(&str, Duration)]) {
    let median = |name: &str| {
        medians
            .iter()
            .find(|(row, _)| *row == name)
            .map(|(_, median)| *median)
            .unwrap_or(Duration::MAX)
    };
    let verdict = |met: bool| if met { "met" } else { "MISSED" };
    let (rhai_pack, component, zen) = (
        median(RHAI_PACK),
        median(COMPONENT),
        median(ZEN_EXPRESSIONS),
    );
    println!(
        "\n  Rhai pack faster than Zen expression graph: {} ({:.1}x)",
        verdict(rhai_pack < zen),
        zen.as_secs_f64() / rhai_pack.as_secs_f64()
    );
    println!(
        "  component faster than both: {} ({:.1}x the Rhai pack's speed, {:.1}x the Zen expression graph's)",
        verdict(component < rhai_pack && component < zen),
        rhai_pack.as_secs_f64() / component.as_secs_f64(),
        zen.as_secs_f64() / component.as_secs_f64()
    );
    println!(
        "  (Zen function node: {:.1}x the component's median)",
        median(ZEN_FUNCTION).as_secs_f64() / component.as_secs_f64()
    );
}
