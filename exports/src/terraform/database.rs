//! Databases: per physical shard, an Aurora cluster with a writer and read
//! replicas spread over the node's AZs (or an RDS instance, Multi-AZ when
//! asked, with read replicas), in a subnet group over the region's data
//! subnets. Other regions get an Aurora global database (secondary
//! clusters with the cross-region replicas) or RDS cross-region read
//! replicas. Shards are separate clusters, each tagged with its range of
//! logical shards. Storage, Performance Insights and the managed master
//! password are encrypted with the region's key.

use hcl::Block;
use hcl::expr::Expression;
use topoplan_core::model::{DatabaseEngine, DatabaseSpec, DeploymentMode, Node, NodeSpec};

use super::dsl::{self, data_ref, res, string};
use super::{
    Ctx, Out, OutputDef, RegionCtx, Section, encryption, iam, network, security, variables,
};

struct Engine {
    name: &'static str,
    version: Expression,
    logs: &'static [&'static str],
}

fn engine(spec: &DatabaseSpec, out: &mut Out) -> Engine {
    match spec.engine {
        DatabaseEngine::AuroraPostgresql => Engine {
            name: "aurora-postgresql",
            version: variables::engine_version(
                "aurora_postgresql_version",
                "Aurora PostgreSQL",
                "16.6",
                out,
            ),
            logs: &["postgresql"],
        },
        DatabaseEngine::AuroraMysql => Engine {
            name: "aurora-mysql",
            version: variables::engine_version(
                "aurora_mysql_version",
                "Aurora MySQL",
                "8.0.mysql_aurora.3.08.0",
                out,
            ),
            logs: &["audit", "error", "general", "slowquery"],
        },
        DatabaseEngine::Postgres => Engine {
            name: "postgres",
            version: variables::engine_version("postgres_version", "RDS PostgreSQL", "16.6", out),
            logs: &["postgresql", "upgrade"],
        },
        DatabaseEngine::Mysql => Engine {
            name: "mysql",
            version: variables::engine_version("mysql_version", "RDS MySQL", "8.0.40", out),
            logs: &["error", "general", "slowquery"],
        },
    }
}

/// One physical shard: its label and name suffixes and its logical shards.
struct Shard {
    label_suffix: String,
    name_suffix: String,
    logical: String,
}

fn shards(spec: &DatabaseSpec) -> Vec<Shard> {
    let physical = spec.shards.max(1);
    let logical = spec.logical_shards.max(physical);
    (0..physical)
        .map(|k| {
            let first = u64::from(k) * u64::from(logical) / u64::from(physical);
            let last = u64::from(k + 1) * u64::from(logical) / u64::from(physical) - 1;
            let (label_suffix, name_suffix) = if physical > 1 {
                (format!("_shard_{k}"), format!("shard-{k}"))
            } else {
                (String::new(), String::new())
            };
            Shard {
                label_suffix,
                name_suffix,
                logical: if first == last {
                    first.to_string()
                } else {
                    format!("{first}-{last}")
                },
            }
        })
        .collect()
}

/// What a database puts in one region.
struct Place<'r> {
    region: &'r RegionCtx,
    azs: &'r [String],
    writer: bool,
}

/// The region holding the writer (the document's, when exported), its AZs,
/// and whether the database is an Aurora global database.
fn writer<'c, 'n>(
    ctx: &'c Ctx<'_>,
    node: &'n Node,
    spec: &DatabaseSpec,
) -> Option<(&'c RegionCtx, &'n [String], bool)> {
    let placements = ctx.placements(node);
    let first = *placements.first()?;
    let wanted = spec.writer_region(&node.placement);
    let (writer, azs) = placements
        .iter()
        .find(|(r, _)| Some(r.id.as_str()) == wanted)
        .copied()
        .unwrap_or(first);
    let global = spec.engine.is_aurora()
        && placements.len() > 1
        && (spec.global || spec.cross_region_replicas > 0);
    Some((writer, azs, global))
}

/// What databases share, emitted once before the nodes: the enhanced
/// monitoring role, and per writer region of a global database the secret
/// holding its master password.
pub(crate) fn shared(ctx: &Ctx<'_>, out: &mut Out) {
    let mut monitoring = false;
    let mut secret_regions: Vec<&RegionCtx> = Vec::new();
    for node in ctx.t.nodes() {
        let NodeSpec::Database(spec) = &node.spec else {
            continue;
        };
        let Some((writer, _, global)) = writer(ctx, node, spec) else {
            continue;
        };
        monitoring = true;
        if global && !secret_regions.iter().any(|r| r.id == writer.id) {
            secret_regions.push(writer);
        }
    }
    if monitoring {
        iam::rds_monitoring_role(ctx, out);
    }
    for region in secret_regions {
        let label = format!("db_master_password_{}", region.ident);
        let secret = variables::db_password_secret(region, out);
        let mut s = Section::plain(&format!(
            "Master password of the Aurora global databases written in {} (RDS cannot manage \
             it for a global cluster)",
            region.id
        ));
        s.push(
            dsl::data("aws_secretsmanager_secret_version", &label)
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr("secret_id", secret))
                .build(),
        );
        out.add(&region.file, s);
    }
}

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &DatabaseSpec, out: &mut Out) {
    let Some((writer, writer_azs, global)) = writer(ctx, node, spec) else {
        return;
    };
    let placements = ctx.placements(node);
    let wanted = spec.writer_region(&node.placement);
    if Some(writer.id.as_str()) != wanted {
        out.warn(
            node,
            "writer-not-exported",
            format!(
                "its writer region {} is not exported: the writer is in {}",
                wanted.unwrap_or("-"),
                writer.id
            ),
        );
    }
    let others: Vec<(&RegionCtx, &[String])> = placements
        .iter()
        .filter(|(r, _)| r.id != writer.id)
        .copied()
        .collect();
    let aurora = spec.engine.is_aurora();
    if aurora && global && !spec.global {
        out.warn(
            node,
            "aurora-cross-region",
            "cross-region replicas of Aurora are exported as an Aurora global database (the \
             managed way to replicate Aurora across regions)",
        );
    }
    let replicated_elsewhere = global || (!aurora && spec.cross_region_replicas > 0);
    if !others.is_empty() && !replicated_elsewhere {
        let names: Vec<&str> = others.iter().map(|(r, _)| r.id.as_str()).collect();
        out.warn(
            node,
            "no-cross-region-replica",
            format!(
                "placed in {} but with no replica there (cross_region_replicas is 0): nothing is \
                 exported there",
                names.join(", ")
            ),
        );
    }
    if aurora && spec.replicas == 0 && spec.multi_az {
        out.warn(
            node,
            "aurora-multi-az",
            "multi_az on Aurora means a replica in another AZ, and replicas is 0: the cluster has \
             a writer only",
        );
    }
    let engine = engine(spec, out);
    let mut places = vec![Place {
        region: writer,
        azs: writer_azs,
        writer: true,
    }];
    if replicated_elsewhere {
        places.extend(others.iter().map(|(region, azs)| Place {
            region,
            azs,
            writer: false,
        }));
    }
    let shards = shards(spec);
    if global {
        let mut s = Section::node(node, "global cluster");
        for shard in &shards {
            global_cluster(ctx, node, &engine, writer, shard, &mut s, out);
        }
        out.add(iam::GLOBAL_FILE, s);
    }
    for place in &places {
        let region = place.region;
        let mut s = Section::node(
            node,
            &format!(
                "in {} ({}){}",
                region.id,
                place.azs.join(", "),
                if place.writer {
                    ", writer"
                } else {
                    ", replicas"
                }
            ),
        );
        security::group(ctx, node, region, &mut s, out);
        subnet_group(ctx, node, region, &mut s, out);
        for shard in &shards {
            match (aurora, place.writer) {
                (true, true) => {
                    aurora_writer(ctx, node, spec, &engine, place, shard, global, &mut s, out);
                }
                (true, false) => {
                    aurora_secondary(ctx, node, spec, &engine, place, writer, shard, &mut s, out);
                }
                (false, true) => rds_writer(ctx, node, spec, &engine, place, shard, &mut s, out),
                (false, false) => {
                    rds_cross_region(ctx, node, spec, place, writer, shard, &mut s, out);
                }
            }
        }
        out.add(&region.file, s);
    }
    if shards.len() > 1 {
        out.assume(
            "A sharded database is one cluster per physical shard; each is tagged \
             topoplan:logical-shards with the logical shards it holds. Routing keys to shards \
             is the application's job.",
        );
    }
}

fn label(ctx: &Ctx<'_>, node: &Node, shard: &Shard, region: &RegionCtx) -> String {
    format!("{}{}_{}", ctx.ident(node), shard.label_suffix, region.ident)
}

fn identifier(ctx: &Ctx<'_>, node: &Node, shard: &Shard, region: &RegionCtx) -> String {
    ctx.name(&[&ctx.dashed(node), &shard.name_suffix, &region.id], 63)
}

fn tags(node: &Node, name: &str, shard: &Shard, spec: &DatabaseSpec) -> Expression {
    let mut entries = vec![
        ("Name", string(name)),
        (super::TAG_NODE, string(node.id.as_str())),
    ];
    if spec.shards > 1 || spec.logical_shards > 1 {
        entries.push(("topoplan:logical-shards", string(shard.logical.as_str())));
    }
    dsl::object(entries)
}

fn subnet_group(ctx: &Ctx<'_>, node: &Node, region: &RegionCtx, s: &mut Section, out: &mut Out) {
    let name = out.claim(
        format!("aws_db_subnet_group/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 255),
        Some(node),
    );
    if region.azs.len() < 2 {
        out.warn(
            node,
            "db-subnet-group",
            format!(
                "{} uses one AZ, and RDS needs a subnet group spanning two: add a second AZ to \
                 the region, or creating the subnet group fails",
                region.id
            ),
        );
    }
    s.push(
        dsl::resource("aws_db_subnet_group", &ctx.label(node, region))
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("name", string(name.as_str())))
            .add_attribute(dsl::attr(
                "subnet_ids",
                network::all_subnet_ids(network::Tier::Data, region),
            ))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
            .build(),
    );
}

fn global_cluster(
    ctx: &Ctx<'_>,
    node: &Node,
    engine: &Engine,
    writer: &RegionCtx,
    shard: &Shard,
    s: &mut Section,
    out: &mut Out,
) {
    let id = out.claim(
        "aws_rds_global_cluster".to_owned(),
        ctx.name(&[&ctx.dashed(node), &shard.name_suffix], 63),
        Some(node),
    );
    s.push(
        dsl::resource(
            "aws_rds_global_cluster",
            &format!("{}{}", ctx.ident(node), shard.label_suffix),
        )
        .add_attribute(dsl::attr("provider", writer.provider()))
        .add_attribute(dsl::attr("global_cluster_identifier", string(id.as_str())))
        .add_attribute(dsl::attr("engine", string(engine.name)))
        .add_attribute(dsl::attr("engine_version", engine.version.clone()))
        .add_attribute(dsl::attr("storage_encrypted", true))
        .add_attribute(dsl::attr(
            "deletion_protection",
            variables::deletion_protection(out),
        ))
        .build(),
    );
}

fn global_id(ctx: &Ctx<'_>, node: &Node, shard: &Shard) -> Expression {
    res(
        "aws_rds_global_cluster",
        &format!("{}{}", ctx.ident(node), shard.label_suffix),
        "id",
    )
}

/// The master password of a global cluster, read from the user's secret
/// (the data source is in [`shared`]).
fn master_password(region: &RegionCtx) -> Expression {
    data_ref(
        "aws_secretsmanager_secret_version",
        &format!("db_master_password_{}", region.ident),
        "secret_string",
    )
}

/// Attributes every cluster and instance shares (protection, logs, IAM auth).
fn common(b: hcl::BlockBuilder, engine: &Engine, out: &mut Out) -> hcl::BlockBuilder {
    b.add_attribute(dsl::attr("copy_tags_to_snapshot", true))
        .add_attribute(dsl::attr(
            "deletion_protection",
            variables::deletion_protection(out),
        ))
        .add_attribute(dsl::attr("iam_database_authentication_enabled", true))
        .add_attribute(dsl::attr(
            "enabled_cloudwatch_logs_exports",
            dsl::strings(engine.logs.iter()),
        ))
}

fn serverless(spec: &DatabaseSpec) -> Option<Block> {
    spec.serverless.as_ref().map(|cap| {
        dsl::attrs_block(
            "serverlessv2_scaling_configuration",
            vec![
                ("min_capacity", cap.min_acu.into()),
                ("max_capacity", cap.max_acu.into()),
            ],
        )
    })
}

/// Instance settings every database instance shares: monitoring and
/// Performance Insights, encrypted with the region's key.
fn instance_common(
    ctx: &Ctx<'_>,
    b: hcl::BlockBuilder,
    region: &RegionCtx,
    out: &mut Out,
) -> hcl::BlockBuilder {
    let role = iam::rds_monitoring_role(ctx, out);
    b.add_attribute(dsl::attr("publicly_accessible", false))
        .add_attribute(dsl::attr("auto_minor_version_upgrade", true))
        .add_attribute(dsl::attr("performance_insights_enabled", true))
        .add_attribute(dsl::attr(
            "performance_insights_kms_key_id",
            encryption::key_arn(region),
        ))
        .add_attribute(dsl::attr("monitoring_interval", 60))
        .add_attribute(dsl::attr("monitoring_role_arn", role))
}

#[expect(clippy::too_many_arguments, reason = "one cluster, its many inputs")]
fn aurora_instances(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &DatabaseSpec,
    place: &Place<'_>,
    shard: &Shard,
    count: u32,
    s: &mut Section,
    out: &mut Out,
) {
    let region = place.region;
    let cluster = label(ctx, node, shard, region);
    let id = identifier(ctx, node, shard, region);
    for i in 1..=count {
        let name = out.claim(
            format!("aws_rds_cluster_instance/{}", region.id),
            naming_suffix(&id, &i.to_string(), 63),
            Some(node),
        );
        let az = &place.azs[(i as usize - 1) % place.azs.len()];
        let b = dsl::resource("aws_rds_cluster_instance", &format!("{cluster}_{i}"))
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("identifier", string(name.as_str())))
            .add_attribute(dsl::attr(
                "cluster_identifier",
                res("aws_rds_cluster", &cluster, "id"),
            ))
            .add_attribute(dsl::attr(
                "engine",
                res("aws_rds_cluster", &cluster, "engine"),
            ))
            .add_attribute(dsl::attr(
                "engine_version",
                res("aws_rds_cluster", &cluster, "engine_version"),
            ))
            .add_attribute(dsl::attr(
                "instance_class",
                string(spec.instance_class.as_str()),
            ))
            .add_attribute(dsl::attr("availability_zone", string(az.as_str())))
            .add_attribute(dsl::attr(
                "db_subnet_group_name",
                res("aws_db_subnet_group", &ctx.label(node, region), "name"),
            ))
            .add_attribute(dsl::attr("promotion_tier", i32::from(i != 1)));
        s.push(
            instance_common(ctx, b, region, out)
                .add_attribute(dsl::attr("tags", tags(node, &name, shard, spec)))
                .build(),
        );
    }
}

/// `base-suffix`, cut to `max` with a hash when too long.
fn naming_suffix(base: &str, suffix: &str, max: usize) -> String {
    super::naming::aws_name(&[base, suffix], max, true)
}

#[expect(clippy::too_many_arguments, reason = "one cluster, its many inputs")]
fn aurora_writer(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &DatabaseSpec,
    engine: &Engine,
    place: &Place<'_>,
    shard: &Shard,
    global: bool,
    s: &mut Section,
    out: &mut Out,
) {
    let region = place.region;
    let l = label(ctx, node, shard, region);
    let id = out.claim(
        format!("aws_rds_cluster/{}", region.id),
        identifier(ctx, node, shard, region),
        Some(node),
    );
    let mut b = dsl::resource("aws_rds_cluster", &l)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("cluster_identifier", string(id.as_str())))
        .add_attribute(dsl::attr("engine", string(engine.name)))
        .add_attribute(dsl::attr("engine_version", engine.version.clone()));
    if global {
        b = b.add_attribute(dsl::attr(
            "global_cluster_identifier",
            global_id(ctx, node, shard),
        ));
    }
    b = b.add_attribute(dsl::attr("master_username", variables::db_username(out)));
    if global {
        b = b.add_attribute(dsl::attr("master_password", master_password(region)));
    } else {
        b = b
            .add_attribute(dsl::attr("manage_master_user_password", true))
            .add_attribute(dsl::attr(
                "master_user_secret_kms_key_id",
                encryption::key_arn(region),
            ));
    }
    b = b
        .add_attribute(dsl::attr(
            "db_subnet_group_name",
            res("aws_db_subnet_group", &ctx.label(node, region), "name"),
        ))
        .add_attribute(dsl::attr(
            "vpc_security_group_ids",
            dsl::list([security::id(ctx, node, region)]),
        ))
        .add_attribute(dsl::attr("storage_encrypted", true))
        .add_attribute(dsl::attr("kms_key_id", encryption::key_arn(region)))
        .add_attribute(dsl::attr("backup_retention_period", 7))
        .add_attribute(dsl::attr("preferred_backup_window", string("03:00-04:00")))
        .add_attribute(dsl::attr("skip_final_snapshot", false))
        .add_attribute(dsl::attr(
            "final_snapshot_identifier",
            string(naming_suffix(&id, "final", 255)),
        ));
    if spec.engine == DatabaseEngine::AuroraMysql && !global && spec.serverless.is_none() {
        // Rewind the cluster up to a day without a restore (Aurora MySQL only).
        b = b.add_attribute(dsl::attr("backtrack_window", 86_400));
    }
    b = common(b, engine, out).add_attribute(dsl::attr("tags", tags(node, &id, shard, spec)));
    if let Some(block) = serverless(spec) {
        b = b.add_block(block);
    }
    s.push(b.build());
    aurora_instances(ctx, node, spec, place, shard, 1 + spec.replicas, s, out);
    outputs(ctx, node, region, &l, "aws_rds_cluster", !global, out);
}

#[expect(clippy::too_many_arguments, reason = "one cluster, its many inputs")]
fn aurora_secondary(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &DatabaseSpec,
    engine: &Engine,
    place: &Place<'_>,
    writer: &RegionCtx,
    shard: &Shard,
    s: &mut Section,
    out: &mut Out,
) {
    let region = place.region;
    let l = label(ctx, node, shard, region);
    let id = out.claim(
        format!("aws_rds_cluster/{}", region.id),
        identifier(ctx, node, shard, region),
        Some(node),
    );
    let writer_instance = format!("{}_1", label(ctx, node, shard, writer));
    let mut b = dsl::resource("aws_rds_cluster", &l)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("cluster_identifier", string(id.as_str())))
        .add_attribute(dsl::attr("engine", string(engine.name)))
        .add_attribute(dsl::attr("engine_version", engine.version.clone()))
        .add_attribute(dsl::attr(
            "global_cluster_identifier",
            global_id(ctx, node, shard),
        ))
        .add_attribute(dsl::attr(
            "db_subnet_group_name",
            res("aws_db_subnet_group", &ctx.label(node, region), "name"),
        ))
        .add_attribute(dsl::attr(
            "vpc_security_group_ids",
            dsl::list([security::id(ctx, node, region)]),
        ))
        .add_attribute(dsl::attr("storage_encrypted", true))
        .add_attribute(dsl::attr("kms_key_id", encryption::key_arn(region)))
        .add_attribute(dsl::attr("backup_retention_period", 7))
        // The data lives in the primary's snapshots.
        .add_attribute(dsl::attr("skip_final_snapshot", true));
    if ctx.t.meta().deployment.mode == DeploymentMode::ActiveActive {
        // Writes from this region's services are forwarded to the writer.
        b = b.add_attribute(dsl::attr("enable_global_write_forwarding", true));
        out.assume(
            "Active-active: secondary Aurora clusters forward writes to the global writer \
             (enable_global_write_forwarding); reads stay local.",
        );
    }
    b = common(b, engine, out).add_attribute(dsl::attr("tags", tags(node, &id, shard, spec)));
    if let Some(block) = serverless(spec) {
        b = b.add_block(block);
    }
    b = b
        .add_attribute(dsl::attr(
            "depends_on",
            dsl::list([dsl::traversal(
                "aws_rds_cluster_instance",
                &[&writer_instance],
            )]),
        ))
        .add_block(dsl::attrs_block(
            "lifecycle",
            vec![(
                "ignore_changes",
                dsl::list([dsl::name("replication_source_identifier")]),
            )],
        ));
    s.push(b.build());
    aurora_instances(
        ctx,
        node,
        spec,
        place,
        shard,
        spec.cross_region_replicas,
        s,
        out,
    );
    if spec.cross_region_replicas == 0 {
        out.assume(
            "A secondary Aurora cluster with cross_region_replicas 0 is headless: storage is \
             replicated, and instances are added when it is promoted.",
        );
    }
    outputs(ctx, node, region, &l, "aws_rds_cluster", false, out);
}

#[expect(clippy::too_many_arguments, reason = "one instance, its many inputs")]
fn rds_writer(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &DatabaseSpec,
    engine: &Engine,
    place: &Place<'_>,
    shard: &Shard,
    s: &mut Section,
    out: &mut Out,
) {
    let region = place.region;
    let l = label(ctx, node, shard, region);
    let id = out.claim(
        format!("aws_db_instance/{}", region.id),
        identifier(ctx, node, shard, region),
        Some(node),
    );
    let mut b = dsl::resource("aws_db_instance", &l)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("identifier", string(id.as_str())))
        .add_attribute(dsl::attr("engine", string(engine.name)))
        .add_attribute(dsl::attr("engine_version", engine.version.clone()))
        .add_attribute(dsl::attr(
            "instance_class",
            string(spec.instance_class.as_str()),
        ))
        .add_attribute(dsl::attr("allocated_storage", storage_gb(spec.storage_gb)))
        .add_attribute(dsl::attr("storage_type", string("gp3")))
        .add_attribute(dsl::attr("storage_encrypted", true))
        .add_attribute(dsl::attr("kms_key_id", encryption::key_arn(region)))
        .add_attribute(dsl::attr("multi_az", spec.multi_az));
    if !spec.multi_az {
        b = b.add_attribute(dsl::attr(
            "availability_zone",
            string(place.azs[0].as_str()),
        ));
    }
    b = b
        .add_attribute(dsl::attr(
            "db_subnet_group_name",
            res("aws_db_subnet_group", &ctx.label(node, region), "name"),
        ))
        .add_attribute(dsl::attr(
            "vpc_security_group_ids",
            dsl::list([security::id(ctx, node, region)]),
        ))
        .add_attribute(dsl::attr("username", variables::db_username(out)))
        .add_attribute(dsl::attr("manage_master_user_password", true))
        .add_attribute(dsl::attr(
            "master_user_secret_kms_key_id",
            encryption::key_arn(region),
        ))
        .add_attribute(dsl::attr("backup_retention_period", 7))
        .add_attribute(dsl::attr("backup_window", string("03:00-04:00")))
        .add_attribute(dsl::attr("skip_final_snapshot", false))
        .add_attribute(dsl::attr(
            "final_snapshot_identifier",
            string(naming_suffix(&id, "final", 255)),
        ));
    b = common(b, engine, out);
    b = instance_common(ctx, b, region, out)
        .add_attribute(dsl::attr("tags", tags(node, &id, shard, spec)));
    s.push(b.build());
    for i in 1..=spec.replicas {
        let name = out.claim(
            format!("aws_db_instance/{}", region.id),
            naming_suffix(&id, &format!("replica-{i}"), 63),
            Some(node),
        );
        let az = &place.azs[i as usize % place.azs.len()];
        let b = dsl::resource("aws_db_instance", &format!("{l}_replica_{i}"))
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("identifier", string(name.as_str())))
            .add_attribute(dsl::attr(
                "replicate_source_db",
                res("aws_db_instance", &l, "identifier"),
            ))
            .add_attribute(dsl::attr(
                "instance_class",
                string(spec.instance_class.as_str()),
            ))
            .add_attribute(dsl::attr("availability_zone", string(az.as_str())))
            .add_attribute(dsl::attr(
                "vpc_security_group_ids",
                dsl::list([security::id(ctx, node, region)]),
            ))
            .add_attribute(dsl::attr("skip_final_snapshot", true));
        let b = common(b, engine, out);
        s.push(
            instance_common(ctx, b, region, out)
                .add_attribute(dsl::attr("tags", tags(node, &name, shard, spec)))
                .build(),
        );
    }
    outputs(ctx, node, region, &l, "aws_db_instance", true, out);
}

#[expect(clippy::too_many_arguments, reason = "the replicas and their inputs")]
fn rds_cross_region(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &DatabaseSpec,
    place: &Place<'_>,
    writer: &RegionCtx,
    shard: &Shard,
    s: &mut Section,
    out: &mut Out,
) {
    let region = place.region;
    let source = label(ctx, node, shard, writer);
    let base = identifier(ctx, node, shard, region);
    for i in 1..=spec.cross_region_replicas {
        let name = out.claim(
            format!("aws_db_instance/{}", region.id),
            naming_suffix(&base, &format!("replica-{i}"), 63),
            Some(node),
        );
        let az = &place.azs[(i as usize - 1) % place.azs.len()];
        let b = dsl::resource(
            "aws_db_instance",
            &format!("{}_replica_{i}", label(ctx, node, shard, region)),
        )
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("identifier", string(name.as_str())))
        .add_attribute(dsl::attr(
            "replicate_source_db",
            res("aws_db_instance", &source, "arn"),
        ))
        .add_attribute(dsl::attr(
            "instance_class",
            string(spec.instance_class.as_str()),
        ))
        .add_attribute(dsl::attr("availability_zone", string(az.as_str())))
        .add_attribute(dsl::attr(
            "db_subnet_group_name",
            res("aws_db_subnet_group", &ctx.label(node, region), "name"),
        ))
        .add_attribute(dsl::attr(
            "vpc_security_group_ids",
            dsl::list([security::id(ctx, node, region)]),
        ))
        .add_attribute(dsl::attr("storage_encrypted", true))
        .add_attribute(dsl::attr("kms_key_id", encryption::key_arn(region)))
        .add_attribute(dsl::attr("skip_final_snapshot", true));
        let b = common(b, &engine_logs_only(spec), out);
        s.push(
            instance_common(ctx, b, region, out)
                .add_attribute(dsl::attr("tags", tags(node, &name, shard, spec)))
                .build(),
        );
    }
}

/// An [`Engine`] for the log exports only (replicas take the version of their source).
fn engine_logs_only(spec: &DatabaseSpec) -> Engine {
    Engine {
        name: "",
        version: Expression::Null,
        logs: match spec.engine {
            DatabaseEngine::Postgres | DatabaseEngine::AuroraPostgresql => {
                &["postgresql", "upgrade"]
            }
            DatabaseEngine::Mysql | DatabaseEngine::AuroraMysql => {
                &["error", "general", "slowquery"]
            }
        },
    }
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "a validated, positive size in GB, rounded up; RDS takes at most 65,536"
)]
fn storage_gb(gb: f64) -> i64 {
    gb.ceil().clamp(20.0, 65_536.0) as i64
}

fn outputs(
    ctx: &Ctx<'_>,
    node: &Node,
    region: &RegionCtx,
    label: &str,
    ty: &str,
    managed_secret: bool,
    out: &mut Out,
) {
    let cluster = ty == "aws_rds_cluster";
    out.output(OutputDef {
        name: format!("{label}_endpoint"),
        description: format!("Endpoint of database {} in {}", node.id, region.id),
        value: res(ty, label, if cluster { "endpoint" } else { "address" }),
        sensitive: false,
        node: Some(node.id.clone()),
    });
    if cluster {
        out.output(OutputDef {
            name: format!("{label}_reader_endpoint"),
            description: format!("Reader endpoint of database {} in {}", node.id, region.id),
            value: res(ty, label, "reader_endpoint"),
            sensitive: false,
            node: Some(node.id.clone()),
        });
    }
    if managed_secret {
        out.output(OutputDef {
            name: format!("{label}_master_secret_arn"),
            description: format!(
                "Secrets Manager secret holding the master password of {} in {}",
                node.id, region.id
            ),
            value: dsl::get(
                dsl::index(res(ty, label, "master_user_secret"), 0),
                "secret_arn",
            ),
            sensitive: false,
            node: Some(node.id.clone()),
        });
    }
    let _ = ctx;
}
