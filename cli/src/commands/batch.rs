//! `crm-rules batch PACK --input book.ndjson [--output decisions.ndjson] [--threads N]
//! [--challenger PACK --share 10%] [--keep-input]`.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal as _, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::RuleEngine;
use crm_rules_host::batch::{BatchOptions, run_batch};
use crm_rules_host::split::{Share, Split};
use indicatif::{ProgressBar, ProgressStyle};

use super::Console;
use super::output::Sink;

/// Champion/challenger: a second pack deciding a share of the accounts.
#[derive(Debug, clap::Args)]
pub struct ArmArgs {
    /// A challenger pack folder: it decides `--share` of the accounts (chosen from each account's
    /// id, the same on every run and machine), the pack given first decides the rest, and each
    /// decision says its `arm`.
    #[arg(long, requires = "share", value_name = "PACK")]
    challenger: Option<PathBuf>,
    /// The challenger's share of the accounts: a percentage, like `10%` or `2.5%`.
    #[arg(long, requires = "challenger", value_name = "SHARE")]
    share: Option<Share>,
}

/// `crm-rules batch` arguments.
#[derive(Debug, clap::Args)]
pub struct BatchArgs {
    /// The pack folder (holding pack.toml), or a bundle.
    pack: PathBuf,
    /// The NDJSON book, or `-` for standard input.
    #[arg(long, short)]
    input: PathBuf,
    /// Where to write the results (NDJSON); standard output by default.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Worker threads; all available cores by default (give 1 when several processes share a
    /// machine, as the partitions of a cluster job do).
    #[arg(long)]
    threads: Option<usize>,
    #[command(flatten)]
    arms: ArmArgs,
    /// Copy each context into its decision line, as `"input"`, so the output alone can be
    /// replayed (`crm-rules fixture from-log`).
    #[arg(long)]
    keep_input: bool,
    /// Copy the top-level field FIELD of each input line (the host's row key) into its result line
    /// as `"id"`, decision or error, so results join back to their source rows; FIELD is not read
    /// as part of the context, nor kept in `--keep-input`'s `input` (unless it is the context's own
    /// `id`).
    #[arg(long, value_name = "FIELD")]
    id_field: Option<String>,
    /// Exit 0 when the only problems were input lines that are not valid contexts (each is still
    /// an error line of the output, and counted): a cluster job should not fail a whole task for
    /// one bad row. Exit 2 stays for everything else.
    #[arg(long)]
    allow_bad_lines: bool,
}

pub fn run(
    engine: &RuleEngine,
    args: &BatchArgs,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let (pack, input, output, arms) = (&args.pack, &args.input, args.output.as_deref(), &args.arms);
    let load = |path: &Path| {
        engine
            .load_pack(path)
            .with_context(|| format!("failed to load pack `{}`", path.display()))
    };
    let pack = load(pack)?;
    super::engine_args::warn_about_component_loads(&pack, console);
    let challenger = arms.challenger.as_deref().map(load).transpose()?;
    let reader: Box<dyn std::io::BufRead + Send> = if input == Path::new("-") {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file =
            File::open(input).with_context(|| format!("failed to open `{}`", input.display()))?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let mut file_writer = match output {
        Some(path) => Some(BufWriter::with_capacity(
            1 << 20,
            Sink::new(
                File::create(path)
                    .with_context(|| format!("failed to create `{}`", path.display()))?,
                format!("`{}`", path.display()),
            ),
        )),
        None => None,
    };
    let writer: &mut dyn Write = match &mut file_writer {
        Some(file) => file,
        None => &mut console.out,
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {human_pos} lines, {per_sec} [{elapsed_precise}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let progress = |done| bar.set_position(done);
    let options = BatchOptions {
        threads,
        keep_input: args.keep_input,
        id_field: args.id_field.as_deref(),
        split: challenger
            .as_ref()
            .zip(arms.share)
            .map(|(challenger, share)| Split { challenger, share }),
        observer: None,
        progress: Some(&progress),
    };
    let summary = run_batch(&pack, reader, writer, &options).context("batch evaluation failed")?;
    writer.flush().context("the output is incomplete")?;
    bar.finish_and_clear();
    let err = &mut console.err;
    writeln!(
        err,
        "{} contexts: {} decisions, {} bad input lines, {} rule errors in {:.2?} ({:.0} contexts/s on {threads} threads)",
        summary.contexts,
        summary.decisions,
        summary.input_errors,
        summary.rule_errors,
        summary.elapsed,
        summary.throughput()
    )?;
    if let (Some(challenger), Some(share)) = (&challenger, arms.share) {
        writeln!(
            err,
            "  {} decisions by the challenger {} {} ({share} of accounts), {} by the champion {}",
            summary.challenger_decisions,
            challenger.identity().name,
            challenger.identity().hash,
            summary.decisions - summary.challenger_decisions,
            pack.identity().hash,
        )?;
    }
    for (kind, count) in &summary.actions_by_kind {
        writeln!(err, "  {kind:32} {count}")?;
    }
    Ok(if summary.input_errors > 0 && !args.allow_bad_lines {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
