//! The level a dynamics effect reacts to.

use crate::blocks::sliding_max::SlidingMax;

/// How long the detector remembers a peak. A sine's magnitude peaks every half period, so a
/// window this long reads any tone from 100 Hz up as exactly its peak level, with no ripple to
/// modulate the gain (the distortion of a detector that decays between peaks). Lower notes dip
/// between peaks, gently: at 50 Hz the window still sees 70 % of the peak. The price is that
/// the detected level falls this long after the signal does, which delays the start of a
/// release (and is counted in a gate's hold).
pub const WINDOW_MS: f32 = 5.0;

/// Stereo-linked peak level: the largest magnitude of either channel over the last
/// [`WINDOW_MS`]. Linking keeps the stereo image still (both channels get the same gain). It
/// rises at once, so the attack of a compressor or gate is set by its own smoothing only.
#[derive(Debug, Clone)]
pub struct LevelDetector {
    peak: SlidingMax,
}

impl LevelDetector {
    pub fn new(sample_rate: f32) -> Self {
        Self { peak: SlidingMax::new(Self::window_samples(sample_rate)) }
    }

    /// The window in samples at a sample rate (the detector's delay in noticing a fall).
    pub fn window_samples(sample_rate: f32) -> usize {
        crate::util::ms_to_samples(WINDOW_MS, sample_rate).max(1)
    }

    /// The linear level at each sample of a stereo chunk, into `levels` (as long as `left`).
    #[inline]
    pub fn levels(&mut self, left: &[f32], right: &[f32], levels: &mut [f32]) {
        for ((level, l), r) in levels.iter_mut().zip(left).zip(right) {
            *level = l.abs().max(r.abs());
        }
        for level in levels.iter_mut() {
            *level = self.peak.push(*level);
        }
    }

    /// Back to the level of silence, so a fresh or reset effect never reacts to a loud past
    /// it has not heard.
    pub fn reset(&mut self) {
        self.peak.reset();
    }
}
