//! Line items with names: what the CLI, the JSON output and the diff show.
//! Built on demand from an [`Estimate`]'s compact items.

use serde::Serialize;

use super::model::{Category, DbRole, Estimate, Scope, What};
use crate::model::{StorageClass, Topology};

/// One line of the bill, ready to show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LineItem {
    /// A node id, `from -> to` for an edge, or `(region)` for shared items.
    pub element: String,
    /// The node's kind, `edge`, or `region`.
    pub kind: String,
    /// A region, or `global`.
    pub region: String,
    pub category: Category,
    /// A stable name of what is billed, for matching in diffs (`instances`, `cross-region:eu-west-1`).
    pub item: String,
    pub name: String,
    pub detail: String,
    pub quantity: f64,
    pub unit: &'static str,
    /// The price key (`ec2:m6i.large@us-east-1`): what `pricing.overrides` takes.
    pub price_key: String,
    /// USD per unit (the first tier's, when tiered).
    pub unit_usd: f64,
    pub tiered: bool,
    /// Before the document's discount.
    pub list_usd: f64,
    /// After the discount.
    pub monthly_usd: f64,
    /// Machine-extracted, or hand-entered and confirmed by a second source, or overridden.
    pub verified: bool,
    pub overridden: bool,
}

/// `ec2:m6i.large@us-east-1` → `m6i.large`.
fn key_item(key: &str) -> &str {
    let rest = key.split_once(':').map_or(key, |(_, r)| r);
    rest.rsplit_once('@').map_or(rest, |(i, _)| i)
}

/// `cloudfront:gb@europe` → `europe`.
fn key_place(key: &str) -> &str {
    key.rsplit_once('@').map_or("", |(_, p)| p)
}

impl Estimate {
    /// Every item with its name, sorted by region (document order, global
    /// last), then by element in document order (nodes, edges, shared).
    pub fn lines(&self, topology: &Topology) -> Vec<LineItem> {
        let g = topology.graph();
        let factor = self.discount_factor();
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        let rank = |scope: Scope| match scope {
            Scope::Node(ix) => (0, ix.index()),
            Scope::Edge(e) => (1, e.index()),
            Scope::Region => (2, 0),
        };
        order.sort_by_key(|&i| (self.items[i].slot, rank(self.items[i].scope), i));
        order
            .into_iter()
            .map(|i| {
                let item = &self.items[i];
                let price = &self.prices[item.price];
                let (element, kind) = match item.scope {
                    Scope::Node(ix) => (g[ix].id.clone(), g[ix].kind().as_str().to_owned()),
                    Scope::Edge(e) => match g.edge_endpoints(e) {
                        Some((a, b)) => (format!("{} -> {}", g[a].id, g[b].id), "edge".to_owned()),
                        None => ("?".to_owned(), "edge".to_owned()),
                    },
                    Scope::Region => (
                        format!("({})", self.slot_name(item.slot)),
                        "region".to_owned(),
                    ),
                };
                let what = key_item(&price.key);
                let (item_name, name, detail) =
                    describe(self, item.what, what, key_place(&price.key));
                LineItem {
                    element,
                    kind,
                    region: self.slot_name(item.slot).to_owned(),
                    category: item.what.category(),
                    item: item_name,
                    name,
                    detail,
                    quantity: item.quantity,
                    unit: item.what.unit(),
                    price_key: price.key.clone(),
                    unit_usd: price.unit_usd,
                    tiered: price.tiered,
                    list_usd: item.list_usd,
                    monthly_usd: item.list_usd * factor,
                    verified: price.verified,
                    overridden: price.overridden,
                }
            })
            .collect()
    }
}

/// (stable item name, display name, detail)
#[expect(clippy::too_many_lines, reason = "one arm per kind of line item")]
fn describe(e: &Estimate, what: What, item: &str, place: &str) -> (String, String, String) {
    let s = |a: &str, b: String, c: String| (a.to_owned(), b, c);
    match what {
        What::Instances {
            avg,
            peak,
            min,
            max,
            standby,
        } => s(
            "instances",
            format!("Instance usage (Linux, on-demand, {item})"),
            if standby {
                format!("warm standby: avg {avg:.1} instances (peak {peak})")
            } else {
                format!("avg {avg:.1} instances over the day (peak {peak}; min {min}, max {max})")
            },
        ),
        What::EksCluster => s(
            "eks",
            "EKS control plane".into(),
            "one cluster for the region's EKS services".into(),
        ),
        What::NatHours { gateways } => s(
            "nat-hours",
            "NAT gateways".into(),
            format!("{gateways}, one per AZ of the services that call the internet"),
        ),
        What::NatData => s(
            "nat-gb",
            "NAT gateway data processed".into(),
            "both directions".into(),
        ),
        What::LbHours { nlb } => s(
            "lb-hours",
            if nlb {
                "Network load balancer"
            } else {
                "Application load balancer"
            }
            .into(),
            String::new(),
        ),
        What::LbCapacity { nlb } => s(
            "lb-capacity",
            if nlb {
                "Network load balancer capacity units"
            } else {
                "Load balancer capacity units"
            }
            .into(),
            format!(
                "processed bytes or new connections ({} requests per connection), whichever is larger",
                super::model::REQUESTS_PER_CONNECTION
            ),
        ),
        What::ApiRequests { rest } => s(
            "api-requests",
            format!("Requests ({} API)", if rest { "REST" } else { "HTTP" }),
            String::new(),
        ),
        What::CacheNodes { nodes } => s(
            "cache-nodes",
            format!("Cache nodes ({item})"),
            format!("{nodes} nodes"),
        ),
        What::SqsRequests { fifo } => s(
            "sqs-requests",
            format!(
                "Requests ({} queue)",
                if fifo { "FIFO" } else { "standard" }
            ),
            "send, receive and delete per message, per 64 KB chunk".into(),
        ),
        What::Brokers { brokers } => s(
            "brokers",
            format!("Broker instances ({item})"),
            format!("{brokers} brokers"),
        ),
        What::BrokerStorage => s("broker-storage", "Broker storage".into(), String::new()),
        What::DbInstances { count, role } => match role {
            DbRole::Writer { multi_az: true } => s(
                "db-writer",
                format!("Database instance ({item}, Multi-AZ)"),
                format!("{count} writer(s), each billed twice for its standby"),
            ),
            DbRole::Writer { multi_az: false } => s(
                "db-writer",
                format!("Database instance ({item})"),
                format!("{count} writer(s)"),
            ),
            DbRole::Replicas => s(
                "db-replicas",
                format!("Read replicas ({item})"),
                format!("{count} replica(s)"),
            ),
            DbRole::CrossRegionReplicas => s(
                "db-cross-region-replicas",
                format!("Cross-region replicas ({item})"),
                format!("{count} replica(s)"),
            ),
        },
        What::DbCapacity { instances, avg_acu } => s(
            "db-acu",
            "Aurora Serverless v2 capacity".into(),
            format!("{instances} instance(s), avg {avg_acu:.1} ACU each"),
        ),
        What::DbStorage => s("db-storage", "Database storage".into(), String::new()),
        What::DbIo => s(
            "db-io",
            "I/O requests".into(),
            "one write I/O per write; reads from the buffer pool".into(),
        ),
        What::DbReplicatedIo => s(
            "db-replicated-io",
            "Replicated write I/O (global database)".into(),
            String::new(),
        ),
        What::ObjectStorage { class } => s(
            "object-storage",
            format!(
                "Storage ({})",
                match class {
                    StorageClass::Standard => "Standard",
                    StorageClass::IntelligentTiering => "Intelligent-Tiering, frequent-access tier",
                    StorageClass::StandardIa => "Standard-IA",
                }
            ),
            String::new(),
        ),
        What::ObjectGets => s("object-gets", "GET requests".into(), String::new()),
        What::ObjectPuts => s("object-puts", "PUT requests".into(), String::new()),
        What::ReplicationPuts => s(
            "replication-puts",
            "Replication PUT requests".into(),
            "cross-region replication".into(),
        ),
        What::CdnData => s(
            &format!("cdn-gb:{place}"),
            format!("Data transfer out to the internet ({place})"),
            String::new(),
        ),
        What::CdnRequests => s(
            &format!("cdn-requests:{place}"),
            format!("HTTPS requests ({place})"),
            String::new(),
        ),
        What::CdnOrigin => s(
            &format!("cdn-origin:{place}"),
            format!("Data transfer to origins ({place})"),
            "request bodies forwarded to the origins".into(),
        ),
        What::DnsZone => s("dns-zone", "Hosted zone".into(), String::new()),
        What::DnsHealthChecks { count } => s(
            "dns-health-checks",
            "Health checks".into(),
            format!("{count} regional endpoint(s)"),
        ),
        What::CrossAz => s(
            "cross-az",
            "Cross-AZ transfer".into(),
            "each GB billed out of one AZ and into the other".into(),
        ),
        What::CrossRegion { to } => s(
            &format!("cross-region:{}", e.slot_name(to)),
            format!("Cross-region transfer to {}", e.slot_name(to)),
            String::new(),
        ),
        What::Internet { users } => s(
            "internet",
            if users {
                "Internet egress (responses to users)"
            } else {
                "Internet egress (requests to a third party)"
            }
            .into(),
            "tiered by the region's monthly volume".into(),
        ),
        What::Replication { to } => s(
            &format!("replication:{}", e.slot_name(to)),
            format!("Replication to {}", e.slot_name(to)),
            "the writes, copied across regions".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_into_item_and_place() {
        assert_eq!(key_item("ec2:m6i.large@us-east-1"), "m6i.large");
        assert_eq!(key_place("ec2:m6i.large@us-east-1"), "us-east-1");
        assert_eq!(key_item("cloudfront:gb@europe"), "gb");
    }
}
