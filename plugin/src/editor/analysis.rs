//! The analysis panel: the output's spectrum with peak hold, loudness (momentary, short-term,
//! integrated, range) with a short history, true peak, correlation and width. It reads the
//! same readings as the API's meters and spectrum, measured off the audio thread.

use super::knob::{ACCENT, MODULATION};
use super::View;
use codette_server::Instance;
use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Peak hold: how long a peak stays, then how fast it falls.
const HOLD: Duration = Duration::from_millis(1500);
const FALL_DB_PER_S: f32 = 20.0;
/// Loudness history: one point per interval, this many kept (30 s).
const HISTORY_INTERVAL: Duration = Duration::from_millis(100);
const HISTORY_POINTS: usize = 300;
const FLOOR_DB: f32 = -96.0;
const LUFS_FLOOR: f32 = -60.0;

/// Per bin, the highest level seen, held for [`HOLD`] and then falling at [`FALL_DB_PER_S`].
#[derive(Default)]
pub struct PeakHold {
    held: Vec<(f32, Instant)>,
}

impl PeakHold {
    pub fn update(&mut self, db: &[f32], now: Instant) -> impl Iterator<Item = f32> + '_ {
        if self.held.len() != db.len() {
            self.held = db.iter().map(|&d| (d, now)).collect();
        }
        for ((held, at), &d) in self.held.iter_mut().zip(db) {
            let age = now.saturating_duration_since(*at).saturating_sub(HOLD).as_secs_f32();
            let falling = *held - FALL_DB_PER_S * age;
            if d >= falling {
                (*held, *at) = (d, now);
            }
        }
        self.held.iter().map(move |&(held, at)| {
            held - FALL_DB_PER_S * now.saturating_duration_since(at).saturating_sub(HOLD).as_secs_f32()
        })
    }
}

#[derive(Default)]
pub struct AnalysisPanel {
    peaks: PeakHold,
    /// Momentary and short-term loudness, oldest first.
    history: VecDeque<(f32, f32)>,
    last_point: Option<Instant>,
}

impl AnalysisPanel {
    pub fn ui(&mut self, ui: &mut Ui, view: &View) {
        let now = Instant::now();
        let (Ok(spectrum), Ok(meters)) = (view.remote.spectrum(), view.remote.meters()) else { return };
        let m = meters.meters;
        if self.last_point.is_none_or(|t| now.duration_since(t) >= HISTORY_INTERVAL) {
            self.last_point = Some(now);
            if self.history.len() == HISTORY_POINTS {
                self.history.pop_front();
            }
            self.history.push_back((m.lufs_momentary, m.lufs_short_term));
        }
        if !meters.active {
            ui.label("No audio is running: the meters read silence.");
        }
        ui.heading("Spectrum");
        let peaks: Vec<f32> = self.peaks.update(&spectrum.db, now).collect();
        spectrum_plot(ui, &spectrum.frequencies, &spectrum.db, &peaks);
        ui.columns_const(|[numbers, history]| {
            egui::Grid::new("loudness").num_columns(2).show(numbers, |ui| {
                let rows = [
                    ("Momentary", format!("{:.1} LUFS", m.lufs_momentary)),
                    ("Short-term", format!("{:.1} LUFS", m.lufs_short_term)),
                    ("Integrated", format!("{:.1} LUFS", m.lufs_integrated)),
                    ("Range", format!("{:.1} LU", m.loudness_range_lu)),
                    ("True peak", format!("{:.1} dBTP", m.true_peak_dbtp)),
                    ("Correlation", format!("{:+.2}", m.correlation)),
                    ("Width", format!("{:.2}", m.width)),
                ];
                for (name, value) in rows {
                    ui.label(name);
                    ui.monospace(value);
                    ui.end_row();
                }
            });
            numbers.add(egui::ProgressBar::new((m.correlation + 1.0) / 2.0).text("correlation -1 to +1"));
            history.label("Loudness, last 30 s (momentary, short-term)");
            loudness_history(history, &self.history);
        });
    }
}

fn x_of_frequency(rect: Rect, hz: f32) -> f32 {
    let t = (hz.max(20.0) / 20.0).log10() / 3.0;
    rect.left() + t.clamp(0.0, 1.0) * rect.width()
}

fn y_of_db(rect: Rect, db: f32, floor: f32) -> f32 {
    rect.top() + (db / floor).clamp(0.0, 1.0) * rect.height()
}

fn spectrum_plot(ui: &mut Ui, frequencies: &[f32], db: &[f32], peaks: &[f32]) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(ui.available_width(), 180.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
    for hz in [100.0, 1_000.0, 10_000.0] {
        let x = x_of_frequency(rect, hz);
        painter.vline(x, rect.y_range(), Stroke::new(0.5, Color32::from_gray(70)));
    }
    let line = |values: &[f32]| -> Vec<Pos2> {
        frequencies
            .iter()
            .zip(values)
            .map(|(&f, &d)| Pos2::new(x_of_frequency(rect, f), y_of_db(rect, d, FLOOR_DB)))
            .collect()
    };
    painter.add(Shape::line(line(db), Stroke::new(1.5, ACCENT)));
    painter.add(Shape::line(line(peaks), Stroke::new(1.0, MODULATION)));
}

fn loudness_history(ui: &mut Ui, history: &VecDeque<(f32, f32)>) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(ui.available_width(), 110.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
    let x = |i: usize| rect.left() + rect.width() * i as f32 / (HISTORY_POINTS - 1) as f32;
    let y = |lufs: f32| y_of_db(rect, lufs, LUFS_FLOOR);
    let momentary = history.iter().enumerate().map(|(i, &(m, _))| Pos2::new(x(i), y(m))).collect();
    let short = history.iter().enumerate().map(|(i, &(_, s))| Pos2::new(x(i), y(s))).collect();
    painter.add(Shape::line(momentary, Stroke::new(1.0, ACCENT)));
    painter.add(Shape::line(short, Stroke::new(2.0, MODULATION)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peak_holds_then_falls_at_its_rate_and_a_higher_level_replaces_it() {
        let mut hold = PeakHold::default();
        let t0 = Instant::now();
        assert_eq!(hold.update(&[-10.0], t0).collect::<Vec<_>>(), [-10.0]);
        let during = t0 + Duration::from_millis(1000);
        assert_eq!(hold.update(&[-40.0], during).collect::<Vec<_>>(), [-10.0], "held");
        // 0.5 s past the hold: 20 dB/s × 0.5 s = 10 dB lower.
        let falling = t0 + HOLD + Duration::from_millis(500);
        let v = hold.update(&[-40.0], falling).next().unwrap();
        assert!((v - -20.0).abs() < 1e-3, "{v}");
        assert_eq!(hold.update(&[-5.0], falling).collect::<Vec<_>>(), [-5.0], "a higher level");
    }
}
