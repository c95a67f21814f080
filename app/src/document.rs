//! The open document: the topology, where it came from, its undo history,
//! and what is computed from it (validation, steady-state load), cached per
//! revision.
//!
//! Everything that changes the topology goes through [`Document::apply`] (or
//! undo/redo), so the history, the dirty marker and the caches stay right.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use topoplan_core::load::Load;
use topoplan_core::model::{Edit, EditError, Meta, io};
use topoplan_core::{Report, Topology, templates, validate};

use crate::history::History;

/// Where the open document came from, and so where Save writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A new, never-saved document started from a template.
    Template(&'static str),
    /// A new, empty document.
    Untitled,
    /// A file on disk: Save writes back to it.
    File(PathBuf),
    /// Restored from the autosave after a crash; `original` is the file it
    /// was an edit of, if any.
    Recovered { original: Option<PathBuf> },
}

/// A value computed from the topology, valid for one revision.
#[derive(Debug)]
struct Cached<T> {
    revision: u64,
    value: T,
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

#[derive(Debug)]
pub struct Document {
    topology: Topology,
    source: Source,
    history: History,
    /// `history.state()` when the document was last saved or opened.
    saved_state: u64,
    /// Set for documents that hold unsaved work from the start (recovered).
    unsaved_from_start: bool,
    /// Unique per opened document: caches key on `(key, revision)`, since
    /// revisions restart in every document.
    key: u64,
    report: Cached<Report>,
    load: Option<Cached<Load>>,
}

impl Document {
    pub fn new(topology: Topology, source: Source) -> Self {
        let report = Cached {
            revision: topology.revision(),
            value: validate::validate(&topology),
        };
        let unsaved_from_start = matches!(source, Source::Recovered { .. });
        Self {
            topology,
            source,
            history: History::default(),
            saved_state: 0,
            unsaved_from_start,
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            report,
            load: None,
        }
    }

    /// A new document from a template.
    pub fn from_template(name: &'static str) -> Result<Self, String> {
        let template = templates::find(name).ok_or_else(|| format!("no template named {name}"))?;
        let topology = template.load().map_err(|errs| {
            let first = errs.first().map(ToString::to_string).unwrap_or_default();
            format!("template {name} is invalid: {first}")
        })?;
        Ok(Self::new(topology, Source::Template(name)))
    }

    pub fn untitled() -> Self {
        Self::new(Topology::new(Meta::new("Untitled")), Source::Untitled)
    }

    /// Opens a file. A file that does not parse is an error with every
    /// problem found; one that parses with validation errors opens (so they
    /// can be fixed) and reports them.
    pub fn open(path: &Path) -> Result<Self, io::LoadError> {
        let loaded = io::load(path)?;
        Ok(Self::new(loaded.topology, Source::File(path.to_owned())))
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn source(&self) -> &Source {
        &self.source
    }

    pub fn key(&self) -> u64 {
        self.key
    }

    /// The file Save writes to, if the document has one.
    pub fn path(&self) -> Option<&Path> {
        match &self.source {
            Source::File(path) => Some(path),
            _ => None,
        }
    }

    /// What the title bar calls the document: the file name, or "Untitled".
    pub fn display_name(&self) -> String {
        match &self.source {
            Source::File(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Source::Template(_) | Source::Untitled => "Untitled".to_owned(),
            Source::Recovered {
                original: Some(path),
            } => path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            Source::Recovered { original: None } => "Recovered".to_owned(),
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.unsaved_from_start || self.history.state() != self.saved_state
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// Validation of the current revision (computed once per revision).
    pub fn report(&mut self) -> &Report {
        if self.report.revision != self.topology.revision() {
            self.report = Cached {
                revision: self.topology.revision(),
                value: validate::validate(&self.topology),
            };
        }
        &self.report.value
    }

    /// The report as last computed, without recomputing (for readers that
    /// only hold `&self`; the app refreshes it at the start of each frame).
    pub fn last_report(&self) -> &Report {
        &self.report.value
    }

    /// Healthy steady-state load at peak (computed once per revision).
    pub fn load(&mut self) -> &Load {
        let revision = self.topology.revision();
        if self.load.as_ref().is_none_or(|c| c.revision != revision) {
            self.load = Some(Cached {
                revision,
                value: Load::compute(&self.topology),
            });
        }
        &self
            .load
            .get_or_insert_with(|| unreachable!("filled above"))
            .value
    }

    /// The load as last computed, if it is for the current revision.
    pub fn current_load(&self) -> Option<&Load> {
        self.load
            .as_ref()
            .filter(|c| c.revision == self.topology.revision())
            .map(|c| &c.value)
    }

    /// Applies an edit as an undoable step (see [`History::apply`]).
    pub fn apply(
        &mut self,
        edit: Edit,
        label: impl Into<String>,
        merge: Option<&str>,
    ) -> Result<(), EditError> {
        self.history.apply(&mut self.topology, edit, label, merge)
    }

    pub fn undo(&mut self) -> Result<Option<String>, EditError> {
        self.history.undo(&mut self.topology)
    }

    pub fn redo(&mut self) -> Result<Option<String>, EditError> {
        self.history.redo(&mut self.topology)
    }

    /// Ends the current gesture (see [`History::seal`]).
    pub fn seal(&mut self) {
        self.history.seal();
    }

    /// Writes the document to `path` atomically and makes it the document's
    /// file. On failure the file on disk and the document are unchanged.
    pub fn save_to(&mut self, path: &Path) -> Result<(), io::SaveError> {
        io::save(path, &self.topology)?;
        self.source = Source::File(path.to_owned());
        self.mark_saved();
        Ok(())
    }

    fn mark_saved(&mut self) {
        self.history.seal();
        self.history.pin();
        self.saved_state = self.history.state();
        self.unsaved_from_start = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::model::{Node, NodeKind};

    #[test]
    fn dirty_follows_undo_back_to_the_saved_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let mut doc = Document::from_template("three-tier").unwrap();
        assert!(!doc.is_dirty());
        doc.apply(
            Edit::AddNode(Node::new("extra", NodeKind::Cache)),
            "Add extra",
            None,
        )
        .unwrap();
        assert!(doc.is_dirty());
        doc.save_to(&path).unwrap();
        assert!(!doc.is_dirty());
        assert_eq!(doc.display_name(), "t.json");
        doc.undo().unwrap();
        assert!(doc.is_dirty());
        doc.redo().unwrap();
        assert!(!doc.is_dirty());
        assert_eq!(Document::open(&path).unwrap().topology(), doc.topology());
    }

    #[test]
    fn caches_follow_the_revision() {
        let mut doc = Document::from_template("three-tier").unwrap();
        assert!(doc.report().is_ok());
        let web = doc.topology().node_index("web").unwrap();
        let served = doc.load().node(web);
        assert!(served.total() > 0.0);
        doc.apply(Edit::RemoveNode("alb".into()), "Delete alb", None)
            .unwrap();
        assert!(doc.current_load().is_none(), "stale load must not be shown");
        assert!(doc.load().node(web).total() < served.total());
    }

    #[test]
    fn a_recovered_document_starts_dirty() {
        let t = Document::from_template("three-tier").unwrap().topology;
        let doc = Document::new(t, Source::Recovered { original: None });
        assert!(doc.is_dirty());
    }
}
