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
    /// A row of levels prepared for the recursion (kept here rather than cleared on the stack
    /// for every row).
    row: PairRow,
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
            row: PairRow::default(),
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

    /// Follows a row of the levels [`Levels`] measured for this follower.
    fn follow_row(&mut self, levels: &[f32]) {
        if self.attack_is_faster() {
            self.run_row::<true>(levels);
        } else {
            self.run_row::<false>(levels);
        }
    }

    fn run_row<const ATTACK_FASTER: bool>(&mut self, levels: &[f32]) {
        self.row.prepare::<ATTACK_FASTER>(levels, self.attack, self.release);
        let mut s = self.state;
        for pair in self.row.pairs() {
            s = pair_step::<ATTACK_FASTER>(s, &self.row.slopes, pair);
        }
        self.state = self.row.finish::<ATTACK_FASTER>(s, self.attack, self.release);
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
        [Some(x), Some(y)] => match (a.attack_is_faster(), b.attack_is_faster()) {
            (true, true) => run_pair::<true, true>(a, b, x, y),
            (true, false) => run_pair::<true, false>(a, b, x, y),
            (false, true) => run_pair::<false, true>(a, b, x, y),
            (false, false) => run_pair::<false, false>(a, b, x, y),
        },
        [Some(x), None] => a.follow_row(x),
        [None, Some(y)] => b.follow_row(y),
        [None, None] => {}
    }
}

/// Both followers' recursions over rows of the same length, each in its own mode (which of its
/// coefficients is faster), fixed for the loop: decided inside it, the choice made the compiler
/// turn each step's `max` or `min` into a branch, mispredicted on audio about every other sample.
fn run_pair<const A: bool, const B: bool>(a: &mut Follower, b: &mut Follower, x: &[f32], y: &[f32]) {
    a.row.prepare::<A>(x, a.attack, a.release);
    b.row.prepare::<B>(y, b.attack, b.release);
    let (mut s, mut t) = (a.state, b.state);
    for (p, q) in a.row.pairs().zip(b.row.pairs()) {
        s = pair_step::<A>(s, &a.row.slopes, p);
        t = pair_step::<B>(t, &b.row.slopes, q);
    }
    a.state = a.row.finish::<A>(s, a.attack, a.release);
    b.state = b.row.finish::<B>(t, b.attack, b.release);
}

/// A row of levels as a follower steps through it two samples at a time. One step is the larger
/// (attack faster) or the smaller of two lines in the state, `attack·s + rise` and
/// `release·s + fall` (see [`step`]); lines have positive slopes, so two steps are the larger or
/// smaller of four lines, of which the two with slope `attack·release` reduce to one. Per pair
/// of samples the recursion is then one multiply, one add and two comparisons deep, where two
/// steps were two of each: it is what limits a follower's speed, the rest runs in SIMD.
#[derive(Debug, Clone)]
struct PairRow {
    /// `attack²`, `attack·release`, `release²`, set by [`prepare`](Self::prepare).
    slopes: [f32; 3],
    /// The three lines' offsets for each pair.
    offsets: [[f32; LEVEL_CHUNK / 2]; 3],
    pairs: usize,
    /// An odd row's last sample, as its `(rise, fall)`.
    last: Option<(f32, f32)>,
}

impl Default for PairRow {
    fn default() -> Self {
        Self { slopes: [0.0; 3], offsets: [[0.0; LEVEL_CHUNK / 2]; 3], pairs: 0, last: None }
    }
}

impl PairRow {
    fn prepare<const ATTACK_FASTER: bool>(&mut self, levels: &[f32], attack: f32, release: f32) {
        let (a, b) = (attack, release);
        // The factors in locals: read through `self` inside the loop, they might (for all the
        // compiler knows) change with every store to the offsets, and the loop stayed scalar.
        let (rise_share, fall_share) = (1.0 - a, 1.0 - b);
        let shares = |x: f32| ((x + FLOOR) * rise_share, (x + FLOOR) * fall_share);
        self.slopes = [a * a, a * b, b * b];
        let [o1, o2, o3] = &mut self.offsets;
        let pairs = levels.chunks_exact(2);
        self.last = pairs.remainder().first().map(|&x| shares(x));
        self.pairs = pairs.len().min(LEVEL_CHUNK / 2);
        for (((x, o1), o2), o3) in pairs.zip(o1.iter_mut()).zip(o2.iter_mut()).zip(o3.iter_mut()) {
            let ((r0, f0), (r1, f1)) = (shares(x[0]), shares(x[1]));
            *o1 = a * r0 + r1;
            *o2 = pick::<ATTACK_FASTER>(a * f0 + r1, b * r0 + f1);
            *o3 = b * f0 + f1;
        }
    }

    fn pairs(&self) -> impl Iterator<Item = [f32; 3]> + '_ {
        let [o1, o2, o3] = &self.offsets;
        let n = self.pairs;
        o1[..n].iter().zip(&o2[..n]).zip(&o3[..n]).map(|((&a, &b), &c)| [a, b, c])
    }

    /// The state after the row, from the state after its pairs.
    fn finish<const ATTACK_FASTER: bool>(&self, state: f32, attack: f32, release: f32) -> f32 {
        match self.last {
            Some((rise, fall)) => step::<ATTACK_FASTER>(state, rise, fall, attack, release),
            None => state,
        }
    }
}

#[inline(always)]
fn pair_step<const ATTACK_FASTER: bool>(state: f32, slopes: &[f32; 3], offsets: [f32; 3]) -> f32 {
    let line = |k: usize| slopes[k] * state + offsets[k];
    pick::<ATTACK_FASTER>(pick::<ATTACK_FASTER>(line(0), line(1)), line(2))
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
    pick::<ATTACK_FASTER>(state * attack + rise, state * release + fall)
}

/// The larger of two values if `LARGER`, else the smaller, written as a comparison and a
/// choice that compile to one `max` or `min` instruction.
#[inline(always)]
fn pick<const LARGER: bool>(x: f32, y: f32) -> f32 {
    if LARGER == (x > y) {
        x
    } else {
        y
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Two steps at a time give what one step at a time gives, to rounding, for rows of every
    /// length (odd ones end on a single step) and either coefficient the faster.
    #[test]
    fn pairs_of_steps_follow_the_single_steps() {
        let mut seed = 1u32;
        let mut level = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            // Bursts and near-silence, so that both lines take turns.
            let x = seed as f32 / u32::MAX as f32;
            if seed % 7 < 2 {
                x
            } else {
                x * 1e-3
            }
        };
        for (attack_ms, release_ms) in [(1.0, 50.0), (30.0, 2.0), (5.0, 5.0)] {
            let config = FollowerConfig { attack_ms, release_ms, ..Default::default() };
            let mut pairs = [Follower::new(&config, 48_000.0), Follower::new(&config, 48_000.0)];
            let mut alone = pairs.clone();
            let mut single = pairs[0].state;
            for len in (0..=LEVEL_CHUNK).chain([7, 33, 64, 1]) {
                let row: Vec<f32> = (0..len).map(|_| level()).collect();
                follow_rows(&mut pairs, [Some(&row), Some(&row)]);
                follow_rows(&mut alone, [Some(&row), None]);
                for &x in &row {
                    single = follow(single, x, pairs[0].attack, pairs[0].release);
                }
                for follower in pairs.iter().chain(&alone[..1]) {
                    let error = (follower.state - single).abs();
                    assert!(error <= 1e-5 * single, "{attack_ms}/{release_ms} ms, row of {len}: {error}");
                }
            }
        }
    }
}
