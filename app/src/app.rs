//! The desktop window: a document on the canvas, with a top bar.

use std::path::PathBuf;

use topoplan_core::model::{DeploymentMode, io};
use topoplan_core::{Report, Topology, templates};

use crate::canvas::Canvas;

/// Where the open document came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Template(&'static str),
    File(PathBuf),
}

/// The application: one open document and its view state.
#[derive(Debug)]
pub struct TopoplanApp {
    topology: Topology,
    report: Report,
    source: Source,
    canvas: Canvas,
    /// Distinguishes documents for caches keyed on the revision counter.
    document_key: usize,
    /// A problem to show the user (e.g. a file that would not open).
    error: Option<String>,
    /// The window title last sent; sending one requests a repaint, so only
    /// changes are sent (an idle window must not redraw).
    shown_title: String,
}

impl TopoplanApp {
    /// Opens `path`, or the default template when there is none. A file that
    /// fails to load is reported in the window, over the default template.
    pub fn new(path: Option<PathBuf>) -> Self {
        let mut app = Self::with_template(templates::DEFAULT);
        if let Some(path) = path {
            app.open(path);
        }
        app
    }

    pub fn with_template(name: &'static str) -> Self {
        let (topology, error) = match templates::find(name).map(templates::Template::load) {
            Some(Ok(t)) => (t, None),
            Some(Err(errs)) => (
                Topology::new(topoplan_core::model::Meta::new("Untitled")),
                Some(format!("template {name} is invalid: {}", errs[0])),
            ),
            None => (
                Topology::new(topoplan_core::model::Meta::new("Untitled")),
                Some(format!("no template named {name}")),
            ),
        };
        let report = topoplan_core::validate::validate(&topology);
        Self {
            topology,
            report,
            source: Source::Template(name),
            canvas: Canvas::new(),
            document_key: 0,
            error,
            shown_title: String::new(),
        }
    }

    /// Replaces the document with the file at `path`; on failure the current
    /// document stays and the error is shown.
    pub fn open(&mut self, path: PathBuf) {
        match io::load(&path) {
            Ok(loaded) => self.replace(loaded.topology, loaded.report, Source::File(path)),
            Err(err) => self.error = Some(err.to_string()),
        }
    }

    fn replace(&mut self, topology: Topology, report: Report, source: Source) {
        self.topology = topology;
        self.report = report;
        self.source = source;
        self.document_key += 1;
        self.canvas.request_fit();
        self.error = None;
    }

    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn title(&self) -> String {
        let what = match &self.source {
            Source::Template(name) => format!("template {name}"),
            Source::File(path) => path.display().to_string(),
        };
        format!("{} — {what} — topoplan", self.topology.meta().name)
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.strong(&self.topology.meta().name);
            ui.separator();
            let mut chosen = None;
            let current = match &self.source {
                Source::Template(name) => (*name).to_owned(),
                Source::File(path) => path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            egui::ComboBox::from_label("template")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for t in templates::TEMPLATES {
                        if ui
                            .selectable_label(self.source == Source::Template(t.name), t.name)
                            .on_hover_text(t.description())
                            .clicked()
                        {
                            chosen = Some(t.name);
                        }
                    }
                });
            if let Some(name) = chosen {
                let app = Self::with_template(name);
                self.replace(app.topology, app.report, app.source);
            }
            ui.separator();
            let meta = self.topology.meta();
            let mode = match meta.deployment.mode {
                DeploymentMode::Single => "single region",
                DeploymentMode::ActivePassive => "active-passive",
                DeploymentMode::ActiveActive => "active-active",
            };
            ui.label(format!(
                "{mode} · {} region{} · {} nodes · {} edges · peak {} rps",
                meta.regions.len(),
                if meta.regions.len() == 1 { "" } else { "s" },
                self.topology.node_count(),
                self.topology.edge_count(),
                crate::style::compact(meta.traffic.peak_rps),
            ));
            ui.separator();
            let (errors, warnings) = (self.report.errors.len(), self.report.warnings.len());
            let status = if errors > 0 {
                egui::RichText::new(format!(
                    "{errors} error{}",
                    if errors == 1 { "" } else { "s" }
                ))
                .color(ui.visuals().error_fg_color)
            } else if warnings > 0 {
                egui::RichText::new(format!(
                    "valid · {warnings} warning{}",
                    if warnings == 1 { "" } else { "s" }
                ))
                .color(ui.visuals().warn_fg_color)
            } else {
                egui::RichText::new("valid")
            };
            let hover = self
                .report
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n");
            let label = ui.label(status);
            if !hover.is_empty() {
                label.on_hover_text(hover);
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
                }
                if ui
                    .button("Fit")
                    .on_hover_text("Fit the whole topology in view (F)")
                    .clicked()
                {
                    self.canvas.request_fit();
                }
            });
        });
    }
}

impl eframe::App for TopoplanApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let title = self.title();
        if title != self.shown_title {
            ui.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.shown_title = title;
        }
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar(ui));
        if let Some(error) = self.error.clone() {
            egui::Panel::bottom("error_bar").show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.colored_label(ui.visuals().error_fg_color, error);
                    if ui.button("Dismiss").clicked() {
                        self.error = None;
                    }
                });
            });
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                self.canvas.show(ui, &self.topology, self.document_key);
            });
    }
}

/// Opens the desktop window (glow backend) and blocks until it closes.
pub fn run(path: Option<PathBuf>) -> anyhow::Result<()> {
    let app = TopoplanApp::new(path);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(app.title())
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([640.0, 400.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native("topoplan", options, Box::new(|_cc| Ok(Box::new(app))))
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;

    fn harness(app: TopoplanApp) -> Harness<'static, TopoplanApp> {
        Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .build_eframe(|_cc| app)
    }

    #[test]
    fn shows_the_default_template_summary() {
        let mut h = harness(TopoplanApp::new(None));
        h.run();
        h.get_by_label("Three-tier web app");
        h.get_by_label("single region · 1 region · 7 nodes · 6 edges · peak 3000 rps");
        h.get_by_label("valid");
    }

    #[test]
    fn switching_template_replaces_the_document() {
        let mut h = harness(TopoplanApp::new(None));
        h.run();
        h.get_by_label("template").click();
        h.run();
        h.get_by_label("marketplace").click();
        h.run();
        assert_eq!(
            h.state().topology().meta().name,
            "Marketplace at 1M daily users"
        );
        h.get_by_label("active-passive · 2 regions · 13 nodes · 13 edges · peak 2400 rps");
    }

    #[test]
    fn a_malformed_file_is_reported_and_the_document_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.json");
        std::fs::write(&path, "{ not json").unwrap();
        let mut h = harness(TopoplanApp::new(Some(path)));
        h.run();
        assert_eq!(h.state().topology().meta().name, "Three-tier web app");
        let error = h.state().error().unwrap().to_owned();
        assert!(
            error.contains("broken.json") && error.contains("not valid JSON"),
            "{error}"
        );
        h.get_by_label("Dismiss").click();
        h.run();
        assert!(h.state().error().is_none());
    }

    #[test]
    fn an_idle_window_stops_repainting() {
        let mut h = harness(TopoplanApp::new(None));
        // `run` panics when the UI keeps asking for frames.
        h.run();
        h.run();
    }

    #[test]
    fn fit_and_theme_buttons_work() {
        let mut h = harness(TopoplanApp::new(None));
        h.run();
        let dark = h.ctx.global_style().visuals.dark_mode;
        h.get_by_label(if dark { "Light theme" } else { "Dark theme" })
            .click();
        h.run();
        assert_ne!(h.ctx.global_style().visuals.dark_mode, dark);
        h.get_by_label("Fit").click();
        h.run();
    }
}
