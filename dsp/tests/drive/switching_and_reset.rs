//! Parameter changes crossfade between time-aligned renders without allocating, and `reset`
//! gives a fresh instance's output.

use crate::common::*;
use crate::support::*;
use std::cell::Cell;

/// Counts this thread's allocations, to prove that processing (and switching quality) never
/// allocates.
struct CountingAllocator;
thread_local!(static ALLOCATIONS: Cell<usize> = const { Cell::new(0) });
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        std::alloc::System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        std::alloc::System.dealloc(ptr, layout)
    }
}
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Changing quality or curve fades between two time-aligned renders: the output stays between
/// the steady outputs of the old and the new setting, and nothing is allocated. The same holds
/// for leaving mix 1, where the dry path has been resting.
#[test]
fn switching_quality_curve_or_mix_crossfades_without_allocating() {
    let x = sine(440.0, 0.8, SR, 24_000);
    let clip = |name: &str| quality("hardclip", name);
    let switches = [
        ("saturation", "quality", 0.0, 3.0),
        ("hardclip", "quality", clip("8x"), clip("2x")),
        // Between hardclip's base-rate paths and its oversampled ones, and between those two.
        ("hardclip", "quality", clip("adaa"), clip("4x")),
        ("hardclip", "quality", clip("2x"), clip("off")),
        ("hardclip", "quality", clip("off"), clip("adaa")),
        ("distortion", "distortion_type", 0.0, 2.0),
        ("waveshaper", "mix", 1.0, 0.0),
        ("hardclip", "mix", 1.0, 0.0),
    ];
    for (id, param, from, to) in switches {
        // Hardclip clips the sine by 6 dB, so that its qualities differ.
        let params = |v: f32| [(param, v), ("drive", 12.0), ("threshold", -8.0)];
        let steady = |v: f32| render_mono(build_any(id, &params(v)).as_mut(), &x, 128).0;
        let (a, b) = (steady(from), steady(to));
        let mut fx = build_any(id, &params(from));
        let index = spec(id).param_index(param).unwrap();
        let (mut l, mut r) = (x.clone(), x.clone());
        let before = ALLOCATIONS.with(|n| n.get());
        for (i, (lc, rc)) in l.chunks_mut(128).zip(r.chunks_mut(128)).enumerate() {
            if i == 40 {
                fx.set_param(index, to);
            }
            fx.process(lc, rc);
        }
        assert_eq!(ALLOCATIONS.with(|n| n.get()), before, "{id}: switching allocated");
        let mut worst: f32 = 0.0;
        for i in 0..x.len() {
            let (lo, hi) = (a[i].min(b[i]), a[i].max(b[i]));
            worst = worst.max(lo - l[i]).max(l[i] - hi);
        }
        assert!(
            worst < 0.01,
            "{id} {param} {from}->{to}: {worst} outside the crossfade between the two settings"
        );
        let settled = l.iter().zip(&b).skip(40 * 128 + 3000).fold(0.0f32, |m, (u, v)| m.max((u - v).abs()));
        assert!(
            settled < 1e-6,
            "{id} {param} {from}->{to}: not on the new setting after the fade ({settled})"
        );
    }
}

#[test]
fn reset_gives_the_output_of_a_fresh_instance() {
    let x = noise(3000, 21);
    for ((id, params), (q, _)) in
        all_curves().into_iter().flat_map(|c| qualities(c.0).into_iter().map(move |q| (c.clone(), q)))
    {
        let p = with(&params, &[("quality", q), ("mix", 0.7)]);
        let mut used = build(id, SR, &[]);
        render_mono(used.as_mut(), &noise(5000, 1), 333);
        let s = spec(id);
        for (pid, v) in &p {
            used.set_param(s.param_index(pid).unwrap(), *v);
        }
        used.reset();
        let fresh = render_mono(build(id, SR, &p).as_mut(), &x, 100).0;
        assert_eq!(render_mono(used.as_mut(), &x, 100).0, fresh, "{id} {params:?} q{q}");
    }
}
