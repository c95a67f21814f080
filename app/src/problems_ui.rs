//! The document's errors and warnings, each a link to the element it is
//! about. Only the rows on screen are laid out, so a report of thousands
//! of warnings costs what a screenful does.

use egui::{RichText, Ui};
use topoplan_core::{Element, Report};

use crate::form::diagnostic_text;

/// Lists the report; returns the element of the diagnostic clicked, if any.
pub fn ui(ui: &mut Ui, report: &Report) -> Option<Element> {
    let mut clicked = None;
    let (errors, warnings) = (report.errors.len(), report.warnings.len());
    if errors + warnings == 0 {
        ui.label("The document is valid: no errors, no warnings.");
        return None;
    }
    ui.label(format!(
        "{} and {}. Click one to select what it is about.",
        crate::edits::count(errors, "error"),
        crate::edits::count(warnings, "warning")
    ));
    ui.separator();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) * 2.0 + 8.0;
    let all: Vec<&topoplan_core::Diagnostic> = report.iter().collect();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_rows(ui, row_height, all.len(), |ui, rows| {
            for d in &all[rows] {
                ui.allocate_ui(egui::vec2(ui.available_width(), row_height), |ui| {
                    ui.set_min_height(row_height);
                    ui.vertical(|ui| {
                        let response = ui
                            .add(
                                egui::Label::new(diagnostic_text(ui, d))
                                    .sense(egui::Sense::click())
                                    .truncate(),
                            )
                            .on_hover_text(format!("{}\n{} · {}", d.message, d.code, d.path));
                        ui.label(RichText::new(&d.path).small().weak());
                        if response.clicked() {
                            clicked.clone_from(&d.element);
                        }
                    });
                });
            }
        });
    clicked
}
