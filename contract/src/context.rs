//! Read helpers over the evaluation context: parameters, history, overdue arithmetic.

use crate::types::{
    Account, Balance, Context, Date, Invoice, InvoiceStatus, ParamValue, PaymentOutcome,
};

/// A pack parameter is missing or has the wrong type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter's name.
    pub name: String,
    /// What was expected (`an integer`, `a text`, ...).
    pub expected: &'static str,
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pack parameter `{}` must be {}; declare it in the manifest's [params]",
            self.name, self.expected
        )
    }
}

impl std::error::Error for ParamError {}

impl From<ParamError> for String {
    fn from(error: ParamError) -> String {
        error.to_string()
    }
}

impl Context {
    fn param(&self, name: &str) -> Option<&ParamValue> {
        crate::explain::param_read(name);
        self.params
            .iter()
            .find(|param| param.name == name)
            .map(|param| &param.value)
    }

    /// An integer parameter.
    pub fn param_int(&self, name: &str) -> Result<i64, ParamError> {
        match self.param(name) {
            Some(ParamValue::Integer(value)) => Ok(*value),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "an integer",
            }),
        }
    }

    /// A text parameter.
    pub fn param_text(&self, name: &str) -> Result<&str, ParamError> {
        match self.param(name) {
            Some(ParamValue::Text(value)) => Ok(value),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "a text",
            }),
        }
    }

    /// A yes/no parameter.
    pub fn param_flag(&self, name: &str) -> Result<bool, ParamError> {
        match self.param(name) {
            Some(ParamValue::Flag(value)) => Ok(*value),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "true or false",
            }),
        }
    }

    /// The entry for `currency` of a per-currency money parameter, in minor units, if it has one.
    pub fn param_money(&self, name: &str, currency: &str) -> Result<Option<i64>, ParamError> {
        match self.param(name) {
            Some(ParamValue::MoneyTable(table)) => Ok(table
                .iter()
                .find(|money| money.currency == currency)
                .map(|money| money.minor)),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "a table of amounts per currency",
            }),
        }
    }

    /// A decimal parameter.
    pub fn param_decimal(&self, name: &str) -> Result<crate::types::Decimal, ParamError> {
        match self.param(name) {
            Some(ParamValue::Decimal(value)) => Ok(*value),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "a decimal",
            }),
        }
    }

    /// A local-date parameter.
    pub fn param_date(&self, name: &str) -> Result<Date, ParamError> {
        match self.param(name) {
            Some(ParamValue::Date(value)) => Ok(*value),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "a date",
            }),
        }
    }

    /// A list-of-texts parameter.
    pub fn param_text_list(&self, name: &str) -> Result<&[String], ParamError> {
        match self.param(name) {
            Some(ParamValue::TextList(items)) => Ok(items),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "a list of texts",
            }),
        }
    }

    /// A table parameter's rows (read a row's columns with [`crate::params::RowExt::column`]).
    pub fn param_table(&self, name: &str) -> Result<&[crate::types::ParamRow], ParamError> {
        match self.param(name) {
            Some(ParamValue::Table(rows)) => Ok(rows),
            _ => Err(ParamError {
                name: name.to_owned(),
                expected: "a table",
            }),
        }
    }

    /// Whether the parameter has a value: `false` for an optional parameter that is off (unset by
    /// default, or switched off by the context with `null`), or one the context lacks.
    pub fn param_is_set(&self, name: &str) -> bool {
        self.param(name)
            .is_some_and(|value| !matches!(value, ParamValue::Unset))
    }

    /// Whether an action with this idempotency key was already done: an activity, an invoice created
    /// by it, or the account's current credit hold carries it.
    ///
    /// This reads the whole history on every call: right for one check per evaluation. A rule that
    /// checks a key per invoice (or per promise, per attempt) builds a history index once
    /// ([`History::new`](crate::history::History::new)) and asks it instead, or its cost grows with
    /// invoices x history.
    pub fn key_seen(&self, key: &str) -> bool {
        self.activities.iter().any(|activity| activity.key == key)
            || self
                .invoices
                .iter()
                .any(|invoice| invoice.source_key.as_deref() == Some(key))
            || self
                .account
                .credit_hold
                .as_ref()
                .is_some_and(|hold| hold.key == key)
    }

    /// Payment attempts with outcome `declined` since the most recent `succeeded` one.
    pub fn declines_since_last_success(&self) -> usize {
        let last_success = self
            .payment_attempts
            .iter()
            .filter(|attempt| attempt.outcome == PaymentOutcome::Succeeded)
            .map(|attempt| attempt.at)
            .max();
        self.payment_attempts
            .iter()
            .filter(|attempt| attempt.outcome == PaymentOutcome::Declined)
            .filter(|attempt| last_success.is_none_or(|success| attempt.at > success))
            .count()
    }
}

impl Invoice {
    /// Days past due at `today` (negative before the due date, 0 on it); `None` without a due date.
    pub fn days_past_due(&self, today: &Date) -> Option<i64> {
        self.due_date.as_ref().map(|due| today.days_since(due))
    }

    /// Open, something due, and the due date strictly before `today` (due today is not overdue).
    pub fn is_overdue(&self, today: &Date) -> bool {
        self.status == InvoiceStatus::Open
            && self.amount_due_minor > 0
            && self.days_past_due(today).is_some_and(|days| days > 0)
    }
}

impl Account {
    /// The account's balance in `currency`, if the host supplied one.
    pub fn balance(&self, currency: &str) -> Option<&Balance> {
        self.balances
            .iter()
            .find(|balance| balance.currency == currency)
    }
}
