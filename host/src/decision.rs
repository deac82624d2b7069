//! The decision: what every module of a pack asked for on one context, what it held back, how it
//! failed, and what it cost.

use crm_rules_contract::types::{Action, Suppression, Timestamp};
use serde_json::{Value, json};

use crate::error::RuleError;
use crate::json::{action_to_json, suppression_to_json, timestamp_to_rfc3339};

/// Which exact rules made a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackIdentity {
    /// The pack's name.
    pub name: String,
    /// The pack's version.
    pub version: String,
    /// `sha256:<hex>` over the manifest and every module source.
    pub hash: String,
}

/// Whether a decision may be executed unattended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionStatus {
    /// Every module ran.
    Complete,
    /// A module declared `on_error = "skip"` failed; the rest of the decision stands.
    Partial,
    /// A module declared `on_error = "hold"` failed: no action may run without a person's review.
    HeldForReview,
}

/// The backend that ran a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    /// A WebAssembly component; cost is wasmtime fuel.
    Wasm,
    /// A Rhai script; cost is Rhai operations.
    Rhai,
    /// Rust compiled into the host (benchmarks, authors' tests); cost is not metered.
    Native,
}

/// What one module cost in one evaluation: the same figure on every machine.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModuleCost {
    /// The module.
    pub module: String,
    /// Its backend.
    pub backend: Backend,
    /// Fuel (WebAssembly) or operations (Rhai) used.
    pub fuel: u64,
}

/// What a component spent taking one evaluation's context in (contract 0.2 lowers the context
/// into a component once, for all of its modules): fuel no single module is charged for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContextCost {
    /// The component's source file, as the manifest names it.
    pub component: String,
    /// Fuel used by the component's constructor (lifting the context into its own memory).
    pub fuel: u64,
}

/// When one module says its outcome could next change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSchedule {
    /// The module.
    pub module: String,
    /// The instant.
    pub at: Timestamp,
}

/// An action and the module that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedAction {
    /// The module id.
    pub module: String,
    /// The action.
    pub action: Action,
}

/// A suppression and the module that recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedSuppression {
    /// The module id.
    pub module: String,
    /// The suppression.
    pub suppression: Suppression,
}

/// The outcome of evaluating a pack on one context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The pack that decided.
    pub pack: PackIdentity,
    /// The context's id, when the input had one.
    pub context_id: Option<String>,
    /// Whether it may run unattended.
    pub status: DecisionStatus,
    /// Actions, module by module in manifest order.
    pub actions: Vec<DecidedAction>,
    /// What modules chose not to do, and why.
    pub suppressed: Vec<DecidedSuppression>,
    /// Modules that failed.
    pub errors: Vec<RuleError>,
    /// What each module that ran cost.
    pub cost: Vec<ModuleCost>,
    /// What each component spent taking the context in, shared by its modules.
    pub context_cost: Vec<ContextCost>,
    /// Per module that gave one: when its outcome could next change.
    pub next_evaluation: Vec<ModuleSchedule>,
}

impl Decision {
    /// The decision as JSON (the format of `crm-rules eval` and of fixtures' expectations).
    pub fn to_json(&self) -> Value {
        let actions: Vec<Value> = self
            .actions
            .iter()
            .map(|decided| with_module(action_to_json(&decided.action), &decided.module))
            .collect();
        let suppressed: Vec<Value> = self
            .suppressed
            .iter()
            .map(|decided| with_module(suppression_to_json(&decided.suppression), &decided.module))
            .collect();
        let mut value = json!({
            "pack": {
                "name": self.pack.name,
                "version": self.pack.version,
                "hash": self.pack.hash,
            },
            "status": self.status,
            "actions": actions,
            "suppressed": suppressed,
            "errors": self.errors,
            "cost": self.cost,
        });
        if let Value::Object(object) = &mut value {
            if let Some(id) = &self.context_id {
                object.insert("context_id".to_owned(), Value::String(id.clone()));
            }
            if !self.context_cost.is_empty() {
                object.insert("context_cost".to_owned(), json!(self.context_cost));
            }
            if let Some(at) = self.next_evaluation_at() {
                object.insert(
                    "next_evaluation_at".to_owned(),
                    Value::String(timestamp_to_rfc3339(at)),
                );
                let per_module: Vec<Value> = self
                    .next_evaluation
                    .iter()
                    .map(|entry| json!({"module": entry.module, "at": timestamp_to_rfc3339(entry.at)}))
                    .collect();
                object.insert("next_evaluation".to_owned(), Value::Array(per_module));
            }
        }
        value
    }

    /// The earliest instant any module says its outcome could change: when the host should evaluate
    /// the account again, absent a new trigger. `None` if no module gave one.
    pub fn next_evaluation_at(&self) -> Option<Timestamp> {
        self.next_evaluation.iter().map(|entry| entry.at).min()
    }

    /// The policy rule ids that produced an action or a suppression, in order, without repeats.
    pub fn rule_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        let actions = self.actions.iter().map(|a| a.action.rule_id.as_str());
        let suppressed = self
            .suppressed
            .iter()
            .map(|s| s.suppression.rule_id.as_str());
        for id in actions.chain(suppressed) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

fn with_module(mut value: Value, module: &str) -> Value {
    if let Value::Object(object) = &mut value {
        object.insert("module".to_owned(), Value::String(module.to_owned()));
    }
    value
}
