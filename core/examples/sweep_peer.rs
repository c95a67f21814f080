//! Our side of the peer benchmark in `core/benches/peers/sweep_peer.py`
//! (networkx and python-igraph): the topology, its dependency graph, our
//! down sets and our timings, as JSON on stdout.
//!
//!     cargo run --release -p topoplan-core --example sweep_peer -- COMMAND SOURCE [--repeat R]
//!
//! SOURCE is a topology JSON file or `--synthetic N` (the estate of
//! `core::generate::synthetic` with about N nodes). COMMAND:
//!
//! - `topology`: the document (to keep a synthetic estate as a file);
//! - `graph`: its [`DependencyGraph`], what the peers read;
//! - `down`: our down set of every single failure (`sweep::down_sets`);
//! - `time`: seconds, best of R runs (default 5), of building the compact
//!   graph, of `down_sets` (one thread) and of the full `sweep` (every core).
#![expect(clippy::print_stdout, reason = "a command-line example")]

use std::time::Instant;

use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_core::model::{Topology, json};
use topoplan_core::sim::{Compact, sweep};

fn fail(message: &str) -> ! {
    eprintln!("sweep_peer: {message}");
    std::process::exit(2)
}

fn best_of<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed().as_secs_f64());
        out = Some(value);
    }
    (best, out.unwrap_or_else(|| fail("no run")))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: sweep_peer topology|graph|down|time FILE|--synthetic N [--repeat R]";
    let command = args.first().unwrap_or_else(|| fail(usage)).clone();
    let repeat = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .map_or(5, |r| r.parse().unwrap_or_else(|_| fail(usage)));
    let t: Topology = match args.get(1).map(String::as_str) {
        Some("--synthetic") => {
            let n = args
                .get(2)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| fail(usage));
            synthetic(&SyntheticSpec::with_nodes(n))
        }
        Some(path) => {
            let bytes = std::fs::read(path).unwrap_or_else(|e| fail(&format!("{path}: {e}")));
            json::from_slice(&bytes).unwrap_or_else(|d| fail(&format!("{path}: {d:?}")))
        }
        None => fail(usage),
    };
    match command.as_str() {
        "topology" => println!("{}", json::to_string(&t)),
        "graph" => {
            let c = Compact::build(&t);
            let graph = sweep::dependency_graph(&c);
            println!("{}", serde_json::to_string(&graph).unwrap_or_default());
        }
        "down" => {
            let c = Compact::build(&t);
            let sets: Vec<Vec<u32>> = sweep::down_sets(&c)
                .into_iter()
                .map(|(_, down)| down)
                .collect();
            println!("{}", serde_json::to_string(&sets).unwrap_or_default());
        }
        "time" => {
            let (compact, c) = best_of(repeat, || Compact::build(&t));
            let (down, sets) = best_of(repeat, || sweep::down_sets(&c));
            let (matrix_secs, matrix) = best_of(repeat, || sweep::down_matrix(&c));
            // The two formulations agree (every column's size, and the sets).
            let counts = matrix.down_counts();
            for (e, (_, set)) in sets.iter().enumerate() {
                if counts[e] as usize != set.len() || matrix.down_units(e) != *set {
                    fail(&format!("down_matrix and down_sets differ on failure {e}"));
                }
            }
            let (full, report) = best_of(repeat, || sweep::sweep_compact(&c, false));
            let down_units: usize = sets.iter().map(|(_, d)| d.len()).sum();
            // Failures that leave every unit users arrive at down: the full
            // sweep knows their rows from the down matrix, with no pass.
            let blackouts = (0..sets.len())
                .filter(|&e| c.arrivals.iter().all(|a| matrix.is_down(e, a.unit)))
                .count();
            let out = serde_json::json!({
                "nodes": t.node_count(),
                "edges": t.edge_count(),
                "units": c.unit_count(),
                "failures": sets.len(),
                "down_units": down_units,
                "spofs": report.spofs().count(),
                "blackouts": blackouts,
                "compact_secs": compact,
                "down_sets_secs": down,
                "down_matrix_secs": matrix_secs,
                "sweep_secs": full,
                "threads": std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            });
            println!("{out}");
        }
        _ => fail(usage),
    }
}
