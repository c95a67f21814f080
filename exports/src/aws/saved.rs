//! Saved plans (`plan --out plan.json`, `apply --plan plan.json`): the plan
//! with the account state it was made from, so that applying it later can
//! refuse — naming what changed — when the document or the account moved.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::desired::Desired;
use super::observed::{Observed, digest};
use super::plan::{PLAN_FORMAT, Plan};

/// A plan file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    /// What this file is, for a reader who finds it lying around.
    pub kind: String,
    pub plan: Plan,
    /// The account state the plan was made from.
    pub observed: Observed,
}

pub const KIND: &str = "topoplan AWS plan";

/// Why a saved plan cannot be applied.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum StaleError {
    #[error("not a topoplan AWS plan: {0}")]
    Unreadable(String),
    #[error(
        "the plan file has format {found}; this topoplan reads format {PLAN_FORMAT}: make a new plan"
    )]
    Format { found: u32 },
    #[error("the plan is for topology {planned}, the document is topology {document}")]
    Topology { planned: String, document: String },
    #[error("the document changed since the plan was made: make a new plan")]
    Document,
    #[error(
        "the plan was made {made}, but this apply asks {asked}: make a new plan with the same options"
    )]
    Options { made: String, asked: String },
    #[error("the account changed since the plan was made ({}): make a new plan", .0.join("; "))]
    Account(Vec<String>),
}

impl SavedPlan {
    pub fn new(plan: Plan, observed: Observed) -> Self {
        Self {
            kind: KIND.to_owned(),
            plan,
            observed,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<Self, StaleError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| StaleError::Unreadable(e.to_string()))?;
        if value.get("kind").and_then(serde_json::Value::as_str) != Some(KIND) {
            return Err(StaleError::Unreadable(format!(
                "expected \"kind\": \"{KIND}\""
            )));
        }
        let format = value
            .pointer("/plan/format")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or_default();
        if format != u64::from(PLAN_FORMAT) {
            return Err(StaleError::Format {
                found: u32::try_from(format).unwrap_or(u32::MAX),
            });
        }
        serde_json::from_value(value).map_err(|e| StaleError::Unreadable(e.to_string()))
    }

    /// Checks the plan still applies: same topology, same document, same
    /// options, same account state.
    pub fn check(
        &self,
        desired: &Desired,
        options: super::plan::PlanOptions,
        observed: &Observed,
    ) -> Result<(), StaleError> {
        if self.plan.topology_id != desired.topology_id {
            return Err(StaleError::Topology {
                planned: self.plan.topology_id.clone(),
                document: desired.topology_id.clone(),
            });
        }
        if self.plan.desired_fingerprint != digest(desired) {
            return Err(StaleError::Document);
        }
        if self.plan.options != options {
            let show = |o: super::plan::PlanOptions| {
                format!(
                    "{} prune and {} instance refresh",
                    if o.prune { "with" } else { "without" },
                    if o.instance_refresh {
                        "with"
                    } else {
                        "without"
                    }
                )
            };
            return Err(StaleError::Options {
                made: show(self.plan.options),
                asked: show(options),
            });
        }
        if self.plan.observed_fingerprint != observed.fingerprint() {
            return Err(StaleError::Account(changed(&self.observed, observed)));
        }
        Ok(())
    }
}

/// The resources that differ between two readings, named.
pub fn changed(before: &Observed, after: &Observed) -> Vec<String> {
    let mut out = Vec::new();
    let regions: BTreeSet<&String> = before.regions.keys().chain(after.regions.keys()).collect();
    let empty = super::observed::ObservedRegion::default();
    for region in regions {
        let a = before.regions.get(region).unwrap_or(&empty);
        let b = after.regions.get(region).unwrap_or(&empty);
        let mut diff = |kind: &str, x: Vec<(String, String)>, y: Vec<(String, String)>| {
            let names: BTreeSet<&String> = x.iter().chain(&y).map(|(n, _)| n).collect();
            for name in names {
                let old = x.iter().find(|(n, _)| n == name).map(|(_, d)| d);
                let new = y.iter().find(|(n, _)| n == name).map(|(_, d)| d);
                match (old, new) {
                    (Some(_), None) => out.push(format!("{region}: {kind} {name} is gone")),
                    (None, Some(_)) => out.push(format!("{region}: {kind} {name} appeared")),
                    (Some(o), Some(n)) if o != n => {
                        out.push(format!("{region}: {kind} {name} was modified"));
                    }
                    _ => {}
                }
            }
        };
        let lts = |r: &super::observed::ObservedRegion| {
            r.launch_templates
                .iter()
                .map(|t| (t.name.clone(), digest(t)))
                .collect()
        };
        let groups = |r: &super::observed::ObservedRegion| {
            r.groups
                .iter()
                .map(|g| {
                    let mut g = g.clone();
                    g.desired = 0;
                    (g.name.clone(), digest(&g))
                })
                .collect()
        };
        let policies = |r: &super::observed::ObservedRegion| {
            r.policies
                .iter()
                .map(|p| (p.name.clone(), digest(p)))
                .collect()
        };
        let subnets = |r: &super::observed::ObservedRegion| {
            r.subnets
                .iter()
                .map(|s| (s.id.clone(), digest(s)))
                .collect()
        };
        diff("launch template", lts(a), lts(b));
        diff("autoscaling group", groups(a), groups(b));
        diff("scaling policy", policies(a), policies(b));
        diff("subnet", subnets(a), subnets(b));
    }
    if out.is_empty() {
        out.push("its resources were read differently".to_owned());
    }
    out
}
