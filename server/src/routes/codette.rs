//! `/codette/analyze`, `/suggest`, `/apply`, `/status` and `/genres`: Codette's findings with
//! their evidence, suggestions as changes to the rack, and applying one as a single undoable
//! step (see `codette_assistant`).

use crate::codette::{change_error, context, rack, Heard, Listen, Sent};
use crate::error::{ApiError, ErrorResponse};
use crate::extract::{blocking, ApiJson};
use crate::state::{AppState, StopFlag};
use axum::extract::State;
use axum::Json;
use codette_assistant::{
    detect, make_level_neutral, suggest, turn_downs, AnalysisType, Audition, Context, Delivery, Finding,
    FindingKind, Genre, Instrument, Reference, Suggestion, TurnDown, PLATFORMS,
};
use codette_dsp::analysis::SpectrumReading;
use codette_dsp::preset::Preset;
use codette_dsp::rack::SLOT_COUNT;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The routes that take audio (under the audio body limit).
pub fn audio_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(codette_analyze))
        .routes(routes!(codette_suggest))
        .routes(routes!(apply::codette_apply))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(codette_status)).routes(routes!(codette_genres))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AnalyzeRequest {
    #[serde(flatten)]
    pub listen: Listen,
    /// `spectrum`, `dynamic`, `loudness` or `quality` (everything; the default).
    pub analysis_type: Option<String>,
    /// Delivery target: `streaming` (default), `club`, `broadcast` or `podcast`.
    pub target: Option<String>,
    /// Judge the tonal balance and dynamics against this genre's reference.
    pub genre: Option<String>,
    /// The rack the recommendations change, when no instance is given (default: empty).
    #[schema(value_type = Option<Object>)]
    pub preset: Option<Preset>,
}

/// What the meters read (API.md's keys), with the clipping found in audio that was sent and
/// the gain reduction of an instance's slots.
#[derive(Debug, Serialize)]
struct Metrics {
    #[serde(flatten)]
    meters: codette_dsp::analysis::MeterReading,
    clipped_runs: Option<u64>,
    gain_reduction_db: Option<Vec<Option<f32>>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    pub id: String,
    pub target_lufs: f32,
    pub ceiling_dbtp: f32,
    pub tolerance_lu: f32,
}

impl From<Delivery> for TargetView {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id().into(),
            target_lufs: d.target_lufs(),
            ceiling_dbtp: d.ceiling_dbtp(),
            tolerance_lu: d.tolerance_lu(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnalyzeResponse {
    pub analysis_type: String,
    /// 0..100: 100 less 20 points times each finding's severity (0.5-0.95).
    pub quality_score: f32,
    /// `{id, title, description, evidence[{metric, measured, target, unit, comparison}], excess, severity}`
    #[schema(value_type = Vec<Object>)]
    findings: Vec<Finding>,
    /// The suggestions for these findings, as `/codette/suggest` gives them.
    #[schema(value_type = Vec<Object>)]
    recommendations: Vec<Suggestion>,
    #[schema(value_type = Object)]
    metrics: Metrics,
    pub target: TargetView,
    pub genre: Option<String>,
    /// How far each platform would turn the track down (their published references).
    #[schema(value_type = Vec<Object>)]
    platforms: Vec<TurnDown>,
    /// The genre's reference the tonal balance and dynamics were judged against.
    #[schema(value_type = Object)]
    reference: Reference,
    /// The spectrum (the programme's average, or the instance's now) smoothed in third
    /// octaves: `db[i]` at `frequencies[i]` Hz.
    #[schema(value_type = Object)]
    spectrum: SpectrumReading,
}

/// Third octaves: the usual resolution of a mix's tonal balance on analysers.
const SMOOTHING_FRACTION: f32 = 3.0;

fn analysis_type(name: Option<&str>) -> Result<AnalysisType, ApiError> {
    let Some(name) = name else { return Ok(AnalysisType::Quality) };
    serde_json::from_value(serde_json::Value::String(name.to_lowercase())).map_err(|_| {
        ApiError::invalid(
            "invalid_field",
            format!("unknown analysis_type {name:?}; one of spectrum, dynamic, loudness, quality"),
            "analysis_type",
        )
    })
}

/// The findings of `kinds`, and the suggestions for them on the rack, made level-neutral when
/// the audio is at hand (rendered through the rack with and without each change).
pub(crate) async fn judge(
    state: &AppState,
    heard: Heard,
    context: Context,
    preset: Preset,
    kinds: AnalysisType,
) -> Result<(Heard, Vec<Finding>, Vec<Suggestion>), ApiError> {
    let tempo = state.tempo_bpm();
    let stop = state.stop.clone();
    blocking(move || {
        let findings: Vec<Finding> =
            detect(&heard.measurements, &context).into_iter().filter(|f| kinds.covers(f.id)).collect();
        let mut suggestions = suggest(&findings, &heard.measurements, &preset, SLOT_COUNT, &context);
        if let Some(audio) = &heard.audio {
            level_neutral(&mut suggestions, &preset, audio, &context, tempo, &stop)?;
        }
        Ok((heard, findings, suggestions))
    })
    .await
}

/// Gives each suggestion the output trim that keeps the loudness of `audio` through the rack
/// where it was (the rack without changes rendered once for all of them).
pub(crate) fn level_neutral(
    suggestions: &mut [Suggestion],
    preset: &Preset,
    audio: &Sent,
    context: &Context,
    tempo: f64,
    stop: &StopFlag,
) -> Result<(), ApiError> {
    let ceiling = context.delivery().ceiling_dbtp();
    let sound = (audio.left.as_slice(), audio.right.as_slice());
    let keep_going = || !stop.is_set();
    let audition = Audition::new(preset, SLOT_COUNT, sound, audio.sample_rate as f32, tempo, &keep_going)
        .map_err(|e| change_error(e, "preset."))?;
    for s in suggestions {
        make_level_neutral(s, preset, &audition, ceiling).map_err(|e| change_error(e, "preset."))?;
    }
    Ok(())
}

/// Hears what the request names and judges it on the instance's rack, or else on the preset
/// sent.
async fn hear_and_judge(
    state: &AppState,
    listen: &Listen,
    preset: Option<Preset>,
    context: Context,
    kinds: AnalysisType,
) -> Result<(Heard, Vec<Finding>, Vec<Suggestion>), ApiError> {
    let instance = listen.instance(state)?;
    let preset = rack(instance.as_ref(), preset)?;
    let heard = listen.hear(state).await?;
    judge(state, heard, context, preset, kinds).await
}

/// Measures the audio sent (as a whole programme) or what an instance plays (its live meters),
/// and reports the findings with their evidence, the suggested changes and the metrics.
#[utoipa::path(
    post, path = "/codette/analyze", tag = "codette",
    request_body = AnalyzeRequest,
    responses((status = 200, body = AnalyzeResponse), (status = 422, body = ErrorResponse), (status = 404, body = ErrorResponse)),
)]
async fn codette_analyze(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AnalyzeRequest>,
) -> Result<Json<AnalyzeResponse>, ApiError> {
    let kinds = analysis_type(request.analysis_type.as_deref())?;
    let context = context(request.target.as_deref(), request.genre.as_deref())?;
    let (heard, findings, recommendations) =
        hear_and_judge(&state, &request.listen, request.preset, context, kinds).await?;
    let score = (100.0 - findings.iter().map(|f| 20.0 * f.severity).sum::<f32>()).max(0.0);
    let meters = heard.measurements.meters;
    Ok(Json(AnalyzeResponse {
        analysis_type: serde_json::to_value(kinds)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        quality_score: score.round(),
        findings,
        recommendations,
        platforms: turn_downs(meters.lufs_integrated),
        metrics: Metrics {
            meters,
            clipped_runs: heard.measurements.clipped_runs,
            gain_reduction_db: heard.gain_reduction_db,
        },
        target: context.delivery().into(),
        genre: context.genre.map(|g| g.id().to_string()),
        reference: Reference::for_genre(context.genre),
        spectrum: heard.spectrum.smoothed(SMOOTHING_FRACTION),
    }))
}

/// The predecessor's `context` object: `type` (a delivery target, when it names one) and
/// `genre`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SuggestContext {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub genre: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SuggestRequest {
    #[serde(flatten)]
    pub listen: Listen,
    #[serde(default)]
    pub context: SuggestContext,
    /// Overrides `context.type`.
    pub target: Option<String>,
    /// Overrides `context.genre`.
    pub genre: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub preset: Option<Preset>,
    /// At most this many, the most confident first.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// `{id, type (static or modulation), finding, title, description, evidence[], parameters
    /// (a RackChange: {edits[]}), unavailable?, confidence}`
    #[schema(value_type = Vec<Object>)]
    suggestions: Vec<Suggestion>,
    /// The highest confidence among them (0 when there are none).
    pub confidence: f32,
    /// Why the suggestions are not level-neutral, when an instance was heard without enough of
    /// its input to render them through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_level_matched: Option<String>,
}

/// Suggestions for what the audio or the instance shows, each a concrete change to the rack
/// with the evidence it answers; the most confident first. Each is level-neutral (an output
/// trim keeps the loudness) when there is audio to render it through: the audio sent, or an
/// instance's recent input.
#[utoipa::path(
    post, path = "/codette/suggest", tag = "codette",
    request_body = SuggestRequest,
    responses((status = 200, body = SuggestResponse), (status = 422, body = ErrorResponse), (status = 404, body = ErrorResponse)),
)]
async fn codette_suggest(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SuggestRequest>,
) -> Result<Json<SuggestResponse>, ApiError> {
    let target = request.target.as_deref().or(request
        .context
        .kind
        .as_deref()
        .filter(|t| Delivery::parse(t).is_some()));
    let context = context(target, request.genre.as_deref().or(request.context.genre.as_deref()))?;
    let (heard, _, mut suggestions) =
        hear_and_judge(&state, &request.listen, request.preset, context, AnalysisType::Quality).await?;
    suggestions.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    suggestions.truncate(request.limit.unwrap_or(usize::MAX));
    let confidence = suggestions.iter().map(|s| s.confidence).fold(0.0, f32::max);
    Ok(Json(SuggestResponse { suggestions, confidence, not_level_matched: heard.not_level_matched }))
}

mod apply;

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusResponse {
    pub name: &'static str,
    pub version: &'static str,
    pub capabilities: Vec<&'static str>,
    pub analysis_types: Vec<&'static str>,
    pub findings: Vec<String>,
    pub targets: Vec<TargetView>,
    #[schema(value_type = Vec<Object>)]
    platforms: Vec<codette_assistant::Platform>,
}

/// What Codette can do: its analyses, the findings it looks for, the delivery targets and the
/// platforms' normalisation references.
#[utoipa::path(get, path = "/codette/status", tag = "codette", responses((status = 200, body = StatusResponse)))]
async fn codette_status() -> Json<StatusResponse> {
    Json(StatusResponse {
        name: "Codette",
        version: env!("CARGO_PKG_VERSION"),
        capabilities: vec!["analyze", "suggest", "apply", "preview"],
        analysis_types: vec!["spectrum", "dynamic", "loudness", "quality"],
        findings: FindingKind::ALL.iter().map(|k| k.id()).collect(),
        targets: Delivery::ALL.into_iter().map(TargetView::from).collect(),
        platforms: PLATFORMS.to_vec(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GenresResponse {
    /// Each genre with the reference its mixes are judged against.
    #[schema(value_type = Vec<Object>)]
    genres: Vec<Reference>,
    pub instruments: Vec<&'static str>,
}

/// The genres Codette knows, with their reference tonal balance (dB against pink noise per
/// band), loudness range and peak-to-loudness ratio; and the instruments of its templates.
#[utoipa::path(get, path = "/codette/genres", tag = "codette", responses((status = 200, body = GenresResponse)))]
async fn codette_genres() -> Json<GenresResponse> {
    Json(GenresResponse {
        genres: Genre::ALL.into_iter().map(|g| Reference::for_genre(Some(g))).collect(),
        instruments: Instrument::ALL.iter().map(|i| i.id()).collect(),
    })
}
