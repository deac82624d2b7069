//! Pack bundles: a folder and its bundle load to the same pack (same hash) and decide alike, the
//! bundle needs nothing beside it, and a damaged bundle is refused with a message saying how.

use std::path::{Path, PathBuf};

use crm_rules_host::batch::{BatchOptions, run_batch};
use crm_rules_host::bundle::{self, BundleOptions};
use crm_rules_host::fixture;
use crm_rules_host::{LoadError, RulePack};

use crate::engine;

/// The packs the tests bundle: a `params_file` and fixtures outside the folder and a prelude
/// (`standard/rhai`), a component (`standard/rust`), and two example packs with their own fixtures.
fn packs() -> Vec<PathBuf> {
    let root = crm_rules_tests::root();
    [
        "rules/standard/rhai",
        "rules/standard/rust",
        "rules/examples/overdue-states",
        "examples/packs/late-fees",
    ]
    .iter()
    .map(|pack| root.join(pack))
    .collect()
}

fn load(path: &Path) -> RulePack {
    engine()
        .load_pack(path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn bundled(pack: &RulePack) -> bundle::Bundled {
    bundle::write(pack, &BundleOptions::default()).expect("bundled")
}

/// An empty scratch folder, private to this process and `name`.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crm-rules-bundle-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// The batch output of `pack` over `examples/book.ndjson`.
fn decide_book(pack: &RulePack) -> Vec<u8> {
    let book = std::fs::read(crm_rules_tests::root().join("examples/book.ndjson")).expect("book");
    let mut output = Vec::new();
    let options = BatchOptions {
        threads: 2,
        ..BatchOptions::default()
    };
    run_batch(pack, book.as_slice(), &mut output, &options).expect("batch");
    output
}

#[test]
fn a_bundle_loads_to_its_folders_pack_and_decides_alike() {
    let dir = scratch("same");
    for folder in packs() {
        let from_folder = load(&folder);
        let bundled = bundled(&from_folder);
        assert_eq!(
            bundled.pack,
            *from_folder.identity(),
            "{}",
            folder.display()
        );
        // From bytes, and from a file alone in a folder of its own: nothing outside it is read.
        let from_bytes = engine()
            .load_pack_bytes(&bundled.bytes)
            .expect("from bytes");
        let file = dir.join(bundle::default_file_name(&bundled.pack));
        std::fs::write(&file, &bundled.bytes).expect("bundle written");
        let from_file = load(&file);
        for pack in [&from_bytes, &from_file] {
            assert_eq!(
                pack.identity(),
                from_folder.identity(),
                "{}",
                folder.display()
            );
            assert_eq!(pack.bundle_digest(), Some(bundled.digest.as_str()));
        }
        assert_eq!(from_file.dir(), file);
        assert_eq!(from_folder.bundle_digest(), None);
        let expected = decide_book(&from_folder);
        assert!(!expected.is_empty());
        assert!(
            decide_book(&from_file) == expected,
            "{}: the bundle decides the book otherwise",
            folder.display()
        );
    }
    std::fs::remove_dir_all(&dir).expect("scratch removed");
}

#[test]
fn bundling_twice_gives_the_same_bytes() {
    let pack = load(&crm_rules_tests::standard_rhai());
    let (first, second) = (bundled(&pack), bundled(&pack));
    assert!(first.bytes == second.bytes);
    assert_eq!(first.digest, second.digest);
    assert!(bundle::is_bundle(&first.bytes));
    assert_eq!(
        bundle::default_file_name(pack.identity()),
        "standard-rhai-0.2.0.crmpack"
    );
}

#[test]
fn bundled_fixtures_load_and_pass_as_the_folders_do() {
    for folder in packs() {
        let from_folder = load(&folder);
        let from_bundle = engine()
            .load_pack_bytes(&bundled(&from_folder).bytes)
            .expect("bundle loads");
        let (expected, actual) = (
            from_folder.load_fixtures().expect("folder fixtures"),
            from_bundle.load_fixtures().expect("bundled fixtures"),
        );
        assert!(expected.errors.is_empty() && actual.errors.is_empty());
        assert!(!actual.cases.is_empty(), "{}", folder.display());
        assert!(from_bundle.has_fixtures());
        assert_eq!(actual.cases.len(), expected.cases.len());
        for (case, original) in actual.cases.iter().zip(&expected.cases) {
            assert_eq!(case.case.name, original.case.name);
            assert_eq!(case.input, original.input, "{}", case.case.name);
            assert_eq!(case.file.file_name(), original.file.file_name());
            let result = fixture::run_case(&from_bundle, case);
            assert!(
                result.passed(),
                "{}: {:?}",
                case.case.name,
                result.mismatches
            );
        }
    }
    let standard = load(&crm_rules_tests::standard_rhai());
    let cases = engine()
        .load_pack_bytes(&bundled(&standard).bytes)
        .map(|pack| pack.load_fixtures().expect("fixtures").cases.len())
        .expect("bundle loads");
    assert_eq!(cases, 163);
}

#[test]
fn a_bundle_without_fixtures_loads_and_says_it_has_none() {
    let pack = load(&crm_rules_tests::standard_rhai());
    let with = bundled(&pack);
    let without = bundle::write(
        &pack,
        &BundleOptions {
            fixtures: false,
            ..BundleOptions::default()
        },
    )
    .expect("bundled");
    assert_eq!(without.fixture_files, 0);
    assert!(without.bytes.len() < with.bytes.len());
    let loaded = engine().load_pack_bytes(&without.bytes).expect("loads");
    assert_eq!(loaded.identity(), pack.identity());
    assert!(!loaded.has_fixtures());
    assert_eq!(loaded.fixtures_dir(), Path::new("<bundle>/fixtures"));
    let error = loaded.load_fixtures().expect_err("no fixtures");
    assert!(
        error.message.contains("the bundle has no fixtures"),
        "{error}"
    );
}

#[test]
fn a_damaged_bundle_is_refused_saying_how() {
    let bytes = bundled(&load(&crm_rules_tests::standard_rhai())).bytes;
    let message = |bytes: &[u8]| match engine().load_pack_bytes(bytes) {
        Err(LoadError::Bundle { path, message }) => {
            assert_eq!(path, Path::new("<bundle>"));
            message
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("a damaged bundle loaded"),
    };
    for at in [60, bytes.len() / 2, bytes.len() - 1] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x20;
        let shown = message(&flipped);
        assert!(
            shown.starts_with("corrupted") || shown.starts_with("truncated or corrupted"),
            "byte {at}: {shown}"
        );
    }
    assert!(message(&bytes[..bytes.len() - 10]).starts_with("truncated or corrupted ("));
    assert!(message(&bytes[..30]).starts_with("truncated: "));
    let mut newer = bytes.clone();
    newer[8] = 9;
    assert!(message(&newer).starts_with("format version 9;"));
    assert!(message(b"[pack]\nname = \"x\"\n").contains("does not start with the bundle header"));
    // A file that is not a bundle, given as a pack, says so.
    let manifest = crm_rules_tests::standard_rhai().join("pack.toml");
    let error = engine().load_pack(&manifest).err().expect("refused");
    assert!(
        error
            .to_string()
            .contains("give the folder that holds this manifest"),
        "{error}"
    );
}
