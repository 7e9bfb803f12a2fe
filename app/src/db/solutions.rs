//! Solutions: storing submissions, the queue's bookkeeping, results, and who may see what.

use inloop_plugin_api::report::{Report, Verdict};
use sqlx::{PgConnection, PgExecutor};
use time::OffsetDateTime;

use super::stored::{report_json, stored_report, stored_verdict};

pub struct NewSolution<'a> {
    pub task_id: i64,
    pub author_id: i64,
    pub revision: &'a str,
    pub files: &'a [(String, Vec<u8>)],
    /// False in exam mode: the solution is stored as `saved` and never sent to the runners.
    pub tested: bool,
}

/// Stores a solution and its files in the caller's transaction and returns `(id, number)`.
/// Numbers are per author and task; concurrent submits of one author wait for each other here.
/// Locks the author's row for the rest of the transaction: their submits happen one after the
/// other, so numbers never collide and a limit checked after this holds.
pub async fn lock_author(conn: &mut PgConnection, author_id: i64) -> sqlx::Result<()> {
    sqlx::query!("select id from users where id = $1 for update", author_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(())
}

/// Stores a solution and its files; the caller holds `lock_author`.
pub async fn insert(
    conn: &mut PgConnection,
    solution: &NewSolution<'_>,
) -> sqlx::Result<(i64, i32)> {
    let row = sqlx::query!(
        r#"insert into solutions (task_id, author_id, number, revision, status)
           values ($1, $2, (select coalesce(max(number), 0) + 1 from solutions where author_id = $2 and task_id = $1), $3,
                   case when $4 then 'queued' else 'saved' end)
           returning id, number"#,
        solution.task_id,
        solution.author_id,
        solution.revision,
        solution.tested
    )
    .fetch_one(&mut *conn)
    .await?;
    for (name, contents) in solution.files {
        sqlx::query!(
            "insert into solution_files (solution_id, name, contents) values ($1, $2, $3)",
            row.id,
            name,
            contents
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok((row.id, row.number))
}

/// Solutions that count against the submission limit: all but those we failed to grade.
pub async fn counted(db: impl PgExecutor<'_>, task_id: i64, author_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from solutions
           where task_id = $1 and author_id = $2 and status <> 'error' and coalesce(verdict, '') <> 'system_error'"#,
        task_id,
        author_id
    )
    .fetch_one(db)
    .await
}

/// An author's solutions waiting for the runners or with them, across tasks.
pub async fn waiting_of(db: impl PgExecutor<'_>, author_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from solutions
           where author_id = $1 and status in ('queued', 'dispatched')"#,
        author_id
    )
    .fetch_one(db)
    .await
}

/// Solutions waiting for a runner and solutions with one, course-wide.
pub async fn waiting_by_status(db: impl PgExecutor<'_>) -> sqlx::Result<(i64, i64)> {
    let row = sqlx::query!(
        r#"select count(*) filter (where status = 'queued') as "queued!",
                  count(*) filter (where status = 'dispatched') as "dispatched!"
           from solutions where status in ('queued', 'dispatched')"#
    )
    .fetch_one(db)
    .await?;
    Ok((row.queued, row.dispatched))
}

/// Solutions stored while feedback was off, not tested yet.
pub async fn count_saved(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from solutions where status = 'saved'"#)
        .fetch_one(db)
        .await
}

/// Puts every saved solution in the queue; returns their authors, each once, to dispatch for.
pub async fn queue_saved(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        r#"with queued as (update solutions set status = 'queued' where status = 'saved' returning author_id)
           select distinct author_id as "author_id!" from queued"#
    )
    .fetch_all(db)
    .await
}

/// Where a solution is on its way through grading; the `status` column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SolutionStatus {
    /// Stored, waiting for its turn with the runners.
    Queued,
    /// Its job is out with the runners.
    Dispatched,
    /// It has a result (whose verdict may still be a system error).
    Done,
    /// It could not be tested (given up on after lost attempts or hand-backs).
    Error,
    /// Stored while feedback was off (exam mode); not sent until staff have it tested.
    Saved,
}

impl SolutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SolutionStatus::Queued => "queued",
            SolutionStatus::Dispatched => "dispatched",
            SolutionStatus::Done => "done",
            SolutionStatus::Error => "error",
            SolutionStatus::Saved => "saved",
        }
    }

    pub fn parse(text: &str) -> Option<SolutionStatus> {
        [Self::Queued, Self::Dispatched, Self::Done, Self::Error, Self::Saved]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

// Stored as text (with a check constraint), read and written as the enum.
impl sqlx::Type<sqlx::Postgres> for SolutionStatus {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for SolutionStatus {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        SolutionStatus::parse(text)
            .ok_or_else(|| format!("unknown solution status {text:?}").into())
    }
}

#[derive(Clone, Debug)]
pub struct SolutionRow {
    pub id: i64,
    pub task_id: i64,
    pub author_id: i64,
    pub number: i32,
    pub submitted_at: OffsetDateTime,
    pub revision: String,
    pub status: SolutionStatus,
    pub verdict: Option<Verdict>,
    pub attempt: i32,
    pub error_message: Option<String>,
    pub task_slug: String,
    pub task_title: String,
    pub system_name: String,
    pub repository: String,
    pub author_username: String,
}

pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<SolutionRow>> {
    let row = sqlx::query!(
        r#"select s.id, s.task_id, s.author_id, s.number, s.submitted_at, s.revision, s.status as "status: SolutionStatus", s.verdict, s.attempt,
                  s.error_message, t.slug as task_slug, t.title as task_title, t.system_name, r.name as repository,
                  u.username as author_username
           from solutions s join tasks t on t.id = s.task_id join repositories r on r.id = t.repository_id
           join users u on u.id = s.author_id
           where s.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| SolutionRow {
        id: row.id,
        task_id: row.task_id,
        author_id: row.author_id,
        number: row.number,
        submitted_at: row.submitted_at,
        revision: row.revision,
        status: row.status,
        verdict: stored_verdict(row.verdict),
        attempt: row.attempt,
        error_message: row.error_message,
        task_slug: row.task_slug,
        task_title: row.task_title,
        system_name: row.system_name,
        repository: row.repository,
        author_username: row.author_username,
    }))
}

pub struct Listed {
    pub id: i64,
    pub number: i32,
    pub submitted_at: OffsetDateTime,
    pub status: SolutionStatus,
    pub verdict: Option<Verdict>,
    pub error_message: Option<String>,
}

/// Where a solution stands: what its live status is made of.
pub struct Standing<'a> {
    pub id: i64,
    pub status: SolutionStatus,
    pub error_message: Option<&'a str>,
}

impl SolutionRow {
    pub fn standing(&self) -> Standing<'_> {
        Standing { id: self.id, status: self.status, error_message: self.error_message.as_deref() }
    }
}

impl Listed {
    pub fn standing(&self) -> Standing<'_> {
        Standing { id: self.id, status: self.status, error_message: self.error_message.as_deref() }
    }
}

/// The id of a student's solution by its number within a task (INLOOP's addresses).
pub async fn id_by_number(
    db: impl PgExecutor<'_>,
    task_slug: &str,
    author_id: i64,
    number: i32,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select s.id from solutions s join tasks t on t.id = s.task_id
         where t.slug = $1 and s.author_id = $2 and s.number = $3",
        task_slug,
        author_id,
        number
    )
    .fetch_optional(db)
    .await
}

pub async fn list_for(
    db: impl PgExecutor<'_>,
    task_id: i64,
    author_id: i64,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    let rows = sqlx::query!(
        r#"select id, number, submitted_at, status as "status: SolutionStatus", verdict, error_message from solutions
         where task_id = $1 and author_id = $2 order by number desc offset $3 limit $4"#,
        task_id,
        author_id,
        offset,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Listed {
            id: row.id,
            number: row.number,
            submitted_at: row.submitted_at,
            status: row.status,
            verdict: stored_verdict(row.verdict),
            error_message: row.error_message,
        })
        .collect())
}

pub async fn files(
    db: impl PgExecutor<'_>,
    solution_id: i64,
) -> sqlx::Result<Vec<(String, Vec<u8>)>> {
    let rows = sqlx::query!(
        "select name, contents from solution_files where solution_id = $1 order by name",
        solution_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.name, row.contents)).collect())
}

pub struct ResultRow {
    pub report: Report,
    pub stdout: String,
    pub stderr: String,
    pub output_truncated: bool,
    pub duration_ms: i32,
    pub runner: String,
    pub attempt: i32,
}

pub async fn result(db: impl PgExecutor<'_>, solution_id: i64) -> sqlx::Result<Option<ResultRow>> {
    let row = sqlx::query!(
        "select verdict, report, stdout, stderr, output_truncated, duration_ms, runner, attempt from results where solution_id = $1",
        solution_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| ResultRow {
        report: stored_report(row.report),
        stdout: row.stdout,
        stderr: row.stderr,
        output_truncated: row.output_truncated,
        duration_ms: row.duration_ms,
        runner: row.runner,
        attempt: row.attempt,
    }))
}

/// Which attempt a dispatch expects to replace: none (a waiting solution's first send) or the
/// attempt that is out now (lost, handed back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replacing {
    Nothing,
    Attempt(i32),
}

/// Marks a solution as sent to the runners (a new attempt) and records the attempt with its
/// token. `None` when somebody else got there first (or the result arrived): racing
/// dispatchers send one job, not several.
pub async fn mark_dispatched(
    conn: &mut PgConnection,
    solution_id: i64,
    replacing: Replacing,
    token: &str,
) -> sqlx::Result<Option<i32>> {
    let lost_attempt = match replacing {
        Replacing::Nothing => None,
        Replacing::Attempt(attempt) => Some(attempt),
    };
    let Some(attempt) = sqlx::query_scalar!(
        "update solutions set status = 'dispatched', attempt = attempt + 1, dispatched_at = now()
         where id = $1 and ((status = 'queued' and $2::int is null) or (status = 'dispatched' and attempt = $2))
         returning attempt",
        solution_id,
        lost_attempt
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    sqlx::query!(
        "insert into grading_attempts (solution_id, attempt, token) values ($1, $2, $3)
         on conflict (solution_id, attempt) do update set token = excluded.token, dispatched_at = now(),
             outcome = null, finished_at = null, runner = null, job_id = null, problem = null",
        solution_id,
        attempt,
        token
    )
    .execute(&mut *conn)
    .await?;
    Ok(Some(attempt))
}

/// Records the jobs-stream entry an attempt went out as.
pub async fn set_job_id(
    conn: &mut PgConnection,
    solution_id: i64,
    attempt: i32,
    job_id: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update grading_attempts set job_id = $3 where solution_id = $1 and attempt = $2",
        solution_id,
        attempt,
        job_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The attempt of a solution that is out with the runners right now.
#[derive(Clone, Debug)]
pub struct OutAttempt {
    pub solution_id: i64,
    pub author_id: i64,
    pub attempt: i32,
    pub token: Option<String>,
    pub job_id: Option<String>,
    /// Seconds since it was sent.
    pub seconds_out: f64,
}

/// Every solution out with the runners, with its current attempt.
pub async fn out_attempts(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<OutAttempt>> {
    sqlx::query_as!(
        OutAttempt,
        r#"select s.id as solution_id, s.author_id, s.attempt, a.token as "token?", a.job_id as "job_id?",
                  extract(epoch from now() - coalesce(a.dispatched_at, s.dispatched_at, now()))::float8 as "seconds_out!"
           from solutions s left join grading_attempts a on a.solution_id = s.id and a.attempt = s.attempt
           where s.status = 'dispatched'
           order by s.dispatched_at"#
    )
    .fetch_all(db)
    .await
}

/// The attempt that is out for this solution, if this token is its token; locks the solution's
/// row, so that a dispatch still committing is waited for rather than missed.
pub async fn lock_current_attempt(
    conn: &mut PgConnection,
    solution_id: i64,
    attempt: i32,
    token: &str,
) -> sqlx::Result<Option<OutAttempt>> {
    // The lock first, in a statement of its own: a runner can answer before the dispatch that
    // sent the job has committed its attempt, and one joined statement would look at the
    // attempts as they were before that commit (not there yet) instead of waiting for it.
    sqlx::query_scalar!("select id from solutions where id = $1 for update", solution_id)
        .fetch_optional(&mut *conn)
        .await?;
    sqlx::query_as!(
        OutAttempt,
        r#"select s.id as solution_id, s.author_id, s.attempt, a.token as "token?", a.job_id as "job_id?",
                  extract(epoch from now() - a.dispatched_at)::float8 as "seconds_out!"
           from solutions s join grading_attempts a on a.solution_id = s.id and a.attempt = s.attempt
           where s.id = $1 and s.status = 'dispatched' and s.attempt = $2 and a.token = $3
           for update of s"#,
        solution_id,
        attempt,
        token
    )
    .fetch_optional(conn)
    .await
}

/// Attempts since staff last had the solution tested again that ended with these outcomes.
pub async fn attempts_ended(
    db: impl PgExecutor<'_>,
    solution_id: i64,
    outcomes: &[&str],
) -> sqlx::Result<i64> {
    let outcomes: Vec<String> = outcomes.iter().map(|outcome| (*outcome).to_owned()).collect();
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from grading_attempts a join solutions s on s.id = a.solution_id
           where a.solution_id = $1 and a.attempt >= s.counted_from_attempt and a.outcome = any($2)"#,
        solution_id,
        &outcomes
    )
    .fetch_one(db)
    .await
}

/// The author's oldest waiting solution, if none of theirs is out with the runners: one solution
/// per student at a time keeps a student with many submissions from holding back the others.
pub async fn next_for_author(db: impl PgExecutor<'_>, author_id: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select id from solutions s
         where author_id = $1 and status = 'queued'
           and not exists (select 1 from solutions d where d.author_id = $1 and d.status = 'dispatched')
         order by submitted_at, id limit 1",
        author_id
    )
    .fetch_optional(db)
    .await
}

/// Authors with waiting solutions and none out with the runners (the reconciler dispatches them).
pub async fn authors_waiting(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        r#"select distinct author_id as "author_id!" from solutions s
           where status = 'queued'
             and not exists (select 1 from solutions d where d.author_id = s.author_id and d.status = 'dispatched')"#
    )
    .fetch_all(db)
    .await
}

pub async fn mark_attempt(
    db: impl PgExecutor<'_>,
    solution_id: i64,
    attempt: i32,
    outcome: &str,
    runner: Option<&str>,
    problem: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update grading_attempts set outcome = $3, runner = coalesce($4, runner), problem = coalesce($5, problem),
             finished_at = now()
         where solution_id = $1 and attempt = $2",
        solution_id,
        attempt,
        outcome,
        runner,
        problem
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Gives up on a solution: it gets an error a student can read and does not count.
pub async fn quarantine(
    db: impl PgExecutor<'_>,
    solution_id: i64,
    message: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update solutions set status = 'error', error_message = $2 where id = $1 and status <> 'done'",
        solution_id,
        message
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct StoredResult<'a> {
    pub solution_id: i64,
    pub attempt: i32,
    pub runner: &'a str,
    pub report: &'a Report,
    pub stdout: &'a str,
    pub stderr: &'a str,
    pub output_truncated: bool,
    pub duration_ms: i32,
}

/// Stores the result of the attempt that is out (the caller checked its token under
/// [`lock_current_attempt`]) and marks the solution done; false when it has a result already.
pub async fn store_result(
    conn: &mut PgConnection,
    result: &StoredResult<'_>,
) -> sqlx::Result<bool> {
    let verdict = result.report.verdict.as_str();
    let report = report_json(result.report)?;
    let inserted = sqlx::query!(
        "insert into results (solution_id, attempt, runner, verdict, report, stdout, stderr, output_truncated, duration_ms)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (solution_id) do nothing",
        result.solution_id,
        result.attempt,
        result.runner,
        verdict,
        report,
        result.stdout,
        result.stderr,
        result.output_truncated,
        result.duration_ms
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        sqlx::query!(
            "update solutions set status = 'done', verdict = $2 where id = $1",
            result.solution_id,
            verdict
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "update grading_attempts set outcome = 'graded', runner = $3, finished_at = now() where solution_id = $1 and attempt = $2",
            result.solution_id,
            result.attempt,
            result.runner
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(inserted)
}

/// Puts a solution back in the queue to be tested again (staff only): its result, if any, is
/// kept in `superseded_results`, and lost attempts count afresh. False when it cannot be
/// tested again now (it is waiting or being tested).
pub async fn queue_again(
    conn: &mut PgConnection,
    solution_id: i64,
    staff_id: i64,
) -> sqlx::Result<bool> {
    let moved = sqlx::query_scalar!(
        r#"update solutions set status = 'queued', verdict = null, error_message = null,
               counted_from_attempt = attempt + 1
           where id = $1 and status in ('done', 'error')
           returning id"#,
        solution_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    if moved.is_none() {
        return Ok(false);
    }
    sqlx::query!(
        "with old as (delete from results where solution_id = $1 returning *)
         insert into superseded_results (solution_id, attempt, runner, verdict, report, stdout, stderr,
                                         output_truncated, duration_ms, created_at, superseded_by)
         select solution_id, attempt, runner, verdict, report, stdout, stderr, output_truncated, duration_ms,
                created_at, $2 from old",
        solution_id,
        staff_id
    )
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Solutions of a task that could not be tested: quarantined, or graded `system_error`.
pub async fn untested_of_task(db: impl PgExecutor<'_>, task_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "select id from solutions where task_id = $1
           and (status = 'error' or (status = 'done' and verdict = 'system_error'))
         order by id",
        task_id
    )
    .fetch_all(db)
    .await
}

/// Per task, how many solutions could not be tested (for the staff overview).
pub struct UntestedCount {
    pub task_id: i64,
    pub task_slug: String,
    pub task_title: String,
    pub count: i64,
}

pub async fn untested_counts(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<UntestedCount>> {
    sqlx::query_as!(
        UntestedCount,
        r#"select t.id as task_id, t.slug as task_slug, t.title as task_title, count(*) as "count!"
           from solutions s join tasks t on t.id = s.task_id
           where s.status = 'error' or (s.status = 'done' and s.verdict = 'system_error')
           group by t.id, t.slug, t.title order by t.title"#
    )
    .fetch_all(db)
    .await
}

/// How many solutions wait ahead of this one (dispatched or queued, submitted earlier).
pub async fn position(db: impl PgExecutor<'_>, solution_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from solutions s, solutions me
           where me.id = $1 and s.status in ('queued', 'dispatched') and (s.submitted_at, s.id) < (me.submitted_at, me.id)"#,
        solution_id
    )
    .fetch_one(db)
    .await
}

pub struct AttemptRow {
    pub attempt: i32,
    pub dispatched_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub runner: Option<String>,
    pub outcome: Option<String>,
    pub problem: Option<String>,
}

pub async fn attempts(db: impl PgExecutor<'_>, solution_id: i64) -> sqlx::Result<Vec<AttemptRow>> {
    sqlx::query_as!(
        AttemptRow,
        "select attempt, dispatched_at, finished_at, runner, outcome, problem from grading_attempts where solution_id = $1 order by attempt",
        solution_id
    )
    .fetch_all(db)
    .await
}
