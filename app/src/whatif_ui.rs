//! The What-if panel: a failure scenario built by clicking the canvas (or
//! from presets and the SPOF list), what `core::sim` says it does — served
//! traffic overall and per entry point, p95 latency, the recovery timeline,
//! each node's state on the canvas — the single points of failure, and the
//! design's availability from `core::availability`. The same engine calls
//! as `topoplan simulate`, `spof` and `availability`.
//!
//! Everything runs off the UI thread: the compact graph is built once per
//! document revision and kept (with the outcome of nothing failed), each
//! scenario change simulates on a [`Job`] (60 ms on 5,000 nodes in a debug
//! build, a few in release), and the last result stays on screen while the
//! next one runs. The sweep of every single failure and the availability
//! figure are jobs of their own, once per revision, while the tab is open.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use egui::{Color32, RichText, Ui};
use egui_plot::{HLine, HoverPosition, Line, LineStyle, Plot, VLine};
use petgraph::stable_graph::NodeIndex;
use topoplan_core::Topology;
use topoplan_core::availability::format_duration;
use topoplan_core::availability::topology::{self as availability, Assessment};
use topoplan_core::model::DeploymentMode;
use topoplan_core::sim::{
    self, Compact, Element, Engine, Failure, NodeState, Outcome, Phase, Scenario, SpofReport,
    SweepRow,
};

use crate::canvas::Toggle;
use crate::health::{Failed, Health, HealthMap, SiteHealth};
use crate::jobs::{Background, Job, Poll, Progress};

/// `(document key, revision)`: what a result was computed for.
type At = (u64, u64);

/// A share as a percentage (the CLI's format).
pub use topoplan_core::sim::share_percent as percent;

/// One revision of the document, flattened for the engine.
#[derive(Debug)]
struct Prepared {
    at: At,
    compact: Compact,
    /// The outcome with nothing failed (p95 "normally").
    baseline: Result<Outcome, String>,
    /// Node ids to indices (the compact graph numbers nodes as the
    /// document does).
    index: HashMap<String, NodeIndex>,
}

impl Prepared {
    fn new(at: At, topology: &Topology) -> Self {
        let compact = Compact::build(topology);
        let mut engine = Engine::new(&compact);
        let baseline = sim::simulate_with(&compact, &mut engine, &Scenario::default())
            .map_err(|e| e.to_string());
        let index = compact
            .deployed_nodes()
            .map(|n| (compact.node_id(n).to_owned(), n))
            .collect();
        Self {
            at,
            compact,
            baseline,
            index,
        }
    }
}

/// A scenario's result, as shown.
#[derive(Debug)]
pub struct Simulated {
    prepared: Arc<Prepared>,
    /// The scenario generation it was computed for.
    generation: u64,
    pub outcome: Result<Outcome, String>,
    /// Node states by node and region (no failed marks, no stamp).
    sites: HealthMap,
    /// Indices into the outcome's nodes that are not ok, by state (down,
    /// saturated, degraded), each by id.
    affected: [Vec<usize>; 3],
}

fn simulate(prepared: Arc<Prepared>, generation: u64, failures: Vec<Failure>) -> Simulated {
    let c = &prepared.compact;
    let mut engine = Engine::new(c);
    let outcome =
        sim::simulate_with(c, &mut engine, &Scenario::new(failures)).map_err(|e| e.to_string());
    let mut sites = HealthMap::default();
    if let Ok(o) = &outcome {
        for node in &o.nodes {
            let Some(&ix) = prepared.index.get(&node.id) else {
                continue;
            };
            for r in &node.regions {
                // The global copy is reported in the "global" slot.
                let region = c.regions.contains(&r.region).then_some(r.region.as_str());
                sites.insert(
                    ix,
                    region,
                    SiteHealth {
                        health: Health::from(r.state),
                        served_fraction: r.served,
                        reason: r.reason.clone(),
                    },
                );
            }
        }
    }
    // Sorted here rather than every frame (5,000 nodes).
    let mut affected: [Vec<usize>; 3] = Default::default();
    if let Ok(o) = &outcome {
        for (i, n) in o.nodes.iter().enumerate() {
            match n.state {
                NodeState::Down => affected[0].push(i),
                NodeState::Saturated => affected[1].push(i),
                NodeState::Degraded => affected[2].push(i),
                NodeState::Ok => {}
            }
        }
        for list in &mut affected {
            list.sort_by(|a, b| o.nodes[*a].id.cmp(&o.nodes[*b].id));
        }
    }
    Simulated {
        prepared,
        generation,
        outcome,
        sites,
        affected,
    }
}

/// The What-if tab's state: the scenario (view state, never saved) and
/// the engine's results.
#[derive(Debug, Default)]
pub struct WhatIfPanel {
    /// The scenario, in the order the failures were added.
    failures: Vec<Failure>,
    /// Bumped on every change of `failures`.
    generation: u64,
    /// The revision `failures` was last checked against.
    checked_at: Option<At>,
    prepared: Option<Arc<Prepared>>,
    job: Option<((At, u64), Job<Simulated>)>,
    shown: Option<Simulated>,
    /// The scenario job that failed (its thread ended without a result, or
    /// could not start), and why: not started again for the same request.
    failed: Option<((At, u64), String)>,
    /// What the canvas draws: `shown`'s states and the current scenario's
    /// failed elements.
    health: HealthMap,
    stamps: u64,
    /// The regions and AZs the presets offer, for `checked_at`.
    presets: (Vec<String>, Vec<String>),
    sweep: Background<SpofReport>,
    /// Every pair of failures, on request (minutes on large designs).
    pairs: Background<SpofReport>,
    /// The revision pairs were asked for.
    pairs_wanted: Option<At>,
    availability: Background<Assessment>,
    show_all_rows: bool,
}

/// What the panel asks the app to do.
#[derive(Debug, Default)]
pub struct WhatIfOutput {
    /// Bring this node into view.
    pub reveal: Option<String>,
}

impl WhatIfPanel {
    /// The scenario.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }

    /// Replaces the scenario.
    pub fn set_failures(&mut self, failures: Vec<Failure>) {
        if failures != self.failures {
            self.failures = failures;
            self.generation += 1;
        }
    }

    /// Fails what was clicked on the canvas, or brings it back.
    pub fn toggle(&mut self, topology: &Topology, toggle: &Toggle) {
        let failure = match toggle {
            Toggle::Node(ix) => match topology.graph().node_weight(*ix) {
                Some(node) => Failure::Node {
                    id: node.id.clone(),
                    region: None,
                },
                None => return,
            },
            Toggle::NodeIn(ix, region) => match topology.graph().node_weight(*ix) {
                Some(node) => Failure::Node {
                    id: node.id.clone(),
                    region: Some(region.clone()),
                },
                None => return,
            },
            Toggle::Az(id) => Failure::Az { id: id.clone() },
            Toggle::Region(id) => Failure::Region { id: id.clone() },
        };
        let mut failures = self.failures.clone();
        if let Some(i) = failures.iter().position(|f| *f == failure) {
            failures.remove(i);
        } else {
            failures.push(failure);
        }
        self.set_failures(failures);
    }

    /// The last scenario result (possibly for an earlier scenario or
    /// revision while the next one runs).
    pub fn shown(&self) -> Option<&Simulated> {
        self.shown.as_ref()
    }

    /// The outcome for this revision and scenario, once computed.
    pub fn outcome(&self, at: At) -> Option<&Outcome> {
        self.shown
            .as_ref()
            .filter(|s| s.prepared.at == at && s.generation == self.generation)
            .and_then(|s| s.outcome.as_ref().ok())
    }

    /// What the canvas draws, once something was simulated.
    pub fn health(&self) -> Option<&HealthMap> {
        self.shown.as_ref().map(|_| &self.health)
    }

    /// The sweep of every single failure for this revision, once done.
    pub fn spofs(&self, at: At) -> Option<&SpofReport> {
        self.sweep.current(at)
    }

    pub fn assessment(&self, at: At) -> Option<&Assessment> {
        self.availability.current(at)
    }

    /// Whether a scenario, a sweep or the availability is being computed.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
            || self.sweep.job.is_some()
            || self.pairs.job.is_some()
            || self.availability.job.is_some()
    }

    /// Collects finished results and starts what is missing. `active`: the
    /// tab is open (nothing is computed otherwise); `valid`: the document
    /// has no errors (the engine needs a valid design).
    pub fn update(
        &mut self,
        ctx: &egui::Context,
        topology: &Topology,
        key: u64,
        valid: bool,
        active: bool,
    ) {
        let now = (key, topology.revision());
        if self.checked_at != Some(now) {
            self.checked_at = Some(now);
            self.presets = in_use(topology);
            let kept: Vec<Failure> = self
                .failures
                .iter()
                .filter(|f| names_something(topology, f))
                .cloned()
                .collect();
            self.set_failures(kept);
        }
        self.poll_scenario(ctx);
        let failed = failed_marks(topology, &self.failures);
        if failed != self.health.failed {
            self.health.failed = failed;
            self.restamp();
        }
        let wanted = (active && valid).then_some(now);
        if let Some(now) = wanted {
            let fresh = self
                .shown
                .as_ref()
                .is_some_and(|s| s.prepared.at == now && s.generation == self.generation);
            let failed = self
                .failed
                .as_ref()
                .is_some_and(|(request, _)| *request == (now, self.generation));
            if !fresh && !failed && self.job.is_none() {
                self.start_scenario(ctx, topology, now);
            }
        }
        // The sweep waits for the revision's compact graph (built by the
        // first scenario job, which it would otherwise slow down).
        let prepared = self.prepared.clone().filter(|p| Some(p.at) == wanted);
        let sweep_wanted = wanted.filter(|_| prepared.is_some());
        self.sweep.update(ctx, sweep_wanted, "failure sweep", || {
            move |progress: &Progress| {
                let Some(p) = prepared else {
                    return Err("no compact graph to sweep".to_owned());
                };
                let c = &p.compact;
                progress.set_total(sim::sweep::elements(c).len() as u64);
                sim::sweep::sweep_compact_with(c, false, &|n| {
                    progress.advance(n);
                    !progress.is_cancelled()
                })
                .ok_or_else(|| "the sweep was stopped".to_owned())
            }
        });
        let pairs_wanted = sweep_wanted.filter(|now| self.pairs_wanted == Some(*now));
        let pairs_source = self.prepared.clone();
        // The scenarios it runs: the singles again, then every pair of
        // elements that are not SPOFs alone.
        let scenarios = wanted.and_then(|now| self.sweep.current(now)).map(|r| {
            let m = r.singles.iter().filter(|row| !row.spof).count() as u64;
            r.singles.len() as u64 + m * m.saturating_sub(1) / 2
        });
        self.pairs.update(ctx, pairs_wanted, "pair sweep", || {
            move |progress: &Progress| {
                let Some(p) = pairs_source else {
                    return Err("no compact graph to sweep".to_owned());
                };
                progress.set_total(scenarios.unwrap_or(0));
                sim::sweep::sweep_compact_with(&p.compact, true, &|n| {
                    progress.advance(n);
                    !progress.is_cancelled()
                })
                .ok_or_else(|| "the pair sweep was stopped".to_owned())
            }
        });
        self.availability.update(ctx, wanted, "availability", || {
            let t = topology.clone();
            move |_: &Progress| Ok(availability::assess(&t, availability::Options::default()))
        });
    }

    fn restamp(&mut self) {
        self.stamps += 1;
        self.health.stamp = self.stamps;
    }

    fn poll_scenario(&mut self, ctx: &egui::Context) {
        let Some((_, job)) = &self.job else { return };
        match job.poll(ctx) {
            Poll::Running { .. } => {}
            Poll::Done(simulated) => {
                self.job = None;
                if self
                    .prepared
                    .as_ref()
                    .is_none_or(|p| p.at != simulated.prepared.at)
                {
                    self.prepared = Some(Arc::clone(&simulated.prepared));
                }
                let failed = std::mem::take(&mut self.health.failed);
                self.health = simulated.sites.clone();
                self.health.failed = failed;
                self.restamp();
                self.shown = Some(simulated);
            }
            Poll::Lost => {
                // Not retried for the same revision and scenario; the panel
                // says so over what stays on screen.
                self.failed = self.job.take().map(|(request, _)| {
                    (request, "the simulation stopped unexpectedly".to_owned())
                });
            }
        }
    }

    fn start_scenario(&mut self, ctx: &egui::Context, topology: &Topology, now: At) {
        let generation = self.generation;
        let failures = self.failures.clone();
        // The compact graph is built once per revision, on the job thread.
        let source = match self.prepared.clone().filter(|p| p.at == now) {
            Some(p) => Ok(p),
            None => Err(topology.clone()),
        };
        let work = move |_: &Progress| {
            let prepared = source.unwrap_or_else(|t| Arc::new(Prepared::new(now, &t)));
            simulate(prepared, generation, failures)
        };
        match Job::spawn("what-if", ctx, work) {
            Ok(job) => self.job = Some(((now, generation), job)),
            Err(e) => {
                self.failed = Some((
                    (now, generation),
                    format!("cannot start the simulation: {e}"),
                ));
            }
        }
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        topology: &Topology,
        key: u64,
        errors: usize,
    ) -> WhatIfOutput {
        let mut out = WhatIfOutput::default();
        let now = (key, topology.revision());
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.scenario_ui(ui);
                ui.separator();
                if errors > 0 {
                    ui.label(format!(
                        "The document has {}: the simulation needs a valid design. Fix them in the Problems tab.",
                        crate::edits::count(errors, "error")
                    ));
                    return;
                }
                self.outcome_ui(ui, topology, now, &mut out);
                ui.add_space(8.0);
                self.spof_ui(ui, now);
                ui.add_space(8.0);
                self.pairs_ui(ui, now);
                ui.add_space(8.0);
                self.availability_ui(ui, topology, now);
            });
        // What changed this frame (a preset, a row, the tab just opened)
        // starts its job in the next one: ask for it.
        if errors == 0 && self.waiting_to_start(now) {
            ui.ctx().request_repaint();
        }
        out
    }

    /// A result is missing and nothing computes it yet.
    fn waiting_to_start(&self, now: At) -> bool {
        let request = (now, self.generation);
        let scenario = self.job.is_none()
            && self.failed.as_ref().is_none_or(|(r, _)| *r != request)
            && self
                .shown
                .as_ref()
                .is_none_or(|s| (s.prepared.at, s.generation) != request);
        scenario || self.sweep.idle(now) || self.availability.idle(now)
    }

    /// The failures, presets, and the hint.
    fn scenario_ui(&mut self, ui: &mut Ui) {
        let mut next: Option<Vec<Failure>> = None;
        ui.horizontal(|ui| {
            ui.strong("Scenario");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .add_enabled(!self.failures.is_empty(), egui::Button::new("Clear"))
                    .on_hover_text("Bring everything back")
                    .clicked()
                {
                    next = Some(Vec::new());
                }
            });
        });
        if self.failures.is_empty() {
            ui.label(RichText::new("nothing failed").weak());
        } else {
            ui.horizontal_wrapped(|ui| {
                for (i, f) in self.failures.iter().enumerate() {
                    let chip = egui::Button::new(
                        RichText::new(format!("{f}  ×")).color(Health::Down.color()),
                    )
                    .small()
                    .corner_radius(8);
                    if ui.add(chip).on_hover_text("Bring it back").clicked() {
                        let mut rest = self.failures.clone();
                        rest.remove(i);
                        next = Some(rest);
                    }
                }
            });
        }
        ui.label(
            RichText::new(
                "Click a node, an AZ band or a region's title on the canvas to fail it (Shift-click a node: in that region only); click again to bring it back.",
            )
            .small()
            .weak(),
        );
        let (regions, azs) = &self.presets;
        let mut preset = |ui: &mut Ui, failure: Failure, text: &str| {
            let on = self.failures.len() == 1 && self.failures[0] == failure;
            if ui.selectable_label(on, text).clicked() {
                next = Some(if on { Vec::new() } else { vec![failure] });
            }
        };
        ui.add_space(4.0);
        if !azs.is_empty() {
            ui.label(RichText::new("Lose an AZ").weak());
            ui.horizontal_wrapped(|ui| {
                for az in azs {
                    preset(ui, Failure::Az { id: az.clone() }, &format!("lose {az}"));
                }
            });
        }
        ui.label(RichText::new("Lose a region").weak());
        ui.horizontal_wrapped(|ui| {
            for r in regions {
                preset(ui, Failure::Region { id: r.clone() }, &format!("lose {r}"));
            }
        });
        if let Some(failures) = next {
            self.set_failures(failures);
        }
    }

    fn outcome_ui(&self, ui: &mut Ui, topology: &Topology, now: At, out: &mut WhatIfOutput) {
        if let Some(((at, generation), why)) = &self.failed
            && *at == now
            && *generation == self.generation
        {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Cannot simulate: {why}"),
            );
        }
        let Some(shown) = &self.shown else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Simulating…");
            });
            return;
        };
        let stale = shown.prepared.at != now || shown.generation != self.generation;
        if stale {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(RichText::new("simulating the latest change…").weak());
            });
        }
        let o = match &shown.outcome {
            Ok(o) => o,
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Cannot simulate: {e}"));
                return;
            }
        };
        let state_color = |served: f64| {
            if served + 1e-9 >= o.baseline {
                Health::Ok.color()
            } else if served + 1e-9 >= topology.meta().slo.availability * o.baseline.min(1.0) {
                Health::Degraded.color()
            } else {
                Health::Down.color()
            }
        };
        ui.label(RichText::new("Served traffic").weak());
        // During the incident, once failover has acted, once autoscaling
        // has replaced what it can: the engine's three figures.
        ui.columns(3, |cols| {
            let stats = [
                (
                    o.worst,
                    "at worst",
                    "The lowest share of users' requests served at any moment of the incident",
                ),
                (
                    o.served,
                    "after failover",
                    "Once health checks and regional failover have acted, before autoscaling",
                ),
                (
                    o.recovered,
                    "once autoscaled",
                    "Once autoscaling has replaced what it can, before anyone repairs anything",
                ),
            ];
            for (ui, (value, caption, hover)) in cols.iter_mut().zip(stats) {
                let color = state_color(value);
                ui.label(stat(ui, &percent(value), caption, color))
                    .on_hover_text(hover);
            }
        });
        match o.recovery_secs {
            Some(secs) if o.failures.is_empty() || secs <= 0.0 => {
                if !o.failures.is_empty() {
                    ui.label("No traffic lost: the failure is absorbed at once.");
                }
            }
            Some(secs) => {
                ui.label(format!(
                    "Back to normal ({}) after {}",
                    percent(o.baseline),
                    format_duration(secs)
                ));
            }
            None => {
                ui.colored_label(
                    Health::Down.color(),
                    format!(
                        "Does not recover on its own: {} of requests lost until repaired",
                        percent((o.baseline - o.recovered).max(0.0))
                    ),
                );
            }
        }
        if !o.failures.is_empty() {
            ui.add_space(4.0);
            timeline_plot(ui, o, topology.meta().slo.availability);
        }
        ui.add_space(6.0);
        entries_ui(ui, o, shown.prepared.baseline.as_ref().ok());
        ui.add_space(6.0);
        nodes_ui(ui, o, &shown.affected, out);
    }

    /// Double faults: every pair of elements that are not SPOFs on their
    /// own, on request.
    fn pairs_ui(&mut self, ui: &mut Ui, now: At) {
        ui.strong("Double faults");
        if let Some((_, _, started)) = &self.pairs.job {
            let secs = started.elapsed().as_secs();
            let fraction = self.pairs.fraction.unwrap_or(0.0);
            let mut stop = false;
            ui.label(RichText::new("Failing every two elements together…").weak());
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(200.0)
                        .text(format!("{:.0}% · {secs} s", fraction * 100.0)),
                );
                stop = ui.small_button("Stop").clicked();
            });
            if stop {
                self.pairs.stop();
                self.pairs_wanted = None;
            }
            return;
        }
        let report = match &self.pairs.result {
            Some((at, Ok(r))) if *at == now => r,
            Some((at, Err(e))) if *at == now => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            _ => {
                let ready = self.sweep.current(now).is_some();
                if ui
                    .add_enabled(ready, egui::Button::new("Sweep every pair"))
                    .on_hover_text(
                        "Fail every two elements together (pairs containing a SPOF are \
                         skipped: they break the SLO anyway). Can take minutes on large designs.",
                    )
                    .clicked()
                {
                    self.pairs_wanted = Some(now);
                    self.pairs.stopped = None;
                }
                return;
            }
        };
        ui.label(
            RichText::new(format!(
                "{} pairs evaluated; {} break the SLO",
                report.pairs_evaluated,
                report.pairs.iter().filter(|r| r.spof).count()
            ))
            .weak(),
        );
        let rows: Vec<&SweepRow> = report.pairs.iter().collect();
        if let Some(elements) = rows_grid(ui, "whatif-pairs", &rows, 12, &self.failures) {
            self.set_failures(elements.iter().map(Element::failure).collect());
        }
    }

    fn spof_ui(&mut self, ui: &mut Ui, now: At) {
        ui.strong("Single points of failure");
        if let Some((_, _, started)) = &self.sweep.job {
            let secs = started.elapsed().as_secs();
            let mut stop = false;
            ui.label(RichText::new("Failing every node, AZ and region in turn…").weak());
            ui.horizontal(|ui| {
                let fraction = self.sweep.fraction.unwrap_or(0.0);
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(200.0)
                        .text(format!("{:.0}% · {secs} s", fraction * 100.0)),
                );
                stop = ui
                    .small_button("Stop")
                    .on_hover_text("Stop the sweep (Sweep again restarts it)")
                    .clicked();
            });
            if stop {
                self.sweep.stop();
            }
        }
        let report = match &self.sweep.result {
            Some((at, Ok(r))) => {
                if *at != now && self.sweep.job.is_none() {
                    ui.label(RichText::new("for an earlier version of the design").weak());
                }
                r
            }
            Some((_, Err(e))) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            None => {
                if self.sweep.stopped == Some(now) && ui.button("Sweep again").clicked() {
                    self.sweep.stopped = None;
                }
                return;
            }
        };
        if self.sweep.stopped == Some(now)
            && self.sweep.job.is_none()
            && ui.small_button("Sweep again").clicked()
        {
            self.sweep.stopped = None;
        }
        let spofs: Vec<&SweepRow> = report.spofs().collect();
        if spofs.is_empty() {
            ui.colored_label(
                Health::Ok.color(),
                format!(
                    "None: every single loss keeps the SLO ({}) once failover and autoscaling are done",
                    percent(report.threshold)
                ),
            );
        } else {
            ui.colored_label(
                Health::Down.color(),
                format!(
                    "{} of {} single failures break the SLO ({}) even after recovery",
                    spofs.len(),
                    report.singles.len(),
                    percent(report.threshold)
                ),
            );
        }
        let costly: Vec<&SweepRow> = report
            .singles
            .iter()
            .filter(|r| r.lost > 1e-9 || r.lost_until_recovery > 1e-9)
            .collect();
        if costly.is_empty() {
            ui.label(
                RichText::new("No single failure costs traffic once failover is done.").weak(),
            );
            return;
        }
        ui.label(
            RichText::new("Click one to see it on the canvas.")
                .small()
                .weak(),
        );
        let shown = if self.show_all_rows { costly.len() } else { 12 };
        let pick = rows_grid(ui, "whatif-spofs", &costly, shown, &self.failures);
        if costly.len() > 12 {
            let label = if self.show_all_rows {
                "Show the worst 12".to_owned()
            } else {
                format!("Show all {}", costly.len())
            };
            if ui.small_button(label).clicked() {
                self.show_all_rows = !self.show_all_rows;
            }
        }
        let harmless = report.singles.len() - costly.len();
        if harmless > 0 {
            ui.label(
                RichText::new(format!(
                    "{} more cost nothing once failover is done",
                    crate::edits::count(harmless, "single failure")
                ))
                .small()
                .weak(),
            );
        }
        if let Some(elements) = pick {
            self.set_failures(elements.iter().map(Element::failure).collect());
        }
    }

    fn availability_ui(&self, ui: &mut Ui, topology: &Topology, now: At) {
        ui.strong("Availability");
        if let Some((_, _, started)) = &self.availability.job {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("computing… {} s", started.elapsed().as_secs()));
            });
        }
        let a = match &self.availability.result {
            Some((_, Ok(a))) => a,
            Some((_, Err(e))) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            None => return,
        };
        if self
            .availability
            .result
            .as_ref()
            .is_some_and(|(at, _)| *at != now)
        {
            ui.label(RichText::new("for an earlier version of the design").weak());
        }
        let f = a.figure;
        let slo = topology.meta().slo.availability;
        let color = if f.availability() + 1e-12 >= slo {
            Health::Ok.color()
        } else {
            Health::Down.color()
        };
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(f.percent_text())
                    .size(20.0)
                    .strong()
                    .color(color),
            );
            ui.label(format!("{:.2} nines", f.nines()));
        });
        ui.label(format!(
            "{} of downtime a month · {} a year",
            format_duration(f.downtime_per_month_secs()),
            format_duration(f.downtime_per_year_secs())
        ));
        ui.label(RichText::new(format!("SLO {}", percent(slo))).weak());
        let how = match a.method {
            availability::Method::Exact { pivots: 0 } => {
                "exact (series-parallel, k of n)".to_owned()
            }
            availability::Method::Exact { pivots } => {
                format!("exact, conditioning on {pivots} shared components")
            }
            availability::Method::MonteCarlo {
                trials, low, high, ..
            } => format!(
                "Monte Carlo, {trials} trials: 95% interval {:.4}% – {:.4}%",
                low * 100.0,
                high * 100.0
            ),
        };
        egui::CollapsingHeader::new(RichText::new(format!("How: {how}")).small())
            .id_salt("whatif-availability-how")
            .default_open(false)
            .show(ui, |ui| {
                ui.label(
                    RichText::new(format!("{} components, {} gates", a.components, a.gates))
                        .small(),
                );
                for note in &a.assumptions {
                    ui.label(RichText::new(note).small().weak());
                }
            });
    }
}

/// A large figure over a small caption, as one label (whose text is
/// "figure\ncaption").
/// A ranked table of sweep rows (the first `shown`); returns the row
/// clicked, whose scenario the panel then shows.
fn rows_grid(
    ui: &mut Ui,
    id: &str,
    rows: &[&SweepRow],
    shown: usize,
    current: &[Failure],
) -> Option<Vec<Element>> {
    let mut pick: Option<Vec<Element>> = None;
    egui::Grid::new(id)
        .num_columns(4)
        .striped(true)
        .spacing([8.0, 3.0])
        .show(ui, |ui| {
            ui.label(RichText::new("lose").weak());
            ui.label(RichText::new("served").weak())
                .on_hover_text("after failover → after recovery");
            ui.label(RichText::new("lost").weak())
                .on_hover_text("until repaired");
            ui.label("");
            ui.end_row();
            for row in rows.iter().take(shown) {
                let is_current = row
                    .elements
                    .iter()
                    .map(Element::failure)
                    .collect::<Vec<_>>()
                    == current;
                let text = RichText::new(row.label());
                let text = if is_current { text.strong() } else { text };
                if ui.link(text).clicked() {
                    pick = Some(row.elements.clone());
                }
                ui.label(format!(
                    "{} → {}",
                    percent(row.served),
                    percent(row.recovered)
                ));
                ui.label(percent(row.lost));
                if row.spof {
                    ui.label(RichText::new("SPOF").strong().color(Health::Down.color()))
                        .on_hover_text("Below the SLO even after failover and autoscaling");
                } else {
                    ui.label("");
                }
                ui.end_row();
            }
        });
    pick
}

fn stat(ui: &Ui, figure: &str, caption: &str, color: Color32) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::default();
    job.append(
        figure,
        0.0,
        egui::TextFormat {
            font_id: egui::FontId::proportional(22.0),
            color,
            ..Default::default()
        },
    );
    job.append(
        &format!("\n{caption}"),
        0.0,
        egui::TextFormat {
            font_id: egui::FontId::proportional(11.5),
            color: ui.visuals().weak_text_color(),
            ..Default::default()
        },
    );
    job
}

/// Whether a failure still names something in the document (after an
/// edit, failures of deleted nodes, AZs and regions are dropped).
fn names_something(topology: &Topology, f: &Failure) -> bool {
    let meta = topology.meta();
    match f {
        Failure::Node { id, region } => {
            topology.contains(id) && region.as_ref().is_none_or(|r| meta.region(r).is_some())
        }
        Failure::Az { id } => meta.regions.iter().any(|r| r.azs.contains(id)),
        Failure::Region { id } => meta.region(id).is_some(),
        Failure::Edge { from, to } => topology.contains(from) && topology.contains(to),
        Failure::Degraded { id, .. } => topology.contains(id),
    }
}

/// What the canvas marks as failed.
fn failed_marks(topology: &Topology, failures: &[Failure]) -> Failed {
    let mut failed = Failed::default();
    for f in failures {
        match f {
            Failure::Node { id, region } => {
                if let Some(ix) = topology.node_index(id) {
                    match region {
                        None => {
                            failed.nodes.insert(ix);
                        }
                        Some(r) => {
                            failed.node_sites.insert((ix, r.clone()));
                        }
                    }
                }
            }
            Failure::Az { id } => {
                failed.azs.insert(id.clone());
            }
            Failure::Region { id } => {
                failed.regions.insert(id.clone());
            }
            Failure::Edge { .. } | Failure::Degraded { .. } => {}
        }
    }
    failed
}

/// The regions the deployment mode uses, and the AZs nodes run in there.
fn in_use(topology: &Topology) -> (Vec<String>, Vec<String>) {
    let meta = topology.meta();
    let primary = meta.primary_region().map(|r| r.id.clone());
    let regions: Vec<String> = meta
        .regions
        .iter()
        .filter(|r| {
            meta.deployment.mode != DeploymentMode::Single || Some(&r.id) == primary.as_ref()
        })
        .map(|r| r.id.clone())
        .collect();
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for node in topology.graph().node_weights() {
        for (region, azs) in &node.placement {
            if regions.contains(region) {
                used.extend(azs.iter().map(String::as_str));
            }
        }
    }
    // In the document's order (region by region, AZ by AZ).
    let azs = meta
        .regions
        .iter()
        .flat_map(|r| r.azs.iter())
        .filter(|az| used.contains(az.as_str()))
        .cloned()
        .collect();
    (regions, azs)
}

/// Served share over seconds since the failure, as a step line, with the
/// SLO and the time back to normal (the recovery time) marked.
fn timeline_plot(ui: &mut Ui, o: &Outcome, slo: f64) {
    let last_at = o.timeline.last().map_or(0.0, |p| p.at_secs);
    let end = o.recovery_secs.unwrap_or(last_at).max(last_at).max(60.0) * 1.25;
    let lead = end * 0.08;
    let mut points = vec![[-lead, o.baseline * 100.0]];
    let mut y = o.baseline * 100.0;
    for p in &o.timeline {
        points.push([p.at_secs, y]);
        y = p.served * 100.0;
        points.push([p.at_secs, y]);
    }
    points.push([end, y]);
    let lowest = o
        .timeline
        .iter()
        .map(|p| p.served)
        .fold(slo.min(o.baseline), f64::min)
        * 100.0;
    let phases: Vec<(f64, &'static str)> = o
        .timeline
        .iter()
        .map(|p| {
            (
                p.at_secs,
                match p.phase {
                    Phase::Impact => "failure",
                    Phase::Detected => "detected",
                    Phase::FailedOver => "failed over",
                    Phase::Recovered => "autoscaled",
                },
            )
        })
        .collect();
    let recovered_at = o.recovery_secs.filter(|secs| *secs > 0.0);
    Plot::new("whatif-timeline")
        .height(140.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(100.0)
        .include_y((lowest - 5.0).max(0.0))
        .include_x(-lead)
        .include_x(end)
        .x_grid_spacer(|input| time_marks(&input))
        .x_axis_formatter(|mark, _| {
            if mark.value < 0.0 {
                String::new()
            } else {
                axis_time(mark.value)
            }
        })
        .y_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        .label_formatter(move |hover| {
            let (HoverPosition::NearDataPoint { position, .. }
            | HoverPosition::Elsewhere { position }) = hover;
            let (x, y) = (position.x, position.y);
            let phase = phases
                .iter()
                .rev()
                .find(|(at, _)| *at <= x)
                .map_or("before the failure", |(_, what)| what);
            Some(format!(
                "{} after the failure ({phase})\n{y:.1}%",
                format_duration(x.max(0.0))
            ))
        })
        .show(ui, |plot| {
            plot.hline(
                HLine::new("SLO", slo * 100.0)
                    .color(Health::Degraded.color())
                    .style(LineStyle::dashed_loose()),
            );
            if let Some(secs) = recovered_at {
                plot.vline(
                    VLine::new("back to normal", secs)
                        .color(Health::Ok.color())
                        .style(LineStyle::dashed_dense()),
                );
            }
            plot.line(
                Line::new("served", points)
                    .color(SERVED_COLOR)
                    .width(2.0)
                    // Aggregating into bands would slant the vertical steps.
                    .allow_band(false),
            );
        });
    // The legend, under the chart rather than over the line.
    ui.horizontal_wrapped(|ui| {
        legend_swatch(ui, SERVED_COLOR, "served", false);
        legend_swatch(
            ui,
            Health::Degraded.color(),
            &format!("SLO {}", percent(slo)),
            true,
        );
        if let Some(secs) = recovered_at {
            legend_swatch(
                ui,
                Health::Ok.color(),
                &format!("RTO {}", format_duration(secs)),
                true,
            );
        }
    });
}

/// The served line's colour.
const SERVED_COLOR: Color32 = Color32::from_rgb(59, 130, 246);

/// A short line in a legend, dashed or not, and its name.
fn legend_swatch(ui: &mut Ui, color: Color32, text: &str, dashed: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(16.0, 10.0), egui::Sense::hover());
    let y = rect.center().y;
    let stroke = egui::Stroke::new(2.0, color);
    if dashed {
        for i in 0..3 {
            let x = rect.min.x + 6.0 * i as f32;
            ui.painter()
                .line_segment([egui::pos2(x, y), egui::pos2(x + 3.5, y)], stroke);
        }
    } else {
        ui.painter().line_segment(
            [egui::pos2(rect.min.x, y), egui::pos2(rect.max.x, y)],
            stroke,
        );
    }
    ui.label(RichText::new(text).small());
    ui.add_space(4.0);
}

/// Grid marks on the time axis at whole seconds, minutes or hours, about
/// four across.
fn time_marks(input: &egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    const STEPS: [f64; 12] = [
        5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    ];
    let (lo, hi) = input.bounds;
    let span = (hi - lo).max(1.0);
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s <= 5.0)
        .unwrap_or_else(|| (span / 4.0 / 3600.0).ceil() * 3600.0);
    let mut marks = Vec::new();
    let mut v = (lo.max(0.0) / step).ceil() * step;
    // No mark at the very right edge, where its label would be cut.
    while v <= hi - span * 0.05 && marks.len() < 64 {
        marks.push(egui_plot::GridMark {
            value: v,
            step_size: step,
        });
        v += step;
    }
    marks
}

/// `0`, `45 s`, `5 min`, `6:30`, `2 h`.
fn axis_time(secs: f64) -> String {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "rounded, clamped to 0..=1e9 first"
    )]
    let s = secs.round().clamp(0.0, 1e9) as u64;
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, 0) => "0".to_owned(),
        (0, 0, sec) => format!("{sec} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, sec) => format!("{m}:{sec:02}"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m}"),
    }
}

/// Served share and p95 per entry point (after failover), against nothing
/// failed.
fn entries_ui(ui: &mut Ui, o: &Outcome, baseline: Option<&Outcome>) {
    if o.entries.is_empty() {
        return;
    }
    ui.strong("Entry points");
    egui::Grid::new("whatif-entries")
        .num_columns(3)
        .striped(true)
        .spacing([10.0, 3.0])
        .show(ui, |ui| {
            ui.label(RichText::new("entry").weak());
            ui.label(RichText::new("served").weak());
            ui.label(RichText::new("p95").weak())
                .on_hover_text("After failover (normally: with nothing failed)");
            ui.end_row();
            for e in &o.entries {
                ui.label(&e.node);
                ui.label(percent(e.served));
                let normal = baseline
                    .and_then(|b| b.entries.iter().find(|n| n.node == e.node))
                    .map(|n| n.p95_ms);
                let text = match normal {
                    Some(n) if (n - e.p95_ms).abs() >= 0.5 => {
                        format!("{:.0} ms (normally {n:.0})", e.p95_ms)
                    }
                    _ => format!("{:.0} ms", e.p95_ms),
                };
                ui.label(text);
                ui.end_row();
            }
        });
}

/// How many of the nodes that are not ok the panel lists.
const NODES_SHOWN: usize = 40;

/// The nodes that are not ok, worst first, grouped by state; clicking one
/// brings it into view.
fn nodes_ui(ui: &mut Ui, o: &Outcome, affected: &[Vec<usize>; 3], out: &mut WhatIfOutput) {
    let count: usize = affected.iter().map(Vec::len).sum();
    if count == 0 {
        ui.label(RichText::new("Every node is ok.").weak());
        return;
    }
    ui.strong(format!("Nodes not ok ({count} of {})", o.nodes.len()));
    let states = [NodeState::Down, NodeState::Saturated, NodeState::Degraded];
    for (state, of_state) in states.into_iter().zip(affected) {
        if of_state.is_empty() {
            continue;
        }
        let health = Health::from(state);
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 6.0;
            ui.label(
                RichText::new(format!("{} ({})", health.label(), of_state.len()))
                    .color(health.color())
                    .strong(),
            );
            for n in of_state
                .iter()
                .take(NODES_SHOWN)
                .filter_map(|&i| o.nodes.get(i))
            {
                if ui.link(&n.id).on_hover_text(&n.reason).clicked() {
                    out.reveal = Some(n.id.clone());
                }
            }
            if of_state.len() > NODES_SHOWN {
                ui.label(
                    RichText::new(format!("… and {} more", of_state.len() - NODES_SHOWN)).weak(),
                );
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use topoplan_core::model::Edit;
    use topoplan_core::templates;

    use super::*;

    fn template(name: &str) -> Topology {
        templates::find(name).unwrap().load().unwrap()
    }

    #[test]
    fn clicking_the_same_element_twice_brings_it_back() {
        let t = template("three-tier");
        let mut panel = WhatIfPanel::default();
        let db = t.node_index("db").unwrap();
        panel.toggle(&t, &Toggle::Node(db));
        panel.toggle(&t, &Toggle::Az("us-east-1b".to_owned()));
        assert_eq!(panel.failures().len(), 2);
        let generation = panel.generation;
        panel.toggle(&t, &Toggle::Node(db));
        assert_eq!(
            panel.failures(),
            [Failure::Az {
                id: "us-east-1b".to_owned()
            }]
        );
        assert!(panel.generation > generation);
    }

    #[test]
    fn failures_of_deleted_nodes_are_dropped_after_the_edit() {
        let mut t = template("three-tier");
        let ctx = egui::Context::default();
        let mut panel = WhatIfPanel::default();
        panel.set_failures(vec![
            Failure::Node {
                id: "cache".to_owned(),
                region: None,
            },
            Failure::Region {
                id: "us-east-1".to_owned(),
            },
        ]);
        panel.update(&ctx, &t, 1, true, false);
        assert_eq!(panel.failures().len(), 2);
        t.apply(Edit::RemoveNode("cache".to_owned())).unwrap();
        panel.update(&ctx, &t, 1, true, false);
        assert_eq!(
            panel.failures(),
            [Failure::Region {
                id: "us-east-1".to_owned()
            }]
        );
        assert!(panel.health.failed.regions.contains("us-east-1"));
        assert!(!panel.is_busy(), "nothing runs while the tab is closed");
    }

    #[test]
    fn presets_cover_the_regions_the_mode_uses_and_the_azs_nodes_run_in() {
        let (regions, azs) = in_use(&template("three-tier"));
        assert_eq!(regions, ["us-east-1"]);
        assert_eq!(azs, ["us-east-1a", "us-east-1b", "us-east-1c"]);
        let (regions, azs) = in_use(&template("marketplace"));
        assert_eq!(regions, ["us-east-1", "us-west-2"]);
        assert_eq!(azs.len(), 6);
    }

    #[test]
    fn time_axis_labels_are_short() {
        assert_eq!(axis_time(0.0), "0");
        assert_eq!(axis_time(45.0), "45 s");
        assert_eq!(axis_time(300.0), "5 min");
        assert_eq!(axis_time(390.0), "6:30");
        assert_eq!(axis_time(7200.0), "2 h");
        let marks = time_marks(&egui_plot::GridInput {
            bounds: (-60.0, 1200.0),
            base_step_size: 1.0,
        });
        let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
        assert_eq!(values, [0.0, 300.0, 600.0, 900.0]);
    }

    #[test]
    fn percentages_show_the_nines() {
        assert_eq!(percent(0.667), "66.7%");
        assert_eq!(percent(0.9995), "99.950%");
        assert_eq!(percent(1.0), "100.0%");
    }
}
