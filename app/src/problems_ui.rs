//! The document's errors and warnings, each a link to the element it is
//! about.

use egui::{RichText, Ui};
use topoplan_core::{Diagnostic, Report};

use crate::form::diagnostic_text;

/// Lists the report; returns the diagnostic clicked, if any.
pub fn ui<'a>(ui: &mut Ui, report: &'a Report) -> Option<&'a Diagnostic> {
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
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for d in report.iter() {
                let response = ui
                    .add(
                        egui::Label::new(diagnostic_text(ui, d))
                            .sense(egui::Sense::click())
                            .wrap(),
                    )
                    .on_hover_text(format!("{} · {}", d.code, d.path));
                ui.label(RichText::new(&d.path).small().weak());
                if response.clicked() {
                    clicked = Some(d);
                }
                ui.add_space(4.0);
            }
        });
    clicked
}
