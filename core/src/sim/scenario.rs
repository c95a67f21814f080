//! Scenarios: sets of failed elements, as written on the command line
//! (`region:eu-west-1`, `az:us-east-1a`, `node:orders-db`,
//! `node:orders-db@eu-west-1`, `edge:api->db`, `degraded:api=0.5`), and what
//! they do to the units of a [`Compact`] graph.

use std::fmt;

use super::compact::Compact;
use super::engine::{Damage, DownCause, Engine};
use crate::load::az_bit;

/// One failed element.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// A whole node, in every region (or in one, with `region`).
    Node {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        region: Option<String>,
    },
    Az {
        id: String,
    },
    Region {
        id: String,
    },
    /// The network path of one edge.
    Edge {
        from: String,
        to: String,
    },
    /// A node running at a fraction of its capacity.
    Degraded {
        id: String,
        capacity: f64,
    },
}

impl Failure {
    /// Parses `kind:target` (see the module docs).
    pub fn parse(text: &str) -> Result<Self, ScenarioError> {
        let bad = |why: &str| ScenarioError(format!("{text:?}: {why}"));
        let (kind, rest) = text.split_once(':').ok_or_else(|| {
            bad("expected KIND:ID with KIND one of node, az, region, edge, degraded")
        })?;
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(bad("nothing after the colon"));
        }
        Ok(match kind.trim() {
            "node" => match rest.split_once('@') {
                Some((id, region)) => Self::Node {
                    id: id.to_owned(),
                    region: Some(region.to_owned()),
                },
                None => Self::Node {
                    id: rest.to_owned(),
                    region: None,
                },
            },
            "az" => Self::Az {
                id: rest.to_owned(),
            },
            "region" => Self::Region {
                id: rest.to_owned(),
            },
            "edge" => {
                let (from, to) = rest
                    .split_once("->")
                    .ok_or_else(|| bad("an edge is FROM->TO"))?;
                Self::Edge {
                    from: from.trim().to_owned(),
                    to: to.trim().to_owned(),
                }
            }
            "degraded" => {
                let (id, capacity) = rest
                    .split_once('=')
                    .ok_or_else(|| bad("a degraded node is ID=FRACTION, e.g. api=0.5"))?;
                let capacity: f64 = capacity
                    .trim()
                    .parse()
                    .ok()
                    .filter(|c: &f64| (0.0..=1.0).contains(c))
                    .ok_or_else(|| bad("the fraction of capacity left is a number from 0 to 1"))?;
                Self::Degraded {
                    id: id.trim().to_owned(),
                    capacity,
                }
            }
            other => {
                return Err(bad(&format!(
                    "unknown kind {other:?} (node, az, region, edge, degraded)"
                )));
            }
        })
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Node { id, region: None } => write!(f, "node:{id}"),
            Self::Node {
                id,
                region: Some(r),
            } => write!(f, "node:{id}@{r}"),
            Self::Az { id } => write!(f, "az:{id}"),
            Self::Region { id } => write!(f, "region:{id}"),
            Self::Edge { from, to } => write!(f, "edge:{from}->{to}"),
            Self::Degraded { id, capacity } => write!(f, "degraded:{id}={capacity}"),
        }
    }
}

/// A scenario names something the document does not have, or is malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ScenarioError(pub String);

/// A set of failures.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Scenario {
    pub failures: Vec<Failure>,
}

impl Scenario {
    pub fn new(failures: Vec<Failure>) -> Self {
        Self { failures }
    }

    /// Parses every `--fail` argument.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, ScenarioError> {
        items
            .iter()
            .map(|s| Failure::parse(s.as_ref()))
            .collect::<Result<_, _>>()
            .map(Self::new)
    }

    pub fn is_empty(&self) -> bool {
        self.failures.is_empty()
    }

    /// Checks every name against the document, then sets the damage on `engine`
    /// (after clearing what was there).
    pub fn apply(&self, c: &Compact, engine: &mut Engine) -> Result<(), ScenarioError> {
        engine.reset();
        let mut azs = vec![0u32; c.regions.len()];
        for failure in &self.failures {
            apply_one(c, engine, failure, &mut azs)?;
        }
        for (slot, bits) in azs.into_iter().enumerate() {
            if bits != 0 {
                fail_az(c, engine, slot, bits);
            }
        }
        Ok(())
    }

    pub fn label(&self) -> String {
        if self.failures.is_empty() {
            return "nothing failed".to_owned();
        }
        self.failures
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn node_index(c: &Compact, id: &str) -> Result<petgraph::stable_graph::NodeIndex, ScenarioError> {
    c.names
        .iter()
        .position(|(n, _)| n == id && !n.is_empty())
        .map(petgraph::stable_graph::NodeIndex::new)
        .ok_or_else(|| {
            let mut known: Vec<&str> = c
                .names
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| !n.is_empty())
                .collect();
            known.sort_unstable();
            let hint = known
                .iter()
                .copied()
                .min_by_key(|k| strsim::damerau_levenshtein(k, id))
                .filter(|k| strsim::damerau_levenshtein(k, id) <= 2)
                .map(|k| format!("; did you mean {k:?}?"))
                .unwrap_or_default();
            ScenarioError(format!("unknown node {id:?}{hint}"))
        })
}

fn region_slot(c: &Compact, id: &str) -> Result<usize, ScenarioError> {
    c.regions.iter().position(|r| r == id).ok_or_else(|| {
        ScenarioError(format!(
            "unknown region {id:?} (regions: {})",
            c.regions.join(", ")
        ))
    })
}

fn apply_one(
    c: &Compact,
    e: &mut Engine,
    failure: &Failure,
    azs: &mut [u32],
) -> Result<(), ScenarioError> {
    match failure {
        Failure::Node { id, region } => {
            let node = node_index(c, id)?;
            let slot = region.as_deref().map(|r| region_slot(c, r)).transpose()?;
            for u in c.units_of(node) {
                if slot.is_none_or(|s| c.units[u as usize].slot == s) {
                    e.damage[u as usize].down = Some(DownCause::Failed);
                }
            }
        }
        Failure::Region { id } => {
            let slot = region_slot(c, id)?;
            for (u, unit) in c.units.iter().enumerate() {
                if unit.slot == slot && e.damage[u].down.is_none() {
                    e.damage[u].down = Some(DownCause::Region);
                }
            }
        }
        Failure::Az { id } => {
            let slot = c
                .region_azs
                .iter()
                .position(|azs| azs.iter().any(|a| a == id))
                .ok_or_else(|| {
                    let all: Vec<&str> =
                        c.region_azs.iter().flatten().map(String::as_str).collect();
                    ScenarioError(format!("unknown AZ {id:?} (AZs: {})", all.join(", ")))
                })?;
            azs[slot] |= az_bit(id);
        }
        Failure::Edge { from, to } => {
            let (a, b) = (node_index(c, from)?, node_index(c, to)?);
            let mut found = false;
            for unit in c.units_of(a) {
                for ci in c.calls_of(unit) {
                    if c.calls[ci].callee == b {
                        e.cut[c.calls[ci].edge.index()] = true;
                        found = true;
                    }
                }
            }
            if !found
                && !c.units_of(a).is_empty()
                && !c.units_of(b).is_empty()
                && !c.uncarried.contains(&(a, b))
            {
                return Err(ScenarioError(format!("no edge {from}->{to}")));
            }
        }
        Failure::Degraded { id, capacity } => {
            let node = node_index(c, id)?;
            for u in c.units_of(node) {
                e.damage[u as usize].capacity *= capacity;
            }
        }
    }
    Ok(())
}

/// Fails the AZs in `bits` of region `slot` (all of a scenario's at once).
pub(crate) fn fail_az(c: &Compact, e: &mut Engine, slot: usize, bits: u32) {
    for (u, unit) in c.units.iter().enumerate() {
        if unit.slot != slot || unit.az_mask & bits == 0 {
            continue;
        }
        let d: &mut Damage = &mut e.damage[u];
        let left = unit.az_mask & !bits;
        if left == 0 || unit.single_az & bits != 0 {
            if d.down.is_none() {
                d.down = Some(DownCause::Azs);
            }
            continue;
        }
        let share = f64::from(left.count_ones()) / f64::from(unit.az_mask.count_ones());
        if !unit.standby_instance {
            d.capacity *= share;
        }
        // A load balancer spreads requests over the AZs; a data store's
        // writer (or primary node) lives in one AZ: all of its traffic
        // fails until the standby takes over.
        d.blackhole = if unit.primary_az == 0 {
            1.0 - share
        } else if unit.primary_az & bits != 0 {
            1.0
        } else {
            0.0
        };
    }
}
