//! The typed context lent to the Rhai values of one evaluation.
//!
//! Rhai values must be `'static`, and the context is borrowed for one evaluation. [`lend`] gives
//! the values a [`Lent`] handle instead of the borrow: a value reads the context through it while
//! the evaluation runs, and reads an error after, never the freed context.

use std::ptr::NonNull;
use std::sync::{Arc, PoisonError, RwLock};

use rhai::{EvalAltResult, Position};

use super::sources::Sources;

/// One evaluation's typed context, as its Rhai values hold it.
pub(crate) struct Lent {
    /// The typed context, while [`lend`] runs; `None` after.
    sources: RwLock<Option<SourcesPtr>>,
}

/// A pointer to the [`Sources`] that [`lend`] borrows.
///
/// It is dereferenced only in [`Lent::with_sources`], under a read lock of
/// [`Lent::sources`] and only while that holds `Some`. `lend` sets `None` under the write
/// lock before it returns (also when it unwinds), and the borrow it was made from outlives the call
/// of `lend`; so a dereference always happens while the `Sources` is alive. The reference made from
/// it is handed only to a closure that returns owned values.
struct SourcesPtr(NonNull<Sources<'static>>);

// SAFETY: `Sources` holds shared references to `Sync` data (the context, the parameters, the
// vocabulary), and the pointer is only read under the lock described on `SourcesPtr`, so it may be
// sent to and shared with another thread as the `&Sources` it was made from could be.
#[allow(
    unsafe_code,
    reason = "a raw pointer is neither Send nor Sync by default; the lock makes it so"
)]
unsafe impl Send for SourcesPtr {}
// SAFETY: as for `Send`.
#[allow(
    unsafe_code,
    reason = "a raw pointer is neither Send nor Sync by default; the lock makes it so"
)]
unsafe impl Sync for SourcesPtr {}

/// Runs `evaluate` with `sources` lent, and revokes the loan when `evaluate` returns (also when it
/// unwinds): a value that outlived the call (none can: every Rhai value of an evaluation is dropped
/// within it) would read as an error, never the freed context.
pub(crate) fn lend<R>(sources: &Sources<'_>, evaluate: impl FnOnce(&Arc<Lent>) -> R) -> R {
    struct Revoke<'a>(&'a Lent);
    impl Drop for Revoke<'_> {
        fn drop(&mut self) {
            *self
                .0
                .sources
                .write()
                .unwrap_or_else(PoisonError::into_inner) = None;
        }
    }

    let pointer = SourcesPtr(NonNull::from(sources).cast::<Sources<'static>>());
    let lent = Arc::new(Lent {
        sources: RwLock::new(Some(pointer)),
    });
    let _revoke = Revoke(&lent);
    evaluate(&lent)
}

impl Lent {
    /// Runs `read` on the evaluation's typed context, or fails when the evaluation is over.
    #[allow(
        unsafe_code,
        reason = "Rhai values must be 'static; the context is borrowed for one evaluation"
    )]
    pub(crate) fn with_sources<R>(
        &self,
        read: impl FnOnce(&Sources<'_>) -> R,
    ) -> Result<R, Box<EvalAltResult>> {
        let guard = self.sources.read().unwrap_or_else(PoisonError::into_inner);
        let Some(pointer) = guard.as_ref() else {
            return Err(runtime(
                "the context of this evaluation is no longer available: keep no reference to \
                 `ctx` or its records beyond the evaluation",
            ));
        };
        // SAFETY: `pointer` is `Some` under the read lock, so `lend` has not returned and the
        // `Sources` it borrows is alive (see `SourcesPtr`); the reference does not escape `read`,
        // whose result `R` cannot borrow from it (it is chosen by the caller, before the borrow).
        let sources = unsafe { pointer.0.as_ref() };
        Ok(read(sources))
    }
}

fn runtime(message: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into(), Position::NONE))
}
