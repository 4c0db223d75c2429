//! Which tracks fight in which band, and the EQ cut or pan that separates them.

use super::measure::{normalized, pair_overlap, pan_gains, Energies, TrackMeasure};
use crate::band_bell;
use codette_dsp::analysis::BANDS;
use codette_dsp::chain::SlotConfig;

/// A conflict smaller than this share of the mix's energy is left alone.
const MIN_CONFLICT_SHARE: f64 = 0.02;
/// A band that holds at least this share of a track's energy is its core: not cut there.
const CORE_SHARE: f64 = 0.5;
/// How far the other track should lead in the band after a cut, in dB; cuts stay within 3..12.
const LEAD_DB: f64 = 6.0;
/// Pan position two centred tracks move to (each to one side).
const SPREAD: f32 = 0.5;
/// Correlation above which a stereo track is treated as mono (panning it keeps its loudness).
const MONO_CORRELATION: f64 = 0.99;

/// What auto-mix does to one track besides its volume.
pub struct Move {
    pub eq: Option<SlotConfig>,
    pub pan: f32,
    pub reasons: Vec<String>,
}

pub fn near_mono(left: &[f32], right: &[f32]) -> bool {
    let (mut ll, mut rr, mut lr) = (0.0f64, 0.0f64, 0.0f64);
    for (&l, &r) in left.iter().zip(right) {
        (ll, rr, lr) = (ll + (l * l) as f64, rr + (r * r) as f64, lr + (l * r) as f64);
    }
    ll == 0.0 || rr == 0.0 || lr / (ll * rr).sqrt() > MONO_CORRELATION
}

fn db(power: f64) -> f64 {
    10.0 * power.max(1e-30).log10()
}

/// The EQ section a band is cut with: 0 low shelf, 1 mid peak, 2 high shelf.
fn section(band: usize) -> usize {
    match band {
        0 | 1 => 0,
        5 => 2,
        _ => 1,
    }
}

fn eq_slot(cuts: &[(usize, f32)]) -> Option<SlotConfig> {
    if cuts.is_empty() {
        return None;
    }
    let mut eq = SlotConfig::effect("eq3band");
    for &(band, cut) in cuts {
        let b = BANDS[band];
        eq = match section(band) {
            0 => eq.with("low_gain", cut).with("low_freq", b.high_hz),
            2 => eq.with("high_gain", cut).with("high_freq", b.low_hz),
            _ => {
                let (centre, q) = band_bell(&b);
                eq.with("mid_gain", cut).with("mid_freq", centre).with("mid_q", q)
            }
        };
    }
    Some(eq)
}

/// The moves that separate the conflicting tracks, largest conflict first, judged with the
/// tracks at equal loudness, as they will be.
pub fn resolve(measures: &[TrackMeasure], names: &[&str], mono: &[bool], pans: &[f32]) -> Vec<Move> {
    let energies: Vec<Energies> = measures.iter().map(normalized).collect();
    let total: f64 = energies.iter().flatten().flatten().sum();
    let own: Vec<f64> = energies.iter().map(|e| e.iter().flatten().sum()).collect();
    let band_of = |k: usize, b: usize| energies[k][0][b] + energies[k][1][b];
    let mut conflicts = Vec::new();
    for i in 0..energies.len() {
        for j in i + 1..energies.len() {
            for b in 0..BANDS.len() {
                let share = pair_overlap(&energies[i], &energies[j], Some(b)) / total.max(1e-30);
                if share > MIN_CONFLICT_SHARE {
                    conflicts.push((share, i, j, b));
                }
            }
        }
    }
    conflicts.sort_by(|a, b| b.0.total_cmp(&a.0));

    let mut cuts: Vec<Vec<(usize, f32)>> = vec![Vec::new(); measures.len()];
    let mut moves: Vec<Move> = pans.iter().map(|&pan| Move { eq: None, pan, reasons: Vec::new() }).collect();
    let mut panned = vec![false; measures.len()];
    for (share, i, j, b) in conflicts {
        let band = BANDS[b];
        let part = |k: usize| band_of(k, b) / own[k].max(1e-30);
        let (k, other) = if part(i) <= part(j) { (i, j) } else { (j, i) };
        let what = format!(
            "{} ({}-{} Hz): {} and {} share {:.1} % of the mix's energy there",
            band.name,
            band.low_hz,
            band.high_hz,
            names[i],
            names[j],
            share * 100.0
        );
        let free = !cuts[k].iter().any(|&(c, _)| section(c) == section(b));
        if part(k) < CORE_SHARE && free {
            let lead = db(band_of(other, b)) - db(band_of(k, b));
            let cut = -(((LEAD_DB - lead).clamp(3.0, 12.0) * 2.0).round() / 2.0) as f32;
            cuts[k].push((b, cut));
            moves[k].reasons.push(format!(
                "{what}; the band is {:.0} % of {}'s energy but {:.0} % of {}'s: cut {cut} dB so that {} leads there by about {LEAD_DB} dB (now {lead:.1} dB)",
                part(k) * 100.0,
                names[k],
                part(other) * 100.0,
                names[other],
                names[other]
            ));
        } else if b >= 2
            && mono[i]
            && mono[j]
            && !panned[i]
            && !panned[j]
            && pans[i].abs() < 0.15
            && pans[j].abs() < 0.15
        {
            let (l, r) = pan_gains(0.0, SPREAD);
            let apart = 20.0 * (r / l).log10();
            for (track, side) in [(i, -SPREAD), (j, SPREAD)] {
                panned[track] = true;
                moves[track].pan = side;
                moves[track].reasons.push(format!(
                    "{what}, and it is the core of both ({:.0} % and {:.0} %): pan {} to {:+} and {} to {SPREAD:+}, so each side hears one {apart:.1} dB above the other (equal-power law); this track to {side:+}",
                    part(i) * 100.0,
                    part(j) * 100.0,
                    names[i],
                    -SPREAD,
                    names[j],
                ));
            }
        }
    }
    for (m, c) in moves.iter_mut().zip(&cuts) {
        m.eq = eq_slot(c);
    }
    moves
}
