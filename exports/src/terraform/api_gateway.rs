//! API gateways: per region an HTTP API (API Gateway v2) with a `$default`
//! stage throttled at the node's rate and logging every request to an
//! encrypted log group, and a private integration through a VPC link for
//! each load balancer it calls. API Gateway cannot integrate with an
//! autoscaling group directly; such an edge is reported.

use hcl::expr::Expression;
use topoplan_core::model::{ApiGatewaySpec, ApiType, EdgeKind, Node, NodeKind, NodeSpec};

use super::dsl::{self, Part, res, string};
use super::{
    Ctx, Out, OutputDef, RegionCtx, Section, encryption, load_balancer, network, security,
    variables,
};

/// The host of the API's default endpoint (for CloudFront origins).
pub(crate) fn endpoint_host(ctx: &Ctx<'_>, api: &Node, region: &RegionCtx) -> Expression {
    dsl::call(
        "replace",
        [
            res(
                "aws_apigatewayv2_api",
                &ctx.label(api, region),
                "api_endpoint",
            ),
            string("https://"),
            string(""),
        ],
    )
}

/// The custom domain DNS node `dns` gives the API in `region`, mapped to
/// its stage; returns the alias target `(name, zone_id)`.
///
/// Each DNS node names the API differently, so each gets its own domain:
/// the first DNS node calling the API (in document order) keeps the API's
/// own label, the others add theirs.
pub(crate) fn custom_domain(
    ctx: &Ctx<'_>,
    dns: &Node,
    api: &Node,
    region: &RegionCtx,
    name: Expression,
    s: &mut Section,
    out: &mut Out,
) -> (Expression, Expression) {
    let stage = ctx.label(api, region);
    let calls_api = |n: &Node| {
        ctx.outgoing(&n.id)
            .any(|e| e.edge.kind == EdgeKind::Call && e.to.id == api.id)
    };
    let first_caller = ctx
        .t
        .nodes()
        .find(|n| n.kind() == NodeKind::Dns && calls_api(n))
        .is_some_and(|n| n.id == dns.id);
    let label = if first_caller {
        stage.clone()
    } else {
        format!("{stage}_{}", ctx.ident(dns))
    };
    let (api_name, dns_name) = (ctx.dashed(api), ctx.dashed(dns));
    let mut name_parts = vec![api_name.as_str(), region.id.as_str()];
    if !first_caller {
        name_parts.push(&dns_name);
    }
    s.push(
        dsl::resource("aws_apigatewayv2_domain_name", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("domain_name", name))
            .add_attribute(dsl::attr(
                "tags",
                Ctx::tags(api, &ctx.name(&name_parts, 255)),
            ))
            .add_block(dsl::attrs_block(
                "domain_name_configuration",
                vec![
                    ("certificate_arn", variables::certificate(region, out)),
                    ("endpoint_type", string("REGIONAL")),
                    ("security_policy", string("TLS_1_2")),
                ],
            ))
            .build(),
    );
    s.push(
        dsl::resource("aws_apigatewayv2_api_mapping", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr(
                "api_id",
                res("aws_apigatewayv2_api", &stage, "id"),
            ))
            .add_attribute(dsl::attr(
                "domain_name",
                res("aws_apigatewayv2_domain_name", &label, "id"),
            ))
            .add_attribute(dsl::attr(
                "stage",
                res("aws_apigatewayv2_stage", &stage, "id"),
            ))
            .build(),
    );
    let config = dsl::index(
        res(
            "aws_apigatewayv2_domain_name",
            &label,
            "domain_name_configuration",
        ),
        0,
    );
    (
        dsl::get(config.clone(), "target_domain_name"),
        dsl::get(config, "hosted_zone_id"),
    )
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "a validated positive rate, rounded up and capped"
)]
fn burst(rate: f64) -> i64 {
    rate.ceil().clamp(1.0, 5000.0) as i64
}

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &ApiGatewaySpec, out: &mut Out) {
    if spec.api_type == ApiType::Rest {
        out.warn(
            node,
            "api-rest",
            "a REST API is exported as an HTTP API (API Gateway v2): REST resources, methods and \
             usage plans are not generated",
        );
    }
    let unreachable: Vec<&str> = ctx
        .outgoing(&node.id)
        .filter(|e| e.edge.kind == EdgeKind::Call && e.to.kind() != NodeKind::LoadBalancer)
        .map(|e| e.to.id.as_str())
        .collect();
    if !unreachable.is_empty() {
        out.warn(
            node,
            "api-integration",
            format!(
                "calls {}: an HTTP API reaches instances only through a load balancer (VPC \
                 link), so no integration is generated for it; put a load balancer in front",
                unreachable.join(", ")
            ),
        );
    }
    for (region, _) in ctx.placements(node) {
        let label = ctx.label(node, region);
        let mut s = Section::placed(node, region, &[]);
        let name = out.claim(
            format!("aws_apigatewayv2_api/{}", region.id),
            ctx.name(&[&ctx.dashed(node), &region.id], 128),
            Some(node),
        );
        s.push(
            dsl::resource("aws_apigatewayv2_api", &label)
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr("name", string(name.as_str())))
                .add_attribute(dsl::attr("protocol_type", string("HTTP")))
                .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
                .build(),
        );
        let logs = format!("{label}_access");
        s.push(encryption::log_group(
            ctx, node, region, &logs, &name, "access", out,
        ));
        s.push(
            dsl::resource("aws_apigatewayv2_stage", &label)
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr(
                    "api_id",
                    res("aws_apigatewayv2_api", &label, "id"),
                ))
                .add_attribute(dsl::attr("name", string("$default")))
                .add_attribute(dsl::attr("auto_deploy", true))
                .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
                .add_block(dsl::attrs_block(
                    "default_route_settings",
                    vec![
                        ("throttling_rate_limit", spec.throttle_rps.into()),
                        ("throttling_burst_limit", burst(spec.throttle_rps).into()),
                    ],
                ))
                .add_block(dsl::attrs_block(
                    "access_log_settings",
                    vec![
                        (
                            "destination_arn",
                            res("aws_cloudwatch_log_group", &logs, "arn"),
                        ),
                        (
                            "format",
                            dsl::call(
                                "jsonencode",
                                [dsl::object(
                                    [
                                        ("requestId", "$context.requestId"),
                                        ("sourceIp", "$context.identity.sourceIp"),
                                        ("requestTime", "$context.requestTime"),
                                        ("routeKey", "$context.routeKey"),
                                        ("status", "$context.status"),
                                        ("responseLength", "$context.responseLength"),
                                        ("integrationError", "$context.integrationErrorMessage"),
                                    ]
                                    .map(|(k, v)| (k, string(v))),
                                )],
                            ),
                        ),
                    ],
                ))
                .build(),
        );
        integrations(ctx, node, region, &mut s, out);
        out.output(OutputDef {
            name: format!("{label}_endpoint"),
            description: format!("Default endpoint of API {} in {}", node.id, region.id),
            value: res("aws_apigatewayv2_api", &label, "api_endpoint"),
            sensitive: false,
            node: Some(node.id.clone()),
        });
        out.add(&region.file, s);
    }
}

fn integrations(ctx: &Ctx<'_>, node: &Node, region: &RegionCtx, s: &mut Section, out: &mut Out) {
    let label = ctx.label(node, region);
    let targets: Vec<&Node> = ctx
        .outgoing(&node.id)
        .filter(|e| e.edge.kind == EdgeKind::Call && e.to.kind() == NodeKind::LoadBalancer)
        .map(|e| e.to)
        .filter(|lb| Ctx::placed_in(lb, region))
        .filter(|lb| match &lb.spec {
            NodeSpec::LoadBalancer(spec) => load_balancer::has_listener(ctx, lb, spec, region),
            _ => false,
        })
        .collect();
    if targets.is_empty() {
        return;
    }
    security::group(ctx, node, region, s, out);
    let link_name = out.claim(
        format!("aws_apigatewayv2_vpc_link/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 128),
        Some(node),
    );
    s.push(
        dsl::resource("aws_apigatewayv2_vpc_link", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("name", string(link_name.as_str())))
            .add_attribute(dsl::attr(
                "subnet_ids",
                network::all_subnet_ids(network::Tier::Private, region),
            ))
            .add_attribute(dsl::attr(
                "security_group_ids",
                dsl::list([security::id(ctx, node, region)]),
            ))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &link_name)))
            .build(),
    );
    for (i, lb) in targets.iter().enumerate() {
        let NodeSpec::LoadBalancer(lb_spec) = &lb.spec else {
            continue;
        };
        let il = format!("{}_{}_{}", ctx.ident(node), ctx.ident(lb), region.ident);
        let mut b = dsl::resource("aws_apigatewayv2_integration", &il)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr(
                "api_id",
                res("aws_apigatewayv2_api", &label, "id"),
            ))
            .add_attribute(dsl::attr("integration_type", string("HTTP_PROXY")))
            .add_attribute(dsl::attr("integration_method", string("ANY")))
            .add_attribute(dsl::attr("connection_type", string("VPC_LINK")))
            .add_attribute(dsl::attr(
                "connection_id",
                res("aws_apigatewayv2_vpc_link", &label, "id"),
            ))
            .add_attribute(dsl::attr(
                "integration_uri",
                load_balancer::listener_arn(ctx, lb, region),
            ))
            .add_attribute(dsl::attr("payload_format_version", string("1.0")));
        if matches!(load_balancer::protocol(lb_spec), "HTTPS" | "TLS") {
            // The load balancer's certificate is for the public domain.
            b = b.add_block(dsl::attrs_block(
                "tls_config",
                vec![("server_name_to_verify", variables::domain_name(out))],
            ));
        }
        s.push(b.build());
        let route_key = if i == 0 {
            "$default".to_owned()
        } else {
            format!("ANY /{}/{{proxy+}}", lb.id)
        };
        s.push(
            dsl::resource("aws_apigatewayv2_route", &il)
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr(
                    "api_id",
                    res("aws_apigatewayv2_api", &label, "id"),
                ))
                .add_attribute(dsl::attr("route_key", string(route_key)))
                .add_attribute(dsl::attr(
                    "target",
                    dsl::template(vec![
                        Part::Text("integrations/"),
                        Part::Interp(res("aws_apigatewayv2_integration", &il, "id")),
                    ]),
                ))
                .build(),
        );
    }
}
