//! How the canvas recolours the design under a failure scenario: each
//! drawing of a node (one per region) as ok / degraded / saturated / down
//! with the share of its traffic it still serves, and the regions, AZs and
//! nodes the scenario fails.
//!
//! This is the canvas's side of the what-if mode: `whatif_ui` fills a
//! [`HealthMap`] from `core::sim`'s outcome per node and region (see
//! ARCHITECTURE.md, "What-if mode").

use std::collections::{BTreeMap, BTreeSet};

use egui::Color32;
use petgraph::stable_graph::NodeIndex;
use topoplan_core::sim::NodeState;

/// How a node is doing in one region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Health {
    Ok,
    /// Serving, with something lost (part of its requests, a soft
    /// dependency, spare capacity).
    Degraded,
    /// Offered more than it has left: sheds the excess.
    Saturated,
    /// Serves nothing.
    Down,
}

impl Health {
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Degraded => "degraded",
            Self::Saturated => "saturated",
            Self::Down => "down",
        }
    }

    /// The colour of the state, readable on dark and light canvases.
    pub fn color(self) -> Color32 {
        match self {
            Self::Ok => Color32::from_rgb(46, 160, 67),
            Self::Degraded => Color32::from_rgb(210, 153, 34),
            Self::Saturated => Color32::from_rgb(232, 106, 23),
            Self::Down => Color32::from_rgb(218, 54, 51),
        }
    }
}

impl From<NodeState> for Health {
    fn from(state: NodeState) -> Self {
        match state {
            NodeState::Ok => Self::Ok,
            NodeState::Degraded => Self::Degraded,
            NodeState::Saturated => Self::Saturated,
            NodeState::Down => Self::Down,
        }
    }
}

/// One drawing of a node under the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteHealth {
    pub health: Health,
    /// Of the requests offered to it.
    pub served_fraction: f64,
    /// Why, in a few words (shown on hover).
    pub reason: String,
}

/// What a scenario fails, as the canvas marks it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failed {
    pub regions: BTreeSet<String>,
    pub azs: BTreeSet<String>,
    /// Nodes failed in every region.
    pub nodes: BTreeSet<NodeIndex>,
    /// Nodes failed in one region.
    pub node_sites: BTreeSet<(NodeIndex, String)>,
}

impl Failed {
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
            && self.azs.is_empty()
            && self.nodes.is_empty()
            && self.node_sites.is_empty()
    }
}

/// The canvas's view of a simulated scenario.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HealthMap {
    /// Keyed by node and region (`None`: the global drawing).
    sites: BTreeMap<(NodeIndex, Option<String>), SiteHealth>,
    pub failed: Failed,
    /// Changes whenever the map does (the canvas's cached overview meshes
    /// are redrawn when it changes).
    pub stamp: u64,
}

impl HealthMap {
    pub fn insert(&mut self, node: NodeIndex, region: Option<&str>, site: SiteHealth) {
        self.sites.insert((node, region.map(str::to_owned)), site);
    }

    /// The drawing of `node` in `region` (a node drawn once, globally,
    /// answers for every region).
    pub fn site(&self, node: NodeIndex, region: Option<&str>) -> Option<&SiteHealth> {
        self.sites
            .get(&(node, region.map(str::to_owned)))
            .or_else(|| self.sites.get(&(node, None)))
    }

    pub fn len(&self) -> usize {
        self.sites.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sites.is_empty() && self.failed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_drawing_answers_for_every_region_and_a_regional_one_wins() {
        let mut map = HealthMap::default();
        let n = NodeIndex::new(3);
        let site = |health| SiteHealth {
            health,
            served_fraction: 1.0,
            reason: String::new(),
        };
        map.insert(n, None, site(Health::Degraded));
        assert_eq!(
            map.site(n, Some("us-east-1")).map(|s| s.health),
            Some(Health::Degraded)
        );
        map.insert(n, Some("us-east-1"), site(Health::Down));
        assert_eq!(
            map.site(n, Some("us-east-1")).map(|s| s.health),
            Some(Health::Down)
        );
        assert_eq!(map.site(NodeIndex::new(4), None), None);
    }

    #[test]
    fn states_are_ordered_from_best_to_worst_and_coloured_apart() {
        let all = [
            Health::Ok,
            Health::Degraded,
            Health::Saturated,
            Health::Down,
        ];
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        let colours: BTreeSet<[u8; 4]> = all.iter().map(|h| h.color().to_array()).collect();
        assert_eq!(colours.len(), all.len());
    }
}
