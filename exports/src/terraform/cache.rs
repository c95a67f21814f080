//! Caches: per region an ElastiCache replication group (Redis or Valkey)
//! across the node's AZs — Multi-AZ with automatic failover when it has
//! replicas, cluster mode with one node group per shard, encrypted at rest
//! with the region's key and in transit with an AUTH token — or a
//! Memcached cluster spread across the AZs.

use topoplan_core::model::{CacheEngine, CacheSpec, Node};

use super::dsl::{self, res, string};
use super::{Ctx, Out, OutputDef, RegionCtx, Section, encryption, network, security, variables};

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &CacheSpec, out: &mut Out) {
    for (region, azs) in ctx.placements(node) {
        let mut s = Section::placed(node, region, azs);
        security::group(ctx, node, region, &mut s, out);
        let label = ctx.label(node, region);
        let group_name = out.claim(
            format!("aws_elasticache_subnet_group/{}", region.id),
            ctx.name(&[&ctx.dashed(node), &region.id], 255),
            Some(node),
        );
        s.push(
            dsl::resource("aws_elasticache_subnet_group", &label)
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr("name", string(group_name.as_str())))
                .add_attribute(dsl::attr(
                    "subnet_ids",
                    network::subnet_ids(network::Tier::Data, azs),
                ))
                .add_attribute(dsl::attr("tags", Ctx::tags(node, &group_name)))
                .build(),
        );
        match spec.engine {
            CacheEngine::Redis | CacheEngine::Valkey => {
                replication_group(ctx, node, spec, region, azs, &group_name, &mut s, out);
            }
            CacheEngine::Memcached => {
                memcached(ctx, node, spec, region, azs, &group_name, &mut s, out);
            }
        }
        out.add(&region.file, s);
    }
}

/// `n` AZs for `n` nodes, going round the node's AZs.
fn spread(azs: &[String], n: u32) -> hcl::Expression {
    dsl::strings((0..n as usize).map(|i| azs[i % azs.len()].as_str()))
}

#[expect(clippy::too_many_arguments, reason = "one group, its many inputs")]
fn replication_group(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &CacheSpec,
    region: &RegionCtx,
    azs: &[String],
    subnet_group: &str,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let id = out.claim(
        format!("aws_elasticache_replication_group/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 40),
        Some(node),
    );
    let (engine, family, version) = match spec.engine {
        CacheEngine::Valkey => (
            "valkey",
            "valkey7",
            variables::engine_version("valkey_version", "Valkey", "7.2", out),
        ),
        _ => (
            "redis",
            "redis7",
            variables::engine_version("redis_version", "Redis OSS", "7.1", out),
        ),
    };
    let cluster_mode = spec.shards > 1;
    let replicated = spec.replicas > 0;
    let mut b = dsl::resource("aws_elasticache_replication_group", &label)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("replication_group_id", string(id.as_str())))
        .add_attribute(dsl::attr(
            "description",
            string(format!(
                "{} cache {} of topology {}",
                engine, node.id, ctx.topology_id
            )),
        ))
        .add_attribute(dsl::attr("engine", string(engine)))
        .add_attribute(dsl::attr("engine_version", version))
        .add_attribute(dsl::attr("node_type", string(spec.node_type.as_str())))
        .add_attribute(dsl::attr("port", 6379))
        .add_attribute(dsl::attr(
            "parameter_group_name",
            string(if cluster_mode {
                format!("default.{family}.cluster.on")
            } else {
                format!("default.{family}")
            }),
        ))
        .add_attribute(dsl::attr(
            "subnet_group_name",
            res("aws_elasticache_subnet_group", &label, "name"),
        ))
        .add_attribute(dsl::attr(
            "security_group_ids",
            dsl::list([security::id(ctx, node, region)]),
        ));
    b = if cluster_mode {
        b.add_attribute(dsl::attr("num_node_groups", spec.shards))
            .add_attribute(dsl::attr("replicas_per_node_group", spec.replicas))
    } else {
        b.add_attribute(dsl::attr("num_cache_clusters", 1 + spec.replicas))
            .add_attribute(dsl::attr(
                "preferred_cache_cluster_azs",
                spread(azs, 1 + spec.replicas),
            ))
    };
    b = b
        // Cluster mode always fails over; without replicas there is nothing to fail over to.
        .add_attribute(dsl::attr(
            "automatic_failover_enabled",
            cluster_mode || replicated,
        ))
        .add_attribute(dsl::attr("multi_az_enabled", replicated))
        .add_attribute(dsl::attr("at_rest_encryption_enabled", true))
        .add_attribute(dsl::attr("kms_key_id", encryption::key_arn(region)))
        .add_attribute(dsl::attr("transit_encryption_enabled", true))
        .add_attribute(dsl::attr("auth_token", variables::cache_auth_token(out)))
        .add_attribute(dsl::attr("snapshot_retention_limit", 7))
        .add_attribute(dsl::attr("auto_minor_version_upgrade", true))
        .add_attribute(dsl::attr("tags", Ctx::tags(node, &id)));
    s.push(b.build());
    let _ = subnet_group;
    let endpoint = if cluster_mode {
        "configuration_endpoint_address"
    } else {
        "primary_endpoint_address"
    };
    out.output(OutputDef {
        name: format!("{label}_endpoint"),
        description: format!("Endpoint of cache {} in {} (TLS, AUTH)", node.id, region.id),
        value: res("aws_elasticache_replication_group", &label, endpoint),
        sensitive: false,
        node: Some(node.id.clone()),
    });
    if !replicated && !cluster_mode {
        out.assume(
            "A cache without replicas is one node: it has no automatic failover and no Multi-AZ.",
        );
    }
}

#[expect(clippy::too_many_arguments, reason = "one cluster, its many inputs")]
fn memcached(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &CacheSpec,
    region: &RegionCtx,
    azs: &[String],
    subnet_group: &str,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let id = out.claim(
        format!("aws_elasticache_cluster/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 40),
        Some(node),
    );
    let nodes = spec.shards.max(1);
    let cross_az = nodes > 1 && azs.len() > 1;
    let _ = subnet_group;
    s.push(
        dsl::resource("aws_elasticache_cluster", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("cluster_id", string(id.as_str())))
            .add_attribute(dsl::attr("engine", string("memcached")))
            .add_attribute(dsl::attr(
                "engine_version",
                variables::engine_version("memcached_version", "Memcached", "1.6.22", out),
            ))
            .add_attribute(dsl::attr("node_type", string(spec.node_type.as_str())))
            .add_attribute(dsl::attr("num_cache_nodes", nodes))
            .add_attribute(dsl::attr("port", 11211))
            .add_attribute(dsl::attr(
                "parameter_group_name",
                string("default.memcached1.6"),
            ))
            .add_attribute(dsl::attr(
                "az_mode",
                string(if cross_az { "cross-az" } else { "single-az" }),
            ))
            .add_attribute(dsl::attr(
                "preferred_availability_zones",
                spread(azs, nodes),
            ))
            .add_attribute(dsl::attr(
                "subnet_group_name",
                res("aws_elasticache_subnet_group", &label, "name"),
            ))
            .add_attribute(dsl::attr(
                "security_group_ids",
                dsl::list([security::id(ctx, node, region)]),
            ))
            .add_attribute(dsl::attr("transit_encryption_enabled", true))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &id)))
            .build(),
    );
    out.output(OutputDef {
        name: format!("{label}_endpoint"),
        description: format!(
            "Configuration endpoint of cache {} in {}",
            node.id, region.id
        ),
        value: res("aws_elasticache_cluster", &label, "configuration_endpoint"),
        sensitive: false,
        node: Some(node.id.clone()),
    });
    out.assume(
        "Memcached clusters have one node per shard and no replicas (Memcached does not \
         replicate) and no encryption at rest (ElastiCache does not offer it for Memcached).",
    );
}
