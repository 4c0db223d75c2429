//! 5. Damaged, foreign and absurd states: loading never crashes, the plugin keeps running, and
//!    what it saves afterwards is still a valid Codette Rack state.

use codette_host_tests::*;
use serde_json::{json, Value};

const SR: f64 = 48_000.0;
const ORDER: [usize; 8] = [7, 6, 5, 4, 3, 2, 1, 0];

/// An inactive instance with a few effects and a reversed order, and its saved state.
fn baseline() -> (Rack, Vec<u8>) {
    let mut rack = Rack::new();
    rack.flush(&[
        effect(1, "compressor"),
        set("s1_in", 6.0),
        effect(2, "reverb"),
        effect(3, "simple_delay"),
        set("s3_bypass", 1.0),
        effect(4, "limiter"),
    ]);
    let mut state = state_json(&rack.save_state());
    state["fields"]["order"] = json!(serde_json::to_string(&ORDER).unwrap());
    rack.load_state(&state_from_json(&state)).unwrap();
    let saved = rack.save_state();
    (rack, saved)
}

/// What must hold after any load attempt, whether the plugin accepted the state or not.
fn assert_still_healthy(what: &str, rack: &mut Rack) {
    // Every value the host reads is within the range the plugin declared.
    for info in rack.param_infos() {
        let v = rack.value_by_hash(info.id).unwrap();
        assert!(
            v.is_finite() && v >= info.min && v <= info.max,
            "{what}: {} reads {v}, outside {}..{}",
            info.name,
            info.min,
            info.max
        );
    }
    // What it saves is a Codette Rack state that loads again.
    let saved = rack.save_state();
    let json = state_json(&saved);
    assert_eq!(json["fields"]["version"], "1", "{what}: saved state has our version field");
    let order: Vec<usize> = serde_json::from_str(json["fields"]["order"].as_str().expect("order saved"))
        .unwrap_or_else(|e| panic!("{what}: saved order is not a list: {e}"));
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, (0..8).collect::<Vec<_>>(), "{what}: saved order {order:?} is a permutation");
    let mut fresh = Rack::new();
    fresh
        .load_state(&saved)
        .unwrap_or_else(|e| panic!("{what}: the state saved after loading it does not load again ({e})"));
    assert_eq!(fresh.save_state(), saved, "{what}: and round-trips");

    // It processes: activate (or keep processing if active) and render clean audio.
    let was_active = rack.is_active();
    if !was_active {
        rack.activate(SR, 512);
    }
    let out = rack
        .render_with(&stereo_noise(24_000, 9, 0.8), 512, &[], |_| {
            std::thread::sleep(std::time::Duration::from_micros(100))
        })
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_clean(what, &out);
    if !was_active {
        rack.deactivate();
    }
}

/// Loads `bad` into an inactive and into an active instance. Returns whether the plugin accepted
/// it, and the state each instance saved afterwards, with the baseline state.
fn load_bad(what: &str, bad: &[u8]) -> (bool, Vec<u8>, Vec<u8>) {
    let (mut inactive, before) = baseline();
    let accepted = inactive.load_state(bad).is_ok();
    let after = inactive.save_state();
    assert_still_healthy(&format!("{what} (loaded while inactive)"), &mut inactive);

    let (mut active, _) = baseline();
    active.activate(SR, 512);
    active.render(&stereo_noise(4096, 2, 0.5), 512, &[]).unwrap();
    let accepted_active = active.load_state(bad).is_ok();
    assert_eq!(accepted, accepted_active, "{what}: accepted the same way active or not");
    assert_still_healthy(&format!("{what} (loaded while active)"), &mut active);
    (accepted, before, after)
}

/// A state the plugin must refuse, leaving its settings as they were.
fn assert_refused_and_unchanged(what: &str, bad: &[u8]) {
    let (accepted, before, after) = load_bad(what, bad);
    assert!(!accepted, "{what}: refused");
    assert_eq!(after, before, "{what}: a refused state changes nothing");
}

fn xorshift_bytes(len: usize, seed: u32) -> Vec<u8> {
    noise(len, seed, 1.0).iter().map(|x| (x.to_bits() >> 7) as u8).collect()
}

#[test]
fn empty_stream() {
    assert_refused_and_unchanged("empty stream", &[]);
}

#[test]
fn truncated_state() {
    let (_, good) = baseline();
    assert_refused_and_unchanged("first half of a state", &good[..good.len() / 2]);
    assert_refused_and_unchanged("length prefix only", &good[..8]);
    assert_refused_and_unchanged("part of the length prefix", &good[..5]);
    // A prefix that promises less than there is: the JSON read is cut.
    let mut short = good.clone();
    short[..8].copy_from_slice(&((good.len() as u64 - 8) / 2).to_le_bytes());
    assert_refused_and_unchanged("length prefix too small", &short);
}

#[test]
fn random_bytes() {
    for (len, seed) in [(1, 1), (7, 2), (8, 3), (100, 4), (5000, 5)] {
        assert_refused_and_unchanged(&format!("{len} random bytes"), &xorshift_bytes(len, seed));
    }
    // A plausible length, then garbage.
    assert_refused_and_unchanged("valid length, random payload", &state_bytes(&xorshift_bytes(300, 6)));
    // An absurd length must not make the plugin try to allocate it.
    let mut huge = u64::MAX.to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}");
    assert_refused_and_unchanged("length u64::MAX", &huge);
    let mut big = (1u64 << 40).to_le_bytes().to_vec();
    big.extend_from_slice(b"{}");
    assert_refused_and_unchanged("length 1 TiB", &big);
}

#[test]
fn json_that_is_not_a_plugin_state() {
    for payload in ["[]", "\"state\"", "null", "42", "{}", "{\"params\": 3}", &"[".repeat(100_000)] {
        assert_refused_and_unchanged(&format!("payload {:.20}", payload), &state_bytes(payload.as_bytes()));
    }
}

/// Another nice-plug plugin's state (no Codette "version" field), even one with parameter ids
/// that happen to match ours: nothing of it is applied, and the current settings stay —
/// including the slot order, which is not a host parameter.
#[test]
fn another_plugins_state_changes_nothing() {
    let foreign = json!({
        "version": "2.3.1",
        "params": {
            "gain": {"f32": 0.25},
            "mix": {"f32": 0.5},
            "s1_effect": {"i32": 16},
            "s1_bypass": {"bool": true},
        },
        "fields": {"presets": "[1,2,3]", "order": "[0,1,2,3,4,5,6,7]"}
    });
    let (_, before, after) = load_bad("another plugin's state", &state_from_json(&foreign));
    let (b, a) = (state_json(&before), state_json(&after));
    assert_eq!(a["params"], b["params"], "no parameter of a foreign state is applied");
    assert_eq!(a["fields"]["order"], b["fields"]["order"], "a foreign state keeps the current slot order");
    assert_eq!(after, before, "a foreign state changes nothing");
}

fn ours_with(params: Value, fields: Value) -> Vec<u8> {
    state_from_json(&json!({"version": "0.1.0", "params": params, "fields": fields}))
}

/// Out-of-range numbers, wrong types and unknown ids in an otherwise valid state.
#[test]
fn absurd_values() {
    let params = json!({
        "s1_effect": {"i32": 999},
        "s2_effect": {"i32": -7},
        "s3_effect": {"i32": 3},
        "s3_compressor_ratio": {"f32": 1.0e30},
        "s3_compressor_threshold": {"f32": -1.0e30},
        "s1_mix": {"f32": -5.0},
        "s4_highlow_pass_order": {"i32": i32::MAX},
        "s4_highlow_pass_filter_type": {"i32": i32::MIN},
        "s4_effect": {"i32": 2},
        "s1_bypass": {"f32": 0.5},
        "s5_effect": {"bool": true},
        "s6_out": {"i32": 12},
        "s9_effect": {"i32": 1},
        "s1_no_such_param": {"f32": 1.0},
    });
    let (accepted, _, after) =
        load_bad("absurd values", &ours_with(params, json!({"version": "1", "order": "[0,1,2,3,4,5,6,7]"})));
    assert!(accepted, "a state of ours with odd values is loaded, not refused");
    // Every saved value is within its parameter's range, so hosts and later versions read it.
    let saved = state_json(&after);
    for (id, value) in saved["params"].as_object().unwrap() {
        let e = expected(id);
        let (n, lo, hi) = match (&e.kind, value) {
            (Kind::Effect, Value::Object(v)) => (v["i32"].as_f64(), 0.0, 19.0),
            (Kind::Stepped(s), Value::Object(v)) => (v["i32"].as_f64(), s.min as f64, s.max as f64),
            (Kind::Continuous(_), Value::Object(v)) => (v["f32"].as_f64(), 0.0, 1.0),
            (Kind::Bool, _) => continue,
            _ => (None, 0.0, 0.0),
        };
        let n = n.unwrap_or_else(|| panic!("{id} saved as {value}"));
        assert!(n >= lo && n <= hi, "{id} saved as {n}, outside {lo}..{hi}");
    }
}

/// Numbers JSON can hold but f32 cannot: they overflow to infinity on load.
#[test]
fn overflowing_numbers() {
    let params = json!({"s1_effect": {"i32": 1}, "s1_in": {"f32": 1.0e39}, "s1_out": {"f32": -1.0e39}});
    let bad = ours_with(params, json!({"version": "1", "order": "[0,1,2,3,4,5,6,7]"}));
    load_bad("f32 overflow", &bad);
}

#[test]
fn damaged_or_missing_order() {
    for order in [
        json!("[0,1,2]"),
        json!("[0,1,2,3,4,5,6,99]"),
        json!("[7,7,7,7,7,7,7,7]"),
        json!("[0,1,2,3,4,5,6,7,8]"),
        json!("[-1,0,1,2,3,4,5,6]"),
        json!("garbage"),
        json!(""),
        json!(12),
        Value::Null,
    ] {
        let mut fields = json!({"version": "1"});
        if !order.is_null() {
            fields["order"] = order.clone();
        }
        let (accepted, _, after) =
            load_bad(&format!("order {order}"), &ours_with(json!({"s1_effect": {"i32": 3}}), fields));
        if accepted {
            let saved = state_json(&after);
            assert_eq!(
                saved["fields"]["order"], "[0,1,2,3,4,5,6,7]",
                "order {order}: falls back to the default order"
            );
            assert_eq!(
                saved["params"]["s1_effect"],
                json!({"i32": 3}),
                "order {order}: the rest of the state loads"
            );
        }
    }
}

#[test]
fn odd_version_fields() {
    // A newer layout loads what this version knows.
    let (accepted, _, after) = load_bad(
        "newer layout",
        &ours_with(
            json!({"s2_effect": {"i32": 5}, "s2_future_param": {"f32": 0.5}}),
            json!({"version": "99", "order": "[0,1,2,3,4,5,6,7]", "future": "x"}),
        ),
    );
    assert!(accepted);
    assert_eq!(state_json(&after)["params"]["s2_effect"], json!({"i32": 5}));
    // Not a number: treated as foreign.
    for version in [json!("one"), json!("-1"), json!(""), json!(1)] {
        load_bad(
            &format!("version {version}"),
            &ours_with(
                json!({"s2_effect": {"i32": 5}}),
                json!({"version": version, "order": "[0,1,2,3,4,5,6,7]"}),
            ),
        );
    }
}
