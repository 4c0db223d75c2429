//! A whole rack as one document: preset files, the API's `/state`, and undo snapshots.
//!
//! A preset names only what a user chose (each slot's effect with its parameters, the order,
//! the macros, the modulation), in plain units and effect ids, so that it reads well, survives
//! new parameters being added (missing ones take their defaults) and can be written by hand.

use crate::chain::SlotConfig;
use crate::modulation::{ConfigError, ModulationConfig};
use serde::{Deserialize, Serialize};

/// Identifies the document type, so that a foreign JSON file is refused instead of loaded as an
/// empty rack.
pub const PRESET_FORMAT: &str = "codette-rack-preset";
/// The version written by this build; readers accept it and anything older.
pub const PRESET_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preset {
    pub format: String,
    #[serde(default = "current_version")]
    pub version: u32,
    #[serde(default)]
    pub name: String,
    /// Slot 1 first; missing trailing slots are empty.
    #[serde(default)]
    pub slots: Vec<SlotConfig>,
    /// Slot numbers (1-based) in processing order; absent means 1, 2, 3, …
    #[serde(default)]
    pub order: Option<Vec<usize>>,
    /// Macro values 0..1; missing ones are 0.
    #[serde(default)]
    pub macros: Vec<f32>,
    #[serde(default)]
    pub modulation: ModulationConfig,
}

fn current_version() -> u32 {
    PRESET_VERSION
}

impl Preset {
    pub fn new(name: &str) -> Self {
        Self {
            format: PRESET_FORMAT.to_string(),
            version: PRESET_VERSION,
            name: name.to_string(),
            slots: Vec::new(),
            order: None,
            macros: Vec::new(),
            modulation: ModulationConfig::default(),
        }
    }

    /// Checks the document against a rack of `slot_count` slots and `macro_count` macros (the
    /// modulation's targets are the caller's to check). Errors name the field at fault.
    pub fn validate(&self, slot_count: usize, macro_count: usize) -> Result<(), ConfigError> {
        if self.format != PRESET_FORMAT {
            return Err(ConfigError::new(
                "format",
                format!("not a Codette Rack preset (format {:?}, expected {PRESET_FORMAT:?})", self.format),
            ));
        }
        if self.version > PRESET_VERSION {
            return Err(ConfigError::new(
                "version",
                format!("version {} is newer than this build reads ({PRESET_VERSION})", self.version),
            ));
        }
        if self.slots.len() > slot_count {
            return Err(ConfigError::new(
                "slots",
                format!("the rack has {slot_count} slots, got {}", self.slots.len()),
            ));
        }
        for (i, slot) in self.slots.iter().enumerate() {
            slot.validate().map_err(|e| ConfigError::new(format!("slots[{i}].{}", e.field), e.message))?;
        }
        if let Some(order) = &self.order {
            let mut seen = vec![false; slot_count];
            let valid = order.len() == slot_count
                && order
                    .iter()
                    .all(|&n| (1..=slot_count).contains(&n) && !std::mem::replace(&mut seen[n - 1], true));
            if !valid {
                return Err(ConfigError::new(
                    "order",
                    format!("must list each slot number 1..={slot_count} once, got {order:?}"),
                ));
            }
        }
        if self.macros.len() > macro_count {
            return Err(ConfigError::new(
                "macros",
                format!("there are {macro_count} macros, got {}", self.macros.len()),
            ));
        }
        if let Some(i) = self.macros.iter().position(|m| !(0.0..=1.0).contains(m)) {
            return Err(ConfigError::new(format!("macros[{i}]"), "must be between 0 and 1"));
        }
        Ok(())
    }

    /// The processing order as 0-based slot indices.
    pub fn order_indices(&self, slot_count: usize) -> Vec<usize> {
        match &self.order {
            Some(order) => order.iter().map(|n| n - 1).collect(),
            None => (0..slot_count).collect(),
        }
    }
}
