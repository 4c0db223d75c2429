//! Combo boxes with an accessible name (screen readers, and the UI tests, find them by it)
//! without a visible label beside them.

use egui::{Role, Ui, WidgetInfo};

pub fn combo(ui: &mut Ui, name: &str, selected: &str, width: f32, add: impl FnOnce(&mut Ui)) {
    let response =
        egui::ComboBox::from_id_salt(name).width(width).selected_text(selected).show_ui(ui, add).response;
    response.widget_info(|| {
        let mut info = WidgetInfo::labeled(Role::ComboBox, true, name);
        info.current_text_value = Some(selected.to_string());
        info
    });
}

/// A combo box choosing one of `options` by name.
pub fn pick<T: PartialEq + Copy>(ui: &mut Ui, name: &str, value: &mut T, options: &[(T, &str)]) {
    let current = options.iter().find(|(v, _)| v == value).map_or("", |(_, n)| n);
    combo(ui, name, current, 110.0, |ui| {
        for (option, name) in options {
            ui.selectable_value(value, *option, *name);
        }
    });
}
