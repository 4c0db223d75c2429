//! Second-order IIR sections with the RBJ "Audio EQ Cookbook" designs.

use std::f32::consts::PI;

/// Normalized coefficients (a0 = 1) of `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    pub b0: f32,
    pub b1: f32,
    pub b2: f32,
    pub a1: f32,
    pub a2: f32,
}

impl Coefficients {
    pub const IDENTITY: Self = Self { b0: 1.0, b1: 0.0, b2: 0.0, a1: 0.0, a2: 0.0 };

    fn normalized(b0: f32, b1: f32, b2: f32, a0: f32, a1: f32, a2: f32) -> Self {
        Self { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 }
    }

    /// Angular frequency and the cookbook's alpha, with the frequency kept below Nyquist.
    fn omega(freq: f32, q: f32, sample_rate: f32) -> (f32, f32, f32) {
        let f = freq.clamp(1.0, 0.49 * sample_rate);
        let w0 = 2.0 * PI * f / sample_rate;
        let (sin, cos) = w0.sin_cos();
        (cos, sin / (2.0 * q.max(1e-3)), sin)
    }

    pub fn lowpass(freq: f32, q: f32, sample_rate: f32) -> Self {
        let (cos, alpha, _) = Self::omega(freq, q, sample_rate);
        let b1 = 1.0 - cos;
        Self::normalized(b1 / 2.0, b1, b1 / 2.0, 1.0 + alpha, -2.0 * cos, 1.0 - alpha)
    }

    pub fn highpass(freq: f32, q: f32, sample_rate: f32) -> Self {
        let (cos, alpha, _) = Self::omega(freq, q, sample_rate);
        let b1 = -(1.0 + cos);
        Self::normalized(-b1 / 2.0, b1, -b1 / 2.0, 1.0 + alpha, -2.0 * cos, 1.0 - alpha)
    }

    pub fn peak(freq: f32, q: f32, gain_db: f32, sample_rate: f32) -> Self {
        let a = 10f32.powf(gain_db / 40.0);
        let (cos, alpha, _) = Self::omega(freq, q, sample_rate);
        Self::normalized(
            1.0 + alpha * a,
            -2.0 * cos,
            1.0 - alpha * a,
            1.0 + alpha / a,
            -2.0 * cos,
            1.0 - alpha / a,
        )
    }

    pub fn low_shelf(freq: f32, q: f32, gain_db: f32, sample_rate: f32) -> Self {
        let a = 10f32.powf(gain_db / 40.0);
        let (cos, alpha, _) = Self::omega(freq, q, sample_rate);
        let k = 2.0 * a.sqrt() * alpha;
        Self::normalized(
            a * ((a + 1.0) - (a - 1.0) * cos + k),
            2.0 * a * ((a - 1.0) - (a + 1.0) * cos),
            a * ((a + 1.0) - (a - 1.0) * cos - k),
            (a + 1.0) + (a - 1.0) * cos + k,
            -2.0 * ((a - 1.0) + (a + 1.0) * cos),
            (a + 1.0) + (a - 1.0) * cos - k,
        )
    }

    pub fn high_shelf(freq: f32, q: f32, gain_db: f32, sample_rate: f32) -> Self {
        let a = 10f32.powf(gain_db / 40.0);
        let (cos, alpha, _) = Self::omega(freq, q, sample_rate);
        let k = 2.0 * a.sqrt() * alpha;
        Self::normalized(
            a * ((a + 1.0) + (a - 1.0) * cos + k),
            -2.0 * a * ((a - 1.0) + (a + 1.0) * cos),
            a * ((a + 1.0) + (a - 1.0) * cos - k),
            (a + 1.0) - (a - 1.0) * cos + k,
            2.0 * ((a - 1.0) - (a + 1.0) * cos),
            (a + 1.0) - (a - 1.0) * cos - k,
        )
    }

    /// Magnitude of the response at `freq`, for tests and the editor's curve.
    pub fn magnitude(&self, freq: f32, sample_rate: f32) -> f32 {
        let w = 2.0 * std::f64::consts::PI * freq as f64 / sample_rate as f64;
        let (z1r, z1i) = (w.cos(), -w.sin());
        let (z2r, z2i) = ((2.0 * w).cos(), -(2.0 * w).sin());
        let (b0, b1, b2, a1, a2) =
            (self.b0 as f64, self.b1 as f64, self.b2 as f64, self.a1 as f64, self.a2 as f64);
        let nr = b0 + b1 * z1r + b2 * z2r;
        let ni = b1 * z1i + b2 * z2i;
        let dr = 1.0 + a1 * z1r + a2 * z2r;
        let di = a1 * z1i + a2 * z2i;
        ((nr * nr + ni * ni) / (dr * dr + di * di)).sqrt() as f32
    }
}

/// One biquad section for one channel (transposed direct form II, which keeps its state small
/// and behaves well when coefficients change between samples).
#[derive(Debug, Clone, Copy)]
pub struct Biquad {
    pub coeffs: Coefficients,
    s1: f32,
    s2: f32,
}

impl Default for Biquad {
    fn default() -> Self {
        Self { coeffs: Coefficients::IDENTITY, s1: 0.0, s2: 0.0 }
    }
}

impl Biquad {
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let c = &self.coeffs;
        let y = c.b0 * x + self.s1;
        self.s1 = c.b1 * x - c.a1 * y + self.s2;
        self.s2 = c.b2 * x - c.a2 * y;
        y
    }

    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookbook_designs_have_their_defining_gains() {
        let sr = 48_000.0;
        let db = |c: Coefficients, f: f32| 20.0 * c.magnitude(f, sr).log10();
        assert!((db(Coefficients::peak(1000.0, 1.0, 6.0, sr), 1000.0) - 6.0).abs() < 1e-3);
        assert!((db(Coefficients::low_shelf(100.0, 0.707, -12.0, sr), 5.0) + 12.0).abs() < 0.05);
        assert!((db(Coefficients::high_shelf(5000.0, 0.707, 9.0, sr), 23_000.0) - 9.0).abs() < 0.05);
        assert!(
            (db(Coefficients::lowpass(1000.0, std::f32::consts::FRAC_1_SQRT_2, sr), 1000.0) + 3.0103).abs()
                < 0.01
        );
        assert!(
            (db(Coefficients::highpass(1000.0, std::f32::consts::FRAC_1_SQRT_2, sr), 1000.0) + 3.0103).abs()
                < 0.01
        );
    }

    #[test]
    fn processing_a_sine_matches_the_computed_magnitude() {
        let sr = 44_100.0;
        let mut f = Biquad { coeffs: Coefficients::peak(2000.0, 2.0, -9.0, sr), ..Default::default() };
        let n = 44_100;
        let mut peak: f32 = 0.0;
        for i in 0..n {
            let y = f.process((2.0 * PI * 2000.0 * i as f32 / sr).sin());
            if i > n / 2 {
                peak = peak.max(y.abs());
            }
        }
        assert!((peak - f.coeffs.magnitude(2000.0, sr)).abs() < 1e-3);
    }
}
