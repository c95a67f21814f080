//! One scenario, run through every phase of recovery and explained: served
//! traffic per entry point, each node's state with a reason a person can
//! read, p95 latency, and the recovery timeline.

use serde::Serialize;

use super::compact::Compact;
use super::engine::{DownCause, Engine, Phase};
use super::scenario::{Failure, Scenario, ScenarioError};
use crate::model::{NodeKind, Topology};

/// How a node fares, worst last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    Ok,
    Degraded,
    Saturated,
    Down,
}

impl NodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Degraded => "degraded",
            Self::Saturated => "saturated",
            Self::Down => "down",
        }
    }
}

/// A node in one region (or its one global copy).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionResult {
    pub region: String,
    pub state: NodeState,
    pub reason: String,
    /// Share of the requests offered to it that complete (admitted, and
    /// every hard call answered).
    pub served: f64,
    pub offered_rps: f64,
    /// `null` in JSON when the kind scales on its own.
    pub capacity_rps: Option<f64>,
    pub p95_ms: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeResult {
    pub id: String,
    pub name: String,
    pub state: NodeState,
    /// Why, for every region that is not ok.
    pub reason: String,
    pub regions: Vec<RegionResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryResult {
    pub node: String,
    pub served: f64,
    pub p95_ms: f64,
}

/// Served traffic from a moment of the recovery on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhasePoint {
    pub phase: Phase,
    pub at_secs: f64,
    pub served: f64,
}

/// A scenario's result. Node states, entry points and latency are those
/// after failover and before autoscaling: where the system settles on its
/// own in the first minutes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    pub scenario: String,
    pub failures: Vec<Failure>,
    /// Served with nothing failed.
    pub baseline: f64,
    /// Served after failover, before autoscaling.
    pub served: f64,
    /// Served once autoscaling has replaced what it can.
    pub recovered: f64,
    /// The lowest served share at any moment.
    pub worst: f64,
    pub entries: Vec<EntryResult>,
    pub nodes: Vec<NodeResult>,
    /// Served share over time: a step function starting at the failure.
    pub timeline: Vec<PhasePoint>,
    /// Seconds until served traffic is back to the baseline; `None` when it
    /// never is (the failure costs traffic until someone repairs it).
    pub recovery_secs: Option<f64>,
}

/// Simulates `scenario` on a topology (builds the compact graph).
pub fn simulate(topology: &Topology, scenario: &Scenario) -> Result<Outcome, ScenarioError> {
    let c = Compact::build(topology);
    let mut e = Engine::new(&c);
    simulate_with(&c, &mut e, scenario)
}

const EPS: f64 = 1e-9;

/// Simulates `scenario` reusing a compact graph and its engine.
pub fn simulate_with(
    c: &Compact,
    e: &mut Engine,
    scenario: &Scenario,
) -> Result<Outcome, ScenarioError> {
    e.reset();
    let baseline = e.run(c, Phase::Impact, false);
    scenario.apply(c, e)?;
    let mut timeline = Vec::new();
    let impact = e.run(c, Phase::Impact, false);
    timeline.push(PhasePoint {
        phase: Phase::Impact,
        at_secs: 0.0,
        served: impact,
    });
    let detected = e.run(c, Phase::Detected, false);
    let mut at = c.detection_secs;
    if !scenario.is_empty() {
        timeline.push(PhasePoint {
            phase: Phase::Detected,
            at_secs: at,
            served: detected,
        });
    }
    let served = e.run(c, Phase::FailedOver, true);
    let failed_over = c
        .targets
        .iter()
        .zip(&e.share)
        .any(|(t, s)| t.tier > 0 && *s > 0.0);
    if failed_over {
        at += c.failover_secs;
        timeline.push(PhasePoint {
            phase: Phase::FailedOver,
            at_secs: at,
            served,
        });
    }
    let entries = c
        .entries
        .iter()
        .zip(e.served_by_entry(c))
        .enumerate()
        .map(|(i, (node, s))| EntryResult {
            node: node.clone(),
            served: s,
            p95_ms: entry_latency(c, e, i),
        })
        .collect();
    let nodes = node_results(c, e);
    let capacity_before = e.capacity.clone();
    let recovered = e.run(c, Phase::Recovered, false);
    let warmup = c
        .units
        .iter()
        .zip(capacity_before.iter().zip(&e.capacity))
        .filter(|(_, (before, after))| **after > **before + EPS)
        .filter_map(|(u, _)| u.scaling.map(|s| s.warmup_secs))
        .fold(0.0, f64::max);
    if warmup > 0.0 && (recovered - served).abs() > EPS {
        timeline.push(PhasePoint {
            phase: Phase::Recovered,
            at_secs: at + warmup,
            served: recovered,
        });
    }
    let worst = timeline
        .iter()
        .map(|p| p.served)
        .fold(f64::INFINITY, f64::min);
    let last = timeline.last().map_or(baseline, |p| p.served);
    let recovery_secs = if last + EPS >= baseline {
        let from = timeline
            .iter()
            .rposition(|p| p.served + EPS < last)
            .map_or(0, |i| i + 1);
        Some(timeline.get(from).map_or(0.0, |p| p.at_secs))
    } else {
        None
    };
    Ok(Outcome {
        scenario: scenario.label(),
        failures: scenario.failures.clone(),
        baseline,
        served,
        recovered,
        worst: worst.min(last),
        entries,
        nodes,
        timeline,
        recovery_secs,
    })
}

/// p95 of an entry point: the traffic-weighted latency of its units.
fn entry_latency(c: &Compact, e: &Engine, entry: usize) -> f64 {
    let mut sum = 0.0;
    let mut weight = 0.0;
    for a in c.arrivals.iter().filter(|a| a.entry == entry) {
        let w = a.rates.total() * e.success[a.unit as usize];
        sum += w * e.latency[a.unit as usize];
        weight += w;
    }
    if weight > 0.0 { sum / weight } else { 0.0 }
}

fn node_results(c: &Compact, e: &Engine) -> Vec<NodeResult> {
    let mut out = Vec::new();
    for node in c.deployed_nodes() {
        let regions: Vec<RegionResult> = c
            .units_of(node)
            .map(|u| {
                let (state, reason) = unit_state(c, e, u as usize);
                let unit = &c.units[u as usize];
                let cap = e.capacity[u as usize];
                RegionResult {
                    region: c.slot_name(unit.slot).to_owned(),
                    state,
                    reason,
                    served: e.success[u as usize],
                    offered_rps: e.offered[u as usize].total(),
                    capacity_rps: cap.is_finite().then_some(cap),
                    p95_ms: e.latency[u as usize],
                }
            })
            .collect();
        let state = regions
            .iter()
            .map(|r| r.state)
            .max()
            .unwrap_or(NodeState::Ok);
        let several = regions.len() > 1;
        let reason = regions
            .iter()
            .filter(|r| r.state != NodeState::Ok)
            .map(|r| {
                if several {
                    format!("{} in {}: {}", r.state.as_str(), r.region, r.reason)
                } else {
                    format!("{}: {}", r.state.as_str(), r.reason)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        out.push(NodeResult {
            id: c.node_id(node).to_owned(),
            name: c.node_name(node).to_owned(),
            state,
            reason,
            regions,
        });
    }
    out
}

/// Whole requests per second, grouped: `12,500`.
fn rps(v: f64) -> String {
    let s = crate::cost::format_usd(v.round());
    s.trim_start_matches('$').trim_end_matches(".00").to_owned()
}

/// A share of traffic as the reports print it, with more digits just
/// under 100% (where the nines are): `66.7%`, `99.950%`, `100.0%`.
pub fn share_percent(v: f64) -> String {
    let p = v * 100.0;
    if p > 99.0 && p < 100.0 {
        format!("{p:.3}%")
    } else {
        format!("{p:.1}%")
    }
}

fn percent(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn unit_state(c: &Compact, e: &Engine, u: usize) -> (NodeState, String) {
    let unit = &c.units[u];
    let region = c.slot_name(unit.slot);
    if let Some(cause) = e.down[u] {
        let reason = match cause {
            DownCause::Failed => "failed".to_owned(),
            DownCause::Region => format!("region {region} failed"),
            DownCause::Azs => {
                if unit.single_az != 0 && unit.az_mask & !unit.single_az != 0 {
                    "its AZ failed and it has no standby or replica in another".to_owned()
                } else {
                    "every AZ it runs in failed".to_owned()
                }
            }
            DownCause::Dependency(ci) => {
                let call = &c.calls[ci as usize];
                let mut regions: Vec<&str> = Vec::new();
                for p in call.parts.clone() {
                    for t in c.parts[p as usize].targets.clone() {
                        let slot = c.units[c.targets[t as usize].unit as usize].slot;
                        let name = c.slot_name(slot);
                        if !regions.contains(&name) {
                            regions.push(name);
                        }
                    }
                }
                let what = if is_database(c, call.callee) {
                    "replica"
                } else {
                    "copy"
                };
                let callee = c.node_name(call.callee);
                if regions.is_empty() {
                    format!("hard dependency {callee} is not deployed")
                } else {
                    format!(
                        "hard dependency {callee} has no healthy {what} in {}",
                        regions.join(" or ")
                    )
                }
            }
            DownCause::Cut(ci) => format!(
                "the connection to its hard dependency {} failed",
                c.node_name(c.calls[ci as usize].callee)
            ),
        };
        return (NodeState::Down, reason);
    }
    let offered = e.offered[u].total();
    let cap = e.capacity[u];
    let damage = e.damage[u];
    let mut reasons = Vec::new();
    if damage.capacity < 1.0 - EPS {
        reasons.push(format!(
            "{} of its instances left",
            percent(damage.capacity)
        ));
    }
    if offered > cap + EPS {
        let mut text = format!(
            "{} rps offered, capacity {} rps: sheds {}",
            rps(offered),
            rps(cap),
            percent(1.0 - e.admitted[u])
        );
        if !reasons.is_empty() {
            text = format!("{text} ({})", reasons.join(", "));
        }
        return (NodeState::Saturated, text);
    }
    if cap.is_finite() && cap > 0.0 {
        let utilisation = offered / cap;
        if utilisation > unit.target_utilisation + 0.05 {
            reasons.push(format!(
                "running at {} of capacity (target {})",
                percent(utilisation),
                percent(unit.target_utilisation)
            ));
        }
    }
    for ci in c.calls_of(u as u32) {
        let call = &c.calls[ci];
        let mut lost = 0.0;
        for p in call.parts.clone() {
            let k = e.part_k[p as usize];
            let ok: f64 = c.parts[p as usize]
                .targets
                .clone()
                .map(|t| e.share[t as usize] * e.success[c.targets[t as usize].unit as usize])
                .sum();
            lost += k * (1.0 - ok);
        }
        if lost <= 1e-6
            || !matches!(
                call.kind,
                crate::model::EdgeKind::Call | crate::model::EdgeKind::Publish
            )
        {
            continue;
        }
        let callee = c.node_name(call.callee);
        if call.is_critical() {
            reasons.push(format!(
                "{} of its requests fail at {callee}",
                percent(lost.min(1.0))
            ));
        } else if lost >= 1.0 - 1e-6 {
            reasons.push(format!("soft dependency {callee} is unavailable"));
        } else {
            reasons.push(format!(
                "soft dependency {callee} fails {} of its calls",
                percent(lost.min(1.0))
            ));
        }
    }
    if reasons.is_empty() {
        (NodeState::Ok, String::new())
    } else {
        (NodeState::Degraded, reasons.join("; "))
    }
}

fn is_database(c: &Compact, node: petgraph::stable_graph::NodeIndex) -> bool {
    c.units_of(node)
        .next()
        .is_some_and(|u| c.units[u as usize].kind == NodeKind::Database)
}
