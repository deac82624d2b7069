//! The fields of each record of the context as a script sees it, for the error a script gets when
//! it reads a field that is not there: `did you mean \`status\` (a field of \`invoice\`)?`.

/// The fields of each record of the context as scripts see it, for the error a script gets when
/// it reads a field that does not exist. A test checks them against the maps built above.
const RECORD_FIELDS: &[(&str, &[&str])] = &[
    ("ctx", &super::sources::FIELDS),
    (
        "account",
        &[
            "id",
            "name",
            "tier",
            "timezone",
            "currency",
            "net_terms_days",
            "credit_limit",
            "credit_hold",
            "risk_score",
            "dunning_excluded",
            "dunning_paused_until",
            "account_executive_id",
            "collections_owner_id",
            "payment_method_on_file",
            "contacts",
            "payment_behaviour",
            "balances",
            "dunning_state",
            "billing_entity_id",
            "tags",
            "fields",
        ],
    ),
    (
        "contact",
        &[
            "id",
            "name",
            "role",
            "email",
            "phone",
            "sms_consent",
            "sms_opted_out",
            "tags",
            "fields",
        ],
    ),
    ("balance", &["currency", "open", "unapplied_credit"]),
    ("credit_hold", &["reason", "key", "since"]),
    ("payment_behaviour", &["settled_12m", "late_12m"]),
    ("money", &["amount", "currency"]),
    (
        "invoice",
        &[
            "id",
            "number",
            "status",
            "currency",
            "total",
            "paid",
            "credited",
            "amount_due",
            "issue_date",
            "due_date",
            "collection_method",
            "dispute",
            "followup_blocked",
            "deal_id",
            "source_key",
            "payment_link",
            "instalments",
            "billing_entity_id",
            "tags",
            "fields",
        ],
    ),
    ("instalment", &["id", "due_date", "amount", "paid"]),
    ("dunning_state", &["state", "since", "key"]),
    (
        "subscription",
        &[
            "id",
            "plan",
            "status",
            "amount",
            "current_period_end",
            "cancel_at_period_end",
            "tags",
            "fields",
        ],
    ),
    ("billing_entity", &["id", "name", "tags", "fields"]),
    ("payment_link", &["url", "expires_at"]),
    (
        "deal_event",
        &[
            "id",
            "kind",
            "change_origin",
            "occurred_at",
            "deal",
            "milestone",
            "delivery",
            "time",
            "retainer",
            "recurring",
        ],
    ),
    (
        "deal",
        &[
            "id",
            "name",
            "stage",
            "amount",
            "billing_model",
            "custom_terms",
            "signed_contract_required",
            "contract_signed",
            "payment_method_on_file",
            "tags",
            "fields",
        ],
    ),
    (
        "milestone",
        &["id", "name", "amount", "percent_bps", "invoiced_bps"],
    ),
    (
        "delivery",
        &[
            "batch_id",
            "ordered_units",
            "delivered_units",
            "invoiced_units",
            "unit_price",
        ],
    ),
    (
        "time",
        &[
            "period_start",
            "period_end",
            "approved_minutes",
            "hourly_rate",
        ],
    ),
    (
        "retainer",
        &[
            "balance",
            "threshold",
            "method",
            "target",
            "fixed",
            "top_up_seq",
        ],
    ),
    ("recurring", &["next_bill_date", "amount"]),
    (
        "payment_attempt",
        &[
            "id",
            "invoice_id",
            "at",
            "outcome",
            "decline_reason",
            "amount",
            "attempt_number",
            "source_key",
            "tags",
            "fields",
        ],
    ),
    (
        "activity",
        &[
            "id",
            "key",
            "kind",
            "rule",
            "at",
            "invoice_id",
            "step",
            "channel",
            "outcome",
            "fields",
        ],
    ),
    (
        "promise",
        &[
            "id",
            "invoice_ids",
            "amount",
            "promised_date",
            "grace_days",
            "received",
            "status",
        ],
    ),
];

/// Every field name of every record of the context (not `ctx`'s own), once each.
pub(crate) fn record_field_names() -> std::collections::BTreeSet<&'static str> {
    RECORD_FIELDS
        .iter()
        .filter(|(record, _)| *record != "ctx")
        .flat_map(|(_, fields)| fields.iter().copied())
        .collect()
}

/// What a script is told when it reads `field` from a map that does not have it: the context
/// records that have the nearest field, if the name looks like a typo of one.
pub(crate) fn unknown_field_message(field: &str) -> String {
    let all = RECORD_FIELDS
        .iter()
        .flat_map(|(_, fields)| fields.iter().copied());
    let Some(nearest) = crate::suggest::closest(all, field) else {
        return format!(
            "no field `{field}` in this map, and no record of the context has one; read an \
             optional key with `map.get(\"{field}\")` or test it with `\"{field}\" in map`"
        );
    };
    let records: Vec<String> = RECORD_FIELDS
        .iter()
        .filter(|(_, fields)| fields.contains(&nearest))
        .map(|(record, _)| format!("`{record}`"))
        .collect();
    if nearest == field {
        format!(
            "no field `{field}` in this map (`{field}` is a field of {}); read an optional key \
             with `map.get(\"{field}\")`",
            records.join(", ")
        )
    } else {
        format!(
            "no field `{field}` in this map; did you mean `{nearest}` (a field of {})?",
            records.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use rhai::{Dynamic, Map};

    use super::*;

    /// Every field of every record a context builds is listed in `RECORD_FIELDS` under its record,
    /// and every listed field is built.
    #[test]
    fn record_fields_are_the_fields_scripts_see() {
        let vocabulary = crm_rules_contract::vocabulary::Vocabulary {
            states: vec!["suspended".to_owned()],
            ..crm_rules_contract::vocabulary::Vocabulary::contract_0_1()
        };
        let text = include_str!("record_fields_context.json");
        let ctx = crate::json::parse_context_in(
            &crate::json::parse_json(text).expect("json"),
            &vocabulary,
        )
        .expect("a context with every optional field")
        .context;
        let sources = crate::script::sources::Sources {
            ctx: &ctx,
            defaults: &[],
            vocabulary: &vocabulary,
        };
        crate::script::lent::lend(&sources, |lent| {
            let root: Map = crate::script::sources::FIELDS
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    let value = crate::script::context::top_level(index, &sources, lent);
                    ((*name).into(), value)
                })
                .collect();
            let record = |value: &Dynamic| -> Map {
                value
                    .read_lock::<crate::script::record::Record>()
                    .expect("a record")
                    .to_map()
                    .expect("read while lent")
            };
            let keys = |value: &Dynamic| -> Vec<String> {
                let mut keys: Vec<String> =
                    record(value).keys().map(|key| key.to_string()).collect();
                keys.sort();
                keys
            };
            let listed = |record: &str| -> Vec<String> {
                let (_, fields) = RECORD_FIELDS
                    .iter()
                    .find(|(name, _)| *name == record)
                    .expect("listed");
                let mut fields: Vec<String> =
                    fields.iter().map(|field| (*field).to_owned()).collect();
                fields.sort();
                fields
            };
            let field = |map: &Map, name: &str| map.get(name).cloned().expect(name);
            let first = |list: Dynamic| list.into_array().expect("a list").remove(0);
            let mut root_keys: Vec<String> = root.keys().map(|key| key.to_string()).collect();
            root_keys.sort();
            assert_eq!(root_keys, listed("ctx"));
            let account = field(&root, "account");
            assert_eq!(keys(&account), listed("account"));
            let account = record(&account);
            assert_eq!(keys(&first(field(&account, "contacts"))), listed("contact"));
            assert_eq!(keys(&first(field(&account, "balances"))), listed("balance"));
            assert_eq!(keys(&field(&account, "credit_hold")), listed("credit_hold"));
            assert_eq!(
                keys(&field(&account, "payment_behaviour")),
                listed("payment_behaviour")
            );
            assert_eq!(keys(&field(&account, "credit_limit")), listed("money"));
            let invoice = first(field(&root, "invoices"));
            assert_eq!(keys(&invoice), listed("invoice"));
            let invoice = record(&invoice);
            assert_eq!(
                keys(&first(field(&invoice, "instalments"))),
                listed("instalment")
            );
            assert_eq!(
                keys(&field(&account, "dunning_state")),
                listed("dunning_state")
            );
            let subscription = first(field(&root, "subscriptions"));
            assert_eq!(keys(&subscription), listed("subscription"));
            let entity = first(field(&root, "billing_entities"));
            assert_eq!(keys(&entity), listed("billing_entity"));
            assert_eq!(
                keys(&field(&invoice, "payment_link")),
                listed("payment_link")
            );
            assert_eq!(
                keys(&first(field(&root, "payment_attempts"))),
                listed("payment_attempt")
            );
            assert_eq!(keys(&first(field(&root, "activities"))), listed("activity"));
            assert_eq!(keys(&first(field(&root, "promises"))), listed("promise"));
            let event = field(&root, "deal_event");
            assert_eq!(keys(&event), listed("deal_event"));
            let event = record(&event);
            for record in [
                "deal",
                "milestone",
                "delivery",
                "time",
                "retainer",
                "recurring",
            ] {
                assert_eq!(keys(&field(&event, record)), listed(record), "{record}");
            }
        });
    }

    #[test]
    fn a_typo_names_the_records_with_the_nearest_field() {
        assert_eq!(
            unknown_field_message("stauts"),
            "no field `stauts` in this map; did you mean `status` (a field of `invoice`, `subscription`, `promise`)?"
        );
        assert!(unknown_field_message("customer_mood").contains("no record of the context"));
    }
}
