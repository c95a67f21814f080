//! The Terraform export checked by real tools: `terraform fmt` and
//! `terraform validate` with the AWS provider, python-hcl2 (a second HCL
//! parser), checkov, `terraform apply` against moto (a local AWS API, in
//! server mode on 127.0.0.1) with a read-back through boto3, and the
//! `topoplan export terraform` command itself.
//!
//! Tools come from `tests/run`: `terraform` on the PATH, the provider mirror
//! in `TOPOPLAN_TF_PLUGIN_DIR` (hashicorp/aws cannot be installed from the
//! package registries, so a missing mirror is reported loudly rather than
//! failed under `CI=true`), `TOPOPLAN_PYTHON` (moto, boto3, python-hcl2) and
//! `TOPOPLAN_CHECKOV`.
#![expect(
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly"
)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::strategy::{Strategy as _, ValueTree as _};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use support::{repo, require, strict, text, topoplan};
use topoplan_core::templates;
use topoplan_exports::terraform::{Export, ExportOptions, WriteOptions, export};

// ---------------------------------------------------------------------------
// Tools

/// A `terraform` command with a quiet, empty CLI configuration.
fn terraform(dir: &Path, args: &[&str]) -> Output {
    let config = dir.join(".terraformrc-test");
    if !config.exists() {
        std::fs::write(&config, "").expect("write the CLI config");
    }
    Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", &config)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform runs")
}

/// The local mirror of hashicorp/aws (the directory holding
/// `registry.terraform.io/`), or `None` after saying loudly that the tests
/// needing it did not run.
fn provider_mirror(why: &str) -> Option<PathBuf> {
    let from_env = std::env::var_os("TOPOPLAN_TF_PLUGIN_DIR").map(PathBuf::from);
    let known = ["/opt/tf-plugins", "/usr/local/share/terraform/plugins"].map(PathBuf::from);
    let found = from_env
        .into_iter()
        .chain(known)
        .find(|dir| dir.join("registry.terraform.io/hashicorp/aws").is_dir());
    if found.is_none() {
        let banner = "!".repeat(78);
        eprintln!(
            "{banner}\n!! NOT RUN: {why}\n!! No local mirror of the hashicorp/aws provider: set \
             TOPOPLAN_TF_PLUGIN_DIR to the directory holding registry.terraform.io/ \n!! (find / \
             -name 'terraform-provider-aws*'). It cannot be installed from the package \
             registries.{}\n{banner}",
            if strict() {
                "\n!! CI=true: this run did NOT check the export with the AWS provider."
            } else {
                ""
            }
        );
    }
    found
}

/// `TOPOPLAN_PYTHON`, or `None` (a failure under `CI=true`).
fn python(why: &str) -> Option<PathBuf> {
    match std::env::var_os("TOPOPLAN_PYTHON") {
        Some(p) if Path::new(&p).exists() => Some(PathBuf::from(p)),
        _ => {
            assert!(
                !strict(),
                "TOPOPLAN_PYTHON is required ({why}) and CI=true: run tests/run"
            );
            eprintln!("SKIPPED: TOPOPLAN_PYTHON is not set ({why}); tests/run sets it");
            None
        }
    }
}

fn init(dir: &Path, mirror: &Path) {
    let out = terraform(
        dir,
        &[
            "init",
            "-backend=false",
            "-input=false",
            "-no-color",
            &format!("-plugin-dir={}", mirror.display()),
        ],
    );
    assert!(
        out.status.success(),
        "terraform init in {}:\n{}",
        dir.display(),
        text(&out)
    );
}

// ---------------------------------------------------------------------------
// Exports

fn export_template(name: &str) -> Export {
    let topology = templates::find(name)
        .expect("template")
        .load()
        .expect("loads");
    export(&topology, &ExportOptions::default()).expect("exports")
}

/// Every template's export, written under `root/<template>/`.
fn write_templates(root: &Path) -> Vec<(&'static str, PathBuf)> {
    templates::TEMPLATES
        .iter()
        .map(|t| {
            let dir = root.join(t.name);
            export_template(t.name)
                .write_to(&dir, &WriteOptions::default())
                .expect("writes");
            (t.name, dir)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// terraform fmt and validate

#[test]
fn every_template_export_is_terraform_fmt_clean() {
    if !require("terraform", "terraform fmt -check on every export") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    write_templates(tmp.path());
    let out = terraform(
        tmp.path(),
        &["fmt", "-check", "-diff", "-recursive", "-no-color"],
    );
    assert!(
        out.status.success(),
        "terraform fmt would change the export:\n{}",
        text(&out)
    );
}

#[test]
fn every_template_export_validates_with_the_aws_provider() {
    if !require("terraform", "terraform validate on every export") {
        return;
    }
    let Some(mirror) = provider_mirror("terraform validate of every template's export") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, dir) in write_templates(tmp.path()) {
        init(&dir, &mirror);
        let out = terraform(&dir, &["validate", "-no-color"]);
        assert!(
            out.status.success() && text(&out).contains("Success! The configuration is valid."),
            "{name}: terraform validate:\n{}",
            text(&out)
        );
    }
}

/// Valid documents from the property strategy, with a fixed seed.
fn random_documents(count: usize) -> Vec<topoplan_core::Topology> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = topoplan_core::arbitrary::valid_document();
    let mut documents = Vec::new();
    for _ in 0..count * 50 {
        let t = strategy
            .new_tree(&mut runner)
            .expect("a document")
            .current();
        if topoplan_core::validate::validate(&t).is_ok() {
            documents.push(t);
            if documents.len() == count {
                break;
            }
        }
    }
    assert_eq!(
        documents.len(),
        count,
        "the strategy rarely gives valid documents"
    );
    documents
}

#[test]
fn random_valid_documents_export_terraform_fmt_clean_and_valid() {
    if !require("terraform", "terraform fmt on random documents' exports") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let documents = random_documents(24);
    let mut dirs = Vec::new();
    for (i, t) in documents.iter().enumerate() {
        let dir = tmp.path().join(format!("doc{i:02}"));
        let export = export(t, &ExportOptions::default()).expect("a valid document exports");
        export
            .write_to(&dir, &WriteOptions::default())
            .expect("writes");
        dirs.push(dir);
    }
    let out = terraform(
        tmp.path(),
        &["fmt", "-check", "-diff", "-recursive", "-no-color"],
    );
    assert!(
        out.status.success(),
        "terraform fmt would change an export:\n{}",
        text(&out)
    );
    // A few go through the provider's schema too.
    if let Some(mirror) = provider_mirror("terraform validate of random documents' exports") {
        for dir in dirs.iter().take(4) {
            init(dir, &mirror);
            let out = terraform(dir, &["validate", "-no-color"]);
            assert!(
                out.status.success(),
                "{}: terraform validate:\n{}",
                dir.display(),
                text(&out)
            );
        }
    }
}

// ---------------------------------------------------------------------------
// python-hcl2 and checkov

#[test]
fn python_hcl2_parses_every_generated_file() {
    let Some(python) = python("python-hcl2 parses every export") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    write_templates(tmp.path());
    let script = r#"
import glob, json, sys, hcl2
results = []
for path in sorted(glob.glob(sys.argv[1] + "/**/*.tf", recursive=True)):
    try:
        with open(path) as f:
            hcl2.load(f)
        results.append({"file": path, "ok": True})
    except Exception as e:
        results.append({"file": path, "ok": False, "error": str(e)})
json.dump(results, sys.stdout)
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(tmp.path())
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", text(&out));
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let expected: usize = templates::TEMPLATES
        .iter()
        .map(|t| {
            export_template(t.name)
                .files()
                .keys()
                .filter(|f| Path::new(f).extension().is_some_and(|e| e == "tf"))
                .count()
        })
        .sum();
    assert_eq!(results.len(), expected);
    let failed: Vec<&Value> = results.iter().filter(|r| r["ok"] != true).collect();
    assert!(failed.is_empty(), "python-hcl2 rejects: {failed:#?}");
}

/// `*` matches any run of characters.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else if let Some(at) = rest.find(part) {
            rest = &rest[at + part.len()..];
        } else {
            return false;
        }
    }
    rest.is_empty()
}

#[test]
fn checkov_finds_nothing_beyond_the_reasoned_skip_list() {
    let Some(checkov) = std::env::var_os("TOPOPLAN_CHECKOV") else {
        assert!(
            !strict(),
            "TOPOPLAN_CHECKOV is required under CI=true: run tests/run"
        );
        eprintln!("SKIPPED: TOPOPLAN_CHECKOV is not set; tests/run sets it");
        return;
    };
    let skips_text = std::fs::read_to_string(repo().join("tests/terraform/checkov-skips.txt"))
        .expect("the skip list");
    let skips: Vec<(String, String)> = skips_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut words = l.split_whitespace();
            let id = words.next().expect("a check id").to_owned();
            let glob = words.next().expect("a resource glob").to_owned();
            assert!(words.next().is_some(), "no reason given for {id}");
            (id, glob)
        })
        .collect();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut used = BTreeSet::new();
    let mut unexpected = Vec::new();
    for (name, dir) in write_templates(tmp.path()) {
        let out = Command::new(&checkov)
            .args([
                "--framework",
                "terraform",
                "--skip-download",
                "--quiet",
                "-o",
                "json",
                "-d",
            ])
            .arg(&dir)
            .output()
            .expect("checkov runs");
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: checkov's JSON: {e}\n{}", text(&out)));
        let report = if report.is_array() {
            report[0].clone()
        } else {
            report
        };
        let summary = &report["summary"];
        assert_eq!(
            summary["parsing_errors"], 0,
            "{name}: checkov could not parse the export"
        );
        assert!(
            summary["passed"].as_u64().unwrap_or(0) > 100,
            "{name}: checkov checked almost nothing: {summary}"
        );
        for failed in report["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let id = failed["check_id"].as_str().unwrap_or_default();
            let resource = failed["resource"].as_str().unwrap_or_default();
            match skips
                .iter()
                .position(|(sid, glob)| sid == id && glob_match(glob, resource))
            {
                Some(i) => {
                    used.insert(i);
                }
                None => unexpected.push(format!(
                    "{name}: {id} {resource}: {}",
                    failed["check_name"].as_str().unwrap_or_default()
                )),
            }
        }
    }
    assert!(
        unexpected.is_empty(),
        "checkov findings not in tests/terraform/checkov-skips.txt:\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<&String> = skips
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, (id, _))| id)
        .collect();
    assert!(
        stale.is_empty(),
        "skip-list entries no template needs any more: {stale:?}"
    );
}

// ---------------------------------------------------------------------------
// terraform apply against moto

/// A moto server of this test's own, on a free port, stopped on drop: other
/// tests use the shared one concurrently, and resetting it would pull the
/// rug from under them.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Moto {
    fn start(python: &Path) -> Self {
        let server = python.with_file_name("moto_server");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // AWS-managed policies (AmazonSSMManagedInstanceCore, ...) exist in real accounts.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", server.display()));
        let moto = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..240 {
            if ready(port) {
                return moto;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        panic!("moto did not start on {}", moto.endpoint);
    }
}

/// Whether a server on `port` answers moto's data endpoint with 200.
fn ready(port: u16) -> bool {
    use std::io::{Read as _, Write as _};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: localhost\r\n\r\n");
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_python(python: &Path, args: &[&str]) -> Value {
    let out = Command::new(python)
        .arg(repo().join("tests/terraform/moto.py"))
        .args(args)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "moto.py {args:?}:\n{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The services `terraform` must reach on moto, for the test-only override.
const SERVICES: [&str; 18] = [
    "acm",
    "apigatewayv2",
    "autoscaling",
    "cloudfront",
    "cloudwatch",
    "ec2",
    "elasticache",
    "elbv2",
    "iam",
    "kafka",
    "kms",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sqs",
    "sts",
];

/// `override.tf` pointing the region's provider at moto. Test-only: the
/// export itself never holds endpoints or credentials.
fn moto_override(region: &str, endpoint: &str) -> String {
    let alias = region.replace('-', "_");
    let mut endpoints = String::new();
    for s in SERVICES {
        endpoints.push_str("    ");
        endpoints.push_str(s);
        endpoints.push_str(&" ".repeat(14usize.saturating_sub(s.len())));
        endpoints.push_str(" = \"");
        endpoints.push_str(endpoint);
        endpoints.push_str("\"\n");
    }
    format!(
        "provider \"aws\" {{\n  alias                       = \"{alias}\"\n  region                      = \"{region}\"\n  access_key                  = \"testing\"\n  secret_key                  = \"testing\"\n  skip_credentials_validation = true\n  skip_requesting_account_id  = true\n  skip_metadata_api_check     = true\n  s3_use_path_style           = true\n\n  endpoints {{\n{endpoints}  }}\n}}\n"
    )
}

/// Attributes moto reads back differently from what it was given, so that
/// a second plan wants to change them; none is a fault of the export.
const MOTO_GAPS: [(&str, &[&str]); 7] = [
    // moto does not store DefaultInstanceWarmup, nor return a capacity
    // reservation preference (AWS answers "default").
    (
        "aws_autoscaling_group",
        &[
            "default_instance_warmup",
            "capacity_reservation_specification",
        ],
    ),
    // moto reports Enabled = false, and an empty predictive configuration.
    (
        "aws_autoscaling_policy",
        &["enabled", "predictive_scaling_configuration"],
    ),
    // moto lists the template's own tags as a "launch-template" tag specification.
    ("aws_launch_template", &["tag_specifications"]),
    // moto returns an empty Serverless v1 scaling configuration.
    ("aws_rds_cluster", &["scaling_configuration"]),
    // moto does not store Performance Insights settings.
    (
        "aws_rds_cluster_instance",
        &[
            "performance_insights_enabled",
            "performance_insights_kms_key_id",
        ],
    ),
    // moto returns the referenced group as "<account>/<sg-id>" and drops rule descriptions.
    (
        "aws_vpc_security_group_ingress_rule",
        &["description", "referenced_security_group_id"],
    ),
    (
        "aws_vpc_security_group_egress_rule",
        &["description", "referenced_security_group_id"],
    ),
];

/// Whether a plan's `after_unknown` value marks anything unknown.
fn has_unknown(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::Array(items) => items.iter().any(has_unknown),
        Value::Object(map) => map.values().any(has_unknown),
        _ => false,
    }
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: apply, read back, plan again"
)]
fn three_tier_applies_to_moto_reads_back_and_replans_clean_but_for_moto_gaps() {
    if !require(
        "terraform",
        "terraform apply of the three-tier export against moto",
    ) {
        return;
    }
    let Some(mirror) = provider_mirror("terraform apply of the three-tier export against moto")
    else {
        return;
    };
    let Some(python) = python("moto and boto3 for the apply test") else {
        return;
    };
    let moto = Moto::start(&python);
    let export = export_template("three-tier");
    assert!(
        export.files().values().all(|f| {
            !f.contains("endpoints {")
                && !f.contains("access_key")
                && !f.contains("skip_credentials_validation")
        }),
        "the export must not carry test settings"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    export
        .write_to(dir, &WriteOptions::default())
        .expect("writes");
    let domain = "shop.example.com";
    let setup = run_python(&python, &["setup", &moto.endpoint, "us-east-1", domain]);
    std::fs::write(
        dir.join("override.tf"),
        moto_override("us-east-1", &moto.endpoint),
    )
    .expect("override");
    std::fs::write(
        dir.join("terraform.tfvars"),
        format!(
            "ami_id_us_east_1          = \"ami-12c6146b\"\ncertificate_arn_us_east_1 = {}\ndomain_name               = \"{domain}\"\nroute53_zone_id           = {}\ncache_auth_token          = \"moto-test-token-0123\"\ndeletion_protection       = false\n",
            setup["certificate_arn"], setup["zone_id"]
        ),
    )
    .expect("tfvars");
    init(dir, &mirror);

    // moto cannot create an ElastiCache replication group (it fails with
    // CacheClusterNotFound), so everything else is targeted instead.
    let targets: Vec<String> = export
        .resources()
        .iter()
        .filter(|r| !r.address.starts_with("data."))
        .filter(|r| !r.address.starts_with("aws_elasticache_replication_group."))
        .map(|r| format!("-target={}", r.address))
        .collect();
    let excluded: Vec<&str> = export
        .resources()
        .iter()
        .filter(|r| r.address.starts_with("aws_elasticache_replication_group."))
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(
        excluded,
        ["aws_elasticache_replication_group.cache_us_east_1"]
    );
    let mut apply = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
    apply.extend(targets.iter().map(String::as_str));
    let out = terraform(dir, &apply);
    assert!(out.status.success(), "terraform apply:\n{}", text(&out));

    // Read back through the AWS API what an operator would check.
    let seen = run_python(
        &python,
        &["readback", &moto.endpoint, "us-east-1", "three-tier"],
    );
    assert_eq!(seen["vpcs"].as_array().map(Vec::len), Some(1), "{seen:#}");
    assert_eq!(seen["vpcs"][0]["cidr"], "10.0.0.0/16");
    let subnets: BTreeMap<(String, String), String> = seen["subnets"]
        .as_array()
        .expect("subnets")
        .iter()
        .map(|s| {
            (
                (
                    s["tier"].as_str().unwrap_or("").to_owned(),
                    s["az"].as_str().unwrap_or("").to_owned(),
                ),
                s["cidr"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: BTreeMap<(String, String), String> = [
        ("data", "us-east-1a", "10.0.128.0/21"),
        ("data", "us-east-1b", "10.0.136.0/21"),
        ("data", "us-east-1c", "10.0.144.0/21"),
        ("private", "us-east-1a", "10.0.64.0/21"),
        ("private", "us-east-1b", "10.0.72.0/21"),
        ("private", "us-east-1c", "10.0.80.0/21"),
        ("public", "us-east-1a", "10.0.0.0/21"),
        ("public", "us-east-1b", "10.0.8.0/21"),
        ("public", "us-east-1c", "10.0.16.0/21"),
    ]
    .into_iter()
    .map(|(t, a, c)| ((t.to_owned(), a.to_owned()), c.to_owned()))
    .collect();
    assert_eq!(subnets, expected);
    let private: BTreeSet<&str> = seen["subnets"]
        .as_array()
        .expect("subnets")
        .iter()
        .filter(|s| s["tier"] == "private")
        .filter_map(|s| s["id"].as_str())
        .collect();

    let templates = seen["launch_templates"]
        .as_array()
        .expect("launch templates");
    let lt = |node: &str| {
        templates
            .iter()
            .find(|t| t["node"] == node)
            .expect("a launch template")
    };
    for (node, instance_type, description) in [
        ("app", "c6i.xlarge", "Application API"),
        ("web", "m6i.large", "Web frontend"),
    ] {
        let t = lt(node);
        assert_eq!(t["instance_type"], instance_type);
        assert_eq!(t["http_tokens"], "required", "IMDSv2 must be required");
        assert_eq!(t["ebs_encrypted"], true);
        assert_eq!(t["ebs_gb"], 20);
        assert_eq!(t["description"], description);
    }

    let groups = seen["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), 2, "{seen:#}");
    for (node, min, desired, max, health, target_groups) in
        [("app", 3, 6, 12, "EC2", 0), ("web", 3, 9, 15, "ELB", 1)]
    {
        let g = groups.iter().find(|g| g["node"] == node).expect("a group");
        assert_eq!(
            (g["min"].as_u64(), g["desired"].as_u64(), g["max"].as_u64()),
            (Some(min), Some(desired), Some(max)),
            "{node}"
        );
        assert_eq!(g["health_check"], health);
        assert_eq!(g["target_groups"], target_groups);
        assert_eq!(g["launch_template"], format!("three-tier-{node}-us-east-1"));
        let in_subnets: BTreeSet<&str> = g["subnets"]
            .as_array()
            .expect("subnets")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            in_subnets, private,
            "{node} spans the private subnets of its three AZs"
        );
        assert_eq!(
            g["instances"].as_u64(),
            Some(desired),
            "moto launches the desired capacity"
        );
    }
    let policies = seen["policies"].as_array().expect("policies");
    assert_eq!(policies.len(), 2);
    for (group, warmup) in [
        ("three-tier-app-us-east-1", 240),
        ("three-tier-web-us-east-1", 180),
    ] {
        let p = policies
            .iter()
            .find(|p| p["group"] == group)
            .expect("a policy");
        assert_eq!(p["type"], "TargetTrackingScaling");
        assert_eq!(p["metric"], "ASGAverageCPUUtilization");
        assert_eq!(p["target"].as_f64(), Some(70.0));
        assert_eq!(p["warmup"], warmup);
    }

    // A second plan: nothing to do, except what moto reads back wrongly.
    let mut plan = vec!["plan", "-input=false", "-no-color", "-out=second.tfplan"];
    plan.extend(targets.iter().map(String::as_str));
    let out = terraform(dir, &plan);
    assert!(out.status.success(), "terraform plan:\n{}", text(&out));
    let out = terraform(dir, &["show", "-json", "second.tfplan"]);
    assert!(out.status.success(), "terraform show:\n{}", text(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let mut problems = Vec::new();
    let mut gaps_seen = BTreeSet::new();
    for change in plan["resource_changes"].as_array().into_iter().flatten() {
        let address = change["address"].as_str().unwrap_or_default();
        let ty = change["type"].as_str().unwrap_or_default();
        let actions: Vec<&str> = change["change"]["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        match actions.as_slice() {
            ["no-op" | "read"] => continue,
            ["update"] => {}
            other => {
                problems.push(format!("{address}: {other:?}"));
                continue;
            }
        }
        let before = &change["change"]["before"];
        let after = &change["change"]["after"];
        let unknown = &change["change"]["after_unknown"];
        let allowed = MOTO_GAPS
            .iter()
            .find(|(t, _)| *t == ty)
            .map_or(&[][..], |(_, a)| *a);
        let keys: BTreeSet<&String> = before
            .as_object()
            .into_iter()
            .chain(after.as_object())
            .flat_map(|o| o.keys())
            .collect();
        for key in keys {
            // Values only known after apply follow from another update.
            if has_unknown(&unknown[key.as_str()]) || before[key.as_str()] == after[key.as_str()] {
                continue;
            }
            if allowed.contains(&key.as_str()) {
                gaps_seen.insert(format!("{ty}.{key}"));
            } else {
                problems.push(format!(
                    "{address}.{key}: {} -> {}",
                    before[key.as_str()],
                    after[key.as_str()]
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the second plan changes more than moto's known gaps:\n{}",
        problems.join("\n")
    );
    eprintln!("second plan: only moto's known gaps: {gaps_seen:?}");
}

// ---------------------------------------------------------------------------
// The command line

#[test]
fn export_terraform_writes_the_module_and_names_warnings_by_node() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("tf");
    let out = topoplan(&[
        "export",
        "terraform",
        "templates/marketplace.json",
        "-o",
        out_dir.to_str().expect("utf-8"),
    ]);
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("templates/marketplace.json: warning: cdn: a third-party CDN"),
        "{stdout}"
    );
    assert!(
        stdout.contains("templates/marketplace.json: wrote 9 files"),
        "{stdout}"
    );
    assert!(
        stdout.contains("set before applying: ami_id_us_east_1"),
        "{stdout}"
    );
    let expected = export_template("marketplace");
    for (name, contents) in expected.files() {
        assert_eq!(
            &std::fs::read_to_string(out_dir.join(name)).expect("a file"),
            contents,
            "{name}"
        );
    }
}

#[test]
fn export_terraform_json_is_machine_readable() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = topoplan(&[
        "export",
        "terraform",
        "templates/three-tier.json",
        "-o",
        tmp.path().to_str().expect("utf-8"),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["ok"], true);
    assert_eq!(report["warnings"][0]["node"], "app");
    assert_eq!(report["warnings"][0]["code"], "health-check");
    assert!(report["resources"].as_u64().unwrap_or(0) > 80);
    assert!(
        report["required_variables"]
            .as_array()
            .is_some_and(|v| v.iter().any(|n| n == "ami_id_us_east_1"))
    );
}

#[test]
fn export_terraform_refuses_an_invalid_document_with_exit_1() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("tf");
    let out = topoplan(&[
        "export",
        "terraform",
        "tests/fixtures/invalid/11-capacity-order.json",
        "-o",
        out_dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = text(&out);
    assert!(
        stdout.contains("fix it before exporting") || stdout.contains("fix them before exporting"),
        "{stdout}"
    );
    assert!(stdout.contains("min ≤ desired ≤ max"), "{stdout}");
    assert!(
        !out_dir.exists(),
        "nothing may be written for an invalid document"
    );
}

#[test]
fn export_terraform_refuses_to_clobber_a_file_it_did_not_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("providers.tf"), "# mine\n").expect("write");
    let out = topoplan(&[
        "export",
        "terraform",
        "templates/three-tier.json",
        "-o",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("providers.tf: exists and was not written by topoplan"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("providers.tf")).expect("read"),
        "# mine\n"
    );
    let with_force = topoplan(&[
        "export",
        "terraform",
        "templates/three-tier.json",
        "-o",
        tmp.path().to_str().expect("utf-8"),
        "--force",
    ]);
    assert_eq!(with_force.status.code(), Some(0), "{}", text(&with_force));
}
