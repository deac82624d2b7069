//! Issuing an invoice: risk-based terms (B12) and the credit-limit check (B13) of the standard policy
//! (`docs/policy.md`), shared by every billing trigger that creates one.

use crate::sdk::prelude::*;

/// What a billing trigger wants invoiced.
pub(crate) struct NewInvoice<'a> {
    pub rule_id: &'a str,
    pub key: String,
    pub deal_id: &'a str,
    pub source: &'a str,
    pub amount: Money,
    pub send: bool,
    pub reason: String,
}

/// Emits `create-invoice` (sent or draft) with the terms B12 gives, plus B12's `set-credit-terms` and
/// B13's `hold-for-review` where they apply. An invoice whose key was already used is suppressed.
pub(crate) fn issue(
    ctx: &Context,
    out: &mut RuleOutput,
    invoice: NewInvoice<'_>,
) -> Result<(), String> {
    if ctx.key_seen(&invoice.key) {
        out.suppress(
            invoice.rule_id,
            invoice.deal_id,
            SuppressionReason::AlreadyDone,
        );
        return Ok(());
    }
    let account = &ctx.account;
    let risk = account.risk_score.map(i64::from);
    let prepay_min = ctx.param_int("risk_prepay_min")?;
    let short_terms_min = ctx.param_int("risk_short_terms_min")?;
    let prepay = risk.is_some_and(|score| score >= prepay_min);
    let net_terms_days = if prepay {
        0
    } else if risk.is_some_and(|score| score >= short_terms_min) {
        days(ctx.param_int("risk_short_terms_days")?)?
    } else {
        match account.net_terms_days {
            Some(days) => days,
            None => days(ctx.param_int("default_net_terms_days")?)?,
        }
    };
    let over_limit = match &account.credit_limit {
        Some(limit) if limit.currency == invoice.amount.currency => {
            let open = account
                .balance(&invoice.amount.currency)
                .map_or(0, |balance| balance.open_minor);
            open.saturating_add(invoice.amount.minor) > limit.minor
        }
        _ => false,
    };
    let key = invoice.key;
    out.act(
        invoice.rule_id,
        key.clone(),
        invoice.reason,
        ActionDetail::CreateInvoice(crate::sdk::types::NewInvoice {
            deal_id: invoice.deal_id.to_owned(),
            source: invoice.source.to_owned(),
            amount: invoice.amount.clone(),
            net_terms_days,
            send: invoice.send && !over_limit,
        }),
    );
    let terms_key = format!("terms:{}:prepay", account.id);
    if prepay && !ctx.key_seen(&terms_key) {
        out.act(
            "billing.risk-terms",
            terms_key,
            "risk score requires prepayment".to_owned(),
            ActionDetail::SetCreditTerms(CreditTerms {
                net_terms_days: 0,
                require_prepayment: true,
            }),
        );
    }
    if over_limit {
        out.act(
            "billing.credit-limit",
            format!("review:{key}:credit-limit"),
            "credit limit exceeded".to_owned(),
            ActionDetail::HoldForReview(Review {
                queue: ctx.param_text("billing_review_queue")?.to_owned(),
                subject_id: invoice.deal_id.to_owned(),
            }),
        );
    }
    Ok(())
}

fn days(value: i64) -> Result<u32, String> {
    u32::try_from(value).map_err(|_| format!("payment terms of {value} days are out of range"))
}
