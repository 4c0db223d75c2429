//! The benchmarks' test signal.

/// Deterministic white noise at −12 dBFS peak (xorshift32).
pub fn noise(len: usize, mut seed: u32) -> Vec<f32> {
    seed = seed.wrapping_mul(2_654_435_761) | 1;
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed as f32 / u32::MAX as f32 * 2.0 - 1.0) * 0.25
        })
        .collect()
}
