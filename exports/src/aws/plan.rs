//! The plan: desired state against the account, resource by resource.
//! Pure — no I/O, no SDK — so it can be unit-tested, property-tested and
//! fuzzed.
//!
//! Rules, in the order they are applied:
//! - A resource is touched only if it carries this topology's tag
//!   ([`Owner::Ours`]). A name the document wants that is taken by anything
//!   else (untagged, another topology, another node) is a [`Problem`] naming
//!   the resource and its owner, and the whole plan is refused.
//! - A launch template whose settings differ gets a new version, made the
//!   default; its group is moved to that version (and, with
//!   `instance_refresh`, its instances are replaced).
//! - A group's desired capacity is the autoscaler's once applied: it is set
//!   when the document's value changed since the last apply (recorded in the
//!   `topoplan:desired-capacity` tag), never just because it moved.
//! - Tagged resources of nodes no longer deployed are deleted only with
//!   `prune`; without it they are listed as kept. A policy of a group that
//!   stays is removed when the document no longer asks for it.
//! - Tags are added and corrected, never removed (a tag someone else added
//!   stays).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::desired::{
    AsgSpec, Desired, DesiredGroup, LaunchTemplateData, PolicySpec, SubnetSource, desired_tag,
};
use super::observed::{
    Observed, ObservedGroup, ObservedLaunchTemplate, ObservedPolicy, ObservedRegion,
    ObservedSubnet, digest,
};
use super::ownership::{Owner, PolicyKind, TAG_DESIRED, Tags, is_our_policy_name};
use super::problem::Problem;

/// The saved-plan format this build reads and writes.
pub const PLAN_FORMAT: u32 = 1;

/// The predefined metric of target tracking.
pub const CPU_METRIC: &str = "ASGAverageCPUUtilization";
/// The predefined metric pair of predictive scaling.
pub const CPU_METRIC_PAIR: &str = "ASGCPUUtilization";
/// Predictive scaling mode topoplan applies.
pub const PREDICTIVE_MODE: &str = "ForecastAndScale";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOptions {
    /// Delete tagged resources of nodes no longer deployed.
    pub prune: bool,
    /// Replace instances of groups whose launch template changed.
    pub instance_refresh: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    LaunchTemplate,
    AutoScalingGroup,
    ScalingPolicy,
}

impl ResourceKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::LaunchTemplate => "launch template",
            Self::AutoScalingGroup => "autoscaling group",
            Self::ScalingPolicy => "scaling policy",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    NoOp,
    /// Would be deleted with `--prune`.
    Keep,
}

/// One setting, before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl FieldChange {
    fn new(field: impl Into<String>, old: Option<String>, new: Option<String>) -> Self {
        Self {
            field: field.into(),
            old,
            new,
        }
    }
}

/// One resource and what the plan does to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub region: String,
    pub node: String,
    /// Resources of one node in one region form a chain: their operations
    /// run in order; chains run side by side.
    pub chain: usize,
    pub resource: ResourceKind,
    pub name: String,
    pub action: Action,
    pub fields: Vec<FieldChange>,
    pub notes: Vec<String>,
    pub ops: Vec<Op>,
}

/// Where a group's launch template version comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum TemplateSource {
    /// A version that exists.
    Existing { id: String, version: i64 },
    /// Version 1 of the template created earlier in the chain.
    Created,
    /// The version created earlier in the chain (`expected` when planned:
    /// the latest then, plus one).
    NewVersion { id: String, expected: i64 },
}

/// A tag on a group; topoplan's own bookkeeping tag is not propagated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupTag {
    pub key: String,
    pub value: String,
    pub propagate: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupWrite {
    pub name: String,
    pub template: TemplateSource,
    pub min: i32,
    pub max: i32,
    pub desired: i32,
    pub subnet_ids: Vec<String>,
    pub health_check_type: String,
    pub health_check_grace_secs: i32,
    pub instance_warmup_secs: i32,
    pub target_group_arns: Vec<String>,
    pub tags: Vec<GroupTag>,
}

/// The settings an update changes (`None`: left as is).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupUpdate {
    pub template: Option<TemplateSource>,
    pub min: Option<i32>,
    pub max: Option<i32>,
    pub desired: Option<i32>,
    pub subnet_ids: Option<Vec<String>>,
    pub health_check_type: Option<String>,
    pub health_check_grace_secs: Option<i32>,
    pub instance_warmup_secs: Option<i32>,
}

impl GroupUpdate {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// One API operation. Executed by [`super::apply`], in chain order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    CreateLaunchTemplate {
        name: String,
        data: LaunchTemplateData,
        tags: Tags,
    },
    CreateLaunchTemplateVersion {
        template_id: String,
        name: String,
        data: LaunchTemplateData,
        /// The latest version when planned: the new one is above it.
        base_version: i64,
    },
    /// Makes the version created earlier in the chain the default.
    SetDefaultVersion {
        template_id: String,
        name: String,
    },
    TagLaunchTemplate {
        template_id: String,
        name: String,
        tags: Tags,
    },
    CreateAutoScalingGroup {
        group: GroupWrite,
    },
    UpdateAutoScalingGroup {
        name: String,
        update: GroupUpdate,
    },
    AttachTargetGroups {
        group: String,
        arns: Vec<String>,
    },
    DetachTargetGroups {
        group: String,
        arns: Vec<String>,
    },
    TagAutoScalingGroup {
        group: String,
        tags: Vec<GroupTag>,
    },
    PutScalingPolicy {
        group: String,
        policy: PolicySpec,
    },
    DeletePolicy {
        group: String,
        name: String,
    },
    StartInstanceRefresh {
        group: String,
        warmup_secs: i32,
    },
    /// Force delete (instances and policies go with it), then wait until gone.
    DeleteAutoScalingGroup {
        name: String,
    },
    DeleteLaunchTemplate {
        template_id: String,
        name: String,
    },
}

impl Op {
    /// The API call, as AWS names it.
    pub fn api_name(&self) -> &'static str {
        match self {
            Self::CreateLaunchTemplate { .. } => "CreateLaunchTemplate",
            Self::CreateLaunchTemplateVersion { .. } => "CreateLaunchTemplateVersion",
            Self::SetDefaultVersion { .. } => "ModifyLaunchTemplate",
            Self::TagLaunchTemplate { .. } => "CreateTags",
            Self::CreateAutoScalingGroup { .. } => "CreateAutoScalingGroup",
            Self::UpdateAutoScalingGroup { .. } => "UpdateAutoScalingGroup",
            Self::AttachTargetGroups { .. } => "AttachLoadBalancerTargetGroups",
            Self::DetachTargetGroups { .. } => "DetachLoadBalancerTargetGroups",
            Self::TagAutoScalingGroup { .. } => "CreateOrUpdateTags",
            Self::PutScalingPolicy { .. } => "PutScalingPolicy",
            Self::DeletePolicy { .. } => "DeletePolicy",
            Self::StartInstanceRefresh { .. } => "StartInstanceRefresh",
            Self::DeleteAutoScalingGroup { .. } => "DeleteAutoScalingGroup",
            Self::DeleteLaunchTemplate { .. } => "DeleteLaunchTemplate",
        }
    }

    /// The API the operation belongs to: `ec2` or `autoscaling`.
    pub fn service(&self) -> &'static str {
        match self {
            Self::CreateLaunchTemplate { .. }
            | Self::CreateLaunchTemplateVersion { .. }
            | Self::SetDefaultVersion { .. }
            | Self::TagLaunchTemplate { .. }
            | Self::DeleteLaunchTemplate { .. } => "ec2",
            _ => "autoscaling",
        }
    }

    /// The existing resource the operation changes, if any (creations
    /// change nothing that exists).
    pub fn target(&self) -> Option<Target> {
        match self {
            Self::CreateLaunchTemplate { .. } | Self::CreateAutoScalingGroup { .. } => None,
            Self::CreateLaunchTemplateVersion { template_id, .. }
            | Self::SetDefaultVersion { template_id, .. }
            | Self::TagLaunchTemplate { template_id, .. }
            | Self::DeleteLaunchTemplate { template_id, .. } => {
                Some(Target::LaunchTemplate(template_id.clone()))
            }
            Self::UpdateAutoScalingGroup { name: group, .. }
            | Self::AttachTargetGroups { group, .. }
            | Self::DetachTargetGroups { group, .. }
            | Self::TagAutoScalingGroup { group, .. }
            | Self::StartInstanceRefresh { group, .. }
            | Self::DeleteAutoScalingGroup { name: group } => Some(Target::Group(group.clone())),
            Self::PutScalingPolicy { group, policy } => {
                Some(Target::Policy(group.clone(), policy.name.clone()))
            }
            Self::DeletePolicy { group, name } => Some(Target::Policy(group.clone(), name.clone())),
        }
    }

    /// Whether the operation writes (everything but none).
    pub fn creates(&self) -> Option<(ResourceKind, &str)> {
        match self {
            Self::CreateLaunchTemplate { name, .. } => Some((ResourceKind::LaunchTemplate, name)),
            Self::CreateAutoScalingGroup { group } => {
                Some((ResourceKind::AutoScalingGroup, &group.name))
            }
            _ => None,
        }
    }
}

/// An existing resource an operation acts on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    LaunchTemplate(String),
    Group(String),
    Policy(String, String),
}

/// The plan for a topology against an account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: u32,
    pub topology_id: String,
    /// The account read (from STS), when known.
    pub account_id: Option<String>,
    pub options: PlanOptions,
    /// Regions read.
    pub regions: Vec<String>,
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
    /// Digest of the desired state the plan was made from.
    pub desired_fingerprint: String,
    /// Digest of the account state the plan was made from.
    pub observed_fingerprint: String,
}

/// How many resources each action touches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub keep: usize,
    pub unchanged: usize,
}

impl Plan {
    /// Whether applying would call no write API at all.
    pub fn is_empty(&self) -> bool {
        self.changes.iter().all(|c| c.ops.is_empty())
    }

    pub fn op_count(&self) -> usize {
        self.changes.iter().map(|c| c.ops.len()).sum()
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Delete => s.delete += 1,
                Action::Keep => s.keep += 1,
                Action::NoOp => s.unchanged += 1,
            }
        }
        s
    }

    /// The chains, each as the indices of its changes, in plan order.
    pub fn chains(&self) -> Vec<Vec<usize>> {
        let mut chains: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, c) in self.changes.iter().enumerate() {
            chains.entry(c.chain).or_default().push(i);
        }
        chains.into_values().collect()
    }
}

/// Plans `desired` against `observed`. `Err` lists every reason the plan is
/// refused (name collisions, subnets that cannot be found), each naming the
/// resource.
pub fn plan(
    desired: &Desired,
    observed: &Observed,
    options: PlanOptions,
) -> Result<Plan, Vec<Problem>> {
    let mut planner = Planner {
        topology: &desired.topology_id,
        options,
        changes: Vec::new(),
        problems: Vec::new(),
        chain: 0,
    };
    let empty = ObservedRegion::default();
    for region in &desired.regions {
        let obs = observed.region(region).unwrap_or(&empty);
        planner.region(desired, region, obs);
    }
    if !planner.problems.is_empty() {
        return Err(planner.problems);
    }
    let mut notes = desired.notes.clone();
    if desired.topology_id_from_name {
        notes.push(format!(
            "the topology id \"{}\" comes from the document's name: set \"id\" in the document so that renaming it does not orphan what was applied",
            desired.topology_id
        ));
    }
    Ok(Plan {
        format: PLAN_FORMAT,
        topology_id: desired.topology_id.clone(),
        account_id: observed.account_id.clone(),
        options,
        regions: desired.regions.clone(),
        changes: planner.changes,
        notes,
        desired_fingerprint: digest(desired),
        observed_fingerprint: observed.fingerprint(),
    })
}

struct Planner<'a> {
    topology: &'a str,
    options: PlanOptions,
    changes: Vec<Change>,
    problems: Vec<Problem>,
    chain: usize,
}

/// A change being built.
struct Draft {
    resource: ResourceKind,
    name: String,
    action: Action,
    fields: Vec<FieldChange>,
    notes: Vec<String>,
    ops: Vec<Op>,
}

impl Draft {
    fn new(resource: ResourceKind, name: &str, action: Action) -> Self {
        Self {
            resource,
            name: name.to_owned(),
            action,
            fields: Vec::new(),
            notes: Vec::new(),
            ops: Vec::new(),
        }
    }
}

impl Planner<'_> {
    fn push(&mut self, region: &str, node: &str, draft: Draft) {
        self.changes.push(Change {
            region: region.to_owned(),
            node: node.to_owned(),
            chain: self.chain,
            resource: draft.resource,
            name: draft.name,
            action: draft.action,
            fields: draft.fields,
            notes: draft.notes,
            ops: draft.ops,
        });
    }

    fn region(&mut self, desired: &Desired, region: &str, obs: &ObservedRegion) {
        let index = Index::new(obs);
        let mut wanted: BTreeSet<&str> = BTreeSet::new();
        for group in desired.groups_in(region) {
            wanted.insert(&group.launch_template.name);
            wanted.insert(&group.asg.name);
            self.group(group, &index);
            self.chain += 1;
        }
        self.orphans(region, obs, &index, &wanted);
    }

    /// Refuses a name taken by a resource that is not this node's.
    fn check_owner(
        &mut self,
        group: &DesiredGroup,
        kind: ResourceKind,
        name: &str,
        tags: &Tags,
    ) -> bool {
        match Owner::of(tags, self.topology) {
            Owner::Ours { node } if node == group.node_id => true,
            owner => {
                self.problems.push(
                    Problem::new(
                        "name-collision",
                        format!(
                            "{} {name} already exists and {}: topoplan never modifies what it does not own — rename or remove it, or give the node another id",
                            kind.label(),
                            owner.describe()
                        ),
                    )
                    .in_region(&group.region)
                    .on_node(&group.node_id),
                );
                false
            }
        }
    }

    fn group(&mut self, group: &DesiredGroup, index: &Index<'_>) {
        let lt_obs = index
            .templates
            .get(group.launch_template.name.as_str())
            .copied();
        let asg_obs = index.groups.get(group.asg.name.as_str()).copied();
        let lt_ok = lt_obs.is_none_or(|lt| {
            self.check_owner(group, ResourceKind::LaunchTemplate, &lt.name, &lt.tags)
        });
        let asg_ok = asg_obs.is_none_or(|g| {
            self.check_owner(group, ResourceKind::AutoScalingGroup, &g.name, &g.tags)
        });
        let subnets = self.resolve_subnets(group, index);
        if !lt_ok || !asg_ok {
            return;
        }
        if let Some(g) = asg_obs
            && g.status.as_deref() == Some("Delete in progress")
        {
            self.problems.push(
                Problem::new(
                    "being-deleted",
                    format!(
                        "autoscaling group {} is being deleted: re-run when AWS has finished",
                        g.name
                    ),
                )
                .in_region(&group.region)
                .on_node(&group.node_id),
            );
            return;
        }
        let Some(subnet_ids) = subnets else {
            return;
        };
        let (lt_draft, source) = Self::launch_template(group, lt_obs);
        self.push(&group.region, &group.node_id, lt_draft);
        let asg_draft = self.auto_scaling_group(group, asg_obs, source, subnet_ids);
        self.push(&group.region, &group.node_id, asg_draft);
        let policies: &[&ObservedPolicy] = if asg_obs.is_some() {
            index
                .policies
                .get(group.asg.name.as_str())
                .map_or(&[], Vec::as_slice)
        } else {
            &[]
        };
        for spec in &group.policies {
            let draft = policy(
                group,
                spec,
                policies.iter().copied().find(|p| p.name == spec.name),
            );
            self.push(&group.region, &group.node_id, draft);
        }
        for p in policies.iter().copied() {
            let wanted = group.policies.iter().any(|s| s.name == p.name);
            if !wanted && is_our_policy_name(&group.asg.name, &p.name) {
                let mut draft = Draft::new(ResourceKind::ScalingPolicy, &p.name, Action::Delete);
                draft.notes.push(
                    "the document no longer asks for this policy (scaling changed)".to_owned(),
                );
                draft
                    .fields
                    .push(FieldChange::new("type", Some(p.policy_type.clone()), None));
                draft.ops.push(Op::DeletePolicy {
                    group: group.asg.name.clone(),
                    name: p.name.clone(),
                });
                self.push(&group.region, &group.node_id, draft);
            }
        }
    }

    /// The subnet ids of the group's AZs, or problems saying which AZ has
    /// none, several, or a subnet in the wrong place.
    fn resolve_subnets(&mut self, group: &DesiredGroup, index: &Index<'_>) -> Option<Vec<String>> {
        let mut ids = Vec::new();
        let mut ok = true;
        let mut problem = |message: String| {
            ok = false;
            Problem::new("subnet", message)
                .in_region(&group.region)
                .on_node(&group.node_id)
        };
        let mut problems = Vec::new();
        for (az, source) in &group.asg.subnets {
            match source {
                SubnetSource::Id(id) => match index.subnets.get(id.as_str()) {
                    None => problems.push(problem(format!(
                        "subnet {id} (given for {az}) does not exist in {}",
                        group.region
                    ))),
                    Some(s) if &s.az != az => problems.push(problem(format!(
                        "subnet {id} is in {}, but the document gives it for {az}",
                        s.az
                    ))),
                    Some(s) => ids.push(s.id.clone()),
                },
                SubnetSource::Tags(tags) => {
                    let found: Vec<&ObservedSubnet> = index
                        .subnets_by_az
                        .get(az.as_str())
                        .into_iter()
                        .flatten()
                        .copied()
                        .filter(|s| tags.iter().all(|(k, v)| s.tags.get(k) == Some(v)))
                        .collect();
                    let shown = show_tags(tags);
                    match found.as_slice() {
                        [] => problems.push(problem(format!(
                            "no subnet in {az} is tagged {shown}: tag one, or list it in the node's \"aws\": {{\"subnets\": {{\"{az}\": \"subnet-…\"}}}}"
                        ))),
                        [one] => ids.push(one.id.clone()),
                        many => {
                            let mut list: Vec<&str> = many.iter().map(|s| s.id.as_str()).collect();
                            list.sort_unstable();
                            problems.push(problem(format!(
                                "{} subnets in {az} are tagged {shown} ({}): narrow the tags or list the subnet in the node's \"aws\": {{\"subnets\": …}}",
                                many.len(),
                                list.join(", ")
                            )));
                        }
                    }
                }
            }
        }
        let vpcs: BTreeSet<&str> = ids
            .iter()
            .filter_map(|id| index.subnets.get(id.as_str()))
            .map(|s| s.vpc_id.as_str())
            .collect();
        if vpcs.len() > 1 {
            let list: Vec<&str> = vpcs.into_iter().collect();
            problems.push(problem(format!(
                "the subnets of the group are in different VPCs ({}): a group's subnets must share one VPC",
                list.join(", ")
            )));
        }
        self.problems.append(&mut problems);
        ids.sort();
        ids.dedup();
        ok.then_some(ids)
    }

    /// The launch template's change, and where the group's version comes from.
    fn launch_template(
        group: &DesiredGroup,
        lt_obs: Option<&ObservedLaunchTemplate>,
    ) -> (Draft, TemplateSource) {
        let spec = &group.launch_template;
        let Some(lt) = lt_obs else {
            let mut draft = Draft::new(ResourceKind::LaunchTemplate, &spec.name, Action::Create);
            draft.fields = spec
                .data
                .fields()
                .into_iter()
                .filter(|(_, v)| v.is_some())
                .map(|(f, v)| FieldChange::new(f, None, v))
                .collect();
            draft.ops.push(Op::CreateLaunchTemplate {
                name: spec.name.clone(),
                data: spec.data.clone(),
                tags: spec.tags.clone(),
            });
            return (draft, TemplateSource::Created);
        };
        let mut draft = Draft::new(ResourceKind::LaunchTemplate, &spec.name, Action::NoOp);
        let same = lt.default_data.as_ref() == Some(&spec.data);
        let source = if same {
            TemplateSource::Existing {
                id: lt.id.clone(),
                version: lt.default_version,
            }
        } else {
            let old = lt
                .default_data
                .as_ref()
                .map(LaunchTemplateData::fields)
                .unwrap_or_default();
            for (field, new) in spec.data.fields() {
                let old = old
                    .iter()
                    .find(|(f, _)| *f == field)
                    .and_then(|(_, v)| v.clone());
                if old != new {
                    draft.fields.push(FieldChange::new(field, old, new));
                }
            }
            draft.action = Action::Update;
            draft.notes.push(format!(
                "new version {} made the default (version {} stays for rollback)",
                lt.latest_version + 1,
                lt.default_version
            ));
            draft.ops.push(Op::CreateLaunchTemplateVersion {
                template_id: lt.id.clone(),
                name: lt.name.clone(),
                data: spec.data.clone(),
                base_version: lt.latest_version,
            });
            draft.ops.push(Op::SetDefaultVersion {
                template_id: lt.id.clone(),
                name: lt.name.clone(),
            });
            TemplateSource::NewVersion {
                id: lt.id.clone(),
                expected: lt.latest_version + 1,
            }
        };
        let tags = missing_tags(&spec.tags, &lt.tags);
        if !tags.is_empty() {
            for (k, v) in &tags {
                draft.fields.push(FieldChange::new(
                    format!("tag {k}"),
                    lt.tags.get(k).cloned(),
                    Some(v.clone()),
                ));
            }
            draft.action = Action::Update;
            draft.ops.push(Op::TagLaunchTemplate {
                template_id: lt.id.clone(),
                name: lt.name.clone(),
                tags,
            });
        }
        (draft, source)
    }

    fn auto_scaling_group(
        &self,
        group: &DesiredGroup,
        asg_obs: Option<&ObservedGroup>,
        source: TemplateSource,
        subnet_ids: Vec<String>,
    ) -> Draft {
        let spec = &group.asg;
        let mut tags: Vec<GroupTag> = spec
            .tags
            .iter()
            .map(|(k, v)| GroupTag {
                key: k.clone(),
                value: v.clone(),
                propagate: true,
            })
            .collect();
        let (dk, dv) = desired_tag(spec.desired);
        let Some(og) = asg_obs else {
            let mut draft = Draft::new(ResourceKind::AutoScalingGroup, &spec.name, Action::Create);
            draft.fields = create_fields(spec, &subnet_ids);
            draft.notes.extend(group.capacity_note.clone());
            tags.push(GroupTag {
                key: dk,
                value: dv,
                propagate: false,
            });
            draft.ops.push(Op::CreateAutoScalingGroup {
                group: GroupWrite {
                    name: spec.name.clone(),
                    template: source,
                    min: spec.min,
                    max: spec.max,
                    desired: spec.desired,
                    subnet_ids,
                    health_check_type: spec.health_check_type.clone(),
                    health_check_grace_secs: spec.health_check_grace_secs,
                    instance_warmup_secs: spec.instance_warmup_secs,
                    target_group_arns: spec.target_group_arns.clone(),
                    tags,
                },
            });
            return draft;
        };

        let mut draft = Draft::new(ResourceKind::AutoScalingGroup, &spec.name, Action::NoOp);
        let mut update = GroupUpdate::default();
        let (record_desired, desired_note) =
            settings_update(spec, og, subnet_ids, &mut draft.fields, &mut update);
        if record_desired {
            tags.push(GroupTag {
                key: dk,
                value: dv,
                propagate: false,
            });
        }
        if let Some((old, new)) = template_move(group, og, &source) {
            draft
                .fields
                .push(FieldChange::new("launch_template", Some(old), Some(new)));
            update.template = Some(source);
        }
        let attach: Vec<String> = spec
            .target_group_arns
            .iter()
            .filter(|a| !og.target_group_arns.contains(a))
            .cloned()
            .collect();
        let detach: Vec<String> = og
            .target_group_arns
            .iter()
            .filter(|a| !spec.target_group_arns.contains(a))
            .cloned()
            .collect();
        if !attach.is_empty() || !detach.is_empty() {
            draft.fields.push(FieldChange::new(
                "target_groups",
                Some(og.target_group_arns.join(", ")),
                Some(spec.target_group_arns.join(", ")),
            ));
        }
        let tag_changes: Vec<GroupTag> = tags
            .into_iter()
            .filter(|t| og.tags.get(&t.key) != Some(&t.value))
            .collect();
        for t in &tag_changes {
            draft.fields.push(FieldChange::new(
                format!("tag {}", t.key),
                og.tags.get(&t.key).cloned(),
                Some(t.value.clone()),
            ));
        }
        let template_changed = update.template.is_some();
        if !update.is_empty() {
            draft.ops.push(Op::UpdateAutoScalingGroup {
                name: spec.name.clone(),
                update,
            });
        }
        if !attach.is_empty() {
            draft.ops.push(Op::AttachTargetGroups {
                group: spec.name.clone(),
                arns: attach,
            });
        }
        if !detach.is_empty() {
            draft.ops.push(Op::DetachTargetGroups {
                group: spec.name.clone(),
                arns: detach,
            });
        }
        if !tag_changes.is_empty() {
            draft.ops.push(Op::TagAutoScalingGroup {
                group: spec.name.clone(),
                tags: tag_changes,
            });
        }
        // The group exists, so its running instances were launched from
        // another version.
        if template_changed {
            if self.options.instance_refresh {
                draft.ops.push(Op::StartInstanceRefresh {
                    group: spec.name.clone(),
                    warmup_secs: spec.instance_warmup_secs,
                });
                draft.notes.push(
                    "instance refresh: running instances are replaced (rolling, 90% kept healthy)"
                        .to_owned(),
                );
            } else {
                draft.notes.push(
                    "running instances keep the old launch template until they are replaced (pass --instance-refresh to roll them now)".to_owned(),
                );
            }
        }
        draft.notes.extend(desired_note);
        if !draft.ops.is_empty() {
            draft.action = Action::Update;
            draft.notes.extend(group.capacity_note.clone());
        }
        draft
    }

    /// Tagged resources of this topology in `region` that no desired group
    /// names: deleted with `prune`, kept (and listed) without.
    fn orphans(
        &mut self,
        region: &str,
        obs: &ObservedRegion,
        index: &Index<'_>,
        wanted: &BTreeSet<&str>,
    ) {
        let mut names: BTreeMap<
            &str,
            (
                Option<&ObservedGroup>,
                Option<&ObservedLaunchTemplate>,
                String,
            ),
        > = BTreeMap::new();
        for g in &obs.groups {
            if let Owner::Ours { node } = Owner::of(&g.tags, self.topology)
                && !wanted.contains(g.name.as_str())
            {
                names.entry(&g.name).or_insert((None, None, node)).0 = Some(g);
            }
        }
        for lt in &obs.launch_templates {
            if let Owner::Ours { node } = Owner::of(&lt.tags, self.topology)
                && !wanted.contains(lt.name.as_str())
            {
                names.entry(&lt.name).or_insert((None, None, node)).1 = Some(lt);
            }
        }
        let prune = self.options.prune;
        let reason =
            "its node is no longer deployed here (removed from the document, or from this region)";
        for (_, (group, template, node)) in names {
            let action = if prune { Action::Delete } else { Action::Keep };
            let explain = |draft: &mut Draft| {
                draft.notes.push(if prune {
                    reason.to_owned()
                } else {
                    format!("{reason}: deleted only with --prune")
                });
            };
            if let Some(g) = group {
                let deleting = g.status.as_deref() == Some("Delete in progress");
                for p in index
                    .policies
                    .get(g.name.as_str())
                    .into_iter()
                    .flatten()
                    .copied()
                {
                    let mut draft = Draft::new(ResourceKind::ScalingPolicy, &p.name, action);
                    if deleting {
                        draft.action = Action::NoOp;
                        draft.notes.push("its group is being deleted".to_owned());
                    } else {
                        explain(&mut draft);
                        if prune {
                            // AWS deletes a group's policies with it; deleting
                            // them first says so in the plan and leaves nothing
                            // behind where the API is less thorough (moto).
                            draft.ops.push(Op::DeletePolicy {
                                group: g.name.clone(),
                                name: p.name.clone(),
                            });
                        }
                    }
                    self.push(region, &node, draft);
                }
                let mut draft = Draft::new(ResourceKind::AutoScalingGroup, &g.name, action);
                if deleting {
                    draft.action = Action::NoOp;
                    draft.notes.push("already being deleted".to_owned());
                } else {
                    explain(&mut draft);
                    draft.fields.push(FieldChange::new(
                        "min/desired/max",
                        Some(format!("{}/{}/{}", g.min, g.desired, g.max)),
                        None,
                    ));
                    if prune {
                        draft.ops.push(Op::DeleteAutoScalingGroup {
                            name: g.name.clone(),
                        });
                    }
                }
                self.push(region, &node, draft);
            }
            if let Some(lt) = template {
                let mut draft = Draft::new(ResourceKind::LaunchTemplate, &lt.name, action);
                explain(&mut draft);
                if prune {
                    draft.ops.push(Op::DeleteLaunchTemplate {
                        template_id: lt.id.clone(),
                        name: lt.name.clone(),
                    });
                }
                self.push(region, &node, draft);
            }
            self.chain += 1;
        }
    }
}

/// Compares a group's settings with the document's, recording each change
/// as a field and in `update`. Returns whether the desired-capacity tag must
/// be (re)written, and a note about the live desired capacity.
fn settings_update(
    spec: &AsgSpec,
    og: &ObservedGroup,
    subnet_ids: Vec<String>,
    fields: &mut Vec<FieldChange>,
    update: &mut GroupUpdate,
) -> (bool, Option<String>) {
    let mut field = |name: &str, old: String, new: String| {
        fields.push(FieldChange::new(name, Some(old), Some(new)));
    };
    if og.min != spec.min {
        field("min", og.min.to_string(), spec.min.to_string());
        update.min = Some(spec.min);
    }
    if og.max != spec.max {
        field("max", og.max.to_string(), spec.max.to_string());
        update.max = Some(spec.max);
    }
    // Desired capacity: the document's when it changed since the last
    // apply; otherwise the autoscaler's (AWS keeps it within min..max).
    let applied: Option<i32> = og.tags.get(TAG_DESIRED).and_then(|v| v.parse().ok());
    let mut note = None;
    let record = applied != Some(spec.desired);
    if record {
        if og.desired != spec.desired {
            field("desired", og.desired.to_string(), spec.desired.to_string());
            update.desired = Some(spec.desired);
        }
    } else if og.desired != spec.desired {
        let clamped = og.desired.clamp(spec.min, spec.max.max(spec.min));
        note = Some(if clamped == og.desired {
            format!(
                "desired capacity {} was set by autoscaling (the document's {} was applied before): left alone",
                og.desired, spec.desired
            )
        } else {
            format!(
                "desired capacity {} moves to {clamped} with the new min/max (AWS keeps it within them)",
                og.desired
            )
        });
    }
    if og.subnet_ids != subnet_ids {
        field("subnets", og.subnet_ids.join(", "), subnet_ids.join(", "));
        update.subnet_ids = Some(subnet_ids);
    }
    if og.health_check_type != spec.health_check_type {
        field(
            "health_check_type",
            og.health_check_type.clone(),
            spec.health_check_type.clone(),
        );
        update.health_check_type = Some(spec.health_check_type.clone());
    }
    let grace = og.health_check_grace_secs.unwrap_or(0);
    if grace != spec.health_check_grace_secs {
        field(
            "health_check_grace_secs",
            grace.to_string(),
            spec.health_check_grace_secs.to_string(),
        );
        update.health_check_grace_secs = Some(spec.health_check_grace_secs);
    }
    // Compared only where the API reports it (moto does not); the scaling
    // policies carry the same warm-up and are always compared.
    if let Some(warmup) = og.default_instance_warmup_secs
        && warmup != spec.instance_warmup_secs
    {
        field(
            "instance_warmup_secs",
            warmup.to_string(),
            spec.instance_warmup_secs.to_string(),
        );
        update.instance_warmup_secs = Some(spec.instance_warmup_secs);
    }
    (record, note)
}

/// The launch template version a group moves to, as (old, new) for the
/// plan, or `None` when it already launches from the right one.
fn template_move(
    group: &DesiredGroup,
    og: &ObservedGroup,
    source: &TemplateSource,
) -> Option<(String, String)> {
    let name = &group.launch_template.name;
    let current = og.launch_template.as_ref();
    let shown_current = current.map_or_else(
        || "(none)".to_owned(),
        |t| {
            format!(
                "{} version {}",
                t.name.as_deref().or(t.id.as_deref()).unwrap_or("?"),
                t.version.as_deref().unwrap_or("$Default")
            )
        },
    );
    let points_at = |id: &str, version: i64| {
        current.is_some_and(|t| {
            let same_template =
                t.id.as_deref() == Some(id) || (t.id.is_none() && t.name.as_deref() == Some(name));
            same_template && t.version.as_deref() == Some(version.to_string().as_str())
        })
    };
    let shown_new = match source {
        TemplateSource::Existing { id, version } => {
            (!points_at(id, *version)).then(|| format!("{name} version {version}"))
        }
        TemplateSource::Created => Some(format!("{name} version 1 (new template)")),
        TemplateSource::NewVersion { expected, .. } => {
            Some(format!("{name} version {expected} (new)"))
        }
    }?;
    Some((shown_current, shown_new))
}

/// One region's observed resources by name, built once per plan (lookups
/// per group stay cheap with thousands of groups).
struct Index<'a> {
    templates: BTreeMap<&'a str, &'a ObservedLaunchTemplate>,
    groups: BTreeMap<&'a str, &'a ObservedGroup>,
    /// Policies by group name.
    policies: BTreeMap<&'a str, Vec<&'a ObservedPolicy>>,
    subnets: BTreeMap<&'a str, &'a ObservedSubnet>,
    subnets_by_az: BTreeMap<&'a str, Vec<&'a ObservedSubnet>>,
}

impl<'a> Index<'a> {
    fn new(obs: &'a ObservedRegion) -> Self {
        let mut index = Self {
            templates: BTreeMap::new(),
            groups: BTreeMap::new(),
            policies: BTreeMap::new(),
            subnets: BTreeMap::new(),
            subnets_by_az: BTreeMap::new(),
        };
        for t in &obs.launch_templates {
            index.templates.entry(&t.name).or_insert(t);
        }
        for g in &obs.groups {
            index.groups.entry(&g.name).or_insert(g);
        }
        for p in &obs.policies {
            index.policies.entry(&p.group).or_default().push(p);
        }
        for s in &obs.subnets {
            index.subnets.entry(&s.id).or_insert(s);
            index.subnets_by_az.entry(&s.az).or_default().push(s);
        }
        index
    }
}

fn policy(group: &DesiredGroup, spec: &PolicySpec, observed: Option<&ObservedPolicy>) -> Draft {
    let put = Op::PutScalingPolicy {
        group: group.asg.name.clone(),
        policy: spec.clone(),
    };
    let Some(p) = observed else {
        let mut draft = Draft::new(ResourceKind::ScalingPolicy, &spec.name, Action::Create);
        draft.fields = vec![
            FieldChange::new("type", None, Some(spec.kind.api_name().to_owned())),
            FieldChange::new(
                "target_cpu_percent",
                None,
                Some(fmt_num(spec.target_cpu_percent)),
            ),
            FieldChange::new("warmup_secs", None, Some(spec.warmup_secs.to_string())),
        ];
        draft.ops.push(put);
        return draft;
    };
    let mut draft = Draft::new(ResourceKind::ScalingPolicy, &spec.name, Action::NoOp);
    let diff = |draft: &mut Draft, field: &str, old: Option<String>, new: String| {
        if old.as_deref() != Some(new.as_str()) {
            draft.fields.push(FieldChange::new(field, old, Some(new)));
        }
    };
    diff(
        &mut draft,
        "type",
        Some(p.policy_type.clone()),
        spec.kind.api_name().to_owned(),
    );
    let metric = match spec.kind {
        PolicyKind::TargetTracking => CPU_METRIC,
        PolicyKind::Predictive => CPU_METRIC_PAIR,
    };
    diff(&mut draft, "metric", p.metric.clone(), metric.to_owned());
    let target_same = p
        .target_value
        .is_some_and(|v| (v - spec.target_cpu_percent).abs() < 1e-6);
    if !target_same {
        draft.fields.push(FieldChange::new(
            "target_cpu_percent",
            p.target_value.map(fmt_num),
            Some(fmt_num(spec.target_cpu_percent)),
        ));
    }
    match spec.kind {
        PolicyKind::TargetTracking => {
            diff(
                &mut draft,
                "warmup_secs",
                p.estimated_warmup_secs.map(|v| v.to_string()),
                spec.warmup_secs.to_string(),
            );
            if p.disable_scale_in == Some(true) {
                draft.fields.push(FieldChange::new(
                    "disable_scale_in",
                    Some("true".into()),
                    Some("false".into()),
                ));
            }
        }
        PolicyKind::Predictive => {
            diff(
                &mut draft,
                "mode",
                p.predictive_mode.clone(),
                PREDICTIVE_MODE.to_owned(),
            );
            diff(
                &mut draft,
                "scheduling_buffer_secs",
                p.scheduling_buffer_secs.map(|v| v.to_string()),
                spec.warmup_secs.to_string(),
            );
        }
    }
    if !draft.fields.is_empty() {
        draft.action = Action::Update;
        draft.ops.push(put);
    }
    draft
}

/// Tags of `want` that `have` lacks or holds with another value.
fn missing_tags(want: &Tags, have: &Tags) -> Tags {
    want.iter()
        .filter(|(k, v)| have.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn create_fields(spec: &AsgSpec, subnet_ids: &[String]) -> Vec<FieldChange> {
    let mut f = vec![
        FieldChange::new(
            "min/desired/max",
            None,
            Some(format!("{}/{}/{}", spec.min, spec.desired, spec.max)),
        ),
        FieldChange::new("subnets", None, Some(subnet_ids.join(", "))),
        FieldChange::new(
            "health_check",
            None,
            Some(format!(
                "{} after {} s",
                spec.health_check_type, spec.health_check_grace_secs
            )),
        ),
        FieldChange::new(
            "instance_warmup_secs",
            None,
            Some(spec.instance_warmup_secs.to_string()),
        ),
    ];
    if !spec.target_group_arns.is_empty() {
        f.push(FieldChange::new(
            "target_groups",
            None,
            Some(spec.target_group_arns.join(", ")),
        ));
    }
    f.push(FieldChange::new("tags", None, Some(show_tags(&spec.tags))));
    f
}

/// `k=v, k2=v2`.
pub fn show_tags(tags: &Tags) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A number without a needless `.0`.
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
