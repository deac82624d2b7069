//! The compile cache: a second load maps the compiled component instead of compiling it, decides the
//! same, and a damaged or foreign entry is compiled again rather than trusted.

use std::path::{Path, PathBuf};

use crm_rules_host::{ComponentLoads, EngineOptions, Limits, RuleEngine, RulePack};

/// A fresh, empty cache directory of its own for each test.
fn cache_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("compile-cache-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A new engine (as a new process would have) using `dir`, and the standard component loaded by it.
fn load(dir: &Path) -> RulePack {
    let options = EngineOptions::new(Limits::default())
        .compile_cache(Some(dir.to_path_buf()))
        .instance_pool(None);
    RuleEngine::with_options(options)
        .expect("engine")
        .load_pack(crm_rules_tests::standard_rust())
        .expect("pack")
}

fn loads(compiled: usize, from_cache: usize) -> ComponentLoads {
    let mut loads = ComponentLoads::default();
    loads.compiled = compiled;
    loads.from_cache = from_cache;
    loads
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|read| {
            read.filter_map(|entry| entry.ok().map(|e| e.path()))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries
}

#[test]
fn the_second_load_comes_from_the_cache_and_decides_the_same() {
    let dir = cache_dir("second-load");
    let first = load(&dir);
    assert_eq!(first.component_loads(), loads(1, 0));
    assert_eq!(entries(&dir).len(), 1, "one entry per component");
    let second = load(&dir);
    assert_eq!(second.component_loads(), loads(0, 1));
    assert_eq!(first.identity(), second.identity());
    let ctx =
        crm_rules_host::json::context_from_value(&crm_rules_tests::realistic_context(7)).unwrap();
    let (a, b) = (first.evaluate(&ctx), second.evaluate(&ctx));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.to_json(), b.to_json());
}

#[test]
fn a_damaged_entry_is_compiled_again_and_replaced() {
    let dir = cache_dir("damaged");
    load(&dir);
    let [entry] = entries(&dir).try_into().expect("one entry");
    let bytes = std::fs::read(&entry).unwrap();
    for damaged in [
        &bytes[..bytes.len() / 2],
        b"not a compiled component".as_slice(),
    ] {
        std::fs::write(&entry, damaged).unwrap();
        let pack = load(&dir);
        assert_eq!(
            pack.component_loads(),
            loads(1, 0),
            "a damaged entry is not used"
        );
        assert!(pack.evaluate(&some_context()).errors.is_empty());
        assert_eq!(
            load(&dir).component_loads(),
            loads(0, 1),
            "and was replaced"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_directory_others_may_write_is_not_used() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = cache_dir("shared");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_eq!(load(&dir).component_loads(), loads(1, 0));
    assert_eq!(load(&dir).component_loads(), loads(1, 0));
    assert!(entries(&dir).is_empty(), "nothing is written there either");
}

#[test]
fn without_a_cache_every_load_compiles() {
    let pack = super::engine()
        .load_pack(crm_rules_tests::standard_rust())
        .expect("pack");
    assert_eq!(pack.component_loads(), loads(1, 0));
}

fn some_context() -> crm_rules_host::types::Context {
    crm_rules_host::json::context_from_value(&crm_rules_tests::random_context(3)).unwrap()
}
