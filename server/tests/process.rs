//! `/api/effects/process` and `/api/chain/process` give what codette_dsp gives on the same
//! input (the reference rack is built here, independently of the server's code path), in the
//! form they were asked in, with latency compensated.

mod common;

use codette_dsp::chain::SlotConfig;
use common::*;
use serde_json::json;

const RATE: u32 = 48_000;

fn stereo_input() -> (Vec<f32>, Vec<f32>) {
    (material(0.5, RATE, 1), material(0.5, RATE, 2))
}

#[tokio::test]
async fn effect_json_stereo_matches_the_dsp() {
    let server = serve();
    let (l, r) = stereo_input();
    let body = json!({
        "effect_type": "compressor",
        "parameters": {"threshold": -30, "ratio": 6, "attack": 2, "release": 80, "makeup": 3},
        "audio_data": [l, r],
        "sample_rate": RATE,
    });
    let response = server.post_json("/api/effects/process", &body).await;
    assert_eq!(response.status(), 200);
    let out: serde_json::Value = response.json().await.unwrap();
    assert_eq!(out["sample_rate"], RATE);
    assert_eq!(out["length"], l.len());
    let config = SlotConfig::effect("compressor")
        .with("threshold", -30.0)
        .with("ratio", 6.0)
        .with("attack", 2.0)
        .with("release", 80.0)
        .with("makeup", 3.0);
    let (el, er) = reference(&[config], RATE, &l, &r, 0);
    assert!(max_diff(&f32s(&out["audio_data"][0]), &el) <= 1e-6);
    assert!(max_diff(&f32s(&out["audio_data"][1]), &er) <= 1e-6);
    assert!(max_diff(&el, &l) > 0.01, "the compressor did something");
}

#[tokio::test]
async fn mono_is_processed_dual_mono_and_returned_as_the_average() {
    let server = serve();
    let x = material(0.3, RATE, 3);
    // Ping-pong is not symmetric, so the average of the sides differs from either side.
    let body = json!({"effect_type": "pingpong_delay", "parameters": {"time_ms": 40, "mix": 0.6}, "audio_data": x, "sample_rate": RATE});
    let out: serde_json::Value = server.post_json("/daw/effects/process", &body).await.json().await.unwrap();
    assert!(out["audio_data"][0].is_number(), "flat in, flat out");
    let config = SlotConfig::effect("pingpong_delay").with("time_ms", 40.0).with("mix", 0.6);
    let (l, r) = reference(&[config], RATE, &x, &x, 0);
    let average: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
    assert!(max_diff(&f32s(&out["audio_data"]), &average) <= 1e-6);
    assert!(max_diff(&l, &r) > 0.01);
    // A single channel array stays a channel array.
    let body = json!({"effect_type": "eq3band", "audio_data": [x], "sample_rate": RATE});
    let out: serde_json::Value = server.post_json("/api/effects/process", &body).await.json().await.unwrap();
    assert_eq!(out["audio_data"].as_array().unwrap().len(), 1);
    assert!(out["audio_data"][0].is_array());
}

#[tokio::test]
async fn latency_is_compensated() {
    let server = serve();
    // Well below the limiter's ceiling and the gentlest drive: output ≈ input, sample-aligned,
    // although both effects have latency (lookahead, oversampling filters).
    let x = sine(500.0, 0.25, 0.25, RATE);
    for (effect, params, tolerance) in [
        ("limiter", json!({"threshold": -1, "lookahead": 10}), 1e-5),
        // The oversampler's phase-matched dry path is close to, not exactly, the input.
        ("saturation", json!({"drive": 0, "mix": 0}), 5e-3),
    ] {
        let body = json!({"effect_type": effect, "parameters": params, "audio_data": x, "sample_rate": RATE});
        let out: serde_json::Value =
            server.post_json("/api/effects/process", &body).await.json().await.unwrap();
        let y = f32s(&out["audio_data"]);
        assert_eq!(y.len(), x.len());
        let mut rack = codette_dsp::chain::build_rack(&[SlotConfig::effect(effect)], RATE as f32).unwrap();
        if effect == "limiter" {
            rack = codette_dsp::chain::build_rack(
                &[SlotConfig::effect(effect).with("lookahead", 10.0)],
                RATE as f32,
            )
            .unwrap();
        }
        assert!(rack.latency() > 0, "{effect} has latency");
        // The best alignment of output to input is at lag 0.
        let error_at = |lag: usize| max_diff(&y[100 + lag..x.len() - 10], &x[100..x.len() - 10 - lag]);
        let shifted = |lag: usize| max_diff(&y[100..x.len() - 10 - lag], &x[100 + lag..x.len() - 10]);
        let aligned = error_at(0);
        assert!(aligned < tolerance, "{effect}: output close to input, max error {aligned}");
        for lag in 1..4 {
            assert!(error_at(lag) > aligned && shifted(lag) > aligned, "{effect}: lag {lag} fits no better");
        }
    }
}

#[tokio::test]
async fn wav_in_wav_out_with_query_parameters() {
    let server = serve();
    let (l, r) = stereo_input();
    let wav = wav_bytes(&[l.clone(), r.clone()], RATE, 24, false);
    let (input, ..) = read_wav(&wav);
    let config = SlotConfig::effect("highlow_pass")
        .with("filter_type", 1.0)
        .with("cutoff_freq", 2000.0)
        .with("order", 4.0);
    let (el, er) = reference(&[config], RATE, &input[0], &input[1], 0);
    // Individual keys, with a choice by name, and the same as a params object.
    for query in [
        "effect_type=highlow_pass&filter_type=lowpass&cutoff_freq=2000&order=4".to_string(),
        format!(
            "effect_type=highlow_pass&params={}",
            urlencode(r#"{"filter_type":"lowpass","cutoff_freq":2000,"order":4}"#)
        ),
    ] {
        let response =
            server.post_raw(&format!("/api/effects/process?{query}"), "audio/wav", wav.clone()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "audio/wav");
        let (out, rate, bits, float) = read_wav(&response.bytes().await.unwrap());
        assert_eq!((rate, bits, float, out.len()), (RATE, 24, false, 2), "same format as sent");
        let quantum = 1.0 / 8_388_608.0;
        assert!(max_diff(&out[0], &el) <= quantum && max_diff(&out[1], &er) <= quantum);
    }
    // 16-bit mono comes back 16-bit mono; 32-bit float stays float.
    let mono = wav_bytes(std::slice::from_ref(&l), 44_100, 16, false);
    let response = server.post_raw("/api/effects/process?effect_type=gate", "audio/x-wav", mono).await;
    let (out, rate, bits, float) = read_wav(&response.bytes().await.unwrap());
    assert_eq!((rate, bits, float, out.len(), out[0].len()), (44_100, 16, false, 1, l.len()));
    let float_wav = wav_bytes(&[l.clone(), r.clone()], RATE, 32, true);
    let response = server
        .post_raw("/api/effects/process?effect_type=distortion&distortion_type=fuzz", "audio/wav", float_wav)
        .await;
    let (out, _, bits, float) = read_wav(&response.bytes().await.unwrap());
    let (el, _) =
        reference(&[SlotConfig::effect("distortion").with("distortion_type", 2.0)], RATE, &l, &r, 0);
    assert_eq!((bits, float), (32, true));
    assert_eq!(max_diff(&out[0], &el), 0.0, "float WAV is exact");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn chain_json() -> serde_json::Value {
    json!([
        {"type": "eq3band", "parameters": {"low_gain": 4, "high_gain": -3}},
        {"type": "compressor", "parameters": {"threshold": -24, "ratio": 3}, "mix": 0.5},
        {"type": "simple_delay", "parameters": {"time_ms": 30}, "bypass": true},
        {"type": null},
        {"type": "limiter", "parameters": {"threshold": -3, "lookahead": 5}, "output_db": -1}
    ])
}

fn chain_configs() -> Vec<SlotConfig> {
    let mut compressor = SlotConfig::effect("compressor").with("threshold", -24.0).with("ratio", 3.0);
    compressor.mix = 0.5;
    let mut delay = SlotConfig::effect("simple_delay").with("time_ms", 30.0);
    delay.bypass = true;
    let empty = SlotConfig { effect: None, ..SlotConfig::effect("gate") };
    let mut limiter = SlotConfig::effect("limiter").with("threshold", -3.0).with("lookahead", 5.0);
    limiter.output_db = -1.0;
    vec![
        SlotConfig::effect("eq3band").with("low_gain", 4.0).with("high_gain", -3.0),
        compressor,
        delay,
        empty,
        limiter,
    ]
}

#[tokio::test]
async fn chain_json_and_wav_match_the_dsp() {
    let server = serve();
    let (l, r) = stereo_input();
    let (el, er) = reference(&chain_configs(), RATE, &l, &r, 0);
    let body = json!({"chain": chain_json(), "audio_data": [l, r], "sample_rate": RATE});
    let out: serde_json::Value = server.post_json("/api/chain/process", &body).await.json().await.unwrap();
    assert!(max_diff(&f32s(&out["audio_data"][0]), &el) <= 1e-6);
    assert!(max_diff(&f32s(&out["audio_data"][1]), &er) <= 1e-6);

    let wav = wav_bytes(&[l.clone(), r.clone()], RATE, 32, true);
    let path = format!("/api/chain/process?chain={}", urlencode(&chain_json().to_string()));
    let response = server.post_raw(&path, "audio/wav", wav).await;
    assert_eq!(response.status(), 200);
    let (out, ..) = read_wav(&response.bytes().await.unwrap());
    assert_eq!(max_diff(&out[0], &el), 0.0);
    assert_eq!(max_diff(&out[1], &er), 0.0);
}

#[tokio::test]
async fn tails_are_rendered_on_request() {
    let server = serve();
    let x = sine(300.0, 0.5, 0.1, RATE);
    let params = json!({"time_ms": 150, "feedback": 0.5});
    let body = json!({"effect_type": "simple_delay", "parameters": params, "audio_data": x, "sample_rate": RATE, "tail_seconds": 0.5});
    let out: serde_json::Value = server.post_json("/api/effects/process", &body).await.json().await.unwrap();
    let y = f32s(&out["audio_data"]);
    assert_eq!(y.len(), x.len() + RATE as usize / 2);
    assert_eq!(out["length"], y.len());
    let tail_energy: f32 = y[x.len() + 1000..].iter().map(|v| v * v).sum();
    assert!(tail_energy > 1.0, "the echoes ring on after the input");
    let config = SlotConfig::effect("simple_delay").with("time_ms", 150.0).with("feedback", 0.5);
    let (l, r) = reference(&[config], RATE, &x, &x, RATE as usize / 2);
    let average: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
    assert!(max_diff(&y, &average) <= 1e-6);
}

/// Sample of the first echo of an impulse through a quarter-note-synced delay.
async fn first_echo(server: &TestServer) -> usize {
    let mut audio = vec![0.0f32; 60_000];
    audio[0] = 1.0;
    let body = serde_json::json!({
        "effect_type": "simple_delay",
        "parameters": {"sync": "1/4", "feedback": 0, "mix": 1},
        "audio_data": audio,
        "sample_rate": 48_000,
    });
    let response = server.post_json("/api/effects/process", &body).await;
    assert_eq!(response.status(), 200);
    let out = f32s(&response.json::<serde_json::Value>().await.unwrap()["audio_data"]);
    out.iter().position(|x| x.abs() > 0.5).expect("an echo")
}

#[tokio::test]
async fn tempo_synced_effects_render_at_the_transports_tempo() {
    let server = serve();
    // A quarter note at the default 120 bpm is 0.5 s; at 60 bpm, set on the transport, 1 s.
    assert_eq!(first_echo(&server).await, 24_000);
    let response = server.post_json("/transport/tempo", &serde_json::json!({"bpm": 60})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(first_echo(&server).await, 48_000);
}
