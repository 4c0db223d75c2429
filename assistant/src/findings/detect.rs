//! The detectors: each compares one or two measures with a threshold and, past it, says so
//! with the numbers.

use super::{Context, Evidence, Finding, FindingKind};
use crate::delivery::{turn_downs, Delivery};
use crate::measurements::Measurements;
use crate::reference::Reference;
use codette_dsp::analysis::{MeterReading, RangeBalance, TonalBalance, FLOOR_DB};

/// How far above the genre's reference a band must be before it is a problem (mud, harshness),
/// and below it for dullness: wider than the spread of the references themselves, so a mix
/// that suits one genre is not flagged for another's taste.
const BAND_EXCESS_DB: f32 = 4.0;
const DULL_DEFICIT_DB: f32 = 6.0;
/// Sub-bass this far above the reference is rumble (or an unfiltered low end).
const RUMBLE_EXCESS_DB: f32 = 6.0;
/// Correlation below which the channels partly cancel in mono (a mono downmix loses more than
/// 4.5 dB of a two-channel signal with equal levels: width above 1.2).
const PHASE_CORRELATION: f32 = -0.2;
/// Correlation below which the image is mostly side: wide, hollow in the centre.
const WIDE_CORRELATION: f32 = 0.15;
/// Width below which a stereo mix is in effect mono (correlation above 0.98).
const NARROW_WIDTH: f32 = 0.02;

/// Every finding the measurements show, in the order of [`FindingKind::ALL`]. Silence (no
/// integrated loudness) shows none: there is nothing to judge.
pub fn detect(measurements: &Measurements, context: &Context) -> Vec<Finding> {
    let m = &measurements.meters;
    if m.lufs_integrated <= FLOOR_DB {
        return Vec::new();
    }
    let reference = Reference::for_genre(context.genre);
    let delivery = context.delivery();
    let mut findings: Vec<Finding> = [
        loudness(m, delivery),
        true_peak(m, delivery),
        clipping(m, measurements.clipped_runs),
        over_compressed(m, &reference),
        too_dynamic(m, &reference),
        stereo(m),
    ]
    .into_iter()
    .chain(BAND_CHECKS.iter().map(|check| band(m, &reference, check)))
    .flatten()
    .collect();
    findings.sort_by_key(|f| f.id);
    findings
}

/// 0.5 just past the threshold, rising to 0.95 at `scale` past it.
fn severity(excess: f32, scale: f32) -> f32 {
    0.5 + 0.45 * (excess / scale).clamp(0.0, 1.0)
}

fn finding(
    id: FindingKind,
    title: &str,
    description: String,
    evidence: Vec<Evidence>,
    excess: f32,
    scale: f32,
) -> Finding {
    Finding { id, title: title.to_string(), description, evidence, excess, severity: severity(excess, scale) }
}

fn loudness(m: &MeterReading, delivery: Delivery) -> Option<Finding> {
    let target = delivery.target_lufs();
    let tolerance = delivery.tolerance_lu();
    let off = m.lufs_integrated - target;
    let excess = off.abs() - tolerance;
    if excess <= 0.0 {
        return None;
    }
    let comparison = format!("target ± {tolerance}");
    let mut evidence = vec![Evidence::new("lufs_integrated", m.lufs_integrated, target, "LUFS", &comparison)];
    if delivery == Delivery::Streaming {
        for t in turn_downs(m.lufs_integrated) {
            let metric = format!("{}_turn_down_db", t.platform.to_lowercase().replace(' ', "_"));
            let note = format!("reference {} LUFS", t.reference_lufs);
            evidence.push(Evidence::new(&metric, t.turn_down_db, 0.0, "dB", &note));
        }
    }
    let direction = if off > 0.0 { "louder" } else { "quieter" };
    let description = format!(
        "Integrated loudness is {:.1} LUFS, {:.1} LU {direction} than the {} target of {target} LUFS.",
        m.lufs_integrated,
        off.abs(),
        delivery.id()
    );
    Some(finding(FindingKind::LoudnessOffTarget, "Loudness off target", description, evidence, excess, 6.0))
}

fn true_peak(m: &MeterReading, delivery: Delivery) -> Option<Finding> {
    let ceiling = delivery.ceiling_dbtp();
    let excess = m.true_peak_dbtp - ceiling;
    (excess > 0.0).then(|| {
        let description = format!(
            "True peak reaches {:.1} dBTP, above the {ceiling} dBTP ceiling for {}: lossy encoding and \
             converters will clip it.",
            m.true_peak_dbtp,
            delivery.id()
        );
        let evidence = vec![Evidence::new("true_peak_dbtp", m.true_peak_dbtp, ceiling, "dBTP", "at most")];
        finding(FindingKind::TruePeakOver, "True-peak overs", description, evidence, excess, 3.0)
    })
}

/// From the samples when there are any (runs of full-scale samples), else from the meters: a
/// sample peak at full scale.
fn clipping(m: &MeterReading, clipped_runs: Option<u64>) -> Option<Finding> {
    let (evidence, excess) = match clipped_runs {
        Some(runs) => (Evidence::new("clipped_runs", runs as f32, 0.0, "runs", "at most"), runs as f32),
        None => {
            let excess = m.peak_dbfs + 0.01;
            (Evidence::new("peak_dbfs", m.peak_dbfs, -0.01, "dBFS", "below"), excess)
        }
    };
    (excess > 0.0).then(|| {
        let description = format!(
            "The signal is clipped: {} {} at full scale ({}). Clipped crests cannot be restored \
             downstream; lower the level where the clipping happens.",
            evidence.measured, evidence.unit, evidence.metric
        );
        finding(FindingKind::Clipping, "Clipping", description, vec![evidence], excess, 10.0)
    })
}

/// A band of the tonal balance, or a range of the range balance, judged against the genre's
/// reference: too much of it (`sign` 1) or too little (`sign` -1), past `threshold` dB.
struct BandCheck {
    kind: FindingKind,
    title: &'static str,
    /// Where `read` looks in the API's meters.
    metric: &'static str,
    range: &'static str,
    read: fn(&TonalBalance, &RangeBalance) -> f32,
    sign: f32,
    threshold: f32,
    /// Why it matters, for the description.
    why: &'static str,
}

const BAND_CHECKS: [BandCheck; 4] = [
    BandCheck {
        kind: FindingKind::Rumble,
        title: "Low-end rumble",
        metric: "tonal_balance.sub",
        range: "20-60 Hz",
        read: |t, _| t.sub,
        sign: 1.0,
        threshold: RUMBLE_EXCESS_DB,
        why: "energy below the music's lowest notes eats headroom and muddies playback on large systems",
    },
    BandCheck {
        kind: FindingKind::Mud,
        title: "Mud",
        metric: "range_balance.hz_200_500",
        range: "200-500 Hz",
        read: |_, r| r.hz_200_500,
        sign: 1.0,
        threshold: BAND_EXCESS_DB,
        why: "the low mids cloud the mix and mask the vocals and the bass",
    },
    BandCheck {
        kind: FindingKind::Harshness,
        title: "Harshness",
        metric: "range_balance.hz_2000_5000",
        range: "2-5 kHz",
        read: |_, r| r.hz_2000_5000,
        sign: 1.0,
        threshold: BAND_EXCESS_DB,
        why: "the ear is most sensitive here, and an excess tires it quickly",
    },
    BandCheck {
        kind: FindingKind::Dullness,
        title: "Dullness",
        metric: "tonal_balance.high",
        range: "6-20 kHz",
        read: |t, _| t.high,
        sign: -1.0,
        threshold: DULL_DEFICIT_DB,
        why: "the top octaves lack air and detail",
    },
];

fn band(m: &MeterReading, reference: &Reference, check: &BandCheck) -> Option<Finding> {
    let measured = (check.read)(&m.tonal_balance, &m.range_balance);
    let target = (check.read)(&reference.tonal_balance, &reference.range_balance);
    let excess = check.sign * (measured - target) - check.threshold;
    (excess > 0.0 && measured > FLOOR_DB).then(|| {
        let genre = reference.genre.map_or("a generic mix".to_string(), |g| format!("{} mixes", g.id()));
        let side = if check.sign > 0.0 { "above" } else { "below" };
        let description = format!(
            "The {} band reads {measured:.1} dB against pink noise, {:.1} dB {side} the reference for {genre} \
             ({target:.1} dB): {}.",
            check.range,
            (measured - target).abs(),
            check.why
        );
        let comparison = format!("no more than {:.1} dB {side} the reference", check.threshold);
        let evidence = vec![Evidence::new(check.metric, measured, target, "dB vs pink", &comparison)];
        finding(check.kind, check.title, description, evidence, excess, check.threshold)
    })
}

fn over_compressed(m: &MeterReading, reference: &Reference) -> Option<Finding> {
    let excess = reference.min_plr_db - m.plr_db;
    (excess > 0.0).then(|| {
        let description = format!(
            "The peak-to-loudness ratio is {:.1} dB, below the {:.0} dB a master of this genre keeps: \
             transients are flattened, and the platforms' normalisation will make it sound smaller than \
             more dynamic tracks.",
            m.plr_db, reference.min_plr_db
        );
        let evidence = vec![
            Evidence::new("plr_db", m.plr_db, reference.min_plr_db, "dB", "at least"),
            Evidence::new("crest_db", m.crest_db, reference.min_plr_db, "dB", "at least"),
        ];
        finding(FindingKind::OverCompressed, "Over-compressed", description, evidence, excess, 4.0)
    })
}

fn too_dynamic(m: &MeterReading, reference: &Reference) -> Option<Finding> {
    let excess = m.loudness_range_lu - reference.max_lra_lu;
    (excess > 0.0).then(|| {
        let description = format!(
            "The loudness range is {:.1} LU, more than the {:.0} LU of the genre: quiet passages will \
             disappear under playback noise, or loud ones will be too loud.",
            m.loudness_range_lu, reference.max_lra_lu
        );
        let evidence = vec![Evidence::new(
            "loudness_range_lu",
            m.loudness_range_lu,
            reference.max_lra_lu,
            "LU",
            "at most",
        )];
        finding(FindingKind::TooDynamic, "Too much dynamic range", description, evidence, excess, 8.0)
    })
}

/// The stereo image: one of phase problems, too wide or too narrow (they exclude each other).
/// The mono downmix (L+R)/2 keeps 1 - width/2 of the channels' mean power.
fn stereo(m: &MeterReading) -> Option<Finding> {
    let mono_loss_db = -10.0 * (1.0 - m.width / 2.0).max(1e-6).log10();
    let loss = Evidence::new("mono_downmix_loss_db", mono_loss_db, 3.0, "dB", "at most");
    if m.correlation < PHASE_CORRELATION {
        let description = format!(
            "Correlation is {:.2}: the channels are partly in opposite phase, and a mono downmix \
             (phones, club systems, broadcasts) loses {mono_loss_db:.1} dB and whatever is panned centre.",
            m.correlation
        );
        let evidence =
            vec![Evidence::new("correlation", m.correlation, PHASE_CORRELATION, "", "at least"), loss];
        let excess = PHASE_CORRELATION - m.correlation;
        return Some(finding(
            FindingKind::PhaseProblem,
            "Phase / mono compatibility",
            description,
            evidence,
            excess,
            0.5,
        ));
    }
    if m.correlation < WIDE_CORRELATION {
        let description = format!(
            "Correlation is {:.2} and width {:.2}: the side signal dominates, the centre is hollow and \
             the image falls apart on speakers far apart or in mono.",
            m.correlation, m.width
        );
        let evidence =
            vec![Evidence::new("correlation", m.correlation, WIDE_CORRELATION, "", "at least"), loss];
        let excess = WIDE_CORRELATION - m.correlation;
        return Some(finding(FindingKind::TooWide, "Too wide", description, evidence, excess, 0.35));
    }
    (m.width < NARROW_WIDTH).then(|| {
        let description = format!(
            "Width is {:.3} (correlation {:.3}): the mix is in effect mono; nothing uses the space \
             between the speakers.",
            m.width, m.correlation
        );
        let evidence = vec![Evidence::new("width", m.width, NARROW_WIDTH, "", "at least")];
        finding(
            FindingKind::TooNarrow,
            "Too narrow",
            description,
            evidence,
            NARROW_WIDTH - m.width,
            NARROW_WIDTH,
        )
    })
}
