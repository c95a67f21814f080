//! CDN: a CloudFront distribution whose origins follow the node's edges —
//! buckets through Origin Access Control (with an origin group failing
//! over to the bucket's second region), load balancers and HTTP APIs as
//! HTTPS custom origins. The first origin takes the default behaviour; the
//! others are served under `/<node id>/*`. Static origins are cached with
//! the managed `CachingOptimized` policy, dynamic ones pass through
//! (`CachingDisabled`, all viewer headers but Host); every response gets the
//! managed security headers. A third-party CDN is not expressible with the
//! AWS provider and is reported.

use hcl::Block;
use hcl::expr::Expression;
use topoplan_core::model::{CdnProvider, CdnSpec, EdgeKind, Node, NodeKind, NodeSpec};

use super::dsl::{self, local, res, string};
use super::{
    Ctx, Out, OutputDef, RegionCtx, Section, api_gateway, dns, iam, load_balancer, variables,
};

/// AWS-managed CloudFront policies (their ids are the same in every account).
const MANAGED: [(&str, &str); 4] = [
    (
        "cloudfront_caching_optimized",
        "658327ea-f89d-4fab-a63d-7e88639e58f6",
    ),
    (
        "cloudfront_caching_disabled",
        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    ),
    (
        "cloudfront_all_viewer_except_host_header",
        "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    ),
    (
        "cloudfront_security_headers",
        "67f7725c-6f97-4210-82d7-5512b31e9d03",
    ),
];

/// The regions CloudFront reads an origin node from: its primary-region
/// copy first, then (for buckets) one more region to fail over to.
pub(crate) fn origin_regions<'a>(ctx: &'a Ctx<'_>, origin: &Node) -> Vec<&'a RegionCtx> {
    let mut regions: Vec<&RegionCtx> = ctx.placements(origin).into_iter().map(|(r, _)| r).collect();
    regions.sort_by_key(|r| !r.primary);
    let keep = if origin.kind() == NodeKind::ObjectStore {
        2
    } else {
        1
    };
    regions.truncate(keep);
    regions
}

/// One origin (or origin group) and how its behaviour treats requests.
struct Origin<'a> {
    node: &'a Node,
    /// The id behaviours target: an origin, or the origin group.
    target_id: String,
    is_static: bool,
}

#[expect(
    clippy::too_many_lines,
    reason = "origins, behaviours and the distribution read best in one place"
)]
pub(crate) fn emit(ctx: &Ctx<'_>, node: &Node, spec: &CdnSpec, out: &mut Out) {
    if spec.provider == CdnProvider::ThirdParty {
        out.warn(
            node,
            "third-party-cdn",
            "a third-party CDN cannot be created with the AWS provider: configure it with its \
             own provider; its origins are exported",
        );
        return;
    }
    if ctx.global_region().is_none() {
        return;
    }
    let label = ctx.ident(node);
    let mut origin_blocks: Vec<Block> = Vec::new();
    let mut group_blocks: Vec<Block> = Vec::new();
    let mut origins: Vec<Origin<'_>> = Vec::new();
    let mut oac = false;
    for e in ctx.outgoing(&node.id) {
        if e.edge.kind != EdgeKind::Call {
            continue;
        }
        let target = e.to;
        let regions = origin_regions(ctx, target);
        match &target.spec {
            NodeSpec::ObjectStore(_) if !regions.is_empty() => {
                oac = true;
                let ids: Vec<String> = regions
                    .iter()
                    .map(|r| format!("s3-{}-{}", target.id, r.id))
                    .collect();
                for (r, id) in regions.iter().zip(&ids) {
                    origin_blocks.push(
                        dsl::block("origin")
                            .add_attribute(dsl::attr("origin_id", string(id.as_str())))
                            .add_attribute(dsl::attr(
                                "domain_name",
                                res(
                                    "aws_s3_bucket",
                                    &ctx.label(target, r),
                                    "bucket_regional_domain_name",
                                ),
                            ))
                            .add_attribute(dsl::attr(
                                "origin_access_control_id",
                                res("aws_cloudfront_origin_access_control", &label, "id"),
                            ))
                            .build(),
                    );
                }
                let target_id = if ids.len() > 1 {
                    let group = format!("s3-{}", target.id);
                    let mut g = dsl::block("origin_group")
                        .add_attribute(dsl::attr("origin_id", string(group.as_str())))
                        .add_block(dsl::attrs_block(
                            "failover_criteria",
                            vec![(
                                "status_codes",
                                dsl::list([403, 404, 500, 502, 503, 504].map(Expression::from)),
                            )],
                        ));
                    for id in &ids {
                        g = g.add_block(dsl::attrs_block(
                            "member",
                            vec![("origin_id", string(id.as_str()))],
                        ));
                    }
                    group_blocks.push(g.build());
                    group
                } else {
                    ids[0].clone()
                };
                origins.push(Origin {
                    node: target,
                    target_id,
                    is_static: true,
                });
            }
            NodeSpec::LoadBalancer(lb) if !regions.is_empty() => {
                if lb.internal {
                    out.warn(
                        node,
                        "cdn-origin",
                        format!(
                            "{} is an internal load balancer, which CloudFront cannot reach: not \
                             an origin",
                            target.id
                        ),
                    );
                    continue;
                }
                let r = regions[0];
                warn_single_region(ctx, node, target, r, out);
                let id = format!("lb-{}-{}", target.id, r.id);
                let (domain, _) = load_balancer::alias_target(ctx, target, r);
                let https = load_balancer::protocol(lb) == "HTTPS";
                origin_blocks.push(custom_origin(&id, domain, https, lb.port));
                origins.push(Origin {
                    node: target,
                    target_id: id,
                    is_static: false,
                });
            }
            NodeSpec::ApiGateway(_) if !regions.is_empty() => {
                let r = regions[0];
                warn_single_region(ctx, node, target, r, out);
                let id = format!("api-{}-{}", target.id, r.id);
                origin_blocks.push(custom_origin(
                    &id,
                    api_gateway::endpoint_host(ctx, target, r),
                    true,
                    443,
                ));
                origins.push(Origin {
                    node: target,
                    target_id: id,
                    is_static: false,
                });
            }
            _ => out.warn(
                node,
                "cdn-origin",
                format!(
                    "{} ({}) cannot be a CloudFront origin (buckets, load balancers and APIs can)",
                    target.id,
                    target.kind()
                ),
            ),
        }
    }
    let Some(default) = origins.first() else {
        out.warn(
            node,
            "cdn-no-origin",
            "no origin CloudFront can use: no distribution is generated",
        );
        return;
    };
    for (name, id) in MANAGED {
        out.local(name, string(id));
    }
    let mut s = Section::node(node, "distribution");
    if oac {
        let name = out.claim(
            "aws_cloudfront_origin_access_control".to_owned(),
            ctx.name(&[&ctx.dashed(node)], 64),
            Some(node),
        );
        s.push(
            iam::global_resource(ctx, "aws_cloudfront_origin_access_control", &label)
                .add_attribute(dsl::attr("name", string(name.as_str())))
                .add_attribute(dsl::attr(
                    "description",
                    string(format!("Buckets behind {}", node.id)),
                ))
                .add_attribute(dsl::attr("origin_access_control_origin_type", string("s3")))
                .add_attribute(dsl::attr("signing_behavior", string("always")))
                .add_attribute(dsl::attr("signing_protocol", string("sigv4")))
                .build(),
        );
    }
    s.push(security_headers(ctx, node, out));
    let aliases = dns::names_for(ctx, node, out);
    let comment: String = node.name.chars().take(128).collect();
    let mut b = iam::global_resource(ctx, "aws_cloudfront_distribution", &label)
        .add_attribute(dsl::attr("enabled", true))
        .add_attribute(dsl::attr("is_ipv6_enabled", true))
        .add_attribute(dsl::attr("http_version", string("http2and3")))
        .add_attribute(dsl::attr("comment", string(comment)))
        .add_attribute(dsl::attr("price_class", string("PriceClass_All")));
    if default.is_static {
        b = b.add_attribute(dsl::attr("default_root_object", string("index.html")));
    }
    if !aliases.is_empty() {
        b = b.add_attribute(dsl::attr("aliases", dsl::list(aliases.clone())));
    }
    b = b.add_attribute(dsl::attr(
        "tags",
        Ctx::tags(node, &ctx.name(&[&ctx.dashed(node)], 255)),
    ));
    for origin in origin_blocks {
        b = b.add_block(origin);
    }
    for group in group_blocks {
        b = b.add_block(group);
    }
    let headers = res("aws_cloudfront_response_headers_policy", &label, "id");
    b = b.add_block(behaviour("default_cache_behavior", default, None, &headers));
    for origin in &origins[1..] {
        b = b.add_block(behaviour(
            "ordered_cache_behavior",
            origin,
            Some(format!("/{}/*", origin.node.id)),
            &headers,
        ));
    }
    b = b.add_block(
        dsl::block("restrictions")
            .add_block(dsl::attrs_block(
                "geo_restriction",
                vec![("restriction_type", string("none"))],
            ))
            .build(),
    );
    let certificate = if aliases.is_empty() {
        dsl::attrs_block(
            "viewer_certificate",
            vec![("cloudfront_default_certificate", true.into())],
        )
    } else {
        dsl::attrs_block(
            "viewer_certificate",
            vec![
                (
                    "acm_certificate_arn",
                    variables::cloudfront_certificate(out),
                ),
                ("ssl_support_method", string("sni-only")),
                ("minimum_protocol_version", string("TLSv1.2_2021")),
            ],
        )
    };
    b = b.add_block(certificate);
    s.push(b.build());
    out.add(iam::GLOBAL_FILE, s);
    out.output(OutputDef {
        name: format!("{label}_domain_name"),
        description: format!("Domain name of CloudFront distribution {}", node.id),
        value: res("aws_cloudfront_distribution", &label, "domain_name"),
        sensitive: false,
        node: Some(node.id.clone()),
    });
    if origins.len() > 1 {
        out.assume(
            "CloudFront serves its first origin by default and every other origin under \
             /<node id>/* (adjust the path patterns to your URL layout).",
        );
    }
}

fn warn_single_region(ctx: &Ctx<'_>, cdn: &Node, origin: &Node, region: &RegionCtx, out: &mut Out) {
    if ctx.placements(origin).len() > 1 {
        out.warn(
            cdn,
            "cdn-origin-region",
            format!(
                "uses {} in {} as its origin: failing over a dynamic origin to another region \
                 needs a Route 53 name for the origin (CloudFront origin groups only fail over \
                 GET and HEAD)",
                origin.id, region.id
            ),
        );
    }
}

fn custom_origin(id: &str, domain: Expression, https: bool, port: u16) -> Block {
    dsl::block("origin")
        .add_attribute(dsl::attr("origin_id", string(id)))
        .add_attribute(dsl::attr("domain_name", domain))
        .add_block(dsl::attrs_block(
            "custom_origin_config",
            vec![
                (
                    "http_port",
                    (if https { 80 } else { i64::from(port) }).into(),
                ),
                (
                    "https_port",
                    (if https { i64::from(port) } else { 443 }).into(),
                ),
                (
                    "origin_protocol_policy",
                    string(if https { "https-only" } else { "http-only" }),
                ),
                ("origin_ssl_protocols", dsl::strings(["TLSv1.2"])),
            ],
        ))
        .build()
}

/// Security headers on every response: HSTS for a year (with subdomains),
/// no MIME sniffing, no framing, a strict referrer policy.
fn security_headers(ctx: &Ctx<'_>, node: &Node, out: &mut Out) -> Block {
    let name = out.claim(
        "aws_cloudfront_response_headers_policy".to_owned(),
        ctx.name(&[&ctx.dashed(node), "security-headers"], 128),
        Some(node),
    );
    let over = ("override", Expression::from(true));
    iam::global_resource(
        ctx,
        "aws_cloudfront_response_headers_policy",
        &ctx.ident(node),
    )
    .add_attribute(dsl::attr("name", string(name.as_str())))
    .add_attribute(dsl::attr(
        "comment",
        string(format!("Security headers of {}", node.id)),
    ))
    .add_block(
        dsl::block("security_headers_config")
            .add_block(dsl::attrs_block(
                "strict_transport_security",
                vec![
                    ("access_control_max_age_sec", 31_536_000.into()),
                    ("include_subdomains", true.into()),
                    ("preload", false.into()),
                    over.clone(),
                ],
            ))
            .add_block(dsl::attrs_block("content_type_options", vec![over.clone()]))
            .add_block(dsl::attrs_block(
                "frame_options",
                vec![("frame_option", string("DENY")), over.clone()],
            ))
            .add_block(dsl::attrs_block(
                "referrer_policy",
                vec![
                    ("referrer_policy", string("strict-origin-when-cross-origin")),
                    over,
                ],
            ))
            .build(),
    )
    .build()
}

fn behaviour(kind: &str, origin: &Origin<'_>, path: Option<String>, headers: &Expression) -> Block {
    let mut b = dsl::block(kind);
    if let Some(path) = path {
        b = b.add_attribute(dsl::attr("path_pattern", string(path)));
    }
    b = b
        .add_attribute(dsl::attr(
            "target_origin_id",
            string(origin.target_id.as_str()),
        ))
        .add_attribute(dsl::attr(
            "viewer_protocol_policy",
            string("redirect-to-https"),
        ))
        .add_attribute(dsl::attr("compress", true));
    if origin.is_static {
        b = b
            .add_attribute(dsl::attr(
                "allowed_methods",
                dsl::strings(["GET", "HEAD", "OPTIONS"]),
            ))
            .add_attribute(dsl::attr("cached_methods", dsl::strings(["GET", "HEAD"])))
            .add_attribute(dsl::attr(
                "cache_policy_id",
                local("cloudfront_caching_optimized"),
            ));
    } else {
        b = b
            .add_attribute(dsl::attr(
                "allowed_methods",
                dsl::strings(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]),
            ))
            .add_attribute(dsl::attr("cached_methods", dsl::strings(["GET", "HEAD"])))
            .add_attribute(dsl::attr(
                "cache_policy_id",
                local("cloudfront_caching_disabled"),
            ))
            .add_attribute(dsl::attr(
                "origin_request_policy_id",
                local("cloudfront_all_viewer_except_host_header"),
            ));
    }
    b.add_attribute(dsl::attr("response_headers_policy_id", headers.clone()))
        .build()
}
