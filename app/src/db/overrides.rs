//! Staff's overrides of a task's repository values and students' extensions, as rows; what they
//! mean is decided in [`crate::overrides`].

use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

/// A task's repository values with whatever staff overrode of them.
pub struct TaskSettingsRow {
    pub title: String,
    pub repo_pubdate: OffsetDateTime,
    pub repo_deadline: Option<OffsetDateTime>,
    pub repo_max_submissions: Option<i32>,
    pub repo_group_name: Option<String>,
    pub repo_disabled: bool,
    pub overrides: Option<TaskOverrideRow>,
    pub updated_at: Option<OffsetDateTime>,
    pub updated_by: Option<String>,
}

/// One task's overrides: a field counts where its flag is set (pubdate and disabled where they
/// are not null).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskOverrideRow {
    pub pubdate: Option<OffsetDateTime>,
    pub overrides_deadline: bool,
    pub deadline: Option<OffsetDateTime>,
    pub overrides_max_submissions: bool,
    pub max_submissions: Option<i32>,
    pub overrides_group: bool,
    pub group_name: Option<String>,
    pub disabled: Option<bool>,
}

pub async fn task_settings(
    db: impl PgExecutor<'_>,
    task_id: i64,
) -> sqlx::Result<Option<TaskSettingsRow>> {
    let row = sqlx::query!(
        r#"select t.title, t.repo_pubdate, t.repo_deadline, t.repo_max_submissions, t.repo_group_name, t.repo_disabled,
                  o.task_id as "override_task_id?", o.pubdate as "pubdate?", o.overrides_deadline as "overrides_deadline?",
                  o.deadline as "deadline?", o.overrides_max_submissions as "overrides_max_submissions?",
                  o.max_submissions as "max_submissions?", o.overrides_group as "overrides_group?",
                  o.group_name as "group_name?", o.disabled as "disabled?", o.updated_at as "updated_at?",
                  u.username as "updated_by?"
           from tasks t left join task_overrides o on o.task_id = t.id left join users u on u.id = o.updated_by
           where t.id = $1"#,
        task_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| TaskSettingsRow {
        title: row.title,
        repo_pubdate: row.repo_pubdate,
        repo_deadline: row.repo_deadline,
        repo_max_submissions: row.repo_max_submissions,
        repo_group_name: row.repo_group_name,
        repo_disabled: row.repo_disabled,
        overrides: row.override_task_id.map(|_| TaskOverrideRow {
            pubdate: row.pubdate,
            overrides_deadline: row.overrides_deadline.unwrap_or(false),
            deadline: row.deadline,
            overrides_max_submissions: row.overrides_max_submissions.unwrap_or(false),
            max_submissions: row.max_submissions,
            overrides_group: row.overrides_group.unwrap_or(false),
            group_name: row.group_name,
            disabled: row.disabled,
        }),
        updated_at: row.updated_at,
        updated_by: row.updated_by,
    }))
}

/// Makes the task's applying values its repository's, overridden where staff overrode them.
/// Called after every change to either.
pub async fn apply(conn: &mut PgConnection, task_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update tasks t set
            pubdate = coalesce(o.pubdate, t.repo_pubdate),
            deadline = case when o.overrides_deadline then o.deadline else t.repo_deadline end,
            max_submissions = case when o.overrides_max_submissions then o.max_submissions
                                   else t.repo_max_submissions end,
            group_name = case when o.overrides_group then o.group_name else t.repo_group_name end,
            disabled = coalesce(o.disabled, t.repo_disabled)
         from (select $1::bigint as id) k left join task_overrides o on o.task_id = k.id
         where t.id = k.id",
        task_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores the task's overrides (none left: the row goes) and applies them.
pub async fn save(
    conn: &mut PgConnection,
    task_id: i64,
    overrides: &TaskOverrideRow,
    by: i64,
) -> sqlx::Result<()> {
    if *overrides == TaskOverrideRow::default() {
        sqlx::query!("delete from task_overrides where task_id = $1", task_id)
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query!(
            "insert into task_overrides (task_id, pubdate, overrides_deadline, deadline, overrides_max_submissions,
                                         max_submissions, overrides_group, group_name, disabled, updated_by)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             on conflict (task_id) do update set
                pubdate = excluded.pubdate, overrides_deadline = excluded.overrides_deadline,
                deadline = excluded.deadline, overrides_max_submissions = excluded.overrides_max_submissions,
                max_submissions = excluded.max_submissions, overrides_group = excluded.overrides_group,
                group_name = excluded.group_name, disabled = excluded.disabled,
                updated_by = excluded.updated_by, updated_at = now()",
            task_id,
            overrides.pubdate,
            overrides.overrides_deadline,
            overrides.deadline,
            overrides.overrides_max_submissions,
            overrides.max_submissions,
            overrides.overrides_group,
            overrides.group_name,
            overrides.disabled,
            by
        )
        .execute(&mut *conn)
        .await?;
    }
    apply(conn, task_id).await
}

/// Locks the task's row so that two staff saving its overrides at once take turns.
pub async fn lock_task(conn: &mut PgConnection, task_id: i64) -> sqlx::Result<bool> {
    Ok(sqlx::query_scalar!("select id from tasks where id = $1 for update", task_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_some())
}

/// An extension as staff see it.
pub struct ExtensionRow {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub task_id: Option<i64>,
    pub category_id: Option<i64>,
    /// The task's or the category's name.
    pub scope_name: String,
    pub deadline: Option<OffsetDateTime>,
    pub extra_submissions: i32,
    pub reason: String,
    pub granted_by: Option<String>,
    pub granted_at: OffsetDateTime,
}

/// One student's extensions, categories first.
pub async fn extensions_of_user(
    db: impl PgExecutor<'_>,
    user_id: i64,
) -> sqlx::Result<Vec<ExtensionRow>> {
    sqlx::query_as!(
        ExtensionRow,
        r#"select e.id, e.user_id, u.username, e.task_id, e.category_id,
                  coalesce(t.title, c.name) as "scope_name!", e.deadline, e.extra_submissions, e.reason,
                  g.username as "granted_by?", e.granted_at
           from extensions e join users u on u.id = e.user_id
           left join tasks t on t.id = e.task_id left join categories c on c.id = e.category_id
           left join users g on g.id = e.granted_by
           where e.user_id = $1
           order by e.task_id nulls first, coalesce(t.title, c.name)"#,
        user_id
    )
    .fetch_all(db)
    .await
}

/// The extensions that apply to a task: its own and its category's, by student.
pub async fn extensions_in_task(
    db: impl PgExecutor<'_>,
    task_id: i64,
) -> sqlx::Result<Vec<ExtensionRow>> {
    sqlx::query_as!(
        ExtensionRow,
        r#"select e.id, e.user_id, u.username, e.task_id, e.category_id,
                  coalesce(et.title, c.name) as "scope_name!", e.deadline, e.extra_submissions, e.reason,
                  g.username as "granted_by?", e.granted_at
           from tasks t
           join extensions e on e.task_id = t.id or e.category_id = t.category_id
           join users u on u.id = e.user_id
           left join tasks et on et.id = e.task_id left join categories c on c.id = e.category_id
           left join users g on g.id = e.granted_by
           where t.id = $1
           order by u.username, e.task_id nulls first"#,
        task_id
    )
    .fetch_all(db)
    .await
}

pub struct NewExtension<'a> {
    pub user_id: i64,
    pub task_id: Option<i64>,
    pub category_id: Option<i64>,
    pub deadline: Option<OffsetDateTime>,
    pub extra_submissions: i32,
    pub reason: &'a str,
}

/// Gives the extension, replacing the student's earlier one for the same task or category; the
/// scope's name, or `None` when the task or category does not exist.
pub async fn grant(
    conn: &mut PgConnection,
    extension: &NewExtension<'_>,
    by: i64,
) -> sqlx::Result<Option<String>> {
    let scope_name = sqlx::query_scalar!(
        r#"select coalesce((select title from tasks where id = $1), (select name from categories where id = $2)) as "name?""#,
        extension.task_id,
        extension.category_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if scope_name.is_none() {
        return Ok(None);
    }
    if extension.task_id.is_some() {
        sqlx::query!(
            "insert into extensions (user_id, task_id, deadline, extra_submissions, reason, granted_by)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (user_id, task_id) where task_id is not null do update set
                deadline = excluded.deadline, extra_submissions = excluded.extra_submissions,
                reason = excluded.reason, granted_by = excluded.granted_by, granted_at = now()",
            extension.user_id,
            extension.task_id,
            extension.deadline,
            extension.extra_submissions,
            extension.reason,
            by
        )
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query!(
            "insert into extensions (user_id, category_id, deadline, extra_submissions, reason, granted_by)
             values ($1, $2, $3, $4, $5, $6)
             on conflict (user_id, category_id) where category_id is not null do update set
                deadline = excluded.deadline, extra_submissions = excluded.extra_submissions,
                reason = excluded.reason, granted_by = excluded.granted_by, granted_at = now()",
            extension.user_id,
            extension.category_id,
            extension.deadline,
            extension.extra_submissions,
            extension.reason,
            by
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(scope_name)
}

/// Takes one of the student's extensions back; the name of its task or category, if it was there.
pub async fn remove(
    conn: &mut PgConnection,
    user_id: i64,
    extension_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"with gone as (delete from extensions where id = $1 and user_id = $2 returning task_id, category_id)
           select coalesce(t.title, c.name) as "name!" from gone
           left join tasks t on t.id = gone.task_id left join categories c on c.id = gone.category_id"#,
        extension_id,
        user_id
    )
    .fetch_optional(&mut *conn)
    .await
}
