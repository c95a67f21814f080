//! Labelled form rows for the inspector, each validated as it is edited.
//!
//! A [`Form`] lays rows out in a two-column grid and remembers which field
//! changed (for the undo label). Numbers are range-checked by their widget;
//! whatever the document's validator says about a field is shown under it,
//! in the words of the validator (`Diagnostic`s whose path ends with the
//! field's key).

use egui::{Color32, DragValue, Response, RichText, Ui};
use topoplan_core::Diagnostic;

#[derive(Debug)]
pub struct Form<'a> {
    /// Diagnostics about the element being edited.
    pub diagnostics: &'a [&'a Diagnostic],
    /// The label of the last field that changed this frame.
    pub changed: Option<&'static str>,
    /// Which diagnostics a field has shown.
    shown: Vec<bool>,
}

impl<'a> Form<'a> {
    pub fn new(diagnostics: &'a [&'a Diagnostic]) -> Self {
        Self {
            diagnostics,
            changed: None,
            shown: vec![false; diagnostics.len()],
        }
    }

    /// The diagnostics no field showed, under a heading.
    pub fn rest(&self, ui: &mut Ui) {
        let rest: Vec<&&Diagnostic> = self
            .diagnostics
            .iter()
            .zip(&self.shown)
            .filter(|(_, shown)| !**shown)
            .map(|(d, _)| d)
            .collect();
        if rest.is_empty() {
            return;
        }
        ui.add_space(6.0);
        ui.strong("Problems here");
        for d in rest {
            ui.label(diagnostic_text(ui, d)).on_hover_text(&d.path);
        }
    }

    /// A grid for rows; `id` must be unique in the panel.
    pub fn grid(&mut self, ui: &mut Ui, id: &str, rows: impl FnOnce(&mut Self, &mut Ui)) {
        egui::Grid::new(id)
            .num_columns(2)
            .spacing([10.0, 6.0])
            .min_col_width(110.0)
            .show(ui, |ui| rows(self, ui));
    }

    /// One row: a label and a widget labelled by it (so screen readers and
    /// tests find the widget by its label), then the field's diagnostics.
    pub fn row(
        &mut self,
        ui: &mut Ui,
        label: &'static str,
        key: &str,
        hint: &str,
        add: impl FnOnce(&mut Ui) -> Response,
    ) -> Response {
        let label_response = ui.label(label);
        let response = add(ui).labelled_by(label_response.id);
        let response = if hint.is_empty() {
            response
        } else {
            label_response.on_hover_text(hint);
            response.on_hover_text(hint)
        };
        if response.changed() {
            self.changed = Some(label);
        }
        ui.end_row();
        self.field_diagnostics(ui, key);
        response
    }

    /// The diagnostics whose path ends at `key` (`.min`, `.placement.us-east-1`).
    pub fn field_diagnostics(&mut self, ui: &mut Ui, key: &str) {
        if key.is_empty() {
            return;
        }
        for (i, d) in self.diagnostics.iter().enumerate() {
            if about_field(&d.path, key) {
                self.shown[i] = true;
                ui.label("");
                // Wrapped to the value column: a long message must not
                // widen the grid (and the panel) past its width.
                ui.scope(|ui| {
                    ui.set_max_width(190.0);
                    ui.add(egui::Label::new(diagnostic_text(ui, d)).wrap())
                        .on_hover_text(&d.path);
                });
                ui.end_row();
            }
        }
    }

    pub fn f64(
        &mut self,
        ui: &mut Ui,
        label: &'static str,
        key: &str,
        value: &mut f64,
        range: std::ops::RangeInclusive<f64>,
        suffix: &str,
    ) -> Response {
        let speed = (value.abs() * 0.01).clamp(0.01, 1000.0);
        self.row(ui, label, key, "", |ui| {
            ui.add(
                DragValue::new(value)
                    .range(range)
                    .speed(speed)
                    .suffix(suffix)
                    .max_decimals(3),
            )
        })
    }

    pub fn u32(
        &mut self,
        ui: &mut Ui,
        label: &'static str,
        key: &str,
        value: &mut u32,
        range: std::ops::RangeInclusive<u32>,
        suffix: &str,
    ) -> Response {
        self.row(ui, label, key, "", |ui| {
            ui.add(DragValue::new(value).range(range).speed(0.1).suffix(suffix))
        })
    }

    /// A share from 0 to 1, shown and typed as a percentage.
    pub fn share(
        &mut self,
        ui: &mut Ui,
        label: &'static str,
        key: &str,
        value: &mut f64,
    ) -> Response {
        let mut percent = *value * 100.0;
        let response = self.row(ui, label, key, "", |ui| {
            ui.add(
                DragValue::new(&mut percent)
                    .range(0.0..=100.0)
                    .speed(0.1)
                    .suffix(" %")
                    .max_decimals(3),
            )
        });
        if response.changed() {
            *value = (percent / 100.0).clamp(0.0, 1.0);
        }
        response
    }

    pub fn text(
        &mut self,
        ui: &mut Ui,
        label: &'static str,
        key: &str,
        value: &mut String,
    ) -> Response {
        self.row(ui, label, key, "", |ui| {
            ui.add(egui::TextEdit::singleline(value).desired_width(170.0))
        })
    }

    pub fn check(
        &mut self,
        ui: &mut Ui,
        label: &'static str,
        key: &str,
        value: &mut bool,
        hint: &str,
    ) -> Response {
        self.row(ui, label, key, hint, |ui| ui.checkbox(value, ""))
    }

    /// A combo box over `options` (value, label).
    pub fn choice<T: Copy + PartialEq>(
        &mut self,
        ui: &mut Ui,
        label: &'static str,
        key: &str,
        value: &mut T,
        options: &[(T, &str)],
    ) -> Response {
        let current = options
            .iter()
            .find(|(v, _)| v == value)
            .map_or("", |(_, l)| *l);
        let mut changed = false;
        let mut response = self.row(ui, label, key, "", |ui| {
            egui::ComboBox::from_id_salt(label)
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (v, l) in options {
                        changed |= ui.selectable_value(value, *v, *l).changed();
                    }
                })
                .response
        });
        if changed {
            self.changed = Some(label);
            response.mark_changed();
        }
        response
    }
}

/// Whether a diagnostic path names `key` as its last component
/// (`nodes[2] ("web").min` names `min`; `...placement.us-east-1` names
/// `placement.us-east-1` and `placement`).
fn about_field(path: &str, key: &str) -> bool {
    path.ends_with(&format!(".{key}"))
        || path.contains(&format!(".{key}."))
        || path.contains(&format!(".{key}["))
}

/// A diagnostic as one coloured line.
pub fn diagnostic_text(ui: &Ui, d: &Diagnostic) -> RichText {
    let (icon, color) = match d.severity {
        topoplan_core::Severity::Error => ("error", ui.visuals().error_fg_color),
        topoplan_core::Severity::Warning => ("warning", ui.visuals().warn_fg_color),
    };
    RichText::new(format!("{icon}: {}", d.message)).color(color)
}

/// A muted colour for secondary text in panels.
pub fn weak(ui: &Ui) -> Color32 {
    ui.visuals().weak_text_color()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_attach_to_the_field_their_path_ends_with() {
        assert!(about_field("nodes[2] (\"web\").min", "min"));
        assert!(!about_field("nodes[2] (\"web\").min_acu", "min"));
        assert!(about_field(
            "nodes[2] (\"web\").placement.us-east-9",
            "placement"
        ));
        assert!(about_field("regions[0] (\"us-east-1\").azs[1]", "azs"));
    }
}
