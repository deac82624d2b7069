//! Building the Rhai values the context is made of: texts, options, lists, exact amounts in major
//! units, money and enum names.

use crm_rules_contract::money::Currency;
use crm_rules_contract::types::Money;
use crm_rules_contract::wire::Named;
use rhai::{Array, Dynamic};

use super::record::record;

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

/// Money as a record of its `amount` and `currency`.
pub(crate) fn money(money: &Money) -> Dynamic {
    record!("money" {
        "amount" => amount(money.minor, exponent(&money.currency)),
        "currency" => text(&money.currency),
    })
}

/// The JSON (kebab-case) name of a WIT enum case, shared ([`super::interned`]).
pub(crate) fn name<T: Named>(value: &T) -> Dynamic {
    Dynamic::from(super::interned::enum_name(value.name()))
}
