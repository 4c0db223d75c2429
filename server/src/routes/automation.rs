//! `WS /ws/automation`: recording a controller's movements into the internal automation lanes.
//!
//! The client streams `{instance, param, value}` (plain units, or `normalized`), and
//! `{instance, param, touch: false}` when it lets go; `{"mode": "write" | "touch" | "latch"}`
//! (or `?mode=`) sets the mode of the passes it starts. Each value sets the parameter at once and,
//! while the transport plays, lands in the parameter's lane; every value is answered with a
//! `recorded` message saying where it landed. Between values the session ticks every instance it
//! has recorded on, so that resting controls keep writing and passes end when playback stops.

use crate::error::{ApiError, ErrorBody, ErrorResponse};
use crate::extract::parse_json;
use crate::hub::envelope;
use crate::instance::RecordRequest;
use crate::registry::Instance;
use crate::state::AppState;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use codette_dsp::modulation::RecordMode;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use utoipa_axum::{router::OpenApiRouter, routes};

/// How often resting controls are carried along and new lanes handed to the audio thread.
const TICK: Duration = Duration::from_millis(50);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(automation))
}

#[derive(Deserialize)]
struct ModeQuery {
    #[serde(default)]
    mode: RecordMode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeMessage {
    mode: RecordMode,
}

/// Automation recording. Client → server: `{"instance": "1", "param": "s1_mix", "value": 0.5}`,
/// `{"instance": "1", "param": "s1_mix", "touch": false}`, `{"mode": "latch"}`. Server →
/// client: `{"type": "recorded", "data": {instance, param, recorded, time_samples,
/// normalized}}`, `{"type": "mode", "data": {"mode"}}`, `{"type": "error", "data": {code,
/// message, field}}`.
#[utoipa::path(
    get, path = "/ws/automation", tag = "modulation",
    params(("mode" = Option<String>, Query, description = "write, touch (default) or latch")),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade, or an unknown mode", body = ErrorResponse),
    ),
)]
async fn automation(
    State(state): State<AppState>,
    Query(query): Query<ModeQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .on_upgrade(move |socket| Session { state, mode: query.mode, instances: BTreeMap::new() }.run(socket))
}

struct Session {
    state: AppState,
    mode: RecordMode,
    /// The instances recorded on, to be ticked.
    instances: BTreeMap<String, Arc<dyn Instance>>,
}

impl Session {
    async fn run(mut self, mut socket: WebSocket) {
        let mut shutdown = self.state.shutdown.clone();
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            let reply = tokio::select! {
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Text(text))) => Some(self.handle(text.as_str())),
                    Some(Ok(Message::Binary(_))) => Some(error(&ApiError::bad_request("unsupported_message", "messages are JSON text frames"))),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => None,
                },
                _ = ticker.tick() => self.tick(),
                _ = shutdown.changed() => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
            };
            if let Some(reply) = reply {
                if socket.send(Message::Text(reply)).await.is_err() {
                    break;
                }
            }
        }
        self.tick();
    }

    fn handle(&mut self, text: &str) -> Utf8Bytes {
        if let Ok(ModeMessage { mode }) = serde_json::from_str(text) {
            self.mode = mode;
            return envelope("mode", json!({ "mode": mode }));
        }
        match self.record(text) {
            Ok(reply) => reply,
            Err(e) => error(&e),
        }
    }

    fn record(&mut self, text: &str) -> Result<Utf8Bytes, ApiError> {
        let request: RecordRequest = parse_json(text.as_bytes())?;
        let instance = self.state.registry.get(&request.instance).ok_or_else(|| {
            ApiError::not_found(format!("no instance {:?} in this process", request.instance)).at("instance")
        })?;
        let outcome = instance.record(&request, request.mode.unwrap_or(self.mode))?;
        self.instances.insert(request.instance.clone(), instance);
        Ok(envelope("recorded", outcome))
    }

    /// Ticks every instance recorded on; instances gone from the registry are forgotten.
    fn tick(&mut self) -> Option<Utf8Bytes> {
        let registry = &self.state.registry;
        self.instances.retain(|id, _| registry.get(id).is_some());
        let failures: Vec<ApiError> = self.instances.values().filter_map(|i| i.record_tick().err()).collect();
        failures.first().map(error)
    }
}

fn error(e: &ApiError) -> Utf8Bytes {
    let body: &ErrorBody = &e.body;
    envelope("error", body)
}
