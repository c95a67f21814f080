//! Painting the canvas: reads the document, the layout and the gesture
//! preview, and draws what is on screen.
//!
//! Off-screen lanes, edges and boxes are culled against the visible canvas
//! rectangle. Level of detail follows the zoom: below [`DETAIL_SCALE`] text,
//! icons and chips are skipped, and below [`CURVE_SCALE`] edges are straight
//! lines without arrowheads (a 5,000-node overview is a pattern, not text).

use std::collections::HashSet;
use std::fmt::Write as _;

use egui::epaint::{CubicBezierShape, PathStroke};
use egui::{
    Align2, Color32, CornerRadius, FontId, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2, pos2, vec2,
};
use petgraph::stable_graph::NodeIndex;
use topoplan_core::Topology;
use topoplan_core::model::{Dependency, EdgeKind, Node, RegionRole, aws_regions};

use super::{Camera, Overlay};
use crate::layout::{self, HEADER_W, LANE_TITLE_H, Layout, PORT_R};
use crate::selection::Selection;
use crate::style;

/// Below this zoom, boxes are drawn without text or icons.
pub const DETAIL_SCALE: f32 = 0.3;
/// Below this zoom, edges are straight lines without arrowheads.
pub const CURVE_SCALE: f32 = 0.2;

/// What the gesture in progress looks like.
#[derive(Debug, Default)]
pub struct Preview {
    /// Nodes being dragged and how far (canvas units).
    pub moving: HashSet<NodeIndex>,
    pub move_delta: Vec2,
    /// The grabbed box follows the pointer vertically too.
    pub grabbed: Option<usize>,
    /// Where a dragged or dropped node will land, and whether it may.
    pub ghosts: Vec<Rect>,
    pub ghost_ok: bool,
    /// A wire being drawn: from a box's port to a canvas point.
    pub wire: Option<(usize, Pos2)>,
    /// A rubber band (canvas).
    pub band: Option<Rect>,
}

pub struct Paint<'a> {
    pub painter: &'a egui::Painter,
    pub camera: Camera,
    pub visuals: &'a egui::Visuals,
    pub topology: &'a Topology,
    pub layout: &'a Layout,
    pub selection: &'a Selection,
    pub overlay: Overlay<'a>,
}

impl Paint<'_> {
    pub fn all(&self, viewport: Rect, hover: Option<Pos2>, preview: &Preview) {
        self.painter
            .rect_filled(viewport, 0.0, style::canvas_background(self.visuals));
        let visible = self.camera.rect_to_canvas(viewport);
        self.lanes(visible);
        for ghost in &preview.ghosts {
            self.ghost(*ghost, preview.ghost_ok);
        }
        self.edges(visible, preview);
        self.replica_links(visible, preview);
        let hovered_box = hover.and_then(|p| self.layout.hit(p));
        for (i, node_box) in self.layout.boxes.iter().enumerate() {
            let rect = self.box_rect(i, preview);
            if !rect.intersects(visible) {
                continue;
            }
            let node = &self.topology.graph()[node_box.node];
            let lane = &self.layout.lanes[node_box.lane];
            let selected = self.selection.nodes.contains(&node_box.node);
            self.node(node_box.node, node, rect, lane, selected);
            if (selected || hovered_box == Some(i)) && preview.wire.is_none() {
                self.port(rect);
            }
        }
        if let Some((from, end)) = preview.wire {
            self.wire(self.box_rect(from, preview), end);
        }
        if let Some(band) = preview.band {
            let r = self.camera.rect_to_screen(band);
            let c = self.visuals.selection.stroke.color;
            self.painter.rect(
                r,
                2.0,
                c.gamma_multiply(0.12),
                Stroke::new(1.0, c),
                StrokeKind::Inside,
            );
        }
    }

    /// A box's rectangle, moved along with a drag in progress.
    fn box_rect(&self, i: usize, preview: &Preview) -> Rect {
        let b = &self.layout.boxes[i];
        if !preview.moving.contains(&b.node) {
            return b.rect;
        }
        let dy = if preview.grabbed == Some(i) {
            preview.move_delta.y
        } else {
            0.0
        };
        b.rect.translate(vec2(preview.move_delta.x, dy))
    }

    fn font(&self, size: f32) -> FontId {
        FontId::proportional(size * self.camera.scale)
    }

    /// Text is skipped when it would be too small to read.
    fn readable(&self, size: f32) -> bool {
        size * self.camera.scale >= 5.0
    }

    fn lanes(&self, visible: Rect) {
        let text = self.visuals.text_color();
        let weak = self.visuals.weak_text_color();
        let meta = self.topology.meta();
        for lane in &self.layout.lanes {
            if !lane.rect.intersects(visible) {
                continue;
            }
            let rect = self.camera.rect_to_screen(lane.rect);
            let fill = style::lane_fill(self.visuals, lane.region.is_none(), lane.inactive);
            let selected = lane.region.is_some() && self.selection.region == lane.region;
            let stroke = if selected {
                Stroke::new(2.0, self.visuals.selection.stroke.color)
            } else {
                Stroke::new(1.0, style::lane_stroke(self.visuals))
            };
            self.painter.rect(
                rect,
                CornerRadius::same(8),
                fill,
                stroke,
                StrokeKind::Inside,
            );
            let title = match &lane.region {
                None => "Global".to_owned(),
                Some(id) => {
                    let name = aws_regions::find(id).map_or("", |r| r.name);
                    let role = meta.region(id).map_or("", |r| match r.role {
                        RegionRole::Primary => "primary",
                        RegionRole::Secondary => "secondary",
                    });
                    let unused = if lane.inactive {
                        " · not used in single-region mode"
                    } else {
                        ""
                    };
                    format!("{id}  ·  {name}  ·  {role}{unused}")
                }
            };
            if LANE_TITLE_H * self.camera.scale >= 9.0 {
                self.painter.text(
                    self.camera
                        .to_screen(lane.rect.min + vec2(12.0, LANE_TITLE_H / 2.0)),
                    Align2::LEFT_CENTER,
                    title,
                    FontId::proportional((14.0 * self.camera.scale).max(11.0)),
                    if lane.inactive { weak } else { text },
                );
            }
            for band in &lane.bands {
                let r = self.camera.rect_to_screen(band.rect);
                self.painter.line_segment(
                    [r.left_top(), r.right_top()],
                    Stroke::new(1.0, style::band_line(self.visuals)),
                );
                if r.height() >= 14.0 && HEADER_W * self.camera.scale >= 50.0 {
                    let label = band.az.as_deref().unwrap_or("regional");
                    self.painter.text(
                        self.camera
                            .to_screen(pos2(band.rect.min.x + 14.0, band.rect.center().y)),
                        Align2::LEFT_CENTER,
                        label,
                        FontId::proportional((12.0 * self.camera.scale).max(10.0)),
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

    fn ghost(&self, rect: Rect, ok: bool) {
        let r = self.camera.rect_to_screen(rect);
        let color = if ok {
            self.visuals.selection.stroke.color
        } else {
            self.visuals.error_fg_color
        };
        self.painter.rect(
            r,
            CornerRadius::same(corner_radius(6.0 * self.camera.scale)),
            color.gamma_multiply(0.10),
            Stroke::new(1.5, color.gamma_multiply(0.8)),
            StrokeKind::Inside,
        );
    }

    fn edges(&self, visible: Rect, preview: &Preview) {
        let g = self.topology.graph();
        let mut labelled = HashSet::new();
        for route in &self.layout.routes {
            let moved = !preview.moving.is_empty()
                && (preview
                    .moving
                    .contains(&self.layout.boxes[route.from_box].node)
                    || preview
                        .moving
                        .contains(&self.layout.boxes[route.to_box].node));
            let points = if moved {
                layout::route(
                    self.box_rect(route.from_box, preview),
                    self.box_rect(route.to_box, preview),
                )
            } else {
                route.points
            };
            if !moved && !route.bbox.intersects(visible) {
                continue;
            }
            let edge = &g[route.edge];
            let selected = self.selection.edges.contains(&route.edge);
            self.edge(
                &points,
                edge.kind,
                edge.dependency,
                route.inactive,
                selected,
            );
            if let Some(load) = self.overlay.load
                && self.camera.scale >= 0.45
                && labelled.insert(route.edge)
            {
                let flow = load.edge(route.edge);
                if flow.rates.total() >= 0.5 {
                    self.edge_label(&points, flow);
                }
            }
        }
    }

    fn replica_links(&self, visible: Rect, preview: &Preview) {
        let color = style::edge_color(EdgeKind::Replicate, self.visuals);
        for &(a, b) in &self.layout.replica_links {
            let (ra, rb) = (self.box_rect(a, preview), self.box_rect(b, preview));
            if !ra.union(rb).intersects(visible) {
                continue;
            }
            let points = [
                self.camera.to_screen(pos2(ra.center().x, ra.max.y)),
                self.camera.to_screen(pos2(rb.center().x, rb.min.y)),
            ];
            self.painter.extend(Shape::dashed_line(
                &points,
                Stroke::new(1.5 * self.camera.scale.max(0.5), color),
                6.0,
                4.0,
            ));
        }
    }

    fn edge(
        &self,
        points: &[Pos2; 4],
        kind: EdgeKind,
        dependency: Dependency,
        inactive: bool,
        selected: bool,
    ) {
        let points = points.map(|p| self.camera.to_screen(p));
        let mut color = style::edge_color(kind, self.visuals);
        if inactive {
            color = color.gamma_multiply(0.35);
        }
        let mut width =
            (if kind == EdgeKind::Call { 1.8 } else { 1.4 }) * self.camera.scale.clamp(0.5, 1.5);
        if selected {
            color = self.visuals.selection.stroke.color;
            width += 1.5;
        }
        let stroke = Stroke::new(width, color);
        if self.camera.scale < CURVE_SCALE {
            self.painter.line_segment([points[0], points[3]], stroke);
            return;
        }
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

    /// The traffic an edge carries at peak, at the curve's midpoint.
    fn edge_label(&self, points: &[Pos2; 4], flow: topoplan_core::load::Flow) {
        let mid = self.camera.to_screen(layout::bezier(points, 0.5));
        let mut text = format!("{} rps", style::compact(flow.rates.total()));
        if flow.cross_region_rps >= 0.5 {
            let _ = write!(
                text,
                " · {} x-region",
                style::compact(flow.cross_region_rps)
            );
        }
        let galley =
            self.painter
                .layout_no_wrap(text, self.font(9.5), self.visuals.weak_text_color());
        let rect = Rect::from_center_size(mid, galley.size() + vec2(6.0, 2.0));
        self.painter.rect_filled(
            rect,
            CornerRadius::same(3),
            style::canvas_background(self.visuals).gamma_multiply(0.9),
        );
        self.painter.galley(
            rect.min + vec2(3.0, 1.0),
            galley,
            self.visuals.weak_text_color(),
        );
    }

    fn wire(&self, from: Rect, end: Pos2) {
        let start = layout::port(from);
        let end_rect = Rect::from_center_size(end, Vec2::splat(1.0));
        let points = layout::route(Rect::from_center_size(start, Vec2::ZERO), end_rect);
        let points = points.map(|p| self.camera.to_screen(p));
        let color = self.visuals.selection.stroke.color;
        self.painter.add(CubicBezierShape::from_points_stroke(
            points,
            false,
            Color32::TRANSPARENT,
            PathStroke::new(2.0, color),
        ));
        self.painter.circle_filled(points[3], 4.0, color);
    }

    fn port(&self, rect: Rect) {
        let c = self.camera.to_screen(layout::port(rect));
        let r = (PORT_R * self.camera.scale).clamp(3.0, 9.0);
        self.painter.circle(
            c,
            r,
            style::node_fill(self.visuals, false),
            Stroke::new(1.5, self.visuals.selection.stroke.color),
        );
    }

    fn node(&self, ix: NodeIndex, node: &Node, rect: Rect, lane: &layout::Lane, selected: bool) {
        let inactive = lane.inactive;
        let r = self.camera.rect_to_screen(rect);
        let kind = node.kind();
        let accent = style::kind_color(kind);
        let accent = if inactive {
            accent.gamma_multiply(0.4)
        } else {
            accent
        };
        let fill = style::node_fill(self.visuals, inactive);
        if self.camera.scale < DETAIL_SCALE {
            let stroke = if selected {
                Stroke::new(2.0, self.visuals.selection.stroke.color)
            } else {
                Stroke::new(1.0, accent)
            };
            self.painter.rect(r, 0.0, fill, stroke, StrokeKind::Inside);
            return;
        }
        let radius = CornerRadius::same(corner_radius(6.0 * self.camera.scale));
        if selected {
            self.painter.rect_stroke(
                r.expand(3.0),
                radius,
                Stroke::new(2.0, self.visuals.selection.stroke.color),
                StrokeKind::Outside,
            );
        }
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
        // Semantic zoom: below 1:1 text keeps a legible minimum size and
        // the box shows less (badge, then load, then chips drop out).
        if r.width() < 44.0 {
            return;
        }
        let scale = self.camera.scale;
        let text = if inactive {
            self.visuals.weak_text_color()
        } else {
            self.visuals.strong_text_color()
        };
        let weak = self.visuals.weak_text_color();
        let pad = (12.0 * scale).max(6.0);
        let icon_r = (10.0 * scale).max(6.0);
        let top = (8.0 * scale).max(5.0);
        let icon_c = r.min + vec2(pad + icon_r - 2.0, top + icon_r);
        style::paint_icon(self.painter, kind, icon_c, icon_r, accent);
        let name_px = (13.0 * scale).max(10.5);
        let text_x = icon_c.x + icon_r + 5.0;
        // Zoomed out, a tall box lets a long name take two lines.
        let rows = if name_px > 13.0 * scale && r.height() > 4.0 * name_px {
            2
        } else {
            1
        };
        let mut job = egui::text::LayoutJob::simple(
            node.name.clone(),
            FontId::proportional(name_px),
            text,
            (r.max.x - text_x - 4.0).max(8.0),
        );
        job.wrap.max_rows = rows;
        let name = self.painter.layout_job(job);
        let first_row_h = name.rows.first().map_or(name_px, |row| row.size.y);
        let name_bottom = icon_c.y - first_row_h / 2.0 + name.size().y;
        self.painter
            .galley(pos2(text_x, icon_c.y - first_row_h / 2.0), name, text);
        let mut y = (icon_c.y + icon_r + 3.0)
            .max(name_bottom + 2.0)
            .max(r.min.y + 30.0 * scale);
        let small_px = 11.0 * scale;
        if small_px >= 7.5 && y + small_px < r.max.y - 2.0 {
            let mut job = egui::text::LayoutJob::simple_singleline(
                style::badge(node),
                FontId::proportional(small_px),
                weak,
            );
            job.wrap = egui::text::TextWrapping::truncate_at_width(r.width() - 2.0 * pad);
            let badge = self.painter.layout_job(job);
            y += badge.size().y + 2.0;
            self.painter
                .galley(pos2(r.min.x + pad, y - badge.size().y - 2.0), badge, weak);
        }
        let load = self.overlay.load.map(|load| match &lane.region {
            Some(region) => load.node_in(ix, region).total(),
            None => load.node(ix).total(),
        });
        let load_px = (10.5 * scale).max(9.5);
        if let Some(rps) = load.filter(|rps| *rps >= 0.5)
            && y + load_px < r.max.y - 2.0
        {
            self.painter.text(
                pos2(r.min.x + pad, y),
                Align2::LEFT_TOP,
                format!("{} rps", style::compact(rps)),
                FontId::proportional(load_px),
                style::load_color(self.visuals),
            );
        }
        self.az_chips(node, rect, lane);
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
            if band.rect.max.y - rect.min.y < 66.0 {
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
