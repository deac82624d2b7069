//! Reading a context for a pack: parsed, then checked against what the pack declares.
//!
//! A context may override a parameter's default (`"params": {"sms_max": {"USD": "300.00"}}`), but
//! only one the pack declares (in `[params]` or its `params_file`), and only with a value of the
//! declared kind: an integer for an integer, a string for a text, `true`/`false` for a flag, an
//! object of amounts for a money table (whose currencies are data: an override may name others).
//! Anything else would be ignored by the rules, or fail inside them, while the default stayed in
//! force: a misspelt `sms_maxx` would leave the SMS ceiling where it was.

use crm_rules_contract::params::{ParamSpec, undeclared_message};
use crm_rules_contract::types::{Context, Param, ParamValue};

use super::RulePack;
use crate::json::{InputError, ParsedContext};

impl RulePack {
    /// Reads a JSON context for this pack: refused if longer than [`crate::Limits::max_input_bytes`],
    /// parsed by [`crate::json::parse_context_limited`], then checked by
    /// [`RulePack::check_context`]. The way in for context text (`crm-rules eval` and
    /// [`crate::batch`] read theirs here).
    ///
    /// # Errors
    /// The first problem, located by its field path (and line and column for JSON syntax).
    pub fn parse_context(&self, text: &str) -> Result<ParsedContext, InputError> {
        let max_bytes = self.limits.max_input_bytes;
        let parsed = crate::json::parse_context_limited_in(text, max_bytes, &self.vocabulary)?;
        self.check_context(&parsed.context)?;
        Ok(parsed)
    }

    /// [`RulePack::parse_context`] for a line that also carries the host's own key for it under
    /// the top-level field `id_field` (a row id, to join results back to their source): that
    /// value, when the line is a JSON object that has it, is returned beside the context, and the
    /// field is not read as part of the context (unless it is the context's own `id`).
    ///
    /// # Errors
    /// As [`RulePack::parse_context`]; the key is still returned when the line is a JSON object.
    pub fn parse_context_keyed(
        &self,
        text: &str,
        id_field: &str,
    ) -> (Option<serde_json::Value>, Result<ParsedContext, InputError>) {
        let max_bytes = self.limits.max_input_bytes;
        if text.len() > max_bytes {
            return (None, self.parse_context(text));
        }
        let mut value = match crate::json::parse_json(text) {
            Ok(value) => value,
            Err(error) => return (None, Err(error)),
        };
        let key = match value.as_object_mut() {
            Some(object) if id_field == "id" => object.get(id_field).cloned(),
            Some(object) => object.remove(id_field),
            None => None,
        };
        let parsed = crate::json::parse_context_in(&value, &self.vocabulary).and_then(|parsed| {
            self.check_context(&parsed.context)?;
            Ok(parsed)
        });
        (key, parsed)
    }

    /// Checks the parts of `ctx` that only the pack can judge: every parameter the context sets is
    /// one the pack declares, with the kind of value it declares. Run it on every context read from
    /// outside before [`RulePack::evaluate`] ([`RulePack::parse_context`] does, and so do fixture
    /// runs and `crm-rules check`), so that a bad override is reported as an input error;
    /// `evaluate` itself holds a context that fails this check for review instead of running it on
    /// the defaults.
    ///
    /// # Errors
    /// The first offending parameter, at `params.{name}`: `the pack declares no parameter
    /// "sms_maxx" (did you mean "sms_max"?)`, or `expected an integer, as the pack declares, found a
    /// string`.
    ///
    /// It also holds a context built in Rust to the pack's vocabulary, as the JSON reader does: every
    /// custom field declared, of its type, every required one present; templates, dunning states
    /// and action kinds declared.
    pub fn check_context(&self, ctx: &Context) -> Result<(), InputError> {
        check_params(self.param_specs(), &ctx.params)?;
        crate::json::check_references(ctx)?;
        super::declared_input::check_declared_input(ctx, &self.vocabulary)
    }
}

/// Checks `given` against the pack's declared parameters.
pub(crate) fn check_params(declared: &[ParamSpec], given: &[Param]) -> Result<(), InputError> {
    // Each search starts after the last parameter found and wraps around: given parameters
    // usually follow the declared order (defaults are appended in it), which makes the whole
    // check one pass over both lists instead of a search of every declared name per parameter.
    let mut start = 0;
    for param in given {
        let path = || format!("params.{}", param.name);
        let (before, after) = declared.split_at(start.min(declared.len()));
        let Some((index, spec)) = after
            .iter()
            .enumerate()
            .map(|(index, spec)| (start + index, spec))
            .chain(before.iter().enumerate())
            .find(|(_, spec)| spec.name == param.name)
        else {
            let names = declared.iter().map(|spec| spec.name.as_str());
            return Err(InputError::new(
                path(),
                undeclared_message(names, &param.name),
            ));
        };
        start = index + 1;
        if !spec.admits(&param.value) {
            let expected = spec.ty.json_form();
            return Err(InputError::new(
                path(),
                format!(
                    "expected {expected}, as the pack declares, found {}",
                    kind(&param.value)
                ),
            ));
        }
    }
    Ok(())
}

/// How a kind of parameter value is written in JSON, for messages.
fn kind(value: &ParamValue) -> &'static str {
    match value {
        ParamValue::Integer(_) => "an integer",
        ParamValue::Text(_) => "a string",
        ParamValue::Flag(_) => "true or false",
        ParamValue::MoneyTable(_) => "an object of amounts per currency",
        ParamValue::Decimal(_) => "a decimal",
        ParamValue::Money(_) => "an amount with its currency",
        ParamValue::Date(_) => "a date",
        ParamValue::TextList(_) => "a list of strings",
        ParamValue::Table(_) => "a table, or rows that do not match its columns",
        ParamValue::Unset => "null (the parameter is not optional)",
    }
}

#[cfg(test)]
mod tests {
    use crm_rules_contract::types::Money;

    use super::*;

    fn param(name: &str, value: ParamValue) -> Param {
        Param {
            name: name.to_owned(),
            value,
        }
    }

    fn declared() -> Vec<Param> {
        vec![
            param("fast_payer_min_settled", ParamValue::Integer(3)),
            param("own_origin", ParamValue::Text("crm-rules".into())),
            param("send_on_weekends", ParamValue::Flag(false)),
            param(
                "sms_max",
                ParamValue::MoneyTable(vec![Money::new(50_000, "USD")]),
            ),
        ]
    }

    fn specs() -> Vec<ParamSpec> {
        declared()
            .iter()
            .filter_map(|param| ParamSpec::implied_by(&param.name, &param.value))
            .collect()
    }

    fn check(given: Param) -> Result<(), String> {
        check_params(&specs(), &[given]).map_err(|error| error.to_string())
    }

    #[test]
    fn declared_parameters_of_the_declared_kind_pass() {
        assert_eq!(
            check(param("fast_payer_min_settled", ParamValue::Integer(9))),
            Ok(())
        );
        assert_eq!(
            check(param("own_origin", ParamValue::Text("x".into()))),
            Ok(())
        );
        assert_eq!(
            check(param("send_on_weekends", ParamValue::Flag(true))),
            Ok(())
        );
        let other_currency = ParamValue::MoneyTable(vec![Money::new(100, "KWD")]);
        assert_eq!(check(param("sms_max", other_currency)), Ok(()));
        assert_eq!(
            check(param("sms_max", ParamValue::MoneyTable(vec![]))),
            Ok(())
        );
    }

    #[test]
    fn undeclared_parameters_are_named_with_a_suggestion() {
        assert_eq!(
            check(param("sms_maxx", ParamValue::Integer(1))),
            Err("params.sms_maxx: the pack declares no parameter \"sms_maxx\" (did you mean \"sms_max\"?)".into())
        );
        assert_eq!(
            check(param("fast_payer_min_setled", ParamValue::Integer(1))),
            Err("params.fast_payer_min_setled: the pack declares no parameter \"fast_payer_min_setled\" (did you mean \"fast_payer_min_settled\"?)".into())
        );
        let far = check(param("colour", ParamValue::Integer(1))).unwrap_err();
        assert_eq!(
            far,
            "params.colour: the pack declares no parameter \"colour\"; it declares \
             fast_payer_min_settled, own_origin, send_on_weekends, sms_max (remove the override \
             or add the parameter to the pack)"
        );
        let none = check_params(&[], &[param("x", ParamValue::Flag(true))]).unwrap_err();
        assert!(none.message().contains("it declares none"), "{none}");
    }

    #[test]
    fn every_parameter_is_found_in_any_order() {
        let in_order = [
            param("fast_payer_min_settled", ParamValue::Integer(9)),
            param("own_origin", ParamValue::Text("x".into())),
            param("send_on_weekends", ParamValue::Flag(true)),
            param("sms_max", ParamValue::MoneyTable(vec![])),
        ];
        let mut reversed = in_order.clone();
        reversed.reverse();
        let shuffled = [2, 0, 3, 1].map(|index| in_order[index].clone());
        for given in [&in_order[..], &reversed[..], &shuffled[..]] {
            assert_eq!(
                check_params(&specs(), given).map_err(|e| e.to_string()),
                Ok(())
            );
        }
        // Found by its wrapped-around search, and still checked for its kind.
        let late = [
            in_order[3].clone(),
            param("own_origin", ParamValue::Flag(true)),
        ];
        let error = check_params(&specs(), &late).unwrap_err().to_string();
        assert!(
            error.starts_with("params.own_origin: expected a string"),
            "{error}"
        );
        let unknown = [in_order[1].clone(), param("colour", ParamValue::Integer(1))];
        let error = check_params(&specs(), &unknown).unwrap_err().to_string();
        assert!(
            error.starts_with("params.colour: the pack declares no parameter"),
            "{error}"
        );
    }

    #[test]
    fn a_different_kind_is_named() {
        assert_eq!(
            check(param("fast_payer_min_settled", ParamValue::Text("6".into()))),
            Err("params.fast_payer_min_settled: expected an integer, as the pack declares, found a string".into())
        );
        assert_eq!(
            check(param("sms_max", ParamValue::Integer(500))),
            Err("params.sms_max: expected an object of amounts per currency, as the pack declares, found an integer".into())
        );
        assert_eq!(
            check(param("send_on_weekends", ParamValue::Text("false".into()))),
            Err("params.send_on_weekends: expected true or false, as the pack declares, found a string".into())
        );
    }
}
