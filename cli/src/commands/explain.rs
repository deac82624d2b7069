//! `crm-rules explain PACK --input FILE [--json]`: the decision, and per module what it read, the
//! rules that fired and stood down, its notes on the records it examined, and its cost.

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::RuleEngine;
use crm_rules_host::explain::{Explanation, ModuleExplanation};
use serde_json::Value;

use super::Console;

/// `crm-rules explain` arguments.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The pack folder (holding pack.toml).
    pack: PathBuf,
    /// The context file, or `-` for standard input.
    #[arg(long, short)]
    input: PathBuf,
    /// Print the explanation as JSON (`decision`, `consistent`, `modules`, `not_run`).
    #[arg(long)]
    json: bool,
}

pub fn run(
    engine: &RuleEngine,
    args: &ExplainArgs,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let pack = engine
        .load_pack(&args.pack)
        .with_context(|| format!("failed to load pack `{}`", args.pack.display()))?;
    super::engine_args::warn_about_component_loads(&pack, console);
    let parsed = match super::eval::read_context(&pack, &args.input, console)? {
        Ok(parsed) => parsed,
        Err(code) => return Ok(code),
    };
    let explanation = pack.explain(&parsed.context, parsed.id.as_deref());
    if args.json {
        serde_json::to_writer_pretty(&mut console.out, &explanation.to_json())?;
        writeln!(console.out)?;
    } else {
        print_tree(&mut console.out, &explanation)?;
    }
    if !explanation.consistent {
        writeln!(
            console.err,
            "warning: the pack decided differently while explained: a rule depends on being \
             explained, so this explanation may not describe its real decision"
        )?;
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_tree(out: &mut impl io::Write, explanation: &Explanation) -> io::Result<()> {
    let decision = &explanation.decision;
    let status = serde_json::to_value(decision.status).unwrap_or(Value::Null);
    writeln!(
        out,
        "{} {} ({}): {}, {} actions, {} suppressed, {} errors",
        decision.pack.name,
        decision.pack.version,
        decision.pack.hash,
        status.as_str().unwrap_or_default(),
        decision.actions.len(),
        decision.suppressed.len(),
        decision.errors.len()
    )?;
    for module in &explanation.modules {
        print_module(out, module)?;
    }
    if !explanation.not_run.is_empty() {
        writeln!(
            out,
            "not run (the trigger is not theirs): {}",
            explanation.not_run.join(", ")
        )?;
    }
    Ok(())
}

/// A parameter's value for a terminal: a long list or table is summed up by its size (`--json`
/// has it whole).
fn short_value(value: &Value) -> String {
    let text = value.to_string();
    match value {
        Value::Array(rows) if text.len() > 60 => format!("[{} entries]", rows.len()),
        Value::Object(entries) if text.len() > 60 => format!("{{{} entries}}", entries.len()),
        _ => text,
    }
}

fn print_module(out: &mut impl io::Write, module: &ModuleExplanation) -> io::Result<()> {
    let backend = serde_json::to_value(module.backend).unwrap_or(Value::Null);
    let unit = if module.backend == crm_rules_host::decision::Backend::Rhai {
        "operations"
    } else {
        "fuel"
    };
    writeln!(
        out,
        "module {} ({}, {} {unit})",
        module.module,
        backend.as_str().unwrap_or_default(),
        module.fuel
    )?;
    let mut lines: Vec<String> = Vec::new();
    match &module.fields_read {
        Some(fields) if fields.is_empty() => lines.push("read: nothing of the context".to_owned()),
        Some(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|field| match field.records {
                    Some(count) => format!("{} ({count} records)", field.field),
                    None => field.field.clone(),
                })
                .collect();
            lines.push(format!("read: {}", fields.join(", ")));
        }
        None => lines.push("read: not tracked for this backend (see its notes)".to_owned()),
    }
    if !module.params_read.is_empty() {
        let params: Vec<String> = module
            .params_read
            .iter()
            .map(|param| {
                let overridden = if param["overridden"] == Value::Bool(true) {
                    " (from the context)"
                } else {
                    ""
                };
                let name = param["name"].as_str().unwrap_or_default();
                format!("{name} = {}{overridden}", short_value(&param["value"]))
            })
            .collect();
        lines.push(format!("params: {}", params.join(", ")));
    }
    for fired in &module.fired {
        lines.push(format!(
            "fired {}: {} {} ({})",
            fired.rule, fired.kind, fired.key, fired.reason
        ));
    }
    for stood in &module.stood_down {
        lines.push(format!(
            "stood down {}: {} on {}",
            stood.rule, stood.reason, stood.subject
        ));
    }
    for note in &module.notes {
        lines.push(format!(
            "note {} on {}: {}",
            note.rule, note.subject, note.message
        ));
    }
    if let Some(error) = &module.error {
        lines.push(format!("FAILED: {error}"));
    }
    if let Some(at) = &module.next_evaluation_at {
        lines.push(format!("look again at {at}"));
    }
    if module.fired.is_empty() && module.stood_down.is_empty() && module.error.is_none() {
        lines.push("no action, nothing stood down".to_owned());
    }
    let count = lines.len();
    for (index, line) in lines.into_iter().enumerate() {
        let branch = if index + 1 == count {
            "└─"
        } else {
            "├─"
        };
        writeln!(out, "  {branch} {line}")?;
    }
    Ok(())
}
