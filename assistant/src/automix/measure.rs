//! What auto-mix measures of a track as it sits in the mix: its integrated loudness, and its
//! energy in each band of the tonal balance on each side, which is where tracks mask each other.

use codette_dsp::analysis::{Analyzer, BANDS, FLOOR_DB};
use codette_dsp::chain::{build_rack, SlotConfig};

/// Mean-square energy per side (left, right) and band ([`BANDS`]).
pub type Energies = [[f64; 6]; 2];

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackMeasure {
    /// Integrated loudness in LUFS, [`FLOOR_DB`] for silence.
    pub loudness: f32,
    pub energies: Energies,
}

impl TrackMeasure {
    pub fn silent(&self) -> bool {
        self.loudness <= FLOOR_DB
    }
}

/// Equal-power pan with the fader, as the mixdown applies it per side: θ = (pan + 1)·π/4,
/// left cos θ, right sin θ, times the volume.
pub fn pan_gains(volume_db: f32, pan: f32) -> (f32, f32) {
    let gain = 10f64.powf(volume_db as f64 / 20.0);
    let theta = (pan as f64 + 1.0) * std::f64::consts::FRAC_PI_4;
    ((gain * theta.cos()) as f32, (gain * theta.sin()) as f32)
}

/// The track through `eq` (if any), at `volume_db` and `pan`, as the mix hears it.
pub fn placed(
    left: &[f32],
    right: &[f32],
    sample_rate: f32,
    eq: Option<&SlotConfig>,
    volume_db: f32,
    pan: f32,
) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    if let Some(eq) = eq {
        // The EQ is validated where it is made; a rack of one EQ has no latency.
        if let Ok(mut rack) = build_rack(std::slice::from_ref(eq), sample_rate) {
            rack.process(&mut l, &mut r);
        }
    }
    let (gl, gr) = pan_gains(volume_db, pan);
    l.iter_mut().for_each(|x| *x *= gl);
    r.iter_mut().for_each(|x| *x *= gr);
    (l, r)
}

pub fn measure(left: &[f32], right: &[f32], sample_rate: f32) -> TrackMeasure {
    let mut analyzer = Analyzer::new(sample_rate);
    analyzer.push(left, right);
    TrackMeasure {
        loudness: analyzer.meters().lufs_integrated,
        energies: band_energies(left, right, sample_rate),
    }
}

/// Each band's energy through 4th-order Butterworth high- and low-pass filters at its edges
/// (the rack's own `highlow_pass`), on each side.
fn band_energies(left: &[f32], right: &[f32], sample_rate: f32) -> Energies {
    let nyquist = sample_rate / 2.0;
    let mut out = [[0.0; 6]; 2];
    for (b, band) in BANDS.iter().enumerate() {
        let edge = |kind: f32, hz: f32| {
            SlotConfig::effect("highlow_pass")
                .with("filter_type", kind)
                .with("cutoff_freq", hz)
                .with("order", 4.0)
        };
        let mut chain = vec![edge(0.0, band.low_hz)];
        if band.high_hz < 0.9 * nyquist {
            chain.push(edge(1.0, band.high_hz));
        }
        let Ok(mut rack) = build_rack(&chain, sample_rate) else { continue };
        let (mut l, mut r) = (left.to_vec(), right.to_vec());
        rack.process(&mut l, &mut r);
        let frames = l.len().max(1) as f64;
        out[0][b] = l.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / frames;
        out[1][b] = r.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / frames;
    }
    out
}

/// A track's energies as if it played at 0 LUFS (silence stays silent): what the tracks share
/// once they are balanced, whatever their faders.
pub fn normalized(m: &TrackMeasure) -> Energies {
    let scale = if m.silent() { 0.0 } else { 10f64.powf(-m.loudness as f64 / 10.0) };
    m.energies.map(|side| side.map(|e| e * scale))
}

/// How much the tracks mask each other, with every track at the same loudness (so that the
/// measure is about where their energy lies, in frequency and between the sides; the balance of
/// levels is the loudness spread's business): over both sides and every band, the energy two
/// tracks share (the smaller of the pair's, summed over the pairs), over all the energy. 0 when
/// no two tracks meet in any band on any side; it falls as tracks are cut apart in frequency or
/// panned apart.
pub fn masking(measures: &[TrackMeasure]) -> f64 {
    let tracks: Vec<Energies> = measures.iter().map(normalized).collect();
    let total: f64 = tracks.iter().flatten().flatten().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let mut shared = 0.0;
    for (i, a) in tracks.iter().enumerate() {
        for b in &tracks[i + 1..] {
            shared += pair_overlap(a, b, None);
        }
    }
    shared / total
}

/// The energy two tracks share on both sides, in one band or (with `None`) in all.
pub fn pair_overlap(a: &Energies, b: &Energies, band: Option<usize>) -> f64 {
    let bands = band.map_or(0..6, |k| k..k + 1);
    (0..2)
        .flat_map(|side| bands.clone().map(move |k| (side, k)))
        .map(|(side, k)| a[side][k].min(b[side][k]))
        .sum()
}
