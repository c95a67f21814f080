//! Ship → Apply to AWS: the document's autoscaling groups applied to an
//! account, in a window that walks through the same steps as
//! `topoplan plan aws` / `apply aws` (and calls the same code, through
//! [`crate::aws_flow`] and `exports::aws`):
//!
//! 1. **Connect**: profile, region, endpoint, expected account, images,
//!    prune / instance refresh / dry run.
//! 2. **Plan** (reads the account, writes nothing): creates, updates and
//!    deletes, resource by resource, every changed setting as old → new.
//! 3. **Confirm** by typing the topology's name (a dry run needs none). A
//!    plan made before the design changed cannot be applied.
//! 4. **Apply**, with each operation's progress; "Stop" lets the calls in
//!    flight finish and starts no more, then "Abandon" drops them.
//! 5. **Report**: what was done, what failed and what to do next.
//!
//! All AWS work runs on a tokio runtime owned by this window, off the UI
//! thread; events come back over a channel and wake the UI, so a frame
//! never waits on the network and an idle window stays idle.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::time::Instant;

use egui::{Color32, RichText, Ui};
use topoplan_core::Topology;
use topoplan_exports::aws::{
    self, Action, ApplyReport, Cancel, Change, Event, Observed, OpReport, OpStatus, Plan,
    PlanOptions, client::Credentials, report,
};

use crate::aws_flow::{self, Connection, Refusal};

/// What the user types in the first step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    pub profile: String,
    pub region: String,
    pub endpoint_url: String,
    pub expected_account: String,
    /// `[REGION=]IMAGE`, separated by commas or spaces.
    pub images: String,
    pub prune: bool,
    pub instance_refresh: bool,
    pub dry_run: bool,
}

fn some(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl Form {
    fn connection(&self, credentials: Option<Credentials>) -> Connection {
        Connection {
            profile: some(&self.profile),
            region: some(&self.region),
            endpoint_url: some(&self.endpoint_url),
            image_ids: self
                .images
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            credentials,
        }
    }

    fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            prune: self.prune,
            instance_refresh: self.instance_refresh,
        }
    }
}

/// A plan, with what is needed to apply it.
#[derive(Debug)]
struct Planned {
    prepared: Arc<aws_flow::Prepared>,
    plan: Plan,
    observed: Observed,
    expected: Option<String>,
    /// The document `(key, revision)` the plan was made from.
    at: (u64, u64),
    /// The topology's name: what the user types to confirm.
    name: String,
    dry_run: bool,
    took_secs: f64,
}

/// Messages from the AWS task to the window.
#[derive(Debug)]
enum Msg {
    Event(Event),
    Planned(Result<Box<Planned>, Vec<String>>),
    Applied(Result<ApplyReport, String>),
}

/// A task on the runtime and its messages.
#[derive(Debug)]
struct Worker {
    rx: Receiver<Msg>,
    handle: tokio::task::JoinHandle<()>,
}

/// One operation of the plan as the progress list shows it.
#[derive(Clone, Debug)]
pub struct Row {
    pub op: OpReport,
    pub running: bool,
    /// The latest retry or wait, while it runs.
    pub note: Option<String>,
}

#[derive(Debug)]
enum Stage {
    Form {
        errors: Vec<String>,
    },
    Planning {
        worker: Worker,
        started: Instant,
        regions_read: Vec<String>,
        notes: Vec<String>,
    },
    Preview {
        planned: Box<Planned>,
        typed: String,
    },
    Applying {
        worker: Worker,
        planned: Box<Planned>,
        rows: Vec<Row>,
        cancel: Cancel,
        stopping: Option<String>,
    },
    Done {
        planned: Box<Planned>,
        rows: Vec<Row>,
        outcome: Result<ApplyReport, String>,
    },
}

/// Where the window is, for tests and the status bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Form,
    Planning,
    Preview,
    Applying,
    Done,
}

/// The Apply to AWS window.
pub struct ApplyPanel {
    open: bool,
    pub form: Form,
    stage: Stage,
    runtime: Option<tokio::runtime::Runtime>,
    /// Explicit credentials (tests); the standard chain otherwise.
    credentials: Option<Credentials>,
}

impl std::fmt::Debug for ApplyPanel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApplyPanel")
            .field("open", &self.open)
            .field("step", &self.step())
            .finish_non_exhaustive()
    }
}

impl Drop for ApplyPanel {
    fn drop(&mut self) {
        // Never wait for the network when the window closes.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl ApplyPanel {
    pub fn new(credentials: Option<Credentials>) -> Self {
        Self {
            open: false,
            form: Form::default(),
            stage: Stage::Form { errors: Vec::new() },
            runtime: None,
            credentials,
        }
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Opens the window (at the first step, unless an apply is under way).
    pub fn open(&mut self, topology: &Topology) {
        self.open = true;
        if self.form.expected_account.is_empty()
            && let Some(id) = &topology.meta().aws.account_id
        {
            self.form.expected_account.clone_from(id);
        }
        if matches!(self.stage, Stage::Done { .. }) {
            self.stage = Stage::Form { errors: Vec::new() };
        }
    }

    pub fn step(&self) -> Step {
        match self.stage {
            Stage::Form { .. } => Step::Form,
            Stage::Planning { .. } => Step::Planning,
            Stage::Preview { .. } => Step::Preview,
            Stage::Applying { .. } => Step::Applying,
            Stage::Done { .. } => Step::Done,
        }
    }

    /// AWS work is under way.
    pub fn is_busy(&self) -> bool {
        matches!(self.stage, Stage::Planning { .. } | Stage::Applying { .. })
    }

    /// The plan shown or applied.
    pub fn plan(&self) -> Option<&Plan> {
        match &self.stage {
            Stage::Preview { planned, .. }
            | Stage::Applying { planned, .. }
            | Stage::Done { planned, .. } => Some(&planned.plan),
            _ => None,
        }
    }

    /// The final report, once done.
    pub fn report(&self) -> Option<&Result<ApplyReport, String>> {
        match &self.stage {
            Stage::Done { outcome, .. } => Some(outcome),
            _ => None,
        }
    }

    /// The operations being applied (or applied), with their progress.
    pub fn rows(&self) -> &[Row] {
        match &self.stage {
            Stage::Applying { rows, .. } | Stage::Done { rows, .. } => rows,
            _ => &[],
        }
    }

    /// The problems that stopped planning.
    pub fn errors(&self) -> &[String] {
        match &self.stage {
            Stage::Form { errors } => errors,
            _ => &[],
        }
    }

    fn runtime(&mut self) -> Result<&tokio::runtime::Runtime, String> {
        if self.runtime.is_none() {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("topoplan-aws")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))?;
            self.runtime = Some(rt);
        }
        self.runtime
            .as_ref()
            .ok_or_else(|| "no async runtime".to_owned())
    }

    /// Starts reading the account and planning, for a snapshot of a valid
    /// `topology`.
    fn start_planning(&mut self, ctx: &egui::Context, topology: &Topology, at: (u64, u64)) {
        let expected = match aws_flow::expected_account(
            some(&self.form.expected_account).as_deref(),
            topology.meta().aws.account_id.as_deref(),
        ) {
            Ok(e) => e,
            Err(why) => {
                self.stage = Stage::Form {
                    errors: vec![why.replace("--expected-account", "Expected account")],
                };
                return;
            }
        };
        let connection = self.form.connection(self.credentials.clone());
        let options = self.form.plan_options();
        let dry_run = self.form.dry_run;
        let snapshot = topology.clone();
        let (tx, rx) = channel();
        let progress = progress_to(&tx, ctx);
        let ctx2 = ctx.clone();
        let runtime = match self.runtime() {
            Ok(rt) => rt,
            Err(e) => {
                self.stage = Stage::Form { errors: vec![e] };
                return;
            }
        };
        let handle = runtime.spawn(async move {
            let started = Instant::now();
            let result = plan_task(
                &snapshot,
                &connection,
                options,
                &progress,
                expected,
                at,
                dry_run,
            )
            .await
            .map(|mut p| {
                p.took_secs = started.elapsed().as_secs_f64();
                Box::new(p)
            });
            let _ = tx.send(Msg::Planned(result));
            ctx2.request_repaint();
        });
        self.stage = Stage::Planning {
            worker: Worker { rx, handle },
            started: Instant::now(),
            regions_read: Vec::new(),
            notes: Vec::new(),
        };
    }

    fn start_applying(&mut self, ctx: &egui::Context, planned: Box<Planned>) {
        let (tx, rx) = channel();
        let progress = progress_to(&tx, ctx);
        let cancel = Cancel::new();
        let rows = aws::operations(&planned.plan)
            .into_iter()
            .map(|op| Row {
                op,
                running: false,
                note: None,
            })
            .collect();
        let prepared = Arc::clone(&planned.prepared);
        let plan = planned.plan.clone();
        let options =
            aws_flow::apply_options(planned.dry_run, planned.expected.clone(), prepared.retry);
        let task_cancel = cancel.clone();
        let ctx2 = ctx.clone();
        let runtime = match self.runtime() {
            Ok(rt) => rt,
            Err(e) => {
                self.stage = Stage::Done {
                    planned,
                    rows,
                    outcome: Err(e),
                };
                return;
            }
        };
        let handle = runtime.spawn(async move {
            let result = aws::apply(&prepared.clients, &plan, &options, &progress, &task_cancel)
                .await
                .map_err(|e| format!("refused: {e}"));
            let _ = tx.send(Msg::Applied(result));
            ctx2.request_repaint();
        });
        self.stage = Stage::Applying {
            worker: Worker { rx, handle },
            planned,
            rows,
            cancel,
            stopping: None,
        };
    }

    /// Takes in what the AWS task reported since the last frame.
    pub fn update(&mut self) {
        let stage = std::mem::replace(&mut self.stage, Stage::Form { errors: Vec::new() });
        self.stage = match stage {
            Stage::Planning {
                worker,
                started,
                mut regions_read,
                mut notes,
            } => {
                let mut next = None;
                for msg in drain(&worker.rx) {
                    match msg {
                        Msg::Event(Event::ReadFinished { region, .. }) => regions_read.push(region),
                        Msg::Event(Event::Retrying {
                            api,
                            resource,
                            attempt,
                            error,
                            ..
                        }) => notes.push(format!(
                            "retrying {api} {resource} (attempt {attempt}): {error}"
                        )),
                        Msg::Planned(Ok(planned)) => {
                            next = Some(Stage::Preview {
                                planned,
                                typed: String::new(),
                            });
                        }
                        Msg::Planned(Err(errors)) => next = Some(Stage::Form { errors }),
                        Msg::Event(_) | Msg::Applied(_) => {}
                    }
                }
                if next.is_none() && worker.handle.is_finished() {
                    next = Some(Stage::Form {
                        errors: vec!["planning stopped unexpectedly".to_owned()],
                    });
                }
                next.unwrap_or(Stage::Planning {
                    worker,
                    started,
                    regions_read,
                    notes,
                })
            }
            Stage::Applying {
                worker,
                planned,
                mut rows,
                cancel,
                mut stopping,
            } => {
                let mut outcome = None;
                for msg in drain(&worker.rx) {
                    match msg {
                        Msg::Event(event) => {
                            if let Event::Stopping { reason } = &event {
                                stopping = Some(reason.clone());
                            }
                            apply_event(&mut rows, event);
                        }
                        Msg::Applied(result) => outcome = Some(result),
                        Msg::Planned(_) => {}
                    }
                }
                if outcome.is_none() && worker.handle.is_finished() {
                    outcome = Some(Err("the apply stopped unexpectedly".to_owned()));
                }
                match outcome {
                    Some(outcome) => {
                        if let Ok(report) = &outcome {
                            for (row, op) in rows.iter_mut().zip(&report.ops) {
                                row.op.status = op.status.clone();
                                row.running = false;
                            }
                        }
                        Stage::Done {
                            planned,
                            rows,
                            outcome,
                        }
                    }
                    None => Stage::Applying {
                        worker,
                        planned,
                        rows,
                        cancel,
                        stopping,
                    },
                }
            }
            other => other,
        };
    }

    /// The window. `at`: the document's `(key, revision)` now; `errors`:
    /// its validation errors (an invalid design is not planned).
    pub fn show(
        &mut self,
        ctx: &egui::Context,
        topology: &Topology,
        at: (u64, u64),
        errors: usize,
    ) {
        if !self.open {
            return;
        }
        let mut open = true;
        let busy_applying = matches!(self.stage, Stage::Applying { .. });
        let mut window = egui::Window::new("Apply to AWS")
            .collapsible(false)
            .resizable(true)
            .default_width(660.0)
            .max_width(820.0)
            .default_pos(ctx.content_rect().center() - egui::vec2(320.0, 300.0));
        // An apply under way cannot be closed away: stop it first.
        if !busy_applying {
            window = window.open(&mut open);
        }
        let mut action = None;
        window.show(ctx, |ui| {
            steps_header(ui, self.step());
            ui.separator();
            action = match &mut self.stage {
                Stage::Form { errors: problems } => {
                    form_ui(ui, &mut self.form, topology, problems, errors)
                }
                Stage::Planning {
                    started,
                    regions_read,
                    notes,
                    ..
                } => planning_ui(ui, *started, regions_read, notes, topology),
                Stage::Preview { planned, typed } => preview_ui(ui, planned, typed, at),
                Stage::Applying {
                    rows,
                    cancel,
                    stopping,
                    planned,
                    ..
                } => applying_ui(ui, planned, rows, cancel, stopping.as_deref()),
                Stage::Done { rows, outcome, .. } => done_ui(ui, rows, outcome),
            };
        });
        match action {
            Some(UiAction::Plan) => self.start_planning(ctx, topology, at),
            Some(UiAction::Back) => {
                if let Stage::Planning { worker, .. } = &self.stage {
                    // Reading writes nothing: dropping it is safe.
                    worker.handle.abort();
                }
                self.stage = Stage::Form { errors: Vec::new() };
            }
            Some(UiAction::Apply) => {
                let stage = std::mem::replace(&mut self.stage, Stage::Form { errors: Vec::new() });
                if let Stage::Preview { planned, .. } = stage {
                    self.start_applying(ctx, planned);
                } else {
                    self.stage = stage;
                }
            }
            None => {}
        }
        if !open {
            if let Stage::Planning { worker, .. } = &self.stage {
                worker.handle.abort();
                self.stage = Stage::Form { errors: Vec::new() };
            }
            self.open = false;
        }
    }
}

/// What a step's buttons asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UiAction {
    Plan,
    Back,
    Apply,
}

fn drain(rx: &Receiver<Msg>) -> Vec<Msg> {
    let mut out = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(msg) => out.push(msg),
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
        }
    }
}

/// Progress events to the window, waking it for each.
fn progress_to(tx: &Sender<Msg>, ctx: &egui::Context) -> aws::Progress {
    let tx = tx.clone();
    let ctx = ctx.clone();
    Arc::new(move |event: &Event| {
        let _ = tx.send(Msg::Event(event.clone()));
        ctx.request_repaint();
    })
}

/// Connect, read, plan: the `plan aws` steps.
async fn plan_task(
    topology: &Topology,
    connection: &Connection,
    options: PlanOptions,
    progress: &aws::Progress,
    expected: Option<String>,
    at: (u64, u64),
    dry_run: bool,
) -> Result<Planned, Vec<String>> {
    let prepared = match aws_flow::prepare(topology, connection).await {
        Ok(Ok(p)) => p,
        Ok(Err(Refusal::Usage(why))) => return Err(vec![why.replace("--image-id", "Image")]),
        Ok(Err(Refusal::Problems(problems))) => {
            let mut lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            lines.push(format!("cannot plan: {} problem(s)", problems.len()));
            return Err(lines);
        }
        Err(e) => return Err(vec![format!("{e:#}")]),
    };
    let observed = match aws_flow::read(&prepared, progress).await {
        Ok(o) => o,
        Err(e) => return Err(aws_flow::read_failure(&e, &prepared.clients)),
    };
    let plan = match aws::plan(&prepared.desired, &observed, options) {
        Ok(p) => p,
        Err(problems) => {
            let mut lines: Vec<String> = problems.iter().map(|p| format!("refused: {p}")).collect();
            lines.push(format!(
                "nothing was planned or changed ({} problem(s))",
                problems.len()
            ));
            return Err(lines);
        }
    };
    Ok(Planned {
        prepared: Arc::new(prepared),
        plan,
        observed,
        expected,
        at,
        name: topology.meta().name.clone(),
        dry_run,
        took_secs: 0.0,
    })
}

fn apply_event(rows: &mut [Row], event: Event) {
    match event {
        Event::OpStarted { index, .. } => {
            if let Some(r) = rows.get_mut(index) {
                r.running = true;
            }
        }
        Event::OpFinished { index, status, .. } => {
            if let Some(r) = rows.get_mut(index) {
                r.running = false;
                r.note = None;
                r.op.status = status;
            }
        }
        Event::Retrying {
            index: Some(index),
            attempt,
            delay_ms,
            error,
            ..
        } => {
            if let Some(r) = rows.get_mut(index) {
                #[expect(clippy::cast_precision_loss, reason = "seconds for people")]
                let secs = delay_ms as f64 / 1000.0;
                r.note = Some(format!("retry in {secs:.1} s (attempt {attempt}): {error}"));
            }
        }
        Event::Waiting { index, what, .. } => {
            if let Some(r) = rows.get_mut(index) {
                r.note = Some(format!("waiting: {what}"));
            }
        }
        _ => {}
    }
}

// -- drawing -----------------------------------------------------------------

const CREATE: Color32 = Color32::from_rgb(46, 160, 67);
const UPDATE: Color32 = Color32::from_rgb(210, 153, 34);
const DELETE: Color32 = Color32::from_rgb(218, 54, 51);

fn steps_header(ui: &mut Ui, step: Step) {
    let steps = [
        (Step::Form, "1 Connect"),
        (Step::Planning, "2 Plan"),
        (Step::Preview, "3 Review"),
        (Step::Applying, "4 Apply"),
        (Step::Done, "5 Report"),
    ];
    let current = steps.iter().position(|(s, _)| *s == step).unwrap_or(0);
    ui.horizontal(|ui| {
        for (i, (_, label)) in steps.iter().enumerate() {
            let text = RichText::new(*label);
            let text = match i.cmp(&current) {
                std::cmp::Ordering::Equal => text.strong().color(ui.visuals().strong_text_color()),
                std::cmp::Ordering::Less => text,
                std::cmp::Ordering::Greater => text.weak(),
            };
            ui.label(text);
            if i + 1 < steps.len() {
                ui.label(RichText::new("›").weak());
            }
        }
    });
}

fn field(ui: &mut Ui, label: &str, value: &mut String, hint: &str, help: &str) {
    let l = ui.label(label).on_hover_text(help);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(l.id)
    .on_hover_text(help);
    ui.end_row();
}

fn form_ui(
    ui: &mut Ui,
    form: &mut Form,
    topology: &Topology,
    problems: &[String],
    errors: usize,
) -> Option<UiAction> {
    let groups = topology
        .graph()
        .node_weights()
        .filter(|n| n.kind() == topoplan_core::model::NodeKind::Service)
        .count();
    ui.label(format!(
        "Applies the launch templates, autoscaling groups and scaling policies of {}'s {} to an AWS account. Nothing is written before you have reviewed the plan and confirmed it.",
        topology.meta().name,
        crate::edits::count(groups, "service")
    ));
    ui.label(RichText::new(report::TERRAFORM_NOTE).small().weak());
    ui.add_space(6.0);
    egui::Grid::new("aws-connection")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            field(
                ui,
                "Profile",
                &mut form.profile,
                "the standard chain (environment, default profile, SSO, instance role)",
                "A named profile of ~/.aws/config",
            );
            field(
                ui,
                "Region",
                &mut form.region,
                "from the profile or AWS_REGION",
                "For the account check and the SDK's defaults; the document's placements decide where resources go",
            );
            field(
                ui,
                "Endpoint",
                &mut form.endpoint_url,
                "AWS's own",
                "Send every call to this endpoint instead (e.g. a local moto server)",
            );
            let doc_account = topology.meta().aws.account_id.as_deref();
            field(
                ui,
                "Expected account",
                &mut form.expected_account,
                "any (not checked)",
                "Refuse unless the credentials belong to this 12-digit account (checked with STS before any write)",
            );
            if let Some(id) = doc_account {
                ui.label("");
                ui.label(RichText::new(format!("the document is for account {id}")).small().weak());
                ui.end_row();
            }
            field(
                ui,
                "Images",
                &mut form.images,
                "the document's aws.images",
                "Machine images overriding the document: REGION=IMAGE or IMAGE, separated by commas; an AMI id or resolve:ssm:/parameter",
            );
        });
    ui.add_space(4.0);
    ui.checkbox(
        &mut form.prune,
        "Delete the resources of nodes no longer in the document",
    )
    .on_hover_text("Only resources tagged with this topology are ever touched");
    ui.checkbox(
        &mut form.instance_refresh,
        "Replace running instances where a launch template changes",
    );
    ui.checkbox(
        &mut form.dry_run,
        "Dry run: check permissions where AWS can, write nothing",
    );
    if !problems.is_empty() {
        ui.add_space(6.0);
        egui::Frame::new()
            .fill(ui.visuals().extreme_bg_color)
            .inner_margin(8.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(200.0)
                    .show(ui, |ui| {
                        for p in problems {
                            ui.colored_label(ui.visuals().error_fg_color, p);
                        }
                    });
            });
    }
    ui.add_space(8.0);
    if errors > 0 {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!(
                "The document has {}: fix them first (Problems tab).",
                crate::edits::count(errors, "error")
            ),
        );
        return None;
    }
    ui.button("Read the account and plan")
        .on_hover_text("Reads what the account has; writes nothing")
        .clicked()
        .then_some(UiAction::Plan)
}

fn planning_ui(
    ui: &mut Ui,
    started: Instant,
    regions_read: &[String],
    notes: &[String],
    topology: &Topology,
) -> Option<UiAction> {
    let total = topology.meta().regions.len().max(1);
    #[expect(clippy::cast_precision_loss, reason = "a fraction for a bar")]
    let fraction = regions_read.len() as f32 / total as f32;
    ui.label(format!(
        "Reading the account ({:.0} s)…",
        started.elapsed().as_secs_f64().floor()
    ));
    ui.add(
        egui::ProgressBar::new(fraction)
            .text(format!("{} of {total} regions read", regions_read.len())),
    );
    if !regions_read.is_empty() {
        ui.label(RichText::new(format!("read: {}", regions_read.join(", "))).weak());
    }
    for n in notes.iter().rev().take(3) {
        ui.label(RichText::new(n).small().color(ui.visuals().warn_fg_color));
    }
    // The elapsed time ticks while waiting.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(500));
    ui.add_space(6.0);
    ui.button("Cancel")
        .on_hover_text("Stop reading (nothing has been written)")
        .clicked()
        .then_some(UiAction::Back)
}

fn action_colour(action: Action, ui: &Ui) -> Color32 {
    match action {
        Action::Create => CREATE,
        Action::Update => UPDATE,
        Action::Delete => DELETE,
        Action::NoOp | Action::Keep => ui.visuals().weak_text_color(),
    }
}

fn action_word(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::NoOp => "no change",
        Action::Keep => "kept (needs prune)",
    }
}

fn summary_line(ui: &mut Ui, plan: &Plan) {
    let s = plan.summary();
    let count = |ui: &Ui, n: usize, what: &str, colour: Color32| {
        let text = RichText::new(format!("{n} {what}"));
        if n == 0 {
            text.color(ui.visuals().weak_text_color())
        } else {
            text.color(colour).strong()
        }
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(count(ui, s.create, "to create", CREATE));
        ui.label("·");
        ui.label(count(ui, s.update, "to update", UPDATE));
        ui.label("·");
        ui.label(count(ui, s.delete, "to delete", DELETE));
        if s.keep > 0 {
            ui.label("·");
            ui.label(format!("{} kept (need prune)", s.keep));
        }
        ui.label("·");
        ui.label(format!("{} unchanged", s.unchanged));
        ui.label("·");
        ui.label(crate::edits::count(plan.op_count(), "API write"));
    });
}

fn change_ui(ui: &mut Ui, index: usize, change: &Change, open_by_default: bool) {
    let sign = match change.action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "−",
        Action::NoOp => "=",
        Action::Keep => "!",
    };
    let title = RichText::new(format!(
        "{sign} {} {} — {} (node {})",
        change.resource.label(),
        change.name,
        action_word(change.action),
        change.node
    ))
    .color(action_colour(change.action, ui));
    egui::CollapsingHeader::new(title)
        .id_salt(("aws-change", index))
        .default_open(open_by_default)
        .show(ui, |ui| {
            if change.fields.is_empty() && change.notes.is_empty() {
                ui.label(RichText::new("no settings change").weak());
            }
            if !change.fields.is_empty() {
                egui::Grid::new(("aws-fields", index))
                    .num_columns(3)
                    .max_col_width(300.0)
                    .striped(true)
                    .spacing([12.0, 2.0])
                    .show(ui, |ui| {
                        ui.label(RichText::new("setting").small().weak());
                        ui.label(RichText::new("now").small().weak());
                        ui.label(RichText::new("after").small().weak());
                        ui.end_row();
                        for f in &change.fields {
                            ui.label(RichText::new(&f.field).monospace());
                            let old = RichText::new(f.old.as_deref().unwrap_or("—"))
                                .monospace()
                                .color(if f.old.is_some() && change.action != Action::Create {
                                    DELETE
                                } else {
                                    ui.visuals().weak_text_color()
                                });
                            ui.add(egui::Label::new(old).wrap());
                            let new = RichText::new(f.new.as_deref().unwrap_or("(removed)"))
                                .monospace()
                                .color(if f.new.is_some() { CREATE } else { DELETE });
                            ui.add(egui::Label::new(new).wrap());
                            ui.end_row();
                        }
                    });
            }
            for n in &change.notes {
                ui.label(RichText::new(format!("note: {n}")).small());
            }
        });
}

fn plan_ui(ui: &mut Ui, plan: &Plan) {
    let total = plan.changes.len();
    let mut region = None;
    for chain in plan.chains() {
        let Some(first) = chain.first().map(|&i| &plan.changes[i]) else {
            continue;
        };
        if region != Some(first.region.as_str()) {
            region = Some(first.region.as_str());
            ui.add_space(4.0);
            ui.label(RichText::new(&first.region).strong());
        }
        let changes: Vec<(usize, &Change)> = chain.iter().map(|&i| (i, &plan.changes[i])).collect();
        if changes
            .iter()
            .all(|(_, c)| c.action == Action::NoOp && c.notes.is_empty())
        {
            ui.label(
                RichText::new(format!(
                    "= {}: unchanged ({})",
                    first.node,
                    changes
                        .iter()
                        .map(|(_, c)| format!("{} {}", c.resource.label(), c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .weak(),
            );
            continue;
        }
        for (i, c) in changes {
            let open = total <= 6 || matches!(c.action, Action::Update | Action::Delete);
            change_ui(ui, i, c, open);
        }
    }
    if !plan.notes.is_empty() {
        ui.add_space(4.0);
        egui::CollapsingHeader::new(format!("Notes ({})", plan.notes.len()))
            .id_salt("aws-plan-notes")
            .show(ui, |ui| {
                for n in &plan.notes {
                    ui.label(RichText::new(format!("• {n}")).small());
                }
            });
    }
}

/// The label of the confirmation field (tests type into it).
pub const CONFIRM_LABEL: &str = "Type the topology's name to confirm";

fn preview_ui(
    ui: &mut Ui,
    planned: &Planned,
    typed: &mut String,
    at: (u64, u64),
) -> Option<UiAction> {
    let plan = &planned.plan;
    let account = planned.observed.account_id.as_deref().unwrap_or("unknown");
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("Account {account}"));
        match aws_flow::account_mismatch(planned.expected.as_deref(), &planned.observed) {
            Some(_) => {}
            None if planned.expected.is_some() => {
                ui.label(RichText::new("(the expected account)").color(CREATE));
            }
            None => {
                ui.label(RichText::new("(no expected account given: not checked)").weak());
            }
        }
        ui.label(
            RichText::new(format!(
                "· regions {} · read in {:.1} s",
                plan.regions.join(", "),
                planned.took_secs
            ))
            .weak(),
        );
    });
    summary_line(ui, plan);
    ui.separator();
    egui::ScrollArea::vertical()
        .max_height(340.0)
        .auto_shrink([false, true])
        .id_salt("aws-plan")
        .show(ui, |ui| plan_ui(ui, plan));
    ui.separator();
    let mut action = None;
    ui.horizontal(|ui| {
        if ui.button("Back").clicked() {
            action = Some(UiAction::Back);
        }
        if ui
            .button("Plan again")
            .on_hover_text("Read the account again")
            .clicked()
        {
            action = Some(UiAction::Plan);
        }
    });
    if let Some(refusal) =
        aws_flow::account_mismatch(planned.expected.as_deref(), &planned.observed)
    {
        ui.colored_label(ui.visuals().error_fg_color, refusal);
        return action;
    }
    if planned.at != at {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "The design changed since this plan was made: plan again to apply it.",
        );
        return action;
    }
    if plan.is_empty() {
        ui.label(RichText::new("No changes: the account matches the document.").strong());
        return action;
    }
    ui.add_space(4.0);
    if planned.dry_run {
        if ui
            .button(format!(
                "Check {} (dry run)",
                crate::edits::count(plan.op_count(), "operation")
            ))
            .on_hover_text("Asks AWS whether each write would succeed; changes nothing")
            .clicked()
        {
            action = Some(UiAction::Apply);
        }
        return action;
    }
    ui.label(format!(
        "This writes to account {account}: {} in {}.",
        crate::edits::count(plan.op_count(), "API call"),
        crate::edits::count(plan.regions.len(), "region")
    ));
    ui.horizontal(|ui| {
        let l = ui.label(CONFIRM_LABEL);
        ui.label(RichText::new(&planned.name).strong().monospace());
        ui.add(
            egui::TextEdit::singleline(typed)
                .hint_text(&planned.name)
                .desired_width(220.0),
        )
        .labelled_by(l.id);
        let ready = typed.trim() == planned.name;
        let button = egui::Button::new(
            RichText::new(format!(
                "Apply {}",
                crate::edits::count(plan.op_count(), "operation")
            ))
            .strong(),
        )
        .fill(if ready {
            DELETE.linear_multiply(0.8)
        } else {
            ui.visuals().widgets.inactive.weak_bg_fill
        });
        if ui
            .add_enabled(ready, button)
            .on_disabled_hover_text("Type the topology's name first")
            .clicked()
        {
            action = Some(UiAction::Apply);
        }
    });
    action
}

fn status_text(ui: &Ui, row: &Row) -> RichText {
    if row.running {
        return RichText::new("running").color(UPDATE);
    }
    let weak = ui.visuals().weak_text_color();
    match &row.op.status {
        OpStatus::Done { .. } => RichText::new("done").color(CREATE),
        OpStatus::Checked => RichText::new("would succeed").color(CREATE),
        OpStatus::Skipped { .. } => RichText::new("skipped").color(weak),
        OpStatus::Failed { .. } => RichText::new("FAILED").color(DELETE).strong(),
        OpStatus::NotStarted => RichText::new("waiting").color(weak),
        OpStatus::Abandoned => RichText::new("INTERRUPTED").color(DELETE).strong(),
    }
}

fn rows_ui(ui: &mut Ui, rows: &[Row]) {
    egui::ScrollArea::vertical()
        .max_height(300.0)
        .auto_shrink([false, true])
        .id_salt("aws-ops")
        .show(ui, |ui| {
            egui::Grid::new("aws-ops-grid")
                .num_columns(4)
                .striped(true)
                .spacing([12.0, 2.0])
                .show(ui, |ui| {
                    for row in rows {
                        ui.label(status_text(ui, row));
                        ui.label(RichText::new(&row.op.region).weak());
                        ui.label(RichText::new(&row.op.api).monospace());
                        ui.vertical(|ui| {
                            ui.label(&row.op.resource);
                            let detail = match &row.op.status {
                                OpStatus::Failed { error } => Some(error.to_string()),
                                OpStatus::Skipped { reason } => Some(reason.clone()),
                                OpStatus::Done { note: Some(n) } => Some(n.clone()),
                                _ => row.note.clone(),
                            };
                            if let Some(d) = detail {
                                ui.label(RichText::new(d).small().weak());
                            }
                        });
                        ui.end_row();
                    }
                });
        });
}

fn applying_ui(
    ui: &mut Ui,
    planned: &Planned,
    rows: &[Row],
    cancel: &Cancel,
    stopping: Option<&str>,
) -> Option<UiAction> {
    let finished = rows
        .iter()
        .filter(|r| !r.running && r.op.status != OpStatus::NotStarted)
        .count();
    let failed = rows.iter().filter(|r| r.op.status.is_failure()).count();
    #[expect(clippy::cast_precision_loss, reason = "a fraction for a bar")]
    let fraction = finished as f32 / rows.len().max(1) as f32;
    ui.label(format!(
        "{} {} to account {}",
        if planned.dry_run {
            "Checking"
        } else {
            "Applying"
        },
        crate::edits::count(rows.len(), "operation"),
        planned.observed.account_id.as_deref().unwrap_or("unknown")
    ));
    ui.add(
        egui::ProgressBar::new(fraction)
            .text(format!("{finished} of {} finished", rows.len()))
            .fill(if failed > 0 { DELETE } else { CREATE }),
    );
    if failed > 0 {
        ui.colored_label(DELETE, format!("{failed} failed so far"));
    }
    if let Some(reason) = stopping {
        ui.colored_label(ui.visuals().warn_fg_color, format!("stopping: {reason}"));
    }
    rows_ui(ui, rows);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if !cancel.is_stopped() {
            if ui
                .button("Stop")
                .on_hover_text("Let the calls in flight finish; start no more")
                .clicked()
            {
                cancel.stop();
            }
        } else if !cancel.is_abandoned() {
            ui.label(RichText::new("finishing the calls in flight…").weak());
            if ui
                .button("Abandon them")
                .on_hover_text(
                    "Drop the calls in flight: they may or may not happen; the next plan shows which",
                )
                .clicked()
            {
                cancel.abandon();
            }
        }
    });
    None
}

fn done_ui(ui: &mut Ui, rows: &[Row], outcome: &Result<ApplyReport, String>) -> Option<UiAction> {
    match outcome {
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            ui.label("Nothing was written.");
        }
        Ok(report) => {
            let (headline, colour) = if report.is_complete() {
                (
                    if report.dry_run {
                        "Every operation would succeed."
                    } else {
                        "Applied: the account matches the document."
                    },
                    CREATE,
                )
            } else if report.stopped.is_some() {
                ("Stopped before the end.", UPDATE)
            } else {
                ("Some operations failed.", DELETE)
            };
            ui.label(RichText::new(headline).strong().color(colour));
            ui.label(
                RichText::new(report::apply_text(report))
                    .monospace()
                    .small(),
            );
            ui.add_space(4.0);
            rows_ui(ui, rows);
        }
    }
    ui.add_space(4.0);
    let mut action = None;
    ui.horizontal(|ui| {
        if ui
            .button("Plan again")
            .on_hover_text("Read the account again: shows what is left to do")
            .clicked()
        {
            action = Some(UiAction::Plan);
        }
        if ui.button("Change the connection").clicked() {
            action = Some(UiAction::Back);
        }
    });
    action
}
