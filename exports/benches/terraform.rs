//! Terraform export of large generated topologies.
//!
//! `cargo bench -p topoplan-exports --bench terraform`
//!
//! Target: a 5,000-node topology exports in under 0.5 s. The document is
//! built once; each iteration runs the whole export (validation, naming,
//! resource generation, formatting, README). The machine this is measured
//! on is shared, so besides wall time each size is also measured in
//! **process CPU time** (`*_cpu`: every thread of the export, which other
//! processes' load does not inflate), and on one thread.
//!
//! The bench links mimalloc as the `topoplan` binary does: the export
//! builds and frees millions of small hcl-rs values, and glibc's allocator
//! was a third of its time.
#![expect(
    clippy::expect_used,
    reason = "a benchmark that cannot run should stop"
)]

use std::hint::black_box;
use std::time::Duration;

use cpu_time::ProcessTime;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_exports::terraform::{ExportOptions, export};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn bench_export(c: &mut Criterion) {
    let mut group = c.benchmark_group("terraform_export");
    group.sample_size(10);
    let mut one_thread = ExportOptions::default();
    one_thread.threads = 1;
    for nodes in [1_000, 5_000] {
        let topology = synthetic(&SyntheticSpec::with_nodes(nodes));
        let exported = export(&topology, &ExportOptions::default()).expect("exports");
        let bytes: usize = exported.files().values().map(String::len).sum();
        eprintln!(
            "{nodes} nodes: {} nodes, {} edges -> {} resources, {} files, {:.1} MB of HCL",
            topology.node_count(),
            topology.edge_count(),
            exported.resources().len(),
            exported.files().len(),
            bytes as f64 / 1e6
        );
        group.throughput(Throughput::Elements(topology.node_count() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(nodes), &topology, |b, t| {
            b.iter(|| export(black_box(t), &ExportOptions::default()).expect("exports"));
        });
        group.bench_with_input(BenchmarkId::new("cpu", nodes), &topology, |b, t| {
            b.iter_custom(|iters| cpu(iters, || export(t, &ExportOptions::default())));
        });
        group.bench_with_input(BenchmarkId::new("one_thread", nodes), &topology, |b, t| {
            b.iter(|| export(black_box(t), &one_thread).expect("exports"));
        });
    }
    // Its peer in the same run: validation alone, which the export includes.
    let topology = synthetic(&SyntheticSpec::with_nodes(5_000));
    group.bench_function("validate_only/5000", |b| {
        b.iter(|| topoplan_core::validate::validate(black_box(&topology)));
    });
    group.finish();
}

/// Process CPU time of `iters` runs (all threads), dropping each result
/// inside the measurement as the wall-time benches do.
fn cpu<T, E: std::fmt::Debug>(iters: u64, mut f: impl FnMut() -> Result<T, E>) -> Duration {
    let start = ProcessTime::now();
    for _ in 0..iters {
        drop(black_box(f().expect("exports")));
    }
    start.elapsed()
}

criterion_group!(benches, bench_export);
criterion_main!(benches);
