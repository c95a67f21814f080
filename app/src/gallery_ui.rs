//! The start screen: a new document from a template, a recent file, or an
//! empty canvas. Each template is a card with a miniature of its layout.

use std::path::PathBuf;
use std::sync::OnceLock;

use egui::{Align2, FontId, Rect, RichText, Sense, Stroke, Ui, vec2};
use topoplan_core::model::NodeKind;
use topoplan_core::templates;

use crate::layout::{self, Layout};
use crate::style;

/// What the user picked in the gallery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    Template(&'static str),
    Empty,
    Recent(PathBuf),
    Open,
}

/// What a card shows, computed once per run.
struct Card {
    name: &'static str,
    title: String,
    description: String,
    facts: String,
    layout: Layout,
    kinds: Vec<NodeKind>,
}

fn cards() -> &'static [Card] {
    static CARDS: OnceLock<Vec<Card>> = OnceLock::new();
    CARDS.get_or_init(|| {
        templates::TEMPLATES
            .iter()
            .filter_map(|t| {
                let doc = t.load().ok()?;
                let meta = doc.meta();
                let layout = layout::layout(&doc);
                let kinds = layout
                    .boxes
                    .iter()
                    .map(|b| doc.graph()[b.node].kind())
                    .collect();
                Some(Card {
                    name: t.name,
                    title: meta.name.clone(),
                    description: t.description(),
                    facts: format!(
                        "{} nodes · {} edges · {} region{}",
                        doc.node_count(),
                        doc.edge_count(),
                        meta.regions.len(),
                        if meta.regions.len() == 1 { "" } else { "s" }
                    ),
                    layout,
                    kinds,
                })
            })
            .collect()
    })
}

/// Draws the gallery; returns the pick, if any.
pub fn ui(ui: &mut Ui, recent: &[PathBuf]) -> Option<Pick> {
    let mut pick = None;
    ui.heading("Start a topology");
    ui.label(RichText::new("Each template is a complete, valid design to adapt.").weak());
    ui.add_space(8.0);
    egui::Grid::new("gallery")
        .num_columns(3)
        .spacing([10.0, 10.0])
        .show(ui, |ui| {
            for (i, card) in cards().iter().enumerate() {
                if card_ui(ui, card).clicked() {
                    pick = Some(Pick::Template(card.name));
                }
                if i % 3 == 2 {
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

/// One template card: a miniature of the layout, the name, the
/// description and a line of facts.
fn card_ui(ui: &mut Ui, card: &Card) -> egui::Response {
    let size = vec2(260.0, 190.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Button,
            true,
            format!("{}: {}", card.title, card.description),
        )
    });
    let visuals = ui.style().interact(&response);
    let painter = ui.painter_at(rect);
    painter.rect(
        rect,
        6.0,
        ui.visuals().faint_bg_color,
        Stroke::new(
            if response.hovered() { 1.5 } else { 1.0 },
            visuals.bg_stroke.color,
        ),
        egui::StrokeKind::Inside,
    );
    // The miniature.
    let preview = Rect::from_min_size(rect.min + vec2(8.0, 8.0), vec2(size.x - 16.0, 70.0));
    painter.rect_filled(preview, 4.0, style::canvas_background(ui.visuals()));
    let bounds = card.layout.bounds;
    if bounds.is_positive() {
        let scale = (preview.width() / bounds.width()).min(preview.height() / bounds.height());
        let offset = preview.center() - bounds.center() * scale;
        let to = |r: Rect| Rect::from_min_max(r.min * scale + offset, r.max * scale + offset);
        for lane in &card.layout.lanes {
            painter.rect_filled(
                to(lane.rect),
                1.0,
                style::lane_fill(ui.visuals(), lane.region.is_none(), lane.inactive),
            );
        }
        for (b, kind) in card.layout.boxes.iter().zip(&card.kinds) {
            painter.rect_filled(to(b.rect), 1.0, style::kind_color(*kind));
        }
    }
    let text = ui.visuals().strong_text_color();
    let weak = ui.visuals().weak_text_color();
    let mut y = preview.max.y + 8.0;
    let title = painter.layout(
        card.title.clone(),
        FontId::proportional(14.0),
        text,
        size.x - 16.0,
    );
    let title_h = title.size().y;
    painter.galley(egui::pos2(rect.min.x + 8.0, y), title, text);
    y += title_h;
    let mut job = egui::text::LayoutJob::simple(
        card.description.clone(),
        FontId::proportional(11.5),
        weak,
        size.x - 16.0,
    );
    job.wrap.max_rows = 4;
    let description = painter.layout_job(job);
    painter.galley(egui::pos2(rect.min.x + 8.0, y + 3.0), description, weak);
    painter.text(
        rect.left_bottom() + vec2(8.0, -8.0),
        Align2::LEFT_BOTTOM,
        &card.facts,
        FontId::proportional(11.0),
        if response.hovered() {
            ui.visuals().selection.stroke.color
        } else {
            weak
        },
    );
    response
}
