//! What can be said about a topic from the measurements: each fact states what was measured,
//! with its numbers and the reference it is held against, and what to do about it, if
//! anything. Whether the tone, dynamics or image is a problem is left to the findings
//! (`crate::detect`), which the chat puts first with their suggestions; the facts here add the
//! numbers and, for loudness and peaks, what each delivery target makes of them. The
//! perspectives then phrase the same facts in their own styles.

use super::specs::{chain, describe, effect_advice};
use super::topics::Topic;
use crate::delivery::{limiter_threshold, Delivery};
use crate::templates::levels;
use codette_dsp::analysis::{MeterReading, FLOOR_DB};

/// The true-peak limit the peaks are held against: the streaming platforms' (and R 128's).
pub const TRUE_PEAK_LIMIT: f32 = Delivery::Streaming.ceiling_dbtp();

#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// What was measured, with its numbers.
    pub observation: String,
    /// A concrete change, with its values.
    pub advice: Option<String>,
    /// Whether the measurement is off its reference (a problem) rather than fine.
    pub concern: bool,
}

pub(super) fn fact(observation: String, advice: Option<String>, concern: bool) -> Fact {
    Fact { observation, advice, concern }
}

/// Facts about `topic` from `meters`.
pub fn facts(topic: Topic, m: &MeterReading) -> Vec<Fact> {
    if m.rms_dbfs <= FLOOR_DB && m.lufs_integrated <= FLOOR_DB {
        return match topic {
            // The specs and templates still answer; only the tuning has nothing to go on.
            Topic::Effect(spec) => vec![describe(spec)],
            Topic::Chain(instrument, genre) => chain(instrument, genre, None),
            _ => vec![fact(
                "the analysis has only heard silence so far (every level at the −144 dB floor)".into(),
                Some("play the track (or send its audio) so there is something to measure".into()),
                true,
            )],
        };
    }
    match topic {
        Topic::Loudness => loudness(m),
        Topic::Peaks => peaks(m),
        Topic::Dynamics => dynamics(m),
        Topic::Stereo => stereo(m),
        Topic::Tone => tone(m),
        Topic::GainStaging => gain_staging(m),
        Topic::Effect(spec) => effect_advice(spec, m),
        Topic::Chain(instrument, genre) => chain(instrument, genre, Some(m)),
        // The judgement of the whole is the findings'; this is what they were judged on.
        Topic::Overview => vec![fact(
            format!(
                "{:.1} LUFS integrated, true peak {:.1} dBTP, PLR {:.1} dB, correlation {:.2}",
                m.lufs_integrated, m.true_peak_dbtp, m.plr_db, m.correlation
            ),
            None,
            false,
        )],
    }
}

pub(super) fn loudness(m: &MeterReading) -> Vec<Fact> {
    let i = m.lufs_integrated;
    if i <= FLOOR_DB {
        let now = format!("no integrated loudness yet (short-term {:.1} LUFS)", m.lufs_short_term);
        return vec![fact(
            now,
            Some("play at least a few seconds above −70 LUFS, the meter's gate".into()),
            false,
        )];
    }
    let moves: Vec<String> = Delivery::ALL
        .iter()
        .map(|d| (d.id(), d.target_lufs()))
        .map(|(name, t)| match i - t {
            d if d > 0.0 => format!("{name} ({t} LUFS) turns it down {d:.1} dB"),
            d => format!("{name} ({t} LUFS) would need {:.1} dB more", -d),
        })
        .collect();
    let observation = format!("integrated loudness {i:.1} LUFS: {}", moves.join("; "));
    let streaming = Delivery::Streaming.target_lufs();
    let (advice, concern) = if i > streaming + 1.0 {
        let advice = format!(
            "the {:.1} dB above {streaming} LUFS is taken away again by the platforms, while the limiting that bought it stays: lower the limiter's input by that much, or keep it for a club master",
            i - streaming
        );
        (Some(advice), true)
    } else if i < streaming - 2.0 {
        let raise = streaming - i;
        let over = m.true_peak_dbtp + raise - TRUE_PEAK_LIMIT;
        let advice = if over > 0.0 {
            format!("raising it {raise:.1} dB to {streaming} LUFS would put the true peak at {:.1} dBTP: a limiter with its ceiling at {TRUE_PEAK_LIMIT} dB has to take {over:.1} dB off the peaks", m.true_peak_dbtp + raise)
        } else {
            format!("it can be raised {raise:.1} dB to {streaming} LUFS without limiting: the true peak would be {:.1} dBTP", m.true_peak_dbtp + raise)
        };
        (Some(advice), true)
    } else {
        (None, false)
    };
    vec![fact(observation, advice, concern)]
}

pub(super) fn peaks(m: &MeterReading) -> Vec<Fact> {
    let mut out = Vec::new();
    if m.peak_dbfs >= -0.01 {
        out.push(fact(
            format!(
                "the sample peak reaches {:.2} dBFS, full scale: the signal has probably clipped",
                m.peak_dbfs
            ),
            Some("lower the level before the clipping stage, then limit".into()),
            true,
        ));
    }
    let tp = m.true_peak_dbtp;
    let observation = format!("true peak {tp:.1} dBTP (sample peak {:.1} dBFS)", m.peak_dbfs);
    if tp > TRUE_PEAK_LIMIT {
        let advice = format!(
            "{:.1} dB over the {TRUE_PEAK_LIMIT} dBTP limit, where lossy encoding starts to clip: put a limiter last with its threshold at {} dB, under the {} dBTP ceiling for the peaks between samples",
            tp - TRUE_PEAK_LIMIT,
            limiter_threshold(TRUE_PEAK_LIMIT),
            TRUE_PEAK_LIMIT
        );
        out.push(fact(observation, Some(advice), true));
    } else {
        out.push(fact(
            format!("{observation}: {:.1} dB below the {TRUE_PEAK_LIMIT} dBTP limit", TRUE_PEAK_LIMIT - tp),
            None,
            false,
        ));
    }
    out
}

/// The dynamics as measured; whether they are squashed or too wide for the genre is the
/// findings' judgement against its reference, with the change that answers it.
fn dynamics(m: &MeterReading) -> Vec<Fact> {
    let observation = format!(
        "crest factor {:.1} dB (peak to RMS over the last 300 ms), PLR {:.1} dB (true peak to integrated loudness), loudness range {:.1} LU",
        m.crest_db, m.plr_db, m.loudness_range_lu
    );
    vec![fact(observation, None, false)]
}

/// The image as measured; whether it is a problem (out of phase, too wide, mono) is the
/// findings' judgement, with the suggestions that answer it.
fn stereo(m: &MeterReading) -> Vec<Fact> {
    let observation = format!(
        "correlation {:.2}, width {:.2} (0 mono, 1 unrelated channels, 2 anti-phase)",
        m.correlation, m.width
    );
    vec![fact(observation, None, false)]
}

/// The tonal balance as measured; which band is a problem (mud, harshness, dullness, rumble)
/// is the findings' judgement against the genre's reference, with the bell that answers it.
fn tone(m: &MeterReading) -> Vec<Fact> {
    let b = &m.tonal_balance;
    let observation = format!(
        "tonal balance against pink noise: sub {:+.1}, low {:+.1}, low-mid {:+.1}, mid {:+.1}, high-mid {:+.1}, high {:+.1} dB; spectral centroid {:.0} Hz",
        b.sub, b.low, b.low_mid, b.mid, b.high_mid, b.high, m.spectral_centroid_hz
    );
    vec![fact(observation, None, false)]
}

fn gain_staging(m: &MeterReading) -> Vec<Fact> {
    let observation = format!(
        "RMS {:.1} dBFS, {:+.1} dB from the −18 dBFS reference; peaks at {:.1} dBFS leave {:.1} dB of headroom",
        m.rms_dbfs,
        m.rms_dbfs - levels::ASSUMED_RMS_DBFS,
        m.peak_dbfs,
        -m.peak_dbfs
    );
    let off = m.rms_dbfs - levels::ASSUMED_RMS_DBFS;
    let advice = (off.abs() > 6.0).then(|| {
        format!("trim the input by {:+.1} dB so the effects see the level their defaults expect", -off)
    });
    let concern = advice.is_some();
    vec![fact(observation, advice, concern)]
}
