//! Built-ins that can allocate far more than their inputs in one step, replaced by versions that
//! check before they allocate.
//!
//! Between operations the budget ([`super::budget`]) stops a script that holds too much memory,
//! but within one call of a built-in nothing can: `"".pad(1 << 40, "x")` or
//! `s.replace("a", s)` on a long `s` would ask the allocator for terabytes, and a failed allocation
//! aborts the host. Rhai's own size checks (`pad`) only run when per-value size limits are on,
//! and `replace` is checked only after it allocated. These replacements are registered in the
//! engine's global namespace, which Rhai searches before its packages, with the same signatures.
//! Each computes the size of its result first, refuses one beyond the longest string or array a
//! script may build at once, and asks the memory budget for the bytes.
//!
//! Every other built-in's output is at most a small constant factor of its inputs (concatenation,
//! `split`, `to_upper`...), so the budget check at the next operation bounds it.

use rhai::{Array, Dynamic, Engine, EvalAltResult, INT, ImmutableString, Position};

use super::budget;
use crate::limits::Limits;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// Bytes a `Dynamic` occupies, not counting what it points to.
const DYNAMIC_BYTES: usize = std::mem::size_of::<Dynamic>();

fn too_large(what: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorDataTooLarge(
        what.to_owned(),
        Position::NONE,
    ))
}

/// `len` as a target size, if positive.
fn target(len: INT) -> Option<usize> {
    usize::try_from(len).ok().filter(|len| *len > 0)
}

/// Pads `string` with `padding` (repeated, the last copy cut) to `len` characters, as Rhai's `pad`.
fn pad_string(
    string: &mut ImmutableString,
    len: INT,
    padding: &str,
    max_bytes: usize,
) -> Fallible<()> {
    let Some(len) = target(len) else {
        return Ok(());
    };
    let have = string.chars().count();
    let padding_chars = padding.chars().count();
    if len <= have || padding_chars == 0 {
        return Ok(());
    }
    let missing = len - have;
    let widest = padding.chars().map(char::len_utf8).max().unwrap_or(1);
    let added = missing.saturating_mul(widest);
    if string.len().saturating_add(added) > max_bytes {
        return Err(too_large("Length of string"));
    }
    budget::reserve(string.len().saturating_add(added))?;
    let out = string.make_mut();
    out.extend(padding.chars().cycle().take(missing));
    Ok(())
}

/// `string` with every `find` replaced by `substitute` (in place, and returned), refused when the
/// result would be too long.
fn replace(
    string: &mut ImmutableString,
    find: &str,
    substitute: &str,
    max_bytes: usize,
) -> Fallible<ImmutableString> {
    if substitute.len() > find.len() {
        // An empty pattern matches before every character and at the end.
        let matches = if find.is_empty() {
            string.chars().count() + 1
        } else {
            string.matches(find).count()
        };
        let growth = matches.saturating_mul(substitute.len() - find.len());
        let result = string.len().saturating_add(growth);
        if result > max_bytes {
            return Err(too_large("Length of string"));
        }
        budget::reserve(result)?;
    }
    *string = string.replace(find, substitute).into();
    // Rhai's own `replace` returns `()`; returning the result as well means `let t = s.replace(..)`
    // works (see `traps.rs`).
    Ok(string.clone())
}

/// Registers the checked built-ins.
pub(crate) fn register(engine: &mut Engine, limits: &Limits) {
    let max_bytes = limits.rhai_max_string_bytes;
    let max_len = limits.rhai_max_array_len;
    engine
        .register_fn(
            "pad",
            move |string: &mut ImmutableString, len: INT, padding: char| {
                pad_string(string, len, padding.encode_utf8(&mut [0; 4]), max_bytes)
            },
        )
        .register_fn(
            "pad",
            move |string: &mut ImmutableString, len: INT, padding: &str| {
                pad_string(string, len, padding, max_bytes)
            },
        )
        .register_fn(
            "pad",
            move |array: &mut Array, len: INT, item: Dynamic| -> Fallible<()> {
                let Some(len) = target(len).filter(|len| *len > array.len()) else {
                    return Ok(());
                };
                if len > max_len {
                    return Err(too_large("Size of array"));
                }
                let item_bytes = DYNAMIC_BYTES.saturating_add(deep_size(&item));
                budget::reserve((len - array.len()).saturating_mul(item_bytes))?;
                array.resize(len, item);
                Ok(())
            },
        )
        .register_fn(
            "replace",
            move |string: &mut ImmutableString, find: &str, substitute: &str| {
                replace(string, find, substitute, max_bytes)
            },
        )
        .register_fn(
            "replace",
            move |string: &mut ImmutableString, find: char, substitute: &str| {
                replace(string, find.encode_utf8(&mut [0; 4]), substitute, max_bytes)
            },
        )
        .register_fn(
            "replace",
            move |string: &mut ImmutableString, find: &str, substitute: char| {
                replace(string, find, substitute.encode_utf8(&mut [0; 4]), max_bytes)
            },
        )
        .register_fn("to_chars", |string: &str| -> Fallible<Array> {
            budget::reserve(string.chars().count().saturating_mul(DYNAMIC_BYTES))?;
            Ok(string.chars().map(Dynamic::from).collect())
        });
}

/// Heap bytes a value owns (strings, arrays and maps, recursively; an estimate for maps).
pub(crate) fn deep_size(value: &Dynamic) -> usize {
    if let Some(text) = value.read_lock::<ImmutableString>() {
        return text.len();
    }
    if let Some(array) = value.read_lock::<Array>() {
        return array.iter().fold(array.len() * DYNAMIC_BYTES, |sum, item| {
            sum.saturating_add(deep_size(item))
        });
    }
    if let Some(map) = value.read_lock::<rhai::Map>() {
        return map.iter().fold(0usize, |sum, (key, item)| {
            sum.saturating_add(key.len() + 2 * DYNAMIC_BYTES + deep_size(item))
        });
    }
    0
}
