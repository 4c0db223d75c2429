//! `/api/jobs`: status and results of background renders.

use crate::error::{ApiError, ErrorResponse};
use crate::extract::blocking;
use crate::jobs::{self, JobInfo};
use crate::openapi::WavFile;
use crate::routes::mixdown::{mix_response, wants_json, MixdownJson};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_jobs)).routes(routes!(job_status)).routes(routes!(job_result))
}

#[derive(Serialize, ToSchema)]
pub struct JobList {
    pub jobs: Vec<JobInfo>,
}

/// Jobs kept in memory, oldest first.
#[utoipa::path(get, path = "/api/jobs", tag = "jobs", responses((status = 200, body = JobList)))]
async fn list_jobs(State(state): State<AppState>) -> Json<JobList> {
    Json(JobList { jobs: state.jobs.list() })
}

/// A job's status; once done, a request that accepts `audio/wav` (and not JSON) gets the WAV
/// itself, as from `/result`.
#[utoipa::path(
    get, path = "/api/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "The job id from the 202 answer")),
    responses(
        (status = 200, description = "Status, or the WAV when done and asked for", content((JobInfo = "application/json"), (WavFile = "audio/wav"))),
        (status = 404, description = "Unknown or evicted job", body = ErrorResponse),
    ),
)]
async fn job_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let info = state.jobs.info(&id).ok_or_else(|| jobs::unknown(&id))?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    if info.result_url.is_some() && accept.contains("audio/") && !accept.contains("json") {
        let output = state.jobs.output(&id)?;
        return Ok(mix_response(&output, false));
    }
    Ok(Json(info).into_response())
}

/// The finished mix: WAV (or JSON with `Accept: application/json`), with the `X-Codette-Report`
/// header. 409 while the job is queued or running, or when it failed.
#[utoipa::path(
    get, path = "/api/jobs/{id}/result", tag = "jobs",
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 200, description = "The mix", content((WavFile = "audio/wav"), (MixdownJson = "application/json"))),
        (status = 404, description = "Unknown or evicted job", body = ErrorResponse),
        (status = 409, description = "Not finished, or failed", body = ErrorResponse),
    ),
)]
async fn job_result(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let output = state.jobs.output(&id)?;
    let json = wants_json(&headers);
    blocking(move || Ok(mix_response(&output, json))).await
}
