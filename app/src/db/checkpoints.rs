//! Checkpoints: the latest editor state of a student for a task.

use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;
use time::OffsetDateTime;

/// One file in the editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorFile {
    pub name: String,
    pub contents: String,
}

pub struct Checkpoint {
    pub saved_at: OffsetDateTime,
    pub files: Vec<EditorFile>,
}

/// What saving on top of a known state came to.
pub enum Saved {
    At(OffsetDateTime),
    /// Another window saved since the state the editor started from; nothing was changed.
    Conflict {
        saved_at: OffsetDateTime,
    },
}

/// Replaces the checkpoint only if it is still the one the editor started from (`base`: its
/// time, or `None` when the editor started without one), so a stale window cannot silently
/// overwrite newer work from another window or computer.
pub async fn save_over(
    db: &sqlx::PgPool,
    user_id: i64,
    task_id: i64,
    files: &[EditorFile],
    base: Option<OffsetDateTime>,
) -> sqlx::Result<Saved> {
    let mut tx = db.begin().await?;
    let current = sqlx::query_scalar!(
        "select saved_at from checkpoints where user_id = $1 and task_id = $2 for update",
        user_id,
        task_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(saved_at) = current
        && Some(saved_at) != base
    {
        return Ok(Saved::Conflict { saved_at });
    }
    let saved_at = save(&mut *tx, user_id, task_id, files).await?;
    tx.commit().await?;
    Ok(Saved::At(saved_at))
}

/// Replaces the student's checkpoint for the task and returns when it was saved.
pub async fn save(
    db: impl PgExecutor<'_>,
    user_id: i64,
    task_id: i64,
    files: &[EditorFile],
) -> sqlx::Result<OffsetDateTime> {
    let files = serde_json::to_value(files).map_err(|err| sqlx::Error::Encode(err.into()))?;
    sqlx::query_scalar!(
        "insert into checkpoints (user_id, task_id, files) values ($1, $2, $3)
         on conflict (user_id, task_id) do update set files = excluded.files, saved_at = now()
         returning saved_at",
        user_id,
        task_id,
        files
    )
    .fetch_one(db)
    .await
}

pub async fn latest(
    db: impl PgExecutor<'_>,
    user_id: i64,
    task_id: i64,
) -> sqlx::Result<Option<Checkpoint>> {
    let row = sqlx::query!(
        "select saved_at, files from checkpoints where user_id = $1 and task_id = $2",
        user_id,
        task_id
    )
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(Checkpoint {
            saved_at: row.saved_at,
            files: serde_json::from_value(row.files)
                .map_err(|err| sqlx::Error::Decode(err.into()))?,
        })
    })
    .transpose()
}
