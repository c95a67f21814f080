//! What a topology costs a month, per element, per region and in total, and
//! the same topology priced under every deployment mode side by side.
//!
//! - [`catalog`]: the embedded AWS price catalog (parsed once, indexed).
//! - [`model`]: one estimate, itemised like Infracost.
//! - [`sizing`]: what runs where under each variant; autoscaling groups hour by hour.
//! - [`transfer`]: data transfer and who pays for it.
//! - [`compare`]: single vs active-passive vs active-active.
//! - [`diff`]: what changed between two estimates.
//!
//! Every usage figure comes from [`crate::load`], the traffic flow the
//! simulation shares. No price is ever a silent zero: an item without a
//! price in the catalog or the document's overrides is an error naming the
//! element, the item and the region.

pub mod catalog;
pub mod compare;
pub mod diff;
pub mod lines;
pub mod model;
pub mod price;
pub mod sizing;
pub mod transfer;

pub use catalog::{Catalog, CatalogError, Service};
pub use compare::{Comparison, ModeAssessor, ModeRow, NoAssessment, Recovery, compare};
pub use diff::{CostDiff, diff};
pub use lines::LineItem;
pub use model::{Category, CostError, Estimate, Item, Scope, What};
pub use sizing::Variant;

use crate::load::Load;
use crate::model::Topology;

/// Costs a document under its own deployment mode with the embedded catalog.
pub fn estimate(topology: &Topology) -> Result<Estimate, CostError> {
    let catalog = Catalog::embedded().map_err(|error| CostError {
        place: "price catalog".to_owned(),
        error,
    })?;
    estimate_variant(topology, catalog, Variant::of(&topology.meta().deployment))
}

/// Costs a document as if it were deployed as `variant`.
pub fn estimate_variant(
    topology: &Topology,
    catalog: &Catalog,
    variant: Variant,
) -> Result<Estimate, CostError> {
    let load = Load::compute_for_mode(topology, variant.mode());
    model::estimate(topology, catalog, variant, &load)
}

/// `1234.5` → `$1,234.50`; negative amounts as `-$1,234.50`.
pub fn format_usd(usd: f64) -> String {
    let cents = (usd.abs() * 100.0).round();
    let whole = (cents / 100.0).trunc();
    let frac = cents - whole * 100.0;
    let digits = format!("{whole:.0}");
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if usd < 0.0 && cents > 0.0 { "-" } else { "" };
    format!("{sign}${grouped}.{frac:02.0}")
}

#[cfg(test)]
mod tests {
    use super::format_usd;

    #[test]
    fn usd_is_grouped_and_rounded_to_cents() {
        assert_eq!(format_usd(0.0), "$0.00");
        assert_eq!(format_usd(1234.567), "$1,234.57");
        assert_eq!(format_usd(-1_000_000.004), "-$1,000,000.00");
        assert_eq!(format_usd(999.995), "$1,000.00");
        assert_eq!(format_usd(-0.001), "$0.00");
    }
}
