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

use egui::{Pos2, Rect, pos2, vec2};
use petgraph::stable_graph::NodeIndex;
use topoplan_core::Topology;
use topoplan_core::model::{DeploymentMode, Node};

pub const NODE_W: f32 = 176.0;
pub const COLUMN_GAP: f32 = 56.0;
pub const HEADER_W: f32 = 150.0;
pub const LANE_TITLE_H: f32 = 30.0;
pub const BAND_H: f32 = 72.0;
pub const LANE_GAP: f32 = 28.0;
pub const GLOBAL_NODE_H: f32 = 58.0;
pub const BOX_INSET: f32 = 7.0;

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
}

/// One drawing of a node: a node placed in two regions has two.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeBox {
    pub node: NodeIndex,
    pub lane: usize,
    pub rect: Rect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub lanes: Vec<Lane>,
    pub boxes: Vec<NodeBox>,
    /// Dependency depth (tier) of each node.
    pub depth: HashMap<NodeIndex, usize>,
    pub bounds: Rect,
}

impl Layout {
    /// Every box drawn for `node`.
    pub fn boxes_of(&self, node: NodeIndex) -> impl Iterator<Item = &NodeBox> {
        self.boxes.iter().filter(move |b| b.node == node)
    }

    /// The topmost box under a canvas point.
    pub fn hit(&self, p: Pos2) -> Option<&NodeBox> {
        self.boxes.iter().rev().find(|b| b.rect.contains(p))
    }
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
    let meta = topology.meta();
    let depth = depths(topology);
    let has_global = topology.nodes().any(|n| n.kind().is_global());
    let primary = meta.primary_region().map(|r| r.id.clone());

    // Lanes, top to bottom.
    let mut lanes = Vec::new();
    let mut y = 0.0;
    if has_global || meta.regions.is_empty() {
        let rect = Rect::from_min_size(
            pos2(0.0, y),
            vec2(0.0, LANE_TITLE_H + GLOBAL_NODE_H + 2.0 * BOX_INSET),
        );
        lanes.push(Lane {
            region: None,
            rect,
            bands: Vec::new(),
            inactive: false,
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
                rect: Rect::from_min_size(pos2(0.0, y), vec2(0.0, BAND_H)),
            });
            y += BAND_H;
        }
        let has_regional = topology
            .nodes()
            .any(|n| !n.is_zonal() && n.placement.contains_key(&region.id));
        if has_regional || region.azs.is_empty() {
            bands.push(Band {
                az: None,
                rect: Rect::from_min_size(pos2(0.0, y), vec2(0.0, BAND_H)),
            });
            y += BAND_H;
        }
        let inactive = meta.deployment.mode == DeploymentMode::Single
            && primary.as_deref() != Some(region.id.as_str());
        lanes.push(Lane {
            region: Some(region.id.clone()),
            rect: Rect::from_min_max(pos2(0.0, top), pos2(0.0, y)),
            bands,
            inactive,
        });
        y += LANE_GAP;
    }

    // The vertical extent of each node in each lane it appears in.
    let mut spans: Vec<(NodeIndex, usize, f32, f32)> = Vec::new();
    for (ix, node) in topology.nodes_indexed() {
        for (lane_ix, lane) in lanes.iter().enumerate() {
            if let Some((y0, y1)) = vertical_span(node, lane) {
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
    let mut slot_of: HashMap<NodeIndex, usize> = HashMap::new();
    let mut slots_in_tier: HashMap<usize, usize> = HashMap::new();
    let mut taken: Taken = HashMap::new();
    for (ix, lanes_of) in &by_node {
        let tier = depth.get(ix).copied().unwrap_or(0);
        let free = |s: usize, taken: &Taken| {
            lanes_of.iter().all(|&(lane_ix, y0, y1)| {
                taken
                    .get(&(lane_ix, tier))
                    .and_then(|columns| columns.get(s))
                    .is_none_or(|used| used.iter().all(|&(a, b)| y1 <= a || y0 >= b))
            })
        };
        // Slot `by_node.len()` is always free: there are fewer nodes than that.
        let slot = (0..=by_node.len()).find(|&s| free(s, &taken)).unwrap_or(0);
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

    // Column x positions, tiers aligned across lanes.
    let max_tier = slots_in_tier.keys().copied().max().unwrap_or(0);
    let mut tier_x = Vec::with_capacity(max_tier + 1);
    let mut x = HEADER_W + COLUMN_GAP / 2.0;
    for tier in 0..=max_tier {
        tier_x.push(x);
        let slots = slots_in_tier.get(&tier).copied().unwrap_or(0);
        x += slots as f32 * (NODE_W + COLUMN_GAP / 2.0) + COLUMN_GAP / 2.0;
    }
    let mut width = x + COLUMN_GAP / 2.0;

    let mut boxes = Vec::with_capacity(spans.len());
    for &(ix, lane_ix, y0, y1) in &spans {
        let tier = depth.get(&ix).copied().unwrap_or(0);
        let slot = slot_of.get(&ix).copied().unwrap_or(0);
        let auto_x = tier_x[tier] + slot as f32 * (NODE_W + COLUMN_GAP / 2.0);
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
    Layout {
        lanes,
        boxes,
        depth,
        bounds,
    }
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
fn vertical_span(node: &Node, lane: &Lane) -> Option<(f32, f32)> {
    let Some(region) = &lane.region else {
        return node.kind().is_global().then(|| {
            let top = lane.rect.min.y + LANE_TITLE_H + BOX_INSET;
            (top, top + GLOBAL_NODE_H)
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
