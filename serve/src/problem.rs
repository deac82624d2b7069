//! Errors as `application/problem+json` (RFC 9457): a type, a title, the status, a detail, and for
//! an input error the same field path and message the command line prints
//! (`invoices[3].due_date: expected a date (YYYY-MM-DD), found "tomorrow"`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem (`/problems/invalid-input`).
    #[serde(rename = "type", serialize_with = "problem_uri")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// A short, fixed summary of the kind.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What was wrong with this request, and what to do.
    pub detail: String,
    /// For an invalid context: the field path of the first error (`invoices[3].due_date`; empty
    /// for the whole input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// For a pack version conflict: the hash the pack has now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack_hash: Option<String>,
    /// Seconds to wait before retrying, when the server is busy.
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl Problem {
    /// A problem of kind `slug` (`invalid-input`, answered as the `type` `/problems/invalid-input`)
    /// with `status`, `title` and `detail`.
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            kind: slug,
            title,
            status: status.as_u16(),
            detail: detail.into(),
            path: None,
            pack_hash: None,
            retry_after: None,
        }
    }

    /// 404: no pack of that name.
    pub fn unknown_pack(name: &str, served: &[String]) -> Problem {
        let list = if served.is_empty() {
            "none".to_owned()
        } else {
            served.join(", ")
        };
        Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-pack",
            "No such pack",
            format!(
                "no pack named \"{name}\" is served (served: {list}); GET /v1/packs lists them"
            ),
        )
    }

    /// 422: the context is not valid; `path` is the field path of the error.
    pub fn invalid_input(path: &str, message: &str) -> Problem {
        let detail = if path.is_empty() {
            message.to_owned()
        } else {
            format!("{path}: {message}")
        };
        Problem {
            path: Some(path.to_owned()),
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "The context is not valid",
                detail,
            )
        }
    }

    /// 429: every worker is busy and the queue is full.
    pub fn busy() -> Problem {
        Problem {
            retry_after: Some(1),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "busy",
                "The server is busy",
                "every evaluation worker is busy and the queue is full; retry after the time in \
                 Retry-After",
            )
        }
    }

    /// 500: something failed in the server itself.
    pub fn internal(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "The server failed",
            detail,
        )
    }
}

/// `type` as a URI reference: `/problems/` and the slug.
fn problem_uri<S: serde::Serializer>(
    slug: &&'static str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("/problems/{slug}"))
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
