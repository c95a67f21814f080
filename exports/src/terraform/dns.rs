//! DNS: Route 53 alias records in the user's hosted zone for each target
//! of a DNS node — load balancers and HTTP APIs per region with the node's
//! routing (latency, failover, weighted, simple) and health checks sized
//! from the deployment's detection time, CloudFront distributions with A
//! and AAAA aliases.
//!
//! Names: the first DNS node's first target answers at `domain_name`
//! itself; its other targets at `<target>.<domain_name>`. A second DNS
//! node's targets sit under `<dns node>.<domain_name>` the same way.

use hcl::Block;
use hcl::expr::Expression;
use topoplan_core::model::{
    CdnProvider, DnsRouting, DnsSpec, EdgeKind, ListenerProtocol, Node, NodeKind, NodeSpec,
};

use super::dsl::{self, Part, res, string};
use super::{
    Ctx, Out, OutputDef, RegionCtx, Section, api_gateway, iam, load_balancer, naming, variables,
};

/// A host label from a node id: lower case, letters, digits and `-`.
fn host_label(id: &str) -> String {
    naming::aws_name(&[id], 63, true)
}

/// The record names DNS nodes give `target` (for CloudFront's aliases).
pub(crate) fn names_for(ctx: &Ctx<'_>, target: &Node, out: &mut Out) -> Vec<Expression> {
    ctx.t
        .incoming(&target.id)
        .filter(|e| e.edge.kind == EdgeKind::Call && e.from.kind() == NodeKind::Dns)
        .map(|e| record_name(ctx, e.from, target, out))
        .collect()
}

/// The name DNS node `dns` gives `target`.
pub(crate) fn record_name(ctx: &Ctx<'_>, dns: &Node, target: &Node, out: &mut Out) -> Expression {
    let domain = variables::domain_name(out);
    let first_dns = ctx.t.nodes().find(|n| n.kind() == NodeKind::Dns);
    let is_first_dns = first_dns.is_some_and(|n| n.id == dns.id);
    let first_target = ctx
        .outgoing(&dns.id)
        .find(|e| e.edge.kind == EdgeKind::Call)
        .is_some_and(|e| e.to.id == target.id);
    let mut labels = Vec::new();
    if !first_target {
        labels.push(host_label(&target.id));
    }
    if !is_first_dns {
        labels.push(host_label(&dns.id));
    }
    if labels.is_empty() {
        return domain;
    }
    let prefix = format!("{}.", labels.join("."));
    dsl::template(vec![Part::Text(&prefix), Part::Interp(domain)])
}

pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &DnsSpec, out: &mut Out) {
    if ctx.global_region().is_none() {
        return;
    }
    let mut global = Section::node(node, "records and health checks");
    for e in ctx.outgoing(&node.id) {
        if e.edge.kind != EdgeKind::Call {
            continue;
        }
        let target = e.to;
        match &target.spec {
            NodeSpec::LoadBalancer(lb) => {
                let regions: Vec<&RegionCtx> = ctx
                    .placements(target)
                    .into_iter()
                    .map(|(r, _)| r)
                    .filter(|r| load_balancer::has_listener(ctx, target, lb, r))
                    .collect();
                let checks = spec.health_checks.then(|| {
                    let kind = match lb.protocol {
                        ListenerProtocol::Https | ListenerProtocol::Tls
                            if load_balancer::protocol(lb) == "HTTPS" =>
                        {
                            "HTTPS"
                        }
                        ListenerProtocol::Http if load_balancer::protocol(lb) == "HTTP" => "HTTP",
                        _ => "TCP",
                    };
                    (kind, lb.port, lb.health_check_path.clone())
                });
                let endpoints: Vec<(&RegionCtx, Expression, Expression)> = regions
                    .iter()
                    .map(|r| {
                        let (name, zone) = load_balancer::alias_target(ctx, target, r);
                        (*r, name, zone)
                    })
                    .collect();
                regional_records(
                    ctx,
                    node,
                    spec,
                    target,
                    &endpoints,
                    checks.as_ref(),
                    &mut global,
                    out,
                );
            }
            NodeSpec::ApiGateway(_) => {
                let name = record_name(ctx, node, target, out);
                let mut endpoints = Vec::new();
                for (r, _) in ctx.placements(target) {
                    let mut s = Section::node(target, &format!("custom domain in {}", r.id));
                    let (domain, zone) =
                        api_gateway::custom_domain(ctx, node, target, r, name.clone(), &mut s, out);
                    out.add(&r.file, s);
                    endpoints.push((r, domain, zone));
                }
                regional_records(ctx, node, spec, target, &endpoints, None, &mut global, out);
            }
            NodeSpec::Cdn(cdn) if cdn.provider == CdnProvider::Cloudfront => {
                let name = record_name(ctx, node, target, out);
                let dist = ctx.ident(target);
                for (suffix, ty) in [("a", "A"), ("aaaa", "AAAA")] {
                    global.push(
                        iam::global_resource(
                            ctx,
                            "aws_route53_record",
                            &format!("{}_{}_{suffix}", ctx.ident(node), dist),
                        )
                        .add_attribute(dsl::attr("zone_id", variables::zone_id(out)))
                        .add_attribute(dsl::attr("name", name.clone()))
                        .add_attribute(dsl::attr("type", string(ty)))
                        .add_block(alias(
                            res("aws_cloudfront_distribution", &dist, "domain_name"),
                            res("aws_cloudfront_distribution", &dist, "hosted_zone_id"),
                            false,
                        ))
                        .build(),
                    );
                }
                fqdn_output(
                    ctx,
                    node,
                    target,
                    &format!("{}_{}_a", ctx.ident(node), dist),
                    out,
                );
            }
            NodeSpec::Cdn(_) => out.warn(
                node,
                "dns-target",
                format!(
                    "points at {}, a third-party CDN: create a CNAME to the CDN's hostname \
                     (not generated)",
                    target.id
                ),
            ),
            _ => out.warn(
                node,
                "dns-target",
                format!(
                    "points at {} ({}), which Route 53 cannot alias: not generated",
                    target.id,
                    target.kind()
                ),
            ),
        }
    }
    out.add(iam::GLOBAL_FILE, global);
}

fn alias(name: Expression, zone_id: Expression, evaluate: bool) -> Block {
    dsl::attrs_block(
        "alias",
        vec![
            ("name", name),
            ("zone_id", zone_id),
            ("evaluate_target_health", evaluate.into()),
        ],
    )
}

fn fqdn_output(ctx: &Ctx<'_>, dns: &Node, target: &Node, record: &str, out: &mut Out) {
    out.output(OutputDef {
        name: format!("{}_{}_fqdn", ctx.ident(dns), ctx.ident(target)),
        description: format!("Name users reach {} at (via {})", target.id, dns.id),
        value: res("aws_route53_record", record, "fqdn"),
        sensitive: false,
        node: Some(dns.id.clone()),
    });
}

/// Health check interval and failure count from the deployment's detection time.
fn check_timing(detection_secs: u32) -> (u32, u32) {
    let interval = if detection_secs < 90 { 10 } else { 30 };
    (interval, (detection_secs / interval).clamp(1, 10))
}

/// Records for a target with one endpoint per region, routed by `spec`.
#[expect(
    clippy::too_many_arguments,
    reason = "records, checks and their inputs"
)]
fn regional_records(
    ctx: &Ctx<'_>,
    dns: &Node,
    spec: &DnsSpec,
    target: &Node,
    endpoints: &[(&RegionCtx, Expression, Expression)],
    checks: Option<&(&str, u16, String)>,
    s: &mut Section,
    out: &mut Out,
) {
    if endpoints.is_empty() {
        return;
    }
    let name = record_name(ctx, dns, target, out);
    let base = format!("{}_{}", ctx.ident(dns), ctx.ident(target));
    // Which endpoints get a record, and with what policy.
    let mut chosen: Vec<(&RegionCtx, &Expression, &Expression, Option<Block>)> = Vec::new();
    match spec.routing {
        DnsRouting::Simple => {
            let (r, n, z) = endpoints
                .iter()
                .find(|(r, _, _)| r.primary)
                .unwrap_or(&endpoints[0]);
            if endpoints.len() > 1 {
                out.warn(
                    dns,
                    "dns-simple",
                    format!(
                        "simple routing answers with one endpoint: {} in {} (use latency, \
                         failover or weighted routing to use every region)",
                        target.id, r.id
                    ),
                );
            }
            chosen.push((r, n, z, None));
        }
        DnsRouting::Latency => {
            for (r, n, z) in endpoints {
                chosen.push((
                    r,
                    n,
                    z,
                    Some(dsl::attrs_block(
                        "latency_routing_policy",
                        vec![("region", string(r.id.as_str()))],
                    )),
                ));
            }
        }
        DnsRouting::Weighted => {
            for (r, n, z) in endpoints {
                let weight = spec
                    .weights
                    .get(&r.id)
                    .copied()
                    .unwrap_or(u32::from(spec.weights.is_empty()));
                chosen.push((
                    r,
                    n,
                    z,
                    Some(dsl::attrs_block(
                        "weighted_routing_policy",
                        vec![("weight", weight.into())],
                    )),
                ));
            }
        }
        DnsRouting::Failover => {
            let primary = endpoints
                .iter()
                .position(|(r, _, _)| r.primary)
                .unwrap_or(0);
            let mut order: Vec<usize> = vec![primary];
            order.extend((0..endpoints.len()).filter(|&i| i != primary));
            if order.len() > 2 {
                out.warn(
                    dns,
                    "dns-failover",
                    format!(
                        "failover routing has one primary and one secondary: {} in {} is not \
                         in the failover pair",
                        target.id,
                        order[2..]
                            .iter()
                            .map(|&i| endpoints[i].0.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            for (k, &i) in order.iter().take(2).enumerate() {
                let (r, n, z) = &endpoints[i];
                chosen.push((
                    r,
                    n,
                    z,
                    Some(dsl::attrs_block(
                        "failover_routing_policy",
                        vec![("type", string(if k == 0 { "PRIMARY" } else { "SECONDARY" }))],
                    )),
                ));
            }
        }
    }
    let routed = spec.routing != DnsRouting::Simple;
    let (interval, threshold) = check_timing(ctx.t.meta().deployment.detection_secs);
    let mut first_record = None;
    for (r, endpoint, zone, policy) in chosen {
        let label = format!("{base}_{}", r.ident);
        let mut b = iam::global_resource(ctx, "aws_route53_record", &label)
            .add_attribute(dsl::attr("zone_id", variables::zone_id(out)))
            .add_attribute(dsl::attr("name", name.clone()))
            .add_attribute(dsl::attr("type", string("A")));
        if routed {
            b = b.add_attribute(dsl::attr("set_identifier", string(r.id.as_str())));
        }
        if let Some((kind, port, path)) = checks.filter(|_| routed) {
            let mut check = iam::global_resource(ctx, "aws_route53_health_check", &label)
                .add_attribute(dsl::attr("fqdn", endpoint.clone()))
                .add_attribute(dsl::attr("port", i64::from(*port)))
                .add_attribute(dsl::attr("type", string(*kind)));
            if *kind != "TCP" && path.starts_with('/') {
                check = check.add_attribute(dsl::attr("resource_path", string(path.as_str())));
            }
            s.push(
                check
                    .add_attribute(dsl::attr("request_interval", interval))
                    .add_attribute(dsl::attr("failure_threshold", threshold))
                    .add_attribute(dsl::attr(
                        "tags",
                        Ctx::tags(dns, &ctx.name(&[&ctx.dashed(target), &r.id], 255)),
                    ))
                    .build(),
            );
            b = b.add_attribute(dsl::attr(
                "health_check_id",
                res("aws_route53_health_check", &label, "id"),
            ));
        }
        if let Some(policy) = policy {
            b = b.add_block(policy);
        }
        s.push(
            b.add_block(alias(endpoint.clone(), zone.clone(), true))
                .build(),
        );
        first_record.get_or_insert(label);
    }
    if let Some(record) = first_record {
        fqdn_output(ctx, dns, target, &record, out);
    }
    if checks.is_some() && routed {
        out.assume(format!(
            "Route 53 health checks probe each regional endpoint every {interval} s and mark it \
             unhealthy after {threshold} failures (from the deployment's detection time)."
        ));
    }
}
