//! The real app, driven through `egui_kittest`: palette, canvas gestures,
//! inspector, undo/redo, documents and their dialogs.
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot go on should fail loudly"
)]

use std::path::PathBuf;
use std::time::Duration;

use egui::{Key, Modifiers, Pos2, Role, pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use topoplan::TopoplanApp;
use topoplan::app::{Config, Settings};
use topoplan::files::ScriptedDialogs;
use topoplan_core::model::{EdgeKind, NodeKind};

fn app_with(template: &'static str, dialogs: ScriptedDialogs) -> TopoplanApp {
    let mut app = TopoplanApp::with_config(
        None,
        Config::headless(Box::new(dialogs)),
        Settings::default(),
    );
    app.open_template(template);
    app
}

fn harness(app: TopoplanApp) -> Harness<'static, TopoplanApp> {
    // Background work (pricing) finishing wakes the UI: allow the frames
    // that follow before calling the UI unsettled.
    let mut h = Harness::builder()
        .with_size(vec2(1440.0, 900.0))
        .with_max_steps(16)
        .build_eframe(|_cc| app);
    h.run();
    h
}

fn open(template: &'static str) -> Harness<'static, TopoplanApp> {
    harness(app_with(template, ScriptedDialogs::default()))
}

/// The screen rectangle of a node's (first) box.
fn node_rect(h: &Harness<'_, TopoplanApp>, id: &str) -> egui::Rect {
    let ix = h.state().topology().node_index(id).unwrap();
    h.state().canvas().screen_rect_of(ix).unwrap()
}

/// Presses at `from`, moves to `to` in a few steps, releases.
fn drag(h: &mut Harness<'_, TopoplanApp>, from: Pos2, to: Pos2, modifiers: Modifiers) {
    h.event(egui::Event::ModifiersChanged(modifiers));
    h.hover_at(from);
    h.run();
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers,
    });
    h.run();
    for t in [0.25, 0.5, 0.75, 1.0] {
        h.hover_at(from + (to - from) * t);
        h.run();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers,
    });
    h.run();
    h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    h.hover_at(pos2(700.0, 880.0));
    h.run();
}

fn press(h: &mut Harness<'_, TopoplanApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run();
}

#[test]
fn shows_the_document_summary_and_validity() {
    let h = open("three-tier");
    h.get_by_label("Three-tier web app");
    h.get_by_label("single region · 1 region · 7 nodes · 6 edges · peak 3000 rps");
    h.get_by_label("valid");
}

#[test]
fn adding_a_node_from_the_palette_selects_it_and_undo_redo_remove_and_restore_it() {
    let mut h = open("three-tier");
    let before = h.state().topology().node_count();
    h.get_by_label("Service").click();
    h.run();
    let t = h.state().topology();
    assert_eq!(t.node_count(), before + 1);
    let added = t.node("service").expect("the new node is called service");
    assert_eq!(added.kind(), NodeKind::Service);
    // Zonal: placed in the primary region, across its AZs.
    assert_eq!(added.placement["us-east-1"].len(), 3);
    assert_eq!(h.state().selection().single_node(), t.node_index("service"));
    // The inspector shows it.
    h.get_by_role_and_label(Role::TextInput, "Id");
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(h.state().topology().node_count(), before);
    assert!(h.state().message().unwrap().contains("Undid: Add service"));
    press(&mut h, Modifiers::COMMAND, Key::Y);
    assert!(h.state().topology().contains("service"));
}

#[test]
fn dropping_a_palette_item_in_a_region_lane_places_it_in_that_region() {
    let mut h = open("marketplace");
    // A point inside the us-west-2 lane, right of the last column.
    // orders-db is drawn in both regions: its second box is in us-west-2,
    // in one AZ; the band under it is free.
    let ix = h.state().topology().node_index("orders-db").unwrap();
    let boxes = h.state().canvas().screen_rects_of(ix);
    let target = pos2(boxes[1].center().x, boxes[1].max.y + 25.0);
    let from = h.get_by_label("Cache").rect().center();
    drag(&mut h, from, target, Modifiers::NONE);
    let t = h.state().topology();
    let cache = t.node("cache-2").expect("a second cache was added");
    assert_eq!(
        cache.placement.keys().collect::<Vec<_>>(),
        ["us-west-2"],
        "placed where it was dropped"
    );
    assert_eq!(cache.placement["us-west-2"].len(), 3, "across every AZ");
}

#[test]
fn dragging_from_a_port_to_a_node_connects_them() {
    let mut h = open("three-tier");
    let web = node_rect(&h, "web");
    let cache = node_rect(&h, "cache");
    drag(
        &mut h,
        pos2(web.max.x, web.center().y),
        cache.center(),
        Modifiers::NONE,
    );
    let t = h.state().topology();
    let edge = t.edge("web", "cache").expect("web → cache was connected");
    assert_eq!(edge.kind, EdgeKind::Call);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(h.state().topology().edge("web", "cache").is_none());
}

#[test]
fn a_connection_that_would_break_a_rule_is_refused_with_the_reason() {
    let mut h = open("three-tier");
    let before = h.state().topology().edge_count();
    let db = node_rect(&h, "db");
    let alb = node_rect(&h, "alb");
    drag(
        &mut h,
        pos2(db.max.x, db.center().y),
        alb.center(),
        Modifiers::NONE,
    );
    assert_eq!(h.state().topology().edge_count(), before);
    let message = h.state().message().unwrap().to_owned();
    assert!(
        message.contains("Cannot connect db -> alb") && message.contains("cycle"),
        "{message}"
    );
    h.get_by_label(&message);
}

#[test]
fn dragging_a_node_sideways_moves_it_and_is_one_undo_step() {
    let mut h = open("three-tier");
    let web = node_rect(&h, "web");
    let scale = h.state().canvas().camera.scale;
    drag(
        &mut h,
        web.center(),
        web.center() + vec2(80.0, 0.0),
        Modifiers::NONE,
    );
    let x = h.state().topology().node("web").unwrap().position.unwrap()[0];
    let expected = f64::from(h.state().canvas().camera.to_canvas(web.min).x + 80.0 / scale);
    assert!((x - expected).abs() <= 8.0, "x {x} vs {expected}");
    assert_eq!(h.state().document().history().undo_labels().count(), 1);
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(h.state().topology().node("web").unwrap().position, None);
}

#[test]
fn dragging_a_single_az_node_to_another_band_re_places_it() {
    let mut h = open("three-tier");
    // Pin web to us-east-1a in the inspector, then drag it down a band.
    h.state_mut().select_node("web");
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "b").click();
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "c").click();
    h.run();
    assert_eq!(
        h.state().topology().node("web").unwrap().placement["us-east-1"],
        ["us-east-1a"]
    );
    let web = node_rect(&h, "web");
    let band = web.height() + 14.0 * h.state().canvas().camera.scale;
    drag(
        &mut h,
        web.center(),
        web.center() + vec2(0.0, band),
        Modifiers::NONE,
    );
    assert_eq!(
        h.state().topology().node("web").unwrap().placement["us-east-1"],
        ["us-east-1b"]
    );
}

#[test]
fn shift_dragging_empty_space_selects_a_rectangle_and_delete_removes_it_as_one_step() {
    let mut h = open("three-tier");
    let web = node_rect(&h, "web");
    let app = node_rect(&h, "app");
    let from = pos2(web.min.x - 10.0, web.min.y - 4.0);
    let to = pos2(app.max.x + 10.0, app.max.y + 4.0);
    drag(&mut h, from, to, Modifiers::SHIFT);
    let t = h.state().topology();
    let selected: Vec<&str> = h
        .state()
        .selection()
        .nodes
        .iter()
        .map(|&ix| t.graph()[ix].id.as_str())
        .collect();
    assert_eq!(selected, ["web", "app"]);
    press(&mut h, Modifiers::NONE, Key::Delete);
    assert!(!h.state().topology().contains("web") && !h.state().topology().contains("app"));
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert!(
        h.state().topology().contains("web") && h.state().topology().edge("web", "app").is_some()
    );
}

#[test]
fn copy_paste_and_duplicate_add_renamed_nodes() {
    let mut h = open("three-tier");
    h.state_mut().select_node("app");
    h.run();
    press(&mut h, Modifiers::COMMAND, Key::C);
    press(&mut h, Modifiers::COMMAND, Key::V);
    assert!(h.state().topology().contains("app-2"));
    press(&mut h, Modifiers::COMMAND, Key::D);
    assert!(
        h.state().topology().contains("app-3"),
        "duplicate of the pasted node"
    );
    assert_eq!(
        h.state().document().history().next_undo(),
        Some("Duplicate app-3")
    );
}

#[test]
fn editing_a_setting_in_the_inspector_applies_it_and_undo_restores_it() {
    let mut h = open("three-tier");
    h.state_mut().select_node("web");
    h.run();
    let desired = h.get_by_role_and_label(Role::SpinButton, "Desired");
    desired.set_value_accesskit(5.0);
    h.run();
    let spec = |h: &Harness<'_, TopoplanApp>| match &h.state().topology().node("web").unwrap().spec
    {
        topoplan_core::model::NodeSpec::Service(s) => s.desired,
        _ => unreachable!(),
    };
    assert_eq!(spec(&h), 5);
    assert_eq!(
        h.state().document().history().next_undo(),
        Some("Edit web desired")
    );
    // Typing a name is one step too.
    let name = h.get_by_role_and_label(Role::TextInput, "Name");
    name.focus();
    name.type_text(" v2");
    h.run();
    assert_eq!(
        h.state().topology().node("web").unwrap().name,
        "Web frontend v2"
    );
    h.get_by_label("Web frontend v2");
    press(&mut h, Modifiers::NONE, Key::Escape);
    h.remove_cursor();
    h.run();
    h.state_mut().end_gesture();
    h.run();
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        h.state().topology().node("web").unwrap().name,
        "Web frontend"
    );
    press(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(spec(&h), 9);
}

#[test]
fn an_invalid_id_is_explained_and_not_applied() {
    let mut h = open("three-tier");
    h.state_mut().select_node("web");
    h.run();
    let id = h.get_by_role_and_label(Role::TextInput, "Id");
    id.focus();
    id.type_text(" x");
    h.run();
    h.get_by_label("an id uses only ASCII letters, digits, '-', '_' and '.'");
    press(&mut h, Modifiers::NONE, Key::Enter);
    assert!(h.state().topology().contains("web"));
}

#[test]
fn clicking_a_problem_selects_the_element_it_is_about() {
    let mut h = open("three-tier");
    // A single-AZ service draws a warning about that node.
    h.state_mut().select_node("app");
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "b").click();
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "c").click();
    h.run();
    h.state_mut().select_nothing();
    h.run();
    h.get_by_label_contains("Problems (").click();
    h.run();
    h.get_by_label_contains("losing that AZ takes it down")
        .click();
    h.run();
    let t = h.state().topology();
    assert_eq!(h.state().selection().single_node(), t.node_index("app"));
}

fn malformed_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.json");
    std::fs::write(
        &path,
        r#"{"schema": 1, "name": "b", "nodes": [{"id": "x", "kind": "servce"}]}"#,
    )
    .unwrap();
    (dir, path)
}

#[test]
fn opening_a_malformed_file_shows_the_problems_and_keeps_the_document() {
    let (_dir, path) = malformed_file();
    let mut h = harness(app_with(
        "three-tier",
        ScriptedDialogs::answering([Some(path.clone())]),
    ));
    let before = h.state().topology().clone();
    press(&mut h, Modifiers::COMMAND, Key::O);
    h.get_by_label("Cannot open this file");
    h.get_by_label("The document you have open is unchanged.");
    h.get_by_label_contains("servce");
    assert_eq!(*h.state().topology(), before);
    h.get_by_label("OK").click();
    h.run();
    assert!(h.state().error().is_none());
    assert_eq!(*h.state().topology(), before);
}

#[test]
fn save_as_writes_the_file_and_the_title_loses_its_dirty_marker() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("shop");
    let mut h = harness(app_with(
        "three-tier",
        ScriptedDialogs::answering([Some(target.clone())]),
    ));
    h.get_by_label("Cache").click();
    h.run();
    assert!(h.state().title().starts_with("Untitled •"));
    press(&mut h, Modifiers::COMMAND, Key::S);
    let saved = dir.path().join("shop.json");
    let loaded = topoplan_core::model::io::load(&saved).unwrap();
    assert!(loaded.topology.contains("cache-2"));
    assert!(
        h.state().title().starts_with("shop.json — "),
        "{}",
        h.state().title()
    );
    assert_eq!(h.state().settings().recent.paths.len(), 1);
}

#[test]
fn unsaved_changes_are_confirmed_before_another_file_replaces_them() {
    let (_dir, path) = malformed_file();
    let good = path.with_file_name("good.json");
    std::fs::write(
        &good,
        topoplan_core::templates::find("static-site-api")
            .unwrap()
            .json,
    )
    .unwrap();
    let mut h = harness(app_with(
        "three-tier",
        ScriptedDialogs::answering([Some(good)]),
    ));
    h.get_by_label("Cache").click();
    h.run();
    press(&mut h, Modifiers::COMMAND, Key::O);
    h.get_by_label("Unsaved changes");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(
        h.state().topology().contains("cache-2"),
        "cancel keeps the work"
    );
    press(&mut h, Modifiers::COMMAND, Key::O);
    h.get_by_label("Don't save").click();
    h.run();
    h.run();
    assert_eq!(
        h.state().topology().meta().name,
        "Static site + API behind a CDN"
    );
}

#[test]
fn unsaved_work_is_autosaved_and_offered_back_after_a_crash() {
    let state = tempfile::tempdir().unwrap();
    let config = || Config {
        dialogs: Box::new(ScriptedDialogs::default()),
        state_dir: Some(state.path().to_owned()),
        autosave_delay: Duration::ZERO,
        show_gallery: false,
        aws_credentials: None,
    };
    let mut first = TopoplanApp::with_config(None, config(), Settings::default());
    first.open_template("three-tier");
    let mut h = harness(first);
    h.get_by_label("Queue").click();
    h.run();
    h.run();
    let edited = h.state().topology().clone();
    assert!(state.path().join("recovery.topoplan.json").is_file());
    // The app "crashes": it is dropped without a clean exit.
    drop(h);
    let mut h = harness(TopoplanApp::with_config(
        None,
        config(),
        Settings::default(),
    ));
    h.get_by_label("Restore unsaved work?");
    h.get_by_label("Restore").click();
    h.run();
    assert_eq!(*h.state().topology(), edited);
    assert!(h.state().document().is_dirty());
}

#[test]
fn the_help_overlay_lists_the_shortcuts() {
    let mut h = open("three-tier");
    press(&mut h, Modifiers::NONE, Key::F1);
    h.get_by_label("Shortcuts and gestures");
    h.get_by_label("Fit to view");
    h.get_by_label("Clear selection");
    h.get_by_label_contains("select a rectangle of nodes");
    press(&mut h, Modifiers::NONE, Key::Escape);
    assert!(h.query_by_label("Fit to view").is_none());
}

#[test]
fn the_gallery_starts_a_document_from_a_template() {
    let mut config = Config::headless(Box::new(ScriptedDialogs::default()));
    config.show_gallery = true;
    let mut h = harness(TopoplanApp::with_config(None, config, Settings::default()));
    h.get_by_label("Start a topology");
    h.get_by_label_contains("Event-driven pipeline").click();
    h.run();
    assert_eq!(h.state().topology().meta().name, "Event-driven pipeline");
    assert!(h.state().settings().seen_gallery);
}

#[test]
fn an_idle_window_stops_repainting_and_schedules_nothing() {
    let mut h = open("marketplace");
    // `run` panics when the UI keeps asking for frames.
    h.run();
    h.run();
    assert_eq!(
        h.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay,
        Duration::MAX
    );
}

#[test]
fn fit_and_theme_buttons_work() {
    let mut h = open("three-tier");
    let dark = h.ctx.global_style().visuals.dark_mode;
    h.get_by_label(if dark { "Light theme" } else { "Dark theme" })
        .click();
    h.run();
    assert_ne!(h.ctx.global_style().visuals.dark_mode, dark);
    assert_eq!(h.state().settings().dark, Some(!dark));
    h.get_by_label("Fit").click();
    h.run();
}

#[test]
fn space_drag_pans_even_over_a_node_and_moves_nothing() {
    let mut h = open("three-tier");
    let web = node_rect(&h, "web");
    let before = h.state().canvas().camera;
    h.key_down(Key::Space);
    h.run();
    drag(
        &mut h,
        web.center(),
        web.center() + vec2(60.0, 30.0),
        Modifiers::NONE,
    );
    h.key_up(Key::Space);
    h.run();
    let after = h.state().canvas().camera;
    assert!(
        (after.offset - before.offset - vec2(60.0, 30.0)).length() < 8.0,
        "{after:?}"
    );
    assert_eq!(h.state().topology().node("web").unwrap().position, None);
}

#[test]
fn dragging_empty_space_pans_and_ctrl_scroll_zooms_about_the_pointer() {
    let mut h = open("three-tier");
    let web = node_rect(&h, "web");
    let empty = pos2(web.center().x, web.max.y + 150.0);
    let before = h.state().canvas().camera;
    drag(&mut h, empty, empty + vec2(-40.0, 20.0), Modifiers::NONE);
    let panned = h.state().canvas().camera;
    assert!((panned.offset - before.offset - vec2(-40.0, 20.0)).length() < 8.0);
    // Ctrl+scroll: the canvas point under the pointer stays under it.
    let anchor = web.center();
    let under = panned.to_canvas(anchor);
    h.hover_at(anchor);
    h.run();
    h.event(egui::Event::Zoom(1.5));
    h.run();
    let zoomed = h.state().canvas().camera;
    assert!(
        (zoomed.scale / panned.scale - 1.5).abs() < 0.01,
        "{zoomed:?}"
    );
    assert!((zoomed.to_screen(under) - anchor).length() < 1.0);
}

#[test]
fn clicking_an_edge_selects_it_and_the_inspector_changes_its_dependency() {
    let mut h = open("three-tier");
    let web = node_rect(&h, "web");
    let app = node_rect(&h, "app");
    // web -> app runs straight between the two boxes.
    let mid = pos2(f32::midpoint(web.max.x, app.min.x), web.center().y);
    h.hover_at(mid);
    h.run();
    h.event(egui::Event::PointerButton {
        pos: mid,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.event(egui::Event::PointerButton {
        pos: mid,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
    let t = h.state().topology();
    assert_eq!(
        h.state().selection().single_edge(),
        t.edge_index("web", "app")
    );
    h.get_by_label("web -> app");
    h.get_by_role_and_label(Role::ComboBox, "Dependency")
        .click();
    h.run();
    h.get_by_label("soft: degrades without it").click();
    h.run();
    assert_eq!(
        h.state().topology().edge("web", "app").unwrap().dependency,
        topoplan_core::model::Dependency::Soft
    );
}

#[test]
fn the_context_menu_acts_on_the_node_right_clicked() {
    let mut h = open("three-tier");
    let cache = node_rect(&h, "cache");
    h.hover_at(cache.center());
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: cache.center(),
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    assert_eq!(
        h.state().selection().single_node(),
        h.state().topology().node_index("cache")
    );
    h.get_by_label_contains("Duplicate").click();
    h.run();
    assert!(h.state().topology().contains("cache-2"));
}

#[test]
fn a_failed_save_says_why_and_keeps_the_changes_unsaved() {
    let mut h = harness(app_with(
        "three-tier",
        ScriptedDialogs::answering([Some(PathBuf::from("/nonexistent-dir/shop.json"))]),
    ));
    h.get_by_label("Cache").click();
    h.run();
    press(&mut h, Modifiers::COMMAND, Key::S);
    h.get_by_label("Could not save");
    let error = h.state().error().unwrap();
    assert!(
        error.contains("/nonexistent-dir/shop.json")
            && error.contains("the file on disk is unchanged"),
        "{error}"
    );
    assert!(h.state().document().is_dirty());
    assert!(h.state().settings().recent.paths.is_empty());
}

/// Steps the app until its background work (pricing) is done.
fn settle(h: &mut Harness<'_, TopoplanApp>) {
    for _ in 0..2_000 {
        h.run();
        if !h.state().is_busy() {
            h.run();
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("background work did not finish");
}

#[test]
fn the_cost_panel_shows_the_same_total_as_the_cost_engine_and_updates_with_the_design() {
    let mut h = open("marketplace");
    settle(&mut h);
    h.get_by_label("Cost").click();
    h.run();
    // The modes' availability and recovery are simulated once the tab is open.
    settle(&mut h);
    let t = h.state().topology().clone();
    let expected = topoplan_core::cost::estimate(&t).unwrap().monthly_usd();
    // The headline, and the current mode's row of the comparison.
    assert_eq!(
        h.get_all_by_label(&topoplan_core::cost::format_usd(expected))
            .count(),
        2
    );
    h.get_by_label("Deployment modes");
    // Each mode's availability and recovery come from the simulation engine:
    // the document's own mode shows what `availability` computes for it, and
    // a single region never recovers from losing its region.
    let own = topoplan_core::availability::topology::assess(
        &t,
        topoplan_core::availability::topology::Options::default(),
    )
    .figure;
    assert!(
        h.get_all_by_label(&own.percent_text()).count() >= 1,
        "{}",
        own.percent_text()
    );
    h.get_by_label("never (0% served)");
    // Switching the mode from the comparison table re-prices the design.
    let active_active = topoplan_core::cost::compare(
        &t,
        topoplan_core::cost::Catalog::embedded().unwrap(),
        &topoplan_core::cost::NoAssessment,
    )
    .unwrap()
    .rows
    .into_iter()
    .find(|r| r.variant == topoplan_core::cost::Variant::ActiveActive)
    .unwrap()
    .monthly_usd;
    let use_buttons = h.get_all_by_label("Use").collect::<Vec<_>>();
    use_buttons.last().unwrap().click();
    h.run();
    assert_eq!(
        h.state().topology().meta().deployment.mode,
        topoplan_core::model::DeploymentMode::ActiveActive
    );
    settle(&mut h);
    let now = h.state().costing().unwrap().estimate.monthly_usd();
    assert!(
        (now - active_active).abs() < 0.01,
        "{now} vs {active_active}"
    );
    assert_eq!(
        h.get_all_by_label(&topoplan_core::cost::format_usd(active_active))
            .count(),
        2
    );
    // A node's own cost shows in the inspector.
    h.state_mut().select_node("catalog-db");
    h.get_by_label("Inspector").click();
    h.run();
    h.get_by_label_contains("a month (see the Cost tab)");
}

#[test]
fn a_document_with_errors_is_not_priced_and_says_why() {
    let mut h = open("three-tier");
    // A service in no region is an error.
    h.get_by_label("Service").click();
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "us-east-1").click();
    h.run();
    assert!(
        h.state()
            .topology()
            .node("service")
            .unwrap()
            .placement
            .is_empty()
    );
    assert!(!h.state().document().last_report().is_ok());
    settle(&mut h);
    h.get_by_label("Cost").click();
    h.run();
    h.get_by_label_contains("costing needs a valid design");
}

/// Steps the app (without requiring it to settle: a spinner may turn)
/// until `done` holds.
fn step_until(h: &mut Harness<'_, TopoplanApp>, what: &str, done: impl Fn(&TopoplanApp) -> bool) {
    for _ in 0..3_000 {
        h.step();
        if done(h.state()) {
            h.step();
            h.step();
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn ship_export_terraform_writes_the_module_into_the_folder_picked_and_summarises_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("marketplace-tf");
    let mut h = harness(app_with(
        "marketplace",
        ScriptedDialogs::answering([Some(target.clone()), Some(target.clone())]),
    ));
    h.get_by_label("Ship").click();
    h.run();
    h.get_by_label_contains("Export Terraform…").click();
    step_until(&mut h, "the export", |app| {
        app.export_panel().exported().is_some()
    });
    // Exactly the files the exporter makes, byte for byte.
    let expected = topoplan_exports::terraform::export(
        h.state().topology(),
        &topoplan_exports::terraform::ExportOptions::default(),
    )
    .unwrap();
    assert!(expected.files().len() > 3);
    for (name, contents) in expected.files() {
        let written = std::fs::read_to_string(target.join(name))
            .unwrap_or_else(|e| panic!("{name} was not written: {e}"));
        assert_eq!(&written, contents, "{name}");
    }
    // The summary: where, how much, and the warnings of each node.
    h.get_by_label_contains("Exported to");
    h.get_by_label_contains(&format!("with {} resources", expected.resources().len()));
    h.get_by_label("Open folder");
    let warned = &expected
        .warnings()
        .first()
        .expect("marketplace has warnings")
        .node;
    h.get_by_role_and_label(Role::Link, warned.as_str()).click();
    h.run();
    assert_eq!(
        h.state().selection().single_node(),
        h.state().topology().node_index(warned),
        "clicking a warned node selects it"
    );
    // A second export into the same folder rewrites nothing.
    h.get_by_label("Choose a folder and export…").click();
    step_until(&mut h, "the second export", |app| {
        app.export_panel()
            .exported()
            .is_some_and(|e| e.written.written.is_empty())
    });
    h.get_by_label_contains(&format!(
        "(0 written, {} unchanged)",
        expected.files().len()
    ));
}

#[test]
fn a_wide_diagram_is_fitted_with_taller_lanes_that_fill_the_view() {
    let mut h = open("marketplace");
    let view = h.state().canvas().viewport();
    let shown = |h: &Harness<'_, TopoplanApp>| {
        let t = h.state().topology();
        t.nodes_indexed()
            .flat_map(|(ix, _)| h.state().canvas().screen_rects_of(ix))
            .fold(egui::Rect::NOTHING, egui::Rect::union)
    };
    let diagram = shown(&h);
    assert!(view.contains_rect(diagram), "{diagram:?} outside {view:?}");
    // Wider than the view, it is fitted by its width, and its lanes are
    // stretched to use the height instead of leaving empty bands.
    assert!(
        diagram.width() > 0.8 * view.width(),
        "{diagram:?} in {view:?}"
    );
    assert!(
        diagram.height() > 0.6 * view.height(),
        "{diagram:?} in {view:?}"
    );
    // Fit again: the same view.
    press(&mut h, Modifiers::NONE, Key::F);
    assert!((shown(&h).min - diagram.min).length() < 0.5);
}

#[test]
fn hovering_a_node_shows_its_full_name() {
    let mut h = open("marketplace");
    let db = node_rect(&h, "catalog-db");
    h.hover_at(db.center());
    // The tooltip waits until the pointer has rested (egui's clock moves
    // a frame's time each step).
    for _ in 0..40 {
        h.step();
    }
    h.run();
    h.get_by_label("Catalog DB (Aurora Serverless v2)");
    h.get_by_label_contains("catalog-db · ");
}
