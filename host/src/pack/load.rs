//! Loading a pack: its manifest, parameters and modules, and the content hash over all of them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crm_rules_contract::vocabulary::Vocabulary;
use sha2::{Digest, Sha256};

use super::files::PackFiles;
use super::{BundleSource, ComponentLoads, LoadedModule, RulePack, Runner};
use crate::bundle::read::Bundle;
use crate::decision::PackIdentity;
use crate::engine::RuleEngine;
use crate::error::LoadError;
use crate::manifest::{ContractVersion, Manifest, ModuleSpec};
use crate::script::ScriptRule;
use crate::wasm::cache::{Origin, code_name};
use crate::wasm::{WasmRule, World, precompiled};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

impl RuleEngine {
    /// Loads the pack at `path` (its `pack.toml`, modules and parameters): scripts are compiled
    /// and components compiled and pre-instantiated, once. `path` is the pack's folder, or a
    /// bundle of it ([`crate::bundle`]; any file is read as one, and must start with the bundle
    /// header): both load to the same pack, with the same hash. (Defined beside the loader, so the
    /// engine does not depend on packs.)
    ///
    /// # Errors
    /// A [`LoadError`] naming the file (and for scripts the line and column) of the first problem;
    /// for a bundle that is not valid, a [`LoadError::Bundle`] saying what is wrong.
    pub fn load_pack(&self, path: impl AsRef<Path>) -> Result<RulePack, LoadError> {
        let path = path.as_ref();
        if path.is_file() {
            let bytes = crate::bundle::read::read_file(path)?;
            return RulePack::load_bundle(self.clone(), path, &bytes);
        }
        RulePack::load(self.clone(), &PackFiles::Folder(path.to_path_buf()))
    }
}

impl RulePack {
    /// Loads the bundle `bytes` (`label` names it in messages), then checks that the pack hashes
    /// to what the bundle's index records.
    pub(crate) fn load_bundle(
        engine: RuleEngine,
        label: &Path,
        bytes: &[u8],
    ) -> Result<RulePack, LoadError> {
        let mut bundle = Bundle::read(label, bytes)?;
        let fixtures = bundle.take_fixtures();
        let digest = bundle.digest.clone();
        let recorded = bundle.index.pack.clone();
        let files = PackFiles::Bundle(Box::new(bundle));
        let mut pack = RulePack::load(engine, &files)?;
        let identity = &pack.identity;
        if (&identity.name, &identity.version, &identity.hash)
            != (&recorded.name, &recorded.version, &recorded.hash)
        {
            return Err(LoadError::Bundle {
                path: label.to_path_buf(),
                message: format!(
                    "its index records {} {} {}, but its files load as {} {} {}",
                    recorded.name,
                    recorded.version,
                    recorded.hash,
                    identity.name,
                    identity.version,
                    identity.hash
                ),
            });
        }
        let fixtures_dir = match &fixtures {
            Some(fixtures) => fixtures.dir(),
            None => files
                .path((pack.manifest.pack.fixtures.as_deref()).unwrap_or(Path::new("fixtures"))),
        };
        pack.bundle = Some(BundleSource {
            digest,
            fixtures,
            fixtures_dir,
        });
        Ok(pack)
    }

    pub(crate) fn load(engine: RuleEngine, files: &PackFiles) -> Result<RulePack, LoadError> {
        let manifest_path = files.path(Path::new("pack.toml"));
        let manifest_bytes = files.read(Path::new("pack.toml"))?;
        let manifest_text = String::from_utf8_lossy(&manifest_bytes);
        let manifest = Manifest::parse(&manifest_text, &manifest_path)?;
        let mut hasher = Sha256::new();
        hasher.update(b"pack.toml\0");
        hasher.update(&manifest_bytes);
        let mut param_table = toml::Table::new();
        if let Some(file) = &manifest.pack.params_file {
            let path = files.path(file);
            let bytes = files.read(file)?;
            hasher.update(file.to_string_lossy().as_bytes());
            hasher.update(b"\0");
            hasher.update(&bytes);
            let text = String::from_utf8_lossy(&bytes);
            param_table = toml::from_str(&text).map_err(|error| LoadError::Manifest {
                path: path.clone(),
                message: crate::manifest::toml_error_message(&text, &error),
            })?;
        }
        param_table.extend(manifest.params.clone());
        let declared = crate::manifest_params::read_params(&param_table).map_err(|message| {
            LoadError::Manifest {
                path: manifest_path.clone(),
                message,
            }
        })?;
        let params = declared.defaults;
        let mut vocabulary = match (&manifest.vocabulary, manifest.pack.contract) {
            (Some(table), _) => {
                crate::manifest_vocabulary::read_vocabulary(table).map_err(|message| {
                    LoadError::Manifest {
                        path: manifest_path.clone(),
                        message,
                    }
                })?
            }
            (None, ContractVersion::V0_2) => Vocabulary::default(),
            (None, ContractVersion::V0_1) => Vocabulary::contract_0_1(),
        };
        vocabulary.params = Some(declared.specs);
        let inner = &engine.inner;
        let prelude = match &manifest.pack.rhai_prelude {
            Some(file) => {
                let path = files.path(file);
                let bytes = files.read(file)?;
                hasher.update(file.to_string_lossy().as_bytes());
                hasher.update(b"\0");
                hasher.update(&bytes);
                let source = String::from_utf8_lossy(&bytes);
                Some(crate::script::Prelude::compile(
                    &inner.rhai,
                    &path,
                    file.display().to_string(),
                    &source,
                )?)
            }
            None => None,
        };
        let mut components = Vec::new();
        let mut component_loads = ComponentLoads::default();
        let mut component_index: HashMap<PathBuf, usize> = HashMap::new();
        let mut modules = Vec::new();
        for spec in &manifest.modules {
            let path = files.path(&spec.source);
            let is_wasm = matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("wasm" | "wat")
            );
            if !files.exists(&spec.source) {
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
                        let bytes = files.read(&spec.source)?;
                        hasher.update(spec.source.to_string_lossy().as_bytes());
                        hasher.update(b"\0");
                        hasher.update(&bytes);
                        let carried = files.has_precompiled(&spec.source);
                        let shipped = carried
                            .then(|| files.precompiled(&code_name(&inner.engine_key, &bytes)))
                            .flatten();
                        let trusted = shipped
                            .filter(|_| inner.trust_precompiled)
                            .map(precompiled::Trusted::new);
                        let (rule, origin) = WasmRule::load(
                            &inner.wasm,
                            &inner.linker,
                            (inner.compile_cache.as_ref(), trusted),
                            &spec.id,
                            &path,
                            &bytes,
                        )?;
                        match origin {
                            Origin::Compiled => component_loads.compiled += 1,
                            Origin::Cached => component_loads.from_cache += 1,
                            Origin::Precompiled => component_loads.precompiled += 1,
                        }
                        if carried && origin != Origin::Precompiled {
                            component_loads.precompiled_unused += 1;
                        }
                        components.push(rule);
                        component_index.insert(path.clone(), components.len() - 1);
                        components.len() - 1
                    }
                };
                wasm_runner(spec, index, &components, &path)?
            } else {
                let bytes = files.read(&spec.source)?;
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
                // As for components: an explicit `entry` wins over the 0.1 kind's entry point.
                let entry = match (&spec.entry, spec.kind) {
                    (Some(entry), _) => (entry.as_str(), format!("entry `{entry}`")),
                    (None, Some(kind)) => (kind.entry_point(), format!("kind `{}`", kind.name())),
                    (None, None) => ("evaluate", "the default entry".to_owned()),
                };
                Runner::Rhai(ScriptRule::compile(
                    &inner.rhai,
                    &spec.id,
                    entry,
                    (&path, spec.source.display().to_string()),
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
        let limits = inner.limits.lowered_by(&manifest.limits).map_err(|error| {
            LoadError::LimitAboveCeiling {
                path: manifest_path.clone(),
                error,
            }
        })?;
        Ok(RulePack {
            engine,
            identity,
            dir: files.dir().to_path_buf(),
            bundle: None,
            manifest,
            params,
            vocabulary,
            limits,
            components,
            component_loads,
            modules,
        })
    }
}

/// How a module runs in component `index`: a 0.2 component's module by its `entry` (default: its
/// 0.1 kind's name if it gives one, else the module id), which the component must implement; a 0.1 component's export by the module's `kind`.
fn wasm_runner(
    spec: &ModuleSpec,
    index: usize,
    components: &[WasmRule],
    path: &Path,
) -> Result<Runner, LoadError> {
    let invalid = |message: String| LoadError::Component {
        module: spec.id.clone(),
        path: path.to_path_buf(),
        message,
    };
    let component = components
        .get(index)
        .ok_or_else(|| invalid(format!("no component #{index}")))?;
    match component.world() {
        World::V0_2 => {
            let entry = match (&spec.entry, spec.kind) {
                (Some(entry), _) => entry.clone(),
                (None, Some(kind)) => kind.name().to_owned(),
                (None, None) => spec.id.clone(),
            };
            let offered = component.modules().unwrap_or_default();
            if !offered.contains(&entry) {
                return Err(invalid(format!(
                    "the component has no module `{entry}` (it has: {}); set the module's `entry`",
                    offered.join(", ")
                )));
            }
            Ok(Runner::Wasm {
                index,
                entry,
                kind: spec.kind,
            })
        }
        World::V0_1 => {
            let kind = spec.kind.ok_or_else(|| {
                invalid(
                    "a crm:rules@0.1.0 component runs by kind: give the module a `kind` \
                     (billing, reminders or escalation)"
                        .to_owned(),
                )
            })?;
            Ok(Runner::Wasm {
                index,
                entry: kind.name().to_owned(),
                kind: Some(kind),
            })
        }
    }
}
