//! Who may call: CORS origins and the bearer token.

use super::common::*;
use codette_server::ServerConfig;
use serde_json::json;

#[tokio::test]
async fn cors_allows_loopback_and_configured_origins_only() {
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.cors_origins = vec!["https://studio.example".into()];
    let server = serve_with(config);
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/api/effects/process"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,authorization")
            .send()
    };
    for origin in ["http://localhost:3000", "http://127.0.0.1:5173", "https://studio.example"] {
        let response = preflight(origin).await.unwrap();
        let allowed =
            response.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(allowed.as_deref(), Some(origin), "{origin}");
    }
    let response = preflight("http://evil.example").await.unwrap();
    assert!(response.headers().get("access-control-allow-origin").is_none());
    let simple = server
        .client
        .get(server.url("/health"))
        .header("origin", "http://localhost:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(simple.headers()["access-control-allow-origin"], "http://localhost:8080");
}

#[tokio::test]
async fn token_is_required_when_configured() {
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.token = Some("s3cret".into());
    let server = serve_with(config);
    let missing = check_error(server.get("/health").await, 401).await;
    assert_eq!(missing["code"], "unauthorized");
    assert!(missing["message"].as_str().unwrap().contains("Bearer"));
    let wrong = server.client.get(server.url("/api/effects/list")).bearer_auth("guess").send().await.unwrap();
    assert_eq!(check_error(wrong, 401).await["message"], "the bearer token is wrong");
    let body = serde_json::to_vec(&json!({"effect_type": "gate", "audio_data": [0.0]})).unwrap();
    let post = server
        .client
        .post(server.url("/api/effects/process"))
        .header("content-type", "application/json")
        .body(body);
    check_error(post.send().await.unwrap(), 401).await;
    let right = server.client.get(server.url("/health")).bearer_auth("s3cret").send().await.unwrap();
    assert_eq!(right.status(), 200);
    // WebSockets can pass it in the query, and are refused without it.
    let ws = format!("ws://{}/ws?token=s3cret", server.handle.addr());
    assert!(tokio_tungstenite::connect_async(ws).await.is_ok());
    let ws = format!("ws://{}/ws?token=nope", server.handle.addr());
    assert!(tokio_tungstenite::connect_async(ws).await.is_err());
}
