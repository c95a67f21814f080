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
//!
//! The whole flow, as a front end drives it (the desktop app runs this on a
//! tokio runtime off the UI thread and feeds the events to its progress view):
//!
//! ```no_run
//! use std::sync::Arc;
//! use topoplan_exports::aws::{self, ApplyOptions, Cancel, ClientOptions, Clients, DesiredOptions, PlanOptions, RetryPolicy};
//!
//! # async fn run(topology: &topoplan_core::Topology) -> Result<(), Box<dyn std::error::Error>> {
//! let desired = aws::desired(topology, &DesiredOptions::default()).map_err(aws::problem::Problems)?;
//! let clients = Clients::connect(&ClientOptions::default(), desired.regions.first().map(String::as_str)).await?;
//! let progress: aws::Progress = Arc::new(|event: &aws::Event| println!("{event:?}"));
//! let observed = aws::account::read(&clients, &desired, &RetryPolicy::default(), &progress).await?;
//! let plan = aws::plan(&desired, &observed, PlanOptions::default()).map_err(aws::problem::Problems)?;
//! print!("{}", aws::report::plan_text(&plan));
//! // … after the user confirmed:
//! let cancel = Cancel::new(); // `cancel.stop()` from the UI: finish in-flight calls, start no more
//! let report = aws::apply(&clients, &plan, &ApplyOptions::default(), &progress, &cancel).await?;
//! print!("{}", aws::report::apply_text(&report));
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "sdk")]
pub mod account;
#[cfg(feature = "sdk")]
pub mod apply;
#[cfg(feature = "sdk")]
pub mod client;
pub mod desired;
#[cfg(feature = "sdk")]
pub mod error;
pub mod observed;
pub mod ownership;
pub mod plan;
pub mod problem;
#[cfg(feature = "sdk")]
pub mod progress;
#[cfg(feature = "sdk")]
pub mod report;
#[cfg(feature = "sdk")]
pub mod retry;
pub mod saved;

#[cfg(feature = "sdk")]
pub use apply::{ApplyError, ApplyOptions, ApplyReport, OpReport, OpStatus, apply, operations};
#[cfg(feature = "sdk")]
pub use client::{CallCounts, ClientOptions, Clients};
pub use desired::{Desired, DesiredOptions, desired};
#[cfg(feature = "sdk")]
pub use error::{ApiError, ErrorKind};
pub use observed::Observed;
pub use plan::{Action, Change, Op, Plan, PlanOptions, plan};
pub use problem::Problem;
#[cfg(feature = "sdk")]
pub use progress::{Cancel, Event, Progress};
#[cfg(feature = "sdk")]
pub use retry::RetryPolicy;
pub use saved::SavedPlan;
