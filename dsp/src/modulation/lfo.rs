//! Low-frequency oscillators: free-running in Hz or locked to the song position.

use super::matrix::Polarity;
use super::transport::Transport;
use crate::param::{ParamSpec, Unit};
use crate::util::NOTE_VALUES;
use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

pub const LFO_COUNT: usize = 4;

pub static RATE_HZ: ParamSpec = ParamSpec::log("rate_hz", "Rate", 0.01, 100.0, 1.0, Unit::Hertz);
pub static PHASE_OFFSET: ParamSpec = ParamSpec::linear("phase_offset", "Phase", 0.0, 1.0, 0.0, Unit::Amount);

/// Cycles longer than a whole note, for sweeps over several bars; synced rates accept these
/// besides [`NOTE_VALUES`].
pub const MULTI_BAR_VALUES: &[(&str, f64)] = &[("4/1", 4.0), ("2/1", 2.0)];

/// A note value's length as a fraction of a whole note, by its name (`"1/8."`, `"2/1"`).
pub fn note_value(name: &str) -> Option<f64> {
    MULTI_BAR_VALUES.iter().chain(NOTE_VALUES).find(|(n, _)| *n == name).map(|&(_, v)| v)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LfoShape {
    #[default]
    Sine,
    Triangle,
    Square,
    SawUp,
    SawDown,
    /// A new random value each cycle, held for the cycle.
    SampleAndHold,
    /// Random values at each cycle start, joined by half-cosine glides.
    SmoothRandom,
}

impl LfoShape {
    /// The bipolar (-1..1) value after `cycles` cycles. Random shapes draw the value of cycle
    /// `k` from `hash(seed, k)`, so any position renders the same whatever came before it.
    ///
    /// Evaluated at every tick of every LFO, so kept cheap: the sines in f32 (the value is one,
    /// and its error stays below 1e-6), and no library `floor` or `fmod` (calls without SSE4.1).
    pub fn value(self, cycles: f64, seed_hash: u64) -> f32 {
        let (k, p) = split_cycles(cycles);
        self.value_in_cycle(k, p, seed_hash)
    }

    /// [`value`](Self::value) in cycle `k` at phase `p`, for a caller that has split the
    /// position already.
    fn value_in_cycle(self, k: i64, p: f64, seed_hash: u64) -> f32 {
        let v = match self {
            LfoShape::Sine => ((TAU * p) as f32).sin() as f64,
            // In phase with the sine: 0 at p = 0, 1 at 1/4, -1 at 3/4.
            LfoShape::Triangle => {
                let q = p - 0.25;
                4.0 * (if q < 0.0 { q + 1.0 } else { q } - 0.5).abs() - 1.0
            }
            LfoShape::Square => {
                if p < 0.5 {
                    1.0
                } else {
                    -1.0
                }
            }
            LfoShape::SawUp => 2.0 * p - 1.0,
            LfoShape::SawDown => 1.0 - 2.0 * p,
            LfoShape::SampleAndHold => random(seed_hash, k),
            LfoShape::SmoothRandom => {
                let (a, b) = (random(seed_hash, k), random(seed_hash, k + 1));
                a + (b - a) * (1.0 - ((PI * p) as f32).cos() as f64) * 0.5
            }
        };
        v as f32
    }
}

/// The whole cycles (rounded down) and the phase in 0..1 of a position, as `floor` would give
/// them (positions stay far below 2^53 cycles).
fn split_cycles(cycles: f64) -> (i64, f64) {
    let t = cycles as i64;
    let k = if t as f64 > cycles { t - 1 } else { t };
    (k, cycles - k as f64)
}

/// splitmix64's finalizer: every input bit affects every output bit.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random value of cycle `k`, uniform in -1..1. `seed_hash` is `splitmix64(seed)`, so that
/// neighbouring seeds give unrelated sequences rather than shifted copies.
pub fn random(seed_hash: u64, k: i64) -> f64 {
    let bits = splitmix64(seed_hash ^ k as u64) >> 11;
    bits as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LfoRate {
    Hz(f32),
    /// A note value's name from [`NOTE_VALUES`] or [`MULTI_BAR_VALUES`]: one cycle per note.
    Sync(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retrigger {
    #[default]
    Free,
    /// Back to the phase offset when the transport starts (synced LFOs follow the song
    /// position anyway while it plays).
    TransportStart,
    /// Back to the phase offset at each MIDI note-on, then running at the rate.
    Note,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LfoConfig {
    pub shape: LfoShape,
    pub rate: LfoRate,
    pub phase_offset: f32,
    pub retrigger: Retrigger,
    pub polarity: Polarity,
    pub seed: u64,
}

impl Default for LfoConfig {
    fn default() -> Self {
        Self {
            shape: LfoShape::Sine,
            rate: LfoRate::Hz(RATE_HZ.default),
            phase_offset: 0.0,
            retrigger: Retrigger::Free,
            polarity: Polarity::Bipolar,
            seed: 0,
        }
    }
}

impl LfoConfig {
    pub fn validate(&self) -> Result<(), String> {
        match &self.rate {
            LfoRate::Hz(hz) => RATE_HZ.validate(*hz).map(drop)?,
            LfoRate::Sync(name) => {
                note_value(name).ok_or_else(|| format!("unknown note value {name:?}"))?;
            }
        }
        PHASE_OFFSET.validate(self.phase_offset).map(drop)
    }

    /// Brings every setting into range; an unknown note value becomes 1/4.
    pub fn clamp(&mut self) {
        match &mut self.rate {
            LfoRate::Hz(hz) => *hz = RATE_HZ.clamp(*hz),
            LfoRate::Sync(name) if note_value(name).is_none() => *name = "1/4".to_string(),
            LfoRate::Sync(_) => {}
        }
        self.phase_offset = PHASE_OFFSET.clamp(self.phase_offset);
    }
}

/// A running LFO. Its position is a continuous count of cycles (phase offset included), so the
/// cycle index of the random shapes never needs separate bookkeeping.
#[derive(Debug, Clone)]
pub struct Lfo {
    shape: LfoShape,
    polarity: Polarity,
    seed_hash: u64,
    offset: f64,
    hz: f64,
    /// Quarter notes per cycle when synced.
    sync_beats: Option<f64>,
    retrigger: Retrigger,
    sample_rate: f64,
    cycles: f64,
    phase: f64,
    value: f32,
}

impl Lfo {
    pub fn new(config: &LfoConfig, sample_rate: f32) -> Self {
        let mut c = config.clone();
        c.clamp();
        let (hz, sync_beats) = match &c.rate {
            LfoRate::Hz(hz) => (*hz as f64, None),
            LfoRate::Sync(name) => (0.0, note_value(name).map(|v| v * 4.0)),
        };
        let offset = c.phase_offset as f64;
        let mut lfo = Self {
            shape: c.shape,
            polarity: c.polarity,
            seed_hash: splitmix64(c.seed),
            offset,
            hz,
            sync_beats,
            retrigger: c.retrigger,
            sample_rate: sample_rate as f64,
            cycles: offset,
            phase: 0.0,
            value: 0.0,
        };
        lfo.evaluate();
        lfo
    }

    /// Restarts at the phase offset.
    pub fn reset(&mut self) {
        self.cycles = self.offset;
        self.evaluate();
    }

    /// Takes over another LFO's position, so that a rebuilt engine continues without a jump.
    /// The value becomes the one at the next tick's start, which is where the position is.
    pub fn continue_from(&mut self, previous: &Lfo) {
        self.cycles = if self.offset == previous.offset {
            previous.cycles
        } else {
            previous.cycles - previous.offset + self.offset
        };
        self.evaluate();
    }

    /// Sets the value for the tick's first sample (unless `evaluate` is false: nobody listens),
    /// then moves `n` samples on. `note_on` is the offset of the tick's last note-on, if any.
    /// Inlined into the engine's tick: four LFOs at every tick of 32 samples paid a call each.
    #[inline]
    pub(crate) fn tick(
        &mut self,
        t: &Transport,
        just_started: bool,
        n: usize,
        note_on: Option<usize>,
        evaluate: bool,
    ) {
        let locked = match (self.sync_beats, t.locked_beats()) {
            (Some(cycle_beats), Some(beats)) if self.retrigger != Retrigger::Note => {
                Some(snap_to_whole(beats / cycle_beats) + self.offset)
            }
            _ => None,
        };
        let note_retrigger = note_on.filter(|_| self.retrigger == Retrigger::Note);
        if let Some(cycles) = locked {
            self.cycles = cycles;
        } else if (just_started && self.retrigger == Retrigger::TransportStart) || note_retrigger == Some(0) {
            self.cycles = self.offset;
        }
        if evaluate {
            self.evaluate();
        }
        // The tempo only where it counts: it is checked and clamped, four LFOs every tick.
        let hz = self.sync_beats.map_or(self.hz, |beats| t.tempo() / 60.0 / beats);
        let per_sample = hz / self.sample_rate;
        self.cycles = match note_retrigger {
            Some(at) => self.offset + (n - at.min(n)) as f64 * per_sample,
            None => self.cycles + n as f64 * per_sample,
        };
    }

    fn evaluate(&mut self) {
        let (k, p) = split_cycles(self.cycles);
        self.phase = p;
        let v = self.shape.value_in_cycle(k, p, self.seed_hash);
        self.value = match self.polarity {
            Polarity::Bipolar => v,
            Polarity::Unipolar => (v + 1.0) * 0.5,
        };
    }

    /// The value at the last tick's first sample, in the LFO's own polarity.
    pub fn value(&self) -> f32 {
        self.value
    }

    /// Phase (0..1) at the last tick's first sample, for display.
    pub fn phase(&self) -> f64 {
        self.phase
    }

    pub fn polarity(&self) -> Polarity {
        self.polarity
    }
}

/// Rounds away the error of a division such as 4 / (4/3) = 3.0000000000000004, so that a cycle
/// boundary falling on a beat is met exactly: at the boundary, not a rounding error before it.
fn snap_to_whole(cycles: f64) -> f64 {
    let whole = cycles.round();
    if (cycles - whole).abs() < 1e-9 {
        whole
    } else {
        cycles
    }
}
