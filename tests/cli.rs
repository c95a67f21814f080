//! The `topoplan` command line, driven as a user would: the real binary.

mod support;

use support::{repo, stdout, topoplan};

#[test]
fn check_passes_on_every_template() {
    let templates: Vec<String> = std::fs::read_dir(repo().join("templates"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    let mut args = vec!["check"];
    args.extend(templates.iter().map(String::as_str));
    let out = topoplan(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out).lines().filter(|l| l.contains(": ok")).count(),
        templates.len()
    );
}

#[test]
fn check_exits_1_naming_file_place_and_problem() {
    let out = topoplan(&[
        "check",
        "tests/fixtures/invalid/20-placement-unknown-region.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out).lines().next().unwrap(),
        "tests/fixtures/invalid/20-placement-unknown-region.json: error: nodes[3] (\"orders-db\").placement.eu-west-1: unknown region \"eu-west-1\" (regions: us-east-1)"
    );
}

#[test]
fn every_invalid_fixture_exits_1() {
    for entry in std::fs::read_dir(repo().join("tests/fixtures/invalid")).unwrap() {
        let path = entry.unwrap().path();
        let out = topoplan(&["check", path.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}: {}",
            path.display(),
            stdout(&out)
        );
        let first = stdout(&out).lines().next().unwrap_or_default().to_owned();
        assert!(
            first.starts_with(&format!("{}: error: ", path.display())),
            "{first}"
        );
    }
}

#[test]
fn check_json_is_machine_readable() {
    let out = topoplan(&[
        "check",
        "--json",
        "templates/three-tier.json",
        "tests/fixtures/invalid/14-missing-node.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results[0]["ok"], true);
    assert_eq!(results[0]["nodes"], 7);
    assert_eq!(results[1]["ok"], false);
    assert_eq!(results[1]["errors"][0]["code"], "missing-node");
    assert_eq!(results[1]["errors"][0]["element"]["type"], "edge");
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let out = topoplan(&["check", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("no/such/file.json: error: cannot read")
            || stdout(&out).contains("No such file"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_huge_file_is_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let out = topoplan(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("limited to 64 MB"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn templates_lists_every_template() {
    let out = topoplan(&["templates", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "three-tier",
            "active-active",
            "sharded-cache",
            "event-pipeline",
            "static-site-api",
            "marketplace"
        ]
    );
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| !r["description"].as_str().unwrap().is_empty())
    );
    let text = stdout(&topoplan(&["templates"]));
    assert!(
        text.contains("marketplace") && text.contains("Kafka"),
        "{text}"
    );
}

#[test]
fn new_writes_a_valid_document_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.json");
    let p = path.to_str().unwrap();
    let out = topoplan(&["new", "--template", "active-active", p]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(topoplan(&["check", p]).status.code(), Some(0));
    std::fs::write(&path, "mine").unwrap();
    let out = topoplan(&["new", p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --force"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    let out = topoplan(&["new", "--template", "nope", p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("templates: three-tier"));
}

#[test]
fn fmt_check_reports_non_canonical_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("min.json");
    std::fs::write(&path, r#"{"schema": 1, "name": "min"}"#).unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(topoplan(&["fmt", "--check", p]).status.code(), Some(1));
    assert_eq!(topoplan(&["fmt", p]).status.code(), Some(0));
    assert_eq!(topoplan(&["fmt", "--check", p]).status.code(), Some(0));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("\"schema\": 1,\n")
    );
}
