//! 7. Latency: a limiter's lookahead is reported to the host (so that it can compensate), and the
//!    audio is delayed by exactly what is reported.
//!
//! These tests expect the real limiter (lookahead default 5 ms). Until it lands, the limiter is a
//! pass-through with no latency and they fail: they say so in their messages.

use codette_host_tests::*;
use std::time::Duration;

fn lookahead_samples(ms: f64, sample_rate: f64) -> u32 {
    (ms * sample_rate / 1000.0).round() as u32
}

#[track_caller]
fn assert_latency(rack: &mut Rack, want: u32, what: &str) {
    let got = rack.latency();
    assert_eq!(
        got, want,
        "{what}: the plugin reports {got} samples of latency, want {want} \
         (round(lookahead_ms * sample_rate / 1000)); 0 means the limiter is still the pass-through placeholder"
    );
}

#[test]
fn a_limiter_reports_its_lookahead() {
    for sr in [22_050.0, 48_000.0, 96_000.0] {
        let mut rack = Rack::configured(&[effect(1, "limiter")], sr, 512);
        assert_latency(
            &mut rack,
            lookahead_samples(5.0, sr),
            &format!("limiter at its default 5 ms, {sr} Hz"),
        );
    }
    let mut rack =
        Rack::configured(&[effect(3, "limiter"), set("s3_limiter_lookahead", 10.0)], 48_000.0, 512);
    assert_latency(&mut rack, 480, "limiter with a 10 ms lookahead");
}

#[test]
fn latencies_of_slots_add_up_and_bypass_keeps_them() {
    let settings = [
        effect(1, "limiter"),
        effect(4, "limiter"),
        set("s4_limiter_lookahead", 2.0),
        set("s4_bypass", 1.0),
        effect(2, "eq3band"),
    ];
    let mut rack = Rack::configured(&settings, 48_000.0, 512);
    assert_latency(&mut rack, 240 + 96, "5 ms + 2 ms (bypassed) limiters");
}

/// The output is the input delayed by the reported latency when the limiter has nothing to do.
#[test]
fn audio_is_delayed_by_the_reported_latency() {
    let sr = 48_000.0;
    let mut rack = Rack::configured(&[effect(1, "limiter"), set("s1_limiter_threshold", 0.0)], sr, 512);
    let want = lookahead_samples(5.0, sr);
    assert_latency(&mut rack, want, "limiter at its default 5 ms");
    let latency = want as usize;
    let input = stereo_noise(16_384, 8, 0.1); // -20 dBFS peaks: far below the ceiling
    let out = rack.render(&input, 512, &[]).unwrap();
    let err = out.0[latency..].iter().zip(&input.0).map(|(o, i)| (o - i).abs()).fold(0.0f32, f32::max);
    assert!(err < 1e-4, "output is the input delayed by {latency} samples (largest difference {err})");
}

/// A limiter inserted while playing changes the latency: the plugin must tell the host (CLAP:
/// request a restart, then report the change on reactivation).
#[test]
fn a_latency_change_while_active_is_announced() {
    let sr = 48_000.0;
    let mut rack = Rack::configured(&[], sr, 512);
    assert_eq!(rack.latency(), 0, "an empty rack has no latency");
    let restarts_before = rack.restart_requests();
    let input = stereo_noise(48_000, 2, 0.5);
    rack.render_with(&input, 512, &[Event::at(0, effect(1, "limiter"))], |_| {
        std::thread::sleep(Duration::from_micros(200))
    })
    .unwrap();
    assert!(
        rack.restart_requests() > restarts_before,
        "inserting a limiter while active must make the plugin ask for a restart to change its latency \
         (no request: the limiter still reports no latency)"
    );
    let changes = rack.latency_changes();
    rack.restart();
    assert!(rack.latency_changes() > changes, "the host is told that the latency changed");
    assert_latency(&mut rack, lookahead_samples(5.0, sr), "after the restart");
}

/// An effect without latency does not make the plugin ask for restarts.
#[test]
fn no_restart_without_a_latency_change() {
    let mut rack = Rack::configured(&[], 48_000.0, 512);
    let before = rack.restart_requests();
    rack.render_with(&stereo_noise(24_000, 2, 0.5), 512, &[Event::at(0, effect(1, "eq3band"))], |_| {
        std::thread::sleep(Duration::from_micros(200))
    })
    .unwrap();
    assert_eq!(rack.restart_requests(), before);
    assert_eq!(rack.latency(), 0);
}
