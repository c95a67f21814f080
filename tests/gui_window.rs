//! The real binary in a real X window (Xvfb), screenshotted with ImageMagick.
//!
//! Set `TOPOPLAN_UPDATE_SCREENSHOTS=1` to refresh `assets/screenshots/`.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that cannot go on should fail loudly"
)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

/// `bash -c SCRIPT topoplan-under-xvfb ARGS` on a 1600x1000 Xvfb screen, in
/// the repository, with `$BIN` the binary, `$LOG` `DIR/app.log` and the
/// app's data directory `DIR` (a first start).
fn under_xvfb(script: &str, args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new("xvfb-run");
    command
        .args([
            "-a",
            "-s",
            "-screen 0 1600x1000x24",
            "bash",
            "-c",
            script,
            "topoplan-under-xvfb",
        ])
        .args(args)
        .env("BIN", env!("CARGO_BIN_EXE_topoplan"))
        .env("LOG", dir.join("app.log"))
        .env("XDG_DATA_HOME", dir)
        .current_dir(support::repo());
    command
}

/// Starts `topoplan ARGS` under Xvfb, waits until the window has drawn
/// (the screen has many colours), and returns the screenshot. The app's
/// data directory is `dir` (a first start: no settings, no recovery file).
fn screenshot(args: &[&str], dir: &Path) -> PathBuf {
    let shot = dir.join("window.png");
    let script = r#"
        "$BIN" "$@" >"$LOG" 2>&1 & pid=$!
        for _ in $(seq 1 90); do
            sleep 1
            if ! kill -0 "$pid" 2>/dev/null; then echo "the app exited early:" >&2; cat "$LOG" >&2; exit 3; fi
            import -window root "$SHOT" 2>/dev/null || continue
            if [ "$(convert "$SHOT" -format %k info:)" -gt 300 ]; then
                sleep 1  # let the first frames settle, then take the real one
                import -window root "$SHOT"
                kill "$pid"; wait "$pid" 2>/dev/null
                exit 0
            fi
        done
        echo "the window never drew anything" >&2; kill "$pid"; exit 4
    "#;
    let out = under_xvfb(script, args, dir)
        .env("SHOT", &shot)
        .output()
        .expect("xvfb-run starts");
    assert!(
        out.status.success(),
        "screenshot failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    shot
}

fn colours(png: &Path) -> u64 {
    let out = Command::new("convert")
        .arg(png)
        .args(["-format", "%k", "info:"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Mean brightness of a region (0..1), via ImageMagick.
fn mean(png: &Path, crop: &str) -> f64 {
    let out = Command::new("convert")
        .arg(png)
        .args([
            "-crop",
            crop,
            "+repage",
            "-colorspace",
            "Gray",
            "-format",
            "%[fx:mean]",
            "info:",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Pixels of one colour (within a small tolerance), via ImageMagick.
fn pixels_of(png: &Path, rgb: &str) -> f64 {
    let out = Command::new("convert")
        .arg(png)
        .args([
            "-fuzz",
            "6%",
            "-fill",
            "white",
            "-opaque",
            rgb,
            "-fill",
            "black",
            "+opaque",
            "white",
            "-format",
            "%[fx:mean*w*h]",
            "info:",
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// The orange of service nodes (`style::kind_color(NodeKind::Service)`).
const SERVICE_ORANGE: &str = "rgb(237,113,0)";

fn check_window(args: &[&str], save_as: &str) -> Option<(tempfile::TempDir, PathBuf)> {
    check_window_with(args, save_as, None)
}

/// Opens the window; `settings` is the app's stored settings (eframe's
/// `app.ron`), to start in a given theme. Returns the screenshot (in the
/// directory returned with it).
fn check_window_with(
    args: &[&str],
    save_as: &str,
    settings: Option<&str>,
) -> Option<(tempfile::TempDir, PathBuf)> {
    if !support::require("xvfb-run", "a real X window for the GUI test")
        || !support::require("import", "ImageMagick screenshots")
    {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    if let Some(settings) = settings {
        let store = dir.path().join("topoplan");
        std::fs::create_dir_all(&store).unwrap();
        std::fs::write(store.join("app.ron"), settings).unwrap();
    }
    let shot = screenshot(args, dir.path());
    let n = colours(&shot);
    assert!(n > 300, "the window looks blank: {n} colours");
    // The 1440x900 window sits at the top left of the 1600x1000 screen: its
    // canvas is lit, the screen outside it is black.
    assert!(
        mean(&shot, "1400x800+20+60") > 0.05,
        "the canvas area is black"
    );
    assert!(
        mean(&shot, "100x60+1500+940") < 0.01,
        "outside the window should be the bare root"
    );
    if std::env::var_os("TOPOPLAN_UPDATE_SCREENSHOTS").is_some() {
        let dest = support::repo().join("assets/screenshots").join(save_as);
        Command::new("convert")
            .arg(&shot)
            .args(["-crop", "1440x900+0+0", "+repage"])
            .arg(&dest)
            .status()
            .unwrap();
    }
    Some((dir, shot))
}

#[test]
fn first_start_opens_on_the_template_gallery() {
    check_window(&[], "gallery.png");
}

#[test]
fn opens_every_template_given_on_the_command_line() {
    for template in topoplan_core::templates::TEMPLATES {
        let path = format!("templates/{}.json", template.name);
        let Some((_dir, shot)) = check_window(&[&path], &format!("{}.png", template.name)) else {
            return;
        };
        // Every template has services: their boxes are drawn.
        let orange = pixels_of(&shot, SERVICE_ORANGE);
        assert!(
            orange > 200.0,
            "{}: no service drawn ({orange} orange pixels)",
            template.name
        );
    }
}

#[test]
fn the_theme_chosen_last_time_is_used_at_start() {
    let light =
        r#"{ "topoplan-settings": "(recent:(paths:[]),dark:Some(false),seen_gallery:true)" }"#;
    let Some((_dir, shot)) = check_window_with(
        &["templates/active-active.json"],
        "active-active-light.png",
        Some(light),
    ) else {
        return;
    };
    let canvas = mean(&shot, "700x500+200+200");
    assert!(canvas > 0.7, "the canvas should be light: mean {canvas}");
}

/// Once it has drawn and finished its background work (pricing), the real
/// window repaints only on input: over five idle seconds it uses at most 1%
/// of a core. (Continuous repainting would use most of one: under Xvfb
/// every frame is rendered in software by Mesa.)
#[test]
fn an_idle_window_uses_no_cpu() {
    if !support::require("xvfb-run", "a real X window for the GUI test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Prints the process's CPU ticks (user + system, /proc/PID/stat fields
    // 14 and 15) over five seconds, after ten to settle.
    let script = r#"
        "$BIN" "$@" >"$LOG" 2>&1 & pid=$!
        ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
        sleep 10
        if ! kill -0 "$pid" 2>/dev/null; then echo "the app exited early:" >&2; cat "$LOG" >&2; exit 3; fi
        before=$(ticks); sleep 5; after=$(ticks)
        echo "$before $after $(getconf CLK_TCK)"
        kill "$pid"; wait "$pid" 2>/dev/null
        exit 0
    "#;
    let out = under_xvfb(script, &["templates/marketplace.json"], dir.path())
        .output()
        .expect("xvfb-run starts");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}: {stdout} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let numbers: Vec<f64> = stdout
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let [before, after, per_sec] = numbers[..] else {
        panic!("unexpected output: {stdout}")
    };
    let share = (after - before) / per_sec / 5.0;
    assert!(
        share <= 0.01,
        "an idle window used {:.1}% of a core",
        share * 100.0
    );
}
