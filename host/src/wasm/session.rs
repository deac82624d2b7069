//! Running components: the instances of one evaluation, and what crosses into them.
//!
//! An evaluation opens a [`WasmSession`]. The first module of a component instantiates it (from its
//! `InstancePre`, out of the engine's instance pool) in a store of its own; the component's other
//! modules in the same evaluation call that instance again, with their fuel and deadline re-armed.
//! The instances are dropped with the session, so nothing a rule keeps in its memory survives into
//! the next evaluation: same context, same decision. After a trap the instance is dropped at once
//! and the next module gets a fresh one.
//!
//! A 0.2 component takes the context once per instance: right after instantiation the host lowers
//! it into the `evaluation` resource's constructor (packed into one buffer when the component
//! exports `evaluate-packed`, see [`super::packed_context`]; typed otherwise), under fuel and a
//! deadline of its own (the same limits as a module call), and every module then runs on that copy
//! (`run(module)`), reporting only its own fuel. What the constructors cost is [`WasmSession::context_costs`]. The resource handle
//! is never dropped through `resource_drop`: it lives in the instance's store, which is dropped with
//! the session (or at a trap) together with the instance's memory, so running the guest's
//! destructor would only spend fuel freeing memory that is about to be unmapped anyway.
//!
//! A 0.1 component has one export per rule kind, each taking the whole context: it gets what 0.1
//! sees of the context (see [`super::bridge_v0_1`]), converted once per session.
//!
//! A session is one evaluation: every call passes the same context and extra parameters. A 0.2
//! constructor takes them packed or lent ([`super::lend_v0_2`]), built for that call only; 0.1
//! calls take them converted, once per session.

use crm_rules_contract::types as sdk;
use wasmtime::Store;
use wasmtime::component::ResourceAny;

use super::bindings::{v0_1, v0_2};
use super::bridge_v0_1::{self, Upgrade as _};
use super::bridge_v0_2::Lift as _;
use super::store::{StoreState, arm, classify, fuel_used, new_store};
use super::{Pre, WasmRule};
use super::{lend_v0_2, packed_context};
use crate::error::RuleErrorKind;
use crate::limits::Limits;
use crate::manifest::RuleKind;

/// Which module of a component to run.
pub(crate) struct Entry<'a> {
    /// The module's name: what a 0.2 component's `run` takes.
    pub(crate) name: &'a str,
    /// The module's rule kind: which export of a 0.1 component is called (required for 0.1).
    pub(crate) kind: Option<RuleKind>,
}

/// What one module call returned, and the fuel it used.
pub(crate) type CallResult = (Result<sdk::RuleOutput, (RuleErrorKind, String)>, u64);

/// A live 0.1 instance and its store.
struct LiveV0_1 {
    store: Store<StoreState>,
    rule: v0_1::Rule,
}

/// A live 0.2 instance, its store, and the evaluation holding the context.
struct LiveV0_2 {
    store: Store<StoreState>,
    rule: v0_2::Live,
    evaluation: ResourceAny,
}

/// The component instances of one evaluation (see the module docs).
pub(crate) struct WasmSession<'p> {
    components: &'p [WasmRule],
    /// The engine-wide memory cap: a per-call limit can lower it, never raise it (the instance
    /// pool's slots are sized by it).
    memory_ceiling: usize,
    /// By component index: the live instance of a 0.1 component.
    live_v0_1: Vec<Option<LiveV0_1>>,
    /// By component index: the live instance of a 0.2 component.
    live_v0_2: Vec<Option<LiveV0_2>>,
    /// By component index: the fuel a 0.2 component's constructors spent, if one ran.
    context_costs: Vec<Option<u64>>,
    /// The context as 0.1 components see it, once one needed it.
    ctx_v0_1: Option<v0_1::crm::rules::types::Context>,
}

impl<'p> WasmSession<'p> {
    pub(crate) fn new(components: &'p [WasmRule], memory_ceiling: usize) -> WasmSession<'p> {
        WasmSession {
            components,
            memory_ceiling,
            live_v0_1: components.iter().map(|_| None).collect(),
            live_v0_2: components.iter().map(|_| None).collect(),
            context_costs: vec![None; components.len()],
            ctx_v0_1: None,
        }
    }

    /// The memory cap under `limits`: lowered by them, never raised past the ceiling.
    fn memory_cap(&self, limits: &Limits) -> usize {
        limits.max_memory_bytes.min(self.memory_ceiling)
    }

    /// Instantiates every component in a fresh store and drops it, calling nothing (not even a 0.2
    /// constructor): what an evaluation pays per component before its first call.
    pub(crate) fn instantiate_all(&self, limits: &Limits) -> Result<(), (RuleErrorKind, String)> {
        for component in self.components {
            let mut store = new_store(component.engine(), self.memory_cap(limits), limits)?;
            match &component.pre {
                Pre::V0_1(pre) => pre.instantiate_checked_at_load(&mut store).map(drop),
                Pre::V0_2 { pre, .. } => pre.instantiate(&mut store).map(drop),
            }
            .map_err(|error| classify(&error))?;
        }
        Ok(())
    }

    /// Runs `entry` of component `index` on `ctx` (with `extra_params`, the pack's defaults the
    /// context lacks, appended to its params) under `limits`. The fuel reported is the module's
    /// own: a 0.2 component's constructor is counted in [`WasmSession::context_costs`] instead.
    pub(crate) fn call(
        &mut self,
        index: usize,
        entry: &Entry<'_>,
        ctx: &sdk::Context,
        extra_params: &[&sdk::Param],
        limits: &Limits,
    ) -> CallResult {
        let components = self.components;
        let Some(component) = components.get(index) else {
            return (
                Err((RuleErrorKind::Trap, format!("no component #{index}"))),
                0,
            );
        };
        match &component.pre {
            Pre::V0_1(pre) => {
                let Some(kind) = entry.kind else {
                    // The loader gives every module of a 0.1 component its kind; this is a host bug.
                    let message = format!(
                        "module \"{}\" has no rule kind, which a crm:rules@0.1.0 component needs \
                         to choose its entry point",
                        entry.name
                    );
                    return (Err((RuleErrorKind::Trap, message)), 0);
                };
                self.call_v0_1(index, pre, kind, ctx, extra_params, limits)
            }
            Pre::V0_2 { pre, .. } => {
                self.call_v0_2(index, pre, entry.name, ctx, extra_params, limits)
            }
        }
    }

    /// Fuel each component spent taking the context in (the 0.2 constructor, with the instantiation
    /// before it), by component index, for the components this session instantiated: 0.2 ones
    /// only, since a 0.1 component takes the context with every call (its calls' fuel includes
    /// it). After a trap a component takes the context again, and that is added to its cost.
    pub(crate) fn context_costs(&self) -> Vec<(usize, u64)> {
        self.context_costs
            .iter()
            .enumerate()
            .filter_map(|(index, cost)| cost.map(|cost| (index, cost)))
            .collect()
    }

    fn call_v0_2(
        &mut self,
        index: usize,
        pre: &v0_2::CheckedPre<StoreState>,
        module: &str,
        ctx: &sdk::Context,
        extra_params: &[&sdk::Param],
        limits: &Limits,
    ) -> CallResult {
        let memory_cap = self.memory_cap(limits);
        let reused = self.live_v0_2.get_mut(index).and_then(Option::take);
        let mut live = match reused {
            Some(live) => live,
            None => match self.start_v0_2(index, pre, ctx, extra_params, limits) {
                Ok(live) => live,
                Err(error) => return (Err(error), 0),
            },
        };
        live.store.data_mut().max_memory_bytes = memory_cap;
        if let Err(error) = arm(&mut live.store, limits) {
            return (Err(error), 0);
        }
        let result = live.rule.run(&mut live.store, live.evaluation, module);
        let fuel = fuel_used(&live.store, limits);
        let outcome = match result {
            Ok(returned) => {
                // The instance is healthy (a rule that reports a failure has not trapped).
                if let Some(slot) = self.live_v0_2.get_mut(index) {
                    *slot = Some(live);
                }
                returned
                    .map(sdk::RuleOutput::from_wit)
                    .map_err(|message| (RuleErrorKind::RuleFailed, message))
            }
            // A trapped instance is poisoned: it is dropped here, with its store.
            Err(error) => Err(classify(&error)),
        };
        (outcome, fuel)
    }

    /// Instantiates a 0.2 component and gives it the context, under `limits`; the fuel both spent
    /// is added to the component's context cost, whether they succeeded or not.
    fn start_v0_2(
        &mut self,
        index: usize,
        pre: &v0_2::CheckedPre<StoreState>,
        ctx: &sdk::Context,
        extra_params: &[&sdk::Param],
        limits: &Limits,
    ) -> Result<LiveV0_2, (RuleErrorKind, String)> {
        let mut store = new_store(pre.engine(), self.memory_cap(limits), limits)?;
        let started = pre.instantiate(&mut store).and_then(|rule| {
            let evaluation = match pre.crossing() {
                v0_2::Crossing::Packed => {
                    packed_context::with_packed(ctx, extra_params, |packed| {
                        rule.construct_packed(&mut store, packed)
                    })
                }
                v0_2::Crossing::Typed => lend_v0_2::with_arena(|arena| {
                    rule.construct(&mut store, &lend_v0_2::context(ctx, extra_params, arena))
                }),
            }?;
            Ok((rule, evaluation))
        });
        let cost = fuel_used(&store, limits);
        if let Some(total) = self.context_costs.get_mut(index) {
            *total = Some(total.unwrap_or(0).saturating_add(cost));
        }
        let (rule, evaluation) = started.map_err(|error| classify(&error))?;
        Ok(LiveV0_2 {
            store,
            rule,
            evaluation,
        })
    }

    fn call_v0_1(
        &mut self,
        index: usize,
        pre: &v0_1::RulePre<StoreState>,
        kind: RuleKind,
        ctx: &sdk::Context,
        extra_params: &[&sdk::Param],
        limits: &Limits,
    ) -> CallResult {
        let memory_cap = self.memory_cap(limits);
        let reused = self.live_v0_1.get_mut(index).and_then(Option::take);
        let LiveV0_1 { mut store, rule } = match reused {
            Some(mut live) => {
                live.store.data_mut().max_memory_bytes = memory_cap;
                if let Err(error) = arm(&mut live.store, limits) {
                    return (Err(error), 0);
                }
                live
            }
            None => {
                let mut store = match new_store(pre.engine(), memory_cap, limits) {
                    Ok(store) => store,
                    Err(error) => return (Err(error), 0),
                };
                // Instantiation runs under the same fuel and deadline as the call it serves.
                match pre.instantiate_checked_at_load(&mut store) {
                    Ok(rule) => LiveV0_1 { store, rule },
                    Err(error) => return (Err(classify(&error)), fuel_used(&store, limits)),
                }
            }
        };
        let old_ctx = self
            .ctx_v0_1
            .get_or_insert_with(|| bridge_v0_1::context(ctx, extra_params));
        let result = match kind {
            RuleKind::Billing => rule.call_evaluate_billing(&mut store, old_ctx),
            RuleKind::Reminders => rule.call_evaluate_reminders(&mut store, old_ctx),
            RuleKind::Escalation => rule.call_evaluate_escalation(&mut store, old_ctx),
        };
        let fuel = fuel_used(&store, limits);
        let outcome = match result {
            Ok(returned) => {
                // The instance is healthy (a rule that reports a failure has not trapped).
                if let Some(slot) = self.live_v0_1.get_mut(index) {
                    *slot = Some(LiveV0_1 { store, rule });
                }
                returned
                    .map(sdk::RuleOutput::from_v0_1)
                    .map_err(|message| (RuleErrorKind::RuleFailed, message))
            }
            // A trapped instance is poisoned: it is dropped here, with its store.
            Err(error) => Err(classify(&error)),
        };
        (outcome, fuel)
    }
}

/// Checks a 0.2 component's exports and lists the modules it implements (its `modules` export),
/// once at load, in a throwaway store under generous limits (ten times the default fuel; a list of
/// names needs a few thousand).
pub(super) fn check_v0_2(
    pre: wasmtime::component::InstancePre<StoreState>,
) -> Result<(v0_2::CheckedPre<StoreState>, Vec<String>), String> {
    let defaults = Limits::default();
    let limits = Limits {
        fuel: defaults.fuel.saturating_mul(10),
        ..defaults
    };
    let describe = |(kind, message): (RuleErrorKind, String)| format!("{kind:?}: {message}");
    let mut store = new_store(pre.engine(), limits.max_memory_bytes, &limits).map_err(describe)?;
    #[cfg(test)]
    let typed_only = TYPED_ONLY.with(std::cell::Cell::get);
    #[cfg(not(test))]
    let typed_only = false;
    v0_2::CheckedPre::check(pre, &mut store, typed_only).map_err(|error| describe(classify(&error)))
}

#[cfg(test)]
thread_local! {
    /// Set by a test to load components on its thread as a host from before `evaluate-packed`
    /// does: through the typed crossing, even when they export the packed one.
    pub(crate) static TYPED_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
