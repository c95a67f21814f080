//! Executing a plan: the account guard first, then each chain of
//! operations in order (chains side by side, a few at a time), with
//! progress events, client tokens, retries, and a report that says exactly
//! what was done and what was not.
//!
//! Failure handling:
//! - Throttling and server errors are retried with jittered backoff (the
//!   SDK's own retry mode runs underneath for every call except creations).
//! - A creation that failed ambiguously (a 5xx, a timeout) is not simply
//!   sent again: the account is checked first, and a resource the failed
//!   attempt created is adopted (it carries our tags), so there are never
//!   duplicates — moto, unlike AWS, ignores client tokens and silently
//!   overwrites groups, so this check is what keeps re-runs clean there.
//! - The first operation that fails for good stops the apply: calls in
//!   flight finish, nothing new starts, and the report lists every
//!   operation as done, failed, not done, or interrupted. Everything done
//!   is tagged, so running apply again resumes where this one stopped.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_autoscaling::types as asg;
use aws_sdk_ec2::types as ec2;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::account::{observed_group, template_data};
use super::client::{
    Clients, RegionClients, check_account, no_sdk_retry_autoscaling, no_sdk_retry_ec2,
};
use super::desired::{LaunchTemplateData, PolicySpec};
use super::error::ApiError;
use super::ownership::{Owner, PolicyKind, Tags};
use super::plan::{
    CPU_METRIC, CPU_METRIC_PAIR, GroupTag, GroupUpdate, GroupWrite, Op, PREDICTIVE_MODE, Plan,
    TemplateSource,
};
use super::progress::{Cancel, Event, Progress};
use super::retry::{RetryPolicy, retrying};

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Check permissions where AWS offers a dry run (EC2), write nothing.
    pub dry_run: bool,
    /// Refuse unless the credentials belong to this account.
    pub expected_account: Option<String>,
    /// Chains run side by side.
    pub parallelism: usize,
    pub retry: RetryPolicy,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            dry_run: false,
            expected_account: None,
            parallelism: 8,
            retry: RetryPolicy::default(),
        }
    }
}

/// What became of one operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpStatus {
    Done {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Dry run: AWS said the call would succeed.
    Checked,
    Skipped {
        reason: String,
    },
    Failed {
        error: ApiError,
    },
    NotStarted,
    /// Dropped in flight (Ctrl-C twice): it may or may not have happened.
    Abandoned,
}

impl OpStatus {
    fn done() -> Self {
        Self::Done { note: None }
    }

    fn noted(note: impl Into<String>) -> Self {
        Self::Done {
            note: Some(note.into()),
        }
    }

    pub fn is_failure(&self) -> bool {
        matches!(self, Self::Failed { .. } | Self::Abandoned)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpReport {
    pub index: usize,
    /// Index of the change in the plan.
    pub change: usize,
    pub region: String,
    pub node: String,
    pub api: String,
    pub resource: String,
    pub status: OpStatus,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplyReport {
    pub topology_id: String,
    pub account_id: String,
    pub dry_run: bool,
    pub ops: Vec<OpReport>,
    /// Why the apply stopped early.
    pub stopped: Option<String>,
    pub api_calls: u64,
    pub elapsed_secs: f64,
}

impl ApplyReport {
    /// Every operation done (or, in a dry run, checked or skipped).
    pub fn is_complete(&self) -> bool {
        self.ops.iter().all(|o| match o.status {
            OpStatus::Done { .. } | OpStatus::Checked => true,
            OpStatus::Skipped { .. } => self.dry_run,
            _ => false,
        })
    }
}

/// Why an apply did not start.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{0}")]
    AccountGuard(String),
    #[error("cannot tell which account the credentials belong to: {0}")]
    Sts(ApiError),
}

struct Planned {
    op: Op,
    region: String,
    resource: String,
}

struct Shared {
    clients: Clients,
    ops: Vec<Planned>,
    status: Mutex<Vec<OpStatus>>,
    queue: Mutex<VecDeque<Vec<usize>>>,
    stopped: Mutex<Option<String>>,
    cancel: Cancel,
    progress: Progress,
    options: ApplyOptions,
    token_seed: String,
}

impl Shared {
    fn should_stop(&self) -> bool {
        self.cancel.is_stopped() || self.stopped.lock().is_ok_and(|s| s.is_some())
    }

    fn stop(&self, reason: String) {
        if let Ok(mut s) = self.stopped.lock()
            && s.is_none()
        {
            (self.progress)(&Event::Stopping {
                reason: reason.clone(),
            });
            *s = Some(reason);
        }
    }

    fn set(&self, index: usize, status: OpStatus) {
        if let Ok(mut s) = self.status.lock() {
            s[index] = status;
        }
    }

    /// Runs an idempotent call of operation `index` with retries.
    async fn retrying<T, F, Fut>(&self, index: usize, call: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        retrying(
            &self.options.retry,
            &self.progress,
            Some(index),
            &self.ops[index].resource,
            call,
        )
        .await
    }

    /// An idempotency token unique to this plan and operation (EC2 accepts
    /// up to 64 ASCII characters).
    fn client_token(&self, index: usize) -> String {
        let d = Sha256::digest(format!("{}/{index}", self.token_seed).as_bytes());
        super::observed::hex(&d[..16])
    }
}

/// What a chain learns as it goes: the template it created or found, and
/// the version it made.
#[derive(Default)]
struct ChainState {
    template_id: Option<String>,
    template_version: Option<i64>,
    new_version: Option<i64>,
}

/// The operations of `plan` in the order [`apply`] numbers them (the
/// `index` of its events and report), none started yet: what a progress
/// view lists before the first event arrives.
pub fn operations(plan: &Plan) -> Vec<OpReport> {
    let mut reports = Vec::new();
    for chain in plan.chains() {
        for change_index in chain {
            let change = &plan.changes[change_index];
            for op in &change.ops {
                reports.push(OpReport {
                    index: reports.len(),
                    change: change_index,
                    region: change.region.clone(),
                    node: change.node.clone(),
                    api: op.api_name().to_owned(),
                    resource: format!("{} {}", change.resource.label(), change.name),
                    status: OpStatus::NotStarted,
                });
            }
        }
    }
    reports
}

/// Applies `plan`. Checks the account with STS before anything else;
/// `Err` means nothing was written.
pub async fn apply(
    clients: &Clients,
    plan: &Plan,
    options: &ApplyOptions,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ApplyReport, ApplyError> {
    let started = Instant::now();
    let calls_before = clients.calls().total_calls();
    let caller = retrying(&options.retry, progress, None, "caller identity", || {
        clients.caller_account()
    })
    .await
    .map_err(ApplyError::Sts)?;
    check_account(
        &caller,
        options.expected_account.as_deref(),
        plan.account_id.as_deref(),
    )
    .map_err(ApplyError::AccountGuard)?;

    let mut reports = operations(plan);
    let mut ops = Vec::new();
    let mut chains = VecDeque::new();
    for chain in plan.chains() {
        let mut indices = Vec::new();
        for change_index in chain {
            let change = &plan.changes[change_index];
            for op in &change.ops {
                // The same order as `operations`.
                let index = ops.len();
                ops.push(Planned {
                    op: op.clone(),
                    region: change.region.clone(),
                    resource: format!("{} {}", change.resource.label(), change.name),
                });
                indices.push(index);
            }
        }
        if !indices.is_empty() {
            chains.push_back(indices);
        }
    }
    let workers = options.parallelism.clamp(1, 64).min(chains.len().max(1));
    let shared = Arc::new(Shared {
        clients: clients.clone(),
        status: Mutex::new(vec![OpStatus::NotStarted; ops.len()]),
        ops,
        queue: Mutex::new(chains),
        stopped: Mutex::new(None),
        cancel: cancel.clone(),
        progress: progress.clone(),
        options: options.clone(),
        token_seed: format!("{}/{}", plan.desired_fingerprint, plan.observed_fingerprint),
    });
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let shared = Arc::clone(&shared);
        set.spawn(async move {
            loop {
                let next = shared.queue.lock().ok().and_then(|mut q| q.pop_front());
                let Some(chain) = next else { break };
                run_chain(&shared, &chain).await;
            }
        });
    }
    while set.join_next().await.is_some() {}

    let status = shared.status.lock().map(|s| s.clone()).unwrap_or_default();
    for (report, status) in reports.iter_mut().zip(status) {
        report.status = status;
    }
    let stopped = shared
        .stopped
        .lock()
        .ok()
        .and_then(|s| s.clone())
        .or_else(|| {
            cancel.is_stopped().then(|| {
                if cancel.is_abandoned() {
                    "interrupted; calls in flight were abandoned".to_owned()
                } else {
                    "interrupted; calls in flight were finished".to_owned()
                }
            })
        });
    Ok(ApplyReport {
        topology_id: plan.topology_id.clone(),
        account_id: caller,
        dry_run: options.dry_run,
        ops: reports,
        stopped,
        api_calls: clients.calls().total_calls() - calls_before,
        elapsed_secs: started.elapsed().as_secs_f64(),
    })
}

async fn run_chain(shared: &Shared, chain: &[usize]) {
    let mut state = ChainState::default();
    for &index in chain {
        if shared.should_stop() {
            return;
        }
        let planned = &shared.ops[index];
        (shared.progress)(&Event::OpStarted {
            index,
            region: planned.region.clone(),
            api: planned.op.api_name().to_owned(),
            resource: planned.resource.clone(),
        });
        let status = tokio::select! {
            status = execute(shared, &mut state, index) => status,
            () = shared.cancel.abandoned() => OpStatus::Abandoned,
        };
        shared.set(index, status.clone());
        (shared.progress)(&Event::OpFinished {
            index,
            region: planned.region.clone(),
            api: planned.op.api_name().to_owned(),
            resource: planned.resource.clone(),
            status: status.clone(),
        });
        match &status {
            OpStatus::Failed { error } => {
                shared.stop(format!(
                    "{} {} {} failed: {error}",
                    planned.region,
                    planned.op.api_name(),
                    planned.resource
                ));
                return;
            }
            OpStatus::Abandoned => return,
            // A dry run cannot go on past a step whose result later steps need.
            OpStatus::Skipped { .. } if !shared.options.dry_run => return,
            _ => {}
        }
    }
}

fn asg_err<E>(
    operation: &str,
) -> impl Fn(
    aws_sdk_autoscaling::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> ApiError
+ '_
where
    E: aws_sdk_autoscaling::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| ApiError::from_sdk("autoscaling", operation, &e)
}

fn ec2_err<E>(
    operation: &str,
) -> impl Fn(
    aws_sdk_ec2::error::SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> ApiError
+ '_
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| ApiError::from_sdk("ec2", operation, &e)
}

#[expect(
    clippy::too_many_lines,
    reason = "one arm per operation reads best side by side"
)]
async fn execute(shared: &Shared, state: &mut ChainState, index: usize) -> OpStatus {
    let planned = &shared.ops[index];
    let rc = shared.clients.region(&planned.region);
    let dry = shared.options.dry_run;
    if dry && planned.op.service() == "autoscaling" {
        return skipped(dry, "the Auto Scaling API has no dry run");
    }
    let result: Result<OpStatus, ApiError> = match &planned.op {
        Op::CreateLaunchTemplate { name, data, tags } => {
            if dry {
                return dry_run_result(
                    rc.ec2
                        .create_launch_template()
                        .launch_template_name(name)
                        .launch_template_data(request_data(data))
                        .dry_run(true)
                        .send()
                        .await
                        .map_err(ec2_err("CreateLaunchTemplate")),
                );
            }
            let token = shared.client_token(index);
            create_launch_template(shared, &rc, index, name, data, tags, &token)
                .await
                .map(|(id, version, note)| {
                    state.template_id = Some(id);
                    state.template_version = Some(version);
                    note.map_or_else(OpStatus::done, OpStatus::noted)
                })
        }
        Op::CreateLaunchTemplateVersion {
            template_id,
            name: _,
            data,
            base_version,
        } => {
            if dry {
                return dry_run_result(
                    rc.ec2
                        .create_launch_template_version()
                        .launch_template_id(template_id)
                        .launch_template_data(request_data(data))
                        .dry_run(true)
                        .send()
                        .await
                        .map_err(ec2_err("CreateLaunchTemplateVersion")),
                );
            }
            let token = shared.client_token(index);
            create_version(shared, &rc, index, template_id, data, *base_version, &token)
                .await
                .map(|(version, note)| {
                    state.template_id = Some(template_id.clone());
                    state.new_version = Some(version);
                    note.map_or_else(
                        || OpStatus::noted(format!("version {version}")),
                        OpStatus::noted,
                    )
                })
        }
        Op::SetDefaultVersion { template_id, .. } => {
            let Some(version) = state.new_version else {
                return skipped(dry, "needs the version created before it");
            };
            shared
                .retrying(index, || {
                    let req = rc
                        .ec2
                        .modify_launch_template()
                        .launch_template_id(template_id)
                        .default_version(version.to_string());
                    async move { req.send().await.map_err(ec2_err("ModifyLaunchTemplate")) }
                })
                .await
                .map(|_| OpStatus::noted(format!("default version {version}")))
        }
        Op::TagLaunchTemplate {
            template_id, tags, ..
        } => {
            let tags: Vec<ec2::Tag> = tags
                .iter()
                .map(|(k, v)| ec2::Tag::builder().key(k).value(v).build())
                .collect();
            if dry {
                return dry_run_result(
                    rc.ec2
                        .create_tags()
                        .resources(template_id)
                        .set_tags(Some(tags))
                        .dry_run(true)
                        .send()
                        .await
                        .map_err(ec2_err("CreateTags")),
                );
            }
            shared
                .retrying(index, || {
                    let req = rc
                        .ec2
                        .create_tags()
                        .resources(template_id)
                        .set_tags(Some(tags.clone()));
                    async move { req.send().await.map_err(ec2_err("CreateTags")) }
                })
                .await
                .map(|_| OpStatus::done())
        }
        Op::CreateAutoScalingGroup { group } => {
            let Some(template) = template_spec(&group.template, state) else {
                return missing_template();
            };
            create_group(shared, &rc, index, group, template)
                .await
                .map(|note| note.map_or_else(OpStatus::done, OpStatus::noted))
        }
        Op::UpdateAutoScalingGroup { name, update } => {
            let template = match &update.template {
                Some(source) => match template_spec(source, state) {
                    Some(t) => Some(t),
                    None => return missing_template(),
                },
                None => None,
            };
            update_group(shared, &rc, index, name, update, template)
                .await
                .map(|()| OpStatus::done())
        }
        Op::AttachTargetGroups { group, arns } => {
            target_groups(shared, &rc, index, group, arns, true).await
        }
        Op::DetachTargetGroups { group, arns } => {
            target_groups(shared, &rc, index, group, arns, false).await
        }
        Op::TagAutoScalingGroup { group, tags } => {
            let tags = group_tags(group, tags);
            shared
                .retrying(index, || {
                    let req = rc
                        .autoscaling
                        .create_or_update_tags()
                        .set_tags(Some(tags.clone()));
                    async move { req.send().await.map_err(asg_err("CreateOrUpdateTags")) }
                })
                .await
                .map(|_| OpStatus::done())
        }
        Op::PutScalingPolicy { group, policy } => put_policy(shared, &rc, index, group, policy)
            .await
            .map(|()| OpStatus::done()),
        Op::DeletePolicy { group, name } => {
            let r = shared
                .retrying(index, || {
                    let req = rc
                        .autoscaling
                        .delete_policy()
                        .auto_scaling_group_name(group)
                        .policy_name(name);
                    async move { req.send().await.map_err(asg_err("DeletePolicy")) }
                })
                .await;
            match r {
                Ok(_) => Ok(OpStatus::done()),
                Err(e) if is_not_found(&e) => Ok(OpStatus::noted("already gone")),
                Err(e) => Err(e),
            }
        }
        Op::StartInstanceRefresh { group, warmup_secs } => {
            let r = shared
                .retrying(index, || {
                    let req = rc
                        .autoscaling
                        .start_instance_refresh()
                        .auto_scaling_group_name(group)
                        .preferences(
                            asg::RefreshPreferences::builder()
                                .min_healthy_percentage(90)
                                .instance_warmup(*warmup_secs)
                                .skip_matching(true)
                                .build(),
                        );
                    async move { req.send().await.map_err(asg_err("StartInstanceRefresh")) }
                })
                .await;
            match r {
                Ok(out) => Ok(OpStatus::noted(format!(
                    "refresh {} started; follow it with: aws autoscaling describe-instance-refreshes --auto-scaling-group-name {group}",
                    out.instance_refresh_id().unwrap_or("?")
                ))),
                Err(e) if e.has_code("InstanceRefreshInProgress") => Ok(OpStatus::noted(
                    "a refresh is already in progress; start another when it ends to pick up the new version",
                )),
                Err(e) => Err(e),
            }
        }
        Op::DeleteAutoScalingGroup { name } => delete_group(shared, &rc, index, name).await,
        Op::DeleteLaunchTemplate { template_id, .. } => {
            if dry {
                return dry_run_result(
                    rc.ec2
                        .delete_launch_template()
                        .launch_template_id(template_id)
                        .dry_run(true)
                        .send()
                        .await
                        .map_err(ec2_err("DeleteLaunchTemplate")),
                );
            }
            let r = shared
                .retrying(index, || {
                    let req = rc
                        .ec2
                        .delete_launch_template()
                        .launch_template_id(template_id);
                    async move { req.send().await.map_err(ec2_err("DeleteLaunchTemplate")) }
                })
                .await;
            match r {
                Ok(_) => Ok(OpStatus::done()),
                Err(e) if is_not_found(&e) => Ok(OpStatus::noted("already gone")),
                Err(e) => Err(e),
            }
        }
    };
    result.unwrap_or_else(|error| OpStatus::Failed { error })
}

fn skipped(dry: bool, reason: &str) -> OpStatus {
    OpStatus::Skipped {
        reason: if dry {
            format!("dry run: {reason}")
        } else {
            reason.to_owned()
        },
    }
}

fn missing_template() -> OpStatus {
    OpStatus::Failed {
        error: ApiError::local(
            "topoplan",
            "apply",
            "the launch template this group needs was not created earlier in the chain",
        ),
    }
}

/// `DryRunOperation` means the call would have succeeded.
fn dry_run_result<T>(r: Result<T, ApiError>) -> OpStatus {
    match r {
        Err(e) if e.has_code("DryRunOperation") => OpStatus::Checked,
        Ok(_) => OpStatus::Checked,
        Err(error) => OpStatus::Failed { error },
    }
}

fn is_not_found(e: &ApiError) -> bool {
    let code = e.code.as_deref().unwrap_or_default();
    code.contains("NotFound")
        || (code == "ValidationError" && e.message.to_ascii_lowercase().contains("not found"))
}

fn request_data(d: &LaunchTemplateData) -> ec2::RequestLaunchTemplateData {
    let profile = d.iam_instance_profile.as_ref().map(|p| {
        let b = ec2::LaunchTemplateIamInstanceProfileSpecificationRequest::builder();
        if p.starts_with("arn:") {
            b.arn(p).build()
        } else {
            b.name(p).build()
        }
    });
    ec2::RequestLaunchTemplateData::builder()
        .image_id(&d.image_id)
        .instance_type(ec2::InstanceType::from(d.instance_type.as_str()))
        .set_security_group_ids(
            (!d.security_group_ids.is_empty()).then(|| d.security_group_ids.clone()),
        )
        .set_user_data(d.user_data.clone())
        .set_iam_instance_profile(profile)
        .set_key_name(d.key_name.clone())
        .metadata_options(
            ec2::LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .set_http_tokens(
                    d.metadata_http_tokens
                        .as_deref()
                        .map(ec2::LaunchTemplateHttpTokensState::from),
                )
                .http_endpoint(ec2::LaunchTemplateInstanceMetadataEndpointState::Enabled)
                .build(),
        )
        .build()
}

fn ec2_tag_spec(kind: ec2::ResourceType, tags: &Tags) -> ec2::TagSpecification {
    ec2::TagSpecification::builder()
        .resource_type(kind)
        .set_tags(Some(
            tags.iter()
                .map(|(k, v)| ec2::Tag::builder().key(k).value(v).build())
                .collect(),
        ))
        .build()
}

/// The template and version a group launches from, once the chain knows it.
fn template_spec(
    source: &TemplateSource,
    state: &ChainState,
) -> Option<asg::LaunchTemplateSpecification> {
    let (id, version) = match source {
        TemplateSource::Existing { id, version } => (id.clone(), *version),
        TemplateSource::Created => (state.template_id.clone()?, state.template_version?),
        TemplateSource::NewVersion { id, .. } => (id.clone(), state.new_version?),
    };
    Some(
        asg::LaunchTemplateSpecification::builder()
            .launch_template_id(id)
            .version(version.to_string())
            .build(),
    )
}

fn group_tags(group: &str, tags: &[GroupTag]) -> Vec<asg::Tag> {
    tags.iter()
        .map(|t| {
            asg::Tag::builder()
                .key(&t.key)
                .value(&t.value)
                .propagate_at_launch(t.propagate)
                .resource_id(group)
                .resource_type("auto-scaling-group")
                .build()
        })
        .collect()
}

/// Repeats a creation until it succeeds, checking after an ambiguous
/// failure (and on "already exists") whether the resource is there: ours
/// is adopted, anyone else's is a collision.
async fn create_checked<T, S, SF, F, FF>(
    shared: &Shared,
    index: usize,
    already_exists: &[&str],
    mut send: S,
    mut find: F,
) -> Result<(T, Option<String>), ApiError>
where
    S: FnMut() -> SF,
    SF: Future<Output = Result<T, ApiError>>,
    F: FnMut() -> FF,
    FF: Future<Output = Result<Option<Result<T, ApiError>>, ApiError>>,
{
    let retry = &shared.options.retry;
    let resource = &shared.ops[index].resource;
    let mut attempt: u32 = 0;
    let mut check_first = false;
    loop {
        let outcome = if check_first {
            match find().await {
                Ok(Some(Ok(found))) => {
                    return Ok((
                        found,
                        Some("found in place after an interrupted attempt: adopted".to_owned()),
                    ));
                }
                Ok(Some(Err(collision))) => return Err(collision),
                Ok(None) => send().await,
                Err(e) => Err(e),
            }
        } else {
            send().await
        };
        match outcome {
            Ok(v) => return Ok((v, None)),
            Err(e) if already_exists.iter().any(|c| e.has_code(c)) => {
                return match find().await? {
                    Some(Ok(found)) => Ok((
                        found,
                        Some("already existed with this topology's tags: adopted".to_owned()),
                    )),
                    Some(Err(collision)) => Err(collision),
                    None => Err(e),
                };
            }
            Err(e) if e.kind.retryable() && attempt + 1 < retry.attempts => {
                let delay = retry.backoff(attempt);
                attempt += 1;
                check_first = check_first || e.kind.ambiguous();
                (shared.progress)(&Event::Retrying {
                    index: Some(index),
                    api: e.operation.clone(),
                    resource: resource.clone(),
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

fn collision(service: &str, operation: &str, kind: &str, name: &str, owner: &Owner) -> ApiError {
    ApiError::local(
        service,
        operation,
        format!(
            "{kind} {name} appeared since the plan was made and {}: not touched",
            owner.describe()
        ),
    )
}

#[expect(
    clippy::result_large_err,
    reason = "an error carries service, operation, code, message and request id; one per failed call"
)]
async fn create_launch_template(
    shared: &Shared,
    rc: &RegionClients,
    index: usize,
    name: &str,
    data: &LaunchTemplateData,
    tags: &Tags,
    token: &str,
) -> Result<(String, i64, Option<String>), ApiError> {
    let topology = tags
        .get(super::ownership::TAG_TOPOLOGY)
        .cloned()
        .unwrap_or_default();
    let node_id = tags
        .get(super::ownership::TAG_NODE)
        .cloned()
        .unwrap_or_default();
    let ((id, version), note) = create_checked(
        shared,
        index,
        &["InvalidLaunchTemplateName.AlreadyExistsException"],
        || {
            let req = rc
                .ec2
                .create_launch_template()
                .launch_template_name(name)
                .version_description(format!("topoplan: {topology}/{node_id}"))
                .launch_template_data(request_data(data))
                .tag_specifications(ec2_tag_spec(ec2::ResourceType::LaunchTemplate, tags))
                .client_token(token)
                .customize()
                .config_override(no_sdk_retry_ec2());
            async move {
                let out = req.send().await.map_err(ec2_err("CreateLaunchTemplate"))?;
                let lt = out.launch_template();
                let id = lt.and_then(|t| t.launch_template_id()).ok_or_else(|| {
                    ApiError::local(
                        "ec2",
                        "CreateLaunchTemplate",
                        "the answer has no template id",
                    )
                })?;
                Ok((
                    id.to_owned(),
                    lt.and_then(ec2::LaunchTemplate::default_version_number)
                        .unwrap_or(1),
                ))
            }
        },
        || {
            let req = rc.ec2.describe_launch_templates().filters(
                ec2::Filter::builder()
                    .name("launch-template-name")
                    .values(name)
                    .build(),
            );
            let topology = topology.clone();
            async move {
                let out = req
                    .send()
                    .await
                    .map_err(ec2_err("DescribeLaunchTemplates"))?;
                Ok(out.launch_templates().first().map(|lt| {
                    let tags: Tags = lt
                        .tags()
                        .iter()
                        .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                        .collect();
                    match Owner::of(&tags, &topology) {
                        Owner::Ours { .. } => Ok((
                            lt.launch_template_id().unwrap_or_default().to_owned(),
                            lt.default_version_number().unwrap_or(1),
                        )),
                        owner => Err(collision(
                            "ec2",
                            "CreateLaunchTemplate",
                            "launch template",
                            name,
                            &owner,
                        )),
                    }
                }))
            }
        },
    )
    .await?;
    Ok((id, version, note))
}

async fn create_version(
    shared: &Shared,
    rc: &RegionClients,
    index: usize,
    template_id: &str,
    data: &LaunchTemplateData,
    base_version: i64,
    token: &str,
) -> Result<(i64, Option<String>), ApiError> {
    create_checked(
        shared,
        index,
        &[],
        || {
            let req = rc
                .ec2
                .create_launch_template_version()
                .launch_template_id(template_id)
                .version_description("topoplan")
                .launch_template_data(request_data(data))
                .client_token(token)
                .customize()
                .config_override(no_sdk_retry_ec2());
            async move {
                let out = req
                    .send()
                    .await
                    .map_err(ec2_err("CreateLaunchTemplateVersion"))?;
                out.launch_template_version()
                    .and_then(ec2::LaunchTemplateVersion::version_number)
                    .ok_or_else(|| {
                        ApiError::local(
                            "ec2",
                            "CreateLaunchTemplateVersion",
                            "the answer has no version number",
                        )
                    })
            }
        },
        // A version above the planned latest with exactly our settings is
        // the one the interrupted attempt made.
        || {
            let req = rc
                .ec2
                .describe_launch_template_versions()
                .launch_template_id(template_id)
                .versions("$Latest");
            async move {
                let out = req
                    .send()
                    .await
                    .map_err(ec2_err("DescribeLaunchTemplateVersions"))?;
                Ok(out.launch_template_versions().first().and_then(|v| {
                    let number = v.version_number()?;
                    let same = v.launch_template_data().map(template_data).as_ref() == Some(data);
                    (number > base_version && same).then_some(Ok(number))
                }))
            }
        },
    )
    .await
}

#[expect(
    clippy::result_large_err,
    reason = "an error carries service, operation, code, message and request id; one per failed call"
)]
async fn create_group(
    shared: &Shared,
    rc: &RegionClients,
    index: usize,
    group: &GroupWrite,
    template: asg::LaunchTemplateSpecification,
) -> Result<Option<String>, ApiError> {
    let tags = group_tags(&group.name, &group.tags);
    let topology = group
        .tags
        .iter()
        .find(|t| t.key == super::ownership::TAG_TOPOLOGY)
        .map(|t| t.value.clone())
        .unwrap_or_default();
    let ((), note) = create_checked(
        shared,
        index,
        &["AlreadyExists"],
        || {
            let req = rc
                .autoscaling
                .create_auto_scaling_group()
                .auto_scaling_group_name(&group.name)
                .launch_template(template.clone())
                .min_size(group.min)
                .max_size(group.max)
                .desired_capacity(group.desired)
                .vpc_zone_identifier(group.subnet_ids.join(","))
                .health_check_type(&group.health_check_type)
                .health_check_grace_period(group.health_check_grace_secs)
                .default_instance_warmup(group.instance_warmup_secs)
                .set_target_group_arns(
                    (!group.target_group_arns.is_empty()).then(|| group.target_group_arns.clone()),
                )
                .set_tags(Some(tags.clone()))
                .customize()
                .config_override(no_sdk_retry_autoscaling());
            async move {
                req.send()
                    .await
                    .map(|_| ())
                    .map_err(asg_err("CreateAutoScalingGroup"))
            }
        },
        || {
            let req = rc
                .autoscaling
                .describe_auto_scaling_groups()
                .auto_scaling_group_names(&group.name);
            let topology = topology.clone();
            async move {
                let out = req
                    .send()
                    .await
                    .map_err(asg_err("DescribeAutoScalingGroups"))?;
                Ok(out.auto_scaling_groups().first().map(|g| {
                    let g = observed_group(g);
                    match Owner::of(&g.tags, &topology) {
                        Owner::Ours { .. } => Ok(()),
                        owner => Err(collision(
                            "autoscaling",
                            "CreateAutoScalingGroup",
                            "autoscaling group",
                            &g.name,
                            &owner,
                        )),
                    }
                }))
            }
        },
    )
    .await?;
    Ok(note)
}

async fn update_group(
    shared: &Shared,
    rc: &RegionClients,
    index: usize,
    name: &str,
    update: &GroupUpdate,
    template: Option<asg::LaunchTemplateSpecification>,
) -> Result<(), ApiError> {
    shared
        .retrying(index, || {
            let req = rc
                .autoscaling
                .update_auto_scaling_group()
                .auto_scaling_group_name(name)
                .set_launch_template(template.clone())
                .set_min_size(update.min)
                .set_max_size(update.max)
                .set_desired_capacity(update.desired)
                .set_vpc_zone_identifier(update.subnet_ids.as_ref().map(|s| s.join(",")))
                .set_health_check_type(update.health_check_type.clone())
                .set_health_check_grace_period(update.health_check_grace_secs)
                .set_default_instance_warmup(update.instance_warmup_secs);
            async move {
                req.send()
                    .await
                    .map(|_| ())
                    .map_err(asg_err("UpdateAutoScalingGroup"))
            }
        })
        .await
}

async fn target_groups(
    shared: &Shared,
    rc: &RegionClients,
    index: usize,
    group: &str,
    arns: &[String],
    attach: bool,
) -> Result<OpStatus, ApiError> {
    shared
        .retrying(index, || {
            let attach_req = rc
                .autoscaling
                .attach_load_balancer_target_groups()
                .auto_scaling_group_name(group)
                .set_target_group_arns(Some(arns.to_vec()));
            let detach_req = rc
                .autoscaling
                .detach_load_balancer_target_groups()
                .auto_scaling_group_name(group)
                .set_target_group_arns(Some(arns.to_vec()));
            async move {
                if attach {
                    attach_req
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(asg_err("AttachLoadBalancerTargetGroups"))
                } else {
                    detach_req
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(asg_err("DetachLoadBalancerTargetGroups"))
                }
            }
        })
        .await
        .map(|()| OpStatus::done())
}

async fn put_policy(
    shared: &Shared,
    rc: &RegionClients,
    index: usize,
    group: &str,
    policy: &PolicySpec,
) -> Result<(), ApiError> {
    shared
        .retrying(index, || {
            let req = rc
                .autoscaling
                .put_scaling_policy()
                .auto_scaling_group_name(group)
                .policy_name(&policy.name)
                .policy_type(policy.kind.api_name());
            let req = match policy.kind {
                PolicyKind::TargetTracking => req
                    .estimated_instance_warmup(policy.warmup_secs)
                    .target_tracking_configuration(
                        asg::TargetTrackingConfiguration::builder()
                            .predefined_metric_specification(
                                asg::PredefinedMetricSpecification::builder()
                                    .predefined_metric_type(asg::MetricType::from(CPU_METRIC))
                                    .build(),
                            )
                            .target_value(policy.target_cpu_percent)
                            .disable_scale_in(false)
                            .build(),
                    ),
                PolicyKind::Predictive => req.predictive_scaling_configuration(
                    asg::PredictiveScalingConfiguration::builder()
                        .metric_specifications(
                            asg::PredictiveScalingMetricSpecification::builder()
                                .target_value(policy.target_cpu_percent)
                                .predefined_metric_pair_specification(
                                    asg::PredictiveScalingPredefinedMetricPair::builder()
                                        .predefined_metric_type(
                                            asg::PredefinedMetricPairType::from(CPU_METRIC_PAIR),
                                        )
                                        .build(),
                                )
                                .build(),
                        )
                        .mode(asg::PredictiveScalingMode::from(PREDICTIVE_MODE))
                        .scheduling_buffer_time(policy.warmup_secs)
                        .build(),
                ),
            };
            async move {
                req.send()
                    .await
                    .map(|_| ())
                    .map_err(asg_err("PutScalingPolicy"))
            }
        })
        .await
}

/// Force-deletes a group and waits until AWS has removed it (its
/// instances are terminated first), so its launch template can go next.
async fn delete_group(
    shared: &Shared,
    rc: &RegionClients,
    index: usize,
    name: &str,
) -> Result<OpStatus, ApiError> {
    let retry = &shared.options.retry;
    let resource = &shared.ops[index].resource;
    let r = shared
        .retrying(index, || {
            let req = rc
                .autoscaling
                .delete_auto_scaling_group()
                .auto_scaling_group_name(name)
                .force_delete(true);
            async move {
                req.send()
                    .await
                    .map(|_| ())
                    .map_err(asg_err("DeleteAutoScalingGroup"))
            }
        })
        .await;
    match r {
        Ok(()) => {}
        Err(e) if is_not_found(&e) => return Ok(OpStatus::noted("already gone")),
        Err(e) => return Err(e),
    }
    let deadline = Instant::now() + Duration::from_secs(retry.wait_timeout_secs);
    let mut attempt = 0;
    loop {
        let out = shared
            .retrying(index, || {
                let req = rc
                    .autoscaling
                    .describe_auto_scaling_groups()
                    .auto_scaling_group_names(name);
                async move {
                    req.send()
                        .await
                        .map_err(asg_err("DescribeAutoScalingGroups"))
                }
            })
            .await?;
        if out.auto_scaling_groups().is_empty() {
            return Ok(OpStatus::done());
        }
        if Instant::now() >= deadline {
            return Err(ApiError::local(
                "autoscaling",
                "DeleteAutoScalingGroup",
                format!(
                    "{name} is still being deleted after {} s; its launch template is kept: run apply --prune again later",
                    retry.wait_timeout_secs
                ),
            ));
        }
        (shared.progress)(&Event::Waiting {
            index,
            resource: resource.clone(),
            what: "AWS is terminating the group's instances".to_owned(),
        });
        let delay = RetryPolicy {
            base_delay_ms: 1_000,
            max_delay_ms: 15_000,
            ..*retry
        }
        .backoff(attempt);
        attempt += 1;
        tokio::time::sleep(delay).await;
    }
}
