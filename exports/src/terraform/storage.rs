//! Object stores: per region an S3 bucket with every public access path
//! blocked, owner-enforced objects (no ACLs), versioning, KMS encryption
//! with the region's key, a policy refusing plain HTTP (and letting the
//! CloudFront distributions that use it as an origin read it), lifecycle
//! rules (storage class, old versions, abandoned uploads), and for a
//! bucket in several regions, replication from the primary copy to the
//! others.

use hcl::Block;
use topoplan_core::model::{CdnProvider, Node, NodeSpec, ObjectStoreSpec, StorageClass};

use super::dsl::{self, Part, data_ref, res, string};
use super::{Ctx, Out, OutputDef, RegionCtx, Section, cdn, encryption, iam};

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &ObjectStoreSpec, out: &mut Out) {
    let placements = ctx.placements(node);
    let Some((source, _)) = placements
        .iter()
        .find(|(r, _)| r.primary)
        .or(placements.first())
        .copied()
    else {
        return;
    };
    let replicas: Vec<&RegionCtx> = placements
        .iter()
        .map(|(r, _)| *r)
        .filter(|r| r.id != source.id)
        .collect();
    let replicate = !replicas.is_empty() && spec.versioning;
    if !replicas.is_empty() && !spec.versioning {
        out.warn(
            node,
            "s3-replication",
            "placed in several regions, but S3 replication needs versioning, which is off: the \
             buckets are independent",
        );
    }
    if replicate {
        replication_role(ctx, node, source, &replicas, out);
    }
    for (region, _) in &placements {
        let mut s = Section::placed(node, region, &[]);
        bucket(ctx, node, spec, region, &mut s, out);
        if replicate && region.id == source.id {
            s.push(replication(ctx, node, source, &replicas));
        }
        out.add(&region.file, s);
    }
}

fn bucket(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &ObjectStoreSpec,
    region: &RegionCtx,
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let bucket_id = res("aws_s3_bucket", &label, "id");
    let bucket_arn = res("aws_s3_bucket", &label, "arn");
    // Bucket names are global: Terraform appends a unique suffix to the prefix.
    let prefix = format!("{}-", ctx.name(&[&ctx.dashed(node), &region.id], 36));
    s.push(
        dsl::resource("aws_s3_bucket", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("bucket_prefix", string(prefix.as_str())))
            .add_attribute(dsl::attr(
                "tags",
                Ctx::tags(node, prefix.trim_end_matches('-')),
            ))
            .build(),
    );
    let child = |ty: &str| {
        dsl::resource(ty, &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("bucket", bucket_id.clone()))
    };
    s.push(
        child("aws_s3_bucket_public_access_block")
            .add_attribute(dsl::attr("block_public_acls", true))
            .add_attribute(dsl::attr("block_public_policy", true))
            .add_attribute(dsl::attr("ignore_public_acls", true))
            .add_attribute(dsl::attr("restrict_public_buckets", true))
            .build(),
    );
    s.push(
        child("aws_s3_bucket_ownership_controls")
            .add_block(dsl::attrs_block(
                "rule",
                vec![("object_ownership", string("BucketOwnerEnforced"))],
            ))
            .build(),
    );
    s.push(
        child("aws_s3_bucket_versioning")
            .add_block(dsl::attrs_block(
                "versioning_configuration",
                vec![(
                    "status",
                    string(if spec.versioning {
                        "Enabled"
                    } else {
                        "Suspended"
                    }),
                )],
            ))
            .build(),
    );
    s.push(
        child("aws_s3_bucket_server_side_encryption_configuration")
            .add_block(
                dsl::block("rule")
                    .add_attribute(dsl::attr("bucket_key_enabled", true))
                    .add_block(dsl::attrs_block(
                        "apply_server_side_encryption_by_default",
                        vec![
                            ("sse_algorithm", string("aws:kms")),
                            ("kms_master_key_id", encryption::key_arn(region)),
                        ],
                    ))
                    .build(),
            )
            .build(),
    );
    s.push(lifecycle(
        spec,
        child("aws_s3_bucket_lifecycle_configuration"),
    ));
    // The policy: HTTPS only, and reads by the distributions using it.
    let objects = dsl::template(vec![Part::Interp(bucket_arn.clone()), Part::Text("/*")]);
    let mut doc = dsl::data("aws_iam_policy_document", &format!("{label}_bucket"))
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_block(iam::statement(
            "DenyPlainHttp",
            "Deny",
            &["s3:*"],
            vec![bucket_arn.clone(), objects.clone()],
            Some(("AWS", vec![string("*")])),
            vec![("Bool", "aws:SecureTransport", vec![string("false")])],
        ));
    let readers: Vec<&Node> = ctx
        .incoming(&node.id)
        .map(|e| e.from)
        .filter(
            |cdn| matches!(&cdn.spec, NodeSpec::Cdn(c) if c.provider == CdnProvider::Cloudfront),
        )
        .filter(|_| {
            cdn::origin_regions(ctx, node)
                .iter()
                .any(|r| r.id == region.id)
        })
        .collect();
    if !readers.is_empty() {
        doc = doc.add_block(iam::statement(
            "CloudFrontReads",
            "Allow",
            &["s3:GetObject"],
            vec![objects],
            Some(("Service", vec![string("cloudfront.amazonaws.com")])),
            vec![(
                "StringEquals",
                "AWS:SourceArn",
                readers
                    .iter()
                    .map(|cdn| res("aws_cloudfront_distribution", &ctx.ident(cdn), "arn"))
                    .collect(),
            )],
        ));
    }
    s.push(doc.build());
    s.push(
        child("aws_s3_bucket_policy")
            .add_attribute(dsl::attr(
                "policy",
                data_ref(
                    "aws_iam_policy_document",
                    &format!("{label}_bucket"),
                    "json",
                ),
            ))
            // A policy is refused while the public access block is being set.
            .add_attribute(dsl::attr(
                "depends_on",
                dsl::list([dsl::traversal(
                    "aws_s3_bucket_public_access_block",
                    &[&label],
                )]),
            ))
            .build(),
    );
    out.output(OutputDef {
        name: format!("{label}_bucket"),
        description: format!("Bucket of {} in {}", node.id, region.id),
        value: bucket_id,
        sensitive: false,
        node: Some(node.id.clone()),
    });
}

fn lifecycle(spec: &ObjectStoreSpec, b: hcl::BlockBuilder) -> Block {
    let mut rule = dsl::block("rule")
        .add_attribute(dsl::attr("id", string("storage-class-and-cleanup")))
        .add_attribute(dsl::attr("status", string("Enabled")))
        .add_block(dsl::block("filter").build())
        .add_block(dsl::attrs_block(
            "abort_incomplete_multipart_upload",
            vec![("days_after_initiation", 7.into())],
        ));
    match spec.storage_class {
        StorageClass::Standard => {}
        StorageClass::IntelligentTiering => {
            rule = rule.add_block(dsl::attrs_block(
                "transition",
                vec![
                    ("days", 0.into()),
                    ("storage_class", string("INTELLIGENT_TIERING")),
                ],
            ));
        }
        StorageClass::StandardIa => {
            // S3 moves objects to Standard-IA 30 days after creation at the earliest.
            rule = rule.add_block(dsl::attrs_block(
                "transition",
                vec![
                    ("days", 30.into()),
                    ("storage_class", string("STANDARD_IA")),
                ],
            ));
        }
    }
    if spec.versioning {
        rule = rule.add_block(dsl::attrs_block(
            "noncurrent_version_expiration",
            vec![("noncurrent_days", 90.into())],
        ));
    }
    b.add_block(rule.build()).build()
}

fn replication_role(
    ctx: &Ctx<'_>,
    node: &Node,
    source: &RegionCtx,
    replicas: &[&RegionCtx],
    out: &mut Out,
) {
    let label = format!("{}_replication", ctx.ident(node));
    let source_label = ctx.label(node, source);
    let arn = |r: &RegionCtx| res("aws_s3_bucket", &ctx.label(node, r), "arn");
    let objects = |r: &RegionCtx| dsl::template(vec![Part::Interp(arn(r)), Part::Text("/*")]);
    let statements = vec![
        iam::statement(
            "ReadReplicationConfiguration",
            "Allow",
            &["s3:GetReplicationConfiguration", "s3:ListBucket"],
            vec![res("aws_s3_bucket", &source_label, "arn")],
            None,
            Vec::new(),
        ),
        iam::statement(
            "ReadSourceVersions",
            "Allow",
            &[
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionTagging",
            ],
            vec![objects(source)],
            None,
            Vec::new(),
        ),
        iam::statement(
            "WriteReplicas",
            "Allow",
            &[
                "s3:ReplicateDelete",
                "s3:ReplicateObject",
                "s3:ReplicateTags",
            ],
            replicas.iter().map(|r| objects(r)).collect(),
            None,
            Vec::new(),
        ),
        iam::statement(
            "DecryptSource",
            "Allow",
            &["kms:Decrypt"],
            vec![encryption::key_arn(source)],
            None,
            Vec::new(),
        ),
        iam::statement(
            "EncryptReplicas",
            "Allow",
            &["kms:Encrypt"],
            replicas.iter().map(|r| encryption::key_arn(r)).collect(),
            None,
            Vec::new(),
        ),
    ];
    let mut s = Section::node(node, "replication role");
    iam::role(
        ctx,
        &mut s,
        out,
        Some(node),
        &label,
        &format!("{}-replication", ctx.dashed(node)),
        "s3.amazonaws.com",
        &[],
        statements,
    );
    out.add(iam::GLOBAL_FILE, s);
    out.assume(
        "A bucket placed in several regions replicates from its primary-region copy to the \
         others (new objects and deletions); the replicas are read-only copies.",
    );
}

fn replication(ctx: &Ctx<'_>, node: &Node, source: &RegionCtx, replicas: &[&RegionCtx]) -> Block {
    let label = ctx.label(node, source);
    let mut b = dsl::resource("aws_s3_bucket_replication_configuration", &label)
        .add_attribute(dsl::attr("provider", source.provider()))
        .add_attribute(dsl::attr(
            "role",
            res(
                "aws_iam_role",
                &format!("{}_replication", ctx.ident(node)),
                "arn",
            ),
        ))
        .add_attribute(dsl::attr("bucket", res("aws_s3_bucket", &label, "id")));
    for (i, replica) in replicas.iter().enumerate() {
        b = b.add_block(
            dsl::block("rule")
                .add_attribute(dsl::attr("id", string(format!("to-{}", replica.id))))
                .add_attribute(dsl::attr("status", string("Enabled")))
                .add_attribute(dsl::attr("priority", i + 1))
                .add_block(dsl::block("filter").build())
                .add_block(dsl::attrs_block(
                    "delete_marker_replication",
                    vec![("status", string("Enabled"))],
                ))
                .add_block(
                    dsl::block("source_selection_criteria")
                        .add_block(dsl::attrs_block(
                            "sse_kms_encrypted_objects",
                            vec![("status", string("Enabled"))],
                        ))
                        .build(),
                )
                .add_block(
                    dsl::block("destination")
                        .add_attribute(dsl::attr(
                            "bucket",
                            res("aws_s3_bucket", &ctx.label(node, replica), "arn"),
                        ))
                        .add_attribute(dsl::attr("storage_class", string("STANDARD")))
                        .add_block(dsl::attrs_block(
                            "encryption_configuration",
                            vec![("replica_kms_key_id", encryption::key_arn(replica))],
                        ))
                        .build(),
                )
                .build(),
        );
    }
    let mut depends = vec![dsl::traversal("aws_s3_bucket_versioning", &[&label])];
    depends.extend(
        replicas
            .iter()
            .map(|r| dsl::traversal("aws_s3_bucket_versioning", &[&ctx.label(node, r)])),
    );
    b.add_attribute(dsl::attr("depends_on", dsl::list(depends)))
        .build()
}
