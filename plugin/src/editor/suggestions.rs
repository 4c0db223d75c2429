//! Codette's suggestions for the rack as it plays: each with the evidence it rests on, to
//! preview (loaded while the audio plays, until the preview ends), apply and undo. A change is
//! made exactly as the API's `/codette/apply` makes it: the suggestion's rack change applied to
//! the rack's preset, loaded as one undo step.

use super::View;
use crate::params::SLOT_COUNT;
use codette_assistant::{Evidence, Suggestion};
use codette_dsp::preset::Preset;
use codette_server::Instance;
use egui::{RichText, Ui};

#[derive(Default)]
pub struct Suggestions {
    /// While a suggestion is previewed: its id, and the rack as it was.
    previewing: Option<(String, Preset)>,
    message: Option<String>,
}

impl Suggestions {
    pub fn ui(&mut self, ui: &mut Ui, view: &View, suggestions: &[Suggestion]) {
        if suggestions.is_empty() {
            ui.label("No suggestions: nothing measured is off, and the rack has nothing to add.");
        }
        for s in suggestions {
            ui.group(|ui| {
                ui.horizontal(|ui| {
                    ui.strong(&s.title);
                    ui.small(format!("confidence {:.0} %", s.confidence * 100.0));
                });
                ui.label(super::codette::drawable(&s.description));
                evidence_ui(ui, &s.evidence);
                match &s.unavailable {
                    Some(why) => {
                        ui.small(format!("Not possible here: {why}"));
                    }
                    None => self.buttons(ui, view, s),
                }
            });
        }
        if self.previewing.is_some() && ui.button("End preview").clicked() {
            if let Some((_, before)) = self.previewing.take() {
                self.message = view.edits.load_preset(before).err().map(|e| e.to_string());
            }
        }
        if let Some(message) = &self.message {
            ui.small(message);
        }
    }

    fn buttons(&mut self, ui: &mut Ui, view: &View, s: &Suggestion) {
        ui.horizontal(|ui| {
            let this = self.previewing.as_ref().is_some_and(|(id, _)| *id == s.id);
            if ui
                .add_enabled(self.previewing.is_none(), egui::Button::new(format!("Preview {}", s.id)))
                .clicked()
            {
                let before = view.remote.preset().map_err(|e| e.to_string());
                self.message = before
                    .and_then(|before| {
                        load(view, s, &before)?;
                        self.previewing = Some((s.id.clone(), before));
                        Ok(())
                    })
                    .err();
            }
            if ui
                .add_enabled(this || self.previewing.is_none(), egui::Button::new(format!("Apply {}", s.id)))
                .clicked()
            {
                // A previewed change is loaded already (as an undo step): applying keeps it.
                let applied = if self.previewing.take().is_some() {
                    Ok(())
                } else {
                    view.remote.preset().map_err(|e| e.to_string()).and_then(|now| load(view, s, &now))
                };
                self.message =
                    Some(applied.map_or_else(|e| e, |()| format!("Applied {}; Undo takes it back", s.title)));
            }
        });
    }
}

/// The rack `from` with the suggestion's change, loaded as one undo step.
fn load(view: &View, s: &Suggestion, from: &Preset) -> Result<(), String> {
    let change = s.parameters.as_ref().ok_or("it proposes no change")?;
    let next = change.apply(from, SLOT_COUNT).map_err(|e| format!("{}: {}", e.field, e.message))?;
    view.edits.load_preset(next).map_err(|e| e.to_string())
}

pub fn evidence_ui(ui: &mut Ui, evidence: &[Evidence]) {
    for e in evidence {
        let text =
            format!("{}: {} {} ({} {} {})", e.metric, e.measured, e.unit, e.comparison, e.target, e.unit);
        ui.label(RichText::new(text).small().monospace());
    }
}
