//! The failure simulation at estate scale: every single failure of the
//! synthetic 1k-node estate (the reachability part alone, one thread, as
//! the networkx / igraph peers of `core/benches/peers/sweep_peer.py`
//! compute it; and the full sweep of served traffic, every core), every
//! pair on a small estate, and one scenario simulated in full.
//!
//!     cargo bench -p topoplan-core --bench sweep
//!
//! The 10k-node estate is left to the `sweep_peer` example (the cone-wise
//! `down_sets` and the full sweep take seconds there).
#![expect(
    clippy::expect_used,
    reason = "a benchmark that cannot set up should fail loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_core::sim::{Compact, Engine, Scenario, simulate_with, sweep};

fn singles_1k(c: &mut Criterion) {
    let t = synthetic(&SyntheticSpec::with_nodes(1_000));
    let compact = Compact::build(&t);
    let mut group = c.benchmark_group("sweep_1k");
    group.sample_size(10);
    group.bench_function("compact_build", |b| {
        b.iter(|| Compact::build(black_box(&t)));
    });
    group.bench_function("down_sets", |b| {
        b.iter(|| sweep::down_sets(black_box(&compact)));
    });
    group.bench_function("down_matrix", |b| {
        b.iter(|| sweep::down_matrix(black_box(&compact)));
    });
    group.bench_function("singles", |b| {
        b.iter(|| sweep::sweep_compact(black_box(&compact), false));
    });
    group.finish();
}

/// Every pair: on a small estate (109 elements), and on the 1k estate
/// (the target: under 5 s). Pairs with a SPOF in them are not
/// evaluated (they are below the SLO whatever the other member does): 325
/// and 17,955 pairs are.
fn pairs(c: &mut Criterion) {
    let mut group = c.benchmark_group("pairs");
    group.sample_size(10);
    for nodes in [100, 1_000] {
        let compact = Compact::build(&synthetic(&SyntheticSpec::with_nodes(nodes)));
        group.bench_function(format!("singles_and_pairs_{nodes}"), |b| {
            b.iter(|| sweep::sweep_compact(black_box(&compact), true));
        });
    }
    group.finish();
}

fn one_scenario(c: &mut Criterion) {
    let t = synthetic(&SyntheticSpec::with_nodes(1_000));
    let compact = Compact::build(&t);
    let mut engine = Engine::new(&compact);
    let region = Scenario::parse(&["region:us-east-1"]).expect("scenario");
    let az = Scenario::parse(&["az:eu-west-1b"]).expect("scenario");
    let mut group = c.benchmark_group("simulate_1k");
    group.bench_function("region", |b| {
        b.iter(|| simulate_with(&compact, &mut engine, black_box(&region)).expect("simulates"));
    });
    group.bench_function("az", |b| {
        b.iter(|| simulate_with(&compact, &mut engine, black_box(&az)).expect("simulates"));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = singles_1k, pairs, one_scenario
}
criterion_main!(benches);
