//! `topoplan autoscale`, driven through the real binary: the per-group
//! tables, the JSON report, and a refused invalid document.

#[path = "../../tests/support/mod.rs"]
mod support;

use support::{repo, stderr, stdout, topoplan};

/// The marketplace template has a daily profile and a warm standby.
#[test]
fn autoscale_prints_a_table_per_group_and_the_totals() {
    let out = topoplan(&["autoscale", "templates/marketplace.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("the document's daily profile"), "{text}");
    assert!(text.contains("instance-hours"), "{text}");
    assert!(text.contains("peak shortfall"), "{text}");
    assert!(text.contains("bff (Web BFF (EKS))"), "{text}");
    for needle in ["  us-east-1", "reactive", "predictive", "Totals over", "$"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(
        text.contains(", standby:"),
        "the warm standby is listed: {text}"
    );
    assert!(text.contains("predictive "), "a verdict per group: {text}");
}

#[test]
fn autoscale_json_is_the_day_report() {
    let out = topoplan(&["autoscale", "templates/marketplace.json", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["profile"], "document");
    assert_eq!(v["variant"], "warm_standby");
    let groups = v["groups"].as_array().expect("groups");
    assert!(!groups.is_empty());
    let mut reactive_hours = 0.0;
    for g in groups {
        for policy in ["reactive", "predictive"] {
            let d = &g[policy];
            assert!(d["instance_hours"].as_f64().expect("hours") > 0.0, "{g}");
            assert!(d["cost_usd"].as_f64().is_some(), "{g}");
            assert!(d["minutes_over_slo"].as_u64().is_some(), "{g}");
            assert!(d["peak_shortfall_rps"].as_f64().is_some(), "{g}");
        }
        reactive_hours += g["reactive"]["instance_hours"].as_f64().expect("hours");
        assert!(g["verdict"].as_str().is_some_and(|s| !s.is_empty()));
    }
    let total = v["totals"]["reactive"]["instance_hours"]
        .as_f64()
        .expect("total");
    assert!((total - reactive_hours).abs() < 1e-6 * total, "{total}");
}

#[test]
fn autoscale_refuses_an_invalid_document_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.json");
    let text = std::fs::read_to_string(repo().join("templates/three-tier.json"))
        .expect("template")
        .replacen("\"rps_per_instance\": ", "\"rps_per_instance\": -", 1);
    std::fs::write(&path, text).expect("write");
    let out = topoplan(&["autoscale", path.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("error(s); fix them first"), "{err}");
    assert!(err.contains("rps_per_instance"), "{err}");

    let out = topoplan(&["autoscale", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
}
