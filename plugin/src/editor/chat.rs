//! The chat box: questions answered by the assistant's embedded engine from the output's
//! measurements, Codette's findings and the rack. The window never waits on the network model
//! the API can be configured with.

use super::codette::drawable;
use super::combo::combo;
use super::View;
use crate::params::SLOT_COUNT;
use codette_assistant::chat::rack::Rack;
use codette_assistant::chat::{embedded, Context, Perspective};
use codette_assistant::{Finding, Suggestion};
use codette_dsp::analysis::MeterReading;
use codette_server::Instance;
use egui::{RichText, Ui};

#[derive(Default)]
pub struct ChatBox {
    perspective: Perspective,
    question: String,
    /// Questions and answers, oldest first.
    turns: Vec<(String, String)>,
}

impl ChatBox {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        view: &View,
        meters: Option<&MeterReading>,
        findings: &[Finding],
        suggestions: &[Suggestion],
    ) {
        ui.heading("Ask Codette");
        combo(ui, "Perspective", self.perspective.id(), 160.0, |ui| {
            for p in Perspective::ALL {
                ui.selectable_value(&mut self.perspective, p, p.id());
            }
        });
        let height = (ui.available_height() - 40.0).max(60.0);
        egui::ScrollArea::vertical().id_salt("chat").max_height(height).stick_to_bottom(true).show(
            ui,
            |ui| {
                for (question, answer) in &self.turns {
                    ui.label(RichText::new(question).strong());
                    ui.label(answer);
                    ui.add_space(6.0);
                }
            },
        );
        let send = ui
            .horizontal(|ui| {
                let label = ui.label("Question");
                let field =
                    egui::TextEdit::singleline(&mut self.question).desired_width(ui.available_width() - 60.0);
                let field = ui.add(field).labelled_by(label.id);
                let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                ui.button("Send").clicked() || entered
            })
            .inner;
        let question = self.question.trim().to_string();
        if send && !question.is_empty() {
            let preset = view.remote.preset().ok();
            let gain_reduction: Vec<Option<f32>> = (0..SLOT_COUNT)
                .map(|s| view.telemetry.as_ref().and_then(|t| t.gain_reduction_db[s]))
                .collect();
            let rack = preset.as_ref().map(|preset| Rack { preset, gain_reduction_db: &gain_reduction });
            let context = Context { meters, findings, suggestions, rack };
            let answer = drawable(&embedded(&question, self.perspective, context).response);
            self.turns.push((question, answer));
            self.question.clear();
        }
    }
}
