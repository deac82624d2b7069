//! The evaluation context as Rhai sees it: the JSON input's shape, with exact decimal amounts (in
//! major units: `invoice.amount_due >= 500.00`), `Date` values, and instants as integer milliseconds.

use crm_rules_guest::money::Currency;
use crm_rules_guest::types::*;
use rhai::{Array, Dynamic, INT, Map};

use super::helpers::from_minor;
use crate::json::enums::Named;

fn text(value: &str) -> Dynamic {
    Dynamic::from(value.to_owned())
}

fn opt<T>(value: Option<T>, to: impl FnOnce(T) -> Dynamic) -> Dynamic {
    value.map_or(Dynamic::UNIT, to)
}

fn list<T>(items: &[T], to: impl Fn(&T) -> Dynamic) -> Dynamic {
    Dynamic::from_array(items.iter().map(to).collect::<Array>())
}

fn exponent(code: &str) -> u32 {
    // The host validated every currency before a rule runs; unknown ones cannot reach this point.
    Currency::from_code(code).map_or(2, |currency| currency.exponent)
}

fn amount(minor: i64, exponent: u32) -> Dynamic {
    Dynamic::from_decimal(from_minor(minor, exponent))
}

fn money(money: &Money) -> Dynamic {
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
        let mut map = Map::new();
        $(map.insert($name.into(), $value);)*
        Dynamic::from_map(map)
    }};
}

/// The JSON (kebab-case) name of a WIT enum case.
fn name<T: Named>(value: &T) -> Dynamic {
    Dynamic::from(value.name().to_owned())
}

fn account(account: &Account) -> Dynamic {
    let contacts = list(&account.contacts, |c| {
        map! {
            "id" => text(&c.id), "name" => text(&c.name), "role" => name(&c.role),
            "email" => opt(c.email.as_deref(), text), "phone" => opt(c.phone.as_deref(), text),
            "sms_consent" => c.sms_consent.into(), "sms_opted_out" => c.sms_opted_out.into(),
        }
    });
    let balances = list(&account.balances, |b| {
        let e = exponent(&b.currency);
        map! {
            "currency" => text(&b.currency), "open" => amount(b.open_minor, e),
            "unapplied_credit" => amount(b.unapplied_credit_minor, e),
        }
    });
    map! {
        "id" => text(&account.id),
        "name" => text(&account.name),
        "tier" => name(&account.tier),
        "timezone" => text(&account.timezone),
        "currency" => text(&account.currency),
        "net_terms_days" => opt(account.net_terms_days, |d| Dynamic::from(INT::from(d))),
        "credit_limit" => opt(account.credit_limit.as_ref(), money),
        "credit_hold" => opt(account.credit_hold.as_ref(), |h| map! {
            "reason" => text(&h.reason), "key" => text(&h.key), "since" => Dynamic::from(h.since),
        }),
        "risk_score" => opt(account.risk_score, |r| Dynamic::from(INT::from(r))),
        "dunning_excluded" => account.dunning_excluded.into(),
        "dunning_paused_until" => opt(account.dunning_paused_until, Dynamic::from),
        "account_executive_id" => opt(account.account_executive_id.as_deref(), text),
        "collections_owner_id" => opt(account.collections_owner_id.as_deref(), text),
        "payment_method_on_file" => account.payment_method_on_file.into(),
        "contacts" => contacts,
        "payment_behaviour" => map! {
            "settled_12m" => Dynamic::from(INT::from(account.payment_behaviour.settled_12m)),
            "late_12m" => Dynamic::from(INT::from(account.payment_behaviour.late_12m)),
        },
        "balances" => balances,
    }
}

fn invoice(invoice: &Invoice) -> Dynamic {
    let e = exponent(&invoice.currency);
    map! {
        "id" => text(&invoice.id),
        "number" => text(&invoice.number),
        "status" => name(&invoice.status),
        "currency" => text(&invoice.currency),
        "total" => amount(invoice.total_minor, e),
        "paid" => amount(invoice.paid_minor, e),
        "credited" => amount(invoice.credited_minor, e),
        "amount_due" => amount(invoice.amount_due_minor, e),
        "issue_date" => Dynamic::from(invoice.issue_date),
        "due_date" => opt(invoice.due_date, Dynamic::from),
        "collection_method" => name(&invoice.collection_method),
        "dispute" => name(&invoice.dispute),
        "followup_blocked" => invoice.followup_blocked.into(),
        "deal_id" => opt(invoice.deal_id.as_deref(), text),
        "source_key" => opt(invoice.source_key.as_deref(), text),
        "payment_link" => opt(invoice.payment_link.as_ref(), |l| map! {
            "url" => text(&l.url), "expires_at" => opt(l.expires_at, Dynamic::from),
        }),
    }
}

fn deal_event(event: &DealEvent) -> Dynamic {
    let deal = &event.deal;
    let e = exponent(&deal.amount.currency);
    map! {
        "id" => text(&event.id),
        "kind" => name(&event.kind),
        "change_origin" => opt(event.change_origin.as_deref(), text),
        "occurred_at" => Dynamic::from(event.occurred_at),
        "deal" => map! {
            "id" => text(&deal.id), "name" => text(&deal.name), "stage" => name(&deal.stage),
            "amount" => money(&deal.amount), "billing_model" => name(&deal.billing_model),
            "custom_terms" => deal.custom_terms.into(),
            "signed_contract_required" => deal.signed_contract_required.into(),
            "contract_signed" => deal.contract_signed.into(),
            "payment_method_on_file" => deal.payment_method_on_file.into(),
        },
        "milestone" => opt(event.milestone.as_ref(), |m| map! {
            "id" => text(&m.id), "name" => text(&m.name),
            "amount" => opt(m.amount_minor, |minor| amount(minor, e)),
            "percent_bps" => opt(m.percent_bps, |bps| Dynamic::from(INT::from(bps))),
            "invoiced_bps" => Dynamic::from(INT::from(m.invoiced_bps)),
        }),
        "delivery" => opt(event.delivery.as_ref(), |d| map! {
            "batch_id" => text(&d.batch_id),
            "ordered_units" => Dynamic::from(INT::from(d.ordered_units)),
            "delivered_units" => Dynamic::from(INT::from(d.delivered_units)),
            "invoiced_units" => Dynamic::from(INT::from(d.invoiced_units)),
            "unit_price" => amount(d.unit_price_minor, e),
        }),
        "time" => opt(event.time.as_ref(), |t| map! {
            "period_start" => Dynamic::from(t.period_start),
            "period_end" => Dynamic::from(t.period_end),
            "approved_minutes" => Dynamic::from(INT::from(t.approved_minutes)),
            "hourly_rate" => amount(t.hourly_rate_minor, e),
        }),
        "retainer" => opt(event.retainer.as_ref(), |r| map! {
            "balance" => amount(r.balance_minor, e), "threshold" => amount(r.threshold_minor, e),
            "method" => name(&r.method), "target" => amount(r.target_minor, e),
            "fixed" => amount(r.fixed_minor, e),
            "top_up_seq" => Dynamic::from(INT::from(r.top_up_seq)),
        }),
        "recurring" => opt(event.recurring.as_ref(), |r| map! {
            "next_bill_date" => Dynamic::from(r.next_bill_date),
            "amount" => amount(r.amount_minor, e),
        }),
    }
}

fn params<'a>(params: impl Iterator<Item = &'a Param>) -> Dynamic {
    let mut map = Map::new();
    for param in params {
        let value = match &param.value {
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
        };
        map.insert(param.name.as_str().into(), value);
    }
    Dynamic::from(super::params::Params(map))
}

/// Keys of everything already done: activities, invoices created by a rule, the current credit hold.
fn seen_keys(ctx: &Context) -> Dynamic {
    let mut map = Map::new();
    let activities = ctx.activities.iter().map(|a| a.key.as_str());
    let invoices = ctx.invoices.iter().filter_map(|i| i.source_key.as_deref());
    let hold = ctx.account.credit_hold.iter().map(|h| h.key.as_str());
    for key in activities.chain(invoices).chain(hold) {
        map.insert(key.into(), true.into());
    }
    map.into()
}

/// The whole context as a Rhai object map, with `defaults` added to its parameters.
pub(crate) fn to_dynamic(ctx: &Context, defaults: &[&Param]) -> Dynamic {
    map! {
        "now" => Dynamic::from(ctx.now),
        "today" => Dynamic::from(ctx.today),
        "account" => account(&ctx.account),
        "invoices" => list(&ctx.invoices, invoice),
        "deal_event" => opt(ctx.deal_event.as_ref(), deal_event),
        "payment_attempts" => list(&ctx.payment_attempts, |a| map! {
            "id" => text(&a.id), "invoice_id" => opt(a.invoice_id.as_deref(), text),
            "at" => Dynamic::from(a.at), "outcome" => name(&a.outcome),
            "decline_reason" => opt(a.decline_reason.as_ref(), name),
        }),
        "activities" => list(&ctx.activities, |a| map! {
            "id" => text(&a.id), "key" => text(&a.key), "kind" => name(&a.kind),
            "at" => Dynamic::from(a.at), "invoice_id" => opt(a.invoice_id.as_deref(), text),
            "step" => opt(a.step.as_ref(), name), "channel" => opt(a.channel.as_ref(), name),
            "outcome" => name(&a.outcome),
        }),
        "promises" => list(&ctx.promises, |p| {
            let e = exponent(&p.amount.currency);
            map! {
                "id" => text(&p.id), "invoice_ids" => list(&p.invoice_ids, |id| text(id)),
                "amount" => money(&p.amount), "promised_date" => Dynamic::from(p.promised_date),
                "grace_days" => Dynamic::from(INT::from(p.grace_days)),
                "received" => amount(p.received_minor, e), "status" => name(&p.status),
            }
        }),
        "calendar" => Dynamic::from(ctx.calendar.clone()),
        "params" => params(ctx.params.iter().chain(defaults.iter().copied())),
        "seen_keys" => seen_keys(ctx),
    }
}

/// The fields of each record of the context as scripts see it, for the error a script gets when
/// it reads a field that does not exist. A test checks them against the maps built above.
const RECORD_FIELDS: &[(&str, &[&str])] = &[
    (
        "ctx",
        &[
            "now",
            "today",
            "account",
            "invoices",
            "deal_event",
            "payment_attempts",
            "activities",
            "promises",
            "calendar",
            "params",
            "seen_keys",
        ],
    ),
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
        ],
    ),
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
        &["id", "invoice_id", "at", "outcome", "decline_reason"],
    ),
    (
        "activity",
        &[
            "id",
            "key",
            "kind",
            "at",
            "invoice_id",
            "step",
            "channel",
            "outcome",
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

/// What a script is told when it reads `field` from a map that does not have it: the context
/// records that have the nearest field, if the name looks like a typo of one.
pub(crate) fn unknown_field_message(field: &str) -> String {
    let all = RECORD_FIELDS
        .iter()
        .flat_map(|(_, fields)| fields.iter().copied());
    let Some(nearest) = super::suggest::closest(all, field) else {
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
    use super::*;

    /// Every key of every map a context builds is listed in `RECORD_FIELDS` under its record, and
    /// every listed field is built.
    #[test]
    fn record_fields_are_the_fields_scripts_see() {
        let ctx = crate::json::context_from_json(include_str!("record_fields_context.json"))
            .expect("a context with every optional field");
        let root = to_dynamic(&ctx, &[]);
        let root = root.read_lock::<Map>().expect("a map");
        let keys = |value: &Dynamic| -> Vec<String> {
            let mut keys: Vec<String> = value
                .read_lock::<Map>()
                .expect("a record map")
                .keys()
                .map(|key| key.to_string())
                .collect();
            keys.sort();
            keys
        };
        let listed = |record: &str| -> Vec<String> {
            let (_, fields) = RECORD_FIELDS
                .iter()
                .find(|(name, _)| *name == record)
                .expect("listed");
            let mut fields: Vec<String> = fields.iter().map(|field| (*field).to_owned()).collect();
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
        let account = account.read_lock::<Map>().expect("map").clone();
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
        let invoice = invoice.read_lock::<Map>().expect("map").clone();
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
        let event = event.read_lock::<Map>().expect("map").clone();
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
    }

    #[test]
    fn a_typo_names_the_records_with_the_nearest_field() {
        assert_eq!(
            unknown_field_message("stauts"),
            "no field `stauts` in this map; did you mean `status` (a field of `invoice`, `promise`)?"
        );
        assert!(unknown_field_message("customer_mood").contains("no record of the context"));
    }
}
