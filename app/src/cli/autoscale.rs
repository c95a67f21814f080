//! `topoplan autoscale`: every autoscaling group over the daily profile,
//! reactive target tracking against predictive scaling.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use topoplan_core::autoscale::{self, DayReport, GroupRole, PolicyDay, ProfileSource};
use topoplan_core::cost::format_usd;

use super::document::load_valid;

/// `topoplan autoscale FILE [--json]`
pub(super) fn run(
    path: &Path,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let t = load_valid(path)?;
    let report = autoscale::simulate_day(&t);
    if as_json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        out.write_all(render(&path.display().to_string(), &report).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn usd(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), format_usd)
}

fn shortfall(d: &PolicyDay) -> String {
    if d.peak_shortfall_instances == 0 {
        "none".to_owned()
    } else {
        format!(
            "{:.0} rps / {} inst, {} min short",
            d.peak_shortfall_rps, d.peak_shortfall_instances, d.minutes_short
        )
    }
}

/// The report as text: a table per group, then the totals.
pub(super) fn render(file: &str, r: &DayReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{} ({file}): {}", r.name, r.variant.label());
    let profile = match r.profile {
        ProfileSource::Document => "the document's daily profile, minute by minute",
        ProfileSource::Flat => "flat at peak (no daily profile)",
    };
    let _ = writeln!(s, "Day: {profile}; latency SLO p95 {} ms", r.slo_p95_ms);
    let header = format!(
        "  {:<16} {:<11} {:>14} {:>12} {:>13} {:>10}  {}",
        "region",
        "policy",
        "instance-hours",
        "cost/day",
        "min over SLO",
        "saturated",
        "peak shortfall"
    );
    for g in &r.groups {
        let _ = writeln!(s);
        let role = match g.role {
            GroupRole::Active => String::new(),
            GroupRole::Standby => ", standby".to_owned(),
        };
        let _ = writeln!(
            s,
            "{} ({}){role}: {} × {}..{}, {} rps each, warm-up {} s, peak {:.0} rps",
            g.node,
            g.name,
            g.instance_type,
            g.min,
            g.max,
            g.rps_per_instance,
            g.warmup_secs,
            g.peak_rps
        );
        let _ = writeln!(s, "{header}");
        for (policy, d) in [("reactive", &g.reactive), ("predictive", &g.predictive)] {
            let _ = writeln!(
                s,
                "  {:<16} {:<11} {:>14.1} {:>12} {:>13} {:>10}  {}",
                g.region,
                policy,
                d.instance_hours,
                usd(d.cost_usd),
                d.minutes_over_slo,
                d.minutes_saturated,
                shortfall(d)
            );
        }
        let _ = writeln!(s, "  {}", g.verdict);
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "Totals over {} group(s):", r.groups.len());
    let _ = writeln!(
        s,
        "  {:<11} {:>14} {:>12} {:>20} {:>16}",
        "policy", "instance-hours", "cost/day", "group-min over SLO", "groups over SLO"
    );
    for (policy, t) in [
        ("reactive", &r.totals.reactive),
        ("predictive", &r.totals.predictive),
    ] {
        let _ = writeln!(
            s,
            "  {:<11} {:>14.1} {:>12} {:>20} {:>16}",
            policy,
            t.instance_hours,
            usd(t.cost_usd),
            t.minutes_over_slo,
            t.groups_over_slo
        );
    }
    let _ = writeln!(s, "  {}", r.totals.verdict);
    for n in &r.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}
