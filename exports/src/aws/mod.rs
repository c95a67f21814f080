//! Applying the autoscaling groups of a topology to an AWS account through
//! the AWS SDK: for every `service` node, in each region it is deployed in,
//! a launch template, an autoscaling group and its scaling policies.
//!
//! The flow, and the file for each step:
//! 1. [`desired`]: the document → the desired state (pure).
//! 2. [`account`]: Describe calls → the [`observed`] state (read only).
//! 3. [`plan`]: desired × observed → a [`Plan`] of changes and operations
//!    (pure; never touches what [`ownership`] does not call ours).
//! 4. [`apply`]: executes a plan ([`client`] for connections and the
//!    account guard, [`retry`] for backoff, [`progress`] for events and
//!    cancellation); [`report`] renders plans and reports; [`saved`] keeps
//!    plans in files.
//!
//! Everything else in a topology belongs to the Terraform export.

pub mod account;
pub mod apply;
pub mod client;
pub mod desired;
pub mod error;
pub mod observed;
pub mod ownership;
pub mod plan;
pub mod problem;
pub mod progress;
pub mod report;
pub mod retry;
pub mod saved;

pub use apply::{ApplyError, ApplyOptions, ApplyReport, OpReport, OpStatus, apply};
pub use client::{CallCounts, ClientOptions, Clients};
pub use desired::{Desired, DesiredOptions, desired};
pub use error::{ApiError, ErrorKind};
pub use observed::Observed;
pub use plan::{Action, Change, Op, Plan, PlanOptions, plan};
pub use problem::Problem;
pub use progress::{Cancel, Event, Progress};
pub use retry::RetryPolicy;
pub use saved::SavedPlan;
