//! The context packed for a component that exports `evaluate-packed`
//! ([`crm_rules_contract::packed`]): written into a buffer each thread reuses, then lowered into the
//! component as one `list<u8>` (one allocation in the guest, one copy).

use std::cell::Cell;

use crm_rules_contract::packed::pack_context;
use crm_rules_contract::types::{Context, Param};

/// A buffer that has grown past this many bytes (a very large account's) is not kept for the
/// thread's next evaluation.
const MAX_KEPT_BUFFER_BYTES: usize = 1 << 20;

thread_local! {
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Runs `cross` on `ctx` packed, with `extra_params` (the pack's defaults it lacks) appended to its
/// parameters. The buffer is emptied afterwards and kept for the thread's next call, unless it
/// grew past [`MAX_KEPT_BUFFER_BYTES`]: no byte of one context is read by the next.
pub(crate) fn with_packed<R>(
    ctx: &Context,
    extra_params: &[&Param],
    cross: impl FnOnce(&[u8]) -> R,
) -> R {
    let mut buffer = BUFFER.try_with(Cell::take).unwrap_or_default();
    buffer.clear();
    pack_context(ctx, extra_params, &mut buffer);
    let result = cross(&buffer);
    buffer.clear();
    if buffer.capacity() <= MAX_KEPT_BUFFER_BYTES {
        let _ = BUFFER.try_with(|kept| kept.set(buffer));
    }
    result
}

#[cfg(test)]
mod tests {
    use crm_rules_contract::packed::unpack_context;
    use crm_rules_contract::types::ParamValue;

    use super::*;

    fn context(account: &str) -> Context {
        crm_rules_contract::json::context_from_json(&format!(
            r#"{{"now": "2026-03-18T02:30:00Z",
                "account": {{"id": "{account}", "name": "Acme", "tier": "smb",
                            "timezone": "America/New_York", "currency": "USD"}},
                "invoices": [], "payment_attempts": [], "activities": [], "promises": []}}"#
        ))
        .unwrap()
    }

    #[test]
    fn each_call_sees_its_own_context_and_extra_parameters() {
        let extra = Param {
            name: "followup_days_past_due".into(),
            value: ParamValue::Integer(15),
        };
        let long = context(&"x".repeat(10_000));
        let short = context("acc_2");
        let first = with_packed(&long, &[], |bytes| unpack_context(bytes).unwrap());
        assert_eq!(first, long);
        // The buffer kept from the longer context holds nothing of it for the next one.
        let second = with_packed(&short, &[&extra], |bytes| {
            (bytes.len(), unpack_context(bytes).unwrap())
        });
        assert!(second.0 < 1_000, "{} bytes", second.0);
        assert_eq!(second.1.account.id, "acc_2");
        assert_eq!(second.1.params, vec![extra]);
    }
}
