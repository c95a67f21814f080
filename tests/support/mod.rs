//! Helpers shared by the end-to-end tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Whether missing tools must fail the run (`CI=true`) rather than skip.
pub fn strict() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Checks that `program` runs. Under `CI=true` a missing tool fails the test;
/// otherwise the test is skipped with a loud note (run `tests/run` to get it).
pub fn require(program: &str, why: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            !strict(),
            "{program} is required ({why}) and CI=true: install it (tests/run does)"
        );
        eprintln!("SKIPPED: {program} not found ({why}); tests/run installs it");
    }
    found
}
