//! File dialogs, behind one small trait so tests can answer them.
//!
//! Every open/save/export dialog goes through [`Dialogs`]. The app asks with
//! [`Dialogs::request`] and picks the answer up with [`Dialogs::poll`] on a
//! later frame, so a native dialog never blocks drawing: [`NativeDialogs`]
//! runs rfd on its own thread and wakes the UI when the user answers.
//! Tests use [`ScriptedDialogs`], which answers with paths given up front
//! (rfd needs a desktop portal that Xvfb and CI do not have).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// What a dialog is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileRequest {
    /// Pick a document to open.
    Open,
    /// Pick where to save the document; `suggested` is a file name.
    SaveAs { suggested: String },
    /// Pick a folder to export into (Terraform).
    Folder { title: String },
}

pub trait Dialogs: std::fmt::Debug {
    /// Starts a dialog. At most one runs at a time; a second request while
    /// one is open is ignored.
    fn request(&mut self, request: FileRequest, ctx: &egui::Context);
    /// The answer, once the user has given one: the request and the chosen
    /// path (`None` when cancelled).
    fn poll(&mut self) -> Option<(FileRequest, Option<PathBuf>)>;
    /// Whether a dialog is open (the app then ignores new requests).
    fn is_open(&self) -> bool;
}

/// Native dialogs (rfd: the XDG desktop portal on Linux), each on its own
/// thread so the window keeps drawing while it is open.
#[derive(Debug, Default)]
pub struct NativeDialogs {
    pending: Option<(FileRequest, Receiver<Option<PathBuf>>)>,
    /// Where the last dialog ended up, to start the next one there.
    last_dir: Option<PathBuf>,
}

impl Dialogs for NativeDialogs {
    fn request(&mut self, request: FileRequest, ctx: &egui::Context) {
        if self.pending.is_some() {
            return;
        }
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let dir = self.last_dir.clone();
        let what = request.clone();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let mut dialog = rfd::FileDialog::new();
                if let Some(dir) = dir {
                    dialog = dialog.set_directory(dir);
                }
                let answer = match what {
                    FileRequest::Open => dialog
                        .add_filter("topoplan document", &["json"])
                        .set_title("Open a topology")
                        .pick_file(),
                    FileRequest::SaveAs { suggested } => dialog
                        .add_filter("topoplan document", &["json"])
                        .set_title("Save the topology as")
                        .set_file_name(suggested)
                        .save_file(),
                    FileRequest::Folder { title } => dialog.set_title(title).pick_folder(),
                };
                // The app may have gone away; then nobody needs the answer.
                let _ = tx.send(answer);
                ctx.request_repaint();
            });
        if spawned.is_ok() {
            self.pending = Some((request, rx));
        }
    }

    fn poll(&mut self) -> Option<(FileRequest, Option<PathBuf>)> {
        let (_, rx) = self.pending.as_ref()?;
        let answer = match rx.try_recv() {
            Ok(answer) => answer,
            Err(TryRecvError::Empty) => return None,
            // The dialog thread died (no portal, no display): as cancelled.
            Err(TryRecvError::Disconnected) => None,
        };
        let (request, _) = self.pending.take()?;
        if let Some(path) = &answer {
            self.last_dir = if path.is_dir() {
                Some(path.clone())
            } else {
                path.parent().map(PathBuf::from)
            };
        }
        Some((request, answer))
    }

    fn is_open(&self) -> bool {
        self.pending.is_some()
    }
}

/// Answers dialogs from a script: each request takes the next answer
/// (`None` = the user cancelled). Records what was asked.
#[derive(Debug, Default)]
pub struct ScriptedDialogs {
    answers: VecDeque<Option<PathBuf>>,
    ready: Option<(FileRequest, Option<PathBuf>)>,
    /// Every request made, in order.
    pub asked: Vec<FileRequest>,
}

impl ScriptedDialogs {
    pub fn answering(answers: impl IntoIterator<Item = Option<PathBuf>>) -> Self {
        Self {
            answers: answers.into_iter().collect(),
            ..Self::default()
        }
    }
}

impl Dialogs for ScriptedDialogs {
    fn request(&mut self, request: FileRequest, ctx: &egui::Context) {
        if self.ready.is_some() {
            return;
        }
        self.asked.push(request.clone());
        let answer = self.answers.pop_front().flatten();
        self.ready = Some((request, answer));
        ctx.request_repaint();
    }

    fn poll(&mut self) -> Option<(FileRequest, Option<PathBuf>)> {
        self.ready.take()
    }

    fn is_open(&self) -> bool {
        self.ready.is_some()
    }
}

/// Most recent first, without duplicates, at most [`RecentFiles::MAX`].
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct RecentFiles {
    pub paths: Vec<PathBuf>,
}

impl RecentFiles {
    pub const MAX: usize = 10;

    pub fn push(&mut self, path: PathBuf) {
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        self.paths.retain(|p| *p != path);
        self.paths.insert(0, path);
        self.paths.truncate(Self::MAX);
    }

    pub fn remove(&mut self, path: &std::path::Path) {
        self.paths.retain(|p| p != path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_most_recent_first_without_duplicates() {
        let mut r = RecentFiles::default();
        for i in 0..12 {
            r.push(PathBuf::from(format!("/nonexistent/{i}.json")));
        }
        r.push(PathBuf::from("/nonexistent/5.json"));
        assert_eq!(r.paths.len(), RecentFiles::MAX);
        assert_eq!(r.paths[0], PathBuf::from("/nonexistent/5.json"));
        assert_eq!(r.paths.iter().filter(|p| p.ends_with("5.json")).count(), 1);
    }

    #[test]
    fn scripted_dialogs_answer_in_order() {
        let ctx = egui::Context::default();
        let mut d = ScriptedDialogs::answering([Some(PathBuf::from("a.json")), None]);
        d.request(FileRequest::Open, &ctx);
        assert!(d.is_open());
        assert_eq!(
            d.poll(),
            Some((FileRequest::Open, Some(PathBuf::from("a.json"))))
        );
        d.request(FileRequest::Open, &ctx);
        assert_eq!(d.poll(), Some((FileRequest::Open, None)));
        assert_eq!(d.asked.len(), 2);
    }
}
