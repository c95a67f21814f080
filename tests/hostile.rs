//! Hostile and huge input through the real binary: each gets a clear error
//! naming the place and the problem, or a working result — never a panic,
//! and within a stated memory bound (the child runs under `ulimit -v`, so
//! going over it fails the test rather than the machine).
//!
//! And text that means something to a shell, HCL or a terminal (`"`, `\`,
//! `${`, `%{`, newlines, right-to-left marks, escape sequences, very long
//! names) flows through the command line, the Terraform export (checked by
//! `terraform fmt` and by Terraform itself evaluating the value) and AWS tags
//! unchanged, or is refused with a clear error before any API call.
#![expect(
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly"
)]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use support::{repo, require, text};

/// Address space the binary may use on the huge inputs. A document is at
/// most 64 MB; parsing it builds a JSON tree and then the typed document,
/// a few times its size (tests/RELIABILITY.md has the measured peaks). The
/// binary's allocator (mimalloc) maps memory in segments and keeps freed
/// ones for reuse, so the address space runs ~2× the resident peak
/// (0.95 GB for the 10⁶-node document).
const HUGE_INPUT_LIMIT_MB: u64 = 2048;
/// For inputs refused before they are read.
const SMALL_LIMIT_MB: u64 = 256;

/// Runs `topoplan ARGS` with its address space limited to `limit_mb`.
fn topoplan_limited(limit_mb: u64, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", limit_mb * 1024))
        .arg(env!("CARGO_BIN_EXE_topoplan"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the binary runs")
}

fn topoplan(args: &[&str]) -> Output {
    topoplan_limited(HUGE_INPUT_LIMIT_MB, args)
}

/// Exit code 1 (problems found) or 2 (unreadable), no panic, and every
/// expected phrase in the output.
fn refused(out: &Output, expected: &[&str]) {
    let all = text(out);
    assert!(
        !all.contains("panicked") && !all.contains("RUST_BACKTRACE"),
        "a panic:\n{all}"
    );
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "expected a clear refusal (exit 1 or 2), got {:?}:\n{}",
        out.status,
        &all[..all.len().min(4000)]
    );
    for phrase in expected {
        assert!(
            all.contains(phrase),
            "expected {phrase:?} in:\n{}",
            &all[..all.len().min(4000)]
        );
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the input");
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

#[test]
fn a_100_mb_document_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc = br#"{"schema": 1, "name": "huge", "nodes": [], "notes": ""#.to_vec();
    doc.resize(100 * 1024 * 1024, b'x');
    doc.extend_from_slice(b"\"}");
    let path = write(dir.path(), "huge.json", &doc);
    drop(doc);
    // Refused on its size: a small memory bound proves it is never read.
    let out = topoplan_limited(SMALL_LIMIT_MB, &["check", arg(&path)]);
    refused(&out, &["104.9 MB", "limited to 64 MB"]);
}

#[test]
fn a_million_nodes_load_within_the_memory_bound() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut doc = String::from(
        r#"{"schema": 1, "name": "million", "regions": [{"id": "us-east-1", "azs": ["us-east-1a", "us-east-1b"]}],
"traffic": {"entry": ["n0"]}, "nodes": ["#,
    );
    for i in 0..1_000_000 {
        if i > 0 {
            doc.push(',');
        }
        let _ = write!(doc, r#"{{"id":"n{i}","kind":"dns"}}"#);
    }
    doc.push_str(r#"], "edges": [{"from": "n0", "to": "n0"}, {"from": "n1", "to": "n999999"}]}"#);
    assert!(doc.len() > 29_000_000, "{}", doc.len());
    let path = write(dir.path(), "million.json", doc.as_bytes());
    drop(doc);
    let out = topoplan(&["check", arg(&path)]);
    // A working result: the million nodes load; the self-edge is the one
    // error, named with its place.
    refused(
        &out,
        &[
            "edges[0] (n0 -> n0)",
            "\"n0\" cannot be connected to itself",
            "1 error",
        ],
    );
}

#[test]
fn a_million_levels_of_nesting_are_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let depth = 1_000_000;
    let mut doc = String::from(r#"{"schema": 1, "name": "deep", "notes": "#);
    doc.push_str(&"[".repeat(depth));
    doc.push_str(&"]".repeat(depth));
    doc.push('}');
    let path = write(dir.path(), "deep.json", doc.as_bytes());
    let out = topoplan(&["check", arg(&path)]);
    refused(
        &out,
        &[
            "deep.json",
            "line 1 column 166",
            "nested deeper than 128 levels",
        ],
    );
}

#[test]
fn bytes_that_are_not_utf8_are_a_clear_error_with_their_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "latin1.json",
        b"{\"schema\": 1,\n \"name\": \"caf\xe9\"}",
    );
    let out = topoplan(&["check", arg(&path)]);
    refused(&out, &["latin1.json", "line 2", "UTF-8"]);
}

/// A service document with one setting replaced by raw JSON text.
fn service_doc(field: &str, raw: &str) -> String {
    format!(
        r#"{{"schema": 1, "name": "numbers",
  "regions": [{{"id": "us-east-1", "azs": ["us-east-1a", "us-east-1b"]}}],
  "traffic": {{"entry": ["web"], "peak_rps": 100}},
  "nodes": [{{"id": "web", "kind": "service", "{field}": {raw},
             "placement": {{"us-east-1": ["us-east-1a", "us-east-1b"]}}}}]}}"#
    )
}

#[test]
fn nan_infinity_negative_and_overflowing_numbers_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &str, &[&str])] = &[
        ("max", "NaN", &["line 4", "expected value"]),
        ("max", "Infinity", &["line 4", "expected value"]),
        ("max", "-Infinity", &["line 4"]),
        ("target_cpu", "1e999", &["line 4", "out of range"]),
        ("max", "-5", &["nodes[0] (\"web\").max", "-5"]),
        ("max", "99999999999999999999", &["nodes[0] (\"web\").max"]),
        ("desired", "4294967296", &["nodes[0] (\"web\").desired"]),
        ("max", "2.5", &["nodes[0] (\"web\").max"]),
    ];
    for (i, (field, raw, expected)) in cases.iter().enumerate() {
        let path = write(
            dir.path(),
            &format!("n{i}.json"),
            service_doc(field, raw).as_bytes(),
        );
        let out = topoplan(&["check", arg(&path)]);
        refused(&out, expected);
    }
}

#[test]
fn huge_but_finite_numbers_give_a_working_result_or_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Traffic near f64's limits: the cost engine must not print inf or NaN.
    let doc = service_doc("max", "4").replace(r#""peak_rps": 100"#, r#""peak_rps": 1e308"#);
    let path = write(dir.path(), "big-traffic.json", doc.as_bytes());
    for command in [&["check"][..], &["cost"][..]] {
        let mut args = command.to_vec();
        args.push(arg(&path));
        let out = topoplan(&args);
        let all = text(&out);
        assert!(!all.contains("panicked"), "{all}");
        assert!(matches!(out.status.code(), Some(0..=2)), "{all}");
        for word in ["inf", "NaN"] {
            assert!(
                !all.split(|c: char| !c.is_alphanumeric()).any(|w| w == word),
                "{command:?} printed {word}:\n{all}"
            );
        }
    }
}

#[test]
fn ids_with_control_characters_are_refused_and_printed_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = service_doc("max", "4").replace(r#""id": "web""#, r#""id": "web\u001b[2J\u202e""#);
    let path = write(dir.path(), "ids.json", doc.as_bytes());
    let out = topoplan(&["check", arg(&path)]);
    refused(&out, &["nodes[0].id", r"web\u{1b}[2J\u{202e}"]);
    let all = text(&out);
    assert!(
        !all.contains('\u{1b}') && !all.contains('\u{202e}'),
        "raw control characters reached the terminal: {all:?}"
    );
}

#[test]
fn self_edges_and_duplicate_keys_are_clear_errors() {
    let fixtures = repo().join("tests/fixtures/invalid");
    let out = topoplan(&["check", arg(&fixtures.join("15-self-loop.json"))]);
    refused(&out, &["edges[3] (web -> web)", "itself"]);
    let out = topoplan(&["check", arg(&fixtures.join("02-duplicate-key.json"))]);
    refused(&out, &["duplicate"]);
}

/// Names an architect may type, and a hostile file may hold.
fn hostile_names() -> Vec<String> {
    vec![
        r#"Say "hi" \ or \" ${var.x} %{ if true }x%{ endif } $${y} %%{z}"#.to_owned(),
        "multi\nline\r\nname\twith tab".to_owned(),
        "\u{202e}txt.exe \u{200f}RTL\u{2066}isolate\u{2069} עברית العربية".to_owned(),
        "emoji 🚀 and combining é and zero-width\u{200b}joiner".to_owned(),
        format!("long {}", "ü".repeat(5000)),
    ]
}

/// The static site + API template with every node renamed to a hostile name.
fn hostile_document() -> Value {
    let text = std::fs::read_to_string(repo().join("templates/static-site-api.json"))
        .expect("the template");
    let mut doc: Value = serde_json::from_str(&text).expect("JSON");
    let names = hostile_names();
    doc["name"] = json!(names[0]);
    for (i, node) in doc["nodes"]
        .as_array_mut()
        .expect("nodes")
        .iter_mut()
        .enumerate()
    {
        node["name"] = json!(names[i % names.len()]);
        node["notes"] = json!(names[(i + 1) % names.len()]);
    }
    doc
}

#[test]
fn hostile_names_survive_check_and_fmt_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = hostile_document();
    let path = write(
        dir.path(),
        "names.json",
        serde_json::to_string(&doc).expect("JSON").as_bytes(),
    );
    let out = topoplan(&["check", arg(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = topoplan(&["fmt", arg(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let back: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("still JSON");
    for (before, after) in doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .zip(back["nodes"].as_array().expect("nodes"))
    {
        assert_eq!(before["name"], after["name"]);
        assert_eq!(before["notes"], after["notes"]);
    }
    assert_eq!(doc["name"], back["name"]);
}

fn terraform(dir: &Path, args: &[&str]) -> Output {
    let config = dir.join(".terraformrc-test");
    std::fs::write(&config, "").expect("write the CLI config");
    Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", &config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform runs")
}

/// The expression of `attribute` in the block declaring `resource` (a
/// quoted string on one line, as the exporter writes strings).
fn attribute_expression(module: &Path, resource: &str, attribute: &str) -> String {
    for entry in std::fs::read_dir(module).expect("the module") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "tf") {
            continue;
        }
        let tf = std::fs::read_to_string(&path).expect("read");
        let Some(start) = tf.find(&format!("resource {resource} {{")) else {
            continue;
        };
        let block = &tf[start..];
        let line = block
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{attribute} ")))
            .unwrap_or_else(|| panic!("{resource} has no {attribute}"));
        return line
            .split_once('=')
            .expect("an attribute")
            .1
            .trim()
            .to_owned();
    }
    panic!("no {resource} in {}", module.display());
}

#[test]
fn hostile_names_reach_terraform_as_literal_strings() {
    if !require(
        "terraform",
        "terraform fmt and evaluation of exported strings",
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let doc = hostile_document();
    let path = write(
        dir.path(),
        "names.json",
        serde_json::to_string(&doc).expect("JSON").as_bytes(),
    );
    let module = dir.path().join("module");
    let out = topoplan(&["export", "terraform", arg(&path), "-o", arg(&module)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = terraform(&module, &["fmt", "-check", "-diff", "-no-color"]);
    assert!(out.status.success(), "terraform fmt:\n{}", text(&out));

    // Terraform itself evaluates each exported string (copied verbatim into a
    // module of its own: no provider needed) and must get the name back.
    let nodes = doc["nodes"].as_array().expect("nodes");
    let name_of = |kind: &str| {
        nodes
            .iter()
            .find(|n| n["kind"] == kind)
            .and_then(|n| n["name"].as_str())
            .expect("a node of that kind")
            .to_owned()
    };
    let checks = [
        (
            "aws_cloudfront_distribution",
            "comment",
            name_of("cdn").chars().take(128).collect::<String>(),
        ),
        (
            "aws_launch_template",
            "description",
            name_of("service").chars().take(255).collect::<String>(),
        ),
    ];
    let eval = dir.path().join("eval");
    std::fs::create_dir(&eval).expect("mkdir");
    let mut config = String::new();
    for (i, (resource, attribute, _)) in checks.iter().enumerate() {
        let tf = std::fs::read_dir(&module)
            .expect("module")
            .filter_map(Result::ok)
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .find(|t| t.contains(&format!("resource \"{resource}\"")))
            .expect("the resource is exported");
        let label_start = tf
            .find(&format!("resource \"{resource}\" \""))
            .expect("block")
            + format!("resource \"{resource}\" \"").len();
        let label = &tf[label_start..label_start + tf[label_start..].find('"').expect("label")];
        let expression =
            attribute_expression(&module, &format!("\"{resource}\" \"{label}\""), attribute);
        let _ = writeln!(config, "output \"v{i}\" {{\n  value = {expression}\n}}");
    }
    std::fs::write(eval.join("main.tf"), &config).expect("write");
    let out = terraform(&eval, &["init", "-no-color", "-input=false"]);
    assert!(out.status.success(), "terraform init:\n{}", text(&out));
    let out = terraform(
        &eval,
        &["apply", "-auto-approve", "-no-color", "-input=false"],
    );
    assert!(
        out.status.success(),
        "terraform apply:\n{}\n{config}",
        text(&out)
    );
    let out = terraform(&eval, &["output", "-json", "-no-color"]);
    let outputs: Value = serde_json::from_slice(&out.stdout).expect("terraform output -json");
    for (i, (resource, attribute, expected)) in checks.iter().enumerate() {
        assert_eq!(
            outputs[format!("v{i}")]["value"].as_str(),
            Some(expected.as_str()),
            "{resource}.{attribute} is not the literal name"
        );
    }
}

#[test]
fn aws_tags_over_the_limits_or_with_control_characters_are_refused_before_any_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = service_doc("max", "4").replace(
        r#""name": "numbers","#,
        r#""name": "numbers", "aws": {"images": {"us-east-1": "ami-12c6146b"}, "subnet_tags": {"tier": "app"}, "tags": TAGS},"#,
    );
    let long_key = "k".repeat(129);
    let long_value = "v".repeat(257);
    let cases = [
        (
            json!({ long_key.clone(): "x" }),
            "a tag key has 1 to 128 characters, found 129",
        ),
        (
            json!({ "team": long_value }),
            "a tag value has at most 256 characters, found 257",
        ),
        (
            json!({ "team": "pay\u{7}ments" }),
            "tags cannot hold control characters (found U+0007)",
        ),
        (json!({ "topoplan:node": "x" }), "topoplan's own"),
        (json!({ "aws:x": "x" }), "reserved by AWS"),
    ];
    for (i, (tags, expected)) in cases.iter().enumerate() {
        let doc = base.replace("TAGS", &tags.to_string());
        let path = write(dir.path(), &format!("tags{i}.json"), doc.as_bytes());
        let out = topoplan(&["check", arg(&path)]);
        refused(&out, &["aws.tags", expected]);
        // The plan is refused on the document before any connection: the
        // endpoint is a closed port, and the error is the tag, not it.
        let out = Command::new(env!("CARGO_BIN_EXE_topoplan"))
            .args([
                "plan",
                "aws",
                arg(&path),
                "--endpoint-url",
                "http://127.0.0.1:9",
            ])
            .env("AWS_ACCESS_KEY_ID", "AKIAHOSTILETESTKEY01")
            .env("AWS_SECRET_ACCESS_KEY", "hostile-test-secret")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("runs");
        refused(&out, &[expected]);
        assert!(
            !text(&out).contains("127.0.0.1:9"),
            "an API call was attempted:\n{}",
            text(&out)
        );
    }
    // Text AWS takes, however odd, is accepted as is.
    let doc = base.replace(
        "TAGS",
        &json!({ "team \"a\"": "${x} %{y} \\ \n\u{202e} 🚀 é" }).to_string(),
    );
    let path = write(dir.path(), "odd-but-fine.json", doc.as_bytes());
    let out = topoplan(&["check", arg(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
