//! Bad input of every kind answered with a JSON 4xx naming the problem, and body limits.

use super::common::*;
use codette_server::ServerConfig;
use serde_json::{json, Value};

fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[tokio::test]
async fn bad_requests_get_json_4xx_naming_the_problem() {
    let server = serve();
    let process = "/api/effects/process";
    const JSON: &str = "application/json";

    let e = server.expect_error(process, JSON, b"{\"effect_type\": \"gate\", ".to_vec(), 400).await;
    assert_eq!(e["code"], "malformed_json");

    let e = server
        .expect_error(
            process,
            JSON,
            json_bytes(&json!({"effect_type": "gate", "audio_data": [0.1], "sample_rate": "fast"})),
            422,
        )
        .await;
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("invalid_field"), Some("sample_rate")));

    let e = server
        .expect_error(
            process,
            JSON,
            json_bytes(&json!({"effect_type": "gate", "audio_data": [0.1, "x"]})),
            422,
        )
        .await;
    assert_eq!(e["field"], "audio_data[1]");

    let e = server.expect_error(process, JSON, json_bytes(&json!({"audio_data": [0.1]})), 422).await;
    assert!(e["message"].as_str().unwrap().contains("effect_type"), "{e}");

    let e = server
        .expect_error(
            process,
            JSON,
            json_bytes(&json!({"effect_type": "flanger9000", "audio_data": [0.1]})),
            422,
        )
        .await;
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("unknown_effect"), Some("effect_type")));
    assert!(e["message"].as_str().unwrap().contains("compressor"), "lists the known effects");

    let body = json!({"effect_type": "compressor", "parameters": {"treshold": -10}, "audio_data": [0.1]});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("unknown_parameter"), Some("parameters.treshold"))
    );

    let body = json!({"effect_type": "compressor", "parameters": {"threshold": 10}, "audio_data": [0.1]});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("out_of_range"), Some("parameters.threshold"))
    );
    assert!(e["message"].as_str().unwrap().contains("between -60 and 0"), "{e}");

    let body = json!({"effect_type": "distortion", "parameters": {"distortion_type": "crunchy"}, "audio_data": [0.1]});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert!(e["message"].as_str().unwrap().contains("soft, hard, fuzz"), "{e}");

    let body = json!({"effect_type": "gate", "audio_data": [0.1], "sample_rate": 8000});
    let e = server.expect_error(process, JSON, json_bytes(&body), 422).await;
    assert!(e["message"].as_str().unwrap().contains("22050 and 192000"), "{e}");

    let body = json!({"effect_type": "gate", "audio_data": [[0.1, 0.2], [0.3]]});
    assert_eq!(server.expect_error(process, JSON, json_bytes(&body), 422).await["code"], "invalid_audio");

    let body = json!({"chain": [{"type": "gate"}, {"type": "compressor", "mix": 2}], "audio_data": [0.1]});
    let e = server.expect_error("/api/chain/process", JSON, json_bytes(&body), 422).await;
    assert_eq!(e["field"], "chain[1].mix");

    // WAV bodies.
    let wav = wav_bytes(&[sine(440.0, 0.5, 0.1, 48_000)], 48_000, 16, false);
    let e = server
        .expect_error(
            &format!("{process}?effect_type=gate"),
            "audio/wav",
            wav[..wav.len() - 333].to_vec(),
            400,
        )
        .await;
    assert_eq!(e["code"], "invalid_wav");
    assert!(e["message"].as_str().unwrap().contains("truncated"), "{e}");
    let e = server
        .expect_error(
            &format!("{process}?effect_type=gate"),
            "audio/wav",
            b"ID3\x03 an mp3, not a wav".to_vec(),
            400,
        )
        .await;
    assert_eq!(e["code"], "invalid_wav");
    let e = server.expect_error(process, "audio/wav", wav.clone(), 422).await;
    assert_eq!(e["field"], "effect_type");
    let e = server
        .expect_error(&format!("{process}?effect_type=gate&hold=999"), "audio/wav", wav.clone(), 422)
        .await;
    assert_eq!((e["code"].as_str(), e["field"].as_str()), (Some("out_of_range"), Some("hold")));
    let e = server
        .expect_error(&format!("{process}?effect_type=gate&params=%7Bnope"), "audio/wav", wav.clone(), 422)
        .await;
    assert_eq!(e["field"], "params");

    // Content types: a form, plain text or no type at all is refused (no CSRF from web pages).
    for content_type in ["application/x-www-form-urlencoded", "text/plain"] {
        let e = server
            .expect_error(
                process,
                content_type,
                json_bytes(&json!({"effect_type": "gate", "audio_data": [0.1]})),
                415,
            )
            .await;
        assert_eq!(e["code"], "unsupported_media_type");
    }
    let untyped = server.client.post(server.url(process)).body("{}").send().await.unwrap();
    check_error(untyped, 415).await;

    // Router errors are JSON too.
    assert_eq!(check_error(server.get("/no/such/route").await, 404).await["code"], "not_found");
    let delete = server.client.delete(server.url("/health")).send().await.unwrap();
    assert_eq!(check_error(delete, 405).await["code"], "method_not_allowed");
    assert_eq!(check_error(server.get("/ws").await, 400).await["code"], "bad_request");

    server.assert_alive().await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.audio_body_limit = 64 * 1024;
    config.body_limit = 1024;
    let server = serve_with(config);
    for (path, length) in [("/api/effects/process", 64 * 1024 + 1), ("/api/mixdown", 300 << 20)] {
        let (status, e) = server.announce_body(path, length).await;
        assert_eq!(status, 413, "{path}");
        assert_eq!(e["code"], "payload_too_large", "{path}");
        assert!(e["message"].is_string());
    }
    // Under the limit is fine.
    let ok = server
        .post_json("/api/effects/process", &json!({"effect_type": "gate", "audio_data": [0.1, 0.2]}))
        .await;
    assert_eq!(ok.status(), 200);
    server.assert_alive().await;
}
