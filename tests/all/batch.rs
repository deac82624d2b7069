//! Batch: every input line yields exactly one output line, in input order, whatever the line holds.
//!
//! The book is `tests/batch-input/mixed.ndjson` (byte-exact: see its `.gitattributes`), twelve
//! lines mixing every kind of line a book can hold: a UTF-8 byte-order mark, a CRLF ending, blank
//! lines, truncated JSON, a byte that is not UTF-8, a field that is not valid, a line over the input
//! limit (2,048 bytes here, so the corpus stays small), UTF-16, and a last line without a newline.
//! Each valid context's `id` is `line-N`, so a decision shows which line it came from.

use std::io::BufReader;
use std::sync::OnceLock;

use crm_rules_host::batch::{BatchOptions, run_batch};
use crm_rules_host::{Limits, RuleEngine, RulePack};
use serde_json::Value;

/// The input limit the corpus was written for: line 8 is over it.
const MAX_INPUT_BYTES: usize = 2048;

/// What each line of the corpus must yield: a decision, or an error containing the text.
const EXPECTED: &[(u64, Outcome)] = &[
    (1, Outcome::Decision),
    (2, Outcome::Decision),
    (3, Outcome::Error("the line is blank")),
    (4, Outcome::Error("the line is blank")),
    (5, Outcome::Error("EOF while parsing")),
    (
        6,
        Outcome::Error("line 6 column 90: the input is not valid UTF-8 (byte 0xFF)"),
    ),
    (7, Outcome::Error("invoices[0].due_date")),
    (
        8,
        Outcome::Error("the line is 3448 bytes, longer than the limit of 2048 bytes"),
    ),
    (
        9,
        Outcome::Error("the input looks like UTF-16; save it as UTF-8"),
    ),
    (10, Outcome::Error("the line is blank")),
    (11, Outcome::Decision),
    (12, Outcome::Decision),
];

enum Outcome {
    Decision,
    Error(&'static str),
}

/// The Rhai standard pack under the corpus's input limit.
fn pack() -> &'static RulePack {
    static PACK: OnceLock<RulePack> = OnceLock::new();
    PACK.get_or_init(|| {
        let limits = Limits {
            max_input_bytes: MAX_INPUT_BYTES,
            ..Limits::default()
        };
        RuleEngine::new(limits)
            .expect("engine")
            .load_pack(crm_rules_tests::standard_rhai())
            .unwrap_or_else(|error| panic!("{error}"))
    })
}

fn book() -> Vec<u8> {
    std::fs::read(crm_rules_tests::root().join("tests/batch-input/mixed.ndjson"))
        .expect("read tests/batch-input/mixed.ndjson")
}

#[test]
fn a_book_mixing_every_kind_of_bad_line_yields_one_line_each_in_order() {
    let book = book();
    // The corpus is what this test says it is: twelve lines, the last without a newline.
    assert_eq!(book.split(|byte| *byte == b'\n').count(), EXPECTED.len());
    assert_ne!(book.last(), Some(&b'\n'));
    // Small read buffers put line boundaries everywhere inside them.
    for (threads, buffer) in [(1, 1), (2, 7), (2, 1 << 16)] {
        let mut output = Vec::new();
        let summary = run_batch(
            pack(),
            BufReader::with_capacity(buffer, book.as_slice()),
            &mut output,
            &BatchOptions {
                threads,
                ..BatchOptions::default()
            },
        )
        .expect("batch");
        let results: Vec<Value> = String::from_utf8(output)
            .expect("the output is UTF-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("each output line is JSON"))
            .collect();
        assert_eq!(
            results.len(),
            EXPECTED.len(),
            "one output line per input line"
        );
        for (result, (line, outcome)) in results.iter().zip(EXPECTED) {
            assert_eq!(result["line"], *line, "in input order: {result}");
            match outcome {
                Outcome::Decision => assert_eq!(
                    result["decision"]["context_id"],
                    format!("line-{line}"),
                    "{result}"
                ),
                Outcome::Error(fragment) => {
                    let error = result["error"].as_str().unwrap_or_default();
                    assert!(error.contains(fragment), "line {line}: {result}");
                }
            }
        }
        assert_eq!(summary.contexts, 12);
        assert_eq!(summary.decisions, 4);
        assert_eq!(summary.input_errors, 8);
    }
}

#[test]
fn lines_after_a_bad_byte_are_still_decided() {
    // The shape of the report: one bad byte in the middle of a book lost the whole run.
    let corpus = book();
    let context = corpus
        .split(|byte| *byte == b'\n')
        .nth(10)
        .expect("line 11");
    let mut book = Vec::new();
    for line in 1..=200 {
        if line == 150 {
            book.extend_from_slice(b"{\"id\": \"\xFF\"}");
        } else {
            book.extend_from_slice(context);
        }
        book.push(b'\n');
    }
    let mut output = Vec::new();
    let summary = run_batch(
        pack(),
        book.as_slice(),
        &mut output,
        &BatchOptions {
            threads: 2,
            ..BatchOptions::default()
        },
    )
    .expect("batch");
    let results: Vec<Value> = output
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("JSON"))
        .collect();
    assert_eq!(results.len(), 200);
    assert_eq!(summary.input_errors, 1);
    assert_eq!(
        results[149]["error"],
        "line 150 column 9: the input is not valid UTF-8 (byte 0xFF)"
    );
    assert!(results[150]["decision"].is_object(), "{}", results[150]);
}

/// Input that fails the way a buggy embedder's reader might: by panicking.
struct PanickingReader;

impl std::io::Read for PanickingReader {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        panic!("the input broke")
    }
}

#[test]
fn a_run_whose_reader_panicked_does_not_look_complete() {
    let run = std::panic::catch_unwind(|| {
        run_batch(
            pack(),
            BufReader::new(PanickingReader),
            &mut Vec::new(),
            &BatchOptions {
                threads: 2,
                ..BatchOptions::default()
            },
        )
    });
    assert!(
        run.is_err(),
        "the reader's panic must reach the caller: {run:?}"
    );
}

#[test]
fn the_observer_sees_each_decision_once_with_its_line_and_input_and_never_a_bad_line() {
    let book = book();
    let seen = std::sync::Mutex::new(Vec::new());
    let observe = |evaluated: &crm_rules_host::batch::Evaluated<'_>| {
        let decision: Value = serde_json::from_slice(evaluated.decision).expect("JSON");
        let input: Value = serde_json::from_str(evaluated.input).expect("a context");
        seen.lock().expect("unpoisoned").push((
            evaluated.line,
            input["id"].clone(),
            decision["context_id"].clone(),
            evaluated.arm,
            evaluated.pack.hash.clone(),
        ));
    };
    let mut output = Vec::new();
    let options = BatchOptions {
        threads: 2,
        keep_input: true,
        observer: Some(&observe),
        ..BatchOptions::default()
    };
    let summary = run_batch(pack(), book.as_slice(), &mut output, &options).expect("batch");
    let mut seen = seen.into_inner().expect("unpoisoned");
    seen.sort_by_key(|entry| entry.0);
    let decided: Vec<u64> = EXPECTED
        .iter()
        .filter(|(_, outcome)| matches!(outcome, Outcome::Decision))
        .map(|(line, _)| *line)
        .collect();
    assert_eq!(
        seen.iter().map(|entry| entry.0).collect::<Vec<_>>(),
        decided
    );
    assert_eq!(summary.decisions, decided.len() as u64);
    for (line, input_id, context_id, arm, hash) in &seen {
        assert_eq!(input_id, &Value::from(format!("line-{line}")));
        assert_eq!(input_id, context_id);
        assert_eq!((arm, hash), (&None, &pack().identity().hash));
    }
    // Kept inputs: each decision line carries the context it decided, and error lines none.
    for line in String::from_utf8(output).expect("UTF-8").lines() {
        let line: Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(
            line["input"].is_object(),
            line["decision"].is_object(),
            "{line}"
        );
        if line["input"].is_object() {
            assert_eq!(line["input"]["id"], line["decision"]["context_id"]);
        }
    }
}
