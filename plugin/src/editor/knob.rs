//! A rotary control for one parameter: drag up and down to turn it (Shift for fine steps),
//! double-click for its default, click its value to type one. A modulated parameter shows a
//! ring from its own value to where the modulation has it now.

use super::edits::Edits;
use crate::params::SpecParam;
use egui::{Color32, Id, Pos2, Response, Sense, Shape, Stroke, Ui, Vec2, WidgetInfo};
use std::f32::consts::PI;

/// Pixels of vertical drag for the whole range; Shift makes it ten times finer.
const DRAG_PIXELS: f32 = 200.0;
const FINE: f32 = 10.0;
/// The arc the knob's value sweeps: 270° with the gap at the bottom.
const START: f32 = 0.75 * PI;
const SWEEP: f32 = 1.5 * PI;

pub const ACCENT: Color32 = Color32::from_rgb(0x4f, 0xc3, 0xf7);
pub const MODULATION: Color32 = Color32::from_rgb(0xff, 0xb7, 0x4d);

pub struct Knob<'a> {
    param: &'a SpecParam,
    label: &'a str,
    /// Where the modulation has the parameter now (normalized), if it is modulated.
    modulated: Option<f32>,
}

const DIAMETER: f32 = 44.0;

/// What the knob keeps between frames while it is dragged or its value typed.
#[derive(Clone, Default)]
struct State {
    /// The value being dragged to, so that the knob does not wait for the host to echo it.
    dragging: Option<f32>,
    typing: Option<String>,
}

impl<'a> Knob<'a> {
    pub fn new(param: &'a SpecParam, label: &'a str) -> Self {
        Self { param, label, modulated: None }
    }

    pub fn modulated(mut self, value: Option<f32>) -> Self {
        self.modulated = value;
        self
    }

    pub fn show(self, ui: &mut Ui, edits: &Edits) -> Response {
        let spec = self.param.spec();
        let ptr = self.param.as_ptr();
        let id = ui.make_persistent_id(("knob", self.label, spec.id));
        let mut state: State = ui.data(|d| d.get_temp(id)).unwrap_or_default();
        let size = egui::vec2(DIAMETER + 28.0, DIAMETER + 40.0);
        let inner = ui.allocate_ui_with_layout(size, egui::Layout::top_down(egui::Align::Center), |ui| {
            ui.set_width(size.x);
            let name = ui.small(self.label);
            let (rect, response) = ui.allocate_exact_size(Vec2::splat(DIAMETER), Sense::click_and_drag());
            let current = spec.normalize(self.param.plain());
            if response.double_clicked() {
                edits.set_once(ptr, self.param.host_normalized(spec.default));
            } else if response.drag_started() {
                edits.begin(ptr);
                state.dragging = Some(current);
            }
            if let (Some(value), true) = (state.dragging.as_mut(), response.dragged()) {
                let fine = if ui.input(|i| i.modifiers.shift) { FINE } else { 1.0 };
                let next = (*value - response.drag_delta().y / (DRAG_PIXELS * fine)).clamp(0.0, 1.0);
                if next != *value {
                    *value = next;
                    edits.set(ptr, self.param.host_normalized(spec.denormalize(next)));
                }
            }
            if response.drag_stopped() && state.dragging.take().is_some() {
                edits.end(ptr);
            }
            let shown = state.dragging.unwrap_or(current);
            paint(ui, rect.center(), DIAMETER / 2.0, shown, self.modulated, response.hovered());
            let text = spec.format(spec.denormalize(shown));
            response.widget_info(|| WidgetInfo::slider(true, spec.denormalize(shown) as f64, self.label));
            value_field(ui, id, &mut state, &text, self.param, edits).map(|f| f.labelled_by(name.id));
            response
        });
        ui.data_mut(|d| d.insert_temp(id, state));
        inner.inner
    }
}

/// The value under the knob: a click turns it into a text field, Enter sets what was typed.
/// Returns the text field while there is one.
fn value_field(
    ui: &mut Ui,
    id: Id,
    state: &mut State,
    text: &str,
    param: &SpecParam,
    edits: &Edits,
) -> Option<Response> {
    let Some(typed) = state.typing.as_mut() else {
        let label =
            ui.add(egui::Label::new(egui::RichText::new(text).small().monospace()).sense(Sense::click()));
        if label.clicked() {
            state.typing = Some(text.to_string());
            ui.memory_mut(|m| m.request_focus(id.with("text")));
        }
        return None;
    };
    let field = ui.add(
        egui::TextEdit::singleline(typed)
            .id(id.with("text"))
            .desired_width(64.0)
            .font(egui::TextStyle::Small),
    );
    if field.lost_focus() {
        if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            if let Some(plain) = param.spec().parse(typed) {
                edits.set_once(param.as_ptr(), param.host_normalized(plain));
            }
        }
        state.typing = None;
    }
    Some(field)
}

fn angle(normalized: f32) -> f32 {
    START + SWEEP * normalized
}

fn arc(center: Pos2, radius: f32, from: f32, to: f32, stroke: Stroke) -> Shape {
    let (a, b) = (angle(from.min(to)), angle(from.max(to)));
    let steps = (((b - a) / SWEEP) * 48.0).ceil().max(1.0) as usize;
    let points = (0..=steps)
        .map(|i| {
            let t = a + (b - a) * i as f32 / steps as f32;
            center + radius * Vec2::new(t.cos(), t.sin())
        })
        .collect();
    Shape::line(points, stroke)
}

fn paint(ui: &Ui, center: Pos2, radius: f32, value: f32, modulated: Option<f32>, hovered: bool) {
    let painter = ui.painter();
    let visuals = ui.visuals();
    let track = Stroke::new(3.0, visuals.widgets.inactive.bg_fill);
    painter.add(arc(center, radius - 6.0, 0.0, 1.0, track));
    painter.add(arc(center, radius - 6.0, 0.0, value, Stroke::new(3.0, ACCENT)));
    let body = if hovered { visuals.widgets.hovered.bg_fill } else { visuals.widgets.inactive.weak_bg_fill };
    painter.circle_filled(center, radius - 10.0, body);
    let a = angle(value);
    let dir = Vec2::new(a.cos(), a.sin());
    painter
        .line_segment([center + dir * 4.0, center + dir * (radius - 10.0)], Stroke::new(2.0, Color32::WHITE));
    if let Some(m) = modulated {
        painter.add(arc(center, radius - 1.5, value, m.clamp(0.0, 1.0), Stroke::new(2.5, MODULATION)));
        let b = angle(m.clamp(0.0, 1.0));
        painter.circle_filled(center + radius * 0.97 * Vec2::new(b.cos(), b.sin()), 2.5, MODULATION);
    }
}
