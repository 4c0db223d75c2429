//! The machinery of the gate and the noise gate: detector, thresholds with hysteresis, hold, and
//! linear attack and release fades.

use crate::blocks::chunk::{Ramp, CHUNK};
use crate::blocks::level_detector::LevelDetector;
use crate::smooth::Smoothed;
use crate::util::{db_to_gain, gain_to_db};

/// A gate that opens when the level reaches `open` and closes once it falls below `close`
/// (a level between the two keeps the current state). After closing it holds fully open for
/// the hold time, then fades out linearly over the release time to true silence; opening fades
/// in linearly over the attack time. Linear fades in amplitude have no step anywhere, so the
/// gate never clicks, and their lengths are exactly the set times.
///
/// The hold is counted from the last sample that was loud enough, and the detector already
/// remembers a peak for [`level_detector::WINDOW_MS`](crate::blocks::level_detector::WINDOW_MS),
/// so that window is the shortest possible hold (it is what keeps a gate from chattering on the
/// zero crossings of a bass note).
///
/// Because the open test comes first, a close threshold above the open one acts as if equal to
/// it, which is how the noise gate's "close <= open" rule is kept.
#[derive(Debug, Clone)]
pub struct GateEnvelope {
    sample_rate: f32,
    detector: LevelDetector,
    /// Thresholds as linear levels, so that the detector's output is compared without a log.
    open_level: Smoothed,
    close_level: Smoothed,
    attack_step: f32,
    release_step: f32,
    /// Samples to stay open once the detector's level is below the close threshold.
    hold: u32,
    hold_left: u32,
    open: bool,
    gain: f32,
}

impl GateEnvelope {
    /// A closed gate (as after silence) with the given times; thresholds in dB.
    pub fn new(sample_rate: f32, open_db: f32, close_db: f32, attack_ms: f32, release_ms: f32) -> Self {
        let mut g = Self {
            sample_rate,
            detector: LevelDetector::new(sample_rate),
            open_level: Smoothed::new(db_to_gain(open_db), sample_rate),
            close_level: Smoothed::new(db_to_gain(close_db), sample_rate),
            attack_step: 1.0,
            release_step: 1.0,
            hold: 0,
            hold_left: 0,
            open: false,
            gain: 0.0,
        };
        g.set_attack_ms(attack_ms);
        g.set_release_ms(release_ms);
        g.set_hold_ms(0.0);
        g
    }

    pub fn set_open_db(&mut self, db: f32) {
        self.open_level.set_target(db_to_gain(db));
    }

    pub fn set_close_db(&mut self, db: f32) {
        self.close_level.set_target(db_to_gain(db));
    }

    // Times are not smoothed: they only set how fast the gain moves, so a jump cannot click.

    pub fn set_attack_ms(&mut self, ms: f32) {
        self.attack_step = 1.0 / (ms * 0.001 * self.sample_rate).max(1.0);
    }

    pub fn set_release_ms(&mut self, ms: f32) {
        self.release_step = 1.0 / (ms * 0.001 * self.sample_rate).max(1.0);
    }

    /// How long the gate stays fully open after the last loud sample: `ms` but at least the
    /// detector's window, which it already counts.
    pub fn set_hold_ms(&mut self, ms: f32) {
        let window = LevelDetector::window_samples(self.sample_rate);
        let total = crate::util::ms_to_samples(ms, self.sample_rate).max(window);
        self.hold = (total + 1 - window) as u32;
    }

    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (left, right) in left.chunks_mut(CHUNK).zip(right.chunks_mut(CHUNK)) {
            let n = left.len();
            let mut levels = [0.0; CHUNK];
            let levels = &mut levels[..n];
            self.detector.levels(left, right, levels);
            let open_level = Ramp::follow(&mut self.open_level, n);
            let close_level = Ramp::follow(&mut self.close_level, n);
            for (i, ((l, r), &level)) in left.iter_mut().zip(right.iter_mut()).zip(levels.iter()).enumerate()
            {
                if level >= open_level.at(i) {
                    self.open = true;
                } else if level < close_level.at(i) {
                    self.open = false;
                }
                if self.open {
                    self.hold_left = self.hold;
                }
                self.gain = if self.open || self.hold_left > 0 {
                    (self.gain + self.attack_step).min(1.0)
                } else {
                    (self.gain - self.release_step).max(0.0)
                };
                if !self.open {
                    self.hold_left = self.hold_left.saturating_sub(1);
                }
                *l *= self.gain;
                *r *= self.gain;
            }
        }
    }

    /// Positive dB; a closed gate (true silence) reads 240 dB.
    pub fn reduction_db(&self) -> f32 {
        -gain_to_db(self.gain)
    }

    pub fn reset(&mut self) {
        self.detector.reset();
        self.open_level.snap();
        self.close_level.snap();
        self.open = false;
        self.hold_left = 0;
        self.gain = 0.0;
    }
}
