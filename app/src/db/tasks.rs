//! Tasks and categories: the rows a repository sync writes, and what students may see.

use inloop_plugin_api::report::{Report, Verdict};
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use super::stored::{report_json, stored_report, stored_verdict};

/// A task as a sync writes it; the sync decides, this is only the row.
pub struct TaskRow<'a> {
    pub system_name: &'a str,
    pub slug: &'a str,
    pub title: &'a str,
    pub category_id: i64,
    pub description: &'a str,
    pub pubdate: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub max_submissions: Option<i32>,
    pub group: Option<&'a str>,
    pub runner: &'a str,
    pub file_patterns: &'a [String],
    pub limits: Option<&'a serde_json::Value>,
    pub has_solution: bool,
    pub disabled: bool,
    pub content_hash: &'a str,
}

pub async fn category_id(conn: &mut PgConnection, name: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("select id from categories where name = $1", name)
        .fetch_optional(&mut *conn)
        .await
}

pub async fn category_slug_taken(conn: &mut PgConnection, slug: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from categories where slug = $1) as "taken!""#,
        slug
    )
    .fetch_one(&mut *conn)
    .await
}

pub async fn insert_category(conn: &mut PgConnection, name: &str, slug: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into categories (name, slug) values ($1, $2) returning id",
        name,
        slug
    )
    .fetch_one(&mut *conn)
    .await
}

/// Whether a task other than this repository's `system_name` has the address `slug`.
pub async fn slug_taken_elsewhere(
    conn: &mut PgConnection,
    slug: &str,
    repository_id: i64,
    system_name: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from tasks where slug = $1 and not (repository_id = $2 and system_name = $3)) as "taken!""#,
        slug,
        repository_id,
        system_name
    )
    .fetch_one(&mut *conn)
    .await
}

pub struct StoredVersion {
    pub content_hash: String,
    pub removed: bool,
}

/// What the database holds of a repository's task folder, if anything.
pub async fn stored_version(
    conn: &mut PgConnection,
    repository_id: i64,
    system_name: &str,
) -> sqlx::Result<Option<StoredVersion>> {
    sqlx::query_as!(
        StoredVersion,
        "select content_hash, removed from tasks where repository_id = $1 and system_name = $2",
        repository_id,
        system_name
    )
    .fetch_optional(&mut *conn)
    .await
}

/// Inserts or updates the task (no longer removed) at `revision`; its id. The repository's
/// values are stored as such and apply where staff did not override them.
pub async fn upsert(
    conn: &mut PgConnection,
    repository_id: i64,
    revision: &str,
    task: &TaskRow<'_>,
) -> sqlx::Result<i64> {
    let id = sqlx::query_scalar!(
        "insert into tasks (repository_id, system_name, slug, title, category_id, description, pubdate, deadline,
                                max_submissions, group_name, runner, file_patterns, limits, has_solution, disabled,
                                removed, revision, content_hash,
                                repo_pubdate, repo_deadline, repo_max_submissions, repo_group_name, repo_disabled)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, false, $16, $17,
                     $7, $8, $9, $10, $15)
             on conflict (repository_id, system_name) do update set
                slug = excluded.slug, title = excluded.title, category_id = excluded.category_id,
                description = excluded.description, repo_pubdate = excluded.repo_pubdate,
                repo_deadline = excluded.repo_deadline, repo_max_submissions = excluded.repo_max_submissions,
                repo_group_name = excluded.repo_group_name, repo_disabled = excluded.repo_disabled,
                runner = excluded.runner, file_patterns = excluded.file_patterns, limits = excluded.limits,
                has_solution = excluded.has_solution, removed = false,
                revision = excluded.revision,
                updated_at = case when tasks.content_hash <> excluded.content_hash then now() else tasks.updated_at end,
                content_hash = excluded.content_hash
             returning id",
        repository_id,
        task.system_name,
        task.slug,
        task.title,
        task.category_id,
        task.description,
        task.pubdate,
        task.deadline,
        task.max_submissions,
        task.group,
        task.runner,
        task.file_patterns,
        task.limits,
        task.has_solution,
        task.disabled,
        revision,
        task.content_hash
    )
    .fetch_one(&mut *conn)
    .await?;
    super::overrides::apply(conn, id).await?;
    Ok(id)
}

pub async fn replace_templates(
    conn: &mut PgConnection,
    task_id: i64,
    templates: &[(String, String)],
) -> sqlx::Result<()> {
    sqlx::query!("delete from task_templates where task_id = $1", task_id)
        .execute(&mut *conn)
        .await?;
    for (name, contents) in templates {
        sqlx::query!(
            "insert into task_templates (task_id, name, contents) values ($1, $2, $3)",
            task_id,
            name,
            contents
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Marks the repository's tasks not in `present` as removed (never deleted: solutions refer to
/// them); the names of those newly removed.
pub async fn mark_removed_except(
    conn: &mut PgConnection,
    repository_id: i64,
    present: &[String],
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "update tasks set removed = true, updated_at = now()
         where repository_id = $1 and not removed and system_name <> all($2)
         returning system_name",
        repository_id,
        present
    )
    .fetch_all(&mut *conn)
    .await
}

/// The repository's sync problems become exactly `problems` (task name, message).
pub async fn replace_sync_problems(
    conn: &mut PgConnection,
    repository_id: i64,
    problems: &[(String, String)],
) -> sqlx::Result<()> {
    sqlx::query!("delete from sync_problems where repository_id = $1", repository_id)
        .execute(&mut *conn)
        .await?;
    for (task, message) in problems {
        sqlx::query!(
            "insert into sync_problems (repository_id, task_name, message) values ($1, $2, $3)",
            repository_id,
            task,
            message
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Who is looking: students see only published, enabled tasks of their groups; staff see all.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub user_id: i64,
    pub is_staff: bool,
    /// Hide tasks whose reference solution failed its check (a live setting).
    pub hide_failing: bool,
}

pub struct CategorySummary {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub open_tasks: i64,
}

/// Categories with at least one task the viewer can see, and how many of them are open now.
pub async fn categories_for(
    db: impl PgExecutor<'_>,
    viewer: Viewer,
) -> sqlx::Result<Vec<CategorySummary>> {
    sqlx::query_as!(
        CategorySummary,
        r#"select c.slug, c.name, c.description,
                  count(t.id) filter (where t.pubdate <= now() and (t.deadline is null or greatest(t.deadline, (
                      select max(e.deadline) from extensions e
                      where e.user_id = $1 and (e.task_id = t.id or e.category_id = t.category_id))) > now())) as "open_tasks!"
           from categories c
           join tasks t on t.category_id = c.id
           where ($2 or (not t.disabled and not t.removed and (t.group_name is null or exists(
                    select 1 from group_members m join groups g on g.id = m.group_id
                    where m.user_id = $1 and lower(g.name) = lower(t.group_name)))
                  and not ($3 and t.reference_verdict is not null and t.reference_verdict not in ('passed', 'pending'))))
           group by c.id
           order by c.display_order, c.name"#,
        viewer.user_id,
        viewer.is_staff,
        viewer.hide_failing
    )
    .fetch_all(db)
    .await
}

pub struct Category {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
}

pub async fn category_by_slug(
    db: impl PgExecutor<'_>,
    slug: &str,
) -> sqlx::Result<Option<Category>> {
    sqlx::query_as!(
        Category,
        "select id, slug, name, description from categories where slug = $1",
        slug
    )
    .fetch_optional(db)
    .await
}

pub struct TaskListing {
    /// The viewer has a passed solution for it.
    pub done: bool,
    pub slug: String,
    pub title: String,
    pub pubdate: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    /// The latest deadline the viewer's extensions give.
    pub extended_to: Option<OffsetDateTime>,
    pub disabled: bool,
    pub removed: bool,
    pub group_name: Option<String>,
}

/// The tasks of a category the viewer may see, including those not yet published (shown with a
/// countdown), in order of publication.
pub async fn tasks_in_category(
    db: impl PgExecutor<'_>,
    category_id: i64,
    viewer: Viewer,
) -> sqlx::Result<Vec<TaskListing>> {
    sqlx::query_as!(
        TaskListing,
        r#"select t.slug, t.title, t.pubdate, t.deadline, t.disabled, t.removed, t.group_name,
                  exists(select 1 from solutions s where s.task_id = t.id and s.author_id = $2 and s.verdict = 'passed') as "done!",
                  x.deadline as extended_to
           from tasks t
           cross join lateral (select max(e.deadline) as deadline from extensions e
                               where e.user_id = $2 and (e.task_id = t.id or e.category_id = t.category_id)) x
           where t.category_id = $1
             and ($3 or (not t.disabled and not t.removed and (t.group_name is null or exists(
                    select 1 from group_members m join groups g on g.id = m.group_id
                    where m.user_id = $2 and lower(g.name) = lower(t.group_name)))
                  and not ($4 and t.reference_verdict is not null and t.reference_verdict not in ('passed', 'pending'))))
           order by t.pubdate, t.title"#,
        category_id,
        viewer.user_id,
        viewer.is_staff,
        viewer.hide_failing
    )
    .fetch_all(db)
    .await
}

#[derive(Clone, Debug)]
pub struct TaskPage {
    pub id: i64,
    pub slug: String,
    pub system_name: String,
    pub title: String,
    pub description: String,
    pub pubdate: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub max_submissions: Option<i32>,
    pub group_name: Option<String>,
    pub runner: String,
    pub file_patterns: Vec<String>,
    pub disabled: bool,
    pub removed: bool,
    pub category_slug: String,
    pub category_name: String,
    pub repository: String,
    pub revision: String,
    /// The latest deadline the viewer's extensions give, and the submissions they add.
    pub extended_to: Option<OffsetDateTime>,
    pub extra_submissions: i64,
}

/// A task the viewer may open: published (or any, for staff), enabled, of the viewer's groups.
pub async fn visible_task(
    db: impl PgExecutor<'_>,
    slug: &str,
    viewer: Viewer,
) -> sqlx::Result<Option<TaskPage>> {
    sqlx::query_as!(
        TaskPage,
        r#"select t.id, t.slug, t.system_name, t.title, t.description, t.pubdate, t.deadline, t.max_submissions,
                  t.group_name, t.runner, t.file_patterns, t.disabled, t.removed,
                  c.slug as category_slug, c.name as category_name, r.name as repository, t.revision,
                  x.deadline as extended_to, x.extra as "extra_submissions!"
           from tasks t
           join categories c on c.id = t.category_id
           join repositories r on r.id = t.repository_id
           cross join lateral (select max(e.deadline) as deadline, coalesce(sum(e.extra_submissions), 0) as extra
                               from extensions e
                               where e.user_id = $2 and (e.task_id = t.id or e.category_id = t.category_id)) x
           where t.slug = $1
             and ($3 or (not t.disabled and not t.removed and t.pubdate <= now() and (t.group_name is null or exists(
                    select 1 from group_members m join groups g on g.id = m.group_id
                    where m.user_id = $2 and lower(g.name) = lower(t.group_name)))
                  and not ($4 and t.reference_verdict is not null and t.reference_verdict not in ('passed', 'pending'))))"#,
        slug,
        viewer.user_id,
        viewer.is_staff,
        viewer.hide_failing
    )
    .fetch_optional(db)
    .await
}

pub async fn templates(
    db: impl PgExecutor<'_>,
    task_id: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    let rows = sqlx::query!(
        "select name, contents from task_templates where task_id = $1 order by name",
        task_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.name, row.contents)).collect())
}

pub struct SyncProblem {
    pub task_name: String,
    pub message: String,
}

pub async fn sync_problems(
    db: impl PgExecutor<'_>,
    repository_id: i64,
) -> sqlx::Result<Vec<SyncProblem>> {
    sqlx::query_as!(
        SyncProblem,
        "select task_name, message from sync_problems where repository_id = $1 order by task_name, id",
        repository_id
    )
    .fetch_all(db)
    .await
}

pub struct CategoryForStaff {
    pub id: i64,
    pub name: String,
    pub display_order: i32,
    pub description: String,
    pub tasks: i64,
}

pub async fn categories_for_staff(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<CategoryForStaff>> {
    sqlx::query_as!(
        CategoryForStaff,
        r#"select c.id, c.name, c.display_order, c.description, count(t.id) as "tasks!"
           from categories c left join tasks t on t.category_id = c.id
           group by c.id order by c.display_order, c.name"#
    )
    .fetch_all(db)
    .await
}

pub async fn update_category(
    db: impl PgExecutor<'_>,
    id: i64,
    display_order: i32,
    description: &str,
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "update categories set display_order = $2, description = $3 where id = $1",
        id,
        display_order,
        description
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A task whose reference solution needs (another) check.
pub struct ReferencePending {
    pub id: i64,
    pub system_name: String,
    pub repository: String,
    pub revision: String,
    pub content_hash: String,
    /// The check of older contents that may still be out, superseded by this one.
    pub superseded_job_id: Option<String>,
}

/// Tasks with a `solution/` whose check is missing or outdated (a lost check is reset by the
/// reconciler and then looks missing).
pub async fn references_to_check(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<ReferencePending>> {
    sqlx::query_as!(
        ReferencePending,
        "select t.id, t.system_name, r.name as repository, t.revision, t.content_hash,
                t.reference_job_id as superseded_job_id
         from tasks t join repositories r on r.id = t.repository_id
         where t.has_solution and not t.removed and t.reference_hash is distinct from t.content_hash
         order by t.id limit 50"
    )
    .fetch_all(db)
    .await
}

/// Records a reference check as sent: its token, and the revision and contents it checks.
pub async fn mark_reference_dispatched(
    conn: &mut PgConnection,
    task_id: i64,
    content_hash: &str,
    revision: &str,
    token: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update tasks set reference_hash = $2, reference_verdict = 'pending', reference_dispatched_at = now(),
             reference_revision = $3, reference_token = $4, reference_job_id = null
         where id = $1",
        task_id,
        content_hash,
        revision,
        token
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_reference_job_id(
    conn: &mut PgConnection,
    task_id: i64,
    job_id: &str,
) -> sqlx::Result<()> {
    sqlx::query!("update tasks set reference_job_id = $2 where id = $1", task_id, job_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A reference check that is out with the runners.
pub struct ReferenceOut {
    pub task_id: i64,
    pub content_hash: String,
    pub job_id: Option<String>,
    pub seconds_out: f64,
}

pub async fn references_out(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<ReferenceOut>> {
    sqlx::query_as!(
        ReferenceOut,
        r#"select id as task_id, content_hash, reference_job_id as job_id,
                  extract(epoch from now() - coalesce(reference_dispatched_at, now()))::float8 as "seconds_out!"
           from tasks where reference_verdict = 'pending' and not removed"#
    )
    .fetch_all(db)
    .await
}

/// A reference check went missing: it is sent again (the check looks outdated). Returns how
/// often it has been lost now.
pub async fn reference_lost(db: impl PgExecutor<'_>, task_id: i64) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        "update tasks set reference_lost = reference_lost + 1, reference_hash = null, reference_token = null,
             reference_job_id = null
         where id = $1 returning reference_lost",
        task_id
    )
    .fetch_one(db)
    .await
}

/// A runner handed back the reference check with this token: it is sent again (and counts as
/// lost when `lost`). `None` when the token is not the check that is out.
pub async fn release_reference(
    db: impl PgExecutor<'_>,
    task_id: i64,
    token: &str,
    lost: bool,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "update tasks set reference_lost = reference_lost + case when $3 then 1 else 0 end,
             reference_hash = null, reference_token = null, reference_job_id = null
         where id = $1 and reference_token = $2 and reference_verdict = 'pending'
         returning reference_lost",
        task_id,
        token,
        lost
    )
    .fetch_optional(db)
    .await
}

/// Stores the outcome of the reference check with this token (the one that is out), for the
/// revision it checked; false when this token is not the check that is out (a late or forged
/// result), which then changes nothing.
pub async fn store_reference_result(
    db: impl PgExecutor<'_>,
    task_id: i64,
    token: &str,
    report: &Report,
    output: &str,
) -> sqlx::Result<bool> {
    let verdict = report.verdict.as_str();
    let report = report_json(report)?;
    let stored = sqlx::query!(
        "update tasks set reference_verdict = $3, reference_report = $4, reference_output = $5,
             reference_checked_at = now(), reference_lost = 0, reference_token = null, reference_job_id = null
         where id = $1 and reference_token = $2 and reference_verdict = 'pending'",
        task_id,
        token,
        verdict,
        report,
        output
    )
    .execute(db)
    .await?;
    Ok(stored.rows_affected() == 1)
}

/// A reference check that cannot be sent or keeps getting lost ends with a system error.
pub async fn fail_reference(
    db: impl PgExecutor<'_>,
    task_id: i64,
    content_hash: Option<&str>,
    note: &str,
) -> sqlx::Result<()> {
    let mut report = Report::new(Verdict::SystemError);
    report.notes.push(note.to_owned());
    let report = report_json(&report)?;
    sqlx::query!(
        "update tasks set reference_verdict = 'system_error', reference_report = $3, reference_output = '',
             reference_checked_at = now(), reference_hash = coalesce($2, content_hash),
             reference_token = null, reference_job_id = null, reference_lost = 0
         where id = $1",
        task_id,
        content_hash,
        report
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Where a task's reference solution stands.
#[derive(Clone, Debug, PartialEq)]
pub enum ReferenceCheck {
    NotChecked,
    /// Sent to the runners; no result yet.
    Pending,
    Done(Report),
}

pub struct ReferenceStatus {
    pub system_name: String,
    pub slug: String,
    pub check: ReferenceCheck,
    pub output: Option<String>,
    pub checked_at: Option<OffsetDateTime>,
}

pub async fn reference_statuses(
    db: impl PgExecutor<'_>,
    repository_id: i64,
) -> sqlx::Result<Vec<ReferenceStatus>> {
    let rows = sqlx::query!(
        "select system_name, slug, reference_verdict as verdict, reference_report as report, reference_output as output,
                reference_checked_at as checked_at
         from tasks where repository_id = $1 and has_solution and not removed order by system_name",
        repository_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let check = match (row.verdict.as_deref(), row.report) {
                (None, _) => ReferenceCheck::NotChecked,
                (Some("pending"), _) => ReferenceCheck::Pending,
                (Some(_), Some(report)) => ReferenceCheck::Done(stored_report(report)),
                (verdict @ Some(_), None) => ReferenceCheck::Done(Report::new(
                    stored_verdict(verdict.map(str::to_owned)).unwrap_or(Verdict::SystemError),
                )),
            };
            ReferenceStatus {
                system_name: row.system_name,
                slug: row.slug,
                check,
                output: row.output,
                checked_at: row.checked_at,
            }
        })
        .collect())
}
