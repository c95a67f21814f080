//! Failure what-ifs: what a set of failed elements does to the traffic a
//! topology serves, and how it recovers.
//!
//! [`Compact::build`] flattens the document once per version; an
//! [`Engine`] holds the buffers a scenario runs in; [`simulate`] runs one
//! scenario through every [`Phase`] of recovery and explains the result,
//! [`sweep`] runs every single (or paired) failure and ranks them.
//!
//! ## Semantics
//!
//! - A failed AZ takes the capacity its instances held: a node over k AZs
//!   keeps (k − lost) / k of its instances; a node in no healthy AZ is down,
//!   and so is a data store without a standby or replica whose one AZ failed.
//!   Until the failure is detected (`deployment.detection_secs`) load
//!   balancers keep sending that share of the traffic to the failed AZ.
//! - A failed region takes every copy there. After detection, DNS latency
//!   or weighted routing moves its users to the healthy serving regions;
//!   after `failover_secs` more, DNS failover routing moves them to standby
//!   regions, and a database promotes a replica in another region (global
//!   database, or cross-region replicas). `simple` routing, or DNS without
//!   health checks, never fails over.
//! - A node whose hard dependency (a synchronous call or a publish) has no
//!   healthy target is down; a soft dependency failing only degrades it.
//!   Asynchronous consumers and replication never fail the requests that
//!   fed them.
//! - Load is pushed through the graph with the routing of [`crate::load`];
//!   a cache that is down stops answering its share of reads, so they reach
//!   the database. A unit whose offered load exceeds its remaining capacity
//!   (instances × the rate one serves at 100%) is saturated and sheds the
//!   excess; its p95 latency comes from an M/M/c queue of its instances.
//! - Autoscaling groups then launch replacements in the AZs left, up to
//!   `max`, in service after `warmup_secs`.
//!
//! Served fraction: the share of users' requests that complete — admitted
//! everywhere they go, every hard call answered — relative to all users'
//! requests (so a design short of capacity serves under 100% with nothing
//! failed; [`Outcome::baseline`] says how much).

// Units, calls, parts and targets are numbered with `u32` (half the memory
// of `usize` in the hot arrays); a document has far fewer than 2^32 of each
// (documents are capped at 200 MB).
#![allow(clippy::cast_possible_truncation, reason = "u32 indices, see above")]

mod compact;
mod engine;
mod report;
mod scenario;
pub mod sweep;

pub use compact::{
    Arrival, CROSS_REGION_RTT_MS, Call, Carries, Compact, Part, Scaling, Target, Unit,
};
pub use engine::{Damage, DownCause, Engine, Phase};
pub use report::{
    EntryResult, NodeResult, NodeState, Outcome, PhasePoint, RegionResult, share_percent, simulate,
    simulate_with,
};
pub use scenario::{Failure, Scenario, ScenarioError};
pub use sweep::{Element, SpofReport, SweepRow, sweep};

#[cfg(test)]
mod tests;
