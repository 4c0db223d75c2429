//! `WS /ws`: the predecessor's `{type, data}` channel, carrying the hub's topics.
//!
//! A connection starts subscribed to the default topics (`jobs`), or to `?streams=a,b`. The
//! client may send `subscribe` / `unsubscribe` (`{"streams": [...]}`) and `ping`; anything else
//! is answered with an `error` message and the connection stays open. Each subscription is a
//! small task forwarding from the topic's broadcast channel into the connection's queue; when
//! the client reads too slowly the broadcast channel overflows, and that subscription (only) is
//! dropped with an `error` message saying so.

use crate::error::ErrorResponse;
use crate::hub::{envelope, Hub};
use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Messages queued for one client before its subscriptions start to lag.
const QUEUE: usize = 64;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(websocket))
}

/// WebSocket of `{type, data}` messages. Server → client: `welcome`, `subscribed`, `pong`,
/// `error` (`{code, message}`), and the topics' messages: `job_progress`
/// (`{job_id, progress, stage}`), `job_done` (`{job_id, status_url, result_url, report}`),
/// `job_failed` (`{job_id, error}`). Client → server: `{"type": "subscribe", "data":
/// {"streams": ["jobs"]}}`, `unsubscribe` likewise, `ping`.
#[utoipa::path(
    get, path = "/ws", tag = "server",
    params(
        ("streams" = Option<String>, Query, description = "Comma-separated topics to start with (default: jobs)"),
        ("token" = Option<String>, Query, description = "The bearer token, for clients that cannot set headers"),
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade", body = ErrorResponse),
    ),
)]
async fn websocket(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let streams: Vec<String> = match query.get("streams") {
        Some(list) => list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
        None => state.hub.default_topics(),
    };
    upgrade.on_upgrade(move |socket| Session::new(state).run(socket, streams))
}

#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: Value,
}

struct Session {
    hub: Hub,
    state: AppState,
    queue: mpsc::Sender<Utf8Bytes>,
    outgoing: Option<mpsc::Receiver<Utf8Bytes>>,
    subscriptions: BTreeMap<String, JoinHandle<()>>,
}

impl Session {
    fn new(state: AppState) -> Self {
        let (queue, outgoing) = mpsc::channel(QUEUE);
        Self {
            hub: state.hub.clone(),
            state,
            queue,
            outgoing: Some(outgoing),
            subscriptions: BTreeMap::new(),
        }
    }

    async fn run(mut self, mut socket: WebSocket, streams: Vec<String>) {
        let mut outgoing = self.outgoing.take().expect("run once");
        let mut shutdown = self.state.shutdown.clone();
        let unknown = self.subscribe(&streams);
        let welcome = json!({
            "version": env!("CARGO_PKG_VERSION"),
            "streams": self.hub.topics(),
            "subscribed": self.subscribed(),
        });
        if socket.send(Message::Text(envelope("welcome", welcome))).await.is_err() {
            return;
        }
        for reply in unknown {
            let _ = socket.send(Message::Text(reply)).await;
        }
        loop {
            tokio::select! {
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        for reply in self.handle(text.as_str()) {
                            if socket.send(Message::Text(reply)).await.is_err() {
                                break;
                            }
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let reply = error("unsupported_message", "messages are JSON text frames");
                        if socket.send(Message::Text(reply)).await.is_err() {
                            break;
                        }
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => {} // ping/pong are answered by the protocol layer
                },
                Some(message) = outgoing.recv() => {
                    if socket.send(Message::Text(message)).await.is_err() {
                        break;
                    }
                }
                _ = shutdown.changed() => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
            }
        }
        for (_, task) in std::mem::take(&mut self.subscriptions) {
            task.abort();
        }
    }

    /// Replies to one client message.
    fn handle(&mut self, text: &str) -> Vec<Utf8Bytes> {
        let message: ClientMessage = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => {
                return vec![error(
                    "malformed_message",
                    &format!("expected {{\"type\": ..., \"data\": ...}}: {e}"),
                )]
            }
        };
        match message.kind.as_str() {
            "subscribe" | "unsubscribe" => {
                let streams = match stream_list(&message.data) {
                    Ok(s) => s,
                    Err(e) => return vec![e],
                };
                let mut replies = if message.kind == "subscribe" {
                    self.subscribe(&streams)
                } else {
                    streams.iter().filter_map(|s| self.subscriptions.remove(s)).for_each(|t| t.abort());
                    Vec::new()
                };
                replies.push(envelope("subscribed", json!({ "streams": self.subscribed() })));
                replies
            }
            "ping" => vec![envelope("pong", message.data)],
            other => vec![error(
                "unknown_message_type",
                &format!(
                    "unknown message type {other:?}; this server understands subscribe, unsubscribe and ping"
                ),
            )],
        }
    }

    /// Subscribes to each stream not already followed; errors for unknown ones.
    fn subscribe(&mut self, streams: &[String]) -> Vec<Utf8Bytes> {
        let mut errors = Vec::new();
        for stream in streams {
            if self.subscriptions.get(stream).is_some_and(|t| !t.is_finished()) {
                continue;
            }
            match self.hub.subscribe(stream) {
                Some(receiver) => {
                    let task = tokio::spawn(forward(stream.clone(), receiver, self.queue.clone()));
                    self.subscriptions.insert(stream.clone(), task);
                }
                None => errors.push(error(
                    "unknown_stream",
                    &format!("no stream {stream:?}; available: {}", self.hub.topics().join(", ")),
                )),
            }
        }
        errors
    }

    fn subscribed(&self) -> Vec<&String> {
        self.subscriptions.iter().filter(|(_, t)| !t.is_finished()).map(|(name, _)| name).collect()
    }
}

/// `{"streams": [...]}` (or `{"stream": "..."}`) from a subscribe message.
fn stream_list(data: &Value) -> Result<Vec<String>, Utf8Bytes> {
    let list = match (data.get("streams"), data.get("stream")) {
        (Some(Value::Array(items)), _) => {
            items.iter().map(|v| v.as_str().map(String::from)).collect::<Option<Vec<_>>>()
        }
        (_, Some(Value::String(one))) => Some(vec![one.clone()]),
        _ => None,
    };
    list.ok_or_else(|| error("invalid_field", "data.streams must be an array of stream names"))
}

/// Moves one topic's messages into the client's queue until the client is gone or lags.
async fn forward(
    topic: String,
    mut receiver: broadcast::Receiver<Utf8Bytes>,
    queue: mpsc::Sender<Utf8Bytes>,
) {
    loop {
        match receiver.recv().await {
            Ok(message) => {
                if queue.send(message).await.is_err() {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                let text = format!("unsubscribed from {topic:?}: this connection fell {missed} messages behind; subscribe again to resume");
                // After the messages already queued, so the client sees where its stream stopped.
                let _ = queue.send(error("slow_consumer", &text)).await;
                return;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

fn error(code: &str, message: &str) -> Utf8Bytes {
    envelope("error", json!({ "code": code, "message": message, "field": null }))
}
