//! The OpenAPI document: every route listed, and valid by an independent validator.

use super::common::*;
use serde_json::Value;

/// Every route and method this step provides, as the OpenAPI document must list them.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("get", "/api/instances"),
    ("get", "/api/instances/{id}"),
    ("patch", "/api/instances/{id}/params"),
    ("put", "/api/instances/{id}/slots/{n}"),
    ("post", "/api/instances/{id}/slots/move"),
    ("get", "/api/instances/{id}/modulation"),
    ("put", "/api/instances/{id}/modulation"),
    ("patch", "/api/instances/{id}/modulation"),
    ("get", "/api/instances/{id}/automation"),
    ("get", "/api/instances/{id}/state"),
    ("put", "/api/instances/{id}/state"),
    ("post", "/api/instances/{id}/undo"),
    ("post", "/api/instances/{id}/redo"),
    ("get", "/api/instances/{id}/meters"),
    ("get", "/api/instances/{id}/spectrum"),
    ("get", "/api/effects/list"),
    ("get", "/daw/effects/list"),
    ("get", "/effects"),
    ("post", "/api/effects/process"),
    ("post", "/daw/effects/process"),
    ("post", "/api/chain/process"),
    ("post", "/api/mixdown"),
    ("get", "/api/jobs"),
    ("get", "/api/jobs/{id}"),
    ("get", "/api/jobs/{id}/result"),
    ("get", "/ws"),
    ("get", "/ws/automation"),
    ("get", "/transport/status"),
    ("post", "/transport/play"),
    ("post", "/transport/stop"),
    ("post", "/transport/pause"),
    ("post", "/transport/resume"),
    ("post", "/transport/seek"),
    ("post", "/transport/tempo"),
    ("post", "/transport/loop"),
    ("get", "/ws/transport/clock"),
    ("post", "/codette/chat"),
    ("post", "/api/ai/recommend-effects"),
    ("post", "/api/ai/auto-mix"),
    ("post", "/codette/analyze"),
    ("post", "/codette/suggest"),
    ("post", "/codette/apply"),
    ("get", "/codette/status"),
    ("get", "/codette/genres"),
];

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let server = serve();
    let (status, doc) = server.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ROUTES {
        let op = &paths.get(*path).unwrap_or_else(|| panic!("{path} missing"))[*method];
        assert!(op.is_object(), "{method} {path} missing");
        assert!(op["responses"].is_object(), "{method} {path} has no responses");
    }
    let mut ids: Vec<&str> = paths
        .values()
        .flat_map(|p| p.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
    // The schemas that requests refer to are there.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ErrorResponse",
        "MixdownRequest",
        "TrackRequest",
        "SlotRequest",
        "EffectProcessRequest",
        "ChainProcessRequest",
        "JobInfo",
        "AudioData",
        "TransportState",
        "SeekRequest",
        "TempoRequest",
        "LoopRequest",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    validate_with_python(&doc);
}

/// Runs `openapi-spec-validator` (PyPI, pinned in server/tests/requirements.txt) from the
/// project's `.venv`, which `scripts/deps.sh` sets up (the README's test command runs it).
fn validate_with_python(doc: &Value) {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/deps.sh (or scripts/test.sh) to install the test tools",
        python.display()
    );
    let path = std::env::temp_dir().join(format!("codette-openapi-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(doc).unwrap()).unwrap();
    let out = std::process::Command::new(&python)
        .arg("-m")
        .arg("openapi_spec_validator")
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
