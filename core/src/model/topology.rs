//! The in-memory document: settings plus a `StableGraph` of nodes and edges,
//! keyed by string ids.
//!
//! Invariants, kept by every method here (the graph is private):
//! - `ids` maps exactly the live nodes' ids to their indices; ids are unique
//!   and valid (see [`check_id`]).
//! - at most one edge per ordered pair of nodes, and no edge from a node to itself;
//! - every change bumps `revision`, so engines can cache per document version.
//!
//! Node indices survive deletions (`StableGraph`), and a node re-added right
//! after its removal gets its old index back, so undo restores it exactly.

use std::collections::HashMap;

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::visit::EdgeRef as _;

use super::edge::{Edge, EdgeRecord};
use super::meta::{EntryPoint, Meta};
use super::node::Node;

/// The graph type engines walk. Node and edge weights are the document's.
pub type Graph = StableGraph<Node, Edge>;

/// Longest node id accepted.
pub const MAX_ID_LEN: usize = 64;

/// Why an edit was refused. Each names the element.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("a node with id \"{0}\" already exists")]
    DuplicateId(String),
    #[error("no node with id \"{0}\"")]
    NoSuchNode(String),
    #[error("no edge from \"{from}\" to \"{to}\"")]
    NoSuchEdge { from: String, to: String },
    #[error("an edge from \"{from}\" to \"{to}\" already exists")]
    DuplicateEdge { from: String, to: String },
    #[error("\"{0}\" cannot be connected to itself")]
    SelfLoop(String),
    #[error("invalid id {id:?}: {reason}")]
    InvalidId { id: String, reason: &'static str },
}

/// Checks a node id: 1..=64 ASCII letters, digits, `-`, `_` or `.`, starting
/// with a letter or digit. Ids end up in Terraform names, AWS tags and CLI
/// arguments, so they stay plain.
pub fn check_id(id: &str) -> Result<(), &'static str> {
    let Some(first) = id.chars().next() else {
        return Err("an id cannot be empty");
    };
    if id.len() > MAX_ID_LEN {
        return Err("an id is at most 64 characters");
    }
    if !first.is_ascii_alphanumeric() {
        return Err("an id starts with a letter or digit");
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("an id uses only ASCII letters, digits, '-', '_' and '.'");
    }
    Ok(())
}

/// A node that was removed, with what is needed to put it back exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct RemovedNode {
    pub node: Node,
    /// Its edges, in and out, in graph order.
    pub edges: Vec<EdgeRecord>,
    /// Entry points that named it, with their positions in `traffic.entry`.
    pub entry: Vec<(usize, EntryPoint)>,
}

/// A borrowed edge with its endpoints.
#[derive(Clone, Copy, Debug)]
pub struct EdgeView<'a> {
    pub index: EdgeIndex,
    pub from: &'a Node,
    pub to: &'a Node,
    pub edge: &'a Edge,
}

#[derive(Clone, Debug)]
pub struct Topology {
    meta: Meta,
    graph: Graph,
    ids: HashMap<String, NodeIndex>,
    revision: u64,
}

impl PartialEq for Topology {
    /// Two documents are equal when they would save to the same JSON: same
    /// settings, same nodes in the same order, same edges in the same order.
    /// The revision counter is not part of the document.
    fn eq(&self, other: &Self) -> bool {
        self.meta == other.meta
            && self.nodes().eq(other.nodes())
            && self
                .edges()
                .map(|e| (&e.from.id, &e.to.id, e.edge))
                .eq(other.edges().map(|e| (&e.from.id, &e.to.id, e.edge)))
    }
}

impl Topology {
    pub fn new(meta: Meta) -> Self {
        Self {
            meta,
            graph: Graph::default(),
            ids: HashMap::new(),
            revision: 0,
        }
    }

    // -- reading ------------------------------------------------------------

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    /// The graph, for engines. Node weights are [`Node`]s, edge weights [`Edge`]s.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Bumped by every change; engines key their caches on it.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn node_index(&self, id: &str) -> Option<NodeIndex> {
        self.ids.get(id).copied()
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.node_index(id).map(|ix| &self.graph[ix])
    }

    pub fn contains(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// Nodes in document order (ascending graph index).
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.graph.node_indices().map(|ix| &self.graph[ix])
    }

    /// Nodes with their indices, in document order.
    pub fn nodes_indexed(&self) -> impl Iterator<Item = (NodeIndex, &Node)> {
        self.graph.node_indices().map(|ix| (ix, &self.graph[ix]))
    }

    /// Edges in document order.
    pub fn edges(&self) -> impl Iterator<Item = EdgeView<'_>> {
        self.graph.edge_indices().filter_map(|index| {
            let (a, b) = self.graph.edge_endpoints(index)?;
            Some(EdgeView {
                index,
                from: &self.graph[a],
                to: &self.graph[b],
                edge: &self.graph[index],
            })
        })
    }

    pub fn edge(&self, from: &str, to: &str) -> Option<&Edge> {
        let index = self.edge_index(from, to)?;
        Some(&self.graph[index])
    }

    pub fn edge_index(&self, from: &str, to: &str) -> Option<EdgeIndex> {
        self.graph
            .find_edge(self.node_index(from)?, self.node_index(to)?)
    }

    /// Edges leaving `id`, in graph order.
    pub fn outgoing(&self, id: &str) -> impl Iterator<Item = EdgeView<'_>> {
        self.directed(id, Direction::Outgoing)
    }

    /// Edges arriving at `id`, in graph order.
    pub fn incoming(&self, id: &str) -> impl Iterator<Item = EdgeView<'_>> {
        self.directed(id, Direction::Incoming)
    }

    fn directed(&self, id: &str, dir: Direction) -> impl Iterator<Item = EdgeView<'_>> {
        self.node_index(id)
            .into_iter()
            .flat_map(move |ix| self.graph.edges_directed(ix, dir))
            .map(|e| EdgeView {
                index: e.id(),
                from: &self.graph[e.source()],
                to: &self.graph[e.target()],
                edge: e.weight(),
            })
    }

    /// The position of `id` in document order (its index in `nodes[...]`).
    pub fn document_position(&self, id: &str) -> Option<usize> {
        let ix = self.node_index(id)?;
        self.graph.node_indices().position(|i| i == ix)
    }

    // -- editing ------------------------------------------------------------

    /// Replaces the settings; returns the old ones.
    pub fn set_meta(&mut self, meta: Meta) -> Meta {
        self.revision += 1;
        std::mem::replace(&mut self.meta, meta)
    }

    /// Adds a node. Its id must be valid and unused.
    pub fn add_node(&mut self, node: Node) -> Result<NodeIndex, EditError> {
        self.check_new_id(&node.id)?;
        let id = node.id.clone();
        let ix = self.graph.add_node(node);
        self.ids.insert(id, ix);
        self.revision += 1;
        Ok(ix)
    }

    /// A valid id no node uses yet.
    fn check_new_id(&self, id: &str) -> Result<(), EditError> {
        check_id(id).map_err(|reason| EditError::InvalidId {
            id: id.to_owned(),
            reason,
        })?;
        if self.ids.contains_key(id) {
            return Err(EditError::DuplicateId(id.to_owned()));
        }
        Ok(())
    }

    /// Removes a node, its edges, and the entry points that name it.
    pub fn remove_node(&mut self, id: &str) -> Result<RemovedNode, EditError> {
        let ix = self
            .node_index(id)
            .ok_or_else(|| EditError::NoSuchNode(id.to_owned()))?;
        let mut edge_ixs: Vec<EdgeIndex> = self
            .graph
            .edges_directed(ix, Direction::Outgoing)
            .chain(self.graph.edges_directed(ix, Direction::Incoming))
            .map(|e| e.id())
            .collect();
        edge_ixs.sort();
        edge_ixs.dedup();
        let edges = edge_ixs
            .iter()
            .filter_map(|&e| {
                let (a, b) = self.graph.edge_endpoints(e)?;
                Some(EdgeRecord::new(
                    self.graph[a].id.clone(),
                    self.graph[b].id.clone(),
                    self.graph[e].clone(),
                ))
            })
            .collect();
        let mut entry = Vec::new();
        let mut position = 0;
        self.meta.traffic.entry.retain(|e| {
            let keep = e.node != id;
            if !keep {
                entry.push((position, e.clone()));
            }
            position += 1;
            keep
        });
        // Remove edges newest-first so re-adding them in document order
        // reuses their indices (the free list is last-in, first-out).
        for &e in edge_ixs.iter().rev() {
            self.graph.remove_edge(e);
        }
        let node = self
            .graph
            .remove_node(ix)
            .ok_or_else(|| EditError::NoSuchNode(id.to_owned()))?;
        self.ids.remove(id);
        self.revision += 1;
        Ok(RemovedNode { node, edges, entry })
    }

    /// Puts back a removed node with its edges and entry points.
    pub fn restore_node(&mut self, removed: RemovedNode) -> Result<NodeIndex, EditError> {
        let id = removed.node.id.clone();
        let ix = self.add_node(removed.node)?;
        for record in removed.edges {
            if let Err(err) = self.add_edge(record) {
                // Leave the document as it was before the call.
                let _ = self.remove_node(&id);
                return Err(err);
            }
        }
        for (position, entry) in removed.entry {
            let position = position.min(self.meta.traffic.entry.len());
            self.meta.traffic.entry.insert(position, entry);
        }
        Ok(ix)
    }

    /// Replaces the node `id` with `node`; returns the old value. When the id
    /// changes, edges follow and entry points are renamed.
    pub fn update_node(&mut self, id: &str, node: Node) -> Result<Node, EditError> {
        let ix = self
            .node_index(id)
            .ok_or_else(|| EditError::NoSuchNode(id.to_owned()))?;
        if node.id != id {
            self.check_new_id(&node.id)?;
            self.ids.remove(id);
            self.ids.insert(node.id.clone(), ix);
            for entry in &mut self.meta.traffic.entry {
                if entry.node == id {
                    entry.node.clone_from(&node.id);
                }
            }
        }
        self.revision += 1;
        Ok(std::mem::replace(&mut self.graph[ix], node))
    }

    /// Sets a node's canvas position; returns the old one.
    pub fn move_node(
        &mut self,
        id: &str,
        position: Option<[f64; 2]>,
    ) -> Result<Option<[f64; 2]>, EditError> {
        let ix = self
            .node_index(id)
            .ok_or_else(|| EditError::NoSuchNode(id.to_owned()))?;
        self.revision += 1;
        Ok(std::mem::replace(&mut self.graph[ix].position, position))
    }

    /// Connects two existing nodes.
    pub fn add_edge(&mut self, record: EdgeRecord) -> Result<EdgeIndex, EditError> {
        let a = self
            .node_index(&record.from)
            .ok_or_else(|| EditError::NoSuchNode(record.from.clone()))?;
        let b = self
            .node_index(&record.to)
            .ok_or_else(|| EditError::NoSuchNode(record.to.clone()))?;
        if a == b {
            return Err(EditError::SelfLoop(record.from));
        }
        if self.graph.find_edge(a, b).is_some() {
            return Err(EditError::DuplicateEdge {
                from: record.from,
                to: record.to,
            });
        }
        self.revision += 1;
        Ok(self.graph.add_edge(a, b, record.edge))
    }

    pub fn remove_edge(&mut self, from: &str, to: &str) -> Result<Edge, EditError> {
        let no_edge = || EditError::NoSuchEdge {
            from: from.to_owned(),
            to: to.to_owned(),
        };
        let e = self.edge_index(from, to).ok_or_else(no_edge)?;
        let edge = self.graph.remove_edge(e).ok_or_else(no_edge)?;
        self.revision += 1;
        Ok(edge)
    }

    /// Replaces an edge's settings; returns the old ones.
    pub fn update_edge(&mut self, from: &str, to: &str, edge: Edge) -> Result<Edge, EditError> {
        let e = self
            .edge_index(from, to)
            .ok_or_else(|| EditError::NoSuchEdge {
                from: from.to_owned(),
                to: to.to_owned(),
            })?;
        self.revision += 1;
        Ok(std::mem::replace(&mut self.graph[e], edge))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::edge::EdgeKind;
    use crate::model::node::NodeKind;

    fn three() -> Topology {
        let mut t = Topology::new(Meta::new("t"));
        t.meta.traffic.entry.push(EntryPoint::new("a"));
        for (id, kind) in [
            ("a", NodeKind::LoadBalancer),
            ("b", NodeKind::Service),
            ("c", NodeKind::Database),
        ] {
            t.add_node(Node::new(id, kind)).unwrap();
        }
        t.add_edge(EdgeRecord::new("a", "b", Edge::call())).unwrap();
        t.add_edge(EdgeRecord::new("b", "c", Edge::call())).unwrap();
        t.add_edge(EdgeRecord::new("c", "a", Edge::new(EdgeKind::Replicate)))
            .unwrap();
        t
    }

    #[test]
    fn ids_are_unique_and_valid() {
        let mut t = three();
        assert_eq!(
            t.add_node(Node::new("b", NodeKind::Cache)),
            Err(EditError::DuplicateId("b".into()))
        );
        for bad in ["", "-x", "a b", "x\"y", "ü", &"x".repeat(65)] {
            assert!(
                matches!(
                    t.add_node(Node::new(bad, NodeKind::Cache)),
                    Err(EditError::InvalidId { .. })
                ),
                "{bad:?} accepted"
            );
        }
        assert_eq!(t.node_count(), 3);
    }

    #[test]
    fn edges_refuse_missing_nodes_self_loops_and_duplicates() {
        let mut t = three();
        assert_eq!(
            t.add_edge(EdgeRecord::new("a", "zz", Edge::call())),
            Err(EditError::NoSuchNode("zz".into()))
        );
        assert_eq!(
            t.add_edge(EdgeRecord::new("a", "a", Edge::call())),
            Err(EditError::SelfLoop("a".into()))
        );
        assert!(matches!(
            t.add_edge(EdgeRecord::new("a", "b", Edge::call())),
            Err(EditError::DuplicateEdge { .. })
        ));
        // The reverse direction is a different edge.
        t.add_edge(EdgeRecord::new("b", "a", Edge::call().soft()))
            .unwrap();
    }

    #[test]
    fn remove_then_restore_gives_back_the_same_document_and_index() {
        let mut t = three();
        let before = t.clone();
        let ix = t.node_index("a").unwrap();
        let removed = t.remove_node("a").unwrap();
        assert_eq!(removed.edges.len(), 2);
        assert_eq!(removed.entry.len(), 1);
        assert!(t.meta().traffic.entry.is_empty());
        assert_eq!(t.edge_count(), 1);
        assert!(t.node("a").is_none());
        let restored = t.restore_node(removed).unwrap();
        assert_eq!(restored, ix);
        assert_eq!(t, before);
    }

    #[test]
    fn renaming_keeps_edges_and_entry_points() {
        let mut t = three();
        let mut node = t.node("a").unwrap().clone();
        node.id = "front".into();
        t.update_node("a", node).unwrap();
        assert!(t.node("a").is_none());
        assert!(t.edge("front", "b").is_some());
        assert_eq!(t.meta().traffic.entry[0].node, "front");
        assert!(matches!(
            t.update_node("front", Node::new("b", NodeKind::Cache)),
            Err(EditError::DuplicateId(_))
        ));
    }

    #[test]
    fn every_edit_bumps_the_revision() {
        let mut t = three();
        let mut last = t.revision();
        let mut bumped = |t: &Topology| {
            assert!(t.revision() > last);
            last = t.revision();
        };
        t.move_node("a", Some([1.0, 2.0])).unwrap();
        bumped(&t);
        t.update_edge("a", "b", Edge::call().soft()).unwrap();
        bumped(&t);
        t.remove_edge("a", "b").unwrap();
        bumped(&t);
        t.set_meta(Meta::new("u"));
        bumped(&t);
    }
}
