//! The compact graph: a topology flattened into what the simulation needs,
//! built once per document version and reused by every scenario.
//!
//! A **unit** is one deployed copy of a node: a regional node has a unit
//! per region it is deployed in under the document's deployment mode (an
//! active copy, or a standby one in active-passive), a global node (DNS, CDN,
//! a third party) has one. Units are numbered in dependency order (callers
//! before callees), so every pass is a loop over a slice.
//!
//! A unit's outgoing **calls** (one per edge of the document) split into
//! **parts** that route differently (database reads and writes), and each
//! part lists its **targets**: units of the callee with a failover *tier*
//! and a weight. Tier 0 is where the traffic goes while everything is
//! healthy; higher tiers take over after a regional failover (DNS failover,
//! replica promotion). The routing rules are those of [`crate::load`], so a
//! healthy scenario reproduces the steady-state load exactly.
//!
//! Edges that close a cycle (only soft or asynchronous ones can) are cut as
//! [`crate::load`] cuts them: load goes round once.

use std::ops::Range;

use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef as _, NodeIndexable as _};

use crate::cost::sizing::{self, Role, Variant};
use crate::load::{Load, Rates, az_bit, forward_factor, serving_weights};
use crate::model::{
    CacheSpec, DatabaseSpec, Dependency, DeploymentMode, DnsRouting, EdgeKind, Node, NodeKind,
    NodeSpec, QueueEngine, Requests, Slo, Topology,
};

/// Round-trip time added to a call that crosses regions.
pub const CROSS_REGION_RTT_MS: f64 = 70.0;

/// One deployed copy of a node.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub node: NodeIndex,
    pub kind: NodeKind,
    /// Region slot (document order), or the global slot (`regions.len()`).
    pub slot: usize,
    pub standby: bool,
    /// The AZs it spans in its region, one bit per AZ letter; 0 when it is
    /// regional or global.
    pub az_mask: u32,
    /// A zonal data store without a standby or replica: it lives in its
    /// first AZ and is lost with it (the bit of that AZ), instead of losing a
    /// share of its capacity.
    pub single_az: u32,
    /// A zonal data store: the bit of the AZ its writer or primary lives
    /// in (0 for other kinds).
    pub primary_az: u32,
    /// An RDS Multi-AZ standby takes over the whole instance: losing an AZ
    /// costs no capacity once it has.
    pub standby_instance: bool,
    /// Instances serving requests (0 for services that scale on their own).
    pub instances: f64,
    /// Requests per second one instance serves at 100% (`f64::INFINITY`
    /// when the kind scales on its own: load balancers, DNS, SQS, S3).
    pub per_instance_rps: f64,
    /// Autoscaling group settings, for the recovery phase.
    pub scaling: Option<Scaling>,
    /// Latency of a request at light load.
    pub base_ms: f64,
    /// Utilisation the kind is meant to run at (target CPU of a service).
    pub target_utilisation: f64,
}

impl Unit {
    /// Requests per second the unit serves at 100% with every instance up.
    pub fn capacity_rps(&self) -> f64 {
        if self.per_instance_rps.is_infinite() {
            f64::INFINITY
        } else {
            self.instances * self.per_instance_rps
        }
    }
}

/// What autoscaling may do to a service's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaling {
    pub min: u32,
    pub max: u32,
    /// Requests per second one instance serves at the target CPU.
    pub rps_at_target: f64,
    pub warmup_secs: f64,
}

/// One edge of the document, from one unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub edge: EdgeIndex,
    pub callee: NodeIndex,
    pub kind: EdgeKind,
    pub dependency: Dependency,
    /// A read-through cache call: `hit_ratio × fraction` of the caller's
    /// database reads it answers while it is up.
    pub cache_hits: f64,
    pub parts: Range<u32>,
}

impl Call {
    /// Whether the caller's requests fail when this call fails: a hard
    /// synchronous call or publish. Consumers and replication are
    /// asynchronous: their failure does not fail the request that caused it.
    pub fn is_critical(&self) -> bool {
        self.dependency == Dependency::Hard
            && matches!(self.kind, EdgeKind::Call | EdgeKind::Publish)
    }

    /// Whether the caller waits for it (adds its latency).
    pub fn is_sync(&self) -> bool {
        self.kind == EdgeKind::Call
    }
}

/// Part of a call that routes on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// Share of the caller's reads sent along it (before the cache-aside miss rate).
    pub read_k: f64,
    /// Share of the caller's writes sent along it.
    pub write_k: f64,
    /// Reads to a database behind the caller's caches: scaled by their miss rate.
    pub behind_caches: bool,
    /// What it carries, for reasons ("writes", "reads", "requests").
    pub carries: Carries,
    pub targets: Range<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carries {
    Requests,
    Reads,
    Writes,
}

/// A unit a part may send to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub unit: u32,
    /// 0 while healthy; 1 after a regional failover (DNS failover, promotion).
    pub tier: u8,
    pub weight: f64,
}

/// Users' requests arriving at an entry point's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arrival {
    /// Index into [`Compact::entries`].
    pub entry: usize,
    pub unit: u32,
    pub rates: Rates,
}

/// A topology flattened for simulation (see the module docs).
#[derive(Clone, Debug)]
pub struct Compact {
    pub regions: Vec<String>,
    /// The AZs of each region, in document order.
    pub region_azs: Vec<Vec<String>>,
    pub units: Vec<Unit>,
    pub calls: Vec<Call>,
    pub parts: Vec<Part>,
    pub targets: Vec<Target>,
    /// `calls[call_start[u]..call_start[u + 1]]` are unit `u`'s calls, cache calls first.
    pub(crate) call_start: Vec<u32>,
    /// By node index: its units.
    pub(crate) node_units: Vec<Range<u32>>,
    pub arrivals: Vec<Arrival>,
    /// Entry point node ids, in document order.
    pub entries: Vec<String>,
    /// Share of user traffic each entry point receives.
    pub entry_rps: Vec<f64>,
    pub slo: Slo,
    pub detection_secs: f64,
    pub failover_secs: f64,
    /// Node ids and names by node index (empty for holes).
    pub(crate) names: Vec<(String, String)>,
    pub(crate) edge_bound: usize,
    /// Edges of the document that carry nothing here: those closing a
    /// cycle, cut as the load cuts them (failing one changes nothing).
    pub(crate) uncarried: Vec<(NodeIndex, NodeIndex)>,
}

impl Compact {
    /// Flattens `topology` under its own deployment mode.
    pub fn build(topology: &Topology) -> Self {
        Builder::new(topology).build()
    }

    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    pub fn calls_of(&self, unit: u32) -> Range<usize> {
        let u = unit as usize;
        self.call_start[u] as usize..self.call_start[u + 1] as usize
    }

    /// The units of a node (empty when it is not deployed).
    pub fn units_of(&self, node: NodeIndex) -> Range<u32> {
        self.node_units.get(node.index()).cloned().unwrap_or(0..0)
    }

    /// The global slot.
    pub fn global_slot(&self) -> usize {
        self.regions.len()
    }

    pub fn slot_name(&self, slot: usize) -> &str {
        self.regions.get(slot).map_or("global", String::as_str)
    }

    pub fn node_id(&self, node: NodeIndex) -> &str {
        self.names
            .get(node.index())
            .map_or("", |(id, _)| id.as_str())
    }

    pub fn node_name(&self, node: NodeIndex) -> &str {
        self.names
            .get(node.index())
            .map_or("", |(_, name)| name.as_str())
    }

    /// A unit as a person reads it: `orders-db in eu-west-1`.
    pub fn unit_label(&self, unit: u32) -> String {
        let u = &self.units[unit as usize];
        if u.slot == self.global_slot() {
            self.node_name(u.node).to_owned()
        } else {
            format!("{} in {}", self.node_name(u.node), self.slot_name(u.slot))
        }
    }

    /// Every node index that has units.
    pub fn deployed_nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.node_units
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .map(|(i, _)| NodeIndex::new(i))
    }

    pub(crate) fn edge_bound(&self) -> usize {
        self.edge_bound
    }
}

struct Builder<'a> {
    t: &'a Topology,
    c: Compact,
    mode: DeploymentMode,
    /// By node index: the unit in each slot, if deployed there.
    unit_at: Vec<Vec<Option<u32>>>,
    /// Serving weights of the document's mode, and of every region serving.
    serving: Vec<f64>,
    all_serving: Vec<f64>,
    primary: usize,
}

impl<'a> Builder<'a> {
    fn new(t: &'a Topology) -> Self {
        let meta = t.meta();
        let regions: Vec<String> = meta.regions.iter().map(|r| r.id.clone()).collect();
        let region_azs = meta.regions.iter().map(|r| r.azs.clone()).collect();
        let primary = meta
            .primary_region()
            .and_then(|p| regions.iter().position(|r| *r == p.id))
            .unwrap_or(0);
        let mode = meta.deployment.mode;
        let g = t.graph();
        let mut names = vec![(String::new(), String::new()); g.node_bound()];
        for (ix, node) in t.nodes_indexed() {
            names[ix.index()] = (node.id.clone(), node.name.clone());
        }
        Self {
            t,
            c: Compact {
                regions,
                region_azs,
                units: Vec::with_capacity(t.node_count() * 2),
                calls: Vec::with_capacity(t.edge_count() * 2),
                parts: Vec::with_capacity(t.edge_count() * 2),
                targets: Vec::with_capacity(t.edge_count() * 3),
                call_start: Vec::new(),
                node_units: vec![0..0; g.node_bound()],
                arrivals: Vec::new(),
                entries: Vec::new(),
                entry_rps: Vec::new(),
                slo: meta.slo.clone(),
                detection_secs: f64::from(meta.deployment.detection_secs),
                failover_secs: f64::from(meta.deployment.failover_secs),
                names,
                edge_bound: g.edge_indices().map(|e| e.index() + 1).max().unwrap_or(0),
                uncarried: Vec::new(),
            },
            mode,
            unit_at: vec![Vec::new(); g.node_bound()],
            serving: serving_weights(meta, mode),
            all_serving: serving_weights(meta, DeploymentMode::ActiveActive),
            primary,
        }
    }

    fn build(mut self) -> Compact {
        let t = self.t;
        let order = crate::load::dependency_order(t);
        let load = Load::compute_ordered(t, self.mode, &order);
        let regions = self.c.regions.len();
        let variant = Variant::of(&t.meta().deployment);
        let mut rank = vec![usize::MAX; t.graph().node_bound()];
        for (i, ix) in order.iter().enumerate() {
            rank[ix.index()] = i;
        }
        // Units, in dependency order.
        let mut placed = vec![false; regions];
        let mut roles = vec![Role::Absent; regions];
        for &ix in &order {
            self.c.uncarried.extend(
                t.graph()
                    .edges_directed(ix, Direction::Outgoing)
                    .filter(|e| rank[e.target().index()] <= rank[ix.index()])
                    .map(|e| (ix, e.target())),
            );
            let node = &t.graph()[ix];
            let start = self.c.units.len() as u32;
            let mut at = vec![None; regions + 1];
            if node.kind().is_global() {
                at[regions] = Some(self.c.units.len() as u32);
                self.c
                    .units
                    .push(self.unit(node, ix, regions, false, &load));
            } else {
                for (slot, p) in placed.iter_mut().enumerate() {
                    *p = node.placement.contains_key(&self.c.regions[slot]);
                }
                sizing::roles(&placed, variant, self.primary, &mut roles);
                for slot in 0..regions {
                    let standby = match roles[slot] {
                        Role::Absent => continue,
                        // A pilot light keeps no cache.
                        Role::Standby
                            if variant == Variant::PilotLight && node.kind() == NodeKind::Cache =>
                        {
                            continue;
                        }
                        Role::Standby => true,
                        Role::Active => false,
                    };
                    at[slot] = Some(self.c.units.len() as u32);
                    self.c.units.push(self.unit(node, ix, slot, standby, &load));
                }
            }
            self.c.node_units[ix.index()] = start..self.c.units.len() as u32;
            self.unit_at[ix.index()] = at;
        }
        // Calls, unit by unit (units are already in dependency order).
        self.c.call_start.reserve(self.c.units.len() + 1);
        for u in 0..self.c.units.len() {
            self.c.call_start.push(self.c.calls.len() as u32);
            let (ix, slot) = (self.c.units[u].node, self.c.units[u].slot);
            let mut edges: Vec<(EdgeIndex, NodeIndex)> = t
                .graph()
                .edges_directed(ix, Direction::Outgoing)
                .filter(|e| rank[e.target().index()] > rank[ix.index()])
                .map(|e| (e.id(), e.target()))
                .collect();
            // Cache calls first: their state sets the miss rate of the others.
            edges.sort_by_key(|&(e, v)| (cache_hits(t, e, v) == 0.0, e.index()));
            for (e, v) in edges {
                self.call(ix, slot, e, v);
            }
        }
        self.c.call_start.push(self.c.calls.len() as u32);
        // Entry points.
        let entries = &t.meta().traffic.entry;
        self.c.entries = entries.iter().map(|e| e.node.clone()).collect();
        self.c.entry_rps = vec![0.0; entries.len()];
        for arrival in load.arrivals() {
            let Some(entry) = entries
                .iter()
                .position(|e| t.node_index(&e.node) == Some(arrival.node))
            else {
                continue;
            };
            self.c.entry_rps[entry] += arrival.rates.total();
            if let Some(unit) = self.unit_in(arrival.node, arrival.slot) {
                self.c.arrivals.push(Arrival {
                    entry,
                    unit,
                    rates: arrival.rates,
                });
            }
        }
        self.c
    }

    fn unit_in(&self, node: NodeIndex, slot: usize) -> Option<u32> {
        self.unit_at
            .get(node.index())
            .and_then(|at| at.get(slot).copied().flatten())
    }

    fn unit(&self, node: &Node, ix: NodeIndex, slot: usize, standby: bool, load: &Load) -> Unit {
        let meta = self.t.meta();
        let regions = self.c.regions.len();
        let az_mask = if slot < regions && node.is_zonal() {
            node.placement
                .get(&self.c.regions[slot])
                .map_or(0, |azs| azs.iter().fold(0, |m, az| m | az_bit(az)))
        } else {
            0
        };
        let azs = az_mask.count_ones() as usize;
        let first_az = node
            .placement
            .get(self.c.slot_name(slot))
            .and_then(|azs| azs.first())
            .map_or(0, |az| az_bit(az));
        let mut unit = Unit {
            node: ix,
            kind: node.kind(),
            slot,
            standby,
            az_mask,
            single_az: 0,
            primary_az: 0,
            standby_instance: false,
            instances: 0.0,
            per_instance_rps: f64::INFINITY,
            scaling: None,
            base_ms: 1.0,
            target_utilisation: 1.0,
        };
        match &node.spec {
            NodeSpec::Service(s) => {
                let rps = load.node_slots(ix).get(slot).map_or(0.0, |r| r.total());
                let failover = self.failover_rps(ix, slot, load);
                let active = sizing::active_group(s, rps, failover, azs, &[1.0; 24]);
                let instances = if !standby {
                    active.instances[0]
                } else if meta.deployment.standby == crate::model::Standby::PilotLight {
                    0
                } else {
                    // A warm standby shadows the primary's group.
                    let primary_rps = load
                        .node_slots(ix)
                        .get(self.primary)
                        .map_or(0.0, |r| r.total());
                    let shadow = sizing::active_group(s, primary_rps, primary_rps, azs, &[1.0; 24]);
                    sizing::standby_group(&shadow, meta.deployment.warm_standby_fraction).instances
                        [0]
                };
                unit.instances = f64::from(instances);
                let target = s.target_cpu.clamp(0.05, 1.0);
                unit.per_instance_rps = if s.rps_per_instance > 0.0 {
                    s.rps_per_instance / target
                } else {
                    f64::INFINITY
                };
                unit.target_utilisation = target;
                unit.base_ms = s.latency_ms;
                unit.scaling = Some(Scaling {
                    min: s.min,
                    max: s.max,
                    rps_at_target: s.rps_per_instance,
                    warmup_secs: f64::from(s.warmup_secs),
                });
            }
            NodeSpec::Cache(c) => {
                unit.instances = cache_nodes(c, standby);
                unit.per_instance_rps = c.ops_per_node.max(0.0);
                unit.base_ms = c.latency_ms;
                unit.primary_az = first_az;
                if c.replicas == 0 || standby || azs < 2 {
                    unit.single_az = first_az;
                }
            }
            NodeSpec::Database(db) => {
                let writer = db
                    .writer_region(&node.placement)
                    .is_some_and(|w| self.c.slot_name(slot) == w);
                unit.instances = db_instances(db, writer);
                unit.per_instance_rps = if db.serverless.is_some() {
                    f64::INFINITY
                } else {
                    db.rps_per_instance.max(0.0)
                };
                unit.base_ms = db.latency_ms;
                unit.primary_az = first_az;
                unit.standby_instance = writer && db.multi_az && !db.engine.is_aurora();
                let redundant = if writer {
                    db.multi_az || db.replicas > 0 || db.engine.is_aurora()
                } else {
                    db.cross_region_replicas > 1
                };
                if !redundant || azs < 2 {
                    unit.single_az = first_az;
                }
            }
            NodeSpec::ApiGateway(a) => {
                unit.base_ms = a.latency_ms;
                if a.throttle_rps > 0.0 {
                    unit.instances = 1.0;
                    unit.per_instance_rps = a.throttle_rps;
                }
            }
            NodeSpec::External(x) => {
                unit.base_ms = x.latency_ms;
                if let Some(limit) = x.rate_limit_rps.filter(|l| *l > 0.0) {
                    unit.instances = 1.0;
                    unit.per_instance_rps = limit;
                }
            }
            NodeSpec::Cdn(c) => unit.base_ms = c.edge_latency_ms,
            NodeSpec::Queue(q) => {
                unit.base_ms = if q.engine == QueueEngine::Kafka {
                    5.0
                } else {
                    10.0
                };
            }
            NodeSpec::ObjectStore(_) => unit.base_ms = 20.0,
            NodeSpec::Dns(_) => unit.base_ms = 0.0,
            NodeSpec::LoadBalancer(_) => unit.base_ms = 1.0,
        }
        unit
    }

    /// Active-active: what a service in `slot` must carry after losing any
    /// other region (as the cost engine sizes it).
    fn failover_rps(&self, ix: NodeIndex, slot: usize, load: &Load) -> f64 {
        let rps: Vec<f64> = (0..self.c.regions.len())
            .map(|s| load.node_slots(ix).get(s).map_or(0.0, |r| r.total()))
            .collect();
        if self.mode != DeploymentMode::ActiveActive {
            return rps.get(slot).copied().unwrap_or(0.0);
        }
        let active: Vec<bool> = rps.iter().map(|r| *r > 0.0).collect();
        sizing::failover_load(&rps, &self.serving, &active)
            .get(slot)
            .copied()
            .unwrap_or(0.0)
    }

    #[expect(
        clippy::similar_names,
        clippy::many_single_char_names,
        reason = "caller/callee, and the graph's usual one-letter names"
    )]
    fn call(&mut self, ix: NodeIndex, slot: usize, e: EdgeIndex, v: NodeIndex) {
        let t = self.t;
        let g = t.graph();
        let edge = &g[e];
        let caller = &g[ix];
        let callee = &g[v];
        let f = edge.fraction.clamp(0.0, 1.0);
        let mut read_k = if edge.requests == Requests::Writes {
            0.0
        } else {
            f
        };
        let write_k = if edge.requests == Requests::Reads {
            0.0
        } else {
            f
        };
        read_k *= forward_factor(caller);
        if edge.kind == EdgeKind::Replicate {
            read_k = 0.0;
        }
        let part_start = self.c.parts.len() as u32;
        let regions = self.c.regions.len();
        let to_db = callee.kind() == NodeKind::Database;
        let callee_units = self.unit_at[v.index()].clone();
        let deployed = |s: usize| callee_units.get(s).copied().flatten();
        if callee.kind().is_global() {
            if let Some(u) = deployed(regions) {
                self.part(read_k, write_k, false, Carries::Requests, &[(u, 0, 1.0)]);
            }
        } else if slot == regions {
            // From a global node (DNS, CDN) to regional copies: the serving
            // regions first; the others after a failover, when the caller
            // can route on health.
            let fails_over = match &caller.spec {
                NodeSpec::Dns(d) => d.health_checks && d.routing != DnsRouting::Simple,
                _ => true,
            };
            let mut targets = Vec::new();
            for s in 0..regions {
                let Some(u) = deployed(s) else { continue };
                if self.serving[s] > 0.0 {
                    targets.push((u, 0, self.serving[s]));
                } else if fails_over {
                    targets.push((u, 1, self.all_serving[s].max(1e-9)));
                }
            }
            if targets.iter().all(|t| t.1 > 0) {
                // Nothing deployed where users are served: the home copy.
                for t in &mut targets {
                    t.1 = 0;
                }
                targets.truncate(1);
            }
            self.part(read_k, write_k, false, Carries::Requests, &targets);
        } else if let NodeSpec::Database(db) = &callee.spec {
            let writer = db
                .writer_region(&callee.placement)
                .and_then(|w| self.c.regions.iter().position(|r| r == w))
                .filter(|&w| deployed(w).is_some())
                .or_else(|| (0..regions).find(|&s| deployed(s).is_some()));
            let Some(writer) = writer else {
                self.c.calls.push(self.call_record(e, v, edge, part_start));
                return;
            };
            let promotable: Vec<(u32, u8, f64)> = (0..regions)
                .filter(|&s| s != writer && (db.global || db.cross_region_replicas > 0))
                .filter_map(|s| deployed(s).map(|u| (u, 1, 1.0)))
                .collect();
            let writer_unit = deployed(writer).unwrap_or(0);
            let reads_local = deployed(slot).is_some()
                && (slot == writer || db.global || db.cross_region_replicas > 0);
            let mut to_writer = vec![(writer_unit, 0, 1.0)];
            to_writer.extend(promotable.iter().copied());
            if reads_local && slot != writer {
                let local = deployed(slot).unwrap_or(0);
                self.part(
                    read_k,
                    0.0,
                    to_db,
                    Carries::Reads,
                    &[(local, 0, 1.0), (writer_unit, 1, 1.0)],
                );
                self.part(0.0, write_k, false, Carries::Writes, &to_writer);
            } else {
                self.part(read_k, write_k, to_db, Carries::Requests, &to_writer);
            }
        } else if let Some(u) = deployed(slot) {
            self.part(read_k, write_k, to_db, Carries::Requests, &[(u, 0, 1.0)]);
        } else {
            // Not in the caller's region: its home, else any other copy.
            let home = [self.primary]
                .into_iter()
                .chain(0..regions)
                .find(|&s| deployed(s).is_some());
            if let Some(home) = home {
                let mut targets = vec![(deployed(home).unwrap_or(0), 0, 1.0)];
                targets.extend(
                    (0..regions)
                        .filter(|&s| s != home)
                        .filter_map(|s| deployed(s).map(|u| (u, 1, 1.0))),
                );
                self.part(read_k, write_k, to_db, Carries::Requests, &targets);
            }
        }
        self.c.calls.push(self.call_record(e, v, edge, part_start));
    }

    fn call_record(
        &self,
        e: EdgeIndex,
        v: NodeIndex,
        edge: &crate::model::Edge,
        parts: u32,
    ) -> Call {
        Call {
            edge: e,
            callee: v,
            kind: edge.kind,
            dependency: edge.dependency,
            cache_hits: cache_hits(self.t, e, v),
            parts: parts..self.c.parts.len() as u32,
        }
    }

    fn part(
        &mut self,
        read_k: f64,
        write_k: f64,
        behind_caches: bool,
        carries: Carries,
        targets: &[(u32, u8, f64)],
    ) {
        let start = self.c.targets.len() as u32;
        self.c
            .targets
            .extend(
                targets
                    .iter()
                    .map(|&(unit, tier, weight)| Target { unit, tier, weight }),
            );
        self.c.parts.push(Part {
            read_k,
            write_k,
            behind_caches,
            carries,
            targets: start..self.c.targets.len() as u32,
        });
    }
}

/// `hit_ratio × fraction` of a read-through cache call, else 0.
fn cache_hits(t: &Topology, e: EdgeIndex, v: NodeIndex) -> f64 {
    let edge = &t.graph()[e];
    match &t.graph()[v].spec {
        NodeSpec::Cache(c) if edge.kind == EdgeKind::Call && edge.requests != Requests::Writes => {
            (c.hit_ratio * edge.fraction).clamp(0.0, 1.0)
        }
        _ => 0.0,
    }
}

/// Cache nodes serving reads: every shard's primary and replicas (a warm
/// standby keeps the shards without replicas).
fn cache_nodes(c: &CacheSpec, standby: bool) -> f64 {
    let per_shard = if standby { 1 } else { 1 + c.replicas };
    f64::from(c.shards.max(1) * per_shard)
}

/// Database instances serving queries in a region, over all shards.
fn db_instances(db: &DatabaseSpec, writer: bool) -> f64 {
    let per_shard = if writer {
        1 + db.replicas
    } else {
        db.cross_region_replicas.max(1)
    };
    f64::from(db.shards.max(1) * per_shard)
}
