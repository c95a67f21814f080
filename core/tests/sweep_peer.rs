//! The peer benchmark's equality check: networkx and python-igraph
//! (`core/benches/peers/sweep_peer.py`, run with the venv's python that
//! `tests/run` exports as `TOPOPLAN_PYTHON`) compute the same down set as
//! our engine (`sim::sweep::down_sets`) for every single failure of every
//! template and of the synthetic 1k-node estate.
//!
//! Without `TOPOPLAN_PYTHON` the test is skipped with a note, unless
//! `CI=true`, where it fails.
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::Command;

use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_core::model::Topology;
use topoplan_core::sim::{Compact, sweep};
use topoplan_core::templates::TEMPLATES;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers/sweep_peer.py");

fn python() -> Option<std::ffi::OsString> {
    let python = std::env::var_os("TOPOPLAN_PYTHON");
    if python.is_none() {
        let strict = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !strict,
            "TOPOPLAN_PYTHON (the venv with networkx and python-igraph) is required and CI=true: run tests/run"
        );
        eprintln!(
            "SKIPPED: TOPOPLAN_PYTHON is not set (networkx, python-igraph); tests/run sets it"
        );
    }
    python
}

fn check(python: &std::ffi::OsStr, name: &str, t: &Topology) {
    let c = Compact::build(t);
    let graph = sweep::dependency_graph(&c);
    let ours: Vec<Vec<u32>> = sweep::down_sets(&c).into_iter().map(|(_, d)| d).collect();
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(serde_json::to_string(&graph).unwrap().as_bytes())
        .unwrap();
    let out = Command::new(python)
        .arg(SCRIPT)
        .arg("check")
        .arg(file.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: sweep_peer.py check failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peers: BTreeMap<String, Vec<Vec<u32>>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        peers.keys().map(String::as_str).collect::<Vec<_>>(),
        ["igraph", "networkx", "networkx-topo"]
    );
    for (peer, sets) in &peers {
        assert_eq!(sets.len(), ours.len(), "{name}: {peer}");
        for ((failure, theirs), mine) in graph.failures.iter().zip(sets).zip(&ours) {
            assert_eq!(theirs, mine, "{name}: {peer} on {}", failure.element);
        }
    }
    // Not a vacuous comparison: failures take units down beyond themselves.
    let spread = graph
        .failures
        .iter()
        .zip(&ours)
        .any(|(f, down)| down.len() > f.fails.len());
    assert!(spread, "{name}: no failure propagates");
}

#[test]
fn networkx_and_igraph_find_the_same_down_sets_as_the_engine() {
    let Some(python) = python() else { return };
    for template in TEMPLATES {
        check(&python, template.name, &template.load().unwrap());
    }
    check(
        &python,
        "synthetic 1k",
        &synthetic(&SyntheticSpec::with_nodes(1000)),
    );
}
