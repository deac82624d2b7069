//! `ctx` as a Rhai module sees it: a handle whose top-level fields (`ctx.invoices`,
//! `ctx.seen_keys`, ...) are converted to Rhai values only when a module reads them.
//!
//! So a rule pays for what it reads: a module that returns at once converts nothing, and one that
//! reads only the account converts only the account. Each field is converted at most once per
//! evaluation ([`Conversion`]); each module reads its own copy of what it reads ([`ModuleView`]),
//! made on its first read of the field, except the last Rhai module of the evaluation, which takes
//! the converted value itself. A module may change its copy (`ctx.invoices.sort(..)`, as it may
//! any value), and no other module sees the change. Nothing outlives the evaluation ([`lend`]).
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rhai::{Dynamic, Engine, EvalAltResult, Position};

use super::budget;
use super::context::top_level;
use super::lent::Lent;
use super::sources::{FIELDS, Sources};

/// The number of top-level fields.
const FIELD_COUNT: usize = FIELDS.len();

/// One evaluation's context as lent to its Rhai modules.
pub(crate) struct Conversion {
    /// The typed context, while [`lend`] runs.
    lent: Arc<Lent>,
    /// Each top-level field once converted and not yet taken, by its index in [`FIELDS`].
    converted: Mutex<[Option<Dynamic>; FIELD_COUNT]>,
}

/// `ctx` in a script: one module's view of the evaluation's context. Cloning it clones two `Arc`s.
#[derive(Clone)]
pub(crate) struct ScriptContext {
    conversion: Arc<Conversion>,
    view: Arc<ModuleView>,
}

/// What one module has read, each field shared by its readers in the module.
struct ModuleView {
    /// Each top-level field this module has read, by its index in [`FIELDS`].
    fields: [OnceLock<Dynamic>; FIELD_COUNT],
    /// This is the evaluation's last Rhai module: it takes converted values rather than copying.
    last: bool,
}

/// Runs `evaluate` with the [`Conversion`] of `sources`: lent ([`super::lent::lend`]) while
/// `evaluate` runs, so a handle that outlived the call reads as an error, never the freed context.
pub(crate) fn lend<R>(sources: &Sources<'_>, evaluate: impl FnOnce(&Arc<Conversion>) -> R) -> R {
    super::lent::lend(sources, |lent| {
        evaluate(&Arc::new(Conversion {
            lent: Arc::clone(lent),
            converted: Mutex::new(std::array::from_fn(|_| None)),
        }))
    })
}

impl Conversion {
    /// A new module's `ctx`; `last` when no Rhai module of the evaluation runs after it.
    pub(crate) fn module_view(self: &Arc<Self>, last: bool) -> ScriptContext {
        ScriptContext {
            conversion: Arc::clone(self),
            view: Arc::new(ModuleView {
                fields: std::array::from_fn(|_| OnceLock::new()),
                last,
            }),
        }
    }

    /// The field at `index` of [`FIELDS`] for a module: a copy of its conversion, or the
    /// conversion itself for the last module.
    fn for_module(&self, index: usize, last: bool) -> Result<Dynamic, Box<EvalAltResult>> {
        let mut converted = self
            .converted
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(slot) = converted.get_mut(index) else {
            return Err(unknown(""));
        };
        if let Some(value) = slot {
            return Ok(if last {
                slot.take()
            } else {
                Some(value.clone())
            }
            .unwrap_or_default());
        }
        let value = self
            .lent
            .with_sources(|sources| top_level(index, sources, &self.lent))?;
        if !last {
            *slot = Some(value.clone());
        }
        Ok(value)
    }
}

impl ScriptContext {
    /// The top-level field at `index` of [`FIELDS`]: the module's own, made on its first read.
    fn field(&self, index: usize) -> Result<Dynamic, Box<EvalAltResult>> {
        let Some(slot) = self.view.fields.get(index) else {
            return Err(unknown(""));
        };
        if let Some(value) = slot.get() {
            return Ok(value.clone());
        }
        if let Some(name) = FIELDS.get(index) {
            crate::explain::recorder::field_read(name);
        }
        // The host converts and copies its own context: that is not the script's memory.
        let value = budget::uncounted(|| {
            self.conversion
                .for_module(index, self.view.last)
                .map(shareable)
        })?;
        Ok(slot.get_or_init(|| value).clone())
    }

    /// The field called `name`.
    fn named(&self, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        match FIELDS.iter().position(|field| *field == name) {
            Some(index) => self.field(index),
            None => Err(unknown(name)),
        }
    }
}

/// A field as a module's view keeps it: shared when it is a list or a record, so that reading it
/// again (`ctx.invoices[i]` in a loop) copies a pointer, not the values. A change the module makes
/// through it (`ctx.invoices.sort(..)`) is seen by the module's later reads, as for any value.
fn shareable(value: Dynamic) -> Dynamic {
    if value.is_array()
        || value.is_map()
        || value.is::<super::params::Params>()
        || value.is::<super::record::Record>()
        || value.is::<super::seen_keys::SeenKeys>()
    {
        value.into_shared()
    } else {
        value
    }
}

fn unknown(name: &str) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorPropertyNotFound(
        name.to_owned(),
        Position::NONE,
    ))
}

/// Registers `ScriptContext`: a getter per top-level field, `ctx["name"]`, `"name" in ctx` and
/// `keys()`. It has no setter: `ctx.invoices = []` is an error, while `ctx.invoices.clear()` changes
/// the module's own copy, as it changes any list.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ScriptContext>("Context");
    for (index, name) in FIELDS.iter().enumerate() {
        engine.register_get(*name, move |ctx: &mut ScriptContext| ctx.field(index));
    }
    engine
        .register_indexer_get(|ctx: &mut ScriptContext, name: &str| ctx.named(name))
        .register_fn("contains", |_: &mut ScriptContext, name: &str| {
            FIELDS.contains(&name)
        })
        .register_fn("keys", |_: &mut ScriptContext| -> rhai::Array {
            FIELDS.iter().map(|name| Dynamic::from(*name)).collect()
        })
        .register_fn("to_debug", |_: &mut ScriptContext| {
            format!("Context {{ {} }}", FIELDS.join(", "))
        })
        .register_fn("to_string", |_: &mut ScriptContext| {
            format!("Context {{ {} }}", FIELDS.join(", "))
        });
}

#[cfg(test)]
#[path = "lazy_context_tests.rs"]
mod tests;
