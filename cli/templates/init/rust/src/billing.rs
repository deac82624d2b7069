//! `billing.closed-won`: when a deal moves to closed-won, invoice its amount once and send the
//! invoice, on the account's payment terms, or the pack's `default_net_terms_days` when the account
//! has none.

use crm_rules_guest::prelude::*;

/// The rule id every action and suppression of this module carries.
const RULE: &str = "billing.closed-won";

/// The `billing` module: runs on deal events (pack.toml: `triggers = ["deal-event"]`).
pub(crate) fn evaluate(ctx: &Context) -> Result<RuleOutput, String> {
    let mut out = RuleOutput::empty();
    let Some(event) = &ctx.deal_event else {
        return Ok(out);
    };
    let deal = &event.deal;
    if event.kind != DealEventKind::StageChanged || deal.stage != DealStage::ClosedWon {
        return Ok(out); // not a won deal: nothing to bill, nothing to say
    }
    // One invoice per deal, ever: the key names the deal, never the date of the run.
    let key = format!("invoice:{}:closed-won", deal.id);
    if ctx.key_seen(&key) {
        out.suppress(RULE, &deal.id, SuppressionReason::AlreadyDone);
        return Ok(out);
    }
    if deal.amount.minor <= 0 {
        out.suppress(RULE, &deal.id, SuppressionReason::NothingDue);
        return Ok(out);
    }
    let net_terms_days = match ctx.account.net_terms_days {
        Some(days) => days,
        None => crate::days_param(ctx, "default_net_terms_days")?,
    };
    out.act(
        RULE,
        key,
        format!("deal {} closed-won", deal.name),
        ActionDetail::CreateInvoice(NewInvoice {
            deal_id: deal.id.clone(),
            source: "deal-won".to_owned(),
            amount: deal.amount.clone(),
            net_terms_days,
            send: true,
        }),
    );
    Ok(out)
}
