//! The OpenAI-compatible model, through a loopback server that speaks the chat-completions wire
//! format: the request it receives (model, the analysis in the system message, the bearer key),
//! its answer passed through, and the embedded engine's answer when the model is down or slow.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use codette_assistant::chat::history::Turn;
use codette_assistant::chat::llm::{answer, Llm, LlmConfig};
use codette_assistant::chat::{embedded, Context, Perspective, Source};
use codette_assistant::{detect, FindingKind, Measurements};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[path = "fixtures/loud_master.rs"]
mod loud_master;
use loud_master::loud_master;

/// What the fake model received: the authorization header and the JSON body.
type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// A model on a free loopback port that answers after `delay` (or never, with `None`).
async fn fake_model(delay: Option<Duration>) -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/v1/chat/completions",
            post(move |State(log): State<Received>, headers: HeaderMap, Json(body): Json<Value>| async move {
                let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_string());
                log.lock().unwrap().push((auth, body));
                match delay {
                    Some(delay) => tokio::time::sleep(delay).await,
                    None => std::future::pending::<()>().await,
                }
                Json(json!({
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1_700_000_000,
                    "model": "test-model",
                    "choices": [{
                        "index": 0,
                        "message": {"role": "assistant", "content": "The model says: −8.2 LUFS is 5.8 dB above −14."},
                        "finish_reason": "stop"
                    }]
                }))
            }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/v1"), received)
}

fn llm(url: &str, timeout_ms: u64) -> Llm {
    let vars = [
        ("CODETTE_LLM_URL", url.to_string()),
        ("CODETTE_LLM_MODEL", "test-model".to_string()),
        ("CODETTE_LLM_KEY", "sk-test".to_string()),
        ("CODETTE_LLM_TIMEOUT_MS", timeout_ms.to_string()),
    ];
    let config = LlmConfig::from_lookup(|k| vars.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone()))
        .unwrap()
        .expect("configured");
    Llm::new(config).unwrap()
}

#[tokio::test]
async fn the_model_gets_the_analysis_and_its_answer_is_passed_on() {
    let (url, received) = fake_model(Some(Duration::ZERO)).await;
    let meters = loud_master();
    let findings = detect(&Measurements::live(meters), &Default::default());
    assert!(findings.iter().any(|f| f.id == FindingKind::TruePeakOver));
    let context = Context { meters: Some(&meters), findings: &findings, ..Context::default() };
    let history = [Turn { user: "How wide is it?".into(), assistant: "Width 0.52.".into() }];
    let response =
        answer(Some(&llm(&url, 5_000)), "Is it too loud?", Perspective::Newtonian, context, &history).await;

    assert_eq!(response.source, Source::Llm);
    assert_eq!(response.response, "The model says: −8.2 LUFS is 5.8 dB above −14.");
    assert_eq!(response.perspective, Perspective::Newtonian);
    assert!(response.fallback.is_none());
    // Confidence and suggestions are the embedded engine's for the same question.
    let local = embedded("Is it too loud?", Perspective::Newtonian, context);
    assert_eq!(
        (response.confidence, &response.suggestions, &response.follow_ups),
        (local.confidence, &local.suggestions, &local.follow_ups)
    );

    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1);
    let (auth, body) = &received[0];
    assert_eq!(auth.as_deref(), Some("Bearer sk-test"));
    assert_eq!(body["model"], "test-model");
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[0]["role"], "system");
    // The earlier turn, then the question.
    assert_eq!(messages[1], json!({"role": "user", "content": "How wide is it?"}));
    assert_eq!(messages[2], json!({"role": "assistant", "content": "Width 0.52."}));
    assert_eq!(messages[3], json!({"role": "user", "content": "Is it too loud?"}));
    let system = messages[0]["content"].as_str().unwrap();
    // The analysis as the meters report it, the findings, the effects, the perspective's manner.
    let reading = serde_json::to_string(&meters).unwrap();
    assert!(system.contains(&reading), "{reading} in {system}");
    assert!(reading.contains("\"lufs_integrated\":-8.2") && reading.contains("\"tonal_balance\":{"));
    assert!(system.contains(&serde_json::to_string(&findings).unwrap()));
    assert!(system.contains("compressor (threshold, ratio, attack, release, knee, makeup)"));
    assert!(system.contains(Perspective::Newtonian.manner()));
}

#[tokio::test]
async fn a_model_that_is_down_falls_back_to_the_embedded_engine() {
    // A port that was free a moment ago: nothing listens there, the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let meters = loud_master();
    let context = Context { meters: Some(&meters), ..Context::default() };
    let response = answer(
        Some(&llm(&format!("http://127.0.0.1:{port}/v1"), 5_000)),
        "how loud?",
        Perspective::default(),
        context,
        &[],
    )
    .await;
    assert_eq!(response.source, Source::Embedded);
    let reason = response.fallback.as_deref().unwrap();
    assert!(reason.contains("could not be reached"), "{reason}");
    assert_eq!(response.response, embedded("how loud?", Perspective::default(), context).response);
    assert!(response.response.contains("-8.2 LUFS"));
}

#[tokio::test]
async fn a_slow_model_is_abandoned_at_the_timeout() {
    // The model never answers: only the timeout can end the request.
    let (url, received) = fake_model(None).await;
    let meters = loud_master();
    let context = Context { meters: Some(&meters), ..Context::default() };
    let response = answer(Some(&llm(&url, 300)), "how loud?", Perspective::Creative, context, &[]).await;
    assert_eq!(received.lock().unwrap().len(), 1, "the request reached the model");
    assert_eq!(response.source, Source::Embedded);
    let reason = response.fallback.as_deref().unwrap();
    assert!(reason.contains("did not answer within 300 ms"), "{reason}");
    assert_eq!(response.response, embedded("how loud?", Perspective::Creative, context).response);
}

#[test]
fn configuration_from_the_environment() {
    let config = |vars: &[(&str, &str)]| {
        LlmConfig::from_lookup(|k| vars.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
    };
    assert_eq!(config(&[]), Ok(None));
    let c = config(&[("CODETTE_LLM_URL", "http://127.0.0.1:11434/v1/"), ("CODETTE_LLM_MODEL", "llama3")])
        .unwrap()
        .unwrap();
    assert_eq!(c.endpoint, "http://127.0.0.1:11434/v1/chat/completions");
    assert_eq!((c.model.as_str(), c.key.as_deref(), c.timeout), ("llama3", None, Duration::from_secs(20)));
    let full = config(&[("CODETTE_LLM_URL", "http://h/x/chat/completions"), ("CODETTE_LLM_MODEL", "m")]);
    assert_eq!(full.unwrap().unwrap().endpoint, "http://h/x/chat/completions");
    assert!(config(&[("CODETTE_LLM_URL", "http://h")]).unwrap_err().contains("CODETTE_LLM_MODEL"));
    assert!(config(&[("CODETTE_LLM_URL", "https://api.openai.com/v1"), ("CODETTE_LLM_MODEL", "m")])
        .unwrap_err()
        .contains("no TLS"));
}
