//! topoplan's engine room: the topology document and everything computed
//! from it. No GUI, no async runtime, no cloud SDK: plain data in, plain data
//! out, and file I/O only through [`model::io`] (and [`model::autosave`]).

#[cfg(feature = "proptest")]
pub mod arbitrary;
pub mod autoscale;
pub mod availability;
pub mod cost;
pub mod diagnostic;
pub mod generate;
pub mod load;
pub mod model;
pub mod queueing;
pub mod sim;
pub mod templates;
pub mod validate;

pub use diagnostic::{Diagnostic, Element, Report, Severity};
pub use model::Topology;
