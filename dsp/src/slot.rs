//! One place in the rack: an effect (or none) with bypass, wet/dry mix and trims.

use crate::blocks::delay_line::DelayLine;
use crate::blocks::period_ramp::AnchoredRamp;
use crate::effect::{Effect, EffectSpec};
use crate::rack::CHUNK;
use crate::util::{db_to_gain, ms_to_samples};

/// Length of the fade that makes bypass, effect changes and reordering click-free.
pub const FADE_MS: f32 = 10.0;

/// The longest latency an effect may have: the limiter's 50 ms lookahead plus room for
/// oversampling filters. The dry path is delayed by the effect's latency so that mix and bypass
/// stay aligned, and the rack's total latency does not change when a slot is bypassed.
pub const MAX_EFFECT_LATENCY_MS: f32 = 60.0;

/// Mix and trims follow their smoothing in linear ramps of this many samples.
type Level = AnchoredRamp<32>;

/// An effect instance together with what it is.
pub struct Installed {
    pub spec: &'static EffectSpec,
    pub effect: Box<dyn Effect>,
}

/// The fields every call reads come first, and a slot starts on a cache line: they then span
/// three lines rather than the five of the whole slot. Host automation cuts blocks into calls of
/// a few dozen samples, each touching all nineteen slots: this saves one cache miss and more
/// per slot and call (cachegrind).
#[repr(C, align(64))]
pub struct Slot {
    current: Option<Installed>,
    /// A retired instance, to be dropped off the audio thread by whoever owns the rack.
    outgoing: Option<Installed>,
    /// 1 when the slot's processing is heard, 0 when it is a wire; ramps linearly.
    engaged: f32,
    bypass: bool,
    /// Faded out for a rack operation (a move to another position).
    held: bool,
    /// The longest latency the dry delay can follow.
    longest_latency: usize,
    /// [`latency`](Self::latency), kept rather than asked of the effect at every call, and
    /// whether it must be asked again: an effect's latency follows its parameters, and any
    /// hand-out of the effect to change them marks it stale.
    known_latency: usize,
    latency_stale: bool,
    /// Built off the audio thread, waiting for the current effect to fade out.
    incoming: Option<Option<Installed>>,
    mix: Level,
    input_gain: Level,
    output_gain: Level,
    engage_step: f32,
    /// Holds the latency plus a chunk, as a chunk is written before it is read.
    dry_delay: [DelayLine; 2],
    /// Per-sample values of a mixing chunk: kept here, as clearing them on the stack at every
    /// call cost more than using them when the calls are short.
    work: Box<Work>,
}

/// Input gain, mix and output gain of each sample, and the dry signal.
struct Work {
    g_in: [f32; CHUNK],
    mix: [f32; CHUNK],
    g_out: [f32; CHUNK],
    dry: [[f32; CHUNK]; 2],
}

impl Slot {
    pub fn new(sample_rate: f32) -> Self {
        let max_latency = ms_to_samples(MAX_EFFECT_LATENCY_MS, sample_rate) + CHUNK;
        let dry_delay = [DelayLine::new(max_latency), DelayLine::new(max_latency)];
        Self {
            current: None,
            incoming: None,
            outgoing: None,
            bypass: false,
            held: false,
            engaged: 0.0,
            engage_step: 1.0 / ms_to_samples(FADE_MS, sample_rate).max(1) as f32,
            mix: Level::new(1.0, sample_rate),
            input_gain: Level::new(1.0, sample_rate),
            output_gain: Level::new(1.0, sample_rate),
            longest_latency: dry_delay[0].max_delay() + 1 - CHUNK,
            known_latency: 0,
            latency_stale: true,
            dry_delay,
            work: Box::new(Work {
                g_in: [0.0; CHUNK],
                mix: [0.0; CHUNK],
                g_out: [0.0; CHUNK],
                dry: [[0.0; CHUNK]; 2],
            }),
        }
    }

    pub fn spec(&self) -> Option<&'static EffectSpec> {
        self.current.as_ref().map(|i| i.spec)
    }

    /// What the slot will hold once pending changes are done.
    pub fn wanted_spec(&self) -> Option<&'static EffectSpec> {
        match &self.incoming {
            Some(next) => next.as_ref().map(|i| i.spec),
            None => self.spec(),
        }
    }

    pub fn effect(&self) -> Option<&(dyn Effect + 'static)> {
        self.current.as_ref().map(|i| i.effect.as_ref())
    }

    pub fn effect_mut(&mut self) -> Option<&mut (dyn Effect + 'static)> {
        self.latency_stale = true;
        self.current.as_mut().map(|i| i.effect.as_mut())
    }

    /// The effect that parameter changes should go to: the incoming one while a swap is pending.
    pub fn wanted_effect_mut(&mut self) -> Option<&mut (dyn Effect + 'static)> {
        self.latency_stale = true;
        let wanted = match &mut self.incoming {
            Some(next) => next.as_mut(),
            None => self.current.as_mut(),
        };
        wanted.map(|i| i.effect.as_mut())
    }

    /// Queues a new effect (or none); the current one fades out first. The new instance should
    /// already carry its parameter values and have been `reset`. Returns a previously queued
    /// instance that never got installed, for the caller to dispose of off the audio thread.
    #[must_use]
    pub fn replace(&mut self, next: Option<Installed>) -> Option<Installed> {
        self.incoming.replace(next).flatten()
    }

    /// Swaps immediately, without a fade: for setting up a rack before audio runs.
    pub fn install_now(&mut self, next: Option<Installed>) {
        self.incoming = None;
        self.current = next;
        self.latency_stale = true;
        self.reset();
    }

    /// A retired effect, for the owner to drop off the audio thread. A slot keeps at most one;
    /// it waits with its next swap until this one has been taken.
    pub fn take_outgoing(&mut self) -> Option<Installed> {
        // Asked first: taking writes the slot even when there is nothing to take, and the
        // plugin asks at every call.
        self.outgoing.as_ref()?;
        self.outgoing.take()
    }

    pub fn set_bypass(&mut self, bypass: bool) {
        self.bypass = bypass;
    }

    pub fn bypass(&self) -> bool {
        self.bypass
    }

    pub fn set_mix(&mut self, mix: f32) {
        self.mix.set_target(mix.clamp(0.0, 1.0));
    }

    pub fn set_input_db(&mut self, db: f32) {
        self.input_gain.set_target(db_to_gain(db));
    }

    pub fn set_output_db(&mut self, db: f32) {
        self.output_gain.set_target(db_to_gain(db));
    }

    /// Fades the slot out (`true`) or back in, for operations that must happen while it is a wire.
    pub(crate) fn set_held(&mut self, held: bool) {
        self.held = held;
    }

    /// Whether the slot is currently heard not at all, so that it can be moved without a click.
    pub fn is_silent(&self) -> bool {
        self.engaged == 0.0
    }

    pub fn latency(&self) -> usize {
        self.current.as_ref().map_or(0, |i| i.effect.latency()).min(self.longest_latency)
    }

    /// [`latency`](Self::latency), asked of the effect only when stale.
    fn current_latency(&mut self) -> usize {
        if self.latency_stale {
            (self.known_latency, self.latency_stale) = (self.latency(), false);
        }
        self.known_latency
    }

    fn engaged_target(&self) -> f32 {
        let silent = self.bypass || self.held || self.current.is_none() || self.incoming.is_some();
        if silent {
            0.0
        } else {
            1.0
        }
    }

    /// Clears audio history and lets smoothed values jump to their targets.
    pub fn reset(&mut self) {
        if let Some(i) = self.current.as_mut() {
            i.effect.reset();
        }
        self.dry_delay.iter_mut().for_each(DelayLine::reset);
        self.mix.snap();
        self.input_gain.snap();
        self.output_gain.snap();
        self.engaged = self.engaged_target();
    }

    /// Processes a block of at most [`CHUNK`] samples in place; `scratch` holds the wet signal.
    pub(crate) fn process(&mut self, left: &mut [f32], right: &mut [f32], scratch: &mut [[f32; CHUNK]; 2]) {
        // Equal lengths, stated once, so that the loops below need no bounds checks and run in
        // SIMD.
        let n = left.len().min(right.len()).min(CHUNK);
        let (left, right) = (&mut left[..n], &mut right[..n]);
        if self.engaged == 0.0 && self.outgoing.is_none() {
            if let Some(next) = self.incoming.take() {
                self.outgoing = std::mem::replace(&mut self.current, next);
                self.latency_stale = true;
            }
        }
        let target = self.engaged_target();
        let engaged = self.engaged == 1.0 && target == 1.0;
        if engaged && self.mix.is_steady() && self.mix.value() == 1.0 {
            // The common case costs nothing beyond the effect: no dry mix, and trims that are
            // constants unless they glide. The dry delay only records the input, so that a
            // later mix or bypass change finds its history aligned. (The latency is asked
            // here, after the tests: asked before, the effect's call made the compiler save
            // and restore their operands at every call, and modulation calls every 32 samples.)
            if self.current_latency() > 0 {
                for (line, block) in self.dry_delay.iter_mut().zip([&*left, &*right]) {
                    line.write_run(block);
                }
            }
            if let Some(installed) = self.current.as_mut() {
                apply_gain(&mut self.input_gain, &mut self.work, left, right);
                installed.effect.process(left, right);
                apply_gain(&mut self.output_gain, &mut self.work, left, right);
            }
            return;
        }
        let latency = self.current_latency();
        self.process_mixed(left, right, scratch, target, latency);
    }

    /// The rest of [`process`](Self::process): a wire, a wet/dry mix or a fade. Out of line, so
    /// that the common case stays small: host automation calls it every few dozen samples.
    #[inline(never)]
    fn process_mixed(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        scratch: &mut [[f32; CHUNK]; 2],
        target: f32,
        latency: usize,
    ) {
        let n = left.len().min(right.len()).min(CHUNK);
        let (left, right) = (&mut left[..n], &mut right[..n]);
        if self.engaged == 0.0 && target == 0.0 {
            if latency == 0 {
                return;
            }
            // A wire, but still delayed like the effect so that bypass never shifts the timing.
            for (ch, block) in [&mut *left, &mut *right].into_iter().enumerate() {
                for x in block.iter_mut() {
                    self.dry_delay[ch].write(*x);
                    *x = self.dry_delay[ch].read(latency);
                }
            }
            return;
        }
        let engaged = self.engaged == 1.0 && target == 1.0;
        // Mixing (or fading): the values of every sample first, so that the loops below have
        // no recursion left in them.
        let Work { g_in, mix, g_out, dry } = &mut *self.work;
        let (g_in, mix, g_out) = (&mut g_in[..n], &mut mix[..n], &mut g_out[..n]);
        self.input_gain.fill(g_in);
        self.mix.fill(mix);
        self.output_gain.fill(g_out);
        let (wet_l, wet_r) = scratch.split_at_mut(1);
        let (wet_l, wet_r) = (&mut wet_l[0][..n], &mut wet_r[0][..n]);
        for i in 0..n {
            wet_l[i] = left[i] * g_in[i];
            wet_r[i] = right[i] * g_in[i];
        }
        if let Some(installed) = self.current.as_mut() {
            installed.effect.process(wet_l, wet_r);
        }
        if latency > 0 {
            for ((line, block), dry) in self.dry_delay.iter_mut().zip([&*left, &*right]).zip(dry.iter_mut()) {
                // The whole chunk is written first: sample i was written n - 1 - i writes ago.
                line.write_run(block);
                for (i, d) in dry[..n].iter_mut().enumerate() {
                    *d = line.read(latency + n - 1 - i);
                }
            }
        }
        let [dry_l, dry_r] = dry;
        let (dry_l, dry_r) = (&mut dry_l[..n], &mut dry_r[..n]);
        let slot = |i: usize, dry: f32, wet: f32| g_out[i] * (dry * g_in[i] * (1.0 - mix[i]) + wet * mix[i]);
        if engaged && latency == 0 {
            // The dry signal is the input, read at each sample before it is overwritten.
            for i in 0..n {
                left[i] = slot(i, left[i], wet_l[i]);
                right[i] = slot(i, right[i], wet_r[i]);
            }
            return;
        }
        if latency == 0 {
            dry_l.copy_from_slice(left);
            dry_r.copy_from_slice(right);
        }
        if engaged {
            for i in 0..n {
                left[i] = slot(i, dry_l[i], wet_l[i]);
                right[i] = slot(i, dry_r[i], wet_r[i]);
            }
            return;
        }
        for i in 0..n {
            self.engaged = if target > self.engaged {
                (self.engaged + self.engage_step).min(target)
            } else {
                (self.engaged - self.engage_step).max(target)
            };
            left[i] = dry_l[i] + (slot(i, dry_l[i], wet_l[i]) - dry_l[i]) * self.engaged;
            right[i] = dry_r[i] + (slot(i, dry_r[i], wet_r[i]) - dry_r[i]) * self.engaged;
        }
    }
}

/// Scales a block by a level: a constant while it holds still, per sample (through `gains`)
/// while it glides. Inlined, so that a level resting at unity costs a comparison: short calls
/// (host automation cuts blocks into them) otherwise paid more for the call than for the test.
#[inline(always)]
fn apply_gain(level: &mut Level, work: &mut Work, left: &mut [f32], right: &mut [f32]) {
    if level.is_steady() {
        if level.value() != 1.0 {
            scale(left, right, level.value());
        }
        return;
    }
    apply_gliding_gain(level, work, left, right);
}

/// [`apply_gain`] while the level glides, which alone needs the work space: the slot's pointer
/// to it sits on a cache line the common case does not otherwise touch.
fn apply_gliding_gain(level: &mut Level, work: &mut Work, left: &mut [f32], right: &mut [f32]) {
    let gains = &mut work.g_in[..left.len().min(CHUNK)];
    level.fill(gains);
    for ((l, r), g) in left.iter_mut().zip(right.iter_mut()).zip(gains.iter()) {
        (*l, *r) = (*l * g, *r * g);
    }
}

/// One loop per channel: over a chained iterator the compiler does not vectorize.
fn scale(left: &mut [f32], right: &mut [f32], gain: f32) {
    left.iter_mut().for_each(|x| *x *= gain);
    right.iter_mut().for_each(|x| *x *= gain);
}
