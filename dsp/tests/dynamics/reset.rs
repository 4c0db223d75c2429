//! All five effects: `reset` renders like a fresh instance.

use crate::common::*;
use crate::support::*;

#[test]
fn reset_renders_like_a_fresh_instance() {
    let x: Vec<f32> = noise(30_000, 13)
        .iter()
        .enumerate()
        .map(|(i, v)| v * if (i / 3000) % 2 == 0 { 3.0 } else { 0.003 })
        .collect();
    for (id, params) in [
        ("compressor", vec![("threshold", -30.0), ("knee", 12.0), ("makeup", 6.0)]),
        ("limiter", vec![("threshold", -6.0), ("lookahead", 20.0)]),
        ("expander", vec![("threshold", -30.0), ("ratio", 3.0)]),
        ("gate", vec![("threshold", -30.0), ("hold", 10.0)]),
        ("noise_gate", vec![("open_threshold", -20.0), ("close_threshold", -50.0)]),
    ] {
        let mut used = (spec(id).build)(SR);
        render_mono(used.as_mut(), &x, 100);
        for (p, v) in &params {
            set(used.as_mut(), id, p, *v);
        }
        used.reset();
        let mut fresh = build(id, SR, &params);
        assert_eq!(render_mono(used.as_mut(), &x, 77), render_mono(fresh.as_mut(), &x, 77), "{id}");
    }
}
