//! `core` builds without any GUI, async runtime or cloud SDK, even
//! transitively: the crate graph enforces the layering.

use std::process::Command;

#[test]
fn core_depends_on_no_gui_async_runtime_or_cloud_sdk() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "topoplan-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && tree.contains("petgraph"),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let forbidden = ["egui", "eframe", "winit", "tokio", "aws-", "rfd", "hyper"];
    for line in tree.lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        assert!(
            !forbidden.iter().any(|f| name.starts_with(f)),
            "core depends on {name}"
        );
    }
}
