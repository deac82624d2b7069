//! The evaluation context in JSON: the top level and the invoices (the account is in
//! [`super::account`]).
//!
//! Field names are the WIT names in snake_case. Money fields that are `*-minor` in the WIT drop the
//! suffix and hold decimal amounts in major units of the enclosing record's currency (see
//! [`super::amount`]). Unknown fields are rejected. `null` is refused everywhere (it never means
//! "empty" or "unset": omit the field instead). The lists a scheduled evaluation reads (`invoices`,
//! `payment_attempts`, `activities`, `promises`) are required when there is no `deal_event`; other
//! absent lists are empty, absent flags `false`, absent options `None`. Ids are checked by
//! [`super::ids::id`]. Derived values (`today`, `amount_due`) are computed here and refused as
//! input.

use serde_json::Value;

use crate::clock::local_date;
use crate::types::{
    Calendar, CollectionMethod, Context, DisputeStatus, Invoice, PaymentLink, RecordKind, Trigger,
    Weekday,
};
use crate::vocabulary::Vocabulary;

use super::account::account;
use super::amount::{Sign, amount, currency};
use super::enums::parse_enum;
use super::error::InputError;
use super::extensions::{billing_entity, instalment, subscription, trigger};
use super::ids::id;
use super::params::params;
use super::reader::{Obj, Path, Presence, boolean, string};
use super::records::{activity, deal_event, payment_attempt, promise};
use super::time::{date, timestamp};
use super::typed_params::declared_params;
use super::value::{EXTRAS, record_extras};

/// A context read from JSON, with the optional id it carried (for batch and fixture reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedContext {
    /// The top-level `"id"` string, if the input had one.
    pub id: Option<String>,
    /// The context, with `today` and every `amount_due_minor` derived.
    pub context: Context,
}

const CONTEXT: &[&str] = &[
    "id",
    "now",
    "trigger",
    "account",
    "invoices",
    "deal_event",
    "payment_attempts",
    "activities",
    "promises",
    "subscriptions",
    "billing_entities",
    "calendar",
    "params",
];

/// Converts a JSON evaluation context.
///
/// Required: `now` (RFC 3339 with an offset) and `account`, and, on a scheduled evaluation (no
/// `deal_event`), the lists `invoices`, `payment_attempts`, `activities` and `promises` (`[]` when
/// there are none: a missing list would read as "nothing owed, nothing tried, nothing promised").
/// Optional: `id`, `deal_event` (with it, those lists may be left out and are then empty),
/// `calendar` (default: weekend Saturday and Sunday, no holidays) and `params` (an object; see
/// [`super::params_from_json`]; whether the pack declares them is [`crate::RulePack::check_context`]'s
/// business). Ids are unique within each list. `today` is not accepted: it is the account's local
/// date at `now` in `account.timezone`.
///
/// Contract 0.2 adds `trigger` (absent: `deal-event` when there is a `deal_event`, else
/// `scheduled`, which is what a 0.1 context means), `subscriptions`, `billing_entities`, and on
/// records `tags` and `fields`. This reads custom fields, templates, dunning states and action
/// kinds against contract 0.1's implied vocabulary (none of them but the four reminder steps); a
/// pack's own is read with [`parse_context_in`].
pub fn parse_context(value: &Value) -> Result<ParsedContext, InputError> {
    parse_context_in(value, &Vocabulary::contract_0_1())
}

/// [`parse_context`] against a pack's vocabulary: custom fields are read at their declared types
/// (an undeclared one, a wrong type or a missing required one is an error at its path), and every
/// template, dunning state and action kind named must be declared.
pub fn parse_context_in(
    value: &Value,
    vocabulary: &Vocabulary,
) -> Result<ParsedContext, InputError> {
    let root = Path::Root;
    let obj = Obj::open(value, root)?;
    obj.reject(
        "today",
        "today is derived from now and account.timezone; remove it",
    )?;
    obj.allow(&[CONTEXT])?;
    let context_id = obj.opt("id", id)?;
    let now = obj.req("now", timestamp)?;
    let account = obj.req("account", |value, path| account(value, path, vocabulary))?;
    let today = local_date(now, &account.timezone)
        .map_err(|error| root.field("now").error(error.to_string()))?;
    let deal_event = obj.opt("deal_event", |value, path| {
        deal_event(value, path, vocabulary)
    })?;
    let trigger = match obj.opt("trigger", trigger)? {
        Some(trigger) => trigger,
        None if deal_event.is_some() => Trigger::DealEvent,
        None => Trigger::Scheduled,
    };
    match (&trigger, &deal_event) {
        (Trigger::DealEvent, None) => {
            return Err(root
                .field("deal_event")
                .error("missing required field: the trigger is a deal event"));
        }
        (other, Some(_)) if !matches!(other, Trigger::DealEvent) => {
            return Err(root.field("deal_event").error(format!(
                "a deal event is given but the trigger is \"{}\"; a deal event is the trigger's \
                 own record",
                other.kind_name()
            )));
        }
        _ => {}
    }
    let lists = match deal_event {
        Some(_) => Presence::Optional,
        None => {
            Presence::Required("an evaluation of the account (not a deal event) reads this list")
        }
    };
    let context = Context {
        now,
        today,
        trigger,
        invoices: obj.unique_list_if(
            "invoices",
            lists,
            "invoice id",
            "id",
            |i: &Invoice| &i.id,
            |value, path| invoice(value, path, vocabulary),
        )?,
        deal_event,
        payment_attempts: obj.unique_list_if(
            "payment_attempts",
            lists,
            "payment attempt id",
            "id",
            |attempt: &crate::types::PaymentAttempt| &attempt.id,
            |value, path| payment_attempt(value, path, vocabulary),
        )?,
        activities: obj.unique_list_if(
            "activities",
            lists,
            "activity id",
            "id",
            |activity: &crate::types::Activity| &activity.id,
            |value, path| activity(value, path, vocabulary),
        )?,
        promises: obj.unique_list_if("promises", lists, "promise id", "id", |p| &p.id, promise)?,
        subscriptions: obj.unique_list(
            "subscriptions",
            "subscription id",
            "id",
            |subscription: &crate::types::Subscription| &subscription.id,
            |value, path| subscription(value, path, vocabulary),
        )?,
        billing_entities: obj.unique_list(
            "billing_entities",
            "billing entity id",
            "id",
            |entity: &crate::types::BillingEntity| &entity.id,
            |value, path| billing_entity(value, path, vocabulary),
        )?,
        calendar: obj.or("calendar", default_calendar(), calendar)?,
        params: obj.or("params", Vec::new(), |value, path| {
            match &vocabulary.params {
                Some(specs) => declared_params(value, path, specs),
                None => params(value, path),
            }
        })?,
        account,
    };
    super::references::check_references(&context)?;
    Ok(ParsedContext {
        id: context_id,
        context,
    })
}

const INVOICE: &[&str] = &[
    "id",
    "number",
    "status",
    "currency",
    "total",
    "paid",
    "credited",
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
];

/// Required: `id`, `status`, `currency`, `total`, `issue_date`. `number` defaults to the id, `paid`
/// and `credited` to 0, `collection_method` to `send-invoice`, `dispute` to `none`. Neither `paid`
/// nor `credited` may exceed `total` (an overpayment is the account's unapplied credit, not the
/// invoice's), and `due_date` may not be before `issue_date`. `amount_due` is derived:
/// `max(0, total - paid - credited)` (a paid invoice later credited as well is due nothing).
fn invoice(value: &Value, path: &Path, vocabulary: &Vocabulary) -> Result<Invoice, InputError> {
    let obj = Obj::open(value, *path)?;
    obj.reject(
        "amount_due",
        "amount_due is derived (total - paid - credited, never negative); remove it",
    )?;
    obj.allow(&[INVOICE, EXTRAS])?;
    let (tags, fields) = record_extras(&obj, vocabulary, RecordKind::Invoice)?;
    let invoice_id = obj.req("id", id)?;
    let code = obj.req("currency", currency)?;
    let money = |value: &Value, path: &Path| amount(value, path, code, Sign::NonNegative);
    let total = obj.req("total", money)?;
    let paid = obj.or("paid", 0, money)?;
    let credited = obj.or("credited", 0, money)?;
    for (name, part) in [("paid", paid), ("credited", credited)] {
        if part > total {
            return Err(path.field(name).error(format!(
                "{name} {} is more than the total {}; an invoice cannot be settled beyond its \
                 total (record an overpayment as the account's unapplied credit)",
                code.format_minor(part),
                code.format_minor(total)
            )));
        }
    }
    let due = i128::from(total) - i128::from(paid) - i128::from(credited);
    let issue_date = obj.req("issue_date", date)?;
    let due_date = obj.opt("due_date", date)?;
    if let Some(due_date) = due_date
        && due_date < issue_date
    {
        return Err(path.field("due_date").error(format!(
            "the invoice is due ({due_date}) before it was issued ({issue_date})"
        )));
    }
    Ok(Invoice {
        number: obj
            .opt("number", string)?
            .unwrap_or_else(|| invoice_id.clone()),
        id: invoice_id,
        status: obj.req("status", parse_enum)?,
        currency: code.code.to_owned(),
        total_minor: total,
        paid_minor: paid,
        credited_minor: credited,
        amount_due_minor: i64::try_from(due.max(0)).unwrap_or(i64::MAX),
        issue_date,
        due_date,
        collection_method: obj.or(
            "collection_method",
            CollectionMethod::SendInvoice,
            parse_enum,
        )?,
        dispute: obj.or("dispute", DisputeStatus::None, parse_enum)?,
        followup_blocked: obj.or("followup_blocked", false, boolean)?,
        deal_id: obj.opt("deal_id", id)?,
        source_key: obj.opt("source_key", id)?,
        payment_link: obj.opt("payment_link", payment_link)?,
        instalments: obj.unique_list(
            "instalments",
            "instalment id",
            "id",
            |instalment: &crate::types::Instalment| &instalment.id,
            |value, path| instalment(value, path, code),
        )?,
        billing_entity_id: obj.opt("billing_entity_id", id)?,
        tags,
        fields,
    })
}

/// Required: `url`; optional `expires_at` (RFC 3339).
fn payment_link(value: &Value, path: &Path) -> Result<PaymentLink, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["url", "expires_at"]])?;
    Ok(PaymentLink {
        url: obj.req("url", string)?,
        expires_at: obj.opt("expires_at", timestamp)?,
    })
}

fn default_calendar() -> Calendar {
    Calendar {
        weekend: vec![Weekday::Saturday, Weekday::Sunday],
        holidays: Vec::new(),
    }
}

/// `weekend` (weekday names; absent is Saturday and Sunday, `[]` is none) and `holidays` (dates).
fn calendar(value: &Value, path: &Path) -> Result<Calendar, InputError> {
    let obj = Obj::with_fields(value, *path, &[&["weekend", "holidays"]])?;
    let weekend = match obj.get("weekend")? {
        Some(_) => obj.list("weekend", parse_enum)?,
        None => default_calendar().weekend,
    };
    Ok(Calendar {
        weekend,
        holidays: obj.list("holidays", date)?,
    })
}
