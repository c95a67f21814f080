//! Costing a 10,000-node topology in every deployment mode (target: < 50 ms),
//! beside its peers: the load computation it starts from, one estimate, and
//! the comparison with each mode's availability and recovery filled in.
//! Each is measured twice: wall time (criterion's default) and the thread's
//! CPU time (`*_cpu`), which a machine shared with other builds does not
//! inflate with time spent waiting for a core.
//!
//!     cargo bench -p topoplan-core --bench cost
#![expect(
    clippy::expect_used,
    reason = "a benchmark that cannot set up should fail loudly"
)]

use std::hint::black_box;
use std::time::Duration;

use cpu_time::ThreadTime;

use criterion::{Criterion, criterion_group, criterion_main};
use topoplan_core::availability::modes::Assessed;
use topoplan_core::availability::topology::Options;
use topoplan_core::cost::{self, Catalog, NoAssessment, Variant};
use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_core::load::Load;
use topoplan_core::model::DeploymentMode;

fn bench(c: &mut Criterion) {
    let t = synthetic(&SyntheticSpec::with_nodes(10_000));
    let catalog = Catalog::embedded().expect("the embedded catalog parses");
    let mut group = c.benchmark_group("cost_10k_nodes");
    group.sample_size(20);
    group.bench_function("compare_all_modes", |b| {
        b.iter(|| cost::compare(black_box(&t), catalog, &NoAssessment).expect("prices"));
    });
    // The table as the CLI and the GUI show it: every mode's availability
    // (exact or Monte Carlo) and recovery (a simulated region loss) too.
    group.bench_function("compare_all_modes_assessed", |b| {
        b.iter(|| {
            let assessed = Assessed::new(black_box(&t), Options::default());
            cost::compare(&t, catalog, &assessed).expect("prices")
        });
    });
    group.bench_function("estimate_active_active", |b| {
        b.iter(|| {
            cost::estimate_variant(black_box(&t), catalog, Variant::ActiveActive).expect("prices")
        });
    });
    group.bench_function("load_active_active (peer)", |b| {
        b.iter(|| Load::compute_for_mode(black_box(&t), DeploymentMode::ActiveActive));
    });
    group.bench_function("compare_all_modes_cpu", |b| {
        b.iter_custom(|iters| cpu(iters, || cost::compare(&t, catalog, &NoAssessment)));
    });
    group.bench_function("load_active_active_cpu (peer)", |b| {
        b.iter_custom(|iters| {
            cpu(iters, || {
                Ok::<_, ()>(Load::compute_for_mode(&t, DeploymentMode::ActiveActive))
            })
        });
    });
    group.finish();
    c.bench_function("catalog_lookup", |b| {
        b.iter(|| {
            catalog
                .lookup(
                    cost::Service::Ec2,
                    black_box("m6i.large"),
                    black_box("eu-west-1"),
                )
                .expect("listed")
        });
    });
}

/// The thread's CPU time for `iters` runs of `f`.
fn cpu<T, E: std::fmt::Debug>(iters: u64, mut f: impl FnMut() -> Result<T, E>) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iters {
        black_box(f().expect("runs"));
    }
    start.elapsed()
}

criterion_group!(benches, bench);
criterion_main!(benches);
