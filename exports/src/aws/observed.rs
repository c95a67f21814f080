//! What the account holds, as plain data: the launch templates, autoscaling
//! groups, scaling policies and subnets the planner needs to see, read by
//! [`super::account`] and compared by [`super::plan`]. Everything is sorted
//! so that the same account gives the same value (and fingerprint).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::desired::LaunchTemplateData;
use super::ownership::Tags;

/// Everything read from the account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// The account the credentials belong to (STS), when it was asked.
    pub account_id: Option<String>,
    pub regions: BTreeMap<String, ObservedRegion>,
}

/// One region: the resources tagged with this topology, the ones carrying
/// the names the document wants (whoever owns them), and the subnets the
/// document's lookups found.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ObservedRegion {
    pub launch_templates: Vec<ObservedLaunchTemplate>,
    pub groups: Vec<ObservedGroup>,
    pub policies: Vec<ObservedPolicy>,
    pub subnets: Vec<ObservedSubnet>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedLaunchTemplate {
    pub id: String,
    pub name: String,
    pub tags: Tags,
    pub default_version: i64,
    pub latest_version: i64,
    /// The default version's settings; `None` when they could not be read.
    pub default_data: Option<LaunchTemplateData>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedGroup {
    pub name: String,
    pub tags: Tags,
    pub min: i32,
    pub max: i32,
    /// Changed by the autoscaler at any time: not part of the fingerprint.
    pub desired: i32,
    /// Sorted.
    pub subnet_ids: Vec<String>,
    pub health_check_type: String,
    pub health_check_grace_secs: Option<i32>,
    /// Only reported by APIs that know it (moto does not).
    pub default_instance_warmup_secs: Option<i32>,
    pub launch_template: Option<TemplateRef>,
    /// Sorted.
    pub target_group_arns: Vec<String>,
    /// `Delete in progress` while AWS deletes it.
    pub status: Option<String>,
}

/// The launch template a group launches from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRef {
    pub id: Option<String>,
    pub name: Option<String>,
    /// A number, `$Latest` or `$Default`.
    pub version: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedPolicy {
    pub group: String,
    pub name: String,
    /// `TargetTrackingScaling`, `PredictiveScaling`, ...
    pub policy_type: String,
    /// Target tracking: the predefined metric and its target.
    pub metric: Option<String>,
    pub target_value: Option<f64>,
    pub estimated_warmup_secs: Option<i32>,
    pub disable_scale_in: Option<bool>,
    /// Predictive: `ForecastAndScale` or `ForecastOnly`.
    pub predictive_mode: Option<String>,
    pub scheduling_buffer_secs: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedSubnet {
    pub id: String,
    pub az: String,
    pub vpc_id: String,
    pub tags: Tags,
}

impl Observed {
    /// Sorts every list so equal accounts give equal values.
    pub fn normalize(&mut self) {
        for region in self.regions.values_mut() {
            region
                .launch_templates
                .sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
            region.launch_templates.dedup_by(|a, b| a.id == b.id);
            region.groups.sort_by(|a, b| a.name.cmp(&b.name));
            region.groups.dedup_by(|a, b| a.name == b.name);
            for g in &mut region.groups {
                g.subnet_ids.sort();
                g.target_group_arns.sort();
            }
            region
                .policies
                .sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
            region
                .policies
                .dedup_by(|a, b| a.group == b.group && a.name == b.name);
            region.subnets.sort_by(|a, b| a.id.cmp(&b.id));
            region.subnets.dedup_by(|a, b| a.id == b.id);
        }
    }

    /// A digest of everything a plan depends on: a saved plan is applied only
    /// while the account still gives the same fingerprint. Each group's live
    /// desired capacity is left out: the autoscaler changes it on its own,
    /// and no planned write depends on it.
    pub fn fingerprint(&self) -> String {
        let mut copy = self.clone();
        copy.normalize();
        copy.account_id = None;
        for region in copy.regions.values_mut() {
            for g in &mut region.groups {
                g.desired = 0;
            }
        }
        digest(&copy)
    }

    pub fn region(&self, id: &str) -> Option<&ObservedRegion> {
        self.regions.get(id)
    }
}

/// SHA-256 of the value's JSON (`serde_json` writes struct fields in
/// declaration order and maps sorted, so equal values give equal text).
pub fn digest<T: Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    hex(&Sha256::digest(&bytes))
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(name: &str, desired: i32) -> ObservedGroup {
        ObservedGroup {
            name: name.into(),
            tags: Tags::new(),
            min: 1,
            max: 9,
            desired,
            subnet_ids: vec!["subnet-b".into(), "subnet-a".into()],
            health_check_type: "EC2".into(),
            health_check_grace_secs: Some(300),
            default_instance_warmup_secs: None,
            launch_template: None,
            target_group_arns: Vec::new(),
            status: None,
        }
    }

    #[test]
    fn the_fingerprint_ignores_order_and_live_desired_capacity() {
        let mut a = Observed::default();
        let r = a.regions.entry("us-east-1".into()).or_default();
        r.groups = vec![group("x", 3), group("y", 3)];
        let mut b = Observed::default();
        let r = b.regions.entry("us-east-1".into()).or_default();
        r.groups = vec![group("y", 3), group("x", 7)];
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.regions.get_mut("us-east-1").unwrap().groups[0].max = 10;
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
