//! The steps around `exports::aws` that the command line (`plan aws`,
//! `apply aws`) and the window's Ship → Apply to AWS share, so both read,
//! plan, guard and apply the same way: the images given on top of the
//! document, the desired state, the connection, the retry policy, the
//! expected account, the hint when the account cannot be read, and the
//! apply options.
//!
//! The front ends differ only in how they talk to the user (text and a
//! `yes` prompt; a dialog and a typed confirmation).

use topoplan_core::Topology;
use topoplan_core::model::image_problem;
use topoplan_exports::aws::{
    self, ApiError, ApplyOptions, ClientOptions, Clients, Desired, DesiredOptions, ErrorKind,
    Observed, Problem, RetryPolicy, client::Credentials,
};

/// Where and as whom to connect, and what the user adds to the document
/// (the CLI's `--profile`, `--region`, `--endpoint-url`, `--image-id`).
#[derive(Clone, Debug, Default)]
pub struct Connection {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// `REGION=IMAGE` for one region or `IMAGE` for all.
    pub image_ids: Vec<String>,
    /// Explicit credentials instead of the standard chain (the window's
    /// tests; the CLI always uses the chain).
    pub credentials: Option<Credentials>,
}

/// Everything needed before talking to AWS.
#[derive(Debug)]
pub struct Prepared {
    pub desired: Desired,
    pub clients: Clients,
    pub retry: RetryPolicy,
}

/// Why nothing could be planned.
#[derive(Debug)]
pub enum Refusal {
    /// A flag or field is wrong (the message names it).
    Usage(String),
    /// The document cannot be turned into AWS resources.
    Problems(Vec<Problem>),
}

/// The images given as `[REGION=]IMAGE`, checked against `topology`.
///
/// # Errors
/// The first argument that is not an image or names a region the document
/// does not have, as `--image-id ARG: why`.
pub fn images(
    topology: &Topology,
    args: &[String],
) -> Result<Vec<(Option<String>, String)>, String> {
    let mut images = Vec::new();
    for arg in args {
        let (region, image) = match arg.split_once('=') {
            Some((region, image)) => (Some(region.to_owned()), image.to_owned()),
            None => (None, arg.clone()),
        };
        if let Some(problem) = image_problem(&image) {
            return Err(format!("--image-id {arg}: {problem}"));
        }
        if let Some(region) = &region
            && topology.meta().region(region).is_none()
        {
            return Err(format!(
                "--image-id {arg}: {region} is not one of the document's regions"
            ));
        }
        images.push((region, image));
    }
    Ok(images)
}

/// The retry policy; `TOPOPLAN_AWS_RETRY_BASE_MS` shortens the backoff
/// (the tests use it against a local API).
pub fn retry_policy() -> RetryPolicy {
    let mut retry = RetryPolicy::default();
    if let Some(ms) = std::env::var("TOPOPLAN_AWS_RETRY_BASE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        retry.base_delay_ms = ms.max(1);
        retry.max_delay_ms = retry.max_delay_ms.min(ms.saturating_mul(16).max(1));
    }
    retry
}

/// Builds the desired state of a valid `topology` and connects (credentials
/// are resolved on the first call).
///
/// # Errors
/// `Ok(Err(_))` when the input is refused (nothing was called);
/// `Err(_)` when the SDK cannot be set up (no region).
pub async fn prepare(
    topology: &Topology,
    connection: &Connection,
) -> anyhow::Result<Result<Prepared, Refusal>> {
    let images = match images(topology, &connection.image_ids) {
        Ok(images) => images,
        Err(why) => return Ok(Err(Refusal::Usage(why))),
    };
    let desired = match aws::desired(topology, &DesiredOptions { images }) {
        Ok(d) => d,
        Err(problems) => return Ok(Err(Refusal::Problems(problems))),
    };
    let retry = retry_policy();
    let options = ClientOptions {
        profile: connection.profile.clone(),
        region: connection.region.clone(),
        endpoint_url: connection.endpoint_url.clone(),
        sdk_initial_backoff: std::env::var_os("TOPOPLAN_AWS_RETRY_BASE_MS")
            .map(|_| std::time::Duration::from_millis(retry.base_delay_ms)),
        credentials: connection.credentials.clone(),
    };
    let clients = Clients::connect(&options, desired.regions.first().map(String::as_str)).await?;
    Ok(Ok(Prepared {
        desired,
        clients,
        retry,
    }))
}

/// Reads what the account has of this topology.
///
/// # Errors
/// The failed call, with a hint about the endpoint when it was unreachable
/// (see [`read_failure`]).
pub async fn read(prepared: &Prepared, progress: &aws::Progress) -> Result<Observed, ApiError> {
    aws::account::read(
        &prepared.clients,
        &prepared.desired,
        &prepared.retry,
        progress,
    )
    .await
}

/// Why the account could not be read, as lines for people.
pub fn read_failure(err: &ApiError, clients: &Clients) -> Vec<String> {
    let mut lines = vec![format!("cannot read the account: {err}")];
    if err.kind == ErrorKind::Unreachable {
        lines.push(format!(
            "(is the endpoint right? {})",
            clients
                .endpoint_url()
                .unwrap_or("the standard AWS endpoints")
        ));
    }
    lines
}

/// The account an apply must be made in: the one the user gave, or the
/// document's `aws.account_id`; they must agree and be 12 digits.
///
/// # Errors
/// A contradiction or a malformed id, naming the flag.
pub fn expected_account(
    given: Option<&str>,
    document: Option<&str>,
) -> Result<Option<String>, String> {
    let expected = match (given, document) {
        (Some(a), Some(d)) if a != d => {
            return Err(format!(
                "--expected-account {a} contradicts the document's aws.account_id {d}"
            ));
        }
        (Some(a), _) => Some(a.to_owned()),
        (None, d) => d.map(str::to_owned),
    };
    if let Some(id) = &expected
        && !(id.len() == 12 && id.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(format!(
            "--expected-account {id}: expected a 12-digit AWS account id"
        ));
    }
    Ok(expected)
}

/// The refusal when the credentials are for another account than expected
/// (checked again by the applier, before any write).
pub fn account_mismatch(expected: Option<&str>, observed: &Observed) -> Option<String> {
    let account = observed.account_id.as_deref().unwrap_or_default();
    expected.filter(|e| *e != account).map(|e| {
        format!(
            "refused: the credentials are for account {account}, but account {e} is expected: nothing was changed"
        )
    })
}

/// The options an apply runs with.
pub fn apply_options(dry_run: bool, expected: Option<String>, retry: RetryPolicy) -> ApplyOptions {
    ApplyOptions {
        dry_run,
        expected_account: expected,
        retry,
        ..ApplyOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_account_comes_from_the_flag_or_the_document_and_must_agree() {
        assert_eq!(expected_account(None, None), Ok(None));
        assert_eq!(
            expected_account(Some("123456789012"), None),
            Ok(Some("123456789012".into()))
        );
        assert_eq!(
            expected_account(None, Some("123456789012")),
            Ok(Some("123456789012".into()))
        );
        let err = expected_account(Some("123456789012"), Some("210987654321")).unwrap_err();
        assert!(err.contains("contradicts"), "{err}");
        let err = expected_account(Some("12345"), None).unwrap_err();
        assert!(err.contains("12-digit"), "{err}");
    }

    #[test]
    fn images_name_a_region_of_the_document_and_a_valid_image() {
        let t = topoplan_core::templates::find("three-tier")
            .unwrap()
            .load()
            .unwrap();
        assert_eq!(
            images(&t, &["ami-12c6146b".into()]),
            Ok(vec![(None, "ami-12c6146b".into())])
        );
        let err = images(&t, &["eu-north-9=ami-12c6146b".into()]).unwrap_err();
        assert!(err.contains("not one of the document's regions"), "{err}");
        let err = images(&t, &["not-an-image".into()]).unwrap_err();
        assert!(err.starts_with("--image-id not-an-image: "), "{err}");
    }
}
