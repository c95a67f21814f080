//! Autoscaling over a day: reactive target tracking against predictive
//! scaling, minute by minute, for every autoscaling group of a document.
//!
//! ## The day
//!
//! A group's offered load at minute `t` is its steady-state load at peak
//! ([`Load::compute`] under the document's own deployment mode, the node in
//! that region) times the daily profile at `t`. The profile's 24 hourly
//! multipliers describe whole hours, so hour `h`'s value sits at the middle
//! of the hour (minute `60h + 30`) and minutes in between are interpolated
//! linearly, wrapping at midnight (23:30 → 00:30). Without a profile the day
//! is flat at peak, and the report says so. A step between two hours is
//! thus a one-hour ramp centred on the hour boundary.
//!
//! ## Reactive: target tracking
//!
//! - The day starts in steady state for minute 0's load: ⌈load ÷
//!   `rps_per_instance`⌉ instances in service (clamped to `min..=max`).
//! - At the end of every metric period (`metric_period_secs` rounded up to
//!   whole minutes; the load is known minute by minute) the policy reads the
//!   period's average utilisation, load ÷ (in service × `rps_per_instance` ÷
//!   `target_cpu`), and wants ⌈in service × utilisation ÷ target⌉ =
//!   ⌈average load ÷ `rps_per_instance`⌉ instances, clamped to `min..=max`.
//!   The metric is the offered load, not a CPU figure capped at 100%
//!   (ALB's request count per target behaves so): one evaluation catches up
//!   with any step. A CPU metric would need several rounds for a step
//!   beyond 1 ÷ target.
//! - Scale-out: when it wants more than it has (in service plus launching),
//!   it launches the difference; they are billed from launch and serve
//!   after `warmup_secs` (rounded up to whole minutes).
//! - Scale-in: only after 15 consecutive minutes below target (AWS target
//!   tracking's scale-in alarm: 15 one-minute datapoints), with nothing
//!   launching, and only down to what the period's load wants; the count
//!   of minutes then starts again.
//!
//! ## Predictive
//!
//! AWS predictive scaling launches the capacity forecast for a time ahead
//! of it by the scheduling buffer; here the buffer is the warm-up and the
//! forecast is the profile, exactly. Minute `t` has ⌈load(t) ÷
//! `rps_per_instance`⌉ instances in service (clamped to `min..=max`), each
//! launched at `t − warm-up`: at minute `t` the group runs (and pays for) the
//! largest need of minutes `t..=t + warm-up`. AWS recommends a target
//! tracking policy on top; with an exact forecast it would never act (the
//! forecast capacity already holds utilisation at or under target), so it
//! is not simulated.
//!
//! ## What is reported, per group and policy
//!
//! - **Instance-hours**: instances running (in service or warming up),
//!   summed over the day's minutes ÷ 60; **cost** = instance-hours × the EC2
//!   on-demand hourly price of the instance type in the region (the same
//!   price key as `topoplan cost`, the document's overrides and discount
//!   applied), when the catalog knows it.
//! - **Minutes over SLO**: minutes in which the group's p95
//!   ([`queueing::p95_ms`] with the instances in service, the service's
//!   `latency_ms` as base) exceeds the document's `slo.p95_ms`, or the
//!   group is saturated. The node's own p95 against the whole request's
//!   budget: a necessary condition for meeting the SLO, not a sufficient
//!   one.
//! - **Minutes saturated**: offered load at or above full capacity (in
//!   service × `rps_per_instance` ÷ `target_cpu`).
//! - **Shortfall**: against the capacity the policy aims for (in service ×
//!   `rps_per_instance`, i.e. at target utilisation): minutes short, and the
//!   peak over the day in rps and in instances (⌈load ÷ `rps_per_instance`⌉
//!   − in service). Clamping at `max` shows up here.
//!
//! These groups are sized for their load alone; `topoplan cost` sizes them
//! N+1 per AZ (and for a region's loss in active-active), so its
//! instance-hours are higher. Standby copies (warm standby) run the fixed
//! size `topoplan cost` gives them, take no traffic, and are the same under
//! both policies; pilot-light standby services run nothing and are not
//! listed.

use std::collections::VecDeque;

use serde::Serialize;

use crate::cost::price::Pricer;
use crate::cost::sizing::{self, Role, Variant};
use crate::cost::{Catalog, Service};
use crate::load::Load;
use crate::model::{NodeSpec, ServiceSpec, Topology};
use crate::queueing;

/// Minutes in the simulated day.
pub const MINUTES: usize = 1440;

/// Consecutive minutes below target before target tracking scales in.
pub const SCALE_IN_MINUTES: u32 = 15;

/// The day's load as a multiplier of peak, minute by minute.
pub type DayCurve = [f64; MINUTES];

/// A scaling policy as simulated here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    Reactive,
    Predictive,
}

impl Policy {
    pub const ALL: [Self; 2] = [Self::Reactive, Self::Predictive];

    pub fn label(self) -> &'static str {
        match self {
            Self::Reactive => "reactive",
            Self::Predictive => "predictive",
        }
    }
}

/// Where the day's shape came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileSource {
    /// The document's `traffic.daily_profile`.
    Document,
    /// No (usable) profile: every hour at peak.
    Flat,
}

/// What a group runs in its region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// Serves traffic and autoscales.
    Active,
    /// A warm-standby copy: a fixed size, no traffic.
    Standby,
}

/// One policy's day for one group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PolicyDay {
    /// Instances running (in service or warming up) × hours.
    pub instance_hours: f64,
    /// `instance_hours` × the group's hourly price, when known.
    pub cost_usd: Option<f64>,
    /// Minutes with p95 over the SLO, or saturated.
    pub minutes_over_slo: u32,
    /// Minutes with offered load at or above full capacity.
    pub minutes_saturated: u32,
    /// Minutes with fewer instances in service than the load needs at target.
    pub minutes_short: u32,
    /// Largest (offered − in service × `rps_per_instance`) of the day, ≥ 0.
    pub peak_shortfall_rps: f64,
    /// Largest (⌈offered ÷ `rps_per_instance`⌉ − in service) of the day.
    pub peak_shortfall_instances: u32,
    /// Most and fewest instances in service in any minute.
    pub peak_in_service: u32,
    pub least_in_service: u32,
}

/// One autoscaling group: a service node in one region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    pub node: String,
    pub name: String,
    pub region: String,
    pub role: GroupRole,
    pub instance_type: String,
    pub min: u32,
    pub max: u32,
    pub rps_per_instance: f64,
    pub warmup_secs: u32,
    pub metric_period_secs: u32,
    /// The highest offered load of the day.
    pub peak_rps: f64,
    /// On-demand hourly price of one instance here, after the document's
    /// discount; `None` when the catalog has no price for it.
    pub usd_per_hour: Option<f64>,
    pub reactive: PolicyDay,
    pub predictive: PolicyDay,
    /// E.g. "predictive saves 1.2 instance-hours and 6 minutes over SLO".
    pub verdict: String,
}

/// One policy summed over every group.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PolicyTotals {
    pub instance_hours: f64,
    /// `None` when some group has no price (the notes name it).
    pub cost_usd: Option<f64>,
    /// Group-minutes: a minute counts once per group over the SLO in it.
    pub minutes_over_slo: u32,
    pub minutes_saturated: u32,
    /// Groups with at least one minute over the SLO.
    pub groups_over_slo: u32,
    /// Groups with at least one minute short.
    pub groups_short: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    pub reactive: PolicyTotals,
    pub predictive: PolicyTotals,
    pub verdict: String,
}

/// The day of every autoscaling group of a document under both policies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DayReport {
    pub name: String,
    pub variant: Variant,
    pub slo_p95_ms: f64,
    pub profile: ProfileSource,
    /// Groups by node in document order, then region in document order.
    pub groups: Vec<GroupReport>,
    pub totals: Totals,
    pub notes: Vec<String>,
}

/// The day curve of a 24-hour profile (see the module docs); `None`, or a
/// profile without 24 values, is flat at 1. Values are clamped to `0..=1`
/// and a non-finite one counts as 1, as the cost engine reads them.
pub fn day_curve(profile: Option<&[f64]>) -> DayCurve {
    let Some(hours) = hourly(profile) else {
        return [1.0; MINUTES];
    };
    let mut curve = [0.0; MINUTES];
    for (t, m) in curve.iter_mut().enumerate() {
        // Minutes since 00:30 (hour 0's anchor), wrapping: 00:00 is 23:30 + 30 min.
        let since = (t + MINUTES - 30) % MINUTES;
        let (h, into) = (since / 60, since % 60);
        let frac = into as f64 / 60.0;
        *m = hours[h] * (1.0 - frac) + hours[(h + 1) % 24] * frac;
    }
    curve
}

/// The 24 hourly multipliers as the cost engine reads them, if usable.
fn hourly(profile: Option<&[f64]>) -> Option<[f64; 24]> {
    let p = profile.filter(|p| p.len() == 24)?;
    let mut out = [0.0; 24];
    for (o, v) in out.iter_mut().zip(p) {
        *o = if v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            1.0
        };
    }
    Some(out)
}

/// One minute of a traced group (see [`trace_group`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Minute {
    pub offered_rps: f64,
    pub in_service: u32,
    /// In service plus warming up: what is billed.
    pub running: u32,
}

/// The minute-by-minute state of one group under one policy; `peak_rps` is
/// its load at peak (the day's load is `peak_rps × curve[t]`).
pub fn trace_group(
    spec: &ServiceSpec,
    peak_rps: f64,
    curve: &DayCurve,
    policy: Policy,
) -> Vec<Minute> {
    let mut out = Vec::with_capacity(MINUTES);
    let mut scratch = Scratch::default();
    run(
        policy,
        &Params::of(spec),
        peak_rps,
        curve,
        &mut scratch,
        &mut out,
    );
    out
}

/// One group's day under one policy, without a price.
pub fn simulate_group(
    spec: &ServiceSpec,
    peak_rps: f64,
    curve: &DayCurve,
    slo_p95_ms: f64,
    policy: Policy,
) -> PolicyDay {
    let mut scratch = Scratch::default();
    let mut edges = SloEdges::new(spec, slo_p95_ms);
    simulate(
        policy,
        &Params::of(spec),
        peak_rps,
        curve,
        &mut edges,
        &mut scratch,
    )
}

/// Every autoscaling group's day under both policies (see the module docs).
pub fn simulate_day(topology: &Topology) -> DayReport {
    let meta = topology.meta();
    let variant = Variant::of(&meta.deployment);
    let load = Load::compute(topology);
    let profile = meta.traffic.daily_profile.as_deref();
    let hours = hourly(profile);
    let source = if hours.is_some() {
        ProfileSource::Document
    } else {
        ProfileSource::Flat
    };
    let curve = day_curve(profile);
    let hours = hours.unwrap_or([1.0; 24]);
    let slo = meta.slo.p95_ms;
    let regions: Vec<String> = meta.regions.iter().map(|r| r.id.clone()).collect();
    let primary = meta
        .primary_region()
        .and_then(|p| regions.iter().position(|r| *r == p.id))
        .unwrap_or(0);

    let mut notes = Vec::new();
    if source == ProfileSource::Flat {
        notes.push(
            "no daily profile (traffic.daily_profile): every hour at peak, so both policies hold \
             one size all day"
                .to_owned(),
        );
    }
    let mut groups = Vec::new();
    let mut scratch = Scratch::default();
    let mut placed = vec![false; regions.len()];
    let mut roles = vec![Role::Absent; regions.len()];
    let mut pilot_light = 0usize;
    for (ix, node) in topology.nodes_indexed() {
        let NodeSpec::Service(spec) = &node.spec else {
            continue;
        };
        for (slot, p) in placed.iter_mut().enumerate() {
            *p = node.placement.contains_key(&regions[slot]);
        }
        sizing::roles(&placed, variant, primary, &mut roles);
        let params = Params::of(spec);
        let mut edges = SloEdges::new(spec, slo);
        // The warm-standby size follows the active group, as `topoplan cost` has it.
        let mut shadowed = None;
        for slot in 0..regions.len() {
            if roles[slot] != Role::Active {
                continue;
            }
            let rps = load.node_in(ix, &regions[slot]).total();
            if shadowed.is_none() || slot == primary {
                let azs = node
                    .placement
                    .get(&regions[slot])
                    .map_or(1, Vec::len)
                    .max(1);
                shadowed = Some(sizing::active_group(spec, rps, rps, azs, &hours));
            }
            let reactive = simulate(
                Policy::Reactive,
                &params,
                rps,
                &curve,
                &mut edges,
                &mut scratch,
            );
            let predictive = simulate(
                Policy::Predictive,
                &params,
                rps,
                &curve,
                &mut edges,
                &mut scratch,
            );
            let peak_rps = rps * curve.iter().copied().fold(0.0, f64::max);
            groups.push(group(
                node,
                spec,
                &regions[slot],
                GroupRole::Active,
                peak_rps,
                reactive,
                predictive,
            ));
        }
        for slot in 0..regions.len() {
            if roles[slot] != Role::Standby {
                continue;
            }
            if variant != Variant::WarmStandby {
                pilot_light += 1;
                continue;
            }
            let Some(active) = &shadowed else { continue };
            let h = sizing::standby_group(active, meta.deployment.warm_standby_fraction);
            let day = PolicyDay {
                instance_hours: f64::from(h.instances.iter().sum::<u32>()),
                peak_in_service: h.peak(),
                least_in_service: h.instances.iter().copied().min().unwrap_or(0),
                ..PolicyDay::default()
            };
            groups.push(group(
                node,
                spec,
                &regions[slot],
                GroupRole::Standby,
                0.0,
                day.clone(),
                day,
            ));
        }
    }
    if pilot_light > 0 {
        notes.push(format!(
            "pilot light: {pilot_light} standby service group(s) run no instances until failover \
             and are not listed"
        ));
    }

    price(&mut groups, meta, &regions, &mut notes);

    let totals = Totals {
        reactive: totals(&groups, |g| &g.reactive),
        predictive: totals(&groups, |g| &g.predictive),
        verdict: String::new(),
    };
    let verdict = verdict(
        totals.reactive.instance_hours - totals.predictive.instance_hours,
        i64::from(totals.reactive.minutes_over_slo) - i64::from(totals.predictive.minutes_over_slo),
        "group-minutes",
    );
    DayReport {
        name: meta.name.clone(),
        variant,
        slo_p95_ms: slo,
        profile: source,
        groups,
        totals: Totals { verdict, ..totals },
        notes,
    }
}

/// Prices every group's day: the EC2 on-demand hourly price of its
/// instance type in its region (overrides and discount applied).
fn price(
    groups: &mut [GroupReport],
    meta: &crate::model::Meta,
    regions: &[String],
    notes: &mut Vec<String>,
) {
    let discount = 1.0 - meta.pricing.discount_percent.clamp(0.0, 100.0) / 100.0;
    let mut pricer = match Catalog::embedded() {
        Ok(catalog) => Pricer::new(catalog, &meta.pricing.overrides, regions),
        Err(e) => {
            notes.push(format!("price catalog: {e}; instance-hours only"));
            return;
        }
    };
    let mut unpriced = Vec::new();
    for g in groups {
        let slot = regions.iter().position(|r| *r == g.region).unwrap_or(0);
        let price = match pricer.at(Service::Ec2, &g.instance_type, slot) {
            Ok(id) => pricer.prices.get(id).map(|r| r.unit_usd * discount),
            Err(e) => {
                unpriced.push(format!("{} in {}: {e}", g.node, g.region));
                None
            }
        };
        g.usd_per_hour = price;
        g.reactive.cost_usd = price.map(|usd| usd * g.reactive.instance_hours);
        g.predictive.cost_usd = price.map(|usd| usd * g.predictive.instance_hours);
    }
    if !unpriced.is_empty() {
        let shown: Vec<&str> = unpriced.iter().take(5).map(String::as_str).collect();
        notes.push(format!(
            "no price for {} group(s), instance-hours only there: {}{}",
            unpriced.len(),
            shown.join("; "),
            if unpriced.len() > shown.len() {
                "; …"
            } else {
                ""
            }
        ));
    }
}

fn group(
    node: &crate::model::Node,
    spec: &ServiceSpec,
    region: &str,
    role: GroupRole,
    peak_rps: f64,
    reactive: PolicyDay,
    predictive: PolicyDay,
) -> GroupReport {
    let verdict = match role {
        GroupRole::Active => verdict(
            reactive.instance_hours - predictive.instance_hours,
            i64::from(reactive.minutes_over_slo) - i64::from(predictive.minutes_over_slo),
            "minutes",
        ),
        GroupRole::Standby => "standby copy: a fixed size without traffic, the same under both \
                               policies"
            .to_owned(),
    };
    GroupReport {
        node: node.id.clone(),
        name: node.name.clone(),
        region: region.to_owned(),
        role,
        instance_type: spec.instance_type.clone(),
        min: spec.min,
        max: spec.max,
        rps_per_instance: spec.rps_per_instance,
        warmup_secs: spec.warmup_secs,
        metric_period_secs: spec.metric_period_secs,
        peak_rps,
        usd_per_hour: None,
        reactive,
        predictive,
        verdict,
    }
}

fn totals(groups: &[GroupReport], day: impl Fn(&GroupReport) -> &PolicyDay) -> PolicyTotals {
    let mut t = PolicyTotals {
        cost_usd: Some(0.0),
        ..PolicyTotals::default()
    };
    for g in groups {
        let d = day(g);
        t.instance_hours += d.instance_hours;
        t.cost_usd = t.cost_usd.zip(d.cost_usd).map(|(a, b)| a + b);
        t.minutes_over_slo += d.minutes_over_slo;
        t.minutes_saturated += d.minutes_saturated;
        t.groups_over_slo += u32::from(d.minutes_over_slo > 0);
        t.groups_short += u32::from(d.minutes_short > 0);
    }
    t
}

/// "predictive saves 1.2 instance-hours and 6 minutes over SLO", from what
/// predictive saves against reactive (negative: what it costs more);
/// `minutes` names the unit ("minutes", "group-minutes").
fn verdict(saved_hours: f64, saved_minutes: i64, minutes: &str) -> String {
    let cheaper = saved_hours >= 0.05;
    let hours = if cheaper {
        format!("{saved_hours:.1} instance-hours")
    } else if saved_hours <= -0.05 {
        format!("costs {:.1} more instance-hours", -saved_hours)
    } else {
        "runs the same instance-hours".to_owned()
    };
    let over = match saved_minutes {
        0 => format!("has the same {minutes} over SLO"),
        m if m > 0 => format!("{m} {minutes} over SLO"),
        m => format!("adds {} {minutes} over SLO", -m),
    };
    if cheaper {
        format!("predictive saves {hours} and {over}")
    } else if saved_minutes > 0 {
        format!("predictive {hours} and saves {over}")
    } else {
        format!("predictive {hours} and {over}")
    }
}

/// A group's settings in the simulation's units.
#[derive(Clone, Copy, Debug)]
struct Params {
    floor: u32,
    ceiling: u32,
    rps_per_instance: f64,
    /// 1 ÷ `rps_per_instance` (infinite when that is not positive: any load
    /// needs more than any group).
    per_rps: f64,
    /// Full rate of one instance (at 100% CPU).
    full_rps: f64,
    /// Warm-up in whole minutes, at most a day.
    warm: usize,
    /// Metric period in whole minutes, at least 1, at most a day.
    period: usize,
}

impl Params {
    fn of(spec: &ServiceSpec) -> Self {
        let minutes = |secs: u32| usize::try_from(secs.div_ceil(60)).unwrap_or(MINUTES);
        Self {
            floor: spec.min.min(spec.max),
            ceiling: spec.max,
            rps_per_instance: spec.rps_per_instance,
            per_rps: if spec.rps_per_instance > 0.0 {
                1.0 / spec.rps_per_instance
            } else {
                f64::INFINITY
            },
            full_rps: queueing::full_rate(spec.rps_per_instance, spec.target_cpu),
            warm: minutes(spec.warmup_secs).min(MINUTES),
            period: minutes(spec.metric_period_secs).clamp(1, MINUTES),
        }
    }

    /// Instances the load needs at target, before clamping: ⌈load ÷ rps⌉
    /// (a hair of tolerance so 3.0000000001 instances is 3).
    fn need(&self, offered: f64) -> u32 {
        if offered.is_nan() || offered <= 0.0 {
            return 0;
        }
        ceil_whole(offered * self.per_rps - 1e-9)
    }

    /// The most a group of `n` in service carries without being short:
    /// `need(offered) > n` exactly when `offered > target_capacity(n)`.
    fn target_capacity(&self, n: u32) -> f64 {
        (f64::from(n) + 1e-9) / self.per_rps
    }

    fn clamp(&self, n: u32) -> u32 {
        n.clamp(self.floor, self.ceiling)
    }
}

/// ⌈x⌉ as `u32`, saturating (0 for NaN and x ≤ 0), without a call into
/// libm: the baseline x86-64 target has no rounding instruction, and this
/// runs for every minute of every group.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "x is in 0..u32::MAX here"
)]
fn ceil_whole(x: f64) -> u32 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    if x >= f64::from(u32::MAX) {
        return u32::MAX;
    }
    let n = x as u32;
    if f64::from(n) < x { n + 1 } else { n }
}

/// Buffers reused from group to group.
#[derive(Debug, Default)]
struct Scratch {
    /// Reactive: launches in flight, (minute they serve from, count).
    launches: VecDeque<(usize, u32)>,
    /// Predictive: instances needed by minute, and the sliding-max window.
    needs: Vec<u32>,
    window: Vec<usize>,
}

/// The highest load within the SLO for each in-service count, memoised:
/// the count changes a few times a day, the load every minute.
#[derive(Debug)]
struct SloEdges {
    rps_per_instance: f64,
    target_cpu: f64,
    base_ms: f64,
    budget_ms: f64,
    last: Option<(u32, f64)>,
    known: Vec<(u32, f64)>,
}

impl SloEdges {
    fn new(spec: &ServiceSpec, budget_ms: f64) -> Self {
        Self {
            rps_per_instance: spec.rps_per_instance,
            target_cpu: spec.target_cpu,
            base_ms: spec.latency_ms,
            budget_ms,
            last: None,
            known: Vec::new(),
        }
    }

    fn edge(&mut self, instances: u32) -> f64 {
        if let Some((n, edge)) = self.last
            && n == instances
        {
            return edge;
        }
        let edge = if let Some(&(_, e)) = self.known.iter().find(|(n, _)| *n == instances) {
            e
        } else {
            let e = queueing::max_rps_within(
                instances,
                self.rps_per_instance,
                self.target_cpu,
                self.base_ms,
                self.budget_ms,
            );
            self.known.push((instances, e));
            e
        };
        self.last = Some((instances, edge));
        edge
    }
}

/// Tallies one policy's day.
fn simulate(
    policy: Policy,
    p: &Params,
    peak_rps: f64,
    curve: &DayCurve,
    edges: &mut SloEdges,
    scratch: &mut Scratch,
) -> PolicyDay {
    let mut tally = Tally {
        p,
        edges,
        day: PolicyDay {
            least_in_service: u32::MAX,
            ..PolicyDay::default()
        },
        running_minutes: 0,
        current: None,
        short_above: 0.0,
        full: 0.0,
        slo_edge: 0.0,
    };
    run(policy, p, peak_rps, curve, scratch, &mut tally);
    let mut day = tally.day;
    day.instance_hours = tally.running_minutes as f64 / 60.0;
    day
}

/// What a policy's run reports each minute to.
trait Sink {
    fn minute(&mut self, offered_rps: f64, in_service: u32, running: u32);
}

impl Sink for Vec<Minute> {
    fn minute(&mut self, offered_rps: f64, in_service: u32, running: u32) {
        self.push(Minute {
            offered_rps,
            in_service,
            running,
        });
    }
}

/// Counts a policy's day as it runs.
struct Tally<'a> {
    p: &'a Params,
    edges: &'a mut SloEdges,
    day: PolicyDay,
    running_minutes: u64,
    /// The in-service count the thresholds below are for: it changes a
    /// few times a day, the load every minute.
    current: Option<u32>,
    short_above: f64,
    full: f64,
    slo_edge: f64,
}

impl Tally<'_> {
    #[inline(never)]
    fn count_changed(&mut self, in_service: u32) {
        self.current = Some(in_service);
        self.day.peak_in_service = self.day.peak_in_service.max(in_service);
        self.day.least_in_service = self.day.least_in_service.min(in_service);
        self.short_above = self.p.target_capacity(in_service);
        self.full = f64::from(in_service) * self.p.full_rps;
        self.slo_edge = self.edges.edge(in_service);
    }

    #[cold]
    fn short(&mut self, offered: f64, in_service: u32) {
        let day = &mut self.day;
        day.minutes_short += 1;
        let short = self.p.need(offered).saturating_sub(in_service);
        day.peak_shortfall_instances = day.peak_shortfall_instances.max(short);
        let rps = offered - f64::from(in_service) * self.p.rps_per_instance;
        day.peak_shortfall_rps = day.peak_shortfall_rps.max(rps);
    }
}

impl Sink for Tally<'_> {
    #[inline]
    fn minute(&mut self, offered: f64, in_service: u32, running: u32) {
        self.running_minutes += u64::from(running);
        if self.current != Some(in_service) {
            self.count_changed(in_service);
        }
        let saturated = offered > 0.0 && offered >= self.full;
        self.day.minutes_saturated += u32::from(saturated);
        self.day.minutes_over_slo += u32::from(saturated || offered > self.slo_edge);
        if offered > self.short_above {
            self.short(offered, in_service);
        }
    }
}

/// Runs one policy over the day, reporting every minute to `sink` in order.
#[inline]
fn run(
    policy: Policy,
    p: &Params,
    peak_rps: f64,
    curve: &DayCurve,
    scratch: &mut Scratch,
    sink: &mut impl Sink,
) {
    let peak = if peak_rps.is_finite() && peak_rps > 0.0 {
        peak_rps
    } else {
        0.0
    };
    match policy {
        Policy::Reactive => reactive(p, peak, curve, &mut scratch.launches, sink),
        Policy::Predictive => predictive(
            p,
            peak,
            curve,
            &mut scratch.needs,
            &mut scratch.window,
            sink,
        ),
    }
}

#[inline]
fn reactive(
    p: &Params,
    peak: f64,
    curve: &DayCurve,
    launches: &mut VecDeque<(usize, u32)>,
    sink: &mut impl Sink,
) {
    launches.clear();
    let mut in_service = p.clamp(p.need(peak * curve[0]));
    let mut launching = 0u32;
    let mut below_target = 0u32;
    let (mut period_sum, mut period_minutes) = (0.0, 0usize);
    // Thresholds of the current counts, recomputed when they change (a few
    // times a day) rather than dividing every minute.
    let mut at_target = 0.0;
    let (mut out_above, mut in_at_most) = (0.0, 0.0);
    let mut stale = true;
    let mut next_ready = usize::MAX;
    for (t, &m) in curve.iter().enumerate() {
        while next_ready <= t {
            if let Some((_, n)) = launches.pop_front() {
                in_service += n;
                launching -= n;
            }
            next_ready = launches.front().map_or(usize::MAX, |&(ready, _)| ready);
            stale = true;
        }
        if stale {
            stale = false;
            at_target = f64::from(in_service) * p.rps_per_instance;
            let total = in_service + launching;
            // need(avg) > total, and max allows more.
            out_above = if total < p.ceiling {
                p.target_capacity(total)
            } else {
                f64::INFINITY
            };
            // need(avg) < in service, and min allows fewer.
            in_at_most = if in_service > p.floor {
                p.target_capacity(in_service - 1)
            } else {
                f64::NEG_INFINITY
            };
        }
        let offered = peak * m;
        sink.minute(offered, in_service, in_service + launching);

        if offered < at_target {
            below_target += 1;
        } else {
            below_target = 0;
        }
        period_sum += offered;
        period_minutes += 1;
        if period_minutes < p.period {
            continue;
        }
        // The end of a metric period: evaluate the period's average load.
        let minutes = period_minutes as f64;
        let sum = period_sum;
        (period_sum, period_minutes) = (0.0, 0);
        if sum > out_above * minutes {
            let wanted = p.clamp(p.need(sum / minutes));
            let n = wanted - in_service - launching;
            // Launched at the end of minute t, in service after the warm-up.
            launches.push_back((t + 1 + p.warm, n));
            next_ready = next_ready.min(t + 1 + p.warm);
            launching += n;
            stale = true;
        } else if launching == 0 && below_target >= SCALE_IN_MINUTES && sum <= in_at_most * minutes
        {
            in_service = p.clamp(p.need(sum / minutes));
            below_target = 0;
            stale = true;
        }
    }
}

#[inline]
fn predictive(
    p: &Params,
    peak: f64,
    curve: &DayCurve,
    needs: &mut Vec<u32>,
    window: &mut Vec<usize>,
    sink: &mut impl Sink,
) {
    needs.clear();
    needs.extend(curve.iter().map(|&m| p.clamp(p.need(peak * m))));
    // Running at t: the largest need of t..=t + warm, by a monotone
    // sliding-window maximum. The day wraps: the first `warm` minutes
    // follow the last again. `window[head..]` holds indices into `needs`
    // with decreasing needs; one index at most leaves it per step.
    let warm = p.warm.min(MINUTES - 1);
    needs.extend_from_within(..warm);
    window.clear();
    let mut head = 0;
    for s in 0..needs.len() {
        let v = needs[s];
        while window.len() > head && window.last().is_some_and(|&b| needs[b] <= v) {
            window.pop();
        }
        window.push(s);
        let Some(t) = s.checked_sub(warm) else {
            continue;
        };
        if window[head] < t {
            head += 1;
        }
        sink.minute(peak * curve[t], needs[t], needs[window[head]]);
    }
}

#[cfg(test)]
#[expect(
    clippy::float_cmp,
    reason = "exact values: a flat curve is exactly 1 everywhere"
)]
mod tests {
    use super::*;
    use crate::model::{EntryPoint, Meta, Node, NodeKind, Region, RegionRole};

    fn spec(rps_per_instance: f64, min: u32, max: u32, warmup_secs: u32) -> ServiceSpec {
        ServiceSpec {
            min,
            desired: min,
            max,
            rps_per_instance,
            warmup_secs,
            metric_period_secs: 60,
            target_cpu: 0.7,
            latency_ms: 30.0,
            ..ServiceSpec::default()
        }
    }

    /// One region, one service taking all of `peak_rps`.
    fn one_service(s: ServiceSpec, peak_rps: f64, profile: Option<Vec<f64>>) -> Topology {
        let mut meta = Meta::new("one service");
        meta.regions = vec![Region::new(
            "us-east-1",
            RegionRole::Primary,
            &["us-east-1a"],
        )];
        meta.traffic.entry = vec![EntryPoint::new("svc")];
        meta.traffic.peak_rps = peak_rps;
        meta.traffic.daily_profile = profile;
        let mut t = Topology::new(meta);
        let mut node = Node::new("svc", NodeKind::Service).placed("us-east-1", &["us-east-1a"]);
        node.spec = NodeSpec::Service(s);
        t.add_node(node).unwrap();
        t
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn the_curve_sits_each_hour_at_its_middle_and_wraps_at_midnight() {
        let profile: Vec<f64> = (0..24).map(|h| f64::from(h) / 23.0).collect();
        let c = day_curve(Some(&profile));
        for (h, &m) in profile.iter().enumerate() {
            assert!(close(c[60 * h + 30], m), "hour {h}");
        }
        // 00:00 is halfway from 23:30 (1.0) to 00:30 (0.0).
        assert!(close(c[0], 0.5));
        assert!(close(c[60], 0.5 / 23.0));
        assert!(close(c[45], 0.25 / 23.0));
        assert_eq!(day_curve(None), [1.0; MINUTES]);
        assert_eq!(day_curve(Some(&[0.5; 23])), [1.0; MINUTES]);
    }

    #[test]
    fn a_flat_day_is_the_same_under_both_policies_and_within_the_slo() {
        // 1,000 rps at 100 per instance: 10 instances, 70% busy, all day.
        let t = one_service(spec(100.0, 2, 20, 300), 1000.0, None);
        let r = simulate_day(&t);
        assert_eq!(r.profile, ProfileSource::Flat);
        assert!(r.notes.iter().any(|n| n.contains("no daily profile")));
        assert_eq!(r.groups.len(), 1);
        let g = &r.groups[0];
        assert_eq!(g.reactive, g.predictive);
        assert!(close(g.reactive.instance_hours, 240.0));
        assert_eq!(g.reactive.minutes_over_slo, 0);
        assert_eq!(g.reactive.minutes_short, 0);
        assert_eq!(g.reactive.minutes_saturated, 0);
        assert_eq!(
            (g.reactive.peak_in_service, g.reactive.least_in_service),
            (10, 10)
        );
        // m6i.large has a catalog price in us-east-1.
        let usd = g.usd_per_hour.unwrap();
        assert!(close(g.reactive.cost_usd.unwrap(), 240.0 * usd));
        assert_eq!(
            g.verdict,
            "predictive runs the same instance-hours and has the same minutes over SLO"
        );
        assert!(close(r.totals.reactive.instance_hours, 240.0));
    }

    /// A true step from 0.2 to 1.0 of 1,000 rps at noon, 100 rps per
    /// instance, warm-up 5 min, metric period 1 min.
    #[test]
    fn after_a_step_reactive_is_short_for_warm_up_plus_a_period_and_predictive_is_not() {
        let mut curve = [0.2; MINUTES];
        curve[720..].fill(1.0);
        let s = spec(100.0, 1, 20, 300);
        let reactive = simulate_group(&s, 1000.0, &curve, 300.0, Policy::Reactive);
        let predictive = simulate_group(&s, 1000.0, &curve, 300.0, Policy::Predictive);
        // Evaluated at the end of minute 720, in service from 726: short in
        // minutes 720..=725, and 2 instances (286 rps at full rate) are
        // saturated by 1,000 rps.
        assert_eq!(reactive.minutes_short, 6);
        assert_eq!(reactive.minutes_saturated, 6);
        assert_eq!(reactive.minutes_over_slo, 6);
        assert!(close(reactive.peak_shortfall_rps, 800.0));
        assert_eq!(reactive.peak_shortfall_instances, 8);
        // Billed: 2 until minute 720, then 10 from the launch at minute 721.
        assert!(close(
            reactive.instance_hours,
            f64::from(2 * 721 + 10 * 719) / 60.0
        ));
        assert_eq!(predictive.minutes_short, 0);
        assert_eq!(predictive.minutes_over_slo, 0);
        assert_eq!(predictive.peak_shortfall_instances, 0);
        // Predictive launches the 8 extra at minute 715.
        assert!(close(
            predictive.instance_hours,
            f64::from(2 * 715 + 10 * 725) / 60.0
        ));
        assert_eq!(
            verdict(
                reactive.instance_hours - predictive.instance_hours,
                6,
                "minutes"
            ),
            "predictive costs 0.8 more instance-hours and saves 6 minutes over SLO"
        );

        // A five-minute metric period: the period 720..=724 is evaluated at
        // its end, in service from 730: short for 5 + 5 minutes.
        let slow = ServiceSpec {
            metric_period_secs: 300,
            ..s.clone()
        };
        let reactive = simulate_group(&slow, 1000.0, &curve, 300.0, Policy::Reactive);
        assert_eq!(reactive.minutes_short, 10);
        let trace = trace_group(&slow, 1000.0, &curve, Policy::Reactive);
        assert_eq!(trace[729].in_service, 2);
        assert_eq!(trace[730].in_service, 10);
        assert_eq!(trace[725].running, 10);
    }

    /// The same step as a daily profile: hours 0-11 at 0.2, 12-23 at 1.0,
    /// i.e. a one-hour ramp from 11:30 to 12:30 (and down across midnight).
    #[test]
    fn on_a_profile_step_reactive_lags_the_ramp_and_predictive_keeps_up() {
        let mut profile = vec![0.2; 12];
        profile.extend([1.0; 12]);
        let t = one_service(spec(100.0, 1, 20, 300), 1000.0, Some(profile));
        let r = simulate_day(&t);
        assert_eq!(r.profile, ProfileSource::Document);
        let g = &r.groups[0];
        assert_eq!(g.predictive.minutes_short, 0);
        assert_eq!(g.predictive.minutes_over_slo, 0);
        assert!(g.reactive.minutes_short > 0);
        let trace = trace_group(
            &spec(100.0, 1, 20, 300),
            1000.0,
            &day_curve(t.meta().traffic.daily_profile.as_deref()),
            Policy::Reactive,
        );
        let short: Vec<usize> = (0..MINUTES)
            .filter(|&m| trace[m].offered_rps > f64::from(trace[m].in_service) * 100.0 + 1e-9)
            .collect();
        // Only on the way up, and caught up within warm-up + period of its top.
        assert!(
            short.iter().all(|&m| (690..=750 + 6).contains(&m)),
            "{short:?}"
        );
        // Each minute on the ramp adds 13.3 rps; the group serves what the
        // load was 6 minutes earlier, rounded up to 100s: short when the
        // ramp crossed a multiple of 100 within the last 6 minutes.
        let load = |m: usize| (200.0 + 800.0 * (m as f64 - 690.0) / 60.0).clamp(200.0, 1000.0);
        let by_hand = (690..=760)
            .filter(|&m| load(m) > 100.0 * (load(m - 6) / 100.0 - 1e-9).ceil() + 1e-9)
            .count();
        assert_eq!(short.len(), by_hand);
        assert_eq!(g.reactive.minutes_short as usize, by_hand);
    }

    #[test]
    fn predictive_instance_hours_are_the_sum_of_the_needs() {
        // A smooth day, warm-up 0: predictive runs exactly ⌈load ÷ rps⌉ each minute.
        let profile: Vec<f64> = (0..24)
            .map(|h| 0.55 - 0.45 * (f64::from(h) * std::f64::consts::PI / 12.0).cos())
            .collect();
        let curve = day_curve(Some(&profile));
        let s = spec(50.0, 1, 100, 0);
        let by_hand: f64 = curve
            .iter()
            .map(|m| (2000.0 * m / 50.0 - 1e-9).ceil())
            .sum::<f64>()
            / 60.0;
        let day = simulate_group(&s, 2000.0, &curve, 300.0, Policy::Predictive);
        assert!(
            close(day.instance_hours, by_hand),
            "{} vs {by_hand}",
            day.instance_hours
        );
        // With a warm-up of 5 minutes it pays a little ahead of each rise: at
        // most one instance for 5 minutes per instance added over the day.
        let s = spec(50.0, 1, 100, 300);
        let ahead = simulate_group(&s, 2000.0, &curve, 300.0, Policy::Predictive);
        let rises = f64::from(ahead.peak_in_service - ahead.least_in_service);
        assert!(ahead.instance_hours >= by_hand);
        assert!(ahead.instance_hours <= by_hand + rises * 5.0 / 60.0 + 1e-9);
        // Reactive lags and so runs fewer instance-hours, but is short.
        let reactive = simulate_group(&s, 2000.0, &curve, 300.0, Policy::Reactive);
        assert!(reactive.minutes_short > 0);
        assert_eq!(ahead.minutes_short, 0);
    }

    #[test]
    fn clamping_at_max_reports_the_shortfall() {
        // 1,000 rps needs 10 at 100 each; max 6 serves 600 at target, 857 at
        // full rate: short by 400 rps and 4 instances, saturated all day.
        let t = one_service(spec(100.0, 2, 6, 300), 1000.0, None);
        let r = simulate_day(&t);
        for day in [&r.groups[0].reactive, &r.groups[0].predictive] {
            assert_eq!(day.peak_shortfall_instances, 4);
            assert!(close(day.peak_shortfall_rps, 400.0));
            assert_eq!(day.minutes_short, 1440);
            assert_eq!(day.minutes_saturated, 1440);
            assert_eq!(day.minutes_over_slo, 1440);
            assert!(close(day.instance_hours, 6.0 * 24.0));
        }
        assert_eq!(r.totals.reactive.groups_over_slo, 1);
    }

    #[test]
    fn reactive_scales_in_after_fifteen_minutes_below_target() {
        let mut curve = [1.0; MINUTES];
        curve[600..].fill(0.5);
        let s = spec(100.0, 1, 20, 300);
        let trace = trace_group(&s, 1000.0, &curve, Policy::Reactive);
        assert_eq!(trace[599].in_service, 10);
        // Below target from minute 600; the 15th such minute is 614.
        assert_eq!(trace[614].in_service, 10);
        assert_eq!(trace[615].in_service, 5);
        // Predictive drops at once.
        let trace = trace_group(&s, 1000.0, &curve, Policy::Predictive);
        assert_eq!((trace[599].in_service, trace[600].in_service), (10, 5));
        assert_eq!(trace[599].running, 10);
    }

    #[test]
    fn the_marketplace_template_has_active_and_standby_groups() {
        let t = crate::templates::find("marketplace")
            .unwrap()
            .load()
            .unwrap();
        let r = simulate_day(&t);
        assert_eq!(r.profile, ProfileSource::Document);
        assert_eq!(r.variant, Variant::WarmStandby);
        let active: Vec<_> = r
            .groups
            .iter()
            .filter(|g| g.role == GroupRole::Active)
            .collect();
        assert!(!active.is_empty());
        assert!(
            active
                .iter()
                .all(|g| g.region == "us-east-1" && g.peak_rps > 0.0)
        );
        assert!(
            r.groups
                .iter()
                .any(|g| g.role == GroupRole::Standby && g.region == "us-west-2")
        );
        for g in &r.groups {
            assert!(
                g.predictive.minutes_over_slo <= g.reactive.minutes_over_slo,
                "{}",
                g.node
            );
            assert!(g.usd_per_hour.is_some(), "{}", g.node);
        }
        assert!(r.totals.reactive.cost_usd.is_some());
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"predictive\""));
    }

    #[test]
    fn ten_thousand_nodes_simulate_quickly() {
        let t = crate::generate::synthetic(&crate::generate::SyntheticSpec::with_nodes(10_000));
        let start = std::time::Instant::now();
        let r = simulate_day(&t);
        let took = start.elapsed();
        assert!(r.groups.len() > 5000, "{}", r.groups.len());
        if !cfg!(debug_assertions) {
            assert!(took.as_secs_f64() < 0.5, "{took:?}");
        }
    }
}
