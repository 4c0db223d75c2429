//! The modulation settings: edited and saved off the audio thread, handed to it as engines
//! built ready to run.

use crate::params::SLOT_COUNT;
use codette_dsp::modulation::{ConfigError, ModulationConfig, ModulationEngine};
use codette_dsp::targets::Targets;
use nice_plug::prelude::*;
use std::sync::{Arc, Mutex, OnceLock};

/// Engines waiting for the audio thread; more than a few means edits outpace blocks, and only
/// the newest matters.
const QUEUE_CAPACITY: usize = 8;

/// The modulation targets of the plugin's rack, resolved once per process.
pub fn targets() -> &'static Arc<Targets> {
    static TARGETS: OnceLock<Arc<Targets>> = OnceLock::new();
    TARGETS.get_or_init(|| Arc::new(Targets::new(SLOT_COUNT)))
}

fn resolve(id: &str) -> Option<usize> {
    targets().resolve(id)
}

/// Checks settings against the plugin's parameters; the error names the field at fault.
pub fn validate(config: &ModulationConfig) -> Result<(), ConfigError> {
    config.validate(&resolve)
}

#[derive(Default)]
pub struct ModulationStore {
    config: Mutex<ModulationConfig>,
    /// While the plugin is active: its sample rate and the queue to the audio thread.
    link: Mutex<Option<(f32, rtrb::Producer<Box<ModulationEngine>>)>>,
}

impl ModulationStore {
    pub fn config(&self) -> ModulationConfig {
        self.config.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the settings; a route or lane to a parameter that does not exist (or any other
    /// invalid setting) is refused with an error naming it, and nothing changes.
    pub fn set(&self, config: ModulationConfig) -> Result<(), ConfigError> {
        validate(&config)?;
        self.install(config);
        Ok(())
    }

    /// Restores saved settings. Routes and lanes that no longer resolve (an old state) are
    /// dropped with a warning; damaged or missing settings give the defaults.
    pub fn restore(&self, json: Option<&str>) {
        let config = match json.map(serde_json::from_str::<ModulationConfig>) {
            None => ModulationConfig::default(),
            Some(Ok(config)) => {
                let (config, warnings) = config.load_lenient(&resolve);
                for warning in warnings {
                    nice_warn!("Modulation: {warning}");
                }
                config
            }
            Some(Err(e)) => {
                nice_warn!("Modulation settings not restored ({e}); using the defaults");
                ModulationConfig::default()
            }
        };
        self.install(config);
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&*self.config.lock().unwrap_or_else(|e| e.into_inner()))
            .expect("the modulation settings serialize")
    }

    /// Builds the engine for a sample rate and opens the queue through which later edits reach
    /// the audio thread. Called at activation.
    pub fn connect(
        &self,
        sample_rate: f32,
    ) -> (Box<ModulationEngine>, rtrb::Consumer<Box<ModulationEngine>>) {
        let (outbox, inbox) = rtrb::RingBuffer::new(QUEUE_CAPACITY);
        let engine = self.build(&self.config(), sample_rate);
        *self.link.lock().unwrap_or_else(|e| e.into_inner()) = Some((sample_rate, outbox));
        (engine, inbox)
    }

    fn install(&self, config: ModulationConfig) {
        if let Some((sample_rate, outbox)) = self.link.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            if outbox.push(self.build(&config, *sample_rate)).is_err() {
                nice_warn!("Modulation change dropped: the audio thread is not taking changes");
            }
        }
        *self.config.lock().unwrap_or_else(|e| e.into_inner()) = config;
    }

    fn build(&self, config: &ModulationConfig, sample_rate: f32) -> Box<ModulationEngine> {
        let engine = ModulationEngine::new(config, sample_rate, &resolve).unwrap_or_else(|e| {
            // Only validated or leniently loaded settings get here.
            nice_error!("Modulation settings do not build ({e}); running without modulation");
            ModulationEngine::new(&ModulationConfig::default(), sample_rate, &resolve)
                .expect("the default settings build")
        });
        Box::new(engine)
    }
}
