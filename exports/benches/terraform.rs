//! Terraform export of large generated topologies.
//!
//! `cargo bench -p topoplan-exports --bench terraform`
//!
//! Target: a 5,000-node topology exports in under 0.5 s. The document is
//! built once; each iteration runs the whole export (validation, naming,
//! resource generation, formatting, README).
#![expect(
    clippy::expect_used,
    reason = "a benchmark that cannot run should stop"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_exports::terraform::{ExportOptions, export};

fn bench_export(c: &mut Criterion) {
    let mut group = c.benchmark_group("terraform_export");
    group.sample_size(10);
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
    }
    // Its peer in the same run: validation alone, which the export includes.
    let topology = synthetic(&SyntheticSpec::with_nodes(5_000));
    group.bench_function("validate_only/5000", |b| {
        b.iter(|| topoplan_core::validate::validate(black_box(&topology)));
    });
    group.finish();
}

criterion_group!(benches, bench_export);
criterion_main!(benches);
