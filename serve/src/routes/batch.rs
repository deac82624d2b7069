//! `POST /v1/packs/{name}/evaluate-batch`: a book of contexts as NDJSON in, one result line per
//! input line out, in input order, streamed both ways (the same lines `crm-rules batch` writes).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use crm_rules_host::batch::{BatchOptions, Evaluated, run_batch};
use crm_rules_host::split::Arm;

use super::{Pin, content_type, pack_for};
use crate::AppState;
use crate::decision_log::Entry;
use crate::problem::Problem;
use crate::streaming::{body_reader, body_writer};

/// The media types a book may be sent as.
const NDJSON: [&str; 2] = ["application/x-ndjson", "application/jsonl"];

/// Evaluates a book of contexts.
///
/// The body is NDJSON, one context per line; the answer, streamed as the lines are evaluated, has
/// exactly one line per input line, in input order: `{"line": N, "decision": {...}}`, or
/// `{"line": N, "error": "invoices[3].due_date: ..."}` for a line that is not a valid context (the
/// other lines are still evaluated). With a challenger (`--split`), each decision says its `arm`;
/// with a decision log, each decision is logged with its line. Memory stays flat in the size of the book; each line is held
/// to the pack's input limit. The client should read the answer while it sends the book: both
/// directions are bounded, so a client that sends a large book without reading stalls.
#[utoipa::path(
    post,
    path = "/v1/packs/{name}/evaluate-batch",
    params(("name" = String, Path, description = "The pack's name"), Pin),
    request_body(content = String, content_type = "application/x-ndjson",
                 description = "One context per line"),
    responses(
        (status = 200, description = "One result per input line, in order", body = String, content_type = "application/x-ndjson"),
        (status = 401, description = "Missing or wrong token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pack", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The pack is not at the pinned hash", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as application/x-ndjson", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Every worker busy and the queue full", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "evaluate"
)]
pub(crate) async fn evaluate_batch(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    Query(pin): Query<Pin>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let served = match pack_for(&state, &headers, &name, &pin)
        .and_then(|served| content_type(&headers, &NDJSON).map(|()| served))
    {
        Ok(served) => served,
        Err(problem) => {
            state
                .metrics
                .refused(super::metric_pack(&state, &name), "refused");
            return problem.into_response();
        }
    };
    let reader = body_reader(body).await;
    let (mut writer, response_body) = body_writer();
    let arms = crate::arms::arms(&state, Arc::clone(&served.pack));
    let worker_state = Arc::clone(&state);
    let request_id = headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let submitted = state.pool.submit(move || {
        let input = std::io::BufReader::new(reader);
        let log = |evaluated: &Evaluated<'_>| {
            if let Some(log) = &worker_state.decision_log {
                log.record(&Entry {
                    request_id: &request_id,
                    pack: &evaluated.pack.name,
                    hash: &evaluated.pack.hash,
                    line: Some(evaluated.line),
                    arm: evaluated.arm.map(Arm::as_str),
                    input: evaluated.input,
                    decision: evaluated.decision,
                    latency: evaluated.latency,
                });
            }
        };
        let options = BatchOptions {
            split: arms.split(),
            observer: Some(&log),
            ..BatchOptions::default()
        };
        match run_batch(&arms.champion, input, &mut writer, &options) {
            Ok(summary) => worker_state.metrics.batch(&name, &summary),
            Err(error) => tracing::warn!(pack = %name, %error, "batch ended early"),
        }
    });
    if submitted.is_err() {
        state.metrics.refused(&served.pack.identity().name, "busy");
        return Problem::busy().into_response();
    }
    let mut response = (StatusCode::OK, response_body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    response
}
