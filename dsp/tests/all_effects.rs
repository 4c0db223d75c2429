//! Properties every registered effect must have, whatever it does.

mod common;
use codette_dsp::registry::EFFECTS;
use common::*;

/// Hostile input at odd block sizes and extreme settings never produces NaN, infinities or
/// subnormals, not even in long decaying tails (the offline engine runs without flush-to-zero).
/// The input is sanitized first, as the rack does before any effect sees it.
#[test]
fn output_is_always_finite_and_normal() {
    let mut hostile = noise(8192, 7);
    hostile.extend(std::iter::repeat_n(0.0, 4096));
    hostile.extend((0..4096).map(|i| if (i / 24) % 2 == 0 { 1.0 } else { -1.0 }));
    hostile.extend((0..4096).map(|i| if i % 2 == 0 { 1e-39 } else { -1e-40 }));
    hostile.extend(std::iter::repeat_n(0.0, 96_000));
    codette_dsp::util::sanitize_block(&mut hostile);
    for spec in EFFECTS {
        for setting in [0.0, 1.0] {
            for sr in [22_050.0, 192_000.0] {
                let mut fx = (spec.build)(sr);
                for (i, p) in spec.params.iter().enumerate() {
                    fx.set_param(i, p.denormalize(setting));
                }
                for block in [1, 7, 4096] {
                    let (l, r) = render_mono(fx.as_mut(), &hostile, block);
                    assert_clean(&l);
                    assert_clean(&r);
                }
            }
        }
    }
}

#[test]
fn empty_blocks_are_accepted() {
    for spec in EFFECTS {
        let mut fx = (spec.build)(SR);
        fx.process(&mut [], &mut []);
    }
}

/// Hosts call with whatever block sizes they like: an effect's output may not depend on them.
#[test]
fn block_size_does_not_change_the_output() {
    let input = noise(48_000, 5);
    let mut differing = Vec::new();
    for spec in EFFECTS {
        let render_in = |block: usize| {
            let mut fx = (spec.build)(SR);
            for (i, p) in spec.params.iter().enumerate() {
                // Away from the defaults, so that every stage is active.
                if !p.is_stepped() {
                    fx.set_param(i, p.denormalize(0.7));
                }
            }
            fx.reset();
            render_mono(fx.as_mut(), &input, block)
        };
        let reference = render_in(4096);
        if [1, 333, 512].iter().any(|&b| render_in(b) != reference) {
            differing.push(spec.id);
        }
    }
    assert!(differing.is_empty(), "output depends on the block size: {differing:?}");
}
