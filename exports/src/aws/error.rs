//! Errors from AWS, reduced to what a user and the retry logic need: the
//! service and operation, AWS's error code and message, the request id,
//! the HTTP status, and whether trying again can help.

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::operation::RequestId as _;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use serde::{Deserialize, Serialize};

/// What kind of failure, for retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request was refused for now (throttling, a conflicting update in
    /// progress): nothing happened; try again later.
    Throttling,
    /// A server error or a timeout: the request may or may not have taken
    /// effect; check before repeating a creation.
    Transient,
    /// The endpoint could not be reached at all.
    Unreachable,
    /// The request is wrong or not allowed: trying again will not help.
    Client,
}

impl ErrorKind {
    pub fn retryable(self) -> bool {
        matches!(self, Self::Throttling | Self::Transient)
    }

    /// Whether the failed call may have taken effect anyway.
    pub fn ambiguous(self) -> bool {
        self == Self::Transient
    }
}

/// An AWS API call that failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ApiError {
    pub service: String,
    pub operation: String,
    /// AWS's error code, e.g. `Throttling`, `AlreadyExists`.
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
    pub kind: ErrorKind,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: ", self.service, self.operation)?;
        if let Some(code) = &self.code {
            write!(f, "{code}: ")?;
        }
        f.write_str(&self.message)?;
        let mut extra = Vec::new();
        if let Some(status) = self.http_status {
            extra.push(format!("HTTP {status}"));
        }
        if let Some(id) = &self.request_id {
            extra.push(format!("request id {id}"));
        }
        if !extra.is_empty() {
            write!(f, " ({})", extra.join(", "))?;
        }
        Ok(())
    }
}

/// Codes meaning "not now": the request was not carried out.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "SlowDown",
    "EC2ThrottledException",
    "PriorRequestNotComplete",
    // Auto Scaling: another update or scaling activity is in progress.
    "ResourceContention",
    "ScalingActivityInProgress",
];

/// Codes of server-side failures.
const TRANSIENT_CODES: &[&str] = &[
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "ServiceUnavailable",
    "Unavailable",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// An error and its sources, `a: b: c`, without the debug dump
/// `DisplayErrorContext` appends.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// Classifies by AWS error code and HTTP status.
pub fn classify(code: Option<&str>, http_status: Option<u16>) -> ErrorKind {
    match code {
        Some(c) if THROTTLING_CODES.contains(&c) => ErrorKind::Throttling,
        Some(c) if TRANSIENT_CODES.contains(&c) => ErrorKind::Transient,
        _ if http_status == Some(429) => ErrorKind::Throttling,
        _ if http_status.is_some_and(|s| s >= 500) => ErrorKind::Transient,
        _ => ErrorKind::Client,
    }
}

impl ApiError {
    /// From any SDK error of any operation.
    pub fn from_sdk<E>(service: &str, operation: &str, err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let http_status = err.raw_response().map(|r| r.status().as_u16());
        let code = err.code().map(str::to_owned);
        let request_id = err
            .request_id()
            .or_else(|| err.meta().extra("aws_request_id"))
            .map(str::to_owned);
        let (kind, message) = match err {
            SdkError::ServiceError(_) | SdkError::ResponseError(_) => (
                classify(code.as_deref(), http_status),
                err.message().map_or_else(|| chain(err), str::to_owned),
            ),
            SdkError::TimeoutError(_) => (
                ErrorKind::Transient,
                "no answer in time (the request may have been carried out)".to_owned(),
            ),
            SdkError::DispatchFailure(failure) => {
                let text = chain(err);
                if text.contains("loading credentials") || text.contains("credential provider") {
                    return Self {
                        service: service.to_owned(),
                        operation: operation.to_owned(),
                        code: None,
                        message: format!(
                            "no usable AWS credentials ({text}): set them in the environment, use --profile, or log in with aws sso login"
                        ),
                        request_id: None,
                        http_status: None,
                        kind: ErrorKind::Client,
                    };
                }
                let kind = if failure.is_timeout() {
                    ErrorKind::Transient
                } else if failure.is_user() {
                    ErrorKind::Client
                } else if text.contains("Connection refused") || text.contains("dns error") {
                    ErrorKind::Unreachable
                } else if failure.is_io() {
                    ErrorKind::Transient
                } else {
                    ErrorKind::Client
                };
                (kind, text)
            }
            _ => (ErrorKind::Client, chain(err)),
        };
        Self {
            service: service.to_owned(),
            operation: operation.to_owned(),
            code,
            message,
            request_id,
            http_status,
            kind,
        }
    }

    /// An error of topoplan's own making about a call (e.g. an answer
    /// missing a field it must have).
    pub fn local(service: &str, operation: &str, message: impl Into<String>) -> Self {
        Self {
            service: service.to_owned(),
            operation: operation.to_owned(),
            code: None,
            message: message.into(),
            request_id: None,
            http_status: None,
            kind: ErrorKind::Client,
        }
    }

    pub fn has_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_and_server_errors_are_retryable_client_errors_are_not() {
        assert_eq!(
            classify(Some("Throttling"), Some(400)),
            ErrorKind::Throttling
        );
        assert_eq!(
            classify(Some("RequestLimitExceeded"), Some(503)),
            ErrorKind::Throttling
        );
        assert_eq!(
            classify(Some("InternalError"), Some(500)),
            ErrorKind::Transient
        );
        assert_eq!(classify(None, Some(502)), ErrorKind::Transient);
        assert_eq!(
            classify(Some("ValidationError"), Some(400)),
            ErrorKind::Client
        );
        // An account quota is not throttling: waiting will not raise it.
        assert_eq!(
            classify(Some("LimitExceeded"), Some(400)),
            ErrorKind::Client
        );
        assert!(ErrorKind::Transient.ambiguous() && !ErrorKind::Throttling.ambiguous());
    }

    #[test]
    fn errors_show_code_status_and_request_id() {
        let e = ApiError {
            service: "autoscaling".into(),
            operation: "CreateAutoScalingGroup".into(),
            code: Some("AlreadyExists".into()),
            message: "AutoScalingGroup by this name already exists".into(),
            request_id: Some("abc-123".into()),
            http_status: Some(400),
            kind: ErrorKind::Client,
        };
        assert_eq!(
            e.to_string(),
            "autoscaling CreateAutoScalingGroup: AlreadyExists: AutoScalingGroup by this name already exists (HTTP 400, request id abc-123)"
        );
    }
}
