//! `topoplan cost`, driven through the real binary: the itemised bill, the
//! mode comparison, the diff, and the catalog regenerated from its sources.

mod support;

use std::process::Command;

use support::{repo, stderr, stdout, topoplan};

#[test]
fn cost_itemises_the_bill_and_shows_the_catalog_date() {
    let out = topoplan(&["cost", "templates/three-tier.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("EC2 of 2024-02-21"), "{text}");
    assert!(text.contains("hand-entered 2026-11-23"), "{text}");
    assert!(
        text.contains("Instance usage (Linux, on-demand, m6i.large)"),
        "{text}"
    );
    assert!(text.contains("Load balancer capacity units"), "{text}");
    assert!(text.contains("Total a month"), "{text}");
    assert!(text.contains("~ "), "unverified prices are marked: {text}");
}

#[test]
fn cost_json_names_every_price_key_and_adds_up() {
    let out = topoplan(&["cost", "templates/active-active.json", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let lines = v["lines"].as_array().expect("lines");
    assert!(lines.iter().all(|l| {
        l["price_key"]
            .as_str()
            .is_some_and(|k| k.contains(':') && k.contains('@'))
    }));
    let sum: f64 = lines
        .iter()
        .map(|l| l["monthly_usd"].as_f64().unwrap())
        .sum();
    let total = v["monthly_usd"].as_f64().unwrap();
    assert!((sum - total).abs() < 1e-6 * total, "{sum} vs {total}");
    assert_eq!(v["variant"], "active_active");
    assert_eq!(v["catalog"]["ec2_date"], "2024-02-21");
}

#[test]
fn cost_region_keeps_one_region_and_refuses_an_unknown_one() {
    let out = topoplan(&[
        "cost",
        "templates/active-active.json",
        "--region",
        "eu-west-1",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["region"] == "eu-west-1")
    );
    let out = topoplan(&[
        "cost",
        "templates/active-active.json",
        "--region",
        "eu-west-9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--region eu-west-9: not a region of"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn compare_shows_every_mode_and_explains_the_active_active_premium() {
    let out = topoplan(&["cost", "templates/active-active.json", "--compare"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for mode in [
        "single region",
        "active-passive, pilot light",
        "active-passive, warm standby",
        "active-active",
        "← this document's mode",
        "Does active-active double the bill?",
    ] {
        assert!(text.contains(mode), "{mode}: {text}");
    }
    assert!(text.contains("availability"), "{text}");
    assert!(text.contains("never (0% served)"), "{text}");
    // Availability and recovery come from the simulation engine: the
    // document's own mode has what `availability` and `simulate` say.
    let out = topoplan(&[
        "cost",
        "templates/active-active.json",
        "--compare",
        "--json",
    ]);
    let compare: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let own = compare["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["current"] == true)
        .expect("the document's row");
    let out = topoplan(&["availability", "templates/active-active.json", "--json"]);
    let availability: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(own["availability"], availability["figure"]["availability"]);
    let out = topoplan(&[
        "simulate",
        "templates/active-active.json",
        "--fail",
        "region:us-east-1",
        "--json",
    ]);
    let outcome: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(outcome["recovery_secs"].as_f64().is_some(), "{outcome}");
    assert_eq!(own["recovery"]["kind"], "full");
    assert_eq!(own["recovery"]["secs"], outcome["recovery_secs"]);
    let single = &compare["rows"][0];
    assert_eq!(single["variant"], "single");
    assert_eq!(single["recovery"]["kind"], "partial");
    assert!(
        single["availability"].as_f64().unwrap() < own["availability"].as_f64().unwrap(),
        "{compare}"
    );
    let out = topoplan(&["cost", "templates/three-tier.json", "--compare", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["rows"].as_array().unwrap().len(), 1);
    assert_eq!(v["skipped"].as_array().unwrap().len(), 3);
    assert!(v["rows"][0]["availability"].as_f64().is_some());
}

#[test]
fn diff_says_what_changed_and_by_how_much() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = repo().join("templates/three-tier.json");
    let text = std::fs::read_to_string(&old).expect("template");
    let new_text = text.replacen(
        "\"instance_type\": \"m6i.large\"",
        "\"instance_type\": \"m6i.xlarge\"",
        1,
    );
    assert_ne!(text, new_text);
    let new = dir.path().join("new.json");
    std::fs::write(&new, new_text).expect("write");
    let out = topoplan(&["cost", "diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Instance usage (Linux, on-demand, m6i.large) → Instance usage (Linux, on-demand, m6i.xlarge)"),
        "{text}"
    );
    let out = topoplan(&[
        "cost",
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // m6i.xlarge costs twice m6i.large: the web tier's bill doubles.
    let change = &v["changes"][0];
    assert_eq!(change["element"], "web");
    assert!(
        (change["new_usd"].as_f64().unwrap() - 2.0 * change["old_usd"].as_f64().unwrap()).abs()
            < 0.01
    );
    assert!(v["delta_usd"].as_f64().unwrap() > 0.0);
}

#[test]
fn an_unknown_instance_type_fails_naming_it_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(repo().join("templates/three-tier.json")).expect("template");
    let path = dir.path().join("doc.json");
    std::fs::write(&path, text.replacen("\"c6i.xlarge\"", "\"c6i.xlarg\"", 1)).expect("write");
    let out = topoplan(&["cost", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("nodes[3] (\"app\") in us-east-1"), "{err}");
    assert!(
        err.contains("EC2 instance type \"c6i.xlarg\" (did you mean \"c6i.xlarge\"?)"),
        "{err}"
    );
}

/// The committed catalog is exactly what assets/pricing/regenerate.py makes
/// from its sources (sparecores-data 0.1.0, installed by tests/run).
#[test]
fn the_catalog_regenerates_byte_for_byte_from_its_sources() {
    let Some(python) = std::env::var_os("TOPOPLAN_PYTHON") else {
        assert!(
            !support::strict(),
            "TOPOPLAN_PYTHON is required (CI=true): tests/run installs it"
        );
        eprintln!("SKIPPED: TOPOPLAN_PYTHON not set; tests/run sets it");
        return;
    };
    let out = Command::new(python)
        .args(["assets/pricing/regenerate.py", "--check"])
        .current_dir(repo())
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
}
