//! `/api/ai/recommend-effects` and `/api/ai/auto-mix`: Codette's chains and mix moves, each
//! with the numbers it rests on.

use crate::codette::{named, Listen};
use crate::error::{ApiError, ErrorResponse};
use crate::extract::{blocking, ApiJson};
use crate::jobs::shutting_down;
use crate::mixdown::render::render_track;
use crate::mixdown::{MixdownRequest, TrackRequest};
use crate::render::Timing;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use codette_assistant::automix::{auto_mix, AutoMix, TrackInput};
use codette_assistant::tuning::DEFAULT_TARGET_LUFS;
use codette_assistant::{recommend, Genre, Instrument, Recommendation};
use codette_dsp::analysis::MeterReading;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Routes that take audio in their bodies.
pub fn audio_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(recommend_effects)).routes(routes!(auto_mix_tracks))
}

#[derive(Deserialize, ToSchema)]
pub struct RecommendRequest {
    /// `vocals`, `drums`, `bass`, `guitar`, `keys`, `mix-bus` or `master`.
    pub instrument: String,
    /// `pop`, `hip-hop`, `rock`, `electronic`, `jazz` or `ambient`.
    pub genre: String,
    /// What to tune the chain to (optional: without it, the template as it is): audio or an
    /// instance, measured as `/codette/analyze` measures them ...
    #[serde(flatten)]
    pub listen: Listen,
    /// ... or measurements already made, with the meters' field names.
    #[schema(value_type = Option<Object>)]
    pub metrics: Option<MeterReading>,
    /// Delivery loudness for a master's limiter, −70..0 LUFS; default −14 (streaming).
    pub target_lufs: Option<f32>,
}

#[derive(Serialize, ToSchema)]
pub struct RecommendResponse {
    /// `instrument`, `genre`, `preset` (a preset document, ready for
    /// `PUT /api/instances/{id}/state`), `slots` (the reason for each slot), `adjustments`
    /// (each value the analysis moved: slot, parameter, from, to, reason), `tuned`, `target_lufs`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub recommendation: Recommendation,
    /// The measurements the chain was tuned to, when there were any.
    #[schema(value_type = Option<Object>)]
    pub metrics: Option<MeterReading>,
}

/// An effect chain for an instrument in a genre, ready to load into the rack, with the reason
/// for every slot. Given `metrics`, audio (`audio`, or `audio_data` with `sample_rate`) or an
/// `instance` (measured as `/codette/analyze` measures them), its values are tuned to the
/// measurements: compressor threshold from the RMS, makeup from the peak, an EQ cut where the
/// tonal balance has a bump, the master limiter's threshold (under the true-peak ceiling for
/// the delivery target) and gain; each change says from what, to what and why.
#[utoipa::path(
    post, path = "/api/ai/recommend-effects", tag = "codette",
    request_body = RecommendRequest,
    responses(
        (status = 200, body = RecommendResponse),
        (status = 400, description = "Malformed JSON, unreadable WAV or base64", body = ErrorResponse),
        (status = 404, description = "No such instance", body = ErrorResponse),
        (status = 422, description = "Unknown instrument or genre, invalid field", body = ErrorResponse),
    ),
)]
async fn recommend_effects(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RecommendRequest>,
) -> Result<Json<RecommendResponse>, ApiError> {
    let (instrument, genre) = (&request.instrument, &request.genre);
    let instrument =
        named(Instrument::parse(instrument), "instrument", instrument, Instrument::ALL.map(Instrument::id))?;
    let genre = named(Genre::parse(genre), "genre", genre, Genre::ALL.map(Genre::id))?;
    let target = request.target_lufs.unwrap_or(DEFAULT_TARGET_LUFS);
    if !(-70.0..=0.0).contains(&target) {
        return Err(ApiError::invalid(
            "out_of_range",
            format!("target_lufs must be between -70 and 0, got {target}"),
            "target_lufs",
        ));
    }
    let metrics = match (request.metrics, request.listen.given()) {
        (Some(_), true) => {
            return Err(ApiError::invalid(
                "invalid_field",
                "give one of audio (or audio_data), metrics and instance",
                "metrics",
            ))
        }
        (Some(metrics), false) => Some(metrics),
        (None, true) => Some(request.listen.hear(&state).await?.measurements.meters),
        (None, false) => None,
    };
    let recommendation = recommend(instrument, genre, metrics.as_ref(), target);
    Ok(Json(RecommendResponse { recommendation, metrics }))
}

#[derive(Deserialize, ToSchema)]
pub struct AutoMixRequest {
    /// The tracks as `/api/mixdown` takes them (audio or audio_data, volume_db, pan, mute, solo,
    /// effect_chain, name); the muted ones (and the unsoloed ones, when any is soloed) are left
    /// out.
    pub tracks: Vec<TrackRequest>,
    /// The rate the tracks are analysed at; default: the highest track rate.
    pub sample_rate: Option<u32>,
    /// Tempo for tempo-synced effects in the tracks' chains; by default the transport's.
    pub bpm: Option<f64>,
}

/// Per-track volume, pan and EQ suggestions for a set of tracks, each with its reasons, and the
/// loudness spread and masking before and after. Every track is rendered as the mixdown would
/// (resampled, through its `effect_chain`), measured (integrated loudness, energy per band and
/// side), brought to the median loudness of the tracks; where two tracks share a band, the
/// one for which it matters least is cut there (an `eq3band` slot to put at the end of its
/// chain), or two centred mono tracks whose core it is are panned apart. `index` is the
/// track's position in the request.
#[utoipa::path(
    post, path = "/api/ai/auto-mix", tag = "codette",
    request_body = AutoMixRequest,
    responses(
        (status = 200, description = "`target_lufs`, `tracks[{index, name, loudness_lufs, volume_db{from,to}, pan{from,to}, eq, reasons[]}]`, `before` and `after` `{loudness_spread_lu, masking}`", body = Object),
        (status = 400, description = "Malformed JSON, unreadable WAV or base64", body = ErrorResponse),
        (status = 413, description = "Body too large", body = ErrorResponse),
        (status = 422, description = "Invalid field (named in `field`)", body = ErrorResponse),
    ),
)]
async fn auto_mix_tracks(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AutoMixRequest>,
) -> Result<Json<AutoMix>, ApiError> {
    let transport_bpm = state.tempo_bpm();
    let stop = state.stop.clone();
    blocking(move || {
        let placement: Vec<(String, f32, f32)> = request
            .tracks
            .iter()
            .enumerate()
            .map(|(i, t)| {
                (
                    t.name.clone().unwrap_or_else(|| format!("track {}", i + 1)),
                    t.volume_db as f32,
                    t.pan as f32,
                )
            })
            .collect();
        let mixdown = MixdownRequest {
            tracks: request.tracks,
            master_chain: Vec::new(),
            sample_rate: request.sample_rate,
            format: Default::default(),
            loudness_target_lufs: None,
            tail_seconds: 0.0,
            run_async: None,
            bpm: request.bpm,
        };
        let plan = mixdown.plan(transport_bpm)?;
        let timing = Timing { sample_rate: plan.sample_rate, tempo_bpm: plan.tempo_bpm };
        let mut rendered = Vec::with_capacity(plan.tracks.len());
        for track in plan.tracks {
            let index = track.index;
            let (stereo, _) = render_track(track, timing, plan.frames, &mut |_| !stop.is_set())?
                .ok_or_else(shutting_down)?;
            rendered.push((index, stereo));
        }
        let inputs: Vec<TrackInput> = rendered
            .iter()
            .map(|(index, (left, right))| {
                let (name, volume_db, pan) = placement[*index].clone();
                TrackInput { name, left, right, volume_db, pan }
            })
            .collect();
        let mut mix = auto_mix(&inputs, plan.sample_rate as f32);
        for suggestion in &mut mix.tracks {
            suggestion.index = rendered[suggestion.index].0;
        }
        Ok(Json(mix))
    })
    .await
}
