//! A loaded rule pack: its modules ready to run, its parameters and its content hash.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crm_rules_guest::Rules;
use crm_rules_guest::types::{Context, Param, RuleOutput};
use sha2::{Digest, Sha256};

use crate::decision::{
    Backend, DecidedAction, DecidedSuppression, Decision, DecisionStatus, ModuleCost, PackIdentity,
};
use crate::engine::RuleEngine;
use crate::error::{LoadError, RuleError, RuleErrorKind};
use crate::limits::Limits;
use crate::manifest::{Manifest, ModuleSpec, OnError, RuleKind};
use crate::script::ScriptRule;
use crate::wasm::WasmRule;
use crate::wasm::bridge::Bridge;

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

/// A pack ready to evaluate. Evaluations are independent (a fresh store per module call), so one pack
/// may be shared by many threads.
pub struct RulePack {
    engine: RuleEngine,
    identity: PackIdentity,
    dir: PathBuf,
    manifest: Manifest,
    params: Vec<Param>,
    limits: Limits,
    components: Vec<WasmRule>,
    modules: Vec<LoadedModule>,
}

fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl RulePack {
    pub(crate) fn load(engine: RuleEngine, dir: &Path) -> Result<RulePack, LoadError> {
        let manifest_path = dir.join("pack.toml");
        let manifest_bytes = read(&manifest_path)?;
        let manifest_text = String::from_utf8_lossy(&manifest_bytes);
        let manifest = Manifest::parse(&manifest_text, &manifest_path)?;
        let mut hasher = Sha256::new();
        hasher.update(b"pack.toml\0");
        hasher.update(&manifest_bytes);
        let mut param_table = toml::Table::new();
        if let Some(file) = &manifest.pack.params_file {
            let path = dir.join(file);
            let bytes = read(&path)?;
            hasher.update(file.to_string_lossy().as_bytes());
            hasher.update(b"\0");
            hasher.update(&bytes);
            param_table = toml::from_str(&String::from_utf8_lossy(&bytes)).map_err(|error| {
                LoadError::Manifest {
                    path: path.clone(),
                    message: error.to_string().trim().replace('\n', " "),
                }
            })?;
        }
        param_table.extend(manifest.params.clone());
        let params_json =
            serde_json::to_value(&param_table).map_err(|error| LoadError::Manifest {
                path: manifest_path.clone(),
                message: format!("[params]: {error}"),
            })?;
        let params =
            crate::json::params_from_json(&params_json).map_err(|error| LoadError::Manifest {
                path: manifest_path.clone(),
                message: format!("[params] {error}"),
            })?;
        let inner = &engine.inner;
        let prelude = match &manifest.pack.rhai_prelude {
            Some(file) => {
                let path = dir.join(file);
                let bytes = read(&path)?;
                hasher.update(file.to_string_lossy().as_bytes());
                hasher.update(b"\0");
                hasher.update(&bytes);
                let source = String::from_utf8_lossy(&bytes);
                Some(crate::script::compile_source(
                    &inner.rhai,
                    "prelude",
                    &path,
                    &source,
                )?)
            }
            None => None,
        };
        let mut components = Vec::new();
        let mut component_index: HashMap<PathBuf, usize> = HashMap::new();
        let mut modules = Vec::new();
        for spec in &manifest.modules {
            let path = dir.join(&spec.source);
            let is_wasm = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "wat")
            );
            if !path.exists() {
                let hint = if is_wasm {
                    "build it with `cargo xtask build-rules` (or your guest's own build)".to_owned()
                } else {
                    "check the `source` path in pack.toml (it is relative to the manifest)"
                        .to_owned()
                };
                return Err(LoadError::SourceNotFound {
                    module: spec.id.clone(),
                    path,
                    hint,
                });
            }
            let runner = if is_wasm {
                let index = match component_index.get(&path) {
                    Some(index) => *index,
                    None => {
                        let bytes = read(&path)?;
                        hasher.update(spec.source.to_string_lossy().as_bytes());
                        hasher.update(b"\0");
                        hasher.update(&bytes);
                        let rule =
                            WasmRule::load(&inner.wasm, &inner.linker, &spec.id, &path, &bytes)?;
                        components.push(rule);
                        component_index.insert(path.clone(), components.len() - 1);
                        components.len() - 1
                    }
                };
                Runner::Wasm(index)
            } else {
                let bytes = read(&path)?;
                hasher.update(spec.source.to_string_lossy().as_bytes());
                hasher.update(b"\0");
                hasher.update(&bytes);
                let source = String::from_utf8(bytes).map_err(|_| LoadError::Script {
                    module: spec.id.clone(),
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    message: "the script is not valid UTF-8".to_owned(),
                })?;
                Runner::Rhai(ScriptRule::compile(
                    &inner.rhai,
                    &spec.id,
                    spec.kind,
                    &path,
                    &source,
                    prelude.as_ref(),
                )?)
            };
            modules.push(LoadedModule {
                spec: spec.clone(),
                runner,
            });
        }
        let identity = PackIdentity {
            name: manifest.pack.name.clone(),
            version: manifest.pack.version.clone(),
            hash: format!("sha256:{}", hex(&hasher.finalize())),
        };
        let limits = inner.limits.with_overrides(&manifest.limits);
        Ok(RulePack {
            engine,
            identity,
            dir: dir.to_path_buf(),
            manifest,
            params,
            limits,
            components,
            modules,
        })
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

    /// The context with the pack's parameter defaults filled in (the input's own values win).
    fn with_params<'a>(&self, ctx: &'a Context) -> Cow<'a, Context> {
        let missing: Vec<&Param> = self
            .params
            .iter()
            .filter(|default| !ctx.params.iter().any(|given| given.name == default.name))
            .collect();
        if missing.is_empty() {
            return Cow::Borrowed(ctx);
        }
        let mut merged = ctx.clone();
        merged.params.extend(missing.into_iter().cloned());
        Cow::Owned(merged)
    }

    /// Evaluates every module whose kind applies to `ctx`: billing modules when it carries a deal
    /// event, reminder and escalation modules otherwise. Never fails: a module's failure is an entry
    /// in [`Decision::errors`], and its `on_error` decides the [`Decision::status`].
    pub fn evaluate(&self, ctx: &Context) -> Decision {
        self.evaluate_with_id(ctx, None)
    }

    /// [`RulePack::evaluate`], recording the context's id in the decision.
    pub fn evaluate_with_id(&self, ctx: &Context, context_id: Option<&str>) -> Decision {
        self.evaluate_with_limits(ctx, context_id, &self.limits)
    }

    /// [`RulePack::evaluate_with_id`] under `limits` instead of the pack's own (a host may lower
    /// them for a tenant, or raise them for a replay). Engine-level Rhai limits (call depth, sizes)
    /// are fixed when the engine is built and are not affected.
    pub fn evaluate_with_limits(
        &self,
        ctx: &Context,
        context_id: Option<&str>,
        limits: &Limits,
    ) -> Decision {
        let ctx = self.with_params(ctx);
        let applies = |kind: RuleKind| match kind {
            RuleKind::Billing => ctx.deal_event.is_some(),
            RuleKind::Reminders | RuleKind::Escalation => ctx.deal_event.is_none(),
        };
        let mut wit_ctx = None;
        let mut rhai_ctx = None;
        let mut decision = Decision {
            pack: self.identity.clone(),
            context_id: context_id.map(str::to_owned),
            status: DecisionStatus::Complete,
            actions: Vec::new(),
            suppressed: Vec::new(),
            errors: Vec::new(),
            cost: Vec::new(),
        };
        for module in self.modules.iter().filter(|m| applies(m.spec.kind)) {
            let kind = module.spec.kind;
            let (result, backend, fuel) = match &module.runner {
                Runner::Wasm(index) => {
                    let wit = wit_ctx.get_or_insert_with(|| ctx.to_wit());
                    let (result, fuel) = match self.components.get(*index) {
                        Some(component) => component.call(kind, wit, limits),
                        None => (
                            Err((RuleErrorKind::Trap, "component missing".to_owned())),
                            0,
                        ),
                    };
                    (result.map_err(|e| (e, None)), Backend::Wasm, fuel)
                }
                Runner::Rhai(script) => {
                    let value = rhai_ctx
                        .get_or_insert_with(|| crate::script::context::to_dynamic(&ctx))
                        .clone();
                    let (result, operations) = script.call(&self.engine.inner.rhai, value, limits);
                    let result = result
                        .map_err(|failure| ((failure.kind, failure.message), failure.position));
                    (result, Backend::Rhai, operations)
                }
                Runner::Native(native) => {
                    let entry = match kind {
                        RuleKind::Billing => native.billing,
                        RuleKind::Reminders => native.reminders,
                        RuleKind::Escalation => native.escalation,
                    };
                    let result =
                        entry(&ctx).map_err(|message| ((RuleErrorKind::RuleFailed, message), None));
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
                Err(((kind, message), position)) => {
                    decision.errors.push(RuleError {
                        module: module.spec.id.clone(),
                        kind,
                        message,
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
