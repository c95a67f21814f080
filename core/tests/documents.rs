//! The shipped templates and the invalid-document fixtures.

use std::path::{Path, PathBuf};

use topoplan_core::model::{io, json};
use topoplan_core::templates::TEMPLATES;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn every_template_loads_validates_and_is_canonical() {
    for t in TEMPLATES {
        let doc = t.load().unwrap_or_else(|e| panic!("{}: {e:?}", t.name));
        let report = topoplan_core::validate::validate(&doc);
        assert!(report.is_ok(), "{}: {:#?}", t.name, report.errors);
        assert!(
            report.warnings.is_empty(),
            "{}: {:#?}",
            t.name,
            report.warnings
        );
        assert!(!t.description().is_empty(), "{} has no description", t.name);
        assert_eq!(
            json::to_string(&doc),
            t.json,
            "{}: run `topoplan fmt templates/{}.json`",
            t.name,
            t.name
        );
    }
}

#[test]
fn every_template_file_is_embedded() {
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("templates"))
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = TEMPLATES.iter().map(|t| t.name.to_owned()).collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
    assert!(TEMPLATES.len() >= 6);
}

/// Each invalid fixture fails with its error class, at its place.
#[test]
fn invalid_fixtures_fail_with_a_precise_error() {
    // file stem -> (code, text the place must contain)
    let expected: &[(&str, &str, &str)] = &[
        ("01-json-syntax", "json-syntax", "line 4 column 1"),
        ("02-duplicate-key", "duplicate-key", "line 1"),
        ("03-too-deep", "too-deep", "line 1"),
        ("04-not-a-document", "not-a-document", ""),
        ("05-schema-missing", "schema-missing", "schema"),
        ("06-schema-unsupported", "schema-unsupported", "schema"),
        ("07-unknown-field", "unknown-field", "regoins"),
        (
            "08-unknown-node-field",
            "unknown-field",
            "nodes[2] (\"web\").replicaz",
        ),
        ("09-unknown-kind", "unknown-kind", "nodes[2] (\"web\").kind"),
        (
            "10-negative-capacity",
            "invalid-value",
            "nodes[2] (\"web\").min",
        ),
        (
            "11-capacity-order",
            "capacity-order",
            "nodes[2] (\"web\").desired",
        ),
        ("12-duplicate-id", "duplicate-id", "nodes[4].id"),
        ("13-invalid-id", "invalid-id", "nodes[4].id"),
        (
            "14-missing-node",
            "missing-node",
            "edges[3] (web -> orders-dbb)",
        ),
        ("15-self-loop", "self-loop", "edges[3] (web -> web)"),
        (
            "16-duplicate-edge",
            "duplicate-edge",
            "edges[3] (alb -> web)",
        ),
        (
            "17-unknown-region",
            "unknown-region",
            "regions[1] (\"us-east-9\").id",
        ),
        ("18-duplicate-region", "duplicate-region", "regions[1]"),
        (
            "19-az-not-in-region",
            "az-not-in-region",
            "regions[0] (\"us-east-1\").azs[2]",
        ),
        (
            "20-placement-unknown-region",
            "placement-unknown-region",
            "nodes[3] (\"orders-db\").placement.eu-west-1",
        ),
        (
            "21-placement-unknown-az",
            "placement-unknown-az",
            "nodes[2] (\"web\").placement.us-east-1[2]",
        ),
        (
            "22-missing-placement",
            "missing-placement",
            "nodes[3] (\"orders-db\").placement",
        ),
        (
            "23-global-placed",
            "global-placed",
            "nodes[0] (\"dns\").placement",
        ),
        (
            "24-fraction-range",
            "fraction-range",
            "edges[2] (web -> orders-db).fraction",
        ),
        (
            "25-read-fraction-range",
            "out-of-range",
            "traffic.read_fraction",
        ),
        (
            "26-negative-rps",
            "out-of-range",
            "nodes[2] (\"web\").rps_per_instance",
        ),
        (
            "27-hard-call-cycle",
            "hard-call-cycle",
            "nodes[3] (\"orders-db\")",
        ),
        ("28-entry-missing", "entry-missing", "traffic.entry[0]"),
        (
            "29-writer-region",
            "writer-region",
            "nodes[3] (\"orders-db\").writer",
        ),
        ("30-deployment-regions", "deployment", "deployment.mode"),
        (
            "31-edge-kind",
            "edge-kind",
            "edges[2] (web -> orders-db).kind",
        ),
        ("32-daily-profile", "daily-profile", "traffic.daily_profile"),
        (
            "33-alb-one-az",
            "lb-azs",
            "nodes[1] (\"alb\").placement.us-east-1",
        ),
        (
            "34-instance-type",
            "instance-type",
            "nodes[2] (\"web\").instance_type",
        ),
        ("35-wrong-type", "invalid-value", "traffic.peak_rps"),
        ("36-non-utf8", "not-utf8", "line 1"),
    ];
    let dir = repo().join("tests/fixtures/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(
        files.len(),
        expected.len(),
        "every fixture has an expectation"
    );
    for (path, (stem, code, place)) in files.iter().zip(expected) {
        assert_eq!(path.file_stem().unwrap().to_string_lossy(), *stem);
        let diagnostics = match io::load(path) {
            Ok(loaded) => loaded.report.errors,
            Err(err) => err.diagnostics(),
        };
        assert!(!diagnostics.is_empty(), "{stem}: loaded without errors");
        assert_eq!(
            diagnostics.len(),
            1,
            "{stem}: one defect, one error: {diagnostics:#?}"
        );
        let d = &diagnostics[0];
        assert_eq!(d.code, *code, "{stem}: {d}");
        assert!(
            d.path.contains(place),
            "{stem}: place {:?} lacks {place:?}",
            d.path
        );
        assert!(d.message.len() > 20, "{stem}: message too terse: {d}");
    }
}

#[test]
fn the_valid_base_of_the_fixtures_is_valid() {
    let loaded = io::load(&repo().join("tests/fixtures/valid-base.json")).unwrap();
    assert!(loaded.report.is_ok(), "{:#?}", loaded.report);
}
