//! Starter topologies, embedded from the repository's `templates/` directory.

use crate::diagnostic::Diagnostic;
use crate::model::{Topology, json};

/// A starter topology shipped inside the binary.
#[derive(Clone, Copy, Debug)]
pub struct Template {
    /// The file stem, e.g. `three-tier`: what `topoplan new --template` takes.
    pub name: &'static str,
    /// The document's JSON text.
    pub json: &'static str,
}

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        /// Every template, the default first.
        pub const TEMPLATES: &[Template] = &[
            $(Template {
                name: $name,
                json: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../templates/", $name, ".json")),
            },)*
        ];
    };
}

templates!(
    "three-tier",
    "active-active",
    "sharded-cache",
    "event-pipeline",
    "static-site-api",
    "marketplace",
);

/// The template the app shows on first start.
pub const DEFAULT: &str = "three-tier";

pub fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

impl Template {
    /// Parses the embedded document.
    pub fn load(&self) -> Result<Topology, Vec<Diagnostic>> {
        json::from_str(self.json)
    }

    /// The document's description, for galleries and `topoplan templates`.
    pub fn description(&self) -> String {
        self.load()
            .ok()
            .and_then(|t| t.meta().description.clone())
            .unwrap_or_default()
    }
}
