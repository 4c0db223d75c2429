//! Named topics of `{type, data}` messages, fanned out to WebSocket clients.
//!
//! Each topic is a tokio broadcast channel, so a publisher never waits for anyone: a client that
//! reads too slowly falls behind the channel's capacity and is dropped from that topic (it is
//! told so and may subscribe again), while everyone else carries on. Messages are serialized
//! once at publish time and shared by all subscribers. Publishing locks briefly, so it is for
//! worker threads, never the audio thread.

use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

/// Messages a subscriber may fall behind by before it is dropped from the topic.
pub const TOPIC_CAPACITY: usize = 256;

/// Topic of job progress (`job_progress`, `job_done`, `job_failed`).
pub const JOBS: &str = "jobs";

/// Topic of `transport_state`, 60 times a second. On by default: the predecessor's clients
/// connect and listen without subscribing.
pub const TRANSPORT: &str = "transport";

/// Topics of each instance's meters (`meters`, 30 a second) and spectrum (`spectrum`, 15 a
/// second), each message carrying its instance's id; on request only.
pub const METERS: &str = "meters";
pub const SPECTRUM: &str = "spectrum";

#[derive(Clone, Default)]
pub struct Hub {
    topics: Arc<RwLock<BTreeMap<String, Topic>>>,
}

struct Topic {
    sender: broadcast::Sender<Utf8Bytes>,
    /// Subscribed for every new connection without asking.
    default_on: bool,
}

/// The `{type, data}` envelope of every WebSocket message (the predecessor's format).
pub fn envelope(kind: &str, data: impl Serialize) -> Utf8Bytes {
    #[derive(Serialize)]
    struct Envelope<'a, T> {
        #[serde(rename = "type")]
        kind: &'a str,
        data: T,
    }
    let text = serde_json::to_string(&Envelope { kind, data }).unwrap_or_else(|e| {
        serde_json::json!({"type": "error", "data": {"code": "internal", "message": e.to_string()}})
            .to_string()
    });
    Utf8Bytes::from(text)
}

impl Hub {
    /// A hub with the topics the server itself publishes.
    pub fn new() -> Self {
        let hub = Self::default();
        hub.declare(JOBS, true);
        hub.declare(TRANSPORT, true);
        hub.declare(METERS, false);
        hub.declare(SPECTRUM, false);
        hub
    }

    /// Makes a topic available to subscribers. Declaring an existing topic changes only
    /// `default_on`.
    pub fn declare(&self, name: &str, default_on: bool) {
        let mut topics = self.topics.write().unwrap_or_else(|e| e.into_inner());
        topics
            .entry(name.to_string())
            .and_modify(|t| t.default_on = default_on)
            .or_insert_with(|| Topic { sender: broadcast::channel(TOPIC_CAPACITY).0, default_on });
    }

    pub fn topics(&self) -> Vec<String> {
        self.topics.read().unwrap_or_else(|e| e.into_inner()).keys().cloned().collect()
    }

    pub fn default_topics(&self) -> Vec<String> {
        let topics = self.topics.read().unwrap_or_else(|e| e.into_inner());
        topics.iter().filter(|(_, t)| t.default_on).map(|(name, _)| name.clone()).collect()
    }

    /// Sends `{type: kind, data}` to the topic's subscribers; returns how many there were.
    /// Nothing is serialized when nobody listens. Unknown topics are ignored.
    pub fn publish(&self, topic: &str, kind: &str, data: impl Serialize) -> usize {
        let topics = self.topics.read().unwrap_or_else(|e| e.into_inner());
        match topics.get(topic) {
            Some(t) if t.sender.receiver_count() > 0 => t.sender.send(envelope(kind, data)).unwrap_or(0),
            _ => 0,
        }
    }

    /// How many receivers the topic has, so that a publisher can skip computing a message
    /// nobody would get.
    pub fn receiver_count(&self, topic: &str) -> usize {
        let topics = self.topics.read().unwrap_or_else(|e| e.into_inner());
        topics.get(topic).map_or(0, |t| t.sender.receiver_count())
    }

    /// A receiver of the topic's messages from now on; `None` for an undeclared topic.
    pub fn subscribe(&self, topic: &str) -> Option<broadcast::Receiver<Utf8Bytes>> {
        self.topics.read().unwrap_or_else(|e| e.into_inner()).get(topic).map(|t| t.sender.subscribe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishes_to_subscribers_only() {
        let hub = Hub::new();
        assert_eq!(hub.publish(JOBS, "job_progress", 1), 0);
        let mut rx = hub.subscribe(JOBS).unwrap();
        assert_eq!(hub.publish(JOBS, "job_progress", serde_json::json!({"progress": 0.5})), 1);
        assert_eq!(rx.try_recv().unwrap().as_str(), r#"{"type":"job_progress","data":{"progress":0.5}}"#);
        assert!(hub.subscribe("levels").is_none());
        hub.declare("levels", false);
        assert_eq!(hub.receiver_count(JOBS), 1);
        assert_eq!(hub.receiver_count("levels"), 0);
        assert_eq!(hub.topics(), ["jobs", "levels", "meters", "spectrum", "transport"]);
        assert_eq!(hub.default_topics(), ["jobs", "transport"]);
    }

    #[test]
    fn a_slow_subscriber_lags_without_blocking() {
        let hub = Hub::new();
        let mut slow = hub.subscribe(JOBS).unwrap();
        for i in 0..TOPIC_CAPACITY + 10 {
            hub.publish(JOBS, "n", i);
        }
        assert!(matches!(slow.try_recv(), Err(broadcast::error::TryRecvError::Lagged(10))));
    }
}
