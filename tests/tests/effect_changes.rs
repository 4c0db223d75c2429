//! Effects chosen while the plugin runs are built off the audio thread and faded in. In real time
//! that must take a few milliseconds at most; in offline rendering (a bounce faster than real
//! time, a batch processor) the result must not depend on how fast the host runs.

use codette_host_tests::*;
use std::time::Duration;

const SR: f64 = 48_000.0;
const BLOCK: usize = 512;

/// Slot 1 gets a Three-Band EQ (an identity at its defaults) at sample `at`; its output trim of
/// -12 dB only acts once the effect is in place, so the trim shows when the swap happened.
fn swap_events(at: usize) -> Vec<Event> {
    vec![Event::at(at, effect(1, "eq3band"))]
}

fn trimmed_rack(offline: bool) -> Rack {
    let mut rack = Rack::new();
    rack.flush(&[set("s1_out", -12.0)]);
    if offline {
        rack.set_render_mode(true);
    }
    rack.activate(SR, BLOCK);
    rack
}

/// In real time (the host waits for the audio clock), the new effect is heard within 100 ms.
#[test]
fn an_effect_chosen_while_playing_is_heard_within_100_ms() {
    let mut rack = trimmed_rack(false);
    let input = stereo_noise(40 * BLOCK, 3, 0.5);
    let block_time = Duration::from_secs_f64(BLOCK as f64 / SR);
    let at = 4 * BLOCK + 17;
    let out = rack.render_with(&input, BLOCK, &swap_events(at), |_| std::thread::sleep(block_time)).unwrap();
    assert_eq!(&out.0[..at], &input.0[..at], "an empty slot is a wire until the effect arrives");
    let heard = at + (0.1 * SR) as usize;
    let gain = db(rms(&out.0[heard..]) / rms(&input.0[heard..]));
    assert!(
        (gain + 12.0).abs() < 0.05,
        "100 ms after choosing it the effect (and its trim) is in place: {gain:.2} dB"
    );
}

/// An offline render (CLAP render mode "offline"; VST3 kOffline, which pedalboard uses) gives the
/// same result however fast the host renders. Today the effect is swapped in whenever the loader
/// thread happens to deliver it (wall-clock time): a render that runs flat out may not hear the
/// effect at all, and one that pauses between blocks hears it a few blocks after it was chosen.
#[test]
fn offline_rendering_does_not_depend_on_wall_clock_time() {
    let input = stereo_noise(60 * BLOCK, 5, 0.5);
    let at = 10 * BLOCK + 100;
    let fast = trimmed_rack(true).render(&input, BLOCK, &swap_events(at)).unwrap();
    let slow = trimmed_rack(true)
        .render_with(&input, BLOCK, &swap_events(at), |_| std::thread::sleep(Duration::from_millis(5)))
        .unwrap();
    let first = fast.0.iter().zip(&slow.0).position(|(a, b)| a.to_bits() != b.to_bits());
    assert_eq!(
        first, None,
        "offline renders of the same input and automation differ from sample {first:?} (effect chosen at {at}): \
         the effect swap happens when the loader thread delivers, not at a defined sample"
    );
    let tail = 40 * BLOCK..;
    assert!(
        (db(rms(&fast.0[tail.clone()]) / rms(&input.0[tail])) + 12.0).abs() < 0.05,
        "and the effect is in place"
    );
}
