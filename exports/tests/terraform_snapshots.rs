//! The three-tier template's export, file by file, as reviewed: a change to
//! the generated Terraform shows up here as a diff to read
//! (`INSTA_UPDATE=always cargo test -p topoplan-exports --test terraform_snapshots`
//! to accept it, then review with `git diff`).

use topoplan_core::templates;
use topoplan_exports::terraform::{ExportOptions, export};

#[test]
fn three_tier_export_matches_the_reviewed_snapshots() {
    let topology = templates::find("three-tier").unwrap().load().unwrap();
    let export = export(&topology, &ExportOptions::default()).unwrap();
    for (name, text) in export.files() {
        insta::assert_snapshot!(format!("three_tier__{name}"), text);
    }
}

#[test]
fn three_tier_export_warns_only_about_the_api_tier_health_check() {
    let topology = templates::find("three-tier").unwrap().load().unwrap();
    let export = export(&topology, &ExportOptions::default()).unwrap();
    let warnings: Vec<String> = export.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "app: health_check is elb, but no load balancer forwards to it in us-east-1: the \
          autoscaling group there uses EC2 status checks"
        ]
    );
}
