//! A concrete change to the rack, as data: what a suggestion proposes and `/codette/apply`
//! applies. It applies to a preset document and gives the new one, so the plugin loads it as one
//! step of its undo history, and the same change can be rendered offline before it is applied.

use codette_dsp::chain::SlotConfig;
use codette_dsp::modulation::matrix::MACRO_COUNT;
use codette_dsp::modulation::{ConfigError, FollowerConfig, LfoConfig, Route};
use codette_dsp::preset::Preset;
use codette_dsp::targets::Targets;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an inserted effect goes in the processing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Before everything (filters that clean up what the other slots receive).
    First,
    /// After everything (a limiter that sets the final level).
    Last,
}

/// One edit. Slots count from 1, as in the preset's `order` and the API's slot routes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Puts an effect into an empty slot and moves the slot to `place` in the order.
    InsertEffect {
        slot: usize,
        place: Place,
        config: SlotConfig,
    },
    /// Sets one value of a slot: an effect parameter by its id, or `mix`, `input_db`,
    /// `output_db`.
    SetParameter {
        slot: usize,
        parameter: String,
        value: f32,
    },
    SetFollower {
        index: usize,
        config: FollowerConfig,
    },
    SetLfo {
        index: usize,
        config: LfoConfig,
    },
    AddRoute {
        route: Route,
    },
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RackChange {
    pub edits: Vec<Edit>,
}

/// Why a change cannot be applied; `field` is a path into the change (`edits[0].value`) or
/// into the resulting preset (`slots[2].parameters.ratio`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeError {
    pub field: String,
    pub message: String,
}

impl ChangeError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }

    /// A render to judge a change was stopped by its caller.
    pub fn cancelled() -> Self {
        Self::new("", "the render was cancelled")
    }
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ChangeError {}

impl From<ConfigError> for ChangeError {
    fn from(e: ConfigError) -> Self {
        Self { field: e.field, message: e.message }
    }
}

/// The first empty slot (1-based) of a rack of `slot_count` slots, or the error that says the
/// rack is full.
pub fn free_slot(preset: &Preset, slot_count: usize) -> Result<usize, ChangeError> {
    (0..slot_count)
        .find(|&i| preset.slots.get(i).is_none_or(|s| s.effect.is_none()))
        .map(|i| i + 1)
        .ok_or_else(|| {
            ChangeError::new(
                "slots",
                format!("the rack is full: all {slot_count} slots hold an effect; empty one first"),
            )
        })
}

impl RackChange {
    pub fn new(edits: Vec<Edit>) -> Self {
        Self { edits }
    }

    /// The preset with every edit made, checked as a whole against a rack of `slot_count`
    /// slots (values in range, routes to parameters that exist). `preset` itself is untouched.
    pub fn apply(&self, preset: &Preset, slot_count: usize) -> Result<Preset, ChangeError> {
        let mut next = preset.clone();
        next.slots.resize(slot_count.max(next.slots.len()), SlotConfig::empty());
        for (i, edit) in self.edits.iter().enumerate() {
            apply_edit(&mut next, edit, slot_count)
                .map_err(|e| ChangeError::new(format!("edits[{i}].{}", e.field), e.message))?;
        }
        next.validate(slot_count, MACRO_COUNT)?;
        let targets = Targets::new(slot_count);
        next.modulation
            .validate(&|id: &str| targets.resolve(id))
            .map_err(|e| ChangeError::new(format!("modulation.{}", e.field), e.message))?;
        Ok(next)
    }
}

fn slot_index(slot: usize, slot_count: usize) -> Result<usize, ChangeError> {
    if (1..=slot_count).contains(&slot) {
        Ok(slot - 1)
    } else {
        Err(ChangeError::new("slot", format!("the rack has slots 1 to {slot_count}, got {slot}")))
    }
}

fn apply_edit(preset: &mut Preset, edit: &Edit, slot_count: usize) -> Result<(), ChangeError> {
    match edit {
        Edit::InsertEffect { slot, place, config } => {
            let index = slot_index(*slot, slot_count)?;
            if let Some(effect) = &preset.slots[index].effect {
                return Err(ChangeError::new("slot", format!("slot {slot} already holds {effect}")));
            }
            config.validate().map_err(|e| ChangeError::new(format!("config.{}", e.field), e.message))?;
            preset.slots[index] = config.clone();
            let mut order: Vec<usize> =
                preset.order_indices(slot_count).into_iter().filter(|&i| i != index).collect();
            match place {
                Place::First => order.insert(0, index),
                Place::Last => order.push(index),
            }
            preset.order = Some(order.into_iter().map(|i| i + 1).collect());
        }
        Edit::SetParameter { slot, parameter, value } => {
            let config = &mut preset.slots[slot_index(*slot, slot_count)?];
            match parameter.as_str() {
                "mix" => config.mix = *value,
                "input_db" => config.input_db = *value,
                "output_db" => config.output_db = *value,
                id => {
                    if config.effect.is_none() {
                        return Err(ChangeError::new("slot", format!("slot {slot} is empty")));
                    }
                    config.parameters.insert(id.to_string(), *value);
                }
            }
            config.validate().map_err(|e| ChangeError::new("value", e.to_string()))?;
        }
        Edit::SetFollower { index, config } => {
            let count = preset.modulation.followers.len();
            let follower = preset.modulation.followers.get_mut(*index).ok_or_else(|| {
                ChangeError::new("index", format!("there are followers 0 to {}, got {index}", count - 1))
            })?;
            config.validate().map_err(|m| ChangeError::new("config", m))?;
            *follower = *config;
        }
        Edit::SetLfo { index, config } => {
            let count = preset.modulation.lfos.len();
            let lfo = preset.modulation.lfos.get_mut(*index).ok_or_else(|| {
                ChangeError::new("index", format!("there are LFOs 0 to {}, got {index}", count - 1))
            })?;
            config.validate().map_err(|m| ChangeError::new("config", m))?;
            *lfo = config.clone();
        }
        Edit::AddRoute { route } => preset.modulation.routes.push(route.clone()),
    }
    Ok(())
}
