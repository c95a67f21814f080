//! Plans and apply reports as text for people (the JSON forms are the
//! serde forms of [`Plan`] and [`ApplyReport`]).

use std::fmt::Write as _;

use super::apply::{ApplyReport, OpStatus};
use super::plan::{Action, Change, Plan};

/// Said by every plan: this path applies only part of the topology.
pub const TERRAFORM_NOTE: &str = "Only launch templates, autoscaling groups and their scaling policies are applied here. Everything else in the topology (network, load balancers, databases, caches, queues, CDN, DNS) belongs to the Terraform export: topoplan export terraform FILE -o DIR.";

fn sign(action: Action) -> char {
    match action {
        Action::Create => '+',
        Action::Update => '~',
        Action::Delete => '-',
        Action::NoOp => '=',
        Action::Keep => '!',
    }
}

/// The plan, region by region, resource by resource, with every changed
/// setting as old → new.
pub fn plan_text(plan: &Plan) -> String {
    let mut out = String::new();
    let account = plan
        .account_id
        .as_deref()
        .map_or_else(String::new, |a| format!(" in account {a}"));
    let _ = writeln!(
        out,
        "Plan for topology {}{account} (regions {})",
        plan.topology_id,
        plan.regions.join(", ")
    );
    let mut region = None;
    for chain in plan.chains() {
        let changes: Vec<&Change> = chain.iter().map(|&i| &plan.changes[i]).collect();
        let Some(first) = changes.first() else {
            continue;
        };
        if region != Some(first.region.as_str()) {
            region = Some(first.region.as_str());
            let _ = writeln!(out, "\n{}", first.region);
        }
        if changes
            .iter()
            .all(|c| c.action == Action::NoOp && c.notes.is_empty())
        {
            let kinds: Vec<String> = changes
                .iter()
                .map(|c| format!("{} {}", c.resource.label(), c.name))
                .collect();
            let _ = writeln!(out, "  = {}: unchanged ({})", first.node, kinds.join(", "));
            continue;
        }
        for c in changes {
            change_text(&mut out, c);
        }
    }
    if !plan.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in &plan.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    let s = plan.summary();
    out.push('\n');
    if plan.is_empty() {
        let _ = write!(out, "No changes: the account matches the document");
        if s.keep > 0 {
            let _ = write!(
                out,
                " ({} resources of removed nodes kept; --prune deletes them)",
                s.keep
            );
        }
        out.push_str(".\n");
    } else {
        let _ = write!(
            out,
            "Plan: {} to create, {} to update, {} to delete",
            s.create, s.update, s.delete
        );
        if s.keep > 0 {
            let _ = write!(out, ", {} kept (need --prune)", s.keep);
        }
        let _ = writeln!(
            out,
            ", {} unchanged; {} API write{}.",
            s.unchanged,
            plan.op_count(),
            if plan.op_count() == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out, "{TERRAFORM_NOTE}");
    out
}

fn change_text(out: &mut String, c: &Change) {
    let what = match c.action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::NoOp => "no change",
        Action::Keep => "kept",
    };
    let _ = writeln!(
        out,
        "  {} {} {} ({what}, node {})",
        sign(c.action),
        c.resource.label(),
        c.name,
        c.node
    );
    let width = c.fields.iter().map(|f| f.field.len()).max().unwrap_or(0);
    for f in &c.fields {
        let value = match (&f.old, &f.new) {
            (None, Some(new)) => new.clone(),
            (Some(old), None) => format!("{old} → (removed)"),
            (Some(old), Some(new)) => format!("{old} → {new}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(out, "      {:width$}  {value}", f.field);
    }
    for n in &c.notes {
        let _ = writeln!(out, "      note: {n}");
    }
}

/// One operation's outcome on one line, as printed while applying and in
/// the final report.
pub fn op_line(region: &str, api: &str, resource: &str, status: &OpStatus) -> String {
    let (mark, text) = match status {
        OpStatus::Done { note } => (
            "done",
            note.as_deref()
                .map_or_else(String::new, |n| format!(" ({n})")),
        ),
        OpStatus::Checked => ("would succeed", String::new()),
        OpStatus::Skipped { reason } => ("skipped", format!(" ({reason})")),
        OpStatus::Failed { error } if error.kind.ambiguous() => (
            "FAILED",
            format!(
                ": {error} (it may have taken effect all the same; the next plan shows whether)"
            ),
        ),
        OpStatus::Failed { error } => ("FAILED", format!(": {error}")),
        OpStatus::NotStarted => ("not done", String::new()),
        OpStatus::Abandoned => (
            "INTERRUPTED",
            " (abandoned in flight: it may or may not have happened; the next plan shows which)"
                .to_owned(),
        ),
    };
    format!("{mark:>13}  {region} {api} {resource}{text}")
}

/// The outcome of an apply: every operation that did not simply succeed
/// (those that did were shown as they happened; all are in the JSON form),
/// then the totals and what to do next.
pub fn apply_text(report: &ApplyReport) -> String {
    let mut out = String::new();
    let count = |f: fn(&OpStatus) -> bool| report.ops.iter().filter(|o| f(&o.status)).count();
    let done = count(|s| matches!(s, OpStatus::Done { .. } | OpStatus::Checked));
    let failed = count(|s| matches!(s, OpStatus::Failed { .. }));
    let not_done = count(|s| matches!(s, OpStatus::NotStarted));
    let skipped = count(|s| matches!(s, OpStatus::Skipped { .. }));
    let unknown = count(|s| matches!(s, OpStatus::Abandoned));
    let rest: Vec<_> = report
        .ops
        .iter()
        .filter(|o| !matches!(o.status, OpStatus::Done { .. } | OpStatus::Checked))
        .collect();
    if !rest.is_empty() {
        out.push_str(if report.dry_run {
            "Not checked:\n"
        } else {
            "Not done:\n"
        });
        for op in rest {
            let _ = writeln!(
                out,
                "{}",
                op_line(&op.region, &op.api, &op.resource, &op.status)
            );
        }
        out.push('\n');
    }
    let _ = write!(
        out,
        "{done} of {} operations {}",
        report.ops.len(),
        if report.dry_run { "checked" } else { "done" }
    );
    if failed > 0 {
        let _ = write!(out, ", {failed} failed");
    }
    if not_done > 0 {
        let _ = write!(out, ", {not_done} not done");
    }
    if skipped > 0 {
        let _ = write!(out, ", {skipped} skipped");
    }
    if unknown > 0 {
        let _ = write!(out, ", {unknown} interrupted");
    }
    let _ = writeln!(
        out,
        " in account {} ({} API calls, {:.1} s).",
        report.account_id, report.api_calls, report.elapsed_secs
    );
    if let Some(reason) = &report.stopped {
        let _ = writeln!(out, "Stopped: {reason}.");
    }
    if report.dry_run {
        out.push_str("Dry run: nothing was changed.\n");
    } else if failed + not_done + skipped + unknown > 0 {
        out.push_str(
            "The account is partly applied. What was done is tagged and will be recognised: run apply again to finish (it resumes, without duplicates).\n",
        );
    } else {
        out.push_str("Applied: run plan again to confirm there are no changes left.\n");
    }
    out
}
