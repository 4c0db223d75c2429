//! Request extractors whose rejections are the API's JSON errors, and the bridge to blocking
//! work.
//!
//! axum's own `Json` answers a malformed body with plain text; here every failure names the
//! field at fault (`tracks[0].pan: invalid type: string "left", expected f64`) in the API's
//! error shape. Large bodies are parsed on the blocking pool, so that decoding a 200 MB JSON of
//! samples never stalls the runtime.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use serde_json::{Map, Number, Value};

/// Bodies above this size are parsed off the async runtime.
const INLINE_PARSE_LIMIT: usize = 64 * 1024;

/// Runs CPU-heavy work on the blocking pool; a panic in it becomes a 500, never a crash.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        let what = if e.is_panic() { "panicked" } else { "was cancelled" };
        Err(ApiError::internal(format!("processing {what}")))
    })
}

/// Parses JSON, telling a syntax error (400 `malformed_json`) from well-formed JSON of the
/// wrong shape (422 `invalid_field`, with the path of the field). The path is tracked only on
/// a second pass after a failure: tracking it costs a third of the parse time of a large array
/// of samples.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(_) => Err(json_error::<T>(bytes)),
    }
}

/// The error of a body that did not parse, with the failing field's path.
fn json_error<T: DeserializeOwned>(bytes: &[u8]) -> ApiError {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let error = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Ok(_) => match deserializer.end() {
            Ok(()) => return ApiError::bad_request("malformed_json", "the body is not valid JSON"),
            Err(e) => {
                return ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
            }
        },
        Err(e) => e,
    };
    let path = error.path().to_string();
    let inner = error.into_inner();
    match inner.classify() {
        Category::Data => {
            let field = if path == "." { String::new() } else { path };
            ApiError::invalid("invalid_field", strip_position(&inner.to_string()), field)
        }
        _ => ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {inner}")),
    }
}

/// serde_json appends " at line 1 column 52" to data errors; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(pos) => message[..pos].to_string(),
        None => message.to_string(),
    }
}

/// The body as bytes, with a 413 JSON error when it is over the route's limit.
pub async fn body_bytes(request: Request) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, &()).await.map_err(|rejection| {
        let status = rejection.status();
        let mut error = ApiError::from_status(status, &rejection.body_text());
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            error.body.message = "the request body is larger than this route accepts".into();
        }
        error
    })
}

/// The kinds of body the audio routes accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Wav,
}

/// `application/json` → JSON; `audio/wav` and its aliases → WAV; anything else, including no
/// content type, is a 415 that says what is accepted. The strictness is deliberate: a web page
/// can send `text/plain`, form or untyped bodies to localhost without a CORS preflight, so
/// accepting them would let any site drive the plugin from the musician's browser.
pub fn body_kind(headers: &HeaderMap, wav_allowed: bool) -> Result<BodyKind, ApiError> {
    let value = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mime = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let mime = if mime.is_empty() { "no content type".to_string() } else { mime };
    match mime.as_str() {
        "application/json" => Ok(BodyKind::Json),
        m if m.ends_with("+json") => Ok(BodyKind::Json),
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" if wav_allowed => Ok(BodyKind::Wav),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            if wav_allowed {
                format!("send Content-Type: application/json or audio/wav (got {mime})")
            } else {
                format!("send Content-Type: application/json (got {mime})")
            },
        )),
    }
}

/// A JSON body deserialized into `T`, with JSON errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Send + 'static, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, ApiError> {
        body_kind(request.headers(), false)?;
        let bytes = body_bytes(request).await?;
        if bytes.len() <= INLINE_PARSE_LIMIT {
            parse_json(&bytes).map(ApiJson)
        } else {
            blocking(move || parse_json(&bytes)).await.map(ApiJson)
        }
    }
}

/// A JSON body, or the same fields in the query string (`/transport/seek?seconds=5`), which is
/// how the predecessor's transport routes took them. Either way the request must be marked as
/// JSON (see [`body_kind`]); when there is a query, the body is ignored.
pub struct JsonOrQuery<T>(pub T);

impl<T: DeserializeOwned + Send + 'static, S: Send + Sync> FromRequest<S> for JsonOrQuery<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        body_kind(request.headers(), false)?;
        if request.uri().query().is_some_and(|q| !q.is_empty()) {
            return parse_json(&query_object(request.uri())?).map(JsonOrQuery);
        }
        ApiJson::from_request(request, state).await.map(|ApiJson(value)| JsonOrQuery(value))
    }
}

/// The query's pairs as a JSON object with numbers and booleans typed, so that the body's
/// deserializer, and its errors naming the field, serve the query too.
fn query_object(uri: &Uri) -> Result<Vec<u8>, ApiError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|e| ApiError::bad_request("malformed_query", e.body_text()))?;
    let typed = |text: String| {
        if let Ok(flag) = text.parse::<bool>() {
            Value::Bool(flag)
        } else if let Ok(whole) = text.parse::<i64>() {
            Value::from(whole)
        } else {
            text.parse().ok().and_then(Number::from_f64).map_or(Value::String(text), Value::Number)
        }
    };
    let object: Map<String, Value> = pairs.into_iter().map(|(key, value)| (key, typed(value))).collect();
    serde_json::to_vec(&object).map_err(|e| ApiError::internal(e.to_string()))
}

/// A command without parameters (`/transport/play`). Its body is ignored, but the request must
/// be marked as JSON all the same: otherwise any web page could send it as a plain form post,
/// which browsers let through to localhost without asking first (see [`body_kind`]).
pub struct JsonCommand;

impl<S: Send + Sync> FromRequestParts<S> for JsonCommand {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        body_kind(&parts.headers, false).map(|_| JsonCommand)
    }
}

/// A body that is JSON or a WAV file (`/api/effects/process`, `/api/chain/process`).
pub enum AudioPayload {
    Json(Bytes),
    Wav(Bytes),
}

impl<S: Send + Sync> FromRequest<S> for AudioPayload {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, ApiError> {
        let kind = body_kind(request.headers(), true)?;
        let bytes = body_bytes(request).await?;
        Ok(match kind {
            BodyKind::Json => AudioPayload::Json(bytes),
            BodyKind::Wav => AudioPayload::Wav(bytes),
        })
    }
}
