//! Valid documents → Terraform: the export never fails on a valid document,
//! is deterministic, every `.tf` file parses back with hcl-rs, and user text
//! means the literal string (a service's name is its launch template's
//! description, a CDN's name its distribution's comment, node ids their
//! `topoplan:node` tags) whatever quotes, backslashes, `${`, `%{`, newlines
//! or right-to-left marks it holds.
#![no_main]

use std::collections::BTreeMap;

use hcl::eval::Evaluate as _;
use libfuzzer_sys::fuzz_target;
use topoplan_core::model::NodeSpec;
use topoplan_exports::terraform::{ExportOptions, export};

fuzz_target!(|data: &[u8]| {
    let Some((t, _)) = topoplan_fuzz::valid(data) else {
        return;
    };
    let mut options = ExportOptions::default();
    options.threads = 1;
    let out = match export(&t, &options) {
        Ok(out) => out,
        Err(e) => panic!("a valid document does not export: {e}"),
    };
    let parsed: BTreeMap<&str, hcl::Body> = out
        .files()
        .iter()
        .filter(|(name, _)| name.ends_with(".tf"))
        .map(|(name, text)| match hcl::parse(text) {
            Ok(body) => (name.as_str(), body),
            Err(e) => panic!("{name} does not parse: {e}\n{text}"),
        })
        .collect();
    let ctx = hcl::eval::Context::new();
    for resource in out.resources() {
        let Some(node_id) = resource.node.as_deref() else {
            continue;
        };
        let node = t.node(node_id).expect("a resource's node exists");
        let Some((kind, label)) = resource.address.split_once('.') else {
            panic!("address {} has no type", resource.address)
        };
        let Some(body) = parsed.get(resource.file.as_str()) else {
            continue;
        };
        let Some(block) = body.blocks().find(|b| {
            b.identifier() == "resource"
                && b.labels().len() == 2
                && b.labels()[0].as_str() == kind
                && b.labels()[1].as_str() == label
        }) else {
            continue;
        };
        let attribute = |key: &str| {
            block
                .body()
                .attributes()
                .find(|a| a.key() == key)
                .and_then(|a| a.expr().evaluate(&ctx).ok())
        };
        if let Some(hcl::Value::Object(tags)) = attribute("tags") {
            if let Some(value) = tags.get("topoplan:node") {
                assert_eq!(
                    value,
                    &hcl::Value::from(node.id.as_str()),
                    "{}",
                    resource.address
                );
            }
        }
        match (&node.spec, kind) {
            (NodeSpec::Service(_), "aws_launch_template") => {
                let expected: String = node.name.chars().take(255).collect();
                assert_eq!(
                    attribute("description"),
                    Some(hcl::Value::from(expected)),
                    "{}",
                    resource.address
                );
            }
            (NodeSpec::Cdn(_), "aws_cloudfront_distribution") => {
                let expected: String = node.name.chars().take(128).collect();
                assert_eq!(
                    attribute("comment"),
                    Some(hcl::Value::from(expected)),
                    "{}",
                    resource.address
                );
            }
            _ => {}
        }
    }
    // Same input, same bytes (on another thread count too).
    options.threads = 3;
    let again = export(&t, &options);
    assert!(
        again.as_ref() == Ok(&out),
        "the export is not deterministic"
    );
});
