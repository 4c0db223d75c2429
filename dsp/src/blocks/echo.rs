//! The feedback delay core behind every delay effect: a stereo pair of delay lines, each read by
//! up to eight taps at whole multiples of a (tempo-syncable) time, with the last tap fed back.
//!
//! A delay effect is this core plus a table saying what each of its parameters drives, so that
//! the delicate parts (exact echo positions, click-free time changes, tempo sync, block-size
//! independence) are written once.
//!
//! Time changes crossfade from the old read position to the new one instead of gliding the read
//! position (a tape-style pitch glide). Times range from 1 ms to 16 s: gliding a jump of seconds
//! within a smoothing time would read the line at hundreds of times normal speed (aliased
//! noise), and a glide slow enough to sound like a pitch bend would take seconds to arrive.
//! A crossfade takes the same time for any jump, keeps every read at a whole sample (echoes
//! are never smeared by interpolation, not even mid-change), and bounds the change per sample
//! by the signal's own slope plus `2·peak / fade length`. The fade is linear: the two heads
//! read the same material at different ages, so equal-gain keeps correlated material level.
//!
//! Parameters are applied as linear ramps over control periods of [`PERIOD`] samples counted
//! from the last reset, not from the start of each block, so the output is the same however
//! the host splits the audio into blocks.

use crate::blocks::delay_line::DelayLine;
use crate::blocks::period_ramp::PeriodRamp;
use crate::effect::Effect;
use crate::param::ParamSpec;
use crate::smooth::SMOOTHING_MS;
use crate::util::{flush, ms_to_samples, synced_ms};
use std::ops::Range;

/// Samples per control period.
const PERIOD: usize = 64;
type Ramp = PeriodRamp<PERIOD>;
/// Samples rendered at once; no delay may be shorter (1 ms is 22 samples at 22.05 kHz).
const RUN: usize = 16;
const MAX_TAPS: usize = 8;
const TAP_GAIN: usize = 0;
const TAP_FEEDBACK: usize = MAX_TAPS;
const MIX: usize = 2 * MAX_TAPS;
const NARROW: usize = MIX + 1;
const RAMPS: usize = NARROW + 1;
/// Until the host says otherwise.
const DEFAULT_BPM: f64 = 120.0;

/// Where the echoes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// Each channel echoes itself.
    Straight,
    /// Mono in on the left, each side's echoes fed to the other.
    PingPong,
}

/// Which delay line(s) a time parameter drives.
#[derive(Debug, Clone, Copy)]
pub enum Channels {
    Both,
    Left,
    Right,
}

impl Channels {
    fn range(self) -> Range<usize> {
        match self {
            Channels::Both => 0..2,
            Channels::Left => 0..1,
            Channels::Right => 1..2,
        }
    }
}

/// What one parameter of a delay effect drives in the core.
#[derive(Debug, Clone, Copy)]
pub enum Control {
    /// The delay time in ms (the tap spacing when there are several taps).
    Time(Channels),
    /// A `util::SYNC_OPTIONS` choice that replaces the time by a note value at the tempo.
    Sync(Channels),
    /// Gain of the last tap fed back into the line.
    Feedback,
    /// Dry/wet balance: `out = (1 - mix)·dry + mix·wet`.
    Mix,
    /// Ping-pong width: 0 puts every echo in the centre, 1 alternates them fully.
    Width,
    TapCount,
    /// Output level of the tap at `k + 1` times the spacing; without these, taps have level 1.
    TapLevel(usize),
}

/// A delay in whole samples that moves to a new value by a linear crossfade of two read
/// positions. A change arriving mid-fade waits for the fade to end.
#[derive(Debug, Clone, Copy)]
struct FadingTime {
    from: usize,
    to: usize,
    target: usize,
    fade_periods: usize,
    periods_left: usize,
    /// Weight of `to` at the start of the current period, and its increment per sample.
    gain: f32,
    step: f32,
}

impl FadingTime {
    fn tick(&mut self) {
        if self.periods_left == 0 {
            self.from = self.to;
            if self.target != self.to {
                self.to = self.target;
                self.periods_left = self.fade_periods;
            }
        }
        if self.periods_left == 0 {
            (self.gain, self.step) = (1.0, 0.0);
        } else {
            let total = self.fade_periods as f32;
            self.gain = (self.fade_periods - self.periods_left) as f32 / total;
            self.step = 1.0 / (total * PERIOD as f32);
            self.periods_left -= 1;
        }
    }

    fn snap(&mut self) {
        (self.from, self.to, self.periods_left) = (self.target, self.target, 0);
    }
}

/// Every delay effect runs this one type (its routing a field, not a type parameter): all four
/// then share one copy of its code, which matters where host automation cuts blocks into short
/// calls that each bring every effect's code back into the instruction cache.
pub struct Echo {
    routing: Routing,
    params: &'static [ParamSpec],
    controls: &'static [Control],
    sample_rate: f32,
    lines: [DelayLine; 2],
    times: [FadingTime; 2],
    /// Range applied to synced times too, so that a slow tempo cannot outgrow the buffer.
    time_spec: ParamSpec,
    ms: [f32; 2],
    sync: [f32; 2],
    bpm: f64,
    tap_count: usize,
    levels: [f32; MAX_TAPS],
    feedback: f32,
    /// Each tap's level ([`TAP_GAIN`]`+ k`) and the feedback taken from it ([`TAP_FEEDBACK`]`+ k`:
    /// only the last one's is non-zero once settled, so a change of tap count crossfades the
    /// feedback source), the [`MIX`] and [`NARROW`], `(1 - width) / 2`: how much of each
    /// ping-pong side goes to the other. One array, ticked in one loop.
    ramps: [Ramp; RAMPS],
    /// Taps that currently sound or feed back; the rest are not read.
    active_taps: usize,
    /// Read offsets (delay - 1, as lines are read before the current sample is written) of each
    /// channel's taps at the fade's old and new times.
    from: [[usize; MAX_TAPS]; 2],
    to: [[usize; MAX_TAPS]; 2],
    phase: usize,
}

impl Echo {
    /// An echo whose parameter `i` is `params[i]` and drives `controls[i]`, at its defaults.
    /// Lines hold the longest time times the most taps at this sample rate.
    pub fn new(
        sample_rate: f32,
        routing: Routing,
        params: &'static [ParamSpec],
        controls: &'static [Control],
    ) -> Self {
        assert_eq!(params.len(), controls.len());
        let find = |f: fn(&Control) -> bool| controls.iter().position(f).map(|i| params[i]);
        let time_spec = find(|c| matches!(c, Control::Time(_))).expect("a delay needs a time");
        let max_taps = find(|c| matches!(c, Control::TapCount)).map_or(1, |p| p.max as usize);
        let line = DelayLine::new(ms_to_samples(time_spec.max, sample_rate) * max_taps);
        let fade_periods = ((SMOOTHING_MS * 0.001 * sample_rate / PERIOD as f32).round() as usize).max(1);
        let time =
            FadingTime { from: 1, to: 1, target: 1, fade_periods, periods_left: 0, gain: 1.0, step: 0.0 };
        let mut echo = Self {
            routing,
            params,
            controls,
            sample_rate,
            lines: [line.clone(), line],
            times: [time; 2],
            time_spec,
            ms: [time_spec.default; 2],
            sync: [0.0; 2],
            bpm: DEFAULT_BPM,
            tap_count: 1,
            levels: [1.0; MAX_TAPS],
            feedback: 0.0,
            ramps: [Ramp::new(0.0, sample_rate); RAMPS],
            active_taps: 0,
            from: [[0; MAX_TAPS]; 2],
            to: [[0; MAX_TAPS]; 2],
            phase: 0,
        };
        for (i, p) in params.iter().enumerate() {
            echo.set_param(i, p.default);
        }
        echo.update_taps();
        echo.reset();
        echo
    }

    fn update_times(&mut self) {
        for c in 0..2 {
            let ms = synced_ms(self.sync[c], self.bpm).map_or(self.ms[c], |ms| self.time_spec.clamp(ms));
            self.times[c].target = ms_to_samples(ms, self.sample_rate).max(RUN);
        }
    }

    fn update_taps(&mut self) {
        for k in 0..MAX_TAPS {
            let sounds = k < self.tap_count;
            self.ramps[TAP_GAIN + k].set_target(if sounds { self.levels[k] } else { 0.0 });
            let last = k + 1 == self.tap_count;
            self.ramps[TAP_FEEDBACK + k].set_target(if last { self.feedback } else { 0.0 });
        }
    }

    /// Starts a control period: advances the ramps and fades, and finds the taps to read.
    fn tick(&mut self) {
        self.ramps.iter_mut().for_each(Ramp::tick);
        let r = &self.ramps;
        self.active_taps = (0..MAX_TAPS)
            .rposition(|k| !(r[TAP_GAIN + k].is_silent() && r[TAP_FEEDBACK + k].is_silent()))
            .map_or(0, |k| k + 1);
        for c in 0..2 {
            let time = &mut self.times[c];
            time.tick();
            for k in 0..self.active_taps {
                self.from[c][k] = (k + 1) * time.from - 1;
                self.to[c][k] = (k + 1) * time.to - 1;
            }
        }
    }

    /// Renders at most [`RUN`] samples of one control period, starting `self.phase` samples
    /// into it. Every time is longer than a run, so all reads of a run precede its writes: the
    /// taps are read a run at a time, then the lines written, which keeps the arithmetic in
    /// loops the compiler vectorizes.
    #[inline(always)]
    fn render(&mut self, left: &mut [f32], right: &mut [f32], len: usize) {
        let (left, right) = (&mut left[..len], &mut right[..len]);
        // Position of each sample in the control period, for the ramps.
        let j: [f32; RUN] = std::array::from_fn(|i| (self.phase + i) as f32);
        let mut wet = [[0.0f32; RUN]; 2];
        let mut back = [[0.0f32; RUN]; 2];
        let mut y = [0.0f32; RUN];
        for c in 0..2 {
            let (line, time) = (&self.lines[c], &self.times[c]);
            for k in 0..self.active_taps {
                // Sample i of the run is read i samples closer to the write position.
                let (from, to) = (self.from[c][k], self.to[c][k]);
                line.read_run(to, &mut y[..len]);
                if from != to {
                    let mut old = [0.0f32; RUN];
                    line.read_run(from, &mut old[..len]);
                    for ((y, a), j) in y[..len].iter_mut().zip(&old[..len]).zip(&j) {
                        *y = a + (*y - a) * (time.gain + time.step * j);
                    }
                }
                // Settled, only the last tap feeds back.
                accumulate(&mut wet[c][..len], &y, &self.ramps[TAP_GAIN + k], &j);
                accumulate(&mut back[c][..len], &y, &self.ramps[TAP_FEEDBACK + k], &j);
            }
        }
        // The routing is tested once per run, not per sample: in the loops, the test kept them
        // from running in SIMD.
        let mut input = [[0.0f32; RUN]; 2];
        let [in_l, in_r] = &mut input;
        let ([back_l, back_r], [wet_l, wet_r]) = (&back, &mut wet);
        match self.routing {
            Routing::Straight => {
                for i in 0..len {
                    (in_l[i], in_r[i]) = (flush(left[i] + back_l[i]), flush(right[i] + back_r[i]));
                }
            }
            Routing::PingPong => {
                for i in 0..len {
                    (in_l[i], in_r[i]) = (flush(0.5 * (left[i] + right[i]) + back_r[i]), flush(back_l[i]));
                }
                let narrow = &self.ramps[NARROW];
                for i in 0..len {
                    let (l, r, narrow) = (wet_l[i], wet_r[i], narrow.at(j[i]));
                    (wet_l[i], wet_r[i]) = (l + narrow * (r - l), r + narrow * (l - r));
                }
            }
        }
        for (line, input) in self.lines.iter_mut().zip(&input) {
            line.write_run(&input[..len]);
        }
        let mix = &self.ramps[MIX];
        for i in 0..len {
            let mix = mix.at(j[i]);
            left[i] = (1.0 - mix) * left[i] + mix * wet_l[i];
            right[i] = (1.0 - mix) * right[i] + mix * wet_r[i];
        }
    }
}

impl Effect for Echo {
    fn set_param(&mut self, index: usize, value: f32) {
        let (Some(spec), Some(&control)) = (self.params.get(index), self.controls.get(index)) else {
            return;
        };
        let v = spec.clamp(value);
        match control {
            Control::Time(channels) => {
                channels.range().for_each(|c| self.ms[c] = v);
                self.update_times();
            }
            Control::Sync(channels) => {
                channels.range().for_each(|c| self.sync[c] = v);
                self.update_times();
            }
            Control::Feedback => {
                // Only the last tap feeds back: a route moving the feedback every tick sets
                // its ramp alone.
                self.feedback = v;
                if let Some(last) = self.tap_count.checked_sub(1) {
                    self.ramps[TAP_FEEDBACK + last].set_target(v);
                }
            }
            Control::TapCount => {
                self.tap_count = v as usize;
                self.update_taps();
            }
            Control::TapLevel(k) => {
                self.levels[k] = v;
                self.update_taps();
            }
            Control::Mix => self.ramps[MIX].set_target(v),
            Control::Width => self.ramps[NARROW].set_target(0.5 * (1.0 - v)),
        }
    }

    fn set_tempo(&mut self, bpm: f64) {
        if bpm.is_finite() && bpm > 0.0 {
            self.bpm = bpm;
            self.update_times();
        }
    }

    fn reset(&mut self) {
        self.lines.iter_mut().for_each(DelayLine::reset);
        self.times.iter_mut().for_each(FadingTime::snap);
        self.ramps.iter_mut().for_each(Ramp::snap);
        self.phase = 0;
    }

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let mut done = 0;
        while done < n {
            if self.phase == 0 {
                self.tick();
            }
            let len = (PERIOD - self.phase).min(RUN).min(n - done);
            let (l, r) = (&mut left[done..done + len], &mut right[done..done + len]);
            // A constant length lets the compiler unroll and vectorize the common full run.
            if len == RUN {
                self.render(l, r, RUN);
            } else {
                self.render(l, r, len);
            }
            self.phase = (self.phase + len) % PERIOD;
            done += len;
        }
        // Ending on a period's end, fetch the next period's reads and writes while the rest of
        // the rack runs. (The writes matter most: a line is written where it was last touched
        // seconds ago.)
        if self.phase == 0 {
            for (line, to) in self.lines.iter().zip(&self.to) {
                to[..self.active_taps].iter().for_each(|&delay| line.prefetch_reads(delay, PERIOD));
                line.prefetch_writes(PERIOD);
            }
        }
    }
}

/// `out += ramp · x`, skipped when the ramp is silent.
#[inline(always)]
fn accumulate(out: &mut [f32], x: &[f32; RUN], ramp: &Ramp, j: &[f32; RUN]) {
    if !ramp.is_silent() {
        for ((o, x), j) in out.iter_mut().zip(x).zip(j) {
            *o += ramp.at(*j) * x;
        }
    }
}
