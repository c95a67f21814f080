//! Steady-state load: how the peak traffic flows through a healthy topology.
//!
//! This is the one definition of traffic flow that the engines share (the
//! simulation starts from it and the cost engine prices it), so their
//! numbers agree. The model is linear in the traffic, so an hour of the
//! daily profile is the peak scaled by that hour's multiplier.
//!
//! ## Rules
//!
//! - Requests enter at the entry points (`peak_rps` × share). A regional
//!   entry point, and any global → regional edge (DNS → load balancer), splits
//!   its traffic over the *serving regions*: the primary in `single` and
//!   `active_passive` modes; every region in `active_active`, weighted by
//!   `traffic.users` (equal when empty).
//! - Along an edge flow `fraction` × the caller's selected requests (`all`,
//!   `reads` or `writes`), keeping the read/write split.
//! - A CDN forwards only its misses: reads × (1 − `cache_hit_ratio`); writes
//!   pass through.
//! - Cache-aside: when a caller reads through caches (edges to `cache` nodes
//!   carrying reads), its reads to databases are scaled by the miss rate
//!   Π (1 − `hit_ratio` × `fraction`) over those caches.
//! - A call stays in the caller's region when the callee runs there.
//!   Database writes go to the writer's region; database reads stay local
//!   only where the database has instances (the writer region, regions with
//!   cross-region replicas, or a global database). Otherwise the call crosses
//!   to the callee's home region (a database's writer region, else the
//!   primary if the callee runs there, else its first region).
//! - Queues pass on what they receive along `consume` edges (each consume
//!   edge delivers `fraction` of the messages). `replicate` edges carry the
//!   source's writes to the target.
//! - Nodes are visited in dependency order. Cycles (only soft or
//!   asynchronous edges can close one) are cut: load goes round once.
//!
//! Within a region, the share of an edge's traffic that crosses AZs is
//! estimated as 1 − |A ∩ B| / (|A| · |B|) for zonal endpoints spread evenly
//! over AZ sets A and B (requests pair with instances at random); traffic to
//! or from regional services (SQS, S3, API Gateway) is not counted as
//! cross-AZ.

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeIndexable as _, EdgeRef as _, NodeIndexable as _};

use crate::model::{DeploymentMode, EdgeKind, Meta, Node, NodeKind, NodeSpec, Requests, Topology};

/// Requests per second at one place, split into reads and writes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    pub read_rps: f64,
    pub write_rps: f64,
}

impl Rates {
    pub fn total(self) -> f64 {
        self.read_rps + self.write_rps
    }

    pub(crate) fn add(&mut self, other: Self) {
        self.read_rps += other.read_rps;
        self.write_rps += other.write_rps;
    }

    pub(crate) fn scale(self, k: f64) -> Self {
        Self {
            read_rps: self.read_rps * k,
            write_rps: self.write_rps * k,
        }
    }
}

/// What flows along one edge.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Flow {
    pub rates: Rates,
    /// The part that leaves the caller's region.
    pub cross_region_rps: f64,
    /// The part that stays in a region but crosses AZs (an estimate; see the module docs).
    pub cross_az_rps: f64,
}

/// One part of an edge's flow: what goes from the caller in one slot to the
/// callee in another (or the same) slot. An edge has one leg per pair of
/// slots its traffic connects; the legs of an edge add up to its [`Flow`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Leg {
    pub edge: EdgeIndex,
    /// The caller's slot (a region, or [`Load::global_slot`]).
    pub from: usize,
    /// The callee's slot.
    pub to: usize,
    pub rates: Rates,
    /// The part that crosses AZs (only when `from == to` is a region).
    pub cross_az_rps: f64,
}

/// Users' requests arriving at an entry point in one slot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    pub node: NodeIndex,
    pub slot: usize,
    pub rates: Rates,
}

/// The healthy steady-state load of a topology at peak.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    /// Region ids in document order; slot `regions.len()` is "global"
    /// (DNS, CDN, third parties).
    pub regions: Vec<String>,
    /// Share of user traffic each region serves, by slot (global excluded).
    pub serving: Vec<f64>,
    slots: usize,
    /// `node_index * slots + slot`
    nodes: Vec<Rates>,
    /// By edge index.
    edges: Vec<Flow>,
    /// Every edge's legs, in the order the propagation visits edges.
    legs: Vec<Leg>,
    /// Users' requests at the entry points, by entry point and slot.
    arrivals: Vec<Arrival>,
}

impl Load {
    /// The load under the document's own deployment mode.
    pub fn compute(topology: &Topology) -> Self {
        Self::compute_for_mode(topology, topology.meta().deployment.mode)
    }

    /// The load if the same topology were deployed in `mode`.
    pub fn compute_for_mode(topology: &Topology, mode: DeploymentMode) -> Self {
        Self::compute_ordered(topology, mode, &dependency_order(topology))
    }

    /// As [`Load::compute_for_mode`], with the [`dependency_order`] of the
    /// topology computed once by the caller (it does not depend on the mode).
    pub fn compute_ordered(topology: &Topology, mode: DeploymentMode, order: &[NodeIndex]) -> Self {
        let meta = topology.meta();
        let serving = serving_weights(meta, mode);
        Propagation::new(topology, serving).run(order)
    }

    /// The global slot index.
    pub fn global_slot(&self) -> usize {
        self.slots - 1
    }

    /// The slot of a region, if the document has it.
    pub fn slot(&self, region: &str) -> Option<usize> {
        self.regions.iter().position(|r| r == region)
    }

    /// Load arriving at a node, summed over regions.
    pub fn node(&self, node: NodeIndex) -> Rates {
        let mut sum = Rates::default();
        for r in self.node_slots(node) {
            sum.add(*r);
        }
        sum
    }

    /// Load arriving at a node, by slot (regions in document order, then global).
    pub fn node_slots(&self, node: NodeIndex) -> &[Rates] {
        let start = node.index() * self.slots;
        self.nodes.get(start..start + self.slots).unwrap_or(&[])
    }

    /// Load arriving at a node in one region.
    pub fn node_in(&self, node: NodeIndex, region: &str) -> Rates {
        self.slot(region)
            .and_then(|s| self.node_slots(node).get(s).copied())
            .unwrap_or_default()
    }

    pub fn edge(&self, edge: EdgeIndex) -> Flow {
        self.edges.get(edge.index()).copied().unwrap_or_default()
    }

    /// Every edge's traffic split by the slots it connects (see [`Leg`]).
    pub fn legs(&self) -> &[Leg] {
        &self.legs
    }

    /// Users' requests arriving at the entry points, by slot.
    pub fn arrivals(&self) -> &[Arrival] {
        &self.arrivals
    }
}

/// Share of user traffic each region serves in `mode` (by region, document order).
pub fn serving_weights(meta: &Meta, mode: DeploymentMode) -> Vec<f64> {
    let n = meta.regions.len();
    let mut w = vec![0.0; n];
    if n == 0 {
        return w;
    }
    let primary = meta
        .primary_region()
        .and_then(|p| meta.regions.iter().position(|r| r.id == p.id))
        .unwrap_or(0);
    match mode {
        DeploymentMode::Single | DeploymentMode::ActivePassive => w[primary] = 1.0,
        DeploymentMode::ActiveActive => {
            for (i, region) in meta.regions.iter().enumerate() {
                w[i] = if meta.traffic.users.is_empty() {
                    1.0
                } else {
                    meta.traffic
                        .users
                        .get(&region.id)
                        .copied()
                        .unwrap_or(0.0)
                        .max(0.0)
                };
            }
            let sum: f64 = w.iter().sum();
            if sum > 0.0 {
                for v in &mut w {
                    *v /= sum;
                }
            } else {
                w = vec![0.0; n];
                w[primary] = 1.0;
            }
        }
    }
    w
}

/// A set of region slots, as bits (a document has a few regions; AWS has
/// 33; slots past 127 are never members).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
struct SlotSet(u128);

impl SlotSet {
    fn insert(&mut self, slot: usize) {
        if slot < 128 {
            self.0 |= 1 << slot;
        }
    }

    fn contains(self, slot: usize) -> bool {
        slot < 128 && (self.0 >> slot) & 1 == 1
    }

    fn first(self) -> Option<usize> {
        (self.0 != 0).then(|| self.0.trailing_zeros() as usize)
    }
}

/// Per node, what routing needs, precomputed. The AZs it spans in each
/// region are in [`Propagation::az_masks`] (one bit per AZ letter).
struct Site {
    global: bool,
    zonal: bool,
    /// The region slots it is placed in.
    placed: SlotSet,
    /// Where calls that cannot stay local go.
    home: usize,
    /// Databases: the writer's slot, and where reads can be served.
    writer: Option<usize>,
    reads_local: SlotSet,
}

struct Propagation<'a> {
    t: &'a Topology,
    serving: Vec<f64>,
    regions: usize,
    slots: usize,
    sites: Vec<Option<Site>>,
    /// `node * regions + slot`: the AZs a node spans there, one bit per letter.
    az_masks: Vec<u32>,
    nodes: Vec<Rates>,
    edges: Vec<Flow>,
    legs: Vec<Leg>,
    arrivals: Vec<Arrival>,
}

impl<'a> Propagation<'a> {
    fn new(t: &'a Topology, serving: Vec<f64>) -> Self {
        let meta = t.meta();
        let regions = meta.regions.len();
        let slots = regions + 1;
        let g = t.graph();
        let primary = meta
            .primary_region()
            .and_then(|p| meta.regions.iter().position(|r| r.id == p.id));
        let mut sites: Vec<Option<Site>> = (0..g.node_bound()).map(|_| None).collect();
        let mut az_masks = vec![0u32; g.node_bound() * regions];
        for (ix, node) in t.nodes_indexed() {
            let at = ix.index() * regions;
            sites[ix.index()] = Some(site(meta, node, primary, &mut az_masks[at..at + regions]));
        }
        Self {
            t,
            serving,
            regions,
            slots,
            sites,
            az_masks,
            nodes: vec![Rates::default(); g.node_bound() * slots],
            edges: vec![Flow::default(); g.edge_bound()],
            legs: Vec::with_capacity(g.edge_count() * 2),
            arrivals: Vec::new(),
        }
    }

    fn site(&self, ix: NodeIndex) -> Option<&Site> {
        self.sites.get(ix.index()).and_then(Option::as_ref)
    }

    /// Splits traffic arriving from outside any region (users, or a global
    /// node) over the serving regions `node` runs in.
    fn entry_split(&self, site: &Site) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        self.split_into(site, |r, w| out.push((r, w)));
        out
    }

    /// [`Self::entry_split`] without allocating: calls `f(slot, share)`.
    fn split_into(&self, site: &Site, mut f: impl FnMut(usize, f64)) {
        if site.global {
            f(self.regions, 1.0);
            return;
        }
        let serves = |r: usize| site.placed.contains(r) && self.serving[r] > 0.0;
        let sum: f64 = (0..self.regions)
            .filter(|&r| serves(r))
            .map(|r| self.serving[r])
            .sum();
        if sum > 0.0 {
            for r in (0..self.regions).filter(|&r| serves(r)) {
                f(r, self.serving[r] / sum);
            }
        } else {
            f(site.home, 1.0);
        }
    }

    fn run(mut self, order: &[NodeIndex]) -> Load {
        let t = self.t;
        let g = t.graph();
        let peak = t.meta().traffic.peak_rps.max(0.0);
        let read_fraction = t.meta().traffic.read_fraction.clamp(0.0, 1.0);
        let shares = t.meta().traffic.entry_shares();
        for (entry, share) in t.meta().traffic.entry.iter().zip(shares) {
            let Some(ix) = t.node_index(&entry.node) else {
                continue;
            };
            let Some(site) = self.site(ix) else { continue };
            let rates = Rates {
                read_rps: peak * share * read_fraction,
                write_rps: peak * share * (1.0 - read_fraction),
            };
            for (slot, w) in self.entry_split(site) {
                self.nodes[ix.index() * self.slots + slot].add(rates.scale(w));
                self.arrivals.push(Arrival {
                    node: ix,
                    slot,
                    rates: rates.scale(w),
                });
            }
        }

        // Dependency order; within a cycle, edges back to a visited node are cut.
        let mut visited = vec![false; g.node_bound()];
        // Buffers reused across edges.
        let mut arrivals: Vec<(usize, Rates)> = Vec::new();
        let mut legs: Vec<Leg> = Vec::new();
        let mut routed: Vec<(usize, Rates)> = Vec::new();
        let mut outgoing: Vec<(EdgeIndex, NodeIndex)> = Vec::new();
        for &u in order {
            visited[u.index()] = true;
            let node = &g[u];
            let miss = cache_miss(t, u);
            let forward = forward_factor(node);
            outgoing.clear();
            outgoing.extend(
                g.edges_directed(u, Direction::Outgoing)
                    .map(|e| (e.id(), e.target())),
            );
            for &(e, v) in &outgoing {
                if visited[v.index()] {
                    continue;
                }
                let edge = &g[e];
                let to_db = g[v].kind() == NodeKind::Database;
                let (Some(from), Some(to)) = (self.site(u), self.site(v)) else {
                    continue;
                };
                let mut flow = Flow::default();
                arrivals.clear();
                for slot in 0..self.slots {
                    let here = self.nodes[u.index() * self.slots + slot];
                    if here.total() <= 0.0 {
                        continue;
                    }
                    let mut sent = select(edge.requests, here).scale(edge.fraction.clamp(0.0, 1.0));
                    sent.read_rps *= forward;
                    if to_db {
                        sent.read_rps *= miss;
                    }
                    if edge.kind == EdgeKind::Replicate {
                        sent = Rates {
                            read_rps: 0.0,
                            write_rps: sent.write_rps,
                        };
                    }
                    flow.rates.add(sent);
                    routed.clear();
                    self.route(slot, from, to, sent, &mut routed);
                    for &(target, rates) in &routed {
                        let mut cross_az_rps = 0.0;
                        if slot < self.regions && target < self.regions {
                            if target == slot {
                                let (a, b) = (
                                    self.az_masks[u.index() * self.regions + slot],
                                    self.az_masks[v.index() * self.regions + slot],
                                );
                                cross_az_rps =
                                    rates.total() * cross_az_share(from.zonal && to.zonal, a, b);
                                flow.cross_az_rps += cross_az_rps;
                            } else {
                                flow.cross_region_rps += rates.total();
                            }
                        }
                        legs.push(Leg {
                            edge: e,
                            from: slot,
                            to: target,
                            rates,
                            cross_az_rps,
                        });
                        arrivals.push((target, rates));
                    }
                }
                for &(slot, rates) in &arrivals {
                    self.nodes[v.index() * self.slots + slot].add(rates);
                }
                self.legs.append(&mut legs);
                self.edges[e.index()] = flow;
            }
        }
        Load {
            regions: t.meta().regions.iter().map(|r| r.id.clone()).collect(),
            serving: self.serving,
            slots: self.slots,
            nodes: self.nodes,
            edges: self.edges,
            legs: self.legs,
            arrivals: self.arrivals,
        }
    }

    /// Where requests sent from `slot` to `to` arrive, pushed onto `out`.
    fn route(
        &self,
        slot: usize,
        from: &Site,
        to: &Site,
        sent: Rates,
        out: &mut Vec<(usize, Rates)>,
    ) {
        if to.global {
            out.push((self.regions, sent));
            return;
        }
        if slot == self.regions || from.global {
            self.split_into(to, |r, w| out.push((r, sent.scale(w))));
            return;
        }
        if let Some(writer) = to.writer {
            let reads = if to.reads_local.contains(slot) {
                slot
            } else {
                writer
            };
            let r = Rates {
                read_rps: sent.read_rps,
                write_rps: 0.0,
            };
            let w = Rates {
                read_rps: 0.0,
                write_rps: sent.write_rps,
            };
            if reads == writer {
                out.push((writer, sent));
            } else {
                out.push((reads, r));
                out.push((writer, w));
            }
            return;
        }
        out.push((
            if to.placed.contains(slot) {
                slot
            } else {
                to.home
            },
            sent,
        ));
    }
}

/// Routing facts of a node; writes the AZ bits of each region into `az_masks`.
fn site(meta: &Meta, node: &Node, primary: Option<usize>, az_masks: &mut [u32]) -> Site {
    let mut placed = SlotSet::default();
    for (region, azs) in &node.placement {
        if let Some(i) = meta.regions.iter().position(|r| &r.id == region) {
            placed.insert(i);
            if let Some(mask) = az_masks.get_mut(i) {
                *mask = azs.iter().fold(0, |mask, az| mask | az_bit(az));
            }
        }
    }
    let home_default = match primary {
        Some(p) if placed.contains(p) => p,
        _ => placed.first().or(primary).unwrap_or(0),
    };
    let (writer, reads_local) = match &node.spec {
        NodeSpec::Database(db) => {
            let writer = db
                .writer_region(&node.placement)
                .and_then(|w| meta.regions.iter().position(|r| r.id == w))
                .filter(|&w| placed.contains(w))
                .unwrap_or(home_default);
            let mut reads_local = SlotSet::default();
            for r in 0..meta.regions.len() {
                if placed.contains(r) && (r == writer || db.global || db.cross_region_replicas > 0)
                {
                    reads_local.insert(r);
                }
            }
            (Some(writer), reads_local)
        }
        _ => (None, SlotSet::default()),
    };
    Site {
        global: node.kind().is_global(),
        zonal: node.is_zonal(),
        placed,
        home: writer.unwrap_or(home_default),
        writer,
        reads_local,
    }
}

/// The part of a request flow between two zonal nodes in one region that
/// crosses AZs, from the AZ bits of each (`a`, `b`).
fn cross_az_share(zonal: bool, a: u32, b: u32) -> f64 {
    if !zonal || a == 0 || b == 0 {
        return 0.0;
    }
    let common = f64::from((a & b).count_ones());
    let pairs = f64::from(a.count_ones()) * f64::from(b.count_ones());
    (1.0 - common / pairs).clamp(0.0, 1.0)
}

/// One bit per AZ letter (`us-east-1c` → bit 2).
pub(crate) fn az_bit(az: &str) -> u32 {
    az.chars()
        .last()
        .filter(char::is_ascii_lowercase)
        .map_or(0, |c| 1 << (u32::from(c) - u32::from('a')).min(31))
}

fn select(requests: Requests, rates: Rates) -> Rates {
    match requests {
        Requests::All => rates,
        Requests::Reads => Rates {
            read_rps: rates.read_rps,
            write_rps: 0.0,
        },
        Requests::Writes => Rates {
            read_rps: 0.0,
            write_rps: rates.write_rps,
        },
    }
}

/// Share of reads a node passes on to what it calls (a CDN answers its hits).
pub(crate) fn forward_factor(node: &Node) -> f64 {
    match &node.spec {
        NodeSpec::Cdn(cdn) => (1.0 - cdn.cache_hit_ratio).clamp(0.0, 1.0),
        _ => 1.0,
    }
}

/// Share of a node's database reads that miss its caches.
fn cache_miss(t: &Topology, u: NodeIndex) -> f64 {
    let g = t.graph();
    g.edges_directed(u, Direction::Outgoing)
        .filter(|e| e.weight().kind == EdgeKind::Call && e.weight().requests != Requests::Writes)
        .filter_map(|e| match &g[e.target()].spec {
            NodeSpec::Cache(c) => Some(1.0 - (c.hit_ratio * e.weight().fraction).clamp(0.0, 1.0)),
            _ => None,
        })
        .product()
}

/// Nodes in an order where callers come before callees, cycles collapsed
/// (members of a cycle in document order).
pub fn dependency_order(t: &Topology) -> Vec<NodeIndex> {
    // Tarjan lists strongly connected components callees first (reverse
    // topological order), without copying the graph.
    let mut components = petgraph::algo::tarjan_scc(t.graph());
    components.reverse();
    let mut out = Vec::with_capacity(t.node_count());
    for mut members in components {
        members.sort();
        out.extend(members);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates;

    fn template(name: &str) -> Topology {
        templates::find(name).unwrap().load().unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6 * b.abs().max(1.0)
    }

    fn rps(load: &Load, t: &Topology, id: &str) -> Rates {
        load.node(t.node_index(id).unwrap())
    }

    /// Three-tier at 3,000 rps, 85% reads: the cache (80% hits) leaves the
    /// database 15% of 2,550 reads = 510, plus all 450 writes.
    #[test]
    fn three_tier_by_hand() {
        let t = template("three-tier");
        let load = Load::compute(&t);
        for id in ["dns", "alb", "web", "app"] {
            assert!(close(rps(&load, &t, id).total(), 3000.0), "{id}");
        }
        assert!(close(rps(&load, &t, "cache").read_rps, 2550.0));
        assert!(close(rps(&load, &t, "cache").write_rps, 0.0));
        let db = rps(&load, &t, "db");
        assert!(close(db.read_rps, 2550.0 * 0.2), "{db:?}");
        assert!(close(db.write_rps, 450.0), "{db:?}");
        assert!(close(rps(&load, &t, "uploads").total(), 150.0));
        // Everything in us-east-1; no cross-region traffic.
        assert!(
            t.edges()
                .all(|e| load.edge(e.index).cross_region_rps == 0.0)
        );
    }

    /// Active-active, 60/40 users: each region serves its users; database
    /// writes all reach the writer in us-east-1, reads stay local.
    #[test]
    fn active_active_splits_by_users_and_sends_writes_to_the_writer() {
        let t = template("active-active");
        let load = Load::compute(&t);
        let api = t.node_index("api").unwrap();
        assert!(close(load.node_in(api, "us-east-1").total(), 4800.0));
        assert!(close(load.node_in(api, "eu-west-1").total(), 3200.0));
        let db = t.node_index("db").unwrap();
        let (us, eu) = (load.node_in(db, "us-east-1"), load.node_in(db, "eu-west-1"));
        assert!(close(us.write_rps, 800.0), "{us:?}");
        assert!(close(eu.write_rps, 0.0));
        // 90% reads, 15% miss the cache.
        assert!(close(us.read_rps, 4800.0 * 0.9 * 0.15), "{us:?}");
        assert!(close(eu.read_rps, 3200.0 * 0.9 * 0.15), "{eu:?}");
        let e = t.edge_index("api", "db").unwrap();
        assert!(
            close(load.edge(e).cross_region_rps, 320.0),
            "{:?}",
            load.edge(e)
        );
    }

    #[test]
    fn the_same_topology_in_single_mode_serves_from_the_primary_only() {
        let t = template("active-active");
        let load = Load::compute_for_mode(&t, DeploymentMode::Single);
        let api = t.node_index("api").unwrap();
        assert!(close(load.node_in(api, "us-east-1").total(), 8000.0));
        assert!(close(load.node_in(api, "eu-west-1").total(), 0.0));
    }

    #[test]
    fn a_cdn_forwards_only_its_misses_and_queues_deliver_to_consumers() {
        let t = template("static-site-api");
        let load = Load::compute(&t);
        // 1,500 rps, 90% reads, 92% of reads hit: 108 reads + 150 writes reach origins.
        let origin_reads = 1350.0 * 0.08;
        assert!(close(rps(&load, &t, "site").total(), origin_reads * 0.75));
        assert!(close(
            rps(&load, &t, "api-gw").total(),
            (origin_reads + 150.0) * 0.25
        ));

        let t = template("event-pipeline");
        let load = Load::compute(&t);
        let events = rps(&load, &t, "events").total();
        assert!(close(events, 5000.0));
        assert!(close(rps(&load, &t, "enricher").total(), events));
        assert!(close(rps(&load, &t, "notifier").total(), events * 0.05));
    }

    #[test]
    fn cross_az_share_of_spread_endpoints() {
        let s = |azs: &[&str]| azs.iter().fold(0, |m, az| m | az_bit(az));
        let abc = s(&["x-1a", "x-1b", "x-1c"]);
        // Both over 3 AZs: a request stays in its AZ one time in three.
        assert!(close(cross_az_share(true, abc, abc), 2.0 / 3.0));
        assert!(close(cross_az_share(true, s(&["x-1a"]), s(&["x-1a"])), 0.0));
        assert!(close(
            cross_az_share(true, s(&["x-1a", "x-1b"]), abc),
            1.0 - 2.0 / 6.0
        ));
        // Disjoint AZ sets: every request crosses.
        assert!(close(
            cross_az_share(true, s(&["x-1a"]), s(&["x-1b", "x-1c"])),
            1.0
        ));
        // A regional endpoint (SQS, S3) is never counted.
        assert!(close(cross_az_share(false, abc, abc), 0.0));
    }

    #[test]
    fn load_is_linear_in_peak_traffic() {
        let t = template("marketplace");
        let base = Load::compute(&t);
        let mut doubled = t.clone();
        let mut meta = doubled.meta().clone();
        meta.traffic.peak_rps *= 2.0;
        doubled.set_meta(meta);
        let twice = Load::compute(&doubled);
        for (ix, node) in t.nodes_indexed() {
            assert!(
                close(twice.node(ix).total(), 2.0 * base.node(ix).total()),
                "{}",
                node.id
            );
        }
    }

    #[test]
    fn legs_add_up_to_their_edges_and_arrivals_to_the_entry_traffic() {
        for name in ["active-active", "marketplace", "static-site-api"] {
            let t = template(name);
            let load = Load::compute(&t);
            for e in t.edges() {
                let legs = load.legs().iter().filter(|l| l.edge == e.index);
                let (mut total, mut cross_region, mut cross_az) = (0.0, 0.0, 0.0);
                for leg in legs {
                    total += leg.rates.total();
                    if leg.from != leg.to
                        && leg.from < load.regions.len()
                        && leg.to < load.regions.len()
                    {
                        cross_region += leg.rates.total();
                    }
                    cross_az += leg.cross_az_rps;
                }
                let flow = load.edge(e.index);
                assert!(
                    close(total, flow.rates.total()),
                    "{name} {} -> {}",
                    e.from.id,
                    e.to.id
                );
                assert!(close(cross_region, flow.cross_region_rps));
                assert!(close(cross_az, flow.cross_az_rps));
            }
            let users: f64 = load.arrivals().iter().map(|a| a.rates.total()).sum();
            assert!(close(users, t.meta().traffic.peak_rps), "{name}");
        }
    }

    #[test]
    fn synthetic_topologies_carry_all_traffic_to_the_edge() {
        let t = crate::generate::synthetic(&crate::generate::SyntheticSpec::with_nodes(2000));
        let load = Load::compute(&t);
        let lbs: f64 = t
            .nodes_indexed()
            .filter(|(_, n)| n.kind() == NodeKind::LoadBalancer)
            .map(|(ix, _)| load.node(ix).total())
            .sum();
        let cdn = rps(&load, &t, "cdn");
        let expected = cdn.read_rps * 0.15 + cdn.write_rps;
        assert!(close(lbs, expected), "{lbs} vs {expected}");
    }
}
