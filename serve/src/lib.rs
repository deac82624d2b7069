//! `crm-rules serve`: the engine as an HTTP sidecar, for host apps in any language.
//!
//! Every pack under a directory is served under its name, over a versioned JSON API (`/v1`):
//! evaluate one context, or a book of them as NDJSON streamed both ways; list and describe the
//! packs; reload them (`POST /v1/admin/reload`, or `SIGHUP`) with no request lost. Evaluations run
//! on a bounded pool of worker threads ([`pool`]), never on the async executor, and a full queue is
//! answered at once with 429 and `Retry-After`. Errors are `application/problem+json` ([`problem`])
//! with the same field paths the command line prints. `GET /metrics` speaks Prometheus; the OpenAPI
//! document at `/v1/openapi.json` is generated from the handlers and types ([`openapi`]).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use crm_rules_host::{Limits, RuleEngine};
//! use crm_rules_serve::{ServerConfig, serve};
//!
//! let engine = RuleEngine::new(Limits::default()).expect("engine");
//! let config = ServerConfig::new("rules".into());
//! let listener = tokio::net::TcpListener::bind(config.listen).await?;
//! serve(engine, config, listener, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

pub mod arms;
pub mod auth;
pub mod decision_log;
pub mod metrics;
pub mod openapi;
pub mod pool;
pub mod problem;
pub mod registry;
mod routes;
mod streaming;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crm_rules_host::RuleEngine;

use crate::arms::SplitConfig;
use crate::auth::Token;
use crate::decision_log::{DecisionLog, DecisionLogConfig};
use crate::metrics::Metrics;
use crate::pool::WorkerPool;
use crate::registry::Registry;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The directory whose packs are served (every folder below it holding a `pack.toml`).
    pub packs_dir: PathBuf,
    /// Where to listen: loopback by default.
    pub listen: SocketAddr,
    /// Worker threads evaluating; all available cores by default.
    pub workers: usize,
    /// Jobs that may wait for a worker before requests are refused with 429.
    pub queue: usize,
    /// The token every `/v1` request except the OpenAPI document must carry, if any.
    pub api_token: Option<Token>,
    /// The token the admin endpoints need; without one they are off (reload with `SIGHUP`).
    pub admin_token: Option<Token>,
    /// The longest a request for one evaluation may take, queue included: past it the request
    /// gets 503 (the evaluation itself is held to the engine's limits).
    pub request_deadline: Duration,
    /// Where to log each decision (input, decision, latency), if anywhere.
    pub decision_log: Option<DecisionLogConfig>,
    /// Challengers: requests for a champion's name decided by another pack for a share of the
    /// accounts. Both packs must load at start.
    pub splits: Vec<SplitConfig>,
}

impl ServerConfig {
    /// Defaults: `127.0.0.1:8181`, a worker per core, a queue of 64 per worker, no tokens, a 5 s
    /// request deadline, no decision log.
    pub fn new(packs_dir: PathBuf) -> ServerConfig {
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        ServerConfig {
            packs_dir,
            listen: SocketAddr::from(([127, 0, 0, 1], 8181)),
            workers,
            queue: workers * 64,
            api_token: None,
            admin_token: None,
            request_deadline: Duration::from_secs(5),
            decision_log: None,
            splits: Vec::new(),
        }
    }
}

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) registry: Registry,
    pub(crate) pool: WorkerPool,
    pub(crate) metrics: Metrics,
    pub(crate) config: ServerConfig,
    /// The decision log, when asked for.
    pub(crate) decision_log: Option<DecisionLog>,
    /// The OpenAPI document, rendered once at start.
    pub(crate) openapi: String,
    /// Set once shutdown began: `/readyz` then says so.
    pub(crate) draining: AtomicBool,
}

/// Loads the packs, then serves on `listener` until `shutdown` completes; then stops accepting,
/// lets the requests in flight finish, and returns. `SIGHUP` reloads the packs (on Unix).
///
/// # Errors
/// The packs directory cannot be read, the worker threads cannot start, the decision log cannot
/// be opened, a split names a pack that did not load, or the listener fails.
pub async fn serve(
    engine: RuleEngine,
    config: ServerConfig,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Registry::new(engine, config.packs_dir.clone());
    let (registry, report) = tokio::task::spawn_blocking(move || {
        let report = registry.reload();
        (registry, report)
    })
    .await
    .map_err(std::io::Error::other)?;
    let report = report?;
    for failure in &report.failed {
        tracing::warn!(folder = %failure.folder, error = %failure.message, "pack not loaded");
    }
    tracing::info!(packs = ?report.loaded, "packs loaded");
    for split in &config.splits {
        for name in [&split.champion, &split.challenger] {
            if registry.get(name).is_none() {
                return Err(std::io::Error::other(format!(
                    "the split `{}={}:{}` names the pack \"{name}\", which is not served",
                    split.champion, split.challenger, split.share
                )));
            }
        }
    }
    let pool = WorkerPool::new(config.workers, config.queue)?;
    let decision_log = config
        .decision_log
        .clone()
        .map(DecisionLog::open)
        .transpose()?;
    let state = Arc::new(AppState {
        registry,
        pool,
        metrics: Metrics::default(),
        config,
        decision_log,
        openapi: serde_json::to_string(&openapi::document()).map_err(std::io::Error::other)?,
        draining: AtomicBool::new(false),
    });
    state.metrics.reload(report.failed.is_empty());
    let reloads = tokio::spawn(reload_on_sighup(Arc::clone(&state)));
    let app = routes::router(Arc::clone(&state));
    let draining = Arc::clone(&state);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            draining.draining.store(true, Ordering::SeqCst);
            tracing::info!("shutting down: no new connections, draining requests in flight");
        })
        .await;
    reloads.abort();
    result
}

/// The address a listener is bound to (the port, when bound to port 0).
pub fn local_addr(listener: &tokio::net::TcpListener) -> std::io::Result<SocketAddr> {
    listener.local_addr()
}

/// Reloads the packs on every `SIGHUP`.
async fn reload_on_sighup(state: Arc<AppState>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("SIGHUP cannot be watched: reload with POST /v1/admin/reload");
            return;
        };
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading packs");
            routes::reload(&state).await;
        }
    }
    #[cfg(not(unix))]
    {
        let _ = state;
        std::future::pending::<()>().await;
    }
}
