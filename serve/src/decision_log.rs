//! The decision log (opt-in, `--decision-log FILE`): one NDJSON line per evaluation request, with
//! the request id, the pack's name and hash, the context as received, the decision and the latency,
//! appended on the worker that made the decision and rotated by size (`FILE.1` is the newest old
//! file, up to `FILE.{keep}`).
//!
//! Each line holds the input as it was sent, so a line can be replayed: its `input` is a context
//! for `crm-rules eval`, and its `decision` what the pack at `pack.hash` decided then.

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
    /// The body as received (a context).
    pub input: &'a [u8],
    /// The decision's JSON.
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
        let input: Value = serde_json::from_slice(entry.input).unwrap_or(Value::Null);
        let decision: Value = serde_json::from_slice(entry.decision).unwrap_or(Value::Null);
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        let line = json!({
            "at_unix_ms": at,
            "request_id": entry.request_id,
            "pack": {"name": entry.pack, "hash": entry.hash},
            "latency_us": u64::try_from(entry.latency.as_micros()).unwrap_or(u64::MAX),
            "input": input,
            "decision": decision,
        });
        let mut text = line.to_string();
        text.push('\n');
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
            let input = format!("{{\"id\": \"ctx-{index}\"}}");
            log.record(&Entry {
                request_id: "req-1",
                pack: "p",
                hash: "sha256:00",
                input: input.as_bytes(),
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
        assert!(rotated(&path, 1).exists() && rotated(&path, 2).exists());
        assert!(!rotated(&path, 3).exists(), "only two old files are kept");
        for file in [path.clone(), rotated(&path, 1), rotated(&path, 2)] {
            let size = std::fs::metadata(&file).expect("a file").len();
            assert!(size <= 400, "{} is {size} bytes", file.display());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
