//! The presets panel: factory and user presets to load, the user's to save, rename, delete,
//! import and export; and the A/B comparison. Loading goes through the same code as the API's
//! `PUT /state` (checked, one undo step).

use super::library::{self, Library};
use super::View;
use codette_dsp::preset::Preset;
use codette_server::Instance;
use egui::Ui;
use std::path::Path;

pub struct PresetsPanel {
    library: Library,
    factory: Vec<Preset>,
    /// The name typed for saving, and for renaming the selected user preset.
    name: String,
    selected: Option<String>,
    /// A file to import from or export to.
    path: String,
    message: Option<String>,
}

impl PresetsPanel {
    pub fn new(library: Library) -> Self {
        Self {
            library,
            factory: library::factory(),
            name: String::new(),
            selected: None,
            path: String::new(),
            message: None,
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, view: &View) {
        ui.columns_const(|[factory, user]| {
            factory.heading("Factory");
            egui::ScrollArea::vertical().id_salt("factory").show(factory, |ui| {
                for preset in &self.factory {
                    if ui.button(&preset.name).clicked() {
                        self.message = Some(load(view, preset.clone()));
                    }
                }
            });
            self.user_ui(user, view);
        });
    }

    fn user_ui(&mut self, ui: &mut Ui, view: &View) {
        ui.heading("Yours");
        ui.small(format!("in {}", self.library.dir().display()));
        for name in self.library.names() {
            let selected = self.selected.as_deref() == Some(name.as_str());
            if ui.selectable_label(selected, &name).clicked() {
                self.name = name.clone();
                self.selected = Some(name);
            }
        }
        ui.separator();
        ui.horizontal(|ui| {
            let label = ui.label("Name");
            ui.text_edit_singleline(&mut self.name).labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            if ui.button("Save").clicked() {
                let result = view.remote.preset().map_err(|e| e.to_string());
                let saved = result.and_then(|preset| self.library.save(&self.name, &preset, true));
                self.report(saved.map(|()| format!("Saved {}", self.name.trim())));
            }
            let Some(selected) = self.selected.clone() else { return };
            if ui.button("Load").clicked() {
                let message = self.library.load(&selected).map(|p| load(view, p));
                self.report(message);
            }
            if ui.button("Rename").clicked() {
                let renamed = self.library.rename(&selected, &self.name);
                if renamed.is_ok() {
                    self.selected = Some(self.name.trim().to_string());
                }
                self.report(renamed.map(|()| format!("Renamed {selected} to {}", self.name.trim())));
            }
            if ui.button("Delete").clicked() {
                let deleted = self.library.delete(&selected);
                self.selected = None;
                self.report(deleted.map(|()| format!("Deleted {selected}")));
            }
        });
        ui.separator();
        ui.horizontal(|ui| {
            let label = ui.label("File");
            ui.text_edit_singleline(&mut self.path).labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            if ui.button("Import").clicked() {
                let imported = self.library.import(Path::new(self.path.trim()));
                self.report(imported.map(|name| format!("Imported {name}")));
            }
            if ui.button("Export").clicked() {
                let preset = view.remote.preset().map_err(|e| e.to_string());
                let exported = preset.and_then(|p| library::export(&p, Path::new(self.path.trim())));
                self.report(exported.map(|()| format!("Exported to {}", self.path.trim())));
            }
        });
        if let Some(message) = &self.message {
            ui.label(message);
        }
    }

    fn report(&mut self, result: Result<String, String>) {
        self.message = Some(result.unwrap_or_else(|e| e));
    }
}

fn load(view: &View, preset: Preset) -> String {
    let name = preset.name.clone();
    match view.edits.load_preset(preset) {
        Ok(()) => format!("Loaded {name}"),
        Err(e) => e.to_string(),
    }
}

/// Two settings of the rack to compare: switching keeps the current one on its side and loads
/// the other (as an undoable edit); a side not used yet starts as a copy of the current one.
#[derive(Default)]
pub struct AbCompare {
    sides: [Option<Preset>; 2],
    active: usize,
}

impl AbCompare {
    pub fn active(&self) -> usize {
        self.active
    }

    pub fn switch(&mut self, to: usize, view: &View) -> Result<(), String> {
        if to == self.active {
            return Ok(());
        }
        self.sides[self.active] = Some(view.remote.preset().map_err(|e| e.to_string())?);
        if let Some(other) = self.sides[to].clone() {
            view.edits.load_preset(other).map_err(|e| e.to_string())?;
        }
        self.active = to;
        Ok(())
    }
}
