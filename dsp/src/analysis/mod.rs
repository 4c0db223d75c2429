//! Meters and spectrum of a stereo signal, for the plugin's analysis thread, the sidecar API
//! (meters, spectrum, Codette's analysis) and the GUI's analysis panel, which must all agree.
//!
//! Nothing here is for the audio thread: readings allocate, and the cost of
//! [`Analyzer::push`] (a loudness meter with its true-peak oversampler, two FFTs every 43 ms)
//! belongs on a background thread fed from a lock-free queue.

mod grid;
mod levels;
mod loudness;
mod reading;
mod smoothing;
mod spectrum;
mod tonal;

pub use levels::LEVEL_WINDOW_MS;
pub use reading::{MeterReading, RangeBalance, SpectrumReading, TonalBalance, FLOOR_DB};
pub use spectrum::{Spectrum, BALANCE_AVERAGE_MS, DISPLAY_AVERAGE_MS, GRID_POINTS, HIGH_HZ, LOW_HZ};
pub use tonal::{Band, BANDS, RANGES};

use levels::{LevelReading, Levels};
use loudness::Loudness;
use reading::{amplitude_db, floored};

/// Everything measured about one stereo stream.
///
/// Windows: `peak_dbfs`, `rms_dbfs`, `correlation` and `width` cover the last
/// [`LEVEL_WINDOW_MS`]; `lufs_momentary` the last 400 ms and `lufs_short_term` the last 3 s
/// (BS.1770 / EBU R 128); `lufs_integrated`, `loudness_range_lu` and `true_peak_dbtp` (the
/// highest since) everything since the last reset of either kind; `spectral_centroid_hz`,
/// `tonal_balance` and `range_balance` the spectrum averaged over [`BALANCE_AVERAGE_MS`].
///
/// Derived values: `crest_db` is peak − RMS over the same window; `plr_db` (peak to loudness
/// ratio) is true peak − integrated loudness, and 0 until there is an integrated loudness.
///
/// Every level reads at least [`FLOOR_DB`], so silence gives finite numbers: -144 for levels
/// and loudness (also below the -70 LUFS gate), 0 for crest, PLR, loudness range,
/// correlation, width and centroid.
pub struct Analyzer {
    levels: Levels,
    loudness: Loudness,
    spectrum: Spectrum,
}

impl Analyzer {
    /// Rates outside 8-768 kHz are measured as if at the nearest of those bounds.
    pub fn new(sample_rate: f32) -> Self {
        let sample_rate = sample_rate.clamp(8_000.0, 768_000.0);
        Self {
            levels: Levels::new(sample_rate),
            loudness: Loudness::new(sample_rate.round() as u32, false),
            spectrum: Spectrum::new(sample_rate),
        }
    }

    /// Adds a block of any length; if the channels differ in length, the longer one's extra
    /// samples are ignored.
    pub fn push(&mut self, left: &[f32], right: &[f32]) {
        let frames = left.len().min(right.len());
        let (left, right) = (&left[..frames], &right[..frames]);
        self.levels.push(left, right);
        self.loudness.push(left, right);
        self.spectrum.push(left, right);
    }

    /// Forgets everything, as if just built.
    pub fn reset(&mut self) {
        self.levels.reset();
        self.loudness.reset();
        self.spectrum.reset();
    }

    /// Starts a new programme: integrated loudness, loudness range and maximum true peak start
    /// again, while the other meters carry on. The true peak restarts at once, integrated
    /// loudness and loudness range at the end of the current 100 ms loudness sub-block (they
    /// read as just begun meanwhile).
    pub fn reset_integrated(&mut self) {
        self.loudness.restart_programme();
    }

    pub fn meters(&self) -> MeterReading {
        self.reading(self.levels.reading())
    }

    /// The meters with `levels` for peak, RMS, correlation and width (and so crest).
    fn reading(&self, levels: LevelReading) -> MeterReading {
        let true_peak_dbtp = amplitude_db(self.loudness.true_peak());
        let integrated = self.loudness.integrated();
        let lufs_integrated = floored(integrated);
        MeterReading {
            peak_dbfs: levels.peak_dbfs,
            true_peak_dbtp,
            rms_dbfs: levels.rms_dbfs,
            lufs_momentary: floored(self.loudness.momentary()),
            lufs_short_term: floored(self.loudness.short_term()),
            lufs_integrated,
            loudness_range_lu: floored(self.loudness.range()).max(0.0),
            crest_db: levels.peak_dbfs - levels.rms_dbfs,
            plr_db: if integrated.is_finite() { true_peak_dbtp - lufs_integrated } else { 0.0 },
            correlation: levels.correlation,
            width: levels.width,
            spectral_centroid_hz: self.spectrum.centroid_hz(),
            tonal_balance: self.spectrum.tonal_balance(),
            range_balance: self.spectrum.range_balance(),
        }
    }

    /// Any frequency range against the pink target, as the tonal balance's bands and
    /// `range_balance` read: the power per octave of the range over that of 20 Hz-20 kHz.
    pub fn range_balance_db(&self, low_hz: f32, high_hz: f32) -> f32 {
        self.spectrum.range_balance_db(low_hz, high_hz)
    }

    pub fn spectrum(&self) -> SpectrumReading {
        self.spectrum.reading()
    }
}

/// A whole programme (a file, a render) measured at once.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeReading {
    pub meters: MeterReading,
    pub spectrum: SpectrumReading,
}

/// Measures a whole stereo buffer with the same meters as the live [`Analyzer`], with each
/// value's window widened to the whole programme where a file asks for it: peak, RMS,
/// correlation and width (and so crest) over every sample, the spectrum, centroid and tonal
/// balance the mean of every frame. Loudness is the live meter's own: integrated, range and true
/// peak cover the programme anyway; momentary and short-term read its last 400 ms and 3 s.
pub fn analyse_programme(left: &[f32], right: &[f32], sample_rate: f32) -> ProgrammeReading {
    analyse(left, right, sample_rate, false)
}

/// The same for a one-channel programme: its loudness is that of the one channel (BS.1770),
/// 3 dB under the same samples in both channels of a stereo file; the levels and spectrum are
/// those of the channel, and its image that of mono (correlation 1, width 0).
pub fn analyse_mono_programme(samples: &[f32], sample_rate: f32) -> ProgrammeReading {
    analyse(samples, samples, sample_rate, true)
}

fn analyse(left: &[f32], right: &[f32], sample_rate: f32, mono: bool) -> ProgrammeReading {
    let frames = left.len().min(right.len());
    let (left, right) = (&left[..frames], &right[..frames]);
    let sample_rate = sample_rate.clamp(8_000.0, 768_000.0);
    let mut analyzer = Analyzer {
        levels: Levels::new(sample_rate),
        loudness: Loudness::new(sample_rate.round() as u32, mono),
        spectrum: Spectrum::programme(sample_rate),
    };
    // Pushed in blocks so the loudness meter's working buffers stay small.
    for (l, r) in left.chunks(1 << 16).zip(right.chunks(1 << 16)) {
        analyzer.loudness.push(l, r);
        analyzer.spectrum.push(l, r);
    }
    ProgrammeReading {
        meters: analyzer.reading(levels::programme(left, right)),
        spectrum: analyzer.spectrum(),
    }
}
