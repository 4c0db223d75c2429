//! Sample peak, RMS, correlation and width over a sliding window.
//!
//! The stream is cut into 10 ms segments whose sums are kept in a ring: a reading adds up the
//! last [`SEGMENTS`] complete segments, so it costs 30 additions whatever the sample rate, and
//! the window slides in 10 ms steps, finer than any meter refreshes.

use super::reading::{amplitude_db, power_db, FLOOR_POWER};

/// The window of peak, RMS, correlation and width: 300 ms, the integration time of the VU
/// meter, long enough for a steady RMS of a 20 Hz tone (6 periods) and short enough to follow
/// a mix; a peak is held for as long.
pub const LEVEL_WINDOW_MS: f32 = SEGMENT_MS * SEGMENTS as f32;
const SEGMENT_MS: f32 = 10.0;
const SEGMENTS: usize = 30;

/// What one segment (or a whole window) contributes. Products are summed in f64 so that the
/// window's ratios (correlation) stay exact for signals of any level.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    peak_left: f32,
    peak_right: f32,
    left_left: f64,
    right_right: f64,
    left_right: f64,
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.peak_left = self.peak_left.max(other.peak_left);
        self.peak_right = self.peak_right.max(other.peak_right);
        self.left_left += other.left_left;
        self.right_right += other.right_right;
        self.left_right += other.left_right;
    }
}

/// The window's values, in the units of the meters.
pub(super) struct LevelReading {
    pub peak_dbfs: f32,
    pub rms_dbfs: f32,
    pub correlation: f32,
    pub width: f32,
}

pub(super) struct Levels {
    segment_len: usize,
    ring: [Sums; SEGMENTS],
    next: usize,
    current: Sums,
    filled: usize,
}

impl Levels {
    pub fn new(sample_rate: f32) -> Self {
        let segment_len = ((sample_rate * SEGMENT_MS / 1000.0).round() as usize).max(1);
        Self { segment_len, ring: [Sums::default(); SEGMENTS], next: 0, current: Sums::default(), filled: 0 }
    }

    pub fn push(&mut self, left: &[f32], right: &[f32]) {
        let (mut left, mut right) = (left, right);
        while !left.is_empty() {
            let take = (self.segment_len - self.filled).min(left.len());
            let (l, rest_l) = left.split_at(take);
            let (r, rest_r) = right.split_at(take);
            self.current.accumulate(l, r);
            self.filled += take;
            if self.filled == self.segment_len {
                self.ring[self.next] = std::mem::take(&mut self.current);
                self.next = (self.next + 1) % SEGMENTS;
                self.filled = 0;
            }
            (left, right) = (rest_l, rest_r);
        }
    }

    pub fn reset(&mut self) {
        self.ring = [Sums::default(); SEGMENTS];
        self.current = Sums::default();
        self.next = 0;
        self.filled = 0;
    }

    /// The window's values: see [`Sums::reading`].
    pub fn reading(&self) -> LevelReading {
        let mut w = Sums::default();
        for s in &self.ring {
            w.add(s);
        }
        w.reading((self.segment_len * SEGMENTS) as f64)
    }
}

/// The same values over a whole programme rather than the last window: what an offline
/// analysis of a file reports.
pub(super) fn programme(left: &[f32], right: &[f32]) -> LevelReading {
    let mut sums = Sums::default();
    sums.accumulate(left, right);
    sums.reading(left.len().max(1) as f64)
}

impl Sums {
    fn accumulate(&mut self, left: &[f32], right: &[f32]) {
        for (&l, &r) in left.iter().zip(right) {
            self.peak_left = self.peak_left.max(l.abs());
            self.peak_right = self.peak_right.max(r.abs());
            let (l, r) = (l as f64, r as f64);
            self.left_left += l * l;
            self.right_right += r * r;
            self.left_right += l * r;
        }
    }

    /// Peak and RMS are those of the louder channel, which is what the eye takes from a pair
    /// of bars, and make a sine in one channel read the same as in both. Correlation is the
    /// normalised cross-correlation at lag 0 (+1 mono, 0 unrelated, -1 anti-phase). Width is the
    /// side energy's share of the total, doubled: 2·S²/(M²+S²) with M = (L+R)/2 and
    /// S = (L-R)/2, which is 1 - 2·ΣLR/(ΣL²+ΣR²): 0 for mono, 1 for unrelated channels or
    /// one channel alone, 2 for anti-phase. In silence both are 0: there is no image to judge.
    fn reading(&self, frames: f64) -> LevelReading {
        let w = self;
        let total = w.left_left + w.right_right;
        let audible = |energy: f64| energy > FLOOR_POWER * frames;
        let correlation = if audible(w.left_left) && audible(w.right_right) {
            (w.left_right / (w.left_left * w.right_right).sqrt()).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        let width = if audible(total) { (1.0 - 2.0 * w.left_right / total).clamp(0.0, 2.0) } else { 0.0 };
        LevelReading {
            peak_dbfs: amplitude_db(w.peak_left.max(w.peak_right) as f64),
            rms_dbfs: power_db(w.left_left.max(w.right_right) / frames),
            correlation: correlation as f32,
            width: width as f32,
        }
    }
}
