//! Effect settings as clients send them, checked field by field before they reach the DSP.
//!
//! The DSP crate validates too (`build_rack` returns the first problem as a string), but here
//! every error names the request field at fault, and choices may be given by name.

use crate::error::{dsp_error, ApiError};
use codette_dsp::chain::{SlotConfig, TRIM_RANGE_DB};
use codette_dsp::{registry, EffectSpec, ParamKind, ParamSpec};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use utoipa::ToSchema;

/// A parameter value: a number in the parameter's unit, or for choice parameters (`filter_type`,
/// `distortion_type`, `curve`) the option's name or index.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Name(String),
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ParamValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, a boolean for toggles, or an option name for choice parameters")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ParamValue, E> {
                Ok(ParamValue::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ParamValue, E> {
                Ok(ParamValue::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ParamValue, E> {
                Ok(ParamValue::Number(v as f64))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ParamValue, E> {
                Ok(ParamValue::Number(if v { 1.0 } else { 0.0 }))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ParamValue, E> {
                Ok(ParamValue::Name(v.to_string()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Parameters by id (EFFECTS.md), in plain units; missing ones keep their defaults.
pub type Parameters = BTreeMap<String, ParamValue>;

/// One slot of a chain, in the predecessor's format `{type, parameters, mix, bypass}`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct SlotRequest {
    /// Effect id (see `GET /api/effects/list`); null or absent for an empty slot.
    #[serde(rename = "type", alias = "effect_type", default)]
    pub effect: Option<String>,
    #[serde(default, alias = "params")]
    #[schema(value_type = Object, example = json!({"threshold": -18, "ratio": 4}))]
    pub parameters: Parameters,
    /// Wet/dry mix 0..1 (default 1).
    #[serde(default)]
    pub mix: Option<f64>,
    #[serde(default)]
    pub bypass: bool,
    /// Input trim in dB, −24..24 (default 0).
    #[serde(default)]
    pub input_db: Option<f64>,
    /// Output trim in dB, −24..24 (default 0).
    #[serde(default)]
    pub output_db: Option<f64>,
}

/// The effect with this id, or an `unknown_effect` error listing the valid ones.
pub fn find_effect(id: &str, field: &str) -> Result<&'static EffectSpec, ApiError> {
    registry::find(id).ok_or_else(|| {
        let known: Vec<&str> = registry::EFFECTS.iter().map(|e| e.id).collect();
        ApiError::invalid(
            "unknown_effect",
            format!("unknown effect {id:?}; known effects: {}", known.join(", ")),
            field,
        )
    })
}

/// Checks `parameters` against `spec` and converts them to plain values; `field` is the path of
/// the parameters object in the request.
pub fn plain_values(
    spec: &EffectSpec,
    parameters: &Parameters,
    field: &str,
) -> Result<BTreeMap<String, f32>, ApiError> {
    let mut values = BTreeMap::new();
    for (id, value) in parameters {
        let at = if field.is_empty() { id.clone() } else { format!("{field}.{id}") };
        let param = spec.params.iter().find(|p| p.id == id).ok_or_else(|| {
            let known: Vec<&str> = spec.params.iter().map(|p| p.id).collect();
            ApiError::invalid(
                "unknown_parameter",
                format!("{} has no parameter {id:?}; its parameters are {}", spec.id, known.join(", ")),
                &at,
            )
        })?;
        values.insert(id.clone(), plain_value(param, value, &at)?);
    }
    Ok(values)
}

/// A requested value of `param` as a checked plain value: a number in its unit or an option's
/// name (choices); errors name `field`.
pub fn plain_value(param: &ParamSpec, value: &ParamValue, field: &str) -> Result<f32, ApiError> {
    let id = param.id;
    let number = match (value, param.kind) {
        (ParamValue::Number(n), _) => *n as f32,
        (ParamValue::Name(name), ParamKind::Choice(options)) => {
            options.iter().position(|o| o.eq_ignore_ascii_case(name)).ok_or_else(|| {
                ApiError::invalid(
                    "out_of_range",
                    format!("{id} must be one of {}, got {name:?}", options.join(", ")),
                    field,
                )
            })? as f32
        }
        (ParamValue::Name(name), _) => {
            return Err(ApiError::invalid(
                "invalid_type",
                format!("{id} must be a number, got {name:?}"),
                field,
            ))
        }
    };
    param.validate(number).map_err(|m| ApiError::invalid("out_of_range", m, field))
}

fn in_range(
    value: Option<f64>,
    default: f32,
    (min, max): (f32, f32),
    what: &str,
    field: String,
) -> Result<f32, ApiError> {
    let Some(v) = value else { return Ok(default) };
    if v.is_finite() && v >= min as f64 && v <= max as f64 {
        Ok(v as f32)
    } else {
        Err(ApiError::invalid(
            "out_of_range",
            format!("{what} must be between {min} and {max}, got {v}"),
            field,
        ))
    }
}

impl SlotRequest {
    /// The DSP's slot description, with every field checked; `field` is this slot's path.
    pub fn to_config(&self, field: &str) -> Result<SlotConfig, ApiError> {
        let sub = |name: &str| if field.is_empty() { name.to_string() } else { format!("{field}.{name}") };
        let mut config = SlotConfig {
            effect: None,
            parameters: BTreeMap::new(),
            mix: in_range(self.mix, 1.0, (0.0, 1.0), "mix", sub("mix"))?,
            bypass: self.bypass,
            input_db: in_range(self.input_db, 0.0, TRIM_RANGE_DB, "input_db", sub("input_db"))?,
            output_db: in_range(self.output_db, 0.0, TRIM_RANGE_DB, "output_db", sub("output_db"))?,
        };
        match &self.effect {
            Some(id) => {
                let spec = find_effect(id, &sub("type"))?;
                config.parameters = plain_values(spec, &self.parameters, &sub("parameters"))?;
                config.effect = Some(spec.id.to_string());
            }
            None if !self.parameters.is_empty() => {
                return Err(ApiError::invalid(
                    "invalid_field",
                    "parameters given for a slot without an effect type",
                    sub("type"),
                ))
            }
            None => {}
        }
        Ok(config)
    }
}

/// A whole chain, each slot checked; `field` is the path of the array.
pub fn chain_configs(chain: &[SlotRequest], field: &str) -> Result<Vec<SlotConfig>, ApiError> {
    chain.iter().enumerate().map(|(i, slot)| slot.to_config(&format!("{field}[{i}]"))).collect()
}

/// One effect as a one-slot chain (`/api/effects/process`).
pub fn single_effect(
    effect_type: &str,
    parameters: &Parameters,
    type_field: &str,
    params_field: &str,
) -> Result<Vec<SlotConfig>, ApiError> {
    let spec = find_effect(effect_type, type_field)?;
    let mut config = SlotConfig::effect(spec.id);
    config.parameters = plain_values(spec, parameters, params_field)?;
    Ok(vec![config])
}

/// Builds the rack for checked configs. The DSP's own validation should never fail after ours;
/// if it does, its message is passed on as a 422.
pub fn build(
    configs: &[SlotConfig],
    sample_rate: u32,
    field: &str,
) -> Result<codette_dsp::rack::Rack, ApiError> {
    codette_dsp::chain::build_rack(configs, sample_rate as f32).map_err(|m| dsp_error(m, field))
}
