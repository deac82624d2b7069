//! The account in JSON: its contacts, balances, credit hold and payment behaviour.

use serde_json::Value;

use crate::clock::time_zone;
use crate::types::{Account, Balance, Contact, CreditHold, PaymentBehaviour, RecordKind};
use crate::vocabulary::Vocabulary;

use super::amount::{Sign, amount, currency, money};
use super::enums::parse_enum;
use super::error::InputError;
use super::extensions::dunning_status;
use super::ids::id;
use super::reader::{Obj, Path, boolean, bounded, string, uint};
use super::time::{date, timestamp};
use super::value::{EXTRAS, record_extras};

const ACCOUNT: &[&str] = &[
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
];

/// Required: `id`, `name`, `tier`, `timezone` (an IANA name), `currency`. `risk_score` is 0 to 100;
/// `payment_behaviour` defaults to zeros; contact ids and balance currencies are unique.
pub(crate) fn account(
    value: &Value,
    path: &Path,
    vocabulary: &Vocabulary,
) -> Result<Account, InputError> {
    let obj = Obj::with_fields(value, *path, &[ACCOUNT, EXTRAS])?;
    let (tags, fields) = record_extras(&obj, vocabulary, RecordKind::Account)?;
    Ok(Account {
        dunning_state: obj.opt("dunning_state", |value, path| {
            dunning_status(value, path, vocabulary)
        })?,
        billing_entity_id: obj.opt("billing_entity_id", id)?,
        tags,
        fields,
        id: obj.req("id", id)?,
        name: obj.req("name", string)?,
        tier: obj.req("tier", parse_enum)?,
        timezone: obj.req("timezone", |value, path| {
            let name = string(value, path)?;
            time_zone(&name).map_err(|_| {
                let offset = if name.starts_with(['+', '-']) {
                    " (a UTC offset is not a time zone: it ignores daylight saving)"
                } else {
                    ""
                };
                path.error(format!(
                    "unknown time zone \"{name}\"{offset}, expected an IANA name like \"America/New_York\""
                ))
            })?;
            Ok(name)
        })?,
        currency: obj.req("currency", currency)?.code.to_owned(),
        net_terms_days: obj.opt("net_terms_days", uint)?,
        credit_limit: obj.opt("credit_limit", money)?,
        credit_hold: obj.opt("credit_hold", credit_hold)?,
        risk_score: obj
            .opt("risk_score", |value, path| bounded(value, path, 100))?
            .and_then(|score| u8::try_from(score).ok()),
        dunning_excluded: obj.or("dunning_excluded", false, boolean)?,
        dunning_paused_until: obj.opt("dunning_paused_until", date)?,
        account_executive_id: obj.opt("account_executive_id", id)?,
        collections_owner_id: obj.opt("collections_owner_id", id)?,
        payment_method_on_file: obj.or("payment_method_on_file", false, boolean)?,
        contacts: obj.unique_list("contacts", "contact id", "id", |c: &Contact| &c.id, |value, path| {
            contact(value, path, vocabulary)
        })?,
        payment_behaviour: obj.or(
            "payment_behaviour",
            PaymentBehaviour {
                settled_12m: 0,
                late_12m: 0,
            },
            payment_behaviour,
        )?,
        balances: obj.unique_list(
            "balances",
            "balance currency",
            "currency",
            |b: &Balance| &b.currency,
            balance,
        )?,
    })
}

/// Required: `reason`, `key` (an id: it is compared with the keys of actions), `since` (RFC 3339).
fn credit_hold(value: &Value, path: &Path) -> Result<CreditHold, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["reason", "key", "since"]])?;
    Ok(CreditHold {
        reason: obj.req("reason", string)?,
        key: obj.req("key", id)?,
        since: obj.req("since", timestamp)?,
    })
}

/// Required: `id`, `name`, `role`. Optional `email`, `phone`; flags default to `false`.
fn contact(value: &Value, path: &Path, vocabulary: &Vocabulary) -> Result<Contact, InputError> {
    const FIELDS: &[&str] = &[
        "id",
        "name",
        "role",
        "email",
        "phone",
        "sms_consent",
        "sms_opted_out",
    ];
    let obj = Obj::with_fields(value, *path, &[FIELDS, EXTRAS])?;
    let (tags, fields) = record_extras(&obj, vocabulary, RecordKind::Contact)?;
    Ok(Contact {
        tags,
        fields,
        id: obj.req("id", id)?,
        name: obj.req("name", string)?,
        role: obj.req("role", parse_enum)?,
        email: obj.opt("email", string)?,
        phone: obj.opt("phone", string)?,
        sms_consent: obj.or("sms_consent", false, boolean)?,
        sms_opted_out: obj.or("sms_opted_out", false, boolean)?,
    })
}

/// `settled_12m` and `late_12m`, each defaulting to 0; `late_12m` may not exceed `settled_12m`.
fn payment_behaviour(value: &Value, path: &Path) -> Result<PaymentBehaviour, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["settled_12m", "late_12m"]])?;
    let settled = obj.or("settled_12m", 0, uint)?;
    let late = obj.or("late_12m", 0, uint)?;
    if late > settled {
        return Err(path.field("late_12m").error(format!(
            "{late} late of {settled} settled; late_12m counts settled invoices paid late"
        )));
    }
    Ok(PaymentBehaviour {
        settled_12m: settled,
        late_12m: late,
    })
}

/// Required: `currency`. `open` and `unapplied_credit` default to 0.
fn balance(value: &Value, path: &Path) -> Result<Balance, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["currency", "open", "unapplied_credit"]])?;
    let code = obj.req("currency", currency)?;
    let money = |value: &Value, path: &Path| amount(value, path, code, Sign::NonNegative);
    Ok(Balance {
        currency: code.code.to_owned(),
        open_minor: obj.or("open", 0, money)?,
        unapplied_credit_minor: obj.or("unapplied_credit", 0, money)?,
    })
}
