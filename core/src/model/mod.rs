//! The topology document: what an architect draws, as data.
//!
//! A [`Topology`] is the document-level settings ([`Meta`]: SLO, deployment
//! mode, regions, traffic) plus a `StableGraph` of [`Node`]s and [`Edge`]s
//! keyed by string ids. It is read and written as JSON (`"schema": 1`) by
//! [`json`] and [`io`], and changed through its editing API or as [`Edit`]
//! values (which give undo/redo).

mod aws;
pub mod aws_regions;
mod edge;
mod edit;
pub mod io;
pub mod json;
mod meta;
mod node;
mod topology;

pub use aws::{
    AwsSettings, MAX_USER_DATA_BYTES, RESERVED_TAG_PREFIX, ServiceAws, image_problem, is_aws_id,
    tag_problem,
};
pub use edge::{Dependency, Edge, EdgeKind, EdgeRecord, Requests};
pub use edit::Edit;
pub use meta::{
    Deployment, DeploymentMode, EntryPoint, Meta, Pricing, Region, RegionRole, Slo, Standby,
    Traffic, slug,
};
pub use node::{
    ApiGatewaySpec, ApiType, CacheEngine, CacheSpec, CdnProvider, CdnSpec, DatabaseEngine,
    DatabaseSpec, DnsRouting, DnsSpec, ExternalSpec, HealthCheckType, ListenerProtocol,
    LoadBalancerSpec, LoadBalancerType, Node, NodeKind, NodeSpec, ObjectStoreSpec, Placement,
    Platform, QueueEngine, QueueSpec, ScalingPolicy, ServerlessCapacity, ServiceSpec, StorageClass,
};
pub use topology::{EdgeView, EditError, Graph, MAX_ID_LEN, RemovedNode, Topology, check_id};
