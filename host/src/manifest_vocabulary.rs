//! Reading a manifest's `[vocabulary]` into the contract's [`Vocabulary`].
//!
//! ```toml
//! [vocabulary]
//! templates = ["reminder1", "reminder2", "endless"]   # notice templates and reminder steps
//! states = ["suspended", "warning"]                     # dunning states, most severe first
//! suppressions = ["enforcement-off"]                    # suppression reasons of the pack's own
//!
//! [vocabulary.fields.invoice]                           # custom fields, per kind of record
//! po_number = { type = "text", required = true }
//! overdue = { type = "bool", writable = true }          # rules may set it (`set-field`)
//! region = "text"                                       # shorthand: optional, read-only
//!
//! [vocabulary.actions.open-ticket]                      # the pack's own action kinds
//! queue = { type = "text", required = true }
//!
//! [vocabulary.events.campaign-ended]                    # events the pack emits
//! attempts = "integer"
//! ```
//!
//! Types: `text`, `integer`, `decimal`, `money`, `bool`, `date`, `timestamp`, `text-list`. Records:
//! `account`, `contact`, `invoice`, `deal`, `subscription`, `payment-attempt`, `billing-entity`.
//! Names are unique; an action kind or suppression reason may not reuse a core name.

use crm_rules_contract::types::{ActionKind, RecordKind, SuppressionReason};
use crm_rules_contract::vocabulary::{FieldSpec, KindSpec, RecordField, ValueType, Vocabulary};
use crm_rules_contract::wire::{Named, OpenNamed};

/// Reads `[vocabulary]` (the table under it). Errors are messages naming the key
/// (`vocabulary.fields.invoice.po_number.type: ...`).
pub(crate) fn read_vocabulary(table: &toml::Table) -> Result<Vocabulary, String> {
    let mut vocabulary = Vocabulary::default();
    for (key, value) in table {
        let at = format!("vocabulary.{key}");
        match key.as_str() {
            "templates" => vocabulary.templates = names(value, &at, &[])?,
            "states" => vocabulary.states = names(value, &at, &[])?,
            "suppressions" => {
                vocabulary.suppressions = names(value, &at, SuppressionReason::CORE)?;
            }
            "fields" => vocabulary.fields = record_fields(value, &at)?,
            "actions" => vocabulary.actions = kinds(value, &at, ActionKind::CORE)?,
            "events" => vocabulary.events = kinds(value, &at, &[])?,
            other => {
                return Err(format!(
                    "{at}: unknown key `{other}`; [vocabulary] has templates, states, \
                     suppressions, fields, actions and events"
                ));
            }
        }
    }
    Ok(vocabulary)
}

/// A list of distinct names, none of them in `reserved`.
fn names(value: &toml::Value, at: &str, reserved: &[&str]) -> Result<Vec<String>, String> {
    let toml::Value::Array(items) = value else {
        return Err(format!("{at}: expected a list of names"));
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let toml::Value::String(name) = item else {
            return Err(format!("{at}[{index}]: expected a name (a string)"));
        };
        let name = checked_name(name, &format!("{at}[{index}]"), reserved)?;
        if out.contains(&name) {
            return Err(format!("{at}[{index}]: `{name}` is declared twice"));
        }
        out.push(name);
    }
    Ok(out)
}

/// A declared name: non-empty, printable, no surrounding spaces, not a core name.
fn checked_name(name: &str, at: &str, reserved: &[&str]) -> Result<String, String> {
    if name.is_empty() || name.trim() != name || name.chars().any(char::is_control) {
        return Err(format!(
            "{at}: `{name}` is not a name (empty, control characters, or surrounding spaces)"
        ));
    }
    if reserved.contains(&name) {
        return Err(format!(
            "{at}: `{name}` is a core name of the contract; the pack's own need names of their own"
        ));
    }
    Ok(name.to_owned())
}

/// `[vocabulary.fields.<record>]` tables.
fn record_fields(value: &toml::Value, at: &str) -> Result<Vec<RecordField>, String> {
    let toml::Value::Table(records) = value else {
        return Err(format!("{at}: expected a table of records"));
    };
    let mut out = Vec::new();
    for (record_name, fields) in records {
        let record_at = format!("{at}.{record_name}");
        let record = RecordKind::from_name(record_name).ok_or_else(|| {
            format!(
                "{record_at}: unknown record `{record_name}`; records with custom fields are {}",
                crm_rules_contract::wire::names::<RecordKind>()
            )
        })?;
        let toml::Value::Table(fields) = fields else {
            return Err(format!("{record_at}: expected a table of fields"));
        };
        for (name, spec) in fields {
            let (spec, writable) = field_spec(name, spec, &format!("{record_at}.{name}"), true)?;
            out.push(RecordField {
                record,
                spec,
                writable,
            });
        }
    }
    Ok(out)
}

/// `[vocabulary.actions.<kind>]` or `[vocabulary.events.<name>]` tables.
fn kinds(value: &toml::Value, at: &str, reserved: &[&str]) -> Result<Vec<KindSpec>, String> {
    let toml::Value::Table(kinds) = value else {
        return Err(format!(
            "{at}: expected a table of kinds, each a table of its fields"
        ));
    };
    let mut out = Vec::new();
    for (name, fields) in kinds {
        let kind_at = format!("{at}.{name}");
        let name = checked_name(name, &kind_at, reserved)?;
        let toml::Value::Table(fields) = fields else {
            return Err(format!(
                "{kind_at}: expected a table of fields (`{{}}` for none)"
            ));
        };
        let mut specs = Vec::new();
        for (field, spec) in fields {
            specs.push(field_spec(field, spec, &format!("{kind_at}.{field}"), false)?.0);
        }
        out.push(KindSpec {
            name,
            fields: specs,
        });
    }
    Ok(out)
}

/// `name = "type"` or `name = { type = "...", required = bool, writable = bool }`.
fn field_spec(
    name: &str,
    value: &toml::Value,
    at: &str,
    on_record: bool,
) -> Result<(FieldSpec, bool), String> {
    let name = checked_name(name, at, &[])?;
    let (ty, required, writable) = match value {
        toml::Value::String(ty) => (ty.as_str(), false, false),
        toml::Value::Table(table) => {
            let mut ty = None;
            let mut required = false;
            let mut writable = false;
            for (key, item) in table {
                match (key.as_str(), item) {
                    ("type", toml::Value::String(text)) => ty = Some(text.as_str()),
                    ("required", toml::Value::Boolean(flag)) => required = *flag,
                    ("writable", toml::Value::Boolean(flag)) if on_record => writable = *flag,
                    ("type" | "required", _) => {
                        return Err(format!("{at}.{key}: wrong type of value"));
                    }
                    ("writable", _) if on_record => {
                        return Err(format!("{at}.{key}: expected true or false"));
                    }
                    (other, _) => {
                        let known = if on_record {
                            "type, required, writable"
                        } else {
                            "type, required"
                        };
                        return Err(format!("{at}: unknown key `{other}`, expected {known}"));
                    }
                }
            }
            let ty = ty.ok_or_else(|| format!("{at}: missing `type`"))?;
            (ty, required, writable)
        }
        _ => return Err(format!("{at}: expected a type name or a table with `type`")),
    };
    let ty = ValueType::from_name(ty).ok_or_else(|| {
        let all: Vec<&str> = ValueType::ALL.iter().map(|ty| ty.name()).collect();
        format!(
            "{at}: unknown type `{ty}`, expected one of {}",
            all.join(", ")
        )
    })?;
    Ok((FieldSpec { name, ty, required }, writable))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vocabulary, String> {
        let table: toml::Table = toml::from_str(text).unwrap();
        read_vocabulary(&table)
    }

    #[test]
    fn reads_every_section() {
        let vocabulary = read(
            r#"
            templates = ["reminder1", "endless"]
            states = ["suspended", "warning"]
            suppressions = ["enforcement-off"]
            [fields.invoice]
            po_number = { type = "text", required = true }
            overdue = { type = "bool", writable = true }
            [fields.account]
            region = "text"
            [actions.open-ticket]
            queue = { type = "text", required = true }
            [events.campaign-ended]
            attempts = "integer"
            "#,
        )
        .unwrap();
        assert_eq!(vocabulary.templates, ["reminder1", "endless"]);
        assert_eq!(vocabulary.states, ["suspended", "warning"]);
        let po = vocabulary
            .record_field(RecordKind::Invoice, "po_number")
            .unwrap();
        assert!(po.spec.required && !po.writable);
        assert!(
            vocabulary
                .record_field(RecordKind::Invoice, "overdue")
                .unwrap()
                .writable
        );
        assert_eq!(
            vocabulary.action("open-ticket").unwrap().fields[0].ty,
            ValueType::Text
        );
        assert_eq!(
            vocabulary.event("campaign-ended").unwrap().fields[0].ty,
            ValueType::Integer
        );
    }

    #[test]
    fn mistakes_name_their_key() {
        let cases = [
            (
                "states = [\"a\", \"a\"]",
                "vocabulary.states[1]: `a` is declared twice",
            ),
            (
                "suppressions = [\"already-done\"]",
                "vocabulary.suppressions[0]: `already-done` is a core name",
            ),
            (
                "[actions.escalate]",
                "vocabulary.actions.escalate: `escalate` is a core name",
            ),
            (
                "[fields.invoce]\nx = \"text\"",
                "vocabulary.fields.invoce: unknown record `invoce`",
            ),
            (
                "[fields.invoice]\nx = \"number\"",
                "vocabulary.fields.invoice.x: unknown type `number`",
            ),
            (
                "[fields.invoice]\nx = { type = \"text\", requird = true }",
                "vocabulary.fields.invoice.x: unknown key `requird`",
            ),
            (
                "[events.e]\nx = { type = \"text\", writable = true }",
                "vocabulary.events.e.x: unknown key `writable`",
            ),
            (
                "template = []",
                "vocabulary.template: unknown key `template`",
            ),
        ];
        for (text, expected) in cases {
            let error = read(text).unwrap_err();
            assert!(error.starts_with(expected), "{text}: {error}");
        }
    }
}
