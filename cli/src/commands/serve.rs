//! `crm-rules serve --packs DIR`: the engine as an HTTP sidecar (crate `crm-rules-serve`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use crm_rules_host::RuleEngine;
use crm_rules_serve::ServerConfig;
use crm_rules_serve::arms::SplitConfig;
use crm_rules_serve::auth::Token;
use crm_rules_serve::decision_log::DecisionLogConfig;

/// `serve`'s options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The directory of packs to serve: every folder below it holding a pack.toml, each under the
    /// name its manifest gives.
    #[arg(long)]
    packs: PathBuf,
    /// The address to listen on. Anything but loopback needs --api-token-file.
    #[arg(long, default_value = "127.0.0.1:8181")]
    listen: SocketAddr,
    /// Worker threads evaluating; all available cores by default.
    #[arg(long)]
    workers: Option<usize>,
    /// Requests that may wait for a worker; past it requests get 429 with Retry-After. Default: 64
    /// per worker.
    #[arg(long)]
    queue: Option<usize>,
    /// A file whose first line is the bearer token every /v1 request must carry.
    #[arg(long, value_name = "FILE")]
    api_token_file: Option<PathBuf>,
    /// A file whose first line is the bearer token of the admin API (POST /v1/admin/reload); without
    /// it the admin API is off and SIGHUP reloads.
    #[arg(long, value_name = "FILE")]
    admin_token_file: Option<PathBuf>,
    /// The longest one evaluation request may take, waiting for a worker included (503 past it).
    #[arg(long, value_name = "MS", default_value_t = 5_000)]
    request_deadline_ms: u64,
    /// Log lines as JSON (one object per line) rather than text.
    #[arg(long)]
    log_json: bool,
    /// Append each decision, of /evaluate and /evaluate-batch alike (its pack and hash, the line of
    /// a batch, the arm, the context as sent, the decision, the latency), to this file as NDJSON;
    /// `input` of a line is a context `crm-rules eval` replays, and `crm-rules fixture from-log`
    /// turns lines into fixture cases.
    #[arg(long, value_name = "FILE")]
    decision_log: Option<PathBuf>,
    /// Rotate the decision log past this size (FILE.1 is then the newest old file).
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    decision_log_max_bytes: u64,
    /// Rotated decision logs kept (FILE.1 to FILE.N).
    #[arg(long, value_name = "N", default_value_t = 5)]
    decision_log_keep: u32,
    /// Champion/challenger: requests for CHAMPION are decided by CHALLENGER (a pack served beside
    /// it) for SHARE of the accounts, chosen from each account's id, stable across runs and
    /// machines; each decision says its `arm`. Repeat for several packs.
    #[arg(long, value_name = "CHAMPION=CHALLENGER:SHARE")]
    split: Vec<SplitConfig>,
}

/// Serves until SIGTERM or Ctrl-C, then drains the requests in flight and exits 0.
pub fn run(engine: RuleEngine, args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_logging(args.log_json);
    let mut config = ServerConfig::new(args.packs.clone());
    config.listen = args.listen;
    if let Some(workers) = args.workers {
        config.workers = workers.max(1);
        config.queue = config.workers * 64;
    }
    if let Some(queue) = args.queue {
        config.queue = queue.max(1);
    }
    config.api_token = args
        .api_token_file
        .as_deref()
        .map(Token::from_file)
        .transpose()?;
    config.admin_token = args
        .admin_token_file
        .as_deref()
        .map(Token::from_file)
        .transpose()?;
    config.request_deadline = Duration::from_millis(args.request_deadline_ms.max(1));
    config.splits = args.split;
    config.decision_log = args.decision_log.map(|path| DecisionLogConfig {
        path,
        max_bytes: args.decision_log_max_bytes.max(1),
        keep: args.decision_log_keep,
    });
    if !args.listen.ip().is_loopback() && config.api_token.is_none() {
        anyhow::bail!(
            "refusing to listen on {} without --api-token-file: only loopback may go unauthenticated",
            args.listen
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("crm-rules-http")
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("failed to listen on {}", config.listen))?;
        tracing::info!(address = %config.listen, packs = %config.packs_dir.display(), "listening");
        crm_rules_serve::serve(engine, config, listener, shutdown_signal())
            .await
            .context("the server failed")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs to standard error; `RUST_LOG` filters (`info` by default).
fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // A subscriber set twice (never, in the binary) keeps the first.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
