//! 6. Hostile audio at every sample rate and block size, while the rack changes under it.
//!
//! The bundle is built with `assert_process_allocs`: any allocation inside `process()` aborts
//! this test binary. So every render here also changes effects while active (the asynchronous
//! loading path), toggles bypass, moves parameters to their extremes and reorders slots (order is
//! not a parameter: it changes through a state load while processing).

use codette_dsp::registry::EFFECTS;
use codette_host_tests::*;
use std::time::Duration;

/// The rack of the brief, configured before activation.
fn busy_rack() -> Vec<Set> {
    vec![
        effect(1, "compressor"),
        effect(2, "distortion"),
        effect(3, "simple_delay"),
        effect(4, "reverb"),
        effect(5, "limiter"),
        effect(6, "eq3band"),
        set("s6_eq3band_low_gain", 12.0),
        set("s6_eq3band_mid_gain", -9.0),
        set("s6_eq3band_high_gain", 6.0),
        effect(7, "highlow_pass"),
        effect(8, "hall_reverb"),
    ]
}

/// Segments of hostile input, each `seg` samples long.
fn hostile_input(seg: usize, seed: u32) -> (Stereo, Vec<&'static str>) {
    let mut l = Vec::new();
    let mut r = Vec::new();
    let mut names = Vec::new();
    let mut push = |name: &'static str, a: Vec<f32>, b: Vec<f32>| {
        names.push(name);
        l.extend(a);
        r.extend(b);
    };
    let n = noise(seg, seed, 1.0);
    push("noise", n.clone(), noise(seg, seed + 1, 1.0));
    push("silence", vec![0.0; seg], vec![0.0; seg]);
    push("full-scale square", square(seg, 100, 1.0), square(seg, 37, -1.0));
    let denormal: Vec<f32> = (0..seg).map(|i| if i % 2 == 0 { 1e-40 } else { -1e-39 }).collect();
    push("denormals", denormal.clone(), denormal.iter().map(|x| x * 0.5).collect());
    push("NaN", vec![f32::NAN; seg], vec![-f32::NAN; seg]);
    push("+inf / -inf", vec![f32::INFINITY; seg], vec![f32::NEG_INFINITY; seg]);
    let sprinkled: Vec<f32> = n
        .iter()
        .enumerate()
        .map(|(i, &x)| match i % 37 {
            0 => f32::NAN,
            11 => f32::INFINITY,
            23 => f32::NEG_INFINITY,
            29 => 1e-42,
            _ => x,
        })
        .collect();
    push("noise with NaN/inf/denormals", sprinkled.clone(), sprinkled.iter().rev().copied().collect());
    push("huge values", vec![1e30; seg], vec![-f32::MAX; seg]);
    push("DC at full scale", vec![1.0; seg], vec![-1.0; seg]);
    push("silence (tails)", vec![0.0; seg], vec![0.0; seg]);
    ((l, r), names)
}

/// Parameter changes at each segment start: a new effect in slot 2 (loaded asynchronously), a
/// bypass toggle, and parameters thrown to their extremes.
fn hostile_events(segments: usize, seg: usize, variant: usize) -> Vec<Event> {
    let extremes: Vec<Vec<Set>> = vec![
        vec![
            set("s1_compressor_threshold", -60.0),
            set("s1_compressor_ratio", 20.0),
            set("s1_compressor_attack", 0.1),
        ],
        vec![set("s3_simple_delay_time_ms", 1.0), set("s3_simple_delay_feedback", 0.95)],
        vec![
            set("s3_simple_delay_time_ms", 5000.0),
            set("s4_reverb_room_size", 1.0),
            set("s4_reverb_damping", 0.0),
        ],
        vec![
            set("s7_highlow_pass_cutoff_freq", 20.0),
            set("s7_highlow_pass_order", 6.0),
            set("s7_highlow_pass_filter_type", 1.0),
        ],
        vec![
            set("s7_highlow_pass_cutoff_freq", 20_000.0),
            set("s6_eq3band_low_gain", 24.0),
            set("s6_eq3band_low_q", 10.0),
        ],
        vec![
            set("s5_limiter_threshold", -60.0),
            set("s5_limiter_release", 10.0),
            set("s8_hall_reverb_width", 2.0),
        ],
        vec![
            set("s1_in", 24.0),
            set("s1_out", 24.0),
            set("s4_mix", 0.5),
            set("s8_hall_reverb_predelay_ms", 200.0),
        ],
        vec![set("s1_in", -24.0), set("s1_out", -24.0), set("s2_mix", 0.0), set("s2_mix", 1.0)],
    ];
    let mut events = Vec::new();
    for i in 0..segments {
        let at = i * seg + (i * 31) % seg.max(1);
        // 0 = empty, then every effect, in an order that differs between variants.
        let choice = (i * 7 + variant * 3) % (EFFECTS.len() + 1);
        events.push(Event::at(at, set("s2_effect", choice as f64)));
        let toggled = (i + variant) % 8 + 1;
        events.push(Event::at(at, set(&format!("s{toggled}_bypass"), ((i / 8 + 1) % 2) as f64)));
        for s in &extremes[(i + variant) % extremes.len()] {
            events.push(Event::at(at + 1, s.clone()));
        }
    }
    events
}

/// The state of `rack` with its slots in reverse order.
fn reversed_order_state(rack: &mut Rack) -> Vec<u8> {
    let mut state = state_json(&rack.save_state());
    state["fields"]["order"] = serde_json::json!("[7,6,5,4,3,2,1,0]");
    state_from_json(&state)
}

fn run(sample_rate: f64, block: usize, variant: usize) {
    let what = format!("{sample_rate} Hz, block {block}");
    let mut rack = Rack::configured(&busy_rack(), sample_rate, block);
    // ~40 ms per segment, whole blocks when blocks are large.
    let seg = ((sample_rate * 0.04) as usize).max(block.min(16_384));
    let (input, names) = hostile_input(seg, 17 + variant as u32);
    let events = hostile_events(names.len(), seg, variant);
    let blocks = input.0.len().div_ceil(block);
    // Let wall-clock time pass now and then (about 150 ms per run), as in real time, so that the
    // loader delivers effects while audio runs.
    let every = (blocks / 150).max(1);
    let pause = |i: usize| {
        if i.is_multiple_of(every) {
            std::thread::sleep(Duration::from_millis(1));
        }
    };

    // First half, then a new slot order arrives (state load while processing), then the rest.
    let half = (names.len() / 2) * seg;
    let first: Stereo = (input.0[..half].to_vec(), input.1[..half].to_vec());
    let second: Stereo = (input.0[half..].to_vec(), input.1[half..].to_vec());
    let first_events: Vec<Event> = events.iter().filter(|e| e.at < half).cloned().collect();
    let second_events: Vec<Event> =
        events.iter().filter(|e| e.at >= half).map(|e| Event { at: e.at - half, ..e.clone() }).collect();

    let out1 =
        rack.render_with(&first, block, &first_events, pause).unwrap_or_else(|e| panic!("{what}: {e}"));
    let reordered = reversed_order_state(&mut rack);
    rack.load_state(&reordered).unwrap_or_else(|e| panic!("{what}: {e}"));
    let out2 =
        rack.render_with(&second, block, &second_events, pause).unwrap_or_else(|e| panic!("{what}: {e}"));

    for (offset, out) in [(0, &out1), (half, &out2)] {
        for (ch, x) in [("left", &out.0), ("right", &out.1)] {
            if let Some((i, v)) = first_unclean(x) {
                let at = offset + i;
                panic!("{what}: {ch} sample {at} (during {:?}) is {v:e}", names[at / seg]);
            }
        }
    }
    // The rack still works after all that: back in its busy configuration (the extremes above
    // can legitimately silence it: a -60 dB ceiling feeding a gate), noise in, something out.
    let busy_state = Rack::configured(&busy_rack(), sample_rate, block).save_state();
    rack.load_state(&busy_state).unwrap_or_else(|e| panic!("{what}: {e}"));
    let settle = stereo_noise((sample_rate * 0.3) as usize, 98, 0.5);
    rack.render_with(&settle, block, &[], pause).unwrap_or_else(|e| panic!("{what}: {e}"));
    let probe = stereo_noise(8 * block.max(512), 99, 0.5);
    let out = rack.render(&probe, block, &[]).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_clean(&what, &out);
    assert!(rms(&out.0) > 1e-4 || rms(&out.1) > 1e-4, "{what}: silence after the hostile run");
}

// Every sample rate and every block size, each at least once (block size 1 at a low rate keeps
// the debug build's per-call overhead affordable).
#[test]
fn hostile_22050() {
    run(22_050.0, 1, 0);
    run(22_050.0, 4096, 1);
}

#[test]
fn hostile_44100() {
    run(44_100.0, 7, 2);
    run(44_100.0, 16_384, 3);
}

#[test]
fn hostile_48000() {
    run(48_000.0, 64, 4);
    run(48_000.0, 512, 5);
}

#[test]
fn hostile_96000() {
    run(96_000.0, 512, 6);
    run(96_000.0, 7, 7);
}

#[test]
fn hostile_192000() {
    run(192_000.0, 4096, 8);
    run(192_000.0, 64, 9);
    run(192_000.0, 16_384, 10);
}

/// The same hostile input in one long host block and in tiny ones.
#[test]
fn hostile_block_size_extremes_at_48000() {
    run(48_000.0, 1, 11);
    run(48_000.0, 16_384, 12);
}

/// Effect changes faster than the loader can follow: a different effect in slot 2 every block,
/// bypass flipping every block. Afterwards the last choice is the one that plays.
#[test]
fn rapid_effect_changes_settle_on_the_last_choice() {
    let sr = 48_000.0;
    let block = 64;
    let mut rack = Rack::configured(&[set("s2_out", -12.0)], sr, block);
    let input = stereo_noise(block * 600, 5, 0.5);
    let mut events = Vec::new();
    for i in 0..500 {
        let at = i * block + i % block;
        events.push(Event::at(at, set("s2_effect", ((i * 11) % (EFFECTS.len() + 1)) as f64)));
        events.push(Event::at(at, set("s2_bypass", (i % 2) as f64)));
        if i % 3 == 0 {
            events.push(Event::at(at, set("s5_effect", ((i / 3) % (EFFECTS.len() + 1)) as f64)));
        }
    }
    // The storm ends with the Three-Band EQ (an identity at its defaults), not bypassed.
    events.push(Event::at(500 * block, effect(2, "eq3band")));
    events.push(Event::at(500 * block, set("s2_bypass", 0.0)));
    events.push(Event::at(500 * block, empty_slot(5)));
    let out = rack
        .render_with(&input, block, &events, |i| {
            if i % 4 == 0 {
                std::thread::sleep(Duration::from_micros(500))
            }
        })
        .unwrap();
    assert_clean("rapid changes", &out);

    // Let the loader deliver and the fades finish (however loaded the machine running the test
    // is: up to 2 s), then slot 2's -12 dB trim must be heard.
    let probe = stereo_noise(block * 64, 7, 0.5);
    let mut gain = f64::NAN;
    for _ in 0..200 {
        std::thread::sleep(Duration::from_millis(5));
        rack.render(&stereo_noise(block * 16, 6, 0.5), block, &[]).unwrap();
        let out = rack.render(&probe, block, &[]).unwrap();
        gain = db(rms(&out.0) / rms(&probe.0));
        if (gain + 12.0).abs() < 0.1 {
            break;
        }
    }
    assert!(
        (gain + 12.0).abs() < 0.1,
        "slot 2 holds the last effect chosen (trim heard: {gain:.2} dB, want -12)"
    );
}

/// A long silent tail after loud input through delays and reverbs at maximum feedback and size:
/// nothing decays into subnormals.
#[test]
fn long_tails_never_turn_subnormal() {
    let sr = 48_000.0;
    let mut settings = busy_rack();
    settings.extend([
        set("s3_simple_delay_feedback", 0.95),
        set("s3_simple_delay_mix", 1.0),
        set("s4_reverb_room_size", 1.0),
        set("s4_reverb_damping", 0.0),
        set("s8_hall_reverb_room_size", 1.0),
        set("s8_hall_reverb_damping", 0.0),
        set("s1_compressor_makeup", 24.0),
    ]);
    let mut rack = Rack::configured(&settings, sr, 4096);
    let loud = stereo_noise(sr as usize / 2, 3, 1.0);
    assert_clean("loud", &rack.render(&loud, 4096, &[]).unwrap());
    let silence = (vec![0.0; 10 * sr as usize], vec![0.0; 10 * sr as usize]);
    let tail = rack.render(&silence, 4096, &[]).unwrap();
    assert_clean("10 s tail", &tail);
}
