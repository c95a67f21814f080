//! Autosave and recovery files: the document being edited, written to a
//! recovery directory so that a crash, a kill or a power cut loses at most
//! the last few seconds of work.
//!
//! Two files, each written atomically with [`io::write_atomic`] (so each is
//! always a complete old or a complete new version, whenever the process
//! dies — `core/tests/crash_safety.rs` kills it hundreds of times to check):
//! [`DOCUMENT`], an ordinary topoplan document read back with [`io::load`]
//! (a damaged one is reported like any bad file), then [`INFO`], which file
//! it was an edit of and when. The document is written first: a kill
//! between the two leaves the newest document with the previous info, which
//! only says where it came from.
//!
//! When to write (a few seconds after the last change, not while nothing
//! changed) is the front end's business; this module is the files.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::io::{self, LoadError, Loaded, SaveError};
use super::topology::Topology;

/// The autosaved document, in the recovery directory.
pub const DOCUMENT: &str = "recovery.topoplan.json";
/// What the autosaved document was, beside it.
pub const INFO: &str = "recovery.info.json";

/// Temporary files of writes that a kill interrupted are removed once they
/// are this old (younger ones may be another instance's write in flight).
const STALE_TEMP: Duration = Duration::from_mins(1);

/// What the recovery document was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutosaveInfo {
    /// The file the document was opened from, if any.
    pub original: Option<PathBuf>,
    /// Seconds since the Unix epoch when it was written.
    pub saved_at_unix: u64,
}

/// The recovery files in one directory.
#[derive(Clone, Debug)]
pub struct Autosave {
    dir: PathBuf,
}

impl Autosave {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `topology` (an edit of `original`, if it came from a file),
    /// creating the directory when needed.
    pub fn write(&self, topology: &Topology, original: Option<&Path>) -> Result<(), SaveError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| SaveError {
            path: self.dir.clone(),
            source,
        })?;
        self.remove_stale_temp_files();
        io::save(&self.dir.join(DOCUMENT), topology)?;
        let info = AutosaveInfo {
            original: original.map(Path::to_path_buf),
            saved_at_unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let mut bytes = serde_json::to_vec_pretty(&info).unwrap_or_default();
        bytes.push(b'\n');
        io::write_atomic(&self.dir.join(INFO), &bytes)
    }

    /// The recovery document a session left behind (it did not save, discard
    /// or quit cleanly), with what is known about it; `None` when there is
    /// none. An unreadable info file gives the default info: the document is
    /// what matters.
    pub fn leftover(&self) -> Option<AutosaveInfo> {
        if !self.dir.join(DOCUMENT).is_file() {
            return None;
        }
        let info = std::fs::read(self.dir.join(INFO))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Some(info)
    }

    /// Reads the recovery document back (validated, like any document).
    pub fn restore(&self) -> Result<Loaded, LoadError> {
        io::load(&self.dir.join(DOCUMENT))
    }

    /// Removes the recovery files (after a save, a discard, a clean exit).
    pub fn clear(&self) {
        let _ = std::fs::remove_file(self.dir.join(DOCUMENT));
        let _ = std::fs::remove_file(self.dir.join(INFO));
        self.remove_stale_temp_files();
    }

    /// `io::write_atomic`'s temporary files (`.NAME.xxxxxx.tmp`) that a
    /// killed write left in the recovery directory.
    fn remove_stale_temp_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let ours = [DOCUMENT, INFO]
                .iter()
                .any(|file| name.starts_with(&format!(".{file}.")) && name.ends_with(".tmp"));
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_TEMP);
            if ours && stale {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;

    #[test]
    fn written_documents_are_left_over_until_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let autosave = Autosave::new(dir.path().join("recovery"));
        assert!(autosave.leftover().is_none());
        let t = Topology::new(Meta::new("draft"));
        autosave
            .write(&t, Some(Path::new("/work/shop.json")))
            .unwrap();
        let info = autosave.leftover().unwrap();
        assert_eq!(info.original.as_deref(), Some(Path::new("/work/shop.json")));
        assert!(info.saved_at_unix > 1_700_000_000);
        assert_eq!(autosave.restore().unwrap().topology, t);
        autosave.clear();
        assert!(autosave.leftover().is_none());
    }

    #[test]
    fn a_missing_or_damaged_info_file_still_offers_the_document() {
        let dir = tempfile::tempdir().unwrap();
        let autosave = Autosave::new(dir.path());
        let t = Topology::new(Meta::new("draft"));
        autosave.write(&t, None).unwrap();
        std::fs::write(dir.path().join(INFO), "{ not json").unwrap();
        assert_eq!(autosave.leftover(), Some(AutosaveInfo::default()));
        std::fs::remove_file(dir.path().join(INFO)).unwrap();
        assert_eq!(autosave.leftover(), Some(AutosaveInfo::default()));
        assert_eq!(autosave.restore().unwrap().topology, t);
    }

    #[test]
    fn stale_temp_files_of_killed_writes_are_removed_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let autosave = Autosave::new(dir.path());
        let stale = dir.path().join(format!(".{DOCUMENT}.abc123.tmp"));
        let fresh = dir.path().join(format!(".{DOCUMENT}.def456.tmp"));
        let other = dir.path().join("notes.tmp");
        for path in [&stale, &fresh, &other] {
            std::fs::write(path, "partial").unwrap();
        }
        let old = SystemTime::now() - Duration::from_hours(1);
        std::fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        std::fs::File::options()
            .write(true)
            .open(&other)
            .unwrap()
            .set_modified(old)
            .unwrap();
        autosave
            .write(&Topology::new(Meta::new("t")), None)
            .unwrap();
        assert!(!stale.exists(), "a stale temp file of ours is removed");
        assert!(fresh.exists(), "a fresh one may be a write in flight");
        assert!(other.exists(), "files that are not ours are left alone");
    }
}
