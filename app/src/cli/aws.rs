//! `topoplan plan aws FILE` and `topoplan apply aws FILE`: the autoscaling
//! groups of a document against an AWS account.
//!
//! Plans and reports go to standard output (`--json` for machines),
//! progress to standard error. Exit codes: 0 done (or nothing to do); 1 the
//! plan was refused, the apply was declined or failed part-way; 2 bad usage
//! or unreadable input; 130 interrupted (Ctrl-C).

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use topoplan_core::Topology;
use topoplan_core::model::io;
use topoplan_exports::aws::{
    self, Cancel, Event, Observed, Plan, PlanOptions, Progress, SavedPlan, report,
};

use crate::aws_flow::{self, Refusal};

/// The `plan` and `apply` commands (each with its target, `aws`).
#[derive(Debug, Subcommand)]
pub enum AwsCommand {
    /// Show what an apply would change (reads the account, writes nothing).
    Plan {
        #[command(subcommand)]
        target: PlanTarget,
    },
    /// Change the account to match the document, after showing the plan.
    Apply {
        #[command(subcommand)]
        target: ApplyTarget,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanTarget {
    /// Plan the document's autoscaling groups (launch templates, groups,
    /// scaling policies) against an AWS account.
    Aws(PlanArgs),
}

#[derive(Debug, Subcommand)]
pub enum ApplyTarget {
    /// Apply the document's autoscaling groups to an AWS account.
    Aws(ApplyArgs),
}

/// Where to connect, and what the command line adds to the document.
#[derive(Debug, Args)]
pub struct Connection {
    /// Named profile from the AWS config files (default: the standard chain:
    /// environment, default profile, SSO, instance role).
    #[arg(long)]
    pub profile: Option<String>,
    /// Region for the account check and the SDK's defaults (the document's
    /// placements decide where resources go).
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (e.g. a local moto server).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Machine image, overriding the document: `REGION=IMAGE` for one region
    /// or `IMAGE` for all; an AMI id or `resolve:ssm:/parameter`. Repeatable.
    #[arg(long = "image-id", value_name = "[REGION=]IMAGE")]
    pub image_ids: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The topology document.
    pub file: PathBuf,
    /// Save the plan, to apply exactly it later with `apply aws --plan`.
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Plan deleting the tagged resources of nodes no longer in the document.
    #[arg(long)]
    pub prune: bool,
    /// Plan replacing running instances where a launch template changes.
    #[arg(long)]
    pub instance_refresh: bool,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
#[expect(clippy::struct_excessive_bools, reason = "command-line flags")]
pub struct ApplyArgs {
    /// The topology document.
    pub file: PathBuf,
    /// Apply exactly this saved plan (refused if the document or the account
    /// changed since it was made).
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Apply without asking to type `yes` (for CI).
    #[arg(long)]
    pub auto_approve: bool,
    /// Read, plan and check permissions where AWS can (EC2 dry runs); write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete the tagged resources of nodes no longer in the document.
    #[arg(long)]
    pub prune: bool,
    /// Replace running instances of groups whose launch template changed.
    #[arg(long)]
    pub instance_refresh: bool,
    /// Refuse unless the credentials belong to this account (checked with
    /// STS before any write; the document's `aws.account_id` too).
    #[arg(long, value_name = "ID")]
    pub expected_account: Option<String>,
    /// Machine-readable output on standard output: `{"plan": …, "report": …}`
    /// (`report` is null when there was nothing to apply); the plan text and
    /// the question go to standard error.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: Connection,
}

pub(super) fn run(command: AwsCommand, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match command {
        AwsCommand::Plan {
            target: PlanTarget::Aws(args),
        } => runtime.block_on(plan(args, out)),
        AwsCommand::Apply {
            target: ApplyTarget::Aws(args),
        } => runtime.block_on(apply(args, out)),
    }
}

/// Everything a command needs before talking to AWS.
struct Prepared {
    topology: Topology,
    flow: aws_flow::Prepared,
}

/// Loads and checks the document, builds the desired state, connects
/// (the steps shared with the window, in [`aws_flow`]).
/// `Ok(Err(code))`: a problem was reported and the command ends there.
async fn prepare(
    file: &Path,
    connection: &Connection,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<Result<Prepared, ExitCode>> {
    let loaded = io::load(file)?;
    let name = file.display();
    if !loaded.report.is_ok() {
        for d in &loaded.report.errors {
            writeln!(out, "{name}: {d}")?;
        }
        writeln!(
            out,
            "{name}: the document has errors; fix them first (topoplan check {name})"
        )?;
        return Ok(Err(ExitCode::from(1)));
    }
    let options = aws_flow::Connection {
        profile: connection.profile.clone(),
        region: connection.region.clone(),
        endpoint_url: connection.endpoint_url.clone(),
        image_ids: connection.image_ids.clone(),
        credentials: None,
    };
    match aws_flow::prepare(&loaded.topology, &options).await? {
        Ok(flow) => Ok(Ok(Prepared {
            topology: loaded.topology,
            flow,
        })),
        Err(Refusal::Usage(why)) => anyhow::bail!(why),
        Err(Refusal::Problems(problems)) => {
            for p in &problems {
                writeln!(out, "{name}: {p}")?;
            }
            writeln!(out, "{name}: cannot plan: {} problem(s)", problems.len())?;
            Ok(Err(ExitCode::from(1)))
        }
    }
}

/// Progress to standard error, one line per event worth a line.
fn stderr_progress(total_ops: usize) -> Progress {
    let done = Arc::new(std::sync::Mutex::new(0usize));
    Arc::new(move |event: &Event| {
        let line = match event {
            Event::ReadFinished {
                region,
                launch_templates,
                groups,
                policies,
            } => format!(
                "read {region}: {launch_templates} launch template(s), {groups} group(s), {policies} polic{} of this topology or with its names",
                if *policies == 1 { "y" } else { "ies" }
            ),
            Event::Retrying {
                api,
                resource,
                attempt,
                delay_ms,
                error,
                ..
            } => format!(
                "  retry {api} {resource} in {:.1} s (attempt {attempt}): {error}",
                std::time::Duration::from_millis(*delay_ms).as_secs_f64()
            ),
            Event::Waiting { resource, what, .. } => format!("  waiting for {resource}: {what}"),
            Event::OpFinished {
                region,
                api,
                resource,
                status,
                ..
            } => {
                // Counted and printed under one lock, so lines come in order.
                let mut n = done
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *n += 1;
                eprintln!(
                    "[{n}/{total_ops}] {}",
                    report::op_line(region, api, resource, status).trim_start()
                );
                return;
            }
            Event::Stopping { reason } => format!("stopping: {reason}"),
            Event::ReadStarted { .. } | Event::OpStarted { .. } => return,
        };
        eprintln!("{line}");
    })
}

async fn plan(args: PlanArgs, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let prepared = match prepare(&args.file, &args.connection, out).await? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let options = PlanOptions {
        prune: args.prune,
        instance_refresh: args.instance_refresh,
    };
    let progress = stderr_progress(0);
    let observed = match read(&prepared, &progress, out).await? {
        Ok(o) => o,
        Err(code) => return Ok(code),
    };
    let plan = match make_plan(&args.file, &prepared, &observed, options, out)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &plan)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report::plan_text(&plan))?;
    }
    let calls = prepared.flow.clients.calls();
    eprintln!(
        "read the account with {} API calls ({} HTTP requests) in {:.1} s",
        calls.total_calls(),
        calls.total_attempts(),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &args.out {
        let saved = SavedPlan::new(plan, observed);
        io::write_atomic(path, saved.to_json().as_bytes())
            .with_context(|| format!("{}: cannot write the plan", path.display()))?;
        if !args.json {
            writeln!(
                out,
                "Saved to {}: apply exactly this plan with topoplan apply aws {} --plan {}",
                path.display(),
                args.file.display(),
                path.display()
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn read(
    prepared: &Prepared,
    progress: &Progress,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<Result<Observed, ExitCode>> {
    match aws_flow::read(&prepared.flow, progress).await {
        Ok(o) => Ok(Ok(o)),
        Err(e) => {
            for line in aws_flow::read_failure(&e, &prepared.flow.clients) {
                writeln!(out, "{line}")?;
            }
            Ok(Err(ExitCode::from(1)))
        }
    }
}

fn make_plan(
    file: &Path,
    prepared: &Prepared,
    observed: &Observed,
    options: PlanOptions,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<Result<Plan, ExitCode>> {
    match aws::plan(&prepared.flow.desired, observed, options) {
        Ok(p) => Ok(Ok(p)),
        Err(problems) => {
            for p in &problems {
                writeln!(out, "{}: refused: {p}", file.display())?;
            }
            writeln!(
                out,
                "{}: nothing was planned or changed ({} problem(s))",
                file.display(),
                problems.len()
            )?;
            Ok(Err(ExitCode::from(1)))
        }
    }
}

async fn apply(args: ApplyArgs, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    let prepared = match prepare(&args.file, &args.connection, out).await? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let expected = aws_flow::expected_account(
        args.expected_account.as_deref(),
        prepared.topology.meta().aws.account_id.as_deref(),
    )
    .map_err(anyhow::Error::msg)?;
    let options = PlanOptions {
        prune: args.prune,
        instance_refresh: args.instance_refresh,
    };
    let quiet = stderr_progress(0);
    let observed = match read(&prepared, &quiet, out).await? {
        Ok(o) => o,
        Err(code) => return Ok(code),
    };
    let plan = if let Some(path) = &args.plan {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the plan", path.display()))?;
        let saved =
            SavedPlan::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        if let Err(stale) = saved.check(&prepared.flow.desired, options, &observed) {
            writeln!(out, "{}: refused: {stale}", path.display())?;
            return Ok(ExitCode::from(1));
        }
        saved.plan
    } else {
        match make_plan(&args.file, &prepared, &observed, options, out)? {
            Ok(p) => p,
            Err(code) => return Ok(code),
        }
    };
    // With --json, standard output carries only the report: the plan and
    // the question go to standard error.
    let mut stderr = std::io::stderr();
    let human: &mut dyn std::io::Write = if args.json { &mut stderr } else { &mut *out };
    write!(human, "{}", report::plan_text(&plan))?;
    let account = observed.account_id.clone().unwrap_or_default();
    if let Some(refusal) = aws_flow::account_mismatch(expected.as_deref(), &observed) {
        // Checked again by the applier; refusing here spares the prompt.
        writeln!(human, "{refusal}")?;
        return Ok(ExitCode::from(1));
    }
    if plan.is_empty() {
        if args.json {
            let nothing: Option<aws::ApplyReport> = None;
            serde_json::to_writer_pretty(
                &mut *out,
                &serde_json::json!({ "plan": plan, "report": nothing }),
            )?;
            writeln!(out)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !args.auto_approve && !args.dry_run {
        let guard = if expected.is_some() {
            " (the expected account)"
        } else {
            ""
        };
        write!(
            human,
            "\nApply these {} operations to account {account}{guard}? Only 'yes' is accepted: ",
            plan.op_count()
        )?;
        human.flush()?;
        let mut answer = String::new();
        let read = std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            writeln!(
                human,
                "{}Not applied: nothing was changed.",
                if read == 0 { "\n" } else { "" }
            )?;
            return Ok(ExitCode::from(1));
        }
    }

    // Ctrl-C once: finish the calls in flight, start no more. Twice: drop them.
    let cancel = Cancel::new();
    let watcher = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\ninterrupted: finishing the calls in flight, starting no more (Ctrl-C again to abandon them)"
                );
                cancel.stop();
            }
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\nabandoning the calls in flight");
                cancel.abandon();
            }
        })
    };
    let apply_options = aws_flow::apply_options(args.dry_run, expected, prepared.flow.retry);
    let progress = stderr_progress(plan.op_count());
    let result = aws::apply(
        &prepared.flow.clients,
        &plan,
        &apply_options,
        &progress,
        &cancel,
    )
    .await;
    watcher.abort();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            writeln!(out, "refused: {e}")?;
            return Ok(ExitCode::from(1));
        }
    };
    if args.json {
        serde_json::to_writer_pretty(
            &mut *out,
            &serde_json::json!({ "plan": plan, "report": report }),
        )?;
        writeln!(out)?;
    } else {
        write!(out, "\n{}", report::apply_text(&report))?;
    }
    Ok(if report.is_complete() {
        ExitCode::SUCCESS
    } else if cancel.is_stopped() {
        ExitCode::from(130)
    } else {
        ExitCode::from(1)
    })
}
