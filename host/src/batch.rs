//! Batch evaluation of an NDJSON book: one context per line in, one result per line out, in input
//! order, on several threads, with memory bounded by the number of chunks in flight (not by the
//! size of the book).

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::json::kind_name;
use crate::pack::RulePack;

/// Lines per unit of work: big enough to amortise channel traffic, small enough to keep memory flat.
const CHUNK_LINES: usize = 512;

/// What a batch run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Non-blank input lines read.
    pub contexts: u64,
    /// Contexts that produced a decision.
    pub decisions: u64,
    /// Lines that were not a valid context (each reported with its line number).
    pub input_errors: u64,
    /// Rule errors inside decisions.
    pub rule_errors: u64,
    /// Actions, by kind.
    pub actions_by_kind: BTreeMap<String, u64>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl BatchSummary {
    /// Contexts per second.
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
        for (kind, count) in &other.actions_by_kind {
            *self.actions_by_kind.entry((*kind).to_owned()).or_default() += count;
        }
    }
}

#[derive(Default)]
struct ChunkStats {
    contexts: u64,
    decisions: u64,
    input_errors: u64,
    rule_errors: u64,
    actions_by_kind: HashMap<&'static str, u64>,
}

struct Chunk {
    index: u64,
    first_line: u64,
    lines: Vec<String>,
}

struct Done {
    index: u64,
    output: Vec<u8>,
    stats: ChunkStats,
}

/// Evaluates one line; appends its result line to `out`.
fn evaluate_line(
    pack: &RulePack,
    line_number: u64,
    line: &str,
    out: &mut Vec<u8>,
    stats: &mut ChunkStats,
) {
    stats.contexts += 1;
    let result = pack.parse_context(line);
    let record = match result {
        Ok(parsed) => {
            let decision = pack.evaluate_with_id(&parsed.context, parsed.id.as_deref());
            stats.decisions += 1;
            stats.rule_errors += decision.errors.len() as u64;
            for decided in &decision.actions {
                *stats
                    .actions_by_kind
                    .entry(kind_name(&decided.action.detail))
                    .or_default() += 1;
            }
            json!({"line": line_number, "decision": decision.to_json()})
        }
        Err(error) => {
            stats.input_errors += 1;
            json!({"line": line_number, "error": error.to_string()})
        }
    };
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &record);
    out.push(b'\n');
}

fn worker(pack: &RulePack, chunks: &Mutex<Receiver<Chunk>>, done: &SyncSender<Done>) {
    loop {
        let next = match chunks.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(chunk) = next else { return };
        let mut output = Vec::with_capacity(chunk.lines.len() * 512);
        let mut stats = ChunkStats::default();
        for (offset, line) in chunk.lines.iter().enumerate() {
            if !line.trim().is_empty() {
                evaluate_line(
                    pack,
                    chunk.first_line + offset as u64,
                    line,
                    &mut output,
                    &mut stats,
                );
            }
        }
        if done
            .send(Done {
                index: chunk.index,
                output,
                stats,
            })
            .is_err()
        {
            return;
        }
    }
}

/// Evaluates every line of `input` with `pack` on `threads` threads and writes one JSON line per
/// non-blank input line to `output`, in input order: `{"line": N, "decision": {...}}` or
/// `{"line": N, "error": "invoices[3].due_date: ..."}`. `progress` is called with the number of
/// contexts done so far. A bad line never stops the run.
///
/// # Errors
/// Only I/O errors reading `input` or writing `output`.
pub fn run_batch(
    pack: &RulePack,
    input: impl BufRead + Send,
    output: &mut dyn Write,
    threads: usize,
    progress: &dyn Fn(u64),
) -> std::io::Result<BatchSummary> {
    let started = Instant::now();
    let threads = threads.max(1);
    let (chunk_sender, chunk_receiver) = sync_channel::<Chunk>(threads * 2);
    let chunk_receiver = Arc::new(Mutex::new(chunk_receiver));
    let (done_sender, done_receiver) = sync_channel::<Done>(threads * 2);
    let mut summary = BatchSummary::default();
    std::thread::scope(|scope| -> std::io::Result<()> {
        for _ in 0..threads {
            let receiver = Arc::clone(&chunk_receiver);
            let sender = done_sender.clone();
            scope.spawn(move || worker(pack, &receiver, &sender));
        }
        drop(done_sender);
        let reader = scope.spawn(move || -> std::io::Result<()> {
            let mut lines = input.lines();
            let mut index = 0;
            let mut line_number = 1;
            loop {
                let mut chunk = Vec::with_capacity(CHUNK_LINES);
                for line in lines.by_ref().take(CHUNK_LINES) {
                    chunk.push(line?);
                }
                if chunk.is_empty() {
                    return Ok(());
                }
                let count = chunk.len() as u64;
                let sent = chunk_sender.send(Chunk {
                    index,
                    first_line: line_number,
                    lines: chunk,
                });
                if sent.is_err() {
                    return Ok(());
                }
                index += 1;
                line_number += count;
            }
        });
        // Results arrive out of order; hold them until their turn (at most the chunks in flight).
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0;
        let mut write_result = Ok(());
        for done in done_receiver {
            pending.insert(done.index, done);
            while let Some(ready) = pending.remove(&next) {
                if write_result.is_ok() {
                    write_result = output.write_all(&ready.output);
                }
                summary.absorb(&ready.stats);
                progress(summary.contexts);
                next += 1;
            }
        }
        let read_result = reader.join().unwrap_or(Ok(()));
        write_result?;
        read_result?;
        output.flush()
    })?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
