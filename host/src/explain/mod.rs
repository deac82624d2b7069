//! Why a decision is what it is: per module, what it read, the rule ids that fired and those that
//! stood down (with the reason), its notes on the records it examined, and what it cost.
//!
//! [`RulePack::explain`] evaluates the context twice: once as always (the decision, and its cost),
//! once with this thread recording what each module considers ([`recorder`]). Recording is the
//! same on both backends: Rhai's `trace(rule, subject, message)` and the SDK's
//! `explain::trace(rule, subject, || message)` write notes; parameter reads are recorded by
//! `ctx.params` in Rhai and by the SDK's `param_*` getters in Rust; the top-level fields a Rhai
//! module reads are recorded by its lazy context (a component's reads are its own memory, not
//! tracked). The two decisions must agree; [`Explanation::consistent`] says whether they did.

pub(crate) mod recorder;

use crm_rules_contract::types::Context;
use serde::Serialize;
use serde_json::{Value, json};

use crate::decision::{Backend, Decision};
use crate::error::RuleError;
use crate::json::timestamp_to_rfc3339;
use crate::pack::RulePack;
pub use recorder::Note;

/// A top-level field of the context a module read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldRead {
    /// The field (`invoices`).
    pub field: String,
    /// How many records it holds, for a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<usize>,
}

/// An action a module asked for, by rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fired {
    /// The rule id.
    pub rule: String,
    /// The action's kind.
    pub kind: String,
    /// Its idempotency key.
    pub key: String,
    /// Why, as the rule says.
    pub reason: String,
}

/// Something a module's rule chose not to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoodDown {
    /// The rule id.
    pub rule: String,
    /// The record it concerned.
    pub subject: String,
    /// The reason.
    pub reason: String,
}

/// What one module that ran considered and did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModuleExplanation {
    /// The module id.
    pub module: String,
    /// Its backend.
    pub backend: Backend,
    /// Fuel or operations used, in the plain evaluation.
    pub fuel: u64,
    /// The context's top-level fields it read (Rhai modules; `None` where not tracked).
    pub fields_read: Option<Vec<FieldRead>>,
    /// The parameters it read, with their values.
    pub params_read: Vec<Value>,
    /// Actions it asked for.
    pub fired: Vec<Fired>,
    /// Rules that stood down.
    pub stood_down: Vec<StoodDown>,
    /// Its notes about the records it examined.
    pub notes: Vec<Note>,
    /// Its failure, if it failed.
    pub error: Option<RuleError>,
    /// When it says to look again.
    pub next_evaluation_at: Option<String>,
}

/// A decision and why.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The decision, as [`RulePack::evaluate`] makes it.
    pub decision: Decision,
    /// Whether the explained evaluation decided exactly the same (a rule that behaves differently
    /// while explained would make the explanation wrong).
    pub consistent: bool,
    /// Per module that ran, in manifest order.
    pub modules: Vec<ModuleExplanation>,
    /// Modules that did not run: their triggers do not include the context's.
    pub not_run: Vec<String>,
}

impl Explanation {
    /// The explanation as JSON: `decision` (as `crm-rules eval` prints it), `consistent`,
    /// `modules`, `not_run`.
    pub fn to_json(&self) -> Value {
        json!({
            "decision": self.decision.to_json(),
            "consistent": self.consistent,
            "modules": self.modules,
            "not_run": self.not_run,
        })
    }
}

impl RulePack {
    /// Evaluates `ctx` and explains the decision (see the module documentation).
    pub fn explain(&self, ctx: &Context, context_id: Option<&str>) -> Explanation {
        let decision = self.evaluate_with_id(ctx, context_id);
        let (traced, records) = recorder::recording(|| self.evaluate_with_id(ctx, context_id));
        let consistent = traced.actions == decision.actions
            && traced.suppressed == decision.suppressed
            && traced.errors == decision.errors
            && traced.status == decision.status
            && traced.next_evaluation == decision.next_evaluation;
        let ran: Vec<&str> = decision
            .cost
            .iter()
            .map(|cost| cost.module.as_str())
            .collect();
        let not_run = self
            .manifest()
            .modules
            .iter()
            .filter(|spec| !ran.contains(&spec.id.as_str()))
            .map(|spec| spec.id.clone())
            .collect();
        let modules = decision
            .cost
            .iter()
            .map(|cost| {
                let record = records.iter().find(|record| record.module == cost.module);
                self.module_explanation(ctx, &decision, cost, record)
            })
            .collect();
        Explanation {
            decision,
            consistent,
            modules,
            not_run,
        }
    }

    fn module_explanation(
        &self,
        ctx: &Context,
        decision: &Decision,
        cost: &crate::decision::ModuleCost,
        record: Option<&recorder::ModuleRecord>,
    ) -> ModuleExplanation {
        let module = cost.module.as_str();
        let fired = decision
            .actions
            .iter()
            .filter(|decided| decided.module == module)
            .map(|decided| Fired {
                rule: decided.action.rule_id.clone(),
                kind: crate::json::kind_name(&decided.action.detail).to_owned(),
                key: decided.action.key.clone(),
                reason: decided.action.reason.clone(),
            })
            .collect();
        let stood_down = decision
            .suppressed
            .iter()
            .filter(|decided| decided.module == module)
            .map(|decided| StoodDown {
                rule: decided.suppression.rule_id.clone(),
                subject: decided.suppression.subject_id.clone(),
                reason: crate::json::suppression_to_json(&decided.suppression)
                    .get("reason")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            })
            .collect();
        let fields_read = (cost.backend == Backend::Rhai).then(|| {
            record
                .map(|record| {
                    record
                        .fields
                        .iter()
                        .map(|field| field_read(ctx, field))
                        .collect()
                })
                .unwrap_or_default()
        });
        let params_read = record
            .map(|record| {
                record
                    .params
                    .iter()
                    .map(|name| self.param_value(ctx, name))
                    .collect()
            })
            .unwrap_or_default();
        ModuleExplanation {
            module: module.to_owned(),
            backend: cost.backend,
            fuel: cost.fuel,
            fields_read,
            params_read,
            fired,
            stood_down,
            notes: record
                .map(|record| record.notes.clone())
                .unwrap_or_default(),
            error: decision
                .errors
                .iter()
                .find(|error| error.module == module)
                .cloned(),
            next_evaluation_at: decision
                .next_evaluation
                .iter()
                .find(|entry| entry.module == module)
                .map(|entry| timestamp_to_rfc3339(entry.at)),
        }
    }

    /// `{"name": ..., "value": ...}` of a parameter as the evaluation saw it: the context's
    /// override, else the pack's default.
    fn param_value(&self, ctx: &Context, name: &str) -> Value {
        let given = ctx.params.iter().find(|param| param.name == name);
        let param = given.or_else(|| self.default_param(name));
        let value = param.map_or(Value::Null, |param| {
            crate::json::param_value_to_json(&param.value)
        });
        json!({"name": name, "value": value, "overridden": given.is_some()})
    }
}

/// A top-level field read, with the number of records of a list.
fn field_read(ctx: &Context, field: &str) -> FieldRead {
    let records = match field {
        "invoices" => Some(ctx.invoices.len()),
        "payment_attempts" => Some(ctx.payment_attempts.len()),
        "activities" => Some(ctx.activities.len()),
        "promises" => Some(ctx.promises.len()),
        "subscriptions" => Some(ctx.subscriptions.len()),
        "billing_entities" => Some(ctx.billing_entities.len()),
        _ => None,
    };
    FieldRead {
        field: field.to_owned(),
        records,
    }
}
