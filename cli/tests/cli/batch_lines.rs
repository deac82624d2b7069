//! `crm-rules batch`: one output line per input line, whatever the line, and bounded memory.

use std::io::Write as _;
use std::process::Stdio;

use super::{command, crm_rules, root, scratch, text};

/// The example book's lines (200 valid contexts).
fn example_lines() -> Vec<Vec<u8>> {
    let book = std::fs::read(root().join("examples/book.ndjson")).unwrap();
    book.split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn batch_writes_one_line_per_input_line_past_a_bad_byte_and_a_blank_line() {
    let mut lines = example_lines();
    assert_eq!(lines.len(), 200);
    // One byte that is not UTF-8 inside line 150, and line 160 blank.
    let quote = lines[149].iter().position(|byte| *byte == b'"').unwrap();
    lines[149].insert(quote + 1, 0xFF);
    lines[159].clear();
    let dir = scratch("bad-byte");
    let input = dir.join("book.ndjson");
    std::fs::write(&input, lines.join(&b'\n')).unwrap();
    let out = crm_rules(&[
        "batch",
        "rules/standard/rhai",
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let results: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(results.len(), 200, "one output line per input line");
    for (index, result) in results.iter().enumerate() {
        assert_eq!(result["line"], index + 1, "in input order");
        let bad = index == 149 || index == 159;
        assert_eq!(result["error"].is_string(), bad, "{result}");
        assert_eq!(result["decision"].is_object(), !bad, "{result}");
    }
    assert_eq!(
        results[149]["error"],
        format!(
            "line 150 column {}: the input is not valid UTF-8 (byte 0xFF)",
            quote + 2
        )
    );
    assert!(
        results[159]["error"]
            .as_str()
            .unwrap()
            .starts_with("the line is blank"),
        "{}",
        results[159]
    );
    assert!(
        text(&out.stderr).starts_with("200 contexts: 198 decisions, 2 bad input lines"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_help_says_what_a_blank_line_yields() {
    for flag in ["-h", "--help"] {
        let out = crm_rules(&["batch", flag]);
        assert!(
            text(&out.stdout).contains("some line was not a valid context, a blank line included"),
            "{}",
            text(&out.stdout)
        );
    }
    let long = text(&crm_rules(&["batch", "--help"]).stdout);
    assert!(long.contains("is blank (or only spaces)"), "{long}");
}

/// Peak resident memory of a running process, in bytes.
#[cfg(target_os = "linux")]
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kib * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn batch_refuses_an_oversized_line_without_holding_it_in_memory() {
    const LINE: usize = 256 << 20;
    const BLOCK: usize = 1 << 20;
    let mut child = command(&["batch", "rules/standard/rhai", "--input", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let block = vec![b'x'; BLOCK];
    for _ in 0..LINE / BLOCK {
        stdin.write_all(&block).unwrap();
    }
    // The writes above return once the pipe holds them: the process has read all but the last
    // pipe's worth of the line by now, and its peak memory would show the line if it kept it.
    let peak = peak_rss(child.id());
    stdin.write_all(b"\n").unwrap();
    stdin.write_all(&example_lines()[0]).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        peak < 128 << 20,
        "peak resident memory {} MiB while reading a {} MiB line",
        peak >> 20,
        LINE >> 20
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let results: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0]["error"],
        format!(
            "the line is {LINE} bytes, longer than the limit of 16777216 bytes \
             (Limits::max_input_bytes), so it was skipped unread; split the context, or \
             raise the limit (`crm-rules --max-input-bytes`)"
        )
    );
    assert_eq!(results[1]["line"], 2);
    assert!(results[1]["decision"].is_object(), "{}", results[1]);
}
