//! The decision log (opt-in, `--decision-log FILE`): one NDJSON line per decision, with the request
//! id, the pack's name and hash, the line of the book for a batch request, the arm when the pack
//! has a challenger, the context as received, the decision and the latency, appended on the worker
//! that made the decision and rotated by size (`FILE.1` is the newest old file, up to
//! `FILE.{keep}`).
//!
//! Each line holds the input as it was sent, so a line can be replayed: its `input` is a context
//! for `crm-rules eval`, its `decision` what the pack at `pack.hash` decided then, and
//! `crm-rules fixture from-log` turns it into a fixture case.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Where and how much to log.
#[derive(Debug, Clone)]
pub struct DecisionLogConfig {
    /// The file lines are appended to.
    pub path: PathBuf,
    /// The size past which the file is rotated.
    pub max_bytes: u64,
    /// Rotated files kept (`FILE.1` to `FILE.{keep}`).
    pub keep: u32,
}

/// An open decision log.
pub struct DecisionLog {
    config: DecisionLogConfig,
    file: Mutex<(File, u64)>,
}

/// One logged evaluation.
pub struct Entry<'a> {
    /// The request's id (`x-request-id`).
    pub request_id: &'a str,
    /// The pack's name.
    pub pack: &'a str,
    /// The pack's content hash.
    pub hash: &'a str,
    /// The line of the request's book, for a batch request.
    pub line: Option<u64>,
    /// `champion` or `challenger`, when the pack has a challenger.
    pub arm: Option<&'a str>,
    /// The context as received (JSON, already read as a valid context).
    pub input: &'a str,
    /// The decision (JSON on one line).
    pub decision: &'a [u8],
    /// From the request's arrival to the decision.
    pub latency: Duration,
}

impl DecisionLog {
    /// Opens (or creates) the log for appending.
    ///
    /// # Errors
    /// The file cannot be opened.
    pub fn open(config: DecisionLogConfig) -> std::io::Result<DecisionLog> {
        let file = append(&config.path)?;
        let size = file.metadata()?.len();
        Ok(DecisionLog {
            config,
            file: Mutex::new((file, size)),
        })
    }

    /// Appends `entry` as one line, rotating first when the file is full. A write that fails is
    /// logged and the decision still answered: the log never stops evaluation.
    pub fn record(&self, entry: &Entry<'_>) {
        let text = line_of(entry);
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if file.1 > 0 && file.1 + text.len() as u64 > self.config.max_bytes {
            match self.rotate() {
                Ok(fresh) => *file = (fresh, 0),
                Err(error) => tracing::warn!(%error, "decision log not rotated"),
            }
        }
        match file.0.write_all(text.as_bytes()) {
            Ok(()) => file.1 += text.len() as u64,
            Err(error) => tracing::warn!(%error, "decision log line not written"),
        }
    }

    /// Shifts `FILE.n` to `FILE.n+1` (dropping the oldest), `FILE` to `FILE.1`, and opens a fresh
    /// `FILE`.
    fn rotate(&self) -> std::io::Result<File> {
        let path = &self.config.path;
        let numbered = |n: u32| rotated(path, n);
        if self.config.keep == 0 {
            std::fs::remove_file(path)?;
            return append(path);
        }
        let _ = std::fs::remove_file(numbered(self.config.keep));
        for n in (1..self.config.keep).rev() {
            let from = numbered(n);
            if from.exists() {
                std::fs::rename(&from, numbered(n + 1))?;
            }
        }
        std::fs::rename(path, numbered(1))?;
        append(path)
    }
}

/// The log line of `entry`: its fields, then the input (re-encoded onto one line only when it was
/// sent over several) and the decision copied as they are.
fn line_of(entry: &Entry<'_>) -> String {
    let at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_millis());
    let mut head = json!({
        "at_unix_ms": at,
        "request_id": entry.request_id,
        "pack": {"name": entry.pack, "hash": entry.hash},
    });
    if let Value::Object(fields) = &mut head {
        if let Some(line) = entry.line {
            fields.insert("line".to_owned(), json!(line));
        }
        if let Some(arm) = entry.arm {
            fields.insert("arm".to_owned(), json!(arm));
        }
        let micros = u64::try_from(entry.latency.as_micros()).unwrap_or(u64::MAX);
        fields.insert("latency_us".to_owned(), json!(micros));
    }
    let mut text = head.to_string();
    text.pop();
    text.push_str(",\"input\":");
    let input = entry.input.trim();
    if input.contains(['\n', '\r']) {
        let value: Value = serde_json::from_str(input).unwrap_or(Value::Null);
        text.push_str(&value.to_string());
    } else {
        text.push_str(input);
    }
    text.push_str(",\"decision\":");
    text.push_str(&String::from_utf8_lossy(entry.decision));
    text.push_str("}\n");
    text
}

fn append(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

fn rotated(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_hold_input_and_decision_and_the_file_rotates_by_size() {
        let dir = std::env::temp_dir().join(format!("crm-rules-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder");
        let path = dir.join("decisions.ndjson");
        let log = DecisionLog::open(DecisionLogConfig {
            path: path.clone(),
            max_bytes: 400,
            keep: 2,
        })
        .expect("opens");
        for index in 0..10 {
            let input = format!("{{\"id\":\n \"ctx-{index}\"}}");
            log.record(&Entry {
                request_id: "req-1",
                pack: "p",
                hash: "sha256:00",
                line: Some(index),
                arm: Some("champion"),
                input: &input,
                decision: b"{\"status\": \"complete\"}",
                latency: Duration::from_micros(42),
            });
        }
        let current = std::fs::read_to_string(&path).expect("the log");
        let last: Value =
            serde_json::from_str(current.lines().last().expect("a line")).expect("JSON");
        assert_eq!(last["input"]["id"], "ctx-9");
        assert_eq!(last["decision"]["status"], "complete");
        assert_eq!(last["pack"]["hash"], "sha256:00");
        assert_eq!(last["latency_us"], 42);
        assert_eq!(
            (&last["line"], &last["arm"]),
            (&json!(9), &json!("champion"))
        );
        assert!(rotated(&path, 1).exists() && rotated(&path, 2).exists());
        assert!(!rotated(&path, 3).exists(), "only two old files are kept");
        for file in [path.clone(), rotated(&path, 1), rotated(&path, 2)] {
            let size = std::fs::metadata(&file).expect("a file").len();
            assert!(size <= 400, "{} is {size} bytes", file.display());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
