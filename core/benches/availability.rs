//! The availability engine at topology scale (target: 10⁶ Monte Carlo
//! trials of a ~3,000-component, ~4,000-gate structure in under 1 s), and
//! exact evaluation of a series-parallel structure and of a zonal one
//! factored on its AZs. Monte Carlo is also measured in the thread's CPU
//! time (`*_cpu`), which a machine shared with other builds does not
//! inflate with time spent waiting for a core.
//!
//!     cargo bench -p topoplan-core --bench availability
#![expect(
    clippy::expect_used,
    reason = "a benchmark that cannot set up should fail loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use topoplan_core::availability::{GateKind, Input, Structure, monte_carlo};
use topoplan_core::generate::Rng;

/// Uniform in `[low, high)`.
fn between(rng: &mut Rng, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.unit()
}

/// 1,000 topology nodes in 3 regions of 3 AZs: per node and region, one
/// component (the node's deployment there) and one gate (it needs its
/// deployment, its AZ, its region and the same region's copies of the nodes
/// it calls); per node, one gate over its regions (any region for two nodes
/// in three, a 2-of-3 quorum for the rest). Every node is called by a node
/// built at most 30 after it, and half the nodes also call a random earlier
/// node, so everything is reachable from the entry points, the last ten
/// nodes (a tenth of the traffic each), and much is shared. 3,012
/// components, 4,000 gates, of which 3,010 reachable (callers read their
/// callees' regional gates, so only the entries' top gates are used): no
/// exact evaluation can factor it.
fn topology_like(seed: u64) -> (Structure, Vec<(Input, f64)>) {
    const NODES: usize = 1_000;
    const REGIONS: usize = 3;
    const ENTRIES: usize = 10;
    let mut rng = Rng(seed);
    let mut calls: Vec<Vec<usize>> = vec![Vec::new(); NODES];
    for callee in 0..NODES - ENTRIES {
        let caller = callee + 1 + rng.below(30.min(NODES - 1 - callee));
        calls[caller].push(callee);
    }
    for (caller, called) in calls.iter_mut().enumerate().skip(1) {
        if rng.below(2) == 0 {
            called.push(rng.below(caller));
        }
    }
    let mut s = Structure::new();
    let regions: Vec<Input> = (0..REGIONS).map(|_| s.component(0.999_99)).collect();
    let azs: Vec<Vec<Input>> = (0..REGIONS)
        .map(|_| (0..3).map(|_| s.component(0.9999)).collect())
        .collect();
    let mut regional: Vec<Vec<Input>> = Vec::with_capacity(NODES);
    let mut nodes = Vec::with_capacity(NODES);
    for (node, called) in calls.iter().enumerate() {
        let az = rng.below(3);
        let mut here = Vec::with_capacity(REGIONS);
        for region in 0..REGIONS {
            let deployment = s.component(between(&mut rng, 0.9995, 0.999_99));
            let mut inputs = vec![deployment, azs[region][az], regions[region]];
            inputs.extend(called.iter().map(|&callee| regional[callee][region]));
            here.push(s.gate(GateKind::All, &inputs));
        }
        let kind = if node % 3 == 2 {
            GateKind::AtLeast(2)
        } else {
            GateKind::Any
        };
        nodes.push(s.gate(kind, &here));
        regional.push(here);
    }
    let outputs = nodes[NODES - ENTRIES..].iter().map(|&n| (n, 0.1)).collect();
    (s, outputs)
}

/// How many gates the outputs reach (Monte Carlo evaluates only those).
fn reachable_gates(s: &Structure, outputs: &[(Input, f64)]) -> usize {
    let mut reached = vec![false; s.gate_count()];
    for &(out, _) in outputs {
        if let Input::Gate(g) = out {
            reached[g as usize] = true;
        }
    }
    for g in (0..u32::try_from(s.gate_count()).expect("u32 gates")).rev() {
        if reached[g as usize] {
            for &input in s.gate_inputs(g) {
                if let Input::Gate(h) = input {
                    reached[h as usize] = true;
                }
            }
        }
    }
    reached.iter().filter(|&&r| r).count()
}

/// A tree: an app that needs 1,000 services, each 2 of 3 instances.
fn series_parallel() -> (Structure, Input) {
    let mut rng = Rng(7);
    let mut s = Structure::new();
    let services: Vec<Input> = (0..1_000)
        .map(|_| {
            let instances: Vec<Input> = (0..3)
                .map(|_| s.component(between(&mut rng, 0.99, 0.9999)))
                .collect();
            s.gate(GateKind::AtLeast(2), &instances)
        })
        .collect();
    let app = s.gate(GateKind::All, &services);
    (s, app)
}

/// The same app with each service's instances in the 3 AZs: factored on
/// the AZs (8 cases).
fn zonal() -> (Structure, Input) {
    let mut rng = Rng(7);
    let mut s = Structure::new();
    let azs: Vec<Input> = (0..3).map(|_| s.component(0.9999)).collect();
    let services: Vec<Input> = (0..1_000)
        .map(|_| {
            let instances: Vec<Input> = azs
                .iter()
                .map(|&az| {
                    let instance = s.component(between(&mut rng, 0.99, 0.9999));
                    s.gate(GateKind::All, &[az, instance])
                })
                .collect();
            s.gate(GateKind::AtLeast(2), &instances)
        })
        .collect();
    let app = s.gate(GateKind::All, &services);
    (s, app)
}

fn bench(c: &mut Criterion) {
    let (s, outputs) = topology_like(1);
    let exact = s.exact(&outputs, 20);
    let estimate = monte_carlo(&s, &outputs, 1_000_000, 42);
    eprintln!(
        "topology-like structure: {} components, {} gates ({} reachable); exact with ≤ 20 pivots: {exact:?}; {estimate:?}",
        s.component_count(),
        s.gate_count(),
        reachable_gates(&s, &outputs),
    );
    let mut group = c.benchmark_group("availability");
    group.sample_size(10);
    group.bench_function("monte_carlo_1e6_trials_3k_components_4k_gates", |b| {
        b.iter(|| monte_carlo(black_box(&s), &outputs, 1_000_000, 42));
    });
    group.bench_function("monte_carlo_1e6_trials_3k_components_4k_gates_cpu", |b| {
        b.iter_custom(|iters| cpu(iters, || monte_carlo(&s, &outputs, 1_000_000, 42)));
    });
    // The whole topology path (compact graph, structure, Monte Carlo) on
    // the 1k-node synthetic estate, as `topoplan availability --trials`.
    let estate = topoplan_core::generate::synthetic(
        &topoplan_core::generate::SyntheticSpec::with_nodes(1_000),
    );
    let options = topoplan_core::availability::topology::Options {
        monte_carlo: true,
        trials: 1_000_000,
        seed: 1,
    };
    eprintln!(
        "1k estate: {:?}",
        topoplan_core::availability::topology::assess(&estate, options).method
    );
    group.bench_function("assess_1k_node_estate_monte_carlo_1e6_trials", |b| {
        b.iter(|| topoplan_core::availability::topology::assess(black_box(&estate), options));
    });
    let (tree, app) = series_parallel();
    group.bench_function("exact_series_parallel_3k_components", |b| {
        b.iter(|| black_box(&tree).exact(&[(app, 1.0)], 0).expect("a tree"));
    });
    let (factored, app) = zonal();
    group.bench_function("exact_zonal_3_pivots_3k_components", |b| {
        b.iter(|| {
            black_box(&factored)
                .exact(&[(app, 1.0)], 3)
                .expect("3 pivots")
        });
    });
    group.finish();
}

/// The thread's CPU time for `iters` runs of `f`.
fn cpu<T>(iters: u64, mut f: impl FnMut() -> T) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iters {
        black_box(f());
    }
    start.elapsed()
}

criterion_group!(benches, bench);
criterion_main!(benches);
