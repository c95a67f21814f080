//! Unit tests of the exporter as a whole (per-module tests live beside the code).

use super::*;
use topoplan_core::templates;

fn template(name: &str) -> Topology {
    templates::find(name).unwrap().load().unwrap()
}

#[test]
fn every_template_exports() {
    for t in templates::TEMPLATES {
        let export = export(&t.load().unwrap(), &ExportOptions::default()).unwrap();
        assert!(export.files().contains_key("versions.tf"), "{}", t.name);
    }
}

#[test]
fn three_tier_prints() {
    let export = export(&template("three-tier"), &ExportOptions::default()).unwrap();
    for (name, text) in export.files() {
        println!("==== {name}\n{text}");
    }
}
