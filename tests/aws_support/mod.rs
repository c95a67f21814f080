//! Harness for the AWS apply tests: a dedicated moto server per test (a
//! real local AWS API, from the venv `tests/run` makes), a fault-injecting
//! HTTP proxy in front of it, boto3 for setting up and checking the account
//! independently of topoplan's own reading code, and the real binary.
#![allow(dead_code, reason = "each test binary uses a different subset")]
#![expect(
    clippy::expect_used,
    reason = "a harness that cannot go on should fail loudly"
)]

pub mod proxy;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The account moto's default credentials map to.
pub const ACCOUNT: &str = "123456789012";
/// Credentials no output may ever show.
pub const ACCESS_KEY: &str = "AKIATOPOPLANTESTKEY1";
pub const SECRET_KEY: &str = "topoplan-secret-never-print-me-0123456789";

/// The venv's python, or `None` (a skip, or a failure under `CI=true`).
pub fn python() -> Option<PathBuf> {
    match std::env::var_os("TOPOPLAN_PYTHON") {
        Some(p) if Path::new(&p).exists() => Some(PathBuf::from(p)),
        _ => {
            assert!(
                !crate::support::strict(),
                "TOPOPLAN_PYTHON (the venv with moto) is required and CI=true: run tests/run"
            );
            eprintln!("SKIPPED: TOPOPLAN_PYTHON is not set (moto); tests/run sets it");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A minimal HTTP/1.1 request: returns (status, body).
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// A moto server of this test's own, on a free port; stopped on drop.
pub struct Moto {
    child: Child,
    pub addr: SocketAddr,
    python: PathBuf,
}

impl Moto {
    /// Starts one, or `None` when moto is not installed (and not required).
    pub fn start() -> Option<Self> {
        let python = python()?;
        let bin = python.with_file_name("moto_server");
        for _ in 0..5 {
            let port = free_port();
            let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("an address");
            let log = std::env::temp_dir().join(format!("topoplan-moto-{port}.log"));
            let child = Command::new(&bin)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).map_or_else(|_| Stdio::null(), Stdio::from))
                .spawn()
                .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
            let mut moto = Self {
                child,
                addr,
                python: python.clone(),
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if matches!(http(addr, "GET", "/moto-api/data.json", ""), Ok((200, _))) {
                    moto.reset();
                    return Some(moto);
                }
                if moto.child.try_wait().ok().flatten().is_some() {
                    break; // the port was taken meanwhile: try another
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = moto.child.kill();
        }
        panic!(
            "moto_server did not start (see {}/topoplan-moto-*.log)",
            std::env::temp_dir().display()
        );
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Wipes every resource (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let (status, body) = http(self.addr, "POST", "/moto-api/reset", "").expect("reset");
        assert_eq!(status, 200, "reset: {body}");
    }

    /// Runs a boto3 script against this server (directly, not through any
    /// proxy) and parses what it prints as JSON. The script sees `ec2(region)`,
    /// `asg(region)` and `out(value)`.
    pub fn boto(&self, script: &str) -> serde_json::Value {
        let prelude = format!(
            r#"
import boto3, json, sys
def _kw(region):
    return dict(endpoint_url="{}", region_name=region, aws_access_key_id="{ACCESS_KEY}", aws_secret_access_key="{SECRET_KEY}")
def ec2(region): return boto3.client("ec2", **_kw(region))
def asg(region): return boto3.client("autoscaling", **_kw(region))
def out(value): print(json.dumps(value, default=str))
"#,
            self.endpoint()
        );
        let output = Command::new(&self.python)
            .arg("-c")
            .arg(format!("{prelude}\n{script}"))
            .output()
            .expect("python runs");
        assert!(
            output.status.success(),
            "boto3 script failed:\n{script}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8_lossy(&output.stdout);
        serde_json::from_str(text.trim()).unwrap_or(serde_json::Value::Null)
    }

    /// A VPC with one subnet per AZ tagged `tier=app` in each region.
    /// Returns region → AZ → subnet id.
    pub fn network(&self, regions: &[(&str, &[&str])]) -> serde_json::Value {
        let spec = serde_json::to_string(
            &regions
                .iter()
                .map(|(r, azs)| (*r, azs.to_vec()))
                .collect::<Vec<_>>(),
        )
        .expect("json");
        self.boto(&format!(
            r#"
result = {{}}
for region, azs in json.loads('{spec}'):
    c = ec2(region)
    vpc = c.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    result[region] = {{}}
    for i, az in enumerate(azs):
        s = c.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{{i}}.0/24", AvailabilityZone=az,
            TagSpecifications=[{{"ResourceType": "subnet", "Tags": [{{"Key": "tier", "Value": "app"}}]}}])
        result[region][az] = s["Subnet"]["SubnetId"]
out(result)
"#
        ))
    }

    /// Every autoscaling group of a region, as boto3 sees it.
    pub fn groups(&self, region: &str) -> Vec<serde_json::Value> {
        self.boto(&format!(
            r#"
groups = []
for page in asg("{region}").get_paginator("describe_auto_scaling_groups").paginate():
    for g in page["AutoScalingGroups"]:
        g.pop("Instances", None)
        groups.append(g)
out(groups)
"#
        ))
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    /// Every launch template of a region with all its versions.
    pub fn templates(&self, region: &str) -> Vec<serde_json::Value> {
        self.boto(&format!(
            r#"
c = ec2("{region}")
result = []
for t in c.describe_launch_templates(MaxResults=200)["LaunchTemplates"]:
    t["Versions"] = c.describe_launch_template_versions(LaunchTemplateId=t["LaunchTemplateId"])["LaunchTemplateVersions"]
    result.append(t)
out(result)
"#
        ))
        .as_array()
        .cloned()
        .unwrap_or_default()
    }

    /// Every scaling policy of a region.
    pub fn policies(&self, region: &str) -> Vec<serde_json::Value> {
        self.boto(&format!(
            r#"out(asg("{region}").describe_policies()["ScalingPolicies"])"#
        ))
        .as_array()
        .cloned()
        .unwrap_or_default()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Tags of an autoscaling group as a map.
pub fn tags(group: &serde_json::Value) -> std::collections::BTreeMap<String, String> {
    group["Tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["Key"].as_str().unwrap_or_default().to_owned(),
                t["Value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The binary under test: cargo's, or `TOPOPLAN_BIN` (a copy made right
/// after building, for machines where several checkouts share one target
/// directory and overwrite each other's `target/debug/topoplan`).
pub fn binary() -> PathBuf {
    std::env::var_os("TOPOPLAN_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_topoplan")),
        PathBuf::from,
    )
}

/// The real binary with test credentials and no instance-metadata lookups.
pub fn topoplan(endpoint: &str, args: &[&str]) -> Command {
    let mut c = Command::new(binary());
    c.args(args)
        .arg("--endpoint-url")
        .arg(endpoint)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/topoplan-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/topoplan-test-credentials",
        )
        .env("TOPOPLAN_AWS_RETRY_BASE_MS", "20")
        .stdin(Stdio::null());
    c
}

/// Runs it to the end; checks no credential appears in any output.
pub fn run(endpoint: &str, args: &[&str]) -> Output {
    let out = topoplan(endpoint, args).output().expect("the binary runs");
    assert_no_secrets(&out);
    out
}

/// Runs it with `input` on standard input.
pub fn run_with_input(endpoint: &str, args: &[&str], input: &str) -> Output {
    let mut child = topoplan(endpoint, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("input written");
    let out = child.wait_with_output().expect("the binary ends");
    assert_no_secrets(&out);
    out
}

pub fn assert_no_secrets(out: &Output) {
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(SECRET_KEY) && !text.contains(ACCESS_KEY),
            "credentials printed on {name}:\n{text}"
        );
    }
}

/// Asserts the command succeeded; its standard output.
pub fn succeeds(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(out), stderr(out));
    stdout(out)
}

/// Asserts the command ended with `code`; its standard output.
pub fn ends_with_code(out: &Output, code: i32) -> String {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Writes `text` to a fresh file in `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path
}
