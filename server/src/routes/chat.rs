//! `POST /codette/chat`: questions about the analysis, the effects and mixing, answered from
//! the measurements.

use super::instances::find;
use crate::error::{ApiError, ErrorResponse};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use codette_assistant::chat::history::Turn;
use codette_assistant::chat::llm::{answer, Llm};
use codette_assistant::chat::rack::Rack;
use codette_assistant::chat::{ChatResponse, Context, Perspective};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
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
    /// An instance id: the answer rests on that instance's current meters.
    pub instance: Option<String>,
    /// Findings already made (from `/codette/analyze`), in words, for the answer to take up.
    #[serde(default)]
    pub findings: Vec<String>,
}

/// The answer (`response`) in the chosen perspective's style, with `confidence` (how much it
/// rests on measurements: 0.9 answered from them, 0.4 with nothing measured), `timestamp`
/// (RFC 3339), `suggestions` (the questions the measurements can answer next), `source`
/// (`embedded` or `llm`) and, when the configured model failed, `fallback` (why). With an
/// `instance`, the answer quotes its meters and its rack (an effect asked about is found in its
/// slots, with its settings against the measurements and its gain reduction); an effect named
/// in the question is described from its spec. A configured OpenAI-compatible model (`CODETTE_LLM_URL`, `CODETTE_LLM_MODEL`,
/// `CODETTE_LLM_KEY`, `CODETTE_LLM_TIMEOUT_MS`) phrases the answer when it replies in time.
#[utoipa::path(
    post, path = "/codette/chat", tag = "codette",
    request_body = ChatRequest,
    responses(
        (status = 200, description = "The answer", body = Object),
        (status = 400, description = "Malformed JSON", body = ErrorResponse),
        (status = 404, description = "No such instance", body = ErrorResponse),
        (status = 422, description = "Empty message or unknown perspective", body = ErrorResponse),
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
        Some(name) => Perspective::parse(name).ok_or_else(|| {
            let ids: Vec<_> = Perspective::ALL.iter().map(|p| p.id()).collect();
            ApiError::invalid(
                "invalid_field",
                format!("unknown perspective {name:?}; one of {}", ids.join(", ")),
                "perspective",
            )
        })?,
    };
    // An instance's meters, and its rack when it can show one (a read-only view may not).
    let (view, preset) = match &request.instance {
        Some(id) => {
            let instance = find(&state, id)?;
            (Some(instance.meters()?), instance.preset().ok())
        }
        None => (None, None),
    };
    let llm = state.config.llm.clone().map(Llm::new).transpose().map_err(ApiError::internal)?;
    let rack = preset
        .as_ref()
        .zip(view.as_ref())
        .map(|(preset, view)| Rack { preset, gain_reduction_db: &view.gain_reduction_db });
    let context = Context { meters: view.as_ref().map(|v| &v.meters), findings: &request.findings, rack };
    let id = request.conversation_id;
    let history = id.as_deref().map(|id| state.conversations.turns(id)).unwrap_or_default();
    let mut response = answer(llm.as_ref(), &request.message, perspective, context, &history).await;
    if let Some(id) = &id {
        let turn = Turn { user: request.message, assistant: response.response.clone() };
        state.conversations.record(id, turn);
    }
    response.conversation_id = id;
    Ok(Json(response))
}
