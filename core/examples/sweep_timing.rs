//! Quick timing of the failure sweeps on synthetic topologies:
//!
//!     cargo run --release -p topoplan-core --example sweep_timing -- 10000
#![expect(clippy::print_stdout, reason = "a command-line example")]

use std::time::Instant;

use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_core::sim::{Compact, sweep::sweep_compact};

fn main() {
    let nodes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let pairs = std::env::args().any(|a| a == "--pairs");
    let t = synthetic(&SyntheticSpec::with_nodes(nodes));
    let start = Instant::now();
    let c = Compact::build(&t);
    let build = start.elapsed();
    let start = Instant::now();
    let report = sweep_compact(&c, pairs);
    let sweep = start.elapsed();
    println!(
        "{} nodes, {} edges, {} units: compact {:?}, sweep {:?} ({} singles, {} SPOFs, {} pairs evaluated, {} double faults)",
        t.node_count(),
        t.edge_count(),
        c.unit_count(),
        build,
        sweep,
        report.singles.len(),
        report.spofs().count(),
        report.pairs_evaluated,
        report.pairs.len()
    );
}
