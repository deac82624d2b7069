//! Rhai behaviours that fail silently, turned into results or errors a rule author sees.
//!
//! - `s.replace(a, b)` and `s.trim()` change `s` in place and, in Rhai, return `()`: `let t =
//!   s.trim();` left `t` empty-handed, and `t` then printed as nothing. Here both still change `s`
//!   and also return the new string, so either way of writing it works.
//! - An escaped backtick in a template string is a parse error far from its cause; the compile
//!   error then says so (`compile_source`).
//!
//! Registered on the engine itself, these take precedence over the standard packages' functions of
//! the same name and arity (`rhai_functions.txt` lists them once). Not fixed here: `() + "x"` is
//! `"x"`, because Rhai resolves operators on its own types before any registered function (turning
//! that off, `Engine::set_fast_operators(false)`, would slow every operator); the README warns about
//! it.

use rhai::{Engine, ImmutableString};

/// Registers the trap-free versions.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_fn("trim", |string: &mut ImmutableString| -> ImmutableString {
        let trimmed = string.trim();
        if trimmed.len() != string.len() {
            *string = trimmed.into();
        }
        string.clone()
    });
}
