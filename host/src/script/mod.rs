//! The Rhai backend: scripts compiled once to an AST and run on a frozen, hardened engine (no `eval`,
//! no modules, no files, no clock), with per-call operation and deadline budgets.

mod budget;
mod capped;
pub(crate) mod context;
mod context_extras;
mod context_records;
mod custom_fields;
mod dynamic;
mod fields;
mod helpers;
mod interned;
pub(crate) mod lazy_context;
pub(crate) mod lent;
mod output;
mod params;
pub(crate) mod record;
mod sandbox;
mod seen_keys;
pub(crate) mod sources;
mod trace;
mod traps;

#[cfg(test)]
mod audit;

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use crm_rules_contract::types::RuleOutput;
use rhai::{AST, CallFnOptions, Dynamic, Engine, EvalAltResult, Position, Scope};

pub(crate) use sandbox::new_engine;

use crm_rules_contract::vocabulary::Vocabulary;

use crate::error::{LoadError, RuleErrorKind};
use crate::limits::Limits;

/// A pack's prelude: functions shared by its Rhai modules, and the file they come from.
pub(crate) struct Prelude {
    ast: AST,
    file: String,
}

impl Prelude {
    /// Compiles the prelude at `path`; `file` is its name as the manifest gives it.
    pub(crate) fn compile(
        engine: &Engine,
        path: &Path,
        file: String,
        source: &str,
    ) -> Result<Prelude, LoadError> {
        let ast = compile_source(engine, "prelude", path, source)?;
        Ok(Prelude { ast, file })
    }
}

/// A compiled Rhai module.
pub(crate) struct ScriptRule {
    ast: AST,
    entry_point: String,
    /// The module's file, as the manifest gives it: where its errors are.
    file: String,
    /// The prelude's file and the functions that come from it (not redefined by the module): an
    /// error inside one of them is in the prelude, not the module.
    prelude: Option<(String, HashSet<String>)>,
}

impl ScriptRule {
    /// Compiles `source` and checks that it defines `fn {entry_point}(ctx)`; `what` says where the
    /// name comes from, for the error (`kind \`billing\``, `entry \`evaluate\``).
    pub(crate) fn compile(
        engine: &Engine,
        module: &str,
        (entry_point, what): (&str, String),
        (path, file): (&Path, String),
        source: &str,
        prelude: Option<&Prelude>,
    ) -> Result<ScriptRule, LoadError> {
        let own = compile_source(engine, module, path, source)?;
        let shared = prelude.map(|prelude| {
            let names = prelude
                .ast
                .iter_functions()
                .map(|function| function.name.to_owned())
                .filter(|name| !own.iter_functions().any(|mine| mine.name == name.as_str()))
                .collect();
            (prelude.file.clone(), names)
        });
        // The module's own functions win over the prelude's.
        let ast = match prelude {
            Some(prelude) => prelude.ast.merge(&own),
            None => own,
        };
        if !ast
            .iter_functions()
            .any(|function| function.name == entry_point && function.params.len() == 1)
        {
            return Err(LoadError::MissingEntryPoint {
                module: module.to_owned(),
                path: path.to_path_buf(),
                what,
                function: entry_point.to_owned(),
            });
        }
        Ok(ScriptRule {
            ast,
            entry_point: entry_point.to_owned(),
            file,
            prelude: shared,
        })
    }

    /// The file an error happened in: the prelude's when the innermost function it happened in
    /// comes from the prelude, else the module's.
    fn file_of(&self, error: &EvalAltResult) -> String {
        let mut innermost = None;
        let mut current = error;
        while let EvalAltResult::ErrorInFunctionCall(name, _, cause, _) = current {
            innermost = Some(name.as_str());
            current = cause;
        }
        match (&self.prelude, innermost) {
            (Some((file, names)), Some(name)) if names.contains(name) => file.clone(),
            _ => self.file.clone(),
        }
    }

    /// Runs the entry point on `ctx` (the context as a Rhai map): the output and the operations
    /// used. `counted_memory` holds the script to `limits.max_memory_bytes` of heap.
    pub(crate) fn call(
        &self,
        engine: &Engine,
        ctx: Dynamic,
        (limits, vocabulary): (&Limits, &Vocabulary),
        counted_memory: bool,
    ) -> (Result<RuleOutput, ScriptFailure>, u64) {
        budget::start(limits, counted_memory);
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let mut scope = Scope::new();
        let result = engine.call_fn_with_options::<Dynamic>(
            options,
            &mut scope,
            &self.ast,
            &self.entry_point,
            (ctx,),
        );
        let operations = budget::operations();
        let outcome = match result {
            Ok(value) => output::from_dynamic(value, vocabulary).map_err(|message| ScriptFailure {
                kind: RuleErrorKind::BadOutput,
                message,
                file: None,
                position: None,
            }),
            Err(error) => Err(ScriptFailure {
                file: Some(self.file_of(&error)),
                ..classify(&error, limits.deadline)
            }),
        };
        (outcome, operations)
    }
}

/// Compiles a script (a module, or a pack's prelude of shared functions).
pub(crate) fn compile_source(
    engine: &Engine,
    module: &str,
    path: &Path,
    source: &str,
) -> Result<AST, LoadError> {
    engine.compile(source).map_err(|error| {
        let (line, column) = line_column(error.position());
        let mut message = error.err_type().to_string();
        let text = source
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or_default();
        if text.contains("\\`") {
            // Rhai's template strings have no escape for a backtick.
            message.push_str(
                "; a template string (`...`) cannot contain a backtick, not even as \\`: \
                 build that part with \"...\" + \"`\"",
            );
        }
        LoadError::Script {
            module: module.to_owned(),
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    })
}

/// Why a script call failed, and where.
pub(crate) struct ScriptFailure {
    pub(crate) kind: RuleErrorKind,
    pub(crate) message: String,
    /// The script file (module or prelude) the position is in.
    pub(crate) file: Option<String>,
    pub(crate) position: Option<(usize, usize)>,
}

fn line_column(position: Position) -> (usize, usize) {
    (
        position.line().unwrap_or(0),
        position.position().unwrap_or(0),
    )
}

/// Maps a Rhai error to a typed kind by its variant (never its text), keeping its position.
fn classify(error: &EvalAltResult, deadline: Duration) -> ScriptFailure {
    // Errors raised inside a function call are wrapped; the innermost one says what happened.
    let mut inner = error;
    while let EvalAltResult::ErrorInFunctionCall(_, _, cause, _) = inner {
        inner = cause;
    }
    let kind = match inner {
        EvalAltResult::ErrorTerminated(token, _) => match budget::stop_reason(token) {
            Some(budget::Stop::Deadline) => RuleErrorKind::Deadline,
            Some(budget::Stop::Memory) => RuleErrorKind::Memory,
            Some(budget::Stop::Operations) | None => RuleErrorKind::OutOfFuel,
        },
        EvalAltResult::ErrorTooManyOperations(_) => RuleErrorKind::OutOfFuel,
        EvalAltResult::ErrorDataTooLarge(_, _) => RuleErrorKind::Memory,
        EvalAltResult::ErrorStackOverflow(_) => RuleErrorKind::StackOverflow,
        _ => RuleErrorKind::Script,
    };
    let message = match (kind, inner) {
        (RuleErrorKind::OutOfFuel, _) => "ran out of operations".to_owned(),
        (RuleErrorKind::Deadline, _) => format!("ran past its deadline of {deadline:?}"),
        (RuleErrorKind::Memory, EvalAltResult::ErrorTerminated(..)) => {
            "held more memory than its limit allows".to_owned()
        }
        (_, EvalAltResult::ErrorPropertyNotFound(field, _)) => fields::unknown_field_message(field),
        (_, EvalAltResult::ErrorFunctionNotFound(signature, _)) if signature.contains("Record") => {
            format!(
                "function not found: {signature}; a record of the context is not a map: \
                 `record.to_map()` gives a map of your own for what only maps do"
            )
        }
        (_, EvalAltResult::ErrorFunctionNotFound(signature, _))
            if signature.contains("SeenKeys") =>
        {
            format!(
                "function not found: {signature}; `ctx.seen_keys` is not a map: \
                 `ctx.seen_keys.to_map()` gives a map of your own for what only maps do"
            )
        }
        // The line and column are reported on their own: the message need not repeat them, and a
        // thrown value or a runtime error is its own message.
        (_, EvalAltResult::ErrorRuntime(value, _)) => value.to_string(),
        _ => {
            let text = inner.to_string();
            let at = format!(" ({})", inner.position());
            text.strip_suffix(&at).map_or(text.clone(), str::to_owned)
        }
    };
    let position = Some(line_column(inner.position())).filter(|(line, _)| *line > 0);
    ScriptFailure {
        kind,
        message,
        file: None,
        position,
    }
}
