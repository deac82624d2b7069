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

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::ScopedJoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::json::kind_name;
use crate::pack::RulePack;
use lines::{LineReader, RawLine};

/// Lines per unit of work: big enough to amortise channel traffic, small enough to keep memory flat.
const CHUNK_LINES: usize = 512;

/// Bytes of text per unit of work: a chunk of long lines closes before [`CHUNK_LINES`].
const CHUNK_BYTES: usize = 1 << 20;

/// Chunks read but not yet written, per worker thread: bounds the memory of a run even when one
/// chunk takes much longer than the ones after it.
const CHUNKS_IN_FLIGHT_PER_THREAD: usize = 4;

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
    actions_by_kind: HashMap<String, u64>,
}

struct Chunk {
    index: u64,
    first_line: u64,
    lines: Vec<RawLine>,
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
                let kind = kind_name(&decided.action.detail);
                match stats.actions_by_kind.get_mut(kind) {
                    Some(count) => *count += 1,
                    None => {
                        stats.actions_by_kind.insert(kind.to_owned(), 1);
                    }
                }
            }
            json!({"line": line_number, "decision": decision.to_json()})
        }
        Err(error) => {
            stats.input_errors += 1;
            json!({"line": line_number, "error": error.to_string()})
        }
    };
    write_record(out, &record);
}

/// Appends one result line to `out`.
fn write_record(out: &mut Vec<u8>, record: &serde_json::Value) {
    // Writing JSON into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, record);
    out.push(b'\n');
}

/// Reports a line that is not even text to parse: its error line, counted as an input error.
fn refuse_line(line_number: u64, message: &str, out: &mut Vec<u8>, stats: &mut ChunkStats) {
    stats.contexts += 1;
    stats.input_errors += 1;
    write_record(out, &json!({"line": line_number, "error": message}));
}

/// Turns one line as read into its result line: a refusal, or [`evaluate_line`].
fn process_line(
    pack: &RulePack,
    line_number: u64,
    line: &RawLine,
    out: &mut Vec<u8>,
    stats: &mut ChunkStats,
) {
    let max_bytes = pack.limits().max_input_bytes;
    let bytes = match line {
        RawLine::Bytes(bytes) => bytes,
        RawLine::TooLong(length) => {
            let message = format!(
                "the line is {length} bytes, longer than the limit of {max_bytes} bytes \
                 (Limits::max_input_bytes), so it was skipped unread; split the context, or \
                 raise the limit (`crm-rules --max-input-bytes`)"
            );
            return refuse_line(line_number, &message, out, stats);
        }
    };
    match crate::json::text_from_bytes_at(bytes, line_number) {
        Err(error) => refuse_line(line_number, &error.to_string(), out, stats),
        Ok(text) if text.trim_matches([' ', '\t', '\r']).is_empty() => refuse_line(
            line_number,
            "the line is blank; a book holds one JSON context per line, with no blank lines",
            out,
            stats,
        ),
        Ok(text) => evaluate_line(pack, line_number, text, out, stats),
    }
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
            process_line(
                pack,
                chunk.first_line + offset as u64,
                line,
                &mut output,
                &mut stats,
            );
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

/// Reads `input` into chunks and sends them to the workers, each once `credits` grants one (the
/// writer gives a credit back per chunk written); stops early when either side has gone.
fn read_chunks(
    input: impl BufRead,
    max_line_bytes: usize,
    chunks: &SyncSender<Chunk>,
    credits: &Receiver<()>,
) -> std::io::Result<()> {
    let mut reader = LineReader::new(input, max_line_bytes);
    let mut index = 0;
    let mut line_number = 1;
    loop {
        let mut lines = Vec::with_capacity(CHUNK_LINES);
        let mut bytes = 0;
        while lines.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
            let Some(line) = reader.next_line()? else {
                break;
            };
            if let RawLine::Bytes(text) = &line {
                bytes += text.len();
            }
            lines.push(line);
        }
        if lines.is_empty() || credits.recv().is_err() {
            return Ok(());
        }
        let count = lines.len() as u64;
        let chunk = Chunk {
            index,
            first_line: line_number,
            lines,
        };
        if chunks.send(chunk).is_err() {
            return Ok(());
        }
        index += 1;
        line_number += count;
    }
}

/// Waits for a thread of [`run_batch`] to end, all of it (its thread-locals too, so nothing of a run
/// outlives it), and passes its panic on: a thread that died took lines with it, and a run that lost
/// lines must not look complete.
fn join<T>(thread: ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Evaluates every line of `input` with `pack` on `threads` threads and writes one JSON line per
/// input line to `output`, in input order: `{"line": N, "decision": {...}}` or
/// `{"line": N, "error": "invoices[3].due_date: ..."}` (see the module documentation for what makes
/// a line an error). `progress` is called with the number of lines done so far. A bad line never
/// stops the run, and no line is held in memory beyond [`crate::Limits::max_input_bytes`].
///
/// # Errors
/// Only I/O errors reading `input` or writing `output`; the lines before the error are written.
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
    let in_flight = threads * CHUNKS_IN_FLIGHT_PER_THREAD;
    let (credit_sender, credit_receiver) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        // The channel has room for every credit, and its receiver is alive here.
        let _ = credit_sender.send(());
    }
    let max_line_bytes = pack.limits().max_input_bytes;
    let mut summary = BatchSummary::default();
    std::thread::scope(|scope| -> std::io::Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let receiver = Arc::clone(&chunk_receiver);
                let sender = done_sender.clone();
                scope.spawn(move || worker(pack, &receiver, &sender))
            })
            .collect();
        drop(done_sender);
        let reader = scope
            .spawn(move || read_chunks(input, max_line_bytes, &chunk_sender, &credit_receiver));
        // Results arrive out of order; hold them until their turn (at most the chunks in flight).
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0;
        let mut write_result = Ok(());
        let mut credits = Some(credit_sender);
        for done in done_receiver {
            pending.insert(done.index, done);
            while let Some(ready) = pending.remove(&next) {
                if write_result.is_ok() {
                    write_result = output.write_all(&ready.output);
                }
                if write_result.is_err() {
                    // Nothing more can be written: no more credits, so the reader stops.
                    credits = None;
                }
                if let Some(credits) = &credits {
                    // The reader may have finished already; then the credit is not needed.
                    let _ = credits.send(());
                }
                summary.absorb(&ready.stats);
                progress(summary.contexts);
                next += 1;
            }
        }
        let read_result = join(reader);
        for worker in workers {
            join(worker);
        }
        write_result?;
        read_result?;
        output.flush()
    })?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
