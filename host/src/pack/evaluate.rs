//! Evaluating a pack on one context: which modules the trigger runs, each on its backend, their
//! outputs checked, merged into one decision with its costs and next evaluation.

use std::borrow::Cow;

use crm_rules_contract::types::{Context, RuleOutput};

use super::{LoadedModule, RulePack, Runner};
use crate::decision::{
    Backend, ContextCost, DecidedAction, DecidedSuppression, Decision, DecisionStatus, ModuleCost,
    ModuleSchedule,
};
use crate::error::{RuleError, RuleErrorKind};
use crate::limits::{LimitAboveCeilingError, LimitOverrides, Limits};
use crate::manifest::OnError;
use crate::wasm::Entry;

/// A module's failure: its kind and message, and where in a script it happened.
type Failure = (
    (RuleErrorKind, String),
    Option<(Option<String>, (usize, usize))>,
);

impl RulePack {
    /// Evaluates every module that runs on the context's trigger (its manifest `triggers`, or its
    /// 0.1 kind's: billing on deal events, reminders and escalation on the schedule). Never fails: a
    /// module's failure is an entry in [`Decision::errors`], and its `on_error` decides the
    /// [`Decision::status`]. A context that fails [`RulePack::check_context`] runs no module: each
    /// that would run gets a [`RuleErrorKind::BadInput`] error naming the problem, and the decision
    /// is held for review.
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

    /// The modules that run on `ctx`'s trigger, in manifest order.
    fn modules_for<'a>(&'a self, ctx: &Context) -> impl Iterator<Item = &'a LoadedModule> {
        let trigger = ctx.trigger.kind_name();
        self.modules
            .iter()
            .filter(move |module| module.spec.runs_on(trigger))
    }

    /// Evaluates under `limits`, which are already within the ceilings.
    fn evaluate_under(&self, ctx: &Context, context_id: Option<&str>, limits: &Limits) -> Decision {
        let mut decision = Decision {
            pack: self.identity.clone(),
            context_id: context_id.map(str::to_owned),
            status: DecisionStatus::Complete,
            actions: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
            cost: Vec::new(),
            context_cost: Vec::new(),
            next_evaluation: Vec::new(),
        };
        if let Err(error) = self.check_context(ctx) {
            decision.status = DecisionStatus::HeldForReview;
            decision.errors = self
                .modules_for(ctx)
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
        // The defaults are added to each backend's own view of the context, made once per
        // evaluation: Rhai modules share one lazily converted `ctx`; the native backend borrows
        // `ctx` unless defaults are missing.
        let missing = self.missing_params(ctx);
        let sources = crate::script::sources::Sources {
            ctx,
            defaults: &missing,
            vocabulary: &self.vocabulary,
        };
        let mut native_ctx = None;
        let mut wasm = self.wasm_session();
        let mut rhai_left = self
            .modules_for(ctx)
            .filter(|module| matches!(module.runner, Runner::Rhai(_)))
            .count();
        crate::script::lazy_context::lend(&sources, |conversion| {
            for module in self.modules_for(ctx) {
                crate::explain::recorder::begin_module(&module.spec.id);
                let (result, backend, fuel) = match &module.runner {
                    Runner::Wasm { index, entry, kind } => {
                        let entry = Entry {
                            name: entry,
                            kind: *kind,
                        };
                        let (result, fuel) = wasm.call(*index, &entry, ctx, &missing, limits);
                        (result.map_err(|e| (e, None)), Backend::Wasm, fuel)
                    }
                    Runner::Rhai(script) => {
                        rhai_left = rhai_left.saturating_sub(1);
                        let view = conversion.module_view(rhai_left == 0);
                        let value = rhai::Dynamic::from(view);
                        let inner = &self.engine.inner;
                        let counted = inner.rhai_memory == crate::RhaiMemory::Counted;
                        let (result, operations) =
                            script.call(&inner.rhai, value, (limits, &self.vocabulary), counted);
                        let result = result.map_err(|failure| {
                            let place = failure.position.map(|at| (failure.file, at));
                            ((failure.kind, failure.message), place)
                        });
                        (result, Backend::Rhai, operations)
                    }
                    Runner::Native(run) => {
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
                        let result = run(native_ctx)
                            .map_err(|message| ((RuleErrorKind::RuleFailed, message), None));
                        (result, Backend::Native, 0)
                    }
                };
                decision.cost.push(ModuleCost {
                    module: module.spec.id.clone(),
                    backend,
                    fuel,
                });
                let result = result.and_then(|output| self.checked(output, module, ctx, limits));
                self.record(&mut decision, module, result);
            }
        });
        decision.context_cost = wasm
            .context_costs()
            .into_iter()
            .map(|(index, fuel)| ContextCost {
                component: self.component_source(index),
                fuel,
            })
            .collect();
        decision
    }

    /// The output, if it respects the limits, the contract and the pack's vocabulary.
    fn checked(
        &self,
        output: RuleOutput,
        module: &LoadedModule,
        ctx: &Context,
        limits: &Limits,
    ) -> Result<RuleOutput, Failure> {
        crate::validate::check(&output, limits).map_err(|error| (error, None))?;
        if let Some(declared) = &module.spec.rules {
            crate::validate::check_rule_ids(&output, declared)
                .map_err(|message| ((RuleErrorKind::BadOutput, message), None))?;
        }
        crate::validate_declared::check_declared(&output, &self.vocabulary, ctx)
            .map_err(|message| ((RuleErrorKind::BadOutput, message), None))?;
        Ok(output)
    }

    /// Adds a module's output (or its failure) to the decision.
    fn record(
        &self,
        decision: &mut Decision,
        module: &LoadedModule,
        result: Result<RuleOutput, Failure>,
    ) {
        let id = &module.spec.id;
        match result {
            Ok(output) => {
                // Exactly: a list grown from empty reserves four actions, over a kilobyte, and on
                // glibc an allocation that size first merges every small block freed so far.
                decision.actions.reserve_exact(output.actions.len());
                decision
                    .actions
                    .extend(output.actions.into_iter().map(|action| DecidedAction {
                        module: id.clone(),
                        action,
                    }));
                decision
                    .suppressed
                    .extend(
                        output
                            .suppressed
                            .into_iter()
                            .map(|suppression| DecidedSuppression {
                                module: id.clone(),
                                suppression,
                            }),
                    );
                if let Some(at) = output.next_evaluation_at {
                    decision.next_evaluation.push(ModuleSchedule {
                        module: id.clone(),
                        at,
                    });
                }
            }
            Err(((kind, message), place)) => {
                let (file, position) = place.unzip();
                decision.errors.push(RuleError {
                    module: id.clone(),
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

    /// The manifest's source file of component `index`.
    fn component_source(&self, index: usize) -> String {
        self.modules
            .iter()
            .find(|module| matches!(module.runner, Runner::Wasm { index: i, .. } if i == index))
            .map(|module| module.spec.source.display().to_string())
            .unwrap_or_default()
    }
}
