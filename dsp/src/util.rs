//! Small numeric helpers shared by all effects.

use std::f32::consts::LN_10;

#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    (db * (LN_10 / 20.0)).exp()
}

/// Gain in dB, with silence mapped to -240 dB instead of -inf.
#[inline]
pub fn gain_to_db(gain: f32) -> f32 {
    20.0 * gain.abs().max(1e-12).log10()
}

/// The largest magnitude the rack lets into its effects (+60 dBFS): anything louder is
/// certainly an error upstream, and bounding it keeps every effect's arithmetic finite.
pub const MAX_INPUT: f32 = 1000.0;

/// Replaces NaN, infinities and subnormals by 0 and bounds the magnitude to [`MAX_INPUT`].
#[inline]
pub fn sanitize(x: f32) -> f32 {
    if x.is_normal() {
        x.clamp(-MAX_INPUT, MAX_INPUT)
    } else {
        0.0
    }
}

pub fn sanitize_block(block: &mut [f32]) {
    for x in block {
        *x = sanitize(*x);
    }
}

/// Zeroes values too small to matter (below -400 dBFS) so that decaying feedback paths and
/// filter states never become subnormal, even where the CPU does not flush them.
#[inline]
pub fn flush(x: f32) -> f32 {
    if x.abs() < 1e-20 {
        0.0
    } else {
        x
    }
}

/// Asks the CPU to bring the memory of `samples` into its caches while other work runs, so that
/// what reads or writes it later finds it there. Delay lines reach into memory that the rest of
/// the rack's buffers have pushed out of the cache since it was last touched, and the hardware's
/// own prefetching loses track of a line when calls are short (host automation cuts them to a
/// few dozen samples): every call then waited for its lines one at a time.
#[inline]
pub fn prefetch(samples: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // Every cache line the slice touches, counted by address: the first one may start
        // before the slice, which a prefetch may name (it never faults).
        let start = samples.as_ptr().cast::<i8>();
        let before = start as usize % 64;
        let bytes = before + std::mem::size_of_val(samples);
        for line in (0..bytes).step_by(64) {
            // SAFETY: a prefetch only hints the cache; every x86-64 CPU has the instruction.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(line).wrapping_sub(before)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = samples;
}

/// Coefficient of a one-pole smoother whose step response reaches 1 - 1/e after `ms`.
#[inline]
pub fn time_constant_coeff(ms: f32, sample_rate: f32) -> f32 {
    let samples = ms.max(1e-3) * 0.001 * sample_rate;
    (-1.0 / samples).exp()
}

/// Milliseconds to the nearest whole number of samples (at least 0), computed in double
/// precision: single precision is off by more than half a sample for the longest times (16 s)
/// at high sample rates.
#[inline]
pub fn ms_to_samples(ms: f32, sample_rate: f32) -> usize {
    (ms.max(0.0) as f64 * sample_rate as f64 / 1000.0).round() as usize
}

/// Note values a tempo-synced time can follow, as fractions of a whole note.
pub const NOTE_VALUES: &[(&str, f64)] = &[
    ("1/1", 1.0),
    ("1/2", 0.5),
    ("1/2.", 0.75),
    ("1/2T", 1.0 / 3.0),
    ("1/4", 0.25),
    ("1/4.", 0.375),
    ("1/4T", 1.0 / 6.0),
    ("1/8", 0.125),
    ("1/8.", 0.1875),
    ("1/8T", 1.0 / 12.0),
    ("1/16", 0.0625),
    ("1/16.", 0.093_75),
    ("1/16T", 1.0 / 24.0),
    ("1/32", 0.031_25),
];

/// Options of an effect's `sync` parameter: "off" (use the time in ms) or a note value.
pub const SYNC_OPTIONS: &[&str] = &[
    "off", "1/1", "1/2", "1/2.", "1/2T", "1/4", "1/4.", "1/4T", "1/8", "1/8.", "1/8T", "1/16", "1/16.",
    "1/16T", "1/32",
];

/// The delay time a `sync` choice stands for at a tempo, or `None` for "off".
pub fn synced_ms(sync_choice: f32, bpm: f64) -> Option<f32> {
    let i = sync_choice.round() as usize;
    (i >= 1).then(|| NOTE_VALUES.get(i - 1)).flatten().map(|&(_, v)| note_value_ms(v, bpm) as f32)
}

/// Duration of a note value (a fraction of a whole note) at a tempo, in milliseconds.
pub fn note_value_ms(whole_note_fraction: f64, bpm: f64) -> f64 {
    whole_note_fraction * 4.0 * 60_000.0 / bpm.max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decibels() {
        assert!((db_to_gain(-6.020_6) - 0.5).abs() < 1e-5);
        assert!((gain_to_db(0.1) + 20.0).abs() < 1e-4);
        assert_eq!(gain_to_db(0.0), -240.0);
    }

    #[test]
    fn sanitize_removes_what_must_not_pass() {
        for x in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -1e-42] {
            assert_eq!(sanitize(x), 0.0);
        }
        assert_eq!(sanitize(0.25), 0.25);
        assert_eq!(sanitize(1e9), MAX_INPUT);
    }

    #[test]
    fn note_values_at_120_bpm() {
        assert_eq!(note_value_ms(0.25, 120.0), 500.0);
        assert_eq!(note_value_ms(0.375, 120.0), 750.0);
        assert_eq!(synced_ms(0.0, 120.0), None);
        for (i, (name, _)) in NOTE_VALUES.iter().enumerate() {
            assert_eq!(SYNC_OPTIONS[i + 1], *name);
        }
        assert_eq!(synced_ms(5.0, 120.0), Some(500.0));
    }
}
