//! Codette Rack as a CLAP/VST3 plugin and standalone application.

pub mod editor;
mod effect_loader;
pub mod engine;
pub mod layout;
pub mod modulation_store;
pub mod params;
mod pin;
pub mod remote;
mod sidecar;

use codette_dsp::modulation::{MidiEvent, MidiMessage, Transport};
use engine::Engine;
use nice_plug::prelude::*;
use params::RackParams;
use remote::link::Telemetry;
use std::num::NonZeroU32;
use std::sync::Arc;

/// MIDI events kept per block (notes and CCs for modulation); more are dropped.
const MAX_BLOCK_EVENTS: usize = 1024;

pub struct CodetteRack {
    params: Arc<RackParams>,
    engine: Option<Engine>,
    /// This block's MIDI, reused so that collecting it never allocates.
    midi: Vec<MidiEvent>,
    /// The host gives one input channel (mono in, stereo out).
    mono_input: bool,
    reported_latency: u32,
    sidecar: sidecar::Sidecar,
}

impl Default for CodetteRack {
    fn default() -> Self {
        pin::pin_library();
        let params = Arc::new(RackParams::default());
        Self {
            sidecar: sidecar::Sidecar::new(params.clone()),
            params,
            engine: None,
            midi: Vec::with_capacity(MAX_BLOCK_EVENTS),
            mono_input: false,
            reported_latency: 0,
        }
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
            aux_input_ports: &[new_nonzero_u32(2)],
            names: PortNames { aux_inputs: &["Sidechain"], ..PortNames::const_default() },
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(2),
            aux_input_ports: &[new_nonzero_u32(2)],
            names: PortNames { aux_inputs: &["Sidechain"], ..PortNames::const_default() },
            ..AudioIOLayout::const_default()
        },
    ];

    /// Notes and controllers drive envelopes, note-retriggered LFOs and the velocity and CC
    /// modulation sources.
    const MIDI_INPUT: MidiConfig = MidiConfig::MidiCCs;

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;
    // Hosts may send one event per parameter per block; with 8 slots of all effects' parameters
    // the default capacity would drop automation.
    const INPUT_EVENT_CAPACITY: usize = 8192;

    type Editor = nice_plug_egui::EguiEditor<editor::Editor>;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.sidecar.remote().clone())
    }

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
        self.sidecar.activated(
            context.plugin_api(),
            buffer_config.sample_rate,
            buffer_config.max_buffer_size,
        );
        let offline = buffer_config.process_mode == ProcessMode::Offline;
        match Engine::new(&self.params, buffer_config.sample_rate, offline) {
            Ok(engine) => {
                self.reported_latency = engine.rack().latency() as u32;
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
            engine.reset();
        }
    }

    fn deactivate(&mut self) {
        self.engine = None;
        self.sidecar.deactivated();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        let (started, frames) = (std::time::Instant::now(), buffer.samples());
        let Some(engine) = &mut self.engine else { return ProcessStatus::Normal };
        let host = context.transport();
        let loop_seconds = host.loop_range_seconds();
        // The standalone build has no host transport: the sidecar's own one, which the API
        // controls, drives tempo-synced modulation and automation lanes.
        let transport = if context.plugin_api() == PluginApi::Standalone {
            sidecar::standalone_transport(buffer.samples(), engine.rack().sample_rate())
        } else {
            Transport {
                playing: host.playing,
                tempo_bpm: host.tempo.unwrap_or(120.0),
                position_beats: host.pos_beats(),
                position_samples: host.pos_samples(),
                time_sig: (
                    host.time_sig_numerator.unwrap_or(4).max(1) as u32,
                    host.time_sig_denominator.unwrap_or(4).max(1) as u32,
                ),
            }
        };
        self.midi.clear();
        while let Some(event) = context.next_event() {
            let message = match event {
                NoteEvent::NoteOn { key, velocity, .. } => {
                    MidiMessage::NoteOn { note: key.number_or_middle_c(), velocity }
                }
                NoteEvent::NoteOff { key, .. } => MidiMessage::NoteOff { note: key.number_or_middle_c() },
                NoteEvent::MidiCC { cc, value, .. } => {
                    MidiMessage::Cc { cc, value: (value * 127.0).round() as u8 }
                }
                _ => continue,
            };
            if self.midi.len() < MAX_BLOCK_EVENTS {
                self.midi.push(MidiEvent { offset: event.timing(), message });
            }
        }
        let sidechain =
            aux.inputs.first_mut().map(|b| b.as_slice_immutable()).and_then(|channels| match channels {
                [l, r, ..] => Some((&l[..], &r[..])),
                _ => None,
            });
        let channels = buffer.as_slice();
        let [left, right, ..] = channels else { return ProcessStatus::Normal };
        if self.mono_input {
            right.copy_from_slice(left);
        }
        self.sidecar.take_changes();
        self.sidecar.publish_input(left, right);
        engine.process(&self.params, left, right, sidechain, &transport, &self.midi);
        let latency = engine.rack().latency() as u32;
        if latency != self.reported_latency {
            self.reported_latency = latency;
            context.set_latency_samples(latency);
        }
        let block_seconds = frames as f32 / engine.rack().sample_rate();
        let cpu_load = started.elapsed().as_secs_f32() / block_seconds.max(f32::MIN_POSITIVE);
        let telemetry = Telemetry { loop_seconds, cpu_load, ..engine.telemetry(&transport) };
        self.sidecar.publish(telemetry, left, right);
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
