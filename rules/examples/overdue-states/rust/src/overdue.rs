//! The `overdue` module (README.md): the account's state is the first row of the `states` parameter
//! (most severe first) whose condition holds, or clear. The current state is an input
//! (`ctx.account.dunning_state`); a different state is entered with one `enter-dunning-state`, all
//! states are left with one `leave-dunning-state`, and nothing is emitted while the state does not
//! change. Decision for decision the twin of `overdue-states.rhai`.

use std::collections::BTreeMap;

use crm_rules_guest::explain;
use crm_rules_guest::money::Currency;
use crm_rules_guest::params::RowExt as _;
use crm_rules_guest::prelude::*;
use crm_rules_guest::wire::{Named as _, OpenNamed as _};

/// Milliseconds in a day: the next evaluation is `now` plus whole days of them.
const DAY_MS: i64 = 86_400_000;

/// One row of the `states` parameter; `None` where the row leaves an optional column out.
struct StateRow<'a> {
    state: &'a str,
    min_days: Option<i64>,
    min_unpaid: Option<i64>,
    failed_reasons: Option<&'a [String]>,
    with_tag: Option<&'a str>,
    without_tag: Option<&'a str>,
    block_changes: bool,
    block_service: bool,
    block_billing: bool,
    subscriptions: SubscriptionPolicy,
    message: Option<&'a str>,
    interval_days: Option<i64>,
}

/// One row of the `balance_thresholds` parameter.
struct Threshold<'a> {
    state: &'a str,
    currency: &'a str,
    amount: Decimal,
}

/// What the conditions read, computed once.
struct Facts<'a> {
    /// The earliest unpaid invoice (by issue date, ties: the smaller id).
    earliest: Option<&'a Invoice>,
    /// Days since its issue date.
    days: Option<i64>,
    /// The number of unpaid invoices.
    count: usize,
    /// The unpaid total per currency, in minor units.
    totals: BTreeMap<&'a str, i128>,
    /// The decline reason of the last declined payment attempt (by `at`, ties: the larger id).
    failed_reason: Option<DeclineReason>,
}

fn column<'a>(table: &str, row: &'a ParamRow, name: &str) -> Result<&'a Value, String> {
    row.column(name)
        .ok_or_else(|| format!("{table}: a row has no column `{name}`"))
}

/// An optional column's value read by `read` (`None` when the row leaves it out).
fn optional<'a, T>(
    table: &str,
    row: &'a ParamRow,
    name: &str,
    read: fn(&str, &'a ParamRow, &str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match row.column(name) {
        None => Ok(None),
        Some(_) => read(table, row, name).map(Some),
    }
}

fn text<'a>(table: &str, row: &'a ParamRow, name: &str) -> Result<&'a str, String> {
    match column(table, row, name)? {
        Value::Text(value) => Ok(value),
        _ => Err(format!("{table}: column `{name}` must be a text")),
    }
}

fn integer(table: &str, row: &ParamRow, name: &str) -> Result<i64, String> {
    match column(table, row, name)? {
        Value::Integer(value) => Ok(*value),
        _ => Err(format!("{table}: column `{name}` must be an integer")),
    }
}

fn flag(table: &str, row: &ParamRow, name: &str) -> Result<bool, String> {
    match column(table, row, name)? {
        Value::Flag(value) => Ok(*value),
        _ => Err(format!("{table}: column `{name}` must be true or false")),
    }
}

fn text_list<'a>(table: &str, row: &'a ParamRow, name: &str) -> Result<&'a [String], String> {
    match column(table, row, name)? {
        Value::TextList(items) => Ok(items),
        _ => Err(format!("{table}: column `{name}` must be a list of texts")),
    }
}

/// A row's `subscriptions`: `keep`, `cancel-now` or `cancel-at-period-end`.
fn subscription_policy(row: &ParamRow) -> Result<SubscriptionPolicy, String> {
    let name = text("states", row, "subscriptions")?;
    SubscriptionPolicy::from_name(name).ok_or_else(|| {
        format!(
            "states: subscriptions of \"{}\" is \"{name}\"; give keep, cancel-now or cancel-at-period-end",
            text("states", row, "state").unwrap_or_default()
        )
    })
}

/// A row of `states`, checked: a part a row gives must be able to fail, so an empty tag or list,
/// `min_unpaid` below 1 or a negative `min_days` is an error, never "no condition".
fn state_row(row: &ParamRow) -> Result<StateRow<'_>, String> {
    const T: &str = "states";
    let row = StateRow {
        state: text(T, row, "state")?,
        min_days: optional(T, row, "min_days", integer)?,
        min_unpaid: optional(T, row, "min_unpaid", integer)?,
        failed_reasons: optional(T, row, "failed_reasons", text_list)?,
        with_tag: optional(T, row, "with_tag", text)?,
        without_tag: optional(T, row, "without_tag", text)?,
        block_changes: flag(T, row, "block_changes")?,
        block_service: flag(T, row, "block_service")?,
        block_billing: flag(T, row, "block_billing")?,
        subscriptions: subscription_policy(row)?,
        message: optional(T, row, "message", text)?,
        interval_days: optional(T, row, "interval_days", integer)?,
    };
    let state = row.state;
    let below = |name: &str, value: Option<i64>, least: i64, what: &str| match value {
        Some(value) if value < least => Err(format!(
            "states: {name} of \"{state}\" is {value}; give {least} or more, or leave it out{what}"
        )),
        _ => Ok(()),
    };
    below("min_days", row.min_days, 0, "")?;
    below("min_unpaid", row.min_unpaid, 1, "")?;
    if row.failed_reasons.is_some_and(<[String]>::is_empty) {
        return Err(format!(
            "states: failed_reasons of \"{state}\" is empty; name a decline reason, or leave it out"
        ));
    }
    for (name, value) in [
        ("with_tag", row.with_tag),
        ("without_tag", row.without_tag),
        ("message", row.message),
    ] {
        if value == Some("") {
            return Err(format!(
                "states: {name} of \"{state}\" is empty; give one, or leave it out"
            ));
        }
    }
    below(
        "interval_days",
        row.interval_days,
        1,
        " (only a trigger evaluates again)",
    )?;
    Ok(row)
}

fn thresholds(ctx: &Context) -> Result<Vec<Threshold<'_>>, String> {
    const T: &str = "balance_thresholds";
    ctx.param_table(T)?
        .iter()
        .map(|row| {
            Ok(Threshold {
                state: text(T, row, "state")?,
                currency: text(T, row, "currency")?,
                amount: match column(T, row, "amount")? {
                    Value::Decimal(amount) => *amount,
                    _ => return Err(format!("{T}: column `amount` must be a decimal")),
                },
            })
        })
        .collect()
}

/// The currency's minor-unit digits (2 for a code the host would not have let through).
fn exponent(code: &str) -> u32 {
    Currency::from_code(code).map_or(2, |currency| currency.exponent)
}

/// The invoices that count as unpaid: open, something due, not tagged as written off. Drafts, paid,
/// void and uncollectible invoices do not count.
fn unpaid<'a>(ctx: &'a Context, written_off: &str) -> impl Iterator<Item = &'a Invoice> {
    ctx.invoices.iter().filter(move |invoice| {
        invoice.status == InvoiceStatus::Open
            && invoice.amount_due_minor > 0
            && !invoice.has_tag(written_off)
    })
}

fn facts<'a>(ctx: &'a Context, written_off: &str) -> Facts<'a> {
    let mut earliest: Option<&Invoice> = None;
    let mut count = 0;
    let mut totals: BTreeMap<&str, i128> = BTreeMap::new();
    for invoice in unpaid(ctx, written_off) {
        count += 1;
        if earliest
            .is_none_or(|known| (invoice.issue_date, &invoice.id) < (known.issue_date, &known.id))
        {
            earliest = Some(invoice);
        }
        *totals.entry(invoice.currency.as_str()).or_default() +=
            i128::from(invoice.amount_due_minor);
    }
    let mut last_failed: Option<&PaymentAttempt> = None;
    for attempt in &ctx.payment_attempts {
        if attempt.outcome != PaymentOutcome::Declined {
            continue;
        }
        if last_failed.is_none_or(|known| (attempt.at, &attempt.id) > (known.at, &known.id)) {
            last_failed = Some(attempt);
        }
    }
    Facts {
        earliest,
        days: earliest.map(|invoice| ctx.today.days_since(&invoice.issue_date)),
        count,
        totals,
        failed_reason: last_failed.and_then(|attempt| attempt.decline_reason),
    }
}

/// Whether `total` minor units of a currency with `exponent` digits reach `amount`, exactly.
fn reaches(total: i128, exponent: u32, amount: &Decimal) -> bool {
    let scale = u32::from(amount.scale);
    let mantissa = i128::from(amount.mantissa);
    // Both sides at the larger of the two scales.
    let (left, right) = if scale >= exponent {
        (
            10_i128
                .checked_pow(scale - exponent)
                .and_then(|factor| total.checked_mul(factor)),
            Some(mantissa),
        )
    } else {
        (
            Some(total),
            10_i128
                .checked_pow(exponent - scale)
                .and_then(|factor| mantissa.checked_mul(factor)),
        )
    };
    match (left, right) {
        (Some(left), Some(right)) => left >= right,
        // The total (non-negative) scaled past i128 is beyond any 64-bit mantissa.
        (None, _) => total > 0,
        (Some(_), None) => false,
    }
}

/// Whether `row`'s condition holds: every part it gives (see pack.toml), and at least one part
/// given.
fn holds(ctx: &Context, row: &StateRow, facts: &Facts, thresholds: &[Threshold]) -> bool {
    let mut parts = 0;
    if let Some(min_days) = row.min_days {
        parts += 1;
        if facts.days.is_none_or(|days| days < min_days) {
            return false;
        }
    }
    if let Some(min_unpaid) = row.min_unpaid {
        parts += 1;
        if i64::try_from(facts.count).unwrap_or(i64::MAX) < min_unpaid {
            return false;
        }
    }
    if let Some(reasons) = row.failed_reasons {
        parts += 1;
        let listed = facts
            .failed_reason
            .is_some_and(|reason| reasons.iter().any(|listed| listed == reason.name()));
        if !listed {
            return false;
        }
    }
    if let Some(tag) = row.with_tag {
        parts += 1;
        if !ctx.account.has_tag(tag) {
            return false;
        }
    }
    if let Some(tag) = row.without_tag {
        parts += 1;
        if ctx.account.has_tag(tag) {
            return false;
        }
    }
    let mut own = thresholds
        .iter()
        .filter(|threshold| threshold.state == row.state)
        .peekable();
    if own.peek().is_some() {
        parts += 1;
        let reached = own.any(|threshold| {
            facts.totals.get(threshold.currency).is_some_and(|total| {
                reaches(*total, exponent(threshold.currency), &threshold.amount)
            })
        });
        if !reached {
            return false;
        }
    }
    parts > 0
}

/// The first (most severe) row whose condition holds, or `None` for clear.
fn target_row<'a>(
    ctx: &Context,
    rows: &'a [ParamRow],
    facts: &Facts,
    thresholds: &[Threshold],
) -> Result<Option<StateRow<'a>>, String> {
    let rows = rows.iter().map(state_row).collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().find(|row| {
        let held = holds(ctx, row, facts, thresholds);
        // A note for `crm-rules explain`; the message is only built while a decision is explained.
        explain::trace("overdue.enter", &ctx.account.id, || {
            let verdict = if held { "holds" } else { "does not hold" };
            format!("state {}: its condition {verdict}", row.state)
        });
        held
    }))
}

/// An unpaid total as an exact decimal with its currency's digits (`1505` JPY, `212.98` USD), by the
/// SDK's formatting of minor units. A total beyond 64 bits (only a nonsensical input could reach it)
/// is written as its count of minor units.
fn format_total(total: i128, currency: &str) -> String {
    match (i64::try_from(total), Currency::from_code(currency)) {
        (Ok(minor), Ok(code)) => code.format_minor(minor),
        _ => format!("{total} minor units"),
    }
}

/// What a human reads on the action: what the account owes now.
fn owes(facts: &Facts) -> String {
    let Some(earliest) = facts.earliest else {
        return "nothing is unpaid".to_owned();
    };
    let amounts: Vec<String> = facts
        .totals
        .iter()
        .map(|(currency, total)| format!("{currency} {}", format_total(*total, currency)))
        .collect();
    format!(
        "{} unpaid ({}); the earliest, invoice {}, issued {} days ago",
        facts.count,
        amounts.join(", "),
        earliest.number,
        facts.days.unwrap_or_default()
    )
}

/// The idempotency key of the account's next transition: its account, its number among the
/// account's dunning-state transitions (one more than the `enter-dunning-state` and
/// `leave-dunning-state` activities in the context, whatever their outcome) and the state it goes
/// to. Ids and counts only: no instant, and nothing read back out of an earlier key.
fn transition_key(ctx: &Context, to: &str) -> String {
    let done = ctx
        .activities
        .iter()
        .filter(|activity| {
            matches!(
                activity.kind.name(),
                "enter-dunning-state" | "leave-dunning-state"
            )
        })
        .count();
    format!("overdue:{}:{}:{to}", ctx.account.id, done + 1)
}

pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let mut out = RuleOutput::empty();
    let current_state = ctx
        .account
        .dunning_state
        .as_ref()
        .map(|status| status.state.as_str());
    let facts = facts(ctx, ctx.param_text("written_off_tag")?);
    let thresholds = thresholds(ctx)?;
    let mut row = target_row(ctx, ctx.param_table("states")?, &facts, &thresholds)?;
    let off_tag = ctx.param_text("enforcement_off_tag")?;
    let enforcement_off = ctx.account.has_tag(off_tag);
    if enforcement_off {
        if row.is_some() {
            out.suppress(
                "overdue.enforcement-off",
                &ctx.account.id,
                SuppressionReason::Custom("enforcement-off".to_owned()),
            );
        }
        row = None;
    }
    let target = row.as_ref().map(|row| row.state);

    if target != current_state {
        match (&row, current_state) {
            (None, Some(current)) => {
                let key = transition_key(ctx, "clear");
                if !ctx.key_seen(&key) {
                    let reason = if enforcement_off {
                        format!("the account is tagged {off_tag}")
                    } else {
                        format!("no state's condition holds: {}", owes(&facts))
                    };
                    out.act(
                        "overdue.leave",
                        key,
                        reason,
                        ActionDetail::LeaveDunningState(DunningExit {
                            state: current.to_owned(),
                        }),
                    );
                }
            }
            (Some(row), _) => {
                let key = transition_key(ctx, row.state);
                if !ctx.key_seen(&key) {
                    let blocks = [
                        (row.block_changes, Block::Changes),
                        (row.block_service, Block::Service),
                        (row.block_billing, Block::Billing),
                    ]
                    .into_iter()
                    .filter_map(|(on, block)| on.then_some(block))
                    .collect();
                    out.act(
                        "overdue.enter",
                        key,
                        format!("the condition of {} holds: {}", row.state, owes(&facts)),
                        ActionDetail::EnterDunningState(DunningEntry {
                            state: row.state.to_owned(),
                            blocks,
                            customer_message: row.message.map(str::to_owned),
                            subscriptions: row.subscriptions,
                        }),
                    );
                }
            }
            (None, None) => {}
        }
    }

    // When to look again: the state's interval (none given: only a trigger); clear with something
    // unpaid, the initial interval; clear with nothing unpaid, or enforcement off, only a trigger
    // can change the state.
    let days = match &row {
        Some(row) => row.interval_days,
        None if !enforcement_off && facts.count > 0 => {
            Some(ctx.param_int("initial_interval_days")?)
        }
        None => None,
    };
    if let Some(days) = days.filter(|days| *days > 0) {
        let at = days
            .checked_mul(DAY_MS)
            .and_then(|ms| ctx.now.checked_add(ms))
            .ok_or_else(|| format!("now plus {days} days is out of range"))?;
        out.next_evaluation_at = Some(at);
    }
    Ok(out)
}
