//! What a module considered, for `crm-rules explain`: notes a rule writes about the records it
//! examined ([`trace`]), and the parameters it read (recorded by the `param_*` getters of
//! [`crate::context`]).
//!
//! Nothing is kept unless the process has an [`Observer`] and the observer says the evaluation is
//! being explained: a host installs one that collects only while it explains, and a component's
//! observer forwards to the host through the `crm:rules/explain` import. Without one (a rule linked
//! natively into a test), every call returns at once. A trace message is built only when it will be
//! kept, so tracing costs a rule nothing in production.

use std::sync::OnceLock;

/// Where notes and parameter reads go.
#[derive(Debug, Clone, Copy)]
pub struct Observer {
    /// Whether the evaluation running now is being explained.
    pub explaining: fn() -> bool,
    /// Keeps a note: rule id, subject id, message.
    pub note: fn(&str, &str, &str),
    /// Records that the module read the parameter.
    pub param_read: fn(&str),
}

static OBSERVER: OnceLock<Observer> = OnceLock::new();

/// Installs the process's observer; the first one installed stays (a process has one host).
pub fn observe(observer: Observer) {
    let _ = OBSERVER.set(observer);
}

/// Whether the evaluation running now is being explained.
pub fn explaining() -> bool {
    OBSERVER
        .get()
        .is_some_and(|observer| (observer.explaining)())
}

/// Notes what rule `rule` saw on the record `subject`, when the evaluation is being explained;
/// `message` is only called then.
///
/// ```
/// # let invoice_id = "inv_1"; let days = 12;
/// crm_rules_contract::explain::trace("reminder.step", invoice_id, || {
///     format!("{days} days past due: before the first reminder")
/// });
/// ```
pub fn trace(rule: &str, subject: &str, message: impl FnOnce() -> String) {
    if let Some(observer) = OBSERVER.get()
        && (observer.explaining)()
    {
        (observer.note)(rule, subject, &message());
    }
}

/// Records that the module read the parameter `name`, when the evaluation is being explained.
pub(crate) fn param_read(name: &str) {
    if let Some(observer) = OBSERVER.get()
        && (observer.explaining)()
    {
        (observer.param_read)(name);
    }
}
