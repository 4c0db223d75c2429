//! Loudness normalization of a finished mix (ITU-R BS.1770 / EBU R128 through `ebur128`).

use ebur128::{EbuR128, Mode};
use serde::Serialize;
use utoipa::ToSchema;

/// The true-peak ceiling that normalization never exceeds (EBU R128's −1 dBTP).
pub const TRUE_PEAK_CEILING_DBTP: f64 = -1.0;

/// Integrated loudness (LUFS) and the highest true peak of any channel (dBTP) of planar audio;
/// `None` where the measure is undefined (silence). The loudness and each channel's true peak
/// (the costly part: 4x oversampling) are measured on threads of their own.
pub fn measure(channels: &[&[f32]], sample_rate: u32) -> (Option<f64>, Option<f64>) {
    std::thread::scope(|s| {
        let lufs = s.spawn(|| {
            let mut meter = EbuR128::new(channels.len() as u32, sample_rate, Mode::I).ok()?;
            meter.add_frames_planar_f32(channels).ok()?;
            meter.loudness_global().ok().filter(|l| l.is_finite())
        });
        let peaks: Vec<_> = channels
            .iter()
            .map(|channel| {
                s.spawn(move || {
                    let mut meter = EbuR128::new(1, sample_rate, Mode::TRUE_PEAK).ok()?;
                    meter.add_frames_planar_f32(&[channel]).ok()?;
                    meter.true_peak(0).ok()
                })
            })
            .collect();
        let peak = peaks.into_iter().filter_map(|p| p.join().ok().flatten()).fold(0.0f64, f64::max);
        (lufs.join().ok().flatten(), (peak > 0.0).then(|| 20.0 * peak.log10()))
    })
}

/// What normalization did, reported in the mixdown's response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoudnessReport {
    pub target_lufs: f64,
    /// Integrated loudness before normalization; null for silence.
    pub measured_lufs: Option<f64>,
    /// Integrated loudness of the result (the measured value plus the gain).
    pub output_lufs: Option<f64>,
    /// The gain applied, in dB.
    pub gain_db: f64,
    /// True peak of the result, in dBTP.
    pub true_peak_dbtp: Option<f64>,
    /// True when reaching the target would have put the true peak above −1 dBTP, so less gain
    /// was applied and the result is quieter than the target.
    pub limited_by_true_peak: bool,
}

/// Scales `channels` towards `target_lufs`, but never past a true peak of −1 dBTP: when the
/// target needs more gain than that, the gain stops at the ceiling (no limiter is added, the
/// mix is not changed otherwise) and the report says so. Silence is left alone.
pub fn normalize(channels: &mut [Vec<f32>], sample_rate: u32, target_lufs: f64) -> LoudnessReport {
    let views: Vec<&[f32]> = channels.iter().map(Vec::as_slice).collect();
    let (measured, peak) = measure(&views, sample_rate);
    let Some(measured_lufs) = measured else {
        return LoudnessReport {
            target_lufs,
            measured_lufs: None,
            output_lufs: None,
            gain_db: 0.0,
            true_peak_dbtp: peak,
            limited_by_true_peak: false,
        };
    };
    let wanted = target_lufs - measured_lufs;
    let headroom = peak.map_or(f64::INFINITY, |p| TRUE_PEAK_CEILING_DBTP - p);
    let gain_db = wanted.min(headroom);
    let gain = 10f64.powf(gain_db / 20.0) as f32;
    channels.iter_mut().flatten().for_each(|x| *x *= gain);
    LoudnessReport {
        target_lufs,
        measured_lufs: Some(measured_lufs),
        output_lufs: Some(measured_lufs + gain_db),
        gain_db,
        true_peak_dbtp: peak.map(|p| p + gain_db),
        limited_by_true_peak: wanted > headroom,
    }
}
