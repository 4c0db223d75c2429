//! 3. Automation lands on the sample the host put it on, and a rack at identity is a wire
//!    (delayed by exactly the latency it reports).

use codette_host_tests::*;

const SR: f64 = 48_000.0;

/// Slot 1 holds a Three-Band EQ with every gain at 0 dB: an identity at its defaults, chosen
/// before activation so that it is built at once (no asynchronous load).
fn identity_rack(block: usize) -> Rack {
    Rack::configured(&[effect(1, "eq3band")], SR, block)
}

#[track_caller]
fn first_difference(a: &[f32], b: &[f32]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x.to_bits() != y.to_bits())
}

/// Renders the same noise with and without an `s1_out` change to -12 dB at sample `at`.
fn automation_lands_on_its_sample(block: usize, at: usize) {
    // 50 ms of glide after the event, then 4096 settled samples to measure.
    let settled = at + 2400;
    let len = (settled + 4096).div_ceil(block) * block;
    let input = stereo_noise(len, 11, 0.5);
    let reference = identity_rack(block).render(&input, block, &[]).unwrap();
    let automated =
        identity_rack(block).render(&input, block, &[Event::at(at, set("s1_out", -12.0))]).unwrap();
    assert_clean("automated", &automated);

    for (ch, a, r) in [("left", &automated.0, &reference.0), ("right", &automated.1, &reference.1)] {
        let first = first_difference(a, r);
        assert_eq!(
            first,
            Some(at),
            "block {block}, event at {at} (offset {} in block {}): {ch} output must be untouched before \
             the event and change on its very sample",
            at % block,
            at / block
        );
    }
    // After the parameter's glide, the output is 12 dB down.
    let tail = settled..len;
    let change = db(rms(&automated.0[tail.clone()]) / rms(&reference.0[tail.clone()]));
    assert!((change + 12.0).abs() < 0.05, "settled change {change:.3} dB, want -12 dB");
}

#[test]
fn event_inside_a_block_lands_on_its_sample() {
    automation_lands_on_its_sample(512, 2 * 512 + 100);
}

#[test]
fn event_in_an_odd_sized_block_lands_on_its_sample() {
    automation_lands_on_its_sample(480, 2 * 480 + 377);
    automation_lands_on_its_sample(64, 15 * 64 + 41);
}

#[test]
fn event_on_the_rack_chunk_boundary_lands_on_its_sample() {
    // The rack works in chunks of 256 inside a host block.
    automation_lands_on_its_sample(1024, 2 * 1024 + 256);
}

#[test]
fn event_at_a_block_start_lands_on_its_sample() {
    automation_lands_on_its_sample(512, 3 * 512);
}

/// Output equals input delayed by the reported latency, bit for bit.
#[track_caller]
fn assert_delayed_identity(what: &str, rack: &mut Rack, block: usize) {
    let latency = rack.latency() as usize;
    let input = stereo_noise(16 * 1024, 3, 0.5);
    let out = rack.render(&input, block, &[]).unwrap();
    for (ch, o, i) in [("left", &out.0, &input.0), ("right", &out.1, &input.1)] {
        assert!(
            o[..latency].iter().all(|&x| x == 0.0),
            "{what}: {ch} starts with {latency} samples of silence"
        );
        if let Some(n) = first_difference(&o[latency..], &i[..i.len() - latency]) {
            panic!(
                "{what} (block {block}, latency {latency}): {ch} output sample {} is {:e}, input {} was {:e}",
                n + latency,
                o[n + latency],
                n,
                i[n]
            );
        }
    }
}

#[test]
fn an_empty_rack_is_a_wire() {
    for block in [512, 333] {
        assert_delayed_identity("empty rack", &mut Rack::configured(&[], SR, block), block);
    }
}

#[test]
fn an_eq_at_zero_gain_is_a_wire() {
    for block in [512, 333] {
        assert_delayed_identity("eq3band at 0 dB", &mut identity_rack(block), block);
    }
}

/// Bypassed slots are wires delayed like their effects, whatever the effects do; their latency
/// (a limiter's lookahead) stays reported so that bypass never moves the timing.
#[test]
fn bypassed_effects_are_a_wire_delayed_by_the_reported_latency() {
    let effects = [
        "compressor",
        "limiter",
        "distortion",
        "simple_delay",
        "reverb",
        "highlow_pass",
        "hall_reverb",
        "eq3band",
    ];
    let mut settings = Vec::new();
    for (i, e) in effects.iter().enumerate() {
        settings.push(effect(i + 1, e));
        settings.push(set(&format!("s{}_bypass", i + 1), 1.0));
    }
    let mut rack = Rack::configured(&settings, SR, 512);
    assert_delayed_identity("all bypassed", &mut rack, 512);
}

/// A slot at 0 % mix passes its (latency-aligned) dry signal exactly.
#[test]
fn effects_at_zero_mix_are_a_wire() {
    let settings = [
        effect(1, "distortion"),
        set("s1_mix", 0.0),
        effect(2, "limiter"),
        set("s2_mix", 0.0),
        effect(3, "reverb"),
        set("s3_mix", 0.0),
    ];
    let mut rack = Rack::configured(&settings, SR, 256);
    assert_delayed_identity("0 % mix", &mut rack, 256);
}
