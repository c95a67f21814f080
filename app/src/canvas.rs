//! The topology canvas: lanes, AZ bands, nodes and edges, with pan and zoom.
//!
//! Immediate mode: every frame reads the document and the cached [`Layout`]
//! (recomputed only when the document's revision changes) and paints what is
//! on screen. Input is handled in a fixed order before painting: zoom, then
//! pan. Canvas and screen coordinates meet in one place, [`Camera`].

use egui::epaint::{CubicBezierShape, PathStroke};
use egui::{
    Align2, Color32, CornerRadius, FontId, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, Vec2,
    pos2, vec2,
};
use topoplan_core::Topology;
use topoplan_core::model::{Dependency, EdgeKind, Node, aws_regions};

use crate::layout::{self, HEADER_W, LANE_TITLE_H, Layout};
use crate::style;

/// Canvas → screen: `screen = canvas * scale + offset`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub scale: f32,
    pub offset: Vec2,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            scale: 1.0,
            offset: Vec2::ZERO,
        }
    }
}

impl Camera {
    pub const MIN_SCALE: f32 = 0.05;
    pub const MAX_SCALE: f32 = 4.0;

    pub fn to_screen(&self, p: Pos2) -> Pos2 {
        (p.to_vec2() * self.scale + self.offset).to_pos2()
    }

    pub fn to_canvas(&self, p: Pos2) -> Pos2 {
        ((p.to_vec2() - self.offset) / self.scale).to_pos2()
    }

    pub fn rect_to_screen(&self, r: Rect) -> Rect {
        Rect::from_min_max(self.to_screen(r.min), self.to_screen(r.max))
    }

    /// Shows all of `bounds` centred in `viewport`, with a margin.
    pub fn fit(&mut self, bounds: Rect, viewport: Rect) {
        if !bounds.is_positive() || !viewport.is_positive() {
            return;
        }
        let margin = 24.0;
        let avail = (viewport.size() - Vec2::splat(2.0 * margin)).max(Vec2::splat(1.0));
        self.scale = (avail.x / bounds.width())
            .min(avail.y / bounds.height())
            .clamp(Self::MIN_SCALE, 1.5);
        self.offset = viewport.center().to_vec2() - bounds.center().to_vec2() * self.scale;
    }

    /// Zooms by `factor`, keeping the canvas point under `anchor` (a screen
    /// point) where it is.
    pub fn zoom_about(&mut self, factor: f32, anchor: Pos2) {
        let before = self.to_canvas(anchor);
        self.scale = (self.scale * factor).clamp(Self::MIN_SCALE, Self::MAX_SCALE);
        self.offset = anchor.to_vec2() - before.to_vec2() * self.scale;
    }
}

/// View state of the canvas. Never saved into the document.
#[derive(Debug, Default)]
pub struct Canvas {
    pub camera: Camera,
    fit_pending: bool,
    cache: Option<(u64, usize, Layout)>,
}

impl Canvas {
    pub fn new() -> Self {
        Self {
            camera: Camera::default(),
            fit_pending: true,
            cache: None,
        }
    }

    /// Fit the whole document on the next frame.
    pub fn request_fit(&mut self) {
        self.fit_pending = true;
    }

    /// The layout for this document version. `document_key` tells documents
    /// apart (revisions restart at 0 in a newly opened document).
    pub fn layout(&mut self, topology: &Topology, document_key: usize) -> &Layout {
        let stale = self
            .cache
            .as_ref()
            .is_none_or(|(rev, key, _)| *rev != topology.revision() || *key != document_key);
        if stale {
            self.cache = Some((topology.revision(), document_key, layout::layout(topology)));
        }
        &self
            .cache
            .as_ref()
            .unwrap_or_else(|| unreachable!("filled above"))
            .2
    }

    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        topology: &Topology,
        document_key: usize,
    ) -> egui::Response {
        let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
        let viewport = response.rect;
        let bounds = self.layout(topology, document_key).bounds;

        // Input, in order: fit, zoom, pan.
        if self.fit_pending || (response.hovered() && ui.input(|i| i.key_pressed(egui::Key::F))) {
            self.camera.fit(bounds, viewport);
            self.fit_pending = false;
        }
        if response.hovered() {
            let (zoom, scroll, hover) = ui.input(|i| {
                (
                    i.zoom_delta(),
                    i.smooth_scroll_delta(),
                    i.pointer.hover_pos(),
                )
            });
            if (zoom - 1.0).abs() > f32::EPSILON {
                self.camera
                    .zoom_about(zoom, hover.unwrap_or(viewport.center()));
            }
            self.camera.offset += scroll;
        }
        if response.dragged() {
            self.camera.offset += response.drag_delta();
        }

        let visuals = ui.visuals().clone();
        painter.rect_filled(viewport, 0.0, style::canvas_background(&visuals));
        let painter = painter.with_clip_rect(viewport);
        let camera = self.camera;
        let layout = self.layout(topology, document_key);
        let visible = Rect::from_min_max(
            camera.to_canvas(viewport.min),
            camera.to_canvas(viewport.max),
        );
        let ctx = Paint {
            painter: &painter,
            camera,
            visuals: &visuals,
        };
        ctx.lanes(topology, layout, visible);
        ctx.edges(topology, layout, visible);
        for node_box in &layout.boxes {
            if node_box.rect.intersects(visible) {
                let inactive = layout.lanes[node_box.lane].inactive;
                let lane = &layout.lanes[node_box.lane];
                ctx.node(&topology.graph()[node_box.node], node_box.rect, inactive);
                ctx.az_chips(&topology.graph()[node_box.node], node_box.rect, lane);
            }
        }
        response
    }
}

struct Paint<'a> {
    painter: &'a egui::Painter,
    camera: Camera,
    visuals: &'a egui::Visuals,
}

impl Paint<'_> {
    fn font(&self, size: f32) -> FontId {
        FontId::proportional(size * self.camera.scale)
    }

    /// Text is skipped when it would be too small to read.
    fn readable(&self, size: f32) -> bool {
        size * self.camera.scale >= 5.0
    }

    fn lanes(&self, topology: &Topology, layout: &Layout, visible: Rect) {
        let text = self.visuals.text_color();
        let weak = self.visuals.weak_text_color();
        let meta = topology.meta();
        for lane in &layout.lanes {
            if !lane.rect.intersects(visible) {
                continue;
            }
            let rect = self.camera.rect_to_screen(lane.rect);
            let fill = style::lane_fill(self.visuals, lane.region.is_none(), lane.inactive);
            self.painter.rect(
                rect,
                CornerRadius::same(8),
                fill,
                Stroke::new(1.0, style::lane_stroke(self.visuals)),
                StrokeKind::Inside,
            );
            let title = match &lane.region {
                None => "Global".to_owned(),
                Some(id) => {
                    let name = aws_regions::find(id).map_or("", |r| r.name);
                    let role = meta.region(id).map_or("", |r| match r.role {
                        topoplan_core::model::RegionRole::Primary => "primary",
                        topoplan_core::model::RegionRole::Secondary => "secondary",
                    });
                    let unused = if lane.inactive {
                        " · not used in single-region mode"
                    } else {
                        ""
                    };
                    format!("{id}  ·  {name}  ·  {role}{unused}")
                }
            };
            if self.readable(13.0) {
                self.painter.text(
                    self.camera
                        .to_screen(lane.rect.min + vec2(12.0, LANE_TITLE_H / 2.0)),
                    Align2::LEFT_CENTER,
                    title,
                    self.font(14.0),
                    if lane.inactive { weak } else { text },
                );
            }
            for band in &lane.bands {
                let r = self.camera.rect_to_screen(band.rect);
                self.painter.line_segment(
                    [r.left_top(), r.right_top()],
                    Stroke::new(1.0, style::band_line(self.visuals)),
                );
                if self.readable(12.0) {
                    let label = band.az.as_deref().unwrap_or("regional");
                    self.painter.text(
                        self.camera
                            .to_screen(pos2(band.rect.min.x + 14.0, band.rect.center().y)),
                        Align2::LEFT_CENTER,
                        label,
                        self.font(12.0),
                        weak,
                    );
                }
            }
            // The header column separator.
            let x = self.camera.to_screen(pos2(HEADER_W, 0.0)).x;
            let top = self
                .camera
                .to_screen(lane.rect.min + vec2(0.0, LANE_TITLE_H))
                .y;
            self.painter.line_segment(
                [pos2(x, top), pos2(x, rect.max.y)],
                Stroke::new(1.0, style::band_line(self.visuals)),
            );
        }
    }

    fn edges(&self, topology: &Topology, layout: &Layout, visible: Rect) {
        for e in topology.edges() {
            let (Some(a), Some(b)) = (
                topology.node_index(&e.from.id),
                topology.node_index(&e.to.id),
            ) else {
                continue;
            };
            let from: Vec<_> = layout.boxes_of(a).collect();
            let to: Vec<_> = layout.boxes_of(b).collect();
            let share_lane = from.iter().any(|f| to.iter().any(|t| t.lane == f.lane));
            for f in &from {
                for t in &to {
                    // Same lane, or one side global, or nowhere in common.
                    let global = layout.lanes[f.lane].region.is_none()
                        || layout.lanes[t.lane].region.is_none();
                    if !(f.lane == t.lane || global || !share_lane) {
                        continue;
                    }
                    let bounds = f.rect.union(t.rect);
                    if !bounds.intersects(visible) {
                        continue;
                    }
                    let inactive = layout.lanes[f.lane].inactive || layout.lanes[t.lane].inactive;
                    self.edge(f.rect, t.rect, e.edge.kind, e.edge.dependency, inactive);
                }
            }
        }
        // Cross-region replication inside one node (databases, object stores).
        for (ix, node) in topology.nodes_indexed() {
            if node.placement.len() < 2 || !node.kind().is_data_store() {
                continue;
            }
            let boxes: Vec<_> = layout.boxes_of(ix).collect();
            for pair in boxes.windows(2) {
                let (a, b) = (pair[0].rect, pair[1].rect);
                let points = [
                    self.camera.to_screen(pos2(a.center().x, a.max.y)),
                    self.camera.to_screen(pos2(b.center().x, b.min.y)),
                ];
                let color = style::edge_color(EdgeKind::Replicate, self.visuals);
                self.painter.extend(Shape::dashed_line(
                    &points,
                    Stroke::new(1.5 * self.camera.scale.max(0.5), color),
                    6.0,
                    4.0,
                ));
            }
        }
    }

    fn edge(&self, from: Rect, to: Rect, kind: EdgeKind, dependency: Dependency, inactive: bool) {
        let (start, end, c1, c2);
        if (to.min.x - from.max.x) > 10.0 {
            start = pos2(from.max.x, from.center().y);
            end = pos2(to.min.x, to.center().y);
            let dx = (end.x - start.x) * 0.5;
            c1 = start + vec2(dx, 0.0);
            c2 = end - vec2(dx, 0.0);
        } else if from.center().y < to.min.y || from.center().y > to.max.y {
            // Vertically apart (global lane to a region, or across regions).
            let down = to.center().y > from.center().y;
            start = pos2(from.center().x, if down { from.max.y } else { from.min.y });
            end = pos2(to.min.x, to.center().y);
            let dy = (end.y - start.y) * 0.5;
            c1 = start + vec2(0.0, dy);
            c2 = end - vec2(40.0, 0.0);
        } else {
            // A back edge: loop out to the right and come back in from the left.
            start = pos2(from.max.x, from.center().y);
            end = pos2(to.min.x, to.center().y);
            c1 = start + vec2(80.0, -60.0);
            c2 = end - vec2(80.0, 60.0);
        }
        let points = [start, c1, c2, end].map(|p| self.camera.to_screen(p));
        let mut color = style::edge_color(kind, self.visuals);
        if inactive {
            color = color.gamma_multiply(0.35);
        }
        let width =
            (if kind == EdgeKind::Call { 1.8 } else { 1.4 }) * self.camera.scale.clamp(0.5, 1.5);
        let stroke = Stroke::new(width, color);
        let curve = CubicBezierShape::from_points_stroke(
            points,
            false,
            Color32::TRANSPARENT,
            PathStroke::from(stroke),
        );
        if dependency == Dependency::Soft || kind != EdgeKind::Call {
            let flat = curve.flatten(Some(0.5));
            let (dash, gap) = if kind == EdgeKind::Call {
                (7.0, 5.0)
            } else {
                (3.0, 4.0)
            };
            self.painter
                .extend(Shape::dashed_line(&flat, stroke, dash, gap));
        } else {
            self.painter.add(curve);
        }
        // Arrowhead along the curve's final direction.
        let dir = (points[3] - points[2]).normalized();
        let dir = if dir.is_finite() && dir != Vec2::ZERO {
            dir
        } else {
            vec2(1.0, 0.0)
        };
        let size = 8.0 * self.camera.scale.clamp(0.5, 1.5);
        let normal = vec2(-dir.y, dir.x);
        let tip = points[3];
        let arrow = vec![
            tip,
            tip - dir * size + normal * size * 0.5,
            tip - dir * size - normal * size * 0.5,
        ];
        self.painter
            .add(Shape::convex_polygon(arrow, color, Stroke::NONE));
    }

    fn node(&self, node: &Node, rect: Rect, inactive: bool) {
        let r = self.camera.rect_to_screen(rect);
        let kind = node.kind();
        let accent = style::kind_color(kind);
        let accent = if inactive {
            accent.gamma_multiply(0.4)
        } else {
            accent
        };
        let fill = style::node_fill(self.visuals, inactive);
        let radius = CornerRadius::same(corner_radius(6.0 * self.camera.scale));
        self.painter.rect(
            r,
            radius,
            fill,
            Stroke::new(1.2, accent),
            StrokeKind::Inside,
        );
        // Accent bar on the left: the kind's colour.
        let bar = Rect::from_min_max(
            r.min,
            pos2(r.min.x + 5.0 * self.camera.scale.max(0.4), r.max.y),
        );
        self.painter.rect_filled(
            bar,
            CornerRadius {
                nw: radius.nw,
                sw: radius.sw,
                ne: 0,
                se: 0,
            },
            accent,
        );
        if !self.readable(12.0) {
            return;
        }
        let text = if inactive {
            self.visuals.weak_text_color()
        } else {
            self.visuals.strong_text_color()
        };
        let weak = self.visuals.weak_text_color();
        let pad = 12.0;
        let icon_pos = rect.min + vec2(pad + 10.0, 17.0);
        style::paint_icon(
            self.painter,
            kind,
            self.camera.to_screen(icon_pos),
            10.0 * self.camera.scale,
            accent,
        );
        let name_width = (rect.width() - pad - 30.0) * self.camera.scale;
        let galley = self
            .painter
            .layout(node.name.clone(), self.font(13.0), text, name_width);
        let galley = if galley.rows.len() > 1 {
            // Long names: one line, cut with an ellipsis.
            let mut job =
                egui::text::LayoutJob::simple_singleline(node.name.clone(), self.font(13.0), text);
            job.wrap = egui::text::TextWrapping::truncate_at_width(name_width);
            self.painter.layout_job(job)
        } else {
            galley
        };
        self.painter.galley(
            self.camera.to_screen(rect.min + vec2(pad + 24.0, 9.0)),
            galley,
            text,
        );
        if self.readable(11.0) && rect.height() >= 40.0 {
            let mut job =
                egui::text::LayoutJob::simple_singleline(style::badge(node), self.font(11.0), weak);
            job.wrap = egui::text::TextWrapping::truncate_at_width(
                (rect.width() - 2.0 * pad) * self.camera.scale,
            );
            let badge = self.painter.layout_job(job);
            self.painter.galley(
                self.camera.to_screen(rect.min + vec2(pad, 32.0)),
                badge,
                weak,
            );
        }
    }

    /// What the node runs in each AZ band it spans, bottom-right of the band.
    fn az_chips(&self, node: &Node, rect: Rect, lane: &layout::Lane) {
        let Some(region) = &lane.region else { return };
        if !self.readable(10.0) || !node.is_zonal() {
            return;
        }
        let color = if lane.inactive {
            self.visuals.weak_text_color().gamma_multiply(0.6)
        } else {
            self.visuals.weak_text_color()
        };
        for (az, label) in style::per_az(node, region) {
            let Some(band) = lane
                .bands
                .iter()
                .find(|b| b.az.as_deref() == Some(az.as_str()))
            else {
                continue;
            };
            // Skip the band holding the title and badge when the box is short.
            if band.rect.max.y - rect.min.y < 52.0 {
                continue;
            }
            let anchor = pos2(rect.max.x - 10.0, band.rect.max.y - 10.0);
            self.painter.text(
                self.camera.to_screen(anchor),
                Align2::RIGHT_BOTTOM,
                label,
                self.font(10.5),
                color,
            );
        }
    }
}

/// A corner radius in whole pixels, 1..=255.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "clamped to 1..=255 first"
)]
fn corner_radius(pixels: f32) -> u8 {
    pixels.round().clamp(1.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screen_and_canvas_round_trip() {
        let camera = Camera {
            scale: 1.7,
            offset: vec2(-30.0, 12.5),
        };
        let p = pos2(123.0, -45.0);
        let back = camera.to_canvas(camera.to_screen(p));
        assert!((back - p).length() < 1e-3);
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let mut camera = Camera {
            scale: 0.8,
            offset: vec2(10.0, 20.0),
        };
        let cursor = pos2(400.0, 300.0);
        let under = camera.to_canvas(cursor);
        camera.zoom_about(1.6, cursor);
        assert!((camera.to_screen(under) - cursor).length() < 1e-3);
        assert!((camera.scale - 1.28).abs() < 1e-5);
    }

    #[test]
    fn fit_shows_everything() {
        let mut camera = Camera::default();
        let bounds = Rect::from_min_size(pos2(0.0, 0.0), vec2(2000.0, 800.0));
        let viewport = Rect::from_min_size(pos2(0.0, 40.0), vec2(1000.0, 600.0));
        camera.fit(bounds, viewport);
        let shown = camera.rect_to_screen(bounds);
        assert!(viewport.contains_rect(shown), "{shown:?}");
    }
}
