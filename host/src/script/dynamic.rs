//! Building the Rhai values the context is made of: texts, options, lists, exact amounts in major
//! units, money maps and enum names.

use crm_rules_contract::money::Currency;
use crm_rules_contract::types::Money;
use crm_rules_contract::wire::Named;
use rhai::{Array, Dynamic, Map};

use super::helpers::from_minor;

/// A text (one allocation: the shared string itself).
pub(crate) fn text(value: &str) -> Dynamic {
    Dynamic::from(rhai::ImmutableString::from(value))
}

/// `()` for `None`, else the value converted by `to`.
pub(crate) fn opt<T>(value: Option<T>, to: impl FnOnce(T) -> Dynamic) -> Dynamic {
    value.map_or(Dynamic::UNIT, to)
}

/// An array of the items converted by `to`.
pub(crate) fn list<T>(items: &[T], to: impl Fn(&T) -> Dynamic) -> Dynamic {
    Dynamic::from_array(items.iter().map(to).collect::<Array>())
}

/// The number of minor-unit digits of a currency.
pub(crate) fn exponent(code: &str) -> u32 {
    // The host validated every currency before a rule runs; unknown ones cannot reach this point.
    Currency::from_code(code).map_or(2, |currency| currency.exponent)
}

/// Minor units as an exact amount in major units.
pub(crate) fn amount(minor: i64, exponent: u32) -> Dynamic {
    Dynamic::from_decimal(from_minor(minor, exponent))
}

/// Money as `#{amount, currency}`.
pub(crate) fn money(money: &Money) -> Dynamic {
    let mut map = Map::new();
    map.insert(
        "amount".into(),
        amount(money.minor, exponent(&money.currency)),
    );
    map.insert("currency".into(), text(&money.currency));
    map.into()
}

/// Builds an object map from `name => value` pairs.
macro_rules! map {
    ($($name:literal => $value:expr),* $(,)?) => {{
        let mut map = rhai::Map::new();
        $(map.insert($name.into(), $value);)*
        rhai::Dynamic::from_map(map)
    }};
}
pub(crate) use map;

/// The JSON (kebab-case) name of a WIT enum case.
pub(crate) fn name<T: Named>(value: &T) -> Dynamic {
    text(value.name())
}
