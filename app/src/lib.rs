//! The topoplan desktop app and command line.
//!
//! Thin binary, fat library (as egui's demo app does): `main.rs` only calls
//! [`cli::main`], so tests drive the real app and CLI through this crate.

pub mod app;
pub mod canvas;
pub mod cli;
pub mod layout;
pub mod style;

pub use app::TopoplanApp;
