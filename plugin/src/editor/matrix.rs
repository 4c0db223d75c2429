//! The modulation matrix as a list of routes to edit: source, target (the continuous
//! parameters of the slots as they are now), depth, polarity, on/off.

use super::combo::{combo, pick};
use super::modulation::POLARITIES;
use super::View;
use crate::modulation_store::targets;
use crate::params::{MACRO_COUNT, SLOT_COUNT};
use codette_dsp::modulation::envelope::ENVELOPE_COUNT;
use codette_dsp::modulation::lfo::LFO_COUNT;
use codette_dsp::modulation::{ModulationConfig, Polarity, Route, Source};
use codette_dsp::registry::EFFECTS;
use codette_dsp::targets::{effect_param_id, slot_param_id};
use egui::Ui;

/// Returns whether a value is being dragged.
pub fn matrix_ui(ui: &mut Ui, config: &mut ModulationConfig, view: &View) -> bool {
    ui.heading("Matrix");
    let targets = route_targets(view);
    let mut dragging = false;
    let mut remove = None;
    egui::Grid::new("routes").striped(true).show(ui, |ui| {
        for header in ["Source", "Target", "Depth", "Polarity", "", ""] {
            ui.strong(header);
        }
        ui.end_row();
        for (i, route) in config.routes.iter_mut().enumerate() {
            source_picker(ui, i, &mut route.source);
            let name = targets
                .iter()
                .find(|(id, _)| *id == route.target)
                .map_or(route.target.clone(), |(_, n)| n.clone());
            combo(ui, &format!("Route {} target", i + 1), &name, 180.0, |ui| {
                for (id, name) in &targets {
                    ui.selectable_value(&mut route.target, id.clone(), name);
                }
            });
            dragging |= ui.add(egui::Slider::new(&mut route.depth, -1.0..=1.0).text("depth")).dragged();
            pick(ui, &format!("Route {} polarity", i + 1), &mut route.mapping, &POLARITIES);
            ui.checkbox(&mut route.enabled, "on");
            if ui.button("x").on_hover_text("Remove the route").clicked() {
                remove = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = remove {
        config.routes.remove(i);
    }
    match targets.first() {
        Some((id, _)) if ui.button("Add route").clicked() => config.routes.push(Route {
            source: Source::Lfo(0),
            target: id.clone(),
            depth: 0.5,
            mapping: Polarity::Bipolar,
            enabled: true,
        }),
        None => {
            ui.label("Put an effect in a slot to route modulation to it.");
        }
        _ => {}
    }
    dragging
}

/// The continuous parameters of the slots as they are now, `(id, name)`.
fn route_targets(view: &View) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for slot in 0..SLOT_COUNT {
        let params = &view.params.slots[slot];
        let Some(e) = (params.effect.value() as usize).checked_sub(1).filter(|&e| e < EFFECTS.len()) else {
            continue;
        };
        let effect = EFFECTS[e];
        let controls = [("mix", "Mix"), ("in", "Input"), ("out", "Output")]
            .map(|(id, name)| (slot_param_id(slot, id), format!("{} {} {name}", slot + 1, effect.name)));
        let effect_params = effect.params.iter().map(|p| {
            (effect_param_id(slot, effect.id, p.id), format!("{} {} {}", slot + 1, effect.name, p.name))
        });
        all.extend(
            controls.into_iter().chain(effect_params).filter(|(id, _)| targets().resolve(id).is_some()),
        );
    }
    all
}

fn source_picker(ui: &mut Ui, row: usize, source: &mut Source) {
    let sources = (0..LFO_COUNT)
        .map(Source::Lfo)
        .chain((0..ENVELOPE_COUNT).map(Source::Envelope))
        .chain((0..MACRO_COUNT).map(Source::Macro))
        .chain([Source::Velocity, Source::Note]);
    combo(ui, &format!("Route {} source", row + 1), &source_name(*source), 90.0, |ui| {
        for s in sources {
            ui.selectable_value(source, s, source_name(s));
        }
    });
}

fn source_name(source: Source) -> String {
    match source {
        Source::Lfo(i) => format!("LFO {}", i + 1),
        Source::Envelope(i) => format!("Envelope {}", i + 1),
        Source::Follower(i) => format!("Follower {}", i + 1),
        Source::Macro(i) => format!("Macro {}", i + 1),
        Source::Velocity => "Velocity".into(),
        Source::Note => "Note".into(),
        Source::Cc(i) => format!("CC {i}"),
    }
}
