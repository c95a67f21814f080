//! Progress events and cancellation, shared by the command line and the
//! desktop app (which runs the same planner and applier on a tokio runtime
//! off the UI thread).

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::watch;

use super::apply::OpStatus;

/// Something that happened while reading the account or applying a plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Reading a region began.
    ReadStarted { region: String },
    /// A region was read.
    ReadFinished {
        region: String,
        launch_templates: usize,
        groups: usize,
        policies: usize,
    },
    /// An operation of the plan began (`index` into the report's operations).
    OpStarted {
        index: usize,
        region: String,
        api: String,
        resource: String,
    },
    /// A call failed in a way worth another try, which comes after `delay_ms`.
    Retrying {
        index: Option<usize>,
        api: String,
        resource: String,
        attempt: u32,
        delay_ms: u64,
        error: String,
    },
    /// Waiting for AWS to finish something (a group being deleted).
    Waiting {
        index: usize,
        resource: String,
        what: String,
    },
    /// An operation ended.
    OpFinished {
        index: usize,
        region: String,
        api: String,
        resource: String,
        status: OpStatus,
    },
    /// No further operation will start.
    Stopping { reason: String },
}

/// Where events go: the CLI prints them, the GUI forwards them to its view.
pub type Progress = Arc<dyn Fn(&Event) + Send + Sync>;

/// A sink that drops every event.
pub fn silent() -> Progress {
    Arc::new(|_: &Event| {})
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct CancelState {
    stop: bool,
    abandon: bool,
}

/// Cancellation of an apply, checked between calls.
///
/// [`Cancel::stop`]: calls in flight finish (with their retries), no new
/// call starts. [`Cancel::abandon`]: calls in flight are dropped as well;
/// the report marks them as interrupted, outcome unknown.
#[derive(Clone, Debug)]
pub struct Cancel {
    state: Arc<watch::Sender<CancelState>>,
}

impl Default for Cancel {
    fn default() -> Self {
        Self::new()
    }
}

impl Cancel {
    pub fn new() -> Self {
        Self {
            state: Arc::new(watch::Sender::new(CancelState::default())),
        }
    }

    /// Finish what is in flight, start nothing more.
    pub fn stop(&self) {
        self.state.send_modify(|s| s.stop = true);
    }

    /// Drop what is in flight too.
    pub fn abandon(&self) {
        self.state.send_modify(|s| {
            s.stop = true;
            s.abandon = true;
        });
    }

    pub fn is_stopped(&self) -> bool {
        self.state.borrow().stop
    }

    pub fn is_abandoned(&self) -> bool {
        self.state.borrow().abandon
    }

    /// Resolves once [`Cancel::abandon`] has been called.
    pub async fn abandoned(&self) {
        let mut rx = self.state.subscribe();
        // The sender lives as long as `self`, so this only ends on abandon.
        let _ = rx.wait_for(|s| s.abandon).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn abandon_wakes_waiters_and_implies_stop() {
        let cancel = Cancel::new();
        assert!(!cancel.is_stopped());
        let waiter = {
            let cancel = cancel.clone();
            tokio::spawn(async move { cancel.abandoned().await })
        };
        cancel.stop();
        assert!(cancel.is_stopped() && !cancel.is_abandoned());
        cancel.abandon();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert!(cancel.is_abandoned());
        // A waiter that arrives late returns at once.
        tokio::time::timeout(std::time::Duration::from_secs(5), cancel.abandoned())
            .await
            .unwrap();
    }
}
