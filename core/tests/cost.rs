//! The cost engine: arithmetic against hand-computed bills, every template
//! priced (reviewed snapshots), overrides and discounts, precise errors, and
//! properties (cost never falls when capacity or traffic grows).
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use std::fmt::Write as _;

use proptest::prelude::*;
use topoplan_core::cost::{self, Catalog, Category, Estimate, NoAssessment, Variant};
use topoplan_core::model::{
    DeploymentMode, Edge, EdgeRecord, EntryPoint, LoadBalancerSpec, Meta, Node, NodeKind, NodeSpec,
    Region, RegionRole, ServiceSpec, Topology, json,
};
use topoplan_core::{templates, validate::validate};

fn catalog() -> &'static Catalog {
    Catalog::embedded().unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// One region per id, three AZs each, the first primary.
fn meta(regions: &[&str], mode: DeploymentMode) -> Meta {
    let mut meta = Meta::new("fixture");
    meta.deployment.mode = mode;
    meta.regions = regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let azs: Vec<String> = ["a", "b", "c"].iter().map(|l| format!("{r}{l}")).collect();
            let azs: Vec<&str> = azs.iter().map(String::as_str).collect();
            Region::new(
                r,
                if i == 0 {
                    RegionRole::Primary
                } else {
                    RegionRole::Secondary
                },
                &azs,
            )
        })
        .collect();
    meta
}

/// A fixed-size group (min = max) of `count` instances in every region.
fn fixed_service(id: &str, instance_type: &str, count: u32, regions: &[&str]) -> Node {
    let mut node = Node::new(id, NodeKind::Service);
    for r in regions {
        node = node.placed(r, &[&format!("{r}a"), &format!("{r}b"), &format!("{r}c")]);
    }
    node.spec = NodeSpec::Service(ServiceSpec {
        instance_type: instance_type.to_owned(),
        min: count,
        desired: count,
        max: count,
        ..ServiceSpec::default()
    });
    node
}

fn fixture(regions: &[&str], mode: DeploymentMode, nodes: Vec<Node>) -> Topology {
    let mut t = Topology::new(meta(regions, mode));
    for n in nodes {
        t.add_node(n).unwrap();
    }
    t
}

fn own(t: &Topology) -> Estimate {
    cost::estimate(t).unwrap()
}

// -- arithmetic from the pricing notes --------------------------------------

/// 4 × m5.large × 730 h: 4 × 0.096 × 730 = 280.32 in us-east-1.
#[test]
fn instance_count_times_hourly_times_730() {
    let t = fixture(
        &["us-east-1"],
        DeploymentMode::Single,
        vec![fixed_service("web", "m5.large", 4, &["us-east-1"])],
    );
    let e = own(&t);
    assert!(
        close(e.monthly_usd(), 4.0 * 0.096 * 730.0),
        "{}",
        e.monthly_usd()
    );
    let lines = e.lines(&t);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].price_key, "ec2:m5.large@us-east-1");
    assert!(close(lines[0].quantity, 4.0 * 730.0));
}

/// The same group in each region of an active-active pair, priced at each
/// region's rate: c5.xlarge is 0.17 in us-east-1 and 0.192 in eu-west-1.
#[test]
fn each_region_is_priced_at_its_own_rate() {
    let regions = ["us-east-1", "eu-west-1"];
    let t = fixture(
        &regions,
        DeploymentMode::ActiveActive,
        vec![fixed_service("api", "c5.xlarge", 6, &regions)],
    );
    let e = own(&t);
    let slots = e.by_slot();
    assert!(close(slots[0], 6.0 * 0.17 * 730.0), "{slots:?}");
    assert!(close(slots[1], 6.0 * 0.192 * 730.0), "{slots:?}");
    // Single mode deploys the primary only.
    let single = cost::estimate_variant(&t, catalog(), Variant::Single).unwrap();
    assert!(close(single.monthly_usd(), 6.0 * 0.17 * 730.0));
}

/// An ALB is 0.0225 an hour in us-east-1 (no traffic: no LCUs); a pilot
/// light standby keeps the load balancer and runs no instances.
#[test]
fn pilot_light_keeps_the_load_balancer_and_no_instances() {
    let regions = ["us-east-1", "us-west-2"];
    let mut alb = Node::new("alb", NodeKind::LoadBalancer);
    for r in regions {
        alb = alb.placed(r, &[&format!("{r}a"), &format!("{r}b")]);
    }
    alb.spec = NodeSpec::LoadBalancer(LoadBalancerSpec::default());
    let t = fixture(
        &regions,
        DeploymentMode::ActivePassive,
        vec![alb, fixed_service("web", "m5.large", 4, &regions)],
    );
    let pilot = cost::estimate_variant(&t, catalog(), Variant::PilotLight).unwrap();
    let by = pilot.by_slot();
    assert!(close(by[0], 0.0225 * 730.0 + 4.0 * 0.096 * 730.0), "{by:?}");
    assert!(close(by[1], 0.0225 * 730.0), "{by:?}");
    // Warm standby at 25%: one instance of four.
    let warm = cost::estimate_variant(&t, catalog(), Variant::WarmStandby).unwrap();
    assert!(close(warm.by_slot()[1], 0.0225 * 730.0 + 0.096 * 730.0));
}

/// An autoscaling group costs its average over the daily profile, not its max.
#[test]
fn an_autoscaling_group_costs_its_daily_average_not_its_max() {
    let mut t = fixture(&["us-east-1"], DeploymentMode::Single, vec![]);
    let mut dns = Node::new("dns", NodeKind::Dns);
    dns.spec = NodeSpec::default_for(NodeKind::Dns);
    t.add_node(dns).unwrap();
    let mut web = Node::new("web", NodeKind::Service).placed("us-east-1", &["us-east-1a"]);
    web.spec = NodeSpec::Service(ServiceSpec {
        instance_type: "m5.large".into(),
        min: 1,
        desired: 1,
        max: 10,
        rps_per_instance: 100.0,
        ..ServiceSpec::default()
    });
    t.add_node(web).unwrap();
    t.add_edge(EdgeRecord::new("dns", "web", Edge::call()))
        .unwrap();
    let mut m = t.meta().clone();
    m.traffic.entry = vec![EntryPoint::new("dns")];
    m.traffic.peak_rps = 1000.0;
    // Peak (10 instances) for 6 hours, a tenth of it (1 instance) for 18.
    m.traffic.daily_profile = Some((0..24).map(|h| if h < 6 { 1.0 } else { 0.1 }).collect());
    t.set_meta(m);
    let e = own(&t);
    let instances = e
        .lines(&t)
        .into_iter()
        .find(|l| l.item == "instances")
        .unwrap();
    let avg = (6.0 * 10.0 + 18.0 * 1.0) / 24.0;
    assert!(
        close(instances.quantity, avg * 730.0),
        "{}",
        instances.quantity
    );
    assert!(close(instances.list_usd, avg * 730.0 * 0.096));
}

// -- overrides, discounts, hours ---------------------------------------------

#[test]
fn overrides_replace_catalog_prices_most_specific_first() {
    let regions = ["us-east-1", "eu-west-1"];
    let mut t = fixture(
        &regions,
        DeploymentMode::ActiveActive,
        vec![fixed_service("api", "m5.large", 2, &regions)],
    );
    let mut m = t.meta().clone();
    m.pricing.overrides.insert("ec2:m5.large".into(), 0.05);
    m.pricing
        .overrides
        .insert("ec2:m5.large@eu-west-1".into(), 0.06);
    t.set_meta(m);
    let e = own(&t);
    let by = e.by_slot();
    assert!(close(by[0], 2.0 * 0.05 * 730.0), "{by:?}");
    assert!(close(by[1], 2.0 * 0.06 * 730.0), "{by:?}");
    assert!(e.lines(&t).iter().all(|l| l.overridden && l.verified));
    assert!(validate(&t).is_ok());
}

#[test]
fn a_discount_and_the_hours_per_month_scale_the_bill() {
    let mut t = fixture(
        &["us-east-1"],
        DeploymentMode::Single,
        vec![fixed_service("web", "m5.large", 4, &["us-east-1"])],
    );
    let mut m = t.meta().clone();
    m.pricing.discount_percent = 12.5;
    m.pricing.hours_per_month = 720.0;
    t.set_meta(m);
    let e = own(&t);
    let list = 4.0 * 0.096 * 720.0;
    assert!(close(e.list_usd(), list));
    assert!(close(e.monthly_usd(), list * 0.875));
    let lines = e.lines(&t);
    assert!(close(lines[0].monthly_usd, list * 0.875));
    assert!(close(lines[0].list_usd, list));
}

// -- errors: never a silent zero ---------------------------------------------

#[test]
fn an_unknown_instance_type_is_an_error_naming_node_region_and_type() {
    let t = fixture(
        &["us-east-1"],
        DeploymentMode::Single,
        vec![fixed_service("web", "m5.larg", 2, &["us-east-1"])],
    );
    let err = cost::estimate(&t).unwrap_err().to_string();
    assert!(err.contains("nodes[0] (\"web\") in us-east-1"), "{err}");
    assert!(err.contains("EC2 instance type \"m5.larg\""), "{err}");
    assert!(err.contains("did you mean \"m5.large\"?"), "{err}");
    assert!(err.contains("\"ec2:m5.larg@us-east-1\""), "{err}");
}

#[test]
fn a_region_without_a_price_is_an_error_and_an_override_fixes_it() {
    let mut t = fixture(
        &["sa-east-1"],
        DeploymentMode::Single,
        vec![fixed_service("web", "m5.large", 2, &["sa-east-1"])],
    );
    let err = cost::estimate(&t).unwrap_err().to_string();
    assert!(err.contains("in sa-east-1"), "{err}");
    assert!(err.contains("us-east-1, us-west-2, eu-west-1"), "{err}");
    let mut m = t.meta().clone();
    m.pricing
        .overrides
        .insert("ec2:m5.large@sa-east-1".into(), 0.153);
    t.set_meta(m);
    assert!(close(own(&t).monthly_usd(), 2.0 * 0.153 * 730.0));
}

#[test]
fn pricing_settings_are_validated_with_their_place() {
    let mut t = fixture(
        &["us-east-1"],
        DeploymentMode::Single,
        vec![fixed_service("web", "m5.large", 2, &["us-east-1"])],
    );
    let mut m = t.meta().clone();
    m.pricing.hours_per_month = 0.0;
    m.pricing.discount_percent = 100.0;
    for (k, v) in [
        ("ec2-m5.large", 0.1),
        ("ecc:m5.large", 0.1),
        ("ec2:m5.large@us-east-9", 0.1),
        ("ec2:", 0.1),
        ("ec2:m5.large", -1.0),
        ("ec2:m5.larg", 0.1),
        ("ec2:m5.large@eu-west-1", 0.1),
    ] {
        m.pricing.overrides.insert(k.into(), v);
    }
    t.set_meta(m);
    let report = validate(&t);
    let has = |list: &[topoplan_core::Diagnostic], path: &str, text: &str| {
        list.iter()
            .any(|d| d.code == "pricing" || d.code == "out-of-range")
            && list
                .iter()
                .any(|d| d.path == path && d.message.contains(text))
    };
    let e = &report.errors;
    assert!(has(e, "pricing.hours_per_month", "at most 744"), "{e:#?}");
    assert!(has(e, "pricing.discount_percent", "below 100"), "{e:#?}");
    assert!(
        has(e, "pricing.overrides.ec2-m5.large", "service:item[@region]"),
        "{e:#?}"
    );
    assert!(
        has(e, "pricing.overrides.ecc:m5.large", "did you mean \"ec2\""),
        "{e:#?}"
    );
    assert!(
        has(
            e,
            "pricing.overrides.ec2:m5.large@us-east-9",
            "unknown region"
        ),
        "{e:#?}"
    );
    assert!(has(e, "pricing.overrides.ec2:", "names no item"), "{e:#?}");
    assert!(
        has(e, "pricing.overrides.ec2:m5.large", "0 USD or more"),
        "{e:#?}"
    );
    let w = &report.warnings;
    assert!(
        has(
            w,
            "pricing.overrides.ec2:m5.larg",
            "did you mean \"m5.large\""
        ),
        "{w:#?}"
    );
    assert!(
        has(
            w,
            "pricing.overrides.ec2:m5.large@eu-west-1",
            "does not use"
        ),
        "{w:#?}"
    );
}

#[test]
fn every_template_prices_without_an_error_in_every_mode() {
    for t in templates::TEMPLATES {
        let doc = t.load().unwrap();
        assert!(validate(&doc).is_ok(), "{}", t.name);
        let c = cost::compare(&doc, catalog(), &NoAssessment).unwrap();
        for row in &c.rows {
            assert!(row.monthly_usd > 0.0, "{} {:?}", t.name, row.variant);
        }
        // Active-passive and active-active cost at least what single costs.
        let single = c.rows[0].monthly_usd;
        for row in &c.rows[1..] {
            assert!(
                row.monthly_usd >= single - 1e-6,
                "{} {:?}",
                t.name,
                row.variant
            );
        }
    }
}

/// The canonical form of documents without a pricing section is unchanged;
/// a pricing section round-trips.
#[test]
fn a_pricing_section_round_trips_and_defaults_are_left_out() {
    let doc = templates::find("three-tier").unwrap().load().unwrap();
    let text = json::to_string(&doc);
    assert!(!text.contains("\"pricing\""));
    let mut t = doc.clone();
    let mut m = t.meta().clone();
    m.pricing.discount_percent = 7.0;
    m.pricing
        .overrides
        .insert("elb:alb-hour@us-east-1".into(), 0.02);
    t.set_meta(m);
    let text = json::to_string(&t);
    assert!(text.contains("\"pricing\""), "{text}");
    let back = json::from_str(&text).unwrap();
    assert_eq!(back, t);
    assert_eq!(json::to_string(&back), text);
}

// -- snapshots ---------------------------------------------------------------

fn render(t: &Topology, e: &Estimate) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {}, {} h/month, discount {}%",
        t.meta().name,
        e.variant.label(),
        e.hours_per_month,
        e.discount_percent
    );
    for l in e.lines(t) {
        let _ = writeln!(
            s,
            "{:<15} {:<26} {:<52} {:>16.2} {:<12} {:<38} {:>12.2}{}",
            l.region,
            l.element,
            l.name,
            l.quantity,
            l.unit,
            l.price_key,
            l.list_usd,
            if l.verified { "" } else { " ~" }
        );
    }
    for (i, c) in Category::ALL.iter().enumerate() {
        let _ = writeln!(s, "category {:<14} {:>12.2}", c.label(), e.by_category()[i]);
    }
    for (slot, usd) in e.by_slot().iter().enumerate() {
        let _ = writeln!(s, "region {:<16} {:>12.2}", e.slot_name(slot), usd);
    }
    let _ = writeln!(
        s,
        "total {:>12.2} (unverified prices: {:.2})",
        e.monthly_usd(),
        e.unverified_usd()
    );
    for w in e.warning_texts(t, None) {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

fn render_comparison(t: &Topology) -> String {
    let c = cost::compare(t, catalog(), &NoAssessment).unwrap();
    let mut s = String::new();
    for row in &c.rows {
        let _ = writeln!(
            s,
            "{:<30} {:>12.2} {:>+12.2} {:>+8.1}%{}",
            row.label,
            row.monthly_usd,
            row.premium_usd,
            row.premium_percent,
            if row.current { "  (document)" } else { "" }
        );
        for (c, v) in &row.by_category {
            let _ = writeln!(s, "    {:<14} {:>12.2}", c.label(), v);
        }
    }
    for (v, why) in &c.skipped {
        let _ = writeln!(s, "{:<30} n/a: {why}", v.label());
    }
    for f in &c.findings {
        let _ = writeln!(s, "- {f}");
    }
    s
}

#[test]
fn every_template_is_priced_as_reviewed() {
    for t in templates::TEMPLATES {
        let doc = t.load().unwrap();
        let e = own(&doc);
        insta::assert_snapshot!(format!("{}-estimate", t.name), render(&doc, &e));
        insta::assert_snapshot!(format!("{}-compare", t.name), render_comparison(&doc));
    }
}

// -- properties --------------------------------------------------------------

fn with_service_sizes(t: &Topology, id: &str, min: u32, max: u32) -> Topology {
    let mut t = t.clone();
    let mut node = t.node(id).unwrap().clone();
    if let NodeSpec::Service(s) = &mut node.spec {
        s.min = min;
        s.desired = min;
        s.max = max;
    }
    t.update_node(id, node).unwrap();
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// More instances (a larger min or max of any group) never cost less,
    /// in any mode.
    #[test]
    fn cost_is_monotone_in_instance_counts(
        template in 0..templates::TEMPLATES.len(),
        pick in any::<prop::sample::Index>(),
        min in 0u32..20,
        extra_min in 0u32..10,
        extra_max in 0u32..20,
        variant in 0..Variant::ALL.len(),
    ) {
        let doc = templates::TEMPLATES[template].load().unwrap();
        let services: Vec<String> = doc
            .nodes()
            .filter(|n| n.kind() == NodeKind::Service)
            .map(|n| n.id.clone())
            .collect();
        prop_assume!(!services.is_empty());
        let id = pick.get(&services).clone();
        let variant = Variant::ALL[variant];
        prop_assume!(!variant.is_multi_region() || doc.meta().regions.len() > 1);
        let small = with_service_sizes(&doc, &id, min, min + 10);
        let large = with_service_sizes(&doc, &id, min + extra_min, min + 10 + extra_min + extra_max);
        let a = cost::estimate_variant(&small, catalog(), variant).unwrap().monthly_usd();
        let b = cost::estimate_variant(&large, catalog(), variant).unwrap().monthly_usd();
        prop_assert!(b >= a - 1e-6, "{a} -> {b}");
    }

    /// More traffic never costs less (load is linear, sizing and tiers monotone).
    #[test]
    fn cost_is_monotone_in_peak_traffic(
        template in 0..templates::TEMPLATES.len(),
        factor in 1.0f64..4.0,
        variant in 0..Variant::ALL.len(),
    ) {
        let doc = templates::TEMPLATES[template].load().unwrap();
        let variant = Variant::ALL[variant];
        prop_assume!(!variant.is_multi_region() || doc.meta().regions.len() > 1);
        let mut more = doc.clone();
        let mut m = more.meta().clone();
        m.traffic.peak_rps *= factor;
        more.set_meta(m);
        let a = cost::estimate_variant(&doc, catalog(), variant).unwrap().monthly_usd();
        let b = cost::estimate_variant(&more, catalog(), variant).unwrap().monthly_usd();
        prop_assert!(b >= a - 1e-6, "{a} -> {b}");
    }
}

#[test]
fn synthetic_topologies_price_in_every_mode() {
    let t = topoplan_core::generate::synthetic(
        &topoplan_core::generate::SyntheticSpec::with_nodes(500),
    );
    let c = cost::compare(&t, catalog(), &NoAssessment).unwrap();
    assert_eq!(c.rows.len(), 4);
    assert!(c.rows.iter().all(|r| r.monthly_usd > 0.0));
}
