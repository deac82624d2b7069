//! The `overdue` module (README.md): the account's state is the first row of the `states` parameter
//! (most severe first) whose condition holds, or clear. The current state is an input
//! (`ctx.account.dunning_state`); a different state is entered with one `enter-dunning-state`, all
//! states are left with one `leave-dunning-state`, and nothing is emitted while the state does not
//! change. Decision for decision the twin of `overdue-states.rhai`.

use std::collections::BTreeMap;

use crm_rules_guest::money::Currency;
use crm_rules_guest::params::RowExt as _;
use crm_rules_guest::prelude::*;
use crm_rules_guest::wire::{Named as _, OpenNamed as _};

/// Milliseconds in a day: the next evaluation is `now` plus whole days of them.
const DAY_MS: i64 = 86_400_000;

/// One row of the `states` parameter.
struct StateRow<'a> {
    state: &'a str,
    min_days: i64,
    min_unpaid: i64,
    failed_reasons: &'a [String],
    with_tag: &'a str,
    without_tag: &'a str,
    block_changes: bool,
    block_service: bool,
    block_billing: bool,
    subscriptions: &'a str,
    message: &'a str,
    interval_days: i64,
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

fn state_row(row: &ParamRow) -> Result<StateRow<'_>, String> {
    const T: &str = "states";
    Ok(StateRow {
        state: text(T, row, "state")?,
        min_days: integer(T, row, "min_days")?,
        min_unpaid: integer(T, row, "min_unpaid")?,
        failed_reasons: text_list(T, row, "failed_reasons")?,
        with_tag: text(T, row, "with_tag")?,
        without_tag: text(T, row, "without_tag")?,
        block_changes: flag(T, row, "block_changes")?,
        block_service: flag(T, row, "block_service")?,
        block_billing: flag(T, row, "block_billing")?,
        subscriptions: text(T, row, "subscriptions")?,
        message: text(T, row, "message")?,
        interval_days: integer(T, row, "interval_days")?,
    })
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

/// Whether `row`'s condition holds: every part it sets (see pack.toml), and at least one part set.
fn holds(ctx: &Context, row: &StateRow, facts: &Facts, thresholds: &[Threshold]) -> bool {
    let mut parts = 0;
    if row.min_days > 0 {
        parts += 1;
        if facts.days.is_none_or(|days| days < row.min_days) {
            return false;
        }
    }
    if row.min_unpaid > 0 {
        parts += 1;
        if i64::try_from(facts.count).unwrap_or(i64::MAX) < row.min_unpaid {
            return false;
        }
    }
    if !row.failed_reasons.is_empty() {
        parts += 1;
        let listed = facts.failed_reason.is_some_and(|reason| {
            row.failed_reasons
                .iter()
                .any(|listed| listed == reason.name())
        });
        if !listed {
            return false;
        }
    }
    if !row.with_tag.is_empty() {
        parts += 1;
        if !ctx.account.has_tag(row.with_tag) {
            return false;
        }
    }
    if !row.without_tag.is_empty() {
        parts += 1;
        if ctx.account.has_tag(row.without_tag) {
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
    for row in rows {
        let row = state_row(row)?;
        if row.interval_days < 0 {
            return Err(format!(
                "states: interval_days of \"{}\" is {}; give 0 or more",
                row.state, row.interval_days
            ));
        }
        if holds(ctx, &row, facts, thresholds) {
            return Ok(Some(row));
        }
    }
    Ok(None)
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
                    let subscriptions = SubscriptionPolicy::from_name(row.subscriptions)
                        .ok_or_else(|| {
                            format!(
                                "states: subscriptions of \"{}\" is \"{}\"; give keep, cancel-now or cancel-at-period-end",
                                row.state, row.subscriptions
                            )
                        })?;
                    out.act(
                        "overdue.enter",
                        key,
                        format!("the condition of {} holds: {}", row.state, owes(&facts)),
                        ActionDetail::EnterDunningState(DunningEntry {
                            state: row.state.to_owned(),
                            blocks,
                            customer_message: (!row.message.is_empty())
                                .then(|| row.message.to_owned()),
                            subscriptions,
                        }),
                    );
                }
            }
            (None, None) => {}
        }
    }

    // When to look again: the state's interval; clear with something unpaid, the initial interval;
    // clear with nothing unpaid, or enforcement off, only a trigger can change the state.
    let days = match &row {
        Some(row) => row.interval_days,
        None if !enforcement_off && facts.count > 0 => ctx.param_int("initial_interval_days")?,
        None => 0,
    };
    if days > 0 {
        let at = days
            .checked_mul(DAY_MS)
            .and_then(|ms| ctx.now.checked_add(ms))
            .ok_or_else(|| format!("now plus {days} days is out of range"))?;
        out.next_evaluation_at = Some(at);
    }
    Ok(out)
}
