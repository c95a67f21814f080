//! The propagation passes over a [`Compact`] graph for one scenario in one
//! phase of recovery. Allocation-free after the first run: every array
//! lives in [`Engine`] and is overwritten.
//!
//! 1. **Health** (callees first): a unit is down when it failed (its node,
//!    its region, every AZ it spans, or the one AZ a non-redundant data
//!    store lives in), or when a hard dependency has no healthy target the
//!    phase lets it use.
//! 2. **Load** (callers first): users' requests enter at the entry units; a
//!    unit admits what its remaining capacity carries (and, before the
//!    failure is detected, loses the share its load balancer still sends to
//!    the failed AZs); what it admits flows on along its calls, reads to
//!    databases scaled by the miss rate of the caches that are up.
//! 3. **Success** (callees first): the share of a unit's requests that
//!    complete: what it admitted × Π over hard calls of (1 − the share of
//!    requests whose call failed). Calls are independent of each other;
//!    the parts of a call (reads, writes) are disjoint request sets.
//! 4. **Latency** (optional, callees first): p95 of the unit from its
//!    M/M/c queue, plus the expected latency of its synchronous calls.

use super::compact::{CROSS_REGION_RTT_MS, Compact};
use crate::load::Rates;

/// How far recovery has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The failure happened; nothing has noticed: load balancers and DNS
    /// still send traffic to what failed.
    Impact,
    /// Health checks noticed: traffic avoids the failed AZs and regions
    /// among the healthy targets it already uses; Multi-AZ standbys promoted.
    Detected,
    /// Regional failover done: DNS failover to standby regions, database
    /// replicas in other regions promoted.
    FailedOver,
    /// Autoscaling replaced the lost capacity (up to each group's max).
    Recovered,
}

impl Phase {
    pub const ALL: [Self; 4] = [
        Self::Impact,
        Self::Detected,
        Self::FailedOver,
        Self::Recovered,
    ];

    fn reroutes(self) -> bool {
        self >= Self::Detected
    }

    fn max_tier(self) -> u8 {
        if self >= Self::FailedOver { u8::MAX } else { 0 }
    }
}

/// Why a unit is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DownCause {
    /// Its node failed.
    Failed,
    /// Its region failed.
    Region,
    /// Every AZ it runs in failed (or the one it lives in).
    Azs,
    /// The call (index into [`Compact::calls`]) had no healthy target.
    Dependency(u32),
    /// The call's edge failed.
    Cut(u32),
}

/// What a scenario does to one unit before propagation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Damage {
    pub down: Option<DownCause>,
    /// Share of its instances still running (failed AZs, a degraded node).
    pub capacity: f64,
    /// Share of its traffic sent to failed AZs until detection.
    pub blackhole: f64,
}

impl Damage {
    pub const NONE: Self = Self {
        down: None,
        capacity: 1.0,
        blackhole: 0.0,
    };
}

/// Reusable buffers for running scenarios on one compact graph.
#[derive(Clone, Debug, Default)]
pub struct Engine {
    pub(crate) damage: Vec<Damage>,
    pub(crate) cut: Vec<bool>,
    pub(crate) down: Vec<Option<DownCause>>,
    pub(crate) offered: Vec<Rates>,
    /// Share of its offered load a unit serves (capacity and blackholes).
    pub(crate) admitted: Vec<f64>,
    pub(crate) capacity: Vec<f64>,
    /// Per target: share of the part's traffic sent to it (0 when down).
    pub(crate) share: Vec<f64>,
    /// Per target: what the part sends to it.
    pub(crate) flow: Vec<Rates>,
    /// Per part: share of the caller's requests that use it.
    pub(crate) part_k: Vec<f64>,
    pub(crate) success: Vec<f64>,
    pub(crate) latency: Vec<f64>,
}

impl Engine {
    pub fn new(c: &Compact) -> Self {
        let n = c.units.len();
        Self {
            damage: vec![Damage::NONE; n],
            cut: vec![false; c.edge_bound()],
            down: vec![None; n],
            offered: vec![Rates::default(); n],
            admitted: vec![1.0; n],
            capacity: vec![0.0; n],
            share: vec![0.0; c.targets.len()],
            flow: vec![Rates::default(); c.targets.len()],
            part_k: vec![0.0; c.parts.len()],
            success: vec![1.0; n],
            latency: vec![0.0; n],
        }
    }

    /// Served share of all users' requests, after running `phase` with the
    /// damage currently set.
    pub fn run(&mut self, c: &Compact, phase: Phase, with_latency: bool) -> f64 {
        self.health(c, phase);
        self.load(c, phase);
        self.succeed(c, with_latency);
        self.served(c)
    }

    /// Share of users' requests served, from the last run.
    pub fn served(&self, c: &Compact) -> f64 {
        let mut total = 0.0;
        let mut ok = 0.0;
        for a in &c.arrivals {
            let rps = a.rates.total();
            total += rps;
            ok += rps * self.success[a.unit as usize];
        }
        if total > 0.0 { ok / total } else { 1.0 }
    }

    /// Served share per entry point, from the last run.
    pub fn served_by_entry(&self, c: &Compact) -> Vec<f64> {
        let mut ok = vec![0.0; c.entries.len()];
        for a in &c.arrivals {
            ok[a.entry] += a.rates.total() * self.success[a.unit as usize];
        }
        ok.iter()
            .zip(&c.entry_rps)
            .map(|(ok, total)| if *total > 0.0 { ok / total } else { 1.0 })
            .collect()
    }

    /// Requests per second offered to unit `u` in the last run.
    pub fn offered_rps(&self, u: usize) -> f64 {
        self.offered.get(u).map_or(0.0, |r| r.total())
    }

    /// Clears every damage and cut.
    pub fn reset(&mut self) {
        self.damage.fill(Damage::NONE);
        self.cut.fill(false);
    }

    fn reachable(&self, c: &Compact, part: usize, max_tier: u8) -> bool {
        let p = &c.parts[part];
        c.targets[p.targets.start as usize..p.targets.end as usize]
            .iter()
            .any(|t| t.tier <= max_tier && self.down[t.unit as usize].is_none())
    }

    fn health(&mut self, c: &Compact, phase: Phase) {
        for u in (0..c.units.len()).rev() {
            self.down[u] = self.health_of(c, u, phase);
        }
    }

    /// Whether unit `u` is down, given the state of its callees.
    pub(crate) fn health_of(&self, c: &Compact, u: usize, phase: Phase) -> Option<DownCause> {
        if let Some(cause) = self.damage[u].down {
            return Some(cause);
        }
        let max_tier = phase.max_tier();
        for ci in c.calls_of(u as u32) {
            let call = &c.calls[ci];
            if !call.is_critical() {
                continue;
            }
            if self.cut[call.edge.index()] {
                return Some(DownCause::Cut(ci as u32));
            }
            let parts = call.parts.start as usize..call.parts.end as usize;
            if !parts.is_empty() && !parts.clone().any(|p| self.reachable(c, p, max_tier)) {
                return Some(DownCause::Dependency(ci as u32));
            }
        }
        None
    }

    fn load(&mut self, c: &Compact, phase: Phase) {
        self.offered.fill(Rates::default());
        for a in &c.arrivals {
            self.offered[a.unit as usize].add(a.rates);
        }
        for u in 0..c.units.len() {
            self.load_of(c, u, phase);
            for ci in c.calls_of(u as u32) {
                for p in c.calls[ci].parts.clone() {
                    for ti in c.parts[p as usize].targets.clone() {
                        let flow = self.flow[ti as usize];
                        if flow.total() > 0.0 {
                            self.offered[c.targets[ti as usize].unit as usize].add(flow);
                        }
                    }
                }
            }
        }
    }

    /// Admission, routing and the flow along every target of unit `u`,
    /// from its offered load (written to `flow`, not pushed to the targets).
    pub(crate) fn load_of(&mut self, c: &Compact, u: usize, phase: Phase) {
        let unit = &c.units[u];
        let damage = self.damage[u];
        let offered = self.offered[u];
        let total = offered.total();
        let max_tier = phase.max_tier();
        if self.down[u].is_some() {
            self.admitted[u] = 0.0;
            self.capacity[u] = 0.0;
            for ci in c.calls_of(u as u32) {
                for p in c.calls[ci].parts.clone() {
                    self.part_k[p as usize] = 0.0;
                    let part = &c.parts[p as usize];
                    let range = part.targets.start as usize..part.targets.end as usize;
                    self.share[range.clone()].fill(0.0);
                    self.flow[range].fill(Rates::default());
                }
            }
            return;
        }
        let mut capacity = unit.capacity_rps() * damage.capacity;
        if phase == Phase::Recovered
            && let Some(s) = unit.scaling
            && damage.capacity > 0.0
            && s.rps_at_target > 0.0
        {
            let needed = (total / s.rps_at_target)
                .ceil()
                .clamp(f64::from(s.min), f64::from(s.max));
            let running = unit.instances * damage.capacity;
            capacity = needed.max(running) * unit.per_instance_rps;
        }
        self.capacity[u] = capacity;
        let through = if phase.reroutes() {
            1.0
        } else {
            1.0 - damage.blackhole
        };
        let admitted = if total > 0.0 {
            (total * through).min(capacity) / total
        } else {
            through
        };
        self.admitted[u] = admitted;
        let sent_from = offered.scale(admitted);
        let read_share = if total > 0.0 {
            offered.read_rps / total
        } else {
            0.0
        };
        let mut miss = 1.0;
        for ci in c.calls_of(u as u32) {
            let call = &c.calls[ci];
            let cut = self.cut[call.edge.index()];
            let mut delivered_total = 0.0;
            for p in call.parts.clone() {
                let part = &c.parts[p as usize];
                let range = part.targets.start as usize..part.targets.end as usize;
                let delivered = if cut {
                    self.share[range.clone()].fill(0.0);
                    0.0
                } else {
                    self.route(c, range.clone(), phase, max_tier)
                };
                delivered_total += delivered;
                let read_k = if part.behind_caches {
                    part.read_k * miss
                } else {
                    part.read_k
                };
                self.part_k[p as usize] =
                    (read_share * read_k + (1.0 - read_share) * part.write_k).min(1.0);
                let sent = Rates {
                    read_rps: sent_from.read_rps * read_k,
                    write_rps: sent_from.write_rps * part.write_k,
                };
                for ti in range {
                    self.flow[ti] = sent.scale(self.share[ti]);
                }
            }
            if call.cache_hits > 0.0 {
                let parts = call.parts.len().max(1) as f64;
                miss *= 1.0 - call.cache_hits * (delivered_total / parts);
            }
        }
    }

    /// Splits a part's traffic over its targets (writing `share`); returns
    /// the share delivered to healthy targets.
    fn route(
        &mut self,
        c: &Compact,
        range: std::ops::Range<usize>,
        phase: Phase,
        max_tier: u8,
    ) -> f64 {
        let targets = &c.targets[range.clone()];
        let mut tier0 = 0.0;
        let mut tier0_up = 0.0;
        for t in targets.iter().filter(|t| t.tier == 0) {
            tier0 += t.weight;
            if self.down[t.unit as usize].is_none() {
                tier0_up += t.weight;
            }
        }
        let shares = &mut self.share[range];
        if !phase.reroutes() {
            // Nothing noticed yet: traffic to failed targets is lost.
            for (s, t) in shares.iter_mut().zip(targets) {
                *s = if t.tier == 0 && tier0 > 0.0 && self.down[t.unit as usize].is_none() {
                    t.weight / tier0
                } else {
                    0.0
                };
            }
            return if tier0 > 0.0 { tier0_up / tier0 } else { 0.0 };
        }
        // The lowest tier with a healthy target the phase may use.
        let mut tier = 0u8;
        let mut up = tier0_up;
        if up <= 0.0 {
            let next = targets
                .iter()
                .filter(|t| {
                    t.tier > 0 && t.tier <= max_tier && self.down[t.unit as usize].is_none()
                })
                .map(|t| t.tier)
                .min();
            if let Some(next) = next {
                tier = next;
                up = targets
                    .iter()
                    .filter(|t| t.tier == next && self.down[t.unit as usize].is_none())
                    .map(|t| t.weight)
                    .sum();
            }
        }
        for (s, t) in shares.iter_mut().zip(targets) {
            *s = if up > 0.0 && t.tier == tier && self.down[t.unit as usize].is_none() {
                t.weight / up
            } else {
                0.0
            };
        }
        if up > 0.0 { 1.0 } else { 0.0 }
    }

    fn succeed(&mut self, c: &Compact, with_latency: bool) {
        for u in (0..c.units.len()).rev() {
            self.succeed_of(c, u, with_latency);
        }
    }

    /// The share of unit `u`'s requests that complete (and its latency),
    /// from its callees'.
    pub(crate) fn succeed_of(&mut self, c: &Compact, u: usize, with_latency: bool) {
        if self.down[u].is_some() {
            self.success[u] = 0.0;
            self.latency[u] = 0.0;
            return;
        }
        let mut success = self.admitted[u];
        let mut latency = 0.0;
        let slot = c.units[u].slot;
        for ci in c.calls_of(u as u32) {
            let call = &c.calls[ci];
            let critical = call.is_critical();
            let sync = with_latency && call.is_sync();
            if !critical && !sync {
                continue;
            }
            let mut failed = 0.0;
            for p in call.parts.clone() {
                let part = &c.parts[p as usize];
                let k = self.part_k[p as usize];
                let mut ok = 0.0;
                let mut wait = 0.0;
                let mut delivered = 0.0;
                for ti in part.targets.clone() {
                    let share = self.share[ti as usize];
                    if share > 0.0 {
                        let target = c.targets[ti as usize].unit as usize;
                        ok += share * self.success[target];
                        delivered += share;
                        if sync {
                            let rtt = if c.units[target].slot != slot
                                && slot < c.regions.len()
                                && c.units[target].slot < c.regions.len()
                            {
                                CROSS_REGION_RTT_MS
                            } else {
                                0.0
                            };
                            wait += share * (self.latency[target] + rtt);
                        }
                    }
                }
                failed += k * (1.0 - ok);
                if sync && delivered > 0.0 {
                    latency += k * wait / delivered;
                }
            }
            if critical {
                success *= 1.0 - failed.min(1.0);
            }
        }
        self.success[u] = success.clamp(0.0, 1.0);
        if with_latency {
            self.latency[u] = latency + self.own_latency(c, u);
        }
    }

    /// p95 latency of a unit alone under its offered load.
    fn own_latency(&self, c: &Compact, u: usize) -> f64 {
        let unit = &c.units[u];
        if unit.per_instance_rps.is_infinite() || unit.instances <= 0.0 {
            return unit.base_ms;
        }
        // Whole instances left, clamped to u32's range first.
        let instances = (self.capacity[u] / unit.per_instance_rps)
            .floor()
            .clamp(0.0, f64::from(u32::MAX));
        // Less than one instance's worth left (a node degraded to a sliver)
        // still serves what it admits: one instance at the rate it has left.
        let (instances, per_instance) = if instances < 1.0 && self.capacity[u] > 0.0 {
            (1.0, self.capacity[u])
        } else {
            (instances, unit.per_instance_rps)
        };
        let offered = self.offered[u].total() * self.admitted[u];
        crate::queueing::p95_ms(
            #[expect(clippy::cast_sign_loss, reason = "clamped to 0..=u32::MAX above")]
            {
                instances as u32
            },
            per_instance * unit.target_utilisation,
            unit.target_utilisation,
            unit.base_ms,
            offered,
        )
        .ms
    }
}
