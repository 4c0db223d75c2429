//! Each finding on a synthesized signal that has the flaw, and none on one without flaws.

mod common;

use codette_assistant::{
    detect, suggest, Context, Delivery, Finding, FindingKind, Genre, Measurements, Reference,
};
use codette_dsp::analysis::Analyzer;
use codette_dsp::chain::SlotConfig;
use codette_dsp::preset::Preset;
use codette_dsp::rack::SLOT_COUNT;
use common::*;

fn findings(audio: &Stereo, context: &Context) -> Vec<FindingKind> {
    detect(&measure(audio), context).into_iter().map(|f| f.id).collect()
}

fn assert_finds(kind: FindingKind, audio: &Stereo) {
    let found = findings(audio, &Context::default());
    assert!(found.contains(&kind), "{kind:?} not found; found {found:?} in {:?}", meters(audio));
}

#[test]
fn a_clean_mix_shows_no_finding_for_any_genre() {
    let audio = clean();
    for genre in std::iter::once(None).chain(Genre::ALL.map(Some)) {
        let found = findings(&audio, &Context { genre, delivery: None });
        assert!(found.is_empty(), "{genre:?}: {found:?} in {:?}", meters(&audio));
    }
}

#[test]
fn loudness_off_target_for_each_delivery_with_the_platforms_turn_down() {
    let audio = clean();
    let context = |d| Context { delivery: Some(d), genre: None };
    assert!(!findings(&audio, &context(Delivery::Streaming)).contains(&FindingKind::LoudnessOffTarget));
    for delivery in [Delivery::Club, Delivery::Broadcast, Delivery::Podcast] {
        assert!(
            findings(&audio, &context(delivery)).contains(&FindingKind::LoudnessOffTarget),
            "{delivery:?}"
        );
    }
    let loud = gain(audio, 6.0);
    let found = detect(&measure(&loud), &Context::default());
    let finding = found.iter().find(|f| f.id == FindingKind::LoudnessOffTarget).expect("found");
    let evidence = |metric: &str| finding.evidence.iter().find(|e| e.metric == metric).unwrap().measured;
    assert!((evidence("lufs_integrated") + 8.0).abs() < 0.05);
    assert!((evidence("spotify_turn_down_db") - 6.0).abs() < 0.05);
    assert!((evidence("apple_music_turn_down_db") - 8.0).abs() < 0.05);
}

#[test]
fn true_peak_over() {
    let audio = clean();
    let tp = meters(&audio).true_peak_dbtp;
    assert_finds(FindingKind::TruePeakOver, &gain(audio, -0.5 - tp));
}

#[test]
fn clipping() {
    // 9 dB more and clipped at full scale: flattened crests, as a converter makes them.
    assert_finds(FindingKind::Clipping, &map(gain(clean(), 9.0), |x| x.clamp(-1.0, 1.0)));
}

#[test]
fn rumble() {
    let (l, r) = clean();
    let hum: Vec<f32> =
        (0..l.len()).map(|i| 0.3 * (std::f32::consts::TAU * 25.0 * i as f32 / SR).sin()).collect();
    let add = |x: Vec<f32>| x.iter().zip(&hum).map(|(a, b)| a + b).collect();
    assert_finds(FindingKind::Rumble, &(add(l), add(r)));
}

fn bell(freq: f32, gain: f32) -> SlotConfig {
    SlotConfig::effect("eq3band").with("mid_freq", freq).with("mid_gain", gain).with("mid_q", 1.0)
}

#[test]
fn mud() {
    assert_finds(FindingKind::Mud, &through(&[bell(350.0, 9.0)], clean()));
}

#[test]
fn harshness() {
    assert_finds(FindingKind::Harshness, &through(&[bell(3500.0, 9.0)], clean()));
}

#[test]
fn dullness() {
    let lowpass = SlotConfig::effect("highlow_pass")
        .with("filter_type", 1.0)
        .with("cutoff_freq", 3000.0)
        .with("order", 4.0);
    assert_finds(FindingKind::Dullness, &through(&[lowpass], clean()));
}

#[test]
fn over_compressed() {
    // Saturated without reaching full scale: no clipping, but the crests are gone.
    assert_finds(FindingKind::OverCompressed, &map(gain(clean(), 12.0), |x| 0.9 * x.tanh()));
}

#[test]
fn too_dynamic_for_the_genre() {
    // Five-second sections alternately 20 dB apart.
    let (l, r) = clean();
    let section = (5.0 * SR) as usize;
    let level = |i: usize| if (i / section).is_multiple_of(2) { 1.0 } else { 0.1 };
    let audio = (
        l.iter().enumerate().map(|(i, x)| x * level(i)).collect(),
        r.iter().enumerate().map(|(i, x)| x * level(i)).collect(),
    );
    assert_finds(FindingKind::TooDynamic, &audio);
    // Jazz allows more than pop: 20 LU is too much for both, 12 only for pop.
    let moderate = |i: usize| if (i / section).is_multiple_of(2) { 1.0 } else { 0.3 };
    let audio: Stereo = (
        l.iter().enumerate().map(|(i, x)| x * moderate(i)).collect(),
        r.iter().enumerate().map(|(i, x)| x * moderate(i)).collect(),
    );
    let lra = meters(&audio).loudness_range_lu;
    assert!((9.0..15.0).contains(&lra), "lra {lra}");
    let genre = |g| Context { genre: Some(g), delivery: None };
    assert!(findings(&audio, &genre(Genre::Pop)).contains(&FindingKind::TooDynamic));
    assert!(!findings(&audio, &genre(Genre::Jazz)).contains(&FindingKind::TooDynamic));
}

#[test]
fn phase_problem() {
    let (l, _) = clean();
    let (_, side) = stereo_pink(0.0, SECONDS, 7);
    let right = l.iter().zip(&side).map(|(x, s)| -0.9 * x + 0.2 * s).collect();
    assert_finds(FindingKind::PhaseProblem, &(l, right));
}

#[test]
fn too_wide() {
    assert_finds(FindingKind::TooWide, &at_lufs(stereo_pink(0.0, SECONDS, 3), -14.0));
}

#[test]
fn too_narrow() {
    let (l, _) = clean();
    assert_finds(FindingKind::TooNarrow, &(l.clone(), l));
}

/// Live meters see no samples: clipping is a sample peak at full scale in the meters' window.
#[test]
fn clipping_from_live_meters() {
    let audio = clean();
    let live =
        |m| detect(&Measurements::live(m), &Context::default()).into_iter().map(|f| f.id).collect::<Vec<_>>();
    assert!(!live(meters(&audio)).contains(&FindingKind::Clipping));
    let clipped = map(gain(audio, 9.0), |x| x.clamp(-1.0, 1.0));
    assert!(live(meters(&clipped)).contains(&FindingKind::Clipping));
}

/// `audio` with a sine at `freq` of the mix's own power in each channel: a narrow bump that
/// holds about half the power, so that a range holding it reads some 6 dB over pink and one
/// without it some 3 dB under.
fn with_tone((l, r): Stereo, freq: f32) -> Stereo {
    let add = |x: Vec<f32>| {
        let amplitude = (2.0 * x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
        let tone = (0..x.len()).map(|i| amplitude * (std::f32::consts::TAU * freq * i as f32 / SR).sin());
        x.iter().zip(tone).map(|(a, b)| a + b).collect()
    };
    (add(l), add(r))
}

/// The evidence `metric` of the finding `kind` in `found`.
fn evidence(found: &[Finding], kind: FindingKind, metric: &str) -> f32 {
    let finding = found.iter().find(|f| f.id == kind).unwrap_or_else(|| panic!("{kind:?} in {found:?}"));
    finding.evidence.iter().find(|e| e.metric == metric).expect("its evidence").measured
}

/// A bump at 220 Hz is mud (200-500 Hz), though the 250-500 Hz low-mid band does not see it:
/// from the whole programme, from the live meters, and the fix's bell sits on 200-500 Hz.
#[test]
fn a_bump_at_220_hz_is_mud() {
    let audio = with_tone(clean(), 220.0);
    let measurements = measure(&audio);
    let m = measurements.meters;
    let reference = Reference::for_genre(None);
    assert!(
        m.tonal_balance.low_mid - reference.tonal_balance.low_mid < 0.0,
        "the old band sees nothing: {m:?}"
    );
    let found = detect(&measurements, &Context::default());
    assert_eq!(
        evidence(&found, FindingKind::Mud, "range_balance.hz_200_500"),
        (m.range_balance.hz_200_500 * 100.0).round() / 100.0
    );

    let mut live = Analyzer::new(SR);
    for (l, r) in audio.0.chunks(512).zip(audio.1.chunks(512)) {
        live.push(l, r);
    }
    assert!(detect(&Measurements::live(live.meters()), &Context::default())
        .iter()
        .any(|f| f.id == FindingKind::Mud));

    // The bell: at √(200·500) ≈ 316 Hz, Q 316 / (500 - 200) ≈ 1.05.
    let suggestions = suggest(&found, &measurements, &Preset::new(""), SLOT_COUNT, &Context::default());
    let mud = suggestions.iter().find(|s| s.finding == Some(FindingKind::Mud)).expect("a fix");
    let rack = mud.parameters.as_ref().unwrap().apply(&Preset::new(""), SLOT_COUNT).unwrap();
    let eq = rack.slots.iter().find(|s| s.effect.as_deref() == Some("eq3band")).expect("an EQ");
    assert_eq!((eq.parameters["mid_freq"], eq.parameters["mid_q"]), (316.0, 1.05));
}

/// A bump at 3 kHz is harshness (2-5 kHz); one at 5.5 kHz is not, though it lies in the
/// 2-6 kHz high-mid band, which reads it well past the threshold.
#[test]
fn harshness_is_judged_on_2_to_5_khz() {
    let reference = Reference::for_genre(None);
    let context = Context::default();
    let at_3k = measure(&with_tone(clean(), 3000.0));
    let found = detect(&at_3k, &context);
    assert!(
        evidence(&found, FindingKind::Harshness, "range_balance.hz_2000_5000")
            > reference.range_balance.hz_2000_5000 + 4.0
    );

    let at_5k5 = measure(&with_tone(clean(), 5500.0));
    let m = at_5k5.meters;
    assert!(m.tonal_balance.high_mid - reference.tonal_balance.high_mid > 5.0, "the old band sees it: {m:?}");
    assert!(m.range_balance.hz_2000_5000 < reference.range_balance.hz_2000_5000, "{m:?}");
    assert!(!detect(&at_5k5, &context).iter().any(|f| f.id == FindingKind::Harshness));
}
