//! Effect chains per instrument and genre, ready to load into the rack: every slot with the
//! reason it is there and the numbers it was set to.
//!
//! The templates are built from two small tables rather than written out 42 times: what each
//! instrument's chain holds (`chains`) and what each genre asks of it (`style`). The tuning
//! (`crate::tuning`) then moves their values to what the analysis measured.

mod chains;
pub mod levels;
mod style;

use crate::{Genre, Instrument};
use codette_dsp::chain::SlotConfig;
use codette_dsp::preset::Preset;
use serde::Serialize;

/// What a slot does in a chain, so the tuning and the chat can find "the compressor" or "the
/// tone EQ" without caring which slot holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Filters out what does not belong (rumble).
    Cleanup,
    /// Tonal shaping.
    Tone,
    Dynamics,
    /// Saturation or distortion.
    Color,
    Echo,
    Space,
    /// The final peak limiter.
    Ceiling,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemplateSlot {
    pub role: Role,
    pub config: SlotConfig,
    /// Why the slot is there and why its values, with the numbers.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    pub instrument: Instrument,
    pub genre: Genre,
    /// In processing order, slot 1 first.
    pub slots: Vec<TemplateSlot>,
}

impl Template {
    pub fn new(instrument: Instrument, genre: Genre) -> Self {
        let slots = chains::chain(instrument, &style::style(genre)).into_iter().flatten().collect();
        Self { instrument, genre, slots }
    }

    /// Every instrument in every genre.
    pub fn all() -> impl Iterator<Item = Template> {
        Instrument::ALL.into_iter().flat_map(|i| Genre::ALL.into_iter().map(move |g| Template::new(i, g)))
    }

    /// `pop vocals`, `hip-hop mix-bus`.
    pub fn name(&self) -> String {
        format!("{} {}", self.genre.id(), self.instrument.id())
    }

    /// The first slot with this role, as its index.
    pub fn find(&self, role: Role) -> Option<usize> {
        self.slots.iter().position(|s| s.role == role)
    }

    /// The chain as a preset document, its slots in order and the rest of the rack empty.
    pub fn preset(&self) -> Preset {
        let mut preset = Preset::new(&self.name());
        preset.slots = self.slots.iter().map(|s| s.config.clone()).collect();
        preset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codette_dsp::modulation::matrix::MACRO_COUNT;
    use codette_dsp::rack::SLOT_COUNT;

    #[test]
    fn all_42_templates_load_into_the_rack() {
        let templates: Vec<Template> = Template::all().collect();
        assert_eq!(templates.len(), 42);
        for template in &templates {
            let preset = template.preset();
            assert!(preset.slots.len() <= SLOT_COUNT, "{}", template.name());
            for (i, slot) in preset.slots.iter().enumerate() {
                slot.validate().unwrap_or_else(|e| panic!("{} slot {}: {e}", template.name(), i + 1));
            }
            preset.validate(SLOT_COUNT, MACRO_COUNT).unwrap();
            // Each slot really builds into the DSP, with the values asked for.
            codette_dsp::chain::build_rack(&preset.slots, 48_000.0).unwrap();
            // Through the preset file format and back, unchanged.
            let json = serde_json::to_string(&preset).unwrap();
            let back: Preset = serde_json::from_str(&json).unwrap();
            assert_eq!(back, preset);
        }
    }

    #[test]
    fn the_genres_differ_where_their_style_says() {
        let ratio = |g| {
            let t = Template::new(Instrument::Vocals, g);
            t.slots[t.find(Role::Dynamics).unwrap()].config.parameters["ratio"]
        };
        assert!(ratio(Genre::HipHop) > ratio(Genre::Jazz));
        let rock = Template::new(Instrument::Guitar, Genre::Rock);
        assert_eq!(rock.slots[rock.find(Role::Color).unwrap()].config.effect.as_deref(), Some("distortion"));
        assert!(Template::new(Instrument::Guitar, Genre::Jazz).find(Role::Color).is_none());
        assert!(Template::new(Instrument::Vocals, Genre::Rock).find(Role::Echo).is_none());
        let master = Template::new(Instrument::Master, Genre::Pop);
        assert_eq!(master.find(Role::Ceiling), Some(master.slots.len() - 1), "the limiter comes last");
        for template in Template::all() {
            assert!(template.slots.iter().all(|s| !s.reason.is_empty()));
        }
    }
}
