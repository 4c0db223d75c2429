//! ADSR envelopes with linear or exponential segments, exact to the sample in their times.

use super::follower::SignalInput;
use super::transient::THRESHOLD_DB;
use crate::param::{ParamSpec, Unit};
use crate::util::ms_to_samples;
use serde::{Deserialize, Serialize};

pub const ENVELOPE_COUNT: usize = 2;

pub static ATTACK_MS: ParamSpec =
    ParamSpec::log("attack_ms", "Attack", 0.1, 10_000.0, 10.0, Unit::Milliseconds);
pub static DECAY_MS: ParamSpec =
    ParamSpec::log("decay_ms", "Decay", 1.0, 10_000.0, 100.0, Unit::Milliseconds);
pub static SUSTAIN: ParamSpec = ParamSpec::linear("sustain", "Sustain", 0.0, 1.0, 0.7, Unit::Amount);
pub static RELEASE_MS: ParamSpec =
    ParamSpec::log("release_ms", "Release", 1.0, 20_000.0, 500.0, Unit::Milliseconds);

/// Exponential segments are the curve of a one-pole filter heading for a target beyond the
/// segment's end, by this share of the segment's height, so that they cross the end at exactly
/// the set time instead of approaching it forever. Over a segment of `N` samples from `a` to
/// `b`, the level after `t` samples is `a + (b - a)(1 - e^(-k t/N)) / (1 - e^-k)` with
/// `k = ln(1 + 1/ρ)`. The attack's gentle ρ gives the rounded rise of analog envelopes.
pub const ATTACK_OVERSHOOT: f64 = 0.3;
/// ρ of decay and release: near a true exponential fall, which the ear hears as even.
pub const FALL_OVERSHOOT: f64 = 0.01;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    Linear,
    #[default]
    Exponential,
}

fn default_threshold() -> f32 {
    THRESHOLD_DB.default
}

/// What starts an envelope. Only MIDI holds it open (for as long as a note is held); the
/// others are one-shots: attack, decay, then straight into release.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EnvelopeTrigger {
    #[default]
    Midi,
    /// An onset in the audio (see [`super::transient`]).
    Transient {
        #[serde(default)]
        input: SignalInput,
        #[serde(default = "default_threshold")]
        threshold_db: f32,
    },
    TransportStart,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnvelopeConfig {
    pub attack_ms: f32,
    pub decay_ms: f32,
    pub sustain: f32,
    pub release_ms: f32,
    pub curve: Curve,
    pub trigger: EnvelopeTrigger,
}

impl Default for EnvelopeConfig {
    fn default() -> Self {
        Self {
            attack_ms: ATTACK_MS.default,
            decay_ms: DECAY_MS.default,
            sustain: SUSTAIN.default,
            release_ms: RELEASE_MS.default,
            curve: Curve::default(),
            trigger: EnvelopeTrigger::default(),
        }
    }
}

impl EnvelopeConfig {
    pub fn validate(&self) -> Result<(), String> {
        ATTACK_MS.validate(self.attack_ms)?;
        DECAY_MS.validate(self.decay_ms)?;
        SUSTAIN.validate(self.sustain)?;
        RELEASE_MS.validate(self.release_ms)?;
        if let EnvelopeTrigger::Transient { threshold_db, .. } = self.trigger {
            THRESHOLD_DB.validate(threshold_db)?;
        }
        Ok(())
    }

    pub fn clamp(&mut self) {
        self.attack_ms = ATTACK_MS.clamp(self.attack_ms);
        self.decay_ms = DECAY_MS.clamp(self.decay_ms);
        self.sustain = SUSTAIN.clamp(self.sustain);
        self.release_ms = RELEASE_MS.clamp(self.release_ms);
        if let EnvelopeTrigger::Transient { threshold_db, .. } = &mut self.trigger {
            *threshold_db = THRESHOLD_DB.clamp(*threshold_db);
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Idle,
    Attack,
    Decay,
    Sustain,
    Release,
}

/// An ADSR whose segments are counted in samples, so that their times are exact whatever the
/// rounding of the curve: the last sample of a segment lands on its end value.
#[derive(Debug, Clone)]
pub struct Adsr {
    curve: Curve,
    /// Attack, decay and release in samples.
    lengths: [f64; 3],
    sustain: f64,
    stage: Stage,
    level: f64,
    one_shot: bool,
    // The running segment: its end, samples left, linear slope, exponential target and pole.
    end: f64,
    remaining: u64,
    slope: f64,
    over: f64,
    coeff: f64,
}

impl Adsr {
    pub fn new(config: &EnvelopeConfig, sample_rate: f32) -> Self {
        let mut c = *config;
        c.clamp();
        let samples = |ms: f32| ms_to_samples(ms, sample_rate).max(1) as f64;
        Self {
            curve: c.curve,
            lengths: [samples(c.attack_ms), samples(c.decay_ms), samples(c.release_ms)],
            sustain: c.sustain as f64,
            stage: Stage::Idle,
            level: 0.0,
            one_shot: false,
            end: 0.0,
            remaining: 0,
            slope: 0.0,
            over: 0.0,
            coeff: 0.0,
        }
    }

    pub fn level(&self) -> f32 {
        self.level as f32
    }

    /// Note-on: attack from the current level, held at sustain until [`Adsr::gate_off`].
    pub fn gate_on(&mut self) {
        self.one_shot = false;
        self.start(Stage::Attack, 0.0, 1.0);
    }

    /// One-shot: attack from the current level, decay, then release without waiting.
    pub fn trigger(&mut self) {
        self.one_shot = true;
        self.start(Stage::Attack, 0.0, 1.0);
    }

    pub fn gate_off(&mut self) {
        if matches!(self.stage, Stage::Attack | Stage::Decay | Stage::Sustain) {
            self.start(Stage::Release, self.level, 0.0);
        }
    }

    pub fn reset(&mut self) {
        self.stage = Stage::Idle;
        self.level = 0.0;
    }

    /// Takes over another envelope's state: all of it when the settings are the same, else
    /// its level and stage, with this one's times from there on.
    pub fn continue_from(&mut self, previous: &Adsr) {
        let same =
            (self.curve, self.lengths, self.sustain) == (previous.curve, previous.lengths, previous.sustain);
        if same {
            *self = previous.clone();
            return;
        }
        self.level = previous.level;
        self.one_shot = previous.one_shot;
        match previous.stage {
            Stage::Idle => self.reset(),
            Stage::Attack => self.start(Stage::Attack, 0.0, 1.0),
            Stage::Decay => self.start(Stage::Decay, 1.0, self.sustain),
            Stage::Sustain => (self.stage, self.level) = (Stage::Sustain, self.sustain),
            Stage::Release => self.start(Stage::Release, self.level, 0.0),
        }
    }

    /// Starts a segment whose full swing goes from `from` to `end` in the stage's time, at the
    /// point of it the current level is at (an attack retriggered at 0.5 takes half as long).
    fn start(&mut self, stage: Stage, from: f64, end: f64) {
        let length = match stage {
            Stage::Attack => self.lengths[0],
            Stage::Decay => self.lengths[1],
            _ => self.lengths[2],
        };
        let rho = if stage == Stage::Attack { ATTACK_OVERSHOOT } else { FALL_OVERSHOOT };
        let k = (1.0 + 1.0 / rho).ln();
        self.stage = stage;
        self.end = end;
        self.slope = (end - from) / length;
        self.over = end + rho * (end - from);
        self.coeff = (-k / length).exp();
        let samples_left = match self.curve {
            Curve::Linear => (end - self.level) / self.slope,
            Curve::Exponential => ((self.over - self.level) / (self.over - end)).ln() * length / k,
        };
        // The tolerance absorbs rounding (of the f32 settings too), so that a full segment
        // counts exactly `length` samples.
        self.remaining =
            if samples_left.is_finite() { (samples_left - 1e-3).ceil().max(0.0) as u64 } else { 0 };
    }

    /// Moves one sample on.
    #[inline]
    pub fn step(&mut self) {
        if matches!(self.stage, Stage::Idle | Stage::Sustain) {
            return;
        }
        if self.remaining > 1 {
            self.remaining -= 1;
            self.level = match self.curve {
                Curve::Linear => self.level + self.slope,
                Curve::Exponential => self.over + (self.level - self.over) * self.coeff,
            };
            return;
        }
        self.level = self.end;
        match self.stage {
            Stage::Attack => self.start(Stage::Decay, 1.0, self.sustain),
            Stage::Decay if self.one_shot => self.start(Stage::Release, self.sustain, 0.0),
            Stage::Decay => self.stage = Stage::Sustain,
            _ => self.stage = Stage::Idle,
        }
    }

    /// Inlined, so that an envelope at rest (most of them, most of the time) costs its
    /// callers a comparison per tick.
    #[inline]
    pub fn advance(&mut self, samples: usize) {
        if matches!(self.stage, Stage::Idle | Stage::Sustain) {
            return;
        }
        self.advance_moving(samples);
    }

    fn advance_moving(&mut self, samples: usize) {
        for _ in 0..samples {
            if matches!(self.stage, Stage::Idle | Stage::Sustain) {
                return;
            }
            self.step();
        }
    }
}
