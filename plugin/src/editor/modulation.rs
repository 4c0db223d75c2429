//! The modulation sources drawn live (LFO shapes, envelope curves, each with where it is now)
//! and the matrix as a list of routes to edit. Settings change through the same path as the
//! API's `PUT /modulation` (validated, one undo step); while a value is dragged the panel keeps
//! a draft and applies it when the drag ends.

use super::combo::pick;
use super::View;
use crate::modulation_store::targets;
use crate::remote::link::Telemetry;
use codette_dsp::modulation::envelope::{Adsr, ENVELOPE_COUNT};
use codette_dsp::modulation::lfo::{splitmix64, LFO_COUNT};
use codette_dsp::modulation::{
    map_polarity, AutomationLane, Curve, LfoRate, LfoShape, Matrix, ModulationConfig, Polarity,
};
use codette_server::Instance;
use egui::{Color32, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};
use std::collections::BTreeMap;

const SHAPES: [(LfoShape, &str); 7] = [
    (LfoShape::Sine, "Sine"),
    (LfoShape::Triangle, "Triangle"),
    (LfoShape::Square, "Square"),
    (LfoShape::SawUp, "Saw up"),
    (LfoShape::SawDown, "Saw down"),
    (LfoShape::SampleAndHold, "Sample & hold"),
    (LfoShape::SmoothRandom, "Smooth random"),
];
pub const POLARITIES: [(Polarity, &str); 2] =
    [(Polarity::Bipolar, "Bipolar"), (Polarity::Unipolar, "Unipolar")];
/// Points drawn per curve.
const POINTS: usize = 240;

/// Where the modulation has a target now, as the audio thread found it for its last block: the
/// target's automation lane at the transport's position (else the host's value `base`), moved
/// by the source values through the matrix's own rule; `None` when no lane or route moves it.
pub fn modulated(
    matrix: &Matrix,
    lanes: &BTreeMap<String, AutomationLane>,
    now: &Telemetry,
    target: &str,
    base: f32,
) -> Option<f32> {
    let index = targets().resolve(target)?;
    let position = now.transport.position_samples.map(|p| p.max(0) as u64);
    let mut value = lanes.get(target).zip(position).map(|(lane, time)| lane.value_at(time));
    let base = value.unwrap_or(base);
    if matrix.has_target(index) {
        matrix.modulate(
            &now.sources,
            |_| base,
            |t, v| {
                if t == index {
                    value = Some(v);
                }
            },
        );
    }
    value
}

#[derive(Default)]
pub struct ModulationPanel {
    lfo: usize,
    envelope: usize,
    /// Settings being dragged, not applied yet.
    draft: Option<ModulationConfig>,
}

impl ModulationPanel {
    pub fn ui(&mut self, ui: &mut Ui, view: &View) {
        let mut config = self.draft.take().unwrap_or_else(|| view.modulation.clone());
        let before = config.clone();
        let sources = view.telemetry.as_ref().map(|t| (t.sources, t.lfo_phase));
        let mut dragging = false;
        ui.columns_const(|[left, right]| {
            dragging |= self.lfo_ui(left, &mut config, sources.map(|(s, p)| (s.lfo[self.lfo], p[self.lfo])));
            dragging |= self.envelope_ui(right, &mut config, sources.map(|(s, _)| s.envelope[self.envelope]));
        });
        ui.separator();
        dragging |= super::matrix::matrix_ui(ui, &mut config, view);
        if dragging {
            self.draft = Some(config);
        } else if config != before || config != view.modulation {
            if let Err(e) = view.remote.set_modulation(config) {
                view.report(e.to_string());
            }
        }
    }

    fn lfo_ui(&mut self, ui: &mut Ui, config: &mut ModulationConfig, now: Option<(f32, f32)>) -> bool {
        ui.horizontal(|ui| {
            ui.heading("LFO");
            for i in 0..LFO_COUNT {
                ui.selectable_value(&mut self.lfo, i, format!("{}", i + 1));
            }
        });
        let lfo = &mut config.lfos[self.lfo];
        let mut dragging = false;
        ui.horizontal(|ui| {
            pick(ui, &format!("LFO {} shape", self.lfo + 1), &mut lfo.shape, &SHAPES);
            pick(ui, &format!("LFO {} polarity", self.lfo + 1), &mut lfo.polarity, &POLARITIES);
            match &mut lfo.rate {
                LfoRate::Hz(hz) => {
                    let label = ui.label("Rate");
                    let drag = egui::DragValue::new(hz).range(0.01..=100.0).speed(0.02).suffix(" Hz");
                    let drag = ui.add(drag).labelled_by(label.id);
                    dragging |= drag.dragged();
                }
                LfoRate::Sync(note) => {
                    ui.label(format!("{note} (tempo sync)"));
                }
            }
        });
        let seed = splitmix64(lfo.seed);
        let (shape, offset, polarity) = (lfo.shape, lfo.phase_offset as f64, lfo.polarity);
        let curve = (0..=POINTS).map(|i| {
            let cycles = 2.0 * i as f64 / POINTS as f64;
            let v = shape.value(cycles + offset, seed);
            (cycles as f32 / 2.0, map_polarity(v, Polarity::Bipolar, Polarity::Unipolar))
        });
        // The dot: the LFO's phase now (drawn in the first cycle) at its value now.
        let dot = now.map(|(value, phase)| (phase / 2.0, map_polarity(value, polarity, Polarity::Unipolar)));
        plot(ui, curve, dot);
        dragging
    }

    fn envelope_ui(&mut self, ui: &mut Ui, config: &mut ModulationConfig, now: Option<f32>) -> bool {
        ui.horizontal(|ui| {
            ui.heading("Envelope");
            for i in 0..ENVELOPE_COUNT {
                ui.selectable_value(&mut self.envelope, i, format!("{}", i + 1));
            }
        });
        let env = &mut config.envelopes[self.envelope];
        let mut dragging = false;
        ui.horizontal(|ui| {
            for (value, name, max) in [
                (&mut env.attack_ms, "A", 10_000.0),
                (&mut env.decay_ms, "D", 10_000.0),
                (&mut env.release_ms, "R", 20_000.0),
            ] {
                let label = ui.label(name);
                let drag = egui::DragValue::new(value).range(0.1..=max).speed(1.0).suffix(" ms");
                dragging |= ui.add(drag).labelled_by(label.id).dragged();
            }
            let label = ui.label("S");
            let drag = egui::DragValue::new(&mut env.sustain).range(0.0..=1.0).speed(0.005);
            dragging |= ui.add(drag).labelled_by(label.id).dragged();
            pick(
                ui,
                &format!("Envelope {} curve", self.envelope + 1),
                &mut env.curve,
                &[(Curve::Exponential, "Exponential"), (Curve::Linear, "Linear")],
            );
        });
        // The real envelope run at a rate that fits its stages into the plot, held for a
        // quarter of its length before release.
        let total_ms = env.attack_ms + env.decay_ms + env.release_ms;
        let held = POINTS / 5;
        let rate = (POINTS - held) as f32 / (total_ms / 1000.0);
        let mut adsr = Adsr::new(env, rate);
        adsr.gate_on();
        let gate_off = ((env.attack_ms + env.decay_ms) / 1000.0 * rate) as usize + held;
        let curve = (0..=POINTS).map(|i| {
            if i == gate_off {
                adsr.gate_off();
            }
            let level = adsr.level();
            adsr.step();
            (i as f32 / POINTS as f32, level)
        });
        let curve: Vec<_> = curve.collect();
        plot(ui, curve.into_iter(), None);
        if let Some(level) = now {
            ui.add(egui::ProgressBar::new(level).text(format!("now {level:.2}")));
        }
        dragging
    }
}

/// A curve of `(x, y)` in 0..1 each, with an optional dot.
fn plot(ui: &mut Ui, curve: impl Iterator<Item = (f32, f32)>, dot: Option<(f32, f32)>) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(ui.available_width().min(420.0), 90.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
    let at = |(x, y): (f32, f32)| to_screen(rect, x, y);
    let points: Vec<Pos2> = curve.map(at).collect();
    painter.add(Shape::line(points, Stroke::new(2.0, super::knob::ACCENT)));
    if let Some(d) = dot {
        painter.circle_filled(at(d), 4.0, super::knob::MODULATION);
    }
    painter.hline(rect.x_range(), to_screen(rect, 0.0, 0.5).y, Stroke::new(0.5, Color32::from_gray(80)));
}

fn to_screen(rect: Rect, x: f32, y: f32) -> Pos2 {
    let inner = rect.shrink(4.0);
    Pos2::new(inner.left() + x * inner.width(), inner.bottom() - y.clamp(0.0, 1.0) * inner.height())
}

#[cfg(test)]
mod tests {
    use super::*;
    use codette_dsp::modulation::{AutomationPoint, Interpolation, Route, Source};

    fn route(source: Source, target: &str, depth: f32, mapping: Polarity) -> Route {
        Route { source, target: target.into(), depth, mapping, enabled: true }
    }

    #[test]
    fn a_ring_shows_the_host_value_moved_by_every_route_to_its_target() {
        let routes = [
            route(Source::Lfo(0), "s1_mix", 0.5, Polarity::Bipolar),
            // The bipolar 0.6 seen as unipolar is 0.8.
            route(Source::Lfo(0), "s1_mix", -0.25, Polarity::Unipolar),
            route(Source::Macro(2), "s2_in", 1.0, Polarity::Unipolar),
        ];
        let resolve = |id: &str| targets().resolve(id);
        let matrix = Matrix::new(&routes, &resolve).unwrap();
        let mut now = Telemetry::default();
        now.sources.lfo[0] = 0.6;
        now.sources.macros[2] = 0.9;
        let lanes = BTreeMap::new();
        let ring = |target, base| modulated(&matrix, &lanes, &now, target, base);
        // 0.2 + 0.5 × 0.6 − 0.25 × 0.8 = 0.3
        let mix = ring("s1_mix", 0.2).unwrap();
        assert!((mix - 0.3).abs() < 1e-6, "{mix}");
        // Clamped to the range: 0.5 + 0.9.
        assert_eq!(ring("s2_in", 0.5), Some(1.0));
        assert_eq!(ring("s1_out", 0.5), None, "no route: no ring");
        assert_eq!(ring("no_such_param", 0.5), None);
    }

    /// A lane stands in for the host's value, at the position the audio thread played, and
    /// routes move it from there.
    #[test]
    fn a_ring_follows_an_automation_lane_at_the_transports_position() {
        let mut lane = AutomationLane::default();
        for (time_samples, value) in [(0, 0.2), (48_000, 0.6)] {
            lane.insert(AutomationPoint { time_samples, value, interpolation: Interpolation::Linear })
                .unwrap();
        }
        let lanes = BTreeMap::from([("s1_out".to_string(), lane.clone()), ("s1_mix".to_string(), lane)]);
        let resolve = |id: &str| targets().resolve(id);
        let matrix =
            Matrix::new(&[route(Source::Macro(0), "s1_mix", 0.5, Polarity::Unipolar)], &resolve).unwrap();
        let mut now = Telemetry::default();
        now.sources.macros[0] = 0.5;
        now.transport.position_samples = Some(12_000);
        // A quarter of the way from 0.2 to 0.6, whatever the host's value.
        let out = modulated(&matrix, &lanes, &now, "s1_out", 0.9).unwrap();
        assert!((out - 0.3).abs() < 1e-6, "{out}");
        // The lane's 0.3, plus 0.5 × 0.5.
        let mix = modulated(&matrix, &lanes, &now, "s1_mix", 0.9).unwrap();
        assert!((mix - 0.55).abs() < 1e-6, "{mix}");
        // Without a position (no transport), the lane is not played: the host's value holds.
        now.transport.position_samples = None;
        assert_eq!(modulated(&matrix, &lanes, &now, "s1_out", 0.9), None);
    }
}
