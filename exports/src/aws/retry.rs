//! topoplan's own retries, on top of the SDK's: jittered exponential
//! backoff for throttling and server errors, for reads, idempotent writes
//! and waits. Creations are retried by [`super::apply`], which first checks
//! whether the failed attempt took effect.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How hard to try.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts per call, the first included (each may itself be retried by
    /// the SDK's standard or adaptive mode).
    pub attempts: u32,
    /// Backoff before the second attempt; doubles each time.
    pub base_delay_ms: u64,
    /// Cap on one backoff.
    pub max_delay_ms: u64,
    /// How long to wait for AWS to finish deleting a group.
    pub wait_timeout_secs: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 8,
            base_delay_ms: 250,
            max_delay_ms: 10_000,
            wait_timeout_secs: 900,
        }
    }
}

impl RetryPolicy {
    /// The pause after failed attempt `attempt` (0-based): "equal jitter",
    /// half the exponential step plus a random share of the other half, so
    /// that parallel callers spread out but never retry at once.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .base_delay_ms
            .saturating_mul(1u64 << attempt.min(20))
            .min(self.max_delay_ms)
            .max(1);
        let half = step / 2;
        Duration::from_millis(half + fastrand::u64(0..=step - half))
    }
}

/// Runs `call` until it succeeds, fails for good, or the attempts are
/// spent; reports each retry. For reads and idempotent writes only.
pub(crate) async fn retrying<T, F, Fut>(
    policy: &RetryPolicy,
    progress: &super::progress::Progress,
    index: Option<usize>,
    resource: &str,
    mut call: F,
) -> Result<T, super::error::ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, super::error::ApiError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.kind.retryable() && attempt + 1 < policy.attempts => {
                let delay = policy.backoff(attempt);
                attempt += 1;
                progress(&super::progress::Event::Retrying {
                    index,
                    api: e.operation.clone(),
                    resource: resource.to_owned(),
                    attempt: attempt + 1,
                    delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    error: e.to_string(),
                });
                tokio::time::sleep(delay).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let p = RetryPolicy::default();
        for attempt in 0..30 {
            let step = (250u64 << attempt.min(20)).min(10_000);
            for _ in 0..50 {
                let d = p.backoff(attempt).as_millis();
                let d = u64::try_from(d).unwrap();
                assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d} ms");
            }
        }
        let samples: std::collections::HashSet<u128> =
            (0..50).map(|_| p.backoff(3).as_millis()).collect();
        assert!(samples.len() > 5, "no jitter: {samples:?}");
    }
}
