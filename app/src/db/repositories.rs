//! Task repositories: where tasks come from and how their last sync went.

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct Repository {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub branch: String,
    pub webhook_secret: String,
    pub revision: Option<String>,
    pub synced_at: Option<OffsetDateTime>,
    pub sync_status: String,
    pub sync_message: String,
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Repository>> {
    sqlx::query_as!(
        Repository,
        "select id, name, url, branch, webhook_secret, revision, synced_at, sync_status, sync_message
         from repositories order by name"
    )
    .fetch_all(db)
    .await
}

pub async fn find_by_id(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Repository>> {
    sqlx::query_as!(
        Repository,
        "select id, name, url, branch, webhook_secret, revision, synced_at, sync_status, sync_message
         from repositories where id = $1",
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn find_by_name(db: impl PgExecutor<'_>, name: &str) -> sqlx::Result<Option<Repository>> {
    sqlx::query_as!(
        Repository,
        "select id, name, url, branch, webhook_secret, revision, synced_at, sync_status, sync_message
         from repositories where name = $1",
        name
    )
    .fetch_optional(db)
    .await
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    name: &str,
    url: &str,
    branch: &str,
    webhook_secret: &str,
) -> Result<i64, super::InsertNamedError> {
    sqlx::query_scalar!(
        "insert into repositories (name, url, branch, webhook_secret) values ($1, $2, $3, $4) returning id",
        name,
        url,
        branch,
        webhook_secret
    )
    .fetch_one(db)
    .await
    .map_err(|err| super::InsertNamedError::from_insert(err, "repositories_name_key"))
}

/// Changes where a repository comes from; false when there is no repository of that name.
pub async fn set_source(
    db: impl PgExecutor<'_>,
    name: &str,
    url: &str,
    branch: &str,
) -> sqlx::Result<bool> {
    let changed = sqlx::query!(
        "update repositories set url = $2, branch = $3 where name = $1",
        name,
        url,
        branch
    )
    .execute(db)
    .await?;
    Ok(changed.rows_affected() == 1)
}

pub async fn record_failure(db: impl PgExecutor<'_>, id: i64, message: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "update repositories set sync_status = 'failed', sync_message = $2, synced_at = now() where id = $1",
        id,
        message
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a successful sync of the repository at `revision`.
pub async fn record_sync(
    conn: &mut PgConnection,
    repository_id: i64,
    revision: &str,
    summary: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update repositories set revision = $2, synced_at = now(), sync_status = 'ok', sync_message = $3 where id = $1",
        repository_id,
        revision,
        summary
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
