//! `crm-rules check PACK...`: load everything, evaluate nothing.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use crm_rules_host::RuleEngine;

use super::Console;

fn check_one(engine: &RuleEngine, dir: &Path) -> Result<String, String> {
    let pack = engine.load_pack(dir).map_err(|error| error.to_string())?;
    let mut cases = 0;
    if pack.has_fixtures() {
        let set = pack.load_fixtures().map_err(|error| error.to_string())?;
        if let Some(error) = set.errors.first() {
            return Err(error.to_string());
        }
        let loaded = set.cases;
        for case in &loaded {
            crm_rules_host::json::parse_context_in(&case.input, pack.vocabulary())
                .and_then(|parsed| pack.check_context(&parsed.context))
                .map_err(|error| {
                    format!(
                        "{}: case `{}`: invalid input: {error}",
                        case.file.display(),
                        case.case.name
                    )
                })?;
        }
        cases = loaded.len();
    }
    let identity = pack.identity();
    let loads = pack.component_loads();
    let counts = [
        (loads.compiled, "compiled"),
        (loads.from_cache, "from the compile cache"),
        (loads.precompiled, "precompiled in the bundle"),
    ];
    let components: String = counts
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .enumerate()
        .map(|(index, (count, how))| match index {
            0 => format!(", {count} component(s) {how}"),
            _ => format!(", {count} {how}"),
        })
        .collect();
    let manifest = pack.manifest();
    let contract = match manifest.pack.contract {
        crm_rules_host::manifest::ContractVersion::V0_1 => "0.1",
        crm_rules_host::manifest::ContractVersion::V0_2 => "0.2",
    };
    let modules = manifest.modules.len();
    Ok(format!(
        "{} {} (contract {contract}, {modules} module{}, {cases} fixture case{}{components}{}) {}",
        identity.name,
        identity.version,
        plural(modules),
        plural(cases),
        vocabulary_summary(pack.vocabulary()),
        identity.hash
    ))
}

/// `s` for any count but one.
fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// What the pack declares, in a few words (`, vocabulary: 4 templates, 1 state`), or nothing.
fn vocabulary_summary(vocabulary: &crm_rules_host::vocabulary::Vocabulary) -> String {
    let counts = [
        (vocabulary.fields.len(), "custom field"),
        (vocabulary.templates.len(), "template"),
        (vocabulary.states.len(), "state"),
        (vocabulary.actions.len(), "action kind"),
        (vocabulary.events.len(), "event"),
        (vocabulary.suppressions.len(), "suppression reason"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!("{count} {what}{}", plural(*count)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(", vocabulary: {}", parts.join(", "))
    }
}

pub fn run(
    engine: &RuleEngine,
    packs: &[std::path::PathBuf],
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for dir in packs {
        match check_one(engine, dir) {
            Ok(summary) => writeln!(console.out, "ok: {}: {summary}", dir.display())?,
            Err(error) => {
                failed = true;
                console.error(error)?;
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
