//! What the fuzz targets share: documents from fuzz input, and arbitrary
//! AWS accounts around a desired state.
//!
//! A fuzz input that starts with `{` is a JSON document (the seed corpora are
//! the templates and the invalid fixtures), followed by bytes the target may
//! use for something else (the AWS target builds an account from them).
//! Any other input seeds the core's own proptest strategy [`valid_document`]
//! (see [`rng_seed`] for why a seed and not proptest's pass-through RNG), so
//! that the fuzzers also explore documents the JSON seeds never reach:
//! hostile names, random regions and modes, odd sizes.

use std::collections::BTreeSet;

use libfuzzer_sys::arbitrary::{self, Unstructured};
use proptest::strategy::{Strategy as _, ValueTree as _};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use topoplan_core::Topology;
use topoplan_core::arbitrary::valid_document;
use topoplan_core::model::io::load_bytes;
use topoplan_exports::aws::desired::{Desired, LaunchTemplateData, SubnetSource};
use topoplan_exports::aws::observed::{
    ObservedGroup, ObservedLaunchTemplate, ObservedPolicy, ObservedSubnet, TemplateRef,
};
use topoplan_exports::aws::ownership::{
    Owner, PolicyKind, TAG_DESIRED, TAG_NODE, TAG_TOPOLOGY, Tags, is_our_policy_name,
};
use topoplan_exports::aws::plan::{
    CPU_METRIC, CPU_METRIC_PAIR, PREDICTIVE_MODE, ResourceKind, Target,
};
use topoplan_exports::aws::{Observed, Plan};

/// The document an input describes, valid or not, and the bytes after it.
/// `None` when the input is neither a document nor usable by the strategy.
pub fn document(data: &[u8]) -> Option<(Topology, &[u8])> {
    if data.first() == Some(&b'{') {
        // The end of the first JSON value splits the input.
        let mut values =
            serde_json::Deserializer::from_slice(data).into_iter::<serde_json::Value>();
        values.next()?.ok()?;
        let end = values.byte_offset();
        let loaded = load_bytes(&data[..end]).ok()?;
        Some((loaded.topology, &data[end..]))
    } else {
        // [mode byte][u16 length][RNG bytes][rest]
        let len = usize::from(u16::from_le_bytes([*data.get(1)?, *data.get(2)?]));
        let seed = data.get(3..).unwrap_or_default();
        let (seed, rest) = seed.split_at(len.min(seed.len()));
        let rng = TestRng::from_seed(RngAlgorithm::XorShift, &rng_seed(seed));
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let tree = valid_document().new_tree(&mut runner).ok()?;
        Some((tree.current(), rest))
    }
}

/// A 16-byte RNG seed from any number of bytes (two FNV-1a hashes).
///
/// Not proptest's pass-through RNG, which would let the fuzzer steer each
/// draw: it halves what is left of its bytes at every `prop_flat_map`, runs
/// dry after a few nodes and then gives zeros forever — on which proptest's
/// set strategies, drawing until they have enough distinct elements, never
/// finish (the first timeouts the fuzzers reported). Hashing keeps every
/// document reachable and every input fast; byte-level steering is what the
/// JSON inputs are for.
fn rng_seed(bytes: &[u8]) -> [u8; 16] {
    let fnv = |basis: u64| {
        bytes.iter().fold(basis, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let mut seed = [0; 16];
    seed[..8].copy_from_slice(&fnv(0xcbf2_9ce4_8422_2325).to_le_bytes());
    seed[8..].copy_from_slice(&fnv(0x84222325_cbf29ce4).to_le_bytes());
    seed
}

/// A document that passes validation (warnings allowed).
pub fn valid(data: &[u8]) -> Option<(Topology, &[u8])> {
    document(data).filter(|(t, _)| topoplan_core::validate::validate(t).is_ok())
}

/// Fills in what an apply needs and documents rarely say (an image per
/// region, a subnet lookup), so the planner gets past `desired`.
pub fn deployable(mut t: Topology) -> Topology {
    let mut meta = t.meta().clone();
    for r in &meta.regions {
        meta.aws
            .images
            .entry(r.id.clone())
            .or_insert_with(|| "ami-12c6146b".into());
    }
    if meta.aws.subnet_tags.is_empty() {
        meta.aws.subnet_tags.insert("tier".into(), "app".into());
    }
    t.set_meta(meta);
    t
}

/// An arbitrary account around `d`: optionally exactly what applying `d`
/// leaves, then up to 32 edits — resources with the names `d` wants or
/// other names, tagged as ours, another topology's, half-tagged or not at
/// all; drifted settings; resources removed; strange values (NaN targets,
/// negative sizes, empty names).
pub fn account(d: &Desired, u: &mut Unstructured<'_>) -> arbitrary::Result<Observed> {
    let mut o = Observed {
        account_id: u.arbitrary()?,
        ..Observed::default()
    };
    let mut next_id = 0u32;
    if u.arbitrary()? {
        applied(d, &mut o, &mut next_id);
    }
    let names = Names::of(d);
    let edits = u.int_in_range(0..=32)?;
    for _ in 0..edits {
        if u.is_empty() {
            break;
        }
        let region = pick_region(d, u)?;
        let r = o.regions.entry(region).or_default();
        match u.int_in_range(0..=8)? {
            0 => {
                next_id += 1;
                let default_version = u.int_in_range(1..=3)?;
                r.launch_templates.push(ObservedLaunchTemplate {
                    id: format!("lt-{next_id:0>17}"),
                    name: names.pick(u)?,
                    tags: tags(d, u)?,
                    default_version,
                    latest_version: default_version + i64::from(u.int_in_range(0u8..=2)?),
                    default_data: if u.arbitrary()? {
                        Some(template_data(d, u)?)
                    } else {
                        None
                    },
                });
            }
            1 => {
                let template = if u.arbitrary()? {
                    u.choose(&r.launch_templates).ok().map(|t| TemplateRef {
                        id: Some(t.id.clone()),
                        name: Some(t.name.clone()),
                        version: Some(t.default_version.to_string()),
                    })
                } else {
                    None
                };
                r.groups.push(ObservedGroup {
                    name: names.pick(u)?,
                    tags: tags(d, u)?,
                    min: u.arbitrary()?,
                    max: u.arbitrary()?,
                    desired: u.arbitrary()?,
                    subnet_ids: vec![format!("subnet-{:0>8}", u.int_in_range(0u32..=9)?)],
                    health_check_type: u.choose(&["EC2", "ELB", ""])?.to_string(),
                    health_check_grace_secs: u.arbitrary()?,
                    default_instance_warmup_secs: u.arbitrary()?,
                    launch_template: template,
                    target_group_arns: Vec::new(),
                    status: if u.ratio(1, 8)? {
                        Some("Delete in progress".into())
                    } else {
                        None
                    },
                });
            }
            2 => {
                let group = match u.choose(&r.groups) {
                    Ok(g) => g.name.clone(),
                    Err(_) => names.pick(u)?,
                };
                r.policies.push(ObservedPolicy {
                    name: if u.arbitrary()? {
                        format!(
                            "{group}-{}",
                            u.choose(&["cpu-target", "predictive", "mine"])?
                        )
                    } else {
                        names.pick(u)?
                    },
                    group,
                    policy_type: u
                        .choose(&["TargetTrackingScaling", "PredictiveScaling", "StepScaling"])?
                        .to_string(),
                    metric: Some(
                        u.choose(&["ASGAverageCPUUtilization", "ASGCPUUtilization", "Other"])?
                            .to_string(),
                    ),
                    target_value: u.arbitrary()?,
                    estimated_warmup_secs: u.arbitrary()?,
                    disable_scale_in: u.arbitrary()?,
                    predictive_mode: u.arbitrary()?,
                    scheduling_buffer_secs: u.arbitrary()?,
                });
            }
            3 => {
                next_id += 1;
                r.subnets.push(ObservedSubnet {
                    id: format!("subnet-{next_id:0>8}"),
                    az: u.arbitrary()?,
                    vpc_id: format!("vpc-{:0>8}", u.int_in_range(0u8..=2)?),
                    tags: tags(d, u)?,
                });
            }
            4 => {
                if !r.launch_templates.is_empty() {
                    let i = u.choose_index(r.launch_templates.len())?;
                    r.launch_templates[i].tags = tags(d, u)?;
                }
            }
            5 => {
                if !r.groups.is_empty() {
                    let i = u.choose_index(r.groups.len())?;
                    r.groups[i].tags = tags(d, u)?;
                }
            }
            6 => {
                // Something disappears (deleted by hand, or never created).
                match u.int_in_range(0..=2)? {
                    0 if !r.launch_templates.is_empty() => {
                        let i = u.choose_index(r.launch_templates.len())?;
                        r.launch_templates.remove(i);
                    }
                    1 if !r.groups.is_empty() => {
                        let i = u.choose_index(r.groups.len())?;
                        r.groups.remove(i);
                    }
                    _ if !r.policies.is_empty() => {
                        let i = u.choose_index(r.policies.len())?;
                        r.policies.remove(i);
                    }
                    _ => {}
                }
            }
            7 => {
                if !r.groups.is_empty() {
                    let i = u.choose_index(r.groups.len())?;
                    let g = &mut r.groups[i];
                    g.min = u.arbitrary()?;
                    g.max = u.arbitrary()?;
                    g.desired = u.arbitrary()?;
                    g.target_group_arns = vec![u.arbitrary()?];
                }
            }
            _ => {
                if !r.launch_templates.is_empty() {
                    let i = u.choose_index(r.launch_templates.len())?;
                    r.launch_templates[i].default_data = Some(template_data(d, u)?);
                    r.launch_templates[i].latest_version += 1;
                }
            }
        }
    }
    o.normalize();
    Ok(o)
}

/// Exactly what applying `d` to an empty account leaves.
pub fn applied_account(d: &Desired) -> Observed {
    let mut o = Observed::default();
    applied(d, &mut o, &mut 0);
    o.normalize();
    o
}

fn applied(d: &Desired, o: &mut Observed, next_id: &mut u32) {
    for g in &d.groups {
        let r = o.regions.entry(g.region.clone()).or_default();
        *next_id += 1;
        let id = format!("lt-{next_id:0>17}");
        r.launch_templates.push(ObservedLaunchTemplate {
            id: id.clone(),
            name: g.launch_template.name.clone(),
            tags: g.launch_template.tags.clone(),
            default_version: 1,
            latest_version: 1,
            default_data: Some(g.launch_template.data.clone()),
        });
        let mut subnet_ids = Vec::new();
        for (az, source) in &g.asg.subnets {
            let id = match source {
                SubnetSource::Id(id) => id.clone(),
                SubnetSource::Tags(tags) => {
                    let id = format!("subnet-{:0>8}", az.replace('-', ""));
                    r.subnets.push(ObservedSubnet {
                        id: id.clone(),
                        az: az.clone(),
                        vpc_id: "vpc-00000001".into(),
                        tags: tags.clone(),
                    });
                    id
                }
            };
            subnet_ids.push(id);
        }
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
            let tracking = p.kind == PolicyKind::TargetTracking;
            r.policies.push(ObservedPolicy {
                group: g.asg.name.clone(),
                name: p.name.clone(),
                policy_type: p.kind.api_name().into(),
                metric: Some(
                    if tracking {
                        CPU_METRIC
                    } else {
                        CPU_METRIC_PAIR
                    }
                    .into(),
                ),
                target_value: Some(p.target_cpu_percent),
                estimated_warmup_secs: tracking.then_some(p.warmup_secs),
                disable_scale_in: Some(false),
                predictive_mode: (!tracking).then(|| PREDICTIVE_MODE.to_owned()),
                scheduling_buffer_secs: (!tracking).then_some(p.warmup_secs),
            });
        }
    }
}

/// Names worth colliding with: the ones `d` wants, orphans of the same
/// topology, and anything at all.
struct Names {
    wanted: Vec<String>,
    prefix: String,
}

impl Names {
    fn of(d: &Desired) -> Self {
        let mut wanted = BTreeSet::new();
        for g in &d.groups {
            wanted.insert(g.launch_template.name.clone());
            wanted.insert(g.asg.name.clone());
            for p in &g.policies {
                wanted.insert(p.name.clone());
            }
        }
        Self {
            wanted: wanted.into_iter().collect(),
            prefix: format!("{}-", d.topology_id),
        }
    }

    fn pick(&self, u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
        Ok(match u.int_in_range(0..=3)? {
            0 | 1 if !self.wanted.is_empty() => u.choose(&self.wanted)?.clone(),
            2 => format!("{}{}", self.prefix, u.choose(&["gone", "old-web", "x"])?),
            _ => u.arbitrary()?,
        })
    }
}

fn pick_region(d: &Desired, u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    if !d.regions.is_empty() && u.ratio(7, 8)? {
        Ok(u.choose(&d.regions)?.clone())
    } else {
        Ok(u.choose(&["us-east-1", "eu-west-1", "ap-south-2"])?
            .to_string())
    }
}

/// Tags as found in accounts: ours (with or without the node tag), another
/// topology's, a stranger's, or arbitrary keys and values.
fn tags(d: &Desired, u: &mut Unstructured<'_>) -> arbitrary::Result<Tags> {
    let mut tags = Tags::new();
    let node = match u.choose(&d.groups) {
        Ok(g) if u.arbitrary()? => g.node_id.clone(),
        _ => u.arbitrary()?,
    };
    match u.int_in_range(0..=5)? {
        0 => {}
        1 => {
            tags.insert(TAG_TOPOLOGY.into(), d.topology_id.clone());
            tags.insert(TAG_NODE.into(), node);
        }
        2 => {
            tags.insert(TAG_TOPOLOGY.into(), d.topology_id.clone());
        }
        3 => {
            tags.insert(TAG_TOPOLOGY.into(), format!("{}x", d.topology_id));
            tags.insert(TAG_NODE.into(), node);
        }
        4 => {
            tags.insert(TAG_NODE.into(), node);
            tags.insert("Name".into(), u.arbitrary()?);
        }
        _ => {
            for _ in 0..u.int_in_range(0..=3)? {
                let key = if u.ratio(1, 3)? {
                    TAG_TOPOLOGY.to_owned()
                } else {
                    u.arbitrary()?
                };
                tags.insert(key, u.arbitrary()?);
            }
        }
    }
    if u.ratio(1, 4)? {
        tags.insert(TAG_DESIRED.into(), u.arbitrary()?);
    }
    Ok(tags)
}

fn template_data(d: &Desired, u: &mut Unstructured<'_>) -> arbitrary::Result<LaunchTemplateData> {
    let mut data = match u.choose(&d.groups) {
        Ok(g) => g.launch_template.data.clone(),
        Err(_) => LaunchTemplateData::default(),
    };
    match u.int_in_range(0..=4)? {
        0 => data.instance_type = u.arbitrary()?,
        1 => data.image_id = u.arbitrary()?,
        2 => data.user_data = u.arbitrary()?,
        3 => data.security_group_ids = u.arbitrary()?,
        _ => data.metadata_http_tokens = u.arbitrary()?,
    }
    Ok(data)
}

/// Checks the planner's promise about `plan` of `d` against `o`: every
/// operation on something that exists targets a resource this topology
/// owns (a launch template or group tagged with its id; a policy with one
/// of topoplan's policy names on such a group) or one created earlier in
/// the same plan; creations never take a name in use; deletions only with
/// `prune`. Returns what is wrong.
pub fn check_ownership(d: &Desired, o: &Observed, plan: &Plan) -> Result<(), String> {
    let mine = |tags: &Tags| matches!(Owner::of(tags, &d.topology_id), Owner::Ours { .. });
    let created: BTreeSet<(&str, &str)> = plan
        .changes
        .iter()
        .flat_map(|c| c.ops.iter().map(move |op| (c.region.as_str(), op)))
        .filter_map(|(region, op)| op.creates().map(|(_, name)| (region, name)))
        .collect();
    for change in &plan.changes {
        let empty = topoplan_exports::aws::observed::ObservedRegion::default();
        let r = o.regions.get(&change.region).unwrap_or(&empty);
        for op in &change.ops {
            if let Some((kind, name)) = op.creates() {
                // A launch template and a group share the name `{topology}-{node}`:
                // only a resource of the same kind collides.
                let taken = match kind {
                    ResourceKind::LaunchTemplate => {
                        r.launch_templates.iter().any(|t| t.name == name)
                    }
                    _ => r.groups.iter().any(|g| g.name == name),
                };
                if taken {
                    return Err(format!(
                        "{op:?} creates over an existing {name} in {}",
                        change.region
                    ));
                }
            }
            let Some(target) = op.target() else { continue };
            let group_ok = |group: &str| {
                created.contains(&(change.region.as_str(), group))
                    || r.groups.iter().any(|g| g.name == group && mine(&g.tags))
            };
            let ok = match &target {
                Target::LaunchTemplate(id) => r
                    .launch_templates
                    .iter()
                    .any(|t| &t.id == id && mine(&t.tags)),
                Target::Group(name) => group_ok(name),
                Target::Policy(group, name) => group_ok(group) && is_our_policy_name(group, name),
            };
            if !ok {
                return Err(format!(
                    "{op:?} in {} touches {target:?}, which this topology does not own",
                    change.region
                ));
            }
            let deletes = matches!(
                op,
                topoplan_exports::aws::Op::DeleteAutoScalingGroup { .. }
                    | topoplan_exports::aws::Op::DeleteLaunchTemplate { .. }
            );
            if deletes && !plan.options.prune {
                return Err(format!("{op:?} deletes without prune"));
            }
        }
    }
    Ok(())
}
