//! Ship → Export Terraform: the document as a Terraform root module in a
//! folder the user picks (through [`crate::files::Dialogs`]), written on a
//! background thread with the same `exports::terraform` calls as
//! `topoplan export terraform`, then a summary: files written, resources,
//! variables to set, and the warnings of each node (clicking a node selects
//! it), with "Open folder".

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use egui::{RichText, Ui};
use topoplan_core::Topology;
use topoplan_exports::terraform::{
    self, ExportError, ExportOptions, ExportWarning, NatGateways, WriteError, WriteOptions,
    WriteReport,
};

use crate::jobs::{Job, Poll};

/// A finished export.
#[derive(Clone, Debug)]
pub struct Exported {
    pub dir: PathBuf,
    pub written: WriteReport,
    pub resources: usize,
    pub files: usize,
    /// Warnings per node, in document order.
    pub warnings: Vec<(String, Vec<ExportWarning>)>,
    /// Variables without a default (`terraform plan` asks for them).
    pub required_variables: Vec<String>,
    pub nat: NatGateways,
}

/// Why an export wrote nothing.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The document has errors, or files are in the way (overwriting
    /// them is offered): the exporter's message.
    Refused {
        text: String,
        conflicts: bool,
    },
    Failed(String),
}

type Outcome = Result<Exported, Failure>;

/// Exports `topology` into `dir` (what `topoplan export terraform` does).
pub fn export_to(topology: &Topology, dir: &Path, nat: NatGateways, force: bool) -> Outcome {
    let mut options = ExportOptions::default();
    options.nat_gateways = nat;
    let export = match terraform::export(topology, &options) {
        Ok(export) => export,
        Err(err @ ExportError::Invalid(_)) => {
            return Err(Failure::Refused {
                text: err.to_string(),
                conflicts: false,
            });
        }
        Err(err) => return Err(Failure::Failed(err.to_string())),
    };
    let written = match export.write_to(dir, &WriteOptions::force(force)) {
        Ok(report) => report,
        Err(err @ WriteError::Refused { .. }) => {
            return Err(Failure::Refused {
                text: err
                    .to_string()
                    .replace("pass --force to overwrite", "\"Overwrite\" replaces them"),
                conflicts: true,
            });
        }
        Err(err) => return Err(Failure::Failed(err.to_string())),
    };
    let mut warnings: Vec<(String, Vec<ExportWarning>)> = Vec::new();
    for w in export.warnings() {
        match warnings.last_mut() {
            Some((node, list)) if *node == w.node => list.push(w.clone()),
            _ => warnings.push((w.node.clone(), vec![w.clone()])),
        }
    }
    Ok(Exported {
        dir: dir.to_owned(),
        written,
        resources: export.resources().len(),
        files: export.files().len(),
        warnings,
        required_variables: export
            .variables()
            .iter()
            .filter(|v| v.required)
            .map(|v| v.name.clone())
            .collect(),
        nat,
    })
}

enum State {
    Running(Job<Outcome>),
    Finished(Outcome),
}

/// The export window: running, or the summary of the last export.
#[derive(Default)]
pub struct ExportPanel {
    state: Option<(PathBuf, State)>,
    nat: NatGateways,
    open: bool,
}

impl std::fmt::Debug for ExportPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportPanel")
            .field("open", &self.open)
            .field("busy", &self.is_busy())
            .finish_non_exhaustive()
    }
}

/// What the window asks the app to do.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ExportOutput {
    /// Pick another folder and export there.
    pub pick_folder: bool,
    pub select_node: Option<String>,
}

impl ExportPanel {
    /// Starts exporting a snapshot of `topology` into `dir`.
    pub fn start(&mut self, ctx: &egui::Context, topology: &Topology, dir: PathBuf, force: bool) {
        let snapshot = topology.clone();
        let nat = self.nat;
        let target = dir.clone();
        self.open = true;
        self.state = Some(
            match Job::spawn("terraform export", ctx, move |_| {
                export_to(&snapshot, &target, nat, force)
            }) {
                Ok(job) => (dir, State::Running(job)),
                Err(e) => (
                    dir,
                    State::Finished(Err(Failure::Failed(format!(
                        "cannot start the export: {e}"
                    )))),
                ),
            },
        );
    }

    pub fn is_busy(&self) -> bool {
        matches!(self.state, Some((_, State::Running(_))))
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The last finished export, if it succeeded.
    pub fn exported(&self) -> Option<&Exported> {
        match &self.state {
            Some((_, State::Finished(Ok(e)))) => Some(e),
            _ => None,
        }
    }

    /// Collects a finished export.
    pub fn update(&mut self, ctx: &egui::Context) {
        if let Some((_, State::Running(job))) = &self.state {
            let finished = match job.poll(ctx) {
                Poll::Running { .. } => return,
                Poll::Done(outcome) => outcome,
                Poll::Lost => Err(Failure::Failed("the export stopped unexpectedly".into())),
            };
            if let Some((_, state)) = &mut self.state {
                *state = State::Finished(finished);
            }
        }
    }

    /// The window, when open.
    pub fn show(&mut self, ctx: &egui::Context, topology: &Topology) -> ExportOutput {
        let mut out = ExportOutput::default();
        if !self.open {
            return out;
        }
        let mut open = true;
        let mut again: Option<(PathBuf, bool)> = None;
        egui::Window::new("Export Terraform")
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_width(560.0)
            .default_pos(ctx.content_rect().center() - egui::vec2(280.0, 220.0))
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.label("NAT gateways");
                    ui.radio_value(&mut self.nat, NatGateways::PerAz, "one per AZ")
                        .on_hover_text("Losing an AZ never cuts the other AZs' egress");
                    ui.radio_value(&mut self.nat, NatGateways::PerRegion, "one per region")
                        .on_hover_text("Cheaper; a region's egress depends on one AZ");
                });
                ui.separator();
                match &self.state {
                    None => {
                        ui.label("Choose a folder to write the Terraform root module into.");
                    }
                    Some((dir, State::Running(_))) => {
                        ui.horizontal(|ui| {
                            ui.spinner();
                            ui.label(format!("Writing to {}…", dir.display()));
                        });
                    }
                    Some((dir, State::Finished(Err(failure)))) => {
                        let (text, conflicts) = match failure {
                            Failure::Refused { text, conflicts } => (text.as_str(), *conflicts),
                            Failure::Failed(text) => (text.as_str(), false),
                        };
                        ui.colored_label(ui.visuals().error_fg_color, "Nothing was written.");
                        egui::ScrollArea::vertical()
                            .max_height(260.0)
                            .show(ui, |ui| {
                                ui.label(text);
                            });
                        if conflicts
                            && ui
                                .button("Overwrite")
                                .on_hover_text("Replace the files in the way")
                                .clicked()
                        {
                            again = Some((dir.clone(), true));
                        }
                    }
                    Some((_, State::Finished(Ok(e)))) => {
                        out.select_node = summary(ui, e, topology);
                        ui.add_space(6.0);
                        ui.horizontal(|ui| {
                            if ui.button("Open folder").clicked() {
                                open_folder(&e.dir);
                            }
                            if e.nat != self.nat
                                && ui
                                    .button("Export again")
                                    .on_hover_text("With the NAT gateway choice above")
                                    .clicked()
                            {
                                again = Some((e.dir.clone(), false));
                            }
                        });
                    }
                }
                ui.add_space(4.0);
                if !self.is_busy() && ui.button("Choose a folder and export…").clicked() {
                    out.pick_folder = true;
                }
            });
        if let Some((dir, force)) = again {
            self.start(ctx, topology, dir, force);
        }
        if !open {
            self.open = false;
        }
        out
    }

    /// Opens the window without exporting (the folder dialog follows).
    pub fn open_window(&mut self) {
        self.open = true;
    }
}

/// What was written, the variables to set and the warnings per node.
fn summary(ui: &mut Ui, e: &Exported, topology: &Topology) -> Option<String> {
    let mut select = None;
    ui.label(RichText::new(format!("Exported to {}", e.dir.display())).strong());
    let mut line = format!(
        "{} files ({} written, {} unchanged) with {} resources",
        e.files,
        e.written.written.len(),
        e.written.unchanged.len(),
        e.resources
    );
    if !e.written.removed.is_empty() {
        let _ = write!(
            line,
            "; removed {} no longer generated: {}",
            e.written.removed.len(),
            e.written.removed.join(", ")
        );
    }
    ui.label(line);
    if !e.required_variables.is_empty() {
        ui.label(format!(
            "Set before terraform apply: {} (see terraform.tfvars.example)",
            e.required_variables.join(", ")
        ));
    }
    if e.warnings.is_empty() {
        ui.label("Every node was expressed as drawn: no warnings.");
        return None;
    }
    let count: usize = e.warnings.iter().map(|(_, w)| w.len()).sum();
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "{} on {} node{}",
            crate::edits::count(count, "warning"),
            e.warnings.len(),
            if e.warnings.len() == 1 { "" } else { "s" }
        ))
        .color(ui.visuals().warn_fg_color),
    );
    let by_code: BTreeMap<&str, usize> = e
        .warnings
        .iter()
        .flat_map(|(_, w)| w.iter().map(|w| w.code))
        .fold(BTreeMap::new(), |mut m, c| {
            *m.entry(c).or_default() += 1;
            m
        });
    ui.label(
        RichText::new(
            by_code
                .iter()
                .map(|(c, n)| format!("{c} ×{n}"))
                .collect::<Vec<_>>()
                .join(" · "),
        )
        .small()
        .weak(),
    );
    egui::ScrollArea::vertical()
        .max_height(300.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for (node, warnings) in &e.warnings {
                ui.horizontal(|ui| {
                    if topology.contains(node) {
                        if ui.link(RichText::new(node).strong()).clicked() {
                            select = Some(node.clone());
                        }
                    } else {
                        ui.strong(node);
                    }
                });
                for w in warnings {
                    ui.horizontal_wrapped(|ui| {
                        ui.add_space(12.0);
                        ui.label(RichText::new(w.code).small().monospace().weak());
                        ui.label(&w.message);
                    });
                }
            }
        });
    select
}

/// Opens `dir` in the platform's file manager.
fn open_folder(dir: &Path) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    // Nothing to report if there is no file manager: the path is on screen.
    if let Ok(mut child) = std::process::Command::new(program)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        // Reaped on its own thread, so no zombie is left behind.
        let _ = std::thread::Builder::new()
            .name("open-folder".into())
            .spawn(move || child.wait());
    }
}
