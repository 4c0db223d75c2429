//! Envelope followers: the level of the main input or the sidechain as a modulation source.

use crate::param::{ParamSpec, Unit};
use crate::util::{db_to_gain, time_constant_coeff, MAX_INPUT};
use serde::{Deserialize, Serialize};

pub const FOLLOWER_COUNT: usize = 2;

pub static FOLLOW_ATTACK_MS: ParamSpec =
    ParamSpec::log("attack_ms", "Attack", 0.1, 1000.0, 10.0, Unit::Milliseconds);
pub static FOLLOW_RELEASE_MS: ParamSpec =
    ParamSpec::log("release_ms", "Release", 1.0, 5000.0, 200.0, Unit::Milliseconds);
/// Up to +48 dB, because material peaking well below full scale must still be able to drive a
/// follower to 1.
pub static FOLLOW_GAIN_DB: ParamSpec = ParamSpec::linear("gain_db", "Gain", -24.0, 48.0, 0.0, Unit::Decibels);

/// Which stereo signal an audio-driven source listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalInput {
    #[default]
    Main,
    /// Falls back to the main input when the host provides no sidechain, so that a preset made
    /// with one still moves instead of sitting at silence.
    Sidechain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// The louder channel's magnitude.
    #[default]
    Peak,
    /// The square root of the smoothed mean square of both channels: attack and release act
    /// on the power.
    Rms,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowerConfig {
    pub input: SignalInput,
    pub detector: Detector,
    pub attack_ms: f32,
    pub release_ms: f32,
    pub gain_db: f32,
}

impl Default for FollowerConfig {
    fn default() -> Self {
        Self {
            input: SignalInput::Main,
            detector: Detector::Peak,
            attack_ms: FOLLOW_ATTACK_MS.default,
            release_ms: FOLLOW_RELEASE_MS.default,
            gain_db: FOLLOW_GAIN_DB.default,
        }
    }
}

impl FollowerConfig {
    pub fn validate(&self) -> Result<(), String> {
        FOLLOW_ATTACK_MS.validate(self.attack_ms)?;
        FOLLOW_RELEASE_MS.validate(self.release_ms)?;
        FOLLOW_GAIN_DB.validate(self.gain_db).map(drop)
    }

    pub fn clamp(&mut self) {
        self.attack_ms = FOLLOW_ATTACK_MS.clamp(self.attack_ms);
        self.release_ms = FOLLOW_RELEASE_MS.clamp(self.release_ms);
        self.gain_db = FOLLOW_GAIN_DB.clamp(self.gain_db);
    }
}

/// A one-pole follower whose step response reaches `1 - 1/e` of the step after the attack
/// time (rising) or the release time (falling).
#[derive(Debug, Clone)]
pub struct Follower {
    input: SignalInput,
    rms: bool,
    attack: f32,
    release: f32,
    gain: f32,
    state: f32,
    /// Scratch for a row's shares in a rising and in a falling step, kept here rather than
    /// cleared on the stack for every row.
    shares: [[f32; LEVEL_CHUNK]; 2],
}

impl Follower {
    pub fn new(config: &FollowerConfig, sample_rate: f32) -> Self {
        let mut c = *config;
        c.clamp();
        Self {
            input: c.input,
            rms: c.detector == Detector::Rms,
            attack: time_constant_coeff(c.attack_ms, sample_rate),
            release: time_constant_coeff(c.release_ms, sample_rate),
            gain: db_to_gain(c.gain_db),
            state: 0.0,
            shares: [[0.0; LEVEL_CHUNK]; 2],
        }
    }

    pub fn input(&self) -> SignalInput {
        self.input
    }

    pub fn reset(&mut self) {
        self.state = 0.0;
    }

    pub fn continue_from(&mut self, previous: &Follower) {
        if previous.rms == self.rms {
            self.state = previous.state;
        }
    }

    pub fn is_rms(&self) -> bool {
        self.rms
    }

    /// The shares of a row of levels in a rising and in a falling step, computed ahead of the
    /// recursion in loops that run in SIMD.
    fn compute_shares(&mut self, levels: &[f32]) {
        // The factors in locals: read through `self` inside the loop, they might (for all the
        // compiler knows) change with every store to the shares, and the loop stayed scalar.
        let (rise_share, fall_share) = (1.0 - self.attack, 1.0 - self.release);
        let [rise, fall] = &mut self.shares;
        for ((x, r), f) in levels.iter().zip(rise.iter_mut()).zip(fall.iter_mut()) {
            (*r, *f) = ((x + FLOOR) * rise_share, (x + FLOOR) * fall_share);
        }
    }

    /// Follows a row of the levels [`Levels`] measured for this follower.
    fn follow_row(&mut self, levels: &[f32]) {
        self.compute_shares(levels);
        if self.attack_is_faster() {
            self.run_row::<true>(levels.len());
        } else {
            self.run_row::<false>(levels.len());
        }
    }

    fn run_row<const ATTACK_FASTER: bool>(&mut self, n: usize) {
        let [rise, fall] = &self.shares;
        let mut s = self.state;
        for (rise, fall) in rise[..n].iter().zip(&fall[..n]) {
            s = step::<ATTACK_FASTER>(s, *rise, *fall, self.attack, self.release);
        }
        self.state = s;
    }

    fn attack_is_faster(&self) -> bool {
        attack_is_faster(self.attack, self.release)
    }

    /// The level times the gain, in 0..1.
    pub fn value(&self) -> f32 {
        let level = if self.rms { self.state.sqrt() } else { self.state };
        (level * self.gain).min(1.0)
    }
}

/// Runs each follower that has a row of levels through it. Two run side by side, states in
/// registers: their recursions are independent, so the CPU overlaps them, where one loop
/// stepping both through memory made each sample wait for the last one's store.
pub(crate) fn follow_rows(
    followers: &mut [Follower; FOLLOWER_COUNT],
    rows: [Option<&[f32]>; FOLLOWER_COUNT],
) {
    let [a, b] = followers;
    match rows {
        [Some(x), Some(y)] => {
            a.compute_shares(x);
            b.compute_shares(y);
            let n = x.len().min(y.len());
            match (a.attack_is_faster(), b.attack_is_faster()) {
                (true, true) => run_pair::<true, true>(a, b, n),
                (true, false) => run_pair::<true, false>(a, b, n),
                (false, true) => run_pair::<false, true>(a, b, n),
                (false, false) => run_pair::<false, false>(a, b, n),
            }
        }
        [Some(x), None] => a.follow_row(x),
        [None, Some(y)] => b.follow_row(y),
        [None, None] => {}
    }
}

/// Both followers' recursions over their first `n` shares, each in its own mode (which of its
/// coefficients is faster), fixed for the loop: decided inside it, the choice made the compiler
/// turn each step's `max` or `min` into a branch, mispredicted on audio about every other sample.
fn run_pair<const A: bool, const B: bool>(a: &mut Follower, b: &mut Follower, n: usize) {
    let ([a_rise, a_fall], [b_rise, b_fall]) = (&a.shares, &b.shares);
    let (mut s, mut t) = (a.state, b.state);
    for i in 0..n {
        s = step::<A>(s, a_rise[i], a_fall[i], a.attack, a.release);
        t = step::<B>(t, b_rise[i], b_fall[i], b.attack, b.release);
    }
    (a.state, b.state) = (s, t);
}

/// Added to every level a follower sees: far below anything audible (-600 dB), it keeps a
/// decaying state a normal number without a flush in the loop's critical path.
const FLOOR: f32 = 1e-30;

/// One step of a one-pole level follower with separate attack and release coefficients.
#[inline]
pub(crate) fn follow(state: f32, x: f32, attack: f32, release: f32) -> f32 {
    let (rise, fall) = ((x + FLOOR) * (1.0 - attack), (x + FLOOR) * (1.0 - release));
    if attack_is_faster(attack, release) {
        step::<true>(state, rise, fall, attack, release)
    } else {
        step::<false>(state, rise, fall, attack, release)
    }
}

/// Which mode [`step`] runs in: the smaller coefficient is the faster one.
fn attack_is_faster(attack: f32, release: f32) -> bool {
    attack <= release
}

/// A follower's step from its input's shares `rise = x·(1 - attack)` and `fall =
/// x·(1 - release)`: `state·attack + rise` when the input is above the state, `state·release +
/// fall` when not.
///
/// Rather than choosing (on audio, which one applies changes from sample to sample at random,
/// and a choice the compiler turns into a branch is mispredicted half the time), both are made
/// and the larger taken if attack is the faster of the two, the smaller otherwise: above the
/// state the faster one moves more, toward the input, and below it less. The recursion is
/// then a multiply, an add and a `max` or `min` per sample.
#[inline(always)]
fn step<const ATTACK_FASTER: bool>(state: f32, rise: f32, fall: f32, attack: f32, release: f32) -> f32 {
    let (rising, falling) = (state * attack + rise, state * release + fall);
    if ATTACK_FASTER {
        if rising > falling {
            rising
        } else {
            falling
        }
    } else if rising < falling {
        rising
    } else {
        falling
    }
}

/// Samples per pass of [`Levels::measure`].
pub(crate) const LEVEL_CHUNK: usize = 64;

/// The level measures of the main input and the sidechain (peak: the louder channel's
/// magnitude; power: the mean square of both), computed a chunk at a time in loops the compiler
/// vectorizes, so that the per-sample recursive part has nothing left to do but recurse.
/// Input beyond [`MAX_INPUT`] (or not a number) is bounded here, since the engine may see the
/// host's input before the rack sanitizes it.
#[derive(Debug, Clone)]
pub(crate) struct Levels {
    /// `[main, sidechain][peak, power]`.
    values: [[[f32; LEVEL_CHUNK]; 2]; 2],
    has_sidechain: bool,
}

impl Default for Levels {
    fn default() -> Self {
        Self { values: [[[0.0; LEVEL_CHUNK]; 2]; 2], has_sidechain: false }
    }
}

impl Levels {
    /// Measures `len` (at most [`LEVEL_CHUNK`]) samples from `start`; samples missing from a
    /// short slice count as silence.
    pub(crate) fn measure(
        &mut self,
        main: (&[f32], &[f32]),
        sidechain: Option<(&[f32], &[f32])>,
        start: usize,
        len: usize,
    ) {
        let [main_levels, side_levels] = &mut self.values;
        measure_pair(main_levels, main, start, len);
        self.has_sidechain = sidechain.is_some();
        if let Some(side) = sidechain {
            measure_pair(side_levels, side, start, len);
        }
    }

    /// The measure a source listens to; the sidechain is the main input when there is none.
    pub(crate) fn get(&self, input: SignalInput, power: bool) -> &[f32; LEVEL_CHUNK] {
        let side = input == SignalInput::Sidechain && self.has_sidechain;
        &self.values[side as usize][power as usize]
    }
}

fn measure_pair(
    out: &mut [[f32; LEVEL_CHUNK]; 2],
    (left, right): (&[f32], &[f32]),
    start: usize,
    len: usize,
) {
    let (left, right) = (left.get(start..).unwrap_or(&[]), right.get(start..).unwrap_or(&[]));
    let full = len.min(left.len()).min(right.len());
    let [peak, power] = out;
    for (((p, q), &l), &r) in peak.iter_mut().zip(power.iter_mut()).zip(&left[..full]).zip(&right[..full]) {
        (*p, *q) = measure(l, r);
    }
    for i in full..len {
        let at = |channel: &[f32]| channel.get(i).copied().unwrap_or(0.0);
        (peak[i], power[i]) = measure(at(left), at(right));
    }
}

#[inline]
fn measure(left: f32, right: f32) -> (f32, f32) {
    // `max` and `min` pass over a NaN: whatever comes in, both measures are finite and bounded.
    let peak = left.abs().max(right.abs()).min(MAX_INPUT);
    let power = ((left * left + right * right) * 0.5).min(MAX_INPUT * MAX_INPUT);
    (peak, power)
}
