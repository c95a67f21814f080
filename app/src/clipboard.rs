//! Copy, paste and duplicate.
//!
//! The clipboard holds a topoplan document: the copied nodes, the edges
//! among them, and the document's regions (so placements still make
//! sense). It is plain text on the system clipboard, so a copy can be
//! pasted into another window, or into a text editor as a valid document.

use topoplan_core::Topology;
use topoplan_core::model::{EdgeRecord, Edit, Meta, json};

use crate::edits::{Labelled, count, fresh_id_avoiding};
use crate::selection::Selection;

/// The selected nodes (and the edges among them) as document text; `x_of`
/// gives each node's current canvas x, kept so a paste lands in the same
/// arrangement. `None` when no node is selected.
pub fn copy(
    topology: &Topology,
    selection: &Selection,
    x_of: impl Fn(petgraph::stable_graph::NodeIndex) -> Option<f32>,
) -> Option<String> {
    let g = topology.graph();
    let mut meta = Meta::new("topoplan clipboard");
    meta.regions.clone_from(&topology.meta().regions);
    meta.deployment.clone_from(&topology.meta().deployment);
    let mut clip = Topology::new(meta);
    for &ix in &selection.nodes {
        let Some(node) = g.node_weight(ix) else {
            continue;
        };
        let mut node = node.clone();
        if let Some(x) = x_of(ix) {
            node.position = Some([f64::from(x), node.position.map_or(0.0, |p| p[1])]);
        }
        // Ids are unique in the source document, so this cannot fail.
        clip.add_node(node).ok()?;
    }
    if clip.node_count() == 0 {
        return None;
    }
    for e in topology.edges() {
        if clip.contains(&e.from.id) && clip.contains(&e.to.id) {
            clip.add_edge(EdgeRecord::new(
                e.from.id.clone(),
                e.to.id.clone(),
                e.edge.clone(),
            ))
            .ok()?;
        }
    }
    Some(json::to_string(&clip))
}

/// Adds the nodes and edges of clipboard `text` to `topology` under fresh
/// ids, shifted so the leftmost lands at `anchor_x` (or 32 units right of
/// where they were copied from). Returns the edit and the new ids.
pub fn paste(
    topology: &Topology,
    text: &str,
    anchor_x: Option<f64>,
) -> Result<(Labelled, Vec<String>), String> {
    let clip = json::from_str(text).map_err(|errs| {
        let first = errs.first().map(ToString::to_string).unwrap_or_default();
        format!("the clipboard does not hold topoplan nodes ({first})")
    })?;
    if clip.node_count() == 0 {
        return Err("the clipboard holds no nodes".to_owned());
    }
    let min_x = clip
        .nodes()
        .filter_map(|n| n.position.map(|p| p[0]))
        .fold(f64::INFINITY, f64::min);
    let shift = match anchor_x {
        Some(x) if min_x.is_finite() => x - min_x,
        _ => 32.0,
    };
    let mut ids: Vec<(String, String)> = Vec::with_capacity(clip.node_count());
    let mut taken = Vec::new();
    let mut edits = Vec::new();
    for node in clip.nodes() {
        let id = fresh_id_avoiding(topology, &node.id, &taken);
        taken.push(id.clone());
        ids.push((node.id.clone(), id.clone()));
        let mut node = node.clone();
        node.id = id;
        node.position = node.position.map(|[x, y]| [(x + shift).round(), y]);
        edits.push(Edit::AddNode(node));
    }
    let new_id = |old: &str| {
        ids.iter()
            .find(|(o, _)| o == old)
            .map_or_else(|| old.to_owned(), |(_, n)| n.clone())
    };
    for e in clip.edges() {
        edits.push(Edit::AddEdge(EdgeRecord::new(
            new_id(&e.from.id),
            new_id(&e.to.id),
            e.edge.clone(),
        )));
    }
    let label = match taken.as_slice() {
        [one] => format!("Paste {one}"),
        many => format!("Paste {}", count(many.len(), "node")),
    };
    Ok((Labelled::new(Edit::Batch(edits), label), taken))
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::templates;

    #[test]
    fn copy_then_paste_adds_renamed_nodes_with_their_inner_edges() {
        let mut t = templates::find("three-tier").unwrap().load().unwrap();
        let mut s = Selection::default();
        for id in ["app", "db", "web"] {
            s.nodes.insert(t.node_index(id).unwrap());
        }
        let text = copy(&t, &s, |_| Some(400.0)).unwrap();
        // The clipboard is itself a valid document.
        assert_eq!(json::from_str(&text).unwrap().node_count(), 3);
        let (paste, ids) = paste(&t, &text, Some(1000.0)).unwrap();
        assert_eq!(ids, ["web-2", "app-2", "db-2"]);
        assert_eq!(paste.label, "Paste 3 nodes");
        t.apply(paste.edit).unwrap();
        assert!(t.edge("web-2", "app-2").is_some() && t.edge("app-2", "db-2").is_some());
        assert!(
            t.edge("app-2", "cache").is_none(),
            "outside edges stay behind"
        );
        assert!((t.node("db-2").unwrap().position.unwrap()[0] - 1000.0).abs() < 1e-9);
        assert_eq!(
            t.node("db-2").unwrap().placement,
            t.node("db").unwrap().placement
        );
    }

    #[test]
    fn pasting_text_that_is_not_a_document_explains() {
        let t = templates::find("three-tier").unwrap().load().unwrap();
        let err = paste(&t, "hello", None).unwrap_err();
        assert!(err.contains("does not hold topoplan nodes"), "{err}");
    }
}
