//! `topoplan simulate`, `spof` and `availability`, driven through the real
//! binary: human reports, JSON, and refused input (exit 2).

#[path = "../../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;

use support::{text, topoplan};

#[test]
fn simulate_a_region_loss_in_active_active() {
    let out = topoplan(&[
        "simulate",
        "templates/active-active.json",
        "--fail",
        "region:us-east-1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("served: 100.0% after failover"), "{t}");
    assert!(t.contains("detected: health checks reroute"), "{t}");
    assert!(
        t.contains("api     down in us-east-1: region us-east-1 failed"),
        "{t}"
    );

    let out = topoplan(&[
        "simulate",
        "templates/three-tier.json",
        "--fail",
        "node:db",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["served"], 0.0);
    assert!(v["recovery_secs"].is_null());
    let app = v["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["id"] == "app")
        .expect("app");
    assert_eq!(app["state"], "down");
}

#[test]
fn spof_lists_the_single_points_of_failure_and_double_faults() {
    let out = topoplan(&["spof", "templates/three-tier.json", "--pairs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("single point(s) of failure: node:alb"), "{t}");
    assert!(t.contains("double faults:"), "{t}");
    let out = topoplan(&["spof", "templates/active-active.json", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let region = v["singles"]
        .as_array()
        .expect("singles")
        .iter()
        .find(|r| r["elements"][0]["id"] == "us-east-1")
        .expect("the region row");
    assert_eq!(
        region["spof"], false,
        "active-active survives a region: {region}"
    );
}

#[test]
fn availability_is_reported_with_its_method() {
    let out = topoplan(&["availability", "templates/three-tier.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("availability 99.8"), "{t}");
    assert!(t.contains("per year"), "{t}");
    let out = topoplan(&[
        "availability",
        "templates/three-tier.json",
        "--trials",
        "20000",
        "--seed",
        "3",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["method"], "monte_carlo");
    assert_eq!(v["trials"], 20_000, "{v}");
    let (low, high) = (
        v["low"].as_f64().expect("low"),
        v["high"].as_f64().expect("high"),
    );
    let exact = 0.998_498;
    assert!(
        low < exact && exact < high,
        "the exact answer is inside the interval: {v}"
    );
}

/// Monte Carlo that sees no failure reports the bound it can defend, not
/// 100% and the 16-nines cap.
#[test]
fn availability_without_a_failure_seen_reports_its_lower_bound() {
    let args = [
        "availability",
        "templates/active-active.json",
        "--trials",
        "10000",
    ];
    let out = topoplan(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let v: serde_json::Value = serde_json::from_slice(&topoplan(&json_args).stdout).expect("JSON");
    assert_eq!(v["figure"]["availability"], 1.0, "{v}");
    let low = v["low"].as_f64().expect("low");
    assert!(low < 1.0, "{v}");
    let floor = (low * 1e6).floor() / 1e4;
    assert!(
        t.contains(&format!("no failure in 10000 trials: at least {floor:.4}%")),
        "{t}"
    );
    assert!(t.contains("downtime: at most "), "{t}");
    assert!(!t.contains("16.00 nines"), "{t}");
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let out = topoplan(&[
        "simulate",
        "templates/three-tier.json",
        "--fail",
        "region:mars-1",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains(r#"unknown region "mars-1" (regions: us-east-1)"#),
        "{}",
        text(&out)
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let bad: PathBuf = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"schema": 1, "name": "x", "nodes": [{"id": "a", "kind": "service"}]}"#,
    )
    .expect("write");
    for cmd in ["simulate", "spof", "availability"] {
        let out = topoplan(&[cmd, bad.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {}", text(&out));
        assert!(text(&out).contains("error(s)"), "{cmd}: {}", text(&out));
    }
}
