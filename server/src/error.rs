//! The one error shape of the API: `{"error": {"code", "message", "field"}}`.
//!
//! Clients (scripts, the predecessor's front end) branch on `code` and show `message`; `field`
//! points at the offending part of the request (`tracks[2].effect_chain[0].parameters.ratio`) so
//! that a form can highlight it. 4xx means the client's mistake, 5xx only the server's own.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

/// The `error` object of every error response (and of `error` messages on `/ws`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `out_of_range`, `unknown_effect`, `invalid_wav`.
    pub code: String,
    /// What went wrong, for people; ranges and valid choices are named.
    pub message: String,
    /// The request field at fault (JSON path or query key), when there is one.
    pub field: Option<String>,
}

/// The envelope, for the OpenAPI document.
#[derive(Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self { status, body: ErrorBody { code: code.to_string(), message: message.into(), field: None } }
    }

    pub fn at(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.body.field = (!field.is_empty()).then_some(field);
        self
    }

    /// A well-formed request whose content is wrong (unknown effect, value out of range).
    pub fn invalid(code: &str, message: impl Into<String>, field: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message).at(field)
    }

    /// A body that cannot be read at all (malformed JSON, a WAV that is not one).
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// The error for a bare status (from a layer or axum itself), with `detail` when it said more.
    pub fn from_status(status: StatusCode, detail: &str) -> Self {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::UPGRADE_REQUIRED => "upgrade_required",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        let reason = status.canonical_reason().unwrap_or("error");
        let message = if detail.trim().is_empty() {
            reason.to_string()
        } else {
            format!("{reason}: {}", detail.trim())
        };
        Self::new(status, code, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.body.field {
            Some(field) => write!(f, "{} ({field}): {}", self.body.code, self.body.message),
            None => write!(f, "{}: {}", self.body.code, self.body.message),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&ErrorResponse { error: self.body }).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Errors from the DSP crate are plain strings naming the problem; through the API they come
/// from the client's request, so they are 422s.
pub fn dsp_error(message: String, field: impl Into<String>) -> ApiError {
    ApiError::invalid("invalid_chain", message, field)
}
