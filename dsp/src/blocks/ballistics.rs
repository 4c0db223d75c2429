//! Attack and release of a gain reduction, smoothed in the decibel domain.

use crate::util::time_constant_coeff;

/// A one-pole smoother of a gain reduction in dB with one time constant for growing and another
/// for shrinking: after a step of the target it has covered 1 - 1/e (63 %) of the step in dB
/// after the time constant. Smoothing in dB makes a time constant mean the same thing whatever
/// the depth of the reduction, as a release knob on a console does.
///
/// Which of attack and release is growth is the effect's business: a compressor's attack grows
/// its reduction (the signal got louder), an expander's attack shrinks it; a limiter grows
/// instantly (its lookahead does the smoothing) and releases with this.
#[derive(Debug, Clone, Copy)]
pub struct Ballistics {
    grow: f32,
    shrink: f32,
    /// The reduction plus 1 dB. A release toward 0 dB then settles on exactly 1 instead of
    /// decaying through subnormal numbers, with no flush in the loop's critical path.
    biased: f32,
}

impl Ballistics {
    /// Instant in both directions until the times are set.
    pub fn new(reduction_db: f32) -> Self {
        Self { grow: 0.0, shrink: 0.0, biased: reduction_db + 1.0 }
    }

    pub fn set_grow_ms(&mut self, ms: f32, sample_rate: f32) {
        self.grow = time_constant_coeff(ms, sample_rate);
    }

    pub fn set_shrink_ms(&mut self, ms: f32, sample_rate: f32) {
        self.shrink = time_constant_coeff(ms, sample_rate);
    }

    /// Replaces each target reduction (dB, >= 0) by the smoothed reduction at that sample.
    #[inline]
    pub fn run(&mut self, targets: &mut [f32]) {
        let (grow, shrink) = (self.grow, self.shrink);
        let mut state = self.biased;
        for t in targets.iter_mut() {
            let target = *t + 1.0;
            // Both candidates are computed so that the comparison is off the serial path.
            let growing = target * (1.0 - grow) + state * grow;
            let shrinking = target * (1.0 - shrink) + state * shrink;
            state = if target > state { growing } else { shrinking };
            *t = state - 1.0;
        }
        self.biased = state;
    }

    pub fn reduction_db(&self) -> f32 {
        self.biased - 1.0
    }

    pub fn reset(&mut self, reduction_db: f32) {
        self.biased = reduction_db + 1.0;
    }
}
