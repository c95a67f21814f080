//! The topoplan desktop app and command line.
//!
//! Thin binary, fat library (as egui's demo app does): `main.rs` only calls
//! [`cli::main`], so tests drive the real app and CLI through this crate.

pub mod app;
pub mod apply_ui;
pub mod aws_flow;
pub mod canvas;
pub mod cli;
pub mod clipboard;
pub mod connect;
pub mod cost_ui;
pub mod document;
pub mod edits;
pub mod export_ui;
pub mod files;
pub mod form;
pub mod gallery_ui;
pub mod health;
pub mod history;
pub mod icons;
pub mod inspector_ui;
pub mod jobs;
pub mod layout;
pub mod palette_ui;
pub mod placement;
pub mod problems_ui;
pub mod recovery;
pub mod selection;
pub mod shortcuts;
pub mod style;
pub mod whatif_ui;

pub use app::TopoplanApp;
