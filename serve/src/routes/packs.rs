//! `GET /v1/packs` and `GET /v1/packs/{name}`: what is served, at which version, with what
//! modules, vocabulary and limits, and the last load error of a pack whose reload failed.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use crm_rules_host::RulePack;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::problem::Problem;
use crate::registry::{LoadFailure, Served};

/// A served pack, in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackSummary {
    /// Its name: the `{name}` of its routes.
    pub name: String,
    /// Its version (`[pack] version`).
    pub version: String,
    /// `sha256:...` over its manifest and sources: the value `pack_hash` pins, and every decision
    /// carries.
    pub hash: String,
    /// The contract it is written for (`0.1`, `0.2`).
    pub contract: String,
    /// Its one-line description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why its last reload failed (it serves the version before), if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_load_error: Option<LoadErrorInfo>,
}

/// A load that failed.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadErrorInfo {
    /// The pack folder, relative to the packs directory.
    pub folder: String,
    /// What the loader said.
    pub message: String,
    /// When, in seconds since the Unix epoch.
    pub at_unix_seconds: u64,
}

/// `GET /v1/packs`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackList {
    /// The packs served, by name.
    pub packs: Vec<PackSummary>,
    /// Pack folders that have never loaded (nothing is served from them).
    pub not_loaded: Vec<LoadErrorInfo>,
}

/// One module of a pack.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleInfo {
    /// Its id, as decisions report it.
    pub id: String,
    /// Its source file, relative to the pack.
    pub source: String,
    /// The triggers it runs on (empty for a 0.1 module, which runs on its kind's).
    pub triggers: Vec<String>,
    /// Its entry point, when the manifest names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// What one module may cost in one evaluation (the pack's limits within the host's ceilings).
#[derive(Debug, Serialize, ToSchema)]
pub struct LimitsInfo {
    /// WebAssembly fuel.
    pub fuel: u64,
    /// Rhai operations.
    pub rhai_max_operations: u64,
    /// Wall-clock deadline, in milliseconds.
    pub deadline_ms: u64,
    /// Memory, in bytes.
    pub max_memory_bytes: usize,
    /// Actions plus suppressions returned.
    pub max_output_entries: usize,
    /// Bytes of text returned.
    pub max_output_bytes: usize,
    /// Bytes of one context.
    pub max_input_bytes: usize,
}

/// `GET /v1/packs/{name}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackDetail {
    /// The pack in brief.
    #[serde(flatten)]
    pub summary: PackSummary,
    /// Its modules, in evaluation order.
    pub modules: Vec<ModuleInfo>,
    /// Its `[vocabulary]`, as the manifest declares it (docs/contract.md, "Vocabulary").
    pub vocabulary: serde_json::Value,
    /// Its limits.
    pub limits: LimitsInfo,
}

/// Lists the packs served.
#[utoipa::path(
    get,
    path = "/v1/packs",
    responses(
        (status = 200, description = "The packs served", body = PackList),
        (status = 401, description = "Missing or wrong token", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "packs"
)]
pub(crate) async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(problem) = crate::auth::check(state.config.api_token.as_ref(), &headers, "API") {
        return problem.into_response();
    }
    let packs = state
        .registry
        .snapshot()
        .values()
        .map(|served| summary(served))
        .collect();
    let not_loaded = state.registry.unloaded().iter().map(failure).collect();
    Json(PackList { packs, not_loaded }).into_response()
}

/// Describes one pack.
#[utoipa::path(
    get,
    path = "/v1/packs/{name}",
    params(("name" = String, Path, description = "The pack's name")),
    responses(
        (status = 200, description = "The pack", body = PackDetail),
        (status = 401, description = "Missing or wrong token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pack", body = Problem, content_type = "application/problem+json"),
    ),
    tag = "packs"
)]
pub(crate) async fn describe(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let pin = super::Pin { pack_hash: None };
    match super::pack_for(&state, &headers, &name, &pin) {
        Ok(served) => Json(detail(&served)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

fn summary(served: &Served) -> PackSummary {
    let pack: &RulePack = &served.pack;
    let identity = pack.identity();
    let info = &pack.manifest().pack;
    PackSummary {
        name: identity.name.clone(),
        version: identity.version.clone(),
        hash: identity.hash.clone(),
        contract: serde_json::to_value(info.contract)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
        description: info.description.clone(),
        last_load_error: served.last_error.as_ref().map(failure),
    }
}

fn detail(served: &Served) -> PackDetail {
    let pack = &served.pack;
    let manifest = pack.manifest();
    let limits = pack.limits();
    PackDetail {
        summary: summary(served),
        modules: manifest
            .modules
            .iter()
            .map(|module| ModuleInfo {
                id: module.id.clone(),
                source: module.source.display().to_string(),
                triggers: module.triggers.clone(),
                entry: module.entry.clone(),
            })
            .collect(),
        vocabulary: manifest
            .vocabulary
            .as_ref()
            .and_then(|table| serde_json::to_value(table).ok())
            .unwrap_or_else(|| serde_json::json!({})),
        limits: LimitsInfo {
            fuel: limits.fuel,
            rhai_max_operations: limits.rhai_max_operations,
            deadline_ms: u64::try_from(limits.deadline.as_millis()).unwrap_or(u64::MAX),
            max_memory_bytes: limits.max_memory_bytes,
            max_output_entries: limits.max_output_entries,
            max_output_bytes: limits.max_output_bytes,
            max_input_bytes: limits.max_input_bytes,
        },
    }
}

/// A load failure as the API reports it.
pub(crate) fn failure(failure: &LoadFailure) -> LoadErrorInfo {
    LoadErrorInfo {
        folder: failure.folder.clone(),
        message: failure.message.clone(),
        at_unix_seconds: failure
            .at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs()),
    }
}
