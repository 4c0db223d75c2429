//! `/transport`: the transport's flat state, its controls, and `/ws/transport/clock`.
//!
//! The controls move the sidecar's own transport. Inside a DAW they answer 409: the host owns
//! the transport there and the plugin cannot start or move it, so pretending to would only
//! make the API and the DAW disagree. The same commands arrive as messages on `/ws`
//! ([`ws_command`]).

use crate::error::{ApiError, ErrorResponse};
use crate::extract::{parse_json, JsonCommand, JsonOrQuery};
use crate::state::AppState;
use crate::transport::clock::TICK_HZ;
use crate::transport::{current, owner, Invalid, Owner, TransportState};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// `/ws/transport/clock` messages a second when the client does not say (the predecessor's).
pub const DEFAULT_CLOCK_RATE: u32 = 30;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(play))
        .routes(routes!(stop))
        .routes(routes!(pause))
        .routes(routes!(resume))
        .routes(routes!(seek))
        .routes(routes!(tempo))
        .routes(routes!(set_loop))
        .routes(routes!(clock))
}

/// `POST /transport/seek`. The predecessor's route took `seconds`; `time` and `time_seconds`
/// (the state's own name) are accepted too.
#[derive(Deserialize, ToSchema)]
pub struct SeekRequest {
    /// Seconds from the start, 0 to 86 400.
    #[serde(alias = "seconds", alias = "time", alias = "time_seconds")]
    pub position: f64,
}

/// `POST /transport/tempo`: the tempo, the time signature or both.
#[derive(Deserialize, ToSchema)]
pub struct TempoRequest {
    /// Beats per minute, 20 to 999.
    #[serde(alias = "tempo")]
    pub bpm: Option<f64>,
    /// `[numerator, denominator]`: 1 to 32 over 1, 2, 4, 8, 16 or 32.
    pub time_sig: Option<[u32; 2]>,
}

/// `POST /transport/loop`. Bounds left out keep their values; `start_seconds`/`end_seconds`
/// (and the state's `loop_start_seconds`/`loop_end_seconds`) are accepted too.
#[derive(Deserialize, ToSchema)]
pub struct LoopRequest {
    /// On unless `false`, as in the predecessor's route.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Seconds, 0 to 86 400, before `end`.
    #[serde(alias = "start_seconds", alias = "loop_start_seconds")]
    pub start: Option<f64>,
    /// Seconds, after `start`.
    #[serde(alias = "end_seconds", alias = "loop_end_seconds")]
    pub end: Option<f64>,
}

fn enabled_by_default() -> bool {
    true
}

pub enum Command {
    /// Also resume: both play from where the transport is.
    Play,
    Pause,
    Stop,
    Seek(SeekRequest),
    Tempo(TempoRequest),
    Loop(LoopRequest),
}

/// Runs a command on the sidecar's transport and answers with the new state.
fn apply(state: &AppState, command: Command) -> Result<TransportState, ApiError> {
    if let Owner::Host(_) = owner(&state.registry) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "host_owns_transport",
            "the host (DAW) owns the transport while the plugin runs inside it: play, stop and move it \
             there; /transport/status mirrors it",
        ));
    }
    let transport = &state.transport;
    match command {
        Command::Play => transport.play(),
        Command::Pause => transport.pause(),
        Command::Stop => transport.stop(),
        Command::Seek(request) => transport.seek(request.position).map_err(invalid)?,
        Command::Tempo(TempoRequest { bpm: None, time_sig: None }) => {
            return Err(ApiError::invalid("missing_field", "send bpm, time_sig or both", "bpm"))
        }
        Command::Tempo(request) => {
            transport.set_tempo(request.bpm, request.time_sig.map(|[n, d]| (n, d))).map_err(invalid)?
        }
        Command::Loop(request) => {
            transport.set_loop(request.enabled, request.start, request.end).map_err(invalid)?
        }
    }
    Ok(current(&state.registry, transport))
}

fn invalid(error: Invalid) -> ApiError {
    ApiError::invalid(error.code, error.message, error.field)
}

/// A transport command read from a `/ws` message, to [`run`](WsCommand::run).
pub struct WsCommand(Result<Command, ApiError>);

impl WsCommand {
    /// Runs it as the route would: the new state, or the route's error.
    pub fn run(self, state: &AppState) -> Result<TransportState, ApiError> {
        self.0.and_then(|command| apply(state, command))
    }
}

/// Reads a transport command sent on `/ws`, in the names the predecessor's clients used:
/// `transport_play` (or `play`), `transport_resume` (`resume`), `transport_pause` (`pause`),
/// `transport_stop` (`stop`), `transport_seek` (`seek`; `{position}` as for the route),
/// `transport_tempo` (`set_tempo`, `tempo`; `{bpm, time_sig}`), `transport_loop` (`set_loop`,
/// `loop`; `{enabled, start, end}`). `None` when `kind` is none of these.
pub fn ws_command(kind: &str, args: &Value) -> Option<WsCommand> {
    let command = match kind {
        "transport_play" | "play" | "transport_resume" | "resume" => Ok(Command::Play),
        "transport_pause" | "pause" => Ok(Command::Pause),
        "transport_stop" | "stop" => Ok(Command::Stop),
        "transport_seek" | "seek" => arguments(args).map(Command::Seek),
        "transport_tempo" | "set_tempo" | "tempo" => arguments(args).map(Command::Tempo),
        "transport_loop" | "set_loop" | "loop" => arguments(args).map(Command::Loop),
        _ => return None,
    };
    Some(WsCommand(command))
}

/// A message's arguments read as the route's body, with the same errors.
fn arguments<T: DeserializeOwned>(args: &Value) -> Result<T, ApiError> {
    parse_json(&serde_json::to_vec(args).map_err(|e| ApiError::internal(e.to_string()))?)
}

/// The transport's flat state: the host's inside a DAW (`source: host`, as the first hosted
/// instance last saw it), else the sidecar's own (`source: sidecar`).
#[utoipa::path(get, path = "/transport/status", tag = "transport", responses((status = 200, body = TransportState)))]
async fn status(State(state): State<AppState>) -> Json<TransportState> {
    Json(current(&state.registry, &state.transport))
}

/// Plays from the current position (where a pause left it, or the start after a stop).
#[utoipa::path(
    post, path = "/transport/play", tag = "transport",
    responses(
        (status = 200, description = "The new state", body = TransportState),
        (status = 409, description = "Inside a DAW the host owns the transport", body = ErrorResponse),
        (status = 415, description = "Not marked as JSON", body = ErrorResponse),
    ),
)]
async fn play(State(state): State<AppState>, _: JsonCommand) -> Result<Json<TransportState>, ApiError> {
    apply(&state, Command::Play).map(Json)
}

/// Stops and returns to the start (0 s); pause is the one that keeps the position.
#[utoipa::path(
    post, path = "/transport/stop", tag = "transport",
    responses(
        (status = 200, description = "The new state", body = TransportState),
        (status = 409, description = "Inside a DAW the host owns the transport", body = ErrorResponse),
        (status = 415, description = "Not marked as JSON", body = ErrorResponse),
    ),
)]
async fn stop(State(state): State<AppState>, _: JsonCommand) -> Result<Json<TransportState>, ApiError> {
    apply(&state, Command::Stop).map(Json)
}

/// Pauses, keeping the position; a stopped transport stays stopped.
#[utoipa::path(
    post, path = "/transport/pause", tag = "transport",
    responses(
        (status = 200, description = "The new state", body = TransportState),
        (status = 409, description = "Inside a DAW the host owns the transport", body = ErrorResponse),
        (status = 415, description = "Not marked as JSON", body = ErrorResponse),
    ),
)]
async fn pause(State(state): State<AppState>, _: JsonCommand) -> Result<Json<TransportState>, ApiError> {
    apply(&state, Command::Pause).map(Json)
}

/// Plays on from a pause: the same as play, kept for the predecessor's clients.
#[utoipa::path(
    post, path = "/transport/resume", tag = "transport",
    responses(
        (status = 200, description = "The new state", body = TransportState),
        (status = 409, description = "Inside a DAW the host owns the transport", body = ErrorResponse),
        (status = 415, description = "Not marked as JSON", body = ErrorResponse),
    ),
)]
async fn resume(State(state): State<AppState>, _: JsonCommand) -> Result<Json<TransportState>, ApiError> {
    apply(&state, Command::Play).map(Json)
}

/// Moves to a position in seconds; playing or not, the audio takes it at its next block. The
/// position goes in the body or, as the predecessor took it, the query (`?seconds=5`).
#[utoipa::path(
    post, path = "/transport/seek", tag = "transport",
    request_body(content = Option<SeekRequest>, description = "Or the query instead"),
    params(("seconds" = Option<f64>, Query, description = "Instead of the body: the position in seconds")),
    responses(
        (status = 200, description = "The new state", body = TransportState),
        (status = 400, description = "Malformed JSON or query", body = ErrorResponse),
        (status = 409, description = "Inside a DAW the host owns the transport", body = ErrorResponse),
        (status = 422, description = "Missing, mistyped or out-of-range position", body = ErrorResponse),
    ),
)]
async fn seek(
    State(state): State<AppState>,
    JsonOrQuery(request): JsonOrQuery<SeekRequest>,
) -> Result<Json<TransportState>, ApiError> {
    apply(&state, Command::Seek(request)).map(Json)
}

/// Sets the tempo and/or the time signature, in the body or the query (`?bpm=120`).
#[utoipa::path(
    post, path = "/transport/tempo", tag = "transport",
    request_body(content = Option<TempoRequest>, description = "Or the query instead"),
    params(("bpm" = Option<f64>, Query, description = "Instead of the body: beats per minute")),
    responses(
        (status = 200, description = "The new state", body = TransportState),
        (status = 400, description = "Malformed JSON or query", body = ErrorResponse),
        (status = 409, description = "Inside a DAW the host owns the transport", body = ErrorResponse),
        (status = 422, description = "Neither field, a mistyped one, or out of range", body = ErrorResponse),
    ),
)]
async fn tempo(
    State(state): State<AppState>,
    JsonOrQuery(request): JsonOrQuery<TempoRequest>,
) -> Result<Json<TransportState>, ApiError> {
    apply(&state, Command::Tempo(request)).map(Json)
}

/// Sets the loop region and turns looping on or off, in the body or the query
/// (`?start=4&end=8&enabled=true`). The audio wraps at the first block boundary past the end.
#[utoipa::path(
    post, path = "/transport/loop", tag = "transport",
    request_body(content = Option<LoopRequest>, description = "Or the query instead"),
    params(
        ("start" = Option<f64>, Query, description = "Instead of the body: loop start, seconds"),
        ("end" = Option<f64>, Query, description = "Instead of the body: loop end, seconds"),
        ("enabled" = Option<bool>, Query, description = "Instead of the body: looping on (default true)"),
    ),
    responses(
        (status = 200, description = "The new state", body = TransportState),
        (status = 400, description = "Malformed JSON or query", body = ErrorResponse),
        (status = 409, description = "Inside a DAW the host owns the transport", body = ErrorResponse),
        (status = 422, description = "Mistyped or out-of-range bounds, or start not before end", body = ErrorResponse),
    ),
)]
async fn set_loop(
    State(state): State<AppState>,
    JsonOrQuery(request): JsonOrQuery<LoopRequest>,
) -> Result<Json<TransportState>, ApiError> {
    apply(&state, Command::Loop(request)).map(Json)
}

/// WebSocket pushing the flat state (a plain JSON object, no envelope: the predecessor's clock
/// client parses it directly) `rate` times a second. Rates that do not divide 60 are kept on
/// average, each message on a 1/60 s tick. Messages from the client are ignored, as the
/// predecessor's clock did; commands go to the routes or `/ws`.
#[utoipa::path(
    get, path = "/ws/transport/clock", tag = "transport",
    params(
        ("rate" = Option<u32>, Query, description = "Messages a second, 1 to 60 (default 30)"),
        ("token" = Option<String>, Query, description = "The bearer token, for clients that cannot set headers"),
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket upgrade, or a rate out of range", body = ErrorResponse),
    ),
)]
async fn clock(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let rate = match query.get("rate") {
        None => DEFAULT_CLOCK_RATE,
        Some(text) => text.trim().parse().ok().filter(|r| (1..=TICK_HZ).contains(r)).ok_or_else(|| {
            let message =
                format!("rate must be a whole number of messages a second, 1 to {TICK_HZ} (got {text:?})");
            ApiError::new(StatusCode::BAD_REQUEST, "out_of_range", message).at("rate")
        })?,
    };
    Ok(upgrade.on_upgrade(move |socket| stream_clock(state, socket, rate)))
}

async fn stream_clock(state: AppState, mut socket: WebSocket, rate: u32) {
    let mut ticks = state.clock.subscribe();
    let mut shutdown = state.shutdown.clone();
    // Each tick adds `rate` and a message costs TICK_HZ, so a message goes out on the first
    // tick and then on every tick at 60, every other one at 30.
    let mut credit = TICK_HZ - rate;
    loop {
        tokio::select! {
            changed = ticks.changed() => {
                if changed.is_err() {
                    break;
                }
                credit += rate;
                if credit < TICK_HZ {
                    continue;
                }
                credit -= TICK_HZ;
                let state = ticks.borrow_and_update().clone();
                if socket.send(Message::Text(state)).await.is_err() {
                    break;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            _ = shutdown.changed() => {
                let _ = socket.send(Message::Close(None)).await;
                break;
            }
        }
    }
}
