//! The rack: the slots in processing order (drag a row's handle to move it), each with its
//! effect picker, bypass and gain-reduction meter, and the chosen slot's controls as knobs.

use super::combo::combo;
use super::knob::{Knob, ACCENT};
use super::modulation::modulated;
use super::View;
use crate::params::{SlotParams, SpecParam, SLOT_COUNT};
use codette_dsp::registry::EFFECTS;
use codette_dsp::targets::{effect_param_id, slot_param_id};
use codette_dsp::Family;
use codette_server::Instance;
use egui::{Color32, RichText, Sense, Ui, Vec2};
use nice_plug::prelude::Param;

/// A gain-reduction meter's full scale.
const GR_RANGE_DB: f32 = 24.0;

#[derive(Default)]
pub struct RackPanel {
    /// The slot whose controls are shown (0-based slot number, not position).
    selected: usize,
}

/// What a row's handle carries while dragged: the row's position in the order.
struct Moving(usize);

impl RackPanel {
    pub fn ui(&mut self, ui: &mut Ui, view: &View) {
        ui.columns_const(|[list, detail]| {
            self.slot_list(list, view);
            self.slot_detail(detail, view);
        });
    }

    fn slot_list(&mut self, ui: &mut Ui, view: &View) {
        ui.heading("Slots");
        let order = view.params.order.get();
        for (position, &slot) in order.iter().enumerate() {
            let row = egui::Frame::group(ui.style())
                .fill(if slot == self.selected { ui.visuals().faint_bg_color } else { Color32::TRANSPARENT })
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        let handle =
                            ui.dnd_drag_source(ui.scope_id().with(("move", slot)), Moving(position), |ui| {
                                ui.label(RichText::new("::").strong())
                            });
                        handle.response.on_hover_text("Drag to move the slot");
                        if ui.selectable_label(slot == self.selected, format!("{}", slot + 1)).clicked() {
                            self.selected = slot;
                        }
                        effect_picker(ui, view, slot);
                        let params = &view.params.slots[slot];
                        let mut bypass = params.bypass.value();
                        if ui.toggle_value(&mut bypass, "Bypass").changed() {
                            view.edits.set_once(params.bypass.as_ptr(), if bypass { 1.0 } else { 0.0 });
                        }
                        if let Some(gr) = gain_reduction(view, slot) {
                            gr_meter(ui, gr);
                        }
                    })
                })
                .response;
            if let Some(from) = row.dnd_release_payload::<Moving>() {
                if let Err(e) = view.remote.move_slot(from.0 + 1, position + 1) {
                    view.report(e.to_string());
                }
            }
        }
    }

    fn slot_detail(&mut self, ui: &mut Ui, view: &View) {
        let slot = self.selected.min(SLOT_COUNT - 1);
        let params = &view.params.slots[slot];
        let effect = effect_of(params);
        ui.heading(format!("Slot {} · {}", slot + 1, effect.map_or("Empty", |e| EFFECTS[e].name)));
        ui.horizontal(|ui| {
            for (param, name, id) in [
                (&params.mix, "Mix", "mix"),
                (&params.input, "Input", "in"),
                (&params.output, "Output", "out"),
            ] {
                knob(ui, view, param, name, &slot_param_id(slot, id));
            }
            if let Some(gr) = gain_reduction(view, slot) {
                ui.vertical(|ui| {
                    ui.small("Gain reduction");
                    gr_meter(ui, gr);
                    ui.small(format!("{gr:.1} dB"));
                });
            }
        });
        ui.separator();
        let Some(e) = effect else {
            ui.label("Choose an effect for this slot.");
            return;
        };
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for (param, spec) in params.effects[e].iter().zip(EFFECTS[e].params) {
                    knob(ui, view, param, spec.name, &effect_param_id(slot, EFFECTS[e].id, spec.id));
                }
            });
        });
    }
}

fn knob(ui: &mut Ui, view: &View, param: &SpecParam, name: &str, target: &str) {
    let moved = view.telemetry.as_ref().and_then(|t| {
        modulated(&view.matrix, &view.modulation.lanes, t, target, param.spec().normalize(param.plain()))
    });
    Knob::new(param, name).modulated(moved).show(ui, &view.edits);
}

/// The effect in a slot, as an index into `EFFECTS`.
fn effect_of(params: &SlotParams) -> Option<usize> {
    (params.effect.value() as usize).checked_sub(1).filter(|&e| e < EFFECTS.len())
}

fn effect_picker(ui: &mut Ui, view: &View, slot: usize) {
    let param = &view.params.slots[slot].effect;
    let current = effect_of(&view.params.slots[slot]);
    let name = |e: Option<usize>| e.map_or("Empty", |e| EFFECTS[e].name);
    combo(ui, &format!("Slot {} effect", slot + 1), name(current), 130.0, |ui| {
        for choice in std::iter::once(None).chain((0..EFFECTS.len()).map(Some)) {
            if ui.selectable_label(choice == current, name(choice)).clicked() && choice != current {
                let value = choice.map_or(0, |e| e as i32 + 1);
                view.edits.set_once(param.as_ptr(), param.preview_normalized(value));
            }
        }
    });
}

/// What a dynamics slot takes off now, from the audio thread's snapshot.
fn gain_reduction(view: &View, slot: usize) -> Option<f32> {
    let dynamics = effect_of(&view.params.slots[slot]).is_some_and(|e| EFFECTS[e].family == Family::Dynamics);
    dynamics.then(|| view.telemetry.as_ref().and_then(|t| t.gain_reduction_db[slot]).unwrap_or(0.0))
}

fn gr_meter(ui: &mut Ui, db: f32) {
    let (rect, response) = ui.allocate_exact_size(Vec2::new(60.0, 8.0), Sense::hover());
    let painter = ui.painter();
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let fill = (db / GR_RANGE_DB).clamp(0.0, 1.0);
    let mut bar = rect;
    bar.set_left(rect.right() - rect.width() * fill);
    painter.rect_filled(bar, 2.0, ACCENT);
    response.on_hover_text(format!("Gain reduction {db:.1} dB"));
}
