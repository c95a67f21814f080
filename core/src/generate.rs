//! Large, realistic, valid topologies for benchmarks and scale tests.
//!
//! A synthetic topology is a global DNS and CDN in front of many *domains*
//! (think microservice teams). Each domain has a load balancer, a chain of
//! services, a Redis cache, a sharded Aurora database, and an SQS queue with a
//! worker pool; services also call services of later domains, so the graph is
//! wide and deep like a real estate of microservices, with about three edges
//! per node. Everything spans every region and its AZs. Hard calls only ever
//! point to later services (same domain, or a later domain), so there is no
//! cycle of hard calls and the document validates cleanly.
//!
//! Deterministic: the same spec gives the same document.

use crate::model::{
    CacheSpec, DatabaseSpec, DeploymentMode, DnsRouting, DnsSpec, Edge, EdgeKind, EdgeRecord,
    EntryPoint, LoadBalancerSpec, Meta, Node, NodeKind, NodeSpec, QueueSpec, Region, RegionRole,
    Requests, ServiceSpec, Topology,
};

/// Regions used, in order; the first is primary.
const REGIONS: [(&str, &str); 4] = [
    ("us-east-1", "abc"),
    ("eu-west-1", "abc"),
    ("us-west-2", "abc"),
    ("ap-southeast-1", "abc"),
];

#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticSpec {
    /// Approximate node count (the result is within one domain of it).
    pub nodes: usize,
    /// Regions, 1 to 4.
    pub regions: usize,
    /// AZs per region, 1 to 3.
    pub azs: usize,
    /// Services per domain (the chain length).
    pub services_per_domain: usize,
    /// Physical database shards per domain.
    pub shards: u32,
    pub mode: DeploymentMode,
    pub seed: u64,
}

impl SyntheticSpec {
    /// About `nodes` nodes in two regions of three AZs, active-active.
    pub fn with_nodes(nodes: usize) -> Self {
        Self {
            nodes,
            regions: 2,
            azs: 3,
            services_per_domain: 6,
            shards: 2,
            mode: DeploymentMode::ActiveActive,
            seed: 1,
        }
    }
}

/// splitmix64: a tiny, good-enough, dependency-free generator (also the
/// benchmarks' source of reproducible structures).
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % (n.max(1) as u64)).unwrap_or(0)
    }

    /// Uniform in `[0, 1)`, 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() <= p
    }
}

/// A whole, positive number already clamped to `u32`'s range, as `u32`.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "callers clamp to 0..=1e6"
)]
fn whole(v: f64) -> u32 {
    v as u32
}

/// Builds a synthetic topology (see the module docs).
#[expect(
    clippy::too_many_lines,
    reason = "one domain's nodes and edges, written out in order"
)]
pub fn synthetic(spec: &SyntheticSpec) -> Topology {
    let mut rng = Rng(spec.seed);
    let regions: Vec<Region> = REGIONS
        .iter()
        .take(spec.regions.clamp(1, REGIONS.len()))
        .enumerate()
        .map(|(i, (code, letters))| {
            let azs: Vec<String> = letters
                .chars()
                .take(spec.azs.clamp(1, 3))
                .map(|c| format!("{code}{c}"))
                .collect();
            Region {
                id: (*code).to_owned(),
                role: if i == 0 {
                    RegionRole::Primary
                } else {
                    RegionRole::Secondary
                },
                azs,
                availability: None,
                az_availability: None,
            }
        })
        .collect();
    let mode = if regions.len() < 2 {
        DeploymentMode::Single
    } else {
        spec.mode
    };
    let k = spec.services_per_domain.max(1);
    // Per domain: lb, k services, cache, db, queue, worker.
    let per_domain = k + 5;
    let domains = spec.nodes.saturating_sub(2).div_ceil(per_domain).max(1);
    let domain_rps = 50.0;

    let mut meta = Meta::new(format!("synthetic {} nodes", spec.nodes));
    meta.id = Some(format!("synthetic-{}", spec.nodes));
    meta.description = Some(format!(
        "{domains} domains of {per_domain} nodes in {} region(s) of {} AZ(s), generated (seed {})",
        regions.len(),
        spec.azs.clamp(1, 3),
        spec.seed
    ));
    meta.deployment.mode = mode;
    meta.regions.clone_from(&regions);
    meta.traffic.entry = vec![EntryPoint::new("dns")];
    meta.traffic.peak_rps = domain_rps * domains as f64;
    let mut t = Topology::new(meta);

    let zonal = |node: Node| -> Node {
        regions.iter().fold(node, |node, r| {
            let azs: Vec<&str> = r.azs.iter().map(String::as_str).collect();
            node.placed(&r.id, &azs)
        })
    };
    let regional =
        |node: Node| -> Node { regions.iter().fold(node, |node, r| node.placed(&r.id, &[])) };
    let add = |t: &mut Topology, node: Node| {
        // Ids are unique by construction.
        let _ = t.add_node(node);
    };
    let connect = |t: &mut Topology, from: &str, to: &str, edge: Edge| {
        // Pairs are unique by construction, except cross-domain calls that
        // may repeat; a repeat is simply skipped.
        let _ = t.add_edge(EdgeRecord::new(from, to, edge));
    };

    let mut dns = Node::new("dns", NodeKind::Dns).with_name("Route 53");
    dns.spec = NodeSpec::Dns(DnsSpec {
        routing: DnsRouting::Latency,
        ..DnsSpec::default()
    });
    add(&mut t, dns);
    add(
        &mut t,
        Node::new("cdn", NodeKind::Cdn).with_name("CloudFront"),
    );
    connect(&mut t, "dns", "cdn", Edge::call());

    // The edge share of each domain behind the CDN must sum to 1.
    let share = 1.0 / domains as f64;
    // Load a service sees: its domain's share, plus calls from earlier domains.
    let mut cross = Vec::new();
    let needed = |rps: f64, per_instance: f64| -> u32 {
        // N+1 per AZ: enough to lose one AZ of three, rounded up.
        whole((rps * 1.5 / per_instance).ceil().clamp(2.0, 1e6))
    };
    for d in 0..domains {
        let lb = format!("d{d}-lb");
        let mut lb_node =
            zonal(Node::new(&lb, NodeKind::LoadBalancer).with_name(format!("Domain {d} ALB")));
        lb_node.spec = NodeSpec::LoadBalancer(LoadBalancerSpec::default());
        add(&mut t, lb_node);
        connect(&mut t, "cdn", &lb, Edge::call().fraction(share));

        let services: Vec<String> = (0..k).map(|i| format!("d{d}-svc{i}")).collect();
        for (i, id) in services.iter().enumerate() {
            let mut node = zonal(
                Node::new(id, NodeKind::Service).with_name(format!("Domain {d} service {i}")),
            );
            let rps_per_instance = [150.0, 300.0, 600.0][rng.below(3)];
            let desired = needed(domain_rps * 2.0, rps_per_instance);
            node.spec = NodeSpec::Service(ServiceSpec {
                instance_type: ["m6i.large", "c6i.large", "m7g.large", "c7g.xlarge"][rng.below(4)]
                    .to_owned(),
                min: 2.min(desired),
                desired,
                max: desired * 3,
                rps_per_instance,
                ..ServiceSpec::default()
            });
            add(&mut t, node);
        }
        connect(&mut t, &lb, &services[0], Edge::call());
        for pair in services.windows(2) {
            connect(&mut t, &pair[0], &pair[1], Edge::call().fraction(0.8));
        }

        let cache = format!("d{d}-cache");
        let mut cache_node =
            zonal(Node::new(&cache, NodeKind::Cache).with_name(format!("Domain {d} Redis")));
        cache_node.spec = NodeSpec::Cache(CacheSpec::default());
        add(&mut t, cache_node);
        let db = format!("d{d}-db");
        let mut db_node =
            zonal(Node::new(&db, NodeKind::Database).with_name(format!("Domain {d} Aurora")));
        db_node.spec = NodeSpec::Database(DatabaseSpec {
            shards: spec.shards.max(1),
            logical_shards: spec.shards.max(1) * 16,
            global: regions.len() > 1,
            writer: Some(regions[0].id.clone()),
            replicas: 1,
            cross_region_replicas: 1,
            ..DatabaseSpec::default()
        });
        add(&mut t, db_node);
        let queue = format!("d{d}-queue");
        let mut queue_node =
            regional(Node::new(&queue, NodeKind::Queue).with_name(format!("Domain {d} SQS")));
        queue_node.spec = NodeSpec::Queue(QueueSpec::default());
        add(&mut t, queue_node);
        let worker = format!("d{d}-worker");
        let mut worker_node =
            zonal(Node::new(&worker, NodeKind::Service).with_name(format!("Domain {d} workers")));
        worker_node.spec = NodeSpec::Service(ServiceSpec {
            min: 2,
            desired: 2,
            max: 6,
            ..ServiceSpec::default()
        });
        add(&mut t, worker_node);

        for id in &services {
            connect(
                &mut t,
                id,
                &cache,
                Edge::call().soft().requests(Requests::Reads),
            );
        }
        connect(&mut t, &services[k - 1], &db, Edge::call());
        connect(
            &mut t,
            &services[0],
            &queue,
            Edge::new(EdgeKind::Publish)
                .fraction(0.1)
                .requests(Requests::Writes),
        );
        connect(&mut t, &queue, &worker, Edge::new(EdgeKind::Consume));
        connect(&mut t, &worker, &db, Edge::call().soft());

        // Calls into later domains (added once they exist): hard or soft,
        // never back, so there is no cycle of hard calls.
        if d + 1 < domains {
            for id in &services {
                for _ in 0..3 {
                    let target_domain = d + 1 + rng.below((domains - d - 1).min(50));
                    let target = format!("d{target_domain}-svc{}", rng.below(k));
                    let mut edge = Edge::call().fraction(0.05);
                    if rng.chance(0.5) {
                        edge.dependency = crate::model::Dependency::Soft;
                    }
                    cross.push((id.clone(), target, edge));
                }
            }
        }
    }
    for (from, to, edge) in cross {
        connect(&mut t, &from, &to, edge);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousand_nodes_validate_cleanly_with_about_three_edges_each() {
        let t = synthetic(&SyntheticSpec::with_nodes(1000));
        assert!((990..=1012).contains(&t.node_count()), "{}", t.node_count());
        let per_node = t.edge_count() as f64 / t.node_count() as f64;
        assert!((2.5..=3.5).contains(&per_node), "{per_node}");
        let report = crate::validate::validate(&t);
        assert!(
            report.is_ok(),
            "{:#?}",
            &report.errors[..report.errors.len().min(5)]
        );
    }

    #[test]
    fn ten_thousand_nodes_have_about_thirty_thousand_edges() {
        let t = synthetic(&SyntheticSpec::with_nodes(10_000));
        assert!(
            (10_000..=10_012).contains(&t.node_count()),
            "{}",
            t.node_count()
        );
        assert!(
            (28_000..=36_000).contains(&t.edge_count()),
            "{}",
            t.edge_count()
        );
        assert!(crate::validate::validate(&t).is_ok());
    }

    #[test]
    fn same_spec_same_document() {
        let spec = SyntheticSpec {
            nodes: 300,
            regions: 3,
            azs: 2,
            seed: 7,
            ..SyntheticSpec::with_nodes(300)
        };
        assert_eq!(synthetic(&spec), synthetic(&spec));
        let other = SyntheticSpec {
            seed: 8,
            ..spec.clone()
        };
        assert_ne!(synthetic(&spec), synthetic(&other));
    }

    #[test]
    fn single_region_specs_give_single_mode() {
        let spec = SyntheticSpec {
            regions: 1,
            ..SyntheticSpec::with_nodes(100)
        };
        let t = synthetic(&spec);
        assert_eq!(t.meta().deployment.mode, DeploymentMode::Single);
        assert!(crate::validate::validate(&t).is_ok());
    }
}
