//! The context a 0.2 component crossed with, kept by each thread for its next evaluation.
//!
//! Copying the context into the bindings' types allocates every text and list of it again, and
//! dropping the copy frees them: about a fifth of a small rule's evaluation as a component. A
//! thread that evaluates again writes the next context into the copy the last one left
//! ([`super::bridge_v0_2::context`]), reusing those allocations. Every field is written each time,
//! so nothing of one context survives into the next, and the copy is host memory, never a
//! component's. A copy of a large account is not kept, so a thread holds at most a small one
//! between evaluations.

use std::cell::RefCell;

use super::bindings::v0_2::types::Context;

/// The most records (invoices, activities, payment attempts, promises, subscriptions) a kept
/// copy may hold.
const MAX_KEPT_RECORDS: usize = 1_000;

thread_local! {
    static SPARE: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// The copy this thread kept, if any (taken: the next evaluation that ends gives one back).
pub(crate) fn take() -> Option<Context> {
    SPARE
        .try_with(|spare| spare.borrow_mut().take())
        .ok()
        .flatten()
}

/// Keeps `ctx` for this thread's next evaluation, unless it is a large account's.
pub(crate) fn give_back(ctx: Context) {
    let records = ctx.invoices.len()
        + ctx.activities.len()
        + ctx.payment_attempts.len()
        + ctx.promises.len()
        + ctx.subscriptions.len();
    if records <= MAX_KEPT_RECORDS {
        let _ = SPARE.try_with(|spare| *spare.borrow_mut() = Some(ctx));
    }
}
