//! The rack as the audio thread runs it: follows the host parameters, the saved slot order and
//! modulation settings, and swaps effects in through the loader.

use crate::effect_loader::{Built, EffectLoader, Request};
use crate::modulation_store::targets;
use crate::params::{RackParams, SpecParam, SLOT_COUNT};
use crate::remote::link::Telemetry;
use codette_dsp::modulated_rack::ModulatedRack;
use codette_dsp::modulation::{MidiEvent, ModulationEngine, Transport};
use codette_dsp::rack::Rack;
use codette_dsp::registry::EFFECTS;
use codette_dsp::slot::{Installed, Slot};
use codette_dsp::targets::{registry_index, TargetKind};
use codette_dsp::Family;

/// More than any effect has, so per-slot caches can be fixed arrays.
const MAX_EFFECT_PARAMS: usize = 16;
/// A slot's mix, input and output trims, then its effect's parameters.
const CONTROLS: usize = 3;
const FOLLOWED: usize = CONTROLS + MAX_EFFECT_PARAMS;

pub struct Engine {
    player: ModulatedRack,
    loader: EffectLoader,
    /// New modulation engines, built off the audio thread when the settings change.
    modulation_inbox: rtrb::Consumer<Box<ModulationEngine>>,
    /// The effect (index into `EFFECTS`) requested from the loader for each slot.
    in_flight: [Option<usize>; SLOT_COUNT],
    /// Rendering offline (faster than real time): effects are built where they are chosen, so
    /// the render does not depend on how fast the loader thread happens to be.
    offline: bool,
    /// The normalized values last followed, per slot: its mix and trims, then its wanted
    /// effect's parameters. Unchanged ones cost a comparison: hosts that split blocks at their
    /// automation call the engine every few dozen samples, and converting every value to plain
    /// units (exponentials for decibels and frequencies) on each call cost the plugin more than
    /// the smaller blocks cost the rack (measured by the `engine_automation` benchmark).
    followed: [[f32; FOLLOWED]; SLOT_COUNT],
    /// Each slot's parameter change count when it was last followed, and whether it must be
    /// followed whatever the count says (at the start, after a modulation change, and while
    /// its effect is still to be installed).
    seen: [u32; SLOT_COUNT],
    stale: [bool; SLOT_COUNT],
    /// Blocks processed since activation.
    blocks: u64,
    /// Where the transport last started playing, while it plays.
    play_start: Option<i64>,
    /// Every modulation source is computed (the editor is open), not only the routed ones.
    monitoring: bool,
}

/// The effect a slot's "effect" parameter asks for, as an index into `EFFECTS`.
fn wanted_effect(params: &RackParams, slot: usize) -> Option<usize> {
    let v = params.slots[slot].effect.value();
    (v >= 1).then(|| v as usize - 1).filter(|&i| i < EFFECTS.len())
}

/// The index into `EFFECTS` of what a slot holds or is getting, found without a search through
/// the registry when it is the parameter's choice, as it is but while an effect loads.
fn held_effect(slot: &Slot, chosen: Option<usize>) -> Option<usize> {
    let spec = slot.wanted_spec()?;
    chosen.filter(|&e| std::ptr::eq(EFFECTS[e], spec)).or_else(|| registry_index(spec))
}

impl Engine {
    /// Builds the rack as the parameters describe it, with every effect installed at once.
    /// Not real-time safe: called on activation.
    pub fn new(params: &RackParams, sample_rate: f32, offline: bool) -> std::io::Result<Self> {
        assert!(EFFECTS.iter().all(|e| e.params.len() <= MAX_EFFECT_PARAMS));
        let (modulation, modulation_inbox) = params.modulation.connect(sample_rate);
        let rack = Rack::new(SLOT_COUNT, sample_rate);
        let mut engine = Self {
            player: ModulatedRack::new(rack, modulation, targets().clone()),
            loader: EffectLoader::start()?,
            modulation_inbox,
            in_flight: [None; SLOT_COUNT],
            offline,
            followed: [[f32::NAN; FOLLOWED]; SLOT_COUNT],
            seen: [0; SLOT_COUNT],
            stale: [true; SLOT_COUNT],
            blocks: 0,
            play_start: None,
            monitoring: false,
        };
        for slot in 0..SLOT_COUNT {
            let installed = wanted_effect(params, slot).map(|e| {
                let spec = EFFECTS[e];
                Installed { spec, effect: (spec.build)(sample_rate) }
            });
            engine.player.rack.slot_mut(slot).install_now(installed);
        }
        engine.player.rack.set_order(&params.order.get());
        engine.sync(params);
        engine.player.reset();
        Ok(engine)
    }

    pub fn rack(&self) -> &Rack {
        &self.player.rack
    }

    pub fn reset(&mut self) {
        self.player.reset();
    }

    /// Processes a block in place: follows the parameters, then runs the rack with its
    /// modulation. Real-time safe.
    pub fn process(
        &mut self,
        params: &RackParams,
        left: &mut [f32],
        right: &mut [f32],
        sidechain: Option<(&[f32], &[f32])>,
        transport: &Transport,
        midi: &[MidiEvent],
    ) {
        self.player.rack.set_tempo(transport.tempo());
        self.sync(params);
        let monitoring = params.editor_open.load(std::sync::atomic::Ordering::Relaxed);
        if monitoring != self.monitoring {
            self.monitoring = monitoring;
            self.player.modulation.set_monitoring(monitoring);
        }
        for (i, m) in params.macros.iter().enumerate() {
            self.player.modulation.set_macro(i, m.normalized());
        }
        let host_base = |t: usize| {
            let target = targets().get(t);
            let slot = &params.slots[target.slot];
            match target.kind {
                TargetKind::Mix => slot.mix.normalized(),
                TargetKind::Input => slot.input.normalized(),
                TargetKind::Output => slot.output.normalized(),
                TargetKind::Effect { effect, param } => slot.effects[effect][param].normalized(),
            }
        };
        self.player.process(left, right, sidechain, transport, midi, host_base);
        self.blocks += 1;
        self.play_start = match (transport.playing, self.play_start) {
            (false, _) => None,
            (true, None) => transport.position_samples,
            (true, start) => start,
        };
    }

    /// What the API shows of the last block. Real-time safe.
    pub fn telemetry(&self, transport: &Transport) -> Telemetry {
        let slots = self.player.rack.slots();
        Telemetry {
            blocks: self.blocks,
            transport: *transport,
            play_start_samples: self.play_start,
            loop_seconds: None,
            gain_reduction_db: std::array::from_fn(|s| {
                let slot = &slots[s];
                let dynamics = slot.spec().is_some_and(|spec| spec.family == Family::Dynamics);
                slot.effect().filter(|_| dynamics).map(|e| e.gain_reduction_db())
            }),
            latency_samples: self.player.rack.latency() as u32,
            sources: *self.player.modulation.sources(),
            lfo_phase: std::array::from_fn(|i| self.player.modulation.lfo_phase(i).unwrap_or(0.0) as f32),
            cpu_load: 0.0,
        }
    }

    /// Brings the rack in line with the parameters. Real-time safe.
    pub fn sync(&mut self, params: &RackParams) {
        self.follow_modulation_settings();
        // Installing may retire two instances (the one replaced and a stale incoming one), so
        // take a built one only when both can be disposed of: the rest waits in its queue.
        while self.loader.disposal_room() >= 2 {
            let Some(built) = self.loader.receive() else { break };
            self.install(params, built);
        }
        for slot in 0..SLOT_COUNT {
            self.dispose_outgoing(slot);
            let changes = params.changes.get(slot);
            if changes == self.seen[slot] && !self.stale[slot] {
                continue;
            }
            self.seen[slot] = changes;
            self.follow_effect_choice(params, slot);
            self.send_params(params, slot);
            let wanted = wanted_effect(params, slot);
            self.stale[slot] = wanted != held_effect(&self.player.rack.slots()[slot], wanted);
        }
        self.follow_order(params);
    }

    /// Takes the newest modulation engine built since the last block, carrying the running
    /// sources over. Every host value is sent again afterwards, so that a target whose route was
    /// removed returns to the host's value.
    fn follow_modulation_settings(&mut self) {
        while self.loader.disposal_room() >= 1 {
            let Ok(next) = self.modulation_inbox.pop() else { break };
            let previous = self.player.swap_modulation(next);
            self.loader.dispose(previous);
            self.followed = [[f32::NAN; FOLLOWED]; SLOT_COUNT];
            self.stale = [true; SLOT_COUNT];
        }
    }

    fn dispose_outgoing(&mut self, slot: usize) {
        if self.loader.disposal_room() >= 1 {
            if let Some(old) = self.player.rack.slot_mut(slot).take_outgoing() {
                self.loader.dispose(old);
            }
        }
    }

    fn install(&mut self, params: &RackParams, built: Built) {
        let Built { slot, effect, mut installed } = built;
        if self.in_flight[slot] == Some(effect) {
            self.in_flight[slot] = None;
        }
        let current = self.player.rack.slots()[slot].wanted_spec().and_then(registry_index);
        if wanted_effect(params, slot) != Some(effect) || current == Some(effect) {
            // No longer wanted: the next sync asks for what is.
            self.loader.dispose(installed);
            self.stale[slot] = true;
            return;
        }
        for (i, p) in params.slots[slot].effects[effect].iter().enumerate() {
            self.followed[slot][CONTROLS + i] = p.normalized();
            installed.effect.set_param(i, p.plain());
        }
        installed.effect.set_tempo(self.player.rack.tempo());
        installed.effect.reset();
        if let Some(abandoned) = self.player.rack.slot_mut(slot).replace(Some(installed)) {
            self.loader.dispose(abandoned);
        }
    }

    fn follow_effect_choice(&mut self, params: &RackParams, slot: usize) {
        let wanted = wanted_effect(params, slot);
        if wanted == held_effect(&self.player.rack.slots()[slot], wanted) {
            return;
        }
        match wanted {
            None if self.loader.disposal_room() >= 1 => {
                if let Some(abandoned) = self.player.rack.slot_mut(slot).replace(None) {
                    self.loader.dispose(abandoned);
                }
            }
            None => {}
            Some(effect) if self.offline => self.build_here(params, slot, effect),
            Some(effect) if self.in_flight[slot] != Some(effect) => {
                let sample_rate = self.player.rack.sample_rate();
                if self.loader.request(Request { slot, effect, sample_rate }) {
                    self.in_flight[slot] = Some(effect);
                }
            }
            Some(_) => {}
        }
    }

    /// Offline there is no deadline: building on this thread is what makes the render exact.
    /// It waits (a block or so) only while retired instances cannot be disposed of.
    fn build_here(&mut self, params: &RackParams, slot: usize, effect: usize) {
        if self.loader.disposal_room() >= 2 {
            let spec = EFFECTS[effect];
            let sample_rate = self.player.rack.sample_rate();
            let built = nice_plug::util::permit_alloc(|| (spec.build)(sample_rate));
            self.install(params, Built { slot, effect, installed: Installed { spec, effect: built } });
        }
    }

    fn send_params(&mut self, params: &RackParams, slot: usize) {
        let p = &params.slots[slot];
        let followed = &mut self.followed[slot];
        let rack_slot = self.player.rack.slot_mut(slot);
        rack_slot.set_bypass(p.bypass.value());
        let mut changed = |i: usize, param: &SpecParam| {
            let n = param.normalized();
            let differs = n != followed[i];
            followed[i] = n;
            differs
        };
        if changed(0, &p.mix) {
            rack_slot.set_mix(p.mix.plain());
        }
        if changed(1, &p.input) {
            rack_slot.set_input_db(p.input.plain());
        }
        if changed(2, &p.output) {
            rack_slot.set_output_db(p.output.plain());
        }
        let Some(effect) = held_effect(rack_slot, wanted_effect(params, slot)) else { return };
        let Some(fx) = rack_slot.wanted_effect_mut() else { return };
        for (i, param) in p.effects[effect].iter().enumerate() {
            if changed(CONTROLS + i, param) {
                fx.set_param(i, param.plain());
            }
        }
    }

    /// Moves slots one at a time (each with its fade) until the rack has the saved order.
    fn follow_order(&mut self, params: &RackParams) {
        if self.player.rack.has_pending_move() {
            return;
        }
        let wanted = params.order.get();
        let order = self.player.rack.order();
        if let Some(to) = (0..SLOT_COUNT).find(|&p| order[p] != wanted[p]) {
            if let Some(from) = order.iter().position(|&s| s == wanted[to]) {
                self.player.rack.move_slot(from, to);
            }
        }
    }
}
