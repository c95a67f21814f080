//! Services: per region, a launch template (`IMDSv2` required, encrypted gp3
//! root volume, detailed monitoring, the instance profile), an autoscaling
//! group across the node's AZs registered with the target groups of the
//! load balancers that forward to it, and its scaling policy (target
//! tracking on average CPU at the node's target, with the node's warm-up;
//! step scaling with CloudWatch alarms; or predictive scaling on top of
//! target tracking). The instance role (in `global.tf`) grants exactly what
//! the node's edges need: sending to and receiving from its queues, reading
//! or writing its buckets, producing to and consuming from its Kafka topics.

use hcl::Block;
use hcl::expr::Expression;
use topoplan_core::model::{
    EdgeKind, HealthCheckType, Node, NodeSpec, Platform, QueueEngine, Requests, ScalingPolicy,
    ServiceSpec,
};

use super::dsl::{self, Part, res, string};
use super::{
    Ctx, Out, OutputDef, RegionCtx, Section, Sizing, encryption, iam, load_balancer, network,
    security, variables,
};

/// min, desired and max in a region, after the deployment mode's sizing.
pub(crate) fn sizes(spec: &ServiceSpec, sizing: Sizing) -> (u32, u32, u32) {
    match sizing {
        Sizing::Full => (spec.min, spec.desired, spec.max),
        Sizing::WarmStandby(fraction) => {
            let f = fraction.clamp(0.0, 1.0);
            (scaled(spec.min, f), scaled(spec.desired, f), spec.max)
        }
        Sizing::PilotLight => (0, 0, spec.max),
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the product of a u32 and a share in 0..=1, rounded up, fits a u32"
)]
fn scaled(value: u32, share: f64) -> u32 {
    (f64::from(value) * share).ceil() as u32
}

/// CloudWatch accepts periods of 10, 20 or 30 seconds or a multiple of 60.
pub(crate) fn alarm_period(secs: u32) -> u32 {
    match secs {
        0..=10 => 10,
        11..=20 => 20,
        21..=30 => 30,
        _ => secs.div_ceil(60) * 60,
    }
}

/// CPU percent with one decimal, as CloudWatch shows it.
fn percent(share: f64) -> f64 {
    (share * 1000.0).round() / 10.0
}

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &ServiceSpec, out: &mut Out) {
    let placements = ctx.placements(node);
    if placements.is_empty() {
        return;
    }
    let profile = instance_role(ctx, node, out);
    let mut no_load_balancer: Vec<&str> = Vec::new();
    for (region, azs) in &placements {
        let mut s = Section::placed(node, region, azs);
        security::group(ctx, node, region, &mut s, out);
        let target_groups = load_balancer::target_groups_for(ctx, node, region);
        if spec.health_check == HealthCheckType::Elb && target_groups.is_empty() {
            no_load_balancer.push(&region.id);
        }
        launch_template(ctx, node, spec, region, &profile, &mut s, out);
        autoscaling_group(ctx, node, spec, region, azs, target_groups, &mut s, out);
        scaling(ctx, node, spec, region, &mut s, out);
        out.output(OutputDef {
            name: format!("{}_asg_name", ctx.label(node, region)),
            description: format!("Autoscaling group of {} in {}", node.id, region.id),
            value: res("aws_autoscaling_group", &ctx.label(node, region), "name"),
            sensitive: false,
            node: Some(node.id.clone()),
        });
        out.add(&region.file, s);
    }
    if !no_load_balancer.is_empty() {
        out.warn(
            node,
            "health-check",
            format!(
                "health_check is elb, but no load balancer forwards to it in {}: the \
                 autoscaling group there uses EC2 status checks",
                no_load_balancer.join(", ")
            ),
        );
    }
    match spec.platform {
        Platform::Ec2 => {}
        Platform::Ecs | Platform::Eks => out.assume(
            "ECS/EKS hosts allow one metadata hop: containers get AWS credentials from task \
             roles or EKS Pod Identity, not from the instance role.",
        ),
    }
    match spec.platform {
        Platform::Ec2 => {}
        Platform::Ecs => out.warn(
            node,
            "platform-ecs",
            "runs on ECS: exported as its EC2 capacity (launch template, autoscaling group, \
             scaling policy); the ECS cluster, capacity provider, task definitions and services \
             are not generated, and the AMI must be an ECS-optimized one that joins the cluster",
        ),
        Platform::Eks => out.warn(
            node,
            "platform-eks",
            "runs on EKS: exported as its worker capacity (launch template, autoscaling group, \
             scaling policy); the EKS cluster, the node group registration (bootstrap user data, \
             aws-auth) and the Kubernetes workloads are not generated",
        ),
    }
    if alarm_period(spec.metric_period_secs) != spec.metric_period_secs
        && spec.scaling == ScalingPolicy::Step
    {
        out.warn(
            node,
            "metric-period",
            format!(
                "metric_period_secs {} is not a CloudWatch period: the alarms use {} seconds",
                spec.metric_period_secs,
                alarm_period(spec.metric_period_secs)
            ),
        );
    }
}

fn launch_template(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &ServiceSpec,
    region: &RegionCtx,
    profile: &str,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let name = out.claim(
        format!("aws_launch_template/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 128),
        Some(node),
    );
    let description: String = node.name.chars().take(255).collect();
    let mut b = dsl::resource("aws_launch_template", &label)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("name", string(name.as_str())))
        .add_attribute(dsl::attr("description", string(description)))
        .add_attribute(dsl::attr("image_id", variables::ami(region, out)))
        .add_attribute(dsl::attr(
            "instance_type",
            string(spec.instance_type.as_str()),
        ))
        .add_attribute(dsl::attr("update_default_version", true))
        .add_attribute(dsl::attr(
            "vpc_security_group_ids",
            dsl::list([security::id(ctx, node, region)]),
        ))
        .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
        .add_block(dsl::attrs_block(
            "iam_instance_profile",
            vec![("arn", res("aws_iam_instance_profile", profile, "arn"))],
        ))
        .add_block(dsl::attrs_block(
            "metadata_options",
            vec![
                ("http_endpoint", string("enabled")),
                ("http_tokens", string("required")),
                // One hop: containers on ECS/EKS hosts cannot reach the
                // instance's credentials (they use task roles / pod identity).
                ("http_put_response_hop_limit", 1.into()),
            ],
        ))
        .add_block(dsl::attrs_block(
            "monitoring",
            vec![("enabled", (spec.metric_period_secs < 300).into())],
        ))
        .add_block(
            dsl::block("block_device_mappings")
                .add_attribute(dsl::attr("device_name", string("/dev/xvda")))
                .add_block(dsl::attrs_block(
                    "ebs",
                    vec![
                        ("volume_size", variables::root_volume_size(out)),
                        ("volume_type", string("gp3")),
                        ("encrypted", true.into()),
                        ("delete_on_termination", true.into()),
                    ],
                ))
                .build(),
        );
    for resource_type in ["instance", "volume"] {
        b = b.add_block(
            dsl::block("tag_specifications")
                .add_attribute(dsl::attr("resource_type", string(resource_type)))
                .add_attribute(dsl::attr(
                    "tags",
                    dsl::object([
                        ("Name", string(name.as_str())),
                        (super::TAG_NODE, string(node.id.as_str())),
                        (super::TAG_TOPOLOGY, string(ctx.topology_id.as_str())),
                    ]),
                ))
                .build(),
        );
    }
    s.push(b.build());
}

#[expect(clippy::too_many_arguments, reason = "one group, its many inputs")]
fn autoscaling_group(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &ServiceSpec,
    region: &RegionCtx,
    azs: &[String],
    target_groups: Vec<Expression>,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let name = out.claim(
        format!("aws_autoscaling_group/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 255),
        Some(node),
    );
    let (min, desired, max) = sizes(spec, region.sizing);
    let health = if spec.health_check == HealthCheckType::Elb && !target_groups.is_empty() {
        "ELB"
    } else {
        "EC2"
    };
    let mut b = dsl::resource("aws_autoscaling_group", &label)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("name", string(name.as_str())))
        .add_attribute(dsl::attr("min_size", min))
        .add_attribute(dsl::attr("desired_capacity", desired))
        .add_attribute(dsl::attr("max_size", max))
        .add_attribute(dsl::attr(
            "vpc_zone_identifier",
            network::subnet_ids(network::Tier::Private, azs),
        ))
        .add_attribute(dsl::attr("health_check_type", string(health)))
        .add_attribute(dsl::attr(
            "health_check_grace_period",
            spec.health_check_grace_secs,
        ))
        .add_attribute(dsl::attr("default_instance_warmup", spec.warmup_secs));
    if !target_groups.is_empty() {
        b = b.add_attribute(dsl::attr("target_group_arns", dsl::list(target_groups)));
    }
    b = b
        .add_block(dsl::attrs_block(
            "launch_template",
            vec![
                ("id", res("aws_launch_template", &label, "id")),
                (
                    "version",
                    res("aws_launch_template", &label, "latest_version"),
                ),
            ],
        ))
        .add_block(
            dsl::block("instance_refresh")
                .add_attribute(dsl::attr("strategy", string("Rolling")))
                .add_block(dsl::attrs_block(
                    "preferences",
                    vec![("min_healthy_percentage", 90.into())],
                ))
                .build(),
        );
    for (key, value) in [
        ("Name", name.as_str()),
        (super::TAG_NODE, node.id.as_str()),
        (super::TAG_TOPOLOGY, ctx.topology_id.as_str()),
    ] {
        b = b.add_block(dsl::attrs_block(
            "tag",
            vec![
                ("key", string(key)),
                ("value", string(value)),
                ("propagate_at_launch", true.into()),
            ],
        ));
    }
    // Scaling moves the desired capacity; Terraform must not move it back.
    b = b.add_block(dsl::attrs_block(
        "lifecycle",
        vec![("ignore_changes", dsl::list([dsl::name("desired_capacity")]))],
    ));
    s.push(b.build());
    match region.sizing {
        Sizing::Full => {}
        Sizing::WarmStandby(f) => out.assume(format!(
            "Warm standby: in secondary regions each service's min and desired capacity are \
             {:.0}% of the primary's (rounded up), and max is the same, so the standby can scale \
             up after a failover.",
            f * 100.0
        )),
        Sizing::PilotLight => out.assume(
            "Pilot light: in secondary regions each service's autoscaling group has min and \
             desired 0 (max unchanged); scale it up as part of the failover runbook.",
        ),
    }
}

fn scaling(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &ServiceSpec,
    region: &RegionCtx,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let asg_name = res("aws_autoscaling_group", &label, "name");
    let base = ctx.name(&[&ctx.dashed(node), &region.id], 200);
    let target = percent(spec.target_cpu);
    if matches!(
        spec.scaling,
        ScalingPolicy::TargetTracking | ScalingPolicy::Predictive
    ) {
        s.push(
            dsl::resource("aws_autoscaling_policy", &format!("{label}_cpu"))
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr("name", string(format!("{base}-cpu-target"))))
                .add_attribute(dsl::attr("autoscaling_group_name", asg_name.clone()))
                .add_attribute(dsl::attr("policy_type", string("TargetTrackingScaling")))
                .add_attribute(dsl::attr("estimated_instance_warmup", spec.warmup_secs))
                .add_block(
                    dsl::block("target_tracking_configuration")
                        .add_attribute(dsl::attr("target_value", target))
                        .add_block(dsl::attrs_block(
                            "predefined_metric_specification",
                            vec![("predefined_metric_type", string("ASGAverageCPUUtilization"))],
                        ))
                        .build(),
                )
                .build(),
        );
    }
    match spec.scaling {
        ScalingPolicy::TargetTracking => {}
        ScalingPolicy::Predictive => {
            s.push(
                dsl::resource("aws_autoscaling_policy", &format!("{label}_predictive"))
                    .add_attribute(dsl::attr("provider", region.provider()))
                    .add_attribute(dsl::attr("name", string(format!("{base}-cpu-forecast"))))
                    .add_attribute(dsl::attr("autoscaling_group_name", asg_name))
                    .add_attribute(dsl::attr("policy_type", string("PredictiveScaling")))
                    .add_block(
                        dsl::block("predictive_scaling_configuration")
                            .add_attribute(dsl::attr("mode", string("ForecastAndScale")))
                            .add_attribute(dsl::attr("scheduling_buffer_time", spec.warmup_secs))
                            .add_block(
                                dsl::block("metric_specification")
                                    .add_attribute(dsl::attr("target_value", target))
                                    .add_block(dsl::attrs_block(
                                        "predefined_metric_pair_specification",
                                        vec![(
                                            "predefined_metric_type",
                                            string("ASGCPUUtilization"),
                                        )],
                                    ))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            );
            out.assume(
                "Predictive scaling forecasts from 14 days of CPU history and schedules capacity \
                 ahead of the forecast; target tracking handles what the forecast misses.",
            );
        }
        ScalingPolicy::Step => step_scaling(ctx, node, spec, region, &base, s, out),
    }
}

/// Step scaling: add 1 instance above the target, 2 when 15 points above;
/// remove 1 when 20 points below.
fn step_scaling(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &ServiceSpec,
    region: &RegionCtx,
    base: &str,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let target = percent(spec.target_cpu);
    let low = (target - 20.0).max(5.0);
    let period = alarm_period(spec.metric_period_secs);
    let step = |lower: Option<f64>, upper: Option<f64>, adjustment: i64| {
        let mut b = dsl::block("step_adjustment")
            .add_attribute(dsl::attr("scaling_adjustment", adjustment));
        if let Some(lower) = lower {
            b = b.add_attribute(dsl::attr("metric_interval_lower_bound", lower));
        }
        if let Some(upper) = upper {
            b = b.add_attribute(dsl::attr("metric_interval_upper_bound", upper));
        }
        b.build()
    };
    let policy = |suffix: &str, steps: Vec<Block>| {
        let mut b = dsl::resource("aws_autoscaling_policy", &format!("{label}_{suffix}"))
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr(
                "name",
                string(format!("{base}-{}", suffix.replace('_', "-"))),
            ))
            .add_attribute(dsl::attr(
                "autoscaling_group_name",
                res("aws_autoscaling_group", &label, "name"),
            ))
            .add_attribute(dsl::attr("policy_type", string("StepScaling")))
            .add_attribute(dsl::attr("adjustment_type", string("ChangeInCapacity")))
            .add_attribute(dsl::attr("metric_aggregation_type", string("Average")))
            .add_attribute(dsl::attr("estimated_instance_warmup", spec.warmup_secs));
        for step in steps {
            b = b.add_block(step);
        }
        b.build()
    };
    s.push(policy(
        "scale_out",
        vec![step(Some(0.0), Some(15.0), 1), step(Some(15.0), None, 2)],
    ));
    s.push(policy("scale_in", vec![step(None, Some(0.0), -1)]));
    for (suffix, comparison, threshold, policy_suffix) in [
        (
            "cpu_high",
            "GreaterThanOrEqualToThreshold",
            target,
            "scale_out",
        ),
        ("cpu_low", "LessThanOrEqualToThreshold", low, "scale_in"),
    ] {
        s.push(
            dsl::resource("aws_cloudwatch_metric_alarm", &format!("{label}_{suffix}"))
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr(
                    "alarm_name",
                    string(format!("{base}-{}", suffix.replace('_', "-"))),
                ))
                .add_attribute(dsl::attr("namespace", string("AWS/EC2")))
                .add_attribute(dsl::attr("metric_name", string("CPUUtilization")))
                .add_attribute(dsl::attr("statistic", string("Average")))
                .add_attribute(dsl::attr("period", period))
                .add_attribute(dsl::attr("evaluation_periods", 3))
                .add_attribute(dsl::attr("comparison_operator", string(comparison)))
                .add_attribute(dsl::attr("threshold", threshold))
                .add_attribute(dsl::attr(
                    "dimensions",
                    dsl::object([(
                        "AutoScalingGroupName",
                        res("aws_autoscaling_group", &label, "name"),
                    )]),
                ))
                .add_attribute(dsl::attr(
                    "alarm_actions",
                    dsl::list([res(
                        "aws_autoscaling_policy",
                        &format!("{label}_{policy_suffix}"),
                        "arn",
                    )]),
                ))
                .add_attribute(dsl::attr(
                    "tags",
                    Ctx::tags(node, &format!("{base}-{suffix}")),
                ))
                .build(),
        );
    }
    out.assume(
        "Step scaling: one instance is added when average CPU reaches the target, two when it \
         is 15 points above; one is removed when it is 20 points below (at least 5%), each \
         after 3 periods.",
    );
}

/// The node's instance role, policy and profile in `global.tf`; returns the
/// profile's label.
fn instance_role(ctx: &Ctx<'_>, node: &Node, out: &mut Out) -> String {
    let label = ctx.ident(node);
    let mut s = Section::node(node, "instance role");
    let statements = statements(ctx, node);
    iam::role(
        ctx,
        &mut s,
        out,
        Some(node),
        &label,
        &ctx.dashed(node),
        "ec2.amazonaws.com",
        &[("AmazonSSMManagedInstanceCore", "ssm")],
        statements,
    );
    let profile = out.claim(
        "aws_iam_instance_profile".to_owned(),
        ctx.name(&[&ctx.dashed(node)], 128),
        Some(node),
    );
    s.push(
        iam::global_resource(ctx, "aws_iam_instance_profile", &label)
            .add_attribute(dsl::attr("name", string(profile.as_str())))
            .add_attribute(dsl::attr("role", res("aws_iam_role", &label, "name")))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &profile)))
            .build(),
    );
    out.add(iam::GLOBAL_FILE, s);
    out.assume(
        "Instances are reached through SSM Session Manager (the instance roles carry \
         AmazonSSMManagedInstanceCore); no SSH port is open.",
    );
    label
}

/// The exported regional resources of `target`: `(region, label)`.
fn regional<'a>(ctx: &'a Ctx<'_>, target: &Node) -> Vec<&'a RegionCtx> {
    ctx.placements(target).into_iter().map(|(r, _)| r).collect()
}

/// Least-privilege statements following the node's edges.
fn statements(ctx: &Ctx<'_>, node: &Node) -> Vec<Block> {
    let mut statements = Vec::new();
    let mut key_regions: Vec<String> = Vec::new();
    let mut add_keys = |regions: &[&RegionCtx]| {
        for r in regions {
            if !key_regions.contains(&r.id) {
                key_regions.push(r.id.clone());
            }
        }
    };
    let arns = |target: &Node, ty: &str, attr: &str| -> Vec<Expression> {
        regional(ctx, target)
            .into_iter()
            .map(|r| res(ty, &ctx.label(target, r), attr))
            .collect()
    };
    let kafka_arns = |target: &Node, kind: &str| -> Vec<Expression> {
        regional(ctx, target)
            .into_iter()
            .map(|r| {
                dsl::template(vec![
                    Part::Interp(dsl::call(
                        "replace",
                        [
                            res("aws_msk_cluster", &ctx.label(target, r), "arn"),
                            string(":cluster/"),
                            string(format!(":{kind}/")),
                        ],
                    )),
                    Part::Text("/*"),
                ])
            })
            .collect()
    };
    for e in ctx.outgoing(&node.id) {
        let target = e.to;
        let target_regions = regional(ctx, target);
        if target_regions.is_empty() {
            continue;
        }
        match (&target.spec, e.edge.kind) {
            (NodeSpec::Queue(q), EdgeKind::Publish | EdgeKind::Call)
                if q.engine == QueueEngine::Sqs =>
            {
                statements.push(iam::statement(
                    &iam::sid(&["SendTo", &ctx.ident(target)]),
                    "Allow",
                    &[
                        "sqs:GetQueueAttributes",
                        "sqs:GetQueueUrl",
                        "sqs:SendMessage",
                    ],
                    arns(target, "aws_sqs_queue", "arn"),
                    None,
                    Vec::new(),
                ));
                add_keys(&target_regions);
            }
            (NodeSpec::Queue(q), EdgeKind::Publish | EdgeKind::Call)
                if q.engine == QueueEngine::Kafka =>
            {
                statements.push(iam::statement(
                    &iam::sid(&["ConnectTo", &ctx.ident(target)]),
                    "Allow",
                    &["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
                    arns(target, "aws_msk_cluster", "arn"),
                    None,
                    Vec::new(),
                ));
                statements.push(iam::statement(
                    &iam::sid(&["ProduceTo", &ctx.ident(target)]),
                    "Allow",
                    &["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"],
                    kafka_arns(target, "topic"),
                    None,
                    Vec::new(),
                ));
            }
            (NodeSpec::ObjectStore(_), EdgeKind::Call | EdgeKind::Publish) => {
                let objects: Vec<Expression> = arns(target, "aws_s3_bucket", "arn")
                    .into_iter()
                    .map(|arn| dsl::template(vec![Part::Interp(arn), Part::Text("/*")]))
                    .collect();
                let (read, write) = match e.edge.requests {
                    Requests::All => (true, true),
                    Requests::Reads => (true, false),
                    Requests::Writes => (false, true),
                };
                if read {
                    statements.push(iam::statement(
                        &iam::sid(&["List", &ctx.ident(target)]),
                        "Allow",
                        &["s3:ListBucket"],
                        arns(target, "aws_s3_bucket", "arn"),
                        None,
                        Vec::new(),
                    ));
                }
                let mut actions = Vec::new();
                if read {
                    actions.push("s3:GetObject");
                }
                if write {
                    actions.extend(["s3:DeleteObject", "s3:PutObject"]);
                }
                statements.push(iam::statement(
                    &iam::sid(&[if write { "ReadWrite" } else { "Read" }, &ctx.ident(target)]),
                    "Allow",
                    &actions,
                    objects,
                    None,
                    Vec::new(),
                ));
                add_keys(&target_regions);
            }
            _ => {}
        }
    }
    for e in ctx.incoming(&node.id) {
        let source = e.from;
        if e.edge.kind != EdgeKind::Consume {
            continue;
        }
        let source_regions = regional(ctx, source);
        if source_regions.is_empty() {
            continue;
        }
        match &source.spec {
            NodeSpec::Queue(q) if q.engine == QueueEngine::Sqs => {
                statements.push(iam::statement(
                    &iam::sid(&["ReceiveFrom", &ctx.ident(source)]),
                    "Allow",
                    &[
                        "sqs:ChangeMessageVisibility",
                        "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes",
                        "sqs:GetQueueUrl",
                        "sqs:ReceiveMessage",
                    ],
                    arns(source, "aws_sqs_queue", "arn"),
                    None,
                    Vec::new(),
                ));
                add_keys(&source_regions);
            }
            NodeSpec::Queue(q) if q.engine == QueueEngine::Kafka => {
                statements.push(iam::statement(
                    &iam::sid(&["ConnectTo", &ctx.ident(source)]),
                    "Allow",
                    &["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
                    arns(source, "aws_msk_cluster", "arn"),
                    None,
                    Vec::new(),
                ));
                let mut topics = kafka_arns(source, "topic");
                topics.extend(kafka_arns(source, "group"));
                statements.push(iam::statement(
                    &iam::sid(&["ConsumeFrom", &ctx.ident(source)]),
                    "Allow",
                    &[
                        "kafka-cluster:AlterGroup",
                        "kafka-cluster:DescribeGroup",
                        "kafka-cluster:DescribeTopic",
                        "kafka-cluster:ReadData",
                    ],
                    topics,
                    None,
                    Vec::new(),
                ));
            }
            _ => {}
        }
    }
    // Two edges to one target give one statement each; keep the first.
    let mut seen = std::collections::BTreeSet::new();
    statements.retain(|st| {
        let sid = st
            .body()
            .attributes()
            .find(|a| a.key() == "sid")
            .map(|a| super::format::compact(a.expr()))
            .unwrap_or_default();
        seen.insert(sid)
    });
    if !key_regions.is_empty() {
        statements.push(iam::statement(
            "UseTheDataKeys",
            "Allow",
            &["kms:Decrypt", "kms:GenerateDataKey"],
            key_regions
                .iter()
                .filter_map(|id| ctx.region(id))
                .map(encryption::key_arn)
                .collect(),
            None,
            Vec::new(),
        ));
    }
    statements
}
