//! The machinery under every streaming command over a book ([`super::run_batch`], and
//! [`crate::diff`]): lines read in chunks by one thread, each chunk turned into output by one of
//! several workers, and the output written in input order. Memory is bounded by the chunks in
//! flight and the longest line accepted, never by the size of the book.
//!
//! A job says what one line becomes ([`LineJob::line`]); the pipeline hands it either the line's
//! text or, for a line that is not text to parse (too long, not UTF-8, blank), the message saying
//! why, so that every input line yields exactly one result, with its line number.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::ScopedJoinHandle;

use super::lines::{LineReader, RawLine};

/// Lines per unit of work: big enough to amortise channel traffic, small enough to keep memory flat.
const CHUNK_LINES: usize = 512;

/// Bytes of text per unit of work: a chunk of long lines closes before [`CHUNK_LINES`].
const CHUNK_BYTES: usize = 1 << 20;

/// Chunks read but not yet written, per worker thread: bounds the memory of a run even when one
/// chunk takes much longer than the ones after it.
const CHUNKS_IN_FLIGHT_PER_THREAD: usize = 4;

/// What a streaming command does with each line of a book.
pub(crate) trait LineJob: Sync {
    /// What the job counts, per chunk; the chunks' tallies are handed back in input order.
    type Tally: Send;

    /// An empty tally, for a chunk about to start.
    fn new_tally(&self) -> Self::Tally;

    /// Lines longer than this are refused unread.
    fn max_line_bytes(&self) -> usize;

    /// Appends the result of line `number` to `out`: `line` is its text, or the reason it is not a
    /// line to parse (its result should be an error line saying so).
    fn line(
        &self,
        number: u64,
        line: Result<&str, String>,
        out: &mut Vec<u8>,
        tally: &mut Self::Tally,
    );
}

struct Chunk {
    index: u64,
    first_line: u64,
    lines: Vec<RawLine>,
}

struct Done<T> {
    index: u64,
    output: Vec<u8>,
    tally: T,
}

/// The text of a line as read, or why it is not one to parse.
fn line_text(line: &RawLine, number: u64, max_bytes: usize) -> Result<&str, String> {
    let bytes = match line {
        RawLine::Bytes(bytes) => bytes,
        RawLine::TooLong(length) => {
            return Err(format!(
                "the line is {length} bytes, longer than the limit of {max_bytes} bytes \
                 (Limits::max_input_bytes), so it was skipped unread; split the context, or \
                 raise the limit (`crm-rules --max-input-bytes`)"
            ));
        }
    };
    match crate::json::text_from_bytes_at(bytes, number) {
        Err(error) => Err(error.to_string()),
        Ok(text) if text.trim_matches([' ', '\t', '\r']).is_empty() => Err(
            "the line is blank; a book holds one JSON context per line, with no blank lines"
                .to_owned(),
        ),
        Ok(text) => Ok(text),
    }
}

fn worker<J: LineJob>(job: &J, chunks: &Mutex<Receiver<Chunk>>, done: &SyncSender<Done<J::Tally>>) {
    let max_bytes = job.max_line_bytes();
    loop {
        let next = match chunks.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(chunk) = next else { return };
        let mut output = Vec::with_capacity(chunk.lines.len() * 512);
        let mut tally = job.new_tally();
        for (offset, line) in chunk.lines.iter().enumerate() {
            let number = chunk.first_line + offset as u64;
            job.line(
                number,
                line_text(line, number, max_bytes),
                &mut output,
                &mut tally,
            );
        }
        let finished = Done {
            index: chunk.index,
            output,
            tally,
        };
        if done.send(finished).is_err() {
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

/// Waits for a thread of [`run_lines`] to end, all of it (its thread-locals too, so nothing of a run
/// outlives it), and passes its panic on: a thread that died took lines with it, and a run that lost
/// lines must not look complete.
fn join<T>(thread: ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Runs `job` over every line of `input` on `threads` workers, writing each chunk's output to
/// `output` in input order and handing its tally to `absorb` as it is written.
///
/// # Errors
/// Only I/O errors reading `input` or writing `output`; the chunks before the error are written.
pub(crate) fn run_lines<J: LineJob>(
    job: &J,
    input: impl BufRead + Send,
    output: &mut dyn Write,
    threads: usize,
    absorb: &mut dyn FnMut(J::Tally),
) -> std::io::Result<()> {
    let threads = threads.max(1);
    let (chunk_sender, chunk_receiver) = sync_channel::<Chunk>(threads * 2);
    let chunk_receiver = Arc::new(Mutex::new(chunk_receiver));
    let (done_sender, done_receiver) = sync_channel::<Done<J::Tally>>(threads * 2);
    let in_flight = threads * CHUNKS_IN_FLIGHT_PER_THREAD;
    let (credit_sender, credit_receiver) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        // The channel has room for every credit, and its receiver is alive here.
        let _ = credit_sender.send(());
    }
    let max_line_bytes = job.max_line_bytes();
    std::thread::scope(|scope| -> std::io::Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let receiver = Arc::clone(&chunk_receiver);
                let sender = done_sender.clone();
                scope.spawn(move || worker(job, &receiver, &sender))
            })
            .collect();
        drop(done_sender);
        let reader = scope
            .spawn(move || read_chunks(input, max_line_bytes, &chunk_sender, &credit_receiver));
        // Results arrive out of order; hold them until their turn (at most the chunks in flight).
        let mut pending: BTreeMap<u64, Done<J::Tally>> = BTreeMap::new();
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
                absorb(ready.tally);
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
    })
}
