//! Batch evaluation of an NDJSON book: one context per line in, one result per line out, in input
//! order, on several threads, with memory bounded by the chunks in flight and the longest line
//! accepted (not by the size of the book, nor by its longest line).
//!
//! Every input line yields exactly one output line, with its line number: a decision, or an error
//! for a line that is not a context: invalid UTF-8 (located by line and column), UTF-16, longer than
//! [`crate::Limits::max_input_bytes`] (counted and skipped, never held in memory), blank, or not a
//! valid context. Lines end at `\n`, a `\r` before it is dropped, the last line needs no newline,
//! and a UTF-8 byte-order mark at the start of a line is skipped.

mod lines;
pub(crate) mod pipeline;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::decision::PackIdentity;
use crate::json::kind_name;
use crate::pack::RulePack;
use crate::split::{Arm, Split};
use pipeline::{LineJob, run_lines};

/// How to run a book: threads, what each output line carries, and who else sees the decisions.
#[derive(Clone, Copy)]
pub struct BatchOptions<'a> {
    /// Worker threads (at least one is used).
    pub threads: usize,
    /// Whether each decision line also carries the context it decided, as `"input"`, so that the
    /// output alone can be replayed (`crm-rules fixture from-log`).
    pub keep_input: bool,
    /// A challenger pack deciding a share of the accounts; each decision then records its `arm`.
    pub split: Option<Split<'a>>,
    /// The top-level field of each input line holding the host's key for it (a row id): its value
    /// is copied into the line's result as `"id"`, decision or error, so results join back to
    /// their source rows; the field is not read as part of the context, nor kept in the `input` of
    /// [`BatchOptions::keep_input`] (unless it is `id`).
    pub id_field: Option<&'a str>,
    /// Called on the worker thread for every decision, as it is made (a decision log).
    pub observer: Option<&'a (dyn Fn(&Evaluated<'_>) + Sync)>,
    /// Called on the writing thread with the number of lines written so far.
    pub progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

impl Default for BatchOptions<'_> {
    fn default() -> Self {
        BatchOptions {
            threads: 1,
            keep_input: false,
            split: None,
            id_field: None,
            observer: None,
            progress: None,
        }
    }
}

/// One decision of a batch run, as [`BatchOptions::observer`] sees it.
pub struct Evaluated<'a> {
    /// The input line.
    pub line: u64,
    /// The pack that decided.
    pub pack: &'a PackIdentity,
    /// The arm that decided, when the run has a challenger.
    pub arm: Option<Arm>,
    /// The context as it was read (JSON on one line).
    pub input: &'a str,
    /// The decision as written (JSON).
    pub decision: &'a [u8],
    /// From reading the context to the decision.
    pub latency: Duration,
}

/// What a batch run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Input lines read; each yielded one output line, a decision or an input error.
    pub contexts: u64,
    /// Contexts that produced a decision.
    pub decisions: u64,
    /// Lines that were not a valid context (each reported with its line number): not UTF-8, too
    /// long, blank, not JSON, or not a valid context.
    pub input_errors: u64,
    /// Rule errors inside decisions.
    pub rule_errors: u64,
    /// Decisions made by the challenger, when the run has one.
    pub challenger_decisions: u64,
    /// Actions, by kind.
    pub actions_by_kind: BTreeMap<String, u64>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl BatchSummary {
    /// Input lines per second.
    pub fn throughput(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.contexts as f64 / seconds
        } else {
            0.0
        }
    }

    fn absorb(&mut self, other: &ChunkStats) {
        self.contexts += other.contexts;
        self.decisions += other.decisions;
        self.input_errors += other.input_errors;
        self.rule_errors += other.rule_errors;
        self.challenger_decisions += other.challenger_decisions;
        for (kind, count) in &other.actions_by_kind {
            *self.actions_by_kind.entry(kind.clone()).or_default() += count;
        }
    }
}

#[derive(Default)]
struct ChunkStats {
    contexts: u64,
    decisions: u64,
    input_errors: u64,
    rule_errors: u64,
    challenger_decisions: u64,
    actions_by_kind: HashMap<String, u64>,
}

/// What a batch run does with each line: parse it for the pack of its arm, evaluate it, write the
/// decision (or the error) as one line.
struct BatchJob<'a> {
    pack: &'a RulePack,
    options: &'a BatchOptions<'a>,
}

impl LineJob for BatchJob<'_> {
    type Tally = ChunkStats;

    fn new_tally(&self) -> ChunkStats {
        ChunkStats::default()
    }

    fn max_line_bytes(&self) -> usize {
        // Each arm's reader holds its lines to its own limit.
        let challenger = self
            .options
            .split
            .map(|split| split.challenger.limits().max_input_bytes);
        self.pack
            .limits()
            .max_input_bytes
            .max(challenger.unwrap_or(0))
    }

    fn line(
        &self,
        number: u64,
        line: Result<&str, String>,
        out: &mut Vec<u8>,
        stats: &mut ChunkStats,
    ) {
        stats.contexts += 1;
        let text = match line {
            Ok(text) => text,
            Err(message) => {
                let key = self.options.id_field.map(|_| Value::Null);
                return refuse(number, key.as_ref(), &message, out, stats);
            }
        };
        let started = Instant::now();
        let arm = self
            .options
            .split
            .map(|split| (split, split.arm_of_text(text)));
        let pack = arm.map_or(self.pack, |(split, arm)| split.pack(self.pack, arm));
        let (key, parsed) = match self.options.id_field {
            Some(field) => pack.parse_context_keyed(text, field),
            None => (None, pack.parse_context(text)),
        };
        let key = self.options.id_field.map(|_| key.unwrap_or(Value::Null));
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return refuse(number, key.as_ref(), &error.to_string(), out, stats),
        };
        let decision = pack.evaluate_with_id(&parsed.context, parsed.id.as_deref());
        stats.decisions += 1;
        stats.rule_errors += decision.errors.len() as u64;
        for decided in &decision.actions {
            let kind = kind_name(&decided.action.detail);
            match stats.actions_by_kind.get_mut(kind) {
                Some(count) => *count += 1,
                None => {
                    stats.actions_by_kind.insert(kind.to_owned(), 1);
                }
            }
        }
        let mut decision = decision.to_json();
        let arm = arm.map(|(_, arm)| arm);
        if let (Some(arm), Value::Object(object)) = (arm, &mut decision) {
            if arm == Arm::Challenger {
                stats.challenger_decisions += 1;
            }
            object.insert("arm".to_owned(), Value::String(arm.as_str().to_owned()));
        }
        out.extend_from_slice(format!("{{\"line\":{number}").as_bytes());
        if let Some(key) = &key {
            out.extend_from_slice(b",\"id\":");
            // Writing JSON into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, key);
        }
        if self.options.keep_input {
            out.extend_from_slice(b",\"input\":");
            match self.options.id_field {
                // The kept input is the context as read: without the host's key, so that it
                // replays (and becomes a fixture) as the context it was.
                Some(field) if field != "id" => write_without(out, text, field),
                // Already read as a valid context: valid JSON, and on one line.
                _ => out.extend_from_slice(text.trim().as_bytes()),
            }
        }
        out.extend_from_slice(b",\"decision\":");
        let start = out.len();
        // Writing JSON into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, &decision);
        if let Some(observer) = self.options.observer {
            observer(&Evaluated {
                line: number,
                pack: pack.identity(),
                arm,
                input: text,
                decision: &out[start..],
                latency: started.elapsed(),
            });
        }
        out.extend_from_slice(b"}\n");
    }
}

/// Appends the JSON object `text` (already read as a valid context) without its top-level `field`.
fn write_without(out: &mut Vec<u8>, text: &str, field: &str) {
    let mut value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if let Value::Object(object) = &mut value {
        object.remove(field);
    }
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &value);
}

/// Appends the error line of a line that is not a valid context (with its key, when the run
/// carries keys), counted as an input error.
fn refuse(
    number: u64,
    key: Option<&Value>,
    message: &str,
    out: &mut Vec<u8>,
    stats: &mut ChunkStats,
) {
    stats.input_errors += 1;
    let line = match key {
        Some(key) => json!({"line": number, "id": key, "error": message}),
        None => json!({"line": number, "error": message}),
    };
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &line);
    out.push(b'\n');
}

/// Evaluates every line of `input` with `pack` (and, with [`BatchOptions::split`], its challenger)
/// and writes one JSON line per input line to `output`, in input order: `{"line": N, "decision":
/// {...}}` or `{"line": N, "error": "invoices[3].due_date: ..."}` (see the module documentation
/// for what makes a line an error). A bad line never stops the run, and no line is held in memory
/// beyond [`crate::Limits::max_input_bytes`].
///
/// # Errors
/// Only I/O errors reading `input` or writing `output`; the lines before the error are written.
pub fn run_batch(
    pack: &RulePack,
    input: impl BufRead + Send,
    output: &mut dyn Write,
    options: &BatchOptions<'_>,
) -> std::io::Result<BatchSummary> {
    let started = Instant::now();
    let job = BatchJob { pack, options };
    let mut summary = BatchSummary::default();
    run_lines(&job, input, output, options.threads, &mut |stats| {
        summary.absorb(&stats);
        if let Some(progress) = options.progress {
            progress(summary.contexts);
        }
    })?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
