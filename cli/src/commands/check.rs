//! `crm-rules check PACK...`: load everything, evaluate nothing.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use crm_rules_host::RuleEngine;
use crm_rules_host::fixture;

use super::Console;

fn check_one(engine: &RuleEngine, dir: &Path) -> Result<String, String> {
    let pack = engine.load_pack(dir).map_err(|error| error.to_string())?;
    let fixtures_dir = pack.fixtures_dir();
    let mut cases = 0;
    if fixtures_dir.is_dir() {
        let loaded = fixture::load_dir(&fixtures_dir).map_err(|error| error.to_string())?;
        for case in &loaded {
            crm_rules_host::json::parse_context(&case.input)
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
    let components = match (loads.compiled, loads.from_cache) {
        (0, 0) => String::new(),
        (compiled, 0) => format!(", {compiled} component(s) compiled"),
        (0, cached) => format!(", {cached} component(s) from the compile cache"),
        (compiled, cached) => {
            format!(", {compiled} component(s) compiled, {cached} from the compile cache")
        }
    };
    Ok(format!(
        "{} {} ({} modules, {cases} fixture cases{components}) {}",
        identity.name,
        identity.version,
        pack.manifest().modules.len(),
        identity.hash
    ))
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
