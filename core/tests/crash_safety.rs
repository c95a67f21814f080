//! Crash safety of saving and autosaving: a process saving a document in a
//! loop is killed with SIGKILL at random moments, hundreds of times, and the
//! file on disk must always be the complete old or the complete new document
//! (and load as such).
//!
//! The saving process is this test binary itself, started again in child
//! mode (the `saver_child` test, which does nothing unless
//! `TOPOPLAN_CRASH_SAFETY_CHILD` is set): a real process doing real writes
//! through `model::io::save` and `model::autosave::Autosave::write`, killed
//! by the kernel mid-write — no mock of the file system.
//!
//! `TOPOPLAN_CRASH_KILLS=N` sets the number of kills per test (default 150,
//! a few seconds; tests/RELIABILITY.md has a long run). Each run prints its
//! random seed; `TOPOPLAN_CRASH_SEED` replays one.

#![cfg(unix)]
#![expect(
    clippy::unwrap_used,
    reason = "a harness that cannot go on should fail loudly"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use topoplan_core::Topology;
use topoplan_core::generate::{SyntheticSpec, synthetic};
use topoplan_core::model::autosave::{self, Autosave};
use topoplan_core::model::{io, json};

const CHILD_ENV: &str = "TOPOPLAN_CRASH_SAFETY_CHILD";

/// Two documents of different sizes (so a torn write of one cannot pass
/// for the other), ~60 and ~120 KB: small enough that a save is mostly
/// writing and syncing, not serialising.
fn documents() -> (Topology, Topology) {
    let mut a = SyntheticSpec::with_nodes(60);
    a.seed = 1;
    let mut b = SyntheticSpec::with_nodes(120);
    b.seed = 2;
    (synthetic(&a), synthetic(&b))
}

/// Rounds the child saves before it says it is ready (and how long a round
/// takes, so the parent can spread its kills over whole rounds).
const WARM_UP_ROUNDS: u32 = 4;

/// The child: saves A and B alternately, forever, until killed. After its
/// first rounds it writes their mean duration in microseconds to `ready`.
#[test]
fn saver_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (mode, target) = spec.split_once(':').unwrap();
    let target = PathBuf::from(target);
    let ready = target.with_extension("ready");
    // The parent's documents, read back (faster than generating them again).
    let load = |var: &str| {
        io::load(Path::new(&std::env::var(var).unwrap()))
            .unwrap()
            .topology
    };
    let (a, b) = (load("TOPOPLAN_CRASH_A"), load("TOPOPLAN_CRASH_B"));
    let autosave = Autosave::new(&target);
    let original = Path::new("/work/shop.json");
    let started = Instant::now();
    for round in 0u32.. {
        let t = if round % 2 == 0 { &b } else { &a };
        match mode {
            "save" => io::save(&target, t).unwrap(),
            _ => autosave.write(t, Some(original)).unwrap(),
        }
        if round + 1 == WARM_UP_ROUNDS {
            let round_micros = started.elapsed().as_micros() / u128::from(WARM_UP_ROUNDS);
            // Written whole then renamed: the parent never reads half a number.
            let partial = target.with_extension("ready-partial");
            std::fs::write(&partial, round_micros.to_string()).unwrap();
            std::fs::rename(&partial, &ready).unwrap();
        }
    }
}

fn spawn_child(mode: &str, target: &Path, documents: &(PathBuf, PathBuf)) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["saver_child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, format!("{mode}:{}", target.display()))
        .env("TOPOPLAN_CRASH_A", &documents.0)
        .env("TOPOPLAN_CRASH_B", &documents.1)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// xorshift64*: the kill delays (no dependency for one random number).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn seed() -> u64 {
    let seed = std::env::var("TOPOPLAN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            now.as_secs() ^ (u64::from(now.subsec_nanos()) << 20)
        });
    eprintln!("TOPOPLAN_CRASH_SEED={seed}");
    seed | 1
}

fn kills() -> usize {
    std::env::var("TOPOPLAN_CRASH_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200)
}

/// What the kills found.
#[derive(Debug, Default)]
struct Tally {
    kills: usize,
    /// Kills that left a write's temporary file behind: the process died
    /// between creating it and renaming it over the target.
    mid_write: usize,
    old: usize,
    new: usize,
}

/// Starts the child, waits until it saves in its loop, kills it after a
/// random delay, and hands the directory to `check`; `kills` times.
/// `temp_dir` is where the writes make their temporary files.
fn kill_repeatedly(
    mode: &str,
    target: &Path,
    temp_dir: &Path,
    mut check: impl FnMut(&mut Tally),
) -> Tally {
    let (a, b) = documents();
    let sources = tempfile::tempdir().unwrap();
    let files = (sources.path().join("a.json"), sources.path().join("b.json"));
    io::save(&files.0, &a).unwrap();
    io::save(&files.1, &b).unwrap();
    let ready = target.with_extension("ready");
    let mut rng = Rng(seed());
    let mut tally = Tally::default();
    for _ in 0..kills() {
        let _ = std::fs::remove_file(&ready);
        let mut child = spawn_child(mode, target, &files);
        let started = Instant::now();
        while !ready.exists() {
            assert!(
                started.elapsed() < Duration::from_mins(1),
                "the saving child never got going"
            );
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the saving child exited by itself: {status}");
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let round_micros: u64 = std::fs::read_to_string(&ready).unwrap().parse().unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(2 * round_micros.max(1))));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        tally.kills += 1;
        // Temporary files of interrupted writes: count them, then clear them
        // so the next round starts clean.
        for entry in std::fs::read_dir(temp_dir).unwrap().flatten() {
            if entry.file_name().to_string_lossy().ends_with(".tmp") {
                tally.mid_write += 1;
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        check(&mut tally);
    }
    eprintln!("{mode}: {tally:?}");
    tally
}

fn assert_meaningful(tally: &Tally) {
    // The delays must spread the kills over the writes, or the test proves
    // nothing: a good share of them must have hit a write in progress, and
    // both documents must have been seen.
    // (One in 25 at least: on a loaded machine the killer's wake-ups drift
    // and about one kill in 13 lands mid-write; on a quiet one, one in 5.)
    assert!(
        tally.mid_write * 25 >= tally.kills && tally.mid_write >= 3,
        "too few kills landed mid-write: {tally:?}"
    );
    assert!(tally.old > 0 && tally.new > 0, "{tally:?}");
}

#[test]
fn a_save_killed_at_any_moment_leaves_the_old_or_the_new_document() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("shop.json");
    let (a, b) = documents();
    let (a_text, b_text) = (json::to_string(&a), json::to_string(&b));
    io::save(&target, &a).unwrap();
    let tally = kill_repeatedly("save", &target, dir.path(), |tally| {
        let on_disk = std::fs::read_to_string(&target).unwrap();
        if on_disk == a_text {
            tally.old += 1;
        } else if on_disk == b_text {
            tally.new += 1;
        } else {
            panic!(
                "after {} kills the file is neither document ({} bytes; the documents have {} and {})",
                tally.kills,
                on_disk.len(),
                a_text.len(),
                b_text.len()
            );
        }
        assert!(io::load(&target).is_ok());
    });
    assert_meaningful(&tally);
}

#[test]
fn an_autosave_killed_at_any_moment_is_still_offered_complete() {
    let dir = tempfile::tempdir().unwrap();
    let recovery = dir.path().join("recovery");
    let autosave = Autosave::new(&recovery);
    let (a, b) = documents();
    autosave.write(&a, None).unwrap();
    // The child's ready marker goes beside the recovery directory.
    let tally = kill_repeatedly("autosave", &recovery, &recovery, |tally| {
        let info = autosave
            .leftover()
            .expect("a killed session leaves its autosave to offer");
        let restored = autosave
            .restore()
            .unwrap_or_else(|e| panic!("after {} kills: {e}", tally.kills))
            .topology;
        if restored == a {
            tally.old += 1;
        } else if restored == b {
            tally.new += 1;
        } else {
            panic!(
                "after {} kills the autosave is neither document",
                tally.kills
            );
        }
        // The info file is always complete JSON: the first one (no original)
        // or one of the child's.
        let text = std::fs::read_to_string(recovery.join(autosave::INFO)).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("a torn info file: {e}: {text:?}"));
        assert!(
            info.original.is_none() || parsed["original"] == "/work/shop.json",
            "{text}"
        );
    });
    assert_meaningful(&tally);
}
