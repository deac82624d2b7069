//! Arbitrary bytes as an NDJSON book, through `batch::run_batch`.
//!
//! Whatever the bytes, the output must hold exactly one line per input line (lines end at `\n`, the
//! last one needs none), numbered 1, 2, 3... in input order, each a JSON object with its `line` and
//! exactly one of `decision` (an object) or `error` (a non-empty string); the summary must count
//! every line. The pack is the Rhai standard pack under an input limit of 512 bytes, so that lines
//! over the limit are common; the reader's buffer size (1 to 64 bytes) comes from the input's
//! length, so that line boundaries fall anywhere in it; two worker threads, so that results are put
//! back in order. Any panic, abort or broken expectation is a crash.
#![no_main]

use std::io::BufReader;
use std::path::Path;
use std::sync::LazyLock;

use crm_rules_host::batch::{BatchOptions, run_batch};
use crm_rules_host::{Limits, RuleEngine, RulePack};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Lines longer than this are refused unread.
const MAX_INPUT_BYTES: usize = 512;

/// The Rhai standard pack under [`MAX_INPUT_BYTES`], loaded once per process.
static PACK: LazyLock<RulePack> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let limits = Limits {
        max_input_bytes: MAX_INPUT_BYTES,
        ..Limits::default()
    };
    RuleEngine::new(limits)
        .expect("engine")
        .load_pack(root.join("rules/standard/rhai"))
        .unwrap_or_else(|error| panic!("the Rhai standard pack does not load: {error}"))
});

/// The number of lines in `data`: one per `\n`, and one more for text after the last `\n`.
fn line_count(data: &[u8]) -> usize {
    let newlines = data.iter().filter(|byte| **byte == b'\n').count();
    newlines + usize::from(data.last().is_some_and(|byte| *byte != b'\n'))
}

fuzz_target!(|data: &[u8]| {
    let buffer = 1 + data.len() % 64;
    let mut output = Vec::new();
    let summary = run_batch(
        &PACK,
        BufReader::with_capacity(buffer, data),
        &mut output,
        &BatchOptions {
            threads: 2,
            ..BatchOptions::default()
        },
    )
    .expect("reading a slice and writing a Vec cannot fail");
    let expected = line_count(data);
    assert_eq!(
        summary.contexts, expected as u64,
        "the summary counts every line"
    );
    assert_eq!(
        summary.decisions + summary.input_errors,
        summary.contexts,
        "every line is a decision or an input error"
    );
    if expected == 0 {
        assert!(output.is_empty());
        return;
    }
    assert_eq!(
        output.last(),
        Some(&b'\n'),
        "the output ends with a newline"
    );
    let lines: Vec<&[u8]> = output[..output.len() - 1]
        .split(|byte| *byte == b'\n')
        .collect();
    assert_eq!(lines.len(), expected, "one output line per input line");
    for (index, line) in lines.iter().enumerate() {
        let record: Value = serde_json::from_slice(line).expect("each output line is JSON");
        assert_eq!(record["line"], index as u64 + 1, "in input order");
        let decision = record.get("decision").is_some_and(Value::is_object);
        let error = record
            .get("error")
            .and_then(Value::as_str)
            .is_some_and(|message| !message.is_empty());
        assert!(
            decision != error,
            "a decision or an error, not both: {record}"
        );
        assert_eq!(
            record.as_object().map(|fields| fields.len()),
            Some(2),
            "{record}"
        );
    }
});
