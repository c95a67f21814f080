//! Heavy work off the UI thread: a [`Job`] runs a closure on its own
//! thread, reports progress through an atomic counter, can be cancelled,
//! and wakes the UI when it finishes. The UI polls it each frame and asks
//! for a repaint only while it runs (a progress bar needs one), so an idle
//! window stays idle.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

/// What a running job can see: how to report progress and whether to stop.
#[derive(Clone, Debug)]
pub struct Progress {
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    cancelled: Arc<AtomicBool>,
}

impl Progress {
    /// Sets the amount of work (for the fraction shown).
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Adds finished work.
    pub fn advance(&self, by: u64) {
        self.done.fetch_add(by, Ordering::Relaxed);
    }

    /// The user cancelled: the job should return soon.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// A result being computed on another thread.
#[derive(Debug)]
pub struct Job<T> {
    what: String,
    progress: Progress,
    result: Receiver<T>,
}

/// How a poll went.
#[derive(Debug, PartialEq)]
pub enum Poll<T> {
    Running {
        fraction: Option<f32>,
    },
    Done(T),
    /// The thread ended without a result (it panicked, or was cancelled).
    Lost,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a new thread; `ctx` is woken when it finishes.
    pub fn spawn(
        what: impl Into<String>,
        ctx: &egui::Context,
        work: impl FnOnce(&Progress) -> T + Send + 'static,
    ) -> std::io::Result<Self> {
        let progress = Progress {
            done: Arc::default(),
            total: Arc::default(),
            cancelled: Arc::default(),
        };
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let p = progress.clone();
        let what = what.into();
        std::thread::Builder::new()
            .name(format!("job: {what}"))
            .spawn(move || {
                let result = work(&p);
                // Nobody waits for a dropped job's result.
                let _ = tx.send(result);
                ctx.request_repaint();
            })?;
        Ok(Self {
            what,
            progress,
            result: rx,
        })
    }

    pub fn what(&self) -> &str {
        &self.what
    }

    /// Asks the job to stop; it returns at its next check.
    pub fn cancel(&self) {
        self.progress.cancelled.store(true, Ordering::Relaxed);
    }

    /// Checks on the job. While it runs, asks `ctx` for a repaint soon
    /// (for the progress shown).
    pub fn poll(&self, ctx: &egui::Context) -> Poll<T> {
        match self.result.try_recv() {
            Ok(result) => Poll::Done(result),
            Err(TryRecvError::Disconnected) => Poll::Lost,
            Err(TryRecvError::Empty) => {
                ctx.request_repaint_after(Duration::from_millis(100));
                let total = self.progress.total.load(Ordering::Relaxed);
                let done = self.progress.done.load(Ordering::Relaxed);
                #[expect(clippy::cast_possible_truncation, reason = "a fraction for a bar")]
                let fraction = (total > 0).then(|| (done as f64 / total as f64).min(1.0) as f32);
                Poll::Running { fraction }
            }
        }
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        // A job nobody will read stops working.
        self.progress.cancelled.store(true, Ordering::Relaxed);
    }
}

/// A document and its revision: `(document key, revision)`.
pub(crate) type Revision = (u64, u64);

/// A background computation for one revision, and when it started.
pub(crate) type Running<T> = (Revision, Job<Result<T, String>>, Instant);

/// A computation for one revision of the document on a [`Job`]: its last
/// result (for the revision it was computed at), the job computing the
/// next, and whether the user stopped it.
#[derive(Debug)]
pub(crate) struct Background<T> {
    pub(crate) result: Option<(Revision, Result<T, String>)>,
    pub(crate) job: Option<Running<T>>,
    /// The user stopped it for this revision: do not start it again.
    pub(crate) stopped: Option<Revision>,
    /// How far the job is, when it says.
    pub(crate) fraction: Option<f32>,
}

impl<T> Default for Background<T> {
    fn default() -> Self {
        Self {
            result: None,
            job: None,
            stopped: None,
            fraction: None,
        }
    }
}

impl<T: Send + 'static> Background<T> {
    /// Collects the result, and starts `make()`'s work for `now` when
    /// there is none (`now`: `None` while nothing is wanted).
    pub(crate) fn update<W>(
        &mut self,
        ctx: &egui::Context,
        now: Option<Revision>,
        what: &str,
        make: impl FnOnce() -> W,
    ) where
        W: FnOnce(&Progress) -> Result<T, String> + Send + 'static,
    {
        if let Some((at, job, _)) = &self.job {
            match job.poll(ctx) {
                Poll::Running { fraction } => self.fraction = fraction,
                Poll::Done(result) => {
                    self.result = Some((*at, result));
                    self.job = None;
                }
                Poll::Lost => {
                    self.result = Some((*at, Err(format!("{what} stopped unexpectedly"))));
                    self.job = None;
                }
            }
        }
        let Some(now) = now else { return };
        let done = self.result.as_ref().is_some_and(|(at, _)| *at == now);
        if done || self.job.is_some() || self.stopped == Some(now) {
            return;
        }
        let work = make();
        match Job::spawn(what, ctx, work) {
            Ok(job) => {
                self.job = Some((now, job, Instant::now()));
                self.fraction = None;
            }
            Err(e) => self.result = Some((now, Err(format!("cannot start the {what}: {e}")))),
        }
    }

    /// No result for `now`, and nothing computing one.
    pub(crate) fn idle(&self, now: Revision) -> bool {
        self.job.is_none()
            && self.stopped != Some(now)
            && self.result.as_ref().is_none_or(|(at, _)| *at != now)
    }

    pub(crate) fn stop(&mut self) {
        if let Some((at, job, _)) = self.job.take() {
            job.cancel();
            self.stopped = Some(at);
        }
    }

    pub(crate) fn current(&self, now: Revision) -> Option<&T> {
        match &self.result {
            Some((at, Ok(r))) if *at == now => Some(r),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reports_progress_and_its_result() {
        let ctx = egui::Context::default();
        let (go_tx, go_rx) = channel::<()>();
        let job = Job::spawn("count", &ctx, move |p| {
            p.set_total(4);
            p.advance(2);
            go_rx.recv().ok();
            p.advance(2);
            42
        })
        .unwrap();
        // Wait until half the work is reported.
        let mut seen = None;
        for _ in 0..200 {
            if let Poll::Running { fraction: Some(f) } = job.poll(&ctx)
                && f >= 0.5
            {
                seen = Some(f);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(seen, Some(0.5));
        go_tx.send(()).unwrap();
        let mut result = None;
        for _ in 0..200 {
            if let Poll::Done(v) = job.poll(&ctx) {
                result = Some(v);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(result, Some(42));
    }

    #[test]
    fn cancelling_stops_a_job_that_checks() {
        let ctx = egui::Context::default();
        let job = Job::spawn("spin", &ctx, |p| {
            let mut n = 0u64;
            while !p.is_cancelled() {
                n += 1;
                std::thread::sleep(Duration::from_millis(1));
            }
            n
        })
        .unwrap();
        job.cancel();
        let mut finished = false;
        for _ in 0..500 {
            if matches!(job.poll(&ctx), Poll::Done(_)) {
                finished = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(finished);
    }
}
