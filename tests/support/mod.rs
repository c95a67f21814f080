//! Helpers shared by the end-to-end tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Runs the real `topoplan` binary in the repository.
#[expect(
    clippy::expect_used,
    reason = "a test that cannot run the binary should fail loudly"
)]
pub fn topoplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_topoplan"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Both streams, standard output first.
pub fn text(out: &Output) -> String {
    stdout(out) + &stderr(out)
}
