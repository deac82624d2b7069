//! `POST /v1/packs/{name}/evaluate`: one context in, one decision out.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use crm_rules_host::Decision;
use crm_rules_host::json::InputError;
use crm_rules_host::split::Arm;
use futures_util::StreamExt as _;

use super::{Pin, content_type, pack_for};
use crate::AppState;
use crate::arms::Arms;
use crate::decision_log::Entry;
use crate::problem::Problem;

/// Evaluates one context.
///
/// The body is a context, exactly as `crm-rules eval` reads it (docs/contract.md); the answer is
/// the decision `crm-rules eval` prints, with the pack's name, version and hash. When the server
/// runs the pack with a challenger (`--split`), the decision also says its `arm`, and its pack is
/// the one that decided. A context that is
/// not valid is a 422 whose `path` names the field. Rule failures are not HTTP errors: they are in
/// the decision's `errors`, and its `status` says what they mean.
#[utoipa::path(
    post,
    path = "/v1/packs/{name}/evaluate",
    params(("name" = String, Path, description = "The pack's name"), Pin),
    request_body(content = Object, content_type = "application/json",
                 description = "One context (docs/contract.md)"),
    responses(
        (status = 200, description = "The decision", body = Object, content_type = "application/json"),
        (status = 401, description = "Missing or wrong token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pack", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The pack is not at the pinned hash", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over the input limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid context", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Every worker busy and the queue full", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Past the request deadline", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "evaluate"
)]
pub(crate) async fn evaluate(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(pin): Query<Pin>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    match run(&state, &name, &pin, &headers, body, started).await {
        Ok(response) => response,
        Err((status, problem)) => {
            state
                .metrics
                .refused(super::metric_pack(&state, &name), status);
            problem.into_response()
        }
    }
}

/// A refusal: the outcome recorded in the metrics, and the problem answered.
type Refusal = (&'static str, Problem);

async fn run(
    state: &Arc<AppState>,
    name: &str,
    pin: &Pin,
    headers: &HeaderMap,
    body: Body,
    started: Instant,
) -> Result<Response, Refusal> {
    let served = pack_for(state, headers, name, pin).map_err(|problem| ("refused", problem))?;
    content_type(headers, &["application/json"]).map_err(|problem| ("refused", problem))?;
    let limit = served.pack.limits().max_input_bytes;
    let bytes = read_limited(body, limit)
        .await
        .map_err(|problem| ("refused", problem))?;
    let arms = crate::arms::arms(state, Arc::clone(&served.pack));
    let logging = Arc::clone(state);
    let request_id = headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let job = state
        .pool
        .submit(move || {
            let outcome = evaluate_bytes(&arms, &bytes);
            if let (Some(log), Ok(evaluated)) = (&logging.decision_log, &outcome) {
                let identity = &evaluated.decision.pack;
                log.record(&Entry {
                    request_id: &request_id,
                    pack: &identity.name,
                    hash: &identity.hash,
                    line: None,
                    arm: evaluated.arm.map(Arm::as_str),
                    input: crm_rules_host::json::text_from_bytes(&bytes).unwrap_or_default(),
                    decision: &evaluated.body,
                    latency: started.elapsed(),
                });
            }
            outcome
        })
        .map_err(|_| ("busy", Problem::busy()))?;
    let outcome = tokio::time::timeout(state.config.request_deadline, job)
        .await
        .map_err(|_| ("deadline", past_deadline(state)))?
        .map_err(|_| {
            (
                "failed",
                Problem::internal("the evaluation stopped unexpectedly"),
            )
        })?;
    match outcome {
        Ok(evaluated) => {
            state
                .metrics
                .decision(name, &evaluated.decision, started.elapsed());
            let mut response = (StatusCode::OK, evaluated.body).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            Ok(response)
        }
        Err(error) => Err((
            "invalid-input",
            Problem::invalid_input(error.path(), error.message()),
        )),
    }
}

/// One context decided on a worker.
struct Evaluated {
    /// The decision's JSON, as answered.
    body: Vec<u8>,
    /// The decision, for the metrics.
    decision: Decision,
    /// The arm that decided, when the pack has a challenger.
    arm: Option<Arm>,
}

/// Parses and evaluates one context on a worker, with the pack of its arm.
fn evaluate_bytes(arms: &Arms, bytes: &[u8]) -> Result<Evaluated, InputError> {
    let text = crm_rules_host::json::text_from_bytes(bytes)?;
    let (pack, arm) = arms.pack_for_text(text);
    let parsed = pack.parse_context(text)?;
    let decision = pack.evaluate_with_id(&parsed.context, parsed.id.as_deref());
    let mut json = decision.to_json();
    if let (Some(arm), serde_json::Value::Object(object)) = (arm, &mut json) {
        object.insert("arm".to_owned(), arm.as_str().into());
    }
    let body = serde_json::to_vec(&json).unwrap_or_default();
    Ok(Evaluated {
        body,
        decision,
        arm,
    })
}

fn past_deadline(state: &AppState) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "deadline",
        "Past the request deadline",
        format!(
            "no decision within the request deadline of {:?} (queue included); retry later",
            state.config.request_deadline
        ),
    )
}

/// The whole body, refused with 413 as soon as it passes `limit` bytes (never held beyond it).
pub(crate) async fn read_limited(body: Body, limit: usize) -> Result<Vec<u8>, Problem> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "unreadable-body",
                "The body could not be read",
                error.to_string(),
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "The body is too large",
                format!(
                    "the context is over {limit} bytes, the pack's input limit \
                     (Limits::max_input_bytes)"
                ),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
