//! Properties of the Terraform export over random valid documents: it never
//! fails, it is deterministic, every `.tf` file parses back with hcl-rs, and
//! user text means the literal string. (A bounded sample also goes through
//! `terraform fmt` in the repository's end-to-end tests.)

use hcl::eval::Evaluate as _;
use proptest::prelude::*;
use topoplan_core::arbitrary::valid_document;
use topoplan_core::model::NodeSpec;
use topoplan_core::validate::validate;
use topoplan_exports::terraform::{ExportOptions, export};

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn valid_documents_export_to_hcl_that_parses_back(t in valid_document()) {
        prop_assume!(validate(&t).is_ok());
        let first = export(&t, &ExportOptions::default()).unwrap();
        let again = export(&t, &ExportOptions::default()).unwrap();
        prop_assert_eq!(&first, &again);
        for (name, text) in first.files() {
            if std::path::Path::new(name).extension().is_some_and(|e| e == "tf") {
                let parsed: Result<hcl::Body, _> = hcl::parse(text);
                prop_assert!(parsed.is_ok(), "{name} does not parse: {:?}\n{text}", parsed.err());
            }
        }
        // Every service's launch template describes it with its exact name.
        for node in t.nodes() {
            let NodeSpec::Service(_) = node.spec else { continue };
            for resource in first.resources().iter().filter(|r| {
                r.node.as_deref() == Some(node.id.as_str())
                    && r.address.starts_with("aws_launch_template.")
            }) {
                let body: hcl::Body = hcl::parse(&first.files()[&resource.file]).unwrap();
                let label = resource.address.trim_start_matches("aws_launch_template.");
                let block = body
                    .blocks()
                    .find(|b| {
                        b.labels().len() == 2
                            && b.labels()[0].as_str() == "aws_launch_template"
                            && b.labels()[1].as_str() == label
                    })
                    .unwrap();
                let description = block
                    .body()
                    .attributes()
                    .find(|a| a.key() == "description")
                    .unwrap()
                    .expr()
                    .evaluate(&hcl::eval::Context::new())
                    .unwrap();
                let expected: String = node.name.chars().take(255).collect();
                prop_assert_eq!(description, hcl::Value::from(expected));
            }
        }
    }
}
