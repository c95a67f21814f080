//! One frame of the real app, headless: `egui::Context` with synthetic
//! input (the pointer moving over the canvas), layout and tessellation, no
//! GPU. At 1,000 and 5,000 nodes (`core::generate::synthetic`), fitted to
//! the view (everything visible: the worst case for drawing) and at 100%
//! zoom (what editing looks like), and fitted in what-if mode with an AZ
//! failed (every drawing recoloured by the simulation).
//!
//! `cargo bench -p topoplan --bench frame`
#![expect(clippy::unwrap_used, reason = "benchmark setup")]

use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::{Criterion, criterion_group, criterion_main};
use egui::{Event, Pos2, RawInput, Rect, pos2};
use topoplan::TopoplanApp;
use topoplan::app::{Config, Settings};
use topoplan::files::ScriptedDialogs;
use topoplan_core::generate::{SyntheticSpec, synthetic};

/// The binary's allocator, so the figures are the window's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SCREEN: Rect = Rect::from_min_max(Pos2::ZERO, pos2(1440.0, 900.0));

fn input(frame: u64) -> RawInput {
    // The pointer wanders over the canvas, so hover hit-testing runs.
    let step = u16::try_from(frame % 50).unwrap();
    let x = 300.0 + 12.0 * f32::from(step);
    RawInput {
        screen_rect: Some(SCREEN),
        events: vec![Event::PointerMoved(pos2(x, 420.0))],
        ..RawInput::default()
    }
}

struct Bench {
    app: TopoplanApp,
    ctx: egui::Context,
    frame: u64,
}

impl Bench {
    fn new(nodes: usize) -> Self {
        let mut app = TopoplanApp::with_config(
            None,
            Config::headless(Box::new(ScriptedDialogs::default())),
            Settings::default(),
        );
        app.open_topology(synthetic(&SyntheticSpec::with_nodes(nodes)));
        let mut bench = Self {
            app,
            ctx: egui::Context::default(),
            frame: 0,
        };
        // The first frames compute the layout, validation and load, and fit.
        for _ in 0..3 {
            bench.frame();
        }
        // Pricing runs on its own thread: let it finish, so it does not
        // compete with the frames measured.
        while bench.app.is_busy() {
            std::thread::sleep(Duration::from_millis(20));
            bench.frame();
        }
        bench
    }

    /// Fitted, in what-if mode with the first AZ failed: every drawing
    /// recoloured by the engine's states (the scenario, the SPOF sweep and
    /// the availability are computed first, off the frames measured).
    fn what_if(nodes: usize) -> Self {
        let mut bench = Self::new(nodes);
        let az = bench.app.topology().meta().regions[0].azs[0].clone();
        bench
            .app
            .start_what_if(vec![topoplan_core::sim::Failure::Az { id: az }]);
        bench.frame();
        while bench.app.is_busy() {
            std::thread::sleep(Duration::from_millis(20));
            bench.frame();
        }
        bench
    }

    /// Runs one frame and tessellates it; returns the triangle count.
    fn frame(&mut self) -> usize {
        self.frame += 1;
        let out = self.ctx.run_ui(input(self.frame), |ui| self.app.show(ui));
        let primitives = self.ctx.tessellate(out.shapes, out.pixels_per_point);
        primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(mesh) => mesh.indices.len() / 3,
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum()
    }
}

/// `iters` frames' CPU time on this thread (what a machine shared with
/// other builds does not inflate, unlike the wall time).
fn cpu(bench: &mut Bench, iters: u64) -> Duration {
    let start = ThreadTime::now();
    for _ in 0..iters {
        std::hint::black_box(bench.frame());
    }
    start.elapsed()
}

fn frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    group.sample_size(30);
    for nodes in [1_000, 5_000] {
        let mut bench = Bench::new(nodes);
        eprintln!("{nodes} nodes, fitted: {} triangles a frame", bench.frame());
        group.bench_function(format!("fit/{nodes}"), |b| b.iter(|| bench.frame()));
        group.bench_function(format!("fit/{nodes}_cpu"), |b| {
            b.iter_custom(|iters| cpu(&mut bench, iters));
        });
        bench.app.zoom_to(1.0);
        eprintln!("{nodes} nodes, 100%: {} triangles a frame", bench.frame());
        group.bench_function(format!("zoom-100/{nodes}"), |b| {
            b.iter(|| bench.frame());
        });
        group.bench_function(format!("zoom-100/{nodes}_cpu"), |b| {
            b.iter_custom(|iters| cpu(&mut bench, iters));
        });
        drop(bench);
        let mut bench = Bench::what_if(nodes);
        eprintln!(
            "{nodes} nodes, what-if: {} triangles a frame",
            bench.frame()
        );
        group.bench_function(format!("what-if/{nodes}"), |b| b.iter(|| bench.frame()));
        group.bench_function(format!("what-if/{nodes}_cpu"), |b| {
            b.iter_custom(|iters| cpu(&mut bench, iters));
        });
    }
    group.finish();
}

criterion_group!(benches, frame);
criterion_main!(benches);
