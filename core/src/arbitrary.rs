//! proptest strategies for documents (feature `proptest`).
//!
//! [`document`] builds structurally sound documents (unique valid ids, edges
//! between existing nodes) with arbitrary settings: any finite number, any
//! Unicode text in names and notes. They round-trip through JSON but need not
//! pass validation. [`valid_document`] keeps every setting inside the rules,
//! for properties of the engines and exports.

use proptest::prelude::*;
use proptest::sample::subsequence;

use crate::model::aws_regions::REGIONS;
use crate::model::{
    ApiGatewaySpec, ApiType, CacheEngine, CacheSpec, CdnProvider, CdnSpec, DatabaseEngine,
    DatabaseSpec, Dependency, Deployment, DeploymentMode, DnsRouting, DnsSpec, Edge, EdgeKind,
    EdgeRecord, EntryPoint, ExternalSpec, HealthCheckType, ListenerProtocol, LoadBalancerSpec,
    LoadBalancerType, Meta, Node, NodeKind, NodeSpec, ObjectStoreSpec, Placement, Platform,
    QueueEngine, QueueSpec, Region, RegionRole, Requests, ScalingPolicy, ServerlessCapacity,
    ServiceSpec, Slo, Standby, StorageClass, Topology, Traffic,
};

/// Any finite `f64` (JSON has no NaN or infinity).
pub fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0..1.0f64,
        2 => -1e6..1e6f64,
        1 => any::<f64>().prop_filter("finite", |v| v.is_finite()),
    ]
}

fn share() -> impl Strategy<Value = f64> {
    0.0..=1.0f64
}

/// Text a user might type, and text a hostile file might hold: quotes,
/// backslashes, template markers, newlines, right-to-left marks, emoji.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9 ()&'-]{0,24}",
        1 => any::<String>(),
        1 => prop::collection::vec(
            prop::sample::select(vec!["\"", "\\", "${x}", "%{y}", "\n", "\u{202e}", "é", "🚀", "\t", " ", "a"]),
            0..8,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,2}"
}

fn regions() -> impl Strategy<Value = Vec<Region>> {
    subsequence(REGIONS.to_vec(), 1..=3)
        .prop_flat_map(|picked| {
            let n = picked.len();
            (
                Just(picked),
                prop::collection::vec(any::<u8>(), n),
                prop::collection::vec(prop::option::of(0.9..=1.0f64), n),
                0..n,
            )
        })
        .prop_map(|(picked, masks, availability, primary)| {
            picked
                .iter()
                .zip(masks)
                .zip(availability)
                .enumerate()
                .map(|(i, ((r, mask), availability))| {
                    let letters: Vec<char> = r.az_letters.chars().collect();
                    let mut azs: Vec<String> = letters
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| mask & (1 << j) != 0)
                        .map(|(_, c)| format!("{}{c}", r.code))
                        .collect();
                    if azs.len() < 2 {
                        azs = letters
                            .iter()
                            .take(2)
                            .map(|c| format!("{}{c}", r.code))
                            .collect();
                    }
                    Region {
                        id: r.code.to_owned(),
                        role: if i == primary {
                            RegionRole::Primary
                        } else {
                            RegionRole::Secondary
                        },
                        azs,
                        availability,
                        az_availability: None,
                    }
                })
                .collect()
        })
}

fn kind() -> impl Strategy<Value = NodeKind> {
    prop::sample::select(NodeKind::ALL.to_vec())
}

fn instance_type(prefix: &'static str) -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "m6i.large",
        "c7g.xlarge",
        "r6g.2xlarge",
        "t4g.medium",
        "m5.large",
    ])
    .prop_map(move |t| format!("{prefix}{t}"))
}

#[expect(clippy::too_many_lines, reason = "one strategy per node kind")]
fn spec(kind: NodeKind, valid: bool) -> BoxedStrategy<NodeSpec> {
    let num = move |lo: f64, hi: f64| -> BoxedStrategy<f64> {
        if valid {
            (lo..=hi).boxed()
        } else {
            finite().boxed()
        }
    };
    match kind {
        NodeKind::Dns => (
            prop::sample::select(vec![
                DnsRouting::Latency,
                DnsRouting::Failover,
                DnsRouting::Weighted,
                DnsRouting::Simple,
            ]),
            any::<bool>(),
            any::<u32>(),
        )
            .prop_map(|(routing, health_checks, ttl_secs)| {
                NodeSpec::Dns(DnsSpec {
                    routing,
                    health_checks: health_checks || routing == DnsRouting::Failover,
                    ttl_secs,
                    weights: indexmap::IndexMap::new(),
                })
            })
            .boxed(),
        NodeKind::Cdn => (any::<bool>(), num(0.0, 1.0), num(0.0, 100.0))
            .prop_map(|(third, cache_hit_ratio, edge_latency_ms)| {
                NodeSpec::Cdn(CdnSpec {
                    provider: if third {
                        CdnProvider::ThirdParty
                    } else {
                        CdnProvider::Cloudfront
                    },
                    cache_hit_ratio,
                    edge_latency_ms,
                })
            })
            .boxed(),
        NodeKind::LoadBalancer => (
            any::<bool>(),
            any::<bool>(),
            0..4usize,
            any::<u16>(),
            text(),
            any::<bool>(),
        )
            .prop_map(|(nlb, internal, proto, port, path, cross_zone)| {
                NodeSpec::LoadBalancer(LoadBalancerSpec {
                    lb_type: if nlb {
                        LoadBalancerType::Nlb
                    } else {
                        LoadBalancerType::Alb
                    },
                    internal,
                    protocol: [
                        ListenerProtocol::Https,
                        ListenerProtocol::Http,
                        ListenerProtocol::Tcp,
                        ListenerProtocol::Tls,
                    ][proto],
                    port,
                    health_check_path: path,
                    cross_zone,
                })
            })
            .boxed(),
        NodeKind::ApiGateway => (any::<bool>(), num(1.0, 50_000.0), num(0.0, 100.0))
            .prop_map(|(rest, throttle_rps, latency_ms)| {
                NodeSpec::ApiGateway(ApiGatewaySpec {
                    api_type: if rest { ApiType::Rest } else { ApiType::Http },
                    throttle_rps,
                    latency_ms,
                })
            })
            .boxed(),
        NodeKind::Service => (
            (0..3usize, instance_type(""), 0..20u32, 0..20u32, 1..40u32),
            (num(1.0, 5000.0), num(0.1, 1.0), 0..900u32, num(1.0, 500.0)),
            (0..3usize, 1..300u32, any::<bool>(), 0..900u32),
        )
            .prop_map(
                move |(
                    (platform, instance_type, a, b, c),
                    (rps, cpu, warmup, latency),
                    (scaling, period, ec2, grace),
                )| {
                    let (min, desired, max) = if valid {
                        let mut v = [a, a + b, a + b + c];
                        v.sort_unstable();
                        (v[0], v[1], v[2])
                    } else {
                        (a, b, c)
                    };
                    NodeSpec::Service(ServiceSpec {
                        platform: [Platform::Ec2, Platform::Ecs, Platform::Eks][platform],
                        instance_type,
                        min,
                        desired,
                        max,
                        rps_per_instance: rps,
                        target_cpu: cpu,
                        warmup_secs: warmup,
                        latency_ms: latency,
                        scaling: [
                            ScalingPolicy::TargetTracking,
                            ScalingPolicy::Step,
                            ScalingPolicy::Predictive,
                        ][scaling],
                        metric_period_secs: period,
                        health_check: if ec2 {
                            HealthCheckType::Ec2
                        } else {
                            HealthCheckType::Elb
                        },
                        health_check_grace_secs: grace,
                        aws: Box::default(),
                    })
                },
            )
            .boxed(),
        NodeKind::Cache => (
            0..2usize,
            instance_type("cache."),
            1..5u32,
            0..=5u32,
            num(0.0, 1.0),
            num(1.0, 1e6),
            num(0.0, 10.0),
        )
            .prop_map(
                |(engine, node_type, shards, replicas, hit_ratio, ops_per_node, latency_ms)| {
                    NodeSpec::Cache(CacheSpec {
                        engine: [CacheEngine::Redis, CacheEngine::Valkey][engine],
                        node_type,
                        shards,
                        replicas,
                        hit_ratio,
                        ops_per_node,
                        latency_ms,
                    })
                },
            )
            .boxed(),
        NodeKind::Queue => (
            any::<bool>(),
            any::<bool>(),
            1..10u32,
            1..64u32,
            num(1.0, 16_000.0),
            1..1000u32,
        )
            .prop_map(
                |(kafka, fifo, receive, partitions, storage_gb, retention_hours)| {
                    NodeSpec::Queue(QueueSpec {
                        engine: if kafka {
                            QueueEngine::Kafka
                        } else {
                            QueueEngine::Sqs
                        },
                        fifo,
                        max_receive_count: receive,
                        partitions,
                        // A multiple of any AZ count from 1 to 4 (rule checked by validation).
                        brokers: 12,
                        broker_type: "kafka.m5.large".to_owned(),
                        storage_gb,
                        retention_hours,
                    })
                },
            )
            .boxed(),
        NodeKind::Database => (
            (
                0..4usize,
                instance_type("db."),
                any::<bool>(),
                0..4u32,
                0..3u32,
            ),
            (
                1..5u32,
                0..64u32,
                num(1.0, 10_000.0),
                num(1.0, 10_000.0),
                num(0.0, 20.0),
                any::<bool>(),
            ),
        )
            .prop_map(
                move |(
                    (engine, class, multi_az, replicas, cross),
                    (shards, extra_logical, storage_gb, rps, latency_ms, serverless),
                )| {
                    let engine = [
                        DatabaseEngine::AuroraPostgresql,
                        DatabaseEngine::AuroraMysql,
                        DatabaseEngine::Postgres,
                        DatabaseEngine::Mysql,
                    ][engine];
                    let serverless = serverless && engine.is_aurora();
                    NodeSpec::Database(DatabaseSpec {
                        engine,
                        instance_class: if serverless {
                            "db.serverless".to_owned()
                        } else {
                            class
                        },
                        serverless: serverless.then_some(ServerlessCapacity {
                            min_acu: 0.5,
                            max_acu: 16.0,
                        }),
                        writer: None,
                        multi_az,
                        replicas,
                        cross_region_replicas: cross,
                        global: false,
                        shards,
                        logical_shards: shards + extra_logical,
                        storage_gb,
                        rps_per_instance: rps,
                        latency_ms,
                    })
                },
            )
            .boxed(),
        NodeKind::ObjectStore => (num(0.0, 1e6), 0..3usize, any::<bool>())
            .prop_map(|(storage_gb, class, versioning)| {
                NodeSpec::ObjectStore(ObjectStoreSpec {
                    storage_gb,
                    storage_class: [
                        StorageClass::Standard,
                        StorageClass::IntelligentTiering,
                        StorageClass::StandardIa,
                    ][class],
                    versioning,
                })
            })
            .boxed(),
        NodeKind::External => (
            text(),
            num(0.9, 1.0),
            num(0.0, 1000.0),
            prop::option::of(num(1.0, 1e5)),
        )
            .prop_map(|(provider, sla, latency_ms, rate_limit_rps)| {
                NodeSpec::External(ExternalSpec {
                    provider,
                    sla,
                    latency_ms,
                    rate_limit_rps,
                })
            })
            .boxed(),
    }
}

/// A node of a random kind placed in some of `regions` (valid placements).
fn node(id: String, regions: Vec<Region>, valid: bool) -> impl Strategy<Value = Node> {
    kind()
        .prop_flat_map(move |kind| {
            let regions = regions.clone();
            (
                Just(id.clone()),
                Just(kind),
                spec(kind, valid),
                text(),
                subsequence(regions.clone(), 1..=regions.len()),
                prop::option::of((-5000.0..5000.0f64, -5000.0..5000.0f64)),
                prop::option::of(0.9..=1.0f64),
                prop::option::of(text()),
            )
        })
        .prop_map(
            move |(id, kind, spec, name, placed, position, availability, notes)| {
                let mut node = Node::new(id, kind);
                node.spec = spec;
                node.name = if valid && name.trim().is_empty() {
                    node.id.clone()
                } else {
                    name
                };
                node.position = position.map(|(x, y)| [x, y]);
                node.availability = availability;
                node.notes = notes;
                if !kind.is_global() {
                    let mut placement = Placement::new();
                    for region in placed {
                        let azs = if node.is_zonal() {
                            region.azs.clone()
                        } else {
                            Vec::new()
                        };
                        placement.insert(region.id.clone(), azs);
                    }
                    node.placement = placement;
                }
                node
            },
        )
}

fn document_with(valid: bool, max_nodes: usize) -> impl Strategy<Value = Topology> {
    (
        regions(),
        prop::collection::hash_set(id(), 0..=max_nodes),
        text(),
        prop::option::of(text()),
    )
        .prop_flat_map(move |(regions, ids, name, description)| {
            let ids: Vec<String> = {
                let mut v: Vec<String> = ids.into_iter().collect();
                v.sort();
                v
            };
            let nodes: Vec<_> = ids
                .iter()
                .map(|id| node(id.clone(), regions.clone(), valid))
                .collect();
            let n = ids.len();
            (
                Just(regions),
                nodes,
                prop::collection::vec(
                    (
                        0..n.max(1),
                        0..n.max(1),
                        0..4usize,
                        any::<bool>(),
                        share(),
                        0..3usize,
                    ),
                    0..=(2 * n),
                ),
                Just((name, description)),
                (
                    0..3usize,
                    any::<bool>(),
                    0.05..=1.0f64,
                    0..3600u32,
                    0..600u32,
                ),
                (
                    share(),
                    0.0..1e5f64,
                    0.0..100.0f64,
                    0.0..1000.0f64,
                    any::<bool>(),
                ),
                (0.9..0.99999f64, 1.0..2000.0f64),
            )
        })
        .prop_map(
            move |(regions, nodes, edges, (name, description), deployment, traffic, slo)| {
                let (mode, pilot, warm, failover_secs, detection_secs) = deployment;
                let mode = if regions.len() < 2 {
                    DeploymentMode::Single
                } else {
                    DeploymentMode::ALL[mode]
                };
                let mut meta = Meta::new(if valid && name.trim().is_empty() {
                    "generated".to_owned()
                } else {
                    name
                });
                meta.description = description;
                meta.slo = Slo {
                    availability: slo.0,
                    p95_ms: slo.1,
                };
                meta.deployment = Deployment {
                    mode,
                    standby: if pilot {
                        Standby::PilotLight
                    } else {
                        Standby::WarmStandby
                    },
                    warm_standby_fraction: warm,
                    failover_secs,
                    detection_secs,
                };
                meta.regions = regions;
                let (read_fraction, peak_rps, request_kb, response_kb, profile) = traffic;
                meta.traffic = Traffic {
                    entry: Vec::new(),
                    peak_rps,
                    read_fraction,
                    request_kb,
                    response_kb,
                    users: indexmap::IndexMap::new(),
                    daily_profile: profile.then(|| {
                        (0..24)
                            .map(|h| if h == 12 { 1.0 } else { f64::from(h) / 24.0 })
                            .collect()
                    }),
                };
                let mut t = Topology::new(meta);
                for node in nodes {
                    // Ids are unique and valid by construction.
                    let _ = t.add_node(node);
                }
                let ids: Vec<String> = t.nodes().map(|n| n.id.clone()).collect();
                for (a, b, kind, soft, fraction, requests) in edges {
                    let (Some(from), Some(to)) = (ids.get(a), ids.get(b)) else {
                        continue;
                    };
                    let kind = EdgeKind::ALL[kind];
                    let (from_kind, to_kind) =
                        (t.node(from).map(Node::kind), t.node(to).map(Node::kind));
                    if valid {
                        // Keep edge kinds sensible and hard calls acyclic (a < b).
                        let fits = match kind {
                            EdgeKind::Call => a < b || soft,
                            EdgeKind::Publish => to_kind == Some(NodeKind::Queue),
                            EdgeKind::Consume => from_kind == Some(NodeKind::Queue),
                            EdgeKind::Replicate => {
                                from_kind.is_some_and(NodeKind::is_data_store)
                                    && to_kind.is_some_and(NodeKind::is_data_store)
                            }
                        };
                        if !fits {
                            continue;
                        }
                    }
                    let mut edge = Edge::new(kind);
                    if soft {
                        edge.dependency = Dependency::Soft;
                    }
                    edge.fraction = fraction;
                    edge.requests = [Requests::All, Requests::Reads, Requests::Writes][requests];
                    let _ = t.add_edge(EdgeRecord::new(from.clone(), to.clone(), edge));
                }
                if let Some(first) = ids.first() {
                    let mut meta = t.meta().clone();
                    meta.traffic.entry.push(EntryPoint::new(first.clone()));
                    t.set_meta(meta);
                }
                t
            },
        )
}

/// Structurally sound documents with arbitrary settings (see the module docs).
pub fn document() -> impl Strategy<Value = Topology> {
    document_with(false, 12)
}

/// Documents whose settings respect the validation rules' ranges. Some
/// cross-element rules (e.g. an ALB needs two AZs) may still be broken;
/// callers filter with [`crate::validate::validate`] where they need a clean report.
pub fn valid_document() -> impl Strategy<Value = Topology> {
    document_with(true, 12)
}
