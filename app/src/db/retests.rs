//! Re-test batches and their items as rows: starting one, the items the queue sends and takes
//! back, their results, and applying or discarding a batch.

use inloop_plugin_api::report::{Report, Verdict};
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use super::stored::{report_json, stored_report, stored_verdict};
use crate::retest::{MOST_ITEMS, Scope, State};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("a re-test of this task is still open")]
    AlreadyOpen,
    #[error("there is nothing to re-test")]
    Nothing,
    #[error("more than {MOST_ITEMS} solutions")]
    TooMany,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Starts a batch of the task's solutions in `scope` (`selection`: the given ids, of this task);
/// its id and how many solutions it holds. Only tested solutions (done, or given up on) are
/// taken: one waiting or with the runners is graded anyway.
pub async fn start(
    conn: &mut PgConnection,
    task_id: i64,
    scope: Scope,
    selection: &[i64],
    staff_id: i64,
) -> Result<(i64, i64), StartError> {
    let inserted = sqlx::query_scalar!(
        "insert into retests (task_id, scope, revision, created_by)
         select id, $2, revision, $3 from tasks where id = $1
         on conflict (task_id) where state in ('running', 'review') do nothing
         returning id",
        task_id,
        scope.as_str(),
        staff_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(retest_id) = inserted else {
        let exists = sqlx::query_scalar!(
            r#"select exists(select 1 from tasks where id = $1) as "exists!""#,
            task_id
        )
        .fetch_one(&mut *conn)
        .await?;
        return Err(if exists { StartError::AlreadyOpen } else { StartError::Nothing });
    };
    let items = sqlx::query!(
        "insert into retest_items (retest_id, solution_id, old_verdict)
         select $1, s.id, s.verdict from solutions s
         where s.task_id = $2 and s.status in ('done', 'error')
           and case $3
                 when 'latest' then s.id = (select l.id from solutions l
                                            where l.task_id = s.task_id and l.author_id = s.author_id
                                              and l.status in ('done', 'error')
                                            order by l.number desc limit 1)
                 when 'untested' then s.status = 'error' or s.verdict = 'system_error'
                 when 'selection' then s.id = any($4)
                 else true
               end
         order by s.id",
        retest_id,
        task_id,
        scope.as_str(),
        selection
    )
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    if items == 0 {
        return Err(StartError::Nothing);
    }
    if items > MOST_ITEMS {
        return Err(StartError::TooMany);
    }
    Ok((retest_id, items))
}

/// An item ready to go out, with what its job needs.
pub struct ItemToSend {
    pub id: i64,
    pub solution_id: i64,
    pub repository: String,
    pub system_name: String,
    pub revision: String,
}

/// Items waiting in running batches, oldest batch first.
pub async fn waiting(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<ItemToSend>> {
    sqlx::query_as!(
        ItemToSend,
        "select i.id, i.solution_id, r.name as repository, t.system_name, b.revision
         from retest_items i join retests b on b.id = i.retest_id
         join tasks t on t.id = b.task_id join repositories r on r.id = t.repository_id
         where i.status = 'waiting' and b.state = 'running'
         order by i.retest_id, i.id limit $1",
        limit
    )
    .fetch_all(db)
    .await
}

/// Whether any running batch has items still to send.
pub async fn any_waiting(db: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from retest_items i join retests b on b.id = i.retest_id
                         where i.status = 'waiting' and b.state = 'running') as "any!""#
    )
    .fetch_one(db)
    .await
}

/// How many items are with the runners.
pub async fn out_count(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from retest_items where status = 'dispatched'"#
    )
    .fetch_one(db)
    .await
}

/// Marks a waiting item as sent with a new attempt and token; its attempt, or `None` when
/// another dispatcher was first.
pub async fn mark_dispatched(
    conn: &mut PgConnection,
    item_id: i64,
    token: &str,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "update retest_items set status = 'dispatched', attempt = attempt + 1, token = $2,
                dispatched_at = now(), job_id = null
         where id = $1 and status = 'waiting' returning attempt",
        item_id,
        token
    )
    .fetch_optional(&mut *conn)
    .await
}

pub async fn set_job_id(conn: &mut PgConnection, item_id: i64, job_id: &str) -> sqlx::Result<()> {
    sqlx::query!("update retest_items set job_id = $2 where id = $1", item_id, job_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Locks the item if `attempt` (with `token`, where one is given) is the one out; its batch's id.
pub async fn lock_out_item(
    conn: &mut PgConnection,
    item_id: i64,
    attempt: i32,
    token: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select retest_id from retest_items
         where id = $1 and status = 'dispatched' and attempt = $2 and ($3::text is null or token = $3)
         for update",
        item_id,
        attempt,
        token
    )
    .fetch_optional(&mut *conn)
    .await
}

pub struct ItemResult<'a> {
    pub item_id: i64,
    pub runner: &'a str,
    pub report: &'a Report,
    pub stdout: &'a str,
    pub stderr: &'a str,
    pub output_truncated: bool,
    pub duration_ms: i32,
    /// False for a system error: kept to be read, never applied.
    pub graded: bool,
}

/// Stores an item's new result, and moves its batch to review once nothing is left to grade.
pub async fn store_result(
    conn: &mut PgConnection,
    retest_id: i64,
    result: &ItemResult<'_>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update retest_items set status = case when $9 then 'done' else 'error' end, token = null, job_id = null, runner = $2, verdict = $3,
                report = $4, stdout = $5, stderr = $6, output_truncated = $7, duration_ms = $8,
                finished_at = now()
         where id = $1",
        result.item_id,
        result.runner,
        result.report.verdict.as_str(),
        report_json(result.report)?,
        result.stdout,
        result.stderr,
        result.output_truncated,
        result.duration_ms,
        result.graded
    )
    .execute(&mut *conn)
    .await?;
    finish_if_complete(conn, retest_id).await
}

async fn finish_if_complete(conn: &mut PgConnection, retest_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update retests set state = 'review', finished_at = now()
         where id = $1 and state = 'running'
           and not exists (select 1 from retest_items
                           where retest_id = $1 and status in ('waiting', 'dispatched'))",
        retest_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The item's attempt is over without a result (lost, or handed back): it waits to go out
/// again, or is given up on once `lost` or `handed_back` reach their limits. Its new counts.
pub async fn release(
    conn: &mut PgConnection,
    retest_id: i64,
    item_id: i64,
    counts_as_lost: bool,
    counts_as_handed_back: bool,
    most_lost: i32,
    most_handed_back: i32,
) -> sqlx::Result<()> {
    let lost = i32::from(counts_as_lost);
    let handed_back = i32::from(counts_as_handed_back);
    sqlx::query!(
        "update retest_items set lost = lost + $2, handed_back = handed_back + $3, token = null, job_id = null,
                status = case when lost + $2 >= $4 or handed_back + $3 >= $5 then 'error' else 'waiting' end,
                finished_at = case when lost + $2 >= $4 or handed_back + $3 >= $5 then now() end
         where id = $1",
        item_id,
        lost,
        handed_back,
        most_lost,
        most_handed_back
    )
    .execute(&mut *conn)
    .await?;
    finish_if_complete(conn, retest_id).await
}

/// An item with the runners, for the reconciler.
pub struct OutItem {
    pub id: i64,
    pub retest_id: i64,
    pub attempt: i32,
    pub job_id: Option<String>,
    pub seconds_out: f64,
}

pub async fn items_out(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<OutItem>> {
    sqlx::query_as!(
        OutItem,
        r#"select id, retest_id, attempt, job_id,
                  extract(epoch from now() - dispatched_at)::float8 as "seconds_out!"
           from retest_items where status = 'dispatched' order by id"#
    )
    .fetch_all(db)
    .await
}

/// A batch and how far it is.
pub struct Summary {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub scope: Scope,
    pub state: State,
    pub revision: String,
    pub created_by: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub decided_by: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub total: i64,
    pub graded: i64,
    pub failed: i64,
    /// Graded with a verdict other than the one the solution had.
    pub changed: i64,
}

macro_rules! summaries {
    ($db:expr, $where:tt, $($arg:expr),*) => {{
        let rows = sqlx::query!(
            r#"select b.id, b.task_id, t.title as task_title, b.scope, b.state, b.revision,
                      c.username as "created_by?", b.created_at, b.finished_at, d.username as "decided_by?", b.decided_at,
                      count(i.id) as "total!",
                      count(i.id) filter (where i.status = 'done') as "graded!",
                      count(i.id) filter (where i.status = 'error') as "failed!",
                      count(i.id) filter (where i.status = 'done' and i.verdict is distinct from i.old_verdict) as "changed!"
               from retests b join tasks t on t.id = b.task_id
               left join users c on c.id = b.created_by left join users d on d.id = b.decided_by
               left join retest_items i on i.retest_id = b.id
               "# + $where + r#"
               group by b.id, t.title, c.username, d.username
               order by b.created_at desc, b.id desc"#,
            $($arg),*
        )
        .fetch_all($db)
        .await?;
        rows.into_iter()
            .map(|row| Summary {
                id: row.id,
                task_id: row.task_id,
                task_title: row.task_title,
                scope: Scope::parse(&row.scope).unwrap_or(Scope::Selection),
                state: State::parse(&row.state).unwrap_or(State::Discarded),
                revision: row.revision,
                created_by: row.created_by,
                created_at: row.created_at,
                finished_at: row.finished_at,
                decided_by: row.decided_by,
                decided_at: row.decided_at,
                total: row.total,
                graded: row.graded,
                failed: row.failed,
                changed: row.changed,
            })
            .collect::<Vec<Summary>>()
    }};
}

pub async fn summary(db: impl PgExecutor<'_>, retest_id: i64) -> sqlx::Result<Option<Summary>> {
    Ok(summaries!(db, "where b.id = $1", retest_id).into_iter().next())
}

/// A task's batches, newest first.
pub async fn of_task(db: impl PgExecutor<'_>, task_id: i64) -> sqlx::Result<Vec<Summary>> {
    Ok(summaries!(db, "where b.task_id = $1", task_id))
}

/// One solution of a batch, as the review table shows it.
pub struct ItemRow {
    pub solution_id: i64,
    pub number: i32,
    pub username: String,
    pub old_verdict: Option<Verdict>,
    pub status: String,
    pub new_verdict: Option<Verdict>,
}

/// A page of the batch's items; with `only_changed`, those whose verdict would change (or that
/// could not be graded), changes first.
pub async fn items(
    db: impl PgExecutor<'_>,
    retest_id: i64,
    only_changed: bool,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ItemRow>> {
    let rows = sqlx::query!(
        "select i.solution_id, s.number, u.username, i.old_verdict, i.status, i.verdict
         from retest_items i join solutions s on s.id = i.solution_id join users u on u.id = s.author_id
         where i.retest_id = $1
           and (not $2 or i.status = 'error' or (i.status = 'done' and i.verdict is distinct from i.old_verdict))
         order by (i.status = 'done' and i.verdict is distinct from i.old_verdict) desc, u.username, s.number
         offset $3 limit $4",
        retest_id,
        only_changed,
        offset,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ItemRow {
            solution_id: row.solution_id,
            number: row.number,
            username: row.username,
            old_verdict: stored_verdict(row.old_verdict),
            status: row.status,
            new_verdict: stored_verdict(row.verdict),
        })
        .collect())
}

/// Locks the batch and says where it stands.
pub async fn lock(conn: &mut PgConnection, retest_id: i64) -> sqlx::Result<Option<State>> {
    let state =
        sqlx::query_scalar!("select state from retests where id = $1 for update", retest_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(state.map(|state| State::parse(&state).unwrap_or(State::Discarded)))
}

/// Makes the batch's new results the solutions' own (the old ones go to their history), for
/// every solution that is still tested and unchanged since; how many it changed. The batch must
/// be locked and in review.
pub async fn apply(conn: &mut PgConnection, retest_id: i64, staff_id: i64) -> sqlx::Result<i64> {
    let taken = sqlx::query_scalar!(
        "select s.id from retest_items i join solutions s on s.id = i.solution_id
         where i.retest_id = $1 and i.status = 'done' and s.status in ('done', 'error')
         order by s.id
         for update of s",
        retest_id
    )
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query!(
        "with old as (delete from results where solution_id = any($1) returning *)
         insert into superseded_results (solution_id, attempt, runner, verdict, report, stdout, stderr,
                                         output_truncated, duration_ms, created_at, superseded_by)
         select solution_id, attempt, runner, verdict, report, stdout, stderr, output_truncated, duration_ms,
                created_at, $2 from old",
        &taken,
        staff_id
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "insert into results (solution_id, attempt, runner, verdict, report, stdout, stderr, output_truncated,
                              duration_ms)
         select s.id, s.attempt, coalesce(i.runner, ''), i.verdict, i.report, coalesce(i.stdout, ''),
                coalesce(i.stderr, ''), coalesce(i.output_truncated, false), coalesce(i.duration_ms, 0)
         from retest_items i join solutions s on s.id = i.solution_id
         where i.retest_id = $1 and s.id = any($2)",
        retest_id,
        &taken
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update solutions s set status = 'done', verdict = i.verdict, error_message = null
         from retest_items i where i.retest_id = $1 and i.solution_id = s.id and s.id = any($2)",
        retest_id,
        &taken
    )
    .execute(&mut *conn)
    .await?;
    decide(conn, retest_id, State::Applied, staff_id).await?;
    Ok(taken.len() as i64)
}

/// Ends an open batch without touching any solution; the job ids of its items still out, for
/// the queue to take back.
pub async fn discard(
    conn: &mut PgConnection,
    retest_id: i64,
    staff_id: i64,
) -> sqlx::Result<Vec<String>> {
    let out = sqlx::query_scalar!(
        r#"update retest_items set status = 'error', token = null
           where retest_id = $1 and status in ('waiting', 'dispatched')
           returning job_id as "job_id?""#,
        retest_id
    )
    .fetch_all(&mut *conn)
    .await?;
    decide(conn, retest_id, State::Discarded, staff_id).await?;
    Ok(out.into_iter().flatten().collect())
}

async fn decide(
    conn: &mut PgConnection,
    retest_id: i64,
    state: State,
    staff_id: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update retests set state = $2, decided_by = $3, decided_at = now(),
                finished_at = coalesce(finished_at, now())
         where id = $1",
        retest_id,
        state.as_str(),
        staff_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An item's new result in full, for staff who open it from the review.
pub struct ItemReport {
    pub solution_id: i64,
    pub number: i32,
    pub username: String,
    pub task_title: String,
    pub report: Report,
    pub stdout: String,
    pub stderr: String,
    pub output_truncated: bool,
    pub duration_ms: i32,
}

pub async fn item_report(
    db: impl PgExecutor<'_>,
    retest_id: i64,
    solution_id: i64,
) -> sqlx::Result<Option<ItemReport>> {
    let row = sqlx::query!(
        r#"select i.solution_id, s.number, u.username, t.title as task_title, i.report as "report!",
                  coalesce(i.stdout, '') as "stdout!", coalesce(i.stderr, '') as "stderr!",
                  coalesce(i.output_truncated, false) as "output_truncated!", coalesce(i.duration_ms, 0) as "duration_ms!"
           from retest_items i join solutions s on s.id = i.solution_id join users u on u.id = s.author_id
           join tasks t on t.id = s.task_id
           where i.retest_id = $1 and i.solution_id = $2 and i.report is not null"#,
        retest_id,
        solution_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| ItemReport {
        solution_id: row.solution_id,
        number: row.number,
        username: row.username,
        task_title: row.task_title,
        report: stored_report(row.report),
        stdout: row.stdout,
        stderr: row.stderr,
        output_truncated: row.output_truncated,
        duration_ms: row.duration_ms,
    }))
}
