//! A record of the context (an invoice, the account, a contact, an activity, ...) as a script sees
//! it: a value of its own type, [`Record`], that reads like an object map.
//!
//! Records used to be Rhai maps. A map costs a tree of nodes to build, and Rhai copies it whole
//! each time it is passed, assigned or walked by a `for` loop, then frees each copy: on a small
//! rule that was half of the time. A record is its values in the order of its [`Shape`], behind
//! one shared pointer, so copying one copies a pointer. The context's top-level records are not
//! even built: they point at their typed record ([`Source`]) and convert a field when first read.
//!
//! What a script does with a map it can do with a record: read a field (`invoice.status`,
//! `invoice["status"]`), test one (`"status" in invoice`, `invoice.get("status")`), list them
//! (`keys()`, `values()`, `len()`), compare records (`==`), print one or write it as JSON, and
//! change or add a field (`invoice.note = "x"`), which changes that copy only (copy on write). A
//! name the record does not have is an error naming the record and the nearest field, never `()`.
//! For anything else a map does (`mixin`, `remove`, `filter`, ...), `record.to_map()` gives a map
//! of its own.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use rhai::{Dynamic, Engine, EvalAltResult, Map, NativeCallContext, Position};

use super::budget;
use super::capped;
use super::lent::Lent;
use super::sources::Sources;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// The fields a kind of record has, in the order its values are kept.
#[derive(Debug)]
pub(crate) struct Shape {
    /// The kind of record (`invoice`), for messages.
    pub(crate) kind: &'static str,
    /// Its fields.
    pub(crate) fields: &'static [&'static str],
    /// The index of a field in `fields`: a `match` on the names ([`shape!`]), which compares a
    /// name with the few of its length, where a search compared it with each field in turn.
    pub(crate) position: fn(&str) -> Option<usize>,
}

/// A [`Shape`] of a kind and its field names.
macro_rules! shape {
    ($kind:literal, [$($name:literal),* $(,)?]) => {
        $crate::script::record::Shape {
            kind: $kind,
            fields: &[$($name),*],
            position: |name| {
                const FIELDS: &[&str] = &[$($name),*];
                match name {
                    $($name => Some(const { $crate::script::record::index_of(FIELDS, $name) }),)*
                    _ => None,
                }
            },
        }
    };
}
pub(crate) use shape;

/// The index of `name` in `names`, computed when the crate is compiled ([`shape!`]).
#[allow(
    clippy::panic,
    reason = "only ever evaluated in a `const`: a panic is a build error, never a runtime one"
)]
pub(crate) const fn index_of(names: &[&str], name: &str) -> usize {
    let mut index = 0;
    while index < names.len() {
        if names[index].len() == name.len() {
            let (a, b) = (names[index].as_bytes(), name.as_bytes());
            let mut at = 0;
            while at < a.len() && a[at] == b[at] {
                at += 1;
            }
            if at == a.len() {
                return index;
            }
        }
        index += 1;
    }
    panic!("a field is missing from its own shape")
}

/// Where the records a [`Record`] reads field by field come from: their shape, and how to convert
/// field `field` of record `index` from the typed context (`field: |sources, index, field| ...`).
pub(crate) struct Source {
    /// The fields of these records.
    pub(crate) shape: &'static Shape,
    /// Converts one field of one record.
    pub(crate) field: fn(&Sources<'_>, usize, usize) -> Dynamic,
}

/// A record of the context. Cloning it clones a pointer; changing a clone changes that clone only.
#[derive(Clone)]
pub(crate) struct Record(Arc<Inner>);

#[derive(Clone)]
struct Inner {
    shape: &'static Shape,
    values: Values,
    /// Fields a script added that the shape does not have.
    added: Option<Box<Map>>,
}

#[derive(Clone)]
enum Values {
    /// One value per field of the shape, in its order.
    Built(Box<[Dynamic]>),
    /// Read from the evaluation's typed context, each field converted when first read.
    Read {
        lent: Arc<Lent>,
        source: &'static Source,
        /// Which record of the source.
        index: usize,
        /// Each field once converted, in the shape's order.
        read: Box<[OnceLock<Dynamic>]>,
    },
}

impl std::fmt::Debug for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Record({})", self.kind())
    }
}

impl Record {
    /// A record of `shape` with `values` in its order (a shorter list is padded with `()`, a longer
    /// one cut: the `record!` macro builds both from one list, so they always match).
    pub(crate) fn new(shape: &'static Shape, mut values: Vec<Dynamic>) -> Record {
        values.resize(shape.fields.len(), Dynamic::UNIT);
        Record(Arc::new(Inner {
            shape,
            values: Values::Built(values.into_boxed_slice()),
            added: None,
        }))
    }

    /// Record `index` of `source` in the lent context, its fields converted as they are read.
    pub(crate) fn read_from(lent: &Arc<Lent>, source: &'static Source, index: usize) -> Dynamic {
        let shape = source.shape;
        Dynamic::from(Record(Arc::new(Inner {
            shape,
            values: Values::Read {
                lent: Arc::clone(lent),
                source,
                index,
                read: shape.fields.iter().map(|_| OnceLock::new()).collect(),
            },
            added: None,
        })))
    }

    /// How many of its fields have been converted from the typed context (all, for a built one).
    #[cfg(test)]
    pub(crate) fn fields_read(&self) -> usize {
        match &self.0.values {
            Values::Built(values) => values.len(),
            Values::Read { read, .. } => read.iter().filter(|slot| slot.get().is_some()).count(),
        }
    }

    /// The kind of record (`invoice`).
    pub(crate) fn kind(&self) -> &'static str {
        self.0.shape.kind
    }

    /// Whether the record has a field `name`.
    fn has(&self, name: &str) -> bool {
        (self.0.shape.position)(name).is_some()
            || self
                .0
                .added
                .as_ref()
                .is_some_and(|added| added.contains_key(name))
    }

    /// The record's field names, in the order a map lists them (sorted).
    fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.0.shape.fields.to_vec();
        if let Some(added) = &self.0.added {
            names.extend(added.keys().map(|key| key.as_str()));
        }
        names.sort_unstable();
        names
    }

    /// The value of the field `name`, if the record has one.
    pub(crate) fn get(&self, name: &str) -> Fallible<Option<Dynamic>> {
        let Inner {
            shape,
            values,
            added,
        } = &*self.0;
        let Some(index) = (shape.position)(name) else {
            return Ok(added.as_ref().and_then(|added| added.get(name)).cloned());
        };
        match values {
            Values::Built(values) => Ok(values.get(index).cloned()),
            Values::Read {
                lent,
                source,
                index: record,
                read,
            } => {
                let Some(slot) = read.get(index) else {
                    return Ok(None);
                };
                if let Some(value) = slot.get() {
                    return Ok(Some(value.clone()));
                }
                // The host converts its own context: that is not the script's memory.
                let value = budget::uncounted(|| {
                    lent.with_sources(|sources| (source.field)(sources, *record, index))
                })?;
                Ok(Some(slot.get_or_init(|| value).clone()))
            }
        }
    }

    /// The values of every field of the shape, in its order.
    fn values(&self) -> Fallible<Vec<Dynamic>> {
        match &self.0.values {
            Values::Built(values) => Ok(values.to_vec()),
            Values::Read { .. } => self
                .0
                .shape
                .fields
                .iter()
                .map(|name| self.get(name).map(Option::unwrap_or_default))
                .collect(),
        }
    }

    /// Sets the field `name` of this copy, adding it when the record has no such field. What the
    /// write stores (the value, and the record itself when this copy shares it with another) is
    /// charged to the script's budget ([`budget::store_in_record`]).
    fn set(&mut self, name: &str, value: Dynamic) -> Fallible<()> {
        let copied = if Arc::strong_count(&self.0) > 1 {
            self.stored_bytes()
        } else {
            0
        };
        budget::store_in_record(copied + name.len() + capped::deep_size(&value))?;
        let shape = self.0.shape;
        let Some(index) = (shape.position)(name) else {
            let inner = Arc::make_mut(&mut self.0);
            inner
                .added
                .get_or_insert_default()
                .insert(name.into(), value);
            return Ok(());
        };
        if matches!(self.0.values, Values::Read { .. }) {
            // A record read from the context is written out in full before its first change.
            let built = self.values()?.into_boxed_slice();
            let added = self.0.added.clone();
            self.0 = Arc::new(Inner {
                shape,
                values: Values::Built(built),
                added,
            });
        }
        if let Values::Built(values) = &mut Arc::make_mut(&mut self.0).values
            && let Some(slot) = values.get_mut(index)
        {
            *slot = value;
        }
        Ok(())
    }

    /// The bytes a copy of this record would hold: what a script set in it (a record read from the
    /// context is the host's until a script writes to it).
    fn stored_bytes(&self) -> usize {
        let set = match &self.0.values {
            Values::Built(values) => values.iter().map(capped::deep_size).sum(),
            Values::Read { .. } => 0,
        };
        let added: usize = self
            .0
            .added
            .iter()
            .flat_map(|added| added.iter())
            .map(|(name, value)| name.len() + capped::deep_size(value))
            .sum();
        set + added
    }

    /// The record as an object map of its own.
    pub(crate) fn to_map(&self) -> Fallible<Map> {
        let mut map: Map = self
            .0
            .shape
            .fields
            .iter()
            .zip(self.values()?)
            .map(|(name, value)| ((*name).into(), value))
            .collect();
        if let Some(added) = &self.0.added {
            map.extend(
                added
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone())),
            );
        }
        Ok(map)
    }

    /// The field `name`, or the error a script gets for a name the record does not have.
    fn read(&self, name: &str) -> Fallible<Dynamic> {
        self.get(name)?.ok_or_else(|| self.no_field(name))
    }

    fn no_field(&self, name: &str) -> Box<EvalAltResult> {
        let kind = self.kind();
        let names = self.0.shape.fields.iter().copied().chain(
            self.0
                .added
                .iter()
                .flat_map(|added| added.keys().map(|key| key.as_str())),
        );
        let mut message = format!("no field `{name}` in this `{kind}`");
        match crate::suggest::closest(names, name) {
            Some(nearest) => {
                let _ = write!(message, "; did you mean `{nearest}`?");
            }
            None => {
                let _ = write!(
                    message,
                    " (its fields: {}); read an optional one with `{kind}.get(\"{name}\")`",
                    self.0.shape.fields.join(", ")
                );
            }
        }
        Box::new(EvalAltResult::ErrorRuntime(message.into(), Position::NONE))
    }
}

/// Builds a [`Record`] (as a `Dynamic`) of a kind and its `name => value` fields; the shape is a
/// static made once per use of the macro.
macro_rules! record {
    ($kind:literal { $($name:literal => $value:expr),* $(,)? }) => {{
        static SHAPE: $crate::script::record::Shape =
            $crate::script::record::shape!($kind, [$($name),*]);
        rhai::Dynamic::from($crate::script::record::Record::new(&SHAPE, vec![$($value),*]))
    }};
}
pub(crate) use record;

/// Registers `Record`: reading and setting fields by name (`r.status`, `r["status"]`), `in`/`contains`,
/// `get`, `keys`, `values`, `len`, `is_empty`, `to_map`, `to_json`, `==`, `!=`, and printing.
///
/// Each field name of the context's records has a getter of its own (`get$status`): Rhai would
/// otherwise look for one, then fall back to the indexer, which costs a second lookup and an
/// operation on every read. A name without one (a field a script added) still reads through the
/// indexer.
pub(crate) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<Record>("Record");
    for name in super::fields::record_field_names() {
        engine.register_get(name, move |record: &mut Record| record.read(name));
    }
    engine
        .register_indexer_get(|record: &mut Record, name: &str| record.read(name))
        .register_indexer_set(|record: &mut Record, name: &str, value: Dynamic| {
            record.set(name, value)
        })
        .register_fn("contains", |record: &mut Record, name: &str| {
            record.has(name)
        })
        .register_fn("get", |record: &mut Record, name: &str| {
            record.get(name).map(Option::unwrap_or_default)
        })
        .register_fn("keys", |record: &mut Record| -> rhai::Array {
            let names = record.names();
            names
                .into_iter()
                .map(|name| Dynamic::from(rhai::ImmutableString::from(name)))
                .collect()
        })
        .register_fn("values", |record: &mut Record| -> Fallible<rhai::Array> {
            Ok(record.to_map()?.into_values().collect())
        })
        .register_fn("len", |record: &mut Record| {
            rhai::INT::try_from(record.names().len()).unwrap_or(rhai::INT::MAX)
        })
        .register_fn("is_empty", |record: &mut Record| record.names().is_empty())
        .register_fn("to_map", |record: &mut Record| record.to_map())
        .register_fn(
            "to_json",
            |context: NativeCallContext, record: &mut Record| -> Fallible<Dynamic> {
                context.call_native_fn::<Dynamic>("to_json", (record.to_map()?,))
            },
        )
        .register_fn(
            "==",
            |context: NativeCallContext, left: &mut Record, right: Record| -> Fallible<bool> {
                equal(&context, left, &right)
            },
        )
        .register_fn(
            "!=",
            |context: NativeCallContext, left: &mut Record, right: Record| -> Fallible<bool> {
                equal(&context, left, &right).map(|same| !same)
            },
        )
        .register_fn("to_string", |record: &mut Record| display(record))
        .register_fn("to_debug", |record: &mut Record| display(record));
}

/// Two records are equal when they are of the same kind and their maps are equal (Rhai's own map
/// equality, field by field).
fn equal(context: &NativeCallContext, left: &Record, right: &Record) -> Fallible<bool> {
    if Arc::ptr_eq(&left.0, &right.0) {
        return Ok(true);
    }
    if left.kind() != right.kind() {
        return Ok(false);
    }
    context.call_native_fn::<bool>("==", (left.to_map()?, right.to_map()?))
}

/// `invoice #{"amount_due": 120.00, ...}`.
fn display(record: &Record) -> Fallible<String> {
    Ok(format!(
        "{} {}",
        record.kind(),
        Dynamic::from_map(record.to_map()?)
    ))
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
