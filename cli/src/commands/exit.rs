//! The exit codes, as each command's `--help` states them: 0 success, 1 the run found a problem in
//! what it was given to judge (a failing case, a bad input line, an invalid pack for `check`), 2 the
//! run could not do its job (usage, environment, a pack or fixture file that does not load, a write
//! error). A closed pipe (`| head`) is not an error: the exit code is the run's own.

/// For `crm-rules --help`.
pub const ALL: &str = "\
Exit status:
  0  success
  1  some fixture case failed, some batch input line was bad, or `check` found an invalid pack
  2  usage, environment or load failure: bad arguments, an unreadable file, a pack or fixture
     file that does not load, invalid `eval` input, a write error (a full disk)
A closed pipe (`| head`) ends the output quietly; the exit code is the run's own.";

/// For `crm-rules eval --help`.
pub const EVAL: &str = "\
Exit status:
  0  the decision was printed (rule errors are part of it, and repeated on standard error)
  2  usage, an unreadable or invalid context, a pack that does not load, a write error";

/// For `crm-rules batch --help`.
pub const BATCH: &str = "\
Exit status:
  0  every line was a valid context and was decided
  1  some line was not a valid context, a blank line included (its error line is in the output,
     with its line number; the other lines are decided); 0 instead with --allow-bad-lines
  2  usage, an unreadable book, a pack that does not load, a write error";

/// For `crm-rules test --help`.
pub const TEST: &str = "\
Exit status:
  0  every case of every pack passed
  1  some case failed
  2  usage, a pack or fixture file that does not load, a pack without cases, a write error
     (the other packs still run, and the JUnit file is written)";

/// For `crm-rules check --help`.
pub const CHECK: &str = "\
Exit status:
  0  every pack loads and every fixture input is a valid context
  1  some pack is invalid (each problem is printed on standard error)
  2  usage, a write error";

/// For `crm-rules serve --help`.
pub const SERVE: &str = "\
Exit status:
  0  stopped by SIGTERM or Ctrl-C after the requests in flight finished
  2  usage, an unreadable packs directory or token file, an address that cannot be listened on,
     a non-loopback address without --api-token-file";

/// For `crm-rules init --help`.
pub const INIT: &str = "\
Exit status:
  0  the pack was written
  2  usage, a folder that is not empty, an invalid name, a write error";

/// For `crm-rules fixture from-log --help`.
pub const FIXTURE_FROM_LOG: &str = "\
Exit status:
  0  the cases were written
  2  usage, an unreadable log, no logged decision matching the selection, a pack that does not
     load, a write error";

/// For `crm-rules diff --help`.
pub const DIFF: &str = "\
Exit status:
  0  both packs read and decided every line (whether or not their decisions differ)
  1  some line could not be read by one pack or both (each is in --output and counted in the
     summary; the other lines are compared)
  2  usage, an unreadable book, a pack that does not load, a write error";

/// For `crm-rules explain --help`.
pub const EXPLAIN: &str = "\
Exit status:
  0  the decision was explained
  1  the pack decided differently while explained (a rule depends on being explained)
  2  usage, an unreadable or invalid context, a pack that does not load, a write error";

/// For `crm-rules bundle --help`.
pub const BUNDLE: &str = "\
Exit status:
  0  the bundle was written
  2  usage, a pack that does not load, a write error";
