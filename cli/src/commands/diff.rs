//! `crm-rules diff CHAMPION CHALLENGER --input book.ndjson [--output FILE] [--json] [--html FILE]`:
//! what the challenger would decide differently on every context of a book.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::diff::{DiffOptions, DiffSummary, run_diff};
use crm_rules_host::{PackIdentity, RuleEngine};
use serde_json::{Value, json};

use super::Console;
use super::diff_text;

/// `crm-rules diff` arguments.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The pack in force (folder holding pack.toml).
    champion: PathBuf,
    /// The pack to compare with it.
    challenger: PathBuf,
    /// The NDJSON book, or `-` for standard input.
    #[arg(long, short)]
    input: PathBuf,
    /// Write one JSON line per context whose decisions differ (or that a pack could not read) to
    /// FILE, in input order.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML report (charts of action kinds, money per currency and
    /// changed accounts) to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Changed contexts kept as examples in the summary and the report.
    #[arg(long, value_name = "N", default_value_t = 20)]
    examples: usize,
    /// Worker threads; all available cores by default.
    #[arg(long)]
    threads: Option<usize>,
}

/// The summary as JSON: both packs, then the totals.
pub fn summary_json(
    champion: &PackIdentity,
    challenger: &PackIdentity,
    summary: &DiffSummary,
) -> Value {
    let pack = |identity: &PackIdentity| json!({"name": identity.name, "version": identity.version, "hash": identity.hash});
    let mut value = json!({"champion": pack(champion), "challenger": pack(challenger)});
    if let (Value::Object(object), Ok(Value::Object(totals))) =
        (&mut value, serde_json::to_value(summary))
    {
        object.extend(totals);
    }
    value
}

pub fn run(
    engine: &RuleEngine,
    args: &DiffArgs,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let load = |path: &Path| {
        engine
            .load_pack(path)
            .with_context(|| format!("failed to load pack `{}`", path.display()))
    };
    let champion = load(&args.champion)?;
    let challenger = load(&args.challenger)?;
    for pack in [&champion, &challenger] {
        super::engine_args::warn_about_component_loads(pack, console);
    }
    let reader: Box<dyn std::io::BufRead + Send> = if args.input == Path::new("-") {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file = File::open(&args.input)
            .with_context(|| format!("failed to open `{}`", args.input.display()))?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let mut output: Box<dyn Write> = match &args.output {
        Some(path) => {
            Box::new(BufWriter::new(File::create(path).with_context(|| {
                format!("failed to create `{}`", path.display())
            })?))
        }
        None => Box::new(std::io::sink()),
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let options = DiffOptions {
        threads,
        examples: args.examples,
    };
    let summary = run_diff(&champion, &challenger, reader, &mut output, &options)
        .context("the diff failed")?;
    output.flush().context("the output is incomplete")?;
    let json = summary_json(champion.identity(), challenger.identity(), &summary);
    if let Some(path) = &args.html {
        let page = super::diff_html::render(&json);
        std::fs::write(path, page)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    if args.json {
        serde_json::to_writer_pretty(&mut console.out, &json)?;
        writeln!(console.out)?;
    } else {
        diff_text::print(
            &mut console.out,
            champion.identity(),
            challenger.identity(),
            &summary,
        )?;
    }
    let unread = &summary.input_errors;
    Ok(if unread.champion + unread.challenger + unread.both > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
