//! A record's custom fields as Rhai sees them (`invoice.fields`): read by name, every field the pack
//! declares for that kind of record is there (`()` when the record has no value), and a name it does
//! not declare is an error saying so, never `()`.

use rhai::{Dynamic, Engine, EvalAltResult, Map, Position};

/// `record.fields`: the declared custom fields of one record, by name.
#[derive(Debug, Clone)]
pub(crate) struct CustomFields {
    /// The kind of record (`invoice`), for messages.
    pub(crate) record: &'static str,
    /// Every declared field: its value, or `()`.
    pub(crate) values: Map,
}

impl CustomFields {
    fn get(&self, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        self.values.get(name).cloned().ok_or_else(|| {
            let record = self.record;
            let known = self.values.keys().map(|key| key.as_str());
            let hint = match crate::suggest::closest(known, name) {
                Some(near) => format!("did you mean `{near}`? "),
                None => String::new(),
            };
            Box::new(EvalAltResult::ErrorRuntime(
                format!(
                    "{record} has no custom field `{name}`: {hint}a pack reads the custom fields it \
                     declares under [vocabulary.fields.{record}]"
                )
                .into(),
                Position::NONE,
            ))
        })
    }
}

/// Registers `CustomFields`: `record.fields.name`, `record.fields["name"]`, `"name" in
/// record.fields`, `keys()`.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<CustomFields>("CustomFields")
        .register_indexer_get(|fields: &mut CustomFields, name: &str| fields.get(name))
        .register_fn("contains", |fields: &mut CustomFields, name: &str| {
            fields.values.contains_key(name)
        })
        .register_fn("keys", |fields: &mut CustomFields| -> rhai::Array {
            fields
                .values
                .keys()
                .map(|key| Dynamic::from(key.to_string()))
                .collect()
        })
        .register_fn("to_debug", |fields: &mut CustomFields| {
            format!("{:?}", fields.values)
        });
}
