//! `/api/mixdown` and jobs: the mix equals the tracks processed separately (with the pan law
//! computed here), mute and solo, resampling, output formats, loudness normalization, and a
//! job followed on `/ws` whose result equals the inline render.

mod common;

use base64::Engine;
use codette_dsp::chain::SlotConfig;
use common::*;
use serde_json::{json, Value};

const RATE: u32 = 48_000;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Equal-power pan, θ = (pan+1)π/4, per side, times the volume.
fn gains(volume_db: f64, pan: f64) -> (f32, f32) {
    let g = 10f64.powf(volume_db / 20.0);
    let theta = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
    ((g * theta.cos()) as f32, (g * theta.sin()) as f32)
}

async fn mix(server: &TestServer, body: &Value) -> (Vec<Vec<f32>>, u32, u16, bool, Value) {
    let response = server.post_json("/api/mixdown", body).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    assert_eq!(response.headers()["content-type"], "audio/wav");
    let header = |name: &str| response.headers().get(name).map(|v| v.to_str().unwrap().to_string());
    let mut report: Value = serde_json::from_str(&header("x-codette-report").unwrap()).unwrap();
    if let Some(limited) = header("x-codette-loudness-limited") {
        report["limited_header"] = json!(limited);
        report["gain_header"] = json!(header("x-codette-loudness-gain-db").unwrap());
    }
    let (channels, rate, bits, float) = read_wav(&response.bytes().await.unwrap());
    (channels, rate, bits, float, report)
}

struct Track {
    left: Vec<f32>,
    right: Option<Vec<f32>>,
    chain: Vec<SlotConfig>,
    chain_json: Value,
    volume_db: f64,
    pan: f64,
}

fn tracks() -> Vec<Track> {
    vec![
        Track {
            left: material(0.4, RATE, 5),
            right: Some(material(0.4, RATE, 6)),
            chain: vec![SlotConfig::effect("compressor").with("threshold", -30.0).with("ratio", 4.0)],
            chain_json: json!([{"type": "compressor", "parameters": {"threshold": -30, "ratio": 4}}]),
            volume_db: -3.0,
            pan: 0.4,
        },
        Track {
            left: material(0.25, RATE, 7),
            right: None,
            chain: vec![
                SlotConfig::effect("simple_delay").with("time_ms", 60.0).with("feedback", 0.3),
                SlotConfig::effect("limiter").with("threshold", -6.0),
            ],
            chain_json: json!([
                {"type": "simple_delay", "parameters": {"time_ms": 60, "feedback": 0.3}},
                {"type": "limiter", "parameters": {"threshold": -6}}
            ]),
            volume_db: 2.0,
            pan: -0.7,
        },
        Track {
            left: sine(330.0, 0.3, 0.3, RATE),
            right: Some(sine(440.0, 0.3, 0.3, RATE)),
            chain: vec![],
            chain_json: json!([]),
            volume_db: 0.0,
            pan: 0.0,
        },
    ]
}

fn track_json(t: &Track, extra: Value) -> Value {
    let audio = match &t.right {
        Some(r) => json!([t.left, r]),
        None => json!(t.left),
    };
    let mut v = json!({"audio_data": audio, "sample_rate": RATE, "volume_db": t.volume_db, "pan": t.pan, "effect_chain": t.chain_json});
    v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    v
}

/// The mix computed here: each heard track through its chain (reference rack), gains by the
/// formula, summed in track order, then the master chain.
fn expected(tracks: &[&Track], master: &[SlotConfig], frames: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (vec![0.0f32; frames], vec![0.0f32; frames]);
    for t in tracks {
        let right = t.right.clone().unwrap_or_else(|| t.left.clone());
        let (tl, tr) = reference(&t.chain, RATE, &t.left, &right, frames - t.left.len());
        let (gl, gr) = gains(t.volume_db, t.pan);
        l.iter_mut().zip(&tl).for_each(|(s, x)| *s += x * gl);
        r.iter_mut().zip(&tr).for_each(|(s, x)| *s += x * gr);
    }
    reference(master, RATE, &l, &r, 0)
}

#[tokio::test]
async fn the_mix_is_the_sum_of_the_processed_tracks() {
    let server = serve();
    let t = tracks();
    let master_json = json!([{"type": "compressor", "parameters": {"threshold": -12, "ratio": 2}}]);
    let master = vec![SlotConfig::effect("compressor").with("threshold", -12.0).with("ratio", 2.0)];
    let body = json!({
        "tracks": t.iter().map(|t| track_json(t, json!({}))).collect::<Vec<_>>(),
        "master_chain": master_json, "format": 32, "sample_rate": RATE, "tail_seconds": 0.1,
    });
    let (out, rate, bits, float, report) = mix(&server, &body).await;
    assert_eq!((rate, bits, float, out.len()), (RATE, 32, true, 2));
    let (el, er) = expected(&t.iter().collect::<Vec<_>>(), &master, t[0].left.len() + RATE as usize / 10);
    assert_eq!(out[0].len(), t[0].left.len() + RATE as usize / 10, "longest track plus the tail");
    assert_eq!(max_diff(&out[0], &el), 0.0, "bit-identical to the reference");
    assert_eq!(max_diff(&out[1], &er), 0.0);
    assert_eq!(report["length"], out[0].len());
    assert_eq!(report["tracks_rendered"], 3);
    assert_eq!(report["format"], "float32");
}

#[tokio::test]
async fn mute_and_solo_choose_the_heard_tracks() {
    let server = serve();
    let t = tracks();
    let cases: [(&[Value; 3], Vec<usize>); 3] = [
        (&[json!({"mute": true}), json!({}), json!({})], vec![1, 2]),
        (&[json!({}), json!({"solo": true}), json!({"solo": true})], vec![1, 2]),
        // Mute wins over solo; with no audible soloed track left, the others stay silent.
        (&[json!({}), json!({"solo": true, "mute": true}), json!({"mute": true})], vec![0]),
    ];
    for (flags, heard) in cases {
        let body = json!({
            "tracks": t.iter().zip(flags.iter()).map(|(t, f)| track_json(t, f.clone())).collect::<Vec<_>>(),
            "format": "float32",
        });
        let (out, rate, ..) = mix(&server, &body).await;
        assert_eq!(rate, RATE, "default rate: the tracks' rate");
        let heard_tracks: Vec<&Track> = heard.iter().map(|&i| &t[i]).collect();
        // The length stays that of the longest track, heard or not.
        let frames = t.iter().map(|t| t.left.len()).max().unwrap();
        assert_eq!(out[0].len(), frames);
        let (el, er) = expected(&heard_tracks, &[], frames);
        assert_eq!(max_diff(&out[0], &el), 0.0, "{heard:?}");
        assert_eq!(max_diff(&out[1], &er), 0.0, "{heard:?}");
    }
}

/// Frequency of a sine by linear regression of its unwrapped phase over zero crossings.
fn frequency(x: &[f32], rate: u32) -> f64 {
    let crossings: Vec<f64> = (1..x.len())
        .filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0)
        .map(|i| (i - 1) as f64 + x[i - 1] as f64 / (x[i - 1] - x[i]) as f64)
        .collect();
    let periods = (crossings.len() - 1) as f64;
    rate as f64 * periods / (crossings.last().unwrap() - crossings[0])
}

#[tokio::test]
async fn tracks_at_other_rates_are_resampled() {
    let server = serve();
    let x = sine(1000.0, 0.5, 0.5, 44_100);
    let wav = wav_bytes(std::slice::from_ref(&x), 44_100, 32, true);
    let body = json!({"tracks": [{"audio": b64(&wav)}], "sample_rate": 48_000, "format": 32});
    let (out, rate, ..) = mix(&server, &body).await;
    assert_eq!(rate, 48_000);
    assert_eq!(out[0].len(), 24_000, "0.5 s at 48 kHz");
    let f = frequency(&out[0][1000..23_000], 48_000);
    assert!((f - 1000.0).abs() < 0.05, "frequency {f}");
    // Centre pan: each side at cos(π/4) of the mono source.
    let peak = out[0][1000..23_000].iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!((peak - 0.5 * std::f32::consts::FRAC_1_SQRT_2).abs() < 2e-3, "peak {peak}");
    assert_eq!(max_diff(&out[0], &out[1]), 0.0);
}

#[tokio::test]
async fn output_formats_decode_within_their_quantization() {
    let server = serve();
    let t = tracks();
    let tracks_json: Vec<Value> = t.iter().map(|t| track_json(t, json!({}))).collect();
    let (reference, ..) = mix(&server, &json!({"tracks": tracks_json, "format": 32})).await;
    for (format, bits, quantum) in [
        (json!(16), 16, 1.0 / 32_768.0),
        (json!("pcm24"), 24, 1.0 / 8_388_608.0),
        (json!(24), 24, 1.0 / 8_388_608.0),
    ] {
        let (out, _, b, float, report) =
            mix(&server, &json!({"tracks": tracks_json, "format": format})).await;
        assert_eq!((b, float), (bits, false));
        assert_eq!(report["format"], format!("pcm{bits}"));
        for c in 0..2 {
            let error = max_diff(&out[c], &reference[c]);
            assert!(error <= quantum * 0.5 + 1e-9, "{bits}-bit: error {error} over half a step");
        }
    }
    let e = server
        .expect_error(
            "/api/mixdown",
            "application/json",
            serde_json::to_vec(&json!({"tracks": tracks_json, "format": 12})).unwrap(),
            422,
        )
        .await;
    assert_eq!(e["field"], "format");
}

fn loudness(channels: &[Vec<f32>], rate: u32) -> (f64, f64) {
    let mut meter = ebur128::EbuR128::new(2, rate, ebur128::Mode::I | ebur128::Mode::TRUE_PEAK).unwrap();
    meter.add_frames_planar_f32(&[&channels[0], &channels[1]]).unwrap();
    let peak = (0..2).map(|c| meter.true_peak(c).unwrap()).fold(0.0f64, f64::max);
    (meter.loudness_global().unwrap(), 20.0 * peak.log10())
}

#[tokio::test]
async fn loudness_normalization_reaches_the_target_or_stops_at_the_true_peak_ceiling() {
    let server = serve();
    let t = tracks();
    let tracks_json: Vec<Value> = t.iter().map(|t| track_json(t, json!({}))).collect();
    for target in [-23.0, -16.0] {
        let body = json!({"tracks": tracks_json, "format": 32, "loudness_target_lufs": target});
        let (out, rate, _, _, report) = mix(&server, &body).await;
        let (lufs, peak) = loudness(&out, rate);
        assert!((lufs - target).abs() < 0.1, "target {target}: measured {lufs}");
        assert!(peak <= -1.0 + 0.05, "true peak {peak}");
        assert_eq!(report["loudness"]["limited_by_true_peak"], false);
        assert_eq!(report["limited_header"], "false");
        let gain: f64 = report["gain_header"].as_str().unwrap().parse().unwrap();
        assert!((gain - report["loudness"]["gain_db"].as_f64().unwrap()).abs() < 0.01);
        assert!((report["loudness"]["output_lufs"].as_f64().unwrap() - target).abs() < 1e-9);
    }
    // A crest-heavy signal (sparse clicks) cannot reach −6 LUFS under −1 dBTP.
    let mut clicks = vec![0.0f32; RATE as usize];
    for i in (0..clicks.len()).step_by(4800) {
        clicks[i] = 0.5;
    }
    let body = json!({"tracks": [{"audio_data": clicks, "sample_rate": RATE}], "format": 32, "loudness_target_lufs": -6});
    let (out, rate, _, _, report) = mix(&server, &body).await;
    let (lufs, peak) = loudness(&out, rate);
    assert_eq!(report["loudness"]["limited_by_true_peak"], true);
    assert_eq!(report["limited_header"], "true");
    assert!((peak - -1.0).abs() < 0.05, "stopped at the ceiling: {peak}");
    assert!(lufs < -6.5, "and so below the target: {lufs}");
}

#[tokio::test]
async fn predecessor_track_format_and_json_answers() {
    let server = serve();
    // The predecessor's track: audio_data with `volume` in dB and no sample rate (44.1 kHz).
    let x = sine(220.0, 0.4, 0.2, 44_100);
    let body = json!({"tracks": [{"audio_data": x, "volume": -6, "pan": 1, "effect_chain": [{"type": "gate", "parameters": {}}]}]});
    let response = server
        .client
        .post(server.url("/api/mixdown"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["report"]["sample_rate"], 44_100);
    assert_eq!(answer["report"]["format"], "pcm16", "16-bit by default, like the predecessor");
    let wav = base64::engine::general_purpose::STANDARD.decode(answer["audio"].as_str().unwrap()).unwrap();
    let (out, ..) = read_wav(&wav);
    let left_peak = out[0].iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let right_peak = out[1].iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(left_peak < 1e-4, "hard right: left silent");
    assert!((right_peak - 0.4 * 10f32.powf(-6.0 / 20.0)).abs() < 2e-3, "right at −6 dB: {right_peak}");
}

#[tokio::test]
async fn bad_mixdowns_name_the_field() {
    let server = serve();
    let ok = json!({"audio_data": [0.1, 0.2], "sample_rate": RATE});
    let cases = [
        (json!({"tracks": []}), 422, "tracks"),
        (
            json!({"tracks": [ok, {"audio_data": [0.1], "effect_chain": [{"type": "wah"}]}]}),
            422,
            "tracks[1].effect_chain[0].type",
        ),
        (json!({"tracks": [{"audio_data": [0.1], "pan": 1.5}]}), 422, "tracks[0].pan"),
        (json!({"tracks": [{"audio_data": [0.1], "volume_db": "loud"}]}), 422, "tracks[0].volume_db"),
        (json!({"tracks": [{"audio": "%%% not base64"}]}), 400, "tracks[0].audio"),
        (json!({"tracks": [{"audio": b64(b"RIFF....WAVEjunk")}]}), 400, "tracks[0].audio"),
        (json!({"tracks": [{}]}), 422, "tracks[0].audio"),
        (
            json!({"tracks": [ok], "master_chain": [{"type": "limiter", "parameters": {"release": 5}}]}),
            422,
            "master_chain[0].parameters.release",
        ),
        (json!({"tracks": [ok], "loudness_target_lufs": 3}), 422, "loudness_target_lufs"),
        (json!({"tracks": [ok], "tail_seconds": -1}), 422, "tail_seconds"),
        (json!({"tracks": [ok], "sample_rate": 1000}), 422, "sample_rate"),
        (json!({"tracks": [ok], "bpm": 5}), 422, "bpm"),
    ];
    for (body, status, field) in cases {
        let e = server
            .expect_error("/api/mixdown", "application/json", serde_json::to_vec(&body).unwrap(), status)
            .await;
        assert_eq!(e["field"], field, "{body}: {e}");
    }
    server.assert_alive().await;
}

#[tokio::test]
async fn a_job_reports_progress_on_the_websocket_and_matches_the_inline_render() {
    let server = serve();
    let mut ws = ws_connect(&server).await;
    assert_eq!(next_json(&mut ws).await["type"], "welcome");
    let t = tracks();
    let tracks_json: Vec<Value> = t.iter().map(|t| track_json(t, json!({}))).collect();
    let body = json!({"tracks": tracks_json, "format": 24, "loudness_target_lufs": -18, "tail_seconds": 0.2});

    let mut job_body = body.clone();
    job_body["async"] = json!(true);
    let response = server.post_json("/api/mixdown", &job_body).await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let job: Value = response.json().await.unwrap();
    let id = job["job_id"].as_str().unwrap().to_string();
    assert_eq!(job["status_url"], format!("/api/jobs/{id}"));
    assert_eq!(location, format!("/api/jobs/{id}"));

    let mut progress = Vec::new();
    let done = loop {
        let message = next_json(&mut ws).await;
        assert_eq!(message["data"]["job_id"], id.as_str());
        match message["type"].as_str().unwrap() {
            "job_progress" => progress
                .push((message["data"]["progress"].as_f64().unwrap(), message["data"]["stage"].clone())),
            "job_done" => break message,
            other => panic!("unexpected {other}: {message}"),
        }
    };
    assert!(progress.len() >= 3, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0].0 <= w[1].0), "monotonic: {progress:?}");
    let stages: Vec<&str> = progress.iter().map(|(_, s)| s.as_str().unwrap()).collect();
    for stage in ["queued", "tracks", "master", "loudness", "encoding"] {
        assert!(stages.contains(&stage), "{stage} in {stages:?}");
    }
    assert_eq!(done["data"]["result_url"], format!("/api/jobs/{id}/result"));

    let (status, info) = server.get_json(&format!("/api/jobs/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!((info["status"].as_str(), info["progress"].as_f64()), (Some("done"), Some(1.0)));
    let (_, list) = server.get_json("/api/jobs").await;
    assert!(list["jobs"].as_array().unwrap().iter().any(|j| j["job_id"] == id.as_str()));

    let result = server.get(&format!("/api/jobs/{id}/result")).await;
    assert_eq!(result.status(), 200);
    let job_wav = result.bytes().await.unwrap();
    let wav_by_accept = server
        .client
        .get(server.url(&format!("/api/jobs/{id}")))
        .header("accept", "audio/wav")
        .send()
        .await
        .unwrap();
    assert_eq!(wav_by_accept.bytes().await.unwrap(), job_wav);

    let inline = server.post_json("/api/mixdown", &body).await;
    assert_eq!(inline.status(), 200);
    assert_eq!(
        inline.bytes().await.unwrap(),
        job_wav,
        "the job renders exactly what the inline request does"
    );

    let missing = server.get("/api/jobs/0000000000000000").await;
    assert_eq!(check_error(missing, 404).await["code"], "not_found");
}

#[tokio::test]
async fn long_mixdowns_become_jobs_and_finished_jobs_are_capped() {
    let mut config = codette_server::ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.sync_mixdown_seconds = 0.5;
    config.max_jobs = 2;
    let server = serve_with(config);
    let short = json!({"tracks": [{"audio_data": vec![0.1f32; 4800], "sample_rate": RATE}]});
    assert_eq!(server.post_json("/api/mixdown", &short).await.status(), 200);
    let long = json!({"tracks": [{"audio_data": vec![0.1f32; 48_000], "sample_rate": RATE}]});
    let mut ids = Vec::new();
    for _ in 0..3 {
        let response = server.post_json("/api/mixdown", &long).await;
        assert_eq!(response.status(), 202, "over the threshold: a job");
        ids.push(response.json::<Value>().await.unwrap()["job_id"].as_str().unwrap().to_string());
    }
    // Wait for all three, then only the two newest are kept.
    for id in &ids[1..] {
        for _ in 0..200 {
            let (_, info) = server.get_json(&format!("/api/jobs/{id}")).await;
            if info["status"] == "done" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    let (_, list) = server.get_json("/api/jobs").await;
    let kept: Vec<&str> =
        list["jobs"].as_array().unwrap().iter().map(|j| j["job_id"].as_str().unwrap()).collect();
    assert_eq!(kept, [ids[1].as_str(), ids[2].as_str()]);
    let e = check_error(server.get(&format!("/api/jobs/{}/result", ids[0])).await, 404).await;
    assert!(e["message"].as_str().unwrap().contains("evicted"));
    let mut sync = long.clone();
    sync["async"] = json!(false);
    assert_eq!(server.post_json("/api/mixdown", &sync).await.status(), 200, "async: false forces inline");
}
