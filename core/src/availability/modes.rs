//! Availability and recovery of each deployment mode, for the cost
//! engine's side-by-side table ([`crate::cost::compare`]).
//!
//! Each mode is the same document with its deployment mode (and standby)
//! switched, assessed the way `topoplan availability` and `topoplan
//! simulate` assess a document: availability from [`assess`], recovery
//! from simulating the loss of the primary region.

use super::topology::{Options, assess};
use crate::cost::{ModeAssessor, Recovery, Variant};
use crate::model::Topology;
use crate::sim::{Failure, Scenario, simulate};

/// The simulation engine as the cost engine's [`ModeAssessor`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Simulated {
    pub options: Options,
}

impl Simulated {
    pub fn new(options: Options) -> Self {
        Self { options }
    }
}

/// `t` deployed as `variant` (the standby share and timings kept).
pub fn as_variant(t: &Topology, variant: Variant) -> Topology {
    let mut t = t.clone();
    let mut meta = t.meta().clone();
    variant.apply_to(&mut meta.deployment);
    t.set_meta(meta);
    t
}

impl ModeAssessor for Simulated {
    fn availability(&self, topology: &Topology, variant: Variant) -> Option<f64> {
        let t = as_variant(topology, variant);
        Some(assess(&t, self.options).figure.availability())
    }

    fn recovery(&self, topology: &Topology, variant: Variant) -> Option<Recovery> {
        let primary = topology.meta().primary_region()?.id.clone();
        let t = as_variant(topology, variant);
        let scenario = Scenario::new(vec![Failure::Region { id: primary }]);
        let outcome = simulate(&t, &scenario).ok()?;
        if outcome.baseline <= 0.0 {
            return None;
        }
        Some(match outcome.recovery_secs {
            Some(secs) => Recovery::Full { secs },
            None => Recovery::Partial {
                served: (outcome.recovered / outcome.baseline).clamp(0.0, 1.0),
            },
        })
    }
}

/// Every applicable mode's figures, computed up front with the modes on
/// parallel threads (each is independent: its own variant of the document),
/// then looked up by [`crate::cost::compare`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assessed {
    rows: Vec<(Variant, Option<f64>, Option<Recovery>)>,
}

impl Assessed {
    /// `t` under every mode it can be deployed in (the multi-region ones
    /// need a second region).
    pub fn new(t: &Topology, options: Options) -> Self {
        let simulated = Simulated::new(options);
        let variants: Vec<Variant> = Variant::ALL
            .into_iter()
            .filter(|v| !v.is_multi_region() || t.meta().regions.len() >= 2)
            .collect();
        let rows = std::thread::scope(|scope| {
            let handles: Vec<_> = variants
                .iter()
                .map(|&v| {
                    scope.spawn(move || (v, simulated.availability(t, v), simulated.recovery(t, v)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        Self { rows }
    }

    fn row(&self, variant: Variant) -> Option<&(Variant, Option<f64>, Option<Recovery>)> {
        self.rows.iter().find(|(v, _, _)| *v == variant)
    }
}

impl ModeAssessor for Assessed {
    fn availability(&self, _: &Topology, variant: Variant) -> Option<f64> {
        self.row(variant)?.1
    }

    fn recovery(&self, _: &Topology, variant: Variant) -> Option<Recovery> {
        self.row(variant)?.2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::{Catalog, compare};
    use crate::templates;

    fn template(name: &str) -> Topology {
        templates::find(name).unwrap().load().unwrap()
    }

    /// The table's columns are the engine's own figures for each mode.
    #[test]
    fn each_row_carries_the_engines_figures_for_that_mode() {
        let t = template("active-active");
        let c = compare(&t, Catalog::embedded().unwrap(), &Simulated::default()).unwrap();
        assert_eq!(c.rows.len(), 4);
        for row in &c.rows {
            let v = as_variant(&t, row.variant);
            assert_eq!(v.meta().deployment.mode, row.variant.mode());
            let want = assess(&v, Options::default()).figure.availability();
            assert_eq!(row.availability, Some(want), "{}", row.label);
            let primary = t.meta().primary_region().unwrap().id.clone();
            let outcome =
                simulate(&v, &Scenario::new(vec![Failure::Region { id: primary }])).unwrap();
            match row.recovery {
                Some(Recovery::Full { secs }) => {
                    assert_eq!(outcome.recovery_secs, Some(secs), "{}", row.label);
                }
                Some(Recovery::Partial { served }) => {
                    assert_eq!(outcome.recovery_secs, None, "{}", row.label);
                    assert!((0.0..1.0).contains(&served), "{}: {served}", row.label);
                }
                None => panic!("{}: no recovery figure", row.label),
            }
        }
    }

    /// What each mode buys: a single region does not survive losing it; a
    /// second region does, sooner the more of it is already running; and
    /// every two-region mode is more available than the single region (the
    /// same figure for the three: failover is assumed to succeed, its
    /// minutes are the recovery column).
    #[test]
    fn modes_order_as_an_architect_expects() {
        let t = template("active-active");
        let s = Simulated::default();
        let rec = |v| s.recovery(&t, v).unwrap();
        let avail = |v| s.availability(&t, v).unwrap();
        assert_eq!(rec(Variant::Single), Recovery::Partial { served: 0.0 });
        let secs = |v| match rec(v) {
            Recovery::Full { secs } => secs,
            Recovery::Partial { served } => panic!("{v:?} recovers only {served}"),
        };
        let deployment = &t.meta().deployment;
        let detection = f64::from(deployment.detection_secs);
        // Active-active serves from the surviving region once detected; its
        // writes wait for the database's promotion.
        assert!(secs(Variant::ActiveActive) >= detection);
        assert!(secs(Variant::ActiveActive) <= detection + f64::from(deployment.failover_secs));
        assert!(secs(Variant::WarmStandby) >= secs(Variant::ActiveActive));
        assert!(secs(Variant::PilotLight) >= secs(Variant::WarmStandby));
        for v in [
            Variant::PilotLight,
            Variant::WarmStandby,
            Variant::ActiveActive,
        ] {
            assert!(avail(v) > avail(Variant::Single), "{v:?}");
        }
    }

    #[test]
    fn computed_up_front_in_parallel_it_gives_the_same_table() {
        for name in ["active-active", "three-tier"] {
            let t = template(name);
            let catalog = Catalog::embedded().unwrap();
            let one_by_one = compare(&t, catalog, &Simulated::default()).unwrap();
            let up_front = compare(&t, catalog, &Assessed::new(&t, Options::default())).unwrap();
            assert_eq!(one_by_one, up_front, "{name}");
        }
    }

    #[test]
    fn a_one_region_document_still_gets_its_single_row() {
        let t = template("three-tier");
        let c = compare(&t, Catalog::embedded().unwrap(), &Simulated::default()).unwrap();
        let single = c
            .rows
            .iter()
            .find(|r| r.variant == Variant::Single)
            .unwrap();
        assert!(single.availability.is_some_and(|a| a > 0.99 && a < 1.0));
    }
}
