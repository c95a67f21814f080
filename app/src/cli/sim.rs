//! `topoplan simulate` (one scenario) and `topoplan spof` (every single
//! failure, and pairs on request).

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use topoplan_core::availability::format_duration;
use topoplan_core::sim::{self, NodeState, Outcome, Scenario, SpofReport, SweepRow, share_percent};

use super::document::{load_valid, write_json};

pub(super) fn simulate(
    path: &Path,
    fail: &[String],
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let t = load_valid(path)?;
    let scenario = Scenario::parse(fail)?;
    let outcome = sim::simulate(&t, &scenario).with_context(|| path.display().to_string())?;
    if as_json {
        return write_json(out, &outcome);
    }
    out.write_all(render_outcome(&path.display().to_string(), &outcome).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn render_outcome(file: &str, o: &Outcome) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{file}: {}", o.scenario);
    let _ = writeln!(
        s,
        "served: {} after failover, {} once autoscaled (baseline {}, worst {})",
        share_percent(o.served),
        share_percent(o.recovered),
        share_percent(o.baseline),
        share_percent(o.worst)
    );
    match o.recovery_secs {
        Some(secs) => {
            let _ = writeln!(
                s,
                "recovery: back to baseline after {}",
                format_duration(secs)
            );
        }
        None => {
            let _ = writeln!(
                s,
                "recovery: does not recover on its own ({} of requests lost until repaired)",
                share_percent((o.baseline - o.recovered).max(0.0))
            );
        }
    }
    let _ = writeln!(s, "\ntimeline:");
    for p in &o.timeline {
        let what = match p.phase {
            sim::Phase::Impact => "failure, nothing noticed yet",
            sim::Phase::Detected => "detected: health checks reroute",
            sim::Phase::FailedOver => "regional failover done",
            sim::Phase::Recovered => "autoscaling warmed up",
        };
        let _ = writeln!(
            s,
            "  {:>12}  {:>8}  {what}",
            format_duration(p.at_secs),
            share_percent(p.served)
        );
    }
    let _ = writeln!(s, "\nentry points (after failover):");
    for e in &o.entries {
        let _ = writeln!(
            s,
            "  {:<24} {:>8} served   p95 {:.0} ms",
            e.node,
            share_percent(e.served),
            e.p95_ms
        );
    }
    let affected: Vec<_> = o
        .nodes
        .iter()
        .filter(|n| n.state != NodeState::Ok)
        .collect();
    if affected.is_empty() {
        let _ = writeln!(s, "\nevery node ok");
    } else {
        let _ = writeln!(
            s,
            "\nnodes not ok ({} of {}), worst first:",
            affected.len(),
            o.nodes.len()
        );
        let mut affected = affected;
        affected.sort_by(|a, b| b.state.cmp(&a.state).then(a.id.cmp(&b.id)));
        let width = affected.iter().map(|n| n.id.len()).max().unwrap_or(0);
        for n in affected {
            let _ = writeln!(s, "  {:<width$}  {}", n.id, n.reason);
        }
    }
    s
}

pub(super) fn spof(
    path: &Path,
    pairs: bool,
    top: usize,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let t = load_valid(path)?;
    let report = sim::sweep(&t, pairs);
    if as_json {
        return write_json(out, &report);
    }
    out.write_all(render_spofs(&path.display().to_string(), &report, top).as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn rows(s: &mut String, rows: &[&SweepRow]) {
    let width = rows
        .iter()
        .map(|r| r.label().len())
        .max()
        .unwrap_or(0)
        .max(7);
    let _ = writeln!(
        s,
        "  {:<width$}  {:>14}  {:>10}  {:>8}  SPOF",
        "element", "after failover", "recovered", "lost"
    );
    for r in rows {
        let _ = writeln!(
            s,
            "  {:<width$}  {:>14}  {:>10}  {:>8}  {}",
            r.label(),
            share_percent(r.served),
            share_percent(r.recovered),
            share_percent(r.lost),
            if r.spof { "yes" } else { "" }
        );
    }
}

pub(super) fn render_spofs(file: &str, r: &SpofReport, top: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{file}: {} single failures; baseline {} served; SLO {}",
        r.singles.len(),
        share_percent(r.baseline),
        share_percent(r.threshold)
    );
    let spofs: Vec<String> = r.spofs().map(SweepRow::label).collect();
    if spofs.is_empty() {
        let _ = writeln!(
            s,
            "no single point of failure: every single loss keeps the SLO once failover and autoscaling are done"
        );
    } else {
        let _ = writeln!(
            s,
            "{} single point(s) of failure: {}",
            spofs.len(),
            spofs.join(", ")
        );
    }
    let costly: Vec<&SweepRow> = r
        .singles
        .iter()
        .filter(|row| row.lost > 1e-9 || row.lost_until_recovery > 1e-9)
        .take(top)
        .collect();
    let _ = writeln!(s, "\nsingle failures that cost traffic, worst first:");
    if costly.is_empty() {
        let _ = writeln!(s, "  none");
    } else {
        rows(&mut s, &costly);
    }
    let harmless = r
        .singles
        .iter()
        .filter(|row| row.lost <= 1e-9 && row.lost_until_recovery <= 1e-9)
        .count();
    let _ = writeln!(s, "  ({harmless} more cost nothing once failover is done)");
    if r.pairs_evaluated > 0 {
        let _ = writeln!(
            s,
            "\ndouble faults: {} of {} pairs of non-SPOF elements break the SLO together",
            r.pairs.len(),
            r.pairs_evaluated
        );
        let shown: Vec<&SweepRow> = r.pairs.iter().take(top).collect();
        if !shown.is_empty() {
            rows(&mut s, &shown);
        }
        if r.pairs.len() > top {
            let _ = writeln!(s, "  ... {} more (--json for all)", r.pairs.len() - top);
        }
    }
    s
}

pub(super) fn availability(
    path: &Path,
    trials: Option<u64>,
    seed: u64,
    as_json: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    use topoplan_core::availability::{Figure, topology};
    let t = load_valid(path)?;
    let options = topology::Options {
        monte_carlo: trials.is_some(),
        trials: trials.unwrap_or(1_000_000),
        seed,
    };
    let a = topology::assess(&t, options);
    if as_json {
        return write_json(out, &a);
    }
    let f = a.figure;
    let mut s = String::new();
    let how = match a.method {
        topology::Method::Exact { pivots: 0 } => "exact (series-parallel / k-of-n)".to_owned(),
        topology::Method::Exact { pivots } => {
            format!("exact, conditioning on {pivots} shared components")
        }
        topology::Method::MonteCarlo {
            trials,
            seed,
            low,
            high,
        } => format!(
            "Monte Carlo, {trials} trials, seed {seed}: 95% interval {:.4}% – {:.4}%",
            (low * 1e6).floor() / 1e4,
            (high * 1e6).ceil() / 1e4
        ),
    };
    // No failure seen: the point estimate is 100% (16 nines, the cap),
    // which says nothing; the interval's low end is what was shown.
    let unseen = match a.method {
        topology::Method::MonteCarlo { low, .. } if f.unavailability() <= 0.0 => {
            Some(Figure::new(low))
        }
        _ => None,
    };
    let (headline, shown, bound) = match (unseen, a.method) {
        (Some(low), topology::Method::MonteCarlo { trials, .. }) => (
            format!(
                "no failure in {trials} trials: at least {:.4}% ({:.2} nines) with 95% confidence",
                (low.availability() * 1e6).floor() / 1e4,
                low.nines()
            ),
            low,
            "at most ",
        ),
        _ => (
            format!("availability {} ({:.2} nines)", f.percent_text(), f.nines()),
            f,
            "",
        ),
    };
    let _ = writeln!(s, "{}: {headline}, {how}", path.display());
    let _ = writeln!(
        s,
        "downtime: {bound}{} per year, {} per month; SLO {}",
        format_duration(shown.downtime_per_year_secs()),
        format_duration(shown.downtime_per_month_secs()),
        Figure::new(t.meta().slo.availability).percent_text()
    );
    let _ = writeln!(s, "{} components, {} gates", a.components, a.gates);
    for note in &a.assumptions {
        let _ = writeln!(s, "note: {note}");
    }
    out.write_all(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
