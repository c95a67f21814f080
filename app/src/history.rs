//! Undo and redo: a stack of inverse edits.
//!
//! Applying an [`Edit`] to a [`Topology`] returns the edit that undoes it;
//! undoing applies that inverse, which in turn returns the redo. So the
//! history stores nothing but [`Edit`] values and never snapshots the
//! document.
//!
//! Consecutive edits with the same merge key (a drag value being dragged, a
//! name being typed) fold into one step until the history is
//! [sealed](History::seal); the app seals it whenever no pointer button is
//! down and no text field has focus, so one gesture is one undo step.

use topoplan_core::Topology;
use topoplan_core::model::{Edit, EditError};

/// One undoable step.
#[derive(Clone, Debug)]
struct Step {
    /// What the user would call it: "Move web", "Connect web -> db".
    label: String,
    /// Applying this undoes the step.
    undo: Edit,
    /// Identifies the document state after this step (see [`History::state`]).
    serial: u64,
    merge: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    next_serial: u64,
    /// The merge key of the top step may take more edits.
    open: bool,
    /// Serials of states a step may not be merged into (the saved state:
    /// merging into it would make a changed document look saved).
    pinned: Option<u64>,
}

impl History {
    /// Steps that can be undone; most recent last.
    pub fn undo_labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.undo.iter().map(|s| s.label.as_str())
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn next_undo(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    pub fn next_redo(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// A number naming the document's current state: equal states (reached
    /// by undo and redo) have equal numbers, so "unsaved changes" is
    /// `state() != saved state`.
    pub fn state(&self) -> u64 {
        self.undo.last().map_or(0, |s| s.serial)
    }

    /// Keeps the current state from absorbing merged edits (used for the
    /// saved state).
    pub fn pin(&mut self) {
        self.pinned = Some(self.state());
    }

    /// Ends the current gesture: the next edit starts a new step.
    pub fn seal(&mut self) {
        self.open = false;
    }

    /// Applies `edit` to `topology` as a new step, or as part of the open
    /// step with the same `merge` key. On error nothing changes.
    pub fn apply(
        &mut self,
        topology: &mut Topology,
        edit: Edit,
        label: impl Into<String>,
        merge: Option<&str>,
    ) -> Result<(), EditError> {
        let inverse = topology.apply(edit)?;
        self.redo.clear();
        let mergeable = self.open
            && merge.is_some()
            && self.pinned != Some(self.state())
            && self
                .undo
                .last()
                .is_some_and(|s| s.merge.as_deref() == merge);
        if mergeable && let Some(top) = self.undo.last_mut() {
            // Undo the new edit first, then the earlier ones.
            let earlier = std::mem::replace(&mut top.undo, Edit::Batch(Vec::new()));
            top.undo = Edit::Batch(flatten(vec![inverse, earlier]));
        } else {
            self.next_serial += 1;
            self.undo.push(Step {
                label: label.into(),
                undo: inverse,
                serial: self.next_serial,
                merge: merge.map(str::to_owned),
            });
        }
        self.open = merge.is_some();
        Ok(())
    }

    /// Undoes the last step; returns its label.
    pub fn undo(&mut self, topology: &mut Topology) -> Result<Option<String>, EditError> {
        self.open = false;
        let Some(step) = self.undo.pop() else {
            return Ok(None);
        };
        match topology.apply(step.undo.clone()) {
            Ok(redo) => {
                let label = step.label.clone();
                self.redo.push(Step { undo: redo, ..step });
                Ok(Some(label))
            }
            Err(err) => {
                self.undo.push(step);
                Err(err)
            }
        }
    }

    /// Redoes the last undone step; returns its label.
    pub fn redo(&mut self, topology: &mut Topology) -> Result<Option<String>, EditError> {
        self.open = false;
        let Some(step) = self.redo.pop() else {
            return Ok(None);
        };
        match topology.apply(step.undo.clone()) {
            Ok(undo) => {
                let label = step.label.clone();
                self.undo.push(Step { undo, ..step });
                Ok(Some(label))
            }
            Err(err) => {
                self.redo.push(step);
                Err(err)
            }
        }
    }
}

/// Nested batches as one flat list, in order.
fn flatten(edits: Vec<Edit>) -> Vec<Edit> {
    let mut out = Vec::with_capacity(edits.len());
    for edit in edits {
        match edit {
            Edit::Batch(inner) => out.extend(flatten(inner)),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::model::{Meta, Node, NodeKind};

    fn doc() -> Topology {
        let mut t = Topology::new(Meta::new("t"));
        t.add_node(Node::new("web", NodeKind::Service)).unwrap();
        t
    }

    fn move_to(x: f64) -> Edit {
        Edit::MoveNode {
            id: "web".into(),
            position: Some([x, 0.0]),
        }
    }

    #[test]
    fn undo_then_redo_returns_to_each_state() {
        let mut t = doc();
        let original = t.clone();
        let mut h = History::default();
        h.apply(&mut t, move_to(10.0), "Move web", None).unwrap();
        let moved = t.clone();
        assert_eq!(h.undo(&mut t).unwrap().as_deref(), Some("Move web"));
        assert_eq!(t, original);
        assert_eq!(h.state(), 0);
        assert_eq!(h.redo(&mut t).unwrap().as_deref(), Some("Move web"));
        assert_eq!(t, moved);
        assert!(h.undo(&mut t).is_ok() && h.undo(&mut t).unwrap().is_none());
    }

    #[test]
    fn a_gesture_with_one_merge_key_is_one_step() {
        let mut t = doc();
        let original = t.clone();
        let mut h = History::default();
        for x in [1.0, 2.0, 3.0] {
            h.apply(&mut t, move_to(x), "Move web", Some("drag"))
                .unwrap();
        }
        h.seal();
        h.apply(&mut t, move_to(4.0), "Move web", Some("drag"))
            .unwrap();
        assert_eq!(h.undo_labels().count(), 2);
        h.undo(&mut t).unwrap();
        assert_eq!(t.node("web").unwrap().position, Some([3.0, 0.0]));
        h.undo(&mut t).unwrap();
        assert_eq!(t, original);
        h.redo(&mut t).unwrap();
        assert_eq!(t.node("web").unwrap().position, Some([3.0, 0.0]));
    }

    #[test]
    fn the_pinned_state_never_absorbs_later_edits() {
        let mut t = doc();
        let mut h = History::default();
        h.apply(&mut t, move_to(1.0), "Move web", Some("k"))
            .unwrap();
        h.pin();
        let saved = h.state();
        h.apply(&mut t, move_to(2.0), "Move web", Some("k"))
            .unwrap();
        assert_ne!(h.state(), saved, "a saved state must not look unchanged");
        h.undo(&mut t).unwrap();
        assert_eq!(h.state(), saved);
    }

    #[test]
    fn a_new_edit_clears_redo_and_a_refused_edit_changes_nothing() {
        let mut t = doc();
        let mut h = History::default();
        h.apply(&mut t, move_to(1.0), "a", None).unwrap();
        h.undo(&mut t).unwrap();
        assert!(h.can_redo());
        h.apply(&mut t, move_to(2.0), "b", None).unwrap();
        assert!(!h.can_redo());
        let before = (t.clone(), h.state());
        assert!(
            h.apply(&mut t, Edit::RemoveNode("nope".into()), "c", None)
                .is_err()
        );
        assert_eq!((t, h.state()), before);
    }
}
