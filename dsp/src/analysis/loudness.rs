//! BS.1770 / EBU R 128 loudness and true peak, measured by the `ebur128` crate (a port of
//! libebur128, checked by its authors against the EBU test material).
//!
//! ebur128 reads momentary and short-term loudness by summing the squares of 400 ms and 3 s of
//! samples, which at a 30 Hz refresh cost more than all the rest of the analysis. Instead the
//! meter is asked, at the end of each 100 ms, for the energy of those 100 ms only, and
//! momentary and short-term loudness are the mean energies of the last 4 and 30 of these
//! sub-blocks: the same K-weighted sums, updated at the 10 Hz the EBU asks of meters.
//!
//! The programme measures (integrated loudness, loudness range, maximum true peak) restart on
//! [`Loudness::restart_programme`] while momentary and short-term loudness carry on. ebur128
//! can only reset everything, and a second meter would double the K-weighting, so the one meter
//! is reset at the next sub-block boundary, where our sub-block ring no longer needs its
//! buffer, and warmed up again (filters and true-peak interpolator) with the sub-block just
//! measured. The true peak is held here rather than by ebur128, so that it restarts at once.

use ebur128::{Channel, EbuR128, Mode};

/// What ebur128 answers only fails for a mode or channel we did not ask for.
const MODES_MATCH: &str = "the meter was built with this mode and two channels";

const SUB_BLOCK_MS: u32 = 100;
const MOMENTARY_SUB_BLOCKS: usize = 4;
const SHORT_TERM_SUB_BLOCKS: usize = 30;

pub(super) struct Loudness {
    meter: EbuR128,
    /// Frames per sub-block, counted as ebur128 counts the frames of a window.
    sub_block_len: usize,
    /// The current sub-block's frames, kept to warm the meter up after a restart.
    current: [Vec<f32>; 2],
    /// K-weighted mean-square energy of the last sub-blocks, the newest at `next - 1`.
    sub_blocks: [f64; SHORT_TERM_SUB_BLOCKS],
    next: usize,
    /// Highest true peak of the programme, linear.
    true_peak: f64,
    /// A restart is asked for and waits for the end of the sub-block: until then the
    /// programme reads as just begun.
    restart_pending: bool,
}

impl Loudness {
    /// The meter uses ebur128's histogram: integrated loudness and loudness range then cost the
    /// same to read after hours as after seconds, and memory stays bounded, at the price of
    /// quantising each 400 ms block to 0.1 LU (within the ±0.1 LU the EBU allows for a whole
    /// programme, since the error of each block is at most half a bin).
    ///
    /// A `mono` meter weighs only the left channel, as BS.1770 measures a one-channel
    /// programme (pushed as the same samples in both channels).
    pub fn new(sample_rate: u32, mono: bool) -> Self {
        let mode = Mode::I | Mode::LRA | Mode::TRUE_PEAK | Mode::HISTOGRAM;
        let sub_block_len = (sample_rate * SUB_BLOCK_MS / 1000) as usize;
        let mut meter = EbuR128::new(2, sample_rate, mode).expect("two channels at a rate of 8-768 kHz");
        if mono {
            meter.set_channel(1, Channel::Unused).expect("channel 1 of two");
        }
        Self {
            meter,
            sub_block_len,
            current: [Vec::with_capacity(sub_block_len), Vec::with_capacity(sub_block_len)],
            sub_blocks: [0.0; SHORT_TERM_SUB_BLOCKS],
            next: 0,
            true_peak: 0.0,
            restart_pending: false,
        }
    }

    pub fn push(&mut self, left: &[f32], right: &[f32]) {
        let mut done = 0;
        while done < left.len() {
            let take = (self.sub_block_len - self.current[0].len()).min(left.len() - done);
            let block = [&left[done..done + take], &right[done..done + take]];
            self.meter.add_frames_planar_f32(&block).expect(MODES_MATCH);
            for ch in 0..2 {
                let peak = self.meter.prev_true_peak(ch).expect(MODES_MATCH);
                let sample_peak = self.meter.prev_sample_peak(ch).expect(MODES_MATCH);
                self.true_peak = self.true_peak.max(peak).max(sample_peak);
                self.current[ch as usize].extend_from_slice(block[ch as usize]);
            }
            done += take;
            if self.current[0].len() == self.sub_block_len {
                self.end_sub_block();
            }
        }
    }

    fn end_sub_block(&mut self) {
        let lufs = self.meter.loudness_window(SUB_BLOCK_MS).expect(MODES_MATCH);
        self.sub_blocks[self.next] = lufs_to_energy(lufs);
        self.next = (self.next + 1) % SHORT_TERM_SUB_BLOCKS;
        if self.restart_pending {
            self.meter.reset();
            self.meter.seed_frames_planar_f32(&[&self.current[0], &self.current[1]]).expect(MODES_MATCH);
            self.restart_pending = false;
        }
        for c in &mut self.current {
            c.clear();
        }
    }

    pub fn reset(&mut self) {
        self.meter.reset();
        for c in &mut self.current {
            c.clear();
        }
        self.sub_blocks = [0.0; SHORT_TERM_SUB_BLOCKS];
        self.next = 0;
        self.true_peak = 0.0;
        self.restart_pending = false;
    }

    /// Starts a new programme at the end of the current 100 ms sub-block.
    pub fn restart_programme(&mut self) {
        self.restart_pending = true;
        self.true_peak = 0.0;
    }

    /// Loudness of the last 400 ms, LUFS (-inf in silence).
    pub fn momentary(&self) -> f64 {
        self.recent_loudness(MOMENTARY_SUB_BLOCKS)
    }

    /// Loudness of the last 3 s, LUFS (-inf in silence).
    pub fn short_term(&self) -> f64 {
        self.recent_loudness(SHORT_TERM_SUB_BLOCKS)
    }

    fn recent_loudness(&self, sub_blocks: usize) -> f64 {
        let newest_first = self.sub_blocks.iter().rev().cycle().skip(SHORT_TERM_SUB_BLOCKS - self.next);
        let energy = newest_first.take(sub_blocks).sum::<f64>() / sub_blocks as f64;
        energy_to_lufs(energy)
    }

    /// Gated loudness of the programme, LUFS (-inf until a 400 ms block exceeds -70 LUFS).
    pub fn integrated(&self) -> f64 {
        if self.restart_pending {
            return f64::NEG_INFINITY;
        }
        self.meter.loudness_global().expect(MODES_MATCH)
    }

    /// EBU Tech 3342 loudness range of the programme, LU (0 until there is enough).
    pub fn range(&self) -> f64 {
        if self.restart_pending {
            return 0.0;
        }
        self.meter.loudness_range().expect(MODES_MATCH)
    }

    /// The highest true peak of either channel in the programme, as a linear amplitude
    /// (4× oversampled below 96 kHz, 2× below 192 kHz), or the sample peak if higher.
    pub fn true_peak(&self) -> f64 {
        self.true_peak
    }
}

/// BS.1770: loudness = -0.691 + 10·log10(energy), the offset making a 1 kHz sine read its
/// level in dBFS once K-weighted.
fn energy_to_lufs(energy: f64) -> f64 {
    if energy > 0.0 {
        -0.691 + 10.0 * energy.log10()
    } else {
        f64::NEG_INFINITY
    }
}

fn lufs_to_energy(lufs: f64) -> f64 {
    if lufs.is_finite() {
        10f64.powf((lufs + 0.691) / 10.0)
    } else {
        0.0
    }
}
