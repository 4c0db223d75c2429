//! Saturation curves shared by several drive effects: fast, odd-symmetric (`f(-x) == -f(x)`
//! bit for bit, since every step commutes with negation) and bounded for any finite input.

/// Where the approximant of [`tanh`] reaches 1 (it would overshoot beyond); its slope there is
/// 3e-4, so clamping the input here leaves no audible corner.
const TANH_LIMIT: f32 = 4.97;

/// tanh to within 1e-4 (the [7/6] Padé approximant from Lambert's continued fraction), without
/// `exp`: one division, so a block of it vectorizes.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    let x = x.clamp(-TANH_LIMIT, TANH_LIMIT);
    let x2 = x * x;
    let num = x * (135_135.0 + x2 * (17_325.0 + x2 * (378.0 + x2)));
    num / (135_135.0 + x2 * (62_370.0 + x2 * (3_150.0 + 28.0 * x2)))
}

/// Clips to ±1.
#[inline(always)]
pub fn hard_clip(x: f32) -> f32 {
    x.clamp(-1.0, 1.0)
}
