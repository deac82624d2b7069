//! Writes a book of random, valid evaluation contexts as NDJSON (one per line) to standard output:
//! `cargo run --release -p crm-rules-tests --bin gen-book -- COUNT [FIRST_SEED] > book.ndjson`.
//! The same seeds always give the same book.

use std::io::Write as _;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let first: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for seed in first..first + count {
        serde_json::to_writer(&mut out, &crm_rules_tests::random_context(seed))?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
