//! Where everything goes on the canvas, in canvas units (not pixels).
//!
//! Regions are horizontal lanes stacked top to bottom, under a "Global" lane
//! for DNS, CDN and third parties. Inside a region lane each AZ in use is a
//! band, and tiers run left to right by dependency depth from the entry
//! points, aligned across lanes. A zonal node is drawn once per region it is
//! placed in, as a box spanning the bands of its AZs, so its height shows its
//! AZ spread at a glance; regional services (SQS, S3, API Gateway) sit in a
//! "regional" band under the AZs.
//!
//! Pure geometry: no painting, so it is tested without a window and reused
//! for hit-testing.

use std::collections::HashMap;

use egui::{Pos2, Rect, Vec2, pos2, vec2};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::NodeIndexable as _;
use topoplan_core::Topology;
use topoplan_core::model::{DeploymentMode, Node};

pub const NODE_W: f32 = 164.0;
pub const COLUMN_GAP: f32 = 48.0;
pub const HEADER_W: f32 = 128.0;
pub const LANE_TITLE_H: f32 = 30.0;
pub const BAND_H: f32 = 72.0;
pub const LANE_GAP: f32 = 28.0;
pub const GLOBAL_NODE_H: f32 = 58.0;
pub const BOX_INSET: f32 = 7.0;
/// The most the bands (and global boxes) are stretched to fill a view
/// taller than the diagram: past this, boxes become pillars.
pub const MAX_STRETCH: f32 = 1.75;

/// Per (lane, tier): the vertical spans taken in each slot.
type Taken = HashMap<(usize, usize), Vec<Vec<(f32, f32)>>>;
/// A node with the (lane, top, bottom) of each of its boxes.
type NodeSpans = (NodeIndex, Vec<(usize, f32, f32)>);

/// One band of a region lane: an AZ, or the regional band under them.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// The AZ name, or `None` for the regional band.
    pub az: Option<String>,
    pub rect: Rect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// The region id, or `None` for the global lane.
    pub region: Option<String>,
    pub rect: Rect,
    pub bands: Vec<Band>,
    /// Drawn dimmed: the current deployment mode does not use this region.
    pub inactive: bool,
    /// Which row of a wrapped layout the lane belongs to (0 unless wrapped).
    pub row: usize,
}

/// One drawing of a node: a node placed in two regions has two.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub node: NodeIndex,
    pub lane: usize,
    pub rect: Rect,
}

/// How one edge is drawn between two boxes: a cubic Bézier curve.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeRoute {
    pub edge: EdgeIndex,
    pub from_box: usize,
    pub to_box: usize,
    pub points: [Pos2; 4],
    /// Bounding box of the control points (the curve lies inside), for culling.
    pub bbox: Rect,
    /// One end sits in a region the deployment mode does not use.
    pub inactive: bool,
}

/// Where a point of the canvas is: a lane, and a band of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spot {
    pub lane: usize,
    /// Index into the lane's bands; `None` on the lane's title strip (or in
    /// the global lane, which has no bands).
    pub band: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub lanes: Vec<Lane>,
    pub boxes: Vec<NodeBox>,
    /// Indices into `boxes`, by node index (dense: `NodeIndex::index()`).
    node_boxes: Vec<Vec<usize>>,
    pub routes: Vec<EdgeRoute>,
    /// Pairs of boxes of one data store placed in several regions (drawn
    /// as a replication link).
    pub replica_links: Vec<(usize, usize)>,
    /// Dependency depth (tier) of each node.
    pub depth: HashMap<NodeIndex, usize>,
    pub bounds: Rect,
    /// How far each row of a wrapped layout is shifted left: a node's
    /// document x (`position[0]`) is its drawn x plus its row's shift.
    pub row_shift: Vec<f32>,
    /// Lanes per row (the lanes of row `r` are `r * lanes_per_row ..`).
    pub lanes_per_row: usize,
    /// How much taller than [`BAND_H`] and [`GLOBAL_NODE_H`] bands and
    /// global boxes are (see [`layout_stretched`]).
    pub stretch: f32,
}

/// Distance from a point within which an edge counts as hit, in canvas units.
pub const EDGE_HIT: f32 = 6.0;
/// Radius of a node's output port (drag from it to connect), in canvas units.
pub const PORT_R: f32 = 6.0;

impl Layout {
    /// Indices (into `boxes`) of every box drawn for `node`.
    pub fn box_indices(&self, node: NodeIndex) -> &[usize] {
        self.node_boxes.get(node.index()).map_or(&[], Vec::as_slice)
    }

    /// Every box drawn for `node`.
    pub fn boxes_of(&self, node: NodeIndex) -> impl Iterator<Item = &NodeBox> {
        self.box_indices(node).iter().map(|&i| &self.boxes[i])
    }

    /// The topmost box under a canvas point (its index into `boxes`).
    pub fn hit(&self, p: Pos2) -> Option<usize> {
        self.boxes.iter().rposition(|b| b.rect.contains(p))
    }

    /// The box whose output port is under `p`, within `radius` canvas units.
    pub fn hit_port(&self, p: Pos2, radius: f32) -> Option<usize> {
        self.boxes
            .iter()
            .rposition(|b| port(b.rect).distance(p) <= radius)
    }

    /// The edge route passing within `tolerance` of `p`, nearest first.
    pub fn hit_edge(&self, p: Pos2, tolerance: f32) -> Option<usize> {
        self.routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.bbox.expand(tolerance).contains(p))
            .map(|(i, r)| (i, distance_to_curve(&r.points, p)))
            .filter(|&(_, d)| d <= tolerance)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// The lane and band under a canvas point.
    pub fn spot(&self, p: Pos2) -> Option<Spot> {
        let lane = self
            .lanes
            .iter()
            .position(|l| p.y >= l.rect.min.y && p.y <= l.rect.max.y)?;
        let band = self.lanes[lane]
            .bands
            .iter()
            .position(|b| p.y >= b.rect.min.y && p.y < b.rect.max.y);
        Some(Spot { lane, band })
    }

    /// The lane of a region.
    pub fn lane_of_region(&self, region: &str) -> Option<usize> {
        self.lanes
            .iter()
            .position(|l| l.region.as_deref() == Some(region))
    }

    /// The document x (`position[0]`) of a point drawn at `x` in `lane`.
    pub fn document_x(&self, lane: usize, x: f32) -> f32 {
        let row = lane.checked_div(self.lanes_per_row).unwrap_or(0);
        x + self.row_shift.get(row).copied().unwrap_or(0.0)
    }

    /// The vertical extent a node with `azs` in `lane` would have (for
    /// previews of a move before it is made).
    pub fn span_in(&self, lane: usize, node: &Node) -> Option<(f32, f32)> {
        vertical_span(node, self.lanes.get(lane)?, self.stretch)
    }

    /// The stretch (see [`layout_stretched`]) at which this layout would be
    /// `height` tall, within `1.0..=MAX_STRETCH` and rounded down to an
    /// eighth (a view settling in size does not lay out again for every
    /// pixel). Its width does not depend on the stretch. A wrapped layout
    /// is not stretched: its rows are what makes its shape.
    pub fn stretch_for_height(&self, height: f32) -> f32 {
        if self.row_shift.len() > 1 {
            return 1.0;
        }
        // Only bands and global boxes grow with the stretch; titles, gaps
        // and insets do not.
        let stretchy: f32 = self
            .lanes
            .iter()
            .map(|l| match l.region {
                None => GLOBAL_NODE_H * self.stretch,
                Some(_) => l.bands.iter().map(|b| b.rect.height()).sum(),
            })
            .sum();
        if stretchy <= 0.0 {
            return 1.0;
        }
        let fixed = self.bounds.height() - stretchy;
        let wanted = self.stretch * (height - fixed) / stretchy;
        ((wanted * 8.0).floor() / 8.0).clamp(1.0, MAX_STRETCH)
    }
}

/// A node box's output port: the middle of its right side.
pub fn port(rect: Rect) -> Pos2 {
    pos2(rect.max.x, rect.center().y)
}

/// Control points of the curve drawn from one box to another: out of the
/// right side into the left side when the target is to the right; between
/// bottom and top when the boxes do not overlap vertically (across lanes
/// and AZ bands); otherwise a loop back from right to left.
pub fn route(from: Rect, to: Rect) -> [Pos2; 4] {
    let apart = from.max.y < to.min.y || from.min.y > to.max.y;
    if (to.min.x - from.max.x) > 10.0 && !(apart && to.min.x - from.max.x < 40.0) {
        let start = port(from);
        let end = pos2(to.min.x, to.center().y);
        let dx = (end.x - start.x) * 0.5;
        [start, start + vec2(dx, 0.0), end - vec2(dx, 0.0), end]
    } else if apart {
        let down = to.min.y > from.max.y;
        let start = pos2(from.center().x, if down { from.max.y } else { from.min.y });
        let end = pos2(to.center().x, if down { to.min.y } else { to.max.y });
        let dy = (end.y - start.y) * 0.5;
        [start, start + vec2(0.0, dy), end - vec2(0.0, dy), end]
    } else {
        // A back edge: loop out to the right and come back in from the left.
        let start = port(from);
        let end = pos2(to.min.x, to.center().y);
        [
            start,
            start + vec2(80.0, -60.0),
            end - vec2(80.0, 60.0),
            end,
        ]
    }
}

/// A point on a cubic Bézier curve.
pub fn bezier(points: &[Pos2; 4], t: f32) -> Pos2 {
    let rest = 1.0 - t;
    let [p0, p1, p2, p3] = points.map(Pos2::to_vec2);
    (p0 * (rest * rest * rest)
        + p1 * (3.0 * rest * rest * t)
        + p2 * (3.0 * rest * t * t)
        + p3 * (t * t * t))
        .to_pos2()
}

/// Distance from `p` to a cubic Bézier curve, sampled on 24 segments.
fn distance_to_curve(points: &[Pos2; 4], p: Pos2) -> f32 {
    const STEPS: u8 = 24;
    let mut best = f32::INFINITY;
    let mut prev = points[0];
    for i in 1..=STEPS {
        let next = bezier(points, f32::from(i) / f32::from(STEPS));
        best = best.min(distance_to_segment(p, prev, next));
        prev = next;
    }
    best
}

fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab: Vec2 = b - a;
    let len2 = ab.length_sq();
    if len2 <= f32::EPSILON {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

/// Tier of every node: the longest chain of edges from an entry point (or,
/// for nodes no entry point reaches, from a node with no incoming edge).
/// Cycles are collapsed first, so every member of a cycle shares a tier.
pub fn depths(topology: &Topology) -> HashMap<NodeIndex, usize> {
    let g = topology.graph();
    let condensed = petgraph::algo::condensation(g.map(|ix, _| ix, |_, _| ()).into(), true);
    let order = petgraph::algo::toposort(&condensed, None).unwrap_or_default();
    let mut depth_of_component = vec![0usize; condensed.node_count()];
    for component in order {
        let d = depth_of_component[component.index()];
        for next in condensed.neighbors(component) {
            let slot = &mut depth_of_component[next.index()];
            *slot = (*slot).max(d + 1);
        }
    }
    condensed
        .node_indices()
        .flat_map(|c| {
            let d = depth_of_component[c.index()];
            condensed[c].iter().map(move |&ix| (ix, d))
        })
        .collect()
}

/// Lays the document out. Nodes with a saved `position` keep its x.
pub fn layout(topology: &Topology) -> Layout {
    layout_stretched(topology, 1.0)
}

/// Lays the document out with bands `stretch` times [`BAND_H`] tall (and
/// global boxes `stretch` times [`GLOBAL_NODE_H`]): the canvas stretches a
/// diagram wider than the view so it fills the view's height (taller boxes
/// leave room for names and per-AZ figures) instead of floating in a strip.
pub fn layout_stretched(topology: &Topology, stretch: f32) -> Layout {
    let stretch = stretch.clamp(1.0, MAX_STRETCH);
    let depth = depths(topology);
    let mut lanes = lanes(topology, stretch);

    // The vertical extent of each node in each lane it appears in.
    let mut spans: Vec<(NodeIndex, usize, f32, f32)> = Vec::new();
    for (ix, node) in topology.nodes_indexed() {
        for (lane_ix, lane) in lanes.iter().enumerate() {
            if let Some((y0, y1)) = vertical_span(node, lane, stretch) {
                spans.push((ix, lane_ix, y0, y1));
            }
        }
    }

    // Slots: nodes of one tier in one lane whose spans overlap go side by
    // side. A node drawn in several lanes takes a slot free in all of them,
    // so its boxes line up.
    let mut by_node: Vec<NodeSpans> = Vec::new();
    for &(ix, lane_ix, y0, y1) in &spans {
        match by_node.last_mut() {
            Some((last, lanes_of)) if *last == ix => lanes_of.push((lane_ix, y0, y1)),
            _ => by_node.push((ix, vec![(lane_ix, y0, y1)])),
        }
    }
    // Region lanes first: their tiers are the columns. Global-lane nodes
    // (DNS, CDN, third parties) are packed into their own lane afterwards,
    // so tiers only they use do not take a column in every region.
    let is_global = |lanes_of: &[(usize, f32, f32)]| {
        lanes_of
            .iter()
            .all(|&(lane_ix, _, _)| lanes[lane_ix].region.is_none())
    };
    let mut slot_of: HashMap<NodeIndex, usize> = HashMap::new();
    let mut slots_in_tier: HashMap<usize, usize> = HashMap::new();
    let mut taken: Taken = HashMap::new();
    for (ix, lanes_of) in by_node.iter().filter(|(_, l)| !is_global(l)) {
        let tier = depth.get(ix).copied().unwrap_or(0);
        let free = |s: usize, taken: &Taken| {
            lanes_of.iter().all(|&(lane_ix, y0, y1)| {
                taken
                    .get(&(lane_ix, tier))
                    .and_then(|columns| columns.get(s))
                    .is_none_or(|used| used.iter().all(|&(a, b)| y1 <= a || y0 >= b))
            })
        };
        // The slot past the last one in use is always free.
        let used = slots_in_tier.get(&tier).copied().unwrap_or(0);
        let slot = (0..=used).find(|&s| free(s, &taken)).unwrap_or(used);
        for &(lane_ix, y0, y1) in lanes_of {
            let columns = taken.entry((lane_ix, tier)).or_default();
            if columns.len() <= slot {
                columns.resize(slot + 1, Vec::new());
            }
            columns[slot].push((y0, y1));
        }
        slot_of.insert(*ix, slot);
        let n = slots_in_tier.entry(tier).or_default();
        *n = (*n).max(slot + 1);
    }

    // Column x positions, tiers aligned across region lanes; a tier no
    // region node uses takes no column.
    let max_tier = depth.values().copied().max().unwrap_or(0);
    let mut tier_x = Vec::with_capacity(max_tier + 1);
    let start = HEADER_W + COLUMN_GAP / 2.0;
    let mut x = start;
    for tier in 0..=max_tier {
        tier_x.push(x);
        let slots = slots_in_tier.get(&tier).copied().unwrap_or(0);
        if slots > 0 {
            x += slots as f32 * (NODE_W + COLUMN_GAP / 2.0) + COLUMN_GAP / 2.0;
        }
    }
    let mut width = x + COLUMN_GAP / 2.0;

    // The global lane: in tier order, each node at its tier's column or
    // right after the previous global node, whichever is further right.
    let mut global: Vec<(usize, NodeIndex)> = by_node
        .iter()
        .filter(|(_, l)| is_global(l))
        .map(|(ix, _)| (depth.get(ix).copied().unwrap_or(0), *ix))
        .collect();
    global.sort_by_key(|&(tier, ix)| (tier, ix.index()));
    let mut global_x: HashMap<NodeIndex, f32> = HashMap::new();
    let mut cursor = start;
    for (tier, ix) in global {
        let column = tier_x.get(tier).copied().unwrap_or(start);
        let at = cursor.max(column);
        global_x.insert(ix, at);
        cursor = at + NODE_W + COLUMN_GAP / 2.0;
    }

    let mut boxes = Vec::with_capacity(spans.len());
    for &(ix, lane_ix, y0, y1) in &spans {
        let tier = depth.get(&ix).copied().unwrap_or(0);
        let auto_x = global_x.get(&ix).copied().unwrap_or_else(|| {
            let slot = slot_of.get(&ix).copied().unwrap_or(0);
            tier_x[tier] + slot as f32 * (NODE_W + COLUMN_GAP / 2.0)
        });
        let x0 = topology.graph()[ix]
            .position
            .map_or(auto_x, |p| to_f32(p[0]));
        width = width.max(x0 + NODE_W + COLUMN_GAP);
        boxes.push(NodeBox {
            node: ix,
            lane: lane_ix,
            rect: Rect::from_min_max(pos2(x0, y0), pos2(x0 + NODE_W, y1)),
        });
    }

    let lanes_per_row = lanes.len();
    // Every column a box can start at: each slot of each tier.
    let mut columns: Vec<f32> = Vec::new();
    for (tier, &x) in tier_x.iter().enumerate() {
        let slots = slots_in_tier.get(&tier).copied().unwrap_or(0);
        columns.extend((0..slots).map(|s| x + s as f32 * (NODE_W + COLUMN_GAP / 2.0)));
    }
    let row_shift = wrap(&mut lanes, &mut boxes, &columns, width, start);
    let width = boxes
        .iter()
        .map(|b| b.rect.max.x + COLUMN_GAP)
        .fold(if row_shift.len() > 1 { 0.0 } else { width }, f32::max);
    for lane in &mut lanes {
        lane.rect.max.x = width;
        for band in &mut lane.bands {
            band.rect.max.x = width;
        }
    }
    let bounds = lanes.iter().fold(Rect::NOTHING, |r, l| r.union(l.rect));
    let bounds = if bounds.is_positive() {
        bounds
    } else {
        Rect::from_min_size(Pos2::ZERO, vec2(width, 200.0))
    };
    let mut node_boxes = vec![Vec::new(); topology.graph().node_bound()];
    for (i, b) in boxes.iter().enumerate() {
        node_boxes[b.node.index()].push(i);
    }
    let mut layout = Layout {
        lanes,
        boxes,
        node_boxes,
        routes: Vec::new(),
        replica_links: Vec::new(),
        depth,
        bounds,
        row_shift,
        lanes_per_row,
        stretch,
    };
    layout.routes = routes(topology, &layout);
    layout.replica_links = replica_links(topology, &layout);
    layout
}

/// Widest overall shape (width / height) a wrapped layout aims for.
const WRAP_ASPECT: f32 = 2.5;
/// Vertical gap between the rows of a wrapped layout.
pub const ROW_GAP: f32 = 120.0;

/// Wraps a layout far wider than it is tall (thousands of nodes in a few
/// lanes) into rows, as text wraps: tiers still run left to right, and
/// continue on the next row, which repeats every lane. Rows break between
/// columns (`columns`: the x of every slot). Returns each row's shift (see [`Layout::row_shift`]);
/// a layout that fits is left alone (one row, no shift).
fn wrap(
    lanes: &mut Vec<Lane>,
    boxes: &mut [NodeBox],
    columns: &[f32],
    width: f32,
    start: f32,
) -> Vec<f32> {
    let height = lanes.last().map_or(0.0, |l| l.rect.max.y) + ROW_GAP;
    let rows = (width / (WRAP_ASPECT * height)).sqrt();
    if rows < 2.0 || lanes.is_empty() {
        return vec![0.0];
    }
    let target = width / rows;
    // Row starts, in document x, at tier boundaries.
    let mut starts = vec![0.0_f32];
    for &x in columns {
        let row_start = *starts.last().unwrap_or(&0.0);
        if x - row_start.max(start) > target {
            starts.push(x);
        }
    }
    let shift: Vec<f32> = starts
        .iter()
        .enumerate()
        .map(|(r, &s)| if r == 0 { 0.0 } else { s - start })
        .collect();
    let row_of = |x: f32| starts.iter().rposition(|&s| x >= s).unwrap_or(0);
    let per_row = lanes.len();
    let base = std::mem::take(lanes);
    for r in 0..starts.len() {
        let dy = r as f32 * height;
        for lane in &base {
            let mut lane = lane.clone();
            lane.row = r;
            lane.rect = lane.rect.translate(vec2(0.0, dy));
            for band in &mut lane.bands {
                band.rect = band.rect.translate(vec2(0.0, dy));
            }
            lanes.push(lane);
        }
    }
    for b in boxes.iter_mut() {
        let r = row_of(b.rect.min.x);
        b.lane += r * per_row;
        b.rect = b.rect.translate(vec2(-shift[r], r as f32 * height));
    }
    shift
}

/// Which boxes each edge joins. A node drawn in several regions calls its
/// callee in the same region; calls to and from the global lane, and calls
/// between nodes that share no region, join every pair of boxes.
fn routes(topology: &Topology, layout: &Layout) -> Vec<EdgeRoute> {
    let g = topology.graph();
    let mut out = Vec::with_capacity(topology.edge_count());
    for e in g.edge_indices() {
        let Some((a, b)) = g.edge_endpoints(e) else {
            continue;
        };
        let from = layout.box_indices(a);
        let to = layout.box_indices(b);
        // Boxes are compared by region, not lane: a wrapped layout repeats
        // a region's lane on every row.
        let region = |i: usize| layout.lanes[layout.boxes[i].lane].region.as_deref();
        let share_region = from
            .iter()
            .any(|&f| to.iter().any(|&t| region(t) == region(f)));
        for &f in from {
            for &t in to {
                let global = region(f).is_none() || region(t).is_none();
                if !(region(f) == region(t) || global || !share_region) {
                    continue;
                }
                let points = route(layout.boxes[f].rect, layout.boxes[t].rect);
                let bbox = Rect::from_points(&points);
                out.push(EdgeRoute {
                    edge: e,
                    from_box: f,
                    to_box: t,
                    points,
                    bbox,
                    inactive: layout.lanes[layout.boxes[f].lane].inactive
                        || layout.lanes[layout.boxes[t].lane].inactive,
                });
            }
        }
    }
    out
}

/// Consecutive boxes of each data store placed in several regions.
fn replica_links(topology: &Topology, layout: &Layout) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (ix, node) in topology.nodes_indexed() {
        if node.placement.len() < 2 || !node.kind().is_data_store() {
            continue;
        }
        for pair in layout.box_indices(ix).windows(2) {
            out.push((pair[0], pair[1]));
        }
    }
    out
}

/// The lanes, top to bottom: the global lane (when a global node exists or
/// there are no regions), then one per region with a band per AZ and a
/// regional band when regional services run there. Widths are set later.
fn lanes(topology: &Topology, stretch: f32) -> Vec<Lane> {
    let band_h = BAND_H * stretch;
    let meta = topology.meta();
    let has_global = topology.nodes().any(|n| n.kind().is_global());
    let primary = meta.primary_region().map(|r| r.id.clone());
    let mut lanes = Vec::new();
    let mut y = 0.0;
    if has_global || meta.regions.is_empty() {
        let rect = Rect::from_min_size(
            pos2(0.0, y),
            vec2(
                0.0,
                LANE_TITLE_H + GLOBAL_NODE_H * stretch + 2.0 * BOX_INSET,
            ),
        );
        lanes.push(Lane {
            region: None,
            rect,
            bands: Vec::new(),
            inactive: false,
            row: 0,
        });
        y = rect.max.y + LANE_GAP;
    }
    for region in &meta.regions {
        let top = y;
        y += LANE_TITLE_H;
        let mut bands = Vec::new();
        for az in &region.azs {
            bands.push(Band {
                az: Some(az.clone()),
                rect: Rect::from_min_size(pos2(0.0, y), vec2(0.0, band_h)),
            });
            y += band_h;
        }
        let has_regional = topology
            .nodes()
            .any(|n| !n.is_zonal() && n.placement.contains_key(&region.id));
        if has_regional || region.azs.is_empty() {
            bands.push(Band {
                az: None,
                rect: Rect::from_min_size(pos2(0.0, y), vec2(0.0, band_h)),
            });
            y += band_h;
        }
        let inactive = meta.deployment.mode == DeploymentMode::Single
            && primary.as_deref() != Some(region.id.as_str());
        lanes.push(Lane {
            region: Some(region.id.clone()),
            rect: Rect::from_min_max(pos2(0.0, top), pos2(0.0, y)),
            bands,
            inactive,
            row: 0,
        });
        y += LANE_GAP;
    }
    lanes
}

/// Document coordinates are `f64`; the canvas draws in `f32`.
#[expect(
    clippy::cast_possible_truncation,
    reason = "canvas coordinates are far inside f32's range"
)]
fn to_f32(v: f64) -> f32 {
    v as f32
}

/// Where `node` is drawn vertically in `lane`, if it appears there.
fn vertical_span(node: &Node, lane: &Lane, stretch: f32) -> Option<(f32, f32)> {
    let Some(region) = &lane.region else {
        return node.kind().is_global().then(|| {
            let top = lane.rect.min.y + LANE_TITLE_H + BOX_INSET;
            (top, top + GLOBAL_NODE_H * stretch)
        });
    };
    let azs = node.placement.get(region)?;
    let bands: Vec<&Band> = if node.is_zonal() {
        lane.bands
            .iter()
            .filter(|b| b.az.as_ref().is_some_and(|az| azs.contains(az)))
            .collect()
    } else {
        Vec::new()
    };
    let bands = if bands.is_empty() {
        // Regional services, and zonal nodes whose AZs are not in use (a
        // validation error the user is told about): the regional band, or
        // the whole lane when there is none.
        lane.bands
            .iter()
            .filter(|b| b.az.is_none())
            .collect::<Vec<_>>()
    } else {
        bands
    };
    let top = bands
        .iter()
        .map(|b| b.rect.min.y)
        .fold(f32::INFINITY, f32::min);
    let bottom = bands
        .iter()
        .map(|b| b.rect.max.y)
        .fold(f32::NEG_INFINITY, f32::max);
    if top.is_finite() && bottom.is_finite() {
        Some((top + BOX_INSET, bottom - BOX_INSET))
    } else {
        Some((
            lane.rect.min.y + LANE_TITLE_H + BOX_INSET,
            lane.rect.max.y - BOX_INSET,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::templates;

    fn template(name: &str) -> Topology {
        templates::find(name).unwrap().load().unwrap()
    }

    #[test]
    fn tiers_follow_dependency_depth() {
        let t = template("three-tier");
        let d = depths(&t);
        let depth = |id: &str| d[&t.node_index(id).unwrap()];
        assert_eq!(depth("dns"), 0);
        assert_eq!(depth("alb"), 1);
        assert_eq!(depth("web"), 2);
        assert_eq!(depth("app"), 3);
        assert_eq!(depth("db"), 4);
        assert_eq!(depth("cache"), 4);
    }

    #[test]
    fn multi_region_nodes_are_drawn_once_per_region_at_the_same_x() {
        let t = template("active-active");
        let l = layout(&t);
        let api: Vec<&NodeBox> = l.boxes_of(t.node_index("api").unwrap()).collect();
        assert_eq!(api.len(), 2);
        assert!((api[0].rect.min.x - api[1].rect.min.x).abs() < f32::EPSILON);
        assert_ne!(api[0].lane, api[1].lane);
        // dns is global: one box, in the global lane.
        let dns: Vec<&NodeBox> = l.boxes_of(t.node_index("dns").unwrap()).collect();
        assert_eq!(dns.len(), 1);
        assert_eq!(l.lanes[dns[0].lane].region, None);
    }

    #[test]
    fn a_node_spans_exactly_its_azs() {
        let t = template("three-tier");
        let l = layout(&t);
        let lane = l
            .lanes
            .iter()
            .find(|l| l.region.as_deref() == Some("us-east-1"))
            .unwrap();
        let band = |az: &str| {
            lane.bands
                .iter()
                .find(|b| b.az.as_deref() == Some(az))
                .unwrap()
                .rect
        };
        let cache = l
            .boxes_of(t.node_index("cache").unwrap())
            .next()
            .unwrap()
            .rect;
        assert!(cache.min.y > band("us-east-1a").min.y && cache.min.y < band("us-east-1a").max.y);
        assert!(cache.max.y > band("us-east-1b").min.y && cache.max.y < band("us-east-1b").max.y);
    }

    #[test]
    fn boxes_never_overlap() {
        for template in templates::TEMPLATES {
            let t = template.load().unwrap();
            let l = layout(&t);
            for (i, a) in l.boxes.iter().enumerate() {
                for b in &l.boxes[i + 1..] {
                    assert!(
                        !a.rect.intersects(b.rect),
                        "{}: {:?} overlaps {:?}",
                        template.name,
                        t.graph()[a.node].id,
                        t.graph()[b.node].id
                    );
                }
                assert!(
                    l.bounds.contains_rect(a.rect),
                    "{}: box outside bounds",
                    template.name
                );
            }
        }
    }

    #[test]
    fn a_very_wide_estate_wraps_into_rows_and_keeps_document_x() {
        use topoplan_core::generate::{SyntheticSpec, synthetic};
        let mut t = synthetic(&SyntheticSpec::with_nodes(1000));
        let l = layout(&t);
        assert!(l.row_shift.len() > 2, "{} rows", l.row_shift.len());
        let aspect = l.bounds.width() / l.bounds.height();
        assert!((0.5..6.0).contains(&aspect), "aspect {aspect}");
        for (i, a) in l.boxes.iter().enumerate() {
            assert!(l.bounds.contains_rect(a.rect));
            for b in &l.boxes[i + 1..] {
                assert!(!a.rect.intersects(b.rect), "boxes overlap");
            }
        }
        // Every region lane repeats on every row.
        assert_eq!(l.lanes.len(), l.lanes_per_row * l.row_shift.len());
        // A saved x is the document x of the box, whichever row draws it.
        let id = t.nodes().nth(700).unwrap().id.clone();
        t.move_node(&id, Some([30_000.0, 0.0])).unwrap();
        let l = layout(&t);
        let b = l.boxes_of(t.node_index(&id).unwrap()).next().unwrap();
        assert!(l.lanes[b.lane].row > 0);
        assert!((l.document_x(b.lane, b.rect.min.x) - 30_000.0).abs() < 0.01);
    }

    #[test]
    fn stretching_makes_bands_taller_and_leaves_the_width_alone() {
        let t = template("marketplace");
        let l = layout(&t);
        // A view with room for a diagram 1.4 times as tall.
        let room = l.bounds.height() * 1.4;
        let stretch = l.stretch_for_height(room);
        assert!(stretch > 1.0 && stretch <= MAX_STRETCH, "{stretch}");
        let tall = layout_stretched(&t, stretch);
        assert!((tall.bounds.width() - l.bounds.width()).abs() < 0.01);
        assert!(tall.bounds.height() > l.bounds.height() * 1.3);
        assert!(tall.bounds.height() <= room + 0.01, "taller than the room");
        let band = &tall.lanes[1].bands[0];
        assert!((band.rect.height() - BAND_H * stretch).abs() < 0.01);
        // Asked again from the stretched layout, the answer is the same.
        assert!((tall.stretch_for_height(room) - stretch).abs() <= 0.125);
        for (i, a) in tall.boxes.iter().enumerate() {
            assert!(tall.bounds.contains_rect(a.rect));
            for b in &tall.boxes[i + 1..] {
                assert!(!a.rect.intersects(b.rect), "boxes overlap");
            }
        }
        // No room: no stretch; lots of room: no more than MAX_STRETCH.
        assert!((l.stretch_for_height(l.bounds.height() * 0.5) - 1.0).abs() < f32::EPSILON);
        assert!(
            (l.stretch_for_height(l.bounds.height() * 10.0) - MAX_STRETCH).abs() < f32::EPSILON
        );
    }

    #[test]
    fn cycles_share_a_tier_instead_of_looping() {
        let t = topoplan_core::model::json::from_str(
            r#"{"schema": 1, "name": "c", "nodes": [
                {"id": "a", "kind": "external"}, {"id": "b", "kind": "external"}],
               "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "a", "dependency": "soft"}]}"#,
        )
        .unwrap();
        let d = depths(&t);
        assert_eq!(d.len(), 2);
        assert!(d.values().all(|&v| v == 0));
    }
}
