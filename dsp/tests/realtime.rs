//! The real-time contract: once built, no effect and no rack operation allocates or frees
//! memory, whatever the parameters, sample rate or block size.

mod common;
use codette_dsp::chain::{build_rack, SlotConfig};
use codette_dsp::registry::EFFECTS;
use common::*;
use std::cell::Cell;

thread_local! {
    static HEAP_CALLS: Cell<usize> = const { Cell::new(0) };
}

struct CountingAllocator;

unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = HEAP_CALLS.try_with(|n| n.set(n.get() + 1));
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        let _ = HEAP_CALLS.try_with(|n| n.set(n.get() + 1));
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn heap_calls_during(f: impl FnOnce()) -> usize {
    let before = HEAP_CALLS.with(Cell::get);
    f();
    HEAP_CALLS.with(Cell::get) - before
}

#[test]
fn effects_never_touch_the_heap_after_being_built() {
    let input = noise(6000, 11);
    for sr in [22_050.0, 48_000.0, 96_000.0, 192_000.0] {
        for spec in EFFECTS {
            let mut fx = (spec.build)(sr);
            let (mut l, mut r) = (input.clone(), input.clone());
            let mut settings = noise(spec.params.len() * 8, 3).into_iter();
            let calls = heap_calls_during(|| {
                for round in 0..8 {
                    for (i, p) in spec.params.iter().enumerate() {
                        let n = settings.next().unwrap() * 0.5 + 0.5;
                        fx.set_param(i, p.denormalize(if round % 4 == 3 { 1.0 } else { n }));
                    }
                    fx.set_tempo(60.0 + 20.0 * round as f64);
                    for block in [1, 31, 512, 4096] {
                        let start = (round * 500) % 1000;
                        fx.process(&mut l[start..start + block], &mut r[start..start + block]);
                    }
                    if round == 5 {
                        fx.reset();
                    }
                }
            });
            assert_eq!(calls, 0, "{} at {sr} Hz used the heap {calls} times", spec.id);
        }
    }
}

#[test]
fn rack_operations_never_touch_the_heap() {
    let chain: Vec<SlotConfig> = EFFECTS.iter().take(8).map(|e| SlotConfig::effect(e.id)).collect();
    let mut rack = build_rack(&chain, SR).unwrap();
    let (mut l, mut r) = (noise(4096, 1), noise(4096, 2));
    let calls = heap_calls_during(|| {
        for step in 0..20 {
            rack.move_slot(step % 8, (step * 3) % 8);
            rack.slot_mut(step % 8).set_bypass(step % 3 == 0);
            rack.slot_mut(step % 8).set_mix(0.3);
            rack.set_tempo(90.0 + step as f64);
            rack.process(&mut l[..1000], &mut r[..1000]);
        }
        rack.reset();
    });
    assert_eq!(calls, 0);
}
