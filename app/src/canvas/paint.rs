//! Painting the canvas: reads the document, the layout and the gesture
//! preview, and draws what is on screen.
//!
//! Off-screen lanes, edges and boxes are culled against the visible canvas
//! rectangle. Level of detail follows the zoom: below [`DETAIL_SCALE`] text,
//! icons and chips are skipped, and below [`CURVE_SCALE`] edges are straight
//! lines without arrowheads (a 5,000-node overview is a pattern, not text).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;

use egui::epaint::{CubicBezierShape, PathStroke};
use egui::text::LayoutJob;
use egui::{
    Align2, Color32, CornerRadius, FontId, Galley, Mesh, Pos2, Rect, Shape, Stroke, StrokeKind,
    Vec2, pos2, vec2,
};
use petgraph::stable_graph::NodeIndex;
use topoplan_core::Topology;
use topoplan_core::model::{Dependency, EdgeKind, Node, RegionRole, aws_regions};

use super::{Camera, Overlay, label};
use crate::layout::{self, HEADER_W, LANE_TITLE_H, Layout, PORT_R};
use crate::selection::Selection;
use crate::style;

/// Below this zoom, boxes are drawn without text or icons.
pub const DETAIL_SCALE: f32 = 0.3;
/// Below this zoom, edges are straight lines without arrowheads.
pub const CURVE_SCALE: f32 = 0.2;
/// The smallest text of what a node runs in an AZ, in screen pixels.
const CHIP_PX: f32 = 8.5;
/// The smallest text of an edge's traffic label, in screen pixels.
const EDGE_LABEL_PX: f32 = 8.5;

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

/// A lane's title, laid out: painted after the edges.
struct LaneTitle {
    lane: usize,
    /// Where it goes on screen, with a little margin.
    patch: Rect,
    galley: Arc<Galley>,
    color: Color32,
}

/// A label measured and fitted (see [`Paint::measure`]).
struct Measured<'t> {
    text: Cow<'t, str>,
    galley: Arc<Galley>,
    pieces: Vec<label::Piece>,
    fit: label::Fit,
}

/// How an edge is drawn beyond its kind.
#[derive(Clone, Copy, Debug)]
struct EdgeLook {
    /// Fainter: an unused region, or just passing through the view.
    dimmed: bool,
    selected: bool,
    /// Both ends off screen: plain line, no arrowhead.
    passing: bool,
}

pub struct Paint<'a> {
    pub painter: &'a egui::Painter,
    pub camera: Camera,
    pub visuals: &'a egui::Visuals,
    pub topology: &'a Topology,
    pub layout: &'a Layout,
    pub selection: &'a Selection,
    pub overlay: Overlay<'a>,
    /// The overview meshes, when zoomed out (built by [`overview`], cached
    /// by the canvas while neither document nor camera changes).
    pub overview: Option<[Arc<Mesh>; 2]>,
}

impl Paint<'_> {
    pub fn all(&self, viewport: Rect, hover: Option<Pos2>, preview: &Preview) {
        self.painter
            .rect_filled(viewport, 0.0, style::canvas_background(self.visuals));
        let visible = self.camera.rect_to_canvas(viewport);
        self.lanes(visible);
        let titles = self.lane_titles(visible);
        for ghost in &preview.ghosts {
            self.ghost(*ghost, preview.ghost_ok);
        }
        if self.camera.scale < CURVE_SCALE && preview.moving.is_empty() {
            // The overview: thousands of boxes a few pixels wide. Everything
            // goes into two meshes (no per-shape tessellation, no
            // anti-aliasing feathers), which is what keeps a 5,000-node
            // overview inside a frame budget.
            if let Some(meshes) = &self.overview {
                for mesh in meshes {
                    self.painter.add(Shape::Mesh(Arc::clone(mesh)));
                }
            }
        } else {
            let labels = self.edges(visible, preview, &titles);
            self.replica_links(visible, preview);
            self.paint_edge_labels(labels);
        }
        self.paint_titles(titles);
        let hovered_box = hover.and_then(|p| self.layout.hit(p));
        for (i, node_box) in self.layout.boxes.iter().enumerate() {
            let rect = self.box_rect(i, preview);
            if !rect.intersects(visible) {
                continue;
            }
            let selected = self.selection.nodes.contains(&node_box.node);
            if self.camera.scale < CURVE_SCALE && !selected && preview.moving.is_empty() {
                continue; // drawn by `overview`
            }
            let node = &self.topology.graph()[node_box.node];
            let lane = &self.layout.lanes[node_box.lane];
            self.node(node_box.node, node, rect, lane, selected);
            if (selected || hovered_box == Some(i))
                && preview.wire.is_none()
                && !self.overlay.what_if
            {
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

    fn lanes(&self, visible: Rect) {
        let weak = self.visuals.weak_text_color();
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
            if let Some(failed) = self.overlay.health.map(|h| &h.failed) {
                self.failed_marks(lane, rect, failed);
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

    /// Each visible lane's title, laid out (painted by [`Self::paint_titles`]
    /// over the edges, which keep their labels off them).
    fn lane_titles(&self, visible: Rect) -> Vec<LaneTitle> {
        if LANE_TITLE_H * self.camera.scale < 9.0 {
            return Vec::new();
        }
        let text = self.visuals.text_color();
        let weak = self.visuals.weak_text_color();
        let meta = self.topology.meta();
        let mut out = Vec::new();
        for (i, lane) in self.layout.lanes.iter().enumerate() {
            if !lane.rect.intersects(visible) {
                continue;
            }
            let title = match &lane.region {
                None if lane.row > 0 => "Global · continued".to_owned(),
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
                    let continued = if lane.row > 0 { " · continued" } else { "" };
                    format!("{id}  ·  {name}  ·  {role}{unused}{continued}")
                }
            };
            let color = if lane.inactive { weak } else { text };
            let galley = self.painter.layout_no_wrap(
                title,
                FontId::proportional((14.0 * self.camera.scale).max(11.0)),
                color,
            );
            let at = self
                .camera
                .to_screen(lane.rect.min + vec2(12.0, LANE_TITLE_H / 2.0));
            let rect = Align2::LEFT_CENTER.anchor_size(at, galley.size());
            out.push(LaneTitle {
                lane: i,
                patch: rect.expand2(vec2(4.0, 1.0)),
                galley,
                color,
            });
        }
        out
    }

    /// The lanes' titles, over the edges that cross their title strips, on
    /// a patch of the lane's own background so they stay legible.
    fn paint_titles(&self, titles: Vec<LaneTitle>) {
        let failed = self.overlay.health.map(|h| &h.failed);
        for LaneTitle {
            lane,
            patch,
            galley,
            color,
        } in titles
        {
            let lane = &self.layout.lanes[lane];
            let corner = CornerRadius::same(3);
            self.painter
                .rect_filled(patch, corner, style::canvas_background(self.visuals));
            self.painter.rect_filled(
                patch,
                corner,
                style::lane_fill(self.visuals, lane.region.is_none(), lane.inactive),
            );
            if lane
                .region
                .as_ref()
                .is_some_and(|r| failed.is_some_and(|f| f.regions.contains(r)))
            {
                self.painter.rect_filled(
                    patch,
                    corner,
                    crate::health::Health::Down.color().gamma_multiply(0.14),
                );
            }
            self.painter
                .galley(patch.min + vec2(4.0, 1.0), galley, color);
        }
    }

    /// A failed region's lane, and failed AZs' bands, washed in the
    /// "down" colour.
    fn failed_marks(&self, lane: &layout::Lane, rect: Rect, failed: &crate::health::Failed) {
        let down = crate::health::Health::Down.color();
        let wash = down.gamma_multiply(0.14);
        if lane
            .region
            .as_ref()
            .is_some_and(|r| failed.regions.contains(r))
        {
            self.painter.rect(
                rect,
                CornerRadius::same(8),
                wash,
                Stroke::new(2.0, down),
                StrokeKind::Inside,
            );
            return;
        }
        for band in &lane.bands {
            if band.az.as_ref().is_some_and(|az| failed.azs.contains(az)) {
                self.painter
                    .rect_filled(self.camera.rect_to_screen(band.rect), 0.0, wash);
            }
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

    /// The edges; returns their traffic labels, to paint over everything
    /// drawn between boxes.
    fn edges(
        &self,
        visible: Rect,
        preview: &Preview,
        titles: &[LaneTitle],
    ) -> Vec<(Rect, Arc<Galley>)> {
        let g = self.topology.graph();
        let mut labelled = HashSet::new();
        // Traffic labels: none where one would hide a box or a lane's
        // title (painted after the edges, on screen) or another label.
        let labels = self.overlay.load.filter(|_| self.camera.scale >= 0.45);
        let hidden: Vec<Rect> = if labels.is_some() {
            (0..self.layout.boxes.len())
                .map(|i| self.box_rect(i, preview))
                .filter(|r| r.intersects(visible))
                .map(|r| self.camera.rect_to_screen(r))
                .chain(titles.iter().map(|t| t.patch))
                .collect()
        } else {
            Vec::new()
        };
        let mut placed = Vec::new();
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
            // An edge passing through the view with both ends off screen is
            // drawn plain: its style is legible where it starts and ends,
            // and dashing thousands of long lines costs more than the frame.
            let passing = !visible.contains(points[0]) && !visible.contains(points[3]);
            self.edge(
                &points,
                edge.kind,
                edge.dependency,
                EdgeLook {
                    dimmed: route.inactive || passing,
                    selected,
                    passing,
                },
            );
            if let Some(load) = labels
                && labelled.insert(route.edge)
            {
                let flow = load.edge(route.edge);
                if flow.rates.total() >= 0.5 {
                    self.edge_label(&points, flow, &hidden, &mut placed);
                }
            }
        }
        placed
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

    fn edge(&self, points: &[Pos2; 4], kind: EdgeKind, dependency: Dependency, look: EdgeLook) {
        let EdgeLook {
            dimmed: inactive,
            selected,
            passing,
        } = look;
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
            // Shorter than a pixel or two: nothing to see.
            if points[0].distance(points[3]) >= 1.5 {
                self.painter.line_segment([points[0], points[3]], stroke);
            }
            return;
        }
        // Flattened here (a step per ~16 px, at most 40) and clipped to the
        // view: zoomed in, a long edge crossing the screen would otherwise
        // be tessellated (and dashed) along its whole off-screen length.
        let dashed = !passing && (dependency == Dependency::Soft || kind != EdgeKind::Call);
        let (dash, gap) = if kind == EdgeKind::Call {
            (7.0, 5.0)
        } else {
            (3.0, 4.0)
        };
        for run in visible_runs(&points, self.painter.clip_rect().expand(8.0)) {
            if dashed {
                self.painter
                    .extend(Shape::dashed_line(&run, stroke, dash, gap));
            } else {
                self.painter.add(Shape::line(run, stroke));
            }
        }
        if passing || !self.painter.clip_rect().expand(16.0).contains(points[3]) {
            return;
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

    /// The edges' traffic labels, over every edge.
    fn paint_edge_labels(&self, labels: Vec<(Rect, Arc<Galley>)>) {
        let color = self.visuals.weak_text_color();
        for (rect, galley) in labels {
            self.painter.rect_filled(
                rect,
                CornerRadius::same(3),
                style::canvas_background(self.visuals).gamma_multiply(0.9),
            );
            self.painter
                .galley(rect.min + vec2(3.0, 1.0), galley, color);
        }
    }

    /// Where the traffic an edge carries at peak goes (painted by
    /// [`Self::paint_edge_labels`]): at the curve's midpoint, in
    /// text no smaller than [`EDGE_LABEL_PX`]. Where the full label would
    /// cover something (`hidden`, screen) or another label (`placed`), a
    /// shorter one is tried (without the cross-region share,
    /// then without the unit), and else none is drawn: a label is worth
    /// less than what it would hide.
    fn edge_label(
        &self,
        points: &[Pos2; 4],
        flow: topoplan_core::load::Flow,
        hidden: &[Rect],
        placed: &mut Vec<(Rect, Arc<Galley>)>,
    ) {
        let mid = self.camera.to_screen(layout::bezier(points, 0.5));
        if !self.painter.clip_rect().contains(mid) {
            return;
        }
        let rps = style::compact(flow.rates.total());
        // The shorter labels are prefixes of the full one: measured once.
        let short = [rps.len(), rps.len() + " rps".len()];
        let mut text = format!("{rps} rps");
        if flow.cross_region_rps >= 0.5 {
            let _ = write!(
                text,
                " · {} x-region",
                style::compact(flow.cross_region_rps)
            );
        }
        let font = FontId::proportional((9.5 * self.camera.scale).max(EDGE_LABEL_PX));
        let color = self.visuals.weak_text_color();
        let full = self.painter.layout_no_wrap(text, font.clone(), color);
        let width_of = |prefix: &str| {
            let last = prefix.chars().count().checked_sub(1)?;
            let glyph = full.rows.first()?.row.glyphs.get(last)?;
            Some(glyph.pos.x + glyph.advance_width)
        };
        let fits = |width: f32| {
            let size = vec2(width + 6.0, full.size().y + 2.0);
            let rect = Rect::from_center_size(mid, size);
            let hides = |r: &Rect| r.intersects(rect);
            let free = !hidden.iter().any(hides) && !placed.iter().map(|(r, _)| r).any(hides);
            free.then_some(rect)
        };
        if let Some(rect) = fits(full.size().x) {
            placed.push((rect, full));
            return;
        }
        for bytes in short.into_iter().rev() {
            if let Some(prefix) = full.job.text.get(..bytes)
                && bytes < full.job.text.len()
                && let Some(rect) = width_of(prefix).and_then(fits)
            {
                let text = prefix.to_owned();
                placed.push((rect, self.painter.layout_no_wrap(text, font, color)));
                return;
            }
        }
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
        let mut r = self.camera.rect_to_screen(rect);
        // Zoomed far out, a box is still at least a pixel wide.
        if r.width() < 1.0 {
            r = Rect::from_center_size(r.center(), vec2(1.0, r.height()));
        }
        let kind = node.kind();
        let site = self
            .overlay
            .health
            .and_then(|h| h.site(ix, lane.region.as_deref()));
        let accent = site.map_or_else(|| style::kind_color(kind), |s| s.health.color());
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
        // The name takes as many lines as the box has room for, beside
        // the icon and down to the bottom (the badge and load lines below
        // it drop out first).
        let area = label::Area {
            width: (r.max.x - text_x - 4.0).max(8.0),
            height: r.max.y - (4.0 * scale).max(3.0) - icon_c.y,
            row_h: 1.2,
        };
        let name = self.name_galley(node, area, name_px, text);
        let first_row_h = name.rows.first().map_or(name_px, |row| row.size.y);
        let name_bottom = icon_c.y - first_row_h / 2.0 + name.size().y;
        self.painter
            .galley(pos2(text_x, icon_c.y - first_row_h / 2.0), name, text);
        let mut y = (icon_c.y + icon_r + 3.0)
            .max(name_bottom + 2.0)
            .max(r.min.y + 30.0 * scale);
        let small_px = 11.0 * scale;
        if small_px >= 7.5 && y + small_px < r.max.y - 2.0 {
            let mut job = LayoutJob::simple_singleline(
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
        if let Some(site) = site {
            // Under a scenario the state replaces the steady-state load.
            let px = (10.5 * scale).max(9.5);
            if y + px < r.max.y - 2.0 {
                let share = format!("{:.0}% served", site.served_fraction * 100.0);
                let width = r.width() - 2.0 * pad;
                let font = FontId::proportional(px);
                let color = site.health.color();
                let one_line = self.painter.layout_no_wrap(
                    format!("{share} · {}", site.health.label()),
                    font.clone(),
                    color,
                );
                let state = if one_line.size().x <= width {
                    one_line
                } else if y + 2.0 * one_line.size().y < r.max.y - 2.0 {
                    // A narrow, tall box: the share, then the state.
                    let two = format!("{share}\n{}", site.health.label());
                    let mut job = LayoutJob::simple(two, font, color, width);
                    job.wrap.max_rows = 2;
                    job.wrap.break_anywhere = true;
                    self.painter.layout_job(job)
                } else {
                    // The share first: on a narrow box the state (also
                    // told by the colour) is what the ellipsis cuts.
                    let mut job =
                        LayoutJob::simple_singleline(one_line.job.text.clone(), font, color);
                    job.wrap = egui::text::TextWrapping::truncate_at_width(width);
                    self.painter.layout_job(job)
                };
                let bottom = y + state.size().y;
                self.painter
                    .galley(pos2(r.min.x + pad, y), state, site.health.color());
                y = bottom;
            }
            self.az_chips(node, r, lane, y);
            return;
        }
        let load = self.overlay.load.map(|load| match &lane.region {
            Some(region) => load.node_in(ix, region).total(),
            None => load.node(ix).total(),
        });
        let load_px = (10.5 * scale).max(9.5);
        if let Some(rps) = load.filter(|rps| *rps >= 0.5)
            && y + load_px < r.max.y - 2.0
        {
            y = self
                .painter
                .text(
                    pos2(r.min.x + pad, y),
                    Align2::LEFT_TOP,
                    format!("{} rps", style::compact(rps)),
                    FontId::proportional(load_px),
                    style::load_color(self.visuals),
                )
                .max
                .y;
        }
        self.az_chips(node, r, lane, y);
    }

    /// A node's name set in `area` (see [`label`]), at `max_px` when it
    /// fits. On a box with room for one line, the short id stands in for a
    /// name that would be cut (the tooltip gives the full name).
    fn name_galley(
        &self,
        node: &Node,
        area: label::Area,
        max_px: f32,
        color: Color32,
    ) -> Arc<Galley> {
        let min_px = label::MIN_PX.max(max_px * 0.6);
        let mut set = self.measure(&node.name, area, max_px, min_px, color);
        if set.fit.cut && set.fit.rows == 1 && node.id != node.name {
            let id = self.measure(&node.id, area, max_px, min_px, color);
            if !id.fit.cut {
                set = id;
            }
        }
        let Measured {
            text,
            galley,
            pieces,
            fit,
        } = set;
        if !fit.cut && fit.breaks.is_empty() && (fit.px - max_px).abs() < f32::EPSILON {
            return galley; // one line at full size: as measured
        }
        let mut job = LayoutJob::simple(
            label::lines(&text, &pieces, &fit),
            FontId::proportional(fit.px),
            color,
            if fit.cut { area.width } else { f32::INFINITY },
        );
        job.wrap.max_rows = fit.rows;
        self.painter.layout_job(job)
    }

    /// `text` measured at `max_px` (one galley, cached by egui) and fitted
    /// in `area`.
    fn measure<'t>(
        &self,
        text: &'t str,
        area: label::Area,
        max_px: f32,
        min_px: f32,
        color: Color32,
    ) -> Measured<'t> {
        // A line break or tab in a name would not be a glyph of its own.
        let text = if text.contains(char::is_control) {
            Cow::Owned(text.replace(char::is_control, " "))
        } else {
            Cow::Borrowed(text)
        };
        let galley = self.painter.layout_no_wrap(
            text.clone().into_owned(),
            FontId::proportional(max_px),
            color,
        );
        let glyphs = galley.rows.iter().flat_map(|row| {
            row.row
                .glyphs
                .iter()
                .map(move |g| (row.pos.x + g.pos.x, g.advance_width))
        });
        let pieces = label::pieces(&text, glyphs);
        let area = label::Area {
            row_h: galley.size().y / max_px,
            ..area
        };
        let fit = label::fit(&pieces, max_px, area, max_px, min_px);
        Measured {
            text,
            galley,
            pieces,
            fit,
        }
    }

    /// What the node runs in each AZ band it spans, bottom-right of the
    /// band, in text no smaller than [`CHIP_PX`]. `r` is the box on screen
    /// and `content_bottom` where its name and figures end: a chip that
    /// would run into them, or not fit the box, is left out.
    fn az_chips(&self, node: &Node, r: Rect, lane: &layout::Lane, content_bottom: f32) {
        let Some(region) = &lane.region else { return };
        if !node.is_zonal() {
            return;
        }
        let color = if lane.inactive {
            self.visuals.weak_text_color().gamma_multiply(0.6)
        } else {
            self.visuals.weak_text_color()
        };
        let scale = self.camera.scale;
        let font = FontId::proportional((10.5 * scale).max(CHIP_PX));
        let inset = (10.0 * scale).max(4.0);
        // A row of text is about 1.2 × its size: no chip fits above this.
        let lowest_top = r.max.y - 3.0 - 1.2 * font.size;
        if lowest_top < content_bottom + 2.0 || r.width() < 8.0 + inset + 4.0 * font.size {
            return;
        }
        for (az, label) in style::per_az(node, region) {
            let Some(band) = lane
                .bands
                .iter()
                .find(|b| b.az.as_deref() == Some(az.as_str()))
            else {
                continue;
            };
            let bottom = self.camera.to_screen(band.rect.max).y;
            let anchor = pos2(r.max.x - inset, (bottom - 10.0 * scale).min(r.max.y - 3.0));
            if anchor.y - 1.2 * font.size < content_bottom + 2.0 {
                continue; // the band holding the name and figures
            }
            let galley = self.painter.layout_no_wrap(label, font.clone(), color);
            let chip = Align2::RIGHT_BOTTOM.anchor_size(anchor, galley.size());
            if chip.min.y < content_bottom + 2.0 || chip.min.x < r.min.x + 8.0 {
                continue;
            }
            self.painter.galley(chip.min, galley, color);
        }
    }
}

/// The overview (zoomed out below [`CURVE_SCALE`]): edges as thin quads and boxes as filled rectangles in the kind's
/// colour (under a what-if scenario, the state's), each set in one mesh.
pub fn overview(
    topology: &Topology,
    layout: &Layout,
    camera: Camera,
    visuals: &egui::Visuals,
    visible: Rect,
    health: Option<&crate::health::HealthMap>,
) -> [Arc<Mesh>; 2] {
    let g = topology.graph();
    let mut edges = Mesh::default();
    let width = 1.0;
    for route in &layout.routes {
        if !route.bbox.intersects(visible) {
            continue;
        }
        let a = camera.to_screen(route.points[0]);
        let b = camera.to_screen(route.points[3]);
        let along = b - a;
        let len = along.length();
        if len < 1.5 {
            continue;
        }
        let mut color = style::edge_color(g[route.edge].kind, visuals).gamma_multiply(0.45);
        if route.inactive {
            color = color.gamma_multiply(0.4);
        }
        let n = vec2(-along.y, along.x) / len * (width / 2.0);
        let base = u32::try_from(edges.vertices.len()).unwrap_or(u32::MAX);
        for p in [a + n, a - n, b - n, b + n] {
            edges.colored_vertex(p, color);
        }
        edges.add_triangle(base, base + 1, base + 2);
        edges.add_triangle(base, base + 2, base + 3);
    }
    let mut boxes = Mesh::default();
    for node_box in &layout.boxes {
        if !node_box.rect.intersects(visible) {
            continue;
        }
        let mut r = camera.rect_to_screen(node_box.rect);
        if r.width() < 1.0 {
            r = Rect::from_center_size(r.center(), vec2(1.0, r.height()));
        }
        let lane = &layout.lanes[node_box.lane];
        let mut color = health
            .and_then(|h| h.site(node_box.node, lane.region.as_deref()))
            .map_or_else(
                || style::kind_color(g[node_box.node].kind()),
                |s| s.health.color(),
            );
        if lane.inactive {
            color = color.gamma_multiply(0.4);
        }
        boxes.add_colored_rect(r, color);
    }
    [Arc::new(edges), Arc::new(boxes)]
}

/// A Bézier curve (screen points) flattened into polylines, keeping only
/// the parts inside `clip`.
fn visible_runs(points: &[Pos2; 4], clip: Rect) -> Vec<Vec<Pos2>> {
    let hull = points[0].distance(points[1])
        + points[1].distance(points[2])
        + points[2].distance(points[3]);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 4..=40 first"
    )]
    let steps = (hull / 16.0).clamp(4.0, 40.0) as u8;
    let mut runs = Vec::new();
    let mut run: Vec<Pos2> = Vec::new();
    let mut prev = points[0];
    for i in 1..=steps {
        let next = layout::bezier(points, f32::from(i) / f32::from(steps));
        let seen = clip.intersects(Rect::from_two_pos(prev, next));
        if seen {
            if run.is_empty() {
                run.push(prev);
            }
            run.push(next);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
        prev = next;
    }
    if run.len() > 1 {
        runs.push(run);
    }
    runs
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
