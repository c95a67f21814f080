//! The What-if tab, driven through `egui_kittest` on the real app: failing
//! an AZ by clicking its band, presets, the SPOF list, and the canvas's
//! recolouring. Every figure asserted is computed here by calling
//! `core::sim` on the same document.
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use std::time::Duration;

use egui::{Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use topoplan::TopoplanApp;
use topoplan::app::{Config, Settings, Tab};
use topoplan::files::ScriptedDialogs;
use topoplan::health::Health;
use topoplan::whatif_ui::percent;
use topoplan_core::sim::{self, Failure, Scenario};

fn open(template: &'static str) -> Harness<'static, TopoplanApp> {
    let mut app = TopoplanApp::with_config(
        None,
        Config::headless(Box::new(ScriptedDialogs::default())),
        Settings::default(),
    );
    app.open_template(template);
    let mut h = Harness::builder()
        .with_size(vec2(1440.0, 900.0))
        .with_max_steps(16)
        .build_eframe(|_cc| app);
    h.run();
    h
}

/// Steps the app until its background work (simulation, sweep,
/// availability) is done.
fn settle(h: &mut Harness<'_, TopoplanApp>) {
    for _ in 0..4_000 {
        h.run();
        if !h.state().is_busy() {
            h.run();
            if !h.state().is_busy() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("background work did not finish");
}

fn what_if(template: &'static str) -> Harness<'static, TopoplanApp> {
    let mut h = open(template);
    h.get_by_label("What-if").click();
    h.run();
    settle(&mut h);
    assert_eq!(h.state().tab(), Tab::WhatIf);
    h
}

/// `core::sim` on the app's document.
fn simulate(h: &Harness<'_, TopoplanApp>, failures: Vec<Failure>) -> sim::Outcome {
    sim::simulate(h.state().topology(), &Scenario::new(failures)).unwrap()
}

/// A primary click at a screen point.
fn click_at(h: &mut Harness<'_, TopoplanApp>, pos: Pos2) {
    click_with(h, pos, egui::Modifiers::NONE);
}

/// A primary click at a screen point with `modifiers` held.
fn click_with(h: &mut Harness<'_, TopoplanApp>, pos: Pos2, modifiers: egui::Modifiers) {
    h.event(egui::Event::ModifiersChanged(modifiers));
    h.hover_at(pos);
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers,
        });
    }
    h.run();
    h.event(egui::Event::ModifiersChanged(egui::Modifiers::NONE));
}

fn stat(value: f64, caption: &str) -> String {
    format!("{}\n{caption}", percent(value))
}

#[test]
fn clicking_an_az_band_fails_it_and_the_panel_shows_what_the_engine_serves() {
    let mut h = what_if("three-tier");
    let az = "us-east-1a";
    let band = h.state().canvas().screen_rect_of_band(az).unwrap();
    // The band's header, left of every node box.
    click_at(&mut h, band.left_center() + vec2(30.0, 0.0));
    h.run();
    settle(&mut h);
    let failed = vec![Failure::Az { id: az.to_owned() }];
    assert_eq!(h.state().what_if().failures(), failed.as_slice());
    let expected = simulate(&h, failed);
    assert!(
        expected.worst < expected.baseline,
        "losing {az} costs traffic until it is detected"
    );
    h.get_by_label(&stat(expected.worst, "at worst"));
    h.get_by_label(&stat(expected.served, "after failover"));
    h.get_by_label(&stat(expected.recovered, "once autoscaled"));
    for entry in &expected.entries {
        h.get_by_label(&entry.node);
    }
    // The canvas marks the AZ and recolours nodes by the engine's states.
    let health = h.state().what_if().health().unwrap();
    assert!(health.failed.azs.contains(az));
    let t = h.state().topology();
    for node in &expected.nodes {
        let ix = t.node_index(&node.id).unwrap();
        let site = health.site(ix, Some("us-east-1")).unwrap();
        assert_eq!(
            site.health,
            Health::from(node.regions[0].state),
            "{}",
            node.id
        );
        assert!((site.served_fraction - node.regions[0].served).abs() < 1e-12);
    }
    // Clicking the band again brings the AZ back.
    click_at(&mut h, band.left_center() + vec2(30.0, 0.0));
    h.run();
    settle(&mut h);
    assert!(h.state().what_if().failures().is_empty());
    h.get_by_label("nothing failed");
}

#[test]
fn a_preset_fails_a_whole_region_and_clear_brings_it_back() {
    let mut h = what_if("marketplace");
    h.get_by_label("lose us-east-1").click();
    h.run();
    settle(&mut h);
    let failed = vec![Failure::Region {
        id: "us-east-1".to_owned(),
    }];
    assert_eq!(h.state().what_if().failures(), failed.as_slice());
    let expected = simulate(&h, failed);
    h.get_by_label(&stat(expected.served, "after failover"));
    h.get_by_label(&stat(expected.recovered, "once autoscaled"));
    let health = h.state().what_if().health().unwrap();
    assert!(health.failed.regions.contains("us-east-1"));
    let bff = h.state().topology().node_index("bff").unwrap();
    assert_eq!(
        health.site(bff, Some("us-east-1")).unwrap().health,
        Health::Down
    );
    h.get_by_label("Clear").click();
    h.run();
    settle(&mut h);
    assert!(h.state().what_if().failures().is_empty());
}

#[test]
fn picking_a_spof_shows_that_failure_and_its_node_turns_down() {
    let mut h = what_if("three-tier");
    let at = h.state().revision();
    let report = sim::sweep(h.state().topology(), false);
    let shown = h.state().what_if().spofs(at).unwrap();
    assert_eq!(shown, &report, "the panel's sweep is the engine's");
    let row = report
        .spofs()
        .find(|r| matches!(r.elements.as_slice(), [sim::Element::Node(_)]))
        .unwrap();
    let [sim::Element::Node(id)] = row.elements.as_slice() else {
        unreachable!()
    };
    h.get_by_label(&row.label()).click();
    h.run();
    settle(&mut h);
    assert_eq!(
        h.state().what_if().failures(),
        [Failure::Node {
            id: id.clone(),
            region: None
        }]
    );
    let ix = h.state().topology().node_index(id).unwrap();
    let health = h.state().what_if().health().unwrap();
    assert_eq!(
        health.site(ix, Some("us-east-1")).unwrap().health,
        Health::Down
    );
    assert!(health.failed.nodes.contains(&ix));
    let expected = simulate(&h, vec![row.elements[0].failure()]);
    assert!((expected.recovered - row.recovered).abs() < 1e-9);
    h.get_by_label(&stat(expected.recovered, "once autoscaled"));
}

#[test]
fn clicking_a_node_in_what_if_mode_fails_it_instead_of_selecting() {
    let mut h = what_if("three-tier");
    let ix = h.state().topology().node_index("cache").unwrap();
    let rect = h.state().canvas().screen_rect_of(ix).unwrap();
    click_at(&mut h, rect.center());
    h.run();
    settle(&mut h);
    assert!(h.state().selection().is_empty());
    assert_eq!(
        h.state().what_if().failures(),
        [Failure::Node {
            id: "cache".to_owned(),
            region: None
        }]
    );
    let expected = simulate(&h, h.state().what_if().failures().to_vec());
    h.get_by_label(&stat(expected.served, "after failover"));
}

#[test]
fn the_availability_readout_is_the_engines() {
    let h = what_if("three-tier");
    let a = topoplan_core::availability::topology::assess(
        h.state().topology(),
        topoplan_core::availability::topology::Options::default(),
    );
    h.get_by_label(&a.figure.percent_text());
    h.get_by_label_contains(&format!("{:.2} nines", a.figure.nines()));
}

#[test]
fn a_document_with_errors_is_not_simulated_and_says_why() {
    let mut h = open("three-tier");
    // A service in no region is an error.
    h.get_by_label("Service").click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "us-east-1")
        .click();
    h.run();
    assert!(!h.state().document().last_report().is_ok());
    h.get_by_label("What-if").click();
    h.run();
    settle(&mut h);
    h.get_by_label_contains("the simulation needs a valid design");
    assert!(h.state().what_if().health().is_none());
}

#[test]
fn sweeping_every_pair_lists_the_engines_double_faults_and_shows_one() {
    let mut h = what_if("active-active");
    let expected = sim::sweep(h.state().topology(), true);
    assert!(!expected.pairs.is_empty(), "the template has double faults");
    h.get_by_label("Sweep every pair").scroll_to_me();
    h.run();
    h.get_by_label("Sweep every pair").click();
    h.run();
    settle(&mut h);
    h.get_by_label(&format!(
        "{} pairs evaluated; {} break the SLO",
        expected.pairs_evaluated,
        expected.pairs.iter().filter(|r| r.spof).count()
    ));
    // The worst double fault, clicked, becomes the scenario.
    let worst = &expected.pairs[0];
    let label = worst.label();
    h.get_by_label(&label).scroll_to_me();
    h.run();
    h.get_by_label(&label).click();
    h.run();
    settle(&mut h);
    let failures: Vec<Failure> = worst.elements.iter().map(sim::Element::failure).collect();
    assert_eq!(h.state().what_if().failures(), failures.as_slice());
    let outcome = simulate(&h, failures);
    assert!((outcome.recovered - worst.recovered).abs() < 1e-9);
}

#[test]
fn shift_clicking_a_node_fails_it_in_that_region_only() {
    let mut h = what_if("active-active");
    let ix = h.state().topology().node_index("api").unwrap();
    // The api's drawing in eu-west-1 (its second region).
    let rect = h.state().canvas().screen_rect_in(ix, "eu-west-1").unwrap();
    click_with(&mut h, rect.center(), egui::Modifiers::SHIFT);
    settle(&mut h);
    let failure = Failure::Node {
        id: "api".to_owned(),
        region: Some("eu-west-1".to_owned()),
    };
    assert_eq!(
        h.state().what_if().failures(),
        std::slice::from_ref(&failure)
    );
    let health = h.state().what_if().health().unwrap();
    assert_eq!(
        health.site(ix, Some("eu-west-1")).unwrap().health,
        Health::Down
    );
    assert_ne!(
        health.site(ix, Some("us-east-1")).unwrap().health,
        Health::Down
    );
    let expected = simulate(&h, vec![failure]);
    h.get_by_label(&stat(expected.served, "after failover"));
}
