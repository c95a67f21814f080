//! The start screen: a new document from a template, a recent file, or an
//! empty canvas.

use std::path::PathBuf;

use egui::{RichText, Ui};
use topoplan_core::templates;

/// What the user picked in the gallery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    Template(&'static str),
    Empty,
    Recent(PathBuf),
    Open,
}

/// Draws the gallery; returns the pick, if any.
pub fn ui(ui: &mut Ui, recent: &[PathBuf]) -> Option<Pick> {
    let mut pick = None;
    ui.heading("Start a topology");
    ui.label(RichText::new("Each template is a complete, valid design to adapt.").weak());
    ui.add_space(8.0);
    egui::Grid::new("gallery")
        .num_columns(2)
        .spacing([12.0, 12.0])
        .show(ui, |ui| {
            for (i, t) in templates::TEMPLATES.iter().enumerate() {
                let Ok(doc) = t.load() else { continue };
                let meta = doc.meta();
                let card = ui.add_sized(
                    [300.0, 84.0],
                    egui::Button::new(
                        RichText::new(format!(
                            "{}\n{}\n{} nodes · {} region{}",
                            meta.name,
                            t.description(),
                            doc.node_count(),
                            meta.regions.len(),
                            if meta.regions.len() == 1 { "" } else { "s" }
                        ))
                        .size(13.0),
                    )
                    .wrap(),
                );
                if card.clicked() {
                    pick = Some(Pick::Template(t.name));
                }
                if i % 2 == 1 {
                    ui.end_row();
                }
            }
        });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("Empty document").clicked() {
            pick = Some(Pick::Empty);
        }
        if ui.button("Open a file…").clicked() {
            pick = Some(Pick::Open);
        }
    });
    if !recent.is_empty() {
        ui.add_space(8.0);
        ui.strong("Recent");
        for path in recent.iter().take(6) {
            if ui.link(path.display().to_string()).clicked() {
                pick = Some(Pick::Recent(path.clone()));
            }
        }
    }
    pick
}
