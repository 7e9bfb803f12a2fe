//! The audit log's rows: writing an entry beside the change it records, and reading the log.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::audit::{Action, Entry};

/// Who acted: kept by name as well, so that the entry outlives the account.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub id: i64,
    pub username: &'a str,
}

pub async fn record(db: impl PgExecutor<'_>, actor: Actor<'_>, entry: &Entry) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into audit_log (actor_id, actor_name, action, subject, details) values ($1, $2, $3, $4, $5)",
        actor.id,
        actor.username,
        entry.action.as_str(),
        entry.subject,
        entry.details
    )
    .execute(db)
    .await?;
    Ok(())
}

/// What staff look for in the log; every part is optional.
#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    /// Part of the acting account's user name.
    pub actor: String,
    pub action: Option<Action>,
    /// Part of the subject or the details.
    pub text: String,
    pub from: Option<OffsetDateTime>,
    /// Exclusive.
    pub until: Option<OffsetDateTime>,
}

pub struct LogRow {
    pub id: i64,
    pub at: OffsetDateTime,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// `None` for a word this build does not know (written by a newer one).
    pub action: Option<Action>,
    pub action_word: String,
    pub subject: String,
    pub details: String,
}

/// One page of the log, newest first, and how many entries match in all.
pub async fn list(
    db: &sqlx::PgPool,
    filter: &LogFilter,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Vec<LogRow>, i64)> {
    let actor = super::contains_pattern(filter.actor.trim());
    let text = super::contains_pattern(filter.text.trim());
    let action = filter.action.map(Action::as_str);
    let rows = sqlx::query!(
        r#"select id, at, actor_id, actor_name, action, subject, details from audit_log
           where actor_name ilike $1 and ($2::text is null or action = $2)
             and (subject ilike $3 or details ilike $3)
             and ($4::timestamptz is null or at >= $4) and ($5::timestamptz is null or at < $5)
           order by at desc, id desc offset $6 limit $7"#,
        actor,
        action,
        text,
        filter.from,
        filter.until,
        offset,
        limit
    )
    .fetch_all(db)
    .await?;
    let total = sqlx::query_scalar!(
        r#"select count(*) as "count!" from audit_log
           where actor_name ilike $1 and ($2::text is null or action = $2)
             and (subject ilike $3 or details ilike $3)
             and ($4::timestamptz is null or at >= $4) and ($5::timestamptz is null or at < $5)"#,
        actor,
        action,
        text,
        filter.from,
        filter.until
    )
    .fetch_one(db)
    .await?;
    let rows = rows
        .into_iter()
        .map(|row| LogRow {
            id: row.id,
            at: row.at,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            action: Action::parse(&row.action),
            action_word: row.action,
            subject: row.subject,
            details: row.details,
        })
        .collect();
    Ok((rows, total))
}

impl<'a> From<&'a super::users::User> for Actor<'a> {
    fn from(user: &'a super::users::User) -> Actor<'a> {
        Actor { id: user.id, username: &user.username }
    }
}
