//! Lookahead brickwall limiter: no output sample ever exceeds the ceiling, yet the gain only
//! ever moves in ramps, so a loud sine comes out as a quieter sine rather than a clipped one.

use crate::blocks::ballistics::Ballistics;
use crate::blocks::chunk::{Ramp, CHUNK};
use crate::blocks::decibels::{fast_db_to_gain, fast_gain_to_db};
use crate::blocks::delay_line::DelayLine;
use crate::blocks::sliding_max::SlidingMax;
use crate::effect::{Effect, EffectSpec, Family};
use crate::param::{ParamSpec, Unit};
use crate::smooth::Smoothed;
use crate::util::{db_to_gain, gain_to_db, ms_to_samples};

pub static SPEC: EffectSpec = EffectSpec {
    id: "limiter",
    name: "Limiter",
    family: Family::Dynamics,
    params: &[
        ParamSpec::linear("threshold", "Ceiling", -60.0, 0.0, -0.3, Unit::Decibels),
        ParamSpec::log("release", "Release", 10.0, 1000.0, 100.0, Unit::Milliseconds),
        ParamSpec::log("lookahead", "Lookahead", 0.1, 50.0, 5.0, Unit::Milliseconds),
    ],
    build: |sample_rate| Box::new(Limiter::new(sample_rate)),
};

const CEILING: usize = 0;
const RELEASE: usize = 1;
const LOOKAHEAD: usize = 2;

/// The limiter aims this fraction below the ceiling, so that the few roundings between the
/// required gain and the output sample (each under 6e-8) can never add up to an overshoot.
/// Inaudible (0.0001 dB), and it lets the ceiling hold without any clipping stage.
const MARGIN: f32 = 1e-5;

/// Gains in fixed point with 40 fractional bits: sums of up to 2^22 of them fit in an i64.
const ONE: f64 = (1u64 << 40) as f64;

/// Moving average of the last `len` gains. Integer sums cannot drift however long the limiter
/// runs, and flooring each gain keeps every average at or below the true one.
struct GainRamp {
    ring: Vec<i64>,
    mask: usize,
    write: usize,
    len: usize,
    sum: i64,
    scale: f64,
}

impl GainRamp {
    fn new(max_len: usize) -> Self {
        let size = (max_len + 1).next_power_of_two();
        Self { ring: vec![0; size], mask: size - 1, write: 0, len: 1, sum: 0, scale: 1.0 / ONE }
    }

    /// Empties the window and sets its length; the next `len` pushes fill it.
    fn restart(&mut self, len: usize) {
        self.len = len;
        for i in 1..=len {
            self.ring[self.write.wrapping_sub(i) & self.mask] = 0;
        }
        self.sum = 0;
        self.scale = 1.0 / (len as f64 * ONE);
    }

    #[inline]
    fn push(&mut self, gain: f32) -> f32 {
        let v = (gain as f64 * ONE) as i64;
        let leaving = self.ring[self.write.wrapping_sub(self.len) & self.mask];
        self.ring[self.write & self.mask] = v;
        self.write = self.write.wrapping_add(1);
        self.sum = self.sum + v - leaving;
        (self.sum as f64 * self.scale) as f32
    }
}

/// How it keeps the ceiling: the audio is delayed by the lookahead `d`. For each incoming
/// sample, `need` is its magnitude over the ceiling (above 1 means too loud). The gain that
/// would be just enough for the loudest sample of the last `d + 1` (a sliding maximum) is
/// released no faster than the release time, then averaged over the last `d + 1` samples.
/// Every gain in that average is at most what the sample now leaving the delay needs, so the
/// average is too: the ceiling holds exactly, by construction. And the average turns each drop
/// of gain into a linear ramp across the lookahead, finishing as the peak comes out.
///
/// The ceiling is compared with the input when it arrives, so a ceiling automation lines up
/// with the audio as the host compensates the latency.
pub struct Limiter {
    sample_rate: f32,
    /// (1 + MARGIN) / ceiling.
    inv_ceiling: Smoothed,
    /// The reduction in dB: instant growth, release at the set time.
    release: Ballistics,
    /// Lookahead in samples: the one in use, and the one set (applied at the next block).
    lookahead: usize,
    pending: usize,
    audio: [DelayLine; 2],
    hold: SlidingMax,
    ramp: GainRamp,
    gain: f32,
}

impl Limiter {
    fn new(sample_rate: f32) -> Self {
        let p = |i: usize| SPEC.params[i].default;
        let max = Self::samples(SPEC.params[LOOKAHEAD].max, sample_rate);
        let mut l = Self {
            sample_rate,
            inv_ceiling: Smoothed::new(1.0, sample_rate),
            release: Ballistics::new(0.0),
            lookahead: 0,
            pending: 0,
            audio: [DelayLine::new(max), DelayLine::new(max)],
            hold: SlidingMax::new(max + 1),
            ramp: GainRamp::new(max + 1),
            gain: 1.0,
        };
        for i in 0..SPEC.params.len() {
            l.set_param(i, p(i));
        }
        l.reset();
        l
    }

    fn samples(lookahead_ms: f32, sample_rate: f32) -> usize {
        ms_to_samples(lookahead_ms, sample_rate).max(1)
    }

    /// Switches to the pending lookahead. The audio then jumps to the new delay (the host
    /// realigns on the latency change); the gain state is rebuilt for the new window by
    /// replaying the stored input, no higher than the current release allows, so the ceiling
    /// holds through the switch, including for samples the longer delay plays a second time.
    /// (The replay measures against the current ceiling: should the ceiling be gliding at that
    /// moment, samples in flight are held to the ceiling at their output rather than input.)
    fn apply_lookahead(&mut self) {
        let d = self.pending;
        if d == self.lookahead {
            return;
        }
        self.lookahead = d;
        self.hold.set_window(d + 1);
        let released = fast_db_to_gain(-self.release.reduction_db());
        let inv_ceiling = self.inv_ceiling.current();
        self.ramp.restart(d + 1);
        // Future outputs start at the input sample d - 1 ago, so the d + 1 newest samples are
        // all the hold must know about.
        for k in (0..=d).rev() {
            let need = self.audio[0].read(k).abs().max(self.audio[1].read(k).abs()) * inv_ceiling;
            let peak = self.hold.push(need).max(1.0);
            self.ramp.push((1.0 / peak).min(released));
        }
    }
}

impl Effect for Limiter {
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = SPEC.params.get(index) else { return };
        let v = spec.clamp(value);
        match index {
            CEILING => self.inv_ceiling.set_target((1.0 + MARGIN) / db_to_gain(v)),
            RELEASE => self.release.set_shrink_ms(v, self.sample_rate),
            // A latency cannot glide: it changes at the next block, see `apply_lookahead`.
            LOOKAHEAD => self.pending = Self::samples(v, self.sample_rate),
            _ => {}
        }
    }

    fn reset(&mut self) {
        self.lookahead = self.pending;
        self.audio.iter_mut().for_each(DelayLine::reset);
        self.hold.set_window(self.lookahead + 1);
        self.ramp.restart(self.lookahead + 1);
        for _ in 0..=self.lookahead {
            self.ramp.push(1.0);
        }
        self.release.reset(0.0);
        self.inv_ceiling.snap();
        self.gain = 1.0;
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        self.apply_lookahead();
        let d = self.lookahead;
        for (left, right) in left.chunks_mut(CHUNK).zip(right.chunks_mut(CHUNK)) {
            let n = left.len();
            let inv_ceiling = Ramp::follow(&mut self.inv_ceiling, n);
            let mut peaks = [0.0; CHUNK];
            let peaks = &mut peaks[..n];
            for (i, ((p, l), r)) in peaks.iter_mut().zip(left.iter()).zip(right.iter()).enumerate() {
                *p = l.abs().max(r.abs()) * inv_ceiling.at(i);
            }
            for p in peaks.iter_mut() {
                *p = self.hold.push(*p);
            }
            let mut gains = [0.0; CHUNK];
            let gains = &mut gains[..n];
            for (g, p) in gains.iter_mut().zip(peaks.iter_mut()) {
                *p = p.max(1.0);
                *g = fast_gain_to_db(*p);
            }
            self.release.run(gains);
            for (g, p) in gains.iter_mut().zip(peaks.iter()) {
                // The release's dB approximations may land a hair above 1/peak: never let them.
                *g = (1.0 / p).min(fast_db_to_gain(-*g));
            }
            for ((l, r), g) in left.iter_mut().zip(right.iter_mut()).zip(gains.iter()) {
                let gain = self.ramp.push(*g);
                self.audio[0].write(*l);
                self.audio[1].write(*r);
                *l = self.audio[0].read(d) * gain;
                *r = self.audio[1].read(d) * gain;
                self.gain = gain;
            }
        }
    }

    fn latency(&self) -> usize {
        self.pending
    }

    fn gain_reduction_db(&self) -> f32 {
        -gain_to_db(self.gain)
    }
}
