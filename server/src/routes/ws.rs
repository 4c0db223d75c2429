//! `WS /ws`: the predecessor's `{type, data}` channel, carrying the hub's topics.
//!
//! A connection starts subscribed to the default topics (`jobs`, `transport`), or to
//! `?streams=a,b`. The client may send `subscribe` / `unsubscribe` (`{"streams": [...]}`),
//! `ping` and the transport commands of [`transport::ws_command`], answered with the new
//! `transport_state`; anything else is answered with an `error` message and the connection
//! stays open. Browsers open WebSockets across origins without asking, so transport commands
//! are refused from pages whose origin CORS would not allow. Each subscription is a
//! small task forwarding from the topic's broadcast channel into the connection's queue; when
//! the client reads too slowly the broadcast channel overflows, and that subscription (only) is
//! dropped with an `error` message saying so.

use crate::error::{ApiError, ErrorResponse};
use crate::hub::{envelope, Hub};
use crate::middleware::origin_allowed;
use crate::routes::transport;
use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};
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
/// `error` (`{code, message, field}`), and the topics' messages: `job_progress`
/// (`{job_id, progress, stage}`), `job_done` (`{job_id, status_url, result_url, report}`),
/// `job_failed` (`{job_id, error}`), `transport_state` (the flat state of
/// `/transport/status`, 60 times a second). Client → server: `{"type": "subscribe", "data":
/// {"streams": ["jobs"]}}`, `unsubscribe` likewise, `ping`, and the transport commands
/// `transport_play`, `transport_pause`, `transport_resume`, `transport_stop`,
/// `transport_seek` (`{"position": seconds}`), `transport_tempo` (`{"bpm": 120}`) and
/// `transport_loop` (`{"enabled", "start", "end"}`), whose arguments may also sit beside
/// `type` instead of in `data`; each is answered with `transport_state` or `error`.
#[utoipa::path(
    get, path = "/ws", tag = "server",
    params(
        ("streams" = Option<String>, Query, description = "Comma-separated topics to start with (default: jobs, transport)"),
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
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let streams: Vec<String> = match query.get("streams") {
        Some(list) => list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
        None => state.hub.default_topics(),
    };
    // Clients outside browsers send no origin.
    let foreign_origin = headers
        .get(header::ORIGIN)
        .map(|o| o.to_str().unwrap_or("").to_string())
        .filter(|o| !origin_allowed(o, &state.config.cors_origins));
    upgrade.on_upgrade(move |socket| Session::new(state, foreign_origin).run(socket, streams))
}

#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: Value,
    /// Fields beside `type`: some of the predecessor's clients put a command's arguments there.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

struct Session {
    hub: Hub,
    state: AppState,
    queue: mpsc::Sender<Utf8Bytes>,
    outgoing: Option<mpsc::Receiver<Utf8Bytes>>,
    subscriptions: BTreeMap<String, JoinHandle<()>>,
    /// The page's origin when CORS would not allow it; such a page may listen, not command.
    foreign_origin: Option<String>,
}

impl Session {
    fn new(state: AppState, foreign_origin: Option<String>) -> Self {
        let (queue, outgoing) = mpsc::channel(QUEUE);
        Self {
            hub: state.hub.clone(),
            state,
            queue,
            outgoing: Some(outgoing),
            subscriptions: BTreeMap::new(),
            foreign_origin,
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
            kind => {
                let args = if message.data.is_null() { Value::Object(message.rest) } else { message.data };
                vec![self.transport_command(kind, &args)]
            }
        }
    }

    fn transport_command(&self, kind: &str, args: &Value) -> Utf8Bytes {
        let Some(command) = transport::ws_command(kind, args) else {
            let message = format!(
                "unknown message type {kind:?}; this server understands subscribe, unsubscribe, ping and \
                 transport_play, transport_pause, transport_resume, transport_stop, transport_seek, \
                 transport_tempo and transport_loop"
            );
            return error("unknown_message_type", &message);
        };
        let result = match &self.foreign_origin {
            None => command.run(&self.state),
            Some(origin) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden_origin",
                format!(
                    "transport commands are taken only from loopback pages and the origins in \
                     CODETTE_API_CORS, not from {origin}"
                ),
            )),
        };
        match result {
            Ok(state) => envelope("transport_state", state),
            Err(e) => envelope("error", e.body),
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
