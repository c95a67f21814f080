//! The network of each region: a VPC, subnets per AZ in use for each tier
//! the design needs, internet and NAT gateways, route tables, an S3
//! gateway endpoint, VPC flow logs, and the default security group closed.
//!
//! Tiers, each a /21 of a /16 per AZ (`cidrsubnet(vpc, 5, slot)`):
//! - `public` (slots 0–7): internet-facing load balancers and NAT gateways;
//! - `private` (slots 8–15): services, internal load balancers, MSK,
//!   API Gateway VPC links; egress through the NAT gateways;
//! - `data` (slots 16–23): caches and databases; no route out of the VPC.

use hcl::expr::Expression;
use topoplan_core::model::{EdgeKind, Node, NodeKind, NodeSpec, QueueEngine, Topology};

use super::dsl::{self, res, string};
use super::{
    Ctx, ExportOptions, NatGateways, Needs, Out, RegionCtx, Section, encryption, iam, naming,
    variables,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tier {
    Public,
    Private,
    Data,
}

impl Tier {
    fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Data => "data",
        }
    }

    fn slot_offset(self) -> usize {
        match self {
            Self::Public => 0,
            Self::Private => 8,
            Self::Data => 16,
        }
    }
}

/// What the nodes placed in `region` need from its network.
pub(crate) fn needs(t: &Topology, opts: &ExportOptions, region: &RegionCtx) -> Needs {
    let mut needs = Needs::default();
    let mut service_azs: Vec<&str> = Vec::new();
    for node in t.nodes() {
        let Some(azs) = node.placement.get(&region.id) else {
            continue;
        };
        match &node.spec {
            NodeSpec::Service(_) => {
                needs.private = true;
                service_azs.extend(azs.iter().map(String::as_str));
                if t.outgoing(&node.id)
                    .any(|e| e.to.kind() == NodeKind::ObjectStore)
                {
                    needs.s3_endpoint = true;
                }
            }
            NodeSpec::LoadBalancer(lb) => {
                if lb.internal {
                    needs.private = true;
                } else {
                    needs.public = true;
                }
            }
            NodeSpec::Cache(_) | NodeSpec::Database(_) => {
                needs.data = true;
                needs.kms = true;
            }
            NodeSpec::Queue(q) => {
                needs.kms = true;
                if q.engine == QueueEngine::Kafka {
                    needs.private = true;
                }
            }
            NodeSpec::ObjectStore(_) => needs.kms = true,
            NodeSpec::ApiGateway(_) => {
                needs.kms = true;
                if t.outgoing(&node.id).any(|e| {
                    e.edge.kind == EdgeKind::Call
                        && e.to.kind() == NodeKind::LoadBalancer
                        && e.to.placement.contains_key(&region.id)
                }) {
                    needs.private = true;
                }
            }
            NodeSpec::Dns(_) | NodeSpec::Cdn(_) | NodeSpec::External(_) => {}
        }
    }
    let mut nat_azs: Vec<String> = region
        .azs
        .iter()
        .filter(|az| service_azs.contains(&az.as_str()))
        .cloned()
        .collect();
    if opts.nat_gateways == NatGateways::PerRegion {
        nat_azs.truncate(1);
    }
    needs.nat_azs = nat_azs;
    if !needs.nat_azs.is_empty() {
        needs.public = true;
    }
    if needs.vpc() {
        // The flow logs are encrypted with the region's key.
        needs.kms = true;
    }
    needs
}

/// `aws_vpc.us_east_1.id`
pub(crate) fn vpc_id(region: &RegionCtx) -> Expression {
    res("aws_vpc", &region.ident, "id")
}

fn subnet_label(tier: Tier, az: &str) -> String {
    format!("{}_{}", tier.as_str(), naming::region_ident(az))
}

/// The ids of a tier's subnets in `azs`.
pub(crate) fn subnet_ids(tier: Tier, azs: &[String]) -> Expression {
    dsl::list(
        azs.iter()
            .map(|az| res("aws_subnet", &subnet_label(tier, az), "id")),
    )
}

/// A tier's subnets in every AZ of the region.
pub(crate) fn all_subnet_ids(tier: Tier, region: &RegionCtx) -> Expression {
    subnet_ids(tier, &region.azs)
}

fn tags(ctx: &Ctx<'_>, name: &str, tier: Option<Tier>) -> Expression {
    let mut entries = vec![("Name", string(ctx.name(&[name], 255)))];
    if let Some(tier) = tier {
        entries.push(("topoplan:tier", string(tier.as_str())));
    }
    dsl::object(entries)
}

pub(crate) fn emit(ctx: &Ctx<'_>, region: &RegionCtx, out: &mut Out) {
    let needs = &region.needs;
    if needs.kms {
        encryption::emit(ctx, region, out);
    }
    if !needs.vpc() {
        return;
    }
    let r = region.ident.as_str();
    let provider = region.provider();
    let mut s = Section::plain(&format!(
        "VPC of {} with its flow logs, its default security group closed, and its internet gateway",
        region.id
    ));
    let cidr = variables::vpc_cidr(ctx, region, out);
    s.push(
        dsl::resource("aws_vpc", r)
            .add_attribute(dsl::attr("provider", provider.clone()))
            .add_attribute(dsl::attr("cidr_block", cidr))
            .add_attribute(dsl::attr("enable_dns_support", true))
            .add_attribute(dsl::attr("enable_dns_hostnames", true))
            .add_attribute(dsl::attr("tags", tags(ctx, &region.id, None)))
            .build(),
    );
    // Adopting the default security group with no rules closes it: every
    // resource here has its own, least-privilege group.
    s.push(
        dsl::resource("aws_default_security_group", r)
            .add_attribute(dsl::attr("provider", provider.clone()))
            .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
            .add_attribute(dsl::attr(
                "tags",
                tags(ctx, &format!("{}-default-closed", region.id), None),
            ))
            .build(),
    );
    flow_logs(ctx, region, &mut s, out);
    if needs.public {
        s.push(
            dsl::resource("aws_internet_gateway", r)
                .add_attribute(dsl::attr("provider", provider.clone()))
                .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
                .add_attribute(dsl::attr("tags", tags(ctx, &region.id, None)))
                .build(),
        );
    }
    out.add(&region.file, s);

    let tiers: Vec<Tier> = [
        (Tier::Public, needs.public),
        (Tier::Private, needs.private),
        (Tier::Data, needs.data),
    ]
    .into_iter()
    .filter_map(|(tier, needed)| needed.then_some(tier))
    .collect();
    let names: Vec<&str> = tiers.iter().map(|t| t.as_str()).collect();
    let mut s = Section::plain(&format!(
        "Subnets ({}) in each AZ in use: {}",
        names.join(", "),
        region.azs.join(", ")
    ));
    for &tier in &tiers {
        for az in &region.azs {
            let slot = tier.slot_offset() + region.az_index(az);
            s.push(
                dsl::resource("aws_subnet", &subnet_label(tier, az))
                    .add_attribute(dsl::attr("provider", provider.clone()))
                    .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
                    .add_attribute(dsl::attr(
                        "cidr_block",
                        dsl::call(
                            "cidrsubnet",
                            [res("aws_vpc", r, "cidr_block"), 5.into(), slot.into()],
                        ),
                    ))
                    .add_attribute(dsl::attr("availability_zone", string(az.as_str())))
                    .add_attribute(dsl::attr("map_public_ip_on_launch", false))
                    .add_attribute(dsl::attr(
                        "tags",
                        tags(ctx, &format!("{}-{az}", tier.as_str()), Some(tier)),
                    ))
                    .build(),
            );
        }
    }
    out.add(&region.file, s);
    if !needs.nat_azs.is_empty() {
        let mut s = Section::plain(&format!(
            "NAT gateways in {}: the private subnets' way out",
            needs.nat_azs.join(", ")
        ));
        nat_gateways(ctx, region, &mut s);
        out.add(&region.file, s);
    }
    let mut s = Section::plain(
        "Routes: public subnets through the internet gateway, private ones through the NAT \
         gateway of their AZ, data subnets stay inside the VPC",
    );
    route_tables(ctx, region, &tiers, &mut s);
    if needs.s3_endpoint && needs.private {
        s.push(
            dsl::resource("aws_vpc_endpoint", &format!("s3_{r}"))
                .add_attribute(dsl::attr("provider", provider.clone()))
                .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
                .add_attribute(dsl::attr(
                    "service_name",
                    string(format!("com.amazonaws.{}.s3", region.id)),
                ))
                .add_attribute(dsl::attr("vpc_endpoint_type", string("Gateway")))
                .add_attribute(dsl::attr(
                    "route_table_ids",
                    dsl::list(
                        region.azs.iter().map(|az| {
                            res("aws_route_table", &subnet_label(Tier::Private, az), "id")
                        }),
                    ),
                ))
                .add_attribute(dsl::attr(
                    "tags",
                    tags(ctx, &format!("{}-s3", region.id), None),
                ))
                .build(),
        );
        out.assume(
            "Services reach S3 through a gateway VPC endpoint (free; keeps that traffic off the \
             NAT gateways).",
        );
    }
    out.add(&region.file, s);
}

fn flow_logs(ctx: &Ctx<'_>, region: &RegionCtx, s: &mut Section, out: &mut Out) {
    let r = region.ident.as_str();
    let label = format!("flow_logs_{r}");
    let retention = variables::log_retention_days(out);
    s.push(
        dsl::resource("aws_cloudwatch_log_group", &label)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr(
                "name",
                string(format!(
                    "/topoplan/{}/{}/vpc-flow-logs",
                    ctx.prefix, region.id
                )),
            ))
            .add_attribute(dsl::attr("retention_in_days", retention))
            .add_attribute(dsl::attr("kms_key_id", encryption::key_arn(region)))
            .add_attribute(dsl::attr(
                "tags",
                tags(ctx, &format!("{}-flow-logs", region.id), None),
            ))
            .build(),
    );
    let role = iam::flow_logs_role(ctx, out);
    s.push(
        dsl::resource("aws_flow_log", r)
            .add_attribute(dsl::attr("provider", region.provider()))
            .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
            .add_attribute(dsl::attr("traffic_type", string("ALL")))
            .add_attribute(dsl::attr(
                "log_destination_type",
                string("cloud-watch-logs"),
            ))
            .add_attribute(dsl::attr(
                "log_destination",
                res("aws_cloudwatch_log_group", &label, "arn"),
            ))
            .add_attribute(dsl::attr("iam_role_arn", role))
            .add_attribute(dsl::attr("max_aggregation_interval", 60))
            .add_attribute(dsl::attr(
                "tags",
                tags(ctx, &format!("{}-flow-logs", region.id), None),
            ))
            .build(),
    );
}

fn nat_gateways(ctx: &Ctx<'_>, region: &RegionCtx, s: &mut Section) {
    let r = region.ident.as_str();
    for az in &region.needs.nat_azs {
        let az_ident = naming::region_ident(az);
        s.push(
            dsl::resource("aws_eip", &format!("nat_{az_ident}"))
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr("domain", string("vpc")))
                .add_attribute(dsl::attr("tags", tags(ctx, &format!("nat-{az}"), None)))
                .add_attribute(dsl::attr(
                    "depends_on",
                    dsl::list([dsl::traversal("aws_internet_gateway", &[r])]),
                ))
                .build(),
        );
        s.push(
            dsl::resource("aws_nat_gateway", &az_ident)
                .add_attribute(dsl::attr("provider", region.provider()))
                .add_attribute(dsl::attr(
                    "allocation_id",
                    res("aws_eip", &format!("nat_{az_ident}"), "id"),
                ))
                .add_attribute(dsl::attr(
                    "subnet_id",
                    res("aws_subnet", &subnet_label(Tier::Public, az), "id"),
                ))
                .add_attribute(dsl::attr("tags", tags(ctx, &format!("nat-{az}"), None)))
                .add_attribute(dsl::attr(
                    "depends_on",
                    dsl::list([dsl::traversal("aws_internet_gateway", &[r])]),
                ))
                .build(),
        );
    }
}

fn route(cidr: &str, target: &str, value: Expression) -> hcl::Block {
    dsl::attrs_block("route", vec![("cidr_block", string(cidr)), (target, value)])
}

fn route_tables(ctx: &Ctx<'_>, region: &RegionCtx, tiers: &[Tier], s: &mut Section) {
    let r = region.ident.as_str();
    let provider = region.provider();
    let associate = |s: &mut Section, tier: Tier, az: &str, table: &str| {
        s.push(
            dsl::resource("aws_route_table_association", &subnet_label(tier, az))
                .add_attribute(dsl::attr("provider", provider.clone()))
                .add_attribute(dsl::attr(
                    "subnet_id",
                    res("aws_subnet", &subnet_label(tier, az), "id"),
                ))
                .add_attribute(dsl::attr(
                    "route_table_id",
                    res("aws_route_table", table, "id"),
                ))
                .build(),
        );
    };
    if tiers.contains(&Tier::Public) {
        let table = format!("public_{r}");
        s.push(
            dsl::resource("aws_route_table", &table)
                .add_attribute(dsl::attr("provider", provider.clone()))
                .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
                .add_attribute(dsl::attr(
                    "tags",
                    tags(ctx, &format!("public-{}", region.id), Some(Tier::Public)),
                ))
                .add_block(route(
                    "0.0.0.0/0",
                    "gateway_id",
                    res("aws_internet_gateway", r, "id"),
                ))
                .build(),
        );
        for az in &region.azs {
            associate(s, Tier::Public, az, &table);
        }
    }
    if tiers.contains(&Tier::Private) {
        let nat_azs = &region.needs.nat_azs;
        for az in &region.azs {
            let table = subnet_label(Tier::Private, az);
            let mut b = dsl::resource("aws_route_table", &table)
                .add_attribute(dsl::attr("provider", provider.clone()))
                .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
                .add_attribute(dsl::attr(
                    "tags",
                    tags(ctx, &format!("private-{az}"), Some(Tier::Private)),
                ));
            // The NAT gateway in the same AZ, else the region's first one.
            let nat = nat_azs
                .iter()
                .find(|n| *n == az)
                .or_else(|| nat_azs.first());
            if let Some(nat) = nat {
                b = b.add_block(route(
                    "0.0.0.0/0",
                    "nat_gateway_id",
                    res("aws_nat_gateway", &naming::region_ident(nat), "id"),
                ));
            }
            s.push(b.build());
            associate(s, Tier::Private, az, &table);
        }
    }
    if tiers.contains(&Tier::Data) {
        let table = format!("data_{r}");
        s.push(
            dsl::resource("aws_route_table", &table)
                .add_attribute(dsl::attr("provider", provider.clone()))
                .add_attribute(dsl::attr("vpc_id", vpc_id(region)))
                .add_attribute(dsl::attr(
                    "tags",
                    tags(ctx, &format!("data-{}", region.id), Some(Tier::Data)),
                ))
                .build(),
        );
        for az in &region.azs {
            associate(s, Tier::Data, az, &table);
        }
    }
}

/// Whether a node lives inside the VPC (and so gets a security group).
pub(crate) fn in_vpc(node: &Node) -> bool {
    match &node.spec {
        NodeSpec::LoadBalancer(_)
        | NodeSpec::Service(_)
        | NodeSpec::Cache(_)
        | NodeSpec::Database(_) => true,
        NodeSpec::Queue(q) => q.engine == QueueEngine::Kafka,
        _ => false,
    }
}
