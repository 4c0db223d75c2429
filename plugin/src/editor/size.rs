//! The window's size: resizable within limits, the last size kept with the plugin's state.

use nice_plug::editor::dpi::LogicalSize;
use nice_plug::prelude::ResizeHint;
use std::sync::atomic::{AtomicU32, Ordering};

const DEFAULT: (f32, f32) = (1040.0, 680.0);
const MIN: (f32, f32) = (720.0, 480.0);
const MAX: (f32, f32) = (3840.0, 2400.0);

pub fn resize_hint() -> ResizeHint {
    ResizeHint::resizable()
        .with_min_max_logical_size(Some(LogicalSize::new(MIN.0, MIN.1)), Some(LogicalSize::new(MAX.0, MAX.1)))
}

/// The logical size in points (egui scales it by the display's pixels per point, so the
/// window is sharp on HiDPI screens); atomics, so that the window and the state share it.
pub struct EditorSize {
    width: AtomicU32,
    height: AtomicU32,
}

impl Default for EditorSize {
    fn default() -> Self {
        Self { width: AtomicU32::new(DEFAULT.0.to_bits()), height: AtomicU32::new(DEFAULT.1.to_bits()) }
    }
}

impl EditorSize {
    pub fn get(&self) -> (f32, f32) {
        let load = |a: &AtomicU32| f32::from_bits(a.load(Ordering::Relaxed));
        (load(&self.width), load(&self.height))
    }

    /// Keeps a size within the window's limits; nonsense (NaN) gives the default.
    pub fn set(&self, width: f32, height: f32) {
        let fit =
            |v: f32, min: f32, max: f32, default: f32| if v.is_nan() { default } else { v.clamp(min, max) };
        self.width.store(fit(width, MIN.0, MAX.0, DEFAULT.0).to_bits(), Ordering::Relaxed);
        self.height.store(fit(height, MIN.1, MAX.1, DEFAULT.1).to_bits(), Ordering::Relaxed);
    }

    pub fn to_json(&self) -> String {
        let (w, h) = self.get();
        serde_json::to_string(&[w, h]).expect("two numbers serialize")
    }

    /// Restores a saved size; a damaged one leaves the current size.
    pub fn restore(&self, json: &str) {
        if let Ok([w, h]) = serde_json::from_str::<[f32; 2]>(json) {
            self.set(w, h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_size_is_restored_within_the_limits_and_a_damaged_one_ignored() {
        let size = EditorSize::default();
        size.restore("[1200.5, 800]");
        assert_eq!(size.get(), (1200.5, 800.0));
        let copy = EditorSize::default();
        copy.restore(&size.to_json());
        assert_eq!(copy.get(), (1200.5, 800.0));
        size.restore("[10, 100000]");
        assert_eq!(size.get(), (MIN.0, MAX.1));
        size.restore("not json");
        assert_eq!(size.get(), (MIN.0, MAX.1));
    }
}
