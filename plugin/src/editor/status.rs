//! The status bar: where the sidecar API listens, the rack's latency and the audio thread's
//! load (its `process()` time over the block's duration, as the audio thread measured it).

use super::View;
use codette_server::{global, Instance};
use egui::Ui;

/// How much of the newest load reading enters the shown one per frame (a one-pole smoother,
/// so that the figure is readable at 60 frames a second).
const SMOOTHING: f32 = 0.1;

#[derive(Default)]
pub struct StatusBar {
    load: f32,
}

impl StatusBar {
    pub fn ui(&mut self, ui: &mut Ui, view: &View) {
        ui.horizontal(|ui| {
            match (global().address(), global().error()) {
                (Some(address), _) => ui.label(format!("API http://{address}")),
                (None, Some(error)) => ui.label(format!("API not running: {error}")),
                (None, None) => ui.label("API starts when audio starts"),
            };
            ui.separator();
            let Some(telemetry) = view.telemetry.as_ref() else {
                ui.label("Audio stopped");
                return;
            };
            let samples = telemetry.latency_samples;
            let ms = view.remote.sample_rate().map_or(0.0, |sr| samples as f32 / sr * 1000.0);
            ui.label(format!("Latency {samples} samples ({ms:.1} ms)"));
            ui.separator();
            self.load += SMOOTHING * (telemetry.cpu_load - self.load);
            ui.label(format!("CPU {:.1} %", self.load * 100.0));
        });
    }
}
