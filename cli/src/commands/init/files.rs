//! The files of a new pack, from the templates in `cli/templates/init/` (compiled into the binary).
//!
//! Both backends share the manifest, fixtures, `try/` contexts and README: the rules are the same
//! policy, so the same cases hold for both. Templates name their blanks `{{name}}`; a unit test
//! checks that every blank is filled.

use super::guest::{self, Sdk};

/// The backend-independent templates.
const PACK_TOML: &str = include_str!("../../../templates/init/pack.toml.tmpl");
const README: &str = include_str!("../../../templates/init/README.md.tmpl");
const README_RHAI: &str = include_str!("../../../templates/init/readme-rhai.md.tmpl");
const README_RUST: &str = include_str!("../../../templates/init/readme-rust.md.tmpl");
const BASE: &str = include_str!("../../../templates/init/fixtures/base/account.json");
const BILLING_CASES: &str = include_str!("../../../templates/init/fixtures/billing.json");
const REMINDER_CASES: &str = include_str!("../../../templates/init/fixtures/reminders.json");
const ESCALATION_CASES: &str = include_str!("../../../templates/init/fixtures/escalation.json");
const TRY_SCHEDULED: &str = include_str!("../../../templates/init/try/scheduled.json");
const TRY_CLOSED_WON: &str = include_str!("../../../templates/init/try/closed-won.json");

/// The Rhai backend's scripts.
const BILLING_RHAI: &str = include_str!("../../../templates/init/rhai/billing.rhai");
const REMINDERS_RHAI: &str = include_str!("../../../templates/init/rhai/reminders.rhai");
const ESCALATION_RHAI: &str = include_str!("../../../templates/init/rhai/escalation.rhai");

/// The Rust backend's crate.
const CARGO_TOML: &str = include_str!("../../../templates/init/rust/Cargo.toml.tmpl");
const LIB_RS: &str = include_str!("../../../templates/init/rust/src/lib.rs");
const BILLING_RS: &str = include_str!("../../../templates/init/rust/src/billing.rs");
const REMINDERS_RS: &str = include_str!("../../../templates/init/rust/src/reminders.rs");
const ESCALATION_RS: &str = include_str!("../../../templates/init/rust/src/escalation.rs");
const GITIGNORE: &str = include_str!("../../../templates/init/gitignore");

/// One file of the new pack.
#[derive(Debug)]
pub struct PackFile {
    /// Its path in the pack folder, `/`-separated.
    pub path: &'static str,
    /// What it is, for the list `init` prints.
    pub what: &'static str,
    /// Its contents.
    pub text: String,
}

impl PackFile {
    fn new(path: &'static str, what: &'static str, text: impl Into<String>) -> PackFile {
        PackFile {
            path,
            what,
            text: text.into(),
        }
    }
}

/// The files of a Rhai pack named `name`.
pub fn rhai(name: &str) -> Vec<PackFile> {
    let rule_files = "\
billing.rhai                 the billing module (rule billing.closed-won)
reminders.rhai               the reminders module (rule reminders.before-due)
escalation.rhai              the escalation module (rule escalation.long-overdue)
";
    let vars = [
        ("name", name),
        ("backend", "Rhai"),
        ("source_note", ""),
        ("billing_source", "billing.rhai"),
        ("reminders_source", "reminders.rhai"),
        ("escalation_source", "escalation.rhai"),
        ("backend_section", README_RHAI),
        ("rule_files", rule_files),
    ];
    let (mut files, cases) = common(&vars);
    files.extend([
        PackFile::new("billing.rhai", "rule billing.closed-won", BILLING_RHAI),
        PackFile::new(
            "reminders.rhai",
            "rule reminders.before-due",
            REMINDERS_RHAI,
        ),
        PackFile::new(
            "escalation.rhai",
            "rule escalation.long-overdue",
            ESCALATION_RHAI,
        ),
    ]);
    files.extend(cases);
    files
}

/// The files of a Rust pack named `name`, its crate depending on `sdk`.
pub fn rust(name: &str, sdk: &Sdk) -> Vec<PackFile> {
    let crate_name = guest::crate_name(name);
    let wasm = guest::wasm_path(&crate_name);
    let source_note = format!(
        "# Every module below is one function of the Rust crate in this folder (src/), built with\n\
         #   {}\n\
         # into {wasm}\n\
         # (the host turns that module into a component when it loads the pack).\n\n",
        guest::BUILD_COMMAND
    );
    let backend_section = render(README_RUST, &[("wasm", &wasm), ("sdk", &sdk.path)]);
    let toolchain_note = sdk.toolchain_note();
    let backend_section = render(&backend_section, &[("toolchain_note", &toolchain_note)]);
    let rule_files = "\
Cargo.toml                   the rules' crate (guest SDK by path; a workspace of its own)
src/lib.rs                   exports the three modules by name
src/billing.rs               the billing module (rule billing.closed-won)
src/reminders.rs             the reminders module (rule reminders.before-due)
src/escalation.rs            the escalation module (rule escalation.long-overdue)
";
    let vars = [
        ("name", name),
        ("backend", "Rust"),
        ("source_note", &source_note),
        ("billing_source", &wasm),
        ("reminders_source", &wasm),
        ("escalation_source", &wasm),
        ("backend_section", &backend_section),
        ("rule_files", rule_files),
    ];
    let (mut files, cases) = common(&vars);
    let cargo_toml = render(
        CARGO_TOML,
        &[
            ("name", name),
            ("crate", &crate_name),
            ("rust_version", guest::RUST_VERSION),
            ("sdk", &guest::toml_string(&sdk.path)),
        ],
    );
    files.extend([
        PackFile::new("Cargo.toml", "the rules' crate", cargo_toml),
        PackFile::new("src/lib.rs", "exports the modules by name", LIB_RS),
        PackFile::new("src/billing.rs", "rule billing.closed-won", BILLING_RS),
        PackFile::new(
            "src/reminders.rs",
            "rule reminders.before-due",
            REMINDERS_RS,
        ),
        PackFile::new(
            "src/escalation.rs",
            "rule escalation.long-overdue, and a unit test",
            ESCALATION_RS,
        ),
        PackFile::new(".gitignore", "leaves target/ out of git", GITIGNORE),
    ]);
    if let Some(lock) = &sdk.lock {
        files.push(PackFile::new(
            "Cargo.lock",
            "the SDK's dependency versions",
            lock.as_str(),
        ));
    }
    if let Some(toolchain) = &sdk.toolchain {
        files.push(PackFile::new(
            "rust-toolchain.toml",
            "the SDK's toolchain and the wasm target",
            toolchain.as_str(),
        ));
    }
    files.extend(cases);
    files
}

/// The files both backends have, rendered with `vars`: those listed before the rules (the
/// manifest and README), and those after them (fixtures and contexts to try).
fn common(vars: &[(&str, &str)]) -> (Vec<PackFile>, Vec<PackFile>) {
    let head = vec![
        PackFile::new(
            "pack.toml",
            "the manifest: contract 0.2, three modules, parameters",
            render(PACK_TOML, vars),
        ),
        PackFile::new(
            "README.md",
            "how to check, test and try the pack",
            render(README, vars),
        ),
    ];
    let tail = vec![
        PackFile::new(
            "fixtures/base/account.json",
            "the context every case starts from",
            BASE,
        ),
        PackFile::new("fixtures/billing.json", "cases of billing", BILLING_CASES),
        PackFile::new(
            "fixtures/reminders.json",
            "cases of reminders",
            REMINDER_CASES,
        ),
        PackFile::new(
            "fixtures/escalation.json",
            "cases of escalation",
            ESCALATION_CASES,
        ),
        PackFile::new(
            "try/scheduled.json",
            "a scheduled context, for `crm-rules eval`",
            TRY_SCHEDULED,
        ),
        PackFile::new(
            "try/closed-won.json",
            "a deal event, for `crm-rules eval`",
            TRY_CLOSED_WON,
        ),
    ];
    (head, tail)
}

/// `template` with every `{{key}}` of `vars` replaced by its value.
fn render(template: &str, vars: &[(&str, &str)]) -> String {
    vars.iter().fold(template.to_owned(), |text, (key, value)| {
        text.replace(&format!("{{{{{key}}}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdk(toolchain: bool) -> Sdk {
        Sdk {
            path: "/src/crm-rules/guest-sdk".to_owned(),
            toolchain: toolchain.then(|| "[toolchain]\n".to_owned()),
            lock: None,
        }
    }

    #[test]
    fn every_blank_of_every_template_is_filled() {
        let packs = [
            rhai("acme"),
            rust("acme", &sdk(true)),
            rust("acme", &sdk(false)),
        ];
        for files in &packs {
            for file in files {
                assert!(!file.text.contains("{{"), "{}:\n{}", file.path, file.text);
            }
        }
    }

    #[test]
    fn the_rust_manifest_points_at_the_built_module() {
        let files = rust("acme", &sdk(false));
        let manifest = files.iter().find(|f| f.path == "pack.toml").unwrap();
        assert!(
            manifest
                .text
                .contains("source = \"target/wasm32-unknown-unknown/release/acme_rules.wasm\""),
            "{}",
            manifest.text
        );
        let cargo = files.iter().find(|f| f.path == "Cargo.toml").unwrap();
        assert!(
            cargo
                .text
                .contains("crm-rules-guest = { path = \"/src/crm-rules/guest-sdk\""),
            "{}",
            cargo.text
        );
    }
}
