//! The Rhai backend: scripts compiled once to an AST and run on a frozen, hardened engine (no `eval`,
//! no modules, no files, no clock), with per-call operation and deadline budgets.

pub(crate) mod context;
mod helpers;
mod output;

use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

use crm_rules_guest::types::RuleOutput;
use rhai::packages::{Package, StandardPackage};
use rhai::{AST, CallFnOptions, Dynamic, Engine, EvalAltResult, Position, Scope};

use crate::error::{LoadError, RuleErrorKind};
use crate::limits::Limits;
use crate::manifest::RuleKind;

/// How often (in operations) the deadline is checked: reading the clock on every operation costs more
/// than the operation.
const DEADLINE_CHECK_EVERY: u64 = 1024;

/// The budget of the script running on this thread.
#[derive(Clone, Copy)]
struct Budget {
    max_operations: u64,
    deadline: Option<Instant>,
    operations: u64,
    /// With [`crate::alloc::CountingAllocator`] installed: the thread's net bytes when the call
    /// started, and how many more it may hold.
    memory: Option<(i64, i64)>,
}

thread_local! {
    static BUDGET: Cell<Budget> = const {
        Cell::new(Budget { max_operations: u64::MAX, deadline: None, operations: 0, memory: None })
    };
}

const OUT_OF_OPERATIONS: &str = "out-of-operations";
const PAST_DEADLINE: &str = "past-deadline";
const OUT_OF_MEMORY: &str = "out-of-memory";

/// Builds the frozen engine every Rhai module shares.
pub(crate) fn new_engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    engine.register_global_module(StandardPackage::new().as_shared_module());
    helpers::register(&mut engine);
    engine
        .set_strict_variables(true)
        .set_max_call_levels(limits.rhai_max_call_levels)
        .set_max_expr_depths(limits.rhai_max_expr_depth, limits.rhai_max_expr_depth)
        .set_max_string_size(limits.rhai_max_string_bytes)
        .set_max_array_size(limits.rhai_max_array_len)
        .set_max_map_size(limits.rhai_max_map_len)
        .set_max_variables(1_000)
        .set_max_functions(1_000)
        .on_print(|_| {})
        .on_debug(|_, _, _| {})
        .on_progress(|operations| {
            let budget = BUDGET.with(Cell::get);
            BUDGET.with(|cell| {
                cell.set(Budget {
                    operations,
                    ..budget
                })
            });
            if operations > budget.max_operations {
                return Some(Dynamic::from(OUT_OF_OPERATIONS));
            }
            if let (Some((start, limit)), Some(now)) =
                (budget.memory, crate::alloc::thread_net_bytes())
                && now.saturating_sub(start) > limit
            {
                return Some(Dynamic::from(OUT_OF_MEMORY));
            }
            if operations % DEADLINE_CHECK_EVERY == 0
                && budget
                    .deadline
                    .is_some_and(|deadline| Instant::now() >= deadline)
            {
                return Some(Dynamic::from(PAST_DEADLINE));
            }
            None
        });
    engine.disable_symbol("eval");
    engine
}

/// A compiled Rhai module.
pub(crate) struct ScriptRule {
    ast: AST,
    entry_point: &'static str,
}

impl ScriptRule {
    /// Compiles `source` and checks that it defines the entry point of `kind`.
    pub(crate) fn compile(
        engine: &Engine,
        module: &str,
        kind: RuleKind,
        path: &Path,
        source: &str,
        prelude: Option<&AST>,
    ) -> Result<ScriptRule, LoadError> {
        let ast = compile_source(engine, module, path, source)?;
        // The module's own functions win over the prelude's.
        let ast = match prelude {
            Some(prelude) => prelude.merge(&ast),
            None => ast,
        };
        let entry_point = kind.entry_point();
        if !ast
            .iter_functions()
            .any(|function| function.name == entry_point && function.params.len() == 1)
        {
            return Err(LoadError::MissingEntryPoint {
                module: module.to_owned(),
                path: path.to_path_buf(),
                kind: kind.name().to_owned(),
                function: entry_point.to_owned(),
            });
        }
        Ok(ScriptRule { ast, entry_point })
    }

    /// Runs the entry point on `ctx` (the context as a Rhai map): the output and the operations used.
    pub(crate) fn call(
        &self,
        engine: &Engine,
        ctx: Dynamic,
        limits: &Limits,
    ) -> (Result<RuleOutput, ScriptFailure>, u64) {
        BUDGET.with(|cell| {
            cell.set(Budget {
                max_operations: limits.rhai_max_operations,
                deadline: Instant::now().checked_add(limits.deadline),
                operations: 0,
                memory: crate::alloc::thread_net_bytes().map(|start| {
                    (
                        start,
                        i64::try_from(limits.max_memory_bytes).unwrap_or(i64::MAX),
                    )
                }),
            })
        });
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let mut scope = Scope::new();
        let result = engine.call_fn_with_options::<Dynamic>(
            options,
            &mut scope,
            &self.ast,
            self.entry_point,
            (ctx,),
        );
        let operations = BUDGET.with(Cell::get).operations;
        let outcome = match result {
            Ok(value) => output::from_dynamic(value).map_err(|message| ScriptFailure {
                kind: RuleErrorKind::BadOutput,
                message,
                position: None,
            }),
            Err(error) => Err(classify(&error, limits.deadline)),
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
        LoadError::Script {
            module: module.to_owned(),
            path: path.to_path_buf(),
            line,
            column,
            message: error.err_type().to_string(),
        }
    })
}

/// Why a script call failed, and where.
pub(crate) struct ScriptFailure {
    pub(crate) kind: RuleErrorKind,
    pub(crate) message: String,
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
        EvalAltResult::ErrorTerminated(token, _) => {
            match token.clone().into_string().ok().as_deref() {
                Some(PAST_DEADLINE) => RuleErrorKind::Deadline,
                Some(OUT_OF_MEMORY) => RuleErrorKind::Memory,
                _ => RuleErrorKind::OutOfFuel,
            }
        }
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
        _ => inner.to_string(),
    };
    let position = Some(line_column(inner.position())).filter(|(line, _)| *line > 0);
    ScriptFailure {
        kind,
        message,
        position,
    }
}
