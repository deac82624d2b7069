//! `ctx.seen_keys`: the idempotency keys already done (every activity's `key`, every invoice's
//! `source_key`, the credit hold's key), as a script sees them.
//!
//! It reads like a map of each key to `true`, but it is not built as one: a map costs a node and a
//! copy of the text per key on every evaluation, and most rules look up a handful of keys. A
//! [`SeenKeys`] points at the typed context and looks keys up in it: its first few lookups scan the
//! keys in place, and once a rule has looked up more than [`SCANS_BEFORE_SORTING`] it sorts the
//! places the keys sit (not the keys themselves) and searches those, so a rule that looks up a key
//! per invoice stays linear in the size of the account.
//!
//! What a script does with the map it can do with this: `contains(key)`, `key in ctx.seen_keys`,
//! `get(key)`, `ctx.seen_keys[key]` (an error for a key not there, as for any map), `keys()`,
//! `values()`, `len()`, `is_empty()`, `to_map()`, `to_json()`, `==`, printing, and
//! `ctx.seen_keys[key] = value`, which changes the module's own copy only. `type_of` is
//! `"SeenKeys"`; for what only maps do (`mixin`, `remove`, ...), `to_map()` gives a map of its own.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use crm_rules_contract::types::Context;
use rhai::{Dynamic, Engine, EvalAltResult, Map, NativeCallContext, Position};

use super::budget;
use super::lent::Lent;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// `ctx.seen_keys`. Cloning it clones a pointer; a key set in a clone is in that clone only.
#[derive(Clone)]
pub(crate) struct SeenKeys(Arc<Inner>);

#[derive(Clone)]
struct Inner {
    lent: Arc<Lent>,
    /// How the context's keys are looked up, shared by every copy.
    index: Arc<Index>,
    /// Keys a script set in this copy, with the values it gave them.
    added: Option<Box<Map>>,
}

/// Lookups scan the context's keys until this many have, then search them sorted.
const SCANS_BEFORE_SORTING: usize = 8;

/// How one evaluation's keys are looked up.
#[derive(Default)]
struct Index {
    /// Lookups that scanned the keys so far.
    scans: AtomicUsize,
    /// Where each distinct key sits, sorted by key: made once the scans are used up.
    sorted: OnceLock<Box<[KeyAt]>>,
}

/// Where a key sits in the typed context.
#[derive(Clone, Copy)]
enum KeyAt {
    Activity(usize),
    Invoice(usize),
    CreditHold,
}

impl KeyAt {
    /// The key at this place; every place [`keys`] lists has one.
    fn key(self, ctx: &Context) -> &str {
        match self {
            KeyAt::Activity(index) => ctx.activities.get(index).map(|a| a.key.as_str()),
            KeyAt::Invoice(index) => ctx
                .invoices
                .get(index)
                .and_then(|invoice| invoice.source_key.as_deref()),
            KeyAt::CreditHold => ctx.account.credit_hold.as_ref().map(|h| h.key.as_str()),
        }
        .unwrap_or_default()
    }
}

/// Every key of the context with its place, in the context's order (a key may repeat).
fn keys(ctx: &Context) -> impl Iterator<Item = (&str, KeyAt)> {
    let activities = ctx
        .activities
        .iter()
        .enumerate()
        .map(|(index, activity)| (activity.key.as_str(), KeyAt::Activity(index)));
    let invoices = ctx
        .invoices
        .iter()
        .enumerate()
        .filter_map(|(index, invoice)| {
            let key = invoice.source_key.as_deref()?;
            Some((key, KeyAt::Invoice(index)))
        });
    let hold = ctx
        .account
        .credit_hold
        .iter()
        .map(|hold| (hold.key.as_str(), KeyAt::CreditHold));
    activities.chain(invoices).chain(hold)
}

/// Every place of the context holding a key, sorted by key, each key once.
fn sorted_places(ctx: &Context) -> Box<[KeyAt]> {
    let mut keys: Vec<(&str, KeyAt)> = keys(ctx).collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    keys.dedup_by(|a, b| a.0 == b.0);
    keys.into_iter().map(|(_, place)| place).collect()
}

impl SeenKeys {
    /// `ctx.seen_keys` of the evaluation lent as `lent`.
    pub(crate) fn read_from(lent: &Arc<Lent>) -> Dynamic {
        Dynamic::from(SeenKeys(Arc::new(Inner {
            lent: Arc::clone(lent),
            index: Arc::default(),
            added: None,
        })))
    }

    /// Runs `read` on the context and its keys' places, sorted (sorting them on the first call).
    fn with_places<R>(&self, read: impl FnOnce(&Context, &[KeyAt]) -> R) -> Fallible<R> {
        let inner = &*self.0;
        // The host sorts its own context: that is not the script's memory.
        budget::uncounted(|| {
            inner.lent.with_sources(|sources| {
                let places = inner
                    .index
                    .sorted
                    .get_or_init(|| sorted_places(sources.ctx));
                read(sources.ctx, places)
            })
        })
    }

    /// Whether the context has `key` (a key a script set is not looked for here).
    fn in_context(&self, key: &str) -> Fallible<bool> {
        let index = &self.0.index;
        if index.sorted.get().is_none()
            && index.scans.fetch_add(1, Ordering::Relaxed) < SCANS_BEFORE_SORTING
        {
            return self
                .0
                .lent
                .with_sources(|sources| keys(sources.ctx).any(|(seen, _)| seen == key));
        }
        self.with_places(|ctx, places| {
            places
                .binary_search_by(|place| place.key(ctx).cmp(key))
                .is_ok()
        })
    }

    /// The value of `key`: what a script set, else `true` for a key of the context.
    fn get(&self, key: &str) -> Fallible<Option<Dynamic>> {
        if let Some(value) = self.0.added.as_ref().and_then(|added| added.get(key)) {
            return Ok(Some(value.clone()));
        }
        Ok(self.in_context(key)?.then_some(Dynamic::TRUE))
    }

    /// The keys and their values, sorted by key, as a map lists them.
    pub(crate) fn to_map(&self) -> Fallible<Map> {
        let mut map: Map = self.with_places(|ctx, places| {
            places
                .iter()
                .map(|place| (place.key(ctx).into(), Dynamic::TRUE))
                .collect()
        })?;
        if let Some(added) = &self.0.added {
            map.extend(
                added
                    .iter()
                    .map(|(key, value)| (key.clone(), value.clone())),
            );
        }
        Ok(map)
    }

    /// How many keys it has.
    fn len(&self) -> Fallible<usize> {
        let mut count = self.with_places(|_, places| places.len())?;
        for key in self.0.added.iter().flat_map(|added| added.keys()) {
            if !self.in_context(key)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Sets `key` in this copy. The key and value are charged to the script's budget, as a write
    /// to a record is ([`budget::store_in_record`]).
    fn set(&mut self, key: &str, value: Dynamic) -> Fallible<()> {
        budget::store_in_record(key.len() + super::capped::deep_size(&value))?;
        Arc::make_mut(&mut self.0)
            .added
            .get_or_insert_default()
            .insert(key.into(), value);
        Ok(())
    }

    /// The error for reading a key it does not have, as a map's.
    fn missing(key: &str) -> Box<EvalAltResult> {
        Box::new(EvalAltResult::ErrorPropertyNotFound(
            key.to_owned(),
            Position::NONE,
        ))
    }
}

/// Registers `SeenKeys` under the name `SeenKeys`, with what a script does with a map of keys.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<SeenKeys>("SeenKeys");
    engine
        .register_fn("contains", |seen: &mut SeenKeys, key: &str| {
            seen.get(key).map(|value| value.is_some())
        })
        .register_fn("get", |seen: &mut SeenKeys, key: &str| {
            seen.get(key).map(Option::unwrap_or_default)
        })
        .register_indexer_get(|seen: &mut SeenKeys, key: &str| {
            seen.get(key)?.ok_or_else(|| SeenKeys::missing(key))
        })
        .register_indexer_set(|seen: &mut SeenKeys, key: &str, value: Dynamic| seen.set(key, value))
        .register_fn("keys", |seen: &mut SeenKeys| -> Fallible<rhai::Array> {
            let keys = seen.to_map()?.into_keys();
            Ok(keys
                .map(|key| Dynamic::from(rhai::ImmutableString::from(key.as_str())))
                .collect())
        })
        .register_fn("values", |seen: &mut SeenKeys| -> Fallible<rhai::Array> {
            Ok(seen.to_map()?.into_values().collect())
        })
        .register_fn("len", |seen: &mut SeenKeys| -> Fallible<rhai::INT> {
            Ok(rhai::INT::try_from(seen.len()?).unwrap_or(rhai::INT::MAX))
        })
        .register_fn("is_empty", |seen: &mut SeenKeys| {
            seen.len().map(|count| count == 0)
        })
        .register_fn("to_map", |seen: &mut SeenKeys| seen.to_map())
        .register_fn(
            "to_json",
            |context: NativeCallContext, seen: &mut SeenKeys| -> Fallible<Dynamic> {
                context.call_native_fn::<Dynamic>("to_json", (seen.to_map()?,))
            },
        )
        .register_fn(
            "==",
            |context: NativeCallContext, left: &mut SeenKeys, right: SeenKeys| {
                equal(&context, left, &right)
            },
        )
        .register_fn(
            "!=",
            |context: NativeCallContext, left: &mut SeenKeys, right: SeenKeys| {
                equal(&context, left, &right).map(|same| !same)
            },
        )
        .register_fn("to_string", display)
        .register_fn("to_debug", display);
}

/// Two are equal when their maps are (Rhai's own map equality).
fn equal(context: &NativeCallContext, left: &SeenKeys, right: &SeenKeys) -> Fallible<bool> {
    if Arc::ptr_eq(&left.0, &right.0) {
        return Ok(true);
    }
    context.call_native_fn::<bool>("==", (left.to_map()?, right.to_map()?))
}

/// As the map prints: `#{"esc:a-1:USD:30:inv-1": true}`.
fn display(seen: &mut SeenKeys) -> Fallible<String> {
    Ok(Dynamic::from_map(seen.to_map()?).to_string())
}

#[cfg(test)]
#[path = "seen_keys_tests.rs"]
mod tests;
