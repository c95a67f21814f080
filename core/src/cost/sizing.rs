//! What runs where under each deployment variant, and how many instances an
//! autoscaling group runs hour by hour.
//!
//! ## Roles
//!
//! - **Single**: a node runs in the primary region (or, if it is not placed
//!   there, in its first region); its other regions are not deployed.
//! - **Active-passive**: the primary is active; every other region a node is
//!   placed in holds a **standby** copy. Pilot light keeps the data tier
//!   (database replicas, replicated buckets, Kafka mirror) and the load
//!   balancers (cheap, and the DNS failover records point at them); services
//!   run no instances and caches are not deployed. Warm standby also runs
//!   `warm_standby_fraction` of the primary's instances (at least one) and
//!   each cache at its shard count without replicas.
//! - **Active-active**: every placed region is active and sized to carry the
//!   load it would receive after losing any one other region (see
//!   [`failover_load`]).
//!
//! ## Autoscaling groups
//!
//! Per hour of the daily profile (every hour at peak without one): needed =
//! load ÷ `rps_per_instance` (the rate one instance serves at its target
//! CPU). Spread over k ≥ 2 AZs the group is sized N+1 per AZ — k ×
//! ⌈needed ÷ (k − 1)⌉, so losing an AZ keeps the capacity — the reason to
//! spread it; in active-active the region-loss load (⌈failover load ÷ rps per
//! instance⌉) applies when it is larger. The result is clamped to
//! `min..=max`; the month is priced at the average over the day, not the max.

use crate::model::{Node, NodeSpec, ServiceSpec};

/// A deployment mode as the cost comparison distinguishes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    Single,
    PilotLight,
    WarmStandby,
    ActiveActive,
}

impl Variant {
    pub const ALL: [Self; 4] = [
        Self::Single,
        Self::PilotLight,
        Self::WarmStandby,
        Self::ActiveActive,
    ];

    /// The variant a document's own deployment settings describe.
    pub fn of(deployment: &crate::model::Deployment) -> Self {
        use crate::model::{DeploymentMode, Standby};
        match (deployment.mode, deployment.standby) {
            (DeploymentMode::Single, _) => Self::Single,
            (DeploymentMode::ActivePassive, Standby::PilotLight) => Self::PilotLight,
            (DeploymentMode::ActivePassive, Standby::WarmStandby) => Self::WarmStandby,
            (DeploymentMode::ActiveActive, _) => Self::ActiveActive,
        }
    }

    /// The document mode whose traffic flow this variant has.
    pub fn mode(self) -> crate::model::DeploymentMode {
        use crate::model::DeploymentMode;
        match self {
            Self::Single => DeploymentMode::Single,
            Self::PilotLight | Self::WarmStandby => DeploymentMode::ActivePassive,
            Self::ActiveActive => DeploymentMode::ActiveActive,
        }
    }

    /// Switches `deployment` to this variant, keeping its standby share and
    /// timings.
    pub fn apply_to(self, deployment: &mut crate::model::Deployment) {
        use crate::model::Standby;
        deployment.mode = self.mode();
        match self {
            Self::PilotLight => deployment.standby = Standby::PilotLight,
            Self::WarmStandby => deployment.standby = Standby::WarmStandby,
            Self::Single | Self::ActiveActive => {}
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::PilotLight => "pilot_light",
            Self::WarmStandby => "warm_standby",
            Self::ActiveActive => "active_active",
        }
    }

    /// The label without "active-passive" (for charts and narrow columns).
    pub fn short_label(self) -> &'static str {
        match self {
            Self::Single => "single",
            Self::PilotLight => "pilot light",
            Self::WarmStandby => "warm standby",
            Self::ActiveActive => "active-active",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Single => "single region",
            Self::PilotLight => "active-passive, pilot light",
            Self::WarmStandby => "active-passive, warm standby",
            Self::ActiveActive => "active-active",
        }
    }

    /// Whether the variant needs a second region.
    pub fn is_multi_region(self) -> bool {
        self != Self::Single
    }
}

/// What a node runs in one region under a variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Absent,
    Active,
    Standby,
}

/// A node's role in each region slot (document order), written to `out`,
/// from whether it is placed in each slot.
pub fn roles(placed: &[bool], variant: Variant, primary: usize, out: &mut [Role]) {
    let home = if placed.get(primary).copied().unwrap_or(false) {
        Some(primary)
    } else {
        placed.iter().position(|&p| p)
    };
    for (slot, role) in out.iter_mut().enumerate() {
        *role = if !placed.get(slot).copied().unwrap_or(false) {
            Role::Absent
        } else if Some(slot) == home {
            Role::Active
        } else {
            match variant {
                Variant::Single => Role::Absent,
                Variant::PilotLight | Variant::WarmStandby => Role::Standby,
                Variant::ActiveActive => Role::Active,
            }
        };
    }
}

/// Active-active: the load each active region must carry after losing the
/// worst other region, by slot, from the peak load per slot (`rps`) and the
/// regions' serving weights. A lost region's traffic moves to the others in
/// proportion to their weights (equally when they have none). With N equal
/// regions this is N/(N−1) of a region's share.
pub fn failover_load(rps: &[f64], weights: &[f64], active: &[bool]) -> Vec<f64> {
    let slots: Vec<usize> = (0..rps.len()).filter(|&s| active[s]).collect();
    let n = slots.len();
    rps.iter()
        .enumerate()
        .map(|(r, &own)| {
            if !active[r] || n < 2 {
                return own;
            }
            let extra = slots
                .iter()
                .filter(|&&j| j != r)
                .map(|&j| {
                    let rest: f64 = slots
                        .iter()
                        .filter(|&&k| k != j)
                        .map(|&k| weights[k].max(0.0))
                        .sum();
                    let share = if rest > 1e-12 {
                        weights[r].max(0.0) / rest
                    } else {
                        1.0 / (n - 1) as f64
                    };
                    rps[j] * share
                })
                .fold(0.0, f64::max);
            own + extra
        })
        .collect()
}

/// Instances an autoscaling group runs in each hour of the day.
#[derive(Clone, Debug, PartialEq)]
pub struct Hourly {
    pub instances: [u32; 24],
    /// The hours in which the group needed more than `max`.
    pub saturated_hours: u32,
    /// The most it needed (before clamping), for the warning.
    pub peak_needed: u32,
}

impl Hourly {
    pub fn average(&self) -> f64 {
        f64::from(self.instances.iter().sum::<u32>()) / 24.0
    }

    pub fn peak(&self) -> u32 {
        self.instances.iter().copied().max().unwrap_or(0)
    }
}

/// Sizes an active group: `rps` is its load at peak in this region,
/// `failover_rps` what it must carry after a region loss (equal to `rps`
/// outside active-active), `azs` the AZs it spans here.
pub fn active_group(
    spec: &ServiceSpec,
    rps: f64,
    failover_rps: f64,
    azs: usize,
    profile: &[f64; 24],
) -> Hourly {
    let per_instance = if spec.rps_per_instance > 0.0 {
        spec.rps_per_instance
    } else {
        f64::INFINITY
    };
    let size = |m: f64| {
        let needed = (rps * m / per_instance).max(0.0);
        let az_sized = if azs >= 2 {
            azs as f64 * (needed / (azs - 1) as f64).ceil()
        } else {
            needed.ceil()
        };
        let region_sized = (failover_rps * m / per_instance).max(0.0).ceil();
        whole(az_sized.max(region_sized))
    };
    let floor = spec.min.min(spec.max);
    let first = profile[0];
    if profile.iter().all(|m| m.to_bits() == first.to_bits()) {
        // A flat day (no profile): one size for every hour.
        let want = size(first);
        return Hourly {
            instances: [want.clamp(floor, spec.max); 24],
            saturated_hours: if want > spec.max { 24 } else { 0 },
            peak_needed: want,
        };
    }
    let mut instances = [0u32; 24];
    let mut saturated_hours = 0;
    let mut peak_needed = 0;
    for (h, &m) in profile.iter().enumerate() {
        let want = size(m);
        peak_needed = peak_needed.max(want);
        if want > spec.max {
            saturated_hours += 1;
        }
        instances[h] = want.clamp(floor, spec.max);
    }
    Hourly {
        instances,
        saturated_hours,
        peak_needed,
    }
}

/// Sizes a warm standby group from the active group it shadows.
pub fn standby_group(active: &Hourly, fraction: f64) -> Hourly {
    let mut instances = [0u32; 24];
    for (h, &n) in active.instances.iter().enumerate() {
        instances[h] = whole((f64::from(n) * fraction.clamp(0.0, 1.0)).ceil()).max(1);
    }
    Hourly {
        instances,
        saturated_hours: 0,
        peak_needed: 0,
    }
}

/// A count already rounded, as `u32` (saturating; counts above 4 billion
/// instances are not a design).
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "clamped to u32's range first"
)]
fn whole(v: f64) -> u32 {
    if v.is_nan() {
        0
    } else {
        v.clamp(0.0, f64::from(u32::MAX)) as u32
    }
}

/// The service settings of a node, if it is a service.
pub fn service(node: &Node) -> Option<&ServiceSpec> {
    match &node.spec {
        NodeSpec::Service(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(min: u32, max: u32, rps_per_instance: f64) -> ServiceSpec {
        ServiceSpec {
            min,
            desired: min,
            max,
            rps_per_instance,
            ..ServiceSpec::default()
        }
    }

    #[test]
    fn a_group_over_three_azs_is_sized_n_plus_one_per_az() {
        // 3,000 rps at 400 per instance: 7.5 needed; over 3 AZs each AZ holds
        // ⌈7.5 / 2⌉ = 4, so losing one leaves 8 ≥ 7.5.
        let h = active_group(&spec(3, 15, 400.0), 3000.0, 3000.0, 3, &[1.0; 24]);
        assert_eq!(h.instances, [12; 24]);
        // One AZ: no spread to protect.
        let h = active_group(&spec(1, 15, 400.0), 3000.0, 3000.0, 1, &[1.0; 24]);
        assert_eq!(h.instances, [8; 24]);
    }

    #[test]
    fn a_group_is_clamped_to_min_and_max_and_reports_saturation() {
        let mut profile = [0.0; 24];
        profile[12] = 1.0;
        let h = active_group(&spec(3, 10, 100.0), 2000.0, 2000.0, 2, &profile);
        assert_eq!(h.instances[0], 3, "min holds at night");
        assert_eq!(h.instances[12], 10, "max caps the peak");
        assert_eq!(h.saturated_hours, 1);
        assert_eq!(h.peak_needed, 40);
        assert!((h.average() - (23.0 * 3.0 + 10.0) / 24.0).abs() < 1e-12);
    }

    #[test]
    fn failover_load_is_n_over_n_minus_one_for_equal_regions() {
        let w = [1.0 / 3.0; 3];
        let f = failover_load(&[100.0, 100.0, 100.0], &w, &[true; 3]);
        for v in f {
            assert!((v - 150.0).abs() < 1e-9, "{v}");
        }
        let f = failover_load(&[100.0, 100.0], &[0.5, 0.5], &[true; 2]);
        assert_eq!(f, vec![200.0, 200.0]);
        // 60/40: either region must carry everything when the other is lost.
        let f = failover_load(&[60.0, 40.0], &[0.6, 0.4], &[true; 2]);
        assert!(
            (f[0] - 100.0).abs() < 1e-9 && (f[1] - 100.0).abs() < 1e-9,
            "{f:?}"
        );
        // A region not deployed carries nothing extra.
        let f = failover_load(&[100.0, 0.0], &[1.0, 0.0], &[true, false]);
        assert_eq!(f, vec![100.0, 0.0]);
    }

    #[test]
    fn roles_follow_the_variant() {
        let mut out = [Role::Absent; 3];
        roles(&[true, true, false], Variant::Single, 0, &mut out);
        assert_eq!(out, [Role::Active, Role::Absent, Role::Absent]);
        roles(&[true, true, false], Variant::PilotLight, 0, &mut out);
        assert_eq!(out, [Role::Active, Role::Standby, Role::Absent]);
        roles(&[true, true, true], Variant::ActiveActive, 0, &mut out);
        assert_eq!(out, [Role::Active; 3]);
        // Not placed in the primary: its first region is home.
        roles(&[false, true, true], Variant::WarmStandby, 0, &mut out);
        assert_eq!(out, [Role::Absent, Role::Active, Role::Standby]);
    }

    #[test]
    fn warm_standby_runs_a_fraction_and_at_least_one() {
        let active = active_group(&spec(2, 20, 100.0), 1000.0, 1000.0, 2, &[1.0; 24]);
        assert_eq!(active.instances[0], 20);
        let standby = standby_group(&active, 0.25);
        assert_eq!(standby.instances[0], 5);
        let standby = standby_group(&active, 0.01);
        assert_eq!(standby.instances[0], 1);
    }
}
