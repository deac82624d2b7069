//! The packs a server serves, by name, and their hot reload.
//!
//! Every folder under the packs directory that holds a `pack.toml` is a pack, and so is every
//! bundle (`*.crmpack`, from `crm-rules bundle`), served under the name its manifest gives. A reload loads every pack again to the side and then swaps the whole set in
//! one step: an evaluation holds the [`Served`] it started with (an `Arc`), so it finishes on that
//! version. A pack that fails to load keeps its previous version serving, and the failure is
//! reported with it (`GET /v1/packs/{name}`) until a reload succeeds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use crm_rules_host::{RuleEngine, RulePack};

/// Folders never searched for packs: a pack's fixtures, build output, version control.
const SKIPPED: &[&str] = &["fixtures", "target", ".git", "node_modules"];

/// How deep below the packs directory a `pack.toml` is looked for.
const MAX_DEPTH: usize = 6;

/// One served pack: its current version, and the last reload's failure if that reload failed.
pub struct Served {
    /// The version serving requests.
    pub pack: Arc<RulePack>,
    /// Why the last reload of this pack failed, and when; `None` when it loaded.
    pub last_error: Option<LoadFailure>,
}

/// A pack folder that did not load.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    /// The pack folder, relative to the packs directory.
    pub folder: String,
    /// The loader's message.
    pub message: String,
    /// When it failed.
    pub at: SystemTime,
}

/// The outcome of a load or reload.
#[derive(Debug, Default)]
pub struct ReloadReport {
    /// Packs (re)loaded, by name.
    pub loaded: Vec<String>,
    /// Folders that failed; a pack they held before keeps serving.
    pub failed: Vec<LoadFailure>,
    /// Packs no longer served (their folder is gone).
    pub removed: Vec<String>,
}

/// The set of served packs, swapped whole on reload.
pub struct Registry {
    engine: RuleEngine,
    dir: PathBuf,
    packs: RwLock<Arc<BTreeMap<String, Arc<Served>>>>,
    /// Folders that have never loaded: reported by `GET /v1/packs` so a typo is not silent.
    unloaded: RwLock<Vec<LoadFailure>>,
    /// One reload at a time.
    reloading: std::sync::Mutex<()>,
}

impl Registry {
    /// A registry over `dir`, with nothing loaded yet (see [`Registry::reload`]).
    pub fn new(engine: RuleEngine, dir: PathBuf) -> Registry {
        Registry {
            engine,
            dir,
            packs: RwLock::new(Arc::new(BTreeMap::new())),
            unloaded: RwLock::new(Vec::new()),
            reloading: std::sync::Mutex::new(()),
        }
    }

    /// The packs serving now: a snapshot, unaffected by later reloads.
    pub fn snapshot(&self) -> Arc<BTreeMap<String, Arc<Served>>> {
        Arc::clone(&self.packs.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The pack called `name`, as it is now.
    pub fn get(&self, name: &str) -> Option<Arc<Served>> {
        self.snapshot().get(name).cloned()
    }

    /// Folders that hold a `pack.toml` but have never loaded.
    pub fn unloaded(&self) -> Vec<LoadFailure> {
        self.unloaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The engine packs are loaded with (its limits are the host's ceilings).
    pub fn engine(&self) -> &RuleEngine {
        &self.engine
    }

    /// Loads every pack under the directory to the side, then swaps them in at once. Blocking:
    /// call it from a worker or a blocking task.
    ///
    /// # Errors
    /// Only when the directory itself cannot be read; single packs that fail are in the report.
    pub fn reload(&self) -> std::io::Result<ReloadReport> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let folders = find_packs(&self.dir)?;
        let before = self.snapshot();
        let mut next: BTreeMap<String, Arc<Served>> = BTreeMap::new();
        let mut report = ReloadReport::default();
        let mut unloaded = Vec::new();
        for folder in folders {
            let relative = folder
                .strip_prefix(&self.dir)
                .unwrap_or(&folder)
                .display()
                .to_string();
            match self.engine.load_pack(&folder) {
                Ok(pack) => {
                    let name = pack.identity().name.clone();
                    if next.contains_key(&name) {
                        let failure = failure(
                            &relative,
                            format!("another folder already serves a pack named \"{name}\""),
                        );
                        report.failed.push(failure.clone());
                        unloaded.push(failure);
                        continue;
                    }
                    report.loaded.push(name.clone());
                    let served = Served {
                        pack: Arc::new(pack),
                        last_error: None,
                    };
                    next.insert(name, Arc::new(served));
                }
                Err(error) => {
                    let failure = failure(&relative, error.to_string());
                    report.failed.push(failure.clone());
                    // The pack this folder served before (found by its folder) keeps serving.
                    let previous = before
                        .iter()
                        .find(|(_, served)| served.pack.dir() == folder.as_path());
                    match previous {
                        Some((name, served)) if !next.contains_key(name) => {
                            let kept = Served {
                                pack: Arc::clone(&served.pack),
                                last_error: Some(failure),
                            };
                            next.insert(name.clone(), Arc::new(kept));
                        }
                        _ => unloaded.push(failure),
                    }
                }
            }
        }
        report.removed = before
            .keys()
            .filter(|name| !next.contains_key(*name))
            .cloned()
            .collect();
        *self.packs.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(next);
        *self
            .unloaded
            .write()
            .unwrap_or_else(PoisonError::into_inner) = unloaded;
        Ok(report)
    }
}

fn failure(folder: &str, message: String) -> LoadFailure {
    LoadFailure {
        folder: folder.to_owned(),
        message,
        at: SystemTime::now(),
    }
}

/// Every folder under `dir` (itself included) that holds a `pack.toml`, and every bundle file
/// (`*.crmpack`), in path order. A pack's own sub-folders are searched too (a Rust twin beside its
/// Rhai pack), but never [`SKIPPED`].
fn find_packs(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), 0)];
    // The directory itself must be readable: that is the one error that is not per pack.
    std::fs::read_dir(dir)?;
    while let Some((folder, depth)) = pending.pop() {
        if folder.join("pack.toml").is_file() {
            found.push(folder.clone());
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let skipped = path
                .file_name()
                .and_then(|name| name.to_str())
                .is_none_or(|name| SKIPPED.contains(&name) || name.starts_with('.'));
            if path.is_dir() && !skipped {
                pending.push((path, depth + 1));
            } else if !skipped
                && path.is_file()
                && path.extension().is_some_and(|ext| ext == "crmpack")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}
