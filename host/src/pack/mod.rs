//! A loaded rule pack: its modules ready to run, its parameters and its content hash.

mod declared_input;
mod evaluate;
mod files;
mod input;
mod load;

use std::path::{Path, PathBuf};

use crm_rules_contract::module::{Module, ModuleFn};
use crm_rules_contract::types::{Context, Param};
use crm_rules_contract::vocabulary::Vocabulary;

use crate::bundle::read::BundledFixtures;
use crate::decision::PackIdentity;
use crate::engine::RuleEngine;
use crate::error::RuleErrorKind;
use crate::limits::Limits;
use crate::manifest::{Manifest, ModuleSpec, RuleKind};
use crate::script::ScriptRule;
use crate::wasm::{WasmRule, WasmSession};

/// How a module runs.
enum Runner {
    /// In component `index`, as the module called `entry` (a 0.1 component: its `kind`'s export).
    Wasm {
        index: usize,
        entry: String,
        kind: Option<RuleKind>,
    },
    /// A compiled Rhai script.
    Rhai(ScriptRule),
    /// Rust linked into the host (see [`RulePack::with_native`]).
    Native(ModuleFn),
}

/// Where a pack's fixtures are.
pub(crate) enum FixtureSource<'a> {
    /// In this folder (which may not exist).
    Folder(PathBuf),
    /// In the bundle the pack was loaded from.
    Bundled(&'a BundledFixtures),
    /// Nowhere: the pack's bundle was written without them.
    NotBundled,
}

/// What a pack loaded from a bundle keeps of it.
struct BundleSource {
    /// The bundle's digest (`sha256:...`).
    digest: String,
    /// Its fixtures; `None` when it was written without them.
    fixtures: Option<BundledFixtures>,
    /// Where its fixtures are, or would be, inside it (for messages).
    fixtures_dir: PathBuf,
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
    bundle: Option<BundleSource>,
    manifest: Manifest,
    params: Vec<Param>,
    vocabulary: Vocabulary,
    limits: Limits,
    components: Vec<WasmRule>,
    component_loads: ComponentLoads,
    modules: Vec<LoadedModule>,
}

/// How the components of a pack were obtained when it was loaded (see
/// [`crate::EngineOptions::compile_cache`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ComponentLoads {
    /// Components compiled by this load.
    pub compiled: usize,
    /// Components taken, already compiled, from the compile cache.
    pub from_cache: usize,
    /// Components loaded from the native code their bundle carries
    /// ([`crate::EngineOptions::trust_precompiled`]).
    pub precompiled: usize,
    /// Components whose bundle carries native code that was not loaded: the engine does not trust
    /// precompiled code, the code was compiled for another engine configuration, or wasmtime
    /// refused it. They were compiled, or taken from the cache, instead.
    pub precompiled_unused: usize,
}

impl RulePack {
    /// How this pack's components were obtained: compiled, or from the compile cache.
    pub fn component_loads(&self) -> ComponentLoads {
        self.component_loads
    }

    /// The compiled component that modules with `source` (as the manifest writes it) run in, if
    /// they run in one.
    pub(crate) fn component_of(&self, source: &Path) -> Option<&wasmtime::component::Component> {
        self.modules.iter().find_map(|module| match module.runner {
            Runner::Wasm { index, .. } if module.spec.source == source => {
                self.components.get(index).map(WasmRule::component)
            }
            _ => None,
        })
    }

    /// The pack's name, version and content hash.
    pub fn identity(&self) -> &PackIdentity {
        &self.identity
    }

    /// The folder the pack was loaded from; for a pack loaded from a bundle, the bundle file
    /// (`<bundle>` when loaded from bytes).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The digest (`sha256:...`) of the bundle the pack was loaded from, if it was loaded from one
    /// (see [`crate::bundle`]).
    pub fn bundle_digest(&self) -> Option<&str> {
        self.bundle.as_ref().map(|bundle| bundle.digest.as_str())
    }

    /// The engine that loaded the pack.
    pub(crate) fn engine(&self) -> &RuleEngine {
        &self.engine
    }

    /// The parsed manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The folder holding the pack's fixtures (for a bundle, where they are inside it, for
    /// messages: read them with [`RulePack::load_fixtures`]).
    pub fn fixtures_dir(&self) -> PathBuf {
        if let Some(bundle) = &self.bundle {
            return bundle.fixtures_dir.clone();
        }
        self.dir.join(
            self.manifest
                .pack
                .fixtures
                .clone()
                .unwrap_or_else(|| PathBuf::from("fixtures")),
        )
    }

    /// Where the pack's fixtures are: its folder's fixtures folder, or its bundle's (read them with
    /// [`RulePack::load_fixtures`]).
    pub(crate) fn fixture_source(&self) -> FixtureSource<'_> {
        match &self.bundle {
            None => FixtureSource::Folder(self.fixtures_dir()),
            Some(BundleSource {
                fixtures: Some(fixtures),
                ..
            }) => FixtureSource::Bundled(fixtures),
            Some(BundleSource { fixtures: None, .. }) => FixtureSource::NotBundled,
        }
    }

    /// The limits evaluations of this pack run under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The pack's parameter declarations (from `[params]`: each one's type, and whether a context
    /// may switch it off).
    pub fn param_specs(&self) -> &[crm_rules_contract::params::ParamSpec] {
        self.vocabulary.params.as_deref().unwrap_or_default()
    }

    /// The pack's vocabulary: what it declares for the contract's open names (custom fields,
    /// templates, dunning states, action kinds, events, suppression reasons). A contract 0.1 pack
    /// declares the four standard reminder steps and nothing else.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// This pack with every WebAssembly module replaced by the module of the same name in
    /// `modules` (Rust compiled into the host, as the guest SDK's `export_modules!` lists it): the
    /// native baseline for benchmarks, and a way for rule authors to debug with ordinary Rust
    /// tools. A component module with no namesake in `modules` keeps running as a component.
    pub fn with_native(mut self, modules: &[Module]) -> RulePack {
        for module in &mut self.modules {
            if let Runner::Wasm { entry, .. } = &module.runner
                && let Some(native) = crm_rules_contract::module::find(modules, entry)
            {
                module.runner = Runner::Native(native.run);
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

    /// This pack's components, in the order its modules name them.
    #[cfg(test)]
    pub(crate) fn components(&self) -> &[WasmRule] {
        &self.components
    }

    /// A session over this pack's components, capped at the engine's memory limit (the size of an
    /// instance-pool slot).
    fn wasm_session(&self) -> WasmSession<'_> {
        WasmSession::new(&self.components, self.engine.inner.limits.max_memory_bytes)
    }

    /// The pack's parameter defaults that `ctx` does not set.
    /// The pack's default for parameter `name`, if it declares one.
    pub(crate) fn default_param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|param| param.name == name)
    }

    pub(crate) fn missing_params(&self, ctx: &Context) -> Vec<&Param> {
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
}
