//! Health and the instance list, following registrations.

use super::common::*;
use super::FakeInstance;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn health_and_instances_follow_registrations() {
    let server = serve();
    let (status, health) = server.get_json("/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(health["address"], server.handle.addr().to_string());
    assert_eq!(health["instances"], 0);
    assert!(health["uptime_seconds"].as_f64().unwrap() >= 0.0);

    let guitar = server.handle.registry().register(Arc::new(FakeInstance("Guitar bus")));
    let _vocal = server.handle.registry().register(Arc::new(FakeInstance("Vocal")));
    assert_eq!(server.get_json("/health").await.1["instances"], 2);
    let (_, list) = server.get_json("/api/instances").await;
    let instances = list["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 2);
    assert_eq!(
        instances[0],
        json!({"id": guitar.id(), "name": "Guitar bus", "format": "vst3", "sample_rate": 48000.0, "block_size": 256})
    );
    // The rack itself comes from the instance; one that offers none says so (the plugin's own
    // instances are tested in plugin/tests/api/).
    let error = check_error(server.get(&format!("/api/instances/{}", guitar.id())).await, 501).await;
    assert_eq!(error["code"], "not_supported");

    let id = guitar.id();
    drop(guitar);
    assert_eq!(server.get_json("/health").await.1["instances"], 1);
    let error = check_error(server.get(&format!("/api/instances/{id}")).await, 404).await;
    assert_eq!(error["code"], "not_found");
}
