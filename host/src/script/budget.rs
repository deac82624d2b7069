//! What the script running on this thread may still spend: operations, time and memory.
//!
//! One budget per thread, set when a call starts. Rhai's progress callback checks it between
//! operations; built-ins that could allocate much in one step ([`super::capped`]) ask it first.

use std::cell::Cell;
use std::time::Instant;

use rhai::{Dynamic, EvalAltResult, Position};

use crate::limits::Limits;

/// How often (in operations) the deadline is checked while operations are cheap: reading the clock
/// on every operation costs more than the operation.
const DEADLINE_CHECK_EVERY: u64 = 128;

/// The longest the script should run between two deadline checks. When a stretch of operations took
/// longer (the script spends its time in host helpers or long built-ins), the checks come more often,
/// down to every operation, so the deadline holds within one call of a built-in; when operations
/// are cheap again, they space out back to [`DEADLINE_CHECK_EVERY`].
const CHECK_INTERVAL: std::time::Duration = std::time::Duration::from_micros(500);

/// Termination tokens: the reason a script was stopped, read back by [`stop_reason`].
const OUT_OF_OPERATIONS: &str = "out-of-operations";
const PAST_DEADLINE: &str = "past-deadline";
const OUT_OF_MEMORY: &str = "out-of-memory";

/// Why the budget stopped a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// It used all its operations.
    Operations,
    /// It ran past its deadline.
    Deadline,
    /// It held, or asked for, more memory than its limit.
    Memory,
}

/// The rest of a call's budget, read when [`SLOW_AT`] is reached and by the built-ins' checks.
#[derive(Clone, Copy)]
struct Budget {
    max_operations: u64,
    deadline: Option<Instant>,
    /// When the deadline was last checked, and at which count it is checked next.
    last_check: Option<Instant>,
    next_check: u64,
    /// Operations between two deadline checks.
    check_every: u64,
    /// Bytes the script stored in records of the context, and how many it may (see
    /// [`store_in_record`]).
    stored: u64,
    max_stored: u64,
    /// Once a limit stopped the script, every later operation stops too: a built-in that calls
    /// back into the script (`sort` with a comparator) and ignores the callback's error must not
    /// run on at full speed until the next deadline check.
    stopped: Option<&'static str>,
}

const IDLE_BUDGET: Budget = Budget {
    max_operations: u64::MAX,
    deadline: None,
    last_check: None,
    next_check: DEADLINE_CHECK_EVERY,
    check_every: DEADLINE_CHECK_EVERY,
    stored: 0,
    max_stored: u64::MAX,
    stopped: None,
};

// What `on_progress` reads and writes on every operation, each word a thread-local of its own, apart
// from the rest of the budget: the common case (no limit near) reads four words and writes two.
thread_local! {
    /// Operations spent by the call, nested calls included (see [`on_progress`]).
    static OPERATIONS: Cell<u64> = const { Cell::new(0) };
    /// The last count Rhai reported.
    static LAST_REPORTED: Cell<u64> = const { Cell::new(0) };
    /// The count at which [`on_progress`] next looks past the fast path: the next deadline check,
    /// one past the operation limit, or 0 once the script is stopped.
    static SLOW_AT: Cell<u64> = const { Cell::new(DEADLINE_CHECK_EVERY) };
    /// With counted memory, the thread's net bytes the script may reach (its net bytes at the
    /// start, plus what the host allocated for it, plus the limit); `i64::MAX` without.
    static MEMORY_CEILING: Cell<i64> = const { Cell::new(i64::MAX) };
    static BUDGET: Cell<Budget> = const { Cell::new(IDLE_BUDGET) };
}

/// Starts a call's budget on this thread; `counted` says whether heap bytes are counted (see
/// [`crate::RhaiMemory`]).
pub(crate) fn start(limits: &Limits, counted: bool) {
    let memory_ceiling = counted
        .then(crate::alloc::thread_net_bytes)
        .flatten()
        .map_or(i64::MAX, |start| {
            start.saturating_add(i64::try_from(limits.max_memory_bytes).unwrap_or(i64::MAX))
        });
    let now = Instant::now();
    let budget = Budget {
        max_operations: limits.rhai_max_operations,
        deadline: now.checked_add(limits.deadline),
        last_check: Some(now),
        next_check: DEADLINE_CHECK_EVERY,
        check_every: DEADLINE_CHECK_EVERY,
        stored: 0,
        max_stored: u64::try_from(limits.max_memory_bytes).unwrap_or(u64::MAX),
        stopped: None,
    };
    BUDGET.with(|cell| cell.set(budget));
    OPERATIONS.set(0);
    LAST_REPORTED.set(0);
    SLOW_AT.set(slow_at(&budget));
    MEMORY_CEILING.set(memory_ceiling);
}

/// The count at which the budget next needs more than the fast path of [`on_progress`].
fn slow_at(budget: &Budget) -> u64 {
    if budget.stopped.is_some() {
        return 0;
    }
    budget
        .next_check
        .min(budget.max_operations.saturating_add(1))
}

/// Runs `build` without charging what it leaves allocated to the running script's memory budget:
/// the host converting its own context for the script (see [`super::lazy_context`]).
pub(crate) fn uncounted<R>(build: impl FnOnce() -> R) -> R {
    let before = crate::alloc::thread_net_bytes();
    let result = build();
    if let (Some(before), Some(after)) = (before, crate::alloc::thread_net_bytes()) {
        let ceiling = MEMORY_CEILING.get();
        if ceiling != i64::MAX {
            MEMORY_CEILING.set(ceiling.saturating_add(after - before));
        }
    }
    result
}

/// Operations the current call has used so far.
pub(crate) fn operations() -> u64 {
    OPERATIONS.get()
}

/// Rhai's progress callback, called before every operation with Rhai's count: `Some(token)` stops
/// the script.
///
/// Rhai counts the operations of a script function that a built-in calls back (a `sort`
/// comparator, a `map` or `filter` closure) from the caller's count, and forgets them when the
/// callback returns: its count goes back down. The budget adds up every step forward instead, so
/// callbacks are paid for and the figure reported is what the script really spent.
///
/// Most operations take the fast path: add the step, compare the count with [`SLOW_AT`] and the
/// thread's net bytes with [`MEMORY_CEILING`].
pub(crate) fn on_progress(reported: u64) -> Option<Dynamic> {
    let step = reported.saturating_sub(LAST_REPORTED.replace(reported));
    let operations = OPERATIONS.get() + step;
    OPERATIONS.set(operations);
    if operations < SLOW_AT.get() && crate::alloc::net_bytes() <= MEMORY_CEILING.get() {
        return None;
    }
    past_the_fast_path(operations)
}

/// What [`on_progress`] does when a limit may have been reached: out of line, so the fast path,
/// taken on almost every operation, saves no registers.
#[cold]
#[inline(never)]
fn past_the_fast_path(operations: u64) -> Option<Dynamic> {
    let mut budget = BUDGET.with(Cell::get);
    if budget.stopped.is_none() {
        budget.stopped = exhausted(&mut budget, operations, MEMORY_CEILING.get());
    }
    BUDGET.with(|cell| cell.set(budget));
    SLOW_AT.set(slow_at(&budget));
    budget.stopped.map(Dynamic::from)
}

/// The limit `budget` has reached, if any.
fn exhausted(budget: &mut Budget, operations: u64, memory_ceiling: i64) -> Option<&'static str> {
    if operations > budget.max_operations {
        return Some(OUT_OF_OPERATIONS);
    }
    if crate::alloc::net_bytes() > memory_ceiling {
        return Some(OUT_OF_MEMORY);
    }
    if operations < budget.next_check {
        return None;
    }
    let now = Instant::now();
    if let Some(last) = budget.last_check {
        let stretch = now.duration_since(last);
        budget.check_every = if stretch > CHECK_INTERVAL {
            (budget.check_every / 8).max(1)
        } else if stretch < CHECK_INTERVAL / 4 {
            (budget.check_every * 2).min(DEADLINE_CHECK_EVERY)
        } else {
            budget.check_every
        };
    }
    budget.last_check = Some(now);
    budget.next_check = operations + budget.check_every;
    budget
        .deadline
        .is_some_and(|deadline| now >= deadline)
        .then_some(PAST_DEADLINE)
}

/// Asks for `bytes` before a built-in allocates them in one step: an error that stops the script
/// with a memory error when the call's memory budget (if counted) cannot hold them.
pub(crate) fn reserve(bytes: usize) -> Result<(), Box<EvalAltResult>> {
    let ceiling = MEMORY_CEILING.get();
    if ceiling == i64::MAX {
        return Ok(());
    }
    let wanted = i64::try_from(bytes).unwrap_or(i64::MAX);
    let left = ceiling.saturating_sub(crate::alloc::net_bytes());
    if wanted > left {
        return Err(Box::new(EvalAltResult::ErrorTerminated(
            Dynamic::from(OUT_OF_MEMORY),
            Position::NONE,
        )));
    }
    Ok(())
}

/// Charges `bytes` a script stores in records of the context (a field it sets, or a record it
/// copies to change it). Rhai's own size checks look inside arrays, maps and strings, not inside a
/// value of a host type, so without this a script could hide any amount of data in records when
/// memory is not counted ([`crate::RhaiMemory::SizeLimits`]). More than the memory limit in one call
/// stops the script with a memory error, whether memory is counted or not.
pub(crate) fn store_in_record(bytes: usize) -> Result<(), Box<EvalAltResult>> {
    let mut budget = BUDGET.with(Cell::get);
    budget.stored = budget
        .stored
        .saturating_add(u64::try_from(bytes).unwrap_or(u64::MAX));
    BUDGET.with(|cell| cell.set(budget));
    if budget.stored > budget.max_stored {
        return Err(Box::new(EvalAltResult::ErrorTerminated(
            Dynamic::from(OUT_OF_MEMORY),
            Position::NONE,
        )));
    }
    Ok(())
}

/// The reason behind a termination token, if it is one of ours.
pub(crate) fn stop_reason(token: &Dynamic) -> Option<Stop> {
    match token.clone().into_string().ok().as_deref() {
        Some(OUT_OF_OPERATIONS) => Some(Stop::Operations),
        Some(PAST_DEADLINE) => Some(Stop::Deadline),
        Some(OUT_OF_MEMORY) => Some(Stop::Memory),
        _ => None,
    }
}
