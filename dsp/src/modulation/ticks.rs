//! A run of ticks' source values and lane times, kept so that the matrix and the lanes can be
//! applied to all of them at once: a target's values then come out as one column, computed in
//! loops over ticks, where a call per target and tick cost the player more than the sources.

use super::matrix::{Polarity, MAX_ROUTES};

/// The values of the sources the routes read (a row per source, in the matrix's order) and the
/// lanes' time at each of up to `N` ticks. Once full, a further tick takes the last one's place.
#[derive(Clone)]
pub struct TickRecord<const N: usize> {
    rows: [[f32; N]; MAX_ROUTES],
    polarity: [Polarity; MAX_ROUTES],
    times: [u64; N],
    /// Whether every tick had a transport position: lanes are read only then.
    timed: bool,
    len: usize,
}

impl<const N: usize> Default for TickRecord<N> {
    fn default() -> Self {
        Self {
            rows: [[0.0; N]; MAX_ROUTES],
            polarity: [Polarity::Unipolar; MAX_ROUTES],
            times: [0; N],
            timed: true,
            len: 0,
        }
    }
}

impl<const N: usize> TickRecord<N> {
    pub fn clear(&mut self) {
        (self.len, self.timed) = (0, true);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Starts the next tick (or takes over the last one when full) and returns its index.
    pub(super) fn push(&mut self, time: Option<u64>) -> usize {
        let tick = self.len.min(N - 1);
        self.len = (tick + 1).max(self.len);
        match time {
            Some(t) => self.times[tick] = t,
            None => self.timed = false,
        }
        tick
    }

    pub(super) fn set(&mut self, row: usize, tick: usize, (value, polarity): (f32, Polarity)) {
        self.rows[row][tick] = value;
        self.polarity[row] = polarity;
    }

    /// A source's values over the recorded ticks, and its polarity.
    pub(super) fn row(&self, row: usize) -> (&[f32], Polarity) {
        (&self.rows[row][..self.len], self.polarity[row])
    }

    /// The lanes' time at each tick, if every tick had one.
    pub(super) fn times(&self) -> Option<&[u64]> {
        self.timed.then_some(&self.times[..self.len])
    }
}
