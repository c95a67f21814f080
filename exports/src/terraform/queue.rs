//! Queues: per region an SQS queue with its dead-letter queue (long
//! polling, encrypted with the region's key, redrive after the node's
//! receive count), or an MSK cluster across the node's AZs (TLS between
//! clients and brokers and among brokers, IAM authentication, encrypted
//! storage, a configuration with the node's partitions and retention).

use topoplan_core::model::{Node, QueueEngine, QueueSpec};

use super::dsl::{self, res, string};
use super::{Ctx, Out, OutputDef, RegionCtx, Section, encryption, network, security, variables};

/// SQS keeps messages at most 14 days.
const MAX_RETENTION_SECS: u64 = 1_209_600;

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &QueueSpec, out: &mut Out) {
    let retention_secs = u64::from(spec.retention_hours) * 3600;
    if spec.engine == QueueEngine::Sqs && retention_secs > MAX_RETENTION_SECS {
        out.warn(
            node,
            "sqs-retention",
            format!(
                "retention_hours {} is more than SQS keeps (336 hours): exported with 14 days",
                spec.retention_hours
            ),
        );
    }
    for (region, azs) in ctx.placements(node) {
        let mut s = if spec.engine == QueueEngine::Kafka {
            Section::placed(node, region, azs)
        } else {
            Section::placed(node, region, &[])
        };
        match spec.engine {
            QueueEngine::Sqs => sqs(
                ctx,
                node,
                spec,
                region,
                retention_secs.clamp(60, MAX_RETENTION_SECS),
                &mut s,
                out,
            ),
            QueueEngine::Kafka => {
                security::group(ctx, node, region, &mut s, out);
                msk(ctx, node, spec, region, azs, &mut s, out);
            }
        }
        out.add(&region.file, s);
    }
}

fn sqs(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &QueueSpec,
    region: &RegionCtx,
    retention_secs: u64,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let dlq = format!("{}_dlq_{}", ctx.ident(node), region.ident);
    let suffix = if spec.fifo { ".fifo" } else { "" };
    let name = out.claim(
        format!("aws_sqs_queue/{}", region.id),
        format!(
            "{}{suffix}",
            ctx.name(&[&ctx.dashed(node), &region.id], 80 - 4 - suffix.len())
        ),
        Some(node),
    );
    let dlq_name = out.claim(
        format!("aws_sqs_queue/{}", region.id),
        format!(
            "{}{suffix}",
            ctx.name(&[&ctx.dashed(node), &region.id, "dlq"], 80 - suffix.len())
        ),
        Some(node),
    );
    let queue = |label: &str, name: &str, retention: u64| {
        let mut b = dsl::resource("aws_sqs_queue", label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("name", string(name)));
        if spec.fifo {
            b = b
                .add_attribute(dsl::attr("fifo_queue", true))
                .add_attribute(dsl::attr("content_based_deduplication", true));
        }
        b.add_attribute(dsl::attr("message_retention_seconds", retention))
            .add_attribute(dsl::attr("kms_master_key_id", encryption::key_arn(region)))
            .add_attribute(dsl::attr("kms_data_key_reuse_period_seconds", 300))
    };
    s.push(
        queue(&dlq, &dlq_name, MAX_RETENTION_SECS)
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &dlq_name)))
            .build(),
    );
    s.push(
        queue(&label, &name, retention_secs)
            .add_attribute(dsl::attr("receive_wait_time_seconds", 20))
            .add_attribute(dsl::attr(
                "redrive_policy",
                dsl::call(
                    "jsonencode",
                    [dsl::object([
                        ("deadLetterTargetArn", res("aws_sqs_queue", &dlq, "arn")),
                        ("maxReceiveCount", spec.max_receive_count.into()),
                    ])],
                ),
            ))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
            .build(),
    );
    s.push(
        dsl::resource("aws_sqs_queue_redrive_allow_policy", &dlq)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("queue_url", res("aws_sqs_queue", &dlq, "id")))
            .add_attribute(dsl::attr(
                "redrive_allow_policy",
                dsl::call(
                    "jsonencode",
                    [dsl::object([
                        ("redrivePermission", string("byQueue")),
                        (
                            "sourceQueueArns",
                            dsl::list([res("aws_sqs_queue", &label, "arn")]),
                        ),
                    ])],
                ),
            ))
            .build(),
    );
    out.output(OutputDef {
        name: format!("{label}_url"),
        description: format!("URL of queue {} in {}", node.id, region.id),
        value: res("aws_sqs_queue", &label, "url"),
        sensitive: false,
        node: Some(node.id.clone()),
    });
    out.assume(
        "SQS queues keep the default 30-second visibility timeout: raise it above your \
         consumers' longest processing time.",
    );
}

fn msk(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &QueueSpec,
    region: &RegionCtx,
    azs: &[String],
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let version = variables::engine_version("kafka_version", "Apache Kafka (MSK)", "3.6.0", out);
    let name = out.claim(
        format!("aws_msk_cluster/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 64),
        Some(node),
    );
    let replication = spec.brokers.clamp(1, 3);
    let min_insync = if replication >= 3 { 2 } else { 1 };
    let properties = vec![
        "auto.create.topics.enable=false".to_owned(),
        format!("default.replication.factor={replication}"),
        format!("min.insync.replicas={min_insync}"),
        format!("num.partitions={}", spec.partitions),
        format!("log.retention.hours={}", spec.retention_hours),
    ];
    s.push(
        dsl::resource("aws_msk_configuration", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("name", string(name.as_str())))
            .add_attribute(dsl::attr("kafka_versions", dsl::list([version.clone()])))
            .add_attribute(dsl::attr("server_properties", dsl::heredoc(&properties, 1)))
            .build(),
    );
    let logs = format!("{label}_broker_logs");
    s.push(encryption::log_group(
        ctx,
        node,
        region,
        &logs,
        &name,
        "broker-logs",
        out,
    ));
    s.push(
        dsl::resource("aws_msk_cluster", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("cluster_name", string(name.as_str())))
            .add_attribute(dsl::attr("kafka_version", version))
            .add_attribute(dsl::attr("number_of_broker_nodes", spec.brokers))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
            .add_block(
                dsl::block("broker_node_group_info")
                    .add_attribute(dsl::attr(
                        "instance_type",
                        string(spec.broker_type.as_str()),
                    ))
                    .add_attribute(dsl::attr(
                        "client_subnets",
                        network::subnet_ids(network::Tier::Private, azs),
                    ))
                    .add_attribute(dsl::attr(
                        "security_groups",
                        dsl::list([security::id(ctx, node, region)]),
                    ))
                    .add_block(
                        dsl::block("storage_info")
                            .add_block(dsl::attrs_block(
                                "ebs_storage_info",
                                vec![("volume_size", volume_gb(spec.storage_gb).into())],
                            ))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                dsl::block("encryption_info")
                    .add_attribute(dsl::attr(
                        "encryption_at_rest_kms_key_arn",
                        encryption::key_arn(region),
                    ))
                    .add_block(dsl::attrs_block(
                        "encryption_in_transit",
                        vec![
                            ("client_broker", string("TLS")),
                            ("in_cluster", true.into()),
                        ],
                    ))
                    .build(),
            )
            .add_block(
                dsl::block("client_authentication")
                    .add_attribute(dsl::attr("unauthenticated", false))
                    .add_block(dsl::attrs_block("sasl", vec![("iam", true.into())]))
                    .build(),
            )
            .add_block(dsl::attrs_block(
                "configuration_info",
                vec![
                    ("arn", res("aws_msk_configuration", &label, "arn")),
                    (
                        "revision",
                        res("aws_msk_configuration", &label, "latest_revision"),
                    ),
                ],
            ))
            .add_block(
                dsl::block("logging_info")
                    .add_block(
                        dsl::block("broker_logs")
                            .add_block(dsl::attrs_block(
                                "cloudwatch_logs",
                                vec![
                                    ("enabled", true.into()),
                                    ("log_group", res("aws_cloudwatch_log_group", &logs, "name")),
                                ],
                            ))
                            .build(),
                    )
                    .build(),
            )
            .build(),
    );
    out.output(OutputDef {
        name: format!("{label}_bootstrap_brokers"),
        description: format!(
            "Bootstrap brokers (TLS, IAM auth) of Kafka cluster {} in {}",
            node.id, region.id
        ),
        value: res("aws_msk_cluster", &label, "bootstrap_brokers_sasl_iam"),
        sensitive: false,
        node: Some(node.id.clone()),
    });
    out.assume(
        "Kafka topics are not managed by the AWS provider: the MSK configuration sets the \
         default partitions, replication and retention of the topics your services create \
         (auto-creation is off).",
    );
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "a validated, positive size in GB, rounded up; MSK takes 1 to 16,384"
)]
fn volume_gb(gb: f64) -> i64 {
    gb.ceil().clamp(1.0, 16_384.0) as i64
}
