//! Operations: liveness, readiness, metrics, the OpenAPI document, reloads, and the 404 of every
//! other path.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::packs::LoadErrorInfo;
use crate::AppState;
use crate::problem::Problem;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "Alive", body = String)), tag = "operations")]
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: at least one pack is served and the server is not shutting down.
#[utoipa::path(
    get,
    path = "/readyz",
    responses(
        (status = 200, description = "Ready", body = String),
        (status = 503, description = "No pack served, or shutting down", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "operations"
)]
pub(crate) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.draining.load(Ordering::SeqCst) {
        return not_ready("the server is shutting down").into_response();
    }
    if state.registry.snapshot().is_empty() {
        return not_ready("no pack is served: GET /v1/packs lists the folders that failed to load")
            .into_response();
    }
    "ready\n".into_response()
}

fn not_ready(detail: &str) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "not-ready",
        "Not ready",
        detail,
    )
}

/// Prometheus metrics, text format 0.0.4.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Metrics", body = String, content_type = "text/plain")), tag = "operations")]
pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let text = state.metrics.render(state.pool.load());
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

/// This API's OpenAPI document, generated from the handlers and their types.
#[utoipa::path(get, path = "/v1/openapi.json", responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)), tag = "operations")]
pub(crate) async fn openapi(State(state): State<Arc<AppState>>) -> Response {
    let mut response = state.openapi.clone().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// What a reload did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadResult {
    /// Packs loaded, by name.
    pub loaded: Vec<String>,
    /// Pack folders that failed, each with the loader's message (a pack they served before keeps
    /// serving).
    pub failed: Vec<LoadErrorInfo>,
    /// Packs no longer served.
    pub removed: Vec<String>,
}

/// Reloads every pack: loaded to the side, then swapped in at once; requests in flight finish on
/// the version they started with, and a pack that fails keeps its previous version.
#[utoipa::path(
    post,
    path = "/v1/admin/reload",
    responses(
        (status = 200, description = "Every pack loaded", body = ReloadResult),
        (status = 207, description = "Some pack failed (see `failed`)", body = ReloadResult),
        (status = 401, description = "Missing or wrong admin token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The admin API is off (no admin token configured)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("admin_token" = [])),
    tag = "admin"
)]
pub(crate) async fn admin_reload(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = state.config.admin_token.as_ref() else {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "admin-off",
            "The admin API is off",
            "start the server with --admin-token-file to reload over HTTP, or send it SIGHUP",
        )
        .into_response();
    };
    if let Err(problem) = crate::auth::check(Some(token), &headers, "admin API") {
        return problem.into_response();
    }
    match reload(&state).await {
        Some(result) => {
            let status = if result.failed.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::MULTI_STATUS
            };
            (status, Json(result)).into_response()
        }
        None => Problem::internal("the packs directory could not be read; see the server log")
            .into_response(),
    }
}

/// Reloads the packs off the async executor; `None` when the directory cannot be read.
pub(crate) async fn reload(state: &Arc<AppState>) -> Option<ReloadResult> {
    let reloading = Arc::clone(state);
    let report = tokio::task::spawn_blocking(move || reloading.registry.reload()).await;
    let report = match report {
        Ok(Ok(report)) => report,
        Ok(Err(error)) => {
            tracing::error!(%error, "reload failed: the packs directory cannot be read");
            state.metrics.reload(false);
            return None;
        }
        Err(error) => {
            tracing::error!(%error, "reload failed");
            state.metrics.reload(false);
            return None;
        }
    };
    state.metrics.reload(report.failed.is_empty());
    for failure in &report.failed {
        tracing::warn!(folder = %failure.folder, error = %failure.message, "pack not reloaded");
    }
    tracing::info!(loaded = ?report.loaded, removed = ?report.removed, "packs reloaded");
    Some(ReloadResult {
        loaded: report.loaded,
        failed: report.failed.iter().map(super::packs::failure).collect(),
        removed: report.removed,
    })
}

/// Any other path.
pub(crate) async fn not_found() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "No such endpoint",
        "the API is under /v1 (GET /v1/openapi.json describes it), with /healthz, /readyz and /metrics",
    )
}
