//! Connecting to AWS: credentials from the standard chain (environment,
//! profile, SSO, instance role) through aws-config, `--profile`,
//! `--region`, `--endpoint-url`; one EC2 and one Auto Scaling client per
//! region; the account guard (STS `GetCallerIdentity`); and a count of every
//! API call made, by an SDK interceptor.
//!
//! Credentials are never printed: nothing here formats them, and no
//! logging subscriber is installed.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_ec2::config::{ConfigBag, Intercept, Region, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use serde::Serialize;

use super::error::ApiError;

/// Explicit credentials ([`ClientOptions::credentials`]).
pub use aws_sdk_ec2::config::Credentials;

/// Where and as whom to connect.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    /// A named profile of `~/.aws/config` (`--profile`).
    pub profile: Option<String>,
    /// The region for STS and the default region (`--region`); the
    /// document's placements decide where resources go.
    pub region: Option<String>,
    /// Send every call to this endpoint instead of AWS's (`--endpoint-url`),
    /// e.g. a local moto server.
    pub endpoint_url: Option<String>,
    /// First backoff of the SDK's own retries (its default, 1 s, when
    /// `None`); the retry mode and attempts come from the environment or
    /// profile (`AWS_RETRY_MODE`, `AWS_MAX_ATTEMPTS`) as usual.
    pub sdk_initial_backoff: Option<Duration>,
    /// Credentials to use instead of the standard chain (their `Debug`
    /// form hides the secret).
    pub credentials: Option<Credentials>,
}

/// API calls per operation (`service:Operation`): calls as the code made
/// them, attempts as they went over the wire (SDK retries included).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CallCounts {
    pub calls: BTreeMap<String, u64>,
    pub attempts: BTreeMap<String, u64>,
}

impl CallCounts {
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    pub fn total_attempts(&self) -> u64 {
        self.attempts.values().sum()
    }
}

/// Counts calls and attempts; attached to every client.
#[derive(Clone, Debug, Default)]
struct CallCounter {
    counts: Arc<Mutex<CallCounts>>,
}

fn operation(cfg: &ConfigBag) -> String {
    cfg.load::<Metadata>().map_or_else(
        || "unknown".to_owned(),
        |m| format!("{}:{}", m.service(), m.name()),
    )
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "topoplan::CallCounter"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(mut c) = self.counts.lock() {
            *c.calls.entry(operation(cfg)).or_default() += 1;
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(mut c) = self.counts.lock() {
            *c.attempts.entry(operation(cfg)).or_default() += 1;
        }
        Ok(())
    }
}

/// The clients of one region.
#[derive(Clone, Debug)]
pub struct RegionClients {
    pub region: String,
    pub ec2: aws_sdk_ec2::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
}

/// Connected clients; cheap to clone.
#[derive(Clone, Debug)]
pub struct Clients {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    sdk: aws_config::SdkConfig,
    counter: CallCounter,
    regions: Mutex<BTreeMap<String, RegionClients>>,
    default_region: String,
    endpoint_url: Option<String>,
}

/// Could not set up the clients.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("no region: pass --region, set AWS_REGION, or set a region in the profile")]
    NoRegion,
}

impl Clients {
    /// Loads the configuration (credentials are resolved lazily, on the
    /// first call). `fallback_region` is used when neither `--region`, the
    /// environment nor the profile names one.
    pub async fn connect(
        options: &ClientOptions,
        fallback_region: Option<&str>,
    ) -> Result<Self, ClientError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_mins(1))
                .build(),
        );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(credentials) = &options.credentials {
            loader = loader.credentials_provider(credentials.clone());
        }
        let mut sdk = loader.load().await;
        if let Some(backoff) = options.sdk_initial_backoff {
            let retry = sdk
                .retry_config()
                .cloned()
                .unwrap_or_else(RetryConfig::standard)
                .with_initial_backoff(backoff);
            sdk = sdk.into_builder().retry_config(retry).build();
        }
        let default_region = sdk
            .region()
            .map(ToString::to_string)
            .or_else(|| fallback_region.map(str::to_owned))
            .ok_or(ClientError::NoRegion)?;
        Ok(Self {
            inner: Arc::new(Inner {
                sdk,
                counter: CallCounter::default(),
                regions: Mutex::new(BTreeMap::new()),
                default_region,
                endpoint_url: options.endpoint_url.clone(),
            }),
        })
    }

    /// The endpoint every call goes to, when overridden.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.inner.endpoint_url.as_deref()
    }

    /// The clients for `region` (made once, then shared).
    pub fn region(&self, region: &str) -> RegionClients {
        let mut regions = self
            .inner
            .regions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        regions
            .entry(region.to_owned())
            .or_insert_with(|| {
                let sdk = &self.inner.sdk;
                let ec2 = aws_sdk_ec2::config::Builder::from(sdk)
                    .region(Region::new(region.to_owned()))
                    .interceptor(self.inner.counter.clone())
                    .build();
                let autoscaling = aws_sdk_autoscaling::config::Builder::from(sdk)
                    .region(Region::new(region.to_owned()))
                    .interceptor(self.inner.counter.clone())
                    .build();
                RegionClients {
                    region: region.to_owned(),
                    ec2: aws_sdk_ec2::Client::from_conf(ec2),
                    autoscaling: aws_sdk_autoscaling::Client::from_conf(autoscaling),
                }
            })
            .clone()
    }

    /// The account the credentials belong to (STS `GetCallerIdentity`).
    pub async fn caller_account(&self) -> Result<String, ApiError> {
        let conf = aws_sdk_sts::config::Builder::from(&self.inner.sdk)
            .region(Region::new(self.inner.default_region.clone()))
            .interceptor(self.inner.counter.clone())
            .build();
        let sts = aws_sdk_sts::Client::from_conf(conf);
        let out = sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| ApiError::from_sdk("sts", "GetCallerIdentity", &e))?;
        out.account.ok_or_else(|| {
            ApiError::local("sts", "GetCallerIdentity", "the answer names no account")
        })
    }

    /// Calls made so far.
    pub fn calls(&self) -> CallCounts {
        self.inner
            .counter
            .counts
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }
}

/// SDK configuration for a call that must not be repeated blindly: our own
/// retry checks first whether the failed attempt took effect.
pub fn no_sdk_retry_ec2() -> aws_sdk_ec2::config::Builder {
    aws_sdk_ec2::config::Builder::default().retry_config(RetryConfig::disabled())
}

/// As [`no_sdk_retry_ec2`], for Auto Scaling.
pub fn no_sdk_retry_autoscaling() -> aws_sdk_autoscaling::config::Builder {
    aws_sdk_autoscaling::config::Builder::default().retry_config(RetryConfig::disabled())
}

/// The account guard: `Err` says why writing must not start.
pub fn check_account(
    caller: &str,
    expected: Option<&str>,
    planned_for: Option<&str>,
) -> Result<(), String> {
    if let Some(expected) = expected
        && expected != caller
    {
        return Err(format!(
            "the credentials are for account {caller}, but account {expected} is expected: nothing was changed"
        ));
    }
    if let Some(planned) = planned_for
        && planned != caller
    {
        return Err(format!(
            "the plan was made for account {planned}, but the credentials are for account {caller}: nothing was changed"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_guard_refuses_any_other_account() {
        assert_eq!(check_account("123456789012", None, None), Ok(()));
        assert_eq!(
            check_account("123456789012", Some("123456789012"), Some("123456789012")),
            Ok(())
        );
        let err = check_account("123456789012", Some("999999999999"), None).unwrap_err();
        assert!(err.contains("account 999999999999 is expected"), "{err}");
        let err = check_account("123456789012", None, Some("111111111111")).unwrap_err();
        assert!(
            err.contains("plan was made for account 111111111111"),
            "{err}"
        );
    }
}
