//! Hostile bundles: each is well formed as a container, with a matching digest, and is still
//! refused for what it holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::container::{self, MAGIC, MAX_ENTRIES, VERSION};
use super::read::INDEX;
use super::{BundleOptions, write};
use crate::{EngineOptions, Limits, LoadError, RhaiMemory, RuleEngine};

pub(super) fn engine() -> RuleEngine {
    RuleEngine::with_options(
        EngineOptions::new(Limits::default())
            .rhai_memory(RhaiMemory::SizeLimits)
            .instance_pool(None),
    )
    .unwrap()
}

const MANIFEST: &str = "[pack]\nname = \"t\"\nversion = \"1\"\nparams_file = \"../shared.toml\"\n\n\
                        [[modules]]\nid = \"r\"\nkind = \"reminders\"\nsource = \"r.rhai\"\n";

/// A pack in a scratch folder (`name`), `pack/` beside the parameter file it shares, bundled;
/// returns the bundle's entries and its index.
pub(super) fn good(engine: &RuleEngine, name: &str) -> (BTreeMap<String, Vec<u8>>, Value) {
    let dir = std::env::temp_dir().join(format!(
        "crm-rules-bundle-unit-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("pack/fixtures")).unwrap();
    std::fs::write(dir.join("pack/pack.toml"), MANIFEST).unwrap();
    std::fs::write(
        dir.join("pack/r.rhai"),
        "fn evaluate_reminders(ctx) { #{} }\n",
    )
    .unwrap();
    std::fs::write(dir.join("shared.toml"), "limit = 3\n").unwrap();
    let pack = engine.load_pack(dir.join("pack")).unwrap();
    let bundled = write(&pack, &BundleOptions::default()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    opened(&bundled.bytes)
}

/// A bundle's entries, and its index.
pub(super) fn opened(bytes: &[u8]) -> (BTreeMap<String, Vec<u8>>, Value) {
    let entries: BTreeMap<String, Vec<u8>> = container::decode(bytes)
        .unwrap()
        .entries
        .iter()
        .map(|(name, bytes)| ((*name).to_owned(), bytes.to_vec()))
        .collect();
    let index = serde_json::from_slice(&entries[INDEX]).unwrap();
    (entries, index)
}

pub(super) fn with_index(mut entries: BTreeMap<String, Vec<u8>>, index: &Value) -> Vec<u8> {
    entries.insert(INDEX.to_owned(), serde_json::to_vec(index).unwrap());
    container::encode(&entries).0
}

/// The message of the [`LoadError::Bundle`] loading `bytes` gives.
pub(super) fn refusal(engine: &RuleEngine, bytes: &[u8]) -> String {
    match engine.load_pack_bytes(bytes) {
        Err(LoadError::Bundle { message, .. }) => message,
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("it loaded"),
    }
}

#[test]
fn the_pack_is_laid_out_relative_to_the_folder_holding_all_it_reads() {
    let engine = engine();
    let (entries, index) = good(&engine, "layout");
    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [INDEX, "pack/pack.toml", "pack/r.rhai", "shared.toml"]
    );
    assert_eq!(index["root"], "pack");
    assert_eq!(
        index["fixtures"],
        json!({"dir": "pack/fixtures", "files": []})
    );
    // The manifest is kept byte for byte: `../shared.toml` resolves inside the bundle.
    assert_eq!(entries["pack/pack.toml"], MANIFEST.as_bytes());
    let loaded = engine
        .load_pack_bytes(&with_index(entries, &index))
        .unwrap();
    assert_eq!(loaded.dir(), Path::new("<bundle>"));
    assert_eq!(
        loaded.fixtures_dir(),
        PathBuf::from("<bundle>/pack/fixtures")
    );
    assert!(loaded.load_fixtures().unwrap().cases.is_empty());
}

#[test]
fn every_entry_is_in_the_index_and_every_listed_entry_is_there() {
    let engine = engine();
    let (mut entries, index) = good(&engine, "listed");
    let mut extra = entries.clone();
    extra.insert("pack/notes.txt".to_owned(), b"hello".to_vec());
    assert_eq!(
        refusal(&engine, &with_index(extra, &index)),
        "entry `pack/notes.txt` is not in its index (a bundle holds only what its pack loads)"
    );
    entries.remove("shared.toml");
    assert_eq!(
        refusal(&engine, &with_index(entries.clone(), &index)),
        "its index lists `shared.toml`, which it does not hold"
    );
    entries.remove(INDEX);
    assert!(refusal(&engine, &container::encode(&entries).0).starts_with("it has no index"));
}

#[test]
fn the_index_is_checked() {
    let engine = engine();
    let (entries, index) = good(&engine, "index");
    let mut unknown = index.clone();
    unknown["signature"] = json!({});
    assert!(
        refusal(&engine, &with_index(entries.clone(), &unknown))
            .contains("unknown field `signature`")
    );
    let mut climbing = index.clone();
    climbing["files"] = json!(["../etc/passwd", "pack/pack.toml"]);
    assert!(refusal(&engine, &with_index(entries.clone(), &climbing)).contains("a `..` component"));
    let mut twice = index.clone();
    twice["files"] = json!(["pack/pack.toml", "pack/pack.toml"]);
    assert!(refusal(&engine, &with_index(entries.clone(), &twice)).ends_with("listed twice"));
    let mut rootless = index.clone();
    rootless["root"] = json!("elsewhere");
    assert_eq!(
        refusal(&engine, &with_index(entries.clone(), &rootless)),
        "its index lists no `pack.toml` at its root"
    );
    let mut unhashed = index;
    unhashed["pack"]["hash"] = json!("md5:0");
    assert!(refusal(&engine, &with_index(entries, &unhashed)).contains("is not a pack hash"));
}

#[test]
fn a_changed_file_with_a_new_digest_does_not_pass_for_the_pack() {
    let engine = engine();
    let (mut entries, index) = good(&engine, "tampered");
    entries.insert("shared.toml".to_owned(), b"limit = 4\n".to_vec());
    let message = refusal(&engine, &with_index(entries, &index));
    assert!(
        message.starts_with("its index records t 1 sha256:"),
        "{message}"
    );
    assert!(
        message.contains("but its files load as t 1 sha256:"),
        "{message}"
    );
}

#[test]
fn a_path_out_of_the_bundle_is_never_read_from_disk() {
    let engine = engine();
    let (mut entries, mut index) = good(&engine, "escape");
    let manifest = MANIFEST.replace("../shared.toml", "../../shared.toml");
    entries.insert("pack/pack.toml".to_owned(), manifest.into_bytes());
    index["pack"]["hash"] = json!(format!("sha256:{}", "0".repeat(64)));
    assert_eq!(
        refusal(&engine, &with_index(entries, &index)),
        "`../../shared.toml` is not in the bundle"
    );
}

#[test]
fn counts_past_the_limit_are_refused_before_anything_is_read() {
    use sha2::Digest as _;
    let body = u32::try_from(MAX_ENTRIES + 1).unwrap().to_le_bytes();
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&sha2::Sha256::digest(body));
    bytes.extend_from_slice(&body);
    assert_eq!(
        refusal(&engine(), &bytes),
        format!(
            "malformed: {} entries, more than the limit of {MAX_ENTRIES}",
            MAX_ENTRIES + 1
        )
    );
}

#[test]
fn a_bundle_is_not_bundled_again() {
    let engine = engine();
    let (entries, index) = good(&engine, "again");
    let loaded = engine
        .load_pack_bytes(&with_index(entries, &index))
        .unwrap();
    let error = write(&loaded, &BundleOptions::default()).unwrap_err();
    assert!(
        error.to_string().contains("it is a bundle already"),
        "{error}"
    );
}
