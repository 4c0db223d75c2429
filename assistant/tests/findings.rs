//! Each finding on a synthesized signal that has the flaw, and none on one without flaws.

mod common;

use codette_assistant::{detect, Context, Delivery, FindingKind, Genre};
use codette_dsp::chain::SlotConfig;
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
    use codette_assistant::Measurements;
    let audio = clean();
    let live =
        |m| detect(&Measurements::live(m), &Context::default()).into_iter().map(|f| f.id).collect::<Vec<_>>();
    assert!(!live(meters(&audio)).contains(&FindingKind::Clipping));
    let clipped = map(gain(audio, 9.0), |x| x.clamp(-1.0, 1.0));
    assert!(live(meters(&clipped)).contains(&FindingKind::Clipping));
}
