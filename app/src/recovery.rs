//! Autosave and crash recovery.
//!
//! While a document has unsaved changes, it is written (atomically) to a
//! recovery file a few seconds after the last change. Saving, discarding
//! or quitting cleanly removes the file; finding one at startup means the
//! app did not get to do that, and the user is offered their work back.
//!
//! The recovery file is an ordinary topoplan document
//! (`recovery.topoplan.json`, read back with `core::model::io::load`, so a
//! damaged one is reported like any bad file), next to a small
//! `recovery.info.json` saying which file it was an edit of and when.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use topoplan_core::Topology;
use topoplan_core::model::io;

const DOCUMENT: &str = "recovery.topoplan.json";
const INFO: &str = "recovery.info.json";

/// What the recovery file was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Info {
    /// The file the document was opened from, if any.
    pub original: Option<PathBuf>,
    /// Seconds since the Unix epoch when it was written.
    pub saved_at_unix: u64,
}

impl Info {
    /// "3 min ago", "2 h ago", for the restore offer.
    pub fn age(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let secs = now.saturating_sub(self.saved_at_unix);
        match secs {
            0..60 => "less than a minute ago".to_owned(),
            60..3600 => format!("{} min ago", secs / 60),
            3600..86_400 => format!("{} h ago", secs / 3600),
            _ => format!("{} days ago", secs / 86_400),
        }
    }
}

/// Autosave state: where recovery files go and when the next one is due.
#[derive(Debug)]
pub struct Recovery {
    dir: Option<PathBuf>,
    delay: Duration,
    /// `(document key, history state)` last written, so an unchanged
    /// document is not written again.
    written: Option<(u64, u64)>,
    due: Option<Instant>,
}

impl Recovery {
    /// Recovery files in `dir` (none when `None`), written `delay` after
    /// the last change.
    pub fn new(dir: Option<PathBuf>, delay: Duration) -> Self {
        Self {
            dir,
            delay,
            written: None,
            due: None,
        }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// A recovery file left behind by a session that did not end cleanly.
    pub fn leftover(&self) -> Option<Info> {
        let dir = self.dir.as_ref()?;
        if !dir.join(DOCUMENT).is_file() {
            return None;
        }
        let info = std::fs::read(dir.join(INFO))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Some(info)
    }

    /// Reads the leftover document back.
    pub fn restore(&self) -> Result<Topology, io::LoadError> {
        let dir = self.dir.clone().unwrap_or_default();
        io::load(&dir.join(DOCUMENT)).map(|loaded| loaded.topology)
    }

    /// Removes the recovery files (after a save, a discard, a clean exit).
    pub fn clear(&mut self) {
        self.due = None;
        self.written = None;
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_file(dir.join(DOCUMENT));
            let _ = std::fs::remove_file(dir.join(INFO));
        }
    }

    /// Called every frame with the document's state. Returns how long until
    /// the next autosave is due, so the app can ask for one wake-up then
    /// (an idle, saved document asks for none).
    pub fn tick(
        &mut self,
        state: (u64, u64),
        dirty: bool,
        topology: &Topology,
        original: Option<&Path>,
        now: Instant,
    ) -> Result<Option<Duration>, io::SaveError> {
        if self.dir.is_none() {
            return Ok(None);
        }
        if !dirty {
            if self.written.is_some() || self.due.is_some() {
                self.clear();
            }
            return Ok(None);
        }
        if self.written == Some(state) {
            self.due = None;
            return Ok(None);
        }
        let due = *self.due.get_or_insert(now + self.delay);
        if now < due {
            return Ok(Some(due - now));
        }
        self.write(topology, original)?;
        self.written = Some(state);
        self.due = None;
        Ok(None)
    }

    fn write(&self, topology: &Topology, original: Option<&Path>) -> Result<(), io::SaveError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        std::fs::create_dir_all(dir).map_err(|source| io::SaveError {
            path: dir.clone(),
            source,
        })?;
        io::save(&dir.join(DOCUMENT), topology)?;
        let info = Info {
            original: original.map(Path::to_path_buf),
            saved_at_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let bytes = serde_json::to_vec_pretty(&info).unwrap_or_default();
        io::write_atomic(&dir.join(INFO), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::templates;

    #[test]
    fn a_dirty_document_is_autosaved_after_the_delay_and_cleared_when_saved() {
        let dir = tempfile::tempdir().unwrap();
        let t = templates::find("three-tier").unwrap().load().unwrap();
        let mut r = Recovery::new(Some(dir.path().to_owned()), Duration::from_secs(5));
        let start = Instant::now();
        let wait = r.tick((1, 1), true, &t, None, start).unwrap();
        assert_eq!(wait, Some(Duration::from_secs(5)));
        assert!(r.leftover().is_none(), "not before the delay");
        let later = start + Duration::from_secs(6);
        assert_eq!(
            r.tick((1, 1), true, &t, Some(Path::new("/x/shop.json")), later)
                .unwrap(),
            None
        );
        let info = r.leftover().unwrap();
        assert_eq!(info.original.as_deref(), Some(Path::new("/x/shop.json")));
        assert_eq!(r.restore().unwrap(), t);
        // Nothing new to write: no wake-up asked for.
        assert_eq!(r.tick((1, 1), true, &t, None, later).unwrap(), None);
        // Saved: the recovery file goes away.
        r.tick((1, 1), false, &t, None, later).unwrap();
        assert!(r.leftover().is_none());
    }

    #[test]
    fn without_a_directory_nothing_is_written() {
        let t = templates::find("three-tier").unwrap().load().unwrap();
        let mut r = Recovery::new(None, Duration::ZERO);
        assert_eq!(
            r.tick((1, 1), true, &t, None, Instant::now()).unwrap(),
            None
        );
        assert!(r.leftover().is_none());
    }
}
