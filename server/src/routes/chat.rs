//! `POST /codette/chat`: questions about the analysis, the effects and mixing, answered from
//! the measurements, the findings on them and the suggestions that answer those.

use super::codette::judge;
use crate::codette::{context, named, Listen};
use crate::error::{ApiError, ErrorResponse};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use codette_assistant::chat::history::Turn;
use codette_assistant::chat::llm::answer;
use codette_assistant::chat::rack::Rack;
use codette_assistant::chat::{ChatResponse, Context, Perspective};
use codette_assistant::AnalysisType;
use codette_dsp::preset::Preset;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The route that can take audio (under the audio body limit).
pub fn audio_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(chat))
}

#[derive(Deserialize, ToSchema)]
pub struct ChatRequest {
    pub message: String,
    /// `mix_engineering` (default), `neuralnets`, `newtonian`, `davinci`, `quantum`,
    /// `resilient_kindness`, `human_intuition`, `ethical` or `creative`.
    pub perspective: Option<String>,
    /// Given back with the answer; the conversation's last turns go to the model with the next
    /// question of the same id, so that it can follow up.
    pub conversation_id: Option<String>,
    /// What the answer rests on: an `instance` (its meters, spectrum and rack) or audio sent,
    /// measured and judged as `/codette/analyze` does.
    #[serde(flatten)]
    pub listen: Listen,
    /// Delivery target the findings are judged against (as for `/codette/analyze`).
    pub target: Option<String>,
    /// Genre whose reference the tonal balance and dynamics are judged against.
    pub genre: Option<String>,
}

/// The answer (`response`) in the chosen perspective's style, with `confidence` (how much it
/// rests on measurements: 0.9 answered from them, 0.4 with nothing measured), `timestamp`
/// (RFC 3339), `suggestions` (those of `/codette/suggest` for the findings the question is
/// about, every finding's for the whole analysis; `/codette/apply` takes them by `id`),
/// `follow_ups` (the questions the measurements can answer next), `source`
/// (`embedded` or `llm`) and, when the configured model failed, `fallback` (why). With an
/// `instance` or audio, the answer quotes the measurements and the findings with their
/// evidence; with an instance, also its rack (an effect asked about is found in its slots, with
/// its settings against the measurements and its gain reduction). An effect named in the
/// question is described from its spec. A configured OpenAI-compatible model
/// (`CODETTE_LLM_URL`, `CODETTE_LLM_MODEL`, `CODETTE_LLM_KEY`, `CODETTE_LLM_TIMEOUT_MS`)
/// phrases the answer when it replies in time.
#[utoipa::path(
    post, path = "/codette/chat", tag = "codette",
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The answer", body = Object),
        (status = 400, description = "Malformed JSON, unreadable WAV or base64", body = ErrorResponse),
        (status = 404, description = "No such instance", body = ErrorResponse),
        (status = 422, description = "Empty message, unknown perspective, target or genre", body = ErrorResponse),
    ),
)]
async fn chat(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ChatRequest>,
) -> Result<Json<ChatResponse>, ApiError> {
    if request.message.trim().is_empty() {
        return Err(ApiError::invalid("invalid_field", "message is empty", "message"));
    }
    let perspective = match request.perspective.as_deref() {
        None | Some("") => Perspective::default(),
        Some(name) => {
            named(Perspective::parse(name), "perspective", name, Perspective::ALL.map(Perspective::id))?
        }
    };
    let judged = context(request.target.as_deref(), request.genre.as_deref())?;
    let instance = request.listen.instance(&state)?;
    // Its rack when it can show one (a read-only view may not); suggestions need a known rack.
    let preset = match &instance {
        Some(instance) => instance.preset().ok(),
        None => Some(Preset::new("")),
    };
    let heard = match request.listen.given().then(|| request.listen.hear(&state)) {
        Some(hearing) => match hearing.await {
            Ok(heard) => Some(heard),
            // A stopped instance can still be asked about its rack and the effects.
            Err(e) if e.body.code == "not_playing" => None,
            Err(e) => return Err(e),
        },
        None => None,
    };
    let (heard, findings, suggestions) = match heard {
        Some(heard) => {
            let rack = preset.clone().unwrap_or_else(|| Preset::new(""));
            let (heard, findings, suggestions) =
                judge(&state, heard, judged, rack, AnalysisType::Quality).await?;
            (Some(heard), findings, if preset.is_some() { suggestions } else { Vec::new() })
        }
        None => (None, Vec::new(), Vec::new()),
    };
    // An instance's rack, with what its dynamics take off now when it plays.
    let gain_reduction_db = heard.as_ref().and_then(|h| h.gain_reduction_db.as_deref()).unwrap_or_default();
    let context = Context {
        meters: heard.as_ref().map(|h| &h.measurements.meters),
        findings: &findings,
        suggestions: &suggestions,
        rack: instance.as_ref().and(preset.as_ref()).map(|preset| Rack { preset, gain_reduction_db }),
    };
    let id = request.conversation_id;
    let history = id.as_deref().map(|id| state.conversations.turns(id)).unwrap_or_default();
    let mut response = answer(state.llm.as_ref(), &request.message, perspective, context, &history).await;
    if let Some(id) = &id {
        let turn = Turn { user: request.message, assistant: response.response.clone() };
        state.conversations.record(id, turn);
    }
    response.conversation_id = id;
    Ok(Json(response))
}
