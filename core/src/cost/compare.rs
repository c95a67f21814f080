//! The same topology priced under every deployment mode, side by side:
//! single region, active-passive with a pilot light or a warm standby, and
//! active-active. Each row also has the availability and the recovery time
//! of that mode when the caller can provide them (the simulation engine
//! does, through [`ModeAssessor`]); without one they are `None`, never guessed.

use serde::Serialize;

use super::catalog::Catalog;
use super::model::{self, Category, CostError, Estimate};
use super::sizing::Variant;
use crate::load::Load;
use crate::model::{DeploymentMode, Topology};

/// Supplies what the cost engine cannot compute: a mode's availability and
/// recovery time. Implemented by the simulation engine
/// (`availability::modes::Simulated`).
pub trait ModeAssessor {
    /// Availability (0..1) of the topology deployed as `variant`, if known.
    fn availability(&self, topology: &Topology, variant: Variant) -> Option<f64>;
    /// How `variant` recovers from losing the primary region, if known.
    fn recovery(&self, topology: &Topology, variant: Variant) -> Option<Recovery>;
}

/// How a deployment mode comes back from losing its primary region.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recovery {
    /// Back to full service after `secs` (the recovery time objective it can meet).
    Full { secs: f64 },
    /// Never back on its own: serves this share of its traffic until the
    /// region returns (0 for a single region).
    Partial { served: f64 },
}

impl Recovery {
    /// "300 s", "never (0% served)".
    pub fn describe(self) -> String {
        match self {
            Self::Full { secs } => format!("{secs:.0} s"),
            Self::Partial { served } => format!("never ({:.0}% served)", served * 100.0),
        }
    }
}

/// No assessment: both columns stay empty.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoAssessment;

impl ModeAssessor for NoAssessment {
    fn availability(&self, _: &Topology, _: Variant) -> Option<f64> {
        None
    }
    fn recovery(&self, _: &Topology, _: Variant) -> Option<Recovery> {
        None
    }
}

/// One deployment mode's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModeRow {
    pub variant: Variant,
    pub label: &'static str,
    /// The document's own mode.
    pub current: bool,
    /// After the document's discount.
    pub monthly_usd: f64,
    pub premium_usd: f64,
    /// Premium over single region, in percent.
    pub premium_percent: f64,
    /// After the discount, by category (see [`Category::ALL`]).
    pub by_category: Vec<(Category, f64)>,
    /// After the discount, by region (document order, then global).
    pub by_region: Vec<(String, f64)>,
    pub availability: Option<f64>,
    /// After losing the primary region.
    pub recovery: Option<Recovery>,
    /// The first ten, then how many more.
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub estimate: Estimate,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub rows: Vec<ModeRow>,
    /// Modes that do not apply, and why.
    pub skipped: Vec<(Variant, String)>,
    /// Where "active-active roughly doubles spend" holds here and where not.
    pub findings: Vec<String>,
}

/// Prices `t` under every variant.
pub fn compare(
    t: &Topology,
    catalog: &Catalog,
    assessor: &dyn ModeAssessor,
) -> Result<Comparison, CostError> {
    let regions = t.meta().regions.len();
    let current = Variant::of(&t.meta().deployment);
    // Single region and active-passive serve from the primary alike: one
    // load and one prepared transfer for the three of them.
    let order = crate::load::dependency_order(t);
    let single_load = Load::compute_ordered(t, DeploymentMode::Single, &order);
    let single = model::prepare(t, catalog, &single_load)?;
    let aa_load =
        (regions >= 2).then(|| Load::compute_ordered(t, DeploymentMode::ActiveActive, &order));
    let aa = aa_load
        .as_ref()
        .map(|load| model::prepare(t, catalog, load))
        .transpose()?;
    // Active-passive reuses the single-region run's active-region items.
    let single_run = model::run(&single, Variant::Single, None)?;
    let mut rows: Vec<ModeRow> = Vec::new();
    let mut skipped = Vec::new();
    for variant in Variant::ALL {
        if variant.is_multi_region() && regions < 2 {
            skipped.push((
                variant,
                format!("needs a second region; the document lists {regions}"),
            ));
            continue;
        }
        let estimate = match (&aa, variant) {
            (Some(aa), Variant::ActiveActive) => model::estimate_prepared(aa, variant)?,
            (_, Variant::Single) => model::finish(&single, single_run.clone()),
            _ => model::finish(&single, model::run(&single, variant, Some(&single_run))?),
        };
        let monthly_usd = estimate.monthly_usd();
        let cats = estimate.by_category();
        let slots = estimate.by_slot();
        rows.push(ModeRow {
            variant,
            label: variant.label(),
            current: variant == current,
            monthly_usd,
            premium_usd: 0.0,
            premium_percent: 0.0,
            by_category: Category::ALL.iter().copied().zip(cats).collect(),
            by_region: slots
                .iter()
                .enumerate()
                .map(|(s, v)| (estimate.slot_name(s).to_owned(), *v))
                .collect(),
            availability: assessor.availability(t, variant),
            recovery: assessor.recovery(t, variant),
            warnings: estimate.warning_texts(t, Some(10)),
            estimate,
        });
    }
    let base = rows
        .iter()
        .find(|r| r.variant == Variant::Single)
        .map_or(0.0, |r| r.monthly_usd);
    for row in &mut rows {
        row.premium_usd = row.monthly_usd - base;
        row.premium_percent = if base > 0.0 {
            100.0 * row.premium_usd / base
        } else {
            0.0
        };
    }
    let findings = findings(t, &rows);
    Ok(Comparison {
        rows,
        skipped,
        findings,
    })
}

fn usd(v: f64) -> String {
    super::format_usd(v)
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b > 1e-9).then(|| a / b)
}

/// Explains the active-active premium category by category.
fn findings(topology: &Topology, rows: &[ModeRow]) -> Vec<String> {
    let find = |v| rows.iter().find(|r| r.variant == v);
    let (Some(single), Some(aa)) = (find(Variant::Single), find(Variant::ActiveActive)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let active_regions = topology.meta().regions.len();
    let n = active_regions as f64;
    let total = ratio(aa.monthly_usd, single.monthly_usd).unwrap_or(0.0);
    out.push(format!(
        "active-active over {active_regions} regions costs {total:.2}× single region ({} vs {} a month)",
        usd(aa.monthly_usd),
        usd(single.monthly_usd)
    ));
    let cat = |row: &ModeRow, c: Category| {
        row.by_category
            .iter()
            .find(|(k, _)| *k == c)
            .map_or(0.0, |(_, v)| *v)
    };
    for c in Category::ALL {
        let (s, a) = (cat(single, c), cat(aa, c));
        if s <= 0.0 && a <= 0.0 {
            continue;
        }
        let share = if single.monthly_usd > 0.0 {
            100.0 * s / single.monthly_usd
        } else {
            0.0
        };
        let times = ratio(a, s).map_or_else(|| "new".to_owned(), |r| format!("{r:.2}×"));
        let why = match c {
            Category::Compute => {
                let k = topology
                    .meta()
                    .primary_region()
                    .map_or(1, |r| r.azs.len())
                    .max(1) as f64;
                let az = if k >= 2.0 { k / (k - 1.0) } else { 1.0 };
                let region = n / (n - 1.0).max(1.0);
                format!(
                    "single region already holds N+1 per AZ ({k:.0} AZs: {az:.2}× the load); active-active sizes each of the {active_regions} regions for its load after losing another region (N/(N−1) = {region:.2}× its share), which also covers losing an AZ, so compute grows by about {:.2}×, not {region:.0}× (minimum group sizes and whole instances move it)",
                    (region / az).max(1.0)
                )
            }
            Category::Data => "the other regions hold what the design puts there: cross-region replicas, global-database secondaries, replicated buckets, their own caches and queues; it does not scale with traffic".to_owned(),
            Category::Network => "load balancers and NAT gateways are per region; their usage follows the traffic, which is split, not doubled".to_owned(),
            Category::Transfer => "replication and calls that cross regions are new; traffic inside each region is split".to_owned(),
            Category::Edge => "DNS and CDN are global: they do not multiply".to_owned(),
        };
        out.push(format!(
            "{}: {} → {} ({times}; {share:.0}% of single-region spend): {why}",
            c.label(),
            usd(s),
            usd(a)
        ));
    }
    let verdict = if (1.8..=2.2).contains(&total) {
        "here the rule of thumb that active-active roughly doubles spend holds".to_owned()
    } else {
        let biggest = Category::ALL
            .into_iter()
            .map(|c| (c, cat(aa, c) - cat(single, c)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let driver = biggest.map_or(String::new(), |(c, d)| {
            format!("; the largest increase is {} (+{})", c.label(), usd(d))
        });
        if total < 1.8 {
            let compute_share = if single.monthly_usd > 0.0 {
                100.0 * cat(single, Category::Compute) / single.monthly_usd
            } else {
                0.0
            };
            format!(
                "here active-active costs less than double{driver}: compute, the part that scales with the regions, is {compute_share:.0}% of single-region spend, and the data tier, network, transfer, DNS and CDN do not double"
            )
        } else {
            format!("here active-active costs more than double{driver}")
        }
    };
    out.push(verdict);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates;

    #[test]
    fn an_assessor_fills_availability_and_rto() {
        struct Fixed;
        impl ModeAssessor for Fixed {
            fn availability(&self, _: &Topology, v: Variant) -> Option<f64> {
                Some(if v == Variant::ActiveActive {
                    0.9999
                } else {
                    0.999
                })
            }
            fn recovery(&self, _: &Topology, v: Variant) -> Option<Recovery> {
                (v != Variant::Single).then_some(Recovery::Full { secs: 300.0 })
            }
        }
        let t = templates::find("active-active").unwrap().load().unwrap();
        let catalog = Catalog::embedded().unwrap();
        let c = compare(&t, catalog, &Fixed).unwrap();
        assert_eq!(c.rows.len(), 4);
        assert_eq!(c.rows[3].availability, Some(0.9999));
        assert_eq!(c.rows[0].recovery, None);
        assert_eq!(c.rows[1].recovery, Some(Recovery::Full { secs: 300.0 }));
        let none = compare(&t, catalog, &NoAssessment).unwrap();
        assert!(
            none.rows
                .iter()
                .all(|r| r.availability.is_none() && r.recovery.is_none())
        );
    }

    /// Active-passive rows reuse the single-region run's items; they must
    /// equal an estimate priced from scratch, item for item.
    #[test]
    fn reused_active_passive_rows_equal_estimates_from_scratch() {
        let catalog = Catalog::embedded().unwrap();
        let mut docs: Vec<Topology> = templates::TEMPLATES
            .iter()
            .map(|t| t.load().unwrap())
            .filter(|t| t.meta().regions.len() > 1)
            .collect();
        docs.push(crate::generate::synthetic(
            &crate::generate::SyntheticSpec::with_nodes(400),
        ));
        // Writes to a bucket placed in two regions: cross-region replication.
        let mut uploads = templates::find("active-active").unwrap().load().unwrap();
        let mut edge = uploads.edge("api", "assets").unwrap().clone();
        edge.requests = crate::model::Requests::All;
        uploads.update_edge("api", "assets", edge).unwrap();
        docs.push(uploads);
        for t in &docs {
            let c = compare(t, catalog, &NoAssessment).unwrap();
            for row in &c.rows {
                let scratch = crate::cost::estimate_variant(t, catalog, row.variant).unwrap();
                let (reused, fresh) = (row.monthly_usd, scratch.monthly_usd());
                assert!(
                    (reused - fresh).abs() <= 1e-9 * fresh.max(1.0),
                    "{} {:?}: {reused} vs {fresh}",
                    t.meta().name,
                    row.variant
                );
                assert_eq!(
                    row.estimate.items.len(),
                    scratch.items.len(),
                    "{:?}",
                    row.variant
                );
                assert_eq!(row.estimate.warnings.len(), scratch.warnings.len());
                let mut x = row.estimate.lines(t);
                let mut y = scratch.lines(t);
                let key = |l: &crate::cost::LineItem| {
                    (l.region.clone(), l.element.clone(), l.item.clone())
                };
                x.sort_by_key(key);
                y.sort_by_key(key);
                for (l, m) in x.iter().zip(&y) {
                    assert_eq!(
                        (&l.element, &l.region, &l.name, &l.price_key),
                        (&m.element, &m.region, &m.name, &m.price_key)
                    );
                    assert!((l.list_usd - m.list_usd).abs() <= 1e-9 * m.list_usd.max(1.0));
                }
            }
        }
    }

    #[test]
    fn a_single_region_document_has_only_the_single_row() {
        let t = templates::find("three-tier").unwrap().load().unwrap();
        let c = compare(&t, Catalog::embedded().unwrap(), &NoAssessment).unwrap();
        assert_eq!(c.rows.len(), 1);
        assert_eq!(c.skipped.len(), 3);
        assert!(c.findings.is_empty());
    }
}
