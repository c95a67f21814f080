//! The performance target: planning 200 autoscaling groups across 4
//! regions against the local API in under 5 s, with at most 2 API calls per
//! resource on average (batched, filtered Describe calls). The calls are
//! counted twice: by the proxy on the wire and by the SDK interceptor.
//! Run with `--nocapture` to see the figures (BENCHMARKS.md has them).
#![expect(
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly"
)]

mod aws_support;
mod support;

use std::time::Instant;

use aws_support::proxy::{Config, Proxy};
use aws_support::{Moto, run, stderr, stdout, succeeds, write};

const REGIONS: &[(&str, &[&str])] = &[
    ("us-east-1", &["us-east-1a", "us-east-1b"]),
    ("us-west-2", &["us-west-2a", "us-west-2b"]),
    ("eu-west-1", &["eu-west-1a", "eu-west-1b"]),
    ("ap-southeast-1", &["ap-southeast-1a", "ap-southeast-1b"]),
];
const SERVICES: usize = 50;

/// 50 services, each in 4 regions: 200 groups, 200 templates, 200 policies.
fn document() -> String {
    let regions: Vec<String> = REGIONS
        .iter()
        .map(|(r, azs)| {
            format!(
                r#"{{ "id": "{r}", "role": "primary", "azs": ["{}", "{}"] }}"#,
                azs[0], azs[1]
            )
        })
        .collect();
    let images: Vec<String> = REGIONS
        .iter()
        .map(|(r, _)| format!(r#""{r}": "ami-12c6146b""#))
        .collect();
    let placement: Vec<String> = REGIONS
        .iter()
        .map(|(r, azs)| format!(r#""{r}": ["{}", "{}"]"#, azs[0], azs[1]))
        .collect();
    let nodes: Vec<String> = (0..SERVICES)
        .map(|i| {
            format!(
                r#"{{ "id": "svc{i:02}", "kind": "service", "min": 0, "desired": 0, "max": 4, "health_check": "ec2",
      "placement": {{ {} }} }}"#,
                placement.join(", ")
            )
        })
        .collect();
    let edges: Vec<String> = (1..SERVICES)
        .map(|i| format!(r#"{{ "from": "svc00", "to": "svc{i:02}", "dependency": "soft" }}"#))
        .collect();
    format!(
        r#"{{
  "schema": 1, "id": "fleet", "name": "Fleet",
  "deployment": {{ "mode": "active_active" }},
  "regions": [{}],
  "aws": {{ "images": {{ {} }}, "subnet_tags": {{ "tier": "app" }} }},
  "traffic": {{ "entry": ["svc00"] }},
  "nodes": [{}],
  "edges": [{}]
}}"#,
        regions.join(", "),
        images.join(", "),
        nodes.join(",\n"),
        edges.join(", ")
    )
}

struct Measure {
    secs: f64,
    wire_calls: usize,
    sdk_calls: u64,
}

fn measure_plan(proxy: &Proxy, doc: &str, expect: &str) -> Measure {
    proxy.clear();
    let started = Instant::now();
    let out = run(&proxy.endpoint(), &["plan", "aws", doc]);
    let secs = started.elapsed().as_secs_f64();
    succeeds(&out);
    assert!(stdout(&out).contains(expect), "{}", stdout(&out));
    // "read the account with N API calls (M HTTP requests) in S s"
    let sdk_calls = stderr(&out)
        .lines()
        .find_map(|l| l.strip_prefix("read the account with "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the call count line");
    Measure {
        secs,
        wire_calls: proxy.calls().len(),
        sdk_calls,
    }
}

#[test]
fn planning_200_groups_in_4_regions_takes_under_5_s_and_at_most_2_calls_per_resource() {
    let Some(moto) = Moto::start() else { return };
    moto.network(REGIONS);
    let proxy = Proxy::start(moto.addr, Config::default(), 1);
    let dir = tempfile::tempdir().expect("dir");
    let doc = write(dir.path(), "fleet.json", &document())
        .display()
        .to_string();
    let resources = SERVICES * REGIONS.len() * 3;

    let empty = measure_plan(&proxy, &doc, "Plan: 600 to create");

    let started = Instant::now();
    let out = run(&proxy.endpoint(), &["apply", "aws", &doc, "--auto-approve"]);
    let apply_secs = started.elapsed().as_secs_f64();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("600 of 600 operations done"),
        "{}",
        stdout(&out)
    );
    let apply_calls = proxy.calls().len();

    let applied = measure_plan(&proxy, &doc, "No changes");

    println!(
        "| account | groups | resources | plan time | API calls (SDK) | HTTP requests (proxy) | calls per resource |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (name, m) in [("empty", &empty), ("all 200 applied", &applied)] {
        #[expect(clippy::cast_precision_loss, reason = "a ratio for display")]
        let per = m.wire_calls as f64 / resources as f64;
        println!(
            "| {name} | 200 | {resources} | {:.2} s | {} | {} | {per:.3} |",
            m.secs, m.sdk_calls, m.wire_calls
        );
    }
    println!("apply of 600 operations from empty: {apply_secs:.1} s, {apply_calls} HTTP requests");

    for m in [&empty, &applied] {
        assert!(m.secs < 5.0, "plan took {:.2} s", m.secs);
        assert!(
            m.wire_calls <= 2 * resources,
            "{} calls for {resources} resources",
            m.wire_calls
        );
        assert_eq!(
            u64::try_from(m.wire_calls).expect("count"),
            m.sdk_calls,
            "no call retried or lost"
        );
    }
    // Batched: the number of calls does not grow with the number of groups.
    assert!(
        applied.wire_calls <= 40,
        "{} calls: not batched",
        applied.wire_calls
    );
}
