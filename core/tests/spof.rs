//! The SPOF report of every template (`sim::sweep`), as reviewed
//! snapshots: every single failure ranked by the traffic it costs, the
//! SPOFs marked, and the double faults (pairs of elements that are not
//! SPOFs alone but are together). Shares are rounded to 0.1% so that a
//! change of the engine that moves a figure visibly shows up here.
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use std::fmt::Write as _;

use topoplan_core::sim::{SpofReport, SweepRow, sweep};
use topoplan_core::templates::TEMPLATES;

fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn row(out: &mut String, r: &SweepRow) {
    writeln!(
        out,
        "{:<44} {:>8} {:>8} {:>8}{}",
        r.label(),
        percent(r.lost),
        percent(r.lost_until_recovery),
        percent(r.recovered),
        if r.spof { "  SPOF" } else { "" }
    )
    .unwrap();
}

fn render(report: &SpofReport) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "baseline {:.3}%, SLO {:.3}%; {} SPOFs of {} single failures",
        report.baseline * 100.0,
        report.threshold * 100.0,
        report.spofs().count(),
        report.singles.len()
    )
    .unwrap();
    writeln!(
        out,
        "\n{:<44} {:>8} {:>8} {:>8}",
        "single failure", "lost", "at first", "served"
    )
    .unwrap();
    for r in &report.singles {
        row(&mut out, r);
    }
    writeln!(
        out,
        "\n{} double faults in {} pairs",
        report.pairs.len(),
        report.pairs_evaluated
    )
    .unwrap();
    for r in &report.pairs {
        row(&mut out, r);
    }
    out
}

#[test]
fn every_template_has_its_reviewed_spof_report() {
    for t in TEMPLATES {
        let doc = t.load().unwrap();
        let report = sweep(&doc, true);
        insta::assert_snapshot!(format!("{}-spof", t.name), render(&report));
    }
}
