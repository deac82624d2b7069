//! `trace(rule, subject, message)`: a Rhai rule's note of what it saw on a record, kept by the host
//! only while it explains a decision (`crm-rules explain`); otherwise the call returns at once.
//!
//! `message` may be text, or a function returning the text (`|| `${days} days past due``), which
//! is called only while explaining, so that a rule traces at no cost in production.

use rhai::{Dynamic, Engine, FnPtr, NativeCallContext};

use crate::explain::recorder;

type Fallible<T> = Result<T, Box<rhai::EvalAltResult>>;

/// Registers `trace/3`, for a message given as text or as a function.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_fn("trace", |rule: &str, subject: &str, message: &str| {
            if recorder::active() {
                recorder::note(rule, subject, message);
            }
        })
        .register_fn(
            "trace",
            |context: NativeCallContext,
             rule: &str,
             subject: &str,
             message: FnPtr|
             -> Fallible<()> {
                if recorder::active() {
                    let text: Dynamic = message.call_within_context(&context, ())?;
                    recorder::note(rule, subject, &text.to_string());
                }
                Ok(())
            },
        );
}
