//! Tuning a template by the analysis: concrete values moved to what was measured, each move
//! with its rule and its numbers, so that the user can check it.
//!
//! The rules:
//! - **Compressor**: threshold = measured RMS + the template's distance above the RMS; makeup
//!   from the measured peak (see [`levels`]).
//! - **EQ**: a band of the tonal balance standing more than [`BUMP_TOLERANCE_DB`] above the
//!   mean of its two neighbours (low-mid: mud, high-mid: harshness) is cut, at the band's
//!   centre with a Q that spans it, by the part beyond the tolerance (at most 12 dB).
//! - **Limiter**: its true-peak ceiling follows the delivery target (−1 dBTP, or −2 dBTP when
//!   the target is louder than −14 LUFS, where lossy encoders overshoot more), its threshold
//!   set under it as the suggestions set theirs ([`limiter_threshold`]); the gain into it is
//!   the distance from the measured integrated loudness to the target.

use crate::band_bell;
use crate::delivery::{limiter_threshold, INTERSAMPLE_MARGIN_DB};
use crate::templates::levels::{self, half_db};
use crate::templates::{Role, Template};
use codette_dsp::analysis::{Band, MeterReading, TonalBalance, BANDS, FLOOR_DB};
use codette_dsp::chain::TRIM_RANGE_DB;
use serde::Serialize;

/// How far a band may stand above its neighbours before it counts as a bump to cut.
pub const BUMP_TOLERANCE_DB: f32 = 3.0;

/// The loudness target assumed for a master when none is given: the streaming platforms'.
pub const DEFAULT_TARGET_LUFS: f32 = -14.0;

/// One value the tuning changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    /// 1-based, as the rack numbers its slots.
    pub slot: usize,
    pub effect: String,
    /// A parameter id, or `input_db` for the slot's input trim.
    pub parameter: String,
    pub from: f32,
    pub to: f32,
    pub reason: String,
}

/// Tunes `template` in place to `meters` and returns what changed. A reading of silence
/// changes nothing: there is nothing to tune to.
pub fn tune(template: &mut Template, meters: &MeterReading, target_lufs: f32) -> Vec<Adjustment> {
    let mut changes = Vec::new();
    if meters.rms_dbfs <= FLOOR_DB {
        return changes;
    }
    if let Some(slot) = template.find(Role::Dynamics) {
        tune_compressor(template, slot, meters, &mut changes);
    }
    if let Some(slot) = template.find(Role::Tone) {
        tune_eq(template, slot, &meters.tonal_balance, &mut changes);
    }
    if let Some(slot) = template.find(Role::Ceiling) {
        tune_limiter(template, slot, meters, target_lufs, &mut changes);
    }
    changes
}

/// The ceiling for a delivery target (see the module's rules).
pub fn ceiling_for(target_lufs: f32) -> f32 {
    if target_lufs > DEFAULT_TARGET_LUFS {
        -2.0
    } else {
        -1.0
    }
}

fn set(
    template: &mut Template,
    slot: usize,
    parameter: &str,
    to: f32,
    reason: String,
    out: &mut Vec<Adjustment>,
) {
    let config = &mut template.slots[slot].config;
    let from = match parameter {
        "input_db" => std::mem::replace(&mut config.input_db, to),
        _ => config.parameters.insert(parameter.to_string(), to).unwrap_or(f32::NAN),
    };
    if from != to {
        let effect = config.effect.clone().unwrap_or_default();
        out.push(Adjustment { slot: slot + 1, effect, parameter: parameter.to_string(), from, to, reason });
    }
}

fn tune_compressor(template: &mut Template, slot: usize, meters: &MeterReading, out: &mut Vec<Adjustment>) {
    let params = &template.slots[slot].config.parameters;
    let (ratio, old_threshold) = (params["ratio"], params["threshold"]);
    let over = old_threshold - levels::threshold(levels::ASSUMED_RMS_DBFS, 0.0);
    let threshold = levels::threshold(meters.rms_dbfs, over);
    let reason = format!(
        "measured RMS {:.1} dBFS + {over} dB (the template's distance above the RMS) = {threshold} dB",
        meters.rms_dbfs
    );
    set(template, slot, "threshold", threshold, reason, out);
    let makeup = levels::makeup(meters.peak_dbfs, threshold, ratio);
    let reason = format!(
        "half the {:.1} dB the {ratio}:1 curve takes off the measured peak of {:.1} dBFS",
        (meters.peak_dbfs - threshold).max(0.0) * (1.0 - 1.0 / ratio),
        meters.peak_dbfs
    );
    set(template, slot, "makeup", makeup, reason, out);
}

/// A band of the tonal balance that stands out, and the cut that takes it back to the
/// tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bump {
    pub band: Band,
    /// dB above the mean of the two neighbouring bands.
    pub excess: f32,
    /// Geometric centre of the band, and a Q whose bandwidth is the band's.
    pub centre_hz: f32,
    pub q: f32,
    pub cut_db: f32,
}

/// The band (of low-mid and high-mid) that stands furthest above its neighbours, if beyond the
/// tolerance.
pub fn bump(balance: &TonalBalance) -> Option<Bump> {
    let db = [balance.sub, balance.low, balance.low_mid, balance.mid, balance.high_mid, balance.high];
    let (index, excess) = [2, 4]
        .into_iter()
        .filter(|&b| db[b - 1] > FLOOR_DB && db[b + 1] > FLOOR_DB && db[b] > FLOOR_DB)
        .map(|b| (b, db[b] - (db[b - 1] + db[b + 1]) / 2.0))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|&(_, excess)| excess > BUMP_TOLERANCE_DB)?;
    let band = BANDS[index];
    let (centre_hz, q) = band_bell(&band);
    let cut_db = -half_db(excess - BUMP_TOLERANCE_DB).min(12.0);
    Some(Bump { band, excess, centre_hz, q, cut_db })
}

fn tune_eq(template: &mut Template, slot: usize, balance: &TonalBalance, out: &mut Vec<Adjustment>) {
    let Some(Bump { band: b, excess, centre_hz, q, cut_db }) = bump(balance) else { return };
    let why = format!(
        "{} ({}-{} Hz) stands {excess:.1} dB above the mean of its neighbours in the tonal balance; \
         the cut takes it back to the {BUMP_TOLERANCE_DB} dB tolerance",
        b.name, b.low_hz, b.high_hz
    );
    set(template, slot, "mid_freq", centre_hz, format!("centre of {}: {why}", b.name), out);
    set(template, slot, "mid_q", q, format!("spans {} Hz", b.high_hz - b.low_hz), out);
    set(template, slot, "mid_gain", cut_db, why, out);
}

fn tune_limiter(
    template: &mut Template,
    slot: usize,
    meters: &MeterReading,
    target_lufs: f32,
    out: &mut Vec<Adjustment>,
) {
    let ceiling = ceiling_for(target_lufs);
    let threshold = limiter_threshold(ceiling);
    let reason = format!(
        "delivery target {target_lufs} LUFS: true peak kept at or below {ceiling} dBTP, the threshold {INTERSAMPLE_MARGIN_DB} dB under it for the peaks between samples"
    );
    set(template, slot, "threshold", threshold, reason, out);
    if meters.lufs_integrated > FLOOR_DB {
        let gain = half_db(target_lufs - meters.lufs_integrated).clamp(TRIM_RANGE_DB.0, TRIM_RANGE_DB.1);
        let reason = format!(
            "target {target_lufs} LUFS − measured {:.1} LUFS integrated; the limiter holds the peaks this gain pushes over the ceiling",
            meters.lufs_integrated
        );
        set(template, slot, "input_db", gain, reason, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Genre, Instrument};
    use codette_dsp::analysis::RangeBalance;
    use codette_dsp::modulation::matrix::MACRO_COUNT;
    use codette_dsp::rack::SLOT_COUNT;

    fn reading(rms: f32, peak: f32, lufs: f32, bands: [f32; 6]) -> MeterReading {
        let [sub, low, low_mid, mid, high_mid, high] = bands;
        let tonal_balance = TonalBalance { sub, low, low_mid, mid, high_mid, high };
        MeterReading {
            peak_dbfs: peak,
            true_peak_dbtp: peak,
            rms_dbfs: rms,
            lufs_momentary: lufs,
            lufs_short_term: lufs,
            lufs_integrated: lufs,
            loudness_range_lu: 5.0,
            crest_db: peak - rms,
            plr_db: peak - lufs,
            correlation: 1.0,
            width: 0.0,
            spectral_centroid_hz: 1000.0,
            tonal_balance,
            range_balance: RangeBalance::spread_from(&tonal_balance),
        }
    }

    fn param(t: &Template, role: Role, id: &str) -> f32 {
        t.slots[t.find(role).unwrap()].config.parameters[id]
    }

    /// To the nearest 0.5, written out again so the test does not share the code under test.
    fn steps(x: f32) -> f32 {
        (x * 2.0).round() / 2.0
    }

    #[test]
    fn compressor_follows_the_measured_rms_and_peak() {
        let mut t = Template::new(Instrument::Vocals, Genre::Pop);
        // Pop sits 4 dB above the RMS, ratio 4.
        let changes = tune(&mut t, &reading(-23.3, -9.2, -22.0, [0.0; 6]), DEFAULT_TARGET_LUFS);
        let threshold = steps(-23.3 + 4.0);
        assert_eq!(param(&t, Role::Dynamics, "threshold"), threshold);
        assert_eq!(threshold, -19.5);
        let makeup = steps((-9.2 - threshold) * (1.0 - 1.0 / 4.0) / 2.0);
        assert_eq!(param(&t, Role::Dynamics, "makeup"), makeup);
        assert!(changes
            .iter()
            .any(|c| c.parameter == "threshold" && c.slot == 3 && c.reason.contains("-23.3")));
        // Jazz sits 8 dB above, ratio 2.
        let mut t = Template::new(Instrument::Keys, Genre::Jazz);
        tune(&mut t, &reading(-30.0, -12.0, -28.0, [0.0; 6]), DEFAULT_TARGET_LUFS);
        assert_eq!(param(&t, Role::Dynamics, "threshold"), -22.0);
    }

    #[test]
    fn eq_cuts_the_band_that_stands_out_by_its_excess() {
        let mut t = Template::new(Instrument::MixBus, Genre::Rock);
        // low-mid 8 dB against neighbours at 1 dB: excess 7, cut 7 − 3 = 4 dB at √(250·500) Hz.
        let changes = tune(&mut t, &reading(-16.0, -3.0, -14.0, [0.0, 1.0, 8.0, 1.0, 0.0, -2.0]), -14.0);
        assert_eq!(param(&t, Role::Tone, "mid_gain"), -4.0);
        assert_eq!(param(&t, Role::Tone, "mid_freq"), (250.0f32 * 500.0).sqrt().round());
        assert!((param(&t, Role::Tone, "mid_q") - 354.0 / 250.0).abs() < 0.01);
        assert!(changes.iter().any(|c| c.parameter == "mid_gain" && c.reason.contains("7.0 dB")));
        // Harshness: high-mid 6 dB above mid and high at 0: cut 3 dB at √(2000·6000) Hz.
        let mut t = Template::new(Instrument::Vocals, Genre::Pop);
        tune(&mut t, &reading(-16.0, -3.0, -14.0, [-5.0, 0.0, 1.0, 0.0, 6.0, 0.0]), -14.0);
        assert_eq!(param(&t, Role::Tone, "mid_gain"), -3.0);
        assert_eq!(param(&t, Role::Tone, "mid_freq"), (2000.0f32 * 6000.0).sqrt().round());
        // Within the tolerance (pink noise, a 2 dB bump): the template's mid band stays.
        for bands in [[0.0; 6], [0.0, 0.0, 2.0, 0.0, 0.0, 0.0]] {
            let mut t = Template::new(Instrument::Vocals, Genre::Pop);
            let changes = tune(&mut t, &reading(-16.0, -3.0, -14.0, bands), -14.0);
            assert!(changes.iter().all(|c| !c.parameter.starts_with("mid_")), "{changes:?}");
            assert_eq!(param(&t, Role::Tone, "mid_gain"), -2.0);
        }
    }

    #[test]
    fn limiter_follows_the_delivery_target() {
        let mut t = Template::new(Instrument::Master, Genre::Pop);
        tune(&mut t, &reading(-24.0, -6.0, -20.2, [0.0; 6]), -14.0);
        let slot = &t.slots[t.find(Role::Ceiling).unwrap()].config;
        assert_eq!(slot.parameters["threshold"], -1.0 - INTERSAMPLE_MARGIN_DB);
        assert_eq!(slot.input_db, steps(-14.0 - -20.2));
        // A club master louder than −14 LUFS: −2 dBTP.
        let mut t = Template::new(Instrument::Master, Genre::Electronic);
        tune(&mut t, &reading(-12.0, -1.0, -11.0, [0.0; 6]), -8.0);
        let slot = &t.slots[t.find(Role::Ceiling).unwrap()].config;
        assert_eq!(slot.parameters["threshold"], -2.0 - INTERSAMPLE_MARGIN_DB);
        assert_eq!(slot.input_db, 3.0);
    }

    #[test]
    fn silence_changes_nothing_and_extremes_stay_loadable() {
        let mut t = Template::new(Instrument::Master, Genre::Jazz);
        let before = t.clone();
        assert!(tune(&mut t, &reading(FLOOR_DB, FLOOR_DB, FLOOR_DB, [FLOOR_DB; 6]), -14.0).is_empty());
        assert_eq!(t, before);
        for meters in [
            reading(-1.0, 0.0, -2.0, [30.0, 0.0, 60.0, 0.0, 0.0, 0.0]),
            reading(-90.0, -80.0, -69.0, [0.0; 6]),
        ] {
            for mut t in Template::all() {
                tune(&mut t, &meters, -23.0);
                t.preset().validate(SLOT_COUNT, MACRO_COUNT).unwrap_or_else(|e| panic!("{}: {e}", t.name()));
            }
        }
    }
}
