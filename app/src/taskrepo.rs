//! Task repositories: reading INLOOP's format from a checkout and syncing checkouts with Git.

pub mod apply;
pub mod dates;
pub mod git;
pub mod loader;
pub mod slug;

use std::path::PathBuf;

use sqlx::PgPool;

use self::apply::TaskOutcome;
use crate::db::{self, repositories::Repository};

/// Where task repositories are published and how their tasks are read.
#[derive(Clone, Debug)]
pub struct TaskSource {
    pub task_dir: PathBuf,
    pub zone: dates::Zone,
    pub runners: Vec<String>,
}

impl TaskSource {
    /// The published checkout of a repository.
    pub fn checkout(&self, repository: &str) -> PathBuf {
        git::RepositoryDir::new(&self.task_dir, repository).current()
    }
}

#[derive(Debug)]
pub struct SyncReport {
    pub revision: String,
    pub outcomes: Vec<(String, TaskOutcome)>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    #[error("could not sync {repository}: {reason}")]
    Repository { repository: String, reason: String },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Fetches a repository, publishes its new revision and loads its tasks. Syncs of one repository
/// never overlap: a second caller waits for the first and then finds little to do.
pub async fn sync_repository(
    db: &PgPool,
    source: &TaskSource,
    repository: &Repository,
) -> Result<SyncReport, SyncFailure> {
    let mut lock = db.acquire().await?;
    sqlx::query("select pg_advisory_lock(7007, $1::int)")
        .bind(repository.id as i32)
        .execute(&mut *lock)
        .await?;
    let result = sync_locked(db, source, repository).await;
    let _ = sqlx::query("select pg_advisory_unlock(7007, $1::int)")
        .bind(repository.id as i32)
        .execute(&mut *lock)
        .await;
    result
}

async fn sync_locked(
    db: &PgPool,
    source: &TaskSource,
    repository: &Repository,
) -> Result<SyncReport, SyncFailure> {
    let dir = git::RepositoryDir::new(&source.task_dir, &repository.name);
    let marked = inloop_protocol::taskdir::mark_task_dir(&source.task_dir);
    if let Err(err) = marked {
        let reason =
            format!("cannot write to the task directory {}: {err}", source.task_dir.display());
        db::repositories::record_failure(db, repository.id, &reason).await?;
        return Err(SyncFailure::Repository { repository: repository.name.clone(), reason });
    }
    let revision = match dir.sync(&repository.url, &repository.branch).await {
        Ok(revision) => revision,
        Err(err) => {
            let reason = err.to_string();
            db::repositories::record_failure(db, repository.id, &reason).await?;
            return Err(SyncFailure::Repository { repository: repository.name.clone(), reason });
        }
    };
    let checkout = dir.current();
    let options_zone = source.zone.clone();
    let runners = source.runners.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        loader::load(&checkout, &loader::LoadOptions { zone: &options_zone, runners: &runners })
    })
    .await
    .map_err(|err| SyncFailure::Repository {
        repository: repository.name.clone(),
        reason: format!("loading failed: {err}"),
    })?;
    let mut tx = db.begin().await?;
    let outcomes = apply::apply_sync(&mut tx, repository.id, &revision, &loaded).await?;
    tx.commit().await?;
    tracing::info!(
        repository = repository.name,
        revision,
        tasks = outcomes.len(),
        "synced a task repository"
    );
    Ok(SyncReport { revision, outcomes })
}

/// A random secret for a repository's webhook.
pub fn new_webhook_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is wrong with where a repository is to come from, in words for the person who typed it.
/// The URL and branch reach `git fetch` as arguments, so neither may pass for an option.
pub fn source_problem(url: &str, branch: &str) -> Option<&'static str> {
    if url.is_empty() || url.starts_with('-') || url.chars().any(char::is_whitespace) {
        Some("Enter the URL git clones the repository from.")
    } else if branch.is_empty()
        || branch.starts_with('-')
        || !branch.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c))
    {
        Some("That is not a branch name.")
    } else {
        None
    }
}

/// Repository names: lower-case letters, digits, `-` and `_`, as folder names on every host.
pub fn valid_repository_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name.len() <= 63
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}
