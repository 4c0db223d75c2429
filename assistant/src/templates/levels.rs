//! The compressor's threshold and makeup as functions of a track's level: the templates use
//! them with an assumed level, the tuning with the measured one, so both follow one rule.

/// The RMS level a template assumes when nothing was measured: −18 dBFS, the usual
/// gain-staging reference (0 VU on most converters).
pub const ASSUMED_RMS_DBFS: f32 = -18.0;
/// The peak level a template assumes: 12 dB above the RMS, a typical crest factor of
/// unprocessed vocals and instruments.
pub const ASSUMED_PEAK_DBFS: f32 = -6.0;

/// Rounds to the 0.5 dB steps a person would set by hand.
pub fn half_db(db: f32) -> f32 {
    (db * 2.0).round() / 2.0
}

/// Threshold `over_rms_db` above the RMS level, within the compressor's −60..0 dB.
pub fn threshold(rms_dbfs: f32, over_rms_db: f32) -> f32 {
    half_db(rms_dbfs + over_rms_db).clamp(-60.0, 0.0)
}

/// Half the gain reduction the static curve gives at the peak level, (peak − threshold) ·
/// (1 − 1/ratio) / 2: the loudest parts come back part of the way, so the compressed track
/// plays at about the loudness it had, rather than louder (which would only sound better).
pub fn makeup(peak_dbfs: f32, threshold_db: f32, ratio: f32) -> f32 {
    let reduction = (peak_dbfs - threshold_db).max(0.0) * (1.0 - 1.0 / ratio);
    half_db(reduction / 2.0).clamp(-12.0, 24.0)
}
