//! `crm-rules eval PACK --input FILE|-`.

use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::RuleEngine;

pub fn run(engine: &RuleEngine, pack: &Path, input: &Path) -> anyhow::Result<ExitCode> {
    let pack = engine
        .load_pack(pack)
        .with_context(|| format!("failed to load pack `{}`", pack.display()))?;
    let (text, source) = if input == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("failed to read standard input")?;
        (text, "<stdin>".to_owned())
    } else {
        let text = std::fs::read_to_string(input)
            .with_context(|| format!("failed to read `{}`", input.display()))?;
        (text, input.display().to_string())
    };
    let parsed = match pack.parse_context(&text) {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("error: invalid input `{source}`: {error}");
            eprintln!("help: fix the field named above; see the input format in the README");
            return Ok(ExitCode::from(2));
        }
    };
    let decision = pack.evaluate_with_id(&parsed.context, parsed.id.as_deref());
    println!("{}", serde_json::to_string_pretty(&decision.to_json())?);
    for error in &decision.errors {
        eprintln!("warning: {error}");
    }
    Ok(ExitCode::SUCCESS)
}
