//! Hand-computed cases, one per rule of the module docs.
#![allow(
    clippy::float_cmp,
    reason = "hand-computed figures compared exactly where they are exact"
)]

use super::*;
use crate::model::{Topology, json};

fn doc(text: &str) -> Topology {
    json::from_str(text).unwrap_or_else(|d| panic!("test document: {d:?}"))
}

fn run(t: &Topology, fail: &[&str]) -> Outcome {
    simulate(t, &Scenario::parse(fail).unwrap()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn node<'a>(o: &'a Outcome, id: &str) -> &'a NodeResult {
    o.nodes.iter().find(|n| n.id == id).unwrap()
}

/// One region, three AZs: DNS → ALB → web (hard) → db (hard).
/// 900 rps at 100 per instance: 9 needed, N+1 over three AZs = 3 × ⌈9/2⌉ = 15.
fn three_az() -> Topology {
    doc(r#"{
      "schema": 1, "name": "n+1",
      "deployment": {"mode": "single", "detection_secs": 60, "failover_secs": 300},
      "regions": [{"id": "us-east-1", "azs": ["us-east-1a", "us-east-1b", "us-east-1c"]}],
      "traffic": {"entry": ["dns"], "peak_rps": 900, "read_fraction": 1.0},
      "nodes": [
        {"id": "dns", "kind": "dns", "routing": "simple", "health_checks": false},
        {"id": "alb", "kind": "load_balancer", "placement": {"us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c"]}},
        {"id": "web", "kind": "service", "placement": {"us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c"]},
         "min": 1, "desired": 9, "max": 30, "rps_per_instance": 100, "target_cpu": 0.7, "warmup_secs": 240},
        {"id": "db", "kind": "database", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]},
         "engine": "postgres", "multi_az": true, "replicas": 0, "cross_region_replicas": 0, "rps_per_instance": 5000}
      ],
      "edges": [
        {"from": "dns", "to": "alb", "kind": "call"},
        {"from": "alb", "to": "web", "kind": "call"},
        {"from": "web", "to": "db", "kind": "call"}
      ]
    }"#)
}

#[test]
fn nothing_failed_serves_everything() {
    let o = run(&three_az(), &[]);
    assert!(close(o.baseline, 1.0) && close(o.served, 1.0) && close(o.recovered, 1.0));
    assert_eq!(o.recovery_secs, Some(0.0));
    assert!(
        o.nodes.iter().all(|n| n.state == NodeState::Ok),
        "{:?}",
        o.nodes
    );
    assert_eq!(o.timeline.len(), 1);
}

#[test]
fn losing_an_az_with_n_plus_one_capacity_keeps_everything_once_detected() {
    let t = three_az();
    let o = run(&t, &["az:us-east-1a"]);
    // Until detection the database writer in us-east-1a is gone (its
    // standby in b takes over once detected), and the ALB and web still send
    // a third of their traffic into the dead AZ: nothing completes.
    assert!(close(o.timeline[0].served, 0.0), "{:?}", o.timeline);
    // Losing c instead spares the writer: 2/3 × 2/3 of requests complete.
    let c = run(&t, &["az:us-east-1c"]);
    assert!(close(c.timeline[0].served, 4.0 / 9.0), "{:?}", c.timeline);
    assert_eq!(o.timeline[1].at_secs, 60.0);
    assert!(close(o.timeline[1].served, 1.0), "{:?}", o.timeline);
    assert!(close(o.served, 1.0) && close(o.recovered, 1.0));
    assert_eq!(o.recovery_secs, Some(60.0));
    let web = node(&o, "web");
    assert_eq!(web.state, NodeState::Degraded, "{web:?}");
    assert!(
        web.reason.contains("66.7% of its instances left"),
        "{}",
        web.reason
    );
    // 10 instances at 100/0.7 rps each carry 900 rps at 63%: under target, no saturation.
    assert!(close(
        web.regions[0].capacity_rps.unwrap(),
        10.0 * 100.0 / 0.7
    ));
    // The Multi-AZ database keeps its writer.
    assert_eq!(node(&o, "db").state, NodeState::Ok);
}

#[test]
fn losing_two_azs_saturates_until_autoscaling_replaces_instances() {
    let t = three_az();
    let o = run(&t, &["az:us-east-1b", "az:us-east-1c"]);
    // 5 instances × 142.9 rps = 714 of 900 rps.
    let cap = 5.0 * 100.0 / 0.7;
    assert!(close(o.served, cap / 900.0), "{}", o.served);
    let web = node(&o, "web");
    assert_eq!(web.state, NodeState::Saturated);
    assert!(
        web.reason
            == "saturated: 900 rps offered, capacity 714 rps: sheds 20.6% (33.3% of its instances left)",
        "{}",
        web.reason
    );
    // Autoscaling launches 9 in the AZ left after 240 s of warm-up.
    assert!(close(o.recovered, 1.0));
    assert_eq!(o.recovery_secs, Some(60.0 + 240.0));
    // The database lived in a and b: both gone.
    let o = run(&t, &["az:us-east-1b", "az:us-east-1c"]);
    assert!(close(o.served, 5.0 * 100.0 / 0.7 / 900.0), "{}", o.served);
    let o = run(&t, &["az:us-east-1a", "az:us-east-1b"]);
    assert_eq!(node(&o, "db").state, NodeState::Down);
}

#[test]
fn a_hard_dependency_down_takes_its_callers_down_with_a_reason() {
    let o = run(&three_az(), &["node:db"]);
    assert!(close(o.served, 0.0) && close(o.recovered, 0.0));
    assert_eq!(o.recovery_secs, None);
    let web = node(&o, "web");
    assert_eq!(web.state, NodeState::Down);
    assert_eq!(
        web.reason,
        "down: hard dependency db has no healthy replica in us-east-1"
    );
    assert_eq!(node(&o, "db").reason, "down: failed");
}

/// Active-passive across us-east-1 and us-west-2 on an Aurora global database.
fn active_passive(standby: &str) -> Topology {
    doc(&r#"{
      "schema": 1, "name": "ap",
      "deployment": {"mode": "active_passive", "standby": "STANDBY", "warm_standby_fraction": 0.25,
                     "detection_secs": 30, "failover_secs": 300},
      "regions": [
        {"id": "us-east-1", "role": "primary", "azs": ["us-east-1a", "us-east-1b"]},
        {"id": "us-west-2", "role": "secondary", "azs": ["us-west-2a", "us-west-2b"]}
      ],
      "traffic": {"entry": ["dns"], "peak_rps": 1000, "read_fraction": 0.8},
      "nodes": [
        {"id": "dns", "kind": "dns", "routing": "failover", "health_checks": true},
        {"id": "alb", "kind": "load_balancer", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"], "us-west-2": ["us-west-2a", "us-west-2b"]}},
        {"id": "api", "kind": "service", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"], "us-west-2": ["us-west-2a", "us-west-2b"]},
         "min": 1, "desired": 4, "max": 40, "rps_per_instance": 250, "target_cpu": 0.5, "warmup_secs": 180},
        {"id": "orders-db", "kind": "database", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"], "us-west-2": ["us-west-2a", "us-west-2b"]},
         "engine": "aurora-postgresql", "global": true, "writer": "us-east-1", "replicas": 1, "cross_region_replicas": 1}
      ],
      "edges": [
        {"from": "dns", "to": "alb", "kind": "call"},
        {"from": "alb", "to": "api", "kind": "call"},
        {"from": "api", "to": "orders-db", "kind": "call"}
      ]
    }"#
    .replace("STANDBY", standby))
}

#[test]
fn losing_the_database_region_fails_over_after_failover_secs() {
    let t = active_passive("warm_standby");
    let o = run(&t, &["node:orders-db@us-east-1"]);
    let points: Vec<(Phase, f64, f64)> = o
        .timeline
        .iter()
        .map(|p| (p.phase, p.at_secs, p.served))
        .collect();
    assert_eq!(
        points,
        [
            (Phase::Impact, 0.0, 0.0),
            (Phase::Detected, 30.0, 0.0),
            // The replica in us-west-2 is promoted; the API in us-east-1
            // reaches it across regions.
            (Phase::FailedOver, 330.0, 1.0),
        ]
    );
    assert_eq!(o.recovery_secs, Some(330.0));
    let api = node(&o, "api");
    assert_eq!(api.state, NodeState::Ok, "{api:?}");
    assert!(o.entries[0].p95_ms > CROSS_REGION_RTT_MS, "{:?}", o.entries);
}

#[test]
fn losing_the_primary_region_fails_over_to_the_warm_standby_then_scales() {
    let t = active_passive("warm_standby");
    let o = run(&t, &["region:us-east-1"]);
    // Primary: 1,000 rps at 250 per instance over 2 AZs = 2 × ⌈4/1⌉ = 8;
    // the standby runs a quarter: 2 instances × 500 rps = 1,000 rps: just enough.
    let api = node(&o, "api");
    let west = api
        .regions
        .iter()
        .find(|r| r.region == "us-west-2")
        .unwrap();
    assert!(close(west.capacity_rps.unwrap(), 1000.0), "{west:?}");
    assert!(close(o.served, 1.0), "{:?}", o.timeline);
    assert_eq!(o.recovery_secs, Some(330.0));

    // A pilot light has no instances: the region is saturated until the
    // group launches and warms up.
    let t = active_passive("pilot_light");
    let o = run(&t, &["region:us-east-1"]);
    assert!(close(o.served, 0.0), "{:?}", o.timeline);
    assert!(close(o.recovered, 1.0), "{:?}", o.timeline);
    assert_eq!(o.recovery_secs, Some(30.0 + 300.0 + 180.0));
    let api = node(&o, "api");
    assert_eq!(api.state, NodeState::Down, "{api:?}");
}

/// web → cache (soft, 50% hits) and → db (hard); every request a read.
fn cached(db_rps: f64) -> Topology {
    doc(&r#"{
      "schema": 1, "name": "cache",
      "regions": [{"id": "us-east-1", "azs": ["us-east-1a", "us-east-1b"]}],
      "traffic": {"entry": ["web"], "peak_rps": 1000, "read_fraction": 1.0},
      "nodes": [
        {"id": "web", "kind": "service", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]},
         "min": 1, "max": 100, "rps_per_instance": 500},
        {"id": "cache", "kind": "cache", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]}, "hit_ratio": 0.5},
        {"id": "db", "kind": "database", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]},
         "engine": "postgres", "replicas": 0, "cross_region_replicas": 0, "rps_per_instance": DB}
      ],
      "edges": [
        {"from": "web", "to": "cache", "kind": "call", "dependency": "soft"},
        {"from": "web", "to": "db", "kind": "call"}
      ]
    }"#
    .replace("DB", &db_rps.to_string()))
}

#[test]
fn a_cache_outage_doubles_database_load_and_saturates_it() {
    let t = cached(700.0);
    let healthy = run(&t, &[]);
    let db = node(&healthy, "db");
    assert!(close(db.regions[0].offered_rps, 500.0), "{db:?}");
    assert!(close(healthy.served, 1.0));

    let o = run(&t, &["node:cache"]);
    let db = node(&o, "db");
    assert!(close(db.regions[0].offered_rps, 1000.0), "{db:?}");
    assert_eq!(db.state, NodeState::Saturated);
    // 700 of 1,000 database reads answered; every request needs one.
    assert!(close(o.served, 0.7), "{}", o.served);
    let web = node(&o, "web");
    assert_eq!(web.state, NodeState::Degraded);
    assert!(
        web.reason.contains("soft dependency cache is unavailable"),
        "{}",
        web.reason
    );
    assert!(
        web.reason.contains("30% of its requests fail at db"),
        "{}",
        web.reason
    );
    // Nothing scales a database: it stays short.
    assert_eq!(o.recovery_secs, None);
}

#[test]
fn a_soft_dependency_failing_degrades_but_serves() {
    let t = cached(5000.0);
    let o = run(&t, &["node:cache"]);
    assert!(close(o.served, 1.0));
    assert_eq!(node(&o, "web").state, NodeState::Degraded);
    assert_eq!(node(&o, "db").state, NodeState::Ok);
}

#[test]
fn a_degraded_node_and_a_failed_edge() {
    let t = cached(5000.0);
    // web: 1,000 rps at 500 per instance (70% target) → 2 instances (one
    // per AZ would not be N+1: 2 × ⌈2/1⌉ = 4), 4 × 714 = 2,857 rps; at 25%, 714.
    let o = run(&t, &["degraded:web=0.25"]);
    assert!(
        close(o.served, (4.0 * 500.0 / 0.7 * 0.25) / 1000.0),
        "{}",
        o.served
    );
    let o = run(&t, &["edge:web->db"]);
    assert!(close(o.served, 0.0));
    assert_eq!(
        node(&o, "web").reason,
        "down: the connection to its hard dependency db failed"
    );
}

#[test]
fn unknown_names_are_errors_that_say_what_exists() {
    let t = three_az();
    let err = simulate(&t, &Scenario::parse(&["region:eu-west-1"]).unwrap()).unwrap_err();
    assert_eq!(err.0, r#"unknown region "eu-west-1" (regions: us-east-1)"#);
    let err = simulate(&t, &Scenario::parse(&["node:wbe"]).unwrap()).unwrap_err();
    assert_eq!(err.0, r#"unknown node "wbe"; did you mean "web"?"#);
    let err = simulate(&t, &Scenario::parse(&["az:us-east-1z"]).unwrap()).unwrap_err();
    assert!(err.0.starts_with(r#"unknown AZ "us-east-1z""#), "{err}");
    assert!(Scenario::parse(&["rack:1"]).is_err());
    assert!(Scenario::parse(&["degraded:web=2"]).is_err());
    assert!(Scenario::parse(&["edge:web"]).is_err());
}

#[test]
fn the_healthy_load_is_the_cost_engine_load() {
    // The simulation's flow is crate::load's: same rps at every node.
    for template in crate::templates::TEMPLATES {
        let t = template.load().unwrap();
        let load = crate::load::Load::compute(&t);
        let o = simulate(&t, &Scenario::default()).unwrap();
        for n in &o.nodes {
            let ix = t.node_index(&n.id).unwrap();
            let sim: f64 = n.regions.iter().map(|r| r.offered_rps).sum();
            let want = load.node(ix).total();
            assert!(
                (sim - want).abs() < 1e-6 * want.max(1.0),
                "{} {}: {sim} vs {want}",
                template.name,
                n.id
            );
        }
    }
}

#[test]
fn sweep_ranks_single_failures_and_finds_spofs() {
    let report = sweep(&three_az(), true);
    assert!(close(report.baseline, 1.0));
    let spofs: Vec<String> = report.spofs().map(SweepRow::label).collect();
    // The ALB, web and db have no alternative; DNS is one too (a node is
    // one element), and losing an AZ is covered by N+1.
    assert_eq!(
        spofs,
        [
            "node:alb",
            "node:db",
            "node:dns",
            "node:web",
            "region:us-east-1"
        ]
    );
    let az = report
        .singles
        .iter()
        .find(|r| r.label() == "az:us-east-1a")
        .unwrap();
    assert!(!az.spof && close(az.lost, 0.0));
    // The database lives in a and b: losing both is a double fault.
    assert!(
        report
            .pairs
            .iter()
            .any(|r| r.label() == "az:us-east-1a + az:us-east-1b"),
        "{:?}",
        report.pairs.iter().map(SweepRow::label).collect::<Vec<_>>()
    );
    assert!(report.pairs_evaluated > 0);
}

/// Every template, and two generated estates (active-active in two
/// regions; active-passive in three).
fn templates_and_estates() -> Vec<Topology> {
    let mut docs: Vec<Topology> = crate::templates::TEMPLATES
        .iter()
        .map(|t| t.load().unwrap())
        .collect();
    let mut spec = crate::generate::SyntheticSpec::with_nodes(300);
    docs.push(crate::generate::synthetic(&spec));
    spec.mode = crate::model::DeploymentMode::ActivePassive;
    spec.regions = 3;
    docs.push(crate::generate::synthetic(&spec));
    docs
}

/// The sweep recomputes only each failure's cone; it must agree with a
/// full run of every phase, on every template and on a generated estate.
#[test]
fn sweep_cones_agree_with_full_runs() {
    let docs = templates_and_estates();
    for t in &docs {
        let c = Compact::build(t);
        let mut e = Engine::new(&c);
        let report = sweep::sweep_compact(&c, false);
        for row in &report.singles {
            let scenario = Scenario::new(row.elements.iter().map(Element::failure).collect());
            let o = simulate_with(&c, &mut e, &scenario).unwrap();
            assert!(
                (o.served - row.served).abs() < 1e-9 && (o.recovered - row.recovered).abs() < 1e-9,
                "{}: {}: full {} / {} vs sweep {} / {}",
                t.meta().name,
                row.label(),
                o.served,
                o.recovered,
                row.served,
                row.recovered
            );
        }
    }
}

/// The reachability sweep (health only, per cone) against the full health
/// pass of every phase after failover, and the exported dependency graph's
/// fixed point (what the networkx / igraph peers compute) against both.
#[test]
fn down_sets_agree_with_full_runs_and_the_dependency_graph() {
    let docs = templates_and_estates();
    for t in &docs {
        let c = Compact::build(t);
        let mut e = Engine::new(&c);
        let sets = sweep::down_sets(&c);
        let graph = sweep::dependency_graph(&c);
        assert_eq!(sets.len(), graph.failures.len());
        // The bit-matrix formulation gives the same sets, all at once.
        let matrix = sweep::down_matrix(&c);
        assert_eq!(matrix.elements.len(), sets.len());
        let counts = matrix.down_counts();
        for (e, (element, down)) in sets.iter().enumerate() {
            assert_eq!(&matrix.elements[e], element);
            assert_eq!(
                &matrix.down_units(e),
                down,
                "{}: {}",
                t.meta().name,
                element.label()
            );
            assert_eq!(counts[e] as usize, down.len());
        }
        for ((element, down), failed) in sets.iter().zip(&graph.failures) {
            assert_eq!(element.label(), failed.element);
            Scenario::new(vec![element.failure()])
                .apply(&c, &mut e)
                .unwrap();
            for phase in [Phase::FailedOver, Phase::Recovered] {
                e.run(&c, phase, false);
                let full: Vec<u32> = (0..c.units.len() as u32)
                    .filter(|&u| e.down[u as usize].is_some())
                    .collect();
                assert_eq!(&full, down, "{}: {}", t.meta().name, element.label());
            }
            assert_eq!(
                &fixed_point(&graph, &failed.fails),
                down,
                "{}: {}",
                t.meta().name,
                element.label()
            );
        }
    }
}

/// The dependency graph's definition, computed the slow way: repeat until
/// nothing changes.
fn fixed_point(g: &sweep::DependencyGraph, fails: &[u32]) -> Vec<u32> {
    let mut down = vec![false; g.units.len()];
    for &u in fails {
        down[u as usize] = true;
    }
    loop {
        let mut changed = false;
        for u in 0..g.units.len() {
            if !down[u]
                && g.requires[u]
                    .iter()
                    .any(|clause| clause.iter().all(|&v| down[v as usize]))
            {
                down[u] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (0..g.units.len() as u32)
        .filter(|&u| down[u as usize])
        .collect()
}

/// Found by the property tests: a node degraded to less than one
/// instance's worth still serves what it admits, so its latency is finite
/// (it was an M/M/c queue of zero instances: infinite).
#[test]
fn a_node_degraded_below_one_instance_has_a_finite_latency() {
    let t = cached(5000.0);
    let o = run(&t, &["degraded:web=0.01"]);
    // 4 instances × 714 rps × 1% = 28.6 rps of 1,000 admitted.
    assert!(
        close(o.served, 4.0 * 500.0 / 0.7 * 0.01 / 1000.0),
        "{}",
        o.served
    );
    let web = node(&o, "web");
    assert!(web.regions[0].p95_ms.is_finite(), "{web:?}");
    assert!(o.entries[0].p95_ms.is_finite(), "{:?}", o.entries);
}

/// Found by the property tests: failing an edge that closes a cycle (a
/// soft call back to a caller, which the load cuts) was "no edge": it is
/// in the document, and failing it changes nothing.
#[test]
fn failing_an_edge_that_closes_a_cycle_is_accepted() {
    let t = doc(r#"{
      "schema": 1, "name": "cycle",
      "regions": [{"id": "us-east-1", "azs": ["us-east-1a", "us-east-1b"]}],
      "traffic": {"entry": ["web"], "peak_rps": 100},
      "nodes": [
        {"id": "web", "kind": "service", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]}},
        {"id": "api", "kind": "service", "placement": {"us-east-1": ["us-east-1a", "us-east-1b"]}}
      ],
      "edges": [
        {"from": "web", "to": "api", "kind": "call"},
        {"from": "api", "to": "web", "kind": "call", "dependency": "soft"}
      ]
    }"#);
    let o = run(&t, &["edge:api->web"]);
    assert!(close(o.served, 1.0), "{}", o.served);
    let err = simulate(&t, &Scenario::parse(&["edge:web->web"]).unwrap()).unwrap_err();
    assert_eq!(err.0, "no edge web->web");
}
