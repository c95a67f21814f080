//! Ship → Apply to AWS in the real app, driven through `egui_kittest`,
//! against a real local AWS API (a moto server of the test's own, from the
//! venv `tests/run` makes), checked afterwards with boto3 rather than with
//! topoplan's own reads.
#![expect(
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly"
)]

mod aws_support;
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_support::proxy::{Config as ProxyConfig, Proxy};
use aws_support::{ACCESS_KEY, ACCOUNT, Moto, SECRET_KEY, tags};
use egui::{Role, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use topoplan::TopoplanApp;
use topoplan::app::{Config, Settings};
use topoplan::apply_ui::{CONFIRM_LABEL, Step};
use topoplan::files::ScriptedDialogs;
use topoplan_exports::aws::OpStatus;
use topoplan_exports::aws::client::Credentials;

/// A one-region shop: `web` across two AZs, with an image and the subnet
/// tags moto's network carries.
const SHOP: &str = r#"{
  "schema": 1, "id": "shop", "name": "Shop",
  "regions": [ { "id": "us-east-1", "role": "primary", "azs": ["us-east-1a", "us-east-1b"] } ],
  "aws": { "images": { "us-east-1": "ami-12c6146b" }, "subnet_tags": { "tier": "app" } },
  "traffic": { "entry": ["web"] },
  "nodes": [
    { "id": "web", "name": "Web servers", "kind": "service", "min": 2, "desired": 3, "max": 6,
      "instance_type": "t3.small", "health_check": "ec2",
      "placement": { "us-east-1": ["us-east-1a", "us-east-1b"] } }
  ],
  "edges": []
}"#;

struct Setup {
    moto: Moto,
    _dir: tempfile::TempDir,
    file: PathBuf,
}

fn setup() -> Option<Setup> {
    let moto = Moto::start()?;
    moto.network(&[("us-east-1", &["us-east-1a", "us-east-1b"])]);
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = aws_support::write(dir.path(), "shop.json", SHOP);
    Some(Setup {
        moto,
        _dir: dir,
        file,
    })
}

/// The real app on the shop document, with test credentials (the standard
/// chain is never consulted, so no real account can be reached).
fn open(s: &Setup) -> Harness<'static, TopoplanApp> {
    let mut config = Config::headless(Box::new(ScriptedDialogs::default()));
    config.aws_credentials = Some(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test"));
    let app = TopoplanApp::with_config(Some(s.file.clone()), config, Settings::default());
    // Background work (pricing) finishing wakes the UI: allow the frames
    // that follow before calling the UI unsettled.
    let mut h = Harness::builder()
        .with_size(vec2(1440.0, 900.0))
        .with_max_steps(16)
        .build_eframe(|_cc| app);
    h.run();
    assert_eq!(h.state().topology().meta().name, "Shop");
    h
}

/// Steps (without waiting for the UI to settle) until `done` holds.
fn step_until(h: &mut Harness<'_, TopoplanApp>, what: &str, done: impl Fn(&TopoplanApp) -> bool) {
    for _ in 0..6_000 {
        h.step();
        if done(h.state()) {
            h.step();
            h.step();
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

fn type_into(h: &mut Harness<'_, TopoplanApp>, label: &str, text: &str) {
    let field = h.get_by_role_and_label(Role::TextInput, label);
    field.focus();
    field.type_text(text);
    h.run();
}

/// Opens Ship → Apply to AWS, fills in the connection, and plans.
fn plan(h: &mut Harness<'_, TopoplanApp>, endpoint: &str, expected_account: &str) {
    h.get_by_label("Ship").click();
    h.run();
    h.get_by_label_contains("Apply to AWS…").click();
    h.run();
    type_into(h, "Region", "us-east-1");
    type_into(h, "Endpoint", endpoint);
    type_into(h, "Expected account", expected_account);
    h.get_by_label("Read the account and plan").click();
    step_until(h, "the plan", |app| {
        app.apply_panel().step() != Step::Planning
    });
    assert_eq!(
        h.state().apply_panel().step(),
        Step::Preview,
        "planning failed: {:?}",
        h.state().apply_panel().errors()
    );
}

#[test]
fn applying_from_the_window_creates_the_groups_after_the_typed_confirmation() {
    let Some(s) = setup() else { return };
    let mut h = open(&s);
    plan(&mut h, &s.moto.endpoint(), ACCOUNT);

    // The preview: counts and the settings of each resource.
    let summary = h.state().apply_panel().plan().unwrap().summary();
    assert_eq!((summary.create, summary.update, summary.delete), (3, 0, 0));
    h.get_by_label("3 to create");
    h.get_by_label("0 to delete");
    h.get_by_label_contains("autoscaling group shop-web — create (node web)");
    h.get_by_label("(the expected account)");
    assert!(
        s.moto.groups("us-east-1").is_empty(),
        "planning wrote nothing"
    );

    // Apply stays disabled until the topology's name is typed exactly.
    let ops = h.state().apply_panel().plan().unwrap().op_count();
    let apply_label = format!("Apply {ops} operations");
    h.get_by_label(&apply_label).click();
    h.run();
    assert_eq!(h.state().apply_panel().step(), Step::Preview);
    type_into(&mut h, CONFIRM_LABEL, "shop");
    h.get_by_label(&apply_label).click();
    h.run();
    assert_eq!(
        h.state().apply_panel().step(),
        Step::Preview,
        "the name is case-sensitive"
    );
    // Replace the wrong text with the name.
    let field = h.get_by_role_and_label(Role::TextInput, CONFIRM_LABEL);
    field.focus();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run();
    type_into(&mut h, CONFIRM_LABEL, "Shop");
    h.get_by_label(&apply_label).click();
    step_until(&mut h, "the apply", |app| {
        app.apply_panel().step() == Step::Done
    });

    let report = report(&h);
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.account_id, ACCOUNT);
    h.get_by_label("Applied: the account matches the document.");

    // The account, as boto3 sees it.
    let groups = s.moto.groups("us-east-1");
    assert_eq!(groups.len(), 1, "{groups:?}");
    let web = &groups[0];
    assert_eq!(web["AutoScalingGroupName"], "shop-web");
    assert_eq!(
        (
            web["MinSize"].as_i64(),
            web["DesiredCapacity"].as_i64(),
            web["MaxSize"].as_i64()
        ),
        (Some(2), Some(3), Some(6))
    );
    let t = tags(web);
    assert_eq!(t["topoplan:topology"], "shop");
    assert_eq!(t["topoplan:node"], "web");
    assert_eq!(s.moto.templates("us-east-1").len(), 1);
    assert_eq!(s.moto.policies("us-east-1").len(), 1);

    // Planning again finds nothing left to do.
    h.get_by_label("Plan again").click();
    step_until(&mut h, "the second plan", |app| {
        app.apply_panel().step() != Step::Planning
    });
    assert!(h.state().apply_panel().plan().unwrap().is_empty());
    h.get_by_label("No changes: the account matches the document.");
}

#[test]
fn credentials_for_another_account_are_refused_before_anything_is_written() {
    let Some(s) = setup() else { return };
    let mut h = open(&s);
    plan(&mut h, &s.moto.endpoint(), "210987654321");
    h.get_by_label_contains(&format!(
        "refused: the credentials are for account {ACCOUNT}, but account 210987654321 is expected"
    ));
    assert!(
        h.query_by_role_and_label(Role::TextInput, CONFIRM_LABEL)
            .is_none(),
        "no confirmation is offered"
    );
    assert!(s.moto.groups("us-east-1").is_empty());
}

#[test]
fn an_unreachable_endpoint_is_explained_in_the_connection_step() {
    let Some(s) = setup() else { return };
    let mut h = open(&s);
    h.get_by_label("Ship").click();
    h.run();
    h.get_by_label_contains("Apply to AWS…").click();
    h.run();
    type_into(&mut h, "Region", "us-east-1");
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    type_into(&mut h, "Endpoint", &format!("http://{closed}"));
    h.get_by_label("Read the account and plan").click();
    step_until(&mut h, "the failure", |app| {
        app.apply_panel().step() == Step::Form
    });
    let errors = h.state().apply_panel().errors().join("\n");
    assert!(errors.contains("cannot read the account"), "{errors}");
    assert!(errors.contains("is the endpoint right?"), "{errors}");
    h.get_by_label_contains("is the endpoint right?");
    drop(s);
}

/// The report of the apply the window ran.
fn report(h: &Harness<'_, TopoplanApp>) -> topoplan_exports::aws::ApplyReport {
    h.state()
        .apply_panel()
        .report()
        .expect("the apply ended")
        .clone()
        .expect("the apply ran")
}

/// Steps once and returns how long the frame took.
fn timed_step(h: &mut Harness<'_, TopoplanApp>) -> Duration {
    let started = Instant::now();
    h.step();
    started.elapsed()
}

#[test]
fn stop_lets_the_call_in_flight_finish_starts_no_more_and_no_frame_waits_for_aws() {
    let Some(s) = setup() else { return };
    // Every write takes 2 s on the way to moto: a frame that waited for
    // one would take that long (an ordinary frame of this debug build on a
    // loaded machine takes up to a few hundred milliseconds).
    let proxy = Proxy::start(
        s.moto.addr,
        ProxyConfig {
            write_delay: Duration::from_secs(2),
            ..ProxyConfig::default()
        },
        1,
    );
    let mut h = open(&s);
    plan(&mut h, &proxy.endpoint(), ACCOUNT);
    let ops = h.state().apply_panel().plan().unwrap().op_count();
    assert_eq!(ops, 3, "launch template, group, policy: one chain");
    type_into(&mut h, CONFIRM_LABEL, "Shop");
    h.get_by_label(&format!("Apply {ops} operations")).click();
    h.step();
    assert_eq!(h.state().apply_panel().step(), Step::Applying);

    // Frames keep coming while the writes are slow.
    let mut slowest = Duration::ZERO;
    let deadline = Instant::now() + Duration::from_mins(1);
    while !h.state().apply_panel().rows()[0]
        .op
        .status
        .eq(&OpStatus::Done { note: None })
        && h.state().apply_panel().step() == Step::Applying
    {
        assert!(
            Instant::now() < deadline,
            "the first operation never finished"
        );
        slowest = slowest.max(timed_step(&mut h));
        std::thread::sleep(Duration::from_millis(10));
    }
    h.get_by_label("Stop").click();
    while h.state().apply_panel().step() == Step::Applying {
        assert!(Instant::now() < deadline, "the apply never stopped");
        slowest = slowest.max(timed_step(&mut h));
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        slowest < Duration::from_secs(1),
        "a frame waited {slowest:?} (writes take 2 s)"
    );

    let report = report(&h);
    assert!(!report.is_complete());
    assert!(report.stopped.is_some(), "{report:?}");
    assert_eq!(
        report.ops.last().map(|o| &o.status),
        Some(&OpStatus::NotStarted),
        "the scaling policy was never started: {report:?}"
    );
    h.get_by_label("Stopped before the end.");
    // The account has what was done, and nothing after it.
    assert_eq!(s.moto.templates("us-east-1").len(), 1);
    assert!(s.moto.policies("us-east-1").is_empty());
    drop(proxy);
}
