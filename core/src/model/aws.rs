//! Settings that only matter when autoscaling groups are applied to an AWS
//! account (`topoplan apply aws`): images, subnets, security groups, user
//! data, the account the document is meant for.
//!
//! Everything here is optional and left out of the canonical form when empty,
//! so documents that never go near an AWS account do not change. What is
//! missing for an apply (no image for a region, no subnet for an AZ) is
//! reported by the planner, not by validation: a design is complete without it.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// Document-level AWS settings (`"aws"` at the top of a document).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwsSettings {
    /// The 12-digit account the document is meant for: an apply refuses to
    /// write to any other (checked with STS before the first write).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Machine image per region: an AMI id (`ami-0abc…`) or an SSM parameter
    /// the launch template resolves at launch (`resolve:ssm:/aws/service/…`).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub images: IndexMap<String, String>,
    /// Tags that find the subnet of each AZ a service runs in, when the
    /// service does not list its subnets (e.g. `{"tier": "app"}`).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub subnet_tags: IndexMap<String, String>,
    /// Extra tags on every resource an apply creates (cost allocation,
    /// ownership). Keys starting with `topoplan:` or `aws:` are reserved.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
}

impl AwsSettings {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Per-service AWS settings (`"aws"` in a `service` node). Each one
/// overrides the document-level setting of the same name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceAws {
    /// Machine image per region, overriding the document's `aws.images`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub images: IndexMap<String, String>,
    /// The subnet of each AZ (`"us-east-1a": "subnet-0abc…"`). AZs not
    /// listed are found by `subnet_tags`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub subnets: IndexMap<String, String>,
    /// Tags that find this service's subnets, overriding the document's
    /// `aws.subnet_tags`.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub subnet_tags: IndexMap<String, String>,
    /// Security group ids per region (`"us-east-1": ["sg-0abc…"]`). Without
    /// them instances get their VPC's default security group.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub security_groups: IndexMap<String, Vec<String>>,
    /// Target group ARNs per region the instances register with (needed for
    /// the `elb` health check to mean anything).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub target_groups: IndexMap<String, Vec<String>>,
    /// Script run at first boot (plain text; at most 16 KB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// IAM instance profile, by name or ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_profile: Option<String>,
    /// EC2 key pair for SSH (prefer SSM Session Manager).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
}

impl ServiceAws {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// [`ServiceAws::is_empty`] for serde's `skip_serializing_if` on a box.
    #[expect(clippy::borrowed_box, reason = "serde passes the field by reference")]
    pub fn is_empty_box(this: &Box<Self>) -> bool {
        this.is_empty()
    }
}

/// AWS's limit on user data, before base64 encoding.
pub const MAX_USER_DATA_BYTES: usize = 16 * 1024;

/// Prefix of the tags topoplan owns; documents cannot set them.
pub const RESERVED_TAG_PREFIX: &str = "topoplan:";

/// Whether `image` is an AMI id or an SSM parameter reference.
pub fn image_problem(image: &str) -> Option<String> {
    if let Some(param) = image.strip_prefix("resolve:ssm:") {
        let name = param.split_once(':').map_or(param, |(name, _version)| name);
        let ok = !name.is_empty()
            && name.len() <= 2048
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c));
        return (!ok).then(|| {
            format!("\"{image}\" is not a valid SSM parameter reference: expected resolve:ssm:/path/to/parameter")
        });
    }
    if is_aws_id(image, "ami-") {
        None
    } else {
        Some(format!(
            "expected an AMI id such as \"ami-0abcdef1234567890\" or \"resolve:ssm:/aws/service/…\", found \"{image}\""
        ))
    }
}

/// `prefix` followed by 8 or 17 lower-case hex digits (`subnet-0abc…`).
pub fn is_aws_id(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len())
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

/// What is wrong with a tag, if anything (AWS's limits, and our reserved keys).
pub fn tag_problem(key: &str, value: &str) -> Option<String> {
    if key.is_empty() || key.chars().count() > 128 {
        return Some(format!(
            "a tag key has 1 to 128 characters, found {}",
            key.chars().count()
        ));
    }
    if value.chars().count() > 256 {
        return Some(format!(
            "a tag value has at most 256 characters, found {}",
            value.chars().count()
        ));
    }
    if key.starts_with(RESERVED_TAG_PREFIX) {
        return Some(format!(
            "tag keys starting with \"{RESERVED_TAG_PREFIX}\" are topoplan's own (it tags what it creates with them)"
        ));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Some("tag keys starting with \"aws:\" are reserved by AWS".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_amis_or_ssm_parameters() {
        assert_eq!(image_problem("ami-12c6146b"), None);
        assert_eq!(image_problem("ami-0abcdef1234567890"), None);
        assert_eq!(
            image_problem(
                "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
            ),
            None
        );
        assert_eq!(image_problem("resolve:ssm:/golden/web:3"), None);
        assert!(image_problem("ami-XYZ").is_some());
        assert!(image_problem("resolve:ssm:").is_some());
        assert!(image_problem("ubuntu").is_some());
    }

    #[test]
    fn reserved_and_oversized_tags_are_refused() {
        assert_eq!(tag_problem("team", "payments"), None);
        assert!(tag_problem("topoplan:node", "x").is_some());
        assert!(tag_problem("AWS:cloudformation", "x").is_some());
        assert!(tag_problem("", "x").is_some());
        assert!(tag_problem("k", &"v".repeat(257)).is_some());
    }

    #[test]
    fn empty_settings_are_empty() {
        assert!(AwsSettings::default().is_empty());
        assert!(ServiceAws::default().is_empty());
        let s = ServiceAws {
            key_name: Some("ops".into()),
            ..ServiceAws::default()
        };
        assert!(!s.is_empty());
    }
}
