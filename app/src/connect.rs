//! Drawing a wire from one node to another: which edge it makes, and why
//! some are refused.
//!
//! The kind follows the nodes (to a queue: `publish`; from a queue:
//! `consume`; between two data stores of the same kind: `replicate`;
//! otherwise a synchronous `call`), so a wire drawn on the canvas is valid
//! by construction where it can be. What remains is checked by the same
//! rules the document is held to: the editing API's (no self-loop, one edge
//! per ordered pair) and `core::validate`'s (edge kinds, cycles of hard
//! calls), run on a trial copy of the document. A wire that would add an
//! error is refused with the validator's own message.

use std::collections::HashSet;

use topoplan_core::model::{Edge, EdgeKind, EdgeRecord, EditError, NodeKind};
use topoplan_core::{Element, Topology, validate};

/// The edge a wire from `from` to `to` makes.
pub fn proposed(topology: &Topology, from: &str, to: &str) -> Result<EdgeRecord, String> {
    let (Some(a), Some(b)) = (topology.node(from), topology.node(to)) else {
        return Err(format!("no node named {from} or {to}"));
    };
    let kind = if a.kind() == NodeKind::Queue {
        EdgeKind::Consume
    } else if b.kind() == NodeKind::Queue {
        EdgeKind::Publish
    } else if a.kind() == b.kind() && a.kind().is_data_store() {
        EdgeKind::Replicate
    } else {
        EdgeKind::Call
    };
    let record = EdgeRecord::new(from, to, Edge::new(kind));
    check(topology, &record)?;
    Ok(record)
}

/// Refuses an edge that the editing API or validation would reject.
pub fn check(topology: &Topology, record: &EdgeRecord) -> Result<(), String> {
    let mut trial = topology.clone();
    trial.add_edge(record.clone()).map_err(|err| match err {
        EditError::SelfLoop(_) => "a node cannot connect to itself".to_owned(),
        EditError::DuplicateEdge { from, to } => {
            format!("{from} is already connected to {to} (select the edge to change it)")
        }
        other => other.to_string(),
    })?;
    let before: HashSet<(&str, String)> = validate::validate(topology)
        .errors
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect();
    let element = Element::Edge {
        from: record.from.clone(),
        to: record.to.clone(),
    };
    let after = validate::validate(&trial);
    let new_error = after.errors.into_iter().find(|d| {
        (d.element.as_ref() == Some(&element) || d.code == "hard-call-cycle")
            && !before.contains(&(d.code, d.message.clone()))
    });
    match new_error {
        Some(d) => Err(d.message),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::templates;

    fn three_tier() -> Topology {
        templates::find("three-tier").unwrap().load().unwrap()
    }

    #[test]
    fn the_kind_follows_the_nodes() {
        let t = templates::find("event-pipeline").unwrap().load().unwrap();
        let queue = t
            .nodes()
            .find(|n| n.kind() == NodeKind::Queue)
            .unwrap()
            .id
            .clone();
        let service = t
            .nodes()
            .find(|n| n.kind() == NodeKind::Service && t.edge(&n.id, &queue).is_none())
            .unwrap()
            .id
            .clone();
        assert_eq!(
            proposed(&t, &service, &queue).unwrap().edge.kind,
            EdgeKind::Publish
        );
        let t = three_tier();
        assert_eq!(
            proposed(&t, "web", "cache").unwrap().edge.kind,
            EdgeKind::Call
        );
    }

    #[test]
    fn self_loops_duplicates_and_hard_cycles_are_refused_with_a_reason() {
        let t = three_tier();
        assert!(proposed(&t, "web", "web").unwrap_err().contains("itself"));
        assert!(
            proposed(&t, "alb", "web")
                .unwrap_err()
                .contains("already connected")
        );
        let err = proposed(&t, "db", "alb").unwrap_err();
        assert!(err.contains("cycle"), "{err}");
    }

    #[test]
    fn an_edge_of_the_wrong_kind_is_refused_by_the_validator() {
        let t = three_tier();
        let record = EdgeRecord::new("web", "db", Edge::new(EdgeKind::Publish));
        let err = check(&t, &record).unwrap_err();
        assert!(err.contains("publish edge goes to a queue"), "{err}");
    }
}
