//! Cross-cutting layers: the bearer token, CORS, and turning every non-JSON error (from axum's
//! router, tower-http's body limit, a panic) into the API's JSON error.

use crate::error::ApiError;
use crate::routes::mixdown;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Requires `Authorization: Bearer <token>` when a token is configured. WebSocket upgrades may
/// pass it as `?token=` instead, since browsers cannot set headers on them.
pub async fn require_token(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(expected) = state.config.token.clone() else { return next.run(request).await };
    let given = presented_token(&request);
    match given {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => next.run(request).await,
        Some(_) => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "the bearer token is wrong")
            .into_response(),
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this server requires a token: send Authorization: Bearer <CODETTE_API_TOKEN>",
        )
        .into_response(),
    }
}

fn presented_token(request: &Request) -> Option<String> {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    let is_upgrade = request.headers().get(header::UPGRADE).is_some();
    bearer.or_else(|| {
        let query = request.uri().query().filter(|_| is_upgrade)?;
        query.split('&').find_map(|pair| pair.strip_prefix("token=")).map(percent_decode)
    })
}

/// Compares without stopping at the first difference, so response time does not reveal how
/// much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Browsers may call the API from pages served on loopback (any port, http or https), and from
/// the origins in `CODETTE_API_CORS` (`*` allows any). Other pages get no CORS headers, so a
/// web page on the internet cannot drive the plugin through the musician's browser.
pub fn cors(extra_origins: &[String]) -> CorsLayer {
    let extra: Vec<String> = extra_origins.to_vec();
    let allow = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        origin.to_str().is_ok_and(|origin| origin_allowed(origin, &extra))
    });
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([
            header::CONTENT_TYPE,
            header::LOCATION,
            header::HeaderName::from_static(mixdown::REPORT_HEADER),
            header::HeaderName::from_static(mixdown::GAIN_HEADER),
            header::HeaderName::from_static(mixdown::LIMITED_HEADER),
        ])
}

/// Whether a page from `origin` may use the API: loopback pages, and the configured ones (`*`
/// for any). CORS enforces it for HTTP; WebSockets, which browsers open across origins
/// without asking, check it themselves before taking commands.
pub fn origin_allowed(origin: &str, extra_origins: &[String]) -> bool {
    is_loopback_origin(origin) || extra_origins.iter().any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
}

/// `http(s)://localhost`, `127.x.y.z` or `[::1]`, with any port.
pub fn is_loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    let host = if let Some(v6) = rest.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        rest.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Rewrites error responses that are not JSON (404 and 405 from the router, 413 from the body
/// limit, 400 from a failed WebSocket upgrade) into the API's error shape, keeping their status
/// and headers such as `Allow`.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 16 * 1024).await.unwrap_or_default();
    let mut error = ApiError::from_status(status, &String::from_utf8_lossy(&detail));
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        error.body.message = "the request body is larger than this route accepts".into();
    }
    let mut rewritten = error.into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().entry(name.clone()).or_insert(value.clone());
        }
    }
    rewritten
}

/// A handler that panicked: 500 JSON, and the server carries on.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    ApiError::internal("the request handler failed unexpectedly").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins() {
        for o in ["http://localhost:3000", "https://127.0.0.1", "http://[::1]:5173", "http://127.5.0.1:80"] {
            assert!(is_loopback_origin(o), "{o}");
        }
        for o in [
            "http://evil.example",
            "http://localhost.evil.example",
            "file://",
            "null",
            "http://10.0.0.1:3000",
        ] {
            assert!(!is_loopback_origin(o), "{o}");
        }
    }

    #[test]
    fn configured_origins() {
        let studio = ["https://studio.example".to_string()];
        assert!(origin_allowed("https://STUDIO.example", &studio));
        assert!(origin_allowed("http://localhost:5173", &[]));
        assert!(!origin_allowed("https://evil.example", &studio));
        assert!(origin_allowed("https://evil.example", &["*".to_string()]));
    }

    #[test]
    fn tokens() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert_eq!(percent_decode("a%20b%2Bc"), "a b+c");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
