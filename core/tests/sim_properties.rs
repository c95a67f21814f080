//! Properties of the simulation (`core::sim`) on arbitrary documents and
//! arbitrary scenarios: it never panics and every share it reports is in
//! [0, 1]; with unlimited capacity, failing more never serves more; the
//! sweep's cone-limited recomputation equals a full `simulate` of each
//! element, and its down sets equal the full health pass.
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use proptest::prelude::*;
use topoplan_core::arbitrary::valid_document;
use topoplan_core::model::Topology;
use topoplan_core::sim::{
    Compact, Engine, Failure, NodeState, Phase, Scenario, simulate, simulate_with, sweep,
};

/// A failure as indices into whatever the document has (resolved by [`scenario`]).
#[derive(Clone, Debug)]
struct Pick {
    kind: u8,
    a: usize,
    b: usize,
    region: bool,
    capacity: f64,
}

fn picks(max: usize) -> impl Strategy<Value = Vec<Pick>> {
    prop::collection::vec(
        (
            0u8..5,
            any::<usize>(),
            any::<usize>(),
            any::<bool>(),
            prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64],
        )
            .prop_map(|(kind, a, b, region, capacity)| Pick {
                kind,
                a,
                b,
                region,
                capacity,
            }),
        0..=max,
    )
}

/// The failures `picks` name in `t` (a pick of something the document has
/// none of is dropped).
fn scenario(t: &Topology, picks: &[Pick]) -> Vec<Failure> {
    let ids: Vec<String> = t.nodes().map(|n| n.id.clone()).collect();
    let regions: Vec<String> = t.meta().regions.iter().map(|r| r.id.clone()).collect();
    let azs: Vec<String> = t
        .meta()
        .regions
        .iter()
        .flat_map(|r| r.azs.clone())
        .collect();
    let edges: Vec<(String, String)> = t
        .edges()
        .map(|e| (e.from.id.clone(), e.to.id.clone()))
        .collect();
    let pick = |list: &[String], i: usize| (!list.is_empty()).then(|| list[i % list.len()].clone());
    picks
        .iter()
        .filter_map(|p| match p.kind {
            0 => pick(&ids, p.a).map(|id| Failure::Node {
                id,
                region: if p.region { pick(&regions, p.b) } else { None },
            }),
            1 => pick(&azs, p.a).map(|id| Failure::Az { id }),
            2 => pick(&regions, p.a).map(|id| Failure::Region { id }),
            3 => (!edges.is_empty()).then(|| {
                let (from, to) = edges[p.a % edges.len()].clone();
                Failure::Edge { from, to }
            }),
            _ => pick(&ids, p.a).map(|id| Failure::Degraded {
                id,
                capacity: p.capacity,
            }),
        })
        .collect()
}

fn share(what: &str, v: f64) -> Result<(), TestCaseError> {
    prop_assert!((0.0..=1.0).contains(&v), "{what} = {v} is not a share");
    Ok(())
}

/// Served share in `phase` with `failures`, every unit's capacity unlimited.
fn unlimited(c: &Compact, e: &mut Engine, failures: &[Failure], phase: Phase) -> f64 {
    Scenario::new(failures.to_vec()).apply(c, e).unwrap();
    e.run(c, phase, false)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Never panics; every share reported is in [0, 1] and every time finite.
    #[test]
    fn every_share_is_a_share(t in valid_document(), picks in picks(4)) {
        let failures = scenario(&t, &picks);
        let o = simulate(&t, &Scenario::new(failures)).unwrap();
        share("baseline", o.baseline)?;
        share("served", o.served)?;
        share("recovered", o.recovered)?;
        share("worst", o.worst)?;
        prop_assert!(o.worst <= o.served + 1e-12 && o.worst <= o.recovered + 1e-12, "{o:?}");
        for entry in &o.entries {
            share(&format!("entry {}", entry.node), entry.served)?;
            prop_assert!(entry.p95_ms.is_finite() && entry.p95_ms >= 0.0, "{entry:?}");
        }
        for point in &o.timeline {
            share(&format!("timeline at {}", point.at_secs), point.served)?;
        }
        for node in &o.nodes {
            for r in &node.regions {
                prop_assert!(r.offered_rps.is_finite() && r.offered_rps >= 0.0, "{node:?}");
                prop_assert!(!r.p95_ms.is_nan(), "{node:?}");
            }
        }
        prop_assert!(o.recovery_secs.is_none_or(|s| s.is_finite() && s >= 0.0));
    }

    /// Monotonicity: with unlimited capacity (so that shedding load cannot
    /// help the rest), failing a superset never serves more, before anything
    /// reacts (the impact phase).
    #[test]
    fn failing_more_never_serves_more(t in valid_document(), picks in picks(5), cut in 0usize..5) {
        let failures = scenario(&t, &picks);
        let mut c = Compact::build(&t);
        for unit in &mut c.units {
            unit.per_instance_rps = f64::INFINITY;
        }
        let mut e = Engine::new(&c);
        let cut = cut.min(failures.len());
        let fewer = unlimited(&c, &mut e, &failures[..cut], Phase::Impact);
        let more = unlimited(&c, &mut e, &failures, Phase::Impact);
        prop_assert!(more <= fewer + 1e-9, "{} serves {more}, {} serves {fewer}",
            Scenario::new(failures.clone()).label(), Scenario::new(failures[..cut].to_vec()).label());
    }

    /// The sweep recomputes only each failure's cone: it must equal a full
    /// `simulate` of every element; and its down sets the full health pass.
    #[test]
    fn the_sweep_equals_full_runs(t in valid_document()) {
        let c = Compact::build(&t);
        let mut e = Engine::new(&c);
        let report = sweep::sweep_compact(&c, false);
        share("baseline", report.baseline)?;
        for row in &report.singles {
            let scenario = Scenario::new(row.elements.iter().map(sweep::Element::failure).collect());
            let o = simulate_with(&c, &mut e, &scenario).unwrap();
            prop_assert!(
                (o.served - row.served).abs() < 1e-9 && (o.recovered - row.recovered).abs() < 1e-9,
                "{}: full {} / {} vs sweep {} / {}", row.label(), o.served, o.recovered, row.served, row.recovered
            );
            share("lost", row.lost)?;
        }
        let graph = sweep::dependency_graph(&c);
        let matrix = sweep::down_matrix(&c);
        for (i, ((element, down), failed)) in sweep::down_sets(&c).iter().zip(&graph.failures).enumerate() {
            // The bit matrix (all failures at once) has the same column.
            prop_assert_eq!(&matrix.down_units(i), down, "{}", element.label());
            prop_assert_eq!(element.label(), failed.element.clone());
            // The units `simulate` reports down (after failover) are the down set.
            let o = simulate_with(&c, &mut e, &Scenario::new(vec![element.failure()])).unwrap();
            let mut reported: Vec<String> = o
                .nodes
                .iter()
                .flat_map(|n| n.regions.iter().map(move |r| (n, r)))
                .filter(|(_, r)| r.state == NodeState::Down)
                .map(|(n, r)| if r.region == "global" { n.name.clone() } else { format!("{} in {}", n.name, r.region) })
                .collect();
            let mut ours: Vec<String> = down.iter().map(|&u| graph.units[u as usize].clone()).collect();
            reported.sort();
            ours.sort();
            prop_assert_eq!(reported, ours, "{}", element.label());
        }
    }
}
