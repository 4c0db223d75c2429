//! Codette's suggestions for the rack as it plays: each with the evidence it rests on, to
//! preview (loaded while the audio plays, until the preview ends), apply and undo. A change is
//! made exactly as the API's `/codette/apply` makes it: the suggestion's rack change applied to
//! the rack's preset, loaded as one undo step.
//!
//! A change is level-matched, previewed or applied at once, as the API's suggestions for an
//! instance are: it gets the output trim that keeps the loudness of the instance's recent input
//! through the rack (`make_level_neutral`), so that a louder change does not win for being
//! louder. Finding the trim takes a few renders of ten seconds of audio, on a thread of its own.

use super::View;
use crate::params::SLOT_COUNT;
use codette_assistant::{make_level_neutral, Audition, Edit, Evidence, RackChange, Suggestion};
use codette_dsp::preset::Preset;
use codette_server::codette::recent_input;
use codette_server::Instance;
use egui::{RichText, Ui};
use std::sync::mpsc::{self, Receiver, TryRecvError};

#[derive(Default)]
pub struct Suggestions {
    /// While a suggestion is previewed: its id, and the rack as it was.
    previewing: Option<(String, Preset)>,
    /// While a preview's trim is being found.
    matching: Option<Matching>,
    message: Option<String>,
}

/// A suggestion being made level-neutral, with the rack as it was.
struct Matching {
    original: Suggestion,
    before: Preset,
    neutral: Receiver<Result<Suggestion, String>>,
    then: Then,
}

/// What loading a level-neutral change is for.
#[derive(Clone, Copy)]
enum Then {
    Preview,
    Apply,
}

impl Suggestions {
    /// `ceiling_dbtp`: the delivery target's, which a trim that raises the level stays under.
    pub fn ui(&mut self, ui: &mut Ui, view: &View, suggestions: &[Suggestion], ceiling_dbtp: f32) {
        if suggestions.is_empty() {
            ui.label("No suggestions: nothing measured is off, and the rack has nothing to add.");
        }
        self.poll(ui, view);
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
                    None => self.buttons(ui, view, s, ceiling_dbtp),
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

    /// Loads the level-neutral suggestion once its trim is found.
    fn poll(&mut self, ui: &mut Ui, view: &View) {
        let Some(Matching { original, neutral, .. }) = &self.matching else { return };
        let result = match neutral.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.small(format!("Level-matching {} on what the rack heard…", original.id));
                });
                ui.ctx().request_repaint();
                return;
            }
            Err(TryRecvError::Disconnected) => Err("the level-matching thread stopped".to_string()),
        };
        let Matching { original, before, then, .. } = self.matching.take().expect("matching");
        self.message = match result.and_then(|neutral| {
            load(view, &neutral, &before)?;
            Ok(added_trim(&original, &neutral, &before))
        }) {
            Ok(trim) => {
                let matched = match trim {
                    Some(db) => format!("level-matched: {db:+.1} dB"),
                    None => "level-matched: no trim needed".to_string(),
                };
                Some(self.loaded(then, &original, before, matched))
            }
            Err(e) => Some(e),
        };
    }

    fn buttons(&mut self, ui: &mut Ui, view: &View, s: &Suggestion, ceiling_dbtp: f32) {
        ui.horizontal(|ui| {
            let idle = self.previewing.is_none() && self.matching.is_none();
            let this = self.previewing.as_ref().is_some_and(|(id, _)| *id == s.id);
            if ui.add_enabled(idle, egui::Button::new(format!("Preview {}", s.id))).clicked() {
                self.message = self.level_match(view, s, ceiling_dbtp, Then::Preview).unwrap_or_else(Some);
            }
            if ui.add_enabled(this || idle, egui::Button::new(format!("Apply {}", s.id))).clicked() {
                // A previewed change is loaded already (level-neutral, as an undo step):
                // applying keeps it.
                self.message = if self.previewing.take().is_some() {
                    Some(applied(s, "as previewed"))
                } else {
                    self.level_match(view, s, ceiling_dbtp, Then::Apply).unwrap_or_else(Some)
                };
            }
        });
    }

    /// Starts finding the suggestion's trim on the instance's recent input, to load it when
    /// found (`Ok(None)`); without enough input, loads the suggestion as it is and says why it
    /// is not level-matched (`Ok(Some)`).
    fn level_match(
        &mut self,
        view: &View,
        s: &Suggestion,
        ceiling_dbtp: f32,
        then: Then,
    ) -> Result<Option<String>, String> {
        let before = view.remote.preset().map_err(|e| e.to_string())?;
        let heard = match recent_input(view.remote) {
            Ok(heard) => heard,
            Err(why) => {
                load(view, s, &before)?;
                return Ok(Some(self.loaded(then, s, before, format!("not level-matched: {why}"))));
            }
        };
        let tempo = view.telemetry.map_or(120.0, |t| t.transport.tempo_bpm);
        let (mut neutral, rack) = (s.clone(), before.clone());
        let (results, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("codette-level-match".into())
            .spawn(move || {
                let audio = (heard.left.as_slice(), heard.right.as_slice());
                let rate = heard.sample_rate as f32;
                let result = Audition::new(&rack, SLOT_COUNT, audio, rate, tempo, &|| true)
                    .and_then(|audition| make_level_neutral(&mut neutral, &rack, &audition, ceiling_dbtp))
                    .map(|()| neutral)
                    .map_err(|e| format!("{}: {}", e.field, e.message));
                let _ = results.send(result);
            })
            .map_err(|e| format!("could not level-match: {e}"))?;
        self.matching = Some(Matching { original: s.clone(), before, neutral: receiver, then });
        Ok(None)
    }

    /// What the panel says once `s` is loaded, `how` level-matched; a preview keeps the rack
    /// as it was `before`, to go back to.
    fn loaded(&mut self, then: Then, s: &Suggestion, before: Preset, how: String) -> String {
        match then {
            Then::Preview => {
                self.previewing = Some((s.id.clone(), before));
                how
            }
            Then::Apply => applied(s, &how),
        }
    }
}

/// What the panel says of an applied suggestion.
fn applied(s: &Suggestion, how: &str) -> String {
    format!("Applied {} ({how}); Undo takes it back", s.title)
}

/// The rack `from` with the suggestion's change, loaded as one undo step.
fn load(view: &View, s: &Suggestion, from: &Preset) -> Result<(), String> {
    let change = s.parameters.as_ref().ok_or("it proposes no change")?;
    let next = change.apply(from, SLOT_COUNT).map_err(|e| format!("{}: {}", e.field, e.message))?;
    view.edits.load_preset(next).map_err(|e| e.to_string())
}

/// The output trim (dB) that making `original` level-neutral added to its change, if any.
fn added_trim(original: &Suggestion, neutral: &Suggestion, from: &Preset) -> Option<f32> {
    let (change, trimmed) = (original.parameters.as_ref()?, neutral.parameters.as_ref()?);
    let Some(Edit::SetParameter { slot, .. }) = trimmed.edits.get(change.edits.len()) else { return None };
    let output_db = |c: &RackChange| Some(c.apply(from, SLOT_COUNT).ok()?.slots[slot - 1].output_db);
    Some(output_db(trimmed)? - output_db(change)?)
}

pub fn evidence_ui(ui: &mut Ui, evidence: &[Evidence]) {
    for e in evidence {
        let text =
            format!("{}: {} {} ({} {} {})", e.metric, e.measured, e.unit, e.comparison, e.target, e.unit);
        ui.label(RichText::new(text).small().monospace());
    }
}
