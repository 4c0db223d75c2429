//! Applying a suggestion: the rack with the change, rendered with the plugin's DSP, measures
//! closer to the target on the flawed audio, and no other finding gets worse.

mod common;

use codette_assistant::{
    detect, make_level_neutral, preview, suggest, Audition, Context, Finding, FindingKind, Suggestion,
};
use codette_dsp::chain::SlotConfig;
use codette_dsp::preset::Preset;
use codette_dsp::preset_render::render_preset;
use common::*;

const SLOTS: usize = 8;
const TEMPO: f64 = 120.0;

fn render(preset: &Preset, (l, r): &Stereo) -> Stereo {
    render_preset(preset, SLOTS, SR, TEMPO, (l, r), &|| true).expect("valid preset").expect("not stopped")
}

fn findings_through(preset: &Preset, audio: &Stereo) -> (Vec<Finding>, codette_assistant::Measurements) {
    let measurements = measure(&render(preset, audio));
    (detect(&measurements, &Context::default()), measurements)
}

fn rack(slots: Vec<SlotConfig>) -> Preset {
    Preset { slots, ..Preset::new("test") }
}

/// The suggestion made for `kind` on `audio` through `preset`, made level-neutral as the API
/// makes it when it has the audio.
fn suggestion_for(kind: FindingKind, preset: &Preset, audio: &Stereo) -> (Suggestion, Vec<Finding>) {
    let (before, measurements) = findings_through(preset, audio);
    let mut s = suggest(&before, &measurements, preset, SLOTS, &Context::default())
        .into_iter()
        .find(|s| s.finding == Some(kind))
        .unwrap_or_else(|| panic!("{kind:?} not found in {:?}", measurements.meters));
    let audition = Audition::new(preset, SLOTS, (&audio.0, &audio.1), SR, TEMPO, &|| true).expect("renders");
    make_level_neutral(&mut s, preset, &audition, -1.0).expect("renders");
    (s, before)
}

fn excess(findings: &[Finding], kind: FindingKind) -> f32 {
    findings.iter().find(|f| f.id == kind).map_or(0.0, |f| f.excess)
}

/// Applies the suggestion for `kind` and checks the rule: its finding's excess shrinks (or the
/// finding goes), and every other finding's excess stays at most what it was.
fn check_fix(kind: FindingKind, preset: Preset, audio: Stereo) -> Preset {
    let (s, before) = suggestion_for(kind, &preset, &audio);
    let change = s.parameters.as_ref().unwrap_or_else(|| panic!("{kind:?}: no change ({:?})", s.unavailable));
    let after_preset = change.apply(&preset, SLOTS).expect("applies");
    let (after, measurements) = findings_through(&after_preset, &audio);
    let (was, is) = (excess(&before, kind), excess(&after, kind));
    assert!(was > 0.0 && is < was, "{kind:?}: excess {was} → {is}; after {:?}", measurements.meters);
    for other in FindingKind::ALL.into_iter().filter(|&k| k != kind) {
        let (was, is) = (excess(&before, other), excess(&after, other));
        assert!(
            is <= was + 0.01,
            "{kind:?} made {other:?} worse: {was} → {is}; after {:?}",
            measurements.meters
        );
    }
    after_preset
}

fn empty() -> Preset {
    rack(Vec::new())
}

#[test]
fn loudness_moves_to_the_target() {
    let after = check_fix(FindingKind::LoudnessOffTarget, empty(), at_lufs(clean(), -20.0));
    let lufs = meters(&render(&after, &at_lufs(clean(), -20.0))).lufs_integrated;
    assert!((lufs + 14.0).abs() < 1.0, "{lufs}");
}

#[test]
fn true_peak_goes_under_the_ceiling() {
    let audio = clean();
    let tp = meters(&audio).true_peak_dbtp;
    let audio = gain(audio, 1.0 - tp);
    let after = check_fix(FindingKind::TruePeakOver, empty(), audio.clone());
    let tp = meters(&render(&after, &audio)).true_peak_dbtp;
    assert!(tp <= -1.0, "{tp}");
}

#[test]
fn rumble_is_filtered() {
    let (l, r) = clean();
    let hum: Vec<f32> =
        (0..l.len()).map(|i| 0.3 * (std::f32::consts::TAU * 25.0 * i as f32 / SR).sin()).collect();
    let add = |x: Vec<f32>| x.iter().zip(&hum).map(|(a, b)| a + b).collect();
    check_fix(FindingKind::Rumble, empty(), (add(l), add(r)));
}

fn bell(freq: f32, gain: f32) -> SlotConfig {
    SlotConfig::effect("eq3band").with("mid_freq", freq).with("mid_gain", gain).with("mid_q", 1.0)
}

#[test]
fn mud_is_cut() {
    check_fix(FindingKind::Mud, empty(), at_lufs(through(&[bell(350.0, 9.0)], clean()), -14.0));
}

#[test]
fn harshness_is_cut() {
    check_fix(FindingKind::Harshness, empty(), at_lufs(through(&[bell(3500.0, 9.0)], clean()), -14.0));
}

#[test]
fn dullness_is_lifted() {
    let lowpass = SlotConfig::effect("highlow_pass")
        .with("filter_type", 1.0)
        .with("cutoff_freq", 5000.0)
        .with("order", 2.0);
    check_fix(FindingKind::Dullness, empty(), at_lufs(through(&[lowpass], clean()), -14.0));
}

#[test]
fn over_compression_by_the_racks_limiter_is_eased() {
    let limiter = SlotConfig {
        input_db: 20.0,
        ..SlotConfig::effect("limiter").with("threshold", -2.5).with("release", 10.0)
    };
    check_fix(FindingKind::OverCompressed, rack(vec![limiter]), at_lufs(clean(), -16.0));
}

#[test]
fn too_much_dynamic_range_is_compressed() {
    let (l, r) = clean();
    let section = (5.0 * SR) as usize;
    let level = |i: usize| if (i / section).is_multiple_of(2) { 1.0 } else { 0.1 };
    let shaped = |x: Vec<f32>| x.iter().enumerate().map(|(i, v)| v * level(i)).collect();
    check_fix(FindingKind::TooDynamic, empty(), at_lufs((shaped(l), shaped(r)), -15.0));
}

#[test]
fn a_mono_mix_is_widened() {
    let (l, _) = clean();
    check_fix(FindingKind::TooNarrow, empty(), (l.clone(), l));
}

#[test]
fn a_too_wide_ping_pong_is_narrowed() {
    let pingpong = SlotConfig::effect("pingpong_delay")
        .with("time_ms", 150.0)
        .with("feedback", 0.6)
        .with("stereo_width", 1.0)
        .with("mix", 0.9);
    let (l, _) = clean();
    check_fix(FindingKind::TooWide, rack(vec![pingpong]), (l.clone(), l));
}

/// The preview's gain brings the changed rack's output to the loudness of the rack as it was.
#[test]
fn preview_is_level_matched() {
    let audio = at_lufs(through(&[bell(350.0, 9.0)], clean()), -14.0);
    let preset = empty();
    let (before, measurements) = findings_through(&preset, &audio);
    let s = suggest(&before, &measurements, &preset, SLOTS, &Context::default())
        .into_iter()
        .find(|s| s.finding == Some(FindingKind::Mud))
        .expect("mud");
    let after = s.parameters.unwrap().apply(&preset, SLOTS).unwrap();
    let p = preview(&preset, &after, SLOTS, (&audio.0, &audio.1), SR, TEMPO).unwrap();
    assert!(p.gain_db > 0.5, "the cut makes it quieter: gain {}", p.gain_db);
    let matched = meters(&p.audio).lufs_integrated;
    let reference = meters(&render(&preset, &audio)).lufs_integrated;
    assert!((matched - reference).abs() < 0.1, "{matched} vs {reference}");
}

/// Silence gives the follower no level to set its gain from: no ducking is offered (it would
/// have asked for the follower's whole +48 dB of gain).
#[test]
fn no_ducking_is_offered_on_silence() {
    let preset = rack(vec![SlotConfig::effect("reverb")]);
    let silence: Stereo = (vec![0.0; SR as usize], vec![0.0; SR as usize]);
    let (findings, measurements) = findings_through(&preset, &silence);
    let ids: Vec<String> = suggest(&findings, &measurements, &preset, SLOTS, &Context::default())
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(!ids.iter().any(|id| id.starts_with("duck_wet")), "{ids:?}");
    let (findings, measurements) = findings_through(&preset, &clean());
    let ids: Vec<String> = suggest(&findings, &measurements, &preset, SLOTS, &Context::default())
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(ids.contains(&"duck_wet_s1".to_string()), "{ids:?}");
}

/// Bursts of 0.25 s every second through a reverb: ducking its wet level under the dry signal
/// lowers the wet signal while the bursts play far more than in the gaps between them. The wet
/// signal is the rack's output less that of the same rack with the wet level at 0.
#[test]
fn ducking_the_reverb_under_the_dry_signal() {
    let reverb =
        SlotConfig::effect("reverb").with("room_size", 0.8).with("wet_level", 0.6).with("dry_level", 0.6);
    let preset = rack(vec![reverb.clone()]);
    let (l, r) = clean();
    let period = SR as usize;
    let burst = period / 4;
    let gate =
        |x: Vec<f32>| x.iter().enumerate().map(|(i, v)| if i % period < burst { *v } else { 0.0 }).collect();
    let audio: Stereo = (gate(l), gate(r));
    let (findings, measurements) = findings_through(&preset, &audio);
    let s = suggest(&findings, &measurements, &preset, SLOTS, &Context::default())
        .into_iter()
        .find(|s| s.id == "duck_wet_s1")
        .expect("a ducking suggestion for the reverb in slot 1");
    assert_eq!(s.kind, codette_assistant::SuggestionType::Modulation);
    let ducked = s.parameters.unwrap().apply(&preset, SLOTS).unwrap();
    assert_eq!(ducked.modulation.routes.len(), 1);
    assert_eq!(ducked.modulation.routes[0].target, "s1_reverb_wet_level");

    let dry = render(&rack(vec![reverb.with("wet_level", 0.0)]), &audio);
    let wet = |preset: &Preset| -> Vec<f32> {
        let out = render(preset, &audio);
        out.0.iter().zip(&dry.0).map(|(o, d)| o - d).collect()
    };
    let energy = |x: &[f32], during: bool| -> f64 {
        let in_window = |i: usize| {
            let t = i % period;
            if during {
                t > burst / 4 && t < burst
            } else {
                t > period * 3 / 4
            }
        };
        x.iter().enumerate().filter(|(i, _)| in_window(*i)).map(|(_, v)| (*v as f64).powi(2)).sum()
    };
    let (plain, moved) = (wet(&preset), wet(&ducked));
    let change_db = |during| 10.0 * (energy(&moved, during) / energy(&plain, during)).log10();
    let (during, gaps) = (change_db(true), change_db(false));
    assert!(during < -3.0, "wet during the bursts changed by {during} dB");
    assert!(gaps > during + 2.0, "wet in the gaps changed by {gaps} dB, during the bursts by {during} dB");
}

/// Changes that cannot be made say why: a full rack, a value out of range, an occupied slot, a
/// route to a parameter that does not exist.
#[test]
fn changes_that_cannot_be_made_are_refused_by_name() {
    use codette_assistant::{Edit, Place, RackChange};
    let full = rack((0..SLOTS).map(|_| SlotConfig::effect("eq3band")).collect());
    let audio = at_lufs(clean(), -20.0);
    let (findings, measurements) = findings_through(&full, &audio);
    let s = suggest(&findings, &measurements, &full, SLOTS, &Context::default())
        .into_iter()
        .find(|s| s.finding == Some(FindingKind::LoudnessOffTarget))
        .expect("loudness");
    assert!(s.parameters.is_none());
    assert!(s.unavailable.as_deref().unwrap().contains("the rack is full"), "{:?}", s.unavailable);

    let one = rack(vec![SlotConfig::effect("compressor")]);
    let set = |parameter: &str, value| {
        RackChange::new(vec![Edit::SetParameter { slot: 1, parameter: parameter.into(), value }])
    };
    let e = set("ratio", 50.0).apply(&one, SLOTS).unwrap_err();
    assert_eq!(e.field, "edits[0].value");
    assert!(e.message.contains("ratio"), "{e}");
    let e = set("input_db", 30.0).apply(&one, SLOTS).unwrap_err();
    assert!(e.message.contains("input_db"), "{e}");
    let insert = RackChange::new(vec![Edit::InsertEffect {
        slot: 1,
        place: Place::Last,
        config: SlotConfig::effect("limiter"),
    }]);
    assert!(insert.apply(&one, SLOTS).unwrap_err().message.contains("already holds compressor"));
    let e = RackChange::new(vec![Edit::SetParameter { slot: 9, parameter: "mix".into(), value: 0.5 }])
        .apply(&one, SLOTS)
        .unwrap_err();
    assert_eq!(e.field, "edits[0].slot");
    let route = codette_dsp::modulation::Route {
        source: codette_dsp::modulation::Source::Lfo(0),
        target: "s1_no_such_parameter".into(),
        depth: 0.3,
        mapping: Default::default(),
        enabled: true,
    };
    let e = RackChange::new(vec![Edit::AddRoute { route }]).apply(&one, SLOTS).unwrap_err();
    assert!(e.field.starts_with("modulation.routes"), "{e}");
    // The document passed in is never touched, and a valid change gives the new one.
    let ok = set("ratio", 2.0).apply(&one, SLOTS).unwrap();
    assert_eq!(ok.slots[0].parameters["ratio"], 2.0);
    assert!(one.slots[0].parameters.is_empty());
}

/// White noise (whose power follows the bandwidth, ±3 dB for an octave) through a low-pass at
/// 1 kHz: the synced sweep makes the output's level rise
/// and fall once per half note, so its envelope correlates with itself a
/// cycle later and anti-correlates half a cycle later; without the sweep it stays flat.
#[test]
fn a_tempo_synced_sweep_on_a_filter() {
    let lowpass = SlotConfig::effect("highlow_pass")
        .with("filter_type", 1.0)
        .with("cutoff_freq", 1000.0)
        .with("order", 2.0);
    let preset = rack(vec![lowpass]);
    let mut noise = Noise::new(11);
    let white: Vec<f32> = (0..8 * SR as usize).map(|_| 0.3 * noise.next()).collect();
    let audio = (white.clone(), white);
    let (findings, measurements) = findings_through(&preset, &audio);
    let s = suggest(&findings, &measurements, &preset, SLOTS, &Context::default())
        .into_iter()
        .find(|s| s.id == "sweep_filter_s1")
        .expect("a sweep for the filter in slot 1");
    let swept = s.parameters.unwrap().apply(&preset, SLOTS).unwrap();
    // At 60 bpm a half note lasts 2 s (an LFO left at its free 1 Hz would cycle twice as
    // often).
    let envelope = |preset: &Preset| -> Vec<f64> {
        let (l, _) = render_preset(preset, SLOTS, SR, 60.0, (&audio.0, &audio.1), &|| true).unwrap().unwrap();
        l.chunks(4800).map(|c| 10.0 * c.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().log10()).collect()
    };
    // Levels in dB over windows of 100 ms: 20 per cycle.
    let correlation = |e: &[f64], lag: usize| {
        let (a, b) = (&e[..e.len() - lag], &e[lag..]);
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        let (ma, mb) = (mean(a), mean(b));
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let var = |x: &[f64], m: f64| x.iter().map(|v| (v - m).powi(2)).sum::<f64>();
        cov / (var(a, ma) * var(b, mb)).sqrt()
    };
    let moving = envelope(&swept);
    assert!(correlation(&moving, 20) > 0.8, "one cycle later: {}", correlation(&moving, 20));
    assert!(correlation(&moving, 10) < -0.5, "half a cycle later: {}", correlation(&moving, 10));
    let still = envelope(&preset);
    let spread =
        |e: &[f64]| e.iter().cloned().fold(f64::MIN, f64::max) - e.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread(&moving) > 3.0 * spread(&still), "{} vs {}", spread(&moving), spread(&still));
}
