//! The optional `aws` settings of a document and of its services: additive
//! (absent means empty, empty is not written), strict, and validated with
//! the place and the problem.

use topoplan_core::model::json;
use topoplan_core::validate::validate;

/// A small valid document with `extra_meta` spliced into the top level and
/// `extra_web` into the `web` service.
fn doc(extra_meta: &str, extra_web: &str) -> String {
    let sep_meta = if extra_meta.is_empty() { "" } else { "," };
    let sep_web = if extra_web.is_empty() { "" } else { "," };
    format!(
        r#"{{
  "schema": 1,
  "id": "shop",
  "name": "Shop",
  "deployment": {{ "mode": "active_passive" }},
  "regions": [
    {{ "id": "us-east-1", "role": "primary", "azs": ["us-east-1a", "us-east-1b"] }},
    {{ "id": "eu-west-1", "role": "secondary", "azs": ["eu-west-1a", "eu-west-1b"] }}
  ],
  "traffic": {{ "entry": ["web"] }}{sep_meta}{extra_meta},
  "nodes": [
    {{ "id": "web", "kind": "service",
       "placement": {{ "us-east-1": ["us-east-1a", "us-east-1b"], "eu-west-1": ["eu-west-1a", "eu-west-1b"] }}{sep_web}{extra_web} }}
  ]
}}"#
    )
}

fn errors(text: &str) -> Vec<(String, String, String)> {
    let t = json::from_str(text).unwrap_or_else(|e| panic!("{e:#?}"));
    validate(&t)
        .errors
        .into_iter()
        .map(|d| (d.code.to_owned(), d.path, d.message))
        .collect()
}

const FULL_META: &str = r#""aws": {
    "account_id": "123456789012",
    "images": { "us-east-1": "ami-12c6146b", "eu-west-1": "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" },
    "subnet_tags": { "tier": "app" },
    "tags": { "team": "payments" }
  }"#;

const FULL_WEB: &str = r##""aws": {
    "images": { "eu-west-1": "ami-0abcdef1234567890" },
    "subnets": { "us-east-1a": "subnet-0123abcd" },
    "subnet_tags": { "aws:cloudformation:stack-name": "network" },
    "security_groups": { "us-east-1": ["sg-0123abcd", "sg-4567cdef"] },
    "target_groups": { "us-east-1": ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"] },
    "user_data": "#!/bin/sh\necho hello\n",
    "instance_profile": "web-instance",
    "key_name": "ops"
  }"##;

#[test]
fn documents_without_aws_settings_do_not_mention_them() {
    let t = json::from_str(&doc("", "")).unwrap();
    let text = json::to_string(&t);
    assert!(!text.contains("\"aws\""), "{text}");
    assert!(t.meta().aws.is_empty());
}

#[test]
fn full_aws_settings_validate_and_round_trip() {
    let text = doc(FULL_META, FULL_WEB);
    assert_eq!(errors(&text), Vec::new());
    let t = json::from_str(&text).unwrap();
    let canonical = json::to_string(&t);
    let again = json::from_str(&canonical).unwrap();
    assert_eq!(json::to_string(&again), canonical);
    assert_eq!(again.meta().aws.account_id.as_deref(), Some("123456789012"));
    let topoplan_core::model::NodeSpec::Service(web) = &again.node("web").unwrap().spec else {
        panic!("web is a service")
    };
    assert_eq!(web.aws.key_name.as_deref(), Some("ops"));
    assert_eq!(web.aws.security_groups["us-east-1"].len(), 2);
}

#[test]
fn unknown_aws_fields_are_errors_with_their_path() {
    let errs = json::from_str(&doc(r#""aws": { "acount_id": "1" }"#, "")).unwrap_err();
    assert_eq!(errs[0].code, "unknown-field");
    assert!(errs[0].path.contains("aws"), "{}", errs[0]);
    let errs = json::from_str(&doc("", r#""aws": { "subnet": {} }"#)).unwrap_err();
    assert_eq!(errs[0].code, "unknown-field");
    assert_eq!(errs[0].path, "nodes[0] (\"web\").aws.subnet");
}

#[test]
fn each_bad_setting_is_named_at_its_place() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            r#""aws": { "account_id": "12345" }"#,
            "",
            "aws-account-id",
            "aws.account_id",
        ),
        (
            r#""aws": { "images": { "us-west-2": "ami-12c6146b" } }"#,
            "",
            "aws-region",
            "aws.images.us-west-2",
        ),
        (
            r#""aws": { "images": { "us-east-1": "ubuntu-22.04" } }"#,
            "",
            "aws-image",
            "aws.images.us-east-1",
        ),
        (
            r#""aws": { "tags": { "topoplan:node": "x" } }"#,
            "",
            "aws-tag",
            "aws.tags.topoplan:node",
        ),
        (
            "",
            r#""aws": { "images": { "ap-south-1": "ami-12c6146b" } }"#,
            "aws-region",
            "nodes[0] (\"web\").aws.images.ap-south-1",
        ),
        (
            "",
            r#""aws": { "subnets": { "us-east-1c": "subnet-0123abcd" } }"#,
            "aws-az",
            "nodes[0] (\"web\").aws.subnets.us-east-1c",
        ),
        (
            "",
            r#""aws": { "subnets": { "us-east-1a": "sub-1" } }"#,
            "aws-subnet",
            "nodes[0] (\"web\").aws.subnets.us-east-1a",
        ),
        (
            "",
            r#""aws": { "security_groups": { "us-east-1": ["sg-0123abcd", "sg-0123abcd"] } }"#,
            "aws-security-group",
            "nodes[0] (\"web\").aws.security_groups.us-east-1[1]",
        ),
        (
            "",
            r#""aws": { "target_groups": { "us-east-1": ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/01"] } }"#,
            "aws-target-group",
            "nodes[0] (\"web\").aws.target_groups.us-east-1[0]",
        ),
        (
            "",
            r#""aws": { "instance_profile": "arn:aws:iam::123:role/x" }"#,
            "aws-instance-profile",
            "nodes[0] (\"web\").aws.instance_profile",
        ),
        (
            "",
            r#""aws": { "key_name": "" }"#,
            "aws-key-name",
            "nodes[0] (\"web\").aws.key_name",
        ),
    ];
    for (meta, web, code, path) in cases {
        let errs = errors(&doc(meta, web));
        assert_eq!(errs.len(), 1, "{meta}{web}: {errs:#?}");
        assert_eq!(errs[0].0, *code, "{errs:?}");
        assert_eq!(errs[0].1, *path, "{errs:?}");
        assert!(errs[0].2.len() > 20, "terse: {errs:?}");
    }
}

#[test]
fn oversized_user_data_is_refused_with_the_limit() {
    let big = "x".repeat(16 * 1024 + 1);
    let errs = errors(&doc("", &format!(r#""aws": {{ "user_data": "{big}" }}"#)));
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, "aws-user-data");
    assert!(errs[0].2.contains("16384"), "{}", errs[0].2);
}
