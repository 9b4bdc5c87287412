//! Reads a live account's ECR configuration through the official AWS SDK for `ecrlint audit`:
//! credentials and region from the standard chain, roles assumed in other accounts, every
//! region's repositories (paginated), their policies, lifecycle policies and scan frequency in
//! effect, the registry's policy, scanning and replication — read concurrently with a bound, and
//! handed over as the plain data of `ecrlint_core::live`. Nothing here judges anything, and
//! nothing writes to the account. A read that fails after the SDK's retries (adaptive mode)
//! becomes a `Gap`: the audit goes on.

use std::future::Future;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_ecr::config::{ProvideCredentials, Region as AwsRegion, SharedCredentialsProvider};
use aws_sdk_ecr::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ecr::Client;
use ecrlint_core::live::{
    registry_arn, Gap, Read, Region, Registry, RegistryScanning, ReplicationDestination,
    Repository, ScanningRule,
};
use tokio::sync::Semaphore;

/// What to audit.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A named profile of the shared config and credentials files.
    pub profile: Option<String>,
    /// Regions; empty: the configured region.
    pub regions: Vec<String>,
    /// Every region enabled for the account (`account:ListRegions`), instead of `regions`.
    pub all_regions: bool,
    /// Accounts to audit through a role assumed in each; empty: the caller's account.
    pub accounts: Vec<String>,
    /// The role's name in each account (`arn:PARTITION:iam::ACCOUNT:role/NAME`).
    pub role_name: Option<String>,
    /// The role's ARN with `{account}` where the account goes.
    pub role_arn: Option<String>,
    /// Requests in flight at once, over every account and region.
    pub concurrency: usize,
    /// Show progress on standard error (only when it is a terminal).
    pub progress: bool,
}

/// Why the audit could not start at all.
#[derive(Debug)]
pub enum Error {
    /// No credentials in the chain, or the caller cannot be identified.
    Credentials(String),
    /// No region configured and none given.
    NoRegion,
    /// The options do not make sense together.
    Usage(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Credentials(message) => write!(f, "{message}"),
            Error::NoRegion => write!(
                f,
                "no region: set AWS_REGION (or a profile's `region`), or pass --region"
            ),
            Error::Usage(message) => write!(f, "{message}"),
        }
    }
}

/// Reads every region of every account asked for, in the order asked (accounts, then regions).
pub fn read(options: &Options) -> Result<Vec<Region>, Error> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(read_all(options))
}

/// The caller's account, or one reached through a role.
struct Target {
    account: String,
    /// The role assumed in the account, if any.
    role: Option<String>,
    config: Result<SdkConfig, String>,
}

async fn read_all(options: &Options) -> Result<Vec<Region>, Error> {
    if !options.accounts.is_empty() && options.role_name.is_none() && options.role_arn.is_none() {
        return Err(Error::Usage(
            "--accounts needs --role-name or --role-arn".into(),
        ));
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(max_attempts()));
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    let base = loader.load().await;
    let Some(provider) = base.credentials_provider() else {
        return Err(Error::Credentials(no_credentials("none configured")));
    };
    if let Err(e) = provider.provide_credentials().await {
        return Err(Error::Credentials(no_credentials(
            &DisplayErrorContext(&e).to_string(),
        )));
    }
    let mut regions: Vec<String> = if !options.regions.is_empty() {
        options.regions.clone()
    } else if let Some(region) = base.region() {
        vec![region.to_string()]
    } else if options.all_regions {
        // The account service is global: any region signs for it.
        vec!["us-east-1".to_string()]
    } else {
        return Err(Error::NoRegion);
    };
    if options.all_regions {
        let account = aws_sdk_account::Client::new(
            &base
                .to_builder()
                .region(Some(AwsRegion::new(regions[0].clone())))
                .build(),
        );
        regions = enabled_regions(&account).await?;
    }
    // STS needs a region; any of those audited does.
    let sts_config = base
        .to_builder()
        .region(
            base.region()
                .cloned()
                .or_else(|| Some(AwsRegion::new(regions[0].clone()))),
        )
        .build();
    let sts = aws_sdk_sts::Client::new(&sts_config);
    let identity = sts.get_caller_identity().send().await.map_err(|e| {
        Error::Credentials(format!(
            "cannot identify the caller (sts:GetCallerIdentity): {}",
            describe(&e)
        ))
    })?;
    let caller = identity.account().unwrap_or_default().to_string();
    let partition = identity
        .arn()
        .and_then(|arn| arn.split(':').nth(1))
        .unwrap_or("aws")
        .to_string();
    let mut targets = Vec::new();
    if options.accounts.is_empty() {
        targets.push(Target {
            account: caller,
            role: None,
            config: Ok(base.clone()),
        });
    }
    for account in &options.accounts {
        let role = match (&options.role_arn, &options.role_name) {
            (Some(template), _) => template.replace("{account}", account),
            (None, Some(name)) => format!("arn:{partition}:iam::{account}:role/{name}"),
            (None, None) => unreachable!("checked above"),
        };
        let provider = aws_config::sts::AssumeRoleProvider::builder(role.clone())
            .session_name("ecrlint-audit")
            .configure(&sts_config)
            .build()
            .await;
        let config = match provider.provide_credentials().await {
            Ok(_) => Ok(base
                .to_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build()),
            Err(e) => Err(format!(
                "cannot assume `{role}`: {}",
                DisplayErrorContext(&e)
            )),
        };
        targets.push(Target {
            account: account.clone(),
            role: Some(role),
            config,
        });
    }
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let progress = Progress::new(
        options.progress && std::io::stderr().is_terminal(),
        targets.len() * regions.len(),
    );
    let mut tasks = tokio::task::JoinSet::new();
    let mut index = 0;
    for target in &targets {
        for region in &regions {
            let (account, region, partition) =
                (target.account.clone(), region.clone(), partition.clone());
            let (config, role) = (target.config.clone(), target.role.clone());
            let (limit, progress) = (limit.clone(), progress.clone());
            let at = index;
            index += 1;
            tasks.spawn(async move {
                let mut read = match config {
                    Ok(config) => {
                        let client = Client::from_conf(
                            aws_sdk_ecr::config::Builder::from(&config)
                                .region(AwsRegion::new(region.clone()))
                                .build(),
                        );
                        read_region(client, account, partition, region, limit).await
                    }
                    Err(message) => {
                        let arn = registry_arn(&partition, &region, &account);
                        Region {
                            gaps: vec![Gap {
                                call: "sts:AssumeRole".into(),
                                resource: arn,
                                message,
                            }],
                            account,
                            partition,
                            region,
                            ..Region::default()
                        }
                    }
                };
                read.role = role;
                progress.done();
                (at, read)
            });
        }
    }
    let mut read: Vec<(usize, Region)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        read.push(joined.map_err(|e| Error::Usage(format!("a read failed: {e}")))?);
    }
    progress.finish();
    read.sort_by_key(|(at, _)| *at);
    Ok(read.into_iter().map(|(_, r)| r).collect())
}

/// Every region enabled for the caller's account, by name.
async fn enabled_regions(client: &aws_sdk_account::Client) -> Result<Vec<String>, Error> {
    use aws_sdk_account::types::RegionOptStatus;
    let mut regions = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_regions()
            .region_opt_status_contains(RegionOptStatus::Enabled)
            .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
            .set_next_token(token.take())
            .max_results(50)
            .send()
            .await
            .map_err(|e| {
                Error::Credentials(format!(
                    "cannot list the account's enabled regions (account:ListRegions), so                      --all-regions cannot say which to audit: {}; name them with --region",
                    describe(&e)
                ))
            })?;
        regions.extend(
            page.regions()
                .iter()
                .filter_map(|r| r.region_name())
                .map(str::to_string),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    regions.sort();
    Ok(regions)
}

fn no_credentials(why: &str) -> String {
    format!(
        "no AWS credentials: {why}. Set them as for the AWS CLI (AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY, AWS_PROFILE or --profile, `aws sso login`, or an instance role)"
    )
}

/// `AWS_MAX_ATTEMPTS`, as the AWS CLI reads it (3 when unset).
fn max_attempts() -> u32 {
    std::env::var("AWS_MAX_ATTEMPTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(3)
}

/// `Code: message` as AWS answered, or what went wrong on the way.
fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error {
        SdkError::ServiceError(service) => {
            let e = service.err();
            match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code.to_string(),
                _ => DisplayErrorContext(error).to_string(),
            }
        }
        _ => DisplayErrorContext(error).to_string(),
    }
}

/// Runs a request when the bound allows.
async fn limited<F: Future>(limit: &Semaphore, request: F) -> F::Output {
    let _permit = limit.acquire().await;
    request.await
}

async fn read_region(
    client: Client,
    account: String,
    partition: String,
    region: String,
    limit: Arc<Semaphore>,
) -> Region {
    let registry = registry_arn(&partition, &region, &account);
    let mut read = Region {
        account: account.clone(),
        partition,
        region: region.clone(),
        ..Region::default()
    };
    // Every repository, page by page.
    let mut token: Option<String> = None;
    loop {
        let request = client
            .describe_repositories()
            .set_next_token(token.take())
            .max_results(1000);
        match limited(&limit, request.send()).await {
            Ok(page) => {
                read.repositories
                    .extend(page.repositories().iter().map(repository));
                token = page.next_token().map(str::to_string);
                if token.is_none() {
                    break;
                }
            }
            Err(e) => {
                read.gaps.push(Gap {
                    call: "ecr:DescribeRepositories".into(),
                    resource: registry,
                    message: format!(
                        "{}; the region's repositories and registry were not read",
                        describe(&e)
                    ),
                });
                return read;
            }
        }
    }
    let (registry_read, ()) = tokio::join!(
        read_registry(&client, &registry, &limit),
        read_repositories(&client, &mut read.repositories, &limit),
    );
    read.registry = registry_read;
    read
}

fn repository(r: &aws_sdk_ecr::types::Repository) -> Repository {
    let encryption = r.encryption_configuration();
    Repository {
        name: r.repository_name().unwrap_or_default().to_string(),
        arn: r.repository_arn().unwrap_or_default().to_string(),
        registry_id: r.registry_id().unwrap_or_default().to_string(),
        tag_mutability: r.image_tag_mutability().map(|m| m.as_str().to_string()),
        exclusion_filters: r
            .image_tag_mutability_exclusion_filters()
            .iter()
            .map(|f| f.filter().to_string())
            .collect(),
        scan_on_push: r.image_scanning_configuration().map(|s| s.scan_on_push()),
        scan_frequency: None,
        encryption_type: encryption.map(|e| e.encryption_type().as_str().to_string()),
        kms_key: encryption.and_then(|e| e.kms_key()).map(str::to_string),
        policy: Read::NotRead,
        lifecycle_policy: Read::NotRead,
        gaps: Vec::new(),
    }
}

async fn read_registry(client: &Client, arn: &str, limit: &Semaphore) -> Registry {
    let mut registry = Registry::default();
    let gap = |call: &str, message: String| Gap {
        call: call.into(),
        resource: arn.to_string(),
        message,
    };
    let (policy, scanning, described) = tokio::join!(
        limited(limit, client.get_registry_policy().send()),
        limited(limit, client.get_registry_scanning_configuration().send()),
        limited(limit, client.describe_registry().send()),
    );
    match policy {
        Ok(out) => registry.policy = out.policy_text().map(str::to_string),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_registry_policy_not_found_exception()) => {}
        Err(e) => registry
            .gaps
            .push(gap("ecr:GetRegistryPolicy", describe(&e))),
    }
    match scanning {
        Ok(out) => {
            registry.scanning = out.scanning_configuration().map(|c| RegistryScanning {
                scan_type: c
                    .scan_type()
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                rules: c
                    .rules()
                    .iter()
                    .map(|r| ScanningRule {
                        frequency: r.scan_frequency().as_str().to_string(),
                        filters: r
                            .repository_filters()
                            .iter()
                            .map(|f| f.filter().to_string())
                            .collect(),
                    })
                    .collect(),
            })
        }
        Err(e) => registry
            .gaps
            .push(gap("ecr:GetRegistryScanningConfiguration", describe(&e))),
    }
    match described {
        Ok(out) => {
            registry.replication = Some(
                out.replication_configuration()
                    .map(|c| {
                        c.rules()
                            .iter()
                            .flat_map(|r| r.destinations())
                            .map(|d| ReplicationDestination {
                                region: d.region().to_string(),
                                registry_id: d.registry_id().to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        }
        Err(e) => registry
            .gaps
            .push(gap("ecr:DescribeRegistry", describe(&e))),
    }
    registry
}

/// Each repository's policy and lifecycle policy, and the scan frequency in effect (25
/// repositories a call), as concurrent tasks within the bound.
async fn read_repositories(
    client: &Client,
    repositories: &mut [Repository],
    limit: &Arc<Semaphore>,
) {
    let mut tasks = tokio::task::JoinSet::new();
    for (index, r) in repositories.iter().enumerate() {
        let (client, limit, name) = (client.clone(), limit.clone(), r.name.clone());
        tasks.spawn(async move {
            let (policy, lifecycle) = tokio::join!(
                limited(
                    &limit,
                    client.get_repository_policy().repository_name(&name).send()
                ),
                limited(
                    &limit,
                    client.get_lifecycle_policy().repository_name(&name).send()
                ),
            );
            let mut gaps = Vec::new();
            let policy = match policy {
                Ok(out) => out
                    .policy_text()
                    .map_or(Read::None, |t| Read::Text(t.to_string())),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_repository_policy_not_found_exception()) =>
                {
                    Read::None
                }
                Err(e) => {
                    gaps.push(("ecr:GetRepositoryPolicy", describe(&e)));
                    Read::NotRead
                }
            };
            let lifecycle = match lifecycle {
                Ok(out) => out
                    .lifecycle_policy_text()
                    .map_or(Read::None, |t| Read::Text(t.to_string())),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_lifecycle_policy_not_found_exception()) =>
                {
                    Read::None
                }
                Err(e) => {
                    gaps.push(("ecr:GetLifecyclePolicy", describe(&e)));
                    Read::NotRead
                }
            };
            Answer::Repository(index, policy, lifecycle, gaps)
        });
    }
    for chunk in repositories.chunks(25) {
        let names: Vec<String> = chunk.iter().map(|r| r.name.clone()).collect();
        let (client, limit) = (client.clone(), limit.clone());
        tasks.spawn(async move {
            let request = client
                .batch_get_repository_scanning_configuration()
                .set_repository_names(Some(names.clone()));
            let answer = limited(&limit, request.send()).await;
            Answer::Scanning(names, answer.map_err(|e| describe(&e)))
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok(answer) = joined else {
            continue;
        };
        match answer {
            Answer::Repository(index, policy, lifecycle, gaps) => {
                let repository = &mut repositories[index];
                repository.policy = policy;
                repository.lifecycle_policy = lifecycle;
                for (call, message) in gaps {
                    repository.gaps.push(Gap {
                        call: call.into(),
                        resource: repository.arn.clone(),
                        message,
                    });
                }
            }
            Answer::Scanning(names, Ok(out)) => {
                for c in out.scanning_configurations() {
                    let name = c.repository_name().unwrap_or_default();
                    if let Some(r) = repositories.iter_mut().find(|r| r.name == name) {
                        r.scan_frequency = c.scan_frequency().map(|f| f.as_str().to_string());
                    }
                }
                for failure in out.failures() {
                    let name = failure.repository_name().unwrap_or_default();
                    if let Some(r) = repositories.iter_mut().find(|r| r.name == name) {
                        r.gaps.push(Gap {
                            call: "ecr:BatchGetRepositoryScanningConfiguration".into(),
                            resource: r.arn.clone(),
                            message: format!(
                                "{}: {}",
                                failure
                                    .failure_code()
                                    .map(|c| c.as_str())
                                    .unwrap_or("failure"),
                                failure.failure_reason().unwrap_or_default()
                            ),
                        });
                    }
                }
                let _ = names;
            }
            Answer::Scanning(names, Err(message)) => {
                for r in repositories.iter_mut().filter(|r| names.contains(&r.name)) {
                    r.gaps.push(Gap {
                        call: "ecr:BatchGetRepositoryScanningConfiguration".into(),
                        resource: r.arn.clone(),
                        message: message.clone(),
                    });
                }
            }
        }
    }
}

/// What one task read.
enum Answer {
    Repository(usize, Read, Read, Vec<(&'static str, String)>),
    Scanning(
        Vec<String>,
        Result<
            aws_sdk_ecr::operation::batch_get_repository_scanning_configuration::BatchGetRepositoryScanningConfigurationOutput,
            String,
        >,
    ),
}

/// Regions read so far, on standard error.
#[derive(Clone)]
struct Progress {
    shown: bool,
    total: usize,
    done: Arc<AtomicUsize>,
}

impl Progress {
    fn new(shown: bool, total: usize) -> Self {
        Progress {
            shown,
            total,
            done: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn done(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown {
            let width = 30;
            let filled = width * done / self.total.max(1);
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r[{}{}] {done}/{} regions read",
                "#".repeat(filled),
                " ".repeat(width - filled),
                self.total
            );
            let _ = err.flush();
        }
    }

    fn finish(&self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(60));
        }
    }
}
