//! Starting (refusals, port fallback), shutting down, and the process-wide shared server.

use super::common::*;
use super::FakeInstance;
use codette_server::{start, Global, ServerConfig, ServerStatus, StartError};
use serde_json::Value;
use std::sync::Arc;

#[test]
fn non_loopback_without_token_is_refused_at_start() {
    let error = start(ServerConfig::at("0.0.0.0:0".parse().unwrap())).err().expect("refused");
    assert!(matches!(error, StartError::TokenRequired(_)));
    let message = error.to_string();
    assert!(message.contains("CODETTE_API_TOKEN") && message.contains("0.0.0.0"), "{message}");
}

#[test]
fn a_taken_port_falls_back_to_the_next_ones() {
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = blocker.local_addr().unwrap();
    let server = start(ServerConfig::at(taken)).expect("falls back");
    let port = server.addr().port();
    assert!(port > taken.port() && port <= taken.port() + 10, "{port} after {}", taken.port());
    server.shutdown();
}

#[tokio::test]
async fn when_every_port_is_taken_start_says_which() {
    // Eleven consecutive free ports, all taken.
    let blockers = (0..50)
        .find_map(|_| {
            let first = std::net::TcpListener::bind("127.0.0.1:0").ok()?;
            let port = first.local_addr().ok()?.port();
            if port > 65_000 {
                return None;
            }
            let mut all = vec![first];
            for p in port + 1..=port + 10 {
                all.push(std::net::TcpListener::bind(("127.0.0.1", p)).ok()?);
            }
            Some(all)
        })
        .expect("a free range of ports");
    let first = blockers[0].local_addr().unwrap();
    let error = start(ServerConfig::at(first)).err().expect("no port left");
    assert!(matches!(error, StartError::Bind { .. }));
    let message = error.to_string();
    assert!(
        message.contains(&first.to_string()) && message.contains(&(first.port() + 10).to_string()),
        "{message}"
    );
}

#[tokio::test]
async fn shutdown_stops_answering_and_closes_websockets() {
    use futures_util::StreamExt;
    let server = serve();
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/ws", server.handle.addr())).await.unwrap();
    let _welcome = ws.next().await.unwrap().unwrap();
    let TestServer { handle, client, base } = server;
    let started = std::time::Instant::now();
    tokio::task::spawn_blocking(move || handle.shutdown()).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "graceful but prompt");
    let closed = loop {
        match ws.next().await {
            None | Some(Err(_)) => break true,
            Some(Ok(m)) if m.is_close() => break true,
            Some(Ok(_)) => continue,
        }
    };
    assert!(closed);
    assert!(client.get(format!("{base}/health")).send().await.is_err());
}

#[tokio::test]
async fn the_shared_server_starts_once_and_keeps_failures_to_itself() {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let shared = Global::new();
    let status = shared.start_with_config(ServerConfig::at("127.0.0.1:0".parse().unwrap()));
    let ServerStatus::Running(addr) = status else { panic!("{status}") };
    let a = shared.register(Arc::new(FakeInstance("A")));
    let b = shared.register(Arc::new(FakeInstance("B")));
    assert_eq!(shared.address(), Some(addr), "one server for every instance");
    let health: Value =
        client.get(format!("http://{addr}/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["instances"], 2);

    // The last instance gone, the server stops (the host may unload the library next) ...
    drop(a);
    assert_eq!(shared.address(), Some(addr));
    let stopper = shared.clone();
    tokio::task::spawn_blocking(move || drop((b, stopper))).await.unwrap();
    assert_eq!(shared.status(), ServerStatus::NotStarted);
    assert!(client.get(format!("http://{addr}/health")).send().await.is_err());
    // ... and the next registration starts it again.
    let c = shared.register(Arc::new(FakeInstance("C")));
    let addr = shared.address().expect("running again");
    let health: Value =
        client.get(format!("http://{addr}/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["instances"], 1);
    tokio::task::spawn_blocking(move || drop(c)).await.unwrap();

    let broken = Global::new();
    let status = broken.start_with_config(ServerConfig::at("0.0.0.0:0".parse().unwrap()));
    assert!(matches!(status, ServerStatus::Failed(_)));
    let registration = broken.register(Arc::new(FakeInstance("C")));
    assert_eq!(broken.registry().len(), 1, "registering still works");
    assert!(broken.error().unwrap().contains("token"));
    assert_eq!(broken.address(), None);
    drop(registration);

    let off = Global::new();
    let mut config = ServerConfig::at("127.0.0.1:0".parse().unwrap());
    config.enabled = false;
    assert_eq!(off.start_with_config(config), ServerStatus::Disabled);
}
