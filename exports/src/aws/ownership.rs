//! What makes a resource ours: the names topoplan gives resources and the
//! tags it puts on them.
//!
//! A launch template or autoscaling group is ours when it carries
//! `topoplan:topology` = this topology's id; the `topoplan:node` tag says
//! which node it belongs to. Scaling policies cannot be tagged: one is ours
//! when it is attached to an autoscaling group that is ours and carries a
//! name topoplan gives policies. Nothing else is ever modified or deleted.

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};

/// Tag key holding the topology id.
pub const TAG_TOPOLOGY: &str = "topoplan:topology";
/// Tag key holding the node id.
pub const TAG_NODE: &str = "topoplan:node";
/// Tag key holding the desired capacity last applied from the document, so
/// that a later apply can tell a changed document from the autoscaler's work.
pub const TAG_DESIRED: &str = "topoplan:desired-capacity";
/// The console's display name.
pub const TAG_NAME: &str = "Name";

/// Tags as a sorted map (deterministic output, easy comparison).
pub type Tags = BTreeMap<String, String>;

/// Launch template names allow at most 128 characters; autoscaling group
/// names 255. One name serves both.
pub const MAX_NAME_LEN: usize = 128;

/// The name of the launch template and autoscaling group of `node` in
/// `topology`: `{topology}-{node}`. Ids are `[A-Za-z0-9._-]`, which both
/// resource types accept; a name that would be too long keeps its start and
/// ends in a hash of the whole, so it stays unique and stable.
pub fn resource_name(topology: &str, node: &str) -> String {
    let name = format!("{topology}-{node}");
    if name.len() <= MAX_NAME_LEN {
        return name;
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash = super::observed::hex(&digest[..6]);
    let keep = MAX_NAME_LEN - hash.len() - 1;
    format!("{}-{hash}", &name[..keep])
}

/// The kinds of scaling policy topoplan puts on a group.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Target tracking on the group's average CPU.
    TargetTracking,
    /// Predictive scaling on the CPU metric pair, ahead of the forecast.
    Predictive,
}

impl PolicyKind {
    pub const ALL: [Self; 2] = [Self::TargetTracking, Self::Predictive];

    pub fn suffix(self) -> &'static str {
        match self {
            Self::TargetTracking => "cpu-target",
            Self::Predictive => "predictive",
        }
    }

    pub fn api_name(self) -> &'static str {
        match self {
            Self::TargetTracking => "TargetTrackingScaling",
            Self::Predictive => "PredictiveScaling",
        }
    }
}

/// `{group}-cpu-target`, `{group}-predictive`.
pub fn policy_name(group: &str, kind: PolicyKind) -> String {
    format!("{group}-{}", kind.suffix())
}

/// Whether `name` is a policy name topoplan would give a policy of `group`.
pub fn is_our_policy_name(group: &str, name: &str) -> bool {
    PolicyKind::ALL
        .iter()
        .any(|&kind| policy_name(group, kind) == name)
}

/// Who a tagged resource belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// This topology, node `node` (empty when the node tag is missing).
    Ours { node: String },
    /// Another topology managed by topoplan.
    OtherTopology { topology: String, node: String },
    /// Not created by topoplan.
    Untagged,
}

impl Owner {
    pub fn of(tags: &Tags, topology: &str) -> Self {
        let node = tags.get(TAG_NODE).cloned().unwrap_or_default();
        match tags.get(TAG_TOPOLOGY) {
            Some(t) if t == topology => Self::Ours { node },
            Some(t) => Self::OtherTopology {
                topology: t.clone(),
                node,
            },
            None => Self::Untagged,
        }
    }

    /// "not created by topoplan" / "belongs to topology shop (node web)".
    pub fn describe(&self) -> String {
        match self {
            Self::Ours { node } => format!("belongs to node {node} of this topology"),
            Self::OtherTopology { topology, node } => {
                format!("belongs to topology {topology} (node {node})")
            }
            Self::Untagged => format!("was not created by topoplan (no {TAG_TOPOLOGY} tag)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_topology_and_node() {
        assert_eq!(resource_name("shop", "web"), "shop-web");
        assert_eq!(
            policy_name("shop-web", PolicyKind::TargetTracking),
            "shop-web-cpu-target"
        );
        assert!(is_our_policy_name("shop-web", "shop-web-predictive"));
        assert!(!is_our_policy_name("shop-web", "shop-web-manual"));
    }

    #[test]
    fn long_names_are_shortened_stably_and_uniquely() {
        let topology = "t".repeat(64);
        let a = resource_name(&topology, &"a".repeat(64));
        let b = resource_name(&topology, &format!("{}b", "a".repeat(63)));
        assert_eq!(a.len(), MAX_NAME_LEN);
        assert_eq!(b.len(), MAX_NAME_LEN);
        assert_ne!(a, b);
        assert_eq!(a, resource_name(&topology, &"a".repeat(64)));
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        );
    }

    #[test]
    fn ownership_comes_from_the_topology_tag() {
        let mut tags = Tags::new();
        assert_eq!(Owner::of(&tags, "shop"), Owner::Untagged);
        tags.insert(TAG_TOPOLOGY.into(), "shop".into());
        tags.insert(TAG_NODE.into(), "web".into());
        assert_eq!(Owner::of(&tags, "shop"), Owner::Ours { node: "web".into() });
        assert_eq!(
            Owner::of(&tags, "blog"),
            Owner::OtherTopology {
                topology: "shop".into(),
                node: "web".into()
            }
        );
    }
}
