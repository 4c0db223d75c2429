//! The last seconds of what the rack was given, kept by the analysis thread so that Codette can
//! render a change through the rack and level-match it (a louder preview must not win for
//! being louder).

use codette_server::RecentInput;
use std::collections::VecDeque;

/// How much is kept: enough for a loudness reading (integrated over gated 400 ms blocks) that
/// stands for the programme, little enough to render a few times in a moment.
pub const SECONDS: f32 = 10.0;

/// A rolling stereo window, oldest sample first.
pub struct Window {
    left: VecDeque<f32>,
    right: VecDeque<f32>,
    capacity: usize,
    sample_rate: f32,
}

impl Window {
    pub fn new(sample_rate: f32) -> Self {
        let capacity = (SECONDS * sample_rate).round() as usize;
        Self {
            left: VecDeque::with_capacity(capacity),
            right: VecDeque::with_capacity(capacity),
            capacity,
            sample_rate,
        }
    }

    /// Appends the frames, forgetting the oldest beyond the window.
    pub fn push(&mut self, left: &[f32], right: &[f32]) {
        for (channel, samples) in [(&mut self.left, left), (&mut self.right, right)] {
            let keep = samples.len().min(self.capacity);
            let excess = (channel.len() + keep).saturating_sub(self.capacity);
            channel.drain(..excess);
            channel.extend(&samples[samples.len() - keep..]);
        }
    }

    pub fn snapshot(&self) -> RecentInput {
        RecentInput {
            left: self.left.iter().copied().collect(),
            right: self.right.iter().copied().collect(),
            sample_rate: self.sample_rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_ten_seconds_in_order() {
        let mut window = Window::new(10.0);
        let ramp: Vec<f32> = (0..250).map(|i| i as f32).collect();
        let negated: Vec<f32> = ramp.iter().map(|x| -x).collect();
        for (l, r) in ramp.chunks(7).zip(negated.chunks(7)) {
            window.push(l, r);
        }
        let recent = window.snapshot();
        assert_eq!(recent.left, ramp[150..]);
        assert_eq!(recent.right, negated[150..]);
        window.push(&ramp[..3], &negated[..3]);
        assert_eq!(window.snapshot().left[97..], ramp[..3]);
        assert_eq!(window.snapshot().left[..97], ramp[153..]);
    }
}
