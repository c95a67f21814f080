//! Documents survive save and load unchanged; edits undo exactly.

use proptest::prelude::*;
use topoplan_core::arbitrary::document;
use topoplan_core::model::{Edit, io, json};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn json_round_trip_is_lossless(doc in document()) {
        let text = json::to_string(&doc);
        let back = json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&back, &doc);
        // Canonical: writing what was read gives the same bytes.
        prop_assert_eq!(json::to_string(&back), text);
    }

    #[test]
    fn file_round_trip_is_lossless(doc in document()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        io::save(&path, &doc).unwrap();
        let loaded = io::load(&path).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(loaded.topology, doc);
    }

    /// Removing nodes one by one and undoing every removal in reverse order
    /// restores the document exactly, edges and entry points included.
    #[test]
    fn undoing_every_removal_restores_the_document(doc in document(), order in any::<u64>()) {
        let mut t = doc.clone();
        let mut ids: Vec<String> = t.nodes().map(|n| n.id.clone()).collect();
        let len = ids.len().max(1);
        ids.rotate_left(usize::try_from(order).unwrap_or(0) % len);
        let mut undo = Vec::new();
        for id in ids {
            undo.push(t.apply(Edit::RemoveNode(id)).unwrap());
        }
        prop_assert_eq!(t.node_count(), 0);
        prop_assert_eq!(t.edge_count(), 0);
        for inverse in undo.into_iter().rev() {
            t.apply(inverse).unwrap();
        }
        prop_assert_eq!(t, doc);
    }
}

/// The strategies reach the interesting cases: many nodes and edges, every
/// kind, hostile text in names.
#[test]
fn strategies_produce_rich_documents() {
    use proptest::strategy::ValueTree as _;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut max_nodes, mut max_edges, mut hostile) = (0, 0, 0);
    let mut kinds = std::collections::HashSet::new();
    for _ in 0..200 {
        let doc = document().new_tree(&mut runner).unwrap().current();
        max_nodes = max_nodes.max(doc.node_count());
        max_edges = max_edges.max(doc.edge_count());
        kinds.extend(doc.nodes().map(topoplan_core::model::Node::kind));
        hostile += doc
            .nodes()
            .filter(|n| n.name.contains(['"', '\\', '\n', '$']))
            .count();
    }
    assert!(max_nodes >= 10, "{max_nodes}");
    assert!(max_edges >= 10, "{max_edges}");
    assert_eq!(kinds.len(), topoplan_core::model::NodeKind::ALL.len());
    assert!(hostile > 10, "{hostile}");
}
