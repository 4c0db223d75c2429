//! Auto-mix on deliberately unbalanced tracks: one 12 dB too loud, two fighting in the mids,
//! one spilling into the band of another. The suggestions are applied here with the rack's own
//! EQ and the mixdown's pan law written out again, and the result is measured independently:
//! loudness with the `ebur128` crate on each placed track, masking from FFT band energies.

use codette_assistant::automix::{auto_mix, TrackInput, TrackSuggestion};
use codette_dsp::analysis::BANDS;
use codette_dsp::chain::build_rack;
use ebur128::{EbuR128, Mode};
use rustfft::{num_complex::Complex, FftPlanner};

const RATE: u32 = 48_000;
const SECONDS: f64 = 4.0;

/// Partials at `freqs`, each of amplitude `amp`, with scattered phases so they do not peak
/// together.
fn partials(freqs: &[f64], amp: f64) -> Vec<f32> {
    let n = (SECONDS * RATE as f64) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / RATE as f64;
            freqs
                .iter()
                .enumerate()
                .map(|(k, f)| amp * (std::f64::consts::TAU * f * t + k as f64 * 2.4).sin())
                .sum::<f64>() as f32
        })
        .collect()
}

fn spaced(from: f64, to: f64, count: usize) -> Vec<f64> {
    (0..count).map(|k| from * (to / from).powf(k as f64 / (count - 1) as f64)).collect()
}

/// Left and right of a track placed by a suggestion (or as given): EQ, then fader and
/// equal-power pan θ = (pan + 1)·π/4.
fn place(audio: &[f32], s: Option<&TrackSuggestion>) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (audio.to_vec(), audio.to_vec());
    let (volume, pan) = s.map_or((0.0, 0.0), |s| (s.volume_db.to as f64, s.pan.to as f64));
    if let Some(eq) = s.and_then(|s| s.eq.as_ref()) {
        build_rack(std::slice::from_ref(eq), RATE as f32).unwrap().process(&mut l, &mut r);
    }
    let gain = 10f64.powf(volume / 20.0);
    let theta = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
    let (gl, gr) = ((gain * theta.cos()) as f32, (gain * theta.sin()) as f32);
    (l.iter().map(|x| x * gl).collect(), r.iter().map(|x| x * gr).collect())
}

fn loudness((l, r): &(Vec<f32>, Vec<f32>)) -> f64 {
    let mut meter = EbuR128::new(2, RATE, Mode::I).unwrap();
    meter.add_frames_planar_f32(&[l, r]).unwrap();
    meter.loudness_global().unwrap()
}

/// Energy per band of one side, by Parseval over the FFT bins inside each band.
fn bands(x: &[f32]) -> [f64; 6] {
    let mut buffer: Vec<Complex<f64>> = x.iter().map(|&v| Complex::new(v as f64, 0.0)).collect();
    FftPlanner::new().plan_fft_forward(buffer.len()).process(&mut buffer);
    let bin_hz = RATE as f64 / buffer.len() as f64;
    BANDS.map(|b| {
        let bins = (b.low_hz as f64 / bin_hz).ceil() as usize..(b.high_hz as f64 / bin_hz).ceil() as usize;
        bins.map(|k| buffer[k].norm_sqr()).sum::<f64>()
    })
}

/// With the tracks brought to the same loudness: the energy two tracks share in a band on a
/// side, summed over pairs, bands and sides, over the total energy.
fn masking(placed: &[(Vec<f32>, Vec<f32>)]) -> f64 {
    let energies: Vec<[[f64; 6]; 2]> = placed
        .iter()
        .map(|track| {
            let scale = 10f64.powf(-loudness(track) / 10.0);
            [bands(&track.0), bands(&track.1)].map(|side| side.map(|e| e * scale))
        })
        .collect();
    let total: f64 = energies.iter().flatten().flatten().sum();
    let mut shared = 0.0;
    for (i, a) in energies.iter().enumerate() {
        for b in &energies[i + 1..] {
            for side in 0..2 {
                shared += (0..6).map(|k| a[side][k].min(b[side][k])).sum::<f64>();
            }
        }
    }
    shared / total
}

fn spread(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::MIN, f64::max) - values.iter().copied().fold(f64::MAX, f64::min)
}

#[test]
fn unbalanced_tracks_come_back_toward_balance() {
    let bass = partials(&[55.0, 82.5, 110.0, 165.0], 0.12);
    let keys = partials(&spaced(560.0, 1700.0, 6), 0.05);
    // Twelve partials in the presence band, each 12 dB hotter than it needs to be.
    let lead = partials(&spaced(2300.0, 5500.0, 12), 0.04 * 4.0);
    // A pad in the keys' band, spilling into the lead's.
    let pad = [partials(&spaced(620.0, 1800.0, 7), 0.04), partials(&spaced(2500.0, 5200.0, 5), 0.03)];
    let pad: Vec<f32> = pad[0].iter().zip(&pad[1]).map(|(a, b)| a + b).collect();
    let audio = [("bass", &bass), ("keys", &keys), ("lead", &lead), ("pad", &pad)];

    let inputs: Vec<TrackInput> = audio
        .iter()
        .map(|(name, a)| TrackInput { name: name.to_string(), left: a, right: a, volume_db: 0.0, pan: 0.0 })
        .collect();
    let mix = auto_mix(&inputs, RATE as f32);

    let before: Vec<_> = audio.iter().map(|(_, a)| place(a, None)).collect();
    let after: Vec<_> = audio.iter().zip(&mix.tracks).map(|((_, a), s)| place(a, Some(s))).collect();
    let loud_before: Vec<f64> = before.iter().map(loudness).collect();
    let loud_after: Vec<f64> = after.iter().map(loudness).collect();
    let (mask_before, mask_after) = (masking(&before), masking(&after));
    println!("loudness before {loud_before:.2?} after {loud_after:.2?}; masking {mask_before:.4} → {mask_after:.4}");
    for t in &mix.tracks {
        println!("{}: {:?} {:?} {:?}\n  {}", t.name, t.volume_db, t.pan, t.eq, t.reasons.join("\n  "));
    }

    assert!(spread(&loud_before) > 11.0, "the test's tracks are unbalanced: {loud_before:?}");
    assert!(spread(&loud_after) < 1.0, "balanced to within 1 LU: {loud_after:?}");
    assert!(mask_after < 0.6 * mask_before, "masking {mask_before} → {mask_after}");
    // The report's own figures agree with the independent measurement.
    assert!((mix.before.loudness_spread_lu as f64 - spread(&loud_before)).abs() < 0.2);
    assert!((mix.after.loudness_spread_lu as f64 - spread(&loud_after)).abs() < 0.2);
    assert!(mix.after.masking < mix.before.masking);

    // The moves themselves: the lead comes down by about its 12 dB excess, the pad is cut in
    // the lead's band, the keys and the pad, which share the mids, are panned apart.
    let [bass_s, keys_s, lead_s, pad_s] = [0, 1, 2, 3].map(|i| &mix.tracks[i]);
    assert!(
        lead_s.volume_db.to - keys_s.volume_db.to < -10.0,
        "{:?} {:?}",
        lead_s.volume_db,
        keys_s.volume_db
    );
    let eq = pad_s.eq.as_ref().expect("the pad is cut where the lead lives");
    assert_eq!(eq.parameters["mid_freq"], (2000.0f32 * 6000.0).sqrt().round());
    assert!(eq.parameters["mid_gain"] <= -3.0);
    assert!(keys_s.pan.to * pad_s.pan.to < 0.0, "{:?} {:?}", keys_s.pan, pad_s.pan);
    assert_eq!(bass_s.pan.to, 0.0, "the low end stays centred");
    assert!(mix.tracks.iter().all(|t| !t.reasons.is_empty()));
}

#[test]
fn a_balanced_mix_without_conflicts_is_left_alone() {
    let bass = partials(&[55.0, 82.5, 110.0], 0.1);
    let keys = partials(&spaced(600.0, 1600.0, 4), 0.05);
    // Bring the keys to the bass's loudness, measured here.
    let gain = loudness(&place(&bass, None)) - loudness(&place(&keys, None));
    let keys: Vec<f32> = keys.iter().map(|x| x * 10f64.powf(gain / 20.0) as f32).collect();
    let inputs = [("bass", &bass), ("keys", &keys)].map(|(name, a)| TrackInput {
        name: name.into(),
        left: a,
        right: a,
        volume_db: 0.0,
        pan: 0.0,
    });
    let mix = auto_mix(&inputs, RATE as f32);
    for t in &mix.tracks {
        assert!(t.eq.is_none() && t.pan.to == 0.0, "{t:?}");
        assert!(t.volume_db.to.abs() <= 0.2, "{t:?}");
    }
    assert!(mix.before.masking < 0.02, "{:?}", mix.before);
}
