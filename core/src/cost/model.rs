//! Monthly cost of a topology under one deployment variant, itemised the way
//! Infracost itemises: instance-hours, LCU-hours, GB processed, requests,
//! storage, each with its quantity, unit price and price key.
//!
//! Sizes and usage come from [`crate::load`]: the same traffic the
//! simulation sees, scaled hour by hour with the daily profile (every hour
//! at peak without one). See [`super::sizing`] for what runs where and how
//! many instances a group runs, [`super::transfer`] for data transfer.
//!
//! Not priced (said in every estimate's notes): EBS root volumes of
//! instances, backups and snapshots, CloudWatch, KMS, WAF, public IPv4
//! addresses, free tiers (they are per account), reserved and spot pricing
//! (use `pricing.discount_percent` for a blended rate), third-party services
//! and CDNs (their providers price them).

use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef as _, NodeIndexable as _};
use serde::Serialize;

use super::catalog::{Catalog, CatalogError, Price, Service, cloudfront_geography};
use super::price::{PriceId, Pricer, Resolved};
use super::sizing::{self, Hourly, Role, Variant};
use super::transfer::{self, Boundary, Bytes, KB_PER_GB};
use crate::load::Load;
use crate::model::{
    ApiType, CacheEngine, CdnProvider, DatabaseEngine, DatabaseSpec, DnsRouting, EdgeKind,
    LoadBalancerType, Node, NodeKind, NodeSpec, Platform, QueueEngine, StorageClass, Topology,
};

/// ALB and NLB capacity units: HTTP keep-alive lets one connection carry
/// several requests; an ALB LCU covers 25 new connections a second, an NLB
/// NLCU 800 new flows, and each covers 1 GB processed an hour.
pub const REQUESTS_PER_CONNECTION: f64 = 10.0;
/// SQS bills each 64 KB chunk of a message as one request.
pub const SQS_CHUNK_KB: f64 = 64.0;

/// Where a cost belongs, for grouping and for the diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Instances of services (EC2, EKS control planes).
    Compute,
    /// Caches, databases, queues, object storage.
    Data,
    /// Load balancers, API gateways, NAT gateways.
    Network,
    /// Data transfer across AZs, regions and to the internet.
    Transfer,
    /// DNS and CDN.
    Edge,
}

impl Category {
    pub const ALL: [Self; 5] = [
        Self::Compute,
        Self::Data,
        Self::Network,
        Self::Transfer,
        Self::Edge,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Compute => "compute",
            Self::Data => "data tier",
            Self::Network => "network",
            Self::Transfer => "data transfer",
            Self::Edge => "DNS and CDN",
        }
    }
}

/// What a line item belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    Node(NodeIndex),
    Edge(EdgeIndex),
    /// Shared by a region: NAT gateways, EKS control planes.
    Region,
}

/// What a line item is for, with what its description needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum What {
    Instances {
        avg: f64,
        peak: u32,
        min: u32,
        max: u32,
        standby: bool,
    },
    EksCluster,
    NatHours {
        gateways: u32,
    },
    NatData,
    LbHours {
        nlb: bool,
    },
    LbCapacity {
        nlb: bool,
    },
    ApiRequests {
        rest: bool,
    },
    CacheNodes {
        nodes: u32,
    },
    SqsRequests {
        fifo: bool,
    },
    Brokers {
        brokers: u32,
    },
    BrokerStorage,
    DbInstances {
        count: u32,
        role: DbRole,
    },
    DbCapacity {
        instances: u32,
        avg_acu: f64,
    },
    DbStorage,
    DbIo,
    DbReplicatedIo,
    ObjectStorage {
        class: StorageClass,
    },
    ObjectGets,
    ObjectPuts,
    ReplicationPuts,
    CdnData,
    CdnRequests,
    CdnOrigin,
    DnsZone,
    DnsHealthChecks {
        count: u32,
    },
    CrossAz,
    CrossRegion {
        to: usize,
    },
    /// `users`: responses to users (or a third-party CDN); else requests to a third party.
    Internet {
        users: bool,
    },
    Replication {
        to: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbRole {
    /// The writer, Multi-AZ when its standby is billed too.
    Writer {
        multi_az: bool,
    },
    Replicas,
    CrossRegionReplicas,
}

impl What {
    pub fn category(self) -> Category {
        match self {
            Self::Instances { .. } | Self::EksCluster => Category::Compute,
            Self::NatHours { .. }
            | Self::NatData
            | Self::LbHours { .. }
            | Self::LbCapacity { .. }
            | Self::ApiRequests { .. } => Category::Network,
            Self::CacheNodes { .. }
            | Self::SqsRequests { .. }
            | Self::Brokers { .. }
            | Self::BrokerStorage
            | Self::DbInstances { .. }
            | Self::DbCapacity { .. }
            | Self::DbStorage
            | Self::DbIo
            | Self::DbReplicatedIo
            | Self::ObjectStorage { .. }
            | Self::ObjectGets
            | Self::ObjectPuts
            | Self::ReplicationPuts => Category::Data,
            Self::CrossAz
            | Self::CrossRegion { .. }
            | Self::Internet { .. }
            | Self::Replication { .. } => Category::Transfer,
            Self::CdnData
            | Self::CdnRequests
            | Self::CdnOrigin
            | Self::DnsZone
            | Self::DnsHealthChecks { .. } => Category::Edge,
        }
    }

    /// The unit of the quantity.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Instances { .. }
            | Self::EksCluster
            | Self::NatHours { .. }
            | Self::LbHours { .. }
            | Self::CacheNodes { .. }
            | Self::Brokers { .. }
            | Self::DbInstances { .. } => "hours",
            Self::LbCapacity { nlb: false } => "LCU-hours",
            Self::LbCapacity { nlb: true } => "NLCU-hours",
            Self::DbCapacity { .. } => "ACU-hours",
            Self::NatData
            | Self::CdnData
            | Self::CdnOrigin
            | Self::CrossAz
            | Self::CrossRegion { .. }
            | Self::Internet { .. }
            | Self::Replication { .. } => "GB",
            Self::BrokerStorage | Self::DbStorage | Self::ObjectStorage { .. } => "GB-months",
            Self::ApiRequests { .. }
            | Self::SqsRequests { .. }
            | Self::DbIo
            | Self::DbReplicatedIo => "1M requests",
            Self::ObjectGets | Self::ObjectPuts | Self::ReplicationPuts => "1k requests",
            Self::CdnRequests => "10k requests",
            Self::DnsZone | Self::DnsHealthChecks { .. } => "months",
        }
    }
}

/// One line of the bill, compact (no strings): [`Estimate::lines`] names it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Item {
    pub scope: Scope,
    /// Region slot (document order), or `regions.len()` for global.
    pub slot: usize,
    pub what: What,
    pub price: PriceId,
    pub quantity: f64,
    /// Before the document's discount.
    pub list_usd: f64,
}

/// An autoscaling group that needs more instances than its max in some
/// hours: priced at max (the simulation shows what it then fails to serve).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Saturation {
    pub node: NodeIndex,
    pub slot: usize,
    pub peak_needed: u32,
    pub max: u32,
    /// Hours of the day above max.
    pub hours: u32,
}

/// A costing failure: which element, where, and the catalog's reason.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{place}: {error}")]
pub struct CostError {
    /// e.g. `nodes[2] ("web") in us-east-1`.
    pub place: String,
    pub error: CatalogError,
}

/// The monthly cost of a topology under one variant.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub variant: Variant,
    /// Region slots in document order; `regions.len()` is global.
    pub regions: Vec<String>,
    pub hours_per_month: f64,
    pub discount_percent: f64,
    pub prices: Vec<Resolved>,
    pub items: Vec<Item>,
    /// Groups the sizing had to clamp (needing more than their max).
    pub warnings: Vec<Saturation>,
    /// What is not priced, and why.
    pub notes: Vec<String>,
}

impl Estimate {
    /// Total before the discount.
    pub fn list_usd(&self) -> f64 {
        self.items.iter().map(|i| i.list_usd).sum()
    }

    /// What is left of a list price after the document's discount.
    pub fn discount_factor(&self) -> f64 {
        1.0 - self.discount_percent.clamp(0.0, 100.0) / 100.0
    }

    /// Total after the discount: the headline figure.
    pub fn monthly_usd(&self) -> f64 {
        self.list_usd() * self.discount_factor()
    }

    /// After the discount, by [`Category::ALL`] order.
    pub fn by_category(&self) -> [f64; 5] {
        let mut out = [0.0; 5];
        for i in &self.items {
            let c = Category::ALL
                .iter()
                .position(|&c| c == i.what.category())
                .unwrap_or(0);
            out[c] += i.list_usd;
        }
        out.map(|v| v * self.discount_factor())
    }

    /// After the discount, by slot (regions, then global).
    pub fn by_slot(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.regions.len() + 1];
        for i in &self.items {
            if let Some(v) = out.get_mut(i.slot) {
                *v += i.list_usd;
            }
        }
        out.iter().map(|v| v * self.discount_factor()).collect()
    }

    /// After the discount, of items priced by records nobody cross-checked.
    pub fn unverified_usd(&self) -> f64 {
        self.items
            .iter()
            .filter(|i| !self.prices[i.price].verified)
            .map(|i| i.list_usd)
            .sum::<f64>()
            * self.discount_factor()
    }

    /// The warnings as sentences; with a limit, the first `limit` and a
    /// count of the rest.
    pub fn warning_texts(&self, t: &Topology, limit: Option<usize>) -> Vec<String> {
        let g = t.graph();
        let shown = limit.unwrap_or(usize::MAX).min(self.warnings.len());
        let mut out: Vec<String> = self.warnings[..shown]
            .iter()
            .map(|w| {
                let id = g.node_weight(w.node).map_or("?", |n| n.id.as_str());
                format!(
                    "{}: {id} needs {} instances at peak but its max is {} ({} hour(s) a day above max; priced at max)",
                    self.slot_name(w.slot),
                    w.peak_needed,
                    w.max,
                    w.hours
                )
            })
            .collect();
        if shown < self.warnings.len() {
            out.push(format!(
                "and {} more groups above their max",
                self.warnings.len() - shown
            ));
        }
        out
    }

    pub fn slot_name(&self, slot: usize) -> &str {
        self.regions.get(slot).map_or("global", String::as_str)
    }
}

/// Costs `t` under `variant`, given the load of `variant.mode()`.
pub fn estimate(
    t: &Topology,
    catalog: &Catalog,
    variant: Variant,
    load: &Load,
) -> Result<Estimate, CostError> {
    estimate_prepared(&prepare(t, catalog, load)?, variant)
}

/// What every variant costed on the same load shares: the traffic per node
/// and leg, and the data transfer it causes. Built once per load (single
/// region and active-passive share one), then [`estimate_prepared`] per variant.
#[derive(Clone, Debug)]
pub struct Prepared<'a> {
    base: Costing<'a>,
}

/// Indexes the load and prices its data transfer.
pub fn prepare<'a>(
    t: &'a Topology,
    catalog: &'a Catalog,
    load: &'a Load,
) -> Result<Prepared<'a>, CostError> {
    let meta = t.meta();
    let profile = profile(meta);
    let mut c = Costing {
        t,
        load,
        variant: Variant::Single,
        regions: load.regions.clone(),
        primary: meta
            .primary_region()
            .and_then(|p| load.slot(&p.id))
            .unwrap_or(0),
        hours: meta.pricing.hours_per_month.max(0.0),
        secs: meta.pricing.hours_per_month.max(0.0) * 3600.0,
        profile,
        avg_m: profile.iter().sum::<f64>() / 24.0,
        pricer: Pricer::new(catalog, &meta.pricing.overrides, &load.regions),
        items: Vec::with_capacity(t.edge_count() * 2),
        warnings: Vec::new(),
        roles: Vec::new(),
        basis: std::rc::Rc::default(),
        running: Vec::new(),
        scratch: Scratch::default(),
        skip_active: false,
    };
    c.prepare();
    c.transfer()?;
    Ok(Prepared { base: c })
}

/// Costs the prepared load under `variant` (whose mode must be the load's).
pub fn estimate_prepared(prepared: &Prepared<'_>, variant: Variant) -> Result<Estimate, CostError> {
    Ok(finish(prepared, run(prepared, variant, None)?))
}

/// A variant's resources, before the load's data transfer is added.
#[derive(Clone, Debug)]
pub(crate) struct Partial<'a>(Costing<'a>);

/// Prices `variant`'s resources. With `single`, the single-region run of the
/// same load, an active-passive variant reuses its active-region items (they
/// are the same: same load, same sizing) and prices only what the standby
/// regions add, the global items and the regions' shared items.
pub(crate) fn run<'a>(
    prepared: &Prepared<'a>,
    variant: Variant,
    single: Option<&Partial<'a>>,
) -> Result<Partial<'a>, CostError> {
    let base = &prepared.base;
    let reuse = single.filter(|_| matches!(variant, Variant::PilotLight | Variant::WarmStandby));
    let mut c = Costing {
        variant,
        regions: base.regions.clone(),
        pricer: reuse.map_or_else(|| base.pricer.clone(), |r| r.0.pricer.clone()),
        items: Vec::with_capacity(base.t.node_count() * 3 + base.items.len()),
        warnings: Vec::new(),
        roles: Vec::new(),
        basis: std::rc::Rc::clone(&base.basis),
        running: Vec::new(),
        scratch: Scratch::default(),
        skip_active: reuse.is_some(),
        ..*base
    };
    if let Some(r) = reuse {
        let regions = c.regions.len();
        c.items.extend(
            r.0.items
                .iter()
                .filter(|i| matches!(i.scope, Scope::Node(_)) && i.slot < regions),
        );
        c.warnings.clone_from(&r.0.warnings);
    }
    c.assign_roles();
    c.nodes()?;
    c.shared()?;
    Ok(Partial(c))
}

/// Adds the load's data transfer and prices tiers: the estimate.
pub(crate) fn finish(prepared: &Prepared<'_>, partial: Partial<'_>) -> Estimate {
    let mut c = partial.0;
    c.items.extend_from_slice(&prepared.base.items);
    let meta = c.t.meta();
    let mut e = Estimate {
        variant: c.variant,
        regions: c.regions,
        hours_per_month: c.hours,
        discount_percent: meta.pricing.discount_percent,
        prices: c.pricer.prices,
        items: c.items,
        warnings: c.warnings,
        notes: notes(c.t),
    };
    apportion_tiers(&mut e);
    e
}

fn profile(meta: &crate::model::Meta) -> [f64; 24] {
    match &meta.traffic.daily_profile {
        Some(p) if p.len() == 24 => {
            let mut out = [0.0; 24];
            for (o, v) in out.iter_mut().zip(p) {
                *o = if v.is_finite() {
                    v.clamp(0.0, 1.0)
                } else {
                    1.0
                };
            }
            out
        }
        _ => [1.0; 24],
    }
}

/// Tiered prices apply to the month's total use of a key: price the total,
/// then share it among the items in proportion to their quantities.
fn apportion_tiers(e: &mut Estimate) {
    let mut totals = vec![0.0; e.prices.len()];
    for i in &e.items {
        totals[i.price] += i.quantity;
    }
    let costs: Vec<f64> = e
        .prices
        .iter()
        .zip(&totals)
        .map(|(p, &q)| p.price.cost(q))
        .collect();
    for i in &mut e.items {
        i.list_usd = match &e.prices[i.price].price {
            Price::Flat(usd) => usd * i.quantity,
            Price::Tiered(_) if totals[i.price] > 0.0 => {
                costs[i.price] * i.quantity / totals[i.price]
            }
            Price::Tiered(_) => 0.0,
        };
    }
}

fn notes(t: &Topology) -> Vec<String> {
    let mut notes = vec![
        "not priced: EBS root volumes, backups and snapshots, CloudWatch, KMS, WAF, public IPv4 addresses; free tiers are not deducted (they are per account)".to_owned(),
        "Route 53 queries to alias records (load balancers, CloudFront, API Gateway, S3) are free".to_owned(),
    ];
    for node in t.nodes() {
        match &node.spec {
            NodeSpec::External(e) => notes.push(format!(
                "{}: a third-party service{}; priced by its provider (calls to it are priced as internet egress)",
                node.id,
                if e.provider.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", e.provider)
                }
            )),
            NodeSpec::Cdn(c) if c.provider == CdnProvider::ThirdParty => notes.push(format!(
                "{}: a third-party CDN, priced by its provider; the origins' responses to it are priced as internet egress",
                node.id
            )),
            _ => {}
        }
    }
    notes
}

#[derive(Clone, Debug)]
struct Costing<'a> {
    t: &'a Topology,
    load: &'a Load,
    variant: Variant,
    regions: Vec<String>,
    primary: usize,
    hours: f64,
    secs: f64,
    profile: [f64; 24],
    avg_m: f64,
    pricer: Pricer<'a>,
    items: Vec<Item>,
    warnings: Vec<Saturation>,
    /// `node * regions + slot`: the node's role there (global nodes: absent).
    roles: Vec<Role>,
    /// Indexes of the load every variant shares.
    basis: std::rc::Rc<Basis>,
    /// `node * regions + slot`: a group runs instances there (for NAT and EKS).
    running: Vec<bool>,
    scratch: Scratch,
    /// Active-region items were reused from the single-region run: price
    /// only what the other roles add (see [`run`]).
    skip_active: bool,
}

/// Per-node buffers of the autoscaling-group sizing.
#[derive(Clone, Debug, Default)]
struct Scratch {
    roles: Vec<Role>,
    rps: Vec<f64>,
    active: Vec<bool>,
    failover: Vec<f64>,
    groups: Vec<Option<Hourly>>,
}

/// What the load says per node, indexed once per load.
#[derive(Debug, Default)]
struct Basis {
    /// `node * regions + slot`: AZs the node spans there (0 when not placed).
    azs: Vec<u16>,
    /// `node * slots + slot`: bytes per second arriving at peak (requests up,
    /// responses down) from callers and users.
    inbound: Vec<Bytes>,
    /// Legs leaving node `n`: `out_legs[out_start[n]..out_start[n + 1]]`
    /// (indices into `load.legs()`).
    out_start: Vec<usize>,
    out_legs: Vec<usize>,
    /// `node * regions + slot`: the price of the node's instance type there,
    /// when the catalog has it (see [`main_item`]); looked up once per load.
    main_price: Vec<Option<PriceId>>,
}

/// The instance type, node type, broker type or instance class a node is priced by.
fn main_item(node: &Node) -> Option<(Service, &str)> {
    match &node.spec {
        NodeSpec::Service(s) => Some((Service::Ec2, &s.instance_type)),
        NodeSpec::Cache(c) => Some((Service::Elasticache, &c.node_type)),
        NodeSpec::Queue(q) if q.engine == QueueEngine::Kafka => {
            Some((Service::Msk, &q.broker_type))
        }
        NodeSpec::Database(db) if db.serverless.is_none() => Some((
            match db.engine {
                DatabaseEngine::AuroraPostgresql | DatabaseEngine::AuroraMysql => Service::Aurora,
                DatabaseEngine::Postgres => Service::RdsPostgres,
                DatabaseEngine::Mysql => Service::RdsMysql,
            },
            &db.instance_class,
        )),
        _ => None,
    }
}

impl Costing<'_> {
    fn slots(&self) -> usize {
        self.regions.len() + 1
    }

    fn global(&self) -> usize {
        self.regions.len()
    }

    fn place(&self, i: usize, node: &Node, slot: usize) -> String {
        if slot < self.regions.len() {
            format!("nodes[{i}] ({:?}) in {}", node.id, self.regions[slot])
        } else {
            format!("nodes[{i}] ({:?})", node.id)
        }
    }

    /// The price of the node's [`main_item`] in region `slot`.
    fn main_price(
        &mut self,
        place: &dyn Fn(&Self) -> String,
        ix: NodeIndex,
        service: Service,
        item: &str,
        slot: usize,
    ) -> Result<PriceId, CostError> {
        match self
            .basis
            .main_price
            .get(ix.index() * self.regions.len() + slot)
            .copied()
            .flatten()
        {
            Some(id) => Ok(id),
            None => self.price(place, service, item, slot),
        }
    }

    /// The price of `item` in region `slot`; `place` names the element for an error.
    fn price(
        &mut self,
        place: &dyn Fn(&Self) -> String,
        service: Service,
        item: &str,
        slot: usize,
    ) -> Result<PriceId, CostError> {
        match self.pricer.at(service, item, slot) {
            Ok(id) => Ok(id),
            Err(error) => Err(CostError {
                place: place(self),
                error,
            }),
        }
    }

    /// The price of `item` at a named place (a CloudFront geography, `global`).
    fn price_named(
        &mut self,
        place: &dyn Fn(&Self) -> String,
        service: Service,
        item: &str,
        at: &str,
    ) -> Result<PriceId, CostError> {
        match self.pricer.get(service, item, at) {
            Ok(id) => Ok(id),
            Err(error) => Err(CostError {
                place: place(self),
                error,
            }),
        }
    }

    fn push(&mut self, scope: Scope, slot: usize, what: What, price: PriceId, quantity: f64) {
        if quantity > 0.0 && quantity.is_finite() {
            self.items.push(Item {
                scope,
                slot,
                what,
                price,
                quantity,
                list_usd: 0.0,
            });
        }
    }

    /// Monthly quantity of something that happens `per_sec` times a second at peak.
    fn monthly(&self, per_sec: f64) -> f64 {
        per_sec * self.avg_m * self.secs
    }

    fn prepare(&mut self) {
        let t = self.t;
        let g = t.graph();
        let bound = g.node_bound();
        let slots = self.slots();
        let regions = self.regions.len();
        let mut basis = Basis {
            azs: vec![0; bound * regions],
            ..Basis::default()
        };
        for (ix, node) in t.nodes_indexed() {
            if node.kind().is_global() {
                continue;
            }
            let at = ix.index() * regions;
            // 0 means not placed; a regional node (no AZs) counts as one.
            // (Walking the few entries beats hashing each region's name.)
            for (region, azs) in &node.placement {
                if let Some(slot) = self.regions.iter().position(|r| r == region) {
                    basis.azs[at + slot] = u16::try_from(azs.len().max(1)).unwrap_or(u16::MAX);
                }
            }
        }
        basis.inbound = vec![Bytes::default(); bound * slots];
        let traffic = &t.meta().traffic;
        for a in self.load.arrivals() {
            let b = transfer::leg_bytes(None, traffic, a.rates);
            basis.inbound[a.node.index() * slots + a.slot].add(b);
        }
        // Legs by caller, in a flat index (counting sort).
        let legs = self.load.legs();
        let mut callers = Vec::with_capacity(legs.len());
        basis.out_start = vec![0; bound + 1];
        for leg in legs {
            let Some((from, to)) = g.edge_endpoints(leg.edge) else {
                callers.push(usize::MAX);
                continue;
            };
            let b = transfer::leg_bytes(g.edge_weight(leg.edge), traffic, leg.rates);
            basis.inbound[to.index() * slots + leg.to].add(b);
            callers.push(from.index());
            basis.out_start[from.index() + 1] += 1;
        }
        for n in 0..bound {
            basis.out_start[n + 1] += basis.out_start[n];
        }
        let mut next = basis.out_start.clone();
        basis.out_legs = vec![0; basis.out_start[bound]];
        for (n, &caller) in callers.iter().enumerate() {
            if caller != usize::MAX {
                basis.out_legs[next[caller]] = n;
                next[caller] += 1;
            }
        }
        // Missing prices stay None here: the variant that deploys the node
        // there looks again and reports the error.
        basis.main_price = vec![None; bound * regions];
        for (ix, node) in t.nodes_indexed() {
            if let Some((service, item)) = main_item(node) {
                for slot in 0..regions {
                    if basis.azs[ix.index() * regions + slot] > 0 {
                        basis.main_price[ix.index() * regions + slot] =
                            self.pricer.at(service, item, slot).ok();
                    }
                }
            }
        }
        self.basis = std::rc::Rc::new(basis);
    }

    fn nodes(&mut self) -> Result<(), CostError> {
        let t = self.t;
        // Services first: standby sizes and NAT/EKS need the active groups.
        for (i, (ix, node)) in t.nodes_indexed().enumerate() {
            if let NodeSpec::Service(_) = node.spec {
                self.service(i, ix, node)?;
            }
        }
        for (i, (ix, node)) in t.nodes_indexed().enumerate() {
            match &node.spec {
                NodeSpec::Service(_) | NodeSpec::External(_) => {}
                NodeSpec::LoadBalancer(lb) => {
                    self.load_balancer(i, ix, node, lb.lb_type == LoadBalancerType::Nlb)?;
                }
                NodeSpec::ApiGateway(api) => self.api_gateway(i, ix, node, api.api_type)?,
                NodeSpec::Cache(cache) => {
                    let nodes_per_shard = if cache.engine == CacheEngine::Memcached {
                        1
                    } else {
                        1 + cache.replicas
                    };
                    for slot in 0..self.regions.len() {
                        let count = match self.role(ix, slot) {
                            Role::Active if self.skips(ix, slot) => continue,
                            Role::Active => cache.shards * nodes_per_shard,
                            Role::Standby if self.variant == Variant::WarmStandby => cache.shards,
                            _ => continue,
                        };
                        let place = |c: &Self| c.place(i, node, slot);
                        let p = self.main_price(
                            &place,
                            ix,
                            Service::Elasticache,
                            &cache.node_type,
                            slot,
                        )?;
                        self.push(
                            Scope::Node(ix),
                            slot,
                            What::CacheNodes { nodes: count },
                            p,
                            f64::from(count) * self.hours,
                        );
                    }
                }
                NodeSpec::Queue(q) => self.queue(i, ix, node, q)?,
                NodeSpec::Database(db) => self.database(i, ix, node, db)?,
                NodeSpec::ObjectStore(s) => {
                    self.object_store(i, ix, node, s.storage_class, s.storage_gb)?;
                }
                NodeSpec::Cdn(cdn) => {
                    if cdn.provider == CdnProvider::Cloudfront {
                        self.cloudfront(i, ix, node, cdn.cache_hit_ratio)?;
                    }
                }
                NodeSpec::Dns(dns) => self.dns(i, ix, node, dns.routing, dns.health_checks)?,
            }
        }
        Ok(())
    }

    /// Roles of every node under `self.variant`.
    fn assign_roles(&mut self) {
        let t = self.t;
        let regions = self.regions.len();
        let bound = t.graph().node_bound();
        self.roles = vec![Role::Absent; bound * regions];
        self.running = vec![false; bound * regions];
        let mut placed = vec![false; regions];
        for (ix, node) in t.nodes_indexed() {
            if node.kind().is_global() {
                continue;
            }
            let at = ix.index() * regions;
            for (slot, p) in placed.iter_mut().enumerate() {
                *p = self.basis.azs[at + slot] > 0;
            }
            sizing::roles(
                &placed,
                self.variant,
                self.primary,
                &mut self.roles[at..at + regions],
            );
        }
    }

    fn role(&self, ix: NodeIndex, slot: usize) -> Role {
        if slot >= self.regions.len() {
            return Role::Absent;
        }
        self.roles
            .get(ix.index() * self.regions.len() + slot)
            .copied()
            .unwrap_or(Role::Absent)
    }

    /// Whether node `ix`'s items in `slot` were reused (see [`run`]).
    fn skips(&self, ix: NodeIndex, slot: usize) -> bool {
        self.skip_active && self.role(ix, slot) == Role::Active
    }

    /// The legs leaving node `ix`.
    fn outgoing(&self, ix: NodeIndex) -> impl Iterator<Item = &crate::load::Leg> + '_ {
        let legs = self.load.legs();
        let b = &self.basis;
        let range = b.out_start.get(ix.index()).copied().unwrap_or(0)
            ..b.out_start.get(ix.index() + 1).copied().unwrap_or(0);
        b.out_legs[range].iter().map(move |&n| &legs[n])
    }

    fn rates(&self, ix: NodeIndex, slot: usize) -> crate::load::Rates {
        self.load
            .node_slots(ix)
            .get(slot)
            .copied()
            .unwrap_or_default()
    }

    fn service(&mut self, i: usize, ix: NodeIndex, node: &Node) -> Result<(), CostError> {
        // Buffers reused from node to node (this runs for every service).
        let mut sc = std::mem::take(&mut self.scratch);
        let result = self.service_with(i, ix, node, &mut sc);
        self.scratch = sc;
        result
    }

    fn service_with(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        sc: &mut Scratch,
    ) -> Result<(), CostError> {
        let NodeSpec::Service(spec) = &node.spec else {
            return Ok(());
        };
        let regions = self.regions.len();
        let at = ix.index() * regions;
        sc.roles.clear();
        sc.roles.extend_from_slice(&self.roles[at..at + regions]);
        sc.rps.clear();
        sc.rps
            .extend((0..regions).map(|s| self.rates(ix, s).total()));
        sc.active.clear();
        sc.active
            .extend(sc.roles.iter().map(|&r| r == Role::Active));
        sc.failover.clear();
        if self.variant == Variant::ActiveActive {
            sc.failover.extend(sizing::failover_load(
                &sc.rps,
                &self.load.serving,
                &sc.active,
            ));
        } else {
            sc.failover.extend_from_slice(&sc.rps);
        }
        sc.groups.clear();
        sc.groups.resize(regions, None);
        for slot in 0..regions {
            if sc.roles[slot] == Role::Active {
                let azs = usize::from(self.basis.azs[at + slot]).max(1);
                let h =
                    sizing::active_group(spec, sc.rps[slot], sc.failover[slot], azs, &self.profile);
                if h.saturated_hours > 0 && !self.skips(ix, slot) {
                    self.warnings.push(Saturation {
                        node: ix,
                        slot,
                        peak_needed: h.peak_needed,
                        max: spec.max,
                        hours: h.saturated_hours,
                    });
                }
                sc.groups[slot] = Some(h);
            }
        }
        if self.variant == Variant::WarmStandby {
            let shadowed = sc
                .groups
                .get(self.primary)
                .cloned()
                .flatten()
                .or_else(|| sc.groups.iter().flatten().next().cloned());
            if let Some(active) = shadowed {
                let fraction = self.t.meta().deployment.warm_standby_fraction;
                for slot in 0..regions {
                    if sc.roles[slot] == Role::Standby {
                        sc.groups[slot] = Some(sizing::standby_group(&active, fraction));
                    }
                }
            }
        }
        for slot in 0..regions {
            let Some(h) = &sc.groups[slot] else { continue };
            let (avg, peak) = (h.average(), h.peak());
            self.running[at + slot] = peak > 0;
            if self.skips(ix, slot) {
                continue;
            }
            let place = |c: &Self| c.place(i, node, slot);
            let p = self.main_price(&place, ix, Service::Ec2, &spec.instance_type, slot)?;
            self.push(
                Scope::Node(ix),
                slot,
                What::Instances {
                    avg,
                    peak,
                    min: spec.min,
                    max: spec.max,
                    standby: sc.roles[slot] == Role::Standby,
                },
                p,
                avg * self.hours,
            );
        }
        Ok(())
    }

    fn load_balancer(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        nlb: bool,
    ) -> Result<(), CostError> {
        let slots = self.slots();
        for slot in 0..self.regions.len() {
            if self.role(ix, slot) == Role::Absent || self.skips(ix, slot) {
                continue;
            }
            let place = |c: &Self| c.place(i, node, slot);
            let (hour, unit) = if nlb {
                ("nlb-hour", "nlb-nlcu-hour")
            } else {
                ("alb-hour", "alb-lcu-hour")
            };
            let p = self.price(&place, Service::Elb, hour, slot)?;
            self.push(Scope::Node(ix), slot, What::LbHours { nlb }, p, self.hours);
            // Capacity units per hour: the larger of processed GB/h and new connections.
            let rps = self.rates(ix, slot).total();
            let gb_per_hour =
                self.basis.inbound[ix.index() * slots + slot].total_kb() * 3600.0 / KB_PER_GB;
            let per_unit_connections = if nlb { 800.0 } else { 25.0 };
            let units: f64 = self
                .profile
                .iter()
                .map(|m| {
                    (gb_per_hour * m).max(rps * m / REQUESTS_PER_CONNECTION / per_unit_connections)
                })
                .sum::<f64>()
                / 24.0;
            let p = self.price(&place, Service::Elb, unit, slot)?;
            self.push(
                Scope::Node(ix),
                slot,
                What::LbCapacity { nlb },
                p,
                units * self.hours,
            );
        }
        Ok(())
    }

    fn api_gateway(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        api: ApiType,
    ) -> Result<(), CostError> {
        let rest = api == ApiType::Rest;
        for slot in 0..self.regions.len() {
            if self.role(ix, slot) == Role::Absent || self.skips(ix, slot) {
                continue;
            }
            let requests = self.monthly(self.rates(ix, slot).total()) / 1e6;
            if requests <= 0.0 {
                continue;
            }
            let place = |c: &Self| c.place(i, node, slot);
            let item = if rest { "rest-million" } else { "http-million" };
            let p = self.price(&place, Service::Apigw, item, slot)?;
            self.push(
                Scope::Node(ix),
                slot,
                What::ApiRequests { rest },
                p,
                requests,
            );
        }
        Ok(())
    }

    fn queue(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        q: &crate::model::QueueSpec,
    ) -> Result<(), CostError> {
        let slots = self.slots();
        let g = self.t.graph();
        for slot in 0..self.regions.len() {
            let role = self.role(ix, slot);
            if role == Role::Absent || self.skips(ix, slot) {
                continue;
            }
            let place = |c: &Self| c.place(i, node, slot);
            match q.engine {
                QueueEngine::Sqs => {
                    let sent = self.rates(ix, slot).total();
                    if sent <= 0.0 {
                        continue;
                    }
                    let delivered: f64 = self
                        .outgoing(ix)
                        .filter(|l| l.from == slot && g[l.edge].kind == EdgeKind::Consume)
                        .map(|l| l.rates.total())
                        .sum();
                    let kb = self.basis.inbound[ix.index() * slots + slot].up_kb / sent;
                    let chunks = (kb / SQS_CHUNK_KB).ceil().max(1.0);
                    // Send once; receive and delete once per delivery.
                    let requests = self.monthly((sent + 2.0 * delivered) * chunks) / 1e6;
                    let item = if q.fifo {
                        "fifo-million"
                    } else {
                        "standard-million"
                    };
                    let p = self.price(&place, Service::Sqs, item, slot)?;
                    self.push(
                        Scope::Node(ix),
                        slot,
                        What::SqsRequests { fifo: q.fifo },
                        p,
                        requests,
                    );
                }
                QueueEngine::Kafka => {
                    let p = self.main_price(&place, ix, Service::Msk, &q.broker_type, slot)?;
                    self.push(
                        Scope::Node(ix),
                        slot,
                        What::Brokers { brokers: q.brokers },
                        p,
                        f64::from(q.brokers) * self.hours,
                    );
                    let p = self.price(&place, Service::Msk, "storage-gb-month", slot)?;
                    self.push(
                        Scope::Node(ix),
                        slot,
                        What::BrokerStorage,
                        p,
                        f64::from(q.brokers) * q.storage_gb.max(0.0),
                    );
                }
            }
        }
        Ok(())
    }

    fn database(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        db: &DatabaseSpec,
    ) -> Result<(), CostError> {
        let slots = self.slots();
        let regions = self.regions.len();
        let deployed: Vec<usize> = (0..regions)
            .filter(|&s| self.role(ix, s) != Role::Absent)
            .collect();
        let writer = db
            .writer_region(&node.placement)
            .and_then(|w| self.regions.iter().position(|r| r == w))
            .filter(|w| deployed.contains(w))
            .or_else(|| {
                deployed
                    .iter()
                    .copied()
                    .find(|&s| self.role(ix, s) == Role::Active)
            })
            .or_else(|| deployed.first().copied());
        let Some(writer) = writer else {
            return Ok(());
        };
        let shards = db.shards.max(1);
        let service = match db.engine {
            DatabaseEngine::AuroraPostgresql | DatabaseEngine::AuroraMysql => Service::Aurora,
            DatabaseEngine::Postgres => Service::RdsPostgres,
            DatabaseEngine::Mysql => Service::RdsMysql,
        };
        let aurora = service == Service::Aurora;
        let serverless = db.serverless.as_ref().filter(|_| aurora);
        let copies_elsewhere = db.global || db.cross_region_replicas > 0;
        let writes_per_sec = self.rates(ix, writer).write_rps;
        let write_kb = self.basis.inbound[ix.index() * slots + writer].write_up_kb;
        for &slot in &deployed {
            if self.skips(ix, slot) {
                continue;
            }
            let is_writer = slot == writer;
            if !is_writer && !copies_elsewhere {
                continue;
            }
            let place = |c: &Self| c.place(i, node, slot);
            let scope = Scope::Node(ix);
            // Instances in this region.
            let (primary, replicas) = if is_writer {
                (shards, shards * db.replicas)
            } else {
                (0, shards * db.cross_region_replicas)
            };
            if let Some(cap) = serverless {
                let instances = primary + replicas;
                if instances > 0 {
                    let per_instance = self.rates(ix, slot).total() / f64::from(instances);
                    let acu: f64 = self
                        .profile
                        .iter()
                        .map(|m| {
                            (cap.max_acu * per_instance * m / db.rps_per_instance.max(1e-9))
                                .clamp(cap.min_acu, cap.max_acu)
                        })
                        .sum::<f64>()
                        / 24.0;
                    let p = self.price(&place, service, "acu-hour", slot)?;
                    self.push(
                        scope,
                        slot,
                        What::DbCapacity {
                            instances,
                            avg_acu: acu,
                        },
                        p,
                        acu * f64::from(instances) * self.hours,
                    );
                }
            } else {
                let p = self.main_price(&place, ix, service, &db.instance_class, slot)?;
                let multi_az = is_writer && !aurora && db.multi_az;
                if primary > 0 {
                    let billed = if multi_az { 2 * primary } else { primary };
                    self.push(
                        scope,
                        slot,
                        What::DbInstances {
                            count: primary,
                            role: DbRole::Writer { multi_az },
                        },
                        p,
                        f64::from(billed) * self.hours,
                    );
                }
                if replicas > 0 {
                    let role = if is_writer {
                        DbRole::Replicas
                    } else {
                        DbRole::CrossRegionReplicas
                    };
                    self.push(
                        scope,
                        slot,
                        What::DbInstances {
                            count: replicas,
                            role,
                        },
                        p,
                        f64::from(replicas) * self.hours,
                    );
                }
            }
            // Storage: one cluster volume per shard for Aurora; one volume per
            // instance (the Multi-AZ standby included) for RDS.
            let volumes = if aurora {
                f64::from(shards)
            } else {
                let standby = if is_writer && db.multi_az { shards } else { 0 };
                f64::from(primary + standby + replicas)
            };
            if volumes > 0.0 {
                let p = self.price(&place, service, "storage-gb-month", slot)?;
                self.push(
                    scope,
                    slot,
                    What::DbStorage,
                    p,
                    volumes * db.storage_gb.max(0.0),
                );
            }
            if aurora && is_writer {
                // Aurora Standard bills I/O: one write I/O per write; reads
                // are assumed served from the buffer pool.
                let p = self.price(&place, service, "io-million", slot)?;
                self.push(
                    scope,
                    slot,
                    What::DbIo,
                    p,
                    self.monthly(writes_per_sec) / 1e6,
                );
            }
            if !is_writer {
                if aurora && db.global {
                    let p = self.price(&place, service, "replicated-io-million", slot)?;
                    self.push(
                        scope,
                        slot,
                        What::DbReplicatedIo,
                        p,
                        self.monthly(writes_per_sec) / 1e6,
                    );
                }
                let wplace = |c: &Self| c.place(i, node, writer);
                let p = self.price(&wplace, Service::Transfer, "inter-region-gb", writer)?;
                self.push(
                    scope,
                    writer,
                    What::Replication { to: slot },
                    p,
                    self.monthly(write_kb) / KB_PER_GB,
                );
            }
        }
        Ok(())
    }

    fn object_store(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        class: StorageClass,
        storage_gb: f64,
    ) -> Result<(), CostError> {
        let slots = self.slots();
        let deployed: Vec<usize> = (0..self.regions.len())
            .filter(|&s| self.role(ix, s) != Role::Absent)
            .collect();
        for &slot in &deployed {
            let place = |c: &Self| c.place(i, node, slot);
            let scope = Scope::Node(ix);
            let rates = self.rates(ix, slot);
            if !self.skips(ix, slot) {
                let item = match class {
                    // The frequent-access tier, an upper bound: the automatic move
                    // to cheaper tiers and the monitoring fee are not modelled.
                    StorageClass::Standard | StorageClass::IntelligentTiering => {
                        "standard-gb-month"
                    }
                    StorageClass::StandardIa => "standard-ia-gb-month",
                };
                let p = self.price(&place, Service::S3, item, slot)?;
                self.push(
                    scope,
                    slot,
                    What::ObjectStorage { class },
                    p,
                    storage_gb.max(0.0),
                );
                let p = self.price(&place, Service::S3, "get-thousand", slot)?;
                self.push(
                    scope,
                    slot,
                    What::ObjectGets,
                    p,
                    self.monthly(rates.read_rps) / 1e3,
                );
                let p = self.price(&place, Service::S3, "put-thousand", slot)?;
                self.push(
                    scope,
                    slot,
                    What::ObjectPuts,
                    p,
                    self.monthly(rates.write_rps) / 1e3,
                );
            }
            // Cross-region replication of what is written here to every other copy.
            for &to in deployed.iter().filter(|&&s| s != slot) {
                if rates.write_rps <= 0.0 {
                    continue;
                }
                let tplace = |c: &Self| c.place(i, node, to);
                let p = self.price(&tplace, Service::S3, "put-thousand", to)?;
                self.push(
                    scope,
                    to,
                    What::ReplicationPuts,
                    p,
                    self.monthly(rates.write_rps) / 1e3,
                );
                let p = self.price(&place, Service::Transfer, "inter-region-gb", slot)?;
                let kb = self.basis.inbound[ix.index() * slots + slot].write_up_kb;
                self.push(
                    scope,
                    slot,
                    What::Replication { to },
                    p,
                    self.monthly(kb) / KB_PER_GB,
                );
            }
        }
        Ok(())
    }

    /// Where users are, by CloudFront geography: `traffic.users`, else the
    /// regions that serve.
    fn geographies(&self) -> Vec<(&'static str, f64)> {
        let users = &self.t.meta().traffic.users;
        let weights: Vec<(String, f64)> = if users.is_empty() {
            self.regions
                .iter()
                .cloned()
                .zip(self.load.serving.iter().copied())
                .collect()
        } else {
            users.iter().map(|(r, w)| (r.clone(), *w)).collect()
        };
        let total: f64 = weights.iter().map(|(_, w)| w.max(0.0)).sum();
        let mut out: Vec<(&'static str, f64)> = Vec::new();
        for (region, w) in weights {
            let geo = cloudfront_geography(&region);
            let share = if total > 0.0 { w.max(0.0) / total } else { 0.0 };
            match out.iter_mut().find(|(g, _)| *g == geo) {
                Some(entry) => entry.1 += share,
                None => out.push((geo, share)),
            }
        }
        out.retain(|(_, s)| *s > 0.0);
        if out.is_empty() {
            out.push(("north-america", 1.0));
        }
        out
    }

    fn cloudfront(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        hit_ratio: f64,
    ) -> Result<(), CostError> {
        let g = self.t.graph();
        let traffic = &self.t.meta().traffic;
        let global = self.global();
        let rps = self.rates(ix, global).total();
        if rps <= 0.0 {
            return Ok(());
        }
        // Every request is answered at the edge; requests behind an origin
        // edge with a payload carry that payload (misses and hits alike).
        let miss = (1.0 - hit_ratio).clamp(0.0, 1.0);
        let mut egress_kb = rps * traffic.response_kb;
        let mut origin_kb = 0.0;
        for leg in self.outgoing(ix) {
            let edge = &g[leg.edge];
            let b = transfer::leg_bytes(Some(edge), traffic, leg.rates);
            origin_kb += b.up_kb;
            if let Some(payload) = edge.payload_kb
                && miss > 1e-9
            {
                let reads_behind = leg.rates.read_rps / miss;
                egress_kb += reads_behind * (payload - traffic.response_kb).max(0.0);
            }
        }
        let place = |c: &Self| c.place(i, node, global);
        for (geo, share) in self.geographies() {
            let p = self.price_named(&place, Service::Cloudfront, "gb", geo)?;
            self.push(
                Scope::Node(ix),
                global,
                What::CdnData,
                p,
                self.monthly(egress_kb * share) / KB_PER_GB,
            );
            let p = self.price_named(&place, Service::Cloudfront, "https-10k", geo)?;
            self.push(
                Scope::Node(ix),
                global,
                What::CdnRequests,
                p,
                self.monthly(rps * share) / 1e4,
            );
            let p = self.price_named(&place, Service::Cloudfront, "origin-gb", geo)?;
            self.push(
                Scope::Node(ix),
                global,
                What::CdnOrigin,
                p,
                self.monthly(origin_kb * share) / KB_PER_GB,
            );
        }
        Ok(())
    }

    fn dns(
        &mut self,
        i: usize,
        ix: NodeIndex,
        node: &Node,
        routing: DnsRouting,
        health_checks: bool,
    ) -> Result<(), CostError> {
        let global = self.global();
        let place = |c: &Self| c.place(i, node, global);
        let p = self.price_named(&place, Service::Route53, "zone-month", "global")?;
        self.push(Scope::Node(ix), global, What::DnsZone, p, 1.0);
        if !health_checks || routing == DnsRouting::Simple {
            return Ok(());
        }
        let g = self.t.graph();
        let mut endpoints = vec![false; self.regions.len()];
        for e in g.edges(ix) {
            for (slot, deployed) in endpoints.iter_mut().enumerate() {
                if self.role(e.target(), slot) != Role::Absent {
                    *deployed = true;
                }
            }
        }
        let count = u32::try_from(endpoints.iter().filter(|&&d| d).count()).unwrap_or(u32::MAX);
        if count > 0 {
            let p = self.price_named(&place, Service::Route53, "health-check-month", "global")?;
            self.push(
                Scope::Node(ix),
                global,
                What::DnsHealthChecks { count },
                p,
                f64::from(count),
            );
        }
        Ok(())
    }

    /// Region-level items: EKS control planes and NAT gateways.
    fn shared(&mut self) -> Result<(), CostError> {
        let t = self.t;
        let g = t.graph();
        let traffic = &t.meta().traffic;
        for slot in 0..self.regions.len() {
            let place = |c: &Self| format!("region {}", c.regions[slot]);
            let regions = self.regions.len();
            let running = |ix: NodeIndex| {
                self.running
                    .get(ix.index() * regions + slot)
                    .copied()
                    .unwrap_or(false)
            };
            let eks = t.nodes_indexed().any(|(ix, n)| {
                matches!(&n.spec, NodeSpec::Service(s) if s.platform == Platform::Eks)
                    && running(ix)
            });
            // NAT gateways: one per AZ of the running services that call the internet.
            let mut azs: Vec<&str> = Vec::new();
            let mut nat_kb = 0.0;
            for (ix, node) in t.nodes_indexed() {
                if node.kind() != NodeKind::Service || !running(ix) {
                    continue;
                }
                let calls_out = g
                    .edges(ix)
                    .any(|e| matches!(g[e.target()].kind(), NodeKind::External | NodeKind::Cdn));
                if !calls_out {
                    continue;
                }
                if let Some(list) = node.placement.get(&self.regions[slot]) {
                    for az in list {
                        if !azs.contains(&az.as_str()) {
                            azs.push(az);
                        }
                    }
                }
                for leg in self.outgoing(ix).filter(|l| {
                    l.from == slot
                        && g.edge_endpoints(l.edge)
                            .is_some_and(|(_, b)| g[b].kind().is_global())
                }) {
                    nat_kb +=
                        transfer::leg_bytes(g.edge_weight(leg.edge), traffic, leg.rates).total_kb();
                }
            }
            if eks {
                let p = self.price(&place, Service::Eks, "cluster-hour", slot)?;
                self.push(Scope::Region, slot, What::EksCluster, p, self.hours);
            }
            if !azs.is_empty() {
                let gateways = u32::try_from(azs.len()).unwrap_or(u32::MAX);
                let p = self.price(&place, Service::Nat, "hour", slot)?;
                self.push(
                    Scope::Region,
                    slot,
                    What::NatHours { gateways },
                    p,
                    f64::from(gateways) * self.hours,
                );
                let p = self.price(&place, Service::Nat, "gb", slot)?;
                self.push(
                    Scope::Region,
                    slot,
                    What::NatData,
                    p,
                    self.monthly(nat_kb) / KB_PER_GB,
                );
            }
        }
        Ok(())
    }

    /// Cross-AZ, cross-region and internet transfer of every leg, and users'
    /// responses from regional entry points.
    fn transfer(&mut self) -> Result<(), CostError> {
        let t = self.t;
        let g = t.graph();
        let traffic = &t.meta().traffic;
        let regions = self.regions.len();
        // Transfer prices by slot, resolved on first use.
        let mut cache: Vec<[Option<PriceId>; 3]> = vec![[None; 3]; regions];
        for arrival in self.load.arrivals() {
            if arrival.slot >= regions {
                continue;
            }
            let bytes = transfer::leg_bytes(None, traffic, arrival.rates);
            let node = &g[arrival.node];
            let i = t.document_position(&node.id).unwrap_or_default();
            let place = |c: &Self| c.place(i, node, arrival.slot);
            let p = self.transfer_price(&mut cache, 2, arrival.slot, &place)?;
            self.push(
                Scope::Node(arrival.node),
                arrival.slot,
                What::Internet { users: true },
                p,
                self.monthly(bytes.down_kb) / KB_PER_GB,
            );
        }
        for leg in self.load.legs() {
            let Some((from, to)) = g.edge_endpoints(leg.edge) else {
                continue;
            };
            let edge = &g[leg.edge];
            let bytes = transfer::leg_bytes(Some(edge), traffic, leg.rates);
            let place = |_: &Self| format!("edges ({} -> {})", g[from].id, g[to].id);
            let scope = Scope::Edge(leg.edge);
            match (leg.from < regions, leg.to < regions) {
                (true, true) if leg.from == leg.to => {
                    let total = leg.rates.total();
                    if leg.cross_az_rps <= 0.0 || total <= 0.0 {
                        continue;
                    }
                    let share =
                        leg.cross_az_rps / total * transfer::cross_az_charged(&g[from].spec);
                    if share <= 0.0 {
                        continue;
                    }
                    let p = self.transfer_price(&mut cache, 0, leg.from, &place)?;
                    // Billed out of one AZ and into the other: twice the rate.
                    let gb = self.monthly(bytes.total_kb() * share) / KB_PER_GB;
                    self.push(scope, leg.from, What::CrossAz, p, 2.0 * gb);
                }
                (true, true) => {
                    let p = self.transfer_price(&mut cache, 1, leg.from, &place)?;
                    self.push(
                        scope,
                        leg.from,
                        What::CrossRegion { to: leg.to },
                        p,
                        self.monthly(bytes.up_kb) / KB_PER_GB,
                    );
                    let p = self.transfer_price(&mut cache, 1, leg.to, &place)?;
                    self.push(
                        scope,
                        leg.to,
                        What::CrossRegion { to: leg.from },
                        p,
                        self.monthly(bytes.down_kb) / KB_PER_GB,
                    );
                }
                (false, true) | (true, false) => {
                    // Between a global node and a region: the region's side pays.
                    let into_region = leg.to < regions;
                    let slot = if into_region { leg.to } else { leg.from };
                    let (kb, users) =
                        match transfer::boundary(&g[from].spec, &g[to].spec, into_region) {
                            Boundary::InternetResponses => (bytes.down_kb, true),
                            Boundary::InternetRequests => (bytes.up_kb, false),
                            Boundary::CloudfrontOrigin | Boundary::Free => continue,
                        };
                    let p = self.transfer_price(&mut cache, 2, slot, &place)?;
                    self.push(
                        scope,
                        slot,
                        What::Internet { users },
                        p,
                        self.monthly(kb) / KB_PER_GB,
                    );
                }
                (false, false) => {}
            }
        }
        Ok(())
    }
    fn transfer_price(
        &mut self,
        cache: &mut [[Option<PriceId>; 3]],
        kind: usize,
        slot: usize,
        place: &dyn Fn(&Self) -> String,
    ) -> Result<PriceId, CostError> {
        if let Some(id) = cache[slot][kind] {
            return Ok(id);
        }
        let item = ["inter-az-gb", "inter-region-gb", "internet-gb"][kind];
        let id = self.price(place, Service::Transfer, item, slot)?;
        cache[slot][kind] = Some(id);
        Ok(id)
    }
}
