//! `/codette/apply`: one suggestion made to an instance's rack as a single step of its undo
//! history, or previewed level-matched without applying it.

use super::{judge, level_neutral, AnalysisType};
use crate::audio::json::AudioData;
use crate::audio::Audio;
use crate::codette::{change_error, context, rack, recent_input, Listen};
use crate::error::{ApiError, ErrorResponse};
use crate::extract::{blocking, ApiJson};
use crate::state::{AppState, StopFlag};
use axum::extract::State;
use axum::Json;
use codette_assistant::{Audition, RackChange, Suggestion};
use codette_dsp::rack::SLOT_COUNT;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplyRequest {
    /// `instance` is required; audio sent is previewed (else the instance's recent input),
    /// and `suggestion_id` is found in an analysis of it rather than of what the instance plays.
    #[serde(flatten)]
    pub listen: Listen,
    /// The suggestion as `/codette/suggest` returned it.
    #[schema(value_type = Option<Object>)]
    pub suggestion: Option<Suggestion>,
    /// Or its id, looked up among the suggestions for the current analysis.
    pub suggestion_id: Option<String>,
    /// Render the audio through the rack with and without the change, level-matched, instead
    /// of applying it.
    #[serde(default)]
    pub preview: bool,
    pub target: Option<String>,
    pub genre: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    pub before_lufs: f32,
    pub after_lufs: f32,
    /// Play the changed rack's output through this gain to hear it at the same loudness.
    pub gain_db: f32,
    /// The changed rack's output, level-matched, in the shape the audio was sent.
    pub audio_data: AudioData,
    pub sample_rate: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplyResponse {
    pub suggestion_id: String,
    /// Whether the rack was changed (false for a preview).
    pub applied: bool,
    #[schema(value_type = Object)]
    parameters: RackChange,
    /// `POST` here to restore the rack as it was before the change.
    pub undo: String,
    pub preview: Option<PreviewView>,
}

/// Applies one suggestion to the instance's rack as a single undoable change (the rack is
/// loaded as one preset, so `/api/instances/{id}/undo` restores it exactly), or with
/// `preview: true` renders the sent audio through the rack with and without the change and
/// returns the changed render level-matched to the other.
#[utoipa::path(
    post, path = "/codette/apply", tag = "codette",
    request_body = ApplyRequest,
    responses(
        (status = 200, body = ApplyResponse),
        (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse),
    ),
)]
pub(super) async fn codette_apply(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ApplyRequest>,
) -> Result<Json<ApplyResponse>, ApiError> {
    let instance = request.listen.instance(&state)?.ok_or_else(|| {
        ApiError::invalid("missing_field", "apply needs the instance whose rack to change", "instance")
    })?;
    let preset = rack(Some(&instance), None)?;
    let suggestion = match (request.suggestion, &request.suggestion_id) {
        (Some(s), _) => s,
        (None, Some(id)) => {
            let context = context(request.target.as_deref(), request.genre.as_deref())?;
            let mut heard = request.listen.hear(&state).await?;
            // Only the suggestion applied is made level-neutral, not every one judged.
            let audio = heard.audio.take();
            let (_, _, all) = judge(&state, heard, context, preset.clone(), AnalysisType::Quality).await?;
            let ids: Vec<String> = all.iter().map(|s| s.id.clone()).collect();
            let mut chosen = all.into_iter().find(|s| &s.id == id).ok_or_else(|| {
                ApiError::not_found(format!(
                    "no suggestion {id:?} for the current analysis; there are {ids:?}"
                ))
                .at("suggestion_id")
            })?;
            if let Some(audio) = audio {
                let (tempo, stop, rack) = (state.tempo_bpm(), state.stop.clone(), preset.clone());
                chosen = blocking(move || {
                    level_neutral(std::slice::from_mut(&mut chosen), &rack, &audio, &context, tempo, &stop)
                        .map(|()| chosen)
                })
                .await?;
            }
            chosen
        }
        (None, None) => {
            return Err(ApiError::invalid("missing_field", "send suggestion or suggestion_id", "suggestion"));
        }
    };
    let Some(change) = suggestion.parameters.clone() else {
        let why = suggestion.unavailable.unwrap_or_else(|| "it proposes no change".into());
        return Err(ApiError::invalid(
            "nothing_to_apply",
            format!("suggestion {}: {why}", suggestion.id),
            "suggestion",
        ));
    };
    let next = change.apply(&preset, SLOT_COUNT).map_err(|e| change_error(e, "suggestion.parameters."))?;
    let undo = format!("/api/instances/{}/undo", request.listen.instance.as_deref().unwrap_or_default());
    let mut response = ApplyResponse {
        suggestion_id: suggestion.id,
        applied: false,
        parameters: change,
        undo,
        preview: None,
    };
    if request.preview {
        let audio = match request.listen.audio()? {
            Some(audio) => audio,
            None => recent_input(instance.as_ref())
                .map(|sent| Audio::from_stereo(sent.left, sent.right, sent.sample_rate, 2))
                .map_err(|why| {
                    ApiError::invalid(
                        "missing_field",
                        format!("a preview needs audio or audio_data: {why}"),
                        "audio",
                    )
                })?,
        };
        let (tempo, stop) = (state.tempo_bpm(), state.stop.clone());
        let render = move || render_preview(&preset, &next, audio, tempo, &stop);
        response.preview = Some(blocking(render).await?);
        return Ok(Json(response));
    }
    instance.load_preset(next)?;
    response.applied = true;
    Ok(Json(response))
}

fn render_preview(
    before: &codette_dsp::preset::Preset,
    after: &codette_dsp::preset::Preset,
    audio: Audio,
    tempo: f64,
    stop: &StopFlag,
) -> Result<PreviewView, ApiError> {
    let (rate, channels) = (audio.sample_rate, audio.channels.len());
    let (left, right) = audio.into_stereo();
    let keep_going = || !stop.is_set();
    let p = Audition::new(before, SLOT_COUNT, (&left, &right), rate as f32, tempo, &keep_going)
        .and_then(|audition| audition.preview(after))
        .map_err(|e| change_error(e, "suggestion.parameters."))?;
    let (l, r) = p.audio;
    let rendered = Audio::from_stereo(l, r, rate, channels);
    Ok(PreviewView {
        before_lufs: p.before_lufs,
        after_lufs: p.after_lufs,
        gain_db: p.gain_db,
        audio_data: AudioData::from_audio(rendered, channels == 1),
        sample_rate: rate,
    })
}
