//! Reading and writing document files: with [`super::autosave`] (built on
//! it), the only file I/O in `core`.
//!
//! Loading refuses files over [`MAX_DOCUMENT_BYTES`] before reading them.
//! Saving is atomic: the new content goes to a temporary file in the same
//! directory, is flushed to disk, and then renamed over the target, so the
//! file on disk is always the complete old or the complete new document.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use super::json;
use super::topology::Topology;
use crate::diagnostic::{Diagnostic, Report};
use crate::validate::validate;

/// Largest document accepted. A 10,000-node design is about 10 MB.
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// A document that parsed, with what validation found.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub topology: Topology,
    /// Errors here make the document unusable for the engines and exports;
    /// the editor can still open it so the user can fix them.
    pub report: Report,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}: the file is {:.1} MB; topoplan documents are limited to {} MB",
        path.display(), *size as f64 / 1e6, MAX_DOCUMENT_BYTES / (1024 * 1024)
    )]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{}: {}", path.display(), join(diagnostics))]
    Invalid {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
}

impl LoadError {
    /// The problems, as diagnostics (I/O and size problems as one each).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Self::Invalid { diagnostics, .. } => diagnostics.clone(),
            Self::Io { source, .. } => vec![Diagnostic::error("io", "", source.to_string())],
            Self::TooLarge { size, .. } => vec![Diagnostic::error(
                "too-large",
                "",
                format!(
                    "the file is {:.1} MB; topoplan documents are limited to {} MB",
                    *size as f64 / 1e6,
                    MAX_DOCUMENT_BYTES / (1024 * 1024)
                ),
            )],
        }
    }
}

fn join(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}

#[derive(Debug, thiserror::Error)]
#[error("{}: cannot save: {source} (the file on disk is unchanged)", path.display())]
pub struct SaveError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Reads, parses and validates a document file.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > MAX_DOCUMENT_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size,
        });
    }
    // Read at most one byte past the limit: a file that grows while we read
    // (or a pipe whose size metadata says 0) is still bounded.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_DOCUMENT_BYTES {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
        });
    }
    load_bytes(&bytes).map_err(|diagnostics| LoadError::Invalid {
        path: path.to_owned(),
        diagnostics,
    })
}

/// Parses and validates a document held in memory.
pub fn load_bytes(bytes: &[u8]) -> Result<Loaded, Vec<Diagnostic>> {
    let topology = json::from_slice(bytes)?;
    let report = validate(&topology);
    Ok(Loaded { topology, report })
}

/// Writes `topology` to `path` atomically (see the module docs).
pub fn save(path: &Path, topology: &Topology) -> Result<(), SaveError> {
    write_atomic(path, json::to_string(topology).as_bytes())
}

/// Writes `bytes` to `path` atomically: temp file in the same directory,
/// fsync, rename over the target, fsync the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let fail = |source| SaveError {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    // Keep the permissions of the file being replaced.
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    // Make the rename itself durable. Not every platform can open a
    // directory for syncing; the data is already safe in the file.
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Meta;

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let topology = Topology::new(Meta::new("round trip"));
        save(&path, &topology).unwrap();
        assert_eq!(load(&path).unwrap().topology, topology);
        // No temp files left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn failed_save_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, "old").unwrap();
        // A directory in the way of the rename: the write must fail cleanly.
        let blocked = dir.path().join("sub");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("x"), "").unwrap();
        let err = save(&blocked, &Topology::new(Meta::new("t"))).unwrap_err();
        assert!(err.to_string().contains("cannot save"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn oversized_files_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(200 * 1024 * 1024).unwrap(); // sparse: no disk used
        let err = load(&path).unwrap_err();
        assert!(matches!(err, LoadError::TooLarge { .. }));
        assert!(err.to_string().contains("209.7 MB"), "{err}");
    }

    #[test]
    fn missing_file_names_the_path() {
        let err = load(Path::new("/nonexistent/t.json")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/t.json: cannot read"),
            "{err}"
        );
    }
}
