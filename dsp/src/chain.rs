//! A rack described in plain data: what presets, the API's chains and the offline engine use.

use crate::modulation::ConfigError;
use crate::rack::{set_param_by_id, Rack};
use crate::registry;
use crate::slot::Installed;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One slot as data. Field names follow the predecessor's chain format
/// (`{type, parameters, mix, bypass}`) so its clients keep working.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlotConfig {
    /// Effect id (EFFECTS.md), or `None` for an empty slot.
    #[serde(rename = "type", default)]
    pub effect: Option<String>,
    /// Plain values by parameter id; missing ones take their defaults.
    #[serde(default)]
    pub parameters: BTreeMap<String, f32>,
    #[serde(default = "full_mix")]
    pub mix: f32,
    #[serde(default)]
    pub bypass: bool,
    #[serde(default)]
    pub input_db: f32,
    #[serde(default)]
    pub output_db: f32,
}

fn full_mix() -> f32 {
    1.0
}

/// Trim range of every slot, in dB.
pub const TRIM_RANGE_DB: (f32, f32) = (-24.0, 24.0);

impl SlotConfig {
    pub fn empty() -> Self {
        Self {
            effect: None,
            parameters: BTreeMap::new(),
            mix: 1.0,
            bypass: false,
            input_db: 0.0,
            output_db: 0.0,
        }
    }

    pub fn effect(id: &str) -> Self {
        Self { effect: Some(id.to_string()), ..Self::empty() }
    }

    pub fn with(mut self, id: &str, value: f32) -> Self {
        self.parameters.insert(id.to_string(), value);
        self
    }

    /// Checks every field; the error names the one at fault (`mix`, `parameters.ratio`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let in_range = |v: f32| v.is_finite() && (TRIM_RANGE_DB.0..=TRIM_RANGE_DB.1).contains(&v);
        if !(0.0..=1.0).contains(&self.mix) {
            return Err(ConfigError::new("mix", format!("must be between 0 and 1, got {}", self.mix)));
        }
        for (field, value) in [("input_db", self.input_db), ("output_db", self.output_db)] {
            if !in_range(value) {
                let (min, max) = TRIM_RANGE_DB;
                return Err(ConfigError::new(
                    field,
                    format!("must be between {min} and {max} dB, got {value}"),
                ));
            }
        }
        let Some(id) = &self.effect else {
            return match self.parameters.keys().next() {
                Some(p) => Err(ConfigError::new(format!("parameters.{p}"), "given for an empty slot")),
                None => Ok(()),
            };
        };
        let spec = registry::find(id)
            .ok_or_else(|| ConfigError::new("type", format!("unknown effect type {id}")))?;
        for (pid, value) in &self.parameters {
            let field = format!("parameters.{pid}");
            let index = spec
                .param_index(pid)
                .ok_or_else(|| ConfigError::new(&field, format!("{} has no parameter {pid}", spec.id)))?;
            spec.params[index].validate(*value).map_err(|m| ConfigError::new(&field, m))?;
        }
        Ok(())
    }

    /// Builds the effect this slot describes; `Err` names the first invalid field.
    pub fn build(&self, sample_rate: f32) -> Result<Option<Installed>, String> {
        self.validate().map_err(|e| e.to_string())?;
        let Some(spec) = self.effect.as_deref().and_then(registry::find) else { return Ok(None) };
        let mut effect = (spec.build)(sample_rate);
        for (pid, value) in &self.parameters {
            set_param_by_id(spec, effect.as_mut(), pid, *value)?;
        }
        effect.reset();
        Ok(Some(Installed { spec, effect }))
    }
}

/// Builds a rack that runs `slots` in order, ready to process.
pub fn build_rack(slots: &[SlotConfig], sample_rate: f32) -> Result<Rack, String> {
    let mut rack = Rack::new(slots.len(), sample_rate);
    for (i, config) in slots.iter().enumerate() {
        let installed = config.build(sample_rate).map_err(|e| format!("slot {}: {e}", i + 1))?;
        let slot = rack.slot_mut(i);
        slot.set_bypass(config.bypass);
        slot.set_mix(config.mix);
        slot.set_input_db(config.input_db);
        slot.set_output_db(config.output_db);
        slot.install_now(installed);
    }
    Ok(rack)
}
