//! What the user has selected: view state, never saved into the document.
//!
//! Nodes and edges are held by graph index, which survives renames and
//! (thanks to `StableGraph`) undo of a deletion; [`Selection::prune`] drops
//! what no longer exists after each change.

use std::collections::BTreeSet;

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use topoplan_core::{Element, Topology};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub nodes: BTreeSet<NodeIndex>,
    pub edges: BTreeSet<EdgeIndex>,
    /// A region lane (its settings show in the inspector).
    pub region: Option<String>,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.edges.is_empty() && self.region.is_none()
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    pub fn node(ix: NodeIndex) -> Self {
        Self {
            nodes: BTreeSet::from([ix]),
            ..Self::default()
        }
    }

    pub fn edge(ix: EdgeIndex) -> Self {
        Self {
            edges: BTreeSet::from([ix]),
            ..Self::default()
        }
    }

    pub fn region(id: impl Into<String>) -> Self {
        Self {
            region: Some(id.into()),
            ..Self::default()
        }
    }

    /// The one selected node, if exactly one thing is selected and it is a node.
    pub fn single_node(&self) -> Option<NodeIndex> {
        (self.nodes.len() == 1 && self.edges.is_empty() && self.region.is_none())
            .then(|| self.nodes.first().copied())
            .flatten()
    }

    pub fn single_edge(&self) -> Option<EdgeIndex> {
        (self.edges.len() == 1 && self.nodes.is_empty() && self.region.is_none())
            .then(|| self.edges.first().copied())
            .flatten()
    }

    /// Adds `ix`, or removes it when already selected (Shift/Ctrl+click).
    pub fn toggle_node(&mut self, ix: NodeIndex) {
        self.region = None;
        if !self.nodes.remove(&ix) {
            self.nodes.insert(ix);
        }
    }

    pub fn toggle_edge(&mut self, ix: EdgeIndex) {
        self.region = None;
        if !self.edges.remove(&ix) {
            self.edges.insert(ix);
        }
    }

    /// Drops nodes, edges and regions the document no longer has.
    pub fn prune(&mut self, topology: &Topology) {
        let g = topology.graph();
        self.nodes.retain(|&ix| g.node_weight(ix).is_some());
        self.edges.retain(|&ix| g.edge_weight(ix).is_some());
        if let Some(region) = &self.region
            && topology.meta().region(region).is_none()
        {
            self.region = None;
        }
    }

    /// The selection a diagnostic points at (an AZ selects its region).
    pub fn of_element(topology: &Topology, element: &Element) -> Option<Self> {
        match element {
            Element::Node { id } => topology.node_index(id).map(Self::node),
            Element::Edge { from, to } => topology.edge_index(from, to).map(Self::edge),
            Element::Region { id } => Some(Self::region(id.clone())),
            Element::Az { id } => topology
                .meta()
                .regions
                .iter()
                .find(|r| r.azs.contains(id))
                .map(|r| Self::region(r.id.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::templates;

    #[test]
    fn diagnostics_select_their_element_and_stale_entries_are_pruned() {
        let mut t = templates::find("three-tier").unwrap().load().unwrap();
        let web = t.node_index("web").unwrap();
        let s = Selection::of_element(&t, &Element::Node { id: "web".into() }).unwrap();
        assert_eq!(s.single_node(), Some(web));
        let az = Selection::of_element(
            &t,
            &Element::Az {
                id: "us-east-1b".into(),
            },
        )
        .unwrap();
        assert_eq!(az.region.as_deref(), Some("us-east-1"));
        let mut s = s;
        t.remove_node("web").unwrap();
        s.prune(&t);
        assert!(s.is_empty());
    }
}
