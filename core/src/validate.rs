//! Semantic rules a parsed document must meet (errors) and suspicious designs
//! worth a second look (warnings).
//!
//! Each diagnostic names the place (`nodes[4] ("orders-db").placement.us-east-9`),
//! what was expected and what was found, and the element it is about.
//! Parsing problems (syntax, unknown fields, duplicate ids, edges to missing
//! nodes) are found earlier, by [`crate::model::json`].

use std::collections::HashSet;

use petgraph::Direction;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef as _;

use crate::diagnostic::{Diagnostic, Element, Report, did_you_mean};
use crate::model::aws_regions;
use crate::model::{
    CacheEngine, DeploymentMode, DnsRouting, EdgeKind, LoadBalancerType, Node, NodeKind, NodeSpec,
    QueueEngine, RegionRole, Topology, check_id,
};
use crate::model::{MAX_USER_DATA_BYTES, ServiceAws, image_problem, is_aws_id, tag_problem};

/// Validates a document. Pure and fast: the editor runs it on every change.
pub fn validate(topology: &Topology) -> Report {
    let mut v = Validator {
        t: topology,
        report: Report::default(),
    };
    v.meta();
    v.regions();
    v.deployment();
    v.traffic();
    v.pricing();
    v.aws();
    for (i, node) in topology.nodes().enumerate() {
        v.node(i, node);
    }
    v.edges();
    v.hard_call_cycles();
    v.reachability();
    v.report
}

struct Validator<'a> {
    t: &'a Topology,
    report: Report,
}

/// `nodes[4] ("orders-db")`
fn node_path(i: usize, node: &Node) -> String {
    format!("nodes[{i}] ({:?})", node.id)
}

fn on_node(node: &Node) -> Element {
    Element::Node {
        id: node.id.clone(),
    }
}

impl Validator<'_> {
    fn error(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Diagnostic::error(code, path, message))
    }

    fn warn(
        &mut self,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.push(Diagnostic::warning(code, path, message))
    }

    /// Records a diagnostic and hands it back so the caller can attach the element.
    fn push(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        let list = if diagnostic.is_error() {
            &mut self.report.errors
        } else {
            &mut self.report.warnings
        };
        list.push(diagnostic);
        list.last_mut()
            .unwrap_or_else(|| unreachable!("pushed just above"))
    }

    /// Checks `value` lies in the range; `what` reads "a share from 0 to 1".
    fn range(
        &mut self,
        path: impl FnOnce() -> String,
        value: f64,
        ok: impl FnOnce(f64) -> bool,
        what: &str,
        element: Option<Element>,
    ) {
        if !value.is_finite() || !ok(value) {
            let d = self.error(
                "out-of-range",
                path(),
                format!("expected {what}, found {value}"),
            );
            d.element = element;
        }
    }

    fn region_ids(&self) -> String {
        let ids: Vec<&str> = self
            .t
            .meta()
            .regions
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        if ids.is_empty() {
            "the document lists no regions".to_owned()
        } else {
            format!("regions: {}", ids.join(", "))
        }
    }

    fn meta(&mut self) {
        let meta = self.t.meta();
        if let Some(id) = &meta.id
            && let Err(reason) = check_id(id)
        {
            self.error(
                "invalid-id",
                "id",
                format!("invalid topology id {id:?}: {reason}"),
            );
        }
        if meta.name.trim().is_empty() {
            self.error(
                "empty-name",
                "name",
                "expected a name for the topology, found an empty string",
            );
        }
        self.range(
            || "slo.availability".into(),
            meta.slo.availability,
            |v| v > 0.0 && v < 1.0,
            "a share between 0 and 1 (e.g. 0.999)",
            None,
        );
        self.range(
            || "slo.p95_ms".into(),
            meta.slo.p95_ms,
            |v| v > 0.0,
            "a latency above 0 ms",
            None,
        );
    }

    fn regions(&mut self) {
        let mut seen = HashSet::new();
        for (i, region) in self.t.meta().regions.iter().enumerate() {
            let path = format!("regions[{i}] ({:?})", region.id);
            let element = Element::Region {
                id: region.id.clone(),
            };
            if !seen.insert(region.id.as_str()) {
                self.error(
                    "duplicate-region",
                    format!("{path}.id"),
                    format!("region \"{}\" is listed twice", region.id),
                )
                .element = Some(element.clone());
                continue;
            }
            if aws_regions::find(&region.id).is_none() {
                let hint = did_you_mean(&region.id, aws_regions::REGIONS.iter().map(|r| r.code));
                self.error("unknown-region", format!("{path}.id"), format!("unknown region \"{}\"{hint}: expected an AWS region code such as us-east-1", region.id))
                    .element = Some(element);
                continue;
            }
            let mut azs = HashSet::new();
            for (j, az) in region.azs.iter().enumerate() {
                let az_path = format!("{path}.azs[{j}]");
                if !azs.insert(az.as_str()) {
                    self.error(
                        "duplicate-az",
                        az_path,
                        format!("AZ \"{az}\" is listed twice"),
                    )
                    .element = Some(Element::Az { id: az.clone() });
                } else if !aws_regions::az_in_region(az, &region.id) {
                    let letters = aws_regions::find(&region.id).map_or("", |r| r.az_letters);
                    let message = match aws_regions::region_of_az(az) {
                        Some(other) => {
                            format!("AZ \"{az}\" is in {}, not in {}", other.code, region.id)
                        }
                        None => format!(
                            "\"{az}\" is not an AZ of {}: expected {}{{{}}}",
                            region.id,
                            region.id,
                            letters
                                .chars()
                                .map(String::from)
                                .collect::<Vec<_>>()
                                .join(",")
                        ),
                    };
                    self.error("az-not-in-region", az_path, message).element =
                        Some(Element::Az { id: az.clone() });
                }
            }
            for (field, value) in [
                ("availability", region.availability),
                ("az_availability", region.az_availability),
            ] {
                if let Some(value) = value {
                    self.range(
                        || format!("{path}.{field}"),
                        value,
                        |v| v > 0.0 && v <= 1.0,
                        "an availability above 0 and at most 1",
                        Some(element.clone()),
                    );
                }
            }
        }
    }

    fn deployment(&mut self) {
        let meta = self.t.meta();
        let d = &meta.deployment;
        let primaries: Vec<&str> = meta
            .regions
            .iter()
            .filter(|r| r.role == RegionRole::Primary)
            .map(|r| r.id.as_str())
            .collect();
        let n = meta.regions.len();
        match d.mode {
            DeploymentMode::Single | DeploymentMode::ActivePassive if primaries.len() > 1 => {
                self.error(
                    "deployment",
                    "regions",
                    format!(
                        "mode {} expects one primary region, found {}: {}",
                        d.mode.as_str(),
                        primaries.len(),
                        primaries.join(", ")
                    ),
                );
            }
            DeploymentMode::ActivePassive | DeploymentMode::ActiveActive if n < 2 => {
                self.error(
                    "deployment",
                    "deployment.mode",
                    format!(
                        "mode {} needs at least two regions, found {n}",
                        d.mode.as_str()
                    ),
                );
            }
            DeploymentMode::Single if n > 1 => {
                let primary = meta.primary_region().map_or("", |r| r.id.as_str());
                let ignored: Vec<&str> = meta
                    .regions
                    .iter()
                    .map(|r| r.id.as_str())
                    .filter(|&r| r != primary)
                    .collect();
                self.warn(
                    "unused-regions",
                    "deployment.mode",
                    format!("mode single runs only in {primary}; {} not used (switch to active_passive or active_active to use them)", ignored.join(", ")),
                );
            }
            _ => {}
        }
        if d.mode != DeploymentMode::Single
            && n >= 2
            && primaries.is_empty()
            && d.mode == DeploymentMode::ActivePassive
        {
            self.error(
                "deployment",
                "regions",
                "mode active_passive needs one region with role primary, found none",
            );
        }
        self.range(
            || "deployment.warm_standby_fraction".into(),
            d.warm_standby_fraction,
            |v| v > 0.0 && v <= 1.0,
            "a share above 0 and at most 1",
            None,
        );
    }
    fn traffic(&mut self) {
        let meta = self.t.meta();
        let tr = &meta.traffic;
        self.range(
            || "traffic.peak_rps".into(),
            tr.peak_rps,
            |v| v >= 0.0,
            "a rate of 0 or more requests per second",
            None,
        );
        self.range(
            || "traffic.read_fraction".into(),
            tr.read_fraction,
            |v| (0.0..=1.0).contains(&v),
            "a share from 0 to 1",
            None,
        );
        self.range(
            || "traffic.request_kb".into(),
            tr.request_kb,
            |v| v >= 0.0,
            "a size of 0 KB or more",
            None,
        );
        self.range(
            || "traffic.response_kb".into(),
            tr.response_kb,
            |v| v >= 0.0,
            "a size of 0 KB or more",
            None,
        );

        let mut seen = HashSet::new();
        let mut explicit = 0.0;
        for (i, entry) in tr.entry.iter().enumerate() {
            let path = format!("traffic.entry[{i}]");
            if !self.t.contains(&entry.node) {
                let hint = did_you_mean(&entry.node, self.t.nodes().map(|n| n.id.as_str()));
                self.error(
                    "entry-missing",
                    path.clone(),
                    format!(
                        "entry point names no node: no node with id \"{}\"{hint}",
                        entry.node
                    ),
                );
            } else if !seen.insert(entry.node.as_str()) {
                self.error(
                    "duplicate-entry",
                    path.clone(),
                    format!("\"{}\" is an entry point twice", entry.node),
                );
            }
            if let Some(share) = entry.share {
                explicit += share;
                self.range(
                    || format!("{path}.share"),
                    share,
                    |v| (0.0..=1.0).contains(&v),
                    "a share from 0 to 1",
                    None,
                );
            }
        }
        let all_explicit = tr.entry.iter().all(|e| e.share.is_some());
        if !tr.entry.is_empty()
            && (explicit > 1.0 + 1e-9 || (all_explicit && (explicit - 1.0).abs() > 1e-6))
        {
            self.error(
                "out-of-range",
                "traffic.entry",
                format!("entry point shares must add up to 1, found {explicit}"),
            );
        }
        if tr.entry.is_empty() && self.t.node_count() > 0 {
            self.warn("no-entry", "traffic.entry", "no entry points: no traffic reaches the design, so simulation and usage costs are empty");
        }

        let mut total = 0.0;
        for (region, share) in &tr.users {
            let path = format!("traffic.users.{region}");
            if meta.region(region).is_none() {
                let regions = self.region_ids();
                self.error("unknown-region", path.clone(), format!("users are placed in \"{region}\", which is not one of the document's regions ({regions})"))
                    .element = Some(Element::Region { id: region.clone() });
            }
            self.range(
                || path,
                *share,
                |v| (0.0..=1.0).contains(&v),
                "a share from 0 to 1",
                None,
            );
            total += share;
        }
        if !tr.users.is_empty() && (total - 1.0).abs() > 1e-6 {
            self.error(
                "out-of-range",
                "traffic.users",
                format!("user shares must add up to 1, found {total}"),
            );
        }

        if let Some(profile) = &tr.daily_profile {
            if profile.len() != 24 {
                self.error(
                    "daily-profile",
                    "traffic.daily_profile",
                    format!("expected 24 hourly multipliers, found {}", profile.len()),
                );
            }
            for (h, &m) in profile.iter().enumerate() {
                self.range(
                    || format!("traffic.daily_profile[{h}]"),
                    m,
                    |v| (0.0..=1.0).contains(&v),
                    "a multiplier of peak_rps from 0 to 1",
                    None,
                );
            }
            if profile.len() == 24
                && profile.iter().all(|m| m.is_finite())
                && profile.iter().copied().fold(0.0, f64::max) < 1.0 - 1e-9
            {
                self.warn(
                    "daily-profile",
                    "traffic.daily_profile",
                    "no hour reaches 1.0: the profile never reaches peak_rps",
                );
            }
        }
    }

    /// The `pricing` section: the month, the discount, and the overrides'
    /// keys (`service:item` or `service:item@region`).
    fn pricing(&mut self) {
        use crate::cost::catalog::{Catalog, Service};
        let pricing = &self.t.meta().pricing;
        self.range(
            || "pricing.hours_per_month".into(),
            pricing.hours_per_month,
            |v| v > 0.0 && v <= 744.0,
            "hours above 0 and at most 744 (31 days; AWS and Infracost use 730)",
            None,
        );
        self.range(
            || "pricing.discount_percent".into(),
            pricing.discount_percent,
            |v| (0.0..100.0).contains(&v),
            "a discount from 0 to below 100 percent",
            None,
        );
        let catalog = Catalog::embedded().ok();
        for (key, &usd) in &pricing.overrides {
            let path = format!("pricing.overrides.{key}");
            self.range(
                || path.clone(),
                usd,
                |v| v >= 0.0,
                "a price of 0 USD or more",
                None,
            );
            let (name, place) = match key.split_once('@') {
                Some((name, place)) => (name, Some(place)),
                None => (key.as_str(), None),
            };
            let Some((service, item)) = name.split_once(':') else {
                self.error(
                    "pricing",
                    path,
                    format!("expected a price key such as \"ec2:m6i.large\" or \"ec2:m6i.large@us-east-1\" (service:item[@region]), found \"{key}\""),
                );
                continue;
            };
            let Some(service) = Service::parse(service) else {
                let names = Service::ALL.map(Service::as_str);
                let hint = did_you_mean(service, names);
                self.error(
                    "pricing",
                    path,
                    format!(
                        "unknown service \"{service}\"{hint} in price key \"{key}\"; services: {}",
                        names.join(", ")
                    ),
                );
                continue;
            };
            if item.is_empty() {
                self.error(
                    "pricing",
                    path,
                    format!("price key \"{key}\" names no item after \"{service}:\""),
                );
                continue;
            }
            if let Some(place) = place {
                let known = if service.is_global() {
                    place == "global"
                        || [
                            "north-america",
                            "europe",
                            "japan",
                            "asia-pacific",
                            "south-america",
                            "middle-east-africa",
                            "other",
                        ]
                        .contains(&place)
                } else {
                    aws_regions::find(place).is_some()
                };
                if !known {
                    let hint = did_you_mean(place, aws_regions::REGIONS.iter().map(|r| r.code));
                    self.error(
                        "pricing",
                        path,
                        format!("unknown region \"{place}\"{hint} in price key \"{key}\""),
                    );
                    continue;
                }
                if !service.is_global() && self.t.meta().region(place).is_none() {
                    let regions = self.region_ids();
                    self.warn("pricing", path, format!("the override is for {place}, which the document does not use ({regions})"));
                    continue;
                }
            }
            if let Some(catalog) = catalog {
                let items = catalog.items(service);
                if !items.contains(&item) {
                    let hint = did_you_mean(item, items.iter().copied());
                    if !hint.is_empty() {
                        self.warn("pricing", path, format!("the catalog has no {} \"{item}\"{hint}: this override adds a price for it, and the item it resembles keeps the catalog's", service.label()));
                    }
                }
            }
        }
    }

    fn node(&mut self, i: usize, node: &Node) {
        let path = node_path(i, node);
        self.placement(&path, node);
        if let Some(a) = node.availability {
            self.range(
                || format!("{path}.availability"),
                a,
                |v| v > 0.0 && v <= 1.0,
                "an availability above 0 and at most 1",
                Some(on_node(node)),
            );
        }
        self.spec(&path, node);
    }

    fn placement(&mut self, path: &str, node: &Node) {
        let kind = node.kind();
        let meta = self.t.meta();
        if kind.is_global() {
            if !node.placement.is_empty() {
                self.error(
                    "global-placed",
                    format!("{path}.placement"),
                    format!(
                        "{} nodes are global: expected no placement, found {} region(s)",
                        kind.label(),
                        node.placement.len()
                    ),
                )
                .element = Some(on_node(node));
            }
            return;
        }
        if node.placement.is_empty() {
            self.error("missing-placement", format!("{path}.placement"), format!("a {kind} node runs in a region: expected a placement such as {{\"us-east-1\": [\"us-east-1a\", \"us-east-1b\"]}}, found none"))
                .element = Some(on_node(node));
            return;
        }
        for (region_id, azs) in &node.placement {
            let rpath = format!("{path}.placement.{region_id}");
            let Some(region) = meta.region(region_id) else {
                let hint = did_you_mean(region_id, meta.regions.iter().map(|r| r.id.as_str()));
                let regions = self.region_ids();
                self.error(
                    "placement-unknown-region",
                    rpath,
                    format!("unknown region \"{region_id}\"{hint} ({regions})"),
                )
                .element = Some(on_node(node));
                continue;
            };
            let mut seen = HashSet::new();
            for (j, az) in azs.iter().enumerate() {
                if !seen.insert(az.as_str()) {
                    self.error(
                        "duplicate-az",
                        format!("{rpath}[{j}]"),
                        format!("AZ \"{az}\" is listed twice"),
                    )
                    .element = Some(on_node(node));
                } else if !region.azs.contains(az) {
                    let message = match aws_regions::region_of_az(az) {
                        Some(other) if other.code != region_id => {
                            format!("AZ \"{az}\" is in {}, not in {region_id}", other.code)
                        }
                        _ => format!(
                            "AZ \"{az}\" is not one of the AZs in use in {region_id} ({})",
                            region.azs.join(", ")
                        ),
                    };
                    self.error("placement-unknown-az", format!("{rpath}[{j}]"), message)
                        .element = Some(on_node(node));
                }
            }
            if node.is_zonal() && azs.is_empty() {
                self.error("missing-az", rpath, format!("a {kind} node runs in AZs: expected at least one AZ of {region_id}, found none"))
                    .element = Some(on_node(node));
            } else if !node.is_zonal() && !azs.is_empty() {
                self.warn("azs-ignored", rpath, format!("a {} is regional: it spans the AZs of {region_id} itself, so the AZs listed are ignored", node.kind().label().to_lowercase()))
                    .element = Some(on_node(node));
            } else if azs.len() == 1
                && matches!(
                    kind,
                    NodeKind::Service | NodeKind::Cache | NodeKind::Database
                )
            {
                self.warn(
                    "single-az",
                    rpath,
                    format!(
                        "{} runs in one AZ of {region_id} ({}): losing that AZ takes it down there",
                        node.id, azs[0]
                    ),
                )
                .element = Some(on_node(node));
            }
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per node kind reads best in one place"
    )]
    fn spec(&mut self, path: &str, node: &Node) {
        let el = || Some(on_node(node));
        let p = |field: &str| format!("{path}.{field}");
        let positive = |v: f64| v > 0.0;
        let share = |v: f64| (0.0..=1.0).contains(&v);
        let non_negative = |v: f64| v >= 0.0;
        match &node.spec {
            NodeSpec::Dns(s) => {
                for region in s.weights.keys() {
                    if self.t.meta().region(region).is_none() {
                        let regions = self.region_ids();
                        self.error(
                            "placement-unknown-region",
                            p(&format!("weights.{region}")),
                            format!("weight for unknown region \"{region}\" ({regions})"),
                        )
                        .element = el();
                    }
                }
                if s.routing == DnsRouting::Failover && !s.health_checks {
                    self.warn(
                        "dns-failover",
                        p("health_checks"),
                        "failover routing without health checks never fails over",
                    )
                    .element = el();
                }
            }
            NodeSpec::Cdn(s) => {
                self.range(
                    || p("cache_hit_ratio"),
                    s.cache_hit_ratio,
                    share,
                    "a share from 0 to 1",
                    el(),
                );
                self.range(
                    || p("edge_latency_ms"),
                    s.edge_latency_ms,
                    non_negative,
                    "a latency of 0 ms or more",
                    el(),
                );
            }
            NodeSpec::LoadBalancer(s) => {
                if s.lb_type == LoadBalancerType::Alb {
                    for (region, azs) in &node.placement {
                        if azs.len() == 1 {
                            self.error("lb-azs", p(&format!("placement.{region}")), format!("an ALB needs subnets in at least two AZs (AWS rule), found one in {region}"))
                                .element = el();
                        }
                    }
                }
            }
            NodeSpec::ApiGateway(s) => {
                self.range(
                    || p("throttle_rps"),
                    s.throttle_rps,
                    positive,
                    "a rate above 0",
                    el(),
                );
                self.range(
                    || p("latency_ms"),
                    s.latency_ms,
                    non_negative,
                    "a latency of 0 ms or more",
                    el(),
                );
            }
            NodeSpec::Service(s) => {
                if !(s.min <= s.desired && s.desired <= s.max) {
                    self.error(
                        "capacity-order",
                        p("desired"),
                        format!(
                            "expected min ≤ desired ≤ max, found min {}, desired {}, max {}",
                            s.min, s.desired, s.max
                        ),
                    )
                    .element = el();
                }
                if s.max == 0 {
                    self.error(
                        "capacity",
                        p("max"),
                        "expected at least 1 instance at max, found 0",
                    )
                    .element = el();
                }
                self.range(
                    || p("rps_per_instance"),
                    s.rps_per_instance,
                    positive,
                    "a capacity above 0 requests per second",
                    el(),
                );
                self.range(
                    || p("target_cpu"),
                    s.target_cpu,
                    |v| v > 0.0 && v <= 1.0,
                    "a utilisation above 0 and at most 1 (e.g. 0.7)",
                    el(),
                );
                self.range(
                    || p("latency_ms"),
                    s.latency_ms,
                    positive,
                    "a latency above 0 ms",
                    el(),
                );
                self.instance_type(&p("instance_type"), &s.instance_type, "", node);
                self.service_aws(path, node, &s.aws);
                if s.metric_period_secs == 0 {
                    self.error(
                        "out-of-range",
                        p("metric_period_secs"),
                        "expected a metric period of at least 1 second, found 0",
                    )
                    .element = el();
                }
            }
            NodeSpec::Cache(s) => {
                self.range(
                    || p("hit_ratio"),
                    s.hit_ratio,
                    share,
                    "a share from 0 to 1",
                    el(),
                );
                self.range(
                    || p("ops_per_node"),
                    s.ops_per_node,
                    positive,
                    "a capacity above 0 operations per second",
                    el(),
                );
                self.range(
                    || p("latency_ms"),
                    s.latency_ms,
                    non_negative,
                    "a latency of 0 ms or more",
                    el(),
                );
                if s.shards == 0 {
                    self.error(
                        "capacity",
                        p("shards"),
                        "expected at least 1 shard, found 0",
                    )
                    .element = el();
                }
                if s.replicas > 5 {
                    self.error(
                        "out-of-range",
                        p("replicas"),
                        format!(
                            "ElastiCache allows 0 to 5 replicas per shard, found {}",
                            s.replicas
                        ),
                    )
                    .element = el();
                }
                if s.engine == CacheEngine::Memcached && s.replicas > 0 {
                    self.warn(
                        "memcached-replicas",
                        p("replicas"),
                        "Memcached does not replicate: replicas are ignored",
                    )
                    .element = el();
                }
                self.instance_type(&p("node_type"), &s.node_type, "cache.", node);
            }
            NodeSpec::Queue(s) => {
                if s.engine == QueueEngine::Kafka {
                    for (field, value) in [("partitions", s.partitions), ("brokers", s.brokers)] {
                        if value == 0 {
                            self.error(
                                "capacity",
                                p(field),
                                format!("expected at least 1 for a Kafka cluster, found 0 {field}"),
                            )
                            .element = el();
                        }
                    }
                    self.range(
                        || p("storage_gb"),
                        s.storage_gb,
                        positive,
                        "a size above 0 GB",
                        el(),
                    );
                    self.instance_type(&p("broker_type"), &s.broker_type, "kafka.", node);
                    for (region, azs) in &node.placement {
                        if !azs.is_empty() && s.brokers % u32::try_from(azs.len()).unwrap_or(1) != 0
                        {
                            self.error("capacity", p("brokers"), format!("MSK needs a multiple of the AZs as brokers: {} brokers over {} AZs in {region}", s.brokers, azs.len()))
                                .element = el();
                        }
                    }
                } else if s.max_receive_count == 0 {
                    self.error("out-of-range", p("max_receive_count"), "expected at least 1 receive before a message goes to the dead-letter queue, found 0").element = el();
                }
            }
            NodeSpec::Database(s) => {
                self.range(
                    || p("rps_per_instance"),
                    s.rps_per_instance,
                    positive,
                    "a capacity above 0 queries per second",
                    el(),
                );
                self.range(
                    || p("storage_gb"),
                    s.storage_gb,
                    positive,
                    "a size above 0 GB",
                    el(),
                );
                self.range(
                    || p("latency_ms"),
                    s.latency_ms,
                    non_negative,
                    "a latency of 0 ms or more",
                    el(),
                );
                if s.shards == 0 {
                    self.error(
                        "capacity",
                        p("shards"),
                        "expected at least 1 shard, found 0",
                    )
                    .element = el();
                } else if s.logical_shards < s.shards {
                    self.error("capacity", p("logical_shards"), format!("expected at least as many logical shards as physical ones ({}), found {}", s.shards, s.logical_shards)).element = el();
                }
                if let Some(writer) = &s.writer
                    && !node.placement.contains_key(writer)
                {
                    let placed: Vec<&str> = node.regions().collect();
                    self.error("writer-region", p("writer"), format!("the writer is in \"{writer}\", which is not one of the regions the database is placed in ({})", placed.join(", "))).element = el();
                }
                let serverless_class = s.instance_class == "db.serverless";
                match (&s.serverless, serverless_class) {
                    (Some(_), _) if !s.engine.is_aurora() => {
                        self.error(
                            "serverless",
                            p("serverless"),
                            "Serverless v2 capacity needs an Aurora engine",
                        )
                        .element = el();
                    }
                    (Some(cap), true) => {
                        self.range(
                            || p("serverless.min_acu"),
                            cap.min_acu,
                            |v| (0.0..=256.0).contains(&v),
                            "from 0 to 256 ACU",
                            el(),
                        );
                        self.range(
                            || p("serverless.max_acu"),
                            cap.max_acu,
                            |v| (1.0..=256.0).contains(&v) && v >= cap.min_acu,
                            "from 1 to 256 ACU and at least min_acu",
                            el(),
                        );
                    }
                    (Some(_), false) => {
                        self.error("serverless", p("instance_class"), format!("Serverless v2 capacity is set: expected instance_class \"db.serverless\", found \"{}\"", s.instance_class)).element = el();
                    }
                    (None, true) => {
                        self.error("serverless", p("serverless"), "instance_class db.serverless needs a serverless capacity range {\"min_acu\": 0.5, \"max_acu\": 16}").element = el();
                    }
                    (None, false) => {
                        self.instance_type(&p("instance_class"), &s.instance_class, "db.", node);
                    }
                }
                if s.global && (!s.engine.is_aurora() || node.placement.len() < 2) {
                    self.error(
                        "global-database",
                        p("global"),
                        "a global database needs an Aurora engine and at least two regions",
                    )
                    .element = el();
                }
                let mode = self.t.meta().deployment.mode;
                let outside_writer =
                    node.placement.len() > 1 && (s.global || s.cross_region_replicas > 0);
                if mode == DeploymentMode::ActiveActive && !outside_writer {
                    self.warn("no-replica", path, format!("in an active-active topology {} has no replica outside its writer region: the other regions depend on one region", node.id))
                        .element = el();
                } else if s.replicas == 0 && !s.multi_az && !s.engine.is_aurora() {
                    self.warn("no-replica", path, format!("{} has no standby and no replica: an instance failure loses the database until it is restored", node.id))
                        .element = el();
                }
            }
            NodeSpec::ObjectStore(s) => {
                self.range(
                    || p("storage_gb"),
                    s.storage_gb,
                    non_negative,
                    "a size of 0 GB or more",
                    el(),
                );
            }
            NodeSpec::External(s) => {
                self.range(
                    || p("sla"),
                    s.sla,
                    |v| v > 0.0 && v <= 1.0,
                    "an availability above 0 and at most 1",
                    el(),
                );
                self.range(
                    || p("latency_ms"),
                    s.latency_ms,
                    non_negative,
                    "a latency of 0 ms or more",
                    el(),
                );
                if let Some(limit) = s.rate_limit_rps {
                    self.range(
                        || p("rate_limit_rps"),
                        limit,
                        positive,
                        "a rate above 0",
                        el(),
                    );
                }
            }
        }
    }

    /// The document-level `aws` settings.
    fn aws(&mut self) {
        let aws = &self.t.meta().aws;
        if let Some(id) = &aws.account_id
            && !(id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()))
        {
            self.error(
                "aws-account-id",
                "aws.account_id",
                format!("expected a 12-digit AWS account id, found \"{id}\""),
            );
        }
        for (region, image) in &aws.images {
            let path = format!("aws.images.{region}");
            if self.t.meta().region(region).is_none() {
                let hint =
                    did_you_mean(region, self.t.meta().regions.iter().map(|r| r.id.as_str()));
                let regions = self.region_ids();
                self.error(
                    "aws-region",
                    path.clone(),
                    format!("image for \"{region}\"{hint}, which is not one of the document's regions ({regions})"),
                );
            }
            if let Some(problem) = image_problem(image) {
                self.error("aws-image", path, problem);
            }
        }
        for (key, value) in &aws.subnet_tags {
            if let Some(problem) = lookup_tag_problem(key, value) {
                self.error("aws-tag", format!("aws.subnet_tags.{key}"), problem);
            }
        }
        for (key, value) in &aws.tags {
            if let Some(problem) = tag_problem(key, value) {
                self.error("aws-tag", format!("aws.tags.{key}"), problem);
            }
        }
        if aws.tags.len() > MAX_USER_TAGS {
            self.error(
                "aws-tag",
                "aws.tags",
                format!(
                    "AWS allows 50 tags per resource and topoplan adds its own: expected at most {MAX_USER_TAGS} tags, found {}",
                    aws.tags.len()
                ),
            );
        }
    }

    /// A service's `aws` settings: every region and AZ named must be one the
    /// service runs in, and every id must look like what AWS issues.
    fn service_aws(&mut self, path: &str, node: &Node, aws: &ServiceAws) {
        let base = format!("{path}.aws");
        let placed: Vec<&str> = node.regions().collect();
        let placed_list = if placed.is_empty() {
            "it is placed nowhere".to_owned()
        } else {
            format!("placed in: {}", placed.join(", "))
        };
        let region_key = |v: &mut Self, field: &str, region: &str| {
            if !node.placement.contains_key(region) {
                let hint = did_you_mean(region, placed.iter().copied());
                v.error(
                    "aws-region",
                    format!("{base}.{field}.{region}"),
                    format!(
                        "{} does not run in \"{region}\"{hint} ({placed_list})",
                        node.id
                    ),
                )
                .element = Some(on_node(node));
            }
        };
        for (region, image) in &aws.images {
            region_key(self, "images", region);
            if let Some(problem) = image_problem(image) {
                self.error("aws-image", format!("{base}.images.{region}"), problem)
                    .element = Some(on_node(node));
            }
        }
        for (region, groups) in &aws.security_groups {
            region_key(self, "security_groups", region);
            let mut seen = HashSet::new();
            for (j, sg) in groups.iter().enumerate() {
                let at = format!("{base}.security_groups.{region}[{j}]");
                if !is_aws_id(sg, "sg-") {
                    self.error(
                        "aws-security-group",
                        at,
                        format!(
                            "expected a security group id such as \"sg-0abc1234\", found \"{sg}\""
                        ),
                    )
                    .element = Some(on_node(node));
                } else if !seen.insert(sg.as_str()) {
                    self.error(
                        "aws-security-group",
                        at,
                        format!("\"{sg}\" is listed twice"),
                    )
                    .element = Some(on_node(node));
                }
            }
            if groups.len() > 16 {
                self.error(
                    "aws-security-group",
                    format!("{base}.security_groups.{region}"),
                    format!(
                        "an instance has at most 16 security groups, found {}",
                        groups.len()
                    ),
                )
                .element = Some(on_node(node));
            }
        }
        for (region, arns) in &aws.target_groups {
            region_key(self, "target_groups", region);
            for (j, arn) in arns.iter().enumerate() {
                if let Some(problem) = target_group_problem(arn, region) {
                    self.error(
                        "aws-target-group",
                        format!("{base}.target_groups.{region}[{j}]"),
                        problem,
                    )
                    .element = Some(on_node(node));
                }
            }
        }
        let node_azs: HashSet<&str> = node.azs().collect();
        for (az, subnet) in &aws.subnets {
            let at = format!("{base}.subnets.{az}");
            if !node_azs.contains(az.as_str()) {
                let mut azs: Vec<&str> = node.azs().collect();
                azs.sort_unstable();
                let hint = did_you_mean(az, azs.iter().copied());
                self.error(
                    "aws-az",
                    at.clone(),
                    format!(
                        "{} does not run in AZ \"{az}\"{hint} (its AZs: {})",
                        node.id,
                        azs.join(", ")
                    ),
                )
                .element = Some(on_node(node));
            }
            if !is_aws_id(subnet, "subnet-") {
                self.error(
                    "aws-subnet",
                    at,
                    format!("expected a subnet id such as \"subnet-0abc1234\", found \"{subnet}\""),
                )
                .element = Some(on_node(node));
            }
        }
        for (key, value) in &aws.subnet_tags {
            if let Some(problem) = lookup_tag_problem(key, value) {
                self.error("aws-tag", format!("{base}.subnet_tags.{key}"), problem)
                    .element = Some(on_node(node));
            }
        }
        if let Some(user_data) = &aws.user_data
            && user_data.len() > MAX_USER_DATA_BYTES
        {
            self.error(
                "aws-user-data",
                format!("{base}.user_data"),
                format!(
                    "AWS limits user data to {MAX_USER_DATA_BYTES} bytes, found {} (fetch a larger script from S3 at boot)",
                    user_data.len()
                ),
            )
            .element = Some(on_node(node));
        }
        if let Some(profile) = &aws.instance_profile
            && !instance_profile_ok(profile)
        {
            self.error(
                "aws-instance-profile",
                format!("{base}.instance_profile"),
                format!("expected an instance profile name (letters, digits and +=,.@_-, at most 128) or an ARN arn:aws:iam::123456789012:instance-profile/NAME, found \"{profile}\""),
            )
            .element = Some(on_node(node));
        }
        if let Some(key) = &aws.key_name
            && (key.is_empty() || key.len() > 255 || !key.is_ascii())
        {
            self.error(
                "aws-key-name",
                format!("{base}.key_name"),
                format!("expected a key pair name of 1 to 255 ASCII characters, found \"{key}\""),
            )
            .element = Some(on_node(node));
        }
    }

    /// An instance type looks like `family.size` (`m6i.large`) with the
    /// service's prefix (`cache.`, `db.`, `kafka.`). Whether it has a price is
    /// the cost engine's question.
    fn instance_type(&mut self, path: &str, value: &str, prefix: &str, node: &Node) {
        let rest = value.strip_prefix(prefix);
        let well_formed = rest.is_some_and(|rest| {
            let mut parts = rest.split('.');
            let (Some(family), Some(size), None) = (parts.next(), parts.next(), parts.next())
            else {
                return false;
            };
            let ok = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            };
            ok(family) && ok(size) && family.starts_with(|c: char| c.is_ascii_lowercase())
        });
        if !well_formed {
            self.error(
                "instance-type",
                path,
                format!(
                    "expected an instance type such as \"{prefix}m6i.large\", found \"{value}\""
                ),
            )
            .element = Some(on_node(node));
        }
    }

    fn edges(&mut self) {
        for (i, e) in self.t.edges().enumerate() {
            let path = format!("edges[{i}] ({} -> {})", e.from.id, e.to.id);
            let element = Element::Edge {
                from: e.from.id.clone(),
                to: e.to.id.clone(),
            };
            if !e.edge.fraction.is_finite() || !(0.0..=1.0).contains(&e.edge.fraction) {
                self.error(
                    "fraction-range",
                    format!("{path}.fraction"),
                    format!(
                        "expected a share of the caller's traffic from 0 to 1, found {}",
                        e.edge.fraction
                    ),
                )
                .element = Some(element.clone());
            }
            if let Some(kb) = e.edge.payload_kb {
                self.range(
                    || format!("{path}.payload_kb"),
                    kb,
                    |v| v >= 0.0,
                    "a size of 0 KB or more",
                    Some(element.clone()),
                );
            }
            let (from_kind, to_kind) = (e.from.kind(), e.to.kind());
            let mismatch = match e.edge.kind {
                EdgeKind::Publish if to_kind != NodeKind::Queue => {
                    Some(format!("a publish edge goes to a queue, found a {to_kind}"))
                }
                EdgeKind::Consume if from_kind != NodeKind::Queue => Some(format!(
                    "a consume edge comes from a queue (in the direction messages flow), found a {from_kind}"
                )),
                EdgeKind::Replicate if !(from_kind.is_data_store() && to_kind.is_data_store()) => {
                    Some(format!(
                        "a replicate edge joins two data stores, found {from_kind} -> {to_kind}"
                    ))
                }
                _ => None,
            };
            if let Some(message) = mismatch {
                self.error("edge-kind", format!("{path}.kind"), message)
                    .element = Some(element);
            }
        }
    }

    /// Hard synchronous calls must not form a cycle: a request would wait on itself.
    fn hard_call_cycles(&mut self) {
        let g = self.t.graph();
        let hard = petgraph::visit::EdgeFiltered::from_fn(g, |e| e.weight().is_hard_call());
        for scc in petgraph::algo::tarjan_scc(&hard) {
            if scc.len() < 2 {
                continue;
            }
            let members: HashSet<NodeIndex> = scc.iter().copied().collect();
            let cycle = find_cycle(g, &members, scc[0]);
            let names: Vec<&str> = cycle.iter().map(|&ix| g[ix].id.as_str()).collect();
            let first = &g[cycle[0]];
            let i = self.t.document_position(&first.id).unwrap_or_default();
            self.error(
                "hard-call-cycle",
                node_path(i, first),
                format!("hard synchronous calls form a cycle: {} -> {}; a request would wait on itself (make one call soft or asynchronous)", names.join(" -> "), names[0]),
            )
            .element = Some(on_node(first));
        }
    }

    /// Nodes no entry point reaches along any edge receive no traffic.
    fn reachability(&mut self) {
        let t = self.t;
        if t.meta().traffic.entry.is_empty() {
            return;
        }
        let g = t.graph();
        let mut seen: HashSet<NodeIndex> = HashSet::new();
        let mut stack: Vec<NodeIndex> = t
            .meta()
            .traffic
            .entry
            .iter()
            .filter_map(|e| t.node_index(&e.node))
            .collect();
        while let Some(ix) = stack.pop() {
            if seen.insert(ix) {
                stack.extend(g.neighbors_directed(ix, Direction::Outgoing));
            }
        }
        for (i, (ix, node)) in t.nodes_indexed().enumerate() {
            if !seen.contains(&ix) {
                self.warn(
                    "unreachable",
                    node_path(i, node),
                    format!("no entry point reaches {}: it receives no traffic", node.id),
                )
                .element = Some(on_node(node));
            }
        }
    }
}

/// AWS allows 50 tags per resource; topoplan adds `Name` and its own
/// `topoplan:*` tags (at most 4), leaving the rest to the document.
const MAX_USER_TAGS: usize = 45;

/// A tag used to *find* subnets may be any tag AWS allows, `aws:` and
/// `topoplan:` prefixes included (subnets made by `CloudFormation` or by
/// topoplan's Terraform export carry them).
fn lookup_tag_problem(key: &str, value: &str) -> Option<String> {
    if key.is_empty() || key.chars().count() > 128 {
        Some(format!(
            "a tag key has 1 to 128 characters, found {}",
            key.chars().count()
        ))
    } else if value.chars().count() > 256 {
        Some(format!(
            "a tag value has at most 256 characters, found {}",
            value.chars().count()
        ))
    } else {
        None
    }
}

/// `arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID`, in `region`.
fn target_group_problem(arn: &str, region: &str) -> Option<String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "elasticloadbalancing"
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].starts_with("targetgroup/");
    if !well_formed {
        return Some(format!(
            "expected a target group ARN such as \"arn:aws:elasticloadbalancing:{region}:123456789012:targetgroup/web/0123456789abcdef\", found \"{arn}\""
        ));
    }
    (parts[3] != region).then(|| {
        format!(
            "the target group is in {}, not in {region}: an autoscaling group only registers with target groups of its own region",
            parts[3]
        )
    })
}

fn instance_profile_ok(profile: &str) -> bool {
    let name_ok = |name: &str| {
        !name.is_empty()
            && name.len() <= 128
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    };
    if let Some(rest) = profile.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        return parts.len() == 5
            && parts[0].starts_with("aws")
            && parts[1] == "iam"
            && parts[3].len() == 12
            && parts[3].chars().all(|c| c.is_ascii_digit())
            && parts[4]
                .strip_prefix("instance-profile/")
                .and_then(|path| path.rsplit('/').next())
                .is_some_and(name_ok);
    }
    name_ok(profile)
}

/// A cycle of hard calls through `start`, inside one strongly connected
/// component, as the list of nodes in call order.
fn find_cycle(
    g: &crate::model::Graph,
    members: &HashSet<NodeIndex>,
    start: NodeIndex,
) -> Vec<NodeIndex> {
    // Breadth-first search from start's successors back to start gives the
    // shortest cycle through it.
    let mut parent: std::collections::HashMap<NodeIndex, NodeIndex> =
        std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(ix) = queue.pop_front() {
        for e in g.edges_directed(ix, Direction::Outgoing) {
            let next = e.target();
            if !e.weight().is_hard_call() || !members.contains(&next) {
                continue;
            }
            if next == start {
                let mut path = vec![ix];
                let mut cur = ix;
                while cur != start {
                    cur = parent[&cur];
                    path.push(cur);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = parent.entry(next) {
                slot.insert(ix);
                queue.push_back(next);
            }
        }
    }
    vec![start]
}
