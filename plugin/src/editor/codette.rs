//! Codette in the window: what it finds in the output as it plays (each finding with the
//! numbers it rests on), judged against the delivery target and genre picked; its suggestions
//! for the rack ([`suggestions`](super::suggestions)); a template for an instrument and genre,
//! tuned to the measurements; and the chat ([`chat`](super::chat)). The same functions as the
//! API's `/codette` routes, on the same live meters.

use super::chat::ChatBox;
use super::combo::combo;
use super::suggestions::{evidence_ui, Suggestions};
use super::View;
use crate::params::SLOT_COUNT;
use codette_assistant::{
    detect, recommend, suggest, Context, Delivery, Finding, Genre, Instrument, Measurements, Recommendation,
    Suggestion,
};
use codette_dsp::analysis::FLOOR_DB;
use codette_server::Instance;
use egui::{RichText, Ui};
use std::time::{Duration, Instant};

/// How often the findings and suggestions are worked out again from the live meters: often
/// enough to follow the music, seldom enough to read.
const REFRESH: Duration = Duration::from_secs(1);

pub struct CodettePanel {
    delivery: Delivery,
    genre: Option<Genre>,
    instrument: Instrument,
    /// The last analysis: whether audio was heard, the findings and the suggestions.
    analysis: Option<(Instant, bool, Vec<Finding>, Vec<Suggestion>)>,
    suggestions: Suggestions,
    template: Option<Recommendation>,
    chat: ChatBox,
    message: Option<String>,
}

impl Default for CodettePanel {
    fn default() -> Self {
        Self {
            delivery: Delivery::Streaming,
            genre: None,
            instrument: Instrument::Vocals,
            analysis: None,
            suggestions: Suggestions::default(),
            template: None,
            chat: ChatBox::default(),
            message: None,
        }
    }
}

impl CodettePanel {
    pub fn ui(&mut self, ui: &mut Ui, view: &View) {
        self.pickers(ui);
        let Ok(meters) = view.remote.meters() else { return };
        let context = Context { delivery: Some(self.delivery), genre: self.genre };
        if self.analysis.as_ref().is_none_or(|(at, ..)| at.elapsed() >= REFRESH) {
            let measurements = Measurements::live(meters.meters);
            // Silence (the analysis' floor) is not something heard.
            let heard = meters.active && meters.meters.lufs_integrated > FLOOR_DB;
            let findings = if heard { detect(&measurements, &context) } else { Vec::new() };
            let preset = view.remote.preset().unwrap_or_else(|_| codette_dsp::preset::Preset::new(""));
            let suggestions = suggest(&findings, &measurements, &preset, SLOT_COUNT, &context);
            self.analysis = Some((Instant::now(), heard, findings, suggestions));
        }
        let Some(analysis) = self.analysis.take() else { return };
        let (_, active, findings, suggestions) = &analysis;
        let reading = active.then_some(&meters.meters);
        ui.columns_const(|[left, right]| {
            egui::ScrollArea::vertical().id_salt("codette").show(left, |ui| {
                ui.heading("Findings");
                findings_ui(ui, *active, findings);
                ui.heading("Suggestions");
                self.suggestions.ui(ui, view, suggestions, self.delivery.ceiling_dbtp());
                ui.separator();
                self.template_ui(ui, view, reading);
            });
            self.chat.ui(right, view, reading, findings, suggestions);
        });
        self.analysis = Some(analysis);
    }

    fn pickers(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.label("Delivery");
            let name = |d: Delivery| format!("{} ({} LUFS)", d.id(), d.target_lufs());
            combo(ui, "Delivery target", &name(self.delivery), 170.0, |ui| {
                for d in Delivery::ALL {
                    ui.selectable_value(&mut self.delivery, d, name(d));
                }
            });
            ui.label("Genre");
            let genre = |g: Option<Genre>| g.map_or("any", Genre::id);
            combo(ui, "Genre", genre(self.genre), 110.0, |ui| {
                for g in std::iter::once(None).chain(Genre::ALL.map(Some)) {
                    ui.selectable_value(&mut self.genre, g, genre(g));
                }
            });
            if ui.button("Listen again").on_hover_text("Work out the findings now").clicked() {
                self.analysis = None;
            }
        });
    }

    /// A template chain for an instrument in the genre picked, tuned to the measurements.
    fn template_ui(
        &mut self,
        ui: &mut Ui,
        view: &View,
        reading: Option<&codette_dsp::analysis::MeterReading>,
    ) {
        ui.heading("Template");
        ui.horizontal(|ui| {
            combo(ui, "Instrument", self.instrument.id(), 100.0, |ui| {
                for i in Instrument::ALL {
                    ui.selectable_value(&mut self.instrument, i, i.id());
                }
            });
            if ui.button("Suggest a chain").clicked() {
                let genre = self.genre.unwrap_or(Genre::Pop);
                self.template = Some(recommend(self.instrument, genre, reading, self.delivery.target_lufs()));
            }
        });
        let Some(template) = &self.template else { return };
        for note in &template.slots {
            ui.label(format!("{}. {}: {}", note.slot, note.effect, drawable(&note.reason)));
        }
        if !template.tuned {
            ui.small("Not tuned: no audio measured yet, so the template's values stand.");
        }
        for a in &template.adjustments {
            let text = format!(
                "{} {} {}: {} -> {} ({})",
                a.slot,
                a.effect,
                a.parameter,
                a.from,
                a.to,
                drawable(&a.reason)
            );
            ui.label(RichText::new(text).color(super::knob::MODULATION));
        }
        if ui.button("Load the chain").clicked() {
            let loaded = view.edits.load_preset(template.preset.clone());
            self.message =
                Some(loaded.map_or_else(|e| e.to_string(), |()| "Loaded; Undo takes it back".into()));
        }
        if let Some(message) = &self.message {
            ui.small(message);
        }
    }
}

fn findings_ui(ui: &mut Ui, active: bool, findings: &[Finding]) {
    if !active {
        ui.label("Nothing measured yet: play audio through the rack.");
    } else if findings.is_empty() {
        ui.label("Nothing off its reference.");
    }
    for f in findings {
        ui.label(RichText::new(&f.title).strong().color(super::knob::MODULATION));
        ui.label(drawable(&f.description));
        evidence_ui(ui, &f.evidence);
    }
}

/// The assistant's text with the arrows its phrasing uses spelled out: egui's built-in fonts
/// have no arrow glyphs, and would draw boxes.
pub fn drawable(text: &str) -> String {
    text.replace('→', "->")
}
