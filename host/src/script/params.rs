//! The pack's parameters as Rhai sees them (`ctx.params`): read by name, each converted when a
//! script first reads it, and a name the pack does not declare is an error suggesting the nearest
//! one, never `()`.

use std::sync::{Arc, OnceLock};

use crm_rules_contract::params::{ParamSpec, ParamType};
use crm_rules_contract::types::{Param, ParamValue, Value};
use rhai::{Dynamic, Engine, EvalAltResult, Map, Position};

use super::budget;
use super::context_extras as extras;
use super::dynamic::{amount, exponent, list, money, text};
use super::lent::Lent;
use super::sources::Sources;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// `ctx.params`: the context's parameters, then the defaults it leaves, read by name.
#[derive(Clone)]
pub(crate) struct Params(Arc<Read>);

struct Read {
    lent: Arc<Lent>,
    /// Each parameter once converted, by its place in [`each`].
    values: Box<[OnceLock<Dynamic>]>,
}

/// The context's parameters, then the defaults it leaves: a name appears once in all.
fn each<'a>(sources: &'a Sources<'_>) -> impl Iterator<Item = &'a Param> {
    sources
        .ctx
        .params
        .iter()
        .chain(sources.defaults.iter().copied())
}

impl Params {
    /// `ctx.params` of the evaluation lent as `lent`, which has `count` parameters.
    pub(crate) fn read_from(lent: &Arc<Lent>, count: usize) -> Dynamic {
        Dynamic::from(Params(Arc::new(Read {
            lent: Arc::clone(lent),
            values: (0..count).map(|_| OnceLock::new()).collect(),
        })))
    }

    /// The parameter `name`, if the pack declares it.
    fn find(&self, name: &str) -> Fallible<Option<Dynamic>> {
        let Read { lent, values } = &*self.0;
        let found = budget::uncounted(|| {
            lent.with_sources(|sources| {
                let (index, param) = each(sources)
                    .enumerate()
                    .find(|(_, param)| param.name == name)?;
                let slot = values.get(index)?;
                let specs = sources.vocabulary.params.as_deref().unwrap_or_default();
                Some(slot.get_or_init(|| value(param, specs)).clone())
            })
        })?;
        Ok(found)
    }

    /// Every parameter's name, in the order of [`each`].
    fn names(&self) -> Fallible<Vec<String>> {
        self.0
            .lent
            .with_sources(|sources| each(sources).map(|param| param.name.clone()).collect())
    }

    fn get(&self, name: &str) -> Fallible<Dynamic> {
        crate::explain::recorder::param_read(name);
        if let Some(value) = self.find(name)? {
            return Ok(value);
        }
        let names = self.names()?;
        let suggestion = crate::suggest::closest(names.iter().map(String::as_str), name)
            .map(|known| format!("; did you mean `{known}`?"))
            .unwrap_or_default();
        Err(Box::new(EvalAltResult::ErrorRuntime(
            format!("`params` has no field `{name}`: the pack declares no parameter `{name}`{suggestion}")
                .into(),
            Position::NONE,
        )))
    }

    /// Every parameter by name, converted.
    fn to_map(&self) -> Fallible<Map> {
        self.names()?
            .into_iter()
            .map(|name| {
                let value = self.find(&name)?.unwrap_or_default();
                Ok((name.into(), value))
            })
            .collect()
    }
}

/// A parameter's value; a table's rows carry every declared column, `()` where an optional one is
/// left out (so `row.tag` reads it either way, and a misspelt column is still an error).
fn value(param: &Param, specs: &[ParamSpec]) -> Dynamic {
    match &param.value {
        ParamValue::Integer(value) => Dynamic::from(*value),
        ParamValue::Text(value) => text(value),
        ParamValue::Flag(value) => Dynamic::from(*value),
        ParamValue::MoneyTable(table) => {
            let mut amounts = Map::new();
            for money in table {
                let value = amount(money.minor, exponent(&money.currency));
                amounts.insert(money.currency.as_str().into(), value);
            }
            amounts.into()
        }
        ParamValue::Decimal(decimal) => extras::value(&Value::Decimal(*decimal)),
        ParamValue::Money(amount_value) => money(amount_value),
        ParamValue::Date(date) => Dynamic::from(*date),
        ParamValue::TextList(items) => list(items, |item| text(item)),
        ParamValue::Table(rows) => {
            let columns = specs
                .iter()
                .find(|spec| spec.name == param.name)
                .and_then(|spec| match &spec.ty {
                    ParamType::Table(columns) => Some(columns.as_slice()),
                    _ => None,
                });
            list(rows, |row| {
                extras::table_row(row, columns.unwrap_or_default())
            })
        }
        ParamValue::Unset => Dynamic::UNIT,
    }
}

/// Registers `Params`: `ctx.params.name`, `ctx.params["name"]`, `"name" in ctx.params`, `keys()`.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Params>("Params")
        .register_indexer_get(|params: &mut Params, name: &str| params.get(name))
        .register_fn("contains", |params: &mut Params, name: &str| {
            params
                .names()
                .map(|names| names.iter().any(|known| known == name))
        })
        .register_fn("keys", |params: &mut Params| -> Fallible<rhai::Array> {
            let mut names = params.names()?;
            names.sort_unstable();
            Ok(names.into_iter().map(Dynamic::from).collect())
        })
        .register_fn("to_debug", |params: &mut Params| {
            params.to_map().map(|map| format!("{map:?}"))
        });
}
