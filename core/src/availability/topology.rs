//! The availability of a whole topology: its units, AZs and regions as
//! independent components, combined by the structure of its hard
//! dependencies.
//!
//! - A unit (a node's copy in one region) works when its own component
//!   works, its region works, enough of its AZs work to carry its load
//!   (k of n: k from the instances its peak load needs; a data store without
//!   a standby needs the one AZ it lives in), and every hard dependency has
//!   a working target in some tier (DNS failover and replica promotion are
//!   assumed to succeed; the minutes they take are the simulation's
//!   recovery timeline, not counted here).
//! - The topology's availability is the traffic-weighted probability that
//!   the entry point a request arrives at works.
//!
//! Component figures default to the published SLAs (see [`default_for`]),
//! overridable per node (`availability`) and per region (`availability`,
//! `az_availability`). They are upper bounds from SLAs treated as
//! independent; correlated failures are modelled only through the shared
//! AZ and region components.

use serde::Serialize;

use super::{Estimate, Exact, Figure, GateKind, Input, Structure, monte_carlo};
use crate::model::{NodeSpec, QueueEngine, Topology};
use crate::sim::{Compact, Engine, Phase};

/// An AZ, when the document does not say (AWS publishes no AZ figure; about
/// 9 hours a year).
pub const DEFAULT_AZ: f64 = 0.999;
/// A region as a whole, when the document does not say (EC2's region-level
/// SLA).
pub const DEFAULT_REGION: f64 = 0.9999;
/// Exact evaluation conditions on at most this many shared components
/// (2^16 passes); beyond it, Monte Carlo.
pub const MAX_PIVOTS: u32 = 16;

/// How the figure was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Series-parallel / k-of-n evaluation, conditioning on `pivots` shared components.
    Exact { pivots: u32 },
    /// Seeded bit-parallel Monte Carlo with its 95% interval.
    MonteCarlo {
        trials: u64,
        seed: u64,
        low: f64,
        high: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assessment {
    pub figure: Figure,
    #[serde(flatten)]
    pub method: Method,
    pub components: usize,
    pub gates: usize,
    pub assumptions: Vec<String>,
}

/// Options of the evaluation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Force Monte Carlo even where exact evaluation is possible.
    pub monte_carlo: bool,
    pub trials: u64,
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            monte_carlo: false,
            trials: 1_000_000,
            seed: 1,
        }
    }
}

/// The published SLA a node's copy defaults to (see
/// ../research/availability.md): EC2 across ≥ 2 AZs 99.99% (one instance
/// or AZ 99.5%), ELB 99.99%, API Gateway 99.95%, Route 53 100%, CloudFront
/// and S3 99.9%, RDS Multi-AZ 99.95% (single-AZ 99.5%), Aurora 99.99%,
/// ElastiCache Multi-AZ 99.99% (otherwise 99.9%), SQS and MSK 99.9%, a third
/// party its own SLA.
pub fn default_for(spec: &NodeSpec, azs: usize) -> f64 {
    match spec {
        NodeSpec::Service(_) => {
            if azs >= 2 {
                0.9999
            } else {
                0.995
            }
        }
        NodeSpec::LoadBalancer(_) => 0.9999,
        NodeSpec::ApiGateway(_) => 0.9995,
        NodeSpec::Dns(_) => 1.0,
        NodeSpec::Cdn(_) | NodeSpec::ObjectStore(_) => 0.999,
        NodeSpec::Database(db) => {
            if db.engine.is_aurora() && azs >= 2 {
                0.9999
            } else if db.multi_az && azs >= 2 {
                0.9995
            } else {
                0.995
            }
        }
        NodeSpec::Cache(c) => {
            if c.replicas > 0 && azs >= 2 {
                0.9999
            } else {
                0.999
            }
        }
        NodeSpec::Queue(q) => match q.engine {
            QueueEngine::Sqs | QueueEngine::Kafka => 0.999,
        },
        NodeSpec::External(x) => x.sla,
    }
}

/// The structure of a topology and its outputs (entry units weighted by
/// their share of users' requests).
pub fn structure(t: &Topology, c: &Compact) -> (Structure, Vec<(Input, f64)>) {
    let meta = t.meta();
    let mut s = Structure::new();
    let regions: Vec<Input> = meta
        .regions
        .iter()
        .map(|r| s.component(r.availability.unwrap_or(DEFAULT_REGION)))
        .collect();
    // One component per AZ letter of each region.
    let azs: Vec<[Option<Input>; 32]> = meta
        .regions
        .iter()
        .map(|r| {
            let mut out = [None; 32];
            for az in &r.azs {
                let bit = crate::load::az_bit(az);
                if bit != 0 {
                    out[bit.trailing_zeros() as usize] =
                        Some(s.component(r.az_availability.unwrap_or(DEFAULT_AZ)));
                }
            }
            out
        })
        .collect();
    // Peak load, for the AZs a unit needs.
    let mut engine = Engine::new(c);
    engine.run(c, Phase::FailedOver, false);
    let mut gate = vec![Input::True; c.units.len()];
    let mut inputs = Vec::new();
    for u in (0..c.units.len()).rev() {
        let unit = &c.units[u];
        let node = &t.graph()[unit.node];
        inputs.clear();
        let zones = unit.az_mask.count_ones() as usize;
        let own = node
            .availability
            .unwrap_or_else(|| default_for(&node.spec, zones.max(1)));
        inputs.push(s.component(own));
        if let Some(&region) = regions.get(unit.slot) {
            inputs.push(region);
            let of = |bit: u32| azs[unit.slot][bit.trailing_zeros() as usize];
            if unit.single_az != 0 {
                if let Some(az) = of(unit.single_az) {
                    inputs.push(az);
                }
            } else if unit.az_mask != 0 {
                let list: Vec<Input> = (0..32)
                    .filter(|b| unit.az_mask >> b & 1 == 1)
                    .filter_map(|b| of(1 << b))
                    .collect();
                let k = azs_needed(unit, engine.offered_rps(u), list.len());
                inputs.push(s.gate(GateKind::AtLeast(k), &list));
            }
        }
        for ci in c.calls_of(u32::try_from(u).unwrap_or(u32::MAX)) {
            let call = &c.calls[ci];
            if !call.is_critical() {
                continue;
            }
            let parts: Vec<Input> = call
                .parts
                .clone()
                .map(|p| {
                    let targets: Vec<Input> = c.parts[p as usize]
                        .targets
                        .clone()
                        .map(|ti| gate[c.targets[ti as usize].unit as usize])
                        .collect();
                    s.gate(GateKind::Any, &targets)
                })
                .collect();
            inputs.push(s.gate(GateKind::All, &parts));
        }
        gate[u] = s.gate(GateKind::All, &inputs);
    }
    let total: f64 = c.arrivals.iter().map(|a| a.rates.total()).sum();
    let outputs = c
        .arrivals
        .iter()
        .map(|a| {
            let w = if total > 0.0 {
                a.rates.total() / total
            } else {
                0.0
            };
            (gate[a.unit as usize], w)
        })
        .collect();
    (s, outputs)
}

/// AZs of `n` a unit needs working to carry its peak load.
fn azs_needed(unit: &crate::sim::Unit, offered: f64, n: usize) -> u32 {
    let n = u32::try_from(n).unwrap_or(u32::MAX).max(1);
    if !unit.per_instance_rps.is_finite() || unit.instances <= 0.0 {
        return 1;
    }
    let per_az = unit.instances / f64::from(n) * unit.per_instance_rps;
    if per_az <= 0.0 {
        return n;
    }
    let k = (offered / per_az).ceil().clamp(1.0, f64::from(n));
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to 1..=n"
    )]
    let k = k as u32;
    k
}

/// The availability of a topology: exact where the structure allows, Monte
/// Carlo otherwise.
pub fn assess(t: &Topology, options: Options) -> Assessment {
    let c = Compact::build(t);
    let (s, outputs) = structure(t, &c);
    let exact: Option<Exact> = if options.monte_carlo {
        None
    } else {
        s.exact(&outputs, MAX_PIVOTS)
    };
    let (value, method) = if let Some(e) = exact {
        (e.availability, Method::Exact { pivots: e.pivots })
    } else {
        let e: Estimate = monte_carlo(&s, &outputs, options.trials.max(64), options.seed);
        (
            e.mean,
            Method::MonteCarlo {
                trials: e.trials,
                seed: options.seed,
                low: e.low,
                high: e.high,
            },
        )
    };
    let mut assumptions = vec![
        "component figures are published SLAs treated as independent: an upper bound".to_owned(),
        format!(
            "AZs {} and regions {} unless the document says otherwise",
            pct(DEFAULT_AZ),
            pct(DEFAULT_REGION)
        ),
        "DNS failover and replica promotion succeed; the minutes they take are not counted (see `simulate`)".to_owned(),
    ];
    if t.meta().traffic.entry.is_empty() {
        assumptions.push("no entry points: nothing to serve".to_owned());
    }
    Assessment {
        figure: Figure::new(value),
        method,
        components: s.component_count(),
        gates: s.gate_count(),
        assumptions,
    }
}

fn pct(v: f64) -> String {
    format!("{}%", v * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::json;

    fn doc(text: &str) -> Topology {
        json::from_str(text).unwrap_or_else(|d| panic!("{d:?}"))
    }

    /// availability.md: ALB 99.99% × EC2 (multi-AZ) 99.99% × RDS Multi-AZ 99.95% = 99.930%.
    #[test]
    fn the_whitepaper_three_tier_example_is_exact() {
        let t = doc(r#"{
          "schema": 1, "name": "wp",
          "regions": [{"id": "us-east-1", "azs": ["us-east-1a", "us-east-1b"], "availability": 1.0, "az_availability": 1.0}],
          "traffic": {"entry": ["alb"], "peak_rps": 100},
          "nodes": [
            {"id": "alb", "kind": "load_balancer", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]}},
            {"id": "web", "kind": "service", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]}},
            {"id": "db", "kind": "database", "engine": "postgres", "multi_az": true, "replicas": 0,
             "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]}}
          ],
          "edges": [{"from": "alb", "to": "web", "kind": "call"}, {"from": "web", "to": "db", "kind": "call"}]
        }"#);
        let a = assess(&t, Options::default());
        assert!(matches!(a.method, Method::Exact { .. }), "{a:?}");
        let want = 0.9999 * 0.9999 * 0.9995;
        assert!((a.figure.availability() - want).abs() < 1e-12, "{a:?}");
        assert_eq!(format!("{:.3}", a.figure.percent()), "99.930");
    }

    #[test]
    fn two_regions_in_parallel_and_monte_carlo_agrees_with_exact() {
        let t = crate::templates::find("active-active")
            .unwrap()
            .load()
            .unwrap();
        let exact = assess(&t, Options::default());
        let mc = assess(
            &t,
            Options {
                monte_carlo: true,
                trials: 200_000,
                seed: 7,
            },
        );
        let Method::MonteCarlo { low, high, .. } = mc.method else {
            panic!("{mc:?}")
        };
        if let Method::Exact { .. } = exact.method {
            let v = exact.figure.availability();
            assert!(low <= v && v <= high, "exact {v} outside [{low}, {high}]");
        }
        // Two regions: better than either region alone can be.
        assert!(exact.figure.availability() > DEFAULT_REGION, "{exact:?}");
        assert!(exact.figure.availability() <= 1.0);
    }

    #[test]
    fn every_template_has_an_availability_within_bounds() {
        for template in crate::templates::TEMPLATES {
            let t = template.load().unwrap();
            let a = assess(
                &t,
                Options {
                    trials: 100_000,
                    ..Options::default()
                },
            );
            let v = a.figure.availability();
            assert!((0.0..=1.0).contains(&v), "{}: {a:?}", template.name);
            // Never above the best a request's entry point can be: its own SLA × region.
            assert!(v < 1.0, "{}: {a:?}", template.name);
        }
    }
}
