//! Codette Rack as a CLAP/VST3 plugin and standalone application.

mod effect_loader;
pub mod engine;
pub mod layout;
pub mod params;

use engine::Engine;
use nice_plug::prelude::*;
use params::RackParams;
use std::num::NonZeroU32;
use std::sync::Arc;

pub struct CodetteRack {
    params: Arc<RackParams>,
    engine: Option<Engine>,
    /// The host gives one input channel (mono in, stereo out).
    mono_input: bool,
    reported_latency: u32,
}

impl Default for CodetteRack {
    fn default() -> Self {
        Self { params: Arc::new(RackParams::default()), engine: None, mono_input: false, reported_latency: 0 }
    }
}

impl Plugin for CodetteRack {
    const NAME: &'static str = "Codette Rack";
    const VENDOR: &'static str = "Codette";
    const URL: &'static str = "https://codette.audio/rack";
    const EMAIL: &'static str = "support@codette.audio";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(2),
            ..AudioIOLayout::const_default()
        },
    ];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;
    // Hosts may send one event per parameter per block; with 8 slots of all effects' parameters
    // the default capacity would drop automation.
    const INPUT_EVENT_CAPACITY: usize = 8192;

    type Editor = ();
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn filter_state(state: &mut PluginState) {
        layout::migrate(state);
    }

    fn activate(
        &mut self,
        audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.mono_input = audio_io_layout.main_input_channels.map(NonZeroU32::get) == Some(1);
        let offline = buffer_config.process_mode == ProcessMode::Offline;
        match Engine::new(&self.params, buffer_config.sample_rate, offline) {
            Ok(engine) => {
                self.reported_latency = engine.rack.latency() as u32;
                context.set_latency_samples(self.reported_latency);
                self.engine = Some(engine);
                true
            }
            Err(e) => {
                nice_error!("Could not start the effect loader thread: {e}");
                false
            }
        }
    }

    fn reset(&mut self) {
        if let Some(engine) = &mut self.engine {
            engine.rack.reset();
        }
    }

    fn deactivate(&mut self) {
        self.engine = None;
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let Some(engine) = &mut self.engine else { return ProcessStatus::Normal };
        if let Some(tempo) = context.transport().tempo {
            engine.rack.set_tempo(tempo);
        }
        engine.sync(&self.params);
        let channels = buffer.as_slice();
        let [left, right, ..] = channels else { return ProcessStatus::Normal };
        if self.mono_input {
            right.copy_from_slice(left);
        }
        engine.rack.process(left, right);
        let latency = engine.rack.latency() as u32;
        if latency != self.reported_latency {
            self.reported_latency = latency;
            context.set_latency_samples(latency);
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for CodetteRack {
    const CLAP_ID: &'static str = "audio.codette.rack";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("An effect rack with 19 effects and the Codette assistant");
    const CLAP_MANUAL_URL: Option<&'static str> = Some(Self::URL);
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Stereo,
        ClapFeature::Mono,
        ClapFeature::Equalizer,
        ClapFeature::Compressor,
        ClapFeature::Distortion,
        ClapFeature::Delay,
        ClapFeature::Reverb,
    ];

    fn remote_controls(&self, context: &mut impl RemoteControlsContext) {
        context.add_section("Macros", |section| {
            section.add_page("Macros", |page| self.params.macros.iter().for_each(|m| m.add_to_page(page)));
        });
        for (i, slot) in self.params.slots.iter().enumerate() {
            context.add_section(format!("Slot {}", i + 1), |section| {
                section.add_page(format!("Slot {}", i + 1), |page| {
                    page.add_param(&slot.effect);
                    page.add_param(&slot.bypass);
                    for p in [&slot.mix, &slot.input, &slot.output] {
                        p.add_to_page(page);
                    }
                });
                for (effect, params) in codette_dsp::registry::EFFECTS.iter().zip(&slot.effects) {
                    section.add_page(format!("Slot {} {}", i + 1, effect.name), |page| {
                        params.iter().take(8).for_each(|p| p.add_to_page(page));
                    });
                }
            });
        }
    }
}

impl Vst3Plugin for CodetteRack {
    const VST3_CLASS_ID: [u8; 16] = *b"CodetteRackFx001";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Dynamics,
        Vst3SubCategory::Eq,
        Vst3SubCategory::Delay,
        Vst3SubCategory::Reverb,
        Vst3SubCategory::Distortion,
        Vst3SubCategory::Stereo,
    ];
}

nice_export_clap!(CodetteRack);
nice_export_vst3!(CodetteRack);
