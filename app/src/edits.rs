//! User intents turned into document edits: add, delete, auto-layout.
//!
//! Each function reads the document and returns an [`Edit`] value with a
//! label for the undo history; nothing here changes the document.

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use topoplan_core::Topology;
use topoplan_core::model::{Edit, MAX_ID_LEN, Node, NodeKind};

use crate::selection::Selection;

/// An edit with what the undo menu calls it.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    pub edit: Edit,
    pub label: String,
}

impl Labelled {
    pub fn new(edit: Edit, label: impl Into<String>) -> Self {
        Self {
            edit,
            label: label.into(),
        }
    }
}

/// An unused id built from `base`: `base`, then `base-2`, `base-3`, ...
pub fn fresh_id(topology: &Topology, base: &str) -> String {
    fresh_id_avoiding(topology, base, &[])
}

/// Like [`fresh_id`], also avoiding ids about to be added.
pub fn fresh_id_avoiding(topology: &Topology, base: &str, taken: &[String]) -> String {
    let mut base: String = base
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        base.insert(0, 'n');
    }
    base.truncate(MAX_ID_LEN - 6);
    let free = |id: &str| !topology.contains(id) && !taken.iter().any(|t| t == id);
    if free(&base) {
        return base;
    }
    // Strip an existing numeric suffix so copies of `web-2` become `web-3`.
    let stem = match base.rsplit_once('-') {
        Some((stem, n)) if !stem.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => {
            stem.to_owned()
        }
        _ => base.clone(),
    };
    // One of the first `n + 2` suffixes is free when n ids are taken.
    let limit = topology.node_count() + taken.len() + 2;
    (2..=limit)
        .map(|n| format!("{stem}-{n}"))
        .find(|id| free(id))
        .unwrap_or(base)
}

/// A new node of `kind` with a fresh id and a readable name.
pub fn new_node(topology: &Topology, kind: NodeKind) -> Node {
    let id = fresh_id(topology, &kind.as_str().replace('_', "-"));
    let name = match id.rsplit_once('-') {
        Some((_, n)) if n.chars().all(|c| c.is_ascii_digit()) => format!("{} {n}", kind.label()),
        _ => kind.label().to_owned(),
    };
    Node::new(id, kind).with_name(name)
}

/// Deletes the selected nodes (with their edges) and edges, as one step.
pub fn delete(topology: &Topology, selection: &Selection) -> Option<Labelled> {
    let g = topology.graph();
    let nodes: Vec<NodeIndex> = selection
        .nodes
        .iter()
        .copied()
        .filter(|&ix| g.node_weight(ix).is_some())
        .collect();
    let mut edits = Vec::new();
    for &e in &selection.edges {
        let Some((a, b)) = g.edge_endpoints(e) else {
            continue;
        };
        // Edges of deleted nodes go with them (and come back with them on undo).
        if nodes.contains(&a) || nodes.contains(&b) {
            continue;
        }
        edits.push(Edit::RemoveEdge {
            from: g[a].id.clone(),
            to: g[b].id.clone(),
        });
    }
    let edge_count = edits.len();
    edits.extend(nodes.iter().map(|&ix| Edit::RemoveNode(g[ix].id.clone())));
    let label = match (nodes.as_slice(), edge_count) {
        ([], 0) => return None,
        ([one], 0) => format!("Delete {}", g[*one].id),
        ([], 1) => match selection
            .edges
            .first()
            .and_then(|&e| edge_name(topology, e))
        {
            Some(name) => format!("Delete {name}"),
            None => "Delete edge".to_owned(),
        },
        (n, 0) => format!("Delete {}", count(n.len(), "node")),
        (n, e) => format!("Delete {} and {}", count(n.len(), "node"), count(e, "edge")),
    };
    Some(Labelled::new(Edit::Batch(edits), label))
}

/// "1 node", "3 nodes".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `web -> db`
pub fn edge_name(topology: &Topology, e: EdgeIndex) -> Option<String> {
    let (a, b) = topology.graph().edge_endpoints(e)?;
    let g = topology.graph();
    Some(format!("{} -> {}", g[a].id, g[b].id))
}

/// Forgets every node's saved position, so the layout places all of them
/// by tier again.
pub fn auto_layout(topology: &Topology) -> Option<Labelled> {
    let edits: Vec<Edit> = topology
        .nodes()
        .filter(|n| n.position.is_some())
        .map(|n| Edit::MoveNode {
            id: n.id.clone(),
            position: None,
        })
        .collect();
    (!edits.is_empty()).then(|| Labelled::new(Edit::Batch(edits), "Auto-layout"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::templates;

    fn three_tier() -> Topology {
        templates::find("three-tier").unwrap().load().unwrap()
    }

    #[test]
    fn fresh_ids_count_up_and_stay_valid() {
        let mut t = three_tier();
        assert_eq!(fresh_id(&t, "web"), "web-2");
        assert_eq!(fresh_id(&t, "queue"), "queue");
        t.add_node(Node::new("web-2", NodeKind::Service)).unwrap();
        assert_eq!(fresh_id(&t, "web-2"), "web-3");
        assert_eq!(fresh_id(&t, "-x y"), "n-xy");
        let node = new_node(&t, NodeKind::Service);
        assert_eq!(
            (node.id.as_str(), node.name.as_str()),
            ("service", "Service")
        );
        t.add_node(node).unwrap();
        let node = new_node(&t, NodeKind::Service);
        assert_eq!(
            (node.id.as_str(), node.name.as_str()),
            ("service-2", "Service 2")
        );
    }

    #[test]
    fn deleting_nodes_and_edges_is_one_undoable_step() {
        let mut t = three_tier();
        let before = t.clone();
        let mut s = Selection::node(t.node_index("app").unwrap());
        s.edges.insert(t.edge_index("app", "db").unwrap()); // goes with app
        s.edges.insert(t.edge_index("alb", "web").unwrap());
        let d = delete(&t, &s).unwrap();
        assert_eq!(d.label, "Delete 1 node and 1 edge");
        let undo = t.apply(d.edit).unwrap();
        assert!(t.node("app").is_none() && t.edge("alb", "web").is_none());
        t.apply(undo).unwrap();
        assert_eq!(t, before);
        assert!(delete(&t, &Selection::default()).is_none());
    }

    #[test]
    fn auto_layout_clears_positions() {
        let mut t = three_tier();
        assert!(auto_layout(&t).is_none());
        t.move_node("web", Some([500.0, 0.0])).unwrap();
        let l = auto_layout(&t).unwrap();
        t.apply(l.edit).unwrap();
        assert!(t.nodes().all(|n| n.position.is_none()));
    }
}
