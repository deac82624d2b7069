//! The host's collector of what modules consider, active only on the thread explaining a decision
//! and only while it does: everywhere else each call is one thread-local read.
//!
//! Every backend reports here: Rhai's `trace(...)`, its `ctx.params` and `ctx` getters, a
//! component's `crm:rules/explain` import, and the parameter getters of the contract crate (for
//! natively linked Rust), each through [`crm_rules_contract::explain`] or directly.

use std::cell::RefCell;

/// A note a rule wrote about a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    /// The rule id.
    pub rule: String,
    /// The record's id.
    pub subject: String,
    /// What the rule saw.
    pub message: String,
}

/// What one module considered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModuleRecord {
    pub(crate) module: String,
    /// Top-level fields of the context it read, in first-read order (Rhai only).
    pub(crate) fields: Vec<String>,
    /// Parameters it read, in first-read order.
    pub(crate) params: Vec<String>,
    /// Its notes, in order.
    pub(crate) notes: Vec<Note>,
}

/// Notes kept per module at most: a rule tracing in a loop over a huge account must not exhaust
/// the host's memory while it is explained.
const MAX_NOTES: usize = 10_000;

thread_local! {
    static RECORDS: RefCell<Option<Vec<ModuleRecord>>> = const { RefCell::new(None) };
}

/// Whether this thread is explaining an evaluation now.
pub(crate) fn active() -> bool {
    RECORDS.with(|records| records.borrow().is_some())
}

fn with_current(update: impl FnOnce(&mut ModuleRecord)) {
    RECORDS.with(|records| {
        if let Some(current) = records.borrow_mut().as_mut().and_then(|all| all.last_mut()) {
            update(current);
        }
    });
}

/// Module `id` starts: what follows is its.
pub(crate) fn begin_module(id: &str) {
    RECORDS.with(|records| {
        if let Some(all) = records.borrow_mut().as_mut() {
            all.push(ModuleRecord {
                module: id.to_owned(),
                ..ModuleRecord::default()
            });
        }
    });
}

/// The running module read the top-level field `name`.
pub(crate) fn field_read(name: &str) {
    with_current(|current| push_once(&mut current.fields, name));
}

/// The running module read the parameter `name`.
pub(crate) fn param_read(name: &str) {
    with_current(|current| push_once(&mut current.params, name));
}

/// The running module noted `message` about `subject` under `rule`.
pub(crate) fn note(rule: &str, subject: &str, message: &str) {
    with_current(|current| {
        if current.notes.len() < MAX_NOTES {
            current.notes.push(Note {
                rule: rule.to_owned(),
                subject: subject.to_owned(),
                message: message.to_owned(),
            });
        }
    });
}

fn push_once(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|known| known == name) {
        list.push(name.to_owned());
    }
}

/// Runs `evaluate` with this thread recording, and returns what each module considered. The
/// recording ends when `evaluate` returns or unwinds.
pub(crate) fn recording<R>(evaluate: impl FnOnce() -> R) -> (R, Vec<ModuleRecord>) {
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            RECORDS.with(|records| records.borrow_mut().take());
        }
    }
    RECORDS.with(|records| *records.borrow_mut() = Some(Vec::new()));
    let stop = Stop;
    let result = evaluate();
    let records = RECORDS.with(|records| records.borrow_mut().take().unwrap_or_default());
    drop(stop);
    (result, records)
}

/// The contract crate's observer, for natively linked Rust and any contract helper the host runs:
/// installed once per process by the engine.
pub(crate) fn install() {
    crm_rules_contract::explain::observe(crm_rules_contract::explain::Observer {
        explaining: active,
        note,
        param_read,
    });
}
