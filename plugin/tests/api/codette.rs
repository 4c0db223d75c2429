//! Codette's suggestions applied to the live rack: one undo step, and undo restores the rack
//! exactly as it was.

use super::live::Live;
use serde_json::{json, Value};

#[test]
fn a_codette_suggestion_is_one_undo_step_and_undo_restores_the_exact_rack() {
    let live = Live::start();
    live.send(
        "PUT",
        "/slots/2",
        &json!({"type": "compressor", "parameters": {"threshold": -30, "ratio": 3}}),
    );
    live.send("PATCH", "/params", &json!({"values": {"s2_mix": 0.7}}));
    let (_, before) = live.get("/state");
    let steps = live.get("").1["history"]["undo_steps"].as_u64().unwrap();
    let mut meters = Value::Null;
    live.wait_until("the instance's meters run", || {
        meters = live.get("/meters").1;
        meters["active"] == true && meters["lufs_integrated"].as_f64().unwrap() > -100.0
    });

    // What the instance plays, analysed from its live meters, with its slots' gain reduction.
    let (status, analysis) = live.post_server("/codette/analyze", &json!({"instance": live.id}));
    assert_eq!(status, 200, "{analysis}");
    let metrics = &analysis["metrics"];
    assert_eq!(metrics["correlation"], meters["correlation"]);
    assert!(
        metrics["gain_reduction_db"][1].is_number() && metrics["gain_reduction_db"][0].is_null(),
        "{metrics}"
    );
    assert_eq!(metrics["clipped_runs"], Value::Null, "live meters see no samples");

    // The instance plays the same uniform noise in both channels: a mono mix, which Codette
    // finds too narrow and answers with a stereo delay in a free slot.
    let (status, answer) = live.post_server("/codette/suggest", &json!({"instance": live.id}));
    assert_eq!(status, 200, "{answer}");
    let suggestions = answer["suggestions"].as_array().unwrap();
    let narrow = suggestions.iter().find(|s| s["id"] == "too_narrow").unwrap_or_else(|| panic!("{answer}"));
    let edit = &narrow["parameters"]["edits"][0];
    assert_eq!(
        (edit["op"].as_str(), edit["config"]["type"].as_str()),
        (Some("insert_effect"), Some("stereo_delay"))
    );
    let slot = edit["slot"].as_u64().unwrap() as usize;
    assert_eq!(slot, 1, "the first free slot");

    let (status, applied) =
        live.post_server("/codette/apply", &json!({"instance": live.id, "suggestion": narrow}));
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["applied"], true);
    let (_, after) = live.get("/state");
    assert_eq!(after["slots"][slot - 1]["type"], "stereo_delay");
    assert_eq!(after["slots"][slot - 1]["parameters"]["time_r_ms"], 17.0);
    assert_eq!(after["order"].as_array().unwrap().last().unwrap(), &json!(slot), "placed last");
    assert_eq!(after["slots"][1], before["slots"][1], "the rest of the rack untouched");
    assert_eq!(live.get("").1["history"]["undo_steps"].as_u64().unwrap(), steps + 1, "one step");

    let (status, _) = live.send("POST", "/undo", &json!({}));
    assert_eq!(status, 200);
    assert_eq!(live.get("/state").1, before, "undo restores the exact previous state");
    live.send("POST", "/redo", &json!({}));
    assert_eq!(live.get("/state").1, after);
    live.send("POST", "/undo", &json!({}));

    // By id, from an analysis of what the instance plays now.
    let body = json!({"instance": live.id, "suggestion_id": "too_narrow"});
    let (status, applied) = live.post_server("/codette/apply", &body);
    assert_eq!((status, applied["suggestion_id"].as_str()), (200, Some("too_narrow")), "{applied}");
    assert_eq!(live.get("/state").1["slots"][0]["type"], "stereo_delay");
    let body = json!({"instance": live.id, "suggestion_id": "no_such_thing"});
    let (status, error) = live.post_server("/codette/apply", &body);
    assert_eq!((status, error["error"]["field"].as_str()), (404, Some("suggestion_id")), "{error}");
}
