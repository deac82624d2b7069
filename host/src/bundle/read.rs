//! Reading a bundle: its container, then its index, checked against its entries; and the lookups
//! the pack loader and the fixture loader make in it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::container::{self, Relative};
use super::precompiled::{self, IndexPrecompiled};
use crate::error::LoadError;

/// The name of the index entry.
pub(crate) const INDEX: &str = ".crmpack/index.json";

/// The largest index read.
const MAX_INDEX_BYTES: usize = 16 << 20;

/// The bundle's index, `.crmpack/index.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Index {
    /// The pack it holds, as loading its folder identifies it.
    pub(crate) pack: IndexPack,
    /// The pack's folder inside the bundle (where its `pack.toml` is); empty at the top.
    pub(crate) root: String,
    /// The entries the pack loads: its manifest, parameter file, prelude and module sources.
    pub(crate) files: Vec<String>,
    /// The fixtures, or `null` when the pack was bundled without them.
    pub(crate) fixtures: Option<IndexFixtures>,
    /// The components' native code, when the pack was bundled with it (`--precompile`); left
    /// out of the index when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) precompiled: Vec<IndexPrecompiled>,
}

/// The pack's identity, in the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndexPack {
    /// Its name.
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
    /// Its hash (`sha256:...`), which loading the bundle must give.
    pub(crate) hash: String,
}

/// The bundled fixtures.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IndexFixtures {
    /// The fixtures folder inside the bundle.
    pub(crate) dir: String,
    /// Every fixture file (`*.json` of that folder) and every base they name that the folder
    /// held.
    pub(crate) files: Vec<String>,
}

/// A bundle, read and checked: its entries own their bytes.
pub(crate) struct Bundle {
    /// The bundle file, or `<bundle>`: what messages name.
    pub(crate) label: PathBuf,
    /// Its digest (`sha256:...`).
    pub(crate) digest: String,
    /// Its index.
    pub(crate) index: Index,
    /// The entries the pack loads.
    files: BTreeMap<String, Vec<u8>>,
    /// The fixture entries.
    fixtures: BTreeMap<String, Vec<u8>>,
    /// The precompiled entries.
    precompiled: BTreeMap<String, Vec<u8>>,
}

impl Bundle {
    /// Reads `bytes` as a bundle; `label` names it in messages.
    ///
    /// # Errors
    /// A [`LoadError::Bundle`] saying what is wrong.
    pub(crate) fn read(label: &Path, bytes: &[u8]) -> Result<Bundle, LoadError> {
        let invalid = |message: String| LoadError::Bundle {
            path: label.to_path_buf(),
            message,
        };
        let decoded = container::decode(bytes).map_err(invalid)?;
        let mut entries = decoded.entries;
        let index = entries
            .remove(INDEX)
            .ok_or_else(|| invalid(format!("it has no index (`{INDEX}`)")))?;
        if index.len() > MAX_INDEX_BYTES {
            return Err(invalid(format!(
                "its index is {} bytes, more than the limit of {MAX_INDEX_BYTES}",
                index.len()
            )));
        }
        let index: Index = serde_json::from_slice(index)
            .map_err(|error| invalid(format!("its index (`{INDEX}`) cannot be read: {error}")))?;
        index.check().map_err(invalid)?;
        let listed = |names: &[String]| -> Result<BTreeMap<String, Vec<u8>>, LoadError> {
            names
                .iter()
                .map(|name| match entries.get(name.as_str()) {
                    Some(bytes) => Ok((name.clone(), bytes.to_vec())),
                    None => Err(invalid(format!(
                        "its index lists `{name}`, which it does not hold"
                    ))),
                })
                .collect()
        };
        let files = listed(&index.files)?;
        let fixtures = listed(index.fixtures.as_ref().map_or(&[], |set| &set.files))?;
        let code: Vec<String> = index
            .precompiled
            .iter()
            .map(|code| code.entry.clone())
            .collect();
        let precompiled = listed(&code)?;
        if let Some(unknown) = entries.keys().find(|name| {
            !files.contains_key(**name)
                && !fixtures.contains_key(**name)
                && !precompiled.contains_key(**name)
        }) {
            return Err(invalid(format!(
                "entry `{unknown}` is not in its index (a bundle holds only what its pack loads)"
            )));
        }
        Ok(Bundle {
            label: label.to_path_buf(),
            digest: decoded.digest,
            index,
            files,
            fixtures,
            precompiled,
        })
    }

    /// The native code named `name` (see `super::precompiled`), if the bundle carries it.
    pub(crate) fn precompiled(&self, name: &str) -> Option<&[u8]> {
        self.precompiled
            .get(&precompiled::entry(name))
            .map(Vec::as_slice)
    }

    /// Whether the bundle carries native code, for any engine configuration, for the component
    /// the manifest calls `relative`.
    pub(crate) fn has_precompiled(&self, relative: &Path) -> bool {
        let Some(source) = self.entry_of(relative) else {
            return false;
        };
        self.index
            .precompiled
            .iter()
            .any(|code| code.source == source)
    }

    /// The entry that `relative` (a path as the manifest writes it, relative to the pack's folder)
    /// names, when it stays inside the bundle.
    pub(crate) fn entry_of(&self, relative: &Path) -> Option<String> {
        Relative::of(&Path::new(&self.index.root).join(relative))?.entry()
    }

    /// Where `relative` is, for messages: the bundle's label, then the entry (or `relative` as
    /// written, when it names none).
    pub(crate) fn path(&self, relative: &Path) -> PathBuf {
        match self.entry_of(relative) {
            Some(entry) => self.label.join(entry),
            None => self.label.join(relative),
        }
    }

    /// The bytes of the pack file `relative`, if the bundle holds it.
    pub(crate) fn file(&self, relative: &Path) -> Option<&[u8]> {
        self.files.get(&self.entry_of(relative)?).map(Vec::as_slice)
    }

    /// The bundled fixtures, taken out of the bundle; `None` when it was made without them.
    pub(crate) fn take_fixtures(&mut self) -> Option<BundledFixtures> {
        let set = self.index.fixtures.as_ref()?;
        Some(BundledFixtures {
            label: self.label.clone(),
            dir: set.dir.clone(),
            files: std::mem::take(&mut self.fixtures),
        })
    }
}

/// A bundle's fixtures, kept by the pack loaded from it.
#[derive(Debug)]
pub(crate) struct BundledFixtures {
    label: PathBuf,
    dir: String,
    files: BTreeMap<String, Vec<u8>>,
}

impl BundledFixtures {
    /// The fixtures folder, for messages.
    pub(crate) fn dir(&self) -> PathBuf {
        self.label.join(&self.dir)
    }

    /// The fixture files: the `*.json` entries directly in the fixtures folder, sorted, as paths
    /// under the bundle's label (what [`BundledFixtures::read`] takes).
    pub(crate) fn list(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self
            .files
            .keys()
            .map(Path::new)
            .filter(|name| {
                name.parent() == Some(Path::new(&self.dir))
                    && name.extension().is_some_and(|ext| ext == "json")
            })
            .map(|name| self.label.join(name))
            .collect();
        files.sort();
        files
    }

    /// The text of the fixture entry at `path` (a listed file, or a base resolved from one).
    ///
    /// # Errors
    /// Not found when the bundle does not hold it; invalid data when it is not UTF-8.
    pub(crate) fn read(&self, path: &Path) -> std::io::Result<String> {
        let bytes = path
            .strip_prefix(&self.label)
            .ok()
            .and_then(Relative::of)
            .and_then(|relative| relative.entry())
            .and_then(|entry| self.files.get(&entry))
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, "the bundle does not hold it")
            })?;
        String::from_utf8(bytes.clone()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            )
        })
    }
}

impl Index {
    /// Whether the index is well formed: every name valid, none twice, `pack.toml` at its root,
    /// and a pack hash of the form `sha256:<64 hex digits>`.
    fn check(&self) -> Result<(), String> {
        let problem = |what: &str, name: &str, problem: String| {
            format!("its index: {what} `{}`: {problem}", name.escape_debug())
        };
        if !self.root.is_empty() {
            container::check_name(&self.root)
                .map_err(|error| problem("root", &self.root, error))?;
        }
        let mut seen = BTreeSet::new();
        for name in &self.files {
            container::check_name(name).map_err(|error| problem("file", name, error))?;
            if !seen.insert(name) {
                return Err(problem("file", name, "listed twice".to_owned()));
            }
        }
        let manifest =
            Relative::of(&Path::new(&self.root).join("pack.toml")).and_then(|at| at.entry());
        if !manifest.is_some_and(|manifest| seen.contains(&manifest)) {
            return Err("its index lists no `pack.toml` at its root".to_owned());
        }
        if let Some(fixtures) = &self.fixtures {
            container::check_name(&fixtures.dir)
                .map_err(|error| problem("fixtures folder", &fixtures.dir, error))?;
            let mut seen = BTreeSet::new();
            for name in &fixtures.files {
                container::check_name(name).map_err(|error| problem("fixture", name, error))?;
                if !seen.insert(name) {
                    return Err(problem("fixture", name, "listed twice".to_owned()));
                }
            }
        }
        precompiled::check(&self.precompiled, &seen)?;
        let hex = self.pack.hash.strip_prefix("sha256:").unwrap_or_default();
        if hex.len() != 64 || !hex.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(format!(
                "its index: `{}` is not a pack hash (`sha256:` and 64 hex digits)",
                self.pack.hash.escape_debug()
            ));
        }
        Ok(())
    }
}

/// Reads the file at `path` for [`crate::RuleEngine::load_pack`]: at most [`container::MAX_BUNDLE_BYTES`].
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read as _;
    let io = |source: std::io::Error| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(container::MAX_BUNDLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if !bytes.starts_with(&container::MAGIC) {
        let hint = if path.file_name().is_some_and(|name| name == "pack.toml") {
            "give the folder that holds this manifest"
        } else {
            "give a pack folder (holding pack.toml) or a bundle (`crm-rules bundle`)"
        };
        return Err(LoadError::Bundle {
            path: path.to_path_buf(),
            message: format!(
                "a file that does not start with the bundle header, so not a bundle; {hint}"
            ),
        });
    }
    Ok(bytes)
}
