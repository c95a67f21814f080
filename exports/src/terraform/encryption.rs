//! One customer-managed KMS key per region for data at rest (databases,
//! caches, queues, buckets, MSK, logs), with yearly rotation and a key
//! policy that names who may use it.

use hcl::expr::Expression;
use topoplan_core::model::{CdnProvider, NodeKind, NodeSpec};

use super::dsl::{self, Part, res, string};
use super::{Ctx, Out, RegionCtx, Section, iam};

fn label(region: &RegionCtx) -> String {
    format!("data_{}", region.ident)
}

/// `aws_kms_key.data_us_east_1.arn`
pub(crate) fn key_arn(region: &RegionCtx) -> Expression {
    res("aws_kms_key", &label(region), "arn")
}

/// The CloudFront distributions that read buckets in `region` (their
/// objects are encrypted with this key, so the key policy must let them).
fn cloudfront_readers<'a>(
    ctx: &'a Ctx<'_>,
    region: &RegionCtx,
) -> Vec<&'a topoplan_core::model::Node> {
    ctx.t
        .nodes()
        .filter(|n| matches!(&n.spec, NodeSpec::Cdn(c) if c.provider == CdnProvider::Cloudfront))
        .filter(|cdn| {
            ctx.outgoing(&cdn.id).any(|e| {
                e.to.kind() == NodeKind::ObjectStore
                    && super::cdn::origin_regions(ctx, e.to)
                        .iter()
                        .any(|r| r.id == region.id)
            })
        })
        .collect()
}

pub(crate) fn emit(ctx: &Ctx<'_>, region: &RegionCtx, out: &mut Out) {
    let l = label(region);
    let partition = iam::partition(ctx, out);
    let account = iam::account_id(ctx, out);
    let mut s = Section::plain(&format!(
        "Encryption key for data at rest in {} (rotated yearly)",
        region.id
    ));
    let mut policy = dsl::data("aws_iam_policy_document", &format!("kms_{}", region.ident))
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_block(iam::statement(
            "AccountAdministersTheKey",
            "Allow",
            &["kms:*"],
            vec![string("*")],
            Some((
                "AWS",
                vec![dsl::template(vec![
                    Part::Text("arn:"),
                    Part::Interp(partition.clone()),
                    Part::Text(":iam::"),
                    Part::Interp(account.clone()),
                    Part::Text(":root"),
                ])],
            )),
            Vec::new(),
        ))
        .add_block(iam::statement(
            "CloudWatchLogsEncryptsLogGroups",
            "Allow",
            &[
                "kms:Decrypt*",
                "kms:Describe*",
                "kms:Encrypt*",
                "kms:GenerateDataKey*",
                "kms:ReEncrypt*",
            ],
            vec![string("*")],
            Some((
                "Service",
                vec![string(format!("logs.{}.amazonaws.com", region.id))],
            )),
            vec![(
                "ArnLike",
                "kms:EncryptionContext:aws:logs:arn",
                vec![dsl::template(vec![
                    Part::Text("arn:"),
                    Part::Interp(partition.clone()),
                    Part::Text(&format!(":logs:{}:", region.id)),
                    Part::Interp(account.clone()),
                    Part::Text(":log-group:*"),
                ])],
            )],
        ));
    let readers = cloudfront_readers(ctx, region);
    if !readers.is_empty() {
        policy = policy.add_block(iam::statement(
            "CloudFrontReadsEncryptedOrigins",
            "Allow",
            &["kms:Decrypt"],
            vec![string("*")],
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
    s.push(policy.build());
    s.push(
        dsl::resource("aws_kms_key", &l)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr(
                "description",
                string(format!(
                    "Data at rest of topology {} in {}",
                    ctx.topology_id, region.id
                )),
            ))
            .add_attribute(dsl::attr("enable_key_rotation", true))
            .add_attribute(dsl::attr("deletion_window_in_days", 30))
            .add_attribute(dsl::attr(
                "policy",
                dsl::data_ref(
                    "aws_iam_policy_document",
                    &format!("kms_{}", region.ident),
                    "json",
                ),
            ))
            .add_attribute(dsl::attr(
                "tags",
                dsl::object([("Name", string(ctx.name(&["data", &region.id], 255)))]),
            ))
            .build(),
    );
    s.push(
        dsl::resource("aws_kms_alias", &l)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr(
                "name",
                string(format!("alias/{}", ctx.name(&["data"], 200))),
            ))
            .add_attribute(dsl::attr("target_key_id", res("aws_kms_key", &l, "key_id")))
            .build(),
    );
    out.claim(
        format!("aws_kms_alias/{}", region.id),
        ctx.name(&["data"], 200),
        None,
    );
    out.add(&region.file, s);
}

/// A CloudWatch log group of `node`, encrypted with the region's key and
/// kept `log_retention_days`: `/topoplan/<topology>/<region>/<node>-<what>`.
pub(crate) fn log_group(
    ctx: &Ctx<'_>,
    node: &topoplan_core::model::Node,
    region: &RegionCtx,
    label: &str,
    name: &str,
    what: &str,
    out: &mut Out,
) -> hcl::Block {
    dsl::resource("aws_cloudwatch_log_group", label)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr(
            "name",
            string(format!(
                "/topoplan/{}/{}/{}-{what}",
                ctx.prefix,
                region.id,
                ctx.dashed(node)
            )),
        ))
        .add_attribute(dsl::attr(
            "retention_in_days",
            super::variables::log_retention_days(out),
        ))
        .add_attribute(dsl::attr("kms_key_id", key_arn(region)))
        .add_attribute(dsl::attr(
            "tags",
            Ctx::tags(node, &format!("{name}-{what}")),
        ))
        .build()
}
