//! Writing a bundle: the files a pack loaded from a folder reads (and its fixtures), laid out as a
//! tree relative to the nearest folder holding them all, then checked by loading the bundle back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::container::{self, MAX_BUNDLE_BYTES, MAX_ENTRIES, Relative};
use super::precompiled::{self, IndexPrecompiled};
use super::read::{INDEX, Index, IndexFixtures, IndexPack};
use super::{BundleOptions, Bundled};
use crate::error::BundleError;
use crate::pack::RulePack;

/// One file to bundle: where it is read from, and where it is relative to the pack's folder.
struct Planned {
    read_from: PathBuf,
    relative: Relative,
}

/// The files of the bundle, before they have entry names.
#[derive(Default)]
struct Plan {
    files: Vec<Planned>,
    fixtures: Vec<Planned>,
}

/// The entries so far, and the bytes they will take.
#[derive(Default)]
struct Entries {
    map: BTreeMap<String, Vec<u8>>,
    total: u64,
}

impl Entries {
    /// Adds entry `name` (read from `from`), within the limits of a bundle.
    fn add(
        &mut self,
        dir: &Path,
        name: &str,
        bytes: Vec<u8>,
        from: &Path,
    ) -> Result<(), BundleError> {
        container::check_name(name)
            .map_err(|problem| unbundlable(from, format!("entry `{name}`: {problem}")))?;
        self.total = self
            .total
            .saturating_add(bytes.len() as u64 + name.len() as u64 + 10);
        if self.total > MAX_BUNDLE_BYTES || self.map.len() >= MAX_ENTRIES {
            return Err(unbundlable(
                dir,
                format!(
                    "the pack is larger than a bundle may be ({MAX_BUNDLE_BYTES} bytes, \
                     {MAX_ENTRIES} files)"
                ),
            ));
        }
        self.map.insert(name.to_owned(), bytes);
        Ok(())
    }
}

fn unbundlable(path: &Path, message: impl Into<String>) -> BundleError {
    BundleError::Unbundlable {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn relative(dir: &Path, path: &Path) -> Result<Relative, BundleError> {
    Relative::of(path).ok_or_else(|| {
        unbundlable(
            &dir.join(path),
            format!(
                "`{}` is an absolute path, or not UTF-8: a bundle holds paths relative to the \
                 pack's folder",
                path.display()
            ),
        )
    })
}

fn read(path: &Path) -> Result<Vec<u8>, BundleError> {
    std::fs::read(path).map_err(|source| BundleError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `pack`, loaded from a folder, as a bundle. See [`super::write`].
pub(super) fn write(pack: &RulePack, options: &BundleOptions) -> Result<Bundled, BundleError> {
    let dir = pack.dir();
    if pack.bundle_digest().is_some() {
        return Err(unbundlable(
            dir,
            "it is a bundle already; bundle the pack's folder",
        ));
    }
    let mut plan = Plan::default();
    let manifest = pack.manifest();
    let mut sources: Vec<&Path> = vec![Path::new("pack.toml")];
    sources.extend(manifest.pack.params_file.as_deref());
    sources.extend(manifest.pack.rhai_prelude.as_deref());
    sources.extend(
        manifest
            .modules
            .iter()
            .map(|module| module.source.as_path()),
    );
    for source in sources {
        let relative = relative(dir, source)?;
        if !plan.files.iter().any(|file| file.relative == relative) {
            plan.files.push(Planned {
                read_from: dir.join(source),
                relative,
            });
        }
    }
    let fixtures_dir = manifest
        .pack
        .fixtures
        .clone()
        .unwrap_or_else(|| PathBuf::from("fixtures"));
    let fixtures_relative = relative(dir, &fixtures_dir)?;
    if options.fixtures {
        plan_fixtures(&mut plan, &dir.join(&fixtures_dir), &fixtures_dir, dir)?;
    }
    let climbs = plan
        .files
        .iter()
        .chain(&plan.fixtures)
        .map(|file| file.relative.ups)
        .chain([fixtures_relative.ups])
        .max()
        .unwrap_or(0);
    let names = folder_names(dir, climbs)?;
    let entry = |relative: &Relative| -> String {
        let kept = names.len().saturating_sub(relative.ups);
        let mut parts: Vec<&str> = names.iter().take(kept).map(String::as_str).collect();
        parts.extend(relative.names.iter().map(String::as_str));
        parts.join("/")
    };
    let mut entries = Entries::default();
    let mut files = Vec::new();
    for file in &plan.files {
        let name = entry(&file.relative);
        entries.add(dir, &name, read(&file.read_from)?, &file.read_from)?;
        files.push(name);
    }
    let mut fixture_files = Vec::new();
    for file in &plan.fixtures {
        let name = entry(&file.relative);
        if !entries.map.contains_key(&name) {
            entries.add(dir, &name, read(&file.read_from)?, &file.read_from)?;
        }
        fixture_files.push(name);
    }
    // Two spellings of one file (`a.rhai`, `../pack/a.rhai`) are one entry.
    files.sort();
    files.dedup();
    let mut code: Vec<IndexPrecompiled> = Vec::new();
    if options.precompile {
        for module in &manifest.modules {
            let source_entry = entry(&relative(dir, &module.source)?);
            if code.iter().any(|code| code.source == source_entry) {
                continue;
            }
            let Some(source_bytes) = entries.map.get(&source_entry) else {
                continue;
            };
            let Some(component) = pack.component_of(&module.source) else {
                continue;
            };
            let from = dir.join(&module.source);
            let engine_key = &pack.engine().inner.engine_key;
            let compiled = precompiled::compile(component, engine_key, source_bytes, &source_entry)
                .map_err(|message| unbundlable(&from, message))?;
            entries.add(dir, &compiled.index.entry, compiled.bytes, &from)?;
            code.push(compiled.index);
        }
        code.sort_by(|a, b| a.entry.cmp(&b.entry));
    }
    fixture_files.sort();
    fixture_files.dedup();
    let identity = pack.identity();
    let index = Index {
        pack: IndexPack {
            name: identity.name.clone(),
            version: identity.version.clone(),
            hash: identity.hash.clone(),
        },
        root: names.join("/"),
        files,
        fixtures: options.fixtures.then(|| IndexFixtures {
            dir: entry(&fixtures_relative),
            files: fixture_files.clone(),
        }),
        precompiled: code,
    };
    let mut index_bytes = serde_json::to_vec_pretty(&index)
        .map_err(|error| unbundlable(dir, format!("the index cannot be written: {error}")))?;
    index_bytes.push(b'\n');
    entries.add(dir, INDEX, index_bytes, dir)?;
    let (bytes, digest) = container::encode(&entries.map);
    let loaded = pack
        .engine()
        .load_pack_bytes(&bytes)
        .map_err(|error| BundleError::Verify(Box::new(error)))?;
    if loaded.identity() != identity {
        return Err(BundleError::Verify(Box::new(crate::LoadError::Bundle {
            path: dir.to_path_buf(),
            message: format!(
                "it loads as {} {} {}, the folder as {} {} {}",
                loaded.identity().name,
                loaded.identity().version,
                loaded.identity().hash,
                identity.name,
                identity.version,
                identity.hash
            ),
        })));
    }
    Ok(Bundled {
        bytes,
        digest,
        pack: identity.clone(),
        files: index.files.len(),
        fixture_files: fixture_files.len(),
        precompiled: index.precompiled.len(),
    })
}

/// Adds to `plan` what `crate::fixture::load_all` reads in `folder` (the fixtures folder, at
/// `relative_dir` from the pack's folder `dir`): every `*.json` file directly in it, and every
/// base they name that exists. A folder that does not exist adds nothing.
fn plan_fixtures(
    plan: &mut Plan,
    folder: &Path,
    relative_dir: &Path,
    dir: &Path,
) -> Result<(), BundleError> {
    let Ok(listing) = std::fs::read_dir(folder) else {
        return Ok(());
    };
    let mut files: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json") && path.is_file())
        .collect();
    files.sort();
    for file in files {
        let Some(name) = file.file_name() else {
            continue;
        };
        let bytes = read(&file)?;
        // A file that is not a fixture file still goes in: `crm-rules test` on the bundle then
        // reports it as it does on the folder.
        let base = String::from_utf8(bytes)
            .ok()
            .and_then(|text| crate::json::parse_json(&text).ok())
            .and_then(|value| value.get("base").and_then(Value::as_str).map(PathBuf::from));
        plan.fixtures.push(Planned {
            relative: relative(dir, &relative_dir.join(name))?,
            read_from: file.clone(),
        });
        if let Some(base) = base {
            let read_from = folder.join(&base);
            let relative = relative(dir, &relative_dir.join(&base))?;
            if read_from.is_file() && !plan.fixtures.iter().any(|file| file.relative == relative) {
                plan.fixtures.push(Planned {
                    read_from,
                    relative,
                });
            }
        }
    }
    Ok(())
}

/// The names of the last `count` folders of `dir`'s canonical path: the folders between the one
/// holding everything the pack reads and the pack's own.
fn folder_names(dir: &Path, count: usize) -> Result<Vec<String>, BundleError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let canonical = std::fs::canonicalize(dir).map_err(|source| BundleError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let names: Vec<String> = canonical
        .iter()
        .skip(usize::from(canonical.has_root()))
        .map(|name| name.to_str().map(str::to_owned))
        .collect::<Option<_>>()
        .ok_or_else(|| unbundlable(dir, "a folder name is not UTF-8"))?;
    let start = names
        .len()
        .checked_sub(count)
        .ok_or_else(|| unbundlable(dir, "the pack reads files above the file system's root"))?;
    Ok(names.get(start..).unwrap_or_default().to_vec())
}
