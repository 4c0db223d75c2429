//! First-order low-pass filter, used for tone controls and reverb damping.

use std::f32::consts::PI;

#[derive(Debug, Clone, Copy, Default)]
pub struct OnePole {
    coeff: f32,
    state: f32,
}

impl OnePole {
    /// A low-pass whose -3 dB point is at `freq` (matched-z design: exact for low frequencies).
    pub fn set_cutoff(&mut self, freq: f32, sample_rate: f32) {
        self.coeff = (-2.0 * PI * freq.clamp(1.0, 0.49 * sample_rate) / sample_rate).exp();
    }

    /// Sets the feedback coefficient directly (0 = no filtering, toward 1 = darker).
    pub fn set_coeff(&mut self, coeff: f32) {
        self.coeff = coeff.clamp(0.0, 0.9999);
    }

    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        self.state = x + (self.state - x) * self.coeff;
        self.state
    }

    pub fn reset(&mut self) {
        self.state = 0.0;
    }
}
