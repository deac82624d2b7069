//! A component that takes the context typed and hands it back: its one module, `mirror`, returns
//! one `notify-internal` action whose message is the context it received, packed
//! (`crm_rules_contract::packed`) and written in hexadecimal.
//!
//! Every component the guest SDK builds exports `evaluate-packed`, so the host gives it the context
//! packed; this one is built on `wit-bindgen` alone and exports only `evaluate`, as a component
//! written in another language (or built before `evaluate-packed`) does. The tests send it every
//! fixture's context and check that what came back is what went in: the typed crossing
//! (`host/src/wasm/lend_v0_2.rs`) loses and changes nothing.

#[cfg(target_arch = "wasm32")]
mod component {
    #![allow(unsafe_code, reason = "generated canonical-ABI glue")]
    #![allow(
        missing_docs,
        reason = "generated bindings; the WIT carries the documentation"
    )]
    #![allow(clippy::all, reason = "generated code")]

    use crm_rules_contract::types::{Context, RuleOutput};

    wit_bindgen::generate!({
        world: "rule",
        path: "../../../wit/v0.2",
        with: {
            "crm:rules/values@0.2.0": crm_rules_contract::bindings::crm::rules::values,
            "crm:rules/records@0.2.0": crm_rules_contract::bindings::crm::rules::records,
            "crm:rules/actions@0.2.0": crm_rules_contract::bindings::crm::rules::actions,
            "crm:rules/explain@0.2.0": generate,
        },
    });

    struct Mirror;

    /// The context, as received.
    struct Received(Context);

    impl exports::crm::rules::evaluate::Guest for Mirror {
        type Evaluation = Received;

        fn modules() -> Vec<String> {
            vec!["mirror".to_owned()]
        }
    }

    impl exports::crm::rules::evaluate::GuestEvaluation for Received {
        fn new(ctx: Context) -> Received {
            Received(ctx)
        }

        fn run(&self, module: String) -> Result<RuleOutput, String> {
            match module.as_str() {
                "mirror" => Ok(super::mirror(&self.0)),
                other => Err(format!("this component has no module \"{other}\"")),
            }
        }
    }

    export!(Mirror);
}

use crm_rules_contract::types::{ActionDetail, AssigneeRole, Context, Notification, RuleOutput};

/// The rule id of the one action.
pub const RULE_ID: &str = "mirror.context";

/// One `notify-internal` action whose message is `ctx` packed, in lowercase hexadecimal.
pub fn mirror(ctx: &Context) -> RuleOutput {
    let mut packed = Vec::new();
    crm_rules_contract::packed::pack_context(ctx, &[], &mut packed);
    let message = packed.iter().map(|byte| format!("{byte:02x}")).collect();
    let mut out = RuleOutput::empty();
    let detail = ActionDetail::NotifyInternal(Notification {
        recipient_role: AssigneeRole::CollectionsOwner,
        recipient_id: None,
        message,
    });
    out.act(
        RULE_ID,
        "mirror".to_owned(),
        "the context as received".to_owned(),
        detail,
    );
    out
}
