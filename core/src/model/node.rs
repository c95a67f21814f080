//! Nodes: the common fields every element has, and the settings of each kind.
//!
//! Every kind's settings struct has a `Default` that is a sensible starting
//! point for an architect (the GUI's palette adds nodes with these values), and
//! every field is written out when a document is saved, so a change of default
//! in a later version never silently changes a saved design.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::aws::ServiceAws;

/// The kind of a node. The string form (`"load_balancer"`) is the document's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Dns,
    Cdn,
    LoadBalancer,
    ApiGateway,
    Service,
    Cache,
    Queue,
    Database,
    ObjectStore,
    External,
}

impl NodeKind {
    pub const ALL: [Self; 10] = [
        Self::Dns,
        Self::Cdn,
        Self::LoadBalancer,
        Self::ApiGateway,
        Self::Service,
        Self::Cache,
        Self::Queue,
        Self::Database,
        Self::ObjectStore,
        Self::External,
    ];

    /// The document's spelling, e.g. `load_balancer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dns => "dns",
            Self::Cdn => "cdn",
            Self::LoadBalancer => "load_balancer",
            Self::ApiGateway => "api_gateway",
            Self::Service => "service",
            Self::Cache => "cache",
            Self::Queue => "queue",
            Self::Database => "database",
            Self::ObjectStore => "object_store",
            Self::External => "external",
        }
    }

    /// A human label, e.g. "Load balancer".
    pub fn label(self) -> &'static str {
        match self {
            Self::Dns => "DNS",
            Self::Cdn => "CDN",
            Self::LoadBalancer => "Load balancer",
            Self::ApiGateway => "API gateway",
            Self::Service => "Service",
            Self::Cache => "Cache",
            Self::Queue => "Queue",
            Self::Database => "Database",
            Self::ObjectStore => "Object store",
            Self::External => "External",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Global kinds (Route 53, CloudFront, third parties) are not placed in a
    /// region; every other kind must be.
    pub fn is_global(self) -> bool {
        matches!(self, Self::Dns | Self::Cdn | Self::External)
    }

    /// Kinds that hold data and may replicate it.
    pub fn is_data_store(self) -> bool {
        matches!(
            self,
            Self::Cache | Self::Database | Self::ObjectStore | Self::Queue
        )
    }
}

impl std::fmt::Display for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a node runs: region id → the AZs it spans in that region, in the
/// document's order. Empty for global kinds. An empty AZ list means the node
/// is regional (SQS, S3, API Gateway span the region's AZs themselves).
pub type Placement = IndexMap<String, Vec<String>>;

/// One element of the topology.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Stable, unique key: referenced by edges, entry points, scenarios and
    /// the tags of everything exported or applied.
    pub id: String,
    /// Display name; may be any text.
    pub name: String,
    pub placement: Placement,
    /// Canvas position (canvas units, not pixels); the layout picks one when absent.
    pub position: Option<[f64; 2]>,
    /// Override of the component availability (0..=1) the engine would
    /// otherwise take from published SLAs.
    pub availability: Option<f64>,
    pub notes: Option<String>,
    pub spec: NodeSpec,
}

impl Node {
    /// A node of `kind` with that kind's default settings.
    pub fn new(id: impl Into<String>, kind: NodeKind) -> Self {
        let id = id.into();
        Self {
            name: id.clone(),
            id,
            placement: Placement::new(),
            position: None,
            availability: None,
            notes: None,
            spec: NodeSpec::default_for(kind),
        }
    }

    pub fn kind(&self) -> NodeKind {
        self.spec.kind()
    }

    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    #[must_use]
    pub fn placed(mut self, region: &str, azs: &[&str]) -> Self {
        self.placement.insert(
            region.to_owned(),
            azs.iter().map(|az| (*az).to_owned()).collect(),
        );
        self
    }

    #[must_use]
    pub fn at(mut self, x: f64, y: f64) -> Self {
        self.position = Some([x, y]);
        self
    }

    /// The regions this node is placed in, in document order.
    pub fn regions(&self) -> impl Iterator<Item = &str> {
        self.placement.keys().map(String::as_str)
    }

    /// Whether this node runs in specific availability zones and must list
    /// them. Regional managed services (SQS, S3, API Gateway) span their
    /// region's AZs on their own and take an empty AZ list.
    pub fn is_zonal(&self) -> bool {
        match &self.spec {
            NodeSpec::LoadBalancer(_)
            | NodeSpec::Service(_)
            | NodeSpec::Cache(_)
            | NodeSpec::Database(_) => true,
            NodeSpec::Queue(q) => q.engine == QueueEngine::Kafka,
            NodeSpec::Dns(_)
            | NodeSpec::Cdn(_)
            | NodeSpec::ApiGateway(_)
            | NodeSpec::ObjectStore(_)
            | NodeSpec::External(_) => false,
        }
    }

    /// Every AZ this node spans, across regions.
    pub fn azs(&self) -> impl Iterator<Item = &str> {
        self.placement.values().flatten().map(String::as_str)
    }
}

/// The kind-specific settings of a node; the variant is the node's kind.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeSpec {
    Dns(DnsSpec),
    Cdn(CdnSpec),
    LoadBalancer(LoadBalancerSpec),
    ApiGateway(ApiGatewaySpec),
    Service(ServiceSpec),
    Cache(CacheSpec),
    Queue(QueueSpec),
    Database(DatabaseSpec),
    ObjectStore(ObjectStoreSpec),
    External(ExternalSpec),
}

impl NodeSpec {
    pub fn default_for(kind: NodeKind) -> Self {
        match kind {
            NodeKind::Dns => Self::Dns(DnsSpec::default()),
            NodeKind::Cdn => Self::Cdn(CdnSpec::default()),
            NodeKind::LoadBalancer => Self::LoadBalancer(LoadBalancerSpec::default()),
            NodeKind::ApiGateway => Self::ApiGateway(ApiGatewaySpec::default()),
            NodeKind::Service => Self::Service(ServiceSpec::default()),
            NodeKind::Cache => Self::Cache(CacheSpec::default()),
            NodeKind::Queue => Self::Queue(QueueSpec::default()),
            NodeKind::Database => Self::Database(DatabaseSpec::default()),
            NodeKind::ObjectStore => Self::ObjectStore(ObjectStoreSpec::default()),
            NodeKind::External => Self::External(ExternalSpec::default()),
        }
    }

    pub fn kind(&self) -> NodeKind {
        match self {
            Self::Dns(_) => NodeKind::Dns,
            Self::Cdn(_) => NodeKind::Cdn,
            Self::LoadBalancer(_) => NodeKind::LoadBalancer,
            Self::ApiGateway(_) => NodeKind::ApiGateway,
            Self::Service(_) => NodeKind::Service,
            Self::Cache(_) => NodeKind::Cache,
            Self::Queue(_) => NodeKind::Queue,
            Self::Database(_) => NodeKind::Database,
            Self::ObjectStore(_) => NodeKind::ObjectStore,
            Self::External(_) => NodeKind::External,
        }
    }
}

// ---------------------------------------------------------------------------
// dns

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsRouting {
    /// Users go to the region with the lowest latency among healthy ones.
    #[default]
    Latency,
    /// All traffic to the primary; to the secondary when the primary is unhealthy.
    Failover,
    /// Traffic split by weight among healthy regions.
    Weighted,
    /// One record, no health checks.
    Simple,
}

/// Route 53: a hosted zone and the records that route users to regions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DnsSpec {
    pub routing: DnsRouting,
    /// Route 53 health checks on each regional endpoint (needed for failover).
    pub health_checks: bool,
    pub ttl_secs: u32,
    /// Weights per region for weighted routing; empty means equal weights.
    pub weights: IndexMap<String, u32>,
}

impl Default for DnsSpec {
    fn default() -> Self {
        Self {
            routing: DnsRouting::Latency,
            health_checks: true,
            ttl_secs: 60,
            weights: IndexMap::new(),
        }
    }
}

// ---------------------------------------------------------------------------
// cdn

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CdnProvider {
    #[default]
    Cloudfront,
    /// A third-party CDN in front of AWS (Cloudflare, Fastly, ...): simulated
    /// and drawn, but not exported to Terraform's AWS provider.
    ThirdParty,
}

/// A content delivery network in front of the origins it has edges to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CdnSpec {
    pub provider: CdnProvider,
    /// Share of requests answered at the edge without reaching an origin.
    pub cache_hit_ratio: f64,
    /// Latency of a request answered at the edge.
    pub edge_latency_ms: f64,
}

impl Default for CdnSpec {
    fn default() -> Self {
        Self {
            provider: CdnProvider::Cloudfront,
            cache_hit_ratio: 0.85,
            edge_latency_ms: 15.0,
        }
    }
}

// ---------------------------------------------------------------------------
// load_balancer

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancerType {
    /// Application Load Balancer (HTTP/HTTPS, layer 7).
    #[default]
    Alb,
    /// Network Load Balancer (TCP/UDP/TLS, layer 4).
    Nlb,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenerProtocol {
    #[default]
    Https,
    Http,
    Tcp,
    Tls,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancerSpec {
    #[serde(rename = "type")]
    pub lb_type: LoadBalancerType,
    /// Internal (private subnets) rather than internet-facing.
    pub internal: bool,
    pub protocol: ListenerProtocol,
    pub port: u16,
    pub health_check_path: String,
    pub cross_zone: bool,
}

impl Default for LoadBalancerSpec {
    fn default() -> Self {
        Self {
            lb_type: LoadBalancerType::Alb,
            internal: false,
            protocol: ListenerProtocol::Https,
            port: 443,
            health_check_path: "/health".to_owned(),
            cross_zone: true,
        }
    }
}

// ---------------------------------------------------------------------------
// api_gateway

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiType {
    #[default]
    Http,
    Rest,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiGatewaySpec {
    pub api_type: ApiType,
    /// Account-level steady-state throttle per region (AWS default 10,000 rps).
    pub throttle_rps: f64,
    pub latency_ms: f64,
}

impl Default for ApiGatewaySpec {
    fn default() -> Self {
        Self {
            api_type: ApiType::Http,
            throttle_rps: 10_000.0,
            latency_ms: 10.0,
        }
    }
}

// ---------------------------------------------------------------------------
// service

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// EC2 instances in an autoscaling group.
    #[default]
    Ec2,
    /// ECS tasks on an EC2 capacity provider (the ASG is the capacity).
    Ecs,
    /// An EKS managed node group (the ASG is the node group).
    Eks,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingPolicy {
    /// Keep average CPU at `target_cpu` (AWS target tracking).
    #[default]
    TargetTracking,
    /// Add/remove instances in steps on CPU alarms.
    Step,
    /// Target tracking plus capacity scheduled ahead of a forecast.
    Predictive,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthCheckType {
    /// Instances replaced when the load balancer's health check fails.
    #[default]
    Elb,
    /// Instances replaced only when EC2 status checks fail.
    Ec2,
}

/// A service running in an autoscaling group. The sizes are per region:
/// a service placed in two regions has an ASG of this size in each (the
/// deployment mode decides how much of it runs in a standby region).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceSpec {
    pub platform: Platform,
    pub instance_type: String,
    pub min: u32,
    pub desired: u32,
    pub max: u32,
    /// Requests per second one instance serves at `target_cpu`.
    pub rps_per_instance: f64,
    /// Target average CPU utilisation (0..1) for target tracking.
    pub target_cpu: f64,
    /// Seconds a new instance needs before it serves traffic.
    pub warmup_secs: u32,
    /// Mean time to serve one request at light load.
    pub latency_ms: f64,
    pub scaling: ScalingPolicy,
    /// CloudWatch metric period the scaling policy reacts to.
    pub metric_period_secs: u32,
    pub health_check: HealthCheckType,
    pub health_check_grace_secs: u32,
    /// Settings for applying this service to an AWS account (image, subnets,
    /// security groups, user data); left out of the document while empty.
    /// Boxed: most services never set it, and it is large.
    #[serde(skip_serializing_if = "ServiceAws::is_empty_box")]
    pub aws: Box<ServiceAws>,
}

impl Default for ServiceSpec {
    fn default() -> Self {
        Self {
            platform: Platform::Ec2,
            instance_type: "m6i.large".to_owned(),
            min: 2,
            desired: 3,
            max: 6,
            rps_per_instance: 200.0,
            target_cpu: 0.7,
            warmup_secs: 300,
            latency_ms: 40.0,
            scaling: ScalingPolicy::TargetTracking,
            metric_period_secs: 60,
            health_check: HealthCheckType::Elb,
            health_check_grace_secs: 300,
            aws: Box::default(),
        }
    }
}

// ---------------------------------------------------------------------------
// cache

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheEngine {
    #[default]
    Redis,
    Valkey,
    Memcached,
}

/// ElastiCache. Callers' reads to a data store they also reach through this
/// cache are filtered by `hit_ratio` (cache-aside).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSpec {
    pub engine: CacheEngine,
    pub node_type: String,
    /// Shards (node groups); 1 means cluster mode disabled.
    pub shards: u32,
    /// Replicas per shard (0..=5).
    pub replicas: u32,
    /// Share of reads answered by the cache.
    pub hit_ratio: f64,
    /// Operations per second one node serves.
    pub ops_per_node: f64,
    pub latency_ms: f64,
}

impl Default for CacheSpec {
    fn default() -> Self {
        Self {
            engine: CacheEngine::Redis,
            node_type: "cache.r6g.large".to_owned(),
            shards: 1,
            replicas: 1,
            hit_ratio: 0.8,
            ops_per_node: 100_000.0,
            latency_ms: 1.0,
        }
    }
}

// ---------------------------------------------------------------------------
// queue

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueEngine {
    #[default]
    Sqs,
    /// Kafka on Amazon MSK.
    Kafka,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSpec {
    pub engine: QueueEngine,
    /// SQS FIFO queue (ordered, exactly-once processing).
    pub fifo: bool,
    /// Receives before a message moves to the dead-letter queue (SQS).
    pub max_receive_count: u32,
    /// Kafka partitions per topic.
    pub partitions: u32,
    /// Kafka brokers (a multiple of the AZs they span).
    pub brokers: u32,
    pub broker_type: String,
    /// EBS storage per broker.
    pub storage_gb: f64,
    pub retention_hours: u32,
}

impl Default for QueueSpec {
    fn default() -> Self {
        Self {
            engine: QueueEngine::Sqs,
            fifo: false,
            max_receive_count: 5,
            partitions: 12,
            brokers: 3,
            broker_type: "kafka.m5.large".to_owned(),
            storage_gb: 100.0,
            retention_hours: 96,
        }
    }
}

// ---------------------------------------------------------------------------
// database

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatabaseEngine {
    #[default]
    AuroraPostgresql,
    AuroraMysql,
    Postgres,
    Mysql,
}

impl DatabaseEngine {
    pub fn is_aurora(self) -> bool {
        matches!(self, Self::AuroraPostgresql | Self::AuroraMysql)
    }
}

/// Aurora Serverless v2 capacity range, in Aurora capacity units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerlessCapacity {
    pub min_acu: f64,
    pub max_acu: f64,
}

/// A relational database: per shard, one writer plus read replicas in the
/// writer's region, and cross-region replicas in its other regions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSpec {
    pub engine: DatabaseEngine,
    /// `db.serverless` with `serverless` set for Aurora Serverless v2.
    pub instance_class: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serverless: Option<ServerlessCapacity>,
    /// The region holding the writer; defaults to the first region placed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer: Option<String>,
    /// RDS (non-Aurora) Multi-AZ standby for the writer.
    pub multi_az: bool,
    /// Read replicas per shard in the writer's region (promotable on failure).
    pub replicas: u32,
    /// Replicas per shard in each other region the database is placed in.
    pub cross_region_replicas: u32,
    /// Aurora global database across the placed regions (storage-level
    /// replication, managed cross-region failover).
    pub global: bool,
    /// Physical shards: separate clusters, each with a writer.
    pub shards: u32,
    /// Logical shards mapped onto the physical ones (keyspace partitions).
    pub logical_shards: u32,
    pub storage_gb: f64,
    /// Queries per second one instance serves.
    pub rps_per_instance: f64,
    pub latency_ms: f64,
}

impl Default for DatabaseSpec {
    fn default() -> Self {
        Self {
            engine: DatabaseEngine::AuroraPostgresql,
            instance_class: "db.r6g.large".to_owned(),
            serverless: None,
            writer: None,
            multi_az: true,
            replicas: 1,
            cross_region_replicas: 1,
            global: false,
            shards: 1,
            logical_shards: 1,
            storage_gb: 100.0,
            rps_per_instance: 4_000.0,
            latency_ms: 4.0,
        }
    }
}

impl DatabaseSpec {
    /// The region holding the writer: the explicit `writer`, or the first
    /// region of the node's placement.
    pub fn writer_region<'a>(&'a self, placement: &'a Placement) -> Option<&'a str> {
        self.writer
            .as_deref()
            .or_else(|| placement.keys().next().map(String::as_str))
    }
}

// ---------------------------------------------------------------------------
// object_store

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageClass {
    #[default]
    Standard,
    IntelligentTiering,
    StandardIa,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObjectStoreSpec {
    pub storage_gb: f64,
    pub storage_class: StorageClass,
    pub versioning: bool,
}

impl Default for ObjectStoreSpec {
    fn default() -> Self {
        Self {
            storage_gb: 500.0,
            storage_class: StorageClass::Standard,
            versioning: true,
        }
    }
}

// ---------------------------------------------------------------------------
// external

/// A third-party dependency (payments, email, identity provider) with its own SLA.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExternalSpec {
    /// Who runs it, for the reader (Stripe, SendGrid).
    pub provider: String,
    /// The provider's published availability.
    pub sla: f64,
    pub latency_ms: f64,
    /// A rate limit the provider imposes, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_rps: Option<f64>,
}

impl Default for ExternalSpec {
    fn default() -> Self {
        Self {
            provider: String::new(),
            sla: 0.999,
            latency_ms: 150.0,
            rate_limit_rps: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in NodeKind::ALL {
            assert_eq!(NodeKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(NodeSpec::default_for(kind).kind(), kind);
        }
    }

    #[test]
    fn database_writer_defaults_to_first_region() {
        let node = Node::new("db", NodeKind::Database)
            .placed("eu-west-1", &["eu-west-1a"])
            .placed("us-east-1", &["us-east-1a"]);
        let NodeSpec::Database(spec) = &node.spec else {
            unreachable!()
        };
        assert_eq!(spec.writer_region(&node.placement), Some("eu-west-1"));
    }
}
