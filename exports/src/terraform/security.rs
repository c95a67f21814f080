//! Security groups: one per node per region, and least-privilege rules that
//! follow the edges. A caller gets an egress rule to exactly the callee's
//! group on the callee's port, and the callee an ingress rule from exactly
//! the caller's group; nothing is open to the internet except the listener
//! ports of internet-facing load balancers, and services' outbound HTTPS
//! (AWS APIs, package mirrors, third-party services, through the NAT).
//! Consumers of a Kafka topic connect to the brokers, so a `consume` edge
//! from MSK opens the brokers to the consumer.

use hcl::expr::Expression;
use topoplan_core::model::{
    CacheEngine, DatabaseEngine, EdgeKind, ListenerProtocol, Node, NodeKind, NodeSpec, QueueEngine,
};

use super::dsl::{self, res, string};
use super::{Ctx, Out, RegionCtx, Section, network, variables};

/// The label of a node's security group in a region.
pub(crate) fn label(ctx: &Ctx<'_>, node: &Node, region: &RegionCtx) -> String {
    format!("{}_{}", ctx.ident(node), region.ident)
}

/// `aws_security_group.<node>_<region>.id`
pub(crate) fn id(ctx: &Ctx<'_>, node: &Node, region: &RegionCtx) -> Expression {
    res("aws_security_group", &label(ctx, node, region), "id")
}

/// The port a node accepts connections on, and what it is.
pub(crate) fn port(node: &Node, out: &mut Out) -> Option<(Expression, &'static str)> {
    match &node.spec {
        NodeSpec::LoadBalancer(lb) => Some((i64::from(lb.port).into(), "listener port")),
        NodeSpec::Service(_) => Some((variables::service_port(out), "service port")),
        NodeSpec::Cache(c) => Some(match c.engine {
            CacheEngine::Memcached => (11211.into(), "Memcached port"),
            CacheEngine::Redis | CacheEngine::Valkey => (6379.into(), "Redis port"),
        }),
        NodeSpec::Database(d) => Some(match d.engine {
            DatabaseEngine::AuroraPostgresql | DatabaseEngine::Postgres => {
                (5432.into(), "PostgreSQL port")
            }
            DatabaseEngine::AuroraMysql | DatabaseEngine::Mysql => (3306.into(), "MySQL port"),
        }),
        NodeSpec::Queue(q) if q.engine == QueueEngine::Kafka => {
            Some((9098.into(), "Kafka port (TLS, IAM auth)"))
        }
        _ => None,
    }
}

/// Whether a node has a security group in a region: VPC resident, or an API
/// whose VPC link reaches a load balancer there.
pub(crate) fn has_group(t: &topoplan_core::Topology, node: &Node, region: &RegionCtx) -> bool {
    if !node.placement.contains_key(&region.id) {
        return false;
    }
    if network::in_vpc(node) {
        return true;
    }
    node.kind() == NodeKind::ApiGateway
        && t.outgoing(&node.id).any(|e| {
            e.edge.kind == EdgeKind::Call
                && e.to.kind() == NodeKind::LoadBalancer
                && e.to.placement.contains_key(&region.id)
        })
}

/// A connection from `client` to `server` that the groups must allow.
struct Flow<'a> {
    client: &'a Node,
    server: &'a Node,
    why: &'static str,
}

/// Connections `node` takes part in within `region`, in edge order.
fn flows<'a>(ctx: &'a Ctx<'_>, node: &'a Node, region: &RegionCtx) -> Vec<Flow<'a>> {
    let t = ctx.t;
    let mut flows = Vec::new();
    let mut consider = |from: &'a Node, to: &'a Node, kind: EdgeKind| {
        if !has_group(t, from, region) || !has_group(t, to, region) {
            return;
        }
        let flow = match kind {
            EdgeKind::Call => Flow {
                client: from,
                server: to,
                why: "calls",
            },
            EdgeKind::Publish => Flow {
                client: from,
                server: to,
                why: "publishes to",
            },
            // Consumers connect to the brokers.
            EdgeKind::Consume if from.kind() == NodeKind::Queue => Flow {
                client: to,
                server: from,
                why: "consumes from",
            },
            EdgeKind::Consume | EdgeKind::Replicate => return,
        };
        // A load balancer only forwards to services (its targets).
        if flow.client.kind() == NodeKind::LoadBalancer && flow.server.kind() != NodeKind::Service {
            return;
        }
        // A VPC link only reaches load balancers.
        if flow.client.kind() == NodeKind::ApiGateway
            && flow.server.kind() != NodeKind::LoadBalancer
        {
            return;
        }
        if flow.server.kind() == NodeKind::ApiGateway {
            return;
        }
        // One pair, one rule: `publish` and `consume` between a service and
        // its Kafka cluster both open the same port.
        if flows
            .iter()
            .any(|f: &Flow<'_>| f.client.id == flow.client.id && f.server.id == flow.server.id)
        {
            return;
        }
        flows.push(flow);
    };
    for e in ctx.outgoing(&node.id) {
        consider(e.from, e.to, e.edge.kind);
    }
    for e in ctx.incoming(&node.id) {
        consider(e.from, e.to, e.edge.kind);
    }
    flows
}

fn rule_ports(b: hcl::BlockBuilder, port: &Expression) -> hcl::BlockBuilder {
    b.add_attribute(dsl::attr("ip_protocol", string("tcp")))
        .add_attribute(dsl::attr("from_port", port.clone()))
        .add_attribute(dsl::attr("to_port", port.clone()))
}

/// The node's security group in `region` and every rule it is the subject
/// of (ingress from its callers, egress to its callees).
pub(crate) fn group(
    ctx: &Ctx<'_>,
    node: &Node,
    region: &RegionCtx,
    s: &mut Section,
    out: &mut Out,
) {
    let l = label(ctx, node, region);
    let r = region.ident.as_str();
    let name = out.claim(
        format!("aws_security_group/{}", region.id),
        ctx.name(&[&ctx.dashed(node), &region.id], 255),
        Some(node),
    );
    s.push(
        dsl::resource("aws_security_group", &l)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("name", string(name.as_str())))
            .add_attribute(dsl::attr(
                "description",
                string(format!(
                    "{} {} of topology {}",
                    node.kind().label(),
                    node.id,
                    ctx.topology_id
                )),
            ))
            .add_attribute(dsl::attr("vpc_id", network::vpc_id(region)))
            .add_attribute(dsl::attr("tags", Ctx::tags(node, &name)))
            .build(),
    );
    let me = ctx.ident(node);
    let mut flows = flows(ctx, node, region);
    // Ingress rules first, then egress.
    flows.sort_by_key(|f| !std::ptr::eq(f.server, node));
    for flow in flows {
        let Some((port, what)) = port(flow.server, out) else {
            continue;
        };
        let description = format!(
            "{} {} {} on its {what}",
            flow.client.id, flow.why, flow.server.id
        );
        if std::ptr::eq(flow.server, node) {
            let other = ctx.ident(flow.client);
            s.push(
                rule_ports(
                    dsl::resource(
                        "aws_vpc_security_group_ingress_rule",
                        &format!("{me}_from_{other}_{r}"),
                    )
                    .add_attribute(dsl::attr("provider", region.provider()))
                    .add_attribute(dsl::attr("security_group_id", id(ctx, node, region)))
                    .add_attribute(dsl::attr(
                        "referenced_security_group_id",
                        id(ctx, flow.client, region),
                    )),
                    &port,
                )
                .add_attribute(dsl::attr("description", string(description)))
                .build(),
            );
        } else {
            let other = ctx.ident(flow.server);
            s.push(
                rule_ports(
                    dsl::resource(
                        "aws_vpc_security_group_egress_rule",
                        &format!("{me}_to_{other}_{r}"),
                    )
                    .add_attribute(dsl::attr("provider", region.provider()))
                    .add_attribute(dsl::attr("security_group_id", id(ctx, node, region)))
                    .add_attribute(dsl::attr(
                        "referenced_security_group_id",
                        id(ctx, flow.server, region),
                    )),
                    &port,
                )
                .add_attribute(dsl::attr("description", string(description)))
                .build(),
            );
        }
    }
    match &node.spec {
        NodeSpec::LoadBalancer(lb) if !lb.internal => {
            let mut ports = vec![(lb.port, "clients")];
            if super::load_balancer::redirects_http(lb) {
                ports.push((80, "the HTTP to HTTPS redirect"));
            }
            for (port, what) in ports {
                s.push(
                    rule_ports(
                        dsl::resource(
                            "aws_vpc_security_group_ingress_rule",
                            &format!("{me}_from_internet_{port}_{r}"),
                        )
                        .add_attribute(dsl::attr("provider", region.provider()))
                        .add_attribute(dsl::attr("security_group_id", id(ctx, node, region)))
                        .add_attribute(dsl::attr("cidr_ipv4", string("0.0.0.0/0"))),
                        &i64::from(port).into(),
                    )
                    .add_attribute(dsl::attr(
                        "description",
                        string(format!("Internet to {} on port {port} for {what}", node.id)),
                    ))
                    .build(),
                );
            }
            if lb.protocol == ListenerProtocol::Http {
                out.assume(
                    "Load balancers with protocol http serve plain HTTP; the others terminate \
                     TLS with the region's certificate and redirect port 80 to HTTPS.",
                );
            }
        }
        NodeSpec::Service(_) => {
            s.push(
                rule_ports(
                    dsl::resource(
                        "aws_vpc_security_group_egress_rule",
                        &format!("{me}_to_internet_https_{r}"),
                    )
                    .add_attribute(dsl::attr("provider", region.provider()))
                    .add_attribute(dsl::attr("security_group_id", id(ctx, node, region)))
                    .add_attribute(dsl::attr("cidr_ipv4", string("0.0.0.0/0"))),
                    &443.into(),
                )
                .add_attribute(dsl::attr(
                    "description",
                    string(format!(
                        "{} to AWS APIs, package mirrors and third parties over HTTPS",
                        node.id
                    )),
                ))
                .build(),
            );
        }
        _ => {}
    }
}
