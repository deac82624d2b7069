//! `crm-rules eval PACK --input FILE|-`.

use std::io::{Read, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::json::{InputError, ParsedContext};
use crm_rules_host::{RuleEngine, RulePack};

use super::Console;

/// Reads at most `max_bytes` of `input`; a longer input is counted to its end, never held, and
/// refused with its size, as [`crm_rules_host::json::parse_context_limited`] would refuse it.
fn read_limited(
    input: impl Read,
    max_bytes: usize,
) -> std::io::Result<Result<Vec<u8>, InputError>> {
    let mut bytes = Vec::new();
    let mut input = input.take((max_bytes as u64).saturating_add(1));
    input.read_to_end(&mut bytes)?;
    if bytes.len() <= max_bytes {
        return Ok(Ok(bytes));
    }
    let rest = std::io::copy(&mut input.into_inner(), &mut std::io::sink())?;
    let length = (bytes.len() as u64).saturating_add(rest);
    Ok(Err(InputError::new(
        "",
        format!(
            "the context is {length} bytes; the limit is {max_bytes} (Limits::max_input_bytes)"
        ),
    )))
}

/// Reads the context `input` (a file, or `-` for standard input) for `pack`; an invalid one is
/// reported on standard error and answered with exit code 2.
pub fn read_context(
    pack: &RulePack,
    input: &Path,
    console: &mut Console,
) -> anyhow::Result<Result<ParsedContext, ExitCode>> {
    let max_bytes = pack.limits().max_input_bytes;
    let (bytes, source) = if input == Path::new("-") {
        let bytes = read_limited(std::io::stdin().lock(), max_bytes)
            .context("failed to read standard input")?;
        (bytes, "<stdin>".to_owned())
    } else {
        let file = std::fs::File::open(input)
            .with_context(|| format!("failed to open `{}`", input.display()))?;
        let bytes = read_limited(file, max_bytes)
            .with_context(|| format!("failed to read `{}`", input.display()))?;
        (bytes, input.display().to_string())
    };
    let parsed = bytes.and_then(|bytes| {
        let text = crm_rules_host::json::text_from_bytes(&bytes)?;
        pack.parse_context(text)
    });
    match parsed {
        Ok(parsed) => Ok(Ok(parsed)),
        Err(error) => {
            writeln!(console.err, "error: invalid input `{source}`: {error}")?;
            if !error.path().is_empty() {
                writeln!(
                    console.err,
                    "help: fix the field named above; see the input format in the README"
                )?;
            }
            Ok(Err(ExitCode::from(2)))
        }
    }
}

pub fn run(
    engine: &RuleEngine,
    pack: &Path,
    input: &Path,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let pack = engine
        .load_pack(pack)
        .with_context(|| format!("failed to load pack `{}`", pack.display()))?;
    super::engine_args::warn_about_component_loads(&pack, console);
    let parsed = match read_context(&pack, input, console)? {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    let decision = pack.evaluate_with_id(&parsed.context, parsed.id.as_deref());
    let json = serde_json::to_string_pretty(&decision.to_json())?;
    writeln!(console.out, "{json}")?;
    for error in &decision.errors {
        writeln!(console.err, "warning: {error}")?;
    }
    Ok(ExitCode::SUCCESS)
}
