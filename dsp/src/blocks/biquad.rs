//! Second-order IIR sections with the RBJ "Audio EQ Cookbook" designs.
//!
//! Coefficients and states are f64: near DC a biquad's poles sit so close to z = 1 that f32
//! cannot place them (a 20 Hz low-pass at 192 kHz came out with a +1.7 dB bump below its
//! cutoff, a 24 dB low shelf at 20 Hz 0.6 dB off), and f32 states add audible noise there. On
//! the CPU f64 arithmetic costs the same as f32 in these scalar recursions.

use std::f64::consts::PI;

/// Normalized coefficients (a0 = 1) of `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficients {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

impl Coefficients {
    pub const IDENTITY: Self = Self { b0: 1.0, b1: 0.0, b2: 0.0, a1: 0.0, a2: 0.0 };

    fn normalized(b0: f64, b1: f64, b2: f64, a0: f64, a1: f64, a2: f64) -> Self {
        let k = 1.0 / a0;
        Self { b0: b0 * k, b1: b1 * k, b2: b2 * k, a1: a1 * k, a2: a2 * k }
    }

    /// The cookbook's A for peaks and shelves.
    pub fn amplitude(gain_db: f32) -> f64 {
        (gain_db as f64 * (std::f64::consts::LN_10 / 40.0)).exp()
    }

    pub fn lowpass(freq: f32, q: f32, sample_rate: f32) -> Self {
        Self::lowpass_at(Angle::new(freq, sample_rate), q)
    }

    pub fn highpass(freq: f32, q: f32, sample_rate: f32) -> Self {
        Self::highpass_at(Angle::new(freq, sample_rate), q)
    }

    pub fn peak(freq: f32, q: f32, gain_db: f32, sample_rate: f32) -> Self {
        Self::peak_at(Angle::new(freq, sample_rate), q, Self::amplitude(gain_db))
    }

    pub fn low_shelf(freq: f32, q: f32, gain_db: f32, sample_rate: f32) -> Self {
        Self::low_shelf_at(Angle::new(freq, sample_rate), q, Self::amplitude(gain_db))
    }

    pub fn high_shelf(freq: f32, q: f32, gain_db: f32, sample_rate: f32) -> Self {
        Self::high_shelf_at(Angle::new(freq, sample_rate), q, Self::amplitude(gain_db))
    }

    /// First-order low-pass (b2 = a2 = 0), bilinear with the cutoff prewarped so that it is
    /// exactly -3 dB at `freq`: the real pole of an odd-order Butterworth cascade.
    pub fn first_order_lowpass(freq: f32, sample_rate: f32) -> Self {
        Self::first_order_lowpass_at(Angle::new(freq, sample_rate))
    }

    /// First-order high-pass counterpart of [`Self::first_order_lowpass`].
    pub fn first_order_highpass(freq: f32, sample_rate: f32) -> Self {
        Self::first_order_highpass_at(Angle::new(freq, sample_rate))
    }

    // The designs proper, from the angle (and the amplitude `a` of [`Self::amplitude`]).

    pub fn lowpass_at(w: Angle, q: f32) -> Self {
        let (cos, alpha) = (w.cos, w.alpha(q));
        let b1 = 1.0 - cos;
        Self::normalized(b1 / 2.0, b1, b1 / 2.0, 1.0 + alpha, -2.0 * cos, 1.0 - alpha)
    }

    pub fn highpass_at(w: Angle, q: f32) -> Self {
        let (cos, alpha) = (w.cos, w.alpha(q));
        let b1 = -(1.0 + cos);
        Self::normalized(-b1 / 2.0, b1, -b1 / 2.0, 1.0 + alpha, -2.0 * cos, 1.0 - alpha)
    }

    pub fn peak_at(w: Angle, q: f32, a: f64) -> Self {
        let (cos, alpha) = (w.cos, w.alpha(q));
        Self::normalized(
            1.0 + alpha * a,
            -2.0 * cos,
            1.0 - alpha * a,
            1.0 + alpha / a,
            -2.0 * cos,
            1.0 - alpha / a,
        )
    }

    pub fn low_shelf_at(w: Angle, q: f32, a: f64) -> Self {
        let (cos, alpha) = (w.cos, w.alpha(q));
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

    pub fn high_shelf_at(w: Angle, q: f32, a: f64) -> Self {
        let (cos, alpha) = (w.cos, w.alpha(q));
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

    pub fn first_order_lowpass_at(w: Angle) -> Self {
        let k = w.half_tan();
        Self::normalized(k, k, 0.0, k + 1.0, k - 1.0, 0.0)
    }

    pub fn first_order_highpass_at(w: Angle) -> Self {
        let k = w.half_tan();
        Self::normalized(1.0, -1.0, 0.0, k + 1.0, k - 1.0, 0.0)
    }

    /// Magnitude of the response at `freq`, for tests and the editor's curve.
    pub fn magnitude(&self, freq: f32, sample_rate: f32) -> f32 {
        let w = 2.0 * PI * freq as f64 / sample_rate as f64;
        let (z1r, z1i) = (w.cos(), -w.sin());
        let (z2r, z2i) = ((2.0 * w).cos(), -(2.0 * w).sin());
        let nr = self.b0 + self.b1 * z1r + self.b2 * z2r;
        let ni = self.b1 * z1i + self.b2 * z2i;
        let dr = 1.0 + self.a1 * z1r + self.a2 * z2r;
        let di = self.a1 * z1i + self.a2 * z2i;
        ((nr * nr + ni * ni) / (dr * dr + di * di)).sqrt() as f32
    }
}

/// Coefficients as the recursion uses them: `c1 = b1 - a1·b0` and `c2 = b2 - a2·b0` in place
/// of `b1` and `b2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kernel {
    pub b0: f64,
    pub c1: f64,
    pub c2: f64,
    pub a1: f64,
    pub a2: f64,
}

impl From<Coefficients> for Kernel {
    fn from(c: Coefficients) -> Self {
        Self { b0: c.b0, c1: c.b1 - c.a1 * c.b0, c2: c.b2 - c.a2 * c.b0, a1: c.a1, a2: c.a2 }
    }
}

impl Kernel {
    /// One sample through a transposed direct form II section with states `s1`, `s2`: the one
    /// place the difference equation is written. Callers pass the states through
    /// [`flush_state`] often enough that a decaying tail never lingers in subnormals.
    ///
    /// The states are the textbook ones (`s1 = b1·x - a1·y + s2`, `s2 = b2·x - a2·y`) with
    /// `y = b0·x + s1` substituted: `s1` then feeds back through one multiply and one add
    /// instead of through `y` as well, a recursion a third shorter, and `y` is computed beside
    /// it.
    #[inline(always)]
    pub fn tick(&self, x: f64, s1: &mut f64, s2: &mut f64) -> f64 {
        let y = self.b0 * x + *s1;
        (*s1, *s2) = ((self.c1 * x + *s2) - self.a1 * *s1, self.c2 * x - self.a2 * *s1);
        y
    }
}

/// Cosine and sine of a design's angular frequency: its transcendental part, computed once
/// for all the sections of a filter at that frequency, and kept while only Q or gain move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Angle {
    cos: f64,
    sin: f64,
}

impl Angle {
    /// At `freq` (kept below Nyquist).
    pub fn new(freq: f32, sample_rate: f32) -> Self {
        let (sin, cos) =
            (2.0 * PI * freq.clamp(1.0, 0.49 * sample_rate) as f64 / sample_rate as f64).sin_cos();
        Self { cos, sin }
    }

    /// The cookbook's alpha.
    fn alpha(self, q: f32) -> f64 {
        self.sin / (2.0 * q.max(1e-3) as f64)
    }

    /// `tan(w0 / 2)`, the bilinear transform's prewarping, without cancellation anywhere below
    /// Nyquist.
    fn half_tan(self) -> f64 {
        self.sin / (1.0 + self.cos)
    }
}

/// [`crate::util::flush`] for the f64 states: below -400 dB nothing is audible.
#[inline(always)]
pub fn flush_state(x: f64) -> f64 {
    if x.abs() < 1e-20 {
        0.0
    } else {
        x
    }
}

/// One biquad section for one channel (transposed direct form II, which keeps its state small
/// and behaves well when coefficients change between samples).
#[derive(Debug, Clone, Copy)]
pub struct Biquad {
    pub coeffs: Coefficients,
    s1: f64,
    s2: f64,
}

impl Default for Biquad {
    fn default() -> Self {
        Self { coeffs: Coefficients::IDENTITY, s1: 0.0, s2: 0.0 }
    }
}

impl Biquad {
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        let y = Kernel::from(self.coeffs).tick(x as f64, &mut self.s1, &mut self.s2);
        (self.s1, self.s2) = (flush_state(self.s1), flush_state(self.s2));
        crate::util::flush(y as f32)
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
    fn first_order_designs_are_3db_down_at_the_cutoff_and_flat_far_from_it() {
        let sr = 44_100.0;
        let db = |c: Coefficients, f: f32| 20.0 * c.magnitude(f, sr).log10();
        for fc in [20.0, 1000.0, 15_000.0] {
            let (lp, hp) =
                (Coefficients::first_order_lowpass(fc, sr), Coefficients::first_order_highpass(fc, sr));
            assert!((db(lp, fc) + 3.0103).abs() < 1e-3 && (db(hp, fc) + 3.0103).abs() < 1e-3);
            assert!(db(lp, 0.0).abs() < 1e-6 && db(hp, 22_050.0).abs() < 1e-6);
            assert_eq!((lp.b2, lp.a2, hp.b2, hp.a2), (0.0, 0.0, 0.0, 0.0));
        }
    }

    /// The reason for f64: poles this close to z = 1 were misplaced by f32 coefficients.
    #[test]
    fn low_corners_are_exact_at_high_sample_rates() {
        let sr = 192_000.0;
        let lp = Coefficients::lowpass(20.0, std::f32::consts::FRAC_1_SQRT_2, sr);
        let w = |f: f64| (std::f64::consts::PI * f / sr as f64).tan();
        let butterworth = -10.0 * (1.0 + (w(10.0) / w(20.0)).powi(4)).log10();
        assert!((20.0 * lp.magnitude(10.0, sr).log10() as f64 - butterworth).abs() < 1e-3);
        let shelf = Coefficients::low_shelf(20.0, 0.707, 24.0, sr);
        assert!((20.0 * shelf.magnitude(20.0, sr).log10() - 12.0).abs() < 1e-3);
    }

    #[test]
    fn processing_a_sine_matches_the_computed_magnitude() {
        let sr = 44_100.0;
        let mut f = Biquad { coeffs: Coefficients::peak(2000.0, 2.0, -9.0, sr), ..Default::default() };
        let n = 44_100;
        let mut peak: f32 = 0.0;
        for i in 0..n {
            let y = f.process((2.0 * std::f32::consts::PI * 2000.0 * i as f32 / sr).sin());
            if i > n / 2 {
                peak = peak.max(y.abs());
            }
        }
        assert!((peak - f.coeffs.magnitude(2000.0, sr)).abs() < 1e-3);
    }
}
