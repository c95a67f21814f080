//! `topoplan plan aws` / `apply aws` end to end: the real binary against a
//! real local AWS API (moto's server mode, one per test), checked with
//! boto3 — an independent client — rather than with topoplan's own reads.
//! Every call goes through a pass-through proxy that counts them (so "no
//! write happened" is measured, not assumed).
#![expect(
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly"
)]

mod aws_support;
mod support;

use aws_support::proxy::{Config, Proxy};
use aws_support::{
    ACCOUNT, Moto, ends_with_code, run, run_with_input, stderr, stdout, succeeds, tags, write,
};
use serde_json::Value;

/// The regions and AZs the documents use.
const NETWORK: &[(&str, &[&str])] = &[
    ("us-east-1", &["us-east-1a", "us-east-1b"]),
    ("eu-west-1", &["eu-west-1a", "eu-west-1b"]),
];

/// A two-region, active-passive shop: `web` everywhere (the standby region
/// at a quarter of the primary's size), `api` in the primary only.
/// (`api` carries the user data: moto cannot launch instances from a
/// *second* template version that has user data — a moto defect — and
/// `web` is the one whose template changes in these tests.)
fn shop(
    web_desired: u32,
    web_max: u32,
    web_type: &str,
    with_api: bool,
    account: Option<&str>,
) -> String {
    let api = if with_api {
        r##",
    { "id": "api", "name": "API", "kind": "service", "min": 1, "desired": 2, "max": 4,
      "instance_type": "c6i.large", "health_check": "ec2", "scaling": "predictive",
      "placement": { "us-east-1": ["us-east-1a", "us-east-1b"] },
      "aws": { "user_data": "#!/bin/sh\necho api\n" } }"##
    } else {
        ""
    };
    let edges = if with_api {
        r#"[{ "from": "web", "to": "api" }]"#
    } else {
        "[]"
    };
    let account = account.map_or_else(String::new, |a| format!(r#""account_id": "{a}", "#));
    format!(
        r#"{{
  "schema": 1, "id": "shop", "name": "Shop",
  "deployment": {{ "mode": "active_passive", "standby": "warm_standby", "warm_standby_fraction": 0.25 }},
  "regions": [
    {{ "id": "us-east-1", "role": "primary", "azs": ["us-east-1a", "us-east-1b"] }},
    {{ "id": "eu-west-1", "role": "secondary", "azs": ["eu-west-1a", "eu-west-1b"] }}
  ],
  "aws": {{ {account}"images": {{ "us-east-1": "ami-12c6146b", "eu-west-1": "ami-0abcdef1234567890" }},
           "subnet_tags": {{ "tier": "app" }}, "tags": {{ "team": "shop" }} }},
  "traffic": {{ "entry": ["web"] }},
  "nodes": [
    {{ "id": "web", "name": "Web servers", "kind": "service", "min": 2, "desired": {web_desired}, "max": {web_max},
      "instance_type": "{web_type}", "health_check": "ec2", "health_check_grace_secs": 120, "warmup_secs": 180,
      "target_cpu": 0.6,
      "placement": {{ "us-east-1": ["us-east-1a", "us-east-1b"], "eu-west-1": ["eu-west-1a", "eu-west-1b"] }} }}{api}
  ],
  "edges": {edges}
}}"#
    )
}

struct Setup {
    moto: Moto,
    proxy: Proxy,
    dir: tempfile::TempDir,
    subnets: Value,
}

fn setup() -> Option<Setup> {
    let moto = Moto::start()?;
    let subnets = moto.network(NETWORK);
    let proxy = Proxy::start(moto.addr, Config::default(), 1);
    Some(Setup {
        moto,
        proxy,
        dir: tempfile::tempdir().expect("a temp dir"),
        subnets,
    })
}

impl Setup {
    fn doc(&self, name: &str, text: &str) -> String {
        write(self.dir.path(), name, text).display().to_string()
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        run(&self.proxy.endpoint(), args)
    }

    fn group(&self, region: &str, name: &str) -> Value {
        self.moto
            .groups(region)
            .into_iter()
            .find(|g| g["AutoScalingGroupName"] == name)
            .unwrap_or_else(|| panic!("no group {name} in {region}"))
    }
}

fn plan_json(s: &Setup, doc: &str) -> Value {
    let out = s.run(&["plan", "aws", doc, "--json"]);
    succeeds(&out);
    serde_json::from_slice(&out.stdout).expect("plan JSON")
}

fn actions(plan: &Value) -> Vec<(String, String, String, String)> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["region"].as_str().unwrap_or_default().to_owned(),
                c["resource"].as_str().unwrap_or_default().to_owned(),
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_empty_account_is_planned_as_creates_applied_and_then_has_no_changes() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));

    // Plan: creates only, and it says what belongs to Terraform.
    let out = s.run(&["plan", "aws", &doc]);
    succeeds(&out);
    let text = stdout(&out);
    assert!(
        text.contains("Plan: 10 to create, 0 to update, 0 to delete, 0 unchanged"),
        "{text}"
    );
    assert!(text.contains("belongs to the Terraform export"), "{text}");
    assert!(
        text.contains("+ autoscaling group shop-web (create, node web)"),
        "{text}"
    );
    assert!(text.contains(&format!("in account {ACCOUNT}")), "{text}");
    let plan = plan_json(&s, &doc);
    assert!(actions(&plan).iter().all(|a| a.3 == "create"), "{plan:#}");
    assert_eq!(s.proxy.writes_forwarded(), 0, "plan never writes");

    // Apply.
    let out = s.run(&["apply", "aws", &doc, "--auto-approve"]);
    succeeds(&out);
    assert!(
        stdout(&out).contains("10 of 10 operations done"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("[10/10]"),
        "progress per resource: {}",
        stderr(&out)
    );

    // The account, as boto3 sees it.
    let web = s.group("us-east-1", "shop-web");
    assert_eq!(
        (
            web["MinSize"].as_i64(),
            web["DesiredCapacity"].as_i64(),
            web["MaxSize"].as_i64()
        ),
        (Some(2), Some(4), Some(8))
    );
    let mut subnets: Vec<&str> = web["VPCZoneIdentifier"]
        .as_str()
        .expect("subnets")
        .split(',')
        .collect();
    subnets.sort_unstable();
    let mut expected = vec![
        s.subnets["us-east-1"]["us-east-1a"].as_str().expect("a"),
        s.subnets["us-east-1"]["us-east-1b"].as_str().expect("b"),
    ];
    expected.sort_unstable();
    assert_eq!(subnets, expected);
    assert_eq!(web["HealthCheckType"], "EC2");
    assert_eq!(web["HealthCheckGracePeriod"], 120);
    let t = tags(&web);
    assert_eq!(t["topoplan:topology"], "shop");
    assert_eq!(t["topoplan:node"], "web");
    assert_eq!(t["Name"], "Web servers");
    assert_eq!(t["team"], "shop");
    assert_eq!(t["topoplan:desired-capacity"], "4");
    let standby = s.group("eu-west-1", "shop-web");
    assert_eq!(
        (
            standby["MinSize"].as_i64(),
            standby["DesiredCapacity"].as_i64(),
            standby["MaxSize"].as_i64()
        ),
        (Some(1), Some(1), Some(8)),
        "warm standby at 25%"
    );

    let templates = s.moto.templates("us-east-1");
    assert_eq!(templates.len(), 2);
    let api = templates
        .iter()
        .find(|t| t["LaunchTemplateName"] == "shop-api")
        .expect("api template");
    let data = &api["Versions"][0]["LaunchTemplateData"];
    assert_eq!(data["ImageId"], "ami-12c6146b");
    assert_eq!(data["InstanceType"], "c6i.large");
    assert_eq!(data["MetadataOptions"]["HttpTokens"], "required", "IMDSv2");
    assert_eq!(data["UserData"], "IyEvYmluL3NoCmVjaG8gYXBpCg==");
    let policies = s.moto.policies("us-east-1");
    let web_policy = policies
        .iter()
        .find(|p| p["PolicyName"] == "shop-web-cpu-target")
        .expect("policy");
    assert_eq!(web_policy["PolicyType"], "TargetTrackingScaling");
    assert_eq!(
        web_policy["TargetTrackingConfiguration"]["TargetValue"],
        60.0
    );
    assert_eq!(
        web_policy["TargetTrackingConfiguration"]["PredefinedMetricSpecification"]["PredefinedMetricType"],
        "ASGAverageCPUUtilization"
    );
    assert_eq!(web_policy["EstimatedInstanceWarmup"], 180);
    assert!(policies.iter().any(
        |p| p["PolicyName"] == "shop-api-predictive" && p["PolicyType"] == "PredictiveScaling"
    ));

    // A second plan is empty; a second apply writes nothing.
    let out = s.run(&["plan", "aws", &doc]);
    assert!(
        stdout(&out).contains("No changes: the account matches the document."),
        "{}",
        stdout(&out)
    );
    let plan = plan_json(&s, &doc);
    assert!(actions(&plan).iter().all(|a| a.3 == "no_op"), "{plan:#}");
    s.proxy.clear();
    let out = s.run(&["apply", "aws", &doc, "--auto-approve"]);
    assert!(succeeds(&out).contains("No changes"), "{}", stdout(&out));
    let out = s.run(&["apply", "aws", &doc, "--auto-approve", "--json"]);
    let result: Value = serde_json::from_str(&succeeds(&out)).expect("JSON on stdout");
    assert_eq!(result["report"], Value::Null);
    assert_eq!(
        s.proxy.writes_forwarded(),
        0,
        "a converged apply writes nothing"
    );
}

#[test]
fn changed_sizes_and_instance_type_are_planned_field_by_field_and_converge() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    assert_eq!(
        s.run(&["apply", "aws", &doc, "--auto-approve"])
            .status
            .code(),
        Some(0)
    );

    let doc = s.doc("shop.json", &shop(6, 12, "m6i.xlarge", true, None));
    let plan = plan_json(&s, &doc);
    let changed: Vec<_> = actions(&plan)
        .into_iter()
        .filter(|a| a.3 != "no_op")
        .collect();
    assert_eq!(
        changed,
        [
            (
                "us-east-1".into(),
                "launch_template".into(),
                "shop-web".into(),
                "update".into()
            ),
            (
                "us-east-1".into(),
                "auto_scaling_group".into(),
                "shop-web".into(),
                "update".into()
            ),
            (
                "eu-west-1".into(),
                "launch_template".into(),
                "shop-web".into(),
                "update".into()
            ),
            (
                "eu-west-1".into(),
                "auto_scaling_group".into(),
                "shop-web".into(),
                "update".into()
            ),
        ]
    );
    let fields = |i: usize| -> Vec<(String, String, String)> {
        let c = &plan["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .filter(|c| c["action"] != "no_op")
            .nth(i)
            .expect("change")
            .clone();
        c["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap_or_default().to_owned(),
                    f["old"].as_str().unwrap_or_default().to_owned(),
                    f["new"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        fields(0),
        [(
            "instance_type".into(),
            "m6i.large".into(),
            "m6i.xlarge".into()
        )]
    );
    assert_eq!(
        fields(1),
        [
            ("max".into(), "8".into(), "12".into()),
            ("desired".into(), "4".into(), "6".into()),
            (
                "launch_template".into(),
                "shop-web version 1".into(),
                "shop-web version 2 (new)".into()
            ),
            (
                "tag topoplan:desired-capacity".into(),
                "4".into(),
                "6".into()
            ),
        ]
    );
    let text = stdout(&s.run(&["plan", "aws", &doc]));
    assert!(
        text.contains("instance_type  m6i.large → m6i.xlarge"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 0 to create, 4 to update, 0 to delete"),
        "{text}"
    );

    let out = s.run(&["apply", "aws", &doc, "--auto-approve", "--json"]);
    let result: Value = serde_json::from_str(&succeeds(&out)).expect("JSON on stdout");
    let ops = result["report"]["ops"].as_array().expect("operations");
    let apis: Vec<&str> = ops
        .iter()
        .map(|o| o["api"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        apis,
        [
            "CreateLaunchTemplateVersion",
            "ModifyLaunchTemplate",
            "UpdateAutoScalingGroup",
            "CreateOrUpdateTags",
            "CreateLaunchTemplateVersion",
            "ModifyLaunchTemplate",
            "UpdateAutoScalingGroup",
            "CreateOrUpdateTags",
        ]
    );
    assert!(
        ops.iter().all(|o| o["status"]["status"] == "done"),
        "{result:#}"
    );
    assert_eq!(
        result["plan"]["changes"], plan["changes"],
        "the plan shown is the plan applied"
    );
    let web = s.group("us-east-1", "shop-web");
    assert_eq!(
        (web["DesiredCapacity"].as_i64(), web["MaxSize"].as_i64()),
        (Some(6), Some(12))
    );
    assert_eq!(web["LaunchTemplate"]["Version"], "2");
    let templates = s.moto.templates("us-east-1");
    let lt = templates
        .iter()
        .find(|t| t["LaunchTemplateName"] == "shop-web")
        .expect("template");
    assert_eq!(lt["DefaultVersionNumber"], 2);
    assert_eq!(
        lt["Versions"].as_array().expect("versions").len(),
        2,
        "one new version, no more"
    );
    let v2 = lt["Versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["VersionNumber"] == 2)
        .expect("v2");
    assert_eq!(v2["LaunchTemplateData"]["InstanceType"], "m6i.xlarge");
    assert!(stdout(&s.run(&["plan", "aws", &doc])).contains("No changes"));
}

#[test]
fn an_untagged_group_with_our_name_is_refused_and_nothing_changes() {
    let Some(s) = setup() else { return };
    s.moto.boto(
        r#"
lt = ec2("us-east-1").create_launch_template(LaunchTemplateName="theirs", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
asg("us-east-1").create_auto_scaling_group(AutoScalingGroupName="shop-web", MinSize=1, MaxSize=3, DesiredCapacity=1,
    LaunchTemplate={"LaunchTemplateId": lt["LaunchTemplate"]["LaunchTemplateId"], "Version": "1"}, AvailabilityZones=["us-east-1a"])
out(None)
"#,
    );
    let before = s.group("us-east-1", "shop-web");
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    for args in [
        vec!["plan", "aws", &doc],
        vec!["apply", "aws", &doc, "--auto-approve"],
    ] {
        let out = s.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let text = stdout(&out);
        assert!(
            text.contains("refused: us-east-1: web: autoscaling group shop-web already exists and was not created by topoplan (no topoplan:topology tag)"),
            "{text}"
        );
        assert!(text.contains("nothing was planned or changed"), "{text}");
    }
    assert_eq!(s.proxy.writes_forwarded(), 0);
    let after = s.group("us-east-1", "shop-web");
    assert_eq!(before, after, "the stranger is untouched");
    assert!(
        s.moto
            .templates("us-east-1")
            .iter()
            .all(|t| t["LaunchTemplateName"] == "theirs")
    );
}

#[test]
fn a_wrong_expected_account_is_refused_before_any_write() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    let out = s.run(&[
        "apply",
        "aws",
        &doc,
        "--auto-approve",
        "--expected-account",
        "999999999999",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains(&format!("the credentials are for account {ACCOUNT}, but account 999999999999 is expected: nothing was changed")),
        "{}",
        stdout(&out)
    );
    // The document's own account id guards too.
    let doc = s.doc(
        "shop-account.json",
        &shop(4, 8, "m6i.large", true, Some("111111111111")),
    );
    let out = s.run(&["apply", "aws", &doc, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("account 111111111111 is expected"),
        "{}",
        stdout(&out)
    );
    assert!(s.proxy.count("GetCallerIdentity") >= 2, "checked with STS");
    assert_eq!(s.proxy.writes_forwarded(), 0, "refused before any write");
    assert!(s.moto.groups("us-east-1").is_empty());
    // The right account goes through.
    let doc = s.doc(
        "shop-right.json",
        &shop(4, 8, "m6i.large", true, Some(ACCOUNT)),
    );
    let out = s.run(&[
        "apply",
        "aws",
        &doc,
        "--auto-approve",
        "--expected-account",
        ACCOUNT,
    ]);
    succeeds(&out);
}

#[test]
fn prune_deletes_only_this_topologys_tagged_resources() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    assert_eq!(
        s.run(&["apply", "aws", &doc, "--auto-approve"])
            .status
            .code(),
        Some(0)
    );
    // Neighbours: an untagged group and template, another topology's template.
    s.moto.boto(
        r#"
c = ec2("us-east-1")
lt = c.create_launch_template(LaunchTemplateName="legacy", LaunchTemplateData={"ImageId": "ami-12c6146b"})
asg("us-east-1").create_auto_scaling_group(AutoScalingGroupName="legacy", MinSize=0, MaxSize=1, DesiredCapacity=0,
    LaunchTemplate={"LaunchTemplateId": lt["LaunchTemplate"]["LaunchTemplateId"], "Version": "1"}, AvailabilityZones=["us-east-1a"])
c.create_launch_template(LaunchTemplateName="blog-api", LaunchTemplateData={"ImageId": "ami-12c6146b"},
    TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "topoplan:topology", "Value": "blog"}, {"Key": "topoplan:node", "Value": "api"}]}])
out(None)
"#,
    );
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", false, None));

    // Without --prune: kept, and said so.
    let out = s.run(&["apply", "aws", &doc, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("deleted only with --prune"),
        "{}",
        stdout(&out)
    );
    assert!(
        s.moto
            .groups("us-east-1")
            .iter()
            .any(|g| g["AutoScalingGroupName"] == "shop-api")
    );

    // With it: exactly this topology's resources of the removed node go.
    let out = s.run(&["plan", "aws", &doc, "--prune"]);
    let text = stdout(&out);
    assert!(
        text.contains("- autoscaling group shop-api (delete, node api)"),
        "{text}"
    );
    assert!(
        text.contains("- launch template shop-api (delete, node api)"),
        "{text}"
    );
    assert!(
        !text.contains("legacy") && !text.contains("blog-api"),
        "{text}"
    );
    let out = s.run(&["apply", "aws", &doc, "--auto-approve", "--prune"]);
    succeeds(&out);
    let groups: Vec<String> = s
        .moto
        .groups("us-east-1")
        .iter()
        .map(|g| {
            g["AutoScalingGroupName"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let mut groups = groups;
    groups.sort();
    assert_eq!(groups, ["legacy", "shop-web"]);
    let mut templates: Vec<String> = s
        .moto
        .templates("us-east-1")
        .iter()
        .map(|t| {
            t["LaunchTemplateName"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    templates.sort();
    assert_eq!(templates, ["blog-api", "legacy", "shop-web"]);
    assert!(
        s.moto
            .policies("us-east-1")
            .iter()
            .all(|p| p["AutoScalingGroupName"] != "shop-api")
    );
    assert!(stdout(&s.run(&["plan", "aws", &doc, "--prune"])).contains("No changes"));
}

#[test]
fn apply_asks_for_yes_and_anything_else_changes_nothing() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    for answer in ["no\n", "YES please\n", ""] {
        let out = run_with_input(&s.proxy.endpoint(), &["apply", "aws", &doc], answer);
        assert_eq!(out.status.code(), Some(1), "{answer:?}");
        assert!(
            stdout(&out).contains("Only 'yes' is accepted"),
            "{}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains("Not applied: nothing was changed."),
            "{}",
            stdout(&out)
        );
    }
    assert_eq!(s.proxy.writes_forwarded(), 0);
    let out = run_with_input(&s.proxy.endpoint(), &["apply", "aws", &doc], "yes\n");
    succeeds(&out);
    assert_eq!(s.moto.groups("us-east-1").len(), 2);
}

#[test]
fn a_saved_plan_applies_exactly_and_is_refused_once_the_account_moved() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    let plan = s.dir.path().join("plan.json").display().to_string();
    let out = s.run(&["plan", "aws", &doc, "--out", &plan]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("apply exactly this plan with"),
        "{}",
        stdout(&out)
    );

    // The account moves (someone adds a neighbour with one of our names):
    // the saved plan is refused, naming what changed.
    s.moto.boto(
        r#"
ec2("eu-west-1").create_launch_template(LaunchTemplateName="shop-web", LaunchTemplateData={"ImageId": "ami-12c6146b"})
out(None)
"#,
    );
    let out = s.run(&["apply", "aws", &doc, "--plan", &plan, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("refused: the account changed since the plan was made (eu-west-1: launch template shop-web appeared)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(s.proxy.writes_forwarded(), 0);
    s.moto.boto(
        r#"ec2("eu-west-1").delete_launch_template(LaunchTemplateName="shop-web"); out(None)"#,
    );

    // A changed document or other options are refused too.
    let other = s.doc("other.json", &shop(5, 8, "m6i.large", true, None));
    let out = s.run(&["apply", "aws", &other, "--plan", &plan, "--auto-approve"]);
    assert!(
        stdout(&out).contains("the document changed since the plan was made"),
        "{}",
        stdout(&out)
    );
    let out = s.run(&[
        "apply",
        "aws",
        &doc,
        "--plan",
        &plan,
        "--auto-approve",
        "--prune",
    ]);
    assert!(
        stdout(&out).contains("the plan was made without prune"),
        "{}",
        stdout(&out)
    );

    // Unchanged: applied as saved.
    let out = s.run(&["apply", "aws", &doc, "--plan", &plan, "--auto-approve"]);
    succeeds(&out);
    assert!(
        stdout(&out).contains("10 of 10 operations done"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&s.run(&["plan", "aws", &doc])).contains("No changes"));
}

#[test]
fn dry_run_checks_what_aws_can_check_and_writes_nothing() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    let out = s.run(&["apply", "aws", &doc, "--dry-run"]);
    succeeds(&out);
    let text = stdout(&out);
    assert!(text.contains("Dry run: nothing was changed."), "{text}");
    assert!(
        text.contains("3 of 10 operations checked, 7 skipped"),
        "{text}"
    );
    assert!(text.contains("skipped  us-east-1 CreateAutoScalingGroup autoscaling group shop-web (dry run: the Auto Scaling API has no dry run)"), "{text}");
    assert_eq!(
        s.proxy.count("CreateLaunchTemplate"),
        3,
        "EC2 calls sent with DryRun"
    );
    assert!(s.moto.groups("us-east-1").is_empty());
    assert!(s.moto.templates("us-east-1").is_empty());
}

#[test]
fn a_document_with_errors_or_missing_aws_settings_is_refused_before_any_call() {
    let Some(s) = setup() else { return };
    let broken = shop(4, 8, "m6i.large", true, None)
        .replace(r#""min": 2, "desired": 4"#, r#""min": 5, "desired": 4"#);
    let doc = s.doc("broken.json", &broken);
    let out = s.run(&["plan", "aws", &doc]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("capacity-order")
            || stdout(&out).contains("expected min ≤ desired ≤ max"),
        "{}",
        stdout(&out)
    );
    let bare = shop(4, 8, "m6i.large", true, None).replace(
        r#""eu-west-1": "ami-0abcdef1234567890""#,
        r#""eu-west-9": "ami-0abcdef1234567890""#,
    );
    let doc = s.doc("bare.json", &bare);
    let out = s.run(&["plan", "aws", &doc]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let no_image = shop(4, 8, "m6i.large", true, None)
        .replace(r#", "eu-west-1": "ami-0abcdef1234567890""#, "");
    let doc = s.doc("no-image.json", &no_image);
    let out = s.run(&["plan", "aws", &doc]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("eu-west-1: web: no machine image for eu-west-1"),
        "{}",
        stdout(&out)
    );
    // --image-id fills the gap.
    let out = s.run(&["plan", "aws", &doc, "--image-id", "eu-west-1=resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(s.proxy.calls().iter().filter(|c| c.is_write()).count(), 0);
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error() {
    if aws_support::python().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let doc = write(
        dir.path(),
        "shop.json",
        &shop(4, 8, "m6i.large", true, None),
    )
    .display()
    .to_string();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let out = run(&format!("http://127.0.0.1:{port}"), &["plan", "aws", &doc]);
    ends_with_code(&out, 1);
    assert!(
        stdout(&out).contains("cannot read the account"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(&format!("(is the endpoint right? http://127.0.0.1:{port})")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_named_profile_supplies_credentials_and_region() {
    let Some(s) = setup() else { return };
    let doc = s.doc("shop.json", &shop(4, 8, "m6i.large", true, None));
    let config = write(
        s.dir.path(),
        "aws-config",
        &format!(
            "[profile ci]\naws_access_key_id = {}\naws_secret_access_key = {}\nregion = eu-west-1\n",
            aws_support::ACCESS_KEY,
            aws_support::SECRET_KEY
        ),
    );
    let profile_run = |profile: &str| {
        let out = aws_support::topoplan(
            &s.proxy.endpoint(),
            &["plan", "aws", &doc, "--profile", profile],
        )
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_REGION")
        .env("AWS_CONFIG_FILE", &config)
        .output()
        .expect("runs");
        aws_support::assert_no_secrets(&out);
        out
    };
    let out = profile_run("ci");
    assert!(
        succeeds(&out).contains("Plan: 10 to create"),
        "{}",
        stdout(&out)
    );
    let sts: Vec<_> = s
        .proxy
        .calls()
        .into_iter()
        .filter(|c| c.action == "GetCallerIdentity")
        .collect();
    assert_eq!(
        sts.last().map(|c| c.region.as_str()),
        Some("eu-west-1"),
        "the profile's region"
    );
    let out = profile_run("nope");
    let text = ends_with_code(&out, 1);
    assert!(text.contains("no usable AWS credentials"), "{text}");
}
