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

use std::sync::atomic::{AtomicBool, Ordering};

use petgraph::stable_graph::NodeIndex;
use serde::Serialize;

use super::compact::Compact;
use super::engine::{Damage, DownCause, Engine, Phase};
use super::scenario::{Failure, fail_az};
use crate::load::{Rates, az_bit};
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
    out.extend(
        c.region_azs
            .iter()
            .flatten()
            .map(|az| Element::Az(az.clone())),
    );
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

/// What never changes during a sweep: who calls whom, and users' requests per unit.
struct Index {
    /// `in_targets[in_start[v]..in_start[v + 1]]`: the targets pointing at unit `v`.
    in_start: Vec<u32>,
    in_targets: Vec<u32>,
    /// By target index: the unit whose call it belongs to.
    caller: Vec<u32>,
    arrival: Vec<Rates>,
}

impl Index {
    fn new(c: &Compact) -> Self {
        let n = c.units.len();
        let mut caller = vec![0u32; c.targets.len()];
        let mut count = vec![0u32; n + 1];
        for u in 0..n {
            for ci in c.calls_of(u as u32) {
                for p in c.calls[ci].parts.clone() {
                    for t in c.parts[p as usize].targets.clone() {
                        caller[t as usize] = u as u32;
                        count[c.targets[t as usize].unit as usize + 1] += 1;
                    }
                }
            }
        }
        for v in 0..n {
            count[v + 1] += count[v];
        }
        let mut fill = count.clone();
        let mut in_targets = vec![0u32; c.targets.len()];
        for (t, target) in c.targets.iter().enumerate() {
            let v = target.unit as usize;
            in_targets[fill[v] as usize] = t as u32;
            fill[v] += 1;
        }
        let mut arrival = vec![Rates::default(); n];
        for a in &c.arrivals {
            arrival[a.unit as usize].add(a.rates);
        }
        Self {
            in_start: count,
            in_targets,
            caller,
            arrival,
        }
    }

    fn callers(&self, v: usize) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.in_targets[self.in_start[v] as usize..self.in_start[v + 1] as usize]
            .iter()
            .map(|&t| (t, self.caller[t as usize]))
    }
}

/// One phase of a sweep: the healthy state, and a working copy that a
/// scenario changes only where it can (its cone) and that is restored after.
#[derive(Clone)]
struct Cone {
    phase: Phase,
    base: Engine,
    work: Engine,
    seen: Vec<u32>,
    epoch: u32,
    down: Vec<u32>,
    load: Vec<u32>,
    succ: Vec<u32>,
    stack: Vec<u32>,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<u32>>,
    up_heap: std::collections::BinaryHeap<u32>,
}

impl Cone {
    fn new(c: &Compact, phase: Phase) -> Self {
        let mut base = Engine::new(c);
        base.run(c, phase, false);
        Self {
            phase,
            work: base.clone(),
            base,
            seen: vec![0; c.units.len()],
            epoch: 0,
            down: Vec::new(),
            load: Vec::new(),
            succ: Vec::new(),
            stack: Vec::new(),
            heap: std::collections::BinaryHeap::new(),
            up_heap: std::collections::BinaryHeap::new(),
        }
    }

    fn fresh(&mut self) -> u32 {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.seen.fill(0);
            self.epoch = 1;
        }
        self.epoch
    }

    /// Health: down spreads from the damaged units to their callers
    /// (recorded in `down`).
    fn spread_down(&mut self, c: &Compact, ix: &Index, damaged: &[(u32, Damage)]) {
        let phase = self.phase;
        self.down.clear();
        self.stack.clear();
        for &(u, d) in damaged {
            self.work.damage[u as usize] = d;
            if let Some(cause) = self.work.health_of(c, u as usize, phase) {
                self.work.down[u as usize] = Some(cause);
                self.down.push(u);
                self.stack.push(u);
            }
        }
        while let Some(v) = self.stack.pop() {
            for (_, u) in ix.callers(v as usize) {
                if self.work.down[u as usize].is_none()
                    && let Some(cause) = self.work.health_of(c, u as usize, phase)
                {
                    self.work.down[u as usize] = Some(cause);
                    self.down.push(u);
                    self.stack.push(u);
                }
            }
        }
    }

    /// Served share with `damaged` units damaged (and nothing else).
    fn run(&mut self, c: &Compact, ix: &Index, damaged: &[(u32, Damage)]) -> f64 {
        let phase = self.phase;
        self.spread_down(c, ix, damaged);
        // A failure that takes down much of the estate changes nearly every
        // unit's load: one plain pass over everything is cheaper than the
        // bookkeeping of a cone.
        if self.down.len() * 8 > c.units.len() {
            let served = self.work.run(c, phase, false);
            self.work.clone_from(&self.base);
            return served;
        }
        // Load, callers first, from the units whose inputs changed: the
        // damaged and down units and the callers that route around them;
        // a unit's callees are visited only when what it sends them changed.
        let epoch = self.fresh();
        self.load.clear();
        self.heap.clear();
        let seeds = damaged
            .iter()
            .map(|&(u, _)| u)
            .chain(self.down.iter().copied());
        for u in seeds {
            for v in std::iter::once(u).chain(ix.callers(u as usize).map(|(_, w)| w)) {
                if self.seen[v as usize] != epoch {
                    self.seen[v as usize] = epoch;
                    self.heap.push(std::cmp::Reverse(v));
                }
            }
        }
        while let Some(std::cmp::Reverse(u)) = self.heap.pop() {
            self.load.push(u);
            let ui = u as usize;
            let mut offered = ix.arrival[ui];
            for (t, _) in ix.callers(ui) {
                offered.add(self.work.flow[t as usize]);
            }
            self.work.offered[ui] = offered;
            self.work.load_of(c, ui, phase);
            for ci in c.calls_of(u) {
                for p in c.calls[ci].parts.clone() {
                    for t in c.parts[p as usize].targets.clone() {
                        let t = t as usize;
                        let v = c.targets[t].unit;
                        if self.work.flow[t] != self.base.flow[t] && self.seen[v as usize] != epoch
                        {
                            self.seen[v as usize] = epoch;
                            self.heap.push(std::cmp::Reverse(v));
                        }
                    }
                }
            }
        }
        // Success, callees first, from the units the load pass changed; a
        // unit's callers are visited only when its success changed.
        let epoch = self.fresh();
        self.succ.clear();
        let mut heap = std::mem::take(&mut self.up_heap);
        heap.clear();
        for &u in self.load.iter().chain(&self.down) {
            if self.seen[u as usize] != epoch {
                self.seen[u as usize] = epoch;
                heap.push(u);
            }
        }
        while let Some(v) = heap.pop() {
            self.succ.push(v);
            let vi = v as usize;
            self.work.succeed_of(c, vi, false);
            if self.work.success[vi].to_bits() != self.base.success[vi].to_bits() {
                for (_, u) in ix.callers(vi) {
                    if self.seen[u as usize] != epoch {
                        self.seen[u as usize] = epoch;
                        heap.push(u);
                    }
                }
            }
        }
        self.up_heap = heap;
        let served = self.work.served(c);
        self.restore(c, damaged);
        served
    }

    /// Puts back the healthy state of every unit the last run touched.
    fn restore(&mut self, c: &Compact, damaged: &[(u32, Damage)]) {
        let (w, b) = (&mut self.work, &self.base);
        let units = damaged
            .iter()
            .map(|&(u, _)| u)
            .chain(self.down.iter().copied())
            .chain(self.load.iter().copied())
            .chain(self.succ.iter().copied());
        for u in units {
            let u = u as usize;
            w.damage[u] = b.damage[u];
            w.down[u] = b.down[u];
            w.offered[u] = b.offered[u];
            w.admitted[u] = b.admitted[u];
            w.capacity[u] = b.capacity[u];
            w.success[u] = b.success[u];
            for ci in c.calls_of(u as u32) {
                for p in c.calls[ci].parts.clone() {
                    w.part_k[p as usize] = b.part_k[p as usize];
                    let part = &c.parts[p as usize];
                    let range = part.targets.start as usize..part.targets.end as usize;
                    w.share[range.clone()].copy_from_slice(&b.share[range.clone()]);
                    w.flow[range.clone()].copy_from_slice(&b.flow[range]);
                }
            }
        }
    }
}

/// A worker's state: one cone per phase the sweep reports, and scratch.
#[derive(Clone)]
struct Worker {
    failed_over: Cone,
    recovered: Cone,
    scratch: Engine,
    damaged: Vec<(u32, Damage)>,
    azs: Vec<u32>,
}

impl Worker {
    fn new(c: &Compact) -> Self {
        Self {
            failed_over: Cone::new(c, Phase::FailedOver),
            recovered: Cone::new(c, Phase::Recovered),
            scratch: Engine::new(c),
            damaged: Vec::new(),
            azs: Vec::new(),
        }
    }

    /// Served after failover and after autoscaling with `set` failed.
    fn run(&mut self, c: &Compact, ix: &Index, set: &[Resolved]) -> (f64, f64) {
        self.damage(c, set);
        let served = self.failed_over.run(c, ix, &self.damaged);
        let recovered = self.recovered.run(c, ix, &self.damaged);
        (served, recovered)
    }

    /// Works out the damage `set` does on the scratch engine and leaves
    /// only the units it touched in `damaged` (the scratch engine is clean
    /// again after).
    fn damage(&mut self, c: &Compact, set: &[Resolved]) {
        self.damaged.clear();
        self.azs.clear();
        self.azs.resize(c.regions.len(), 0);
        let mut touched: Vec<u32> = Vec::new();
        for &r in set {
            match r {
                Resolved::Node(n) => {
                    for u in c.units_of(n) {
                        self.scratch.damage[u as usize].down = Some(DownCause::Failed);
                        touched.push(u);
                    }
                }
                Resolved::Az(slot, bit) => self.azs[slot] |= bit,
                Resolved::Region(slot) => {
                    for (u, unit) in c.units.iter().enumerate() {
                        if unit.slot == slot && self.scratch.damage[u].down.is_none() {
                            self.scratch.damage[u].down = Some(DownCause::Region);
                            touched.push(u as u32);
                        }
                    }
                }
            }
        }
        for slot in 0..self.azs.len() {
            let bits = self.azs[slot];
            if bits != 0 {
                fail_az(c, &mut self.scratch, slot, bits);
                for (u, unit) in c.units.iter().enumerate() {
                    if unit.slot == slot && unit.az_mask & bits != 0 {
                        touched.push(u as u32);
                    }
                }
            }
        }
        touched.sort_unstable();
        touched.dedup();
        for &u in &touched {
            self.damaged.push((u, self.scratch.damage[u as usize]));
            self.scratch.damage[u as usize] = Damage::NONE;
        }
    }
}

/// Runs `f` over `0..n` on every core, each with its own [`Worker`] and
/// every `workers`-th index (so uneven items, like the rows of the pair
/// triangle, spread evenly); results in index order.
/// After each index, `tick(i)` says whether to go on: once it says no,
/// every worker stops and the result is `None`.
fn parallel<T: Send>(
    template: &Worker,
    n: usize,
    f: impl Fn(&mut Worker, usize) -> T + Sync,
    tick: &(dyn Fn(usize) -> bool + Sync),
) -> Option<Vec<T>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 16)
        .min(n.max(1));
    let stopped = AtomicBool::new(false);
    let mut out: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let mut worker = template.clone();
                let (f, stopped) = (&f, &stopped);
                s.spawn(move || {
                    (w..n)
                        .step_by(workers)
                        .map_while(|i| {
                            if stopped.load(Ordering::Relaxed) {
                                return None;
                            }
                            let t = f(&mut worker, i);
                            if !tick(i) {
                                stopped.store(true, Ordering::Relaxed);
                            }
                            Some((i, t))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if stopped.into_inner() {
        return None;
    }
    out.sort_by_key(|(i, _)| *i);
    Some(out.into_iter().map(|(_, t)| t).collect())
}

/// Sweeps a topology: every single failure, and every pair when `pairs`.
pub fn sweep(topology: &Topology, pairs: bool) -> SpofReport {
    let c = Compact::build(topology);
    sweep_compact(&c, pairs)
}

/// [`sweep`] on a compact graph built by the caller.
pub fn sweep_compact(c: &Compact, pairs: bool) -> SpofReport {
    match sweep_compact_with(c, pairs, &|_| true) {
        Some(report) => report,
        // A sweep whose progress callback always says "go on" finishes.
        None => unreachable!("a sweep that is never stopped returned no report"),
    }
}

/// [`sweep_compact`], telling `progress` (from the sweep's threads) how
/// many more scenarios are done: first the [`elements`] one by one, then
/// the pairs. When `progress` returns `false` the sweep stops soon after
/// and returns `None` (a window's Stop button).
pub fn sweep_compact_with(
    c: &Compact,
    pairs: bool,
    progress: &(dyn Fn(u64) -> bool + Sync),
) -> Option<SpofReport> {
    let elements = elements(c);
    let resolved = resolve(c, &elements);
    let ix = Index::new(c);
    // One worker's healthy states (a full pass per phase), copied to every thread.
    let mut template = Worker::new(c);
    let baseline = template.recovered.base.served(c);
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
    // A failure that takes down every unit users arrive at serves nothing,
    // after failover and after autoscaling alike (a down unit stays down):
    // its row needs no pass. The down matrix finds them all at once.
    let dark = blackouts(c, &resolved, &mut template);
    let results = parallel(
        &template,
        elements.len(),
        |w, i| {
            if dark[i] {
                (0.0, 0.0)
            } else {
                w.run(c, &ix, &[resolved[i]])
            }
        },
        &|_| progress(1),
    )?;
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
        let found = parallel(
            &template,
            m,
            |w, a| {
                let mut hits = Vec::new();
                for b in a + 1..m {
                    let (i, j) = (candidates[a], candidates[b]);
                    let set = [resolved[i], resolved[j]];
                    let (served, recovered) = w.run(c, &ix, &set);
                    if below(recovered) {
                        hits.push((i, j, served, recovered));
                    }
                }
                hits
            },
            &|a| progress((m - a - 1) as u64),
        )?;
        pair_rows = found
            .into_iter()
            .flatten()
            .map(|(i, j, s, r)| row(vec![elements[i].clone(), elements[j].clone()], (s, r)))
            .collect();
    }
    rank(&mut singles);
    rank(&mut pair_rows);
    Some(SpofReport {
        baseline,
        threshold,
        singles,
        pairs_evaluated: evaluated,
        pairs: pair_rows,
    })
}

/// By element: whether its failure alone leaves every unit with arriving
/// traffic down (so nothing is served).
fn blackouts(c: &Compact, resolved: &[Resolved], worker: &mut Worker) -> Vec<bool> {
    let arriving: f64 = c.arrivals.iter().map(|a| a.rates.total()).sum();
    if arriving <= 0.0 {
        return vec![false; resolved.len()];
    }
    let (words, bits) = kill_sets(c, resolved, worker);
    (0..resolved.len())
        .map(|e| {
            c.arrivals
                .iter()
                .all(|a| a.rates.total() <= 0.0 || kill_bit(&bits, words, e, a.unit))
        })
        .collect()
}

/// Worst first; ties by label (each computed once: with thousands of
/// blackouts tied, labels built per comparison cost more than the sweep).
fn rank(rows: &mut Vec<SweepRow>) {
    let mut keyed: Vec<(String, SweepRow)> = rows.drain(..).map(|r| (r.label(), r)).collect();
    keyed.sort_by(|(la, a), (lb, b)| {
        b.lost
            .total_cmp(&a.lost)
            .then(b.lost_until_recovery.total_cmp(&a.lost_until_recovery))
            .then_with(|| la.cmp(lb))
    });
    rows.extend(keyed.into_iter().map(|(_, r)| r));
}

/// The hard-dependency structure of a compact graph after failover, as
/// plain data: what the peer benchmark (`core/benches/peers/sweep_peer.py`)
/// reads to compute, with networkx and python-igraph, the same sets as
/// [`down_sets`].
///
/// Unit `u` is **down** under a failure when it is in the failure's `fails`
/// list, or when one of its clauses `requires[u][i]` has every unit it
/// lists down (an empty clause is never satisfied). That is the least
/// fixed point the engine's health pass computes in the phases after
/// regional failover ([`Phase::FailedOver`] and [`Phase::Recovered`]),
/// where every failover tier may be used: a clause is one hard call (a
/// synchronous call or a publish) and lists every unit its parts may route
/// to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DependencyGraph {
    /// Unit labels, by unit number.
    pub units: Vec<String>,
    /// By unit: its clauses.
    pub requires: Vec<Vec<Vec<u32>>>,
    /// Every single failure of [`elements`], with the units it fails.
    pub failures: Vec<FailedUnits>,
}

/// One element and the units its failure takes down directly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailedUnits {
    pub element: String,
    pub fails: Vec<u32>,
}

/// [`DependencyGraph`] of a compact graph.
pub fn dependency_graph(c: &Compact) -> DependencyGraph {
    let requires = (0..c.units.len() as u32)
        .map(|u| {
            c.calls_of(u)
                .map(|ci| &c.calls[ci])
                .filter(|call| call.is_critical() && !call.parts.is_empty())
                .map(|call| {
                    let mut clause: Vec<u32> = call
                        .parts
                        .clone()
                        .flat_map(|p| c.parts[p as usize].targets.clone())
                        .map(|t| c.targets[t as usize].unit)
                        .collect();
                    clause.sort_unstable();
                    clause.dedup();
                    clause
                })
                .collect()
        })
        .collect();
    let elements = elements(c);
    let resolved = resolve(c, &elements);
    let mut worker = Worker::new(c);
    let failures = elements
        .iter()
        .zip(&resolved)
        .map(|(el, &r)| {
            worker.damage(c, &[r]);
            FailedUnits {
                element: el.label(),
                fails: worker
                    .damaged
                    .iter()
                    .filter(|(_, d)| d.down.is_some())
                    .map(|&(u, _)| u)
                    .collect(),
            }
        })
        .collect();
    DependencyGraph {
        units: (0..c.units.len() as u32).map(|u| c.unit_label(u)).collect(),
        requires,
        failures,
    }
}

/// The reachability part of [`sweep`]: for every single failure of
/// [`elements`] (in that order), the units down once failover is done,
/// sorted. Each failure costs only its cone: a unit going down counts down
/// the healthy targets left to each hard call that may route to it, and
/// its caller goes down when a count reaches zero. One thread, so that it
/// compares with the single-threaded peers.
pub fn down_sets(c: &Compact) -> Vec<(Element, Vec<u32>)> {
    let elements = elements(c);
    let resolved = resolve(c, &elements);
    let ix = Index::new(c);
    let mut worker = Worker::new(c);
    let base = &worker.failed_over.base;
    let already_down: Vec<u32> = (0..c.units.len() as u32)
        .filter(|&u| base.down[u as usize].is_some())
        .collect();
    // By target: its call when that call is a hard one, else u32::MAX.
    let mut hard_call = vec![u32::MAX; c.targets.len()];
    // By call: targets whose unit is up with nothing failed.
    let mut alive = vec![0u32; c.calls.len()];
    for (ci, call) in c.calls.iter().enumerate() {
        if !call.is_critical() {
            continue;
        }
        for p in call.parts.clone() {
            for t in c.parts[p as usize].targets.clone() {
                hard_call[t as usize] = ci as u32;
                if base.down[c.targets[t as usize].unit as usize].is_none() {
                    alive[ci] += 1;
                }
            }
        }
    }
    let base_alive = alive.clone();
    let mut down = vec![false; c.units.len()];
    for &u in &already_down {
        down[u as usize] = true;
    }
    let (mut stack, mut newly, mut touched) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = Vec::with_capacity(elements.len());
    for (el, &r) in elements.into_iter().zip(&resolved) {
        worker.damage(c, &[r]);
        for &(u, d) in &worker.damaged {
            if d.down.is_some() && !down[u as usize] {
                down[u as usize] = true;
                newly.push(u);
                stack.push(u);
            }
        }
        while let Some(v) = stack.pop() {
            for (t, u) in ix.callers(v as usize) {
                let ci = hard_call[t as usize];
                if ci == u32::MAX {
                    continue;
                }
                touched.push(ci);
                alive[ci as usize] -= 1;
                if alive[ci as usize] == 0 && !down[u as usize] {
                    down[u as usize] = true;
                    newly.push(u);
                    stack.push(u);
                }
            }
        }
        let mut set = Vec::with_capacity(already_down.len() + newly.len());
        set.extend_from_slice(&already_down);
        set.extend_from_slice(&newly);
        set.sort_unstable();
        out.push((el, set));
        for u in newly.drain(..) {
            down[u as usize] = false;
        }
        for ci in touched.drain(..) {
            alive[ci as usize] = base_alive[ci as usize];
        }
    }
    out
}

/// The down sets of every single failure at once, as a bit matrix: for
/// each unit, the failures (bits, in [`elements`] order) that leave it
/// down once failover is done. Equal to [`down_sets`], transposed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownMatrix {
    pub elements: Vec<Element>,
    /// Words per unit.
    words: usize,
    /// `units × words` bits.
    bits: Vec<u64>,
}

impl DownMatrix {
    /// Whether failure `element` leaves `unit` down.
    pub fn is_down(&self, element: usize, unit: u32) -> bool {
        kill_bit(&self.bits, self.words, element, unit)
    }

    /// How many units each failure leaves down (in [`elements`] order).
    pub fn down_counts(&self) -> Vec<u32> {
        let mut counts = vec![0u32; self.elements.len()];
        for row in self.bits.chunks_exact(self.words.max(1)) {
            for (w, &word) in row.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    counts[w * 64 + word.trailing_zeros() as usize] += 1;
                    word &= word - 1;
                }
            }
        }
        counts
    }

    /// The units failure `element` leaves down, ascending (a column).
    pub fn down_units(&self, element: usize) -> Vec<u32> {
        let units = self.bits.len() / self.words.max(1);
        (0..units as u32)
            .filter(|&u| self.is_down(element, u))
            .collect()
    }
}

/// [`DownMatrix`] of a compact graph: each unit's "kill set" (the single
/// failures that take it down) is the failures that fail it directly, plus,
/// for each of its hard calls, the failures that take down every unit the
/// call may route to: a union over the calls of intersections over their
/// targets, 64 failures per machine word. Dependencies are visited first
/// (depth-first post-order); a cycle of hard calls is iterated until
/// nothing changes (the least fixpoint: a cycle nothing else fails stays
/// up, as in [`down_sets`]). Cost: words × (units + targets) per pass,
/// independent of how far each failure reaches, where [`down_sets`] pays
/// for every unit of every failure's cone.
pub fn down_matrix(c: &Compact) -> DownMatrix {
    let elements = elements(c);
    let resolved = resolve(c, &elements);
    let (words, bits) = kill_sets(c, &resolved, &mut Worker::new(c));
    DownMatrix {
        elements,
        words,
        bits,
    }
}

/// Whether failure `failure` is in `unit`'s kill set (`words` per unit).
fn kill_bit(bits: &[u64], words: usize, failure: usize, unit: u32) -> bool {
    bits[unit as usize * words + failure / 64] >> (failure % 64) & 1 == 1
}

/// The bits of [`down_matrix`] for the failures `resolved` (words per unit,
/// then `units × words` bits), with a worker's scratch engine and healthy
/// after-failover state.
fn kill_sets(c: &Compact, resolved: &[Resolved], worker: &mut Worker) -> (usize, Vec<u64>) {
    let units = c.units.len();
    let words = resolved.len().div_ceil(64).max(1);
    let mut bits = vec![0u64; units * words];
    // Failed directly, and down with nothing failed (down under every failure).
    for (e, &r) in resolved.iter().enumerate() {
        worker.damage(c, &[r]);
        for &(u, d) in &worker.damaged {
            if d.down.is_some() {
                bits[u as usize * words + e / 64] |= 1 << (e % 64);
            }
        }
    }
    let base = &worker.failed_over.base;
    let always: Vec<bool> = (0..units).map(|u| base.down[u].is_some()).collect();
    for (u, &down) in always.iter().enumerate() {
        if down {
            bits[u * words..(u + 1) * words].fill(u64::MAX);
        }
    }
    let direct = bits.clone();
    // Each unit's hard calls (`calls[unit_calls[u]..unit_calls[u + 1]]`),
    // each a range of the units it may route to
    // (`flat[calls[k]..calls[k + 1]]`): flat arrays, no allocation per unit.
    let mut unit_calls: Vec<u32> = Vec::with_capacity(units + 1);
    let mut calls: Vec<u32> = vec![0];
    let mut flat: Vec<u32> = Vec::new();
    unit_calls.push(0);
    for u in 0..units as u32 {
        for call in c.calls_of(u).map(|ci| &c.calls[ci]) {
            if call.is_critical() {
                flat.extend(
                    call.parts
                        .clone()
                        .flat_map(|p| c.parts[p as usize].targets.clone())
                        .map(|t| c.targets[t as usize].unit),
                );
                calls.push(flat.len() as u32);
            }
        }
        unit_calls.push((calls.len() - 1) as u32);
    }
    let span = |from: u32, to: u32| from as usize..to as usize;
    let deps = |u: usize| {
        span(
            calls[unit_calls[u] as usize],
            calls[unit_calls[u + 1] as usize],
        )
    };
    let (order, cyclic) = post_order(units, |u| &flat[deps(u)]);
    let (mut acc, mut clause) = (vec![0u64; words], vec![0u64; words]);
    loop {
        let mut changed = false;
        for &u in &order {
            let u = u as usize;
            if always[u] {
                continue;
            }
            acc.copy_from_slice(&direct[u * words..(u + 1) * words]);
            for k in span(unit_calls[u], unit_calls[u + 1]) {
                // No target at all: down with nothing failed (`always`).
                clause.fill(u64::MAX);
                for &t in &flat[span(calls[k], calls[k + 1])] {
                    let row = &bits[t as usize * words..(t as usize + 1) * words];
                    for (c, &b) in clause.iter_mut().zip(row) {
                        *c &= b;
                    }
                }
                for (a, &c) in acc.iter_mut().zip(&clause) {
                    *a |= c;
                }
            }
            let row = &mut bits[u * words..(u + 1) * words];
            if *row != *acc {
                row.copy_from_slice(&acc);
                changed = true;
            }
        }
        // In post-order without cycles every dependency is final before its
        // callers: one pass is the fixpoint.
        if !changed || !cyclic {
            break;
        }
    }
    (words, bits)
}

/// The `n` units in depth-first post-order over `deps` (the units each
/// one's hard calls may route to): dependencies before their callers,
/// except around cycles; and whether there is a cycle.
fn post_order<'a>(n: usize, deps: impl Fn(usize) -> &'a [u32]) -> (Vec<u32>, bool) {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; n];
    let mut order = Vec::with_capacity(n);
    let mut cyclic = false;
    let mut stack: Vec<(u32, usize)> = Vec::new();
    for root in 0..n {
        if state[root] != NEW {
            continue;
        }
        state[root] = OPEN;
        stack.push((root as u32, 0));
        while let Some(&mut (u, ref mut next)) = stack.last_mut() {
            if let Some(&t) = deps(u as usize).get(*next) {
                *next += 1;
                match state[t as usize] {
                    NEW => {
                        state[t as usize] = OPEN;
                        stack.push((t, 0));
                    }
                    OPEN => cyclic = true,
                    _ => {}
                }
            } else {
                state[u as usize] = DONE;
                order.push(u);
                stack.pop();
            }
        }
    }
    (order, cyclic)
}

#[cfg(test)]
mod progress {
    use std::sync::atomic::AtomicU64;

    use super::*;

    fn compact() -> Compact {
        let t = crate::templates::find("marketplace")
            .and_then(|t| t.load().ok())
            .unwrap_or_else(|| panic!("the marketplace template loads"));
        Compact::build(&t)
    }

    #[test]
    fn a_watched_sweep_counts_every_scenario_and_matches_the_plain_one() {
        let c = compact();
        let done = AtomicU64::new(0);
        let report = sweep_compact_with(&c, true, &|n| {
            done.fetch_add(n, Ordering::Relaxed);
            true
        });
        assert_eq!(report.as_ref(), Some(&sweep_compact(&c, true)));
        let singles = elements(&c).len() as u64;
        let pairs = report.map_or(0, |r| r.pairs_evaluated);
        assert_eq!(done.into_inner(), singles + pairs);
    }

    #[test]
    fn a_sweep_told_to_stop_returns_nothing() {
        let c = compact();
        let calls = AtomicU64::new(0);
        let report = sweep_compact_with(&c, false, &|_| {
            calls.fetch_add(1, Ordering::Relaxed);
            false
        });
        assert_eq!(report, None);
        let workers = std::thread::available_parallelism().map_or(1, usize::from) as u64;
        assert!(calls.into_inner() <= workers.min(16));
    }
}
