//! Load-time errors (typed `Result`s) and evaluation-time rule errors (data inside a decision).

use std::path::PathBuf;

/// A pack could not be loaded. Nothing was evaluated; fix the pack and load again.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// A file could not be read.
    #[error("failed to read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `pack.toml` is not valid.
    #[error("invalid manifest `{path}`: {message}")]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong, with the line and column when known.
        message: String,
    },
    /// A module's source file does not exist.
    #[error("module `{module}`: source `{path}` not found; {hint}")]
    SourceNotFound {
        /// The module id.
        module: String,
        /// The missing file.
        path: PathBuf,
        /// What to do about it.
        hint: String,
    },
    /// A Rhai script does not compile.
    #[error("{path}:{line}:{column}: module `{module}`: {message}")]
    Script {
        /// The module id.
        module: String,
        /// The script file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The compiler's message.
        message: String,
    },
    /// A Rhai script lacks the entry point its manifest entry needs.
    #[error("{path}: module `{module}` ({what}) must define `fn {function}(ctx)`")]
    MissingEntryPoint {
        /// The module id.
        module: String,
        /// The script file.
        path: PathBuf,
        /// What names the entry point: `kind \`billing\`` or `entry \`evaluate\``.
        what: String,
        /// The function expected.
        function: String,
    },
    /// A WebAssembly file is not a valid component of the `crm:rules/rule` world.
    #[error("{path}: module `{module}`: {message}")]
    Component {
        /// The module id.
        module: String,
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A component imports something the sandbox does not provide (WASI, another interface).
    #[error(
        "{path}: module `{module}` imports `{import}`, which the sandbox does not provide; \
         rules may import only `crm:rules` interfaces (build for wasm32-unknown-unknown, not WASI)"
    )]
    ForbiddenImport {
        /// The module id.
        module: String,
        /// The file.
        path: PathBuf,
        /// The import's name.
        import: String,
    },
    /// The pack's `[limits]` ask for more than the host allows.
    #[error("invalid manifest `{path}`: [limits] {error}")]
    LimitAboveCeiling {
        /// The manifest file.
        path: PathBuf,
        /// Which limit, what was asked and the ceiling.
        error: crate::limits::LimitAboveCeilingError,
    },
    /// The runtime could not be set up.
    #[error("failed to set up the rule engine: {0}")]
    Engine(String),
    /// A pack bundle (`.crmpack`) cannot be read: not a bundle, truncated, corrupted, too large,
    /// or holding a path or an entry a bundle may not hold (see [`crate::bundle`]).
    #[error("invalid pack bundle `{path}`: {message}")]
    Bundle {
        /// The bundle file (`<bundle>` for one loaded from bytes).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// A pack could not be written as a bundle ([`crate::bundle::write`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// A file of the pack could not be read.
    #[error("failed to read `{path}`: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The pack cannot be made self-contained: a path a bundle cannot hold (absolute, or climbing
    /// above the file system's root), a name that is not UTF-8, or a pack past the bundle limits.
    #[error("cannot bundle `{path}`: {message}")]
    Unbundlable {
        /// The pack folder, or the file at fault.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The bundle written does not load back to the pack it was made from (a file changed while
    /// it was being bundled, say).
    #[error("the bundle does not load back to the pack: {0}")]
    Verify(#[source] Box<LoadError>),
}

/// What kind of failure a rule module had in one evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleErrorKind {
    /// Used all its fuel (WebAssembly) or operations (Rhai).
    OutOfFuel,
    /// Ran past the wall-clock deadline.
    Deadline,
    /// Tried to grow memory (or a Rhai value) past its limit.
    Memory,
    /// Recursed too deep.
    StackOverflow,
    /// The WebAssembly guest trapped (a panic, `unreachable`, an out-of-bounds access).
    Trap,
    /// The Rhai script failed at run time (a thrown error, a type error, a missing function).
    Script,
    /// The rule returned its own error (`Err` from the entry point).
    RuleFailed,
    /// The output broke the contract (unknown action kind, missing field, invalid amount).
    BadOutput,
    /// The output exceeded the size limits.
    OutputTooLarge,
    /// The module was not run: the context failed [`crate::RulePack::check_context`] (a parameter
    /// override the pack does not declare, or of another kind than declared). The decision is held
    /// for review rather than made on the defaults.
    BadInput,
}

impl RuleErrorKind {
    /// Whether a limit stopped the rule (fuel, deadline, memory, stack, output size), as opposed to a
    /// fault in the rule's logic.
    pub fn is_limit_exceeded(&self) -> bool {
        matches!(
            self,
            RuleErrorKind::OutOfFuel
                | RuleErrorKind::Deadline
                | RuleErrorKind::Memory
                | RuleErrorKind::StackOverflow
                | RuleErrorKind::OutputTooLarge
        )
    }
}

/// One rule module's failure in one evaluation; the decision carries it instead of crashing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleError {
    /// The module that failed.
    pub module: String,
    /// What kind of failure.
    pub kind: RuleErrorKind,
    /// What happened, for a human.
    pub message: String,
    /// For scripts: the file the line and column are in, as the manifest names it (the module's
    /// source, or the pack's `rhai_prelude` when the error is in one of its functions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// For scripts: the 1-based line where it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// For scripts: the 1-based column where it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(column)) => write!(
                f,
                "module `{}` failed at {file}:{line}:{column} ({:?}): {}",
                self.module, self.kind, self.message
            ),
            (None, Some(line), Some(column)) => write!(
                f,
                "module `{}` failed at {line}:{column} ({:?}): {}",
                self.module, self.kind, self.message
            ),
            _ => write!(
                f,
                "module `{}` failed ({:?}): {}",
                self.module, self.kind, self.message
            ),
        }
    }
}
