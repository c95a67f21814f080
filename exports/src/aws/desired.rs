//! The state a document asks for: per `service` node and region it is
//! deployed in, a launch template, an autoscaling group and its scaling
//! policies, with names and tags. Pure: no account is read here.
//!
//! The deployment mode decides where and how big: `single` deploys only the
//! primary region; `active_active` deploys every placed region at the
//! document's sizes; `active_passive` deploys the primary at full size and
//! each standby region as a pilot light (no instances until failover) or a
//! warm standby (`warm_standby_fraction` of min and desired, rounded up). The
//! maximum stays the document's everywhere, so a standby can scale up on
//! failover.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use topoplan_core::Topology;
use topoplan_core::model::{
    DeploymentMode, HealthCheckType, NodeSpec, Platform, RegionRole, ScalingPolicy, ServiceSpec,
    Standby,
};

use super::ownership::{
    PolicyKind, TAG_DESIRED, TAG_NAME, TAG_NODE, TAG_TOPOLOGY, Tags, policy_name, resource_name,
};
use super::problem::Problem;

/// What the command line adds to the document.
#[derive(Clone, Debug, Default)]
pub struct DesiredOptions {
    /// `--image-id [REGION=]IMAGE`: per region, or for every region (`None`).
    /// Wins over the document's images.
    pub images: Vec<(Option<String>, String)>,
}

impl DesiredOptions {
    fn image_for(&self, region: &str) -> Option<&str> {
        self.images
            .iter()
            .find(|(r, _)| r.as_deref() == Some(region))
            .or_else(|| self.images.iter().find(|(r, _)| r.is_none()))
            .map(|(_, image)| image.as_str())
    }
}

/// The whole desired state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Desired {
    pub topology_id: String,
    /// The id was derived from the document's name (no explicit `id`):
    /// renaming the document would orphan what was applied.
    pub topology_id_from_name: bool,
    /// The account the document is meant for (`aws.account_id`).
    pub account_id: Option<String>,
    /// Every region of the document, in document order: read for orphans
    /// even when nothing is deployed there any more.
    pub regions: Vec<String>,
    /// In region order, then document order.
    pub groups: Vec<DesiredGroup>,
    /// Things the reader of a plan should know (what is not applied, and why).
    pub notes: Vec<String>,
}

impl Desired {
    pub fn groups_in<'a>(&'a self, region: &'a str) -> impl Iterator<Item = &'a DesiredGroup> {
        self.groups.iter().filter(move |g| g.region == region)
    }

    /// The subnet lookups account reading must answer in `region`.
    pub fn subnet_lookups(&self, region: &str) -> SubnetLookups {
        let mut lookups = SubnetLookups::default();
        for group in self.groups_in(region) {
            for (az, source) in &group.asg.subnets {
                match source {
                    SubnetSource::Id(id) => {
                        lookups.ids.insert(id.clone());
                    }
                    SubnetSource::Tags(tags) => {
                        lookups
                            .by_tags
                            .entry(tags.clone())
                            .or_default()
                            .insert(az.clone());
                    }
                }
            }
        }
        lookups
    }
}

/// Subnets to find in one region: by id, and by tags within AZs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubnetLookups {
    pub ids: std::collections::BTreeSet<String>,
    pub by_tags: BTreeMap<Tags, std::collections::BTreeSet<String>>,
}

/// One service in one region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesiredGroup {
    pub region: String,
    pub node_id: String,
    pub node_name: String,
    pub launch_template: LaunchTemplateSpec,
    pub asg: AsgSpec,
    pub policies: Vec<PolicySpec>,
    /// Why the sizes differ from the document's, when they do.
    pub capacity_note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchTemplateSpec {
    pub name: String,
    pub data: LaunchTemplateData,
    pub tags: Tags,
}

/// The launch template settings topoplan manages, normalised so that what
/// is read back from AWS compares equal to what was written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchTemplateData {
    pub image_id: String,
    pub instance_type: String,
    /// Sorted.
    pub security_group_ids: Vec<String>,
    /// Base64, as the API carries it.
    pub user_data: Option<String>,
    /// Name or ARN.
    pub iam_instance_profile: Option<String>,
    pub key_name: Option<String>,
    /// `required` for `IMDSv2`.
    pub metadata_http_tokens: Option<String>,
}

impl LaunchTemplateData {
    /// Every field as (name, shown value), in a fixed order.
    pub fn fields(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("image_id", Some(self.image_id.clone())),
            ("instance_type", Some(self.instance_type.clone())),
            (
                "security_groups",
                Some(if self.security_group_ids.is_empty() {
                    "(VPC default)".to_owned()
                } else {
                    self.security_group_ids.join(", ")
                }),
            ),
            (
                "user_data",
                self.user_data.as_deref().map(describe_user_data),
            ),
            ("iam_instance_profile", self.iam_instance_profile.clone()),
            ("key_name", self.key_name.clone()),
            ("metadata_http_tokens", self.metadata_http_tokens.clone()),
        ]
    }
}

/// User data is shown by size and digest, never by content.
pub fn describe_user_data(base64: &str) -> String {
    use sha2::{Digest as _, Sha256};
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap_or_else(|_| base64.as_bytes().to_vec());
    let digest = Sha256::digest(&bytes);
    let short = super::observed::hex(&digest[..4]);
    format!("{} bytes, sha256 {short}…", bytes.len())
}

/// Where the subnet of one AZ comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubnetSource {
    /// Given in the document.
    Id(String),
    /// The one subnet of the AZ carrying all these tags.
    Tags(Tags),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsgSpec {
    pub name: String,
    pub min: i32,
    pub max: i32,
    pub desired: i32,
    /// AZ → where its subnet comes from, in the node's AZ order.
    pub subnets: Vec<(String, SubnetSource)>,
    /// `ELB` or `EC2`.
    pub health_check_type: String,
    pub health_check_grace_secs: i32,
    pub instance_warmup_secs: i32,
    /// Sorted.
    pub target_group_arns: Vec<String>,
    /// Tags propagated to instances (all but [`TAG_DESIRED`]).
    pub tags: Tags,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicySpec {
    pub name: String,
    pub kind: PolicyKind,
    /// Average CPU to hold, in percent (70.0).
    pub target_cpu_percent: f64,
    /// Seconds a new instance needs before its metrics count.
    pub warmup_secs: i32,
}

/// Builds the desired state. `Err` lists every problem found (an image
/// missing for a region, a subnet missing for an AZ, sizes AWS cannot take).
pub fn desired(topology: &Topology, options: &DesiredOptions) -> Result<Desired, Vec<Problem>> {
    let meta = topology.meta();
    let topology_id = meta.topology_id();
    let mut out = Desired {
        topology_id_from_name: meta.id.is_none(),
        topology_id: topology_id.clone(),
        account_id: meta.aws.account_id.clone(),
        regions: meta.regions.iter().map(|r| r.id.clone()).collect(),
        groups: Vec::new(),
        notes: Vec::new(),
    };
    let mut problems = Vec::new();
    let primary = meta.primary_region().map(|r| r.id.clone());
    let mode = meta.deployment.mode;

    for region in &meta.regions {
        for node in topology.nodes() {
            let NodeSpec::Service(spec) = &node.spec else {
                continue;
            };
            let Some(azs) = node.placement.get(&region.id) else {
                continue;
            };
            let standby = match mode {
                DeploymentMode::Single => {
                    if primary.as_deref() != Some(region.id.as_str()) {
                        out.notes.push(format!(
                            "{}: not applied in {} (deployment mode single runs only in {})",
                            node.id,
                            region.id,
                            primary.as_deref().unwrap_or("the primary region")
                        ));
                        continue;
                    }
                    None
                }
                DeploymentMode::ActiveActive => None,
                DeploymentMode::ActivePassive => (region.role == RegionRole::Secondary
                    || primary.as_deref() != Some(region.id.as_str()))
                .then_some((
                    meta.deployment.standby,
                    meta.deployment.warm_standby_fraction,
                )),
            };
            let ctx = GroupContext {
                topology,
                topology_id: &topology_id,
                region: &region.id,
                options,
            };
            match group(&ctx, node, spec, azs, standby, &mut out.notes) {
                Ok(g) => out.groups.push(g),
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

struct GroupContext<'a> {
    topology: &'a Topology,
    topology_id: &'a str,
    region: &'a str,
    options: &'a DesiredOptions,
}

fn group(
    ctx: &GroupContext<'_>,
    node: &topoplan_core::model::Node,
    spec: &ServiceSpec,
    azs: &[String],
    standby: Option<(Standby, f64)>,
    notes: &mut Vec<String>,
) -> Result<DesiredGroup, Vec<Problem>> {
    let meta = ctx.topology.meta();
    let region = ctx.region;
    let problem = |code, message: String| {
        Problem::new(code, message)
            .in_region(region)
            .on_node(&node.id)
    };
    let mut problems = Vec::new();
    let name = resource_name(ctx.topology_id, &node.id);

    // Image: command line, then the node, then the document.
    let image = ctx
        .options
        .image_for(region)
        .or_else(|| spec.aws.images.get(region).map(String::as_str))
        .or_else(|| meta.aws.images.get(region).map(String::as_str));
    let image_id = if let Some(image) = image {
        image.to_owned()
    } else {
        problems.push(problem(
            "no-image",
            format!(
                "no machine image for {region}: set \"aws\": {{\"images\": {{\"{region}\": \"ami-…\"}}}} in the document (or in the node), or pass --image-id {region}=ami-… (an SSM parameter works too: resolve:ssm:/aws/service/…)"
            ),
        ));
        String::new()
    };

    let subnets = subnet_sources(spec, &meta.aws, azs, &problem, &mut problems);
    if azs.is_empty() {
        problems.push(problem(
            "no-subnet",
            format!("the service lists no AZ in {region}: an autoscaling group needs at least one"),
        ));
    }

    // Sizes, scaled down in a standby region.
    let (min, desired, capacity_note) = standby_sizes(spec.min, spec.desired, standby);
    let max = spec.max;
    let size = |field: &str, v: u32, problems: &mut Vec<Problem>| {
        i32::try_from(v).unwrap_or_else(|_| {
            problems.push(problem(
                "out-of-range",
                format!("{field} {v} is more instances than AWS accepts"),
            ));
            0
        })
    };
    let (min, desired, max) = (
        size("min", min, &mut problems),
        size("desired", desired, &mut problems),
        size("max", max, &mut problems),
    );
    let secs = |field: &str, v: u32, problems: &mut Vec<Problem>| {
        i32::try_from(v).unwrap_or_else(|_| {
            problems.push(problem(
                "out-of-range",
                format!("{field} {v} is more seconds than AWS accepts"),
            ));
            0
        })
    };
    let grace = secs(
        "health_check_grace_secs",
        spec.health_check_grace_secs,
        &mut problems,
    );
    let warmup = secs("warmup_secs", spec.warmup_secs, &mut problems);

    let mut security_group_ids = spec
        .aws
        .security_groups
        .get(region)
        .cloned()
        .unwrap_or_default();
    security_group_ids.sort();
    security_group_ids.dedup();
    let mut target_group_arns = spec
        .aws
        .target_groups
        .get(region)
        .cloned()
        .unwrap_or_default();
    target_group_arns.sort();
    target_group_arns.dedup();

    let kinds = policy_kinds(node, spec, region, target_group_arns.is_empty(), notes);
    let target_cpu_percent = (spec.target_cpu * 10_000.0).round() / 100.0;
    let policies = kinds
        .into_iter()
        .map(|kind| PolicySpec {
            name: policy_name(&name, kind),
            kind,
            target_cpu_percent,
            warmup_secs: warmup,
        })
        .collect();

    let mut base_tags = Tags::new();
    for (k, v) in &meta.aws.tags {
        base_tags.insert(k.clone(), v.clone());
    }
    base_tags.insert(TAG_TOPOLOGY.to_owned(), ctx.topology_id.to_owned());
    base_tags.insert(TAG_NODE.to_owned(), node.id.clone());
    let mut asg_tags = base_tags.clone();
    asg_tags.insert(TAG_NAME.to_owned(), node.name.chars().take(256).collect());

    let data = LaunchTemplateData {
        image_id,
        instance_type: spec.instance_type.clone(),
        security_group_ids,
        user_data: spec
            .aws
            .user_data
            .as_ref()
            .map(|u| base64::engine::general_purpose::STANDARD.encode(u.as_bytes())),
        iam_instance_profile: spec.aws.instance_profile.clone(),
        key_name: spec.aws.key_name.clone(),
        metadata_http_tokens: Some("required".to_owned()),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(DesiredGroup {
        region: region.to_owned(),
        node_id: node.id.clone(),
        node_name: node.name.clone(),
        launch_template: LaunchTemplateSpec {
            name: name.clone(),
            data,
            tags: base_tags,
        },
        asg: AsgSpec {
            name,
            min,
            max,
            desired,
            subnets,
            health_check_type: match spec.health_check {
                HealthCheckType::Elb => "ELB",
                HealthCheckType::Ec2 => "EC2",
            }
            .to_owned(),
            health_check_grace_secs: grace,
            instance_warmup_secs: warmup,
            target_group_arns,
            tags: asg_tags,
        },
        policies,
        capacity_note,
    })
}

/// Where each AZ's subnet comes from: listed in the node, else found by the
/// node's tags, else by the document's.
fn subnet_sources(
    spec: &ServiceSpec,
    document: &topoplan_core::model::AwsSettings,
    azs: &[String],
    problem: &dyn Fn(&'static str, String) -> Problem,
    problems: &mut Vec<Problem>,
) -> Vec<(String, SubnetSource)> {
    let lookup = if spec.aws.subnet_tags.is_empty() {
        &document.subnet_tags
    } else {
        &spec.aws.subnet_tags
    };
    let mut subnets = Vec::with_capacity(azs.len());
    let mut missing = Vec::new();
    for az in azs {
        if let Some(id) = spec.aws.subnets.get(az) {
            subnets.push((az.clone(), SubnetSource::Id(id.clone())));
        } else if !lookup.is_empty() {
            let tags: Tags = lookup.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            subnets.push((az.clone(), SubnetSource::Tags(tags)));
        } else {
            missing.push(az.as_str());
        }
    }
    if let Some(first) = missing.first() {
        problems.push(problem(
            "no-subnet",
            format!(
                "no subnet for {}: list them in the node (\"aws\": {{\"subnets\": {{\"{first}\": \"subnet-…\"}}}}) or set \"aws\": {{\"subnet_tags\": {{…}}}} to find subnets by tag",
                missing.join(", ")
            ),
        ));
    }
    subnets
}

/// Min and desired in a standby region (the maximum stays, so a standby
/// can scale up on failover), and the note saying why.
fn standby_sizes(
    min: u32,
    desired: u32,
    standby: Option<(Standby, f64)>,
) -> (u32, u32, Option<String>) {
    match standby {
        None => (min, desired, None),
        Some((Standby::PilotLight, _)) => (
            0,
            0,
            Some(format!(
                "pilot light standby: no instances until failover (document: min {min}, desired {desired})"
            )),
        ),
        Some((Standby::WarmStandby, fraction)) => {
            let scale = |v: u32| {
                let scaled = (f64::from(v) * fraction).ceil();
                // A fraction in (0, 1] keeps the value within 0..=v.
                if scaled.is_finite() && scaled >= 0.0 && scaled <= f64::from(v) {
                    #[expect(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "checked to lie within 0..=v just above"
                    )]
                    let s = scaled as u32;
                    s
                } else {
                    v
                }
            };
            let (smin, sdesired) = (scale(min), scale(desired));
            (
                smin,
                sdesired,
                Some(format!(
                    "warm standby at {:.0}% of the primary: min {min} → {smin}, desired {desired} → {sdesired}",
                    fraction * 100.0
                )),
            )
        }
    }
}

/// The scaling policies a service gets, with notes on what is not applied.
fn policy_kinds(
    node: &topoplan_core::model::Node,
    spec: &ServiceSpec,
    region: &str,
    no_target_groups: bool,
    notes: &mut Vec<String>,
) -> Vec<PolicyKind> {
    if spec.health_check == HealthCheckType::Elb && no_target_groups {
        notes.push(format!(
            "{}: health check elb in {region} without target groups: AWS replaces instances only on failed EC2 status checks until the group is registered with a target group (\"aws\": {{\"target_groups\": …}})",
            node.id
        ));
    }
    if spec.platform != Platform::Ec2 {
        let platform = if spec.platform == Platform::Ecs {
            "ecs"
        } else {
            "eks"
        };
        notes.push(format!(
            "{}: platform {platform}: the group in {region} is applied as plain EC2 capacity; registering it with {} is the Terraform export's job",
            node.id,
            platform.to_uppercase()
        ));
    }
    match spec.scaling {
        ScalingPolicy::TargetTracking => vec![PolicyKind::TargetTracking],
        ScalingPolicy::Predictive => vec![PolicyKind::TargetTracking, PolicyKind::Predictive],
        ScalingPolicy::Step => {
            notes.push(format!(
                "{}: step scaling is not applied (it needs CloudWatch alarms, which the Terraform export writes): the group in {region} gets no scaling policy",
                node.id
            ));
            Vec::new()
        }
    }
}

/// The tag recording the desired capacity an apply set.
pub fn desired_tag(desired: i32) -> (String, String) {
    (TAG_DESIRED.to_owned(), desired.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use topoplan_core::model::json;

    pub(crate) const DOC: &str = r#"{
      "schema": 1, "id": "shop", "name": "Shop",
      "deployment": { "mode": "active_passive", "standby": "warm_standby", "warm_standby_fraction": 0.25 },
      "regions": [
        { "id": "us-east-1", "role": "primary", "azs": ["us-east-1a", "us-east-1b"] },
        { "id": "eu-west-1", "role": "secondary", "azs": ["eu-west-1a", "eu-west-1b"] }
      ],
      "aws": { "images": { "us-east-1": "ami-12c6146b", "eu-west-1": "ami-0abcdef1234567890" },
               "subnet_tags": { "tier": "app" }, "tags": { "team": "shop" } },
      "traffic": { "entry": ["web"] },
      "nodes": [
        { "id": "web", "name": "Web servers", "kind": "service", "min": 2, "desired": 4, "max": 12,
          "target_cpu": 0.7, "warmup_secs": 120, "health_check": "ec2",
          "placement": { "us-east-1": ["us-east-1a", "us-east-1b"], "eu-west-1": ["eu-west-1a"] },
          "aws": { "subnets": { "eu-west-1a": "subnet-0123abcd" }, "user_data": "echo hi" } },
        { "id": "db", "kind": "database", "placement": { "us-east-1": ["us-east-1a", "us-east-1b"] } }
      ]
    }"#;

    fn load(text: &str) -> Topology {
        json::from_str(text).unwrap()
    }

    #[test]
    fn one_group_per_service_and_region_with_standby_sizes() {
        let d = desired(&load(DOC), &DesiredOptions::default()).unwrap();
        assert_eq!(d.topology_id, "shop");
        assert_eq!(d.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(d.groups.len(), 2);
        let us = &d.groups[0];
        assert_eq!(
            (us.region.as_str(), us.asg.name.as_str()),
            ("us-east-1", "shop-web")
        );
        assert_eq!((us.asg.min, us.asg.desired, us.asg.max), (2, 4, 12));
        assert_eq!(us.capacity_note, None);
        let eu = &d.groups[1];
        assert_eq!((eu.asg.min, eu.asg.desired, eu.asg.max), (1, 1, 12));
        assert!(
            eu.capacity_note
                .as_deref()
                .unwrap()
                .contains("warm standby")
        );
        assert_eq!(
            eu.asg.subnets,
            [(
                "eu-west-1a".to_owned(),
                SubnetSource::Id("subnet-0123abcd".into())
            )]
        );
        assert_eq!(eu.launch_template.data.image_id, "ami-0abcdef1234567890");
        assert_eq!(
            us.launch_template.data.metadata_http_tokens.as_deref(),
            Some("required")
        );
        assert_eq!(
            us.launch_template.data.user_data.as_deref(),
            Some("ZWNobyBoaQ==")
        );
        assert_eq!(us.policies.len(), 1);
        assert!((us.policies[0].target_cpu_percent - 70.0).abs() < f64::EPSILON);
        assert_eq!(us.policies[0].name, "shop-web-cpu-target");
        assert_eq!(us.asg.tags["Name"], "Web servers");
        assert_eq!(us.asg.tags["team"], "shop");
        assert_eq!(us.asg.tags[TAG_NODE], "web");
        assert_eq!(us.asg.health_check_type, "EC2");
    }

    #[test]
    fn the_command_line_image_wins_per_region_then_globally() {
        let options = DesiredOptions {
            images: vec![
                (None, "ami-11111111".into()),
                (Some("eu-west-1".into()), "ami-22222222".into()),
            ],
        };
        let d = desired(&load(DOC), &options).unwrap();
        assert_eq!(d.groups[0].launch_template.data.image_id, "ami-11111111");
        assert_eq!(d.groups[1].launch_template.data.image_id, "ami-22222222");
    }

    #[test]
    fn missing_images_and_subnets_are_all_reported() {
        let text = DOC
            .replace(r#""images": { "us-east-1": "ami-12c6146b", "eu-west-1": "ami-0abcdef1234567890" },"#, "")
            .replace(r#""subnet_tags": { "tier": "app" },"#, "");
        let problems = desired(&load(&text), &DesiredOptions::default()).unwrap_err();
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems.iter().filter(|p| p.code == "no-image").count(),
            2,
            "{shown:#?}"
        );
        // One problem per group, naming every AZ without a subnet (eu-west-1a
        // is listed in the node).
        assert_eq!(
            problems.iter().filter(|p| p.code == "no-subnet").count(),
            1,
            "{shown:#?}"
        );
        assert!(
            shown[1].starts_with("us-east-1: web: no subnet for us-east-1a, us-east-1b: "),
            "{shown:#?}"
        );
        assert!(
            shown[0].starts_with("us-east-1: web: no machine image"),
            "{shown:#?}"
        );
    }

    #[test]
    fn single_mode_deploys_only_the_primary_and_says_so() {
        let text = DOC.replace(
            r#""mode": "active_passive", "standby": "warm_standby""#,
            r#""mode": "single", "standby": "warm_standby""#,
        );
        let d = desired(&load(&text), &DesiredOptions::default()).unwrap();
        assert_eq!(d.groups.len(), 1);
        assert!(
            d.notes
                .iter()
                .any(|n| n.contains("not applied in eu-west-1")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn pilot_light_standby_runs_no_instances() {
        let text = DOC.replace(
            r#""standby": "warm_standby""#,
            r#""standby": "pilot_light""#,
        );
        let d = desired(&load(&text), &DesiredOptions::default()).unwrap();
        let eu = &d.groups[1];
        assert_eq!((eu.asg.min, eu.asg.desired, eu.asg.max), (0, 0, 12));
    }

    #[test]
    fn user_data_is_described_not_shown() {
        let shown = describe_user_data("ZWNobyBoaQ==");
        assert!(shown.starts_with("7 bytes, sha256 "), "{shown}");
        assert!(!shown.contains("echo"));
    }
}
