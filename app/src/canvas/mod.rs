//! The topology canvas: lanes, AZ bands, nodes and edges; selection,
//! dragging, wiring, pan and zoom.
//!
//! Immediate mode: every frame reads the document and the cached
//! [`Layout`] (recomputed only when the document's revision changes) and
//! paints what is on screen. The canvas never changes the document: it
//! returns [`Labelled`] edits in [`CanvasOutput`] and the app applies them
//! (which also gives undo/redo). It owns only view state — the camera, the
//! gesture in progress — and changes the selection it is lent.
//!
//! Canvas and screen coordinates meet in one place, [`Camera`].

mod camera;
mod label;
mod paint;

use std::sync::Arc;

use egui::{CursorIcon, Key, Mesh, Modifiers, PointerButton, Pos2, Rect, Sense, Vec2};
use petgraph::stable_graph::NodeIndex;
use topoplan_core::Topology;
use topoplan_core::load::Load;
use topoplan_core::model::{Edit, NodeKind};

pub use camera::Camera;

use crate::edits::{self, Labelled};
use crate::layout::{self, HEADER_W, LANE_TITLE_H, Layout, PORT_R};
use crate::placement;
use crate::selection::Selection;
use crate::shortcuts::Action;

/// A node kind being dragged from the palette (the drag-and-drop payload).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaletteDrag(pub NodeKind);

/// What the canvas draws on top of the document.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overlay<'a> {
    /// Healthy steady-state load, for the rps labels on nodes and edges.
    pub load: Option<&'a Load>,
    /// A failure scenario's outcome: nodes recoloured by state, failed
    /// regions and AZs marked (the what-if mode).
    pub health: Option<&'a crate::health::HealthMap>,
    /// What-if mode: a click on a node, an AZ band or a region's title
    /// toggles its failure ([`CanvasOutput::toggle`]) instead of selecting,
    /// and dragging anywhere pans (the design is not edited from here).
    pub what_if: bool,
}

/// What a click in what-if mode asks to fail (or bring back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Toggle {
    Node(NodeIndex),
    /// A node in one region only (Shift-click on its drawing there).
    NodeIn(NodeIndex, String),
    Az(String),
    Region(String),
}

/// What happened on the canvas this frame, for the app to act on.
#[derive(Debug, Default)]
pub struct CanvasOutput {
    /// Edits to apply, each one undo step.
    pub edits: Vec<Labelled>,
    /// Why something the user tried was refused.
    pub message: Option<String>,
    /// App actions chosen from the canvas's context menu.
    pub actions: Vec<Action>,
    /// What-if mode: the element clicked.
    pub toggle: Option<Toggle>,
}

/// The gesture in progress (the pointer is down).
#[derive(Clone, Debug, Default, PartialEq)]
enum Gesture {
    #[default]
    Idle,
    Pan,
    /// Moving the selected nodes; `grabbed` is the box under the pointer
    /// when the drag began, `start` the canvas point grabbed.
    Move {
        nodes: Vec<NodeIndex>,
        grabbed: usize,
        start: Pos2,
        delta: Vec2,
    },
    /// Drawing a wire from a node's port.
    Wire {
        from: usize,
        end: Pos2,
    },
    /// Rubber-band selection (canvas coordinates).
    Select {
        start: Pos2,
        end: Pos2,
        additive: bool,
    },
}

#[derive(Debug)]
struct CachedLayout {
    key: u64,
    revision: u64,
    stretch: f32,
    layout: Layout,
}

/// View state of the canvas. Never saved into the document.
#[derive(Debug)]
pub struct Canvas {
    pub camera: Camera,
    /// Fit on the next frame.
    fit_pending: bool,
    /// The view was fitted and not moved since: keep it fitted while the
    /// canvas changes size (panels settling, the window resized).
    fitted: Option<Rect>,
    cache: Option<CachedLayout>,
    /// How much the layout's bands are stretched to fill the view's
    /// height: chosen when the view is fitted, kept while the user pans,
    /// zooms and edits (see [`layout::layout_stretched`]).
    stretch: f32,
    gesture: Gesture,
    /// `(document key, revision, stretch)` the gesture in progress started
    /// on (a box index means nothing in another layout).
    gesture_at: (u64, u64, u32),
    /// The screen rectangle of the canvas last frame.
    viewport: Rect,
    /// Where the context menu was opened (canvas point).
    context_at: Option<Pos2>,
    /// The zoomed-out overview meshes and what they were drawn for.
    overview: Option<(OverviewKey, [Arc<Mesh>; 2])>,
}

/// What the overview meshes depend on: document, revision, camera, view,
/// theme, and the what-if scenario's health map (its stamp).
type OverviewKey = (u64, u64, [u32; 3], [u32; 4], bool, Option<u64>);

impl Default for Canvas {
    fn default() -> Self {
        Self::new()
    }
}

/// Grid the horizontal position snaps to while dragging, in canvas units.
const SNAP: f32 = 8.0;

impl Canvas {
    pub fn new() -> Self {
        Self {
            camera: Camera::default(),
            fit_pending: true,
            fitted: None,
            cache: None,
            stretch: 1.0,
            gesture: Gesture::Idle,
            gesture_at: (0, 0, 0),
            viewport: Rect::NOTHING,
            context_at: None,
            overview: None,
        }
    }

    /// Fit the whole document on the next frame.
    pub fn request_fit(&mut self) {
        self.fit_pending = true;
    }

    /// Zooms about the centre of the view (toolbar buttons, Ctrl +/-).
    pub fn zoom_by(&mut self, factor: f32) {
        self.camera.zoom_about(factor, self.viewport.center());
    }

    /// The screen rectangle the canvas covered last frame.
    pub fn viewport(&self) -> Rect {
        self.viewport
    }

    /// The layout for this document version. `key` tells documents apart
    /// (revisions restart in every document).
    pub fn layout(&mut self, topology: &Topology, key: u64) -> &Layout {
        if self.cache.as_ref().is_some_and(|c| c.key != key) {
            // Another document: its stretch is chosen when it is fitted.
            self.stretch = 1.0;
        }
        let stale = self.cache.as_ref().is_none_or(|c| {
            c.revision != topology.revision()
                || c.key != key
                || c.stretch.to_bits() != self.stretch.to_bits()
        });
        if stale {
            self.cache = Some(CachedLayout {
                key,
                revision: topology.revision(),
                stretch: self.stretch,
                layout: layout::layout_stretched(topology, self.stretch),
            });
        }
        &self
            .cache
            .get_or_insert_with(|| unreachable!("filled above"))
            .layout
    }

    /// Fits the whole document in `viewport`: first the stretch that fills
    /// the view's height at the scale the width allows (a wide diagram gets
    /// taller lanes rather than empty bands above and below), then the
    /// camera.
    fn fit(&mut self, topology: &Topology, key: u64, viewport: Rect) {
        let layout = self.layout(topology, key);
        let height = Camera::fit_height(layout.bounds.width(), viewport);
        self.stretch = layout.stretch_for_height(height);
        let bounds = self.layout(topology, key).bounds;
        self.camera.fit(bounds, viewport);
        self.fit_pending = false;
        self.fitted = Some(viewport);
    }

    /// Where a node's first box is on screen (for tests and tooltips).
    pub fn screen_rect_of(&self, node: NodeIndex) -> Option<Rect> {
        let layout = &self.cache.as_ref()?.layout;
        layout
            .boxes_of(node)
            .next()
            .map(|b| self.camera.rect_to_screen(b.rect))
    }

    /// Where a node's box in `region` is on screen.
    pub fn screen_rect_in(&self, node: NodeIndex, region: &str) -> Option<Rect> {
        let layout = &self.cache.as_ref()?.layout;
        layout
            .boxes_of(node)
            .find(|b| layout.lanes[b.lane].region.as_deref() == Some(region))
            .map(|b| self.camera.rect_to_screen(b.rect))
    }

    /// Where every box of a node is on screen, lane by lane.
    pub fn screen_rects_of(&self, node: NodeIndex) -> Vec<Rect> {
        self.cache.as_ref().map_or_else(Vec::new, |c| {
            c.layout
                .boxes_of(node)
                .map(|b| self.camera.rect_to_screen(b.rect))
                .collect()
        })
    }

    /// Where an AZ's band is on screen (its first lane), for tests.
    pub fn screen_rect_of_band(&self, az: &str) -> Option<Rect> {
        let layout = &self.cache.as_ref()?.layout;
        layout
            .lanes
            .iter()
            .flat_map(|l| &l.bands)
            .find(|b| b.az.as_deref() == Some(az))
            .map(|b| self.camera.rect_to_screen(b.rect))
    }

    /// Brings a node into view (centres it when it is off screen).
    pub fn reveal(&mut self, node: NodeIndex) {
        let Some(rect) = self
            .cache
            .as_ref()
            .and_then(|c| c.layout.boxes_of(node).next().map(|b| b.rect))
        else {
            return;
        };
        if !self
            .viewport
            .contains_rect(self.camera.rect_to_screen(rect))
        {
            self.camera.offset =
                self.viewport.center().to_vec2() - rect.center().to_vec2() * self.camera.scale;
        }
    }

    /// The canvas x of each node's boxes (for copy).
    pub fn x_of(&self, node: NodeIndex) -> Option<f32> {
        let layout = &self.cache.as_ref()?.layout;
        layout
            .boxes_of(node)
            .next()
            .map(|b| layout.document_x(b.lane, b.rect.min.x))
    }

    /// The canvas point at the centre of the view.
    pub fn view_center(&self) -> Pos2 {
        self.camera.to_canvas(self.viewport.center())
    }

    /// Adds a new node of `kind` where the user asked: at `at` (a canvas
    /// point, e.g. a palette drop), or in the middle of the view.
    pub fn add_node_edit(
        &mut self,
        topology: &Topology,
        key: u64,
        kind: NodeKind,
        at: Option<Pos2>,
    ) -> (Labelled, String) {
        let at = at.unwrap_or_else(|| self.view_center());
        new_node_at(topology, self.layout(topology, key), kind, at)
    }

    #[expect(
        clippy::too_many_lines,
        reason = "the input handling order is the point: kept in one place, in order"
    )]
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        topology: &Topology,
        key: u64,
        selection: &mut Selection,
        overlay: Overlay<'_>,
    ) -> CanvasOutput {
        let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
        let viewport = response.rect;
        self.viewport = viewport;
        self.layout(topology, key);

        // ---- Input, in a fixed order ------------------------------------
        // 1. Fit, when asked for (first frame, new document, F key), and
        //    again while the canvas settles in size until the user moves
        //    the view. Fitting may lay the document out again (taller
        //    bands), so it comes before anything reads the layout.
        let refit = self.fitted.is_some_and(|r| r != viewport);
        if (self.fit_pending || refit) && viewport.is_positive() {
            self.fit(topology, key, viewport);
        }
        let camera_before = self.camera;

        // A gesture refers to boxes of the layout it started on: when the
        // document changed under it (an undo mid-drag), it is dropped.
        let now = (key, topology.revision(), self.stretch.to_bits());
        if self.gesture != Gesture::Idle && self.gesture_at != now {
            self.gesture = Gesture::Idle;
        }
        self.gesture_at = now;
        let Some(CachedLayout { layout, .. }) = &self.cache else {
            return CanvasOutput::default();
        };
        let mut out = CanvasOutput::default();
        let (cursor, modifiers, space_down) = ui.input(|i| {
            (
                i.pointer.interact_pos().or(i.pointer.hover_pos()),
                i.modifiers,
                i.key_down(Key::Space),
            )
        });
        let space_pan = space_down && !ui.ctx().egui_wants_keyboard_input();
        // Hit-testing uses the camera as the frame began (after a fit).
        let camera = self.camera;
        let to_canvas = |p: Pos2| camera.to_canvas(p);

        // 2. A palette item dropped on the canvas adds a node there.
        if let Some(payload) = response.dnd_release_payload::<PaletteDrag>()
            && let Some(p) = cursor
        {
            let (edit, _) = new_node_at(topology, layout, payload.0, to_canvas(p));
            out.edits.push(edit);
        }

        // 3. A drag starts. Node drag comes before pan: a drag that starts on
        //    a port draws a wire, on a node moves it, and only a drag on
        //    empty space pans (or, with Shift, selects a rectangle). The
        //    middle button and Space+drag always pan.
        let press = ui.input(|i| i.pointer.press_origin());
        if response.drag_started_by(PointerButton::Middle)
            || (response.drag_started_by(PointerButton::Primary) && (space_pan || overlay.what_if))
        {
            self.gesture = Gesture::Pan;
        } else if response.drag_started_by(PointerButton::Primary)
            && let Some(origin) = press
        {
            let at = to_canvas(origin);
            let port_r = (PORT_R + 3.0).max(8.0 / self.camera.scale);
            self.gesture = if let Some(from) = layout.hit_port(at, port_r) {
                Gesture::Wire { from, end: at }
            } else if let Some(b) = layout.hit(at) {
                let node = layout.boxes[b].node;
                if !selection.nodes.contains(&node) {
                    *selection = Selection::node(node);
                }
                Gesture::Move {
                    nodes: selection.nodes.iter().copied().collect(),
                    grabbed: b,
                    start: at,
                    delta: Vec2::ZERO,
                }
            } else if modifiers.shift || modifiers.command {
                Gesture::Select {
                    start: at,
                    end: at,
                    additive: true,
                }
            } else {
                Gesture::Pan
            };
        }

        // 4. The drag goes on.
        if let Some(p) = cursor {
            let at = to_canvas(p);
            match &mut self.gesture {
                Gesture::Pan => {
                    self.camera.offset += response.drag_delta();
                    ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
                }
                Gesture::Move { start, delta, .. } => {
                    *delta = at - *start;
                    ui.ctx().set_cursor_icon(CursorIcon::Grabbing);
                }
                Gesture::Wire { end, .. } => {
                    *end = at;
                    ui.ctx().set_cursor_icon(CursorIcon::Crosshair);
                }
                Gesture::Select { end, .. } => *end = at,
                Gesture::Idle => {}
            }
        }

        // 5. The drag ends: the gesture becomes edits (or a selection).
        let released = response.drag_stopped()
            || (!ui.input(|i| i.pointer.any_down()) && self.gesture != Gesture::Idle);
        if released {
            match std::mem::take(&mut self.gesture) {
                Gesture::Move {
                    nodes,
                    grabbed,
                    start,
                    delta,
                } => {
                    let (edit, message) =
                        finish_move(topology, layout, &nodes, grabbed, start, delta);
                    out.edits.extend(edit);
                    out.message = message;
                }
                Gesture::Wire { from, end } => {
                    if let Some(to) = layout.hit(end) {
                        let a = &topology.graph()[layout.boxes[from].node];
                        let b = &topology.graph()[layout.boxes[to].node];
                        match crate::connect::proposed(topology, &a.id, &b.id) {
                            Ok(record) => {
                                let label = format!("Connect {} -> {}", a.id, b.id);
                                out.edits.push(Labelled::new(Edit::AddEdge(record), label));
                            }
                            Err(reason) => {
                                out.message =
                                    Some(format!("Cannot connect {} -> {}: {reason}", a.id, b.id));
                            }
                        }
                    }
                }
                Gesture::Select {
                    start,
                    end,
                    additive,
                } => {
                    let band = Rect::from_two_pos(start, end);
                    if !additive {
                        selection.clear();
                    }
                    selection.region = None;
                    for b in &layout.boxes {
                        if band.intersects(b.rect) {
                            selection.nodes.insert(b.node);
                        }
                    }
                }
                Gesture::Pan | Gesture::Idle => {}
            }
        }

        // 6. A click selects (Shift or Ctrl adds to the selection); in
        //    what-if mode it toggles the failure of what is under it.
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            if overlay.what_if {
                out.toggle = toggle_at(layout, to_canvas(p), modifiers.shift);
            } else {
                click(layout, selection, to_canvas(p), modifiers);
            }
        }

        // 6b. A right click selects what is under the pointer (unless it is
        //     already selected) and opens the context menu for it.
        if response.secondary_clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            let at = to_canvas(p);
            self.context_at = Some(at);
            let on_selected = layout
                .hit(at)
                .is_some_and(|b| selection.nodes.contains(&layout.boxes[b].node));
            if !on_selected {
                click(layout, selection, at, Modifiers::NONE);
            }
        }
        response.context_menu(|ui| {
            context_menu(ui, topology, layout, selection, self.context_at, &mut out);
        });

        // 7. Scroll pans; Ctrl+scroll and pinch zoom about the pointer.
        if response.contains_pointer() {
            let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta()));
            if (zoom - 1.0).abs() > f32::EPSILON {
                self.camera
                    .zoom_about(zoom, cursor.unwrap_or(viewport.center()));
            }
            self.camera.offset += scroll;
        }

        if self.camera != camera_before {
            self.fitted = None;
        }

        // 8. Hover: the cursor says what a drag would do.
        let hover = cursor.filter(|p| viewport.contains(*p)).map(to_canvas);
        if self.gesture == Gesture::Idle
            && let Some(at) = hover
            && response.hovered()
        {
            let port_r = (PORT_R + 3.0).max(8.0 / self.camera.scale);
            if space_pan {
                ui.ctx().set_cursor_icon(CursorIcon::Grab);
            } else if overlay.what_if {
                if toggle_at(layout, at, false).is_some() {
                    ui.ctx().set_cursor_icon(CursorIcon::PointingHand);
                }
                if let Some(health) = overlay.health {
                    health_tooltip(&response, topology, layout, health, at);
                }
            } else if layout.hit_port(at, port_r).is_some() {
                ui.ctx().set_cursor_icon(CursorIcon::Crosshair);
            } else if let Some(b) = layout.hit(at) {
                ui.ctx().set_cursor_icon(CursorIcon::PointingHand);
                node_tooltip(&response, topology, layout.boxes[b].node);
            }
        }

        // ---- Paint ----------------------------------------------------------
        let palette_drag = response
            .dnd_hover_payload::<PaletteDrag>()
            .map(|p| p.0)
            .zip(hover);
        let visuals = ui.visuals().clone();
        let overview = (self.camera.scale < paint::CURVE_SCALE).then(|| {
            let key: OverviewKey = (
                key,
                topology.revision(),
                [
                    self.camera.scale.to_bits(),
                    self.camera.offset.x.to_bits(),
                    self.camera.offset.y.to_bits(),
                ],
                [
                    viewport.min.x,
                    viewport.min.y,
                    viewport.max.x,
                    viewport.max.y,
                ]
                .map(f32::to_bits),
                visuals.dark_mode,
                overlay.health.map(|h| h.stamp),
            );
            match &self.overview {
                Some((k, meshes)) if *k == key => meshes.clone(),
                _ => {
                    let visible = self.camera.rect_to_canvas(viewport);
                    let meshes = paint::overview(
                        topology,
                        layout,
                        self.camera,
                        &visuals,
                        visible,
                        overlay.health,
                    );
                    self.overview = Some((key, meshes.clone()));
                    meshes
                }
            }
        });
        let paint = paint::Paint {
            painter: &painter.with_clip_rect(viewport),
            camera: self.camera,
            visuals: &visuals,
            topology,
            layout,
            selection,
            overlay,
            overview,
        };
        let preview = preview(&self.gesture, topology, layout, palette_drag);
        paint.all(viewport, hover, &preview);
        out
    }
}

/// A new node of `kind` dropped at canvas point `at`: its placement follows
/// the lane and band there (see [`placement::for_new`]), its x the point.
fn new_node_at(
    topology: &Topology,
    layout: &Layout,
    kind: NodeKind,
    at: Pos2,
) -> (Labelled, String) {
    let mut node = edits::new_node(topology, kind);
    node.placement = placement::for_new(topology.meta(), &node, spot_at(topology, layout, at));
    let x = (at.x - layout::NODE_W / 2.0).max(HEADER_W + 8.0);
    let lane = layout.spot(at).map_or(0, |s| s.lane);
    let x = layout.document_x(lane, snap(x));
    node.position = Some([f64::from(x), f64::from(at.y.round())]);
    let id = node.id.clone();
    (Labelled::new(Edit::AddNode(node), format!("Add {id}")), id)
}

/// What the gesture in progress (or a palette item dragged over the
/// canvas) looks like: boxes following the pointer, and a ghost where a
/// node will land.
fn preview(
    gesture: &Gesture,
    topology: &Topology,
    layout: &Layout,
    palette: Option<(NodeKind, Pos2)>,
) -> paint::Preview {
    let mut p = paint::Preview::default();
    match gesture {
        Gesture::Move {
            nodes,
            grabbed,
            start,
            delta,
        } => {
            p.moving = nodes.iter().copied().collect();
            p.move_delta = Vec2::new(snap(delta.x), delta.y);
            if let ([one], Some(b)) = (nodes.as_slice(), layout.boxes.get(*grabbed)) {
                p.grabbed = Some(*grabbed);
                let Some(node) = topology.graph().node_weight(*one) else {
                    return p;
                };
                let x = b.rect.min.x + snap(delta.x);
                let to = spot_at(topology, layout, *start + *delta);
                p.ghost_ok = true;
                match placement::moved(topology.meta(), node, spot_at(topology, layout, *start), to)
                {
                    Ok(Some(new)) => {
                        let lane = match to {
                            placement::Spot::Region { region, .. } => layout.lane_of_region(region),
                            placement::Spot::Global => None,
                        };
                        if let Some(lane) = lane
                            && let Some((y0, y1)) = layout.span_in(lane, &new)
                        {
                            p.ghosts
                                .push(Rect::from_x_y_ranges(x..=x + layout::NODE_W, y0..=y1));
                        }
                    }
                    Ok(None) => p
                        .ghosts
                        .push(b.rect.translate(Vec2::new(snap(delta.x), 0.0))),
                    Err(_) => {
                        p.ghost_ok = false;
                        p.ghosts.push(b.rect.translate(*delta));
                    }
                }
            }
        }
        Gesture::Wire { from, end } => p.wire = Some((*from, *end)),
        Gesture::Select { start, end, .. } => p.band = Some(Rect::from_two_pos(*start, *end)),
        Gesture::Pan | Gesture::Idle => {}
    }
    if let Some((kind, at)) = palette {
        let mut node = edits::new_node(topology, kind);
        node.placement = placement::for_new(topology.meta(), &node, spot_at(topology, layout, at));
        let x = snap((at.x - layout::NODE_W / 2.0).max(HEADER_W + 8.0));
        p.ghost_ok = true;
        for lane in 0..layout.lanes.len() {
            if let Some((y0, y1)) = layout.span_in(lane, &node) {
                p.ghosts
                    .push(Rect::from_x_y_ranges(x..=x + layout::NODE_W, y0..=y1));
            }
        }
    }
    p
}

/// The horizontal position snapped to the grid.
fn snap(x: f32) -> f32 {
    (x / SNAP).round() * SNAP
}

/// The drop spot under a canvas point, in the document's terms.
fn spot_at<'a>(topology: &'a Topology, layout: &'a Layout, at: Pos2) -> placement::Spot<'a> {
    let Some(spot) = layout.spot(at) else {
        // Below or above every lane: the nearest lane.
        let lane = if at.y < layout.bounds.center().y {
            layout.lanes.first()
        } else {
            layout.lanes.last()
        };
        return match lane.and_then(|l| l.region.as_deref()) {
            Some(region) => placement::Spot::Region { region, az: None },
            None => placement::Spot::Global,
        };
    };
    let lane = &layout.lanes[spot.lane];
    let Some(region) = lane.region.as_deref() else {
        return placement::Spot::Global;
    };
    let az = spot
        .band
        .and_then(|b| lane.bands[b].az.as_deref())
        .and_then(|az| {
            topology
                .meta()
                .region(region)
                .and_then(|r| r.azs.iter().position(|a| a == az))
        });
    placement::Spot::Region { region, az }
}

/// The edits a finished node drag makes: a new x for every dragged node,
/// and for a single node dropped in another band or lane, a new placement
/// (see [`placement`]).
fn finish_move(
    topology: &Topology,
    layout: &Layout,
    nodes: &[NodeIndex],
    grabbed: usize,
    start: Pos2,
    delta: Vec2,
) -> (Option<Labelled>, Option<String>) {
    let g = topology.graph();
    let dx = snap(delta.x);
    let mut edits = Vec::new();
    let mut message = None;
    let single = match nodes {
        [one] => g.node_weight(*one),
        _ => None,
    };
    let mut label = match single {
        Some(node) => format!("Move {}", node.id),
        None => format!("Move {}", edits::count(nodes.len(), "node")),
    };
    let replaced = if let Some(node) = single
        && layout
            .boxes
            .get(grabbed)
            .is_some_and(|b| g.node_weight(b.node).is_some_and(|n| n.id == node.id))
    {
        let from = spot_at(topology, layout, start);
        let to = spot_at(topology, layout, start + delta);
        match placement::moved(topology.meta(), node, from, to) {
            Ok(node) => node,
            Err(reason) => {
                message = Some(format!("Cannot move {} there: {reason}", node.id));
                None
            }
        }
    } else {
        None
    };
    for &ix in nodes {
        let Some(node) = g.node_weight(ix) else {
            continue;
        };
        let Some(first) = layout.boxes_of(ix).next() else {
            continue;
        };
        let x = layout.document_x(first.lane, first.rect.min.x + dx);
        let position =
            (dx.abs() >= 1.0).then(|| [f64::from(x), f64::from(first.rect.min.y.round())]);
        match &replaced {
            Some(new) if new.id == node.id => {
                let mut new = new.clone();
                if let Some(p) = position {
                    new.position = Some(p);
                }
                let regions: Vec<&str> = new.regions().collect();
                label = format!("Move {} to {}", node.id, regions.join(", "));
                edits.push(Edit::UpdateNode {
                    id: node.id.clone(),
                    node: Box::new(new),
                });
            }
            _ => {
                if let Some(p) = position {
                    edits.push(Edit::MoveNode {
                        id: node.id.clone(),
                        position: Some(p),
                    });
                }
            }
        }
    }
    if edits.is_empty() {
        return (None, message);
    }
    (Some(Labelled::new(Edit::Batch(edits), label)), message)
}

/// The right-click menu: actions on the selection, or adding a node there.
fn context_menu(
    ui: &mut egui::Ui,
    topology: &Topology,
    layout: &Layout,
    selection: &Selection,
    at: Option<Pos2>,
    out: &mut CanvasOutput,
) {
    let mut item = |ui: &mut egui::Ui, action: Action, enabled: bool| {
        let mut button = egui::Button::new(action.label());
        if let Some(sc) = crate::shortcuts::shortcut_of(action) {
            button = button.shortcut_text(ui.ctx().format_shortcut(&sc));
        }
        if ui.add_enabled(enabled, button).clicked() {
            out.actions.push(action);
            ui.close();
        }
    };
    if !selection.nodes.is_empty() || !selection.edges.is_empty() {
        let nodes = !selection.nodes.is_empty();
        item(ui, Action::Cut, nodes);
        item(ui, Action::Copy, nodes);
        item(ui, Action::Duplicate, nodes);
        item(ui, Action::Delete, true);
        ui.separator();
    }
    item(ui, Action::Paste, true);
    if let Some(at) = at {
        ui.menu_button("Add here", |ui| {
            for kind in NodeKind::ALL {
                if ui.button(kind.label()).clicked() {
                    out.edits.push(new_node_at(topology, layout, kind, at).0);
                    ui.close();
                }
            }
        });
    }
    ui.separator();
    item(ui, Action::SelectAll, true);
    item(ui, Action::AutoLayout, true);
    item(ui, Action::Fit, true);
}

/// What a what-if click at `at` fails: a node's box (with `one_region`,
/// only its drawing's region), a region's title strip, or an AZ's band
/// (anywhere in it, its header included).
fn toggle_at(layout: &Layout, at: Pos2, one_region: bool) -> Option<Toggle> {
    if let Some(b) = layout.hit(at) {
        let node_box = &layout.boxes[b];
        return Some(match &layout.lanes[node_box.lane].region {
            Some(region) if one_region => Toggle::NodeIn(node_box.node, region.clone()),
            _ => Toggle::Node(node_box.node),
        });
    }
    let spot = layout.spot(at)?;
    let lane = &layout.lanes[spot.lane];
    if lane.inactive {
        return None;
    }
    let region = lane.region.as_ref()?;
    if at.y < lane.rect.min.y + LANE_TITLE_H {
        return Some(Toggle::Region(region.clone()));
    }
    let az = lane.bands.get(spot.band?)?.az.as_ref()?;
    Some(Toggle::Az(az.clone()))
}

/// The node under the pointer: its full name (a box may show it smaller,
/// cut, or as its id), its id and what it is.
fn node_tooltip(response: &egui::Response, topology: &Topology, node: NodeIndex) {
    let Some(node) = topology.graph().node_weight(node) else {
        return;
    };
    egui::Tooltip::for_enabled(response)
        .at_pointer()
        .gap(12.0)
        .show(|ui| {
            ui.set_max_width(320.0);
            ui.strong(&node.name);
            ui.label(
                egui::RichText::new(format!("{} · {}", node.id, crate::style::badge(node)))
                    .weak()
                    .small(),
            );
        });
}

/// The state of the node under the pointer, and why (what-if mode).
fn health_tooltip(
    response: &egui::Response,
    topology: &Topology,
    layout: &Layout,
    health: &crate::health::HealthMap,
    at: Pos2,
) {
    let Some(b) = layout.hit(at) else { return };
    let node_box = &layout.boxes[b];
    let region = layout.lanes[node_box.lane].region.as_deref();
    let (Some(node), Some(site)) = (
        topology.graph().node_weight(node_box.node),
        health.site(node_box.node, region),
    ) else {
        return;
    };
    let name = match region {
        Some(r) => format!("{} in {r}", node.name),
        None => node.name.clone(),
    };
    let failed = health.failed.nodes.contains(&node_box.node)
        || region.is_some_and(|r| {
            health
                .failed
                .node_sites
                .contains(&(node_box.node, r.to_owned()))
        });
    egui::Tooltip::for_enabled(response)
        .at_pointer()
        .gap(12.0)
        .show(|ui| {
            ui.set_max_width(320.0);
            ui.strong(name);
            ui.colored_label(
                site.health.color(),
                format!(
                    "{} · {:.1}% of its requests served",
                    site.health.label(),
                    site.served_fraction * 100.0
                ),
            );
            if !site.reason.is_empty() {
                ui.label(&site.reason);
            }
            ui.label(
                egui::RichText::new(if failed {
                    "Click to bring it back"
                } else {
                    "Click to fail it"
                })
                .weak()
                .small(),
            );
        });
}

/// Selects what was clicked: a node, an edge, a region's lane title, or
/// nothing (which clears the selection).
fn click(layout: &Layout, selection: &mut Selection, at: Pos2, modifiers: Modifiers) {
    let add = modifiers.shift || modifiers.command;
    if let Some(b) = layout.hit(at) {
        let node = layout.boxes[b].node;
        if add {
            selection.toggle_node(node);
        } else {
            *selection = Selection::node(node);
        }
        return;
    }
    if let Some(r) = layout.hit_edge(at, layout::EDGE_HIT) {
        let edge = layout.routes[r].edge;
        if add {
            selection.toggle_edge(edge);
        } else {
            *selection = Selection::edge(edge);
        }
        return;
    }
    if let Some(spot) = layout.spot(at) {
        let lane = &layout.lanes[spot.lane];
        let on_header = at.x < HEADER_W || at.y < lane.rect.min.y + LANE_TITLE_H;
        if on_header && let Some(region) = &lane.region {
            *selection = Selection::region(region.clone());
            return;
        }
    }
    if !add {
        selection.clear();
    }
}
