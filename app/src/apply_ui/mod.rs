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

use topoplan_core::Topology;
use topoplan_exports::aws::{
    self, ApplyReport, Cancel, Event, Observed, OpReport, Plan, PlanOptions, client::Credentials,
};

use crate::aws_flow::{self, Connection, Refusal};

mod view;

use view::{applying_ui, done_ui, form_ui, planning_ui, preview_ui, steps_header};

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

/// The label of the confirmation field (tests type into it).
pub const CONFIRM_LABEL: &str = "Type the topology's name to confirm";
