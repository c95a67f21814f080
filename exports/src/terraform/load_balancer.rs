//! Load balancers: per region an ALB or NLB in the public (internet-facing)
//! or private (internal) subnets of its AZs, a target group with a health
//! check for each service it forwards to, and its listener (TLS terminated
//! with the region's certificate; on an HTTPS ALB on 443, port 80 redirects
//! to HTTPS). Several services behind one ALB share its traffic by the
//! edges' fractions (weighted forwarding).

use hcl::expr::Expression;
use topoplan_core::model::{
    EdgeKind, ListenerProtocol, LoadBalancerSpec, LoadBalancerType, Node, NodeKind,
};

use super::dsl::{self, res, string};
use super::{Ctx, Out, OutputDef, RegionCtx, Section, network, security, variables};

const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// The listener protocol the load balancer type supports that is closest
/// to the document's.
pub(crate) fn protocol(lb: &LoadBalancerSpec) -> &'static str {
    match (lb.lb_type, lb.protocol) {
        (LoadBalancerType::Alb, ListenerProtocol::Https | ListenerProtocol::Tls) => "HTTPS",
        (LoadBalancerType::Alb, ListenerProtocol::Http | ListenerProtocol::Tcp) => "HTTP",
        (LoadBalancerType::Nlb, ListenerProtocol::Https | ListenerProtocol::Tls) => "TLS",
        (LoadBalancerType::Nlb, ListenerProtocol::Http | ListenerProtocol::Tcp) => "TCP",
    }
}

fn terminates_tls(lb: &LoadBalancerSpec) -> bool {
    matches!(protocol(lb), "HTTPS" | "TLS")
}

/// An HTTPS ALB on 443 also listens on 80, to redirect to HTTPS.
pub(crate) fn redirects_http(lb: &LoadBalancerSpec) -> bool {
    protocol(lb) == "HTTPS" && lb.port == 443
}

/// A usable health check path, or `None` when the document's is not one.
fn check_path(path: &str) -> Option<&str> {
    (path.starts_with('/')
        && path.len() <= 1024
        && !path.chars().any(|c| c.is_whitespace() || c.is_control()))
    .then_some(path)
}

fn tg_label(ctx: &Ctx<'_>, lb: &Node, service: &Node, region: &RegionCtx) -> String {
    format!("{}_{}_{}", ctx.ident(lb), ctx.ident(service), region.ident)
}

/// The services a load balancer forwards to in `region`, with the edges'
/// fractions.
fn targets<'a>(ctx: &'a Ctx<'_>, lb: &Node, region: &RegionCtx) -> Vec<(&'a Node, f64)> {
    ctx.t
        .outgoing(&lb.id)
        .filter(|e| e.edge.kind == EdgeKind::Call && e.to.kind() == NodeKind::Service)
        .filter(|e| Ctx::placed_in(e.to, region))
        .map(|e| (e.to, e.edge.fraction))
        .collect()
}

/// The ARNs of the target groups `service` is registered with in `region`.
pub(crate) fn target_groups_for(
    ctx: &Ctx<'_>,
    service: &Node,
    region: &RegionCtx,
) -> Vec<Expression> {
    ctx.t
        .incoming(&service.id)
        .filter(|e| e.edge.kind == EdgeKind::Call && e.from.kind() == NodeKind::LoadBalancer)
        .filter(|e| Ctx::placed_in(e.from, region))
        .filter(|e| match &e.from.spec {
            // An NLB forwards to its first target only.
            topoplan_core::model::NodeSpec::LoadBalancer(lb)
                if lb.lb_type == LoadBalancerType::Nlb =>
            {
                targets(ctx, e.from, region)
                    .first()
                    .is_some_and(|(first, _)| first.id == service.id)
            }
            _ => true,
        })
        .map(|e| {
            res(
                "aws_lb_target_group",
                &tg_label(ctx, e.from, service, region),
                "arn",
            )
        })
        .collect()
}

/// The ARN of the listener clients reach (for API Gateway VPC links).
pub(crate) fn listener_arn(ctx: &Ctx<'_>, lb: &Node, region: &RegionCtx) -> Expression {
    res("aws_lb_listener", &ctx.label(lb, region), "arn")
}

/// `(dns_name, zone_id)` of the load balancer in `region`, for alias records.
pub(crate) fn alias_target(
    ctx: &Ctx<'_>,
    lb: &Node,
    region: &RegionCtx,
) -> (Expression, Expression) {
    let label = ctx.label(lb, region);
    (
        res("aws_lb", &label, "dns_name"),
        res("aws_lb", &label, "zone_id"),
    )
}

/// Whether the load balancer has a listener in `region` (an NLB without a
/// target has none).
pub(crate) fn has_listener(
    ctx: &Ctx<'_>,
    lb: &Node,
    spec: &LoadBalancerSpec,
    region: &RegionCtx,
) -> bool {
    spec.lb_type == LoadBalancerType::Alb || !targets(ctx, lb, region).is_empty()
}

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &LoadBalancerSpec, out: &mut Out) {
    let placements = ctx.placements(node);
    if placements.is_empty() {
        return;
    }
    let wanted = match spec.protocol {
        ListenerProtocol::Https => "HTTPS",
        ListenerProtocol::Http => "HTTP",
        ListenerProtocol::Tcp => "TCP",
        ListenerProtocol::Tls => "TLS",
    };
    if wanted != protocol(spec) {
        out.warn(
            node,
            "lb-protocol",
            format!(
                "an {} cannot listen on {wanted}: exported with {}",
                if spec.lb_type == LoadBalancerType::Alb {
                    "ALB"
                } else {
                    "NLB"
                },
                protocol(spec)
            ),
        );
    }
    if spec.lb_type == LoadBalancerType::Alb && !spec.cross_zone {
        out.warn(
            node,
            "alb-cross-zone",
            "cross_zone is off, but an ALB always balances across zones: exported with it on",
        );
    }
    let path = check_path(&spec.health_check_path);
    if path.is_none() {
        out.warn(
            node,
            "health-check-path",
            format!(
                "health_check_path {:?} is not an absolute URL path: the target groups check \"/\"",
                spec.health_check_path
            ),
        );
    }
    let others: Vec<&str> = ctx
        .outgoing(&node.id)
        .filter(|e| e.edge.kind == EdgeKind::Call && e.to.kind() != NodeKind::Service)
        .map(|e| e.to.id.as_str())
        .collect();
    if !others.is_empty() {
        out.warn(
            node,
            "lb-target",
            format!(
                "forwards to {}, which a load balancer cannot target (only services are \
                 registered with target groups)",
                others.join(", ")
            ),
        );
    }
    for (region, azs) in placements {
        let mut s = Section::placed(node, region, azs);
        security::group(ctx, node, region, &mut s, out);
        balancer(ctx, node, spec, region, azs, &mut s, out);
        let targets = targets(ctx, node, region);
        for (service, _) in &targets {
            target_group(
                ctx,
                node,
                spec,
                service,
                region,
                path.unwrap_or("/"),
                &mut s,
                out,
            );
        }
        listeners(ctx, node, spec, region, &targets, &mut s, out);
        out.output(OutputDef {
            name: format!("{}_dns_name", ctx.label(node, region)),
            description: format!("DNS name of load balancer {} in {}", node.id, region.id),
            value: res("aws_lb", &ctx.label(node, region), "dns_name"),
            sensitive: false,
            node: Some(node.id.clone()),
        });
        out.add(&region.file, s);
    }
}

fn balancer(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &LoadBalancerSpec,
    region: &RegionCtx,
    azs: &[String],
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let name = out.claim(
        format!("aws_lb/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 32),
        Some(node),
    );
    let tier = if spec.internal {
        network::Tier::Private
    } else {
        network::Tier::Public
    };
    let alb = spec.lb_type == LoadBalancerType::Alb;
    let mut b = dsl::resource("aws_lb", &label)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("name", string(name.as_str())))
        .add_attribute(dsl::attr("internal", spec.internal))
        .add_attribute(dsl::attr(
            "load_balancer_type",
            string(if alb { "application" } else { "network" }),
        ))
        .add_attribute(dsl::attr(
            "security_groups",
            dsl::list([security::id(ctx, node, region)]),
        ))
        .add_attribute(dsl::attr("subnets", network::subnet_ids(tier, azs)))
        .add_attribute(dsl::attr(
            "enable_deletion_protection",
            variables::deletion_protection(out),
        ));
    if alb {
        b = b.add_attribute(dsl::attr("drop_invalid_header_fields", true));
    } else {
        b = b.add_attribute(dsl::attr(
            "enable_cross_zone_load_balancing",
            spec.cross_zone,
        ));
    }
    s.push(
        b.add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
            .build(),
    );
}

#[expect(
    clippy::too_many_arguments,
    reason = "one target group, its many inputs"
)]
fn target_group(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &LoadBalancerSpec,
    service: &Node,
    region: &RegionCtx,
    path: &str,
    s: &mut Section,
    out: &mut Out,
) {
    let name = out.claim(
        format!("aws_lb_target_group/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &ctx.dashed(service), &region.id], 32),
        Some(node),
    );
    let alb = spec.lb_type == LoadBalancerType::Alb;
    let mut check = dsl::block("health_check")
        .add_attribute(dsl::attr("enabled", true))
        .add_attribute(dsl::attr("protocol", string("HTTP")))
        .add_attribute(dsl::attr("path", string(path)))
        .add_attribute(dsl::attr("matcher", string("200-399")))
        .add_attribute(dsl::attr("healthy_threshold", 3))
        .add_attribute(dsl::attr("unhealthy_threshold", 3));
    check = if alb {
        check
            .add_attribute(dsl::attr("interval", 15))
            .add_attribute(dsl::attr("timeout", 5))
    } else {
        check.add_attribute(dsl::attr("interval", 10))
    };
    s.push(
        dsl::resource("aws_lb_target_group", &tg_label(ctx, node, service, region))
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("name", string(name.as_str())))
            .add_attribute(dsl::attr("port", variables::service_port(out)))
            .add_attribute(dsl::attr(
                "protocol",
                string(if alb { "HTTP" } else { "TCP" }),
            ))
            .add_attribute(dsl::attr("target_type", string("instance")))
            .add_attribute(dsl::attr("vpc_id", network::vpc_id(region)))
            .add_attribute(dsl::attr("deregistration_delay", 30))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
            .add_block(check.build())
            .build(),
    );
}

/// Weights from the edges' fractions (ALB weights are 0..=999).
#[expect(
    clippy::cast_possible_truncation,
    reason = "a fraction in 0..=1 times 100, rounded"
)]
fn weight(fraction: f64) -> i64 {
    (fraction.clamp(0.0, 1.0) * 100.0).round() as i64
}

fn listeners(
    ctx: &Ctx<'_>,
    node: &Node,
    spec: &LoadBalancerSpec,
    region: &RegionCtx,
    targets: &[(&Node, f64)],
    s: &mut Section,
    out: &mut Out,
) {
    let label = ctx.label(node, region);
    let alb = spec.lb_type == LoadBalancerType::Alb;
    let action = match targets {
        [] if alb => {
            out.warn(
                node,
                "lb-no-target",
                format!(
                    "no service behind it in {}: its listener answers 503",
                    region.id
                ),
            );
            dsl::block("default_action")
                .add_attribute(dsl::attr("type", string("fixed-response")))
                .add_block(dsl::attrs_block(
                    "fixed_response",
                    vec![
                        ("content_type", string("text/plain")),
                        (
                            "message_body",
                            string("No service behind this load balancer"),
                        ),
                        ("status_code", string("503")),
                    ],
                ))
                .build()
        }
        [] => {
            out.warn(
                node,
                "lb-no-target",
                format!(
                    "no service behind it in {}: an NLB listener needs a target group, so none \
                     is generated",
                    region.id
                ),
            );
            return;
        }
        [(service, _)] => dsl::attrs_block(
            "default_action",
            vec![
                ("type", string("forward")),
                (
                    "target_group_arn",
                    res(
                        "aws_lb_target_group",
                        &tg_label(ctx, node, service, region),
                        "arn",
                    ),
                ),
            ],
        ),
        [(first, _), ..] if !alb => {
            out.warn(
                node,
                "nlb-targets",
                format!(
                    "an NLB listener forwards to one target group: only {} is behind it in {}",
                    first.id, region.id
                ),
            );
            dsl::attrs_block(
                "default_action",
                vec![
                    ("type", string("forward")),
                    (
                        "target_group_arn",
                        res(
                            "aws_lb_target_group",
                            &tg_label(ctx, node, first, region),
                            "arn",
                        ),
                    ),
                ],
            )
        }
        many => {
            let mut forward = dsl::block("forward");
            for (service, fraction) in many {
                forward = forward.add_block(dsl::attrs_block(
                    "target_group",
                    vec![
                        (
                            "arn",
                            res(
                                "aws_lb_target_group",
                                &tg_label(ctx, node, service, region),
                                "arn",
                            ),
                        ),
                        ("weight", weight(*fraction).into()),
                    ],
                ));
            }
            dsl::block("default_action")
                .add_attribute(dsl::attr("type", string("forward")))
                .add_block(forward.build())
                .build()
        }
    };
    let mut b = dsl::resource("aws_lb_listener", &label)
        .add_attribute(dsl::attr("provider", region.provider()))
        .add_attribute(dsl::attr("load_balancer_arn", res("aws_lb", &label, "arn")))
        .add_attribute(dsl::attr("port", i64::from(spec.port)))
        .add_attribute(dsl::attr("protocol", string(protocol(spec))));
    if terminates_tls(spec) {
        b = b
            .add_attribute(dsl::attr("ssl_policy", string(TLS_POLICY)))
            .add_attribute(dsl::attr(
                "certificate_arn",
                variables::certificate(region, out),
            ));
    }
    let listener_name = ctx.name(&[&ctx.dashed(node), &region.id, protocol(spec)], 255);
    s.push(
        b.add_attribute(dsl::attr("tags", Ctx::tags(node, &listener_name)))
            .add_block(action)
            .build(),
    );
    if alb && redirects_http(spec) {
        s.push(
            dsl::resource(
                "aws_lb_listener",
                &format!("{}_http_{}", ctx.ident(node), region.ident),
            )
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("load_balancer_arn", res("aws_lb", &label, "arn")))
            .add_attribute(dsl::attr("port", 80))
            .add_attribute(dsl::attr("protocol", string("HTTP")))
            .add_attribute(dsl::attr(
                "tags",
                Ctx::tags(
                    node,
                    &ctx.name(&[&ctx.dashed(node), &region.id, "http-redirect"], 255),
                ),
            ))
            .add_block(
                dsl::block("default_action")
                    .add_attribute(dsl::attr("type", string("redirect")))
                    .add_block(dsl::attrs_block(
                        "redirect",
                        vec![
                            ("port", string("443")),
                            ("protocol", string("HTTPS")),
                            ("status_code", string("HTTP_301")),
                        ],
                    ))
                    .build(),
            )
            .build(),
        );
    }
}
