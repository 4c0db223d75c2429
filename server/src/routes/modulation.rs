//! `/api/instances/{id}/modulation` and `/automation`: the modulators, the matrix and the
//! internal automation lanes.

use super::instances::find;
use crate::error::{ApiError, ErrorResponse};
use crate::extract::{parse_json, ApiJson};
use crate::instance::LanesView;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use codette_dsp::modulation::ModulationConfig;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_modulation, put_modulation, patch_modulation))
        .routes(routes!(get_automation))
}

/// The LFOs, envelopes, followers, routes and automation lanes.
#[utoipa::path(
    get, path = "/api/instances/{id}/modulation", tag = "modulation",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, body = Object), (status = 404, body = ErrorResponse)),
)]
async fn get_modulation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ModulationConfig>, ApiError> {
    Ok(Json(find(&state, &id)?.modulation()?))
}

/// Replaces the whole modulation setup. A route or lane to a parameter that does not exist is
/// refused (422, naming it) and nothing changes.
#[utoipa::path(
    put, path = "/api/instances/{id}/modulation", tag = "modulation",
    params(("id" = String, Path, description = "Instance id")),
    request_body = Object,
    responses((status = 200, body = Object), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
)]
async fn put_modulation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(config): ApiJson<ModulationConfig>,
) -> Result<Json<ModulationConfig>, ApiError> {
    let instance = find(&state, &id)?;
    instance.set_modulation(config)?;
    Ok(Json(instance.modulation()?))
}

/// Changes part of the modulation setup: a JSON merge patch (RFC 7386) onto the current one.
/// Objects merge key by key and arrays are replaced whole, so `{"routes": [...]}` replaces the
/// routes and keeps everything else, and `{"lanes": {"s1_mix": null}}` removes one lane.
#[utoipa::path(
    patch, path = "/api/instances/{id}/modulation", tag = "modulation",
    params(("id" = String, Path, description = "Instance id")),
    request_body = Object,
    responses((status = 200, body = Object), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
)]
async fn patch_modulation(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<Value>,
) -> Result<Json<ModulationConfig>, ApiError> {
    let instance = find(&state, &id)?;
    if !patch.is_object() {
        return Err(ApiError::invalid("invalid_field", "a merge patch must be a JSON object", ""));
    }
    let mut current =
        serde_json::to_value(instance.modulation()?).map_err(|e| ApiError::internal(e.to_string()))?;
    merge(&mut current, patch);
    let config: ModulationConfig = parse_json(current.to_string().as_bytes())?;
    instance.set_modulation(config)?;
    Ok(Json(instance.modulation()?))
}

/// RFC 7386: objects merge key by key, `null` removes, anything else replaces.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(&key);
                } else {
                    merge(target.entry(key).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

/// The internal automation lanes, by parameter id: points (`time_samples`, `value` 0..1,
/// `interpolation`).
#[utoipa::path(
    get, path = "/api/instances/{id}/automation", tag = "modulation",
    params(("id" = String, Path, description = "Instance id")),
    responses((status = 200, body = LanesView), (status = 404, body = ErrorResponse)),
)]
async fn get_automation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<LanesView>, ApiError> {
    Ok(Json(LanesView { lanes: find(&state, &id)?.modulation()?.lanes }))
}

#[cfg(test)]
mod tests {
    use super::merge;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7386() {
        // The example of RFC 7386, section 3.
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge(&mut target, json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
        let mut target = json!({"a": [1, 2]});
        merge(&mut target, json!({"a": [3]}));
        assert_eq!(target, json!({"a": [3]}));
    }
}
