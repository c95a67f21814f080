//! The pure part of `plan aws`: building the desired state from a document
//! and diffing it against a described account, for 200 and 2,000 groups.
//! (The end-to-end figure against the local API is `tests/aws_scale.rs`.)
//!
//! `cargo bench -p topoplan-exports --bench aws_plan`

#![expect(
    clippy::expect_used,
    reason = "a benchmark that cannot set up should fail loudly"
)]

use std::fmt::Write as _;

use criterion::{Criterion, criterion_group, criterion_main};
use topoplan_core::model::json;
use topoplan_exports::aws::desired::SubnetSource;
use topoplan_exports::aws::observed::{
    ObservedGroup, ObservedLaunchTemplate, ObservedPolicy, ObservedSubnet, TemplateRef,
};
use topoplan_exports::aws::ownership::TAG_DESIRED;
use topoplan_exports::aws::{Desired, DesiredOptions, Observed, PlanOptions, desired, plan};

const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"];

fn document(services: usize) -> String {
    let mut doc = String::from(
        r#"{"schema": 1, "id": "fleet", "name": "Fleet", "deployment": {"mode": "active_active"}, "regions": ["#,
    );
    for (i, r) in REGIONS.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(
            doc,
            r#"{sep}{{"id": "{r}", "role": "primary", "azs": ["{r}a", "{r}b"]}}"#
        );
    }
    doc.push_str(r#"], "aws": {"subnet_tags": {"tier": "app"}, "images": {"#);
    for (i, r) in REGIONS.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(doc, r#"{sep}"{r}": "ami-12c6146b""#);
    }
    doc.push_str(r#"}}, "nodes": ["#);
    for s in 0..services {
        let sep = if s == 0 { "" } else { ", " };
        let _ = write!(
            doc,
            r#"{sep}{{"id": "svc{s}", "kind": "service", "placement": {{"#
        );
        for (i, r) in REGIONS.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(doc, r#"{sep}"{r}": ["{r}a", "{r}b"]"#);
        }
        doc.push_str("}}");
    }
    doc.push_str("]}");
    doc
}

/// The account once the document is applied.
fn applied(d: &Desired) -> Observed {
    let mut o = Observed::default();
    for (n, g) in d.groups.iter().enumerate() {
        let r = o.regions.entry(g.region.clone()).or_default();
        let subnet = |az: &str| format!("subnet-{:0>8}", az.replace('-', ""));
        for (az, _) in &g.asg.subnets {
            if !r.subnets.iter().any(|s| s.az == *az) {
                r.subnets.push(ObservedSubnet {
                    id: subnet(az),
                    az: az.clone(),
                    vpc_id: "vpc-1".into(),
                    tags: [("tier".to_owned(), "app".to_owned())].into(),
                });
            }
        }
        let id = format!("lt-{n:0>8}");
        r.launch_templates.push(ObservedLaunchTemplate {
            id: id.clone(),
            name: g.launch_template.name.clone(),
            tags: g.launch_template.tags.clone(),
            default_version: 1,
            latest_version: 1,
            default_data: Some(g.launch_template.data.clone()),
        });
        let mut tags = g.asg.tags.clone();
        tags.insert(TAG_DESIRED.into(), g.asg.desired.to_string());
        r.groups.push(ObservedGroup {
            name: g.asg.name.clone(),
            tags,
            min: g.asg.min,
            max: g.asg.max,
            desired: g.asg.desired,
            subnet_ids: g
                .asg
                .subnets
                .iter()
                .map(|(az, s)| match s {
                    SubnetSource::Id(id) => id.clone(),
                    SubnetSource::Tags(_) => subnet(az),
                })
                .collect(),
            health_check_type: g.asg.health_check_type.clone(),
            health_check_grace_secs: Some(g.asg.health_check_grace_secs),
            default_instance_warmup_secs: None,
            launch_template: Some(TemplateRef {
                id: Some(id),
                name: None,
                version: Some("1".into()),
            }),
            target_group_arns: Vec::new(),
            status: None,
        });
        for p in &g.policies {
            r.policies.push(ObservedPolicy {
                group: g.asg.name.clone(),
                name: p.name.clone(),
                policy_type: p.kind.api_name().into(),
                metric: Some("ASGAverageCPUUtilization".into()),
                target_value: Some(p.target_cpu_percent),
                estimated_warmup_secs: Some(p.warmup_secs),
                disable_scale_in: Some(false),
                predictive_mode: None,
                scheduling_buffer_secs: None,
            });
        }
    }
    o.normalize();
    o
}

fn bench(c: &mut Criterion) {
    for services in [50, 500] {
        let groups = services * REGIONS.len();
        let topology = json::from_str(&document(services)).expect("a valid document");
        let want = desired(&topology, &DesiredOptions::default()).expect("desired");
        let account = applied(&want);
        let empty = Observed::default();
        let mut group = c.benchmark_group(format!("aws_plan/{groups}_groups"));
        group.bench_function("desired", |b| {
            b.iter(|| desired(&topology, &DesiredOptions::default()));
        });
        group.bench_function("plan_empty_account", |b| {
            b.iter(|| plan(&want, &empty, PlanOptions::default()));
        });
        group.bench_function("plan_applied_account", |b| {
            b.iter(|| plan(&want, &account, PlanOptions::default()));
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
