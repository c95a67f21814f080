//! The palette: one entry per node kind. Click an entry to add that kind in
//! the middle of the view; drag it onto a lane or AZ band to drop it there.

use egui::{RichText, Sense, Ui, vec2};
use topoplan_core::model::NodeKind;

use crate::canvas::PaletteDrag;
use crate::style;

/// A short description of each kind, for the palette's tooltips.
pub fn blurb(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Dns => "Route 53: routes users to healthy regions (global)",
        NodeKind::Cdn => "CloudFront or a third-party CDN in front of origins (global)",
        NodeKind::LoadBalancer => "ALB or NLB across the AZs of a region",
        NodeKind::ApiGateway => "API Gateway: a regional managed front door",
        NodeKind::Service => "A service in an autoscaling group (EC2, ECS or EKS)",
        NodeKind::Cache => "ElastiCache: Redis, Valkey or Memcached",
        NodeKind::Queue => "SQS queue or Kafka topic on MSK",
        NodeKind::Database => "RDS or Aurora, with replicas, shards, global database",
        NodeKind::ObjectStore => "S3 bucket (regional)",
        NodeKind::External => "A third-party dependency with its own SLA (global)",
    }
}

/// Draws the palette; returns the kind clicked, if any.
pub fn ui(ui: &mut Ui) -> Option<NodeKind> {
    let mut clicked = None;
    ui.add_space(4.0);
    ui.label(RichText::new("Add").strong());
    ui.label(RichText::new("click, or drag onto a lane").small().weak());
    ui.add_space(4.0);
    for kind in NodeKind::ALL {
        let response = entry(ui, kind);
        if response.clicked() {
            clicked = Some(kind);
        }
        // Dragged onto the canvas, it is dropped where released (the canvas
        // shows where it will land while it is held).
        response.dnd_set_drag_payload(PaletteDrag(kind));
        if response.dragged() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
        }
    }
    clicked
}

/// One palette entry: the kind's icon and label, as a button-like row.
fn entry(ui: &mut Ui, kind: NodeKind) -> egui::Response {
    let size = vec2(ui.available_width().max(100.0), 28.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    let visuals = ui.style().interact(&response);
    let painter = ui.painter();
    painter.rect(
        rect,
        5.0,
        visuals.weak_bg_fill,
        visuals.bg_stroke,
        egui::StrokeKind::Inside,
    );
    let color = style::kind_color(kind);
    style::paint_icon(
        painter,
        kind,
        rect.left_center() + vec2(14.0, 0.0),
        7.5,
        color,
    );
    painter.text(
        rect.left_center() + vec2(28.0, 0.0),
        egui::Align2::LEFT_CENTER,
        kind.label(),
        egui::FontId::proportional(12.5),
        visuals.text_color(),
    );
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, kind.label()));
    response.on_hover_text(blurb(kind))
}
