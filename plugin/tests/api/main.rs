//! The plugin's rack driven through the sidecar API over loopback, with its audio running: every
//! per-instance route, what reaches the audio thread, and bad input answered with the right
//! 4xx naming the field.

mod codette;
mod live;
mod preview;

use codette_dsp::modulation::{ModulationConfig, ModulationEngine, Transport};
use live::{error, param, Live};
use serde_json::{json, Value};

fn slot(live: &Live, n: usize) -> Value {
    let (status, rack) = live.get("");
    assert_eq!(status, 200, "{rack}");
    rack["slots"][n - 1].clone()
}

#[test]
fn the_rack_lists_every_slot_with_its_parameters() {
    let live = Live::start();
    let (status, rack) = live.get("");
    assert_eq!(status, 200, "{rack}");
    assert_eq!(rack["id"], live.id);
    assert_eq!(rack["format"], "clap");
    assert_eq!(rack["sample_rate"], 48000.0);
    assert_eq!(rack["slots"].as_array().unwrap().len(), 8);
    assert_eq!(rack["order"], json!([1, 2, 3, 4, 5, 6, 7, 8]));
    assert_eq!(rack["macros"].as_array().unwrap().len(), 8);
    assert_eq!(rack["macros"][0]["id"], "macro1");
    let slot3 = &rack["slots"][2];
    assert_eq!((slot3["slot"].as_u64(), slot3["position"].as_u64()), (Some(3), Some(3)));
    assert_eq!(slot3["effect"], Value::Null);
    let effect = param(slot3, "s3_effect");
    assert_eq!(effect["kind"], "choice");
    assert_eq!(effect["options"][0], "empty");
    assert_eq!(param(slot3, "s3_bypass")["kind"], "toggle");
    let mix = param(slot3, "s3_mix");
    assert_eq!((mix["value"].as_f64(), mix["text"].as_str()), (Some(1.0), Some("100.0 %")));
    assert!(rack["modulation"]["lfos"].is_array());
    assert_eq!(rack["history"], json!({"undo_steps": 0, "redo_steps": 0}));
}

#[test]
fn a_slot_takes_an_effect_and_the_audio_thread_runs_it() {
    let live = Live::start();
    let body = json!({"type": "compressor", "parameters": {"threshold": -60, "ratio": 20}, "mix": 0.5});
    let (status, view) = live.send("PUT", "/slots/3", &body);
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["effect"], "compressor");
    assert_eq!(view["mix"], 0.5);
    let threshold = param(&view, "s3_compressor_threshold");
    assert_eq!(threshold["value"], -60.0);
    assert_eq!(threshold["unit"], "dB");
    assert_eq!(threshold["name"], "Slot 3 · Compressor · Threshold");
    // Unnamed parameters take their defaults (EFFECTS.md: attack 10 ms).
    assert_eq!(param(&view, "s3_compressor_attack")["value"], 10.0);
    // The change reached the audio thread: the host parameter is set and the compressor,
    // driven by noise far above its threshold, reports gain reduction.
    live.wait_until("the audio thread applies the change", || live.params.slots[2].effect.value() == 3);
    live.wait_until("the compressor reduces gain", || {
        slot(&live, 3)["gain_reduction_db"].as_f64().is_some_and(|gr| gr > 6.0)
    });
    assert_eq!(slot(&live, 1)["gain_reduction_db"], Value::Null);

    let (status, view) = live.send("PUT", "/slots/3", &json!({"type": null}));
    assert_eq!((status, view["effect"].clone()), (200, Value::Null));
    assert!(view["parameters"].as_array().unwrap().is_empty());
}

#[test]
fn parameters_are_set_by_id_in_plain_units_names_booleans_or_normalized() {
    let live = Live::start();
    let body = json!({
        "changes": [
            {"id": "s1_effect", "value": "limiter"},
            {"id": "s1_limiter_threshold", "value": -6},
            {"id": "s1_bypass", "value": true},
            {"id": "s1_mix", "normalized": 0.25},
        ],
        "values": {"macro2": 0.75, "s2_in": -3.5},
    });
    let (status, response) = live.send("PATCH", "/params", &body);
    assert_eq!(status, 200, "{response}");
    let set: Vec<(String, f64)> = response["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p["value"].as_f64().unwrap()))
        .collect();
    let expected = [
        ("s1_effect", 4.0),
        ("s1_limiter_threshold", -6.0),
        ("s1_bypass", 1.0),
        ("s1_mix", 0.25),
        ("macro2", 0.75),
        ("s2_in", -3.5),
    ];
    for (id, value) in expected {
        let got = set.iter().find(|(i, _)| i == id).unwrap_or_else(|| panic!("{id} missing")).1;
        assert!((got - value).abs() < 1e-5, "{id}: {got} != {value}");
    }
    // Read back at once (before the audio thread's next block, the API shows what it sent)…
    let view = slot(&live, 1);
    assert_eq!(view["effect"], "limiter");
    assert_eq!(param(&view, "s1_limiter_threshold")["text"], "-6.00 dB");
    // …and the audio thread applies all of it to the host parameters.
    live.wait_until("the changes are applied", || {
        let s = &live.params.slots[0];
        s.bypass.value()
            && (s.mix.plain() - 0.25).abs() < 1e-6
            && (live.params.slots[1].input.plain() + 3.5).abs() < 1e-4
    });
    assert!((live.params.macros[1].normalized() - 0.75).abs() < 1e-6);
    // Text as a host's generic editor takes it: a number with its unit.
    let (status, response) = live.send(
        "PATCH",
        "/params",
        &json!({"values": {"s2_out": "-3 dB", "s1_limiter_threshold": "-1.5"}}),
    );
    assert_eq!(status, 200, "{response}");
    let values: Vec<f64> =
        response["params"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).collect();
    assert_eq!(values, [-1.5, -3.0]);
}

#[test]
fn bad_parameter_changes_are_refused_whole_with_the_field_named() {
    let live = Live::start();
    let cases = [
        (json!({"changes": [{"id": "s1_nope", "value": 1}]}), "unknown_parameter", "changes[0].id"),
        (json!({"changes": [{"id": "s1_mix", "value": 1.5}]}), "out_of_range", "changes[0].value"),
        (json!({"changes": [{"id": "s1_mix", "normalized": -0.1}]}), "out_of_range", "changes[0].normalized"),
        (
            json!({"changes": [{"id": "s1_mix", "value": 0.5, "normalized": 0.5}]}),
            "invalid_field",
            "changes[0]",
        ),
        (json!({"changes": [{"id": "s1_effect", "value": "flanger"}]}), "out_of_range", "changes[0].value"),
        (
            json!({"changes": [{"id": "s1_compressor_threshold", "value": "loud"}]}),
            "invalid_type",
            "changes[0].value",
        ),
        (json!({"values": {"s9_mix": 0.5}}), "unknown_parameter", "values.s9_mix"),
        (json!({"changes": []}), "invalid_field", "changes"),
        (json!({"changes": [{"id": "s1_mix", "value": [1]}]}), "invalid_field", "changes[0].value"),
        (json!({"bogus": 1}), "invalid_field", ""),
    ];
    for (body, code, field) in cases {
        let e = error(live.send("PATCH", "/params", &body), 422);
        assert_eq!(e["code"], code, "{body}: {e}");
        if !field.is_empty() {
            assert_eq!(e["field"], field, "{body}: {e}");
        }
    }
    // All or nothing: a valid change next to an invalid one is not applied.
    let body = json!({"changes": [{"id": "s2_mix", "value": 0.1}, {"id": "s2_out", "value": 99}]});
    assert_eq!(error(live.send("PATCH", "/params", &body), 422)["field"], "changes[1].value");
    assert_eq!(param(&slot(&live, 2), "s2_mix")["value"], 1.0);
    assert_eq!(error(live.send_raw("PATCH", "/params", "{\"changes\": [}"), 400)["code"], "malformed_json");
    let response =
        reqwest::blocking::Client::new().get(live.server_url("/api/instances/999")).send().unwrap();
    assert_eq!(response.status().as_u16(), 404);
    // The server and the audio are still there.
    live.send("PATCH", "/params", &json!({"values": {"s3_mix": 0.5}}));
    live.wait_until("the audio thread applies a good change", || live.params.slots[2].mix.plain() == 0.5);
}

#[test]
fn slots_are_checked_and_moved() {
    let live = Live::start();
    let cases = [
        ("/slots/9", json!({"type": "compressor"}), 404, "n"),
        ("/slots/x", json!({"type": "compressor"}), 422, "n"),
        ("/slots/1", json!({"type": "flanger"}), 422, "type"),
        ("/slots/1", json!({"type": "compressor", "parameters": {"ratio": 0}}), 422, "parameters.ratio"),
        ("/slots/1", json!({"type": "compressor", "parameters": {"nope": 1}}), 422, "parameters.nope"),
        ("/slots/1", json!({"type": "compressor", "mix": 2}), 422, "mix"),
        ("/slots/1", json!({"type": null, "parameters": {"ratio": 2}}), 422, "type"),
    ];
    for (path, body, status, field) in cases {
        assert_eq!(error(live.send("PUT", path, &body), status)["field"], field, "{path} {body}");
    }
    let (status, order) = live.send("POST", "/slots/move", &json!({"from": 1, "to": 3}));
    assert_eq!((status, order["order"].clone()), (200, json!([2, 3, 1, 4, 5, 6, 7, 8])));
    assert_eq!(slot(&live, 1)["position"], 3);
    let (_, order) = live.send("POST", "/slots/move", &json!({"from": 8, "to": 1}));
    assert_eq!(order["order"], json!([8, 2, 3, 1, 4, 5, 6, 7]));
    assert_eq!(error(live.send("POST", "/slots/move", &json!({"from": 0, "to": 3})), 422)["field"], "from");
    assert_eq!(error(live.send("POST", "/slots/move", &json!({"from": 1, "to": 9})), 422)["field"], "to");
    assert_eq!(live.params.order.get(), [7, 1, 2, 0, 3, 4, 5, 6]);
}

#[test]
fn modulation_is_replaced_patched_and_refused_when_wrong() {
    let live = Live::start();
    let route = json!({"source": {"type": "lfo", "index": 0}, "target": "s1_mix", "depth": 0.5, "mapping": "bipolar", "enabled": true});
    let (status, config) = live.send("PATCH", "/modulation", &json!({"routes": [route]}));
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["routes"][0]["target"], "s1_mix");
    let (_, again) = live.get("/modulation");
    assert_eq!(again, config);
    let bad =
        json!({"routes": [{"source": {"type": "lfo", "index": 0}, "target": "s1_nothing", "depth": 0.5}]});
    let e = error(live.send("PATCH", "/modulation", &bad), 422);
    assert_eq!(e["field"], "routes[0].target", "{e}");
    assert_eq!(live.get("/modulation").1, config, "a refused change changes nothing");
    let mut whole = config.clone();
    whole["lanes"] = json!({"s2_mix": {"points": [
        {"time_samples": 0, "value": 0.0, "interpolation": "linear"},
        {"time_samples": 48000, "value": 1.0, "interpolation": "smooth"}]}});
    let (status, replaced) = live.send("PUT", "/modulation", &whole);
    assert_eq!(status, 200, "{replaced}");
    let (_, lanes) = live.get("/automation");
    assert_eq!(lanes["lanes"]["s2_mix"]["points"][1]["time_samples"], 48000);
    assert_eq!(error(live.send("PUT", "/modulation", &json!({"routes": 5})), 422)["field"], "routes");
}

#[test]
fn state_round_trips_and_bad_documents_change_nothing() {
    let live = Live::start();
    live.send(
        "PUT",
        "/slots/2",
        &json!({"type": "simple_delay", "parameters": {"time_ms": 250}, "bypass": true}),
    );
    live.send("POST", "/slots/move", &json!({"from": 2, "to": 1}));
    let (status, saved) = live.get("/state");
    assert_eq!(status, 200);
    assert_eq!(saved["format"], "codette-rack-preset");
    assert_eq!(saved["slots"][1]["type"], "simple_delay");
    assert_eq!(saved["slots"][1]["parameters"]["time_ms"], 250.0);
    assert_eq!(saved["slots"][1]["bypass"], true);
    assert_eq!(saved["order"], json!([2, 1, 3, 4, 5, 6, 7, 8]));

    // Change everything, then load the saved document back.
    live.send("PUT", "/slots/2", &json!({"type": "reverb"}));
    live.send("PUT", "/slots/5", &json!({"type": "gate"}));
    live.send("POST", "/slots/move", &json!({"from": 1, "to": 8}));
    let (status, loaded) = live.send("PUT", "/state", &saved);
    assert_eq!(status, 200, "{loaded}");
    assert_eq!(loaded, saved);
    assert_eq!(live.get("/state").1, saved);

    let broken = [
        (json!({"format": "something-else", "slots": []}), "format"),
        (json!({"format": "codette-rack-preset", "order": [1, 1, 2, 3, 4, 5, 6, 7]}), "order"),
        (
            json!({"format": "codette-rack-preset", "slots": [{"type": "limiter", "parameters": {"threshold": 5}}]}),
            "slots[0].parameters.threshold",
        ),
        (json!({"format": "codette-rack-preset", "macros": [2.0]}), "macros[0]"),
        (json!({"format": "codette-rack-preset", "slots": [{}, {}, {}, {}, {}, {}, {}, {}, {}]}), "slots"),
        (json!({"format": "codette-rack-preset", "version": 99}), "version"),
        (
            json!({"format": "codette-rack-preset", "modulation": {"routes": [{"source": {"type": "lfo", "index": 0}, "target": "s1_x", "depth": 1}]}}),
            "modulation.routes[0].target",
        ),
    ];
    for (doc, field) in broken {
        assert_eq!(error(live.send("PUT", "/state", &doc), 422)["field"], field, "{doc}");
    }
    assert_eq!(live.get("/state").1, saved, "refused documents change nothing");
}

#[test]
fn undo_and_redo_step_through_edits_and_gestures_are_one_step() {
    let live = Live::start();
    let mix = |live: &Live| param(&slot(live, 1), "s1_mix")["value"].as_f64().unwrap();
    live.send("PATCH", "/params", &json!({"values": {"s1_mix": 0.5}}));
    live.send("PATCH", "/params", &json!({"values": {"s1_mix": 0.25}}));
    assert_eq!(mix(&live), 0.25);
    assert_eq!(live.send("POST", "/undo", &json!({})), (200, json!({"undo_steps": 1, "redo_steps": 1})));
    assert_eq!(mix(&live), 0.5);
    live.send("POST", "/undo", &json!({}));
    assert_eq!(mix(&live), 1.0);
    assert_eq!(error(live.send("POST", "/undo", &json!({})), 409)["code"], "nothing_to_do");
    live.send("POST", "/redo", &json!({}));
    assert_eq!(mix(&live), 0.5);

    // A fader move: begin, many values, end — one undo step back to where it started.
    live.send("PATCH", "/params", &json!({"values": {"s1_mix": 0.4}, "gesture": "begin"}));
    for v in [0.3, 0.2, 0.1] {
        live.send("PATCH", "/params", &json!({"values": {"s1_mix": v}}));
    }
    live.send("PATCH", "/params", &json!({"values": {"s1_mix": 0.05}, "gesture": "end"}));
    assert_eq!(live.get("").1["history"], json!({"undo_steps": 2, "redo_steps": 0}));
    live.send("POST", "/undo", &json!({}));
    assert_eq!(mix(&live), 0.5);

    // Slot changes and moves undo too.
    live.send("PUT", "/slots/4", &json!({"type": "hardclip"}));
    live.send("POST", "/slots/move", &json!({"from": 4, "to": 1}));
    live.send("POST", "/undo", &json!({}));
    assert_eq!(live.get("").1["order"], json!([1, 2, 3, 4, 5, 6, 7, 8]));
    live.send("POST", "/undo", &json!({}));
    assert_eq!(slot(&live, 4)["effect"], Value::Null);
}

#[test]
fn changes_wait_for_the_audio_thread_and_never_get_lost() {
    let mut live = Live::idle();
    // Not active: changes are set directly.
    live.send("PATCH", "/params", &json!({"values": {"s1_mix": 0.5}}));
    assert_eq!(live.params.slots[0].mix.plain(), 0.5);
    // Active but the audio thread not running yet: queued, shown at once, applied on its
    // first block.
    let link = live.remote.activate(nice_plug::prelude::PluginApi::Vst3, 44_100.0, 64);
    live.send("PATCH", "/params", &json!({"values": {"s1_mix": 0.25}}));
    assert_eq!(live.params.slots[0].mix.plain(), 0.5);
    assert_eq!(param(&slot(&live, 1), "s1_mix")["value"], 0.25);
    // More changes than the queue holds are refused whole (503), never half applied.
    let many: Vec<Value> =
        (0..9000).map(|i| json!({"id": "s2_mix", "normalized": (i % 100) as f64 / 100.0})).collect();
    let e = error(live.send("PATCH", "/params", &json!({"changes": many})), 503);
    assert_eq!(e["code"], "busy");
    // Deactivating hands over what the audio thread never took.
    live.remote.deactivate(link);
    assert_eq!(live.params.slots[0].mix.plain(), 0.25);
    assert_eq!(live.params.slots[1].mix.plain(), 1.0);
    live.run_audio();
    live.send("PATCH", "/params", &json!({"values": {"s1_mix": 0.75}}));
    live.wait_until("the running audio thread applies it", || live.params.slots[0].mix.plain() == 0.75);
}

/// The value the modulation engine gives `param` at sample `time` of a playing transport.
fn played_back(config: &ModulationConfig, param: &str, time: u64) -> f32 {
    let targets = codette_rack::modulation_store::targets();
    let mut engine = ModulationEngine::new(config, live::SR, &|id: &str| targets.resolve(id)).unwrap();
    let transport = Transport { playing: true, position_samples: Some(time as i64), ..Transport::default() };
    engine.process_tick(&transport, 1, (&[0.0], &[0.0]), None, &[]);
    let wanted = targets.resolve(param).unwrap();
    let mut value = f32::NAN;
    engine.for_each_target(
        |_| 0.0,
        |t, v| {
            if t == wanted {
                value = v
            }
        },
    );
    value
}

/// Sends a value and waits the given time, as a controller streaming at a few tens of hertz.
fn move_to(socket: &mut live::Socket, live: &Live, param: &str, value: f64) -> Value {
    let reply = live::exchange(socket, json!({"instance": live.id, "param": param, "value": value}));
    assert_eq!(reply["type"], "recorded", "{reply}");
    std::thread::sleep(std::time::Duration::from_millis(40));
    reply["data"].clone()
}

#[test]
fn automation_is_recorded_in_touch_mode_while_the_transport_plays() {
    let live = Live::start();
    let mut socket = live.websocket("/ws/automation?mode=touch");
    // Stopped: the value is set, nothing is recorded.
    let stopped = move_to(&mut socket, &live, "s1_mix", 0.9);
    assert_eq!(stopped["recorded"], false);
    assert!((stopped["normalized"].as_f64().unwrap() - 0.9).abs() < 1e-6);
    live.wait_until("the audio thread sets it", || live.params.slots[0].mix.plain() == 0.9);

    live.playing.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut first = move_to(&mut socket, &live, "s1_mix", 0.2);
    while first["recorded"] != true {
        first = move_to(&mut socket, &live, "s1_mix", 0.2);
    }
    let second = move_to(&mut socket, &live, "s1_mix", 0.4);
    let release =
        live::exchange(&mut socket, json!({"instance": live.id, "param": "s1_mix", "touch": false}));
    assert_eq!(release["data"]["recorded"], false, "a release carries no value");
    let released_at = release["data"]["time_samples"].as_u64().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    live.playing.store(false, std::sync::atomic::Ordering::Relaxed);
    std::thread::sleep(std::time::Duration::from_millis(150));

    let (_, automation) = live.get("/automation");
    let points = automation["lanes"]["s1_mix"]["points"].as_array().unwrap().clone();
    let at = |t: &Value| t["time_samples"].as_u64().unwrap();
    let (t1, t2) = (first["time_samples"].as_u64().unwrap(), second["time_samples"].as_u64().unwrap());
    assert!(t1 < t2 && t2 <= released_at, "{t1} {t2} {released_at}");
    // The values at the times they arrived, then held until the release: nothing after it,
    // since touch mode stops writing when the control is let go.
    let first_point = points.iter().position(|p| at(p) == t1).expect("first value recorded");
    let value = |p: &Value| p["value"].as_f64().unwrap();
    assert!((value(&points[first_point]) - 0.2).abs() < 1e-6);
    let second_point = points.iter().find(|p| at(p) == t2).expect("second value recorded");
    assert!((value(second_point) - 0.4).abs() < 1e-6);
    let last = points.last().unwrap();
    assert_eq!((at(last), value(last) as f32), (released_at, 0.4));
    assert!(points.windows(2).all(|w| at(&w[0]) < at(&w[1])));
    // Played back, the lane gives each recorded value at the exact sample it was recorded at.
    let config: ModulationConfig = serde_json::from_value(live.get("/modulation").1).unwrap();
    for (time, expected) in [(t1, 0.2), (t2, 0.4), (released_at, 0.4)] {
        assert_eq!(played_back(&config, "s1_mix", time), expected, "at sample {time}");
    }
    // One recording pass is one undo step, and undoing it removes the lane.
    assert_eq!(live.send("POST", "/undo", &json!({})).0, 200);
    assert!(live.get("/automation").1["lanes"].as_object().unwrap().is_empty());
}

#[test]
fn write_mode_replaces_the_lane_from_where_playback_started_until_it_stops() {
    let live = Live::start();
    let mut socket = live.websocket("/ws/automation");
    assert_eq!(live::exchange(&mut socket, json!({"mode": "write"}))["data"]["mode"], "write");
    live.playing.store(true, std::sync::atomic::Ordering::Relaxed);
    std::thread::sleep(std::time::Duration::from_millis(60));
    let mut reply = move_to(&mut socket, &live, "s2_in", -12.0);
    while reply["recorded"] != true {
        reply = move_to(&mut socket, &live, "s2_in", -12.0);
    }
    let release = live::exchange(&mut socket, json!({"instance": live.id, "param": "s2_in", "touch": false}));
    std::thread::sleep(std::time::Duration::from_millis(200));
    live.playing.store(false, std::sync::atomic::Ordering::Relaxed);
    std::thread::sleep(std::time::Duration::from_millis(150));
    let (_, automation) = live.get("/automation");
    let points = automation["lanes"]["s2_in"]["points"].as_array().unwrap();
    // From the start of playback (sample 0) at the old value (0 dB = normalized 0.5)…
    assert_eq!((points[0]["time_samples"].as_u64(), points[0]["value"].as_f64()), (Some(0), Some(0.5)));
    // …to -12 dB (normalized 0.25), held past the release until playback stopped.
    let last = points.last().unwrap();
    assert!((last["value"].as_f64().unwrap() - 0.25).abs() < 1e-6);
    assert!(last["time_samples"].as_u64() > release["data"]["time_samples"].as_u64());
    // Bad messages are answered, and the connection stays usable.
    let bad = live::exchange(&mut socket, json!({"instance": live.id, "param": "s2_effect", "value": 1}));
    assert_eq!(
        (bad["type"].as_str(), bad["data"]["code"].as_str()),
        (Some("error"), Some("not_automatable"))
    );
    let bad = live::exchange(&mut socket, json!({"instance": "nope", "param": "s2_in", "value": 1}));
    assert_eq!(bad["data"]["field"], "instance");
    let bad = live::exchange(&mut socket, json!({"instance": live.id, "param": "s2_in", "value": 99}));
    assert_eq!(bad["data"]["code"], "out_of_range");
    let ok = move_to(&mut socket, &live, "s2_in", -6.0);
    assert_eq!(ok["recorded"], false);
}

#[test]
fn meters_and_spectrum_measure_what_the_instance_plays() {
    let live = Live::start();
    live.send("PUT", "/slots/1", &json!({"type": "compressor", "parameters": {"threshold": -40}}));
    // The audio thread plays uniform noise of peak 0.25 on both channels: -12 dBFS peak, RMS
    // 0.25/√3 (-16.8 dBFS), identical channels (correlation 1, width 0) before the compressor;
    // the compressor only lowers the levels.
    let mut meters = live.get("/meters").1;
    live.wait_until("a second of audio is measured", || {
        meters = live.get("/meters").1;
        meters["active"] == true && meters["lufs_short_term"].as_f64().unwrap() > -100.0
    });
    let peak = meters["peak_dbfs"].as_f64().unwrap();
    let rms = meters["rms_dbfs"].as_f64().unwrap();
    assert!(peak <= -12.0 + 0.1 && peak > -40.0, "{meters}");
    assert!(rms < peak && rms > -60.0, "{meters}");
    assert!((meters["correlation"].as_f64().unwrap() - 1.0).abs() < 1e-3, "{meters}");
    assert!(meters["width"].as_f64().unwrap().abs() < 1e-3, "{meters}");
    assert!(meters["true_peak_dbtp"].as_f64().unwrap() >= peak - 0.01, "{meters}");
    assert!(meters["tonal_balance"]["mid"].is_number());
    assert!(meters["gain_reduction_db"][0].as_f64().unwrap() > 0.0, "{meters}");
    assert_eq!(meters["gain_reduction_db"][1], Value::Null);

    let (status, spectrum) = live.get("/spectrum");
    assert_eq!((status, spectrum["active"].as_bool()), (200, Some(true)));
    let frequencies = spectrum["frequencies"].as_array().unwrap();
    assert_eq!(frequencies.len(), spectrum["db"].as_array().unwrap().len());
    assert!(frequencies.len() >= 128 && frequencies[0].as_f64().unwrap() >= 20.0);
}

#[test]
fn meters_read_as_silence_while_no_audio_runs() {
    let live = Live::idle();
    let (status, meters) = live.get("/meters");
    assert_eq!((status, meters["active"].as_bool()), (200, Some(false)));
    assert_eq!(meters["peak_dbfs"], -144.0);
    assert_eq!(live.get("/spectrum").1["active"], false);
}

#[test]
fn the_hosts_transport_is_mirrored_and_owned_by_the_host() {
    let live = Live::start();
    live.playing.store(true, std::sync::atomic::Ordering::Relaxed);
    let status = |live: &Live| {
        let response = reqwest::blocking::get(live.server_url("/transport/status")).unwrap();
        response.json::<Value>().unwrap()
    };
    live.wait_until("the host transport is seen playing", || status(&live)["playing"] == true);
    assert_eq!(status(&live)["source"], "host");
    // The host plays from sample 0 (its first playing block may be the one seen above) on.
    live.wait_until("the host's position is mirrored as it advances", || {
        status(&live)["sample_pos"].as_u64().is_some_and(|p| p > 0)
    });
    let response = reqwest::blocking::Client::new()
        .post(live.server_url("/transport/play"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 409);
    let body: Value = response.json().unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("host"), "{body}");
}

#[test]
fn meters_and_spectrum_stream_on_the_websocket() {
    let live = Live::start();
    let mut socket = live.websocket("/ws?streams=meters,spectrum");
    let (mut meters, mut spectrum) = (None, None);
    let start = std::time::Instant::now();
    while (meters.is_none() || spectrum.is_none()) && start.elapsed() < std::time::Duration::from_secs(10) {
        let tungstenite::Message::Text(text) = socket.read().unwrap() else { continue };
        let message: Value = serde_json::from_str(&text).unwrap();
        match message["type"].as_str() {
            Some("meters") if message["data"]["active"] == true => meters = Some(message["data"].clone()),
            Some("spectrum") if message["data"]["active"] == true => spectrum = Some(message["data"].clone()),
            _ => {}
        }
    }
    let meters = meters.expect("a meters message");
    assert_eq!(meters["instance"], live.id);
    assert!(meters["peak_dbfs"].as_f64().unwrap() <= -11.9, "{meters}");
    let spectrum = spectrum.expect("a spectrum message");
    assert_eq!(spectrum["instance"], live.id);
    assert!(spectrum["db"].as_array().unwrap().len() >= 128);
}
