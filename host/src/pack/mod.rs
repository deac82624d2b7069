//! A loaded rule pack: its modules ready to run, its parameters and its content hash.

mod input;
mod load;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crm_rules_guest::Rules;
use crm_rules_guest::types::{Context, Param, RuleOutput};

use crate::decision::{
    Backend, DecidedAction, DecidedSuppression, Decision, DecisionStatus, ModuleCost, PackIdentity,
};
use crate::engine::RuleEngine;
use crate::error::{RuleError, RuleErrorKind};
use crate::limits::{LimitAboveCeilingError, LimitOverrides, Limits};
use crate::manifest::{Manifest, ModuleSpec, OnError, RuleKind};
use crate::script::ScriptRule;
use crate::wasm::bridge::Bridge;
use crate::wasm::{WasmRule, WasmSession};

/// The entry points of a rule module compiled into the host (see [`RulePack::with_native`]).
#[derive(Clone, Copy)]
struct NativeRules {
    billing: fn(&Context) -> Result<RuleOutput, String>,
    reminders: fn(&Context) -> Result<RuleOutput, String>,
    escalation: fn(&Context) -> Result<RuleOutput, String>,
}

enum Runner {
    Wasm(usize),
    Rhai(ScriptRule),
    Native(NativeRules),
}

struct LoadedModule {
    spec: ModuleSpec,
    runner: Runner,
}

/// A pack ready to evaluate. Evaluations are independent (each gets fresh instances of the
/// components it runs, dropped when it ends), so one pack may be shared by many threads.
pub struct RulePack {
    engine: RuleEngine,
    identity: PackIdentity,
    dir: PathBuf,
    manifest: Manifest,
    params: Vec<Param>,
    limits: Limits,
    components: Vec<WasmRule>,
    component_loads: ComponentLoads,
    modules: Vec<LoadedModule>,
}

/// How the components of a pack were obtained when it was loaded (see
/// [`crate::EngineOptions::compile_cache`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComponentLoads {
    /// Components compiled by this load.
    pub compiled: usize,
    /// Components taken, already compiled, from the compile cache.
    pub from_cache: usize,
}

impl RulePack {
    /// How this pack's components were obtained: compiled, or from the compile cache.
    pub fn component_loads(&self) -> ComponentLoads {
        self.component_loads
    }

    /// The pack's name, version and content hash.
    pub fn identity(&self) -> &PackIdentity {
        &self.identity
    }

    /// The folder the pack was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The folder holding the pack's fixtures.
    pub fn fixtures_dir(&self) -> PathBuf {
        self.dir.join(
            self.manifest
                .pack
                .fixtures
                .clone()
                .unwrap_or_else(|| PathBuf::from("fixtures")),
        )
    }

    /// The limits evaluations of this pack run under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// This pack with every WebAssembly module replaced by `R` compiled into the host: the native
    /// baseline for benchmarks, and a way for rule authors to debug with ordinary Rust tools.
    pub fn with_native<R: Rules>(mut self) -> RulePack {
        let native = NativeRules {
            billing: R::billing,
            reminders: R::reminders,
            escalation: R::escalation,
        };
        for module in &mut self.modules {
            if matches!(module.runner, Runner::Wasm(_)) {
                module.runner = Runner::Native(native);
            }
        }
        self
    }

    /// Adds to `ctx` the pack's parameter defaults it does not set itself (the input's own values
    /// win). Evaluation does this by itself, in each backend's own copy of the context; only a
    /// natively linked module ([`RulePack::with_native`]) needs a whole copy for it, which calling
    /// this once per context saves.
    pub fn apply_param_defaults(&self, ctx: &mut Context) {
        let missing = self.missing_params(ctx);
        if !missing.is_empty() {
            let missing: Vec<Param> = missing.into_iter().cloned().collect();
            ctx.params.extend(missing);
        }
    }

    /// A session over this pack's components, capped at the engine's memory limit (the size of an
    /// instance-pool slot).
    fn wasm_session(&self) -> WasmSession<'_> {
        WasmSession::new(&self.components, self.engine.inner.limits.max_memory_bytes)
    }

    /// The pack's parameter defaults that `ctx` does not set.
    fn missing_params(&self, ctx: &Context) -> Vec<&Param> {
        self.params
            .iter()
            .filter(|default| !ctx.params.iter().any(|given| given.name == default.name))
            .collect()
    }

    /// Instantiates each of the pack's components once, in a fresh store, and drops it, calling
    /// nothing: the fixed cost an evaluation pays per component. Evaluation never needs it; it is
    /// there to measure the engine's instance allocation (`cargo bench` compares the pool with
    /// on-demand allocation) and to check that a pack's components instantiate under `limits`.
    ///
    /// # Errors
    /// The first component that cannot be instantiated: the error's kind and message.
    pub fn instantiate_components(&self, limits: &Limits) -> Result<(), (RuleErrorKind, String)> {
        self.wasm_session().instantiate_all(limits)
    }

    /// Evaluates every module whose kind applies to `ctx`: billing modules when it carries a deal
    /// event, reminder and escalation modules otherwise. Never fails: a module's failure is an entry
    /// in [`Decision::errors`], and its `on_error` decides the [`Decision::status`]. A context that
    /// fails [`RulePack::check_context`] runs no module: each that applies gets a
    /// [`RuleErrorKind::BadInput`] error naming the parameter, and the decision is held for review.
    pub fn evaluate(&self, ctx: &Context) -> Decision {
        self.evaluate_with_id(ctx, None)
    }

    /// [`RulePack::evaluate`], recording the context's id in the decision.
    pub fn evaluate_with_id(&self, ctx: &Context, context_id: Option<&str>) -> Decision {
        self.evaluate_under(ctx, context_id, &self.limits)
    }

    /// [`RulePack::evaluate_with_id`] with the pack's limits lowered by `overrides` (a host may
    /// lower them for a tenant). Limits are ceilings: engine-level Rhai limits (call depth, sizes)
    /// are fixed when the engine is built, and no override may raise a figure.
    ///
    /// # Errors
    /// An override above the pack's own limit; nothing is evaluated.
    pub fn evaluate_with_limits(
        &self,
        ctx: &Context,
        context_id: Option<&str>,
        overrides: &LimitOverrides,
    ) -> Result<Decision, LimitAboveCeilingError> {
        let limits = self.limits.lowered_by(overrides)?;
        Ok(self.evaluate_under(ctx, context_id, &limits))
    }

    /// Evaluates under `limits`, which are already within the ceilings.
    fn evaluate_under(&self, ctx: &Context, context_id: Option<&str>, limits: &Limits) -> Decision {
        // The defaults are added to each backend's own copy of the context, made once per
        // evaluation; the native backend borrows `ctx` unless defaults are missing.
        let missing = self.missing_params(ctx);
        let applies = |kind: RuleKind| match kind {
            RuleKind::Billing => ctx.deal_event.is_some(),
            RuleKind::Reminders | RuleKind::Escalation => ctx.deal_event.is_none(),
        };
        let mut wit_ctx = None;
        let mut rhai_ctx = None;
        let mut native_ctx = None;
        let mut wasm = self.wasm_session();
        let mut decision = Decision {
            pack: self.identity.clone(),
            context_id: context_id.map(str::to_owned),
            status: DecisionStatus::Complete,
            actions: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
            cost: Vec::new(),
        };
        if let Err(error) = self.check_context(ctx) {
            decision.status = DecisionStatus::HeldForReview;
            decision.errors = self
                .modules
                .iter()
                .filter(|m| applies(m.spec.kind))
                .map(|module| RuleError {
                    module: module.spec.id.clone(),
                    kind: RuleErrorKind::BadInput,
                    message: format!("not run, the input is invalid: {error}"),
                    file: None,
                    line: None,
                    column: None,
                })
                .collect();
            return decision;
        }
        for module in self.modules.iter().filter(|m| applies(m.spec.kind)) {
            let kind = module.spec.kind;
            let (result, backend, fuel) = match &module.runner {
                Runner::Wasm(index) => {
                    let wit = wit_ctx.get_or_insert_with(|| {
                        let mut wit = ctx.to_wit();
                        wit.params
                            .extend(missing.iter().map(|param| param.to_wit()));
                        wit
                    });
                    let (result, fuel) = wasm.call(*index, kind, wit, limits);
                    (result.map_err(|e| (e, None)), Backend::Wasm, fuel)
                }
                Runner::Rhai(script) => {
                    let value = rhai_ctx
                        .get_or_insert_with(|| crate::script::context::to_dynamic(ctx, &missing))
                        .clone();
                    let inner = &self.engine.inner;
                    let counted = inner.rhai_memory == crate::RhaiMemory::Counted;
                    let (result, operations) = script.call(&inner.rhai, value, limits, counted);
                    let result = result.map_err(|failure| {
                        let place = failure.position.map(|at| (failure.file, at));
                        ((failure.kind, failure.message), place)
                    });
                    (result, Backend::Rhai, operations)
                }
                Runner::Native(native) => {
                    let entry = match kind {
                        RuleKind::Billing => native.billing,
                        RuleKind::Reminders => native.reminders,
                        RuleKind::Escalation => native.escalation,
                    };
                    let native_ctx: &Context = native_ctx.get_or_insert_with(|| {
                        if missing.is_empty() {
                            Cow::Borrowed(ctx)
                        } else {
                            let mut owned = ctx.clone();
                            owned
                                .params
                                .extend(missing.iter().map(|&param| param.clone()));
                            Cow::Owned(owned)
                        }
                    });
                    let result = entry(native_ctx)
                        .map_err(|message| ((RuleErrorKind::RuleFailed, message), None));
                    (result, Backend::Native, 0)
                }
            };
            decision.cost.push(ModuleCost {
                module: module.spec.id.clone(),
                backend,
                fuel,
            });
            let result = result.and_then(|output| {
                crate::validate::check(&output, limits)
                    .map(|()| output)
                    .map_err(|error| (error, None))
            });
            match result {
                Ok(output) => {
                    let id = &module.spec.id;
                    decision
                        .actions
                        .extend(output.actions.into_iter().map(|action| DecidedAction {
                            module: id.clone(),
                            action,
                        }));
                    decision
                        .suppressed
                        .extend(output.suppressed.into_iter().map(|suppression| {
                            DecidedSuppression {
                                module: id.clone(),
                                suppression,
                            }
                        }));
                }
                Err(((kind, message), place)) => {
                    let (file, position) = place.unzip();
                    decision.errors.push(RuleError {
                        module: module.spec.id.clone(),
                        kind,
                        message,
                        file: file.flatten(),
                        line: position.map(|(line, _)| line),
                        column: position.map(|(_, column)| column),
                    });
                    decision.status = match (module.spec.on_error, decision.status) {
                        (OnError::Hold, _) | (_, DecisionStatus::HeldForReview) => {
                            DecisionStatus::HeldForReview
                        }
                        (OnError::Skip, _) => DecisionStatus::Partial,
                    };
                }
            }
        }
        decision
    }
}
