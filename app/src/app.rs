//! The desktop window: menus and toolbar, palette, canvas, inspector and
//! problems, status bar, and the dialogs around documents.
//!
//! State is split three ways (see ARCHITECTURE.md): the [`Document`]
//! (what is saved), view state (selection, camera, open panels — never
//! saved into the document), and immediate-mode drawing, which reads both
//! every frame. Panels and the canvas return edits as values; this file
//! applies them, in one place, through the document's undo history.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{Event, RichText, Ui};
use topoplan_core::model::{DeploymentMode, Edit};
use topoplan_core::{Diagnostic, templates};

use crate::apply_ui::ApplyPanel;
use crate::canvas::{Canvas, Overlay};
use crate::cost_ui::CostPanel;
use crate::document::{Document, Source};
use crate::edits::{self, Labelled};
use crate::export_ui::ExportPanel;
use crate::files::{Dialogs, FileRequest, NativeDialogs, RecentFiles};
use crate::gallery_ui::{self, Pick};
use crate::inspector_ui::{self, Inspector};
use crate::recovery::{self, Recovery};
use crate::selection::Selection;
use crate::shortcuts::{self, Action};
use crate::whatif_ui::WhatIfPanel;
use crate::{clipboard, palette_ui, problems_ui, style};

/// How the app is wired to the outside world. Tests build one with
/// scripted dialogs and a temporary state directory.
#[derive(Debug)]
pub struct Config {
    pub dialogs: Box<dyn Dialogs>,
    /// Where recovery files go (none: no autosave).
    pub state_dir: Option<PathBuf>,
    /// Autosave this long after the last change.
    pub autosave_delay: Duration,
    /// Show the template gallery at start.
    pub show_gallery: bool,
    /// Credentials for Apply to AWS instead of the standard chain (tests).
    pub aws_credentials: Option<topoplan_exports::aws::client::Credentials>,
}

impl Config {
    /// Native dialogs, recovery files in the platform's data directory.
    pub fn native() -> Self {
        Self {
            dialogs: Box::new(NativeDialogs::default()),
            state_dir: eframe::storage_dir("topoplan"),
            autosave_delay: Duration::from_secs(5),
            show_gallery: false,
            aws_credentials: None,
        }
    }

    /// For tests: the given dialogs, no autosave, no gallery.
    pub fn headless(dialogs: Box<dyn Dialogs>) -> Self {
        Self {
            dialogs,
            state_dir: None,
            autosave_delay: Duration::from_secs(5),
            show_gallery: false,
            aws_credentials: None,
        }
    }
}

/// Preferences kept between sessions (eframe storage).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: RecentFiles,
    pub dark: Option<bool>,
    /// The gallery has been shown once (it opens by itself on first start).
    pub seen_gallery: bool,
    /// The right-hand panel shown last time.
    pub tab: Option<Tab>,
}

const SETTINGS_KEY: &str = "topoplan-settings";

/// Something that replaces or closes the document, and so first asks
/// about unsaved changes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Intent {
    New(Pick),
    Open,
    OpenPath(PathBuf),
    Quit,
}

/// A dialog over the window.
#[derive(Clone, Debug)]
enum Modal {
    Gallery,
    /// Unsaved changes: save, discard or cancel before `then`.
    Confirm {
        then: Intent,
    },
    OpenFailed {
        path: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },
    Error {
        title: String,
        text: String,
    },
    Recovery(recovery::Info),
    Help,
}

/// The right-hand panel's tabs.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    Inspector,
    Problems,
    Cost,
    /// The what-if mode: the canvas shows a failure scenario and clicks on
    /// it fail elements.
    WhatIf,
}

/// A line in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Message {
    text: String,
    error: bool,
}

#[derive(Debug)]
pub struct TopoplanApp {
    doc: Document,
    selection: Selection,
    canvas: Canvas,
    inspector: Inspector,
    tab: Tab,
    cost: CostPanel,
    what_if: WhatIfPanel,
    export: ExportPanel,
    apply: ApplyPanel,
    /// The last copy, for pastes that bring no text (and for tests).
    clipboard: Option<String>,
    dialogs: Box<dyn Dialogs>,
    /// What to do once a Save-as dialog answers (e.g. quit after saving).
    after_save: Option<Intent>,
    modal: Option<Modal>,
    message: Option<Message>,
    settings: Settings,
    recovery: Recovery,
    /// The user chose to quit; let the window close.
    closing: bool,
    /// The window title last sent (sending one requests a repaint, so only
    /// changes are sent: an idle window must not redraw).
    shown_title: String,
    /// The revision the selection was last pruned at.
    pruned_at: (u64, u64),
    theme_applied: bool,
}

impl TopoplanApp {
    /// Opens `path`, or the default template when there is none. A file that
    /// fails to open is reported over the default template.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self::with_config(
            path,
            Config::headless(Box::new(NativeDialogs::default())),
            Settings::default(),
        )
    }

    pub fn with_config(path: Option<PathBuf>, config: Config, settings: Settings) -> Self {
        let doc =
            Document::from_template(templates::DEFAULT).unwrap_or_else(|_| Document::untitled());
        let recovery = Recovery::new(config.state_dir, config.autosave_delay);
        let mut app = Self {
            doc,
            selection: Selection::default(),
            canvas: Canvas::new(),
            inspector: Inspector::default(),
            tab: settings.tab.unwrap_or(Tab::Inspector),
            cost: CostPanel::default(),
            what_if: WhatIfPanel::default(),
            export: ExportPanel::default(),
            apply: ApplyPanel::new(config.aws_credentials),
            clipboard: None,
            dialogs: config.dialogs,
            after_save: None,
            modal: None,
            message: None,
            settings,
            recovery,
            closing: false,
            shown_title: String::new(),
            pruned_at: (0, 0),
            theme_applied: false,
        };
        if let Some(info) = app.recovery.leftover() {
            app.modal = Some(Modal::Recovery(info));
        } else if let Some(path) = path {
            app.open_path(&path);
        } else if config.show_gallery {
            app.modal = Some(Modal::Gallery);
            app.settings.seen_gallery = true;
        }
        app
    }

    /// Replaces the document with a template's, without asking (tests,
    /// benchmarks).
    pub fn open_template(&mut self, name: &'static str) {
        if let Ok(doc) = Document::from_template(name) {
            self.replace(doc);
        }
    }

    /// Replaces the document without asking (benchmarks).
    pub fn open_topology(&mut self, topology: topoplan_core::Topology) {
        self.replace(Document::new(topology, Source::Untitled));
    }

    /// Zooms the canvas to `scale` about the centre of the view.
    pub fn zoom_to(&mut self, scale: f32) {
        let factor = scale / self.canvas.camera.scale;
        self.canvas.zoom_by(factor);
    }

    /// Selects one node by id (tests, scripting).
    pub fn select_node(&mut self, id: &str) {
        if let Some(ix) = self.doc.topology().node_index(id) {
            self.selection = Selection::node(ix);
        }
    }

    pub fn select_nothing(&mut self) {
        self.selection.clear();
    }

    /// Ends the current edit gesture, as releasing the pointer does.
    pub fn end_gesture(&mut self) {
        self.doc.seal();
    }

    pub fn topology(&self) -> &topoplan_core::Topology {
        self.doc.topology()
    }

    pub fn document(&self) -> &Document {
        &self.doc
    }

    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    pub fn selection_mut(&mut self) -> &mut Selection {
        &mut self.selection
    }

    pub fn canvas(&self) -> &Canvas {
        &self.canvas
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The right-hand panel shown.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// Whether background work (pricing, a simulation, an export, AWS) is
    /// under way.
    pub fn is_busy(&self) -> bool {
        self.cost.is_busy()
            || self.what_if.is_busy()
            || self.export.is_busy()
            || self.apply.is_busy()
    }

    /// Shows a tab of the right-hand panel.
    pub fn show_tab(&mut self, tab: Tab) {
        self.tab = tab;
    }

    /// The What-if panel: the scenario and the engine's results.
    pub fn what_if(&self) -> &WhatIfPanel {
        &self.what_if
    }

    /// Opens the What-if tab with `failures` failed (the `--what-if` flag).
    pub fn start_what_if(&mut self, failures: Vec<topoplan_core::sim::Failure>) {
        self.tab = Tab::WhatIf;
        self.what_if.set_failures(failures);
    }

    /// `(document key, revision)` of the document shown (to ask panels for
    /// results of this revision).
    pub fn revision(&self) -> (u64, u64) {
        (self.doc.key(), self.doc.topology().revision())
    }

    /// The Export Terraform window.
    pub fn export_panel(&self) -> &ExportPanel {
        &self.export
    }

    /// The Apply to AWS window.
    pub fn apply_panel(&self) -> &ApplyPanel {
        &self.apply
    }

    /// The pricing of the current revision, once done.
    pub fn costing(&self) -> Option<&crate::cost_ui::Costing> {
        self.cost
            .current(self.doc.key(), self.doc.topology().revision())
    }

    /// The status-bar message, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_ref().map(|m| m.text.as_str())
    }

    /// The error a dialog is showing, if any (for tests).
    pub fn error(&self) -> Option<String> {
        match &self.modal {
            Some(Modal::OpenFailed { path, diagnostics }) => Some(format!(
                "{}: {}",
                path.display(),
                diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            Some(Modal::Error { text, .. }) => Some(text.clone()),
            _ => None,
        }
    }

    pub fn title(&self) -> String {
        let dirty = if self.doc.is_dirty() { " •" } else { "" };
        format!(
            "{}{dirty} — {} — topoplan",
            self.doc.display_name(),
            self.doc.topology().meta().name
        )
    }

    // -- documents -------------------------------------------------------

    fn replace(&mut self, doc: Document) {
        self.doc = doc;
        self.selection.clear();
        self.canvas.request_fit();
        self.recovery.clear();
        self.message = None;
    }

    /// Opens a file; on failure the current document stays and a dialog
    /// shows every problem found.
    fn open_path(&mut self, path: &Path) {
        match Document::open(path) {
            Ok(doc) => {
                self.settings.recent.push(path.to_owned());
                let errors = doc.last_report().errors.len();
                self.replace(doc);
                if errors > 0 {
                    self.tab = Tab::Problems;
                    self.say(
                        format!(
                            "Opened {} with {}",
                            path.display(),
                            edits::count(errors, "error")
                        ),
                        true,
                    );
                }
            }
            Err(err) => {
                self.modal = Some(Modal::OpenFailed {
                    path: path.to_owned(),
                    diagnostics: err.diagnostics(),
                });
            }
        }
    }

    /// Runs `intent` now, or after asking about unsaved changes.
    fn guard(&mut self, intent: Intent, ctx: &egui::Context) {
        if self.doc.is_dirty() {
            self.modal = Some(Modal::Confirm { then: intent });
        } else {
            self.perform(intent, ctx);
        }
    }

    fn perform(&mut self, intent: Intent, ctx: &egui::Context) {
        match intent {
            Intent::New(Pick::Template(name)) => match Document::from_template(name) {
                Ok(doc) => self.replace(doc),
                Err(text) => {
                    self.modal = Some(Modal::Error {
                        title: "Template".into(),
                        text,
                    });
                }
            },
            Intent::New(Pick::Empty) => self.replace(Document::untitled()),
            Intent::New(Pick::Recent(path)) | Intent::OpenPath(path) => self.open_path(&path),
            Intent::New(Pick::Open) | Intent::Open => self.dialogs.request(FileRequest::Open, ctx),
            Intent::Quit => {
                self.closing = true;
                self.recovery.clear();
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Saves to the document's file, or asks where; `then` runs after.
    fn save(&mut self, as_new: bool, then: Option<Intent>, ctx: &egui::Context) {
        match self.doc.path().map(Path::to_path_buf) {
            Some(path) if !as_new => {
                if self.save_to(&path)
                    && let Some(intent) = then
                {
                    self.perform(intent, ctx);
                }
            }
            _ => {
                self.after_save = then;
                let suggested = format!(
                    "{}.json",
                    topoplan_core::model::slug(&self.doc.topology().meta().name)
                );
                self.dialogs.request(FileRequest::SaveAs { suggested }, ctx);
            }
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        let path = if path.extension().is_none() {
            path.with_extension("json")
        } else {
            path.to_owned()
        };
        match self.doc.save_to(&path) {
            Ok(()) => {
                self.settings.recent.push(path.clone());
                self.recovery.clear();
                self.say(format!("Saved {}", path.display()), false);
                true
            }
            Err(err) => {
                self.modal = Some(Modal::Error {
                    title: "Could not save".into(),
                    text: err.to_string(),
                });
                false
            }
        }
    }

    fn poll_dialogs(&mut self, ctx: &egui::Context) {
        let Some((request, answer)) = self.dialogs.poll() else {
            return;
        };
        match (request, answer) {
            (FileRequest::Open, Some(path)) => self.open_path(&path),
            (FileRequest::SaveAs { .. }, Some(path)) => {
                if self.save_to(&path)
                    && let Some(intent) = self.after_save.take()
                {
                    self.perform(intent, ctx);
                }
            }
            (FileRequest::SaveAs { .. }, None) => self.after_save = None,
            (FileRequest::Folder { .. }, Some(dir)) => {
                self.export.start(ctx, self.doc.topology(), dir, false);
            }
            (FileRequest::Open | FileRequest::Folder { .. }, None) => {}
        }
    }

    // -- edits -----------------------------------------------------------

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }

    /// Applies an edit as one undo step; new nodes become the selection.
    fn apply(&mut self, labelled: Labelled, merge: Option<&str>) {
        let added = added_ids(&labelled.edit);
        let result = self.doc.apply(labelled.edit, labelled.label, merge);
        self.selection.prune(self.doc.topology());
        match result {
            Ok(()) => {
                if !added.is_empty() {
                    let t = self.doc.topology();
                    self.selection = Selection {
                        nodes: added.iter().filter_map(|id| t.node_index(id)).collect(),
                        ..Selection::default()
                    };
                }
            }
            Err(err) => self.say(format!("Not applied: {err}"), true),
        }
    }

    fn undo(&mut self) {
        let result = self.doc.undo();
        self.selection.prune(self.doc.topology());
        match result {
            Ok(Some(label)) => self.say(format!("Undid: {label}"), false),
            Ok(None) => {}
            Err(err) => self.say(format!("Cannot undo: {err}"), true),
        }
    }

    fn redo(&mut self) {
        let result = self.doc.redo();
        self.selection.prune(self.doc.topology());
        match result {
            Ok(Some(label)) => self.say(format!("Redid: {label}"), false),
            Ok(None) => {}
            Err(err) => self.say(format!("Cannot redo: {err}"), true),
        }
    }

    fn copy(&mut self, ctx: &egui::Context) -> bool {
        let canvas = &self.canvas;
        let Some(text) =
            clipboard::copy(self.doc.topology(), &self.selection, |ix| canvas.x_of(ix))
        else {
            return false;
        };
        ctx.copy_text(text.clone());
        self.clipboard = Some(text);
        true
    }

    fn paste(&mut self, text: Option<&str>, anchor_x: Option<f64>) {
        let text = match text.filter(|t| !t.trim().is_empty()) {
            Some(t) => t.to_owned(),
            None => match &self.clipboard {
                Some(t) => t.clone(),
                None => return,
            },
        };
        match clipboard::paste(self.doc.topology(), &text, anchor_x) {
            Ok((edit, _)) => self.apply(edit, None),
            Err(err) => self.say(err, true),
        }
    }

    fn run_action(&mut self, action: Action, ctx: &egui::Context) {
        match action {
            Action::New => self.modal = Some(Modal::Gallery),
            Action::Open => self.guard(Intent::Open, ctx),
            Action::Save => self.save(false, None, ctx),
            Action::SaveAs => self.save(true, None, ctx),
            Action::Undo => self.undo(),
            Action::Redo => self.redo(),
            Action::Copy => {
                self.copy(ctx);
            }
            Action::Cut => {
                if self.copy(ctx)
                    && let Some(edit) = edits::delete(self.doc.topology(), &self.selection)
                {
                    self.apply(
                        Labelled::new(edit.edit, edit.label.replacen("Delete", "Cut", 1)),
                        None,
                    );
                    self.selection.clear();
                }
            }
            Action::Paste => {
                let anchor = ctx
                    .pointer_hover_pos()
                    .filter(|p| self.canvas.viewport().contains(*p))
                    .map(|p| {
                        f64::from(self.canvas.camera.to_canvas(p).x - crate::layout::NODE_W / 2.0)
                    });
                self.paste(None, anchor);
            }
            Action::Duplicate => {
                let canvas = &self.canvas;
                if let Some(text) =
                    clipboard::copy(self.doc.topology(), &self.selection, |ix| canvas.x_of(ix))
                {
                    match clipboard::paste(self.doc.topology(), &text, None) {
                        Ok((edit, _)) => {
                            let label = edit.label.replacen("Paste", "Duplicate", 1);
                            self.apply(Labelled::new(edit.edit, label), None);
                        }
                        Err(err) => self.say(err, true),
                    }
                }
            }
            Action::Delete => {
                if let Some(edit) = edits::delete(self.doc.topology(), &self.selection) {
                    self.apply(edit, None);
                    self.selection.clear();
                }
            }
            Action::SelectAll => {
                self.selection = Selection {
                    nodes: self.doc.topology().graph().node_indices().collect(),
                    ..Selection::default()
                };
            }
            Action::Deselect => {
                if self.modal.take().is_none() {
                    self.selection.clear();
                }
            }
            Action::Fit => self.canvas.request_fit(),
            Action::ZoomIn => self.canvas.zoom_by(1.25),
            Action::ZoomOut => self.canvas.zoom_by(0.8),
            Action::AutoLayout => {
                if let Some(edit) = edits::auto_layout(self.doc.topology()) {
                    self.apply(edit, None);
                    self.canvas.request_fit();
                }
            }
            Action::Help => self.modal = Some(Modal::Help),
            Action::ExportTerraform => self.pick_export_folder(ctx),
            Action::ApplyAws => self.apply.open(self.doc.topology()),
        }
    }

    fn pick_export_folder(&mut self, ctx: &egui::Context) {
        self.export.open_window();
        let title = format!(
            "Export {} as Terraform into",
            self.doc.topology().meta().name
        );
        self.dialogs.request(FileRequest::Folder { title }, ctx);
    }

    /// Keyboard shortcuts and clipboard events of this frame.
    fn handle_keys(&mut self, ctx: &egui::Context) {
        if self.modal.is_some() {
            // Only Escape (closing the dialog) reaches the app under a dialog.
            if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
                && !matches!(self.modal, Some(Modal::Recovery(_)))
            {
                self.modal = None;
            }
            return;
        }
        for action in shortcuts::pressed(ctx) {
            self.run_action(action, ctx);
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        // A real window turns Ctrl+C/X/V into these events instead of keys.
        let events = ctx.input(|i| i.events.clone());
        for event in events {
            match event {
                Event::Copy => self.run_action(Action::Copy, ctx),
                Event::Cut => self.run_action(Action::Cut, ctx),
                Event::Paste(text) => self.paste(Some(&text), None),
                _ => {}
            }
        }
    }

    // -- panels ----------------------------------------------------------

    fn menu_bar(&mut self, ui: &mut Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        let item = |ui: &mut Ui, action: Action, enabled: bool, actions: &mut Vec<Action>| {
            let mut button = egui::Button::new(action.label());
            if let Some(sc) = shortcuts::shortcut_of(action) {
                button = button.shortcut_text(ui.ctx().format_shortcut(&sc));
            }
            if ui.add_enabled(enabled, button).clicked() {
                actions.push(action);
            }
        };
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                item(ui, Action::New, true, &mut actions);
                item(ui, Action::Open, true, &mut actions);
                let recent = self.settings.recent.paths.clone();
                ui.add_enabled_ui(!recent.is_empty(), |ui| {
                    ui.menu_button("Open recent", |ui| {
                        for path in recent {
                            if ui.button(path.display().to_string()).clicked() {
                                self.guard(Intent::OpenPath(path), ui.ctx());
                            }
                        }
                    });
                });
                ui.separator();
                item(ui, Action::Save, true, &mut actions);
                item(ui, Action::SaveAs, true, &mut actions);
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.doc.history().next_undo().map(|l| format!("Undo {l}"));
                let redo = self.doc.history().next_redo().map(|l| format!("Redo {l}"));
                item(ui, Action::Undo, undo.is_some(), &mut actions);
                item(ui, Action::Redo, redo.is_some(), &mut actions);
                ui.separator();
                let has_nodes = !self.selection.nodes.is_empty();
                item(ui, Action::Cut, has_nodes, &mut actions);
                item(ui, Action::Copy, has_nodes, &mut actions);
                item(ui, Action::Paste, self.clipboard.is_some(), &mut actions);
                item(ui, Action::Duplicate, has_nodes, &mut actions);
                item(ui, Action::Delete, !self.selection.is_empty(), &mut actions);
                ui.separator();
                item(ui, Action::SelectAll, true, &mut actions);
                item(ui, Action::AutoLayout, true, &mut actions);
            });
            ui.menu_button("Ship", |ui| {
                item(ui, Action::ExportTerraform, true, &mut actions);
                item(ui, Action::ApplyAws, true, &mut actions);
            });
            ui.menu_button("View", |ui| {
                item(ui, Action::Fit, true, &mut actions);
                item(ui, Action::ZoomIn, true, &mut actions);
                item(ui, Action::ZoomOut, true, &mut actions);
                ui.separator();
                item(ui, Action::Help, true, &mut actions);
            });
        });
        actions
    }

    fn toolbar(&mut self, ui: &mut Ui) -> Vec<Action> {
        let mut actions = Vec::new();
        ui.horizontal_wrapped(|ui| {
            let undo = self.doc.history().next_undo().map(str::to_owned);
            let redo = self.doc.history().next_redo().map(str::to_owned);
            let b = ui
                .add_enabled(undo.is_some(), egui::Button::new("Undo"))
                .on_hover_text(undo.map_or("Nothing to undo".to_owned(), |l| {
                    format!("Undo {l} (Ctrl+Z)")
                }));
            if b.clicked() {
                actions.push(Action::Undo);
            }
            let b = ui
                .add_enabled(redo.is_some(), egui::Button::new("Redo"))
                .on_hover_text(redo.map_or("Nothing to redo".to_owned(), |l| {
                    format!("Redo {l} (Ctrl+Y)")
                }));
            if b.clicked() {
                actions.push(Action::Redo);
            }
            ui.separator();
            ui.strong(&self.doc.topology().meta().name);
            let meta = self.doc.topology().meta();
            let mode = match meta.deployment.mode {
                DeploymentMode::Single => "single region",
                DeploymentMode::ActivePassive => "active-passive",
                DeploymentMode::ActiveActive => "active-active",
            };
            ui.label(format!(
                "{mode} · {} region{} · {} nodes · {} edges · peak {} rps",
                meta.regions.len(),
                if meta.regions.len() == 1 { "" } else { "s" },
                self.doc.topology().node_count(),
                self.doc.topology().edge_count(),
                style::compact(meta.traffic.peak_rps),
            ));
            ui.separator();
            let report = self.doc.last_report();
            let (errors, warnings) = (report.errors.len(), report.warnings.len());
            let status = if errors > 0 {
                RichText::new(edits::count(errors, "error")).color(ui.visuals().error_fg_color)
            } else if warnings > 0 {
                RichText::new(format!("valid · {}", edits::count(warnings, "warning")))
                    .color(ui.visuals().warn_fg_color)
            } else {
                RichText::new("valid")
            };
            if ui
                .add(egui::Label::new(status).sense(egui::Sense::click()))
                .on_hover_text("Show the problems")
                .clicked()
            {
                self.tab = Tab::Problems;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let dark = ui.visuals().dark_mode;
                if ui
                    .button(if dark { "Light theme" } else { "Dark theme" })
                    .clicked()
                {
                    ui.ctx().set_theme(if dark {
                        egui::Theme::Light
                    } else {
                        egui::Theme::Dark
                    });
                    self.settings.dark = Some(!dark);
                }
                if ui
                    .button("?")
                    .on_hover_text("Keyboard shortcuts (F1)")
                    .clicked()
                {
                    actions.push(Action::Help);
                }
                if ui
                    .button("Auto-layout")
                    .on_hover_text(
                        "Forget manual positions: tiers left to right by dependency depth (Ctrl+L)",
                    )
                    .clicked()
                {
                    actions.push(Action::AutoLayout);
                }
                if ui
                    .button("Fit")
                    .on_hover_text("Fit the whole topology in view (F)")
                    .clicked()
                {
                    actions.push(Action::Fit);
                }
            });
        });
        actions
    }

    fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if let Some(m) = &self.message {
                let text = if m.error {
                    RichText::new(&m.text).color(ui.visuals().error_fg_color)
                } else {
                    RichText::new(&m.text)
                };
                ui.label(text);
                if ui.small_button("Dismiss").on_hover_text("Dismiss").clicked() {
                    self.message = None;
                }
            } else if self.tab == Tab::WhatIf {
                ui.label(RichText::new("What-if mode: click a node, an AZ band or a region's title to fail it (again to bring it back) · Shift-click a node: in that region only · drag to pan · hover a node for why").weak());
            } else {
                ui.label(RichText::new("Drag empty space to pan · Shift+drag to select · drag from a node's port (right edge) to connect · F1 for shortcuts").weak());
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!("{:.0}%", self.canvas.camera.scale * 100.0));
                let n = self.selection.nodes.len() + self.selection.edges.len();
                if n > 0 {
                    ui.separator();
                    ui.label(format!("{n} selected"));
                }
                if self.doc.is_dirty() {
                    ui.separator();
                    ui.label(RichText::new("unsaved changes").weak());
                }
            });
        });
    }

    fn right_panel(&mut self, ui: &mut Ui) -> Vec<(Labelled, Option<String>)> {
        let mut edits = Vec::new();
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Inspector, "Inspector");
            let n = self.doc.last_report().errors.len() + self.doc.last_report().warnings.len();
            ui.selectable_value(&mut self.tab, Tab::Problems, format!("Problems ({n})"));
            ui.selectable_value(&mut self.tab, Tab::Cost, "Cost");
            ui.selectable_value(&mut self.tab, Tab::WhatIf, "What-if")
                .on_hover_text("Fail nodes, AZs and regions and see what the design still serves");
        });
        ui.separator();
        match self.tab {
            Tab::Inspector => {
                let load = self.doc.current_load();
                let t = self.doc.topology();
                let monthly_usd = self
                    .selection
                    .single_node()
                    .and_then(|ix| t.graph().node_weight(ix))
                    .and_then(|n| self.cost.element_usd(self.doc.key(), t.revision(), &n.id));
                let view = inspector_ui::View {
                    topology: t,
                    report: self.doc.last_report(),
                    load,
                    monthly_usd,
                };
                for e in self.inspector.ui(ui, &view, &mut self.selection) {
                    edits.push((e.edit, Some(e.merge)));
                }
            }
            Tab::Cost => {
                let errors = self.doc.last_report().errors.len();
                let out = self
                    .cost
                    .ui(ui, self.doc.topology(), self.doc.key(), errors);
                if let Some(edit) = out.edit {
                    edits.push((edit, None));
                }
                if let Some(id) = out.select_node {
                    self.select_node(&id);
                    if let Some(&ix) = self.selection.nodes.first() {
                        self.canvas.reveal(ix);
                    }
                }
            }
            Tab::WhatIf => {
                let errors = self.doc.last_report().errors.len();
                let out = self
                    .what_if
                    .ui(ui, self.doc.topology(), self.doc.key(), errors);
                if let Some(id) = out.reveal {
                    self.select_node(&id);
                    if let Some(&ix) = self.selection.nodes.first() {
                        self.canvas.reveal(ix);
                    }
                }
            }
            Tab::Problems => {
                if let Some(element) = problems_ui::ui(ui, self.doc.last_report())
                    && let Some(selection) = Selection::of_element(self.doc.topology(), &element)
                {
                    if let Some(&ix) = selection.nodes.first() {
                        self.canvas.reveal(ix);
                    }
                    self.selection = selection;
                    self.tab = Tab::Inspector;
                }
            }
        }
        edits
    }

    fn modal_ui(&mut self, ctx: &egui::Context) {
        let Some(modal) = self.modal.clone() else {
            return;
        };
        let mut close = false;
        let mut then: Option<Intent> = None;
        let response = egui::Modal::new(egui::Id::unique("modal")).show(ctx, |ui| {
            ui.set_max_width(640.0);
            match &modal {
                Modal::Gallery => {
                    if let Some(pick) = gallery_ui::ui(ui, &self.settings.recent.paths) {
                        close = true;
                        then = Some(Intent::New(pick));
                    }
                    ui.add_space(6.0);
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                }
                Modal::Confirm { then: intent } => {
                    ui.heading("Unsaved changes");
                    ui.label(format!(
                        "{} has changes that are not saved. Save them first?",
                        self.doc.display_name()
                    ));
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            close = true;
                            self.save(false, Some(intent.clone()), ctx);
                        }
                        if ui.button("Don't save").clicked() {
                            close = true;
                            then = Some(intent.clone());
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Modal::OpenFailed { path, diagnostics } => {
                    ui.heading("Cannot open this file");
                    ui.label(path.display().to_string());
                    ui.label(RichText::new("The document you have open is unchanged.").weak());
                    ui.separator();
                    egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                        for d in diagnostics {
                            ui.label(crate::form::diagnostic_text(ui, d));
                            if !d.path.is_empty() {
                                ui.label(RichText::new(&d.path).small().weak());
                            }
                        }
                    });
                    ui.add_space(6.0);
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                }
                Modal::Error { title, text } => {
                    ui.heading(title);
                    ui.label(text);
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                }
                Modal::Recovery(info) => {
                    ui.heading("Restore unsaved work?");
                    let what = info
                        .original
                        .as_ref()
                        .map_or("an untitled document".to_owned(), |p| p.display().to_string());
                    ui.label(format!(
                        "topoplan did not close cleanly last time. Changes to {what} were saved {}.",
                        info.age()
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Restore").clicked() {
                            close = true;
                            match self.recovery.restore() {
                                Ok(t) => {
                                    let doc = Document::new(t, Source::Recovered { original: info.original.clone() });
                                    self.doc = doc;
                                    self.selection.clear();
                                    self.canvas.request_fit();
                                    self.say("Restored the unsaved work: save it to keep it", false);
                                }
                                Err(err) => {
                                    self.recovery.clear();
                                    self.say(format!("Could not restore: {err}"), true);
                                }
                            }
                        }
                        if ui.button("Discard").clicked() {
                            close = true;
                            self.recovery.clear();
                        }
                    });
                }
                Modal::Help => {
                    ui.heading("Shortcuts and gestures");
                    ui.add_space(4.0);
                    shortcuts::help_ui(ui);
                    ui.add_space(6.0);
                    if ui.button("Close").clicked() {
                        close = true;
                    }
                }
            }
        });
        if response.should_close() && !matches!(modal, Modal::Recovery(_)) {
            close = true;
        }
        if close
            && self
                .modal
                .as_ref()
                .is_some_and(|m| std::mem::discriminant(m) == std::mem::discriminant(&modal))
        {
            self.modal = None;
        }
        if let Some(intent) = then {
            if matches!(modal, Modal::Confirm { .. }) {
                self.perform(intent, ctx);
            } else {
                self.guard(intent, ctx);
            }
        }
    }

    /// One frame of the whole app, without eframe (the benchmark and tests
    /// call this with a bare `egui::Context`).
    pub fn show(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if !self.theme_applied {
            self.theme_applied = true;
            style::install_fonts(&ctx);
            if let Some(dark) = self.settings.dark {
                ctx.set_theme(if dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
        }
        // Engine results for this revision (each computed once per revision;
        // pricing on a background thread).
        let valid = self.doc.report().is_ok();
        self.doc.load();
        self.cost.update(
            &ctx,
            self.doc.topology(),
            self.doc.key(),
            valid,
            self.tab == Tab::Cost,
        );
        self.what_if.update(
            &ctx,
            self.doc.topology(),
            self.doc.key(),
            valid,
            self.tab == Tab::WhatIf,
        );
        self.export.update(&ctx);
        self.apply.update();
        let now = (self.doc.key(), self.doc.topology().revision());
        if self.pruned_at != now {
            self.selection.prune(self.doc.topology());
            self.pruned_at = now;
        }
        if ctx.input(|i| i.viewport().close_requested()) && !self.closing {
            if self.apply.step() == crate::apply_ui::Step::Applying {
                // Quitting would drop the calls in flight with no report.
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.say(
                    "An apply to AWS is under way: stop it (Apply to AWS window) before quitting",
                    true,
                );
            } else if self.doc.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.modal = Some(Modal::Confirm { then: Intent::Quit });
            } else {
                self.recovery.clear();
            }
        }
        self.poll_dialogs(&ctx);
        // A document file dropped on the window opens (after asking about
        // unsaved changes).
        let dropped = ctx.input(|i| {
            i.raw
                .dropped_files
                .first()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
        });
        if let Some(path) = dropped {
            self.guard(Intent::OpenPath(path), &ctx);
        }
        self.handle_keys(&ctx);

        let mut actions = Vec::new();
        egui::Panel::top("menu").show(ui, |ui| {
            actions.extend(self.menu_bar(ui));
            actions.extend(self.toolbar(ui));
        });
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        let mut added = None;
        egui::Panel::left("palette")
            .resizable(false)
            .exact_size(122.0)
            .show(ui, |ui| added = palette_ui::ui(ui));
        let mut edits: Vec<(Labelled, Option<String>)> = Vec::new();
        egui::Panel::right("inspector")
            .resizable(true)
            .default_size(310.0)
            .min_size(260.0)
            .max_size(560.0)
            .show(ui, |ui| edits.extend(self.right_panel(ui)));
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let what_if = self.tab == Tab::WhatIf;
            let overlay = Overlay {
                load: self.doc.current_load(),
                health: self.what_if.health().filter(|_| what_if),
                what_if,
            };
            let out = self.canvas.show(
                ui,
                self.doc.topology(),
                self.doc.key(),
                &mut self.selection,
                overlay,
            );
            edits.extend(out.edits.into_iter().map(|e| (e, None)));
            actions.extend(out.actions);
            if let Some(toggle) = &out.toggle {
                self.what_if.toggle(self.doc.topology(), toggle);
                // The simulation starts next frame.
                ui.ctx().request_repaint();
            }
            if let Some(m) = out.message {
                self.say(m, true);
            }
        });
        if let Some(kind) = added {
            let (edit, _) =
                self.canvas
                    .add_node_edit(self.doc.topology(), self.doc.key(), kind, None);
            edits.push((edit, None));
        }
        for (edit, merge) in edits {
            self.apply(edit, merge.as_deref());
        }
        for action in actions {
            self.run_action(action, &ctx);
        }
        self.ship_windows(&ctx);
        self.modal_ui(&ctx);

        // A gesture ends when nothing is held and no text field is typed in.
        if !ctx.input(|i| i.pointer.any_down()) && !ctx.egui_wants_keyboard_input() {
            self.doc.seal();
        }
        let title = self.title();
        if title != self.shown_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
        let state = (self.doc.key(), self.doc.history().state());
        let original = match self.doc.source() {
            Source::File(p) => Some(p.clone()),
            Source::Recovered { original } => original.clone(),
            _ => None,
        };
        match self.recovery.tick(
            state,
            self.doc.is_dirty(),
            self.doc.topology(),
            original.as_deref(),
            Instant::now(),
        ) {
            Ok(Some(wait)) => ctx.request_repaint_after(wait),
            Ok(None) => {}
            Err(err) => self.say(format!("Autosave failed: {err}"), true),
        }
    }
}

impl TopoplanApp {
    /// The Export Terraform and Apply to AWS windows.
    fn ship_windows(&mut self, ctx: &egui::Context) {
        let out = self.export.show(ctx, self.doc.topology());
        if out.pick_folder {
            self.pick_export_folder(ctx);
        }
        if let Some(id) = out.select_node {
            self.select_node(&id);
            if let Some(&ix) = self.selection.nodes.first() {
                self.canvas.reveal(ix);
            }
        }
        let at = (self.doc.key(), self.doc.topology().revision());
        let errors = self.doc.last_report().errors.len();
        self.apply.show(ctx, self.doc.topology(), at, errors);
    }
}

/// Ids of the nodes an edit adds (to select them afterwards).
fn added_ids(edit: &Edit) -> Vec<String> {
    match edit {
        Edit::AddNode(node) => vec![node.id.clone()],
        Edit::Batch(edits) => edits.iter().flat_map(added_ids).collect(),
        _ => Vec::new(),
    }
}

impl eframe::App for TopoplanApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.tab = Some(self.tab);
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}

/// Opens the desktop window (glow backend) and blocks until it closes;
/// on `tab` if given; with `what_if`, on the What-if tab with those
/// elements failed.
pub fn run(
    path: Option<PathBuf>,
    tab: Option<Tab>,
    what_if: Option<Vec<topoplan_core::sim::Failure>>,
) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("topoplan")
            .with_app_id("topoplan")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([800.0, 500.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "topoplan",
        options,
        Box::new(move |cc| {
            let settings: Settings = cc
                .storage
                .and_then(|s| eframe::get_value(s, SETTINGS_KEY))
                .unwrap_or_default();
            let mut config = Config::native();
            config.show_gallery = path.is_none() && !settings.seen_gallery;
            let mut app = TopoplanApp::with_config(path, config, settings);
            if let Some(tab) = tab {
                app.show_tab(tab);
            }
            if let Some(failures) = what_if {
                app.start_what_if(failures);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
