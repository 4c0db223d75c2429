//! What the audio thread publishes for the editor: the modulation sources (for the rings and
//! scopes), computed for unrouted sources too while the editor is open.

mod common;
use codette_dsp::modulation::lfo::LFO_COUNT;
use codette_dsp::modulation::{LfoConfig, LfoRate, LfoShape, ModulationConfig, Transport};
use codette_rack::engine::Engine;
use codette_rack::params::RackParams;
use common::*;
use std::sync::atomic::Ordering;

/// LFO 1: a square at 1 Hz starting its cycle at 0, so +1 for the first half second.
fn square_lfo() -> ModulationConfig {
    let mut config = ModulationConfig::default();
    config.lfos[0] = LfoConfig { shape: LfoShape::Square, rate: LfoRate::Hz(1.0), ..LfoConfig::default() };
    config
}

fn run_blocks(engine: &mut Engine, params: &RackParams, blocks: usize) {
    let (mut l, mut r) = (vec![0.0f32; 512], vec![0.0f32; 512]);
    for _ in 0..blocks {
        engine.process(params, &mut l, &mut r, None, &Transport::default(), &[]);
    }
}

#[test]
fn an_unrouted_lfo_runs_for_the_editor_only_while_it_is_open() {
    let params = RackParams::default();
    params.modulation.set(square_lfo()).unwrap();
    set(&params, "macro2", 0.7);
    let mut engine = Engine::new(&params, SR, false).unwrap();
    run_blocks(&mut engine, &params, 4);
    let closed = engine.telemetry(&Transport::default());
    assert_eq!(closed.sources.macros[1], 0.7, "macros are host parameters: always published");
    assert_eq!(closed.lfo_phase[0], 0.0, "no route and no editor: LFO 1 is not computed");

    params.editor_open.store(true, Ordering::Relaxed);
    // 14 blocks of 512 at 48 kHz in all (a free LFO keeps time while skipped): the last
    // block's ticks start 0.139 to 0.149 s into the cycle, in its +1 half.
    run_blocks(&mut engine, &params, 10);
    let open = engine.telemetry(&Transport::default());
    assert_eq!(open.sources.lfo[0], 1.0);
    let phase = open.lfo_phase[0];
    let last_block = (13.0 * 512.0 / SR)..(14.0 * 512.0 / SR);
    assert!(last_block.contains(&phase), "the phase at the last tick: {phase}, in {last_block:?}");
    assert_eq!(open.lfo_phase.len(), LFO_COUNT);
}
