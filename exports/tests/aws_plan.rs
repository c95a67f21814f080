//! The planner, pure: desired state × described account → plan. No AWS,
//! no moto: the account is written by hand (or generated) as the
//! `Observed` value the account reader would produce.

#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use proptest::prelude::*;
use topoplan_core::Topology;
use topoplan_core::model::json;
use topoplan_exports::aws::desired::{Desired, SubnetSource};
use topoplan_exports::aws::observed::{
    ObservedGroup, ObservedLaunchTemplate, ObservedPolicy, ObservedRegion, ObservedSubnet,
    TemplateRef,
};
use topoplan_exports::aws::ownership::{Owner, TAG_DESIRED, TAG_NODE, TAG_TOPOLOGY, Tags};
use topoplan_exports::aws::plan::{Action, Op, PlanOptions, ResourceKind, Target, TemplateSource};
use topoplan_exports::aws::{DesiredOptions, Observed, desired, plan};

const DOC: &str = r#"{
  "schema": 1, "id": "shop", "name": "Shop",
  "deployment": { "mode": "active_active" },
  "regions": [
    { "id": "us-east-1", "role": "primary", "azs": ["us-east-1a", "us-east-1b"] },
    { "id": "eu-west-1", "role": "primary", "azs": ["eu-west-1a", "eu-west-1b"] }
  ],
  "aws": { "images": { "us-east-1": "ami-12c6146b", "eu-west-1": "ami-0abcdef1234567890" },
           "subnet_tags": { "tier": "app" } },
  "traffic": { "entry": ["web"] },
  "nodes": [
    { "id": "web", "kind": "service", "min": 2, "desired": 4, "max": 8, "instance_type": "m6i.large",
      "placement": { "us-east-1": ["us-east-1a", "us-east-1b"], "eu-west-1": ["eu-west-1a", "eu-west-1b"] } },
    { "id": "api", "kind": "service", "min": 1, "desired": 2, "max": 4, "scaling": "predictive",
      "placement": { "us-east-1": ["us-east-1a", "us-east-1b"] } }
  ],
  "edges": [{ "from": "web", "to": "api" }]
}"#;

fn load(text: &str) -> Topology {
    json::from_str(text).unwrap_or_else(|e| panic!("{e:#?}"))
}

fn want(text: &str) -> Desired {
    desired(&load(text), &DesiredOptions::default()).unwrap()
}

fn subnet(id: &str, az: &str, vpc: &str, tags: &[(&str, &str)]) -> ObservedSubnet {
    ObservedSubnet {
        id: id.into(),
        az: az.into(),
        vpc_id: vpc.into(),
        tags: tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// An account with one `tier=app` subnet per AZ of every region.
fn network(d: &Desired) -> Observed {
    let mut o = Observed {
        account_id: Some("123456789012".into()),
        ..Observed::default()
    };
    for g in &d.groups {
        let r = o.regions.entry(g.region.clone()).or_default();
        for (az, _) in &g.asg.subnets {
            let id = format!("subnet-{:0>8}", az.replace('-', ""));
            if !r.subnets.iter().any(|s| s.id == id) {
                r.subnets.push(subnet(
                    &id,
                    az,
                    &format!("vpc-{}", g.region),
                    &[("tier", "app")],
                ));
            }
        }
    }
    for region in &d.regions {
        o.regions.entry(region.clone()).or_default();
    }
    o
}

/// The account as it is right after applying `d` to `network(d)`.
fn applied(d: &Desired) -> Observed {
    let mut o = network(d);
    for (n, g) in d.groups.iter().enumerate() {
        let r = o.regions.get_mut(&g.region).unwrap();
        let id = format!("lt-{n:0>8}");
        r.launch_templates.push(ObservedLaunchTemplate {
            id: id.clone(),
            name: g.launch_template.name.clone(),
            tags: g.launch_template.tags.clone(),
            default_version: 1,
            latest_version: 1,
            default_data: Some(g.launch_template.data.clone()),
        });
        let subnet_ids: Vec<String> = g
            .asg
            .subnets
            .iter()
            .map(|(az, source)| match source {
                SubnetSource::Id(id) => id.clone(),
                SubnetSource::Tags(_) => format!("subnet-{:0>8}", az.replace('-', "")),
            })
            .collect();
        let mut tags = g.asg.tags.clone();
        tags.insert(TAG_DESIRED.into(), g.asg.desired.to_string());
        r.groups.push(ObservedGroup {
            name: g.asg.name.clone(),
            tags,
            min: g.asg.min,
            max: g.asg.max,
            desired: g.asg.desired,
            subnet_ids,
            health_check_type: g.asg.health_check_type.clone(),
            health_check_grace_secs: Some(g.asg.health_check_grace_secs),
            default_instance_warmup_secs: Some(g.asg.instance_warmup_secs),
            launch_template: Some(TemplateRef {
                id: Some(id),
                name: Some(g.launch_template.name.clone()),
                version: Some("1".into()),
            }),
            target_group_arns: g.asg.target_group_arns.clone(),
            status: None,
        });
        for p in &g.policies {
            r.policies.push(ObservedPolicy {
                group: g.asg.name.clone(),
                name: p.name.clone(),
                policy_type: p.kind.api_name().into(),
                metric: Some(
                    match p.kind {
                        topoplan_exports::aws::ownership::PolicyKind::TargetTracking => {
                            "ASGAverageCPUUtilization"
                        }
                        topoplan_exports::aws::ownership::PolicyKind::Predictive => {
                            "ASGCPUUtilization"
                        }
                    }
                    .into(),
                ),
                target_value: Some(p.target_cpu_percent),
                estimated_warmup_secs: (p.kind
                    == topoplan_exports::aws::ownership::PolicyKind::TargetTracking)
                    .then_some(p.warmup_secs),
                disable_scale_in: Some(false),
                predictive_mode: (p.kind
                    == topoplan_exports::aws::ownership::PolicyKind::Predictive)
                    .then(|| "ForecastAndScale".to_owned()),
                scheduling_buffer_secs: (p.kind
                    == topoplan_exports::aws::ownership::PolicyKind::Predictive)
                    .then_some(p.warmup_secs),
            });
        }
    }
    o.normalize();
    o
}

fn region<'a>(o: &'a mut Observed, id: &str) -> &'a mut ObservedRegion {
    o.regions.get_mut(id).unwrap()
}

#[test]
fn an_empty_account_gets_template_group_and_policies_in_order() {
    let d = want(DOC);
    let p = plan(&d, &network(&d), PlanOptions::default()).unwrap();
    let creates: Vec<(&str, ResourceKind, &str)> = p
        .changes
        .iter()
        .map(|c| {
            assert_eq!(c.action, Action::Create, "{c:?}");
            (c.region.as_str(), c.resource, c.name.as_str())
        })
        .collect();
    assert_eq!(
        creates,
        [
            ("us-east-1", ResourceKind::LaunchTemplate, "shop-web"),
            ("us-east-1", ResourceKind::AutoScalingGroup, "shop-web"),
            (
                "us-east-1",
                ResourceKind::ScalingPolicy,
                "shop-web-cpu-target"
            ),
            ("us-east-1", ResourceKind::LaunchTemplate, "shop-api"),
            ("us-east-1", ResourceKind::AutoScalingGroup, "shop-api"),
            (
                "us-east-1",
                ResourceKind::ScalingPolicy,
                "shop-api-cpu-target"
            ),
            (
                "us-east-1",
                ResourceKind::ScalingPolicy,
                "shop-api-predictive"
            ),
            ("eu-west-1", ResourceKind::LaunchTemplate, "shop-web"),
            ("eu-west-1", ResourceKind::AutoScalingGroup, "shop-web"),
            (
                "eu-west-1",
                ResourceKind::ScalingPolicy,
                "shop-web-cpu-target"
            ),
        ]
    );
    let Op::CreateAutoScalingGroup { group } = &p.changes[1].ops[0] else {
        panic!("{:?}", p.changes[1].ops)
    };
    assert_eq!(group.template, TemplateSource::Created);
    assert_eq!(group.subnet_ids, ["subnet-useast1a", "subnet-useast1b"]);
    assert!(
        group
            .tags
            .iter()
            .any(|t| t.key == TAG_DESIRED && !t.propagate)
    );
    assert!(
        group
            .tags
            .iter()
            .any(|t| t.key == TAG_NODE && t.value == "web" && t.propagate)
    );
    assert_eq!(p.chains().len(), 3);
    assert_eq!(p.summary().create, 10);
}

#[test]
fn an_applied_account_plans_no_changes() {
    let d = want(DOC);
    let p = plan(
        &d,
        &applied(&d),
        PlanOptions {
            prune: true,
            instance_refresh: true,
        },
    )
    .unwrap();
    assert!(p.is_empty(), "{:#?}", p.changes);
    assert_eq!(p.summary().unchanged, 10);
    assert!(p.changes.iter().all(|c| c.action == Action::NoOp));
}

#[test]
fn changed_sizes_and_instance_type_plan_exactly_those_updates() {
    let d = want(DOC);
    let observed = applied(&d);
    let d2 = want(&DOC.replace(
        r#""min": 2, "desired": 4, "max": 8, "instance_type": "m6i.large""#,
        r#""min": 2, "desired": 6, "max": 12, "instance_type": "m6i.xlarge""#,
    ));
    let p = plan(&d2, &observed, PlanOptions::default()).unwrap();
    let changed: Vec<_> = p
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    assert_eq!(changed.len(), 4, "{changed:#?}");
    for c in &changed {
        assert_eq!(c.name, "shop-web");
        let fields: Vec<(&str, Option<&str>, Option<&str>)> = c
            .fields
            .iter()
            .map(|f| (f.field.as_str(), f.old.as_deref(), f.new.as_deref()))
            .collect();
        match c.resource {
            ResourceKind::LaunchTemplate => {
                assert_eq!(
                    fields,
                    [("instance_type", Some("m6i.large"), Some("m6i.xlarge"))]
                );
                assert!(matches!(
                    c.ops[0],
                    Op::CreateLaunchTemplateVersion {
                        base_version: 1,
                        ..
                    }
                ));
                assert!(matches!(c.ops[1], Op::SetDefaultVersion { .. }));
            }
            ResourceKind::AutoScalingGroup => {
                assert_eq!(
                    &fields[..2],
                    [
                        ("max", Some("8"), Some("12")),
                        ("desired", Some("4"), Some("6"))
                    ]
                );
                assert_eq!(fields[2].0, "launch_template");
                assert_eq!(
                    fields[3],
                    ("tag topoplan:desired-capacity", Some("4"), Some("6"))
                );
                let Op::UpdateAutoScalingGroup { update, .. } = &c.ops[0] else {
                    panic!()
                };
                assert_eq!(
                    (update.min, update.max, update.desired),
                    (None, Some(12), Some(6))
                );
                assert!(matches!(
                    update.template,
                    Some(TemplateSource::NewVersion { .. })
                ));
                assert!(
                    c.notes.iter().any(|n| n.contains("--instance-refresh")),
                    "{:?}",
                    c.notes
                );
            }
            ResourceKind::ScalingPolicy => panic!("policies unchanged: {c:?}"),
        }
    }
    let with_refresh = plan(
        &d2,
        &observed,
        PlanOptions {
            prune: false,
            instance_refresh: true,
        },
    )
    .unwrap();
    let refreshes = with_refresh
        .changes
        .iter()
        .flat_map(|c| &c.ops)
        .filter(|o| matches!(o, Op::StartInstanceRefresh { .. }))
        .count();
    assert_eq!(refreshes, 2, "one per region whose template changed");
}

#[test]
fn desired_capacity_moved_by_the_autoscaler_is_left_alone() {
    let d = want(DOC);
    let mut o = applied(&d);
    region(&mut o, "us-east-1")
        .groups
        .iter_mut()
        .find(|g| g.name == "shop-web")
        .unwrap()
        .desired = 7;
    let p = plan(&d, &o, PlanOptions::default()).unwrap();
    assert!(p.is_empty(), "{:#?}", p.changes);
    let web = p
        .changes
        .iter()
        .find(|c| {
            c.resource == ResourceKind::AutoScalingGroup
                && c.region == "us-east-1"
                && c.name == "shop-web"
        })
        .unwrap();
    assert!(
        web.notes[0].contains("set by autoscaling"),
        "{:?}",
        web.notes
    );
}

#[test]
fn an_untagged_group_with_our_name_is_refused_by_name() {
    let d = want(DOC);
    let mut o = network(&d);
    let mut stranger = applied(&d).regions["us-east-1"].groups[1].clone();
    assert_eq!(stranger.name, "shop-web");
    stranger.tags = Tags::from([("team".to_owned(), "other".to_owned())]);
    region(&mut o, "us-east-1").groups.push(stranger);
    let problems = plan(&d, &o, PlanOptions::default()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].code, "name-collision");
    let text = problems[0].to_string();
    assert!(text.starts_with("us-east-1: web: autoscaling group shop-web already exists and was not created by topoplan"), "{text}");
}

#[test]
fn a_template_of_another_topology_is_refused_naming_its_owner() {
    let d = want(DOC);
    let mut o = applied(&d);
    let lt = region(&mut o, "eu-west-1")
        .launch_templates
        .iter_mut()
        .next()
        .unwrap();
    lt.tags.insert(TAG_TOPOLOGY.into(), "blog".into());
    let problems = plan(&d, &o, PlanOptions::default()).unwrap_err();
    assert!(
        problems[0]
            .to_string()
            .contains("belongs to topology blog (node web)"),
        "{problems:#?}"
    );
}

#[test]
fn removed_nodes_are_kept_without_prune_and_deleted_with_it() {
    let d = want(DOC);
    let o = applied(&d);
    let without_api = DOC
        .replace(
            r#",
    { "id": "api", "kind": "service", "min": 1, "desired": 2, "max": 4, "scaling": "predictive",
      "placement": { "us-east-1": ["us-east-1a", "us-east-1b"] } }"#,
            "",
        )
        .replace(r#"[{ "from": "web", "to": "api" }]"#, "[]");
    let d2 = want(&without_api);
    assert_eq!(d2.groups.len(), 2);
    let kept = plan(&d2, &o, PlanOptions::default()).unwrap();
    assert!(kept.is_empty());
    assert_eq!(kept.summary().keep, 4, "template, group and two policies");
    let pruned = plan(
        &d2,
        &o,
        PlanOptions {
            prune: true,
            instance_refresh: false,
        },
    )
    .unwrap();
    let ops: Vec<&str> = pruned
        .changes
        .iter()
        .flat_map(|c| &c.ops)
        .map(Op::api_name)
        .collect();
    assert_eq!(
        ops,
        [
            "DeletePolicy",
            "DeletePolicy",
            "DeleteAutoScalingGroup",
            "DeleteLaunchTemplate"
        ]
    );
    assert_eq!(pruned.summary().delete, 4);
}

#[test]
fn prune_never_deletes_what_is_not_ours() {
    let d = want(DOC);
    let mut o = applied(&d);
    let r = region(&mut o, "us-east-1");
    let mut stray = r.groups[0].clone();
    stray.name = "legacy-web".into();
    stray.tags = Tags::from([("Name".to_owned(), "legacy".to_owned())]);
    r.groups.push(stray);
    let mut other = r.launch_templates[0].clone();
    other.name = "blog-web".into();
    other.id = "lt-99999999".into();
    other.tags.insert(TAG_TOPOLOGY.into(), "blog".into());
    r.launch_templates.push(other);
    let p = plan(
        &d,
        &o,
        PlanOptions {
            prune: true,
            instance_refresh: false,
        },
    )
    .unwrap();
    assert!(p.is_empty(), "{:#?}", p.changes);
    assert!(
        p.changes
            .iter()
            .all(|c| c.name != "legacy-web" && c.name != "blog-web")
    );
}

#[test]
fn subnets_that_cannot_be_found_name_the_az_and_the_candidates() {
    let d = want(DOC);
    let mut o = network(&d);
    region(&mut o, "eu-west-1")
        .subnets
        .retain(|s| s.az != "eu-west-1b");
    let r = region(&mut o, "us-east-1");
    r.subnets.push(subnet(
        "subnet-0000000a",
        "us-east-1a",
        "vpc-us-east-1",
        &[("tier", "app")],
    ));
    let problems = plan(&d, &o, PlanOptions::default()).unwrap_err();
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        shown
            .iter()
            .any(|p| p.starts_with("eu-west-1: web: no subnet in eu-west-1b is tagged tier=app")),
        "{shown:#?}"
    );
    assert!(
        shown.iter().any(|p| p.contains(
            "2 subnets in us-east-1a are tagged tier=app (subnet-0000000a, subnet-useast1a)"
        )),
        "{shown:#?}"
    );
}

#[test]
fn subnets_of_different_vpcs_are_refused() {
    let d = want(DOC);
    let mut o = network(&d);
    region(&mut o, "us-east-1")
        .subnets
        .iter_mut()
        .find(|s| s.az == "us-east-1b")
        .unwrap()
        .vpc_id = "vpc-other".into();
    let problems = plan(&d, &o, PlanOptions::default()).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.message.contains("different VPCs")),
        "{problems:#?}"
    );
}

#[test]
fn switching_to_step_scaling_removes_our_policy_but_not_others() {
    let d = want(DOC);
    let mut o = applied(&d);
    let mut manual = o.regions["us-east-1"].policies[0].clone();
    manual.name = "hand-made".into();
    region(&mut o, "us-east-1").policies.push(manual);
    let step = DOC.replace(r#""scaling": "predictive""#, r#""scaling": "step""#);
    let p = plan(&want(&step), &o, PlanOptions::default()).unwrap();
    let deletes: Vec<(&str, &str)> = p
        .changes
        .iter()
        .flat_map(|c| &c.ops)
        .filter_map(|op| match op {
            Op::DeletePolicy { group, name } => Some((group.as_str(), name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        deletes,
        [
            ("shop-api", "shop-api-cpu-target"),
            ("shop-api", "shop-api-predictive")
        ]
    );
}

#[test]
fn a_group_being_deleted_blocks_the_plan_with_a_clear_reason() {
    let d = want(DOC);
    let mut o = applied(&d);
    region(&mut o, "us-east-1").groups[0].status = Some("Delete in progress".into());
    let problems = plan(&d, &o, PlanOptions::default()).unwrap_err();
    assert_eq!(problems[0].code, "being-deleted");
}

#[test]
fn a_missing_template_is_recreated_and_the_group_moved_to_it() {
    let d = want(DOC);
    let mut o = applied(&d);
    region(&mut o, "eu-west-1").launch_templates.clear();
    let p = plan(&d, &o, PlanOptions::default()).unwrap();
    let ops: Vec<&str> = p
        .changes
        .iter()
        .flat_map(|c| &c.ops)
        .map(Op::api_name)
        .collect();
    assert_eq!(ops, ["CreateLaunchTemplate", "UpdateAutoScalingGroup"]);
}

#[test]
fn plans_are_deterministic_and_serialise_round_trip() {
    let d = want(DOC);
    let o = network(&d);
    let a = plan(&d, &o, PlanOptions::default()).unwrap();
    let b = plan(&d, &o, PlanOptions::default()).unwrap();
    assert_eq!(a, b);
    let text = serde_json::to_string(&a).unwrap();
    let back: topoplan_exports::aws::Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, a);
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
}

// ---------------------------------------------------------------------------
// Property: arbitrary document × arbitrary account → a plan that never
// touches anything not tagged as this topology's.

/// Gives a generated document what an apply needs: images and subnet tags.
fn deployable(mut t: Topology) -> Topology {
    let mut meta = t.meta().clone();
    meta.id = Some("prop".into());
    for r in &meta.regions {
        meta.aws.images.insert(r.id.clone(), "ami-12c6146b".into());
    }
    meta.aws.subnet_tags.insert("tier".into(), "app".into());
    t.set_meta(meta);
    t
}

#[derive(Clone, Copy, Debug)]
enum Variant {
    Absent,
    Applied,
    Drifted,
    Untagged,
    OtherTopology,
    OtherNode,
}

fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![
        Just(Variant::Absent),
        Just(Variant::Applied),
        Just(Variant::Drifted),
        Just(Variant::Untagged),
        Just(Variant::OtherTopology),
        Just(Variant::OtherNode),
    ]
}

/// Each resource of the applied account turned into one variant, plus
/// orphans and strangers.
fn mutate(d: &Desired, choices: &[(Variant, Variant)], extra: usize) -> Observed {
    let mut o = applied(d);
    let mut i = 0;
    for r in o.regions.values_mut() {
        let mut lts = Vec::new();
        for lt in r.launch_templates.drain(..) {
            let (v, _) = choices[i % choices.len()];
            i += 1;
            if let Some(lt) = apply_variant_lt(lt, v) {
                lts.push(lt);
            }
        }
        r.launch_templates = lts;
        let mut groups = Vec::new();
        for g in r.groups.drain(..) {
            let (_, v) = choices[i % choices.len()];
            i += 1;
            if let Some(g) = apply_variant_group(g, v) {
                groups.push(g);
            }
        }
        r.groups = groups;
        for k in 0..extra {
            let mut tags = Tags::new();
            if k % 2 == 0 {
                tags.insert(TAG_TOPOLOGY.into(), "prop".into());
                tags.insert(TAG_NODE.into(), format!("gone{k}"));
            }
            r.groups.push(ObservedGroup {
                name: format!("prop-gone{k}"),
                tags: tags.clone(),
                min: 0,
                max: 1,
                desired: 0,
                subnet_ids: Vec::new(),
                health_check_type: "EC2".into(),
                health_check_grace_secs: None,
                default_instance_warmup_secs: None,
                launch_template: None,
                target_group_arns: Vec::new(),
                status: None,
            });
            r.launch_templates.push(ObservedLaunchTemplate {
                id: format!("lt-e{k:0>7}"),
                name: format!("prop-gone{k}"),
                tags,
                default_version: 1,
                latest_version: 1,
                default_data: None,
            });
        }
    }
    o.normalize();
    o
}

fn apply_variant_lt(mut lt: ObservedLaunchTemplate, v: Variant) -> Option<ObservedLaunchTemplate> {
    match v {
        Variant::Absent => return None,
        Variant::Applied => {}
        Variant::Drifted => {
            if let Some(d) = lt.default_data.as_mut() {
                d.instance_type = "t3.nano".into();
            }
        }
        Variant::Untagged => lt.tags.clear(),
        Variant::OtherTopology => {
            lt.tags.insert(TAG_TOPOLOGY.into(), "other".into());
        }
        Variant::OtherNode => {
            lt.tags.insert(TAG_NODE.into(), "someone-else".into());
        }
    }
    Some(lt)
}

fn apply_variant_group(mut g: ObservedGroup, v: Variant) -> Option<ObservedGroup> {
    match v {
        Variant::Absent => return None,
        Variant::Applied => {}
        Variant::Drifted => {
            g.max += 3;
            g.desired = g.min;
        }
        Variant::Untagged => g.tags.clear(),
        Variant::OtherTopology => {
            g.tags.insert(TAG_TOPOLOGY.into(), "other".into());
        }
        Variant::OtherNode => {
            g.tags.insert(TAG_NODE.into(), "someone-else".into());
        }
    }
    Some(g)
}

fn ours(o: &Observed, region: &str, target: &Target) -> bool {
    let Some(r) = o.regions.get(region) else {
        return false;
    };
    let mine = |tags: &Tags| matches!(Owner::of(tags, "prop"), Owner::Ours { .. });
    match target {
        Target::LaunchTemplate(id) => r
            .launch_templates
            .iter()
            .any(|t| &t.id == id && mine(&t.tags)),
        Target::Group(name) => r.groups.iter().any(|g| &g.name == name && mine(&g.tags)),
        // A policy is ours through its group.
        Target::Policy(group, _) => r.groups.iter().any(|g| &g.name == group && mine(&g.tags)),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn plans_never_touch_what_is_not_ours(
        doc in topoplan_core::arbitrary::valid_document(),
        choices in prop::collection::vec((variant(), variant()), 1..12),
        extra in 0usize..3,
        prune in any::<bool>(),
        refresh in any::<bool>(),
    ) {
        let doc = deployable(doc);
        let Ok(d) = desired(&doc, &DesiredOptions::default()) else {
            // Sizes beyond what AWS takes: refused before any account read.
            return Ok(());
        };
        let o = mutate(&d, &choices, extra);
        let options = PlanOptions { prune, instance_refresh: refresh };
        match plan(&d, &o, options) {
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for p in &problems {
                    prop_assert!(p.region.is_some() && !p.message.is_empty(), "{p:?}");
                }
            }
            Ok(p) => {
                prop_assert_eq!(&p, &plan(&d, &o, options).unwrap(), "deterministic");
                for c in &p.changes {
                    for op in &c.ops {
                        if let Some((kind, name)) = op.creates() {
                            let r = &o.regions[&c.region];
                            let taken = match kind {
                                ResourceKind::LaunchTemplate => r.launch_templates.iter().any(|t| t.name == name),
                                _ => r.groups.iter().any(|g| g.name == name),
                            };
                            prop_assert!(!taken, "creates over an existing {name}");
                        }
                        if let Some(target) = op.target() {
                            let created_here = match &target {
                                Target::Group(name) | Target::Policy(name, _) => p.changes.iter().flat_map(|c2| &c2.ops).any(|o2| {
                                    matches!(o2.creates(), Some((ResourceKind::AutoScalingGroup, n)) if n == name)
                                }),
                                Target::LaunchTemplate(_) => false,
                            };
                            prop_assert!(created_here || ours(&o, &c.region, &target), "{op:?} touches {target:?}, not ours");
                        }
                        if matches!(op, Op::DeleteAutoScalingGroup { .. } | Op::DeleteLaunchTemplate { .. }) {
                            prop_assert!(prune, "deleted without --prune: {op:?}");
                        }
                    }
                }
            }
        }
        // Applying the document to an account holding exactly it changes nothing.
        let fresh = plan(&d, &applied(&d), options).unwrap();
        prop_assert!(fresh.is_empty(), "{:#?}", fresh.changes);
    }
}
