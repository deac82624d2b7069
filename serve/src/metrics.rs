//! What `GET /metrics` reports, in the Prometheus text format (version 0.0.4): evaluations by pack
//! and status, rule errors by module and kind, a latency histogram, fuel per module, evaluations in
//! flight, the queue's depth, and reloads.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crm_rules_host::Decision;

use crate::pool::Load;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// One pack's latency histogram: counts per bucket (the last is `+Inf`), the sum and the count.
#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let slot = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        if let Some(bucket) = self.buckets.get_mut(slot) {
            *bucket += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Debug, Default)]
struct Counters {
    /// (pack, status) -> evaluations.
    evaluations: BTreeMap<(String, String), u64>,
    /// (pack, module, kind) -> rule errors.
    rule_errors: BTreeMap<(String, String, String), u64>,
    /// (pack, module) -> fuel or operations used.
    fuel: BTreeMap<(String, String), u64>,
    /// pack -> latency of one evaluation (parse, evaluate, serialise).
    latency: BTreeMap<String, Histogram>,
    /// outcome (`ok`, `failed`) -> reloads.
    reloads: BTreeMap<String, u64>,
    /// (pack, outcome: `decision`, `input-error`) -> lines of batch requests.
    batch_lines: BTreeMap<(String, String), u64>,
}

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl Metrics {
    /// Records one decision of `pack` and how long it took.
    pub fn decision(&self, pack: &str, decision: &Decision, took: Duration) {
        let mut counters = self.lock();
        let status = serde_json::to_value(decision.status)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default();
        *counters
            .evaluations
            .entry((pack.to_owned(), status))
            .or_default() += 1;
        for error in &decision.errors {
            let kind = serde_json::to_value(error.kind)
                .ok()
                .and_then(|value| value.as_str().map(str::to_owned))
                .unwrap_or_default();
            *counters
                .rule_errors
                .entry((pack.to_owned(), error.module.clone(), kind))
                .or_default() += 1;
        }
        for cost in &decision.cost {
            *counters
                .fuel
                .entry((pack.to_owned(), cost.module.clone()))
                .or_default() += cost.fuel;
        }
        counters
            .latency
            .entry(pack.to_owned())
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// Records a request for `pack` that did not reach evaluation (`invalid-input`, `busy`, ...).
    pub fn refused(&self, pack: &str, status: &str) {
        *self
            .lock()
            .evaluations
            .entry((pack.to_owned(), status.to_owned()))
            .or_default() += 1;
    }

    /// Records a finished batch request of `pack`.
    pub fn batch(&self, pack: &str, summary: &crm_rules_host::batch::BatchSummary) {
        let mut counters = self.lock();
        for (outcome, count) in [
            ("decision", summary.decisions),
            ("input-error", summary.input_errors),
        ] {
            *counters
                .batch_lines
                .entry((pack.to_owned(), outcome.to_owned()))
                .or_default() += count;
        }
    }

    /// Records a reload: `ok` when every pack loaded, else `failed`.
    pub fn reload(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        *self.lock().reloads.entry(outcome.to_owned()).or_default() += 1;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The text of `GET /metrics`, with the pool's `load`.
    pub fn render(&self, load: &Load) -> String {
        let counters = self.lock();
        let mut out = String::new();
        family(
            &mut out,
            "crm_rules_evaluations_total",
            "counter",
            "Evaluation requests by pack and outcome (a decision status, or why none was made).",
        );
        for ((pack, status), count) in &counters.evaluations {
            sample(
                &mut out,
                "crm_rules_evaluations_total",
                &[("pack", pack), ("status", status)],
                *count,
            );
        }
        family(
            &mut out,
            "crm_rules_rule_errors_total",
            "counter",
            "Rule errors in decisions, by pack, module and kind.",
        );
        for ((pack, module, kind), count) in &counters.rule_errors {
            sample(
                &mut out,
                "crm_rules_rule_errors_total",
                &[("pack", pack), ("module", module), ("kind", kind)],
                *count,
            );
        }
        family(
            &mut out,
            "crm_rules_fuel_total",
            "counter",
            "Fuel (components) or operations (Rhai) used, by pack and module.",
        );
        for ((pack, module), fuel) in &counters.fuel {
            sample(
                &mut out,
                "crm_rules_fuel_total",
                &[("pack", pack), ("module", module)],
                *fuel,
            );
        }
        family(
            &mut out,
            "crm_rules_evaluation_seconds",
            "histogram",
            "Time to read, evaluate and write one context, by pack.",
        );
        for (pack, histogram) in &counters.latency {
            let mut cumulative = 0;
            for (index, count) in histogram.buckets.iter().enumerate() {
                cumulative += count;
                let bound = BUCKETS
                    .get(index)
                    .map_or_else(|| "+Inf".to_owned(), |bound| bound.to_string());
                sample(
                    &mut out,
                    "crm_rules_evaluation_seconds_bucket",
                    &[("pack", pack), ("le", &bound)],
                    cumulative,
                );
            }
            let _ = writeln!(
                out,
                "crm_rules_evaluation_seconds_sum{{pack=\"{}\"}} {}",
                escape(pack),
                histogram.sum
            );
            sample(
                &mut out,
                "crm_rules_evaluation_seconds_count",
                &[("pack", pack)],
                histogram.count,
            );
        }
        family(
            &mut out,
            "crm_rules_batch_lines_total",
            "counter",
            "Lines of batch requests, by pack and outcome (a decision, or an input error).",
        );
        for ((pack, outcome), count) in &counters.batch_lines {
            sample(
                &mut out,
                "crm_rules_batch_lines_total",
                &[("pack", pack), ("outcome", outcome)],
                *count,
            );
        }
        family(
            &mut out,
            "crm_rules_in_flight",
            "gauge",
            "Jobs running on a worker now.",
        );
        sample(
            &mut out,
            "crm_rules_in_flight",
            &[],
            load.running.load(Ordering::Relaxed) as u64,
        );
        family(
            &mut out,
            "crm_rules_queue_depth",
            "gauge",
            "Jobs waiting for a worker now.",
        );
        sample(
            &mut out,
            "crm_rules_queue_depth",
            &[],
            load.queued.load(Ordering::Relaxed) as u64,
        );
        family(
            &mut out,
            "crm_rules_reloads_total",
            "counter",
            "Pack reloads, by outcome (failed: some pack did not load).",
        );
        for (outcome, count) in &counters.reloads {
            sample(
                &mut out,
                "crm_rules_reloads_total",
                &[("outcome", outcome)],
                *count,
            );
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: u64) {
    let labels: Vec<String> = labels
        .iter()
        .map(|(key, value)| format!("{key}=\"{}\"", escape(value)))
        .collect();
    if labels.is_empty() {
        let _ = writeln!(out, "{name} {value}");
    } else {
        let _ = writeln!(out, "{name}{{{}}} {value}", labels.join(","));
    }
}

/// A label value with `\`, `"` and newlines escaped, as the text format asks.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_and_labels_are_escaped() {
        let metrics = Metrics::default();
        metrics.refused("a\"b", "invalid-input");
        metrics.reload(true);
        {
            let mut counters = metrics.lock();
            let histogram = counters.latency.entry("p".to_owned()).or_default();
            histogram.observe(0.000_05);
            histogram.observe(0.3);
            histogram.observe(10.0);
        }
        let text = metrics.render(&Load::default());
        assert!(
            text.contains(
                "crm_rules_evaluations_total{pack=\"a\\\"b\",status=\"invalid-input\"} 1"
            )
        );
        assert!(text.contains("crm_rules_evaluation_seconds_bucket{pack=\"p\",le=\"0.0001\"} 1"));
        assert!(text.contains("crm_rules_evaluation_seconds_bucket{pack=\"p\",le=\"0.5\"} 2"));
        assert!(text.contains("crm_rules_evaluation_seconds_bucket{pack=\"p\",le=\"+Inf\"} 3"));
        assert!(text.contains("crm_rules_evaluation_seconds_count{pack=\"p\"} 3"));
        assert!(text.contains("crm_rules_reloads_total{outcome=\"ok\"} 1"));
        assert!(text.contains("crm_rules_queue_depth 0"));
    }
}
