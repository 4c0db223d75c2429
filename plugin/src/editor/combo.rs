//! A combo box with an accessible name (screen readers, and the UI tests, find it by it)
//! without a visible label beside it.

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
