//! IAM: policy statements as `aws_iam_policy_document` data sources, the
//! shared partition and account lookups, and the roles the export needs
//! (instance roles with least-privilege policies following the edges,
//! VPC flow logs, RDS enhanced monitoring). IAM is global: these live in
//! `global.tf` on the primary region's provider.

use hcl::Block;
use hcl::expr::Expression;
use topoplan_core::model::Node;

use super::dsl::{self, Part, data_ref, res, string};
use super::{Ctx, Out, Section};

pub(crate) const GLOBAL_FILE: &str = "global.tf";

/// `provider = aws.<primary>` for a global resource.
pub(crate) fn global_provider(ctx: &Ctx<'_>) -> Option<Expression> {
    ctx.global_region().map(super::RegionCtx::provider)
}

fn with_provider(ctx: &Ctx<'_>, b: hcl::BlockBuilder) -> hcl::BlockBuilder {
    match global_provider(ctx) {
        Some(p) => b.add_attribute(dsl::attr("provider", p)),
        None => b,
    }
}

/// A `resource` block on the global provider.
pub(crate) fn global_resource(ctx: &Ctx<'_>, ty: &str, label: &str) -> hcl::BlockBuilder {
    with_provider(ctx, dsl::resource(ty, label))
}

/// A `data` block on the global provider.
pub(crate) fn global_data(ctx: &Ctx<'_>, ty: &str, label: &str) -> hcl::BlockBuilder {
    with_provider(ctx, dsl::data(ty, label))
}

/// `data.aws_partition.current.partition` (`aws`, `aws-cn`, `aws-us-gov`).
pub(crate) fn partition(ctx: &Ctx<'_>, out: &mut Out) -> Expression {
    if out.once("data.aws_partition.current") {
        let mut s = Section::plain("The partition the module runs in (aws, aws-cn, aws-us-gov)");
        s.order = 0;
        s.push(global_data(ctx, "aws_partition", "current").build());
        out.add(GLOBAL_FILE, s);
    }
    data_ref("aws_partition", "current", "partition")
}

/// `data.aws_caller_identity.current.account_id`
pub(crate) fn account_id(ctx: &Ctx<'_>, out: &mut Out) -> Expression {
    if out.once("data.aws_caller_identity.current") {
        let mut s = Section::plain("The account Terraform runs against");
        s.order = 0;
        s.push(global_data(ctx, "aws_caller_identity", "current").build());
        out.add(GLOBAL_FILE, s);
    }
    data_ref("aws_caller_identity", "current", "account_id")
}

/// `arn:<partition>:iam::aws:policy/<name>`
pub(crate) fn managed_policy(ctx: &Ctx<'_>, name: &str, out: &mut Out) -> Expression {
    let partition = partition(ctx, out);
    dsl::template(vec![
        Part::Text("arn:"),
        Part::Interp(partition),
        Part::Text(&format!(":iam::aws:policy/{name}")),
    ])
}

/// A `statement` block of an `aws_iam_policy_document`.
/// `conditions` are `(test, variable, values)`.
pub(crate) fn statement(
    sid: &str,
    effect: &str,
    actions: &[&str],
    resources: Vec<Expression>,
    principals: Option<(&str, Vec<Expression>)>,
    conditions: Vec<(&str, &str, Vec<Expression>)>,
) -> Block {
    let mut actions = actions.to_vec();
    actions.sort_unstable();
    let mut b = dsl::block("statement")
        .add_attribute(dsl::attr("sid", string(sid)))
        .add_attribute(dsl::attr("effect", string(effect)))
        .add_attribute(dsl::attr("actions", dsl::strings(actions.iter())));
    if !resources.is_empty() {
        b = b.add_attribute(dsl::attr("resources", dsl::list(resources)));
    }
    if let Some((kind, identifiers)) = principals {
        b = b.add_block(
            dsl::block("principals")
                .add_attribute(dsl::attr("type", string(kind)))
                .add_attribute(dsl::attr("identifiers", dsl::list(identifiers)))
                .build(),
        );
    }
    for (test, variable, values) in conditions {
        b = b.add_block(
            dsl::block("condition")
                .add_attribute(dsl::attr("test", string(test)))
                .add_attribute(dsl::attr("variable", string(variable)))
                .add_attribute(dsl::attr("values", dsl::list(values)))
                .build(),
        );
    }
    b.build()
}

/// `Sid`s are alphanumeric: `orders_db` → `OrdersDb`.
pub(crate) fn sid(words: &[&str]) -> String {
    let mut out = String::new();
    for word in words {
        let mut upper = true;
        for c in word.chars() {
            if c.is_ascii_alphanumeric() {
                if upper {
                    out.push(c.to_ascii_uppercase());
                } else {
                    out.push(c);
                }
                upper = false;
            } else {
                upper = true;
            }
        }
    }
    out
}

/// An assume-role policy document for `service` (e.g. `ec2.amazonaws.com`).
fn assume_role(ctx: &Ctx<'_>, label: &str, service: &str) -> Block {
    global_data(ctx, "aws_iam_policy_document", label)
        .add_block(statement(
            "AssumedByTheService",
            "Allow",
            &["sts:AssumeRole"],
            Vec::new(),
            Some(("Service", vec![string(service)])),
            Vec::new(),
        ))
        .build()
}

/// A role assumed by `service`, with managed policies attached and an inline
/// policy from `statements`; returns its label.
#[expect(clippy::too_many_arguments, reason = "a role has that many parts")]
pub(crate) fn role(
    ctx: &Ctx<'_>,
    s: &mut Section,
    out: &mut Out,
    node: Option<&Node>,
    label: &str,
    aws_name: &str,
    service: &str,
    managed: &[(&str, &str)],
    statements: Vec<Block>,
) -> String {
    let assume = format!("{label}_assume");
    s.push(assume_role(ctx, &assume, service));
    let name = out.claim("aws_iam_role".to_owned(), ctx.name(&[aws_name], 64), node);
    let mut tags = vec![("Name", string(name.as_str()))];
    if let Some(node) = node {
        tags.push((super::TAG_NODE, string(node.id.as_str())));
    }
    s.push(
        global_resource(ctx, "aws_iam_role", label)
            .add_attribute(dsl::attr("name", string(name.as_str())))
            .add_attribute(dsl::attr(
                "assume_role_policy",
                data_ref("aws_iam_policy_document", &assume, "json"),
            ))
            .add_attribute(dsl::attr("tags", dsl::object(tags)))
            .build(),
    );
    for (policy, suffix) in managed {
        let arn = managed_policy(ctx, policy, out);
        s.push(
            global_resource(
                ctx,
                "aws_iam_role_policy_attachment",
                &format!("{label}_{suffix}"),
            )
            .add_attribute(dsl::attr("role", res("aws_iam_role", label, "name")))
            .add_attribute(dsl::attr("policy_arn", arn))
            .build(),
        );
    }
    if !statements.is_empty() {
        let mut doc = global_data(ctx, "aws_iam_policy_document", label);
        for st in statements {
            doc = doc.add_block(st);
        }
        s.push(doc.build());
        s.push(
            global_resource(ctx, "aws_iam_role_policy", label)
                .add_attribute(dsl::attr("name", string("topology-access")))
                .add_attribute(dsl::attr("role", res("aws_iam_role", label, "id")))
                .add_attribute(dsl::attr(
                    "policy",
                    data_ref("aws_iam_policy_document", label, "json"),
                ))
                .build(),
        );
    }
    label.to_owned()
}

/// The role VPC flow logs deliver with (one for all regions).
pub(crate) fn flow_logs_role(ctx: &Ctx<'_>, out: &mut Out) -> Expression {
    let label = "vpc_flow_logs";
    if out.once("role.vpc_flow_logs") {
        let mut s = Section::plain("Role VPC flow logs deliver to CloudWatch Logs with");
        let statements = vec![statement(
            "DeliverFlowLogs",
            "Allow",
            &[
                "logs:CreateLogStream",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ],
            ctx.regions
                .iter()
                .filter(|r| r.needs.vpc())
                .map(|r| {
                    dsl::template(vec![
                        Part::Interp(res(
                            "aws_cloudwatch_log_group",
                            &format!("flow_logs_{}", r.ident),
                            "arn",
                        )),
                        Part::Text(":*"),
                    ])
                })
                .collect(),
            None,
            Vec::new(),
        )];
        role(
            ctx,
            &mut s,
            out,
            None,
            label,
            "vpc-flow-logs",
            "vpc-flow-logs.amazonaws.com",
            &[],
            statements,
        );
        out.add(GLOBAL_FILE, s);
    }
    res("aws_iam_role", label, "arn")
}

/// The role RDS enhanced monitoring publishes with (one for all databases).
pub(crate) fn rds_monitoring_role(ctx: &Ctx<'_>, out: &mut Out) -> Expression {
    let label = "rds_monitoring";
    if out.once("role.rds_monitoring") {
        let mut s = Section::plain("Role RDS enhanced monitoring publishes OS metrics with");
        role(
            ctx,
            &mut s,
            out,
            None,
            label,
            "rds-monitoring",
            "monitoring.rds.amazonaws.com",
            &[(
                "service-role/AmazonRDSEnhancedMonitoringRole",
                "enhanced_monitoring",
            )],
            Vec::new(),
        );
        out.add(GLOBAL_FILE, s);
    }
    res("aws_iam_role", label, "arn")
}
