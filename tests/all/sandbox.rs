//! Load-time refusals: components that import anything beyond `crm:rules`, scripts that do not
//! compile, missing entry points.

use crm_rules_host::LoadError;

fn load(dir: &str) -> Result<crm_rules_host::RulePack, LoadError> {
    super::engine().load_pack(crm_rules_tests::root().join(dir))
}

#[test]
fn a_component_importing_wasi_is_refused_naming_the_import() {
    let Err(error) = load("tests/hostile/wasi-import") else {
        panic!("a WASI-importing component loaded");
    };
    assert!(
        matches!(&error, LoadError::ForbiddenImport { import, module, .. }
            if import == "wasi:cli/environment@0.2.0" && module == "sneaky"),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("imports `wasi:cli/environment@0.2.0`")
    );
}

#[test]
fn a_script_syntax_error_points_at_line_and_column() {
    let Err(error) = load("tests/hostile/syntax-error") else {
        panic!("a broken script loaded");
    };
    let LoadError::Script {
        line, column, path, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        (*line, path.file_name().and_then(|n| n.to_str())),
        (4, Some("broken.rhai"))
    );
    assert!(*column > 0);
    assert!(error.to_string().contains("broken.rhai:4:"), "{error}");
}

#[test]
fn a_missing_component_says_how_to_build_it() {
    let dir = std::env::temp_dir().join(format!("crm-rules-missing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "[pack]\nname = \"x\"\nversion = \"1\"\n[[modules]]\nid = \"m\"\nkind = \"billing\"\nsource = \"gone.wasm\"\n",
    )
    .unwrap();
    let error = super::engine().load_pack(&dir).err().expect("load fails");
    assert!(
        matches!(error, LoadError::SourceNotFound { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("cargo xtask build-rules"));
    std::fs::remove_dir_all(&dir).unwrap();
}
