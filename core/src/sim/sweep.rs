//! Every single failure (each node, AZ and region) and, on request, every
//! pair, ranked by the traffic they cost; the single points of failure.
//!
//! The compact graph is built once and every scenario reuses it and one
//! engine per thread: a scenario only sets the damage of the units it
//! touches and runs two passes-worth of phases (after failover, and after
//! autoscaling), so a sweep costs a few linear passes per element with no
//! allocation. Scenarios are split over the machine's cores.
//!
//! A **SPOF** is an element whose loss alone leaves served traffic, once
//! failover and autoscaling have done what they can, below the topology's
//! SLO (`slo.availability` read as a share of requests). Pairs report only
//! the *double faults*: pairs below the SLO whose members are not SPOFs on
//! their own.

use petgraph::stable_graph::NodeIndex;
use serde::Serialize;

use super::compact::Compact;
use super::engine::{DownCause, Engine, Phase};
use super::scenario::{Failure, fail_az};
use crate::load::az_bit;
use crate::model::Topology;

/// A failable element.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Element {
    Node(String),
    Az(String),
    Region(String),
}

impl Element {
    pub fn failure(&self) -> Failure {
        match self {
            Self::Node(id) => Failure::Node {
                id: id.clone(),
                region: None,
            },
            Self::Az(id) => Failure::Az { id: id.clone() },
            Self::Region(id) => Failure::Region { id: id.clone() },
        }
    }

    pub fn label(&self) -> String {
        self.failure().to_string()
    }
}

/// One scenario of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepRow {
    pub elements: Vec<Element>,
    /// Served after failover, before autoscaling.
    pub served: f64,
    /// Served once autoscaling has replaced what it can.
    pub recovered: f64,
    /// Baseline − recovered: what the failure costs until repaired.
    pub lost: f64,
    /// Baseline − served: what it costs in the minutes before autoscaling.
    pub lost_until_recovery: f64,
    pub spof: bool,
}

impl SweepRow {
    pub fn label(&self) -> String {
        self.elements
            .iter()
            .map(Element::label)
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpofReport {
    pub baseline: f64,
    /// The SLO as a share of requests.
    pub threshold: f64,
    /// Every single failure, worst first.
    pub singles: Vec<SweepRow>,
    /// Pairs evaluated (0 unless asked for).
    pub pairs_evaluated: u64,
    /// Double faults, worst first.
    pub pairs: Vec<SweepRow>,
}

impl SpofReport {
    pub fn spofs(&self) -> impl Iterator<Item = &SweepRow> {
        self.singles.iter().filter(|r| r.spof)
    }
}

/// The elements of a compact graph: deployed nodes, then AZs, then regions.
pub fn elements(c: &Compact) -> Vec<Element> {
    let mut out: Vec<Element> = c
        .deployed_nodes()
        .map(|n| Element::Node(c.node_id(n).to_owned()))
        .collect();
    out.extend(c.region_azs.iter().flatten().map(|az| Element::Az(az.clone())));
    out.extend(c.regions.iter().map(|r| Element::Region(r.clone())));
    out
}

/// An element resolved to what it damages.
#[derive(Clone, Copy, Debug)]
enum Resolved {
    Node(NodeIndex),
    Az(usize, u32),
    Region(usize),
}

fn resolve(c: &Compact, elements: &[Element]) -> Vec<Resolved> {
    let deployed: Vec<NodeIndex> = c.deployed_nodes().collect();
    let mut nodes = deployed.iter();
    elements
        .iter()
        .map(|e| match e {
            Element::Node(_) => Resolved::Node(*nodes.next().unwrap_or(&NodeIndex::new(0))),
            Element::Az(id) => {
                let slot = c
                    .region_azs
                    .iter()
                    .position(|azs| azs.contains(id))
                    .unwrap_or(0);
                Resolved::Az(slot, az_bit(id))
            }
            Element::Region(id) => {
                Resolved::Region(c.regions.iter().position(|r| r == id).unwrap_or(0))
            }
        })
        .collect()
}

fn damage(c: &Compact, e: &mut Engine, r: Resolved, azs: &mut [u32]) {
    match r {
        Resolved::Node(n) => {
            for u in c.units_of(n) {
                e.damage[u as usize].down = Some(DownCause::Failed);
            }
        }
        Resolved::Az(slot, bit) => azs[slot] |= bit,
        Resolved::Region(slot) => {
            for (u, unit) in c.units.iter().enumerate() {
                if unit.slot == slot && e.damage[u].down.is_none() {
                    e.damage[u].down = Some(DownCause::Region);
                }
            }
        }
    }
}

/// Served after failover and after autoscaling with `set` failed.
fn run(c: &Compact, e: &mut Engine, set: &[Resolved], azs: &mut Vec<u32>) -> (f64, f64) {
    e.reset();
    azs.clear();
    azs.resize(c.regions.len(), 0);
    for &r in set {
        damage(c, e, r, azs);
    }
    for (slot, &bits) in azs.iter().enumerate() {
        if bits != 0 {
            fail_az(c, e, slot, bits);
        }
    }
    let served = e.run(c, Phase::FailedOver, false);
    let recovered = e.run(c, Phase::Recovered, false);
    (served, recovered)
}

/// Runs `f` over `0..n` on every core, each worker with its own engine and
/// every `workers`-th index (so uneven items, like the rows of the pair
/// triangle, spread evenly); results in index order.
fn parallel<T: Send>(
    c: &Compact,
    n: usize,
    f: impl Fn(&mut Engine, &mut Vec<u32>, usize) -> T + Sync,
) -> Vec<T> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 16)
        .min(n.max(1));
    let template = Engine::new(c);
    let mut out: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let mut engine = template.clone();
                let f = &f;
                s.spawn(move || {
                    let mut azs = Vec::new();
                    (w..n)
                        .step_by(workers)
                        .map(|i| (i, f(&mut engine, &mut azs, i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, t)| t).collect()
}

/// Sweeps a topology: every single failure, and every pair when `pairs`.
pub fn sweep(topology: &Topology, pairs: bool) -> SpofReport {
    let c = Compact::build(topology);
    sweep_compact(&c, pairs)
}

/// [`sweep`] on a compact graph built by the caller.
pub fn sweep_compact(c: &Compact, pairs: bool) -> SpofReport {
    let elements = elements(c);
    let resolved = resolve(c, &elements);
    let mut engine = Engine::new(c);
    let mut azs = Vec::new();
    let (_, baseline) = run(c, &mut engine, &[], &mut azs);
    let threshold = c.slo.availability.clamp(0.0, 1.0);
    let below = |v: f64| v + 1e-9 < threshold * baseline.min(1.0).max(threshold);
    let row = |set: Vec<Element>, (served, recovered): (f64, f64)| SweepRow {
        elements: set,
        served,
        recovered,
        lost: (baseline - recovered).max(0.0),
        lost_until_recovery: (baseline - served).max(0.0),
        spof: below(recovered),
    };
    let results = parallel(c, elements.len(), |e, azs, i| run(c, e, &[resolved[i]], azs));
    let mut singles: Vec<SweepRow> = elements
        .iter()
        .zip(results)
        .map(|(el, r)| row(vec![el.clone()], r))
        .collect();
    let mut pair_rows = Vec::new();
    let mut evaluated = 0u64;
    if pairs {
        // Only pairs of elements that are not SPOFs alone can be double faults.
        let candidates: Vec<usize> = (0..elements.len()).filter(|&i| !singles[i].spof).collect();
        let m = candidates.len();
        evaluated = (m * m.saturating_sub(1) / 2) as u64;
        let found = parallel(c, m, |e, azs, a| {
            let mut hits = Vec::new();
            for b in a + 1..m {
                let (i, j) = (candidates[a], candidates[b]);
                let set = [resolved[i], resolved[j]];
                let (served, recovered) = run(c, e, &set, azs);
                if below(recovered) {
                    hits.push((i, j, served, recovered));
                }
            }
            hits
        });
        pair_rows = found
            .into_iter()
            .flatten()
            .map(|(i, j, s, r)| row(vec![elements[i].clone(), elements[j].clone()], (s, r)))
            .collect();
    }
    rank(&mut singles);
    rank(&mut pair_rows);
    SpofReport {
        baseline,
        threshold,
        singles,
        pairs_evaluated: evaluated,
        pairs: pair_rows,
    }
}

fn rank(rows: &mut [SweepRow]) {
    rows.sort_by(|a, b| {
        b.lost
            .total_cmp(&a.lost)
            .then(b.lost_until_recovery.total_cmp(&a.lost_until_recovery))
            .then_with(|| a.label().cmp(&b.label()))
    });
}
