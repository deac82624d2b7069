//! The HTTP routes, and what they share: the request id and log line of every request, the checks
//! of tokens, content types and pinned pack versions.

pub(crate) mod batch;
pub(crate) mod evaluate;
pub(crate) mod ops;
pub(crate) mod packs;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::problem::Problem;
use crate::registry::Served;

pub(crate) use ops::reload;

/// The API's routes, with a request id and a log line for each request.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/v1/openapi.json", get(ops::openapi))
        .route("/v1/packs", get(packs::list))
        .route("/v1/packs/{name}", get(packs::describe))
        .route("/v1/packs/{name}/evaluate", post(evaluate::evaluate))
        .route(
            "/v1/packs/{name}/evaluate-batch",
            post(batch::evaluate_batch),
        )
        .route("/v1/admin/reload", post(ops::admin_reload))
        .fallback(ops::not_found)
        .layer(middleware::from_fn(request_id))
        .with_state(state)
}

/// Gives each request an id (`x-request-id`, the client's if it sent one), and logs it once done.
async fn request_id(mut request: Request, next: Next) -> Response {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .filter(|value| value.len() <= 128)
        .map_or_else(
            || format!("req-{}", NEXT.fetch_add(1, Ordering::Relaxed)),
            str::to_owned,
        );
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if let Ok(value) = HeaderValue::from_str(&id) {
        request.headers_mut().insert("x-request-id", value.clone());
        let mut response = next.run(request).await;
        response.headers_mut().insert("x-request-id", value);
        tracing::info!(
            request_id = %id, %method, %path, status = response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64, "request"
        );
        return response;
    }
    next.run(request).await
}

/// `?pack_hash=sha256:...`: the pack version the client expects.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct Pin {
    /// The content hash the pack must have (`sha256:...`, as `GET /v1/packs/{name}` reports it):
    /// a request for another version is refused with 409 rather than evaluated.
    pack_hash: Option<String>,
}

/// The pack `name`, checked against the token and the pinned hash.
pub(crate) fn pack_for(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    pin: &Pin,
) -> Result<Arc<Served>, Problem> {
    crate::auth::check(state.config.api_token.as_ref(), headers, "API")?;
    let Some(served) = state.registry.get(name) else {
        let names: Vec<String> = state.registry.snapshot().keys().cloned().collect();
        return Err(Problem::unknown_pack(name, &names));
    };
    if let Some(expected) = &pin.pack_hash {
        let hash = &served.pack.identity().hash;
        if expected != hash {
            return Err(Problem {
                pack_hash: Some(hash.clone()),
                ..Problem::new(
                    StatusCode::CONFLICT,
                    "pack-version",
                    "The pack has another version",
                    format!(
                        "pack \"{name}\" is at {hash}, not {expected}: reload your client's pin, \
                         or retry without pack_hash"
                    ),
                )
            });
        }
    }
    Ok(served)
}

/// The `pack` label of a request's metrics: its name when that pack is served, else `(unknown)`,
/// so that requests for made-up names cannot grow the metrics without bound.
pub(crate) fn metric_pack<'a>(state: &AppState, name: &'a str) -> &'a str {
    if state.registry.get(name).is_some() {
        name
    } else {
        "(unknown)"
    }
}

/// `Ok` when the request's `Content-Type` is one of `accepted` (parameters such as `charset`
/// ignored), else a 415 problem naming them.
pub(crate) fn content_type(headers: &HeaderMap, accepted: &[&str]) -> Result<(), Problem> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match given {
        Some(given) if accepted.contains(&given.as_str()) => Ok(()),
        given => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Wrong content type",
            format!(
                "the body must be sent as {} (got {})",
                accepted.join(" or "),
                given.map_or_else(
                    || "no Content-Type".to_owned(),
                    |given| format!("\"{given}\"")
                )
            ),
        )),
    }
}
