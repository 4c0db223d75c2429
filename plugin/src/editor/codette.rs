//! Codette in the window: what it measures in the output (each finding with its numbers), its
//! suggestion for an instrument and genre tuned to those measurements and to the delivery
//! target (every slot and every tuned value with its reason), to preview, apply and undo; and
//! the chat, answered by the assistant's embedded engine from the same measurements and rack.
//!
//! A suggestion loads through the same code as the API's `PUT /state` (one undo step). The
//! chat answers from the embedded engine only: the window never waits on a network model.

use super::combo::combo;
use super::knob::MODULATION;
use super::View;
use codette_assistant::chat::facts::{facts, TARGETS};
use codette_assistant::chat::rack::Rack;
use codette_assistant::chat::topics::Topic;
use codette_assistant::chat::{embedded, Context, Perspective};
use codette_assistant::{recommend, Genre, Instrument, Recommendation};
use codette_dsp::analysis::MeterReading;
use codette_dsp::preset::Preset;
use codette_server::Instance;
use egui::{RichText, Ui};

pub struct CodettePanel {
    /// Index into the assistant's delivery targets.
    target: usize,
    instrument: Instrument,
    genre: Genre,
    suggestion: Option<Recommendation>,
    /// While previewing: the rack as it was, to go back to.
    before_preview: Option<Preset>,
    perspective: Perspective,
    question: String,
    /// Questions and answers, oldest first.
    chat: Vec<(String, String)>,
    message: Option<String>,
}

impl Default for CodettePanel {
    fn default() -> Self {
        Self {
            target: 0,
            instrument: Instrument::Vocals,
            genre: Genre::Pop,
            suggestion: None,
            before_preview: None,
            perspective: Perspective::default(),
            question: String::new(),
            chat: Vec::new(),
            message: None,
        }
    }
}

impl CodettePanel {
    pub fn ui(&mut self, ui: &mut Ui, view: &View) {
        let meters = view.remote.meters().ok().filter(|m| m.active);
        let reading = meters.as_ref().map(|m| m.meters);
        ui.horizontal(|ui| {
            ui.label("Delivery target");
            let name = |(n, lufs): (&str, f32)| format!("{n} ({lufs} LUFS)");
            combo(ui, "Delivery target", &name(TARGETS[self.target]), 200.0, |ui| {
                for (i, target) in TARGETS.iter().enumerate() {
                    ui.selectable_value(&mut self.target, i, name(*target));
                }
            });
        });
        ui.columns_const(|[left, right]| {
            left.heading("What Codette measures");
            findings_ui(left, reading.as_ref());
            left.separator();
            self.suggestion_ui(left, view, reading.as_ref());
            self.chat_ui(right, view, reading.as_ref());
        });
    }

    fn suggestion_ui(&mut self, ui: &mut Ui, view: &View, reading: Option<&MeterReading>) {
        ui.heading("Suggestion");
        ui.horizontal(|ui| {
            combo(ui, "Instrument", self.instrument.id(), 100.0, |ui| {
                for i in Instrument::ALL {
                    ui.selectable_value(&mut self.instrument, i, i.id());
                }
            });
            combo(ui, "Genre", self.genre.id(), 100.0, |ui| {
                for g in Genre::ALL {
                    ui.selectable_value(&mut self.genre, g, g.id());
                }
            });
            if ui.button("Suggest").clicked() {
                let target = TARGETS[self.target].1;
                self.suggestion = Some(recommend(self.instrument, self.genre, reading, target));
            }
        });
        let Some(suggestion) = &self.suggestion else { return };
        for note in &suggestion.slots {
            ui.label(format!("{}. {}: {}", note.slot, note.effect, note.reason));
        }
        if !suggestion.tuned {
            ui.small("Not tuned: no audio measured yet, so the template's values stand.");
        }
        for a in &suggestion.adjustments {
            ui.label(
                RichText::new(format!(
                    "{} {} {}: {} -> {} ({})",
                    a.slot, a.effect, a.parameter, a.from, a.to, a.reason
                ))
                .color(MODULATION),
            );
        }
        let preset = suggestion.preset.clone();
        ui.horizontal(|ui| {
            let previewing = self.before_preview.is_some();
            if ui.add_enabled(!previewing, egui::Button::new("Preview")).clicked() {
                self.message = view
                    .remote
                    .preset()
                    .map_err(|e| e.to_string())
                    .and_then(|current| {
                        view.remote.load_preset(preset.clone()).map_err(|e| e.to_string())?;
                        self.before_preview = Some(current);
                        Ok("Previewing: Apply keeps it, End preview goes back".to_string())
                    })
                    .err();
            }
            if ui.add_enabled(previewing, egui::Button::new("End preview")).clicked() {
                if let Some(before) = self.before_preview.take() {
                    self.message = view.remote.load_preset(before).err().map(|e| e.to_string());
                }
            }
            if ui.button("Apply").clicked() {
                // A preview is already loaded: applying keeps it.
                let applied = if self.before_preview.take().is_some() {
                    Ok(())
                } else {
                    view.remote.load_preset(preset)
                };
                self.message = Some(applied.map_or_else(|e| e.to_string(), |()| "Applied".to_string()));
            }
            if ui.button("Undo").clicked() {
                self.before_preview = None;
                self.message =
                    Some(view.remote.undo().map_or_else(|e| e.to_string(), |_| "Undone".to_string()));
            }
        });
        if let Some(message) = &self.message {
            ui.small(message);
        }
    }

    fn chat_ui(&mut self, ui: &mut Ui, view: &View, reading: Option<&MeterReading>) {
        ui.heading("Ask Codette");
        combo(ui, "Perspective", self.perspective.id(), 160.0, |ui| {
            for p in Perspective::ALL {
                ui.selectable_value(&mut self.perspective, p, p.id());
            }
        });
        egui::ScrollArea::vertical().max_height(ui.available_height() - 40.0).stick_to_bottom(true).show(
            ui,
            |ui| {
                for (question, answer) in &self.chat {
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
            let gain_reduction: Vec<Option<f32>> = (0..crate::params::SLOT_COUNT)
                .map(|s| view.telemetry.as_ref().and_then(|t| t.gain_reduction_db[s]))
                .collect();
            let rack = preset.as_ref().map(|preset| Rack { preset, gain_reduction_db: &gain_reduction });
            let context = Context { meters: reading, findings: &[], rack };
            let answer = drawable(&embedded(&question, self.perspective, context).response);
            self.chat.push((question, answer));
            self.question.clear();
        }
    }
}

/// The assistant's overview of the measurements: what is off its reference first.
fn findings_ui(ui: &mut Ui, reading: Option<&MeterReading>) {
    let Some(m) = reading else {
        ui.label("Nothing measured yet: play audio through the rack.");
        return;
    };
    let mut found = facts(Topic::Overview, m);
    found.sort_by_key(|f| !f.concern);
    for f in found {
        let text = RichText::new(drawable(&f.observation));
        ui.label(if f.concern { text.color(MODULATION) } else { text });
        if let Some(advice) = f.advice {
            ui.small(format!("-> {}", drawable(&advice)));
        }
    }
}

/// The assistant's text with the arrows its phrasing uses spelled out: egui's built-in fonts
/// have no arrow glyphs, and would draw boxes.
fn drawable(text: &str) -> String {
    text.replace('→', "->")
}
