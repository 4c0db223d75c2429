//! The effect list and its aliases.

use super::common::*;
use serde_json::json;

#[tokio::test]
async fn effect_list_at_all_three_paths() {
    let server = serve();
    let (status, list) = server.get_json("/api/effects/list").await;
    assert_eq!(status, 200);
    let effects = list["effects"].as_array().unwrap();
    assert_eq!(effects.len(), codette_dsp::registry::EFFECTS.len());
    let compressor = effects.iter().find(|e| e["id"] == "compressor").unwrap();
    let threshold =
        compressor["parameters"].as_array().unwrap().iter().find(|p| p["id"] == "threshold").unwrap();
    assert_eq!(threshold["min"], -60.0);
    assert_eq!(threshold["max"], 0.0);
    assert_eq!(threshold["default"], -20.0);
    assert_eq!(threshold["unit"], "dB");
    assert!(threshold.get("options").is_none());
    let distortion = effects.iter().find(|e| e["id"] == "distortion").unwrap();
    let kind =
        distortion["parameters"].as_array().unwrap().iter().find(|p| p["id"] == "distortion_type").unwrap();
    assert_eq!(kind["options"], json!(["soft", "hard", "fuzz"]));
    assert_eq!(kind["kind"], "choice");
    for alias in ["/daw/effects/list", "/effects", "/effects/"] {
        assert_eq!(server.get_json(alias).await, (200, list.clone()), "{alias}");
    }
}
