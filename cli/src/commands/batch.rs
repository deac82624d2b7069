//! `crm-rules batch PACK --input book.ndjson [--output decisions.ndjson] [--threads N]`.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal as _, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use crm_rules_host::RuleEngine;
use crm_rules_host::batch::run_batch;
use indicatif::{ProgressBar, ProgressStyle};

use super::Console;
use super::output::Sink;

pub fn run(
    engine: &RuleEngine,
    pack: &Path,
    input: &Path,
    output: Option<&Path>,
    threads: Option<usize>,
    console: &mut Console,
) -> anyhow::Result<ExitCode> {
    let pack = engine
        .load_pack(pack)
        .with_context(|| format!("failed to load pack `{}`", pack.display()))?;
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
    let threads = threads.unwrap_or_else(|| {
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
    let summary = run_batch(&pack, reader, writer, threads, &|done| {
        bar.set_position(done)
    })
    .context("batch evaluation failed")?;
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
    for (kind, count) in &summary.actions_by_kind {
        writeln!(err, "  {kind:32} {count}")?;
    }
    Ok(if summary.input_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
