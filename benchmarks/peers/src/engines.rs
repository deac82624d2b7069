//! The engines compared, each behind [`Contender`]: one evaluation (timed) and the actions it gives
//! (checked before timing).

use std::future::Future;
use std::hint::black_box;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use crm_rules_host::bench_support::{rhai_engine, with_rhai_context};
use crm_rules_host::types::Context;
use crm_rules_host::{Decision, Limits, RulePack};
use rhai::{AST, Array, Dynamic, Engine, Map, Scope};
use zen_engine::model::DecisionContent;
use zen_engine::{DecisionEngine, Variable};

use crate::contexts::Sample;
use crate::summary::{self, ActionSummary};

/// An engine evaluating E1.
pub trait Contender {
    /// Its name in the table.
    fn name(&self) -> &'static str;
    /// One evaluation of `sample`, its result dropped (what the timer measures).
    fn evaluate(&self, sample: &Sample);
    /// The actions one evaluation of `sample` gives, in order.
    fn actions(&self, sample: &Sample) -> Vec<ActionSummary>;
}

/// The actions of a contract rule output, as summaries.
fn contract_actions<'a>(
    actions: impl Iterator<Item = &'a crm_rules_host::types::Action>,
) -> Vec<ActionSummary> {
    actions
        .map(|action| ActionSummary {
            kind: crm_rules_host::json::kind_name(&action.detail).to_owned(),
            key: action.key.clone(),
        })
        .collect()
}

/// E1 as a plain Rust function ([`crate::native`]).
pub struct Native;

impl Contender for Native {
    fn name(&self) -> &'static str {
        "native Rust"
    }

    fn evaluate(&self, sample: &Sample) {
        let _ = black_box(crate::native::evaluate(&sample.context));
    }

    fn actions(&self, sample: &Sample) -> Vec<ActionSummary> {
        let output = crate::native::evaluate(&sample.context).expect("native E1 runs");
        contract_actions(output.actions.iter())
    }
}

/// A crm-rules pack: the Rhai pack or the component pack, evaluated by `RulePack::evaluate` with
/// everything it does (input checks, budgets, output checks, the decision).
pub struct CrmRulesPack {
    name: &'static str,
    pack: Rc<RulePack>,
}

impl CrmRulesPack {
    /// `pack`, shown as `name`.
    pub fn new(name: &'static str, pack: Rc<RulePack>) -> CrmRulesPack {
        CrmRulesPack { name, pack }
    }

    fn decide(&self, sample: &Sample) -> Decision {
        self.pack.evaluate(&sample.context)
    }
}

impl Contender for CrmRulesPack {
    fn name(&self) -> &'static str {
        self.name
    }

    fn evaluate(&self, sample: &Sample) {
        black_box(self.decide(sample));
    }

    fn actions(&self, sample: &Sample) -> Vec<ActionSummary> {
        let decision = self.decide(sample);
        assert!(
            decision.errors.is_empty(),
            "{}: the pack failed: {:?}",
            self.name,
            decision.errors
        );
        contract_actions(decision.actions.iter().map(|decided| &decided.action))
    }
}

/// Not an engine: the input checks every crm-rules pack evaluation starts with
/// (`RulePack::check_context`: declared parameters, references between records, the vocabulary's
/// names), timed alone to show what part of a pack's evaluation they are.
pub struct InputChecks {
    pack: Rc<RulePack>,
}

impl InputChecks {
    /// `pack`'s checks.
    pub fn new(pack: Rc<RulePack>) -> InputChecks {
        InputChecks { pack }
    }
}

impl Contender for InputChecks {
    fn name(&self) -> &'static str {
        "crm-rules input checks alone (in every pack)"
    }

    fn evaluate(&self, sample: &Sample) {
        let _ = black_box(self.pack.check_context(&sample.context));
    }

    fn actions(&self, _sample: &Sample) -> Vec<ActionSummary> {
        Vec::new()
    }
}

/// `e1.rhai` called directly on a Rhai engine with the packs' packages and helpers, every top-level
/// field of the context converted into one object map per call (`crm_rules_host::bench_support`):
/// a plain embedding, without the pack's input and output checks, budgets and decision.
pub struct PlainRhai {
    engine: Engine,
    ast: AST,
    /// The pack whose parameter defaults and vocabulary the context map is made with.
    pack: Rc<RulePack>,
}

impl PlainRhai {
    /// The script at `script`, with `pack`'s defaults and vocabulary.
    pub fn new(script: &Path, pack: Rc<RulePack>) -> PlainRhai {
        let engine = rhai_engine(&Limits::default());
        let source = std::fs::read_to_string(script)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", script.display()));
        let ast = engine.compile(&source).expect("e1.rhai compiles");
        PlainRhai { engine, ast, pack }
    }

    fn call(&self, ctx: &Context) -> Dynamic {
        with_rhai_context(&self.pack, ctx, |input| {
            self.engine
                .call_fn::<Dynamic>(&mut Scope::new(), &self.ast, "evaluate_e1", (input,))
                .expect("e1.rhai runs")
        })
    }
}

impl Contender for PlainRhai {
    fn name(&self) -> &'static str {
        "plain Rhai"
    }

    fn evaluate(&self, sample: &Sample) {
        let _ = black_box(self.call(&sample.context));
    }

    fn actions(&self, sample: &Sample) -> Vec<ActionSummary> {
        let output = self.call(&sample.context).cast::<Map>();
        let actions = output
            .get("actions")
            .cloned()
            .map(Dynamic::cast::<Array>)
            .unwrap_or_default();
        actions
            .into_iter()
            .map(|action| {
                let action = action.cast::<Map>();
                let field = |name: &str| {
                    action
                        .get(name)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                };
                ActionSummary {
                    kind: field("kind"),
                    key: field("key"),
                }
            })
            .collect()
    }
}

/// A GoRules Zen decision graph (JDM) read from a JSON file, created by a `DecisionEngine` and
/// precompiled (`Decision::compile`: expressions to bytecode, functions stripped of types), then
/// evaluated on the sample's Zen input. Zen is async; each evaluation is driven to completion on
/// the calling thread (`futures::executor::block_on`), and nothing in these graphs waits.
pub struct ZenGraph {
    name: &'static str,
    decision: zen_engine::Decision,
}

impl ZenGraph {
    /// The graph at `path`, shown as `name`.
    pub fn load(name: &'static str, path: &Path) -> ZenGraph {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let content: DecisionContent = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("{} is not a JDM graph: {error}", path.display()));
        let mut decision = DecisionEngine::default()
            .create_decision(Arc::new(content))
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        decision.compile();
        decision
            .validate()
            .unwrap_or_else(|error| panic!("{} is not a valid graph: {error}", path.display()));
        ZenGraph { name, decision }
    }

    fn run(&self, input: &Variable) -> Variable {
        let response = block_on(self.decision.evaluate(input.clone()))
            .unwrap_or_else(|error| panic!("{}: evaluation failed: {error}", self.name));
        response.result
    }
}

/// Drives `future` to completion on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    futures::executor::block_on(future)
}

impl Contender for ZenGraph {
    fn name(&self) -> &'static str {
        self.name
    }

    fn evaluate(&self, sample: &Sample) {
        black_box(self.run(&sample.zen_input));
    }

    fn actions(&self, sample: &Sample) -> Vec<ActionSummary> {
        let result = self.run(&sample.zen_input).to_value();
        let Some(actions) = result["actions"].as_array() else {
            panic!("{}: the result has no `actions` list: {result}", self.name);
        };
        actions.iter().map(summary::from_json).collect()
    }
}
