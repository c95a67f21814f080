//! Reading the account: the launch templates, autoscaling groups, scaling
//! policies and subnets a plan needs, with batched, filtered, paginated
//! Describe calls, regions in parallel. Nothing here writes.
//!
//! Per region, first (side by side):
//! - `DescribeLaunchTemplates` filtered by this topology's tag, and by the
//!   names the document wants (to find collisions with what is not ours);
//! - `DescribeAutoScalingGroups` likewise (tag filter; names);
//! - `DescribeSubnets` for the document's subnet lookups.
//!
//! Then `DescribeLaunchTemplateVersions` (`$Default` of every template, one
//! batch; per template when only a few) and `DescribePolicies` by the names
//! topoplan gives policies (50 per call).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_autoscaling::types as asg;
use aws_sdk_ec2::types as ec2;

use super::client::{Clients, RegionClients};
use super::desired::{Desired, LaunchTemplateData, SubnetLookups};
use super::error::ApiError;
use super::observed::{
    Observed, ObservedGroup, ObservedLaunchTemplate, ObservedPolicy, ObservedRegion,
    ObservedSubnet, TemplateRef,
};
use super::ownership::{Owner, PolicyKind, TAG_TOPOLOGY, Tags, policy_name};
use super::progress::{Event, Progress};
use super::retry::{RetryPolicy, retrying};

/// Reads every region of `desired` in parallel, and the caller's account.
pub async fn read(
    clients: &Clients,
    desired: &Desired,
    retry: &RetryPolicy,
    progress: &Progress,
) -> Result<Observed, ApiError> {
    let account = async {
        retrying(retry, progress, None, "caller identity", || {
            clients.caller_account()
        })
        .await
    };
    let regions = desired.regions.iter().map(|region| {
        let rc = clients.region(region);
        async move {
            progress(&Event::ReadStarted {
                region: region.clone(),
            });
            let r = Box::pin(read_region(&rc, desired, retry, progress)).await?;
            progress(&Event::ReadFinished {
                region: region.clone(),
                launch_templates: r.launch_templates.len(),
                groups: r.groups.len(),
                policies: r.policies.len(),
            });
            Ok::<_, ApiError>((region.clone(), r))
        }
    });
    let (account, regions) = tokio::join!(account, join_all(regions));
    let mut observed = Observed {
        account_id: Some(account?),
        regions: BTreeMap::new(),
    };
    for r in regions {
        let (region, r) = r?;
        observed.regions.insert(region, r);
    }
    observed.normalize();
    Ok(observed)
}

/// Runs futures concurrently and returns their outputs in order.
async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

async fn read_region(
    rc: &RegionClients,
    desired: &Desired,
    retry: &RetryPolicy,
    progress: &Progress,
) -> Result<ObservedRegion, ApiError> {
    let topology = desired.topology_id.as_str();
    let region = rc.region.as_str();
    let names: BTreeSet<String> = desired
        .groups_in(region)
        .flat_map(|g| [g.launch_template.name.clone(), g.asg.name.clone()])
        .collect();
    let names: Vec<String> = names.into_iter().collect();
    let lookups = desired.subnet_lookups(region);

    let (tagged_lts, named_lts, tagged_groups, named_groups, subnets) = tokio::try_join!(
        launch_templates(
            rc,
            retry,
            progress,
            ec2_filter(&format!("tag:{TAG_TOPOLOGY}"), &[topology])
        ),
        launch_templates_named(rc, retry, progress, &names),
        groups(rc, retry, progress, Some(topology), &[]),
        groups_named(rc, retry, progress, &names),
        subnets(rc, retry, progress, &lookups),
    )?;

    let mut templates: BTreeMap<String, ec2::LaunchTemplate> = BTreeMap::new();
    for lt in tagged_lts.into_iter().chain(named_lts) {
        if let Some(id) = lt.launch_template_id() {
            templates.insert(id.to_owned(), lt);
        }
    }
    let mut group_map: BTreeMap<String, asg::AutoScalingGroup> = BTreeMap::new();
    for g in tagged_groups.into_iter().chain(named_groups) {
        if let Some(name) = g.auto_scaling_group_name() {
            group_map.insert(name.to_owned(), g);
        }
    }

    // Policies: the names topoplan would give, for every group that is
    // ours or that the document wants.
    let mut policy_names = BTreeSet::new();
    for (name, g) in &group_map {
        let ours = matches!(Owner::of(&group_tags(g), topology), Owner::Ours { .. });
        if ours {
            for kind in PolicyKind::ALL {
                policy_names.insert(policy_name(name, kind));
            }
        }
    }
    let policy_names: Vec<String> = policy_names.into_iter().collect();
    let ids: Vec<String> = templates.keys().cloned().collect();
    let (versions, policies) = tokio::try_join!(
        default_versions(rc, retry, progress, &ids),
        policies(rc, retry, progress, &policy_names),
    )?;

    let mut out = ObservedRegion::default();
    for (id, lt) in &templates {
        out.launch_templates.push(ObservedLaunchTemplate {
            id: id.clone(),
            name: lt.launch_template_name().unwrap_or_default().to_owned(),
            tags: ec2_tags(lt.tags()),
            default_version: lt.default_version_number().unwrap_or(1),
            latest_version: lt.latest_version_number().unwrap_or(1),
            default_data: versions.get(id).cloned(),
        });
    }
    for g in group_map.values() {
        out.groups.push(observed_group(g));
    }
    for p in &policies {
        // Only policies of groups that are ours (names alone prove nothing).
        let Some(group) = p.auto_scaling_group_name() else {
            continue;
        };
        let ours = group_map
            .get(group)
            .is_some_and(|g| matches!(Owner::of(&group_tags(g), topology), Owner::Ours { .. }));
        if ours {
            out.policies.push(observed_policy(p));
        }
    }
    out.subnets = subnets;
    Ok(out)
}

fn ec2_filter(name: &str, values: &[&str]) -> ec2::Filter {
    ec2::Filter::builder()
        .name(name)
        .set_values(Some(values.iter().map(|v| (*v).to_owned()).collect()))
        .build()
}

fn ec2_tags(tags: &[ec2::Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

fn group_tags(g: &asg::AutoScalingGroup) -> Tags {
    g.tags()
        .iter()
        .filter_map(|t| {
            Some((
                t.key()?.to_owned(),
                t.value().unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

async fn launch_templates(
    rc: &RegionClients,
    retry: &RetryPolicy,
    progress: &Progress,
    filter: ec2::Filter,
) -> Result<Vec<ec2::LaunchTemplate>, ApiError> {
    all_pages(retry, progress, "launch templates", |token| {
        let req = rc
            .ec2
            .describe_launch_templates()
            .filters(filter.clone())
            .max_results(200)
            .set_next_token(token);
        async move {
            let out = req
                .send()
                .await
                .map_err(|e| ApiError::from_sdk("ec2", "DescribeLaunchTemplates", &e))?;
            Ok((
                out.launch_templates().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        }
    })
    .await
}

/// Every page of a paginated call: `page(token)` makes one request (retried
/// on throttling and server errors) and gives its items and the next token.
async fn all_pages<T, F, Fut>(
    retry: &RetryPolicy,
    progress: &Progress,
    what: &str,
    mut page: F,
) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let (items, next) = retrying(retry, progress, None, what, || page(token.clone())).await?;
        out.extend(items);
        match next {
            Some(next) if !next.is_empty() => token = Some(next),
            _ => return Ok(out),
        }
    }
}

/// Launch templates with these names, whoever owns them (a filter, not
/// `LaunchTemplateNames`, which fails when one does not exist).
async fn launch_templates_named(
    rc: &RegionClients,
    retry: &RetryPolicy,
    progress: &Progress,
    names: &[String],
) -> Result<Vec<ec2::LaunchTemplate>, ApiError> {
    let mut out = Vec::new();
    for chunk in names.chunks(200) {
        let values: Vec<&str> = chunk.iter().map(String::as_str).collect();
        out.extend(
            launch_templates(
                rc,
                retry,
                progress,
                ec2_filter("launch-template-name", &values),
            )
            .await?,
        );
    }
    Ok(out)
}

/// The `$Default` version's settings of each template in `ids`: one
/// account-wide batch when there are several, else one call each.
async fn default_versions(
    rc: &RegionClients,
    retry: &RetryPolicy,
    progress: &Progress,
    ids: &[String],
) -> Result<BTreeMap<String, LaunchTemplateData>, ApiError> {
    let mut found = BTreeMap::new();
    if ids.len() > 3 {
        let versions = all_pages(retry, progress, "launch template versions", |token| {
            let req = rc
                .ec2
                .describe_launch_template_versions()
                .versions("$Default")
                .max_results(200)
                .set_next_token(token);
            async move {
                let out = req
                    .send()
                    .await
                    .map_err(|e| ApiError::from_sdk("ec2", "DescribeLaunchTemplateVersions", &e))?;
                Ok((
                    out.launch_template_versions().to_vec(),
                    out.next_token().map(str::to_owned),
                ))
            }
        })
        .await?;
        for v in &versions {
            if let (Some(id), Some(data)) = (v.launch_template_id(), v.launch_template_data())
                && ids.iter().any(|i| i == id)
            {
                found.insert(id.to_owned(), template_data(data));
            }
        }
    }
    // One by one: few templates, or ones the batch did not return.
    let missing: Vec<&String> = ids.iter().filter(|id| !found.contains_key(*id)).collect();
    for id in missing {
        let page = retrying(retry, progress, None, id, || {
            let req = rc
                .ec2
                .describe_launch_template_versions()
                .launch_template_id(id)
                .versions("$Default");
            async move {
                req.send()
                    .await
                    .map_err(|e| ApiError::from_sdk("ec2", "DescribeLaunchTemplateVersions", &e))
            }
        })
        .await;
        match page {
            Ok(page) => {
                if let Some(data) = page
                    .launch_template_versions()
                    .first()
                    .and_then(|v| v.launch_template_data())
                {
                    found.insert(id.clone(), template_data(data));
                }
            }
            // Deleted between the two calls: it will show as missing.
            Err(e)
                if e.code
                    .as_deref()
                    .is_some_and(|c| c.starts_with("InvalidLaunchTemplate")) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}

/// The settings topoplan manages, as AWS reports them.
pub(crate) fn template_data(d: &ec2::ResponseLaunchTemplateData) -> LaunchTemplateData {
    let mut security_group_ids: Vec<String> = d.security_group_ids().to_vec();
    security_group_ids.sort();
    security_group_ids.dedup();
    LaunchTemplateData {
        image_id: d.image_id().unwrap_or_default().to_owned(),
        instance_type: d
            .instance_type()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        security_group_ids,
        user_data: d.user_data().filter(|u| !u.is_empty()).map(str::to_owned),
        iam_instance_profile: d
            .iam_instance_profile()
            .and_then(|p| p.arn().or(p.name()))
            .map(str::to_owned),
        key_name: d.key_name().map(str::to_owned),
        metadata_http_tokens: d
            .metadata_options()
            .and_then(|m| m.http_tokens())
            .map(|t| t.as_str().to_owned()),
    }
}

/// Groups carrying this topology's tag (`topology`), paginated.
async fn groups(
    rc: &RegionClients,
    retry: &RetryPolicy,
    progress: &Progress,
    topology: Option<&str>,
    names: &[String],
) -> Result<Vec<asg::AutoScalingGroup>, ApiError> {
    let filter = topology.map(|t| {
        asg::Filter::builder()
            .name(format!("tag:{TAG_TOPOLOGY}"))
            .values(t)
            .build()
    });
    all_pages(retry, progress, "autoscaling groups", |token| {
        let req = rc
            .autoscaling
            .describe_auto_scaling_groups()
            .set_filters(filter.clone().map(|f| vec![f]))
            .set_auto_scaling_group_names((!names.is_empty()).then(|| names.to_vec()))
            .max_records(100)
            .set_next_token(token);
        async move {
            let out = req
                .send()
                .await
                .map_err(|e| ApiError::from_sdk("autoscaling", "DescribeAutoScalingGroups", &e))?;
            Ok((
                out.auto_scaling_groups().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        }
    })
    .await
}

/// Groups with these names, whoever owns them.
async fn groups_named(
    rc: &RegionClients,
    retry: &RetryPolicy,
    progress: &Progress,
    names: &[String],
) -> Result<Vec<asg::AutoScalingGroup>, ApiError> {
    let mut out = Vec::new();
    for chunk in names.chunks(100) {
        out.extend(groups(rc, retry, progress, None, chunk).await?);
    }
    Ok(out)
}

pub(crate) fn observed_group(g: &asg::AutoScalingGroup) -> ObservedGroup {
    let mut subnet_ids: Vec<String> = g
        .vpc_zone_identifier()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    subnet_ids.sort();
    let mut target_group_arns = g.target_group_arns().to_vec();
    target_group_arns.sort();
    let template = g.launch_template().or_else(|| {
        g.mixed_instances_policy()
            .and_then(|m| m.launch_template())
            .and_then(|t| t.launch_template_specification())
    });
    ObservedGroup {
        name: g.auto_scaling_group_name().unwrap_or_default().to_owned(),
        tags: group_tags(g),
        min: g.min_size().unwrap_or(0),
        max: g.max_size().unwrap_or(0),
        desired: g.desired_capacity().unwrap_or(0),
        subnet_ids,
        health_check_type: g.health_check_type().unwrap_or("EC2").to_owned(),
        health_check_grace_secs: g.health_check_grace_period(),
        default_instance_warmup_secs: g.default_instance_warmup(),
        launch_template: template.map(|t| TemplateRef {
            id: t.launch_template_id().map(str::to_owned),
            name: t.launch_template_name().map(str::to_owned),
            version: t.version().map(str::to_owned),
        }),
        target_group_arns,
        status: g.status().map(str::to_owned),
    }
}

/// Policies by name, 50 names per call.
async fn policies(
    rc: &RegionClients,
    retry: &RetryPolicy,
    progress: &Progress,
    names: &[String],
) -> Result<Vec<asg::ScalingPolicy>, ApiError> {
    let mut out = Vec::new();
    for chunk in names.chunks(50) {
        out.extend(
            all_pages(retry, progress, "scaling policies", |token| {
                let req = rc
                    .autoscaling
                    .describe_policies()
                    .set_policy_names(Some(chunk.to_vec()))
                    .max_records(100)
                    .set_next_token(token);
                async move {
                    let out = req
                        .send()
                        .await
                        .map_err(|e| ApiError::from_sdk("autoscaling", "DescribePolicies", &e))?;
                    Ok((
                        out.scaling_policies().to_vec(),
                        out.next_token().map(str::to_owned),
                    ))
                }
            })
            .await?,
        );
    }
    Ok(out)
}

pub(crate) fn observed_policy(p: &asg::ScalingPolicy) -> ObservedPolicy {
    let tt = p.target_tracking_configuration();
    let predictive = p.predictive_scaling_configuration();
    let predictive_spec = predictive.and_then(|c| c.metric_specifications().first());
    ObservedPolicy {
        group: p.auto_scaling_group_name().unwrap_or_default().to_owned(),
        name: p.policy_name().unwrap_or_default().to_owned(),
        policy_type: p.policy_type().unwrap_or_default().to_owned(),
        metric: tt
            .and_then(|t| t.predefined_metric_specification())
            .and_then(|m| m.predefined_metric_type())
            .map(|m| m.as_str().to_owned())
            .or_else(|| {
                predictive_spec
                    .and_then(|s| s.predefined_metric_pair_specification())
                    .and_then(|m| m.predefined_metric_type())
                    .map(|m| m.as_str().to_owned())
            }),
        target_value: tt
            .and_then(asg::TargetTrackingConfiguration::target_value)
            .or_else(|| {
                predictive_spec.and_then(asg::PredictiveScalingMetricSpecification::target_value)
            }),
        estimated_warmup_secs: p.estimated_instance_warmup(),
        disable_scale_in: tt.and_then(asg::TargetTrackingConfiguration::disable_scale_in),
        predictive_mode: predictive
            .and_then(|c| c.mode())
            .map(|m| m.as_str().to_owned()),
        scheduling_buffer_secs: predictive
            .and_then(asg::PredictiveScalingConfiguration::scheduling_buffer_time),
    }
}

/// The subnets the document's lookups can match: by id, and by tags in
/// the AZs that use them.
async fn subnets(
    rc: &RegionClients,
    retry: &RetryPolicy,
    progress: &Progress,
    lookups: &SubnetLookups,
) -> Result<Vec<ObservedSubnet>, ApiError> {
    let mut queries: Vec<Vec<ec2::Filter>> = Vec::new();
    if !lookups.ids.is_empty() {
        let ids: Vec<&str> = lookups.ids.iter().map(String::as_str).collect();
        queries.push(vec![ec2_filter("subnet-id", &ids)]);
    }
    for (tags, azs) in &lookups.by_tags {
        let azs: Vec<&str> = azs.iter().map(String::as_str).collect();
        let mut filters = vec![ec2_filter("availability-zone", &azs)];
        for (k, v) in tags {
            filters.push(ec2_filter(&format!("tag:{k}"), &[v]));
        }
        queries.push(filters);
    }
    let mut out = Vec::new();
    for filters in queries {
        let found = all_pages(retry, progress, "subnets", |token| {
            let req = rc
                .ec2
                .describe_subnets()
                .set_filters(Some(filters.clone()))
                .max_results(1000)
                .set_next_token(token);
            async move {
                let out = req
                    .send()
                    .await
                    .map_err(|e| ApiError::from_sdk("ec2", "DescribeSubnets", &e))?;
                Ok((out.subnets().to_vec(), out.next_token().map(str::to_owned)))
            }
        })
        .await?;
        for s in &found {
            if let Some(id) = s.subnet_id() {
                out.push(ObservedSubnet {
                    id: id.to_owned(),
                    az: s.availability_zone().unwrap_or_default().to_owned(),
                    vpc_id: s.vpc_id().unwrap_or_default().to_owned(),
                    tags: ec2_tags(s.tags()),
                });
            }
        }
    }
    Ok(out)
}
