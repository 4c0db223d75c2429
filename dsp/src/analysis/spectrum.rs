//! The spectrum: Hann-windowed FFT frames of both channels, averaged in power over the
//! channels and over time.

use super::grid::Grid;
use super::reading::{RangeBalance, SpectrumReading, TonalBalance};
use super::tonal::Tonal;
use crate::util::flush;
use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// Points of the display grid, log-spaced from [`LOW_HZ`] to [`HIGH_HZ`] (or Nyquist): about
/// 26 per octave, finer than the eye resolves on a panel.
pub const GRID_POINTS: usize = 256;
pub const LOW_HZ: f32 = 20.0;
pub const HIGH_HZ: f32 = 20_000.0;

/// Time constant of the displayed spectrum's exponential average, in power: long enough to
/// steady the noise of single frames at a 30 Hz refresh, short enough to follow notes.
pub const DISPLAY_AVERAGE_MS: f32 = 150.0;

/// Time constant of the average behind the spectral centroid and the tonal balance, which
/// describe the mix rather than the moment: that of short-term loudness.
pub const BALANCE_AVERAGE_MS: f32 = 3000.0;

/// The FFT size at 48 kHz; other rates scale it to the power of two at or above the same
/// duration (85 ms), so resolution stays 11.7 Hz or finer whatever the sample rate.
const SIZE_AT_48K: f32 = 4096.0;

/// The spectrum part of [`super::Analyzer`], usable alone where no meters are wanted.
pub struct Spectrum {
    fft: Arc<dyn RealToComplex<f32>>,
    /// Hann, scaled by 2/Σw so that a sinusoid of amplitude A centred on a bin reads |X| = A,
    /// and a full-scale sine 0 dB.
    window: Vec<f32>,
    /// Frames overlap by half, where Hann windows sum flat, so that every sample weighs
    /// alike in the average; the spectrum then updates every 43 ms, and the display average
    /// smooths the steps between.
    hop: usize,
    /// The samples of each channel not yet shifted out by a hop; a frame is due when full.
    history: [Vec<f32>; 2],
    input: Vec<f32>,
    output: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    frame_power: Vec<f32>,
    display: Vec<f32>,
    balance: Vec<f32>,
    display_coeff: f32,
    balance_coeff: f32,
    /// Frames averaged so far; the first is taken as it is rather than faded in from silence.
    frames: u64,
    /// Averages every frame alike since the start (an offline analysis of a whole file)
    /// instead of fading out the older ones.
    programme: bool,
    grid: Grid,
    tonal: Tonal,
}

impl Spectrum {
    /// A live spectrum, whose averages follow the music ([`DISPLAY_AVERAGE_MS`],
    /// [`BALANCE_AVERAGE_MS`]).
    pub fn new(sample_rate: f32) -> Self {
        Self::with_averaging(sample_rate, false)
    }

    /// A spectrum whose display, centroid and tonal balance are the mean over everything
    /// pushed, every frame weighing alike: a whole file's spectrum.
    pub fn programme(sample_rate: f32) -> Self {
        Self::with_averaging(sample_rate, true)
    }

    fn with_averaging(sample_rate: f32, programme: bool) -> Self {
        let size = ((SIZE_AT_48K * sample_rate / 48_000.0).ceil() as usize).next_power_of_two().max(256);
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(size);
        let hann: Vec<f32> =
            (0..size).map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / size as f32).cos()).collect();
        let scale = 2.0 / hann.iter().sum::<f32>();
        let hop = size / 2;
        let bins = size / 2 + 1;
        let bin_hz = sample_rate / size as f32;
        let per_hop = |ms: f32| (-(hop as f32) / (ms * 0.001 * sample_rate)).exp();
        Self {
            window: hann.iter().map(|w| w * scale).collect(),
            hop,
            history: [Vec::with_capacity(size), Vec::with_capacity(size)],
            input: fft.make_input_vec(),
            output: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            frame_power: vec![0.0; bins],
            display: vec![0.0; bins],
            balance: vec![0.0; bins],
            display_coeff: per_hop(DISPLAY_AVERAGE_MS),
            balance_coeff: per_hop(BALANCE_AVERAGE_MS),
            frames: 0,
            programme,
            grid: Grid::new(GRID_POINTS, LOW_HZ, HIGH_HZ.min(sample_rate / 2.0), bin_hz),
            tonal: Tonal::new(bin_hz, bins),
            fft,
        }
    }

    /// Adds a block of both channels; `right` must be at least as long as `left`.
    pub fn push(&mut self, left: &[f32], right: &[f32]) {
        let size = self.window.len();
        let mut done = 0;
        while done < left.len() {
            let take = (size - self.history[0].len()).min(left.len() - done);
            self.history[0].extend_from_slice(&left[done..done + take]);
            self.history[1].extend_from_slice(&right[done..done + take]);
            done += take;
            if self.history[0].len() == size {
                self.frame();
                for h in &mut self.history {
                    h.drain(..self.hop);
                }
            }
        }
    }

    fn frame(&mut self) {
        self.frame_power.fill(0.0);
        for channel in &self.history {
            for ((x, &s), &w) in self.input.iter_mut().zip(channel).zip(&self.window) {
                *x = s * w;
            }
            self.fft
                .process_with_scratch(&mut self.input, &mut self.output, &mut self.scratch)
                .expect("buffers made by the plan itself");
            for (p, c) in self.frame_power.iter_mut().zip(&self.output) {
                *p += 0.5 * c.norm_sqr();
            }
        }
        self.frames += 1;
        if self.frames == 1 {
            self.display.copy_from_slice(&self.frame_power);
            self.balance.copy_from_slice(&self.frame_power);
            return;
        }
        let (d, b) = if self.programme {
            let running_mean = 1.0 / self.frames as f32;
            (running_mean, running_mean)
        } else {
            (1.0 - self.display_coeff, 1.0 - self.balance_coeff)
        };
        for ((display, balance), &p) in self.display.iter_mut().zip(&mut self.balance).zip(&self.frame_power)
        {
            *display = flush(*display + d * (p - *display));
            *balance = flush(*balance + b * (p - *balance));
        }
    }

    pub fn reset(&mut self) {
        for h in &mut self.history {
            h.clear();
        }
        self.display.fill(0.0);
        self.balance.fill(0.0);
        self.frames = 0;
    }

    pub fn reading(&self) -> SpectrumReading {
        SpectrumReading { frequencies: self.grid.frequencies().to_vec(), db: self.grid.read(&self.display) }
    }

    pub fn tonal_balance(&self) -> TonalBalance {
        self.tonal.balance(&self.balance)
    }

    pub fn range_balance(&self) -> RangeBalance {
        self.tonal.range_balance(&self.balance)
    }

    /// Any frequency range against the pink target, from the same average as the tonal balance.
    pub fn range_balance_db(&self, low_hz: f32, high_hz: f32) -> f32 {
        self.tonal.range_db(&self.balance, low_hz, high_hz)
    }

    pub fn centroid_hz(&self) -> f32 {
        self.tonal.centroid_hz(&self.balance)
    }
}
