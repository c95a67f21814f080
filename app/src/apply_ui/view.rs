//! The Apply to AWS window's drawing: one function per step, each
//! returning what its buttons asked for.

use std::time::Instant;

use egui::{Color32, RichText, Ui};
use topoplan_core::Topology;
use topoplan_exports::aws::{Action, ApplyReport, Cancel, Change, OpStatus, Plan, report};

use super::{CONFIRM_LABEL, Form, Planned, Row, Step, UiAction};
use crate::aws_flow;

const CREATE: Color32 = Color32::from_rgb(46, 160, 67);
const UPDATE: Color32 = Color32::from_rgb(210, 153, 34);
const DELETE: Color32 = Color32::from_rgb(218, 54, 51);

pub(super) fn steps_header(ui: &mut Ui, step: Step) {
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

pub(super) fn form_ui(
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

pub(super) fn planning_ui(
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

pub(super) fn preview_ui(
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

pub(super) fn applying_ui(
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

pub(super) fn done_ui(
    ui: &mut Ui,
    rows: &[Row],
    outcome: &Result<ApplyReport, String>,
) -> Option<UiAction> {
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
