//! Applying through failures: a fault-injecting proxy between the SDK and
//! moto throttles and fails calls, loses answers, fails every write after
//! the first few, slows writes down for Ctrl-C, and stands in for AWS where
//! moto falls short (`AlreadyExists` on an existing group name — moto
//! silently overwrites — and `StartInstanceRefresh`, which moto lacks).
//! Each test checks the account with boto3 afterwards: converged, and no
//! duplicates.
//!
//! moto's other gaps, and how they are covered: it ignores client tokens
//! (the lost-answer test shows creations are checked before being resent,
//! so tokens are not what prevents duplicates); its `DescribeScalingActivities`
//! is always empty (topoplan never relies on it: a deleted group is waited
//! for by describing the group itself); it accepts unsigned requests
//! (signing is the SDK's; every run here uses distinctive credentials and
//! checks that no output shows them); it deletes a group without
//! `ForceDelete` (topoplan always forces, then waits).
#![expect(
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly"
)]

mod aws_support;
mod support;

use std::io::BufRead as _;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_support::proxy::{Config, Proxy};
use aws_support::{
    Moto, assert_no_secrets, ends_with_code, run, stderr, stdout, succeeds, topoplan, write,
};
use topoplan_exports::aws::{
    self, ApplyOptions, Cancel, ClientOptions, Clients, DesiredOptions, Event, OpStatus,
    PlanOptions, Progress, RetryPolicy,
};

const NETWORK: &[(&str, &[&str])] = &[
    ("us-east-1", &["us-east-1a", "us-east-1b"]),
    ("eu-west-1", &["eu-west-1a", "eu-west-1b"]),
];

/// Three services in the primary region, one of them also in a second:
/// 4 groups, 4 templates, 4 policies — 12 writes from an empty account.
fn doc(instance_type: &str) -> String {
    format!(
        r#"{{
  "schema": 1, "id": "shop", "name": "Shop",
  "deployment": {{ "mode": "active_active" }},
  "regions": [
    {{ "id": "us-east-1", "role": "primary", "azs": ["us-east-1a", "us-east-1b"] }},
    {{ "id": "eu-west-1", "role": "primary", "azs": ["eu-west-1a", "eu-west-1b"] }}
  ],
  "aws": {{ "images": {{ "us-east-1": "ami-12c6146b", "eu-west-1": "ami-0abcdef1234567890" }},
           "subnet_tags": {{ "tier": "app" }} }},
  "traffic": {{ "entry": ["web"] }},
  "nodes": [
    {{ "id": "web", "kind": "service", "min": 1, "desired": 1, "max": 4, "instance_type": "{instance_type}",
      "health_check": "ec2", "warmup_secs": 180,
      "placement": {{ "us-east-1": ["us-east-1a", "us-east-1b"], "eu-west-1": ["eu-west-1a", "eu-west-1b"] }} }},
    {{ "id": "api", "kind": "service", "min": 1, "desired": 1, "max": 4, "health_check": "ec2",
      "placement": {{ "us-east-1": ["us-east-1a", "us-east-1b"] }} }},
    {{ "id": "worker", "kind": "service", "min": 0, "desired": 0, "max": 2, "health_check": "ec2",
      "placement": {{ "us-east-1": ["us-east-1a"] }} }}
  ],
  "edges": [{{ "from": "web", "to": "api" }}, {{ "from": "api", "to": "worker", "dependency": "soft" }}]
}}"#
    )
}

const GROUPS: &[(&str, &str)] = &[
    ("us-east-1", "shop-api"),
    ("us-east-1", "shop-web"),
    ("us-east-1", "shop-worker"),
    ("eu-west-1", "shop-web"),
];

struct Setup {
    moto: Moto,
    proxy: Proxy,
    dir: tempfile::TempDir,
}

fn setup(config: Config, seed: u64) -> Option<Setup> {
    let moto = Moto::start()?;
    moto.network(NETWORK);
    let proxy = Proxy::start(moto.addr, config, seed);
    let s = Setup {
        moto,
        proxy,
        dir: tempfile::tempdir().expect("a temp dir"),
    };
    s.doc("m6i.large");
    Some(s)
}

impl Setup {
    fn doc(&self, instance_type: &str) -> String {
        write(self.dir.path(), "shop.json", &doc(instance_type))
            .display()
            .to_string()
    }

    /// The account holds exactly the document's resources, each once; the
    /// `web` templates have `web_versions` versions, the others one.
    fn assert_converged(&self, web_versions: usize) {
        for region in ["us-east-1", "eu-west-1"] {
            let mut groups: Vec<String> = self
                .moto
                .groups(region)
                .iter()
                .map(|g| {
                    g["AutoScalingGroupName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            groups.sort();
            let expected: Vec<&str> = GROUPS
                .iter()
                .filter(|(r, _)| *r == region)
                .map(|(_, n)| *n)
                .collect();
            assert_eq!(groups, expected, "{region}: groups");
            let templates = self.moto.templates(region);
            let mut names: Vec<&str> = templates
                .iter()
                .map(|t| t["LaunchTemplateName"].as_str().unwrap_or_default())
                .collect();
            names.sort_unstable();
            assert_eq!(
                names, expected,
                "{region}: one template per group, no duplicates"
            );
            for t in &templates {
                let n = t["Versions"].as_array().map_or(0, Vec::len);
                let want = if t["LaunchTemplateName"] == "shop-web" {
                    web_versions
                } else {
                    1
                };
                assert_eq!(
                    n, want,
                    "{region}: {} has {n} versions",
                    t["LaunchTemplateName"]
                );
            }
            let mut policies: Vec<String> = self
                .moto
                .policies(region)
                .iter()
                .map(|p| p["PolicyName"].as_str().unwrap_or_default().to_owned())
                .collect();
            policies.sort();
            let want: Vec<String> = expected.iter().map(|g| format!("{g}-cpu-target")).collect();
            assert_eq!(policies, want, "{region}: policies");
        }
        let healthy = Proxy::start(self.moto.addr, Config::default(), 7);
        let out = run(&healthy.endpoint(), &["plan", "aws", &self.doc_path()]);
        assert!(
            stdout(&out).contains("No changes"),
            "not converged:\n{}",
            stdout(&out)
        );
    }

    /// `apply aws` through the proxy, approved, with `extra` arguments.
    fn apply(&self, doc: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec!["apply", "aws", doc, "--auto-approve"];
        args.extend_from_slice(extra);
        run(&self.proxy.endpoint(), &args)
    }

    fn doc_path(&self) -> String {
        self.dir.path().join("shop.json").display().to_string()
    }
}

#[test]
fn throttling_and_server_errors_on_a_third_of_calls_still_converge_without_duplicates() {
    let faults = Config {
        fault_every: Some(3),
        ..Config::default()
    };
    let Some(s) = setup(faults, 42) else { return };
    let doc = s.doc("m6i.large");
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    assert!(
        stdout(&out).contains("12 of 12 operations done"),
        "{}",
        stdout(&out)
    );
    let injected = s.proxy.faults();
    let total = s.proxy.calls().len();
    assert_eq!(injected, total / 3, "a third of {total} calls failed");
    assert!(injected >= 10, "{injected} of {total}: too few to test");
    let throttled = s
        .proxy
        .calls()
        .iter()
        .filter(|c| {
            matches!(
                c.fault.as_deref(),
                Some("Throttling" | "RequestLimitExceeded")
            )
        })
        .count();
    assert!(
        throttled > 0 && throttled < injected,
        "both kinds injected: {throttled} of {injected}"
    );
    s.assert_converged(1);

    // A change under the same conditions: one new version per template.
    let doc = s.doc("m6i.xlarge");
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    let web = s.moto.templates("eu-west-1");
    assert_eq!(web[0]["DefaultVersionNumber"], 2);
    s.assert_converged(2);
}

#[test]
fn answers_lost_after_the_write_never_lead_to_duplicates() {
    // The worst case for retries: the call took effect, the caller saw a 500.
    let lossy = Config {
        lose_first_answer_of: [
            "CreateLaunchTemplate",
            "CreateLaunchTemplateVersion",
            "ModifyLaunchTemplate",
            "CreateAutoScalingGroup",
            "UpdateAutoScalingGroup",
            "CreateOrUpdateTags",
            "PutScalingPolicy",
        ]
        .map(String::from)
        .to_vec(),
        lose_write_answers: 0.2,
        ..Config::default()
    };
    let Some(s) = setup(lossy, 7) else { return };
    let doc = s.doc("m6i.large");
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    let lost = s
        .proxy
        .calls()
        .iter()
        .filter(|c| {
            c.fault
                .as_deref()
                .is_some_and(|f| f.ends_with("(after forwarding)"))
        })
        .count();
    assert!(lost >= 12, "every write's first answer lost: {lost}");
    // The 4 templates and 4 groups were created by attempts whose answers
    // were lost: found in place and adopted, not created twice.
    let adopted = stderr(&out).matches("adopted").count();
    assert_eq!(adopted, 8, "{}", stderr(&out));
    s.assert_converged(1);
    // A change: each new version's first answer is lost too.
    let doc = s.doc("m6i.xlarge");
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    assert!(stderr(&out).contains("adopted"), "{}", stderr(&out));
    s.assert_converged(2);
}

#[test]
fn writes_failing_for_good_give_an_exact_partial_report_and_a_rerun_converges() {
    let broken = Config {
        fail_writes_after: Some(4),
        ..Config::default()
    };
    let Some(s) = setup(broken, 3) else { return };
    let doc = s.doc("m6i.large");
    let out = s.apply(&doc, &[]);
    ends_with_code(&out, 1);
    let text = stdout(&out);
    assert!(text.contains("4 of 12 operations done"), "{text}");
    assert!(text.contains("FAILED"), "{text}");
    assert!(
        text.contains("InternalFailure") || text.contains("InternalError"),
        "the AWS error code: {text}"
    );
    assert!(
        text.contains("request id proxy-request-id"),
        "the request id: {text}"
    );
    assert!(text.contains("The account is partly applied"), "{text}");
    let failed = text
        .lines()
        .filter(|l| l.trim_start().starts_with("FAILED"))
        .count();
    let not_done = text
        .lines()
        .filter(|l| l.trim_start().starts_with("not done"))
        .count();
    assert!(failed >= 1, "{text}");
    assert_eq!(
        failed + not_done,
        8,
        "every operation accounted for: {text}"
    );
    assert_eq!(
        s.proxy.writes_forwarded(),
        4,
        "nothing more reached the account"
    );

    // Writes work again: the re-run does the rest, and only the rest.
    s.proxy.configure(Config::default());
    s.proxy.clear();
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    assert!(stdout(&out).contains("Plan: "), "{}", stdout(&out));
    assert_eq!(
        s.proxy.writes_forwarded(),
        8,
        "the 8 operations not done before"
    );
    s.assert_converged(1);
}

/// Runs apply and sends it `signals` SIGINTs once the first operation is
/// done; its output and its progress lines.
fn interrupted_apply(s: &Setup, doc: &str, signals: usize) -> (std::process::Output, String) {
    let mut child = topoplan(
        &s.proxy.endpoint(),
        &["apply", "aws", doc, "--auto-approve"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("runs");
    let stderr_pipe = child.stderr.take().expect("stderr");
    let pid = child.id().to_string();
    let progress = std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut signalled = false;
        for line in std::io::BufReader::new(stderr_pipe)
            .lines()
            .map_while(Result::ok)
        {
            if !signalled && line.starts_with("[1/") {
                for _ in 0..signals {
                    std::process::Command::new("kill")
                        .args(["-INT", &pid])
                        .status()
                        .expect("kill");
                    std::thread::sleep(Duration::from_millis(150));
                }
                signalled = true;
            }
            lines.push(line);
        }
        lines
    });
    let output = child.wait_with_output().expect("ends");
    let progress = progress.join().expect("progress").join("\n");
    assert_no_secrets(&output);
    (output, progress)
}

#[test]
fn ctrl_c_finishes_the_call_in_flight_and_leaves_a_consistent_report() {
    let slow = Config {
        write_delay: Duration::from_millis(700),
        ..Config::default()
    };
    let Some(s) = setup(slow, 5) else { return };
    let doc = s.doc("m6i.large");
    let (output, progress) = interrupted_apply(&s, &doc, 1);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(130), "{text}\n{progress}");
    assert!(
        progress.contains("interrupted: finishing the calls in flight"),
        "{progress}"
    );
    assert!(
        text.contains("Stopped: interrupted; calls in flight were finished."),
        "{text}"
    );
    assert!(text.contains("not done"), "{text}");
    let done = progress.lines().filter(|l| l.contains("] done")).count();
    assert!((1..12).contains(&done), "{progress}");
    assert_eq!(
        s.proxy.writes_forwarded(),
        done,
        "every write that reached the account is reported done"
    );
    assert!(!text.contains("INTERRUPTED"), "nothing abandoned: {text}");

    s.proxy.configure(Config::default());
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    s.assert_converged(1);
}

#[test]
fn ctrl_c_twice_abandons_the_call_in_flight_and_a_rerun_still_converges() {
    let slow = Config {
        write_delay: Duration::from_millis(1500),
        ..Config::default()
    };
    let Some(s) = setup(slow, 9) else { return };
    let doc = s.doc("m6i.large");
    let (output, progress) = interrupted_apply(&s, &doc, 2);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(130), "{text}\n{progress}");
    assert!(text.contains("INTERRUPTED"), "{text}\n{progress}");
    assert!(text.contains("calls in flight were abandoned"), "{text}");

    // The abandoned calls may have reached the account after all (the proxy
    // still forwards them): the re-run adopts what is there, creates the
    // rest, and leaves no duplicates.
    std::thread::sleep(Duration::from_secs(2));
    s.proxy.configure(Config::default());
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    s.assert_converged(1);
}

#[test]
fn instance_refresh_runs_only_when_asked_and_only_where_the_template_changed() {
    let shim = Config {
        instance_refresh: true,
        ..Config::default()
    };
    let Some(s) = setup(shim, 11) else { return };
    let doc = s.doc("m6i.large");
    let out = s.apply(&doc, &["--instance-refresh"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        s.proxy.count("StartInstanceRefresh"),
        0,
        "new groups need no refresh"
    );

    let doc = s.doc("m6i.xlarge");
    let out = s.apply(&doc, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(s.proxy.count("StartInstanceRefresh"), 0, "opt-in only");
    assert!(
        stdout(&out).contains("pass --instance-refresh to roll them now"),
        "{}",
        stdout(&out)
    );

    let doc = s.doc("c6i.xlarge");
    let out = s.apply(&doc, &["--instance-refresh"]);
    succeeds(&out);
    let refreshes: Vec<_> = s
        .proxy
        .calls()
        .into_iter()
        .filter(|c| c.action == "StartInstanceRefresh")
        .collect();
    assert_eq!(refreshes.len(), 2, "web in both regions");
    for r in &refreshes {
        assert_eq!(r.params["AutoScalingGroupName"], "shop-web");
        assert_eq!(r.params["Preferences.MinHealthyPercentage"], "90");
        assert_eq!(r.params["Preferences.SkipMatching"], "true");
        assert_eq!(r.params["Preferences.InstanceWarmup"], "180");
    }
    assert!(
        stderr(&out).contains("refresh proxy-refresh-1 started"),
        "{}",
        stderr(&out)
    );
    let group = s
        .moto
        .groups("us-east-1")
        .into_iter()
        .find(|g| g["AutoScalingGroupName"] == "shop-web")
        .expect("web");
    assert_eq!(
        group["LaunchTemplate"]["Version"], "3",
        "moved to the new version before the refresh"
    );
}

#[test]
fn client_tokens_are_sent_and_kept_across_retries() {
    let faults = Config {
        throttle_first_attempt_of: vec!["CreateLaunchTemplate".into()],
        fault_every: Some(5),
        ..Config::default()
    };
    let Some(s) = setup(faults, 13) else { return };
    let doc = s.doc("m6i.large");
    let out = s.apply(&doc, &[]);
    succeeds(&out);
    let creates: Vec<_> = s
        .proxy
        .calls()
        .into_iter()
        .filter(|c| c.action == "CreateLaunchTemplate")
        .collect();
    assert!(
        creates.len() >= 8,
        "every creation was retried: {}",
        creates.len()
    );
    let mut tokens: std::collections::BTreeMap<
        (String, String),
        std::collections::BTreeSet<String>,
    > = std::collections::BTreeMap::default();
    for c in &creates {
        let token = c
            .params
            .get("ClientToken")
            .cloned()
            .expect("every creation carries a client token");
        assert!(!token.is_empty() && token.len() <= 64);
        tokens
            .entry((c.region.clone(), c.params["LaunchTemplateName"].clone()))
            .or_default()
            .insert(token);
    }
    assert_eq!(tokens.len(), 4);
    assert!(
        tokens.values().all(|t| t.len() == 1),
        "one token per template across attempts: {tokens:?}"
    );
    s.assert_converged(1);
}

// ---------------------------------------------------------------------------
// Through the library, as the desktop app drives it.

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

async fn connect(endpoint: &str) -> Clients {
    let options = ClientOptions {
        endpoint_url: Some(endpoint.to_owned()),
        region: Some("us-east-1".to_owned()),
        sdk_initial_backoff: Some(Duration::from_millis(20)),
        credentials: Some(aws::client::Credentials::new(
            aws_support::ACCESS_KEY,
            aws_support::SECRET_KEY,
            None,
            None,
            "topoplan tests",
        )),
        ..ClientOptions::default()
    };
    Clients::connect(&options, None).await.expect("clients")
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        base_delay_ms: 20,
        max_delay_ms: 300,
        ..RetryPolicy::default()
    }
}

fn collect() -> (Progress, Arc<Mutex<Vec<Event>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let progress: Progress =
        Arc::new(move |e: &Event| sink.lock().expect("events").push(e.clone()));
    (progress, events)
}

/// The library, as the desktop app drives it: clients, the account read
/// through the proxy, and a plan of the first document.
struct Library {
    rt: tokio::runtime::Runtime,
    clients: Clients,
    plan: aws::Plan,
    progress: Progress,
    events: Arc<Mutex<Vec<Event>>>,
}

fn library(s: &Setup) -> Library {
    let topology = topoplan_core::model::json::from_str(&doc("m6i.large")).expect("doc");
    let desired = aws::desired(&topology, &DesiredOptions::default()).expect("desired");
    let rt = runtime();
    let clients = rt.block_on(connect(&s.proxy.endpoint()));
    let (progress, events) = collect();
    let observed = rt
        .block_on(aws::account::read(&clients, &desired, &quick(), &progress))
        .expect("read");
    let plan = aws::plan(&desired, &observed, PlanOptions::default()).expect("plan");
    Library {
        rt,
        clients,
        plan,
        progress,
        events,
    }
}

impl Library {
    fn apply(&self, options: &ApplyOptions, cancel: &Cancel) -> aws::ApplyReport {
        self.rt
            .block_on(aws::apply(
                &self.clients,
                &self.plan,
                options,
                &self.progress,
                cancel,
            ))
            .expect("the account guard passes")
    }
}

#[test]
fn a_group_created_under_our_name_after_planning_is_never_overwritten() {
    // AWS refuses to create a group whose name exists; moto overwrites it.
    // The proxy gives AWS's answer, so this checks what topoplan does with it.
    let shim = Config {
        aws_create_semantics: true,
        ..Config::default()
    };
    let Some(s) = setup(shim, 17) else { return };
    let lib = library(&s);

    // Between plan and apply, someone creates shop-api by hand.
    s.moto.boto(
        r#"
lt = ec2("us-east-1").create_launch_template(LaunchTemplateName="by-hand", LaunchTemplateData={"ImageId": "ami-12c6146b"})
asg("us-east-1").create_auto_scaling_group(AutoScalingGroupName="shop-api", MinSize=0, MaxSize=5, DesiredCapacity=0,
    LaunchTemplate={"LaunchTemplateId": lt["LaunchTemplate"]["LaunchTemplateId"], "Version": "1"}, AvailabilityZones=["us-east-1a"])
out(None)
"#,
    );
    let options = ApplyOptions {
        retry: quick(),
        parallelism: 1,
        ..ApplyOptions::default()
    };
    let report = lib.apply(&options, &Cancel::new());
    let failed: Vec<_> = report
        .ops
        .iter()
        .filter(|o| matches!(o.status, OpStatus::Failed { .. }))
        .collect();
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].api, "CreateAutoScalingGroup");
    let OpStatus::Failed { error } = &failed[0].status else {
        unreachable!()
    };
    assert!(
        error.message.contains("autoscaling group shop-api appeared since the plan was made and was not created by topoplan"),
        "{error}"
    );
    assert!(!report.is_complete());
    let theirs = s
        .moto
        .groups("us-east-1")
        .into_iter()
        .find(|g| g["AutoScalingGroupName"] == "shop-api")
        .expect("theirs");
    assert_eq!(theirs["MaxSize"], 5, "untouched");
    assert!(
        aws_support::tags(&theirs).is_empty(),
        "untouched: {theirs:#}"
    );
    let events = lib.events.lock().expect("events");
    assert!(events.iter().any(|e| matches!(e, Event::Stopping { .. })));
    let finished = events
        .iter()
        .filter(|e| matches!(e, Event::OpFinished { .. }))
        .count();
    let ran = report
        .ops
        .iter()
        .filter(|o| !matches!(o.status, OpStatus::NotStarted))
        .count();
    assert_eq!(finished, ran, "one event per operation that ran");
}

#[test]
fn resources_made_by_an_earlier_attempt_are_adopted_not_duplicated() {
    let shim = Config {
        aws_create_semantics: true,
        ..Config::default()
    };
    let Some(s) = setup(shim, 19) else { return };
    let lib = library(&s);
    let options = ApplyOptions {
        retry: quick(),
        ..ApplyOptions::default()
    };
    let first = lib.apply(&options, &Cancel::new());
    assert!(first.is_complete(), "{first:#?}");
    // The same creations again, as a retry after a lost answer would send
    // them: AWS answers "already exists"; ours, so adopted.
    let again = lib.apply(&options, &Cancel::new());
    assert!(again.is_complete(), "{again:#?}");
    let adopted = again
        .ops
        .iter()
        .filter(|o| matches!(&o.status, OpStatus::Done { note: Some(n) } if n.contains("adopted")))
        .count();
    assert_eq!(adopted, 8, "4 templates and 4 groups adopted: {again:#?}");
    s.assert_converged(1);
}

#[test]
fn a_stop_before_the_first_call_writes_nothing_and_reports_everything_not_done() {
    let Some(s) = setup(Config::default(), 23) else {
        return;
    };
    let lib = library(&s);
    let cancel = Cancel::new();
    cancel.stop();
    let report = lib.apply(&ApplyOptions::default(), &cancel);
    assert_eq!(report.ops.len(), 12);
    assert!(report.ops.iter().all(|o| o.status == OpStatus::NotStarted));
    assert_eq!(
        report.stopped.as_deref(),
        Some("interrupted; calls in flight were finished")
    );
    assert_eq!(s.proxy.writes_forwarded(), 0);
}
