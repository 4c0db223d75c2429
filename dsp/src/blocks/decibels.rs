//! Decibel conversions cheap enough for every sample of a detector.
//!
//! `util::db_to_gain`/`gain_to_db` call `exp`/`log10`, which cost more than the rest of a
//! compressor. These handle the float's exponent with integer operations and only its mantissa
//! with a short polynomial: within 0.001 dB everywhere, and exact at unity, so that a signal
//! with no gain change (0 dB) passes bit-exactly.

const DB_PER_OCTAVE: f32 = 6.020_6; // 20 * log10(2)
const OCTAVES_PER_DB: f32 = 1.0 / DB_PER_OCTAVE;

/// log2(x) for x >= 0, within 1.2e-4 octave; 0 and subnormals give about -127 octaves (-765 dB).
#[inline]
fn log2(x: f32) -> f32 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) - 1.0;
    // log2(1 + m) = m + m(1 - m)q(m), q fitted for minimum maximum error on [0, 1).
    let q = 0.438_725 + m * (-0.239_054_83 + m * 0.082_127_43);
    exponent as f32 + m + m * (1.0 - m) * q
}

/// Adding this to a float of magnitude below 2^22 rounds it to an integer, left in the low
/// mantissa bits: a float-to-int conversion without the saturation checks of `as`.
const ROUND: f32 = 12_582_912.0; // 1.5 * 2^23

/// 2^y, relative error below 3e-6; clamped to 2^-126..2^126.
#[inline]
fn exp2(y: f32) -> f32 {
    let y = y.clamp(-126.0, 126.0);
    let shifted = y + ROUND;
    let f = y - (shifted - ROUND);
    let whole = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let scale = f32::from_bits(whole.wrapping_add(127) << 23);
    // 2^f on [-0.5, 0.5], exact at 0, fitted for minimum maximum relative error.
    scale * (1.0 + f * (0.693_124_2 + f * (0.240_240_99 + f * (0.055_906_43 + f * 0.009_582_849))))
}

/// Level of a magnitude in dB (`x` must be >= 0).
#[inline]
pub fn fast_gain_to_db(x: f32) -> f32 {
    log2(x) * DB_PER_OCTAVE
}

#[inline]
pub fn fast_db_to_gain(db: f32) -> f32 {
    exp2(db * OCTAVES_PER_DB)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::{db_to_gain, gain_to_db};

    #[test]
    fn within_a_thousandth_of_a_db_and_exact_at_unity() {
        assert_eq!(fast_db_to_gain(0.0), 1.0);
        assert_eq!(fast_gain_to_db(1.0), 0.0);
        for i in 0..=20_000 {
            let db = -200.0 + i as f32 * 0.013;
            assert!((fast_gain_to_db(db_to_gain(db)) - db).abs() < 1e-3, "{db}");
            let g = fast_db_to_gain(db);
            assert!((gain_to_db(g) - db).abs() < 1e-3, "{db}: {g}");
        }
        assert!(fast_gain_to_db(0.0) < -700.0);
        assert_eq!(fast_db_to_gain(-5000.0), f32::from_bits(1 << 23));
    }
}
