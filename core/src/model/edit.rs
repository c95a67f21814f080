//! Edits as values. The canvas and the inspector emit [`Edit`]s; applying one
//! returns its inverse, which is all undo/redo needs.

use super::edge::{Edge, EdgeRecord};
use super::meta::Meta;
use super::node::Node;
use super::topology::{EditError, RemovedNode, Topology};

#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    AddNode(Node),
    /// Puts back a removed node with its edges and entry points (the inverse
    /// of `RemoveNode`).
    RestoreNode(Box<RemovedNode>),
    RemoveNode(String),
    /// Replaces a node; a different `node.id` renames it.
    UpdateNode {
        id: String,
        node: Box<Node>,
    },
    MoveNode {
        id: String,
        position: Option<[f64; 2]>,
    },
    AddEdge(EdgeRecord),
    RemoveEdge {
        from: String,
        to: String,
    },
    UpdateEdge {
        from: String,
        to: String,
        edge: Edge,
    },
    SetMeta(Box<Meta>),
    /// Several edits applied as one: all or none, undone as one.
    Batch(Vec<Edit>),
}

impl Topology {
    /// Applies `edit` and returns the edit that undoes it. On error the
    /// document is unchanged (a failing batch rolls back what it applied).
    pub fn apply(&mut self, edit: Edit) -> Result<Edit, EditError> {
        Ok(match edit {
            Edit::AddNode(node) => {
                let id = node.id.clone();
                self.add_node(node)?;
                Edit::RemoveNode(id)
            }
            Edit::RestoreNode(removed) => {
                let id = removed.node.id.clone();
                self.restore_node(*removed)?;
                Edit::RemoveNode(id)
            }
            Edit::RemoveNode(id) => Edit::RestoreNode(Box::new(self.remove_node(&id)?)),
            Edit::UpdateNode { id, node } => {
                let new_id = node.id.clone();
                let old = self.update_node(&id, *node)?;
                Edit::UpdateNode {
                    id: new_id,
                    node: Box::new(old),
                }
            }
            Edit::MoveNode { id, position } => {
                let old = self.move_node(&id, position)?;
                Edit::MoveNode { id, position: old }
            }
            Edit::AddEdge(record) => {
                let (from, to) = (record.from.clone(), record.to.clone());
                self.add_edge(record)?;
                Edit::RemoveEdge { from, to }
            }
            Edit::RemoveEdge { from, to } => {
                let edge = self.remove_edge(&from, &to)?;
                Edit::AddEdge(EdgeRecord { from, to, edge })
            }
            Edit::UpdateEdge { from, to, edge } => {
                let old = self.update_edge(&from, &to, edge)?;
                Edit::UpdateEdge {
                    from,
                    to,
                    edge: old,
                }
            }
            Edit::SetMeta(meta) => Edit::SetMeta(Box::new(self.set_meta(*meta))),
            Edit::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for edit in edits {
                    match self.apply(edit) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(err) => {
                            for inverse in inverses.into_iter().rev() {
                                // Each inverse undoes an edit that just
                                // succeeded, so it applies; if it somehow did
                                // not, the first error is still the one to report.
                                let _ = self.apply(inverse);
                            }
                            return Err(err);
                        }
                    }
                }
                inverses.reverse();
                Edit::Batch(inverses)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::meta::{EntryPoint, Meta};
    use crate::model::node::NodeKind;

    fn doc() -> Topology {
        let mut meta = Meta::new("t");
        meta.traffic.entry.push(EntryPoint::new("lb"));
        let mut t = Topology::new(meta);
        t.add_node(Node::new("lb", NodeKind::LoadBalancer)).unwrap();
        t.add_node(Node::new("web", NodeKind::Service)).unwrap();
        t.add_node(Node::new("db", NodeKind::Database)).unwrap();
        t.add_edge(EdgeRecord::new("lb", "web", Edge::call()))
            .unwrap();
        t.add_edge(EdgeRecord::new("web", "db", Edge::call()))
            .unwrap();
        t
    }

    /// Applies each edit, then its inverse, and checks the document is back.
    fn undo_restores(edit: Edit) {
        let mut t = doc();
        let before = t.clone();
        let inverse = t.apply(edit.clone()).unwrap();
        assert_ne!(t, before, "{edit:?} changed nothing");
        let redo = t.apply(inverse).unwrap();
        assert_eq!(t, before, "undo of {edit:?}");
        t.apply(redo).unwrap();
        let mut again = before.clone();
        again.apply(edit).unwrap();
        assert_eq!(t, again, "redo");
    }

    #[test]
    fn every_edit_undoes_and_redoes() {
        let mut renamed = Node::new("app", NodeKind::Service);
        renamed.name = "App".into();
        let mut meta = Meta::new("other");
        meta.slo.p95_ms = 99.0;
        for edit in [
            Edit::AddNode(Node::new("cache", NodeKind::Cache)),
            Edit::RemoveNode("web".into()),
            Edit::RemoveNode("lb".into()),
            Edit::UpdateNode {
                id: "web".into(),
                node: Box::new(renamed),
            },
            Edit::MoveNode {
                id: "db".into(),
                position: Some([10.0, 20.0]),
            },
            Edit::AddEdge(EdgeRecord::new("lb", "db", Edge::call().soft())),
            Edit::RemoveEdge {
                from: "web".into(),
                to: "db".into(),
            },
            Edit::UpdateEdge {
                from: "web".into(),
                to: "db".into(),
                edge: Edge::call().fraction(0.5),
            },
            Edit::SetMeta(Box::new(meta)),
            Edit::Batch(vec![
                Edit::RemoveNode("db".into()),
                Edit::AddNode(Node::new("db2", NodeKind::Database)),
                Edit::AddEdge(EdgeRecord::new("web", "db2", Edge::call())),
            ]),
        ] {
            undo_restores(edit);
        }
    }

    #[test]
    fn a_failing_batch_changes_nothing() {
        let mut t = doc();
        let before = t.clone();
        let err = t
            .apply(Edit::Batch(vec![
                Edit::RemoveNode("db".into()),
                Edit::AddNode(Node::new("x", NodeKind::Cache)),
                Edit::AddEdge(EdgeRecord::new("x", "nope", Edge::call())),
            ]))
            .unwrap_err();
        assert_eq!(err, EditError::NoSuchNode("nope".into()));
        assert_eq!(t, before);
    }
}
