//! The figures of the statistics page, each one statement over the students' solutions that
//! the filter picks (a category, a group, a range of days).

use sqlx::PgPool;
use time::OffsetDateTime;

/// Which solutions the figures are about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub category: Option<i64>,
    pub group: Option<i64>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

/// A filter resolved into ids, so that each statement reads the solutions table alone (no
/// joins for 200,000 rows): the tasks (of the category, still in the course), the accounts that
/// are not students, and the group's members.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub tasks: Vec<i64>,
    pub not_students: Vec<i64>,
    pub members: Option<Vec<i64>>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

pub async fn resolve(db: &PgPool, filter: &Filter) -> sqlx::Result<Resolved> {
    let tasks = sqlx::query_scalar!(
        "select id from tasks where not removed and ($1::bigint is null or category_id = $1)",
        filter.category
    )
    .fetch_all(db)
    .await?;
    let not_students =
        sqlx::query_scalar!("select id from users where role <> 'student'").fetch_all(db).await?;
    let members = match filter.group {
        Some(group) => Some(
            sqlx::query_scalar!("select user_id from group_members where group_id = $1", group)
                .fetch_all(db)
                .await?,
        ),
        None => None,
    };
    Ok(Resolved { tasks, not_students, members, from: filter.from, until: filter.until })
}

/// A statement over `picked`: the students' solutions in the filter ($1 to $5).
macro_rules! over_picked {
    ($select:literal, $filter:expr $(, $arg:expr)*) => {
        sqlx::query!(
            "with picked as (
                 select s.id, s.task_id, s.author_id, s.number, s.submitted_at, s.verdict
                 from solutions s
                 where s.task_id = any($1) and not (s.author_id = any($2))
                   and ($3::bigint[] is null or s.author_id = any($3))
                   and ($4::timestamptz is null or s.submitted_at >= $4)
                   and ($5::timestamptz is null or s.submitted_at < $5)) " + $select,
            &$filter.tasks,
            &$filter.not_students,
            $filter.members.as_deref(),
            $filter.from,
            $filter.until
            $(, $arg)*
        )
    };
}

/// Solutions handed in per hour: (the hour's start, count). Hours, not days: a day in the
/// site's zone is summed from them, and binning an instant is much cheaper than a time zone
/// conversion per row.
pub async fn per_hour(db: &PgPool, filter: &Resolved) -> sqlx::Result<Vec<(OffsetDateTime, i64)>> {
    let rows = over_picked!(
        r#"select date_bin('1 hour', submitted_at, timestamptz '1970-01-01 00:00+00') as "hour!", count(*) as "count!"
           from picked group by 1 order by 1"#,
        filter
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.hour, row.count)).collect())
}

/// One task's figures.
#[derive(Clone, Debug)]
pub struct TaskFigures {
    pub task_id: i64,
    pub title: String,
    pub deadline: Option<OffsetDateTime>,
    /// Students with a solution, and those with a passed one.
    pub students: i64,
    pub passed_students: i64,
    /// Solutions by verdict, in the order of `Verdict::ALL`, then those without a verdict.
    pub verdicts: [i64; 8],
}

/// Every task of the filter with solutions, in the order students see them.
pub async fn per_task(db: &PgPool, filter: &Resolved) -> sqlx::Result<Vec<TaskFigures>> {
    let rows = over_picked!(
        r#"select t.id, t.title, t.deadline, a.students as "students!", a.passed_students as "passed_students!",
                  a.passed as "passed!", a.failed as "failed!", a.compile_error as "compile_error!",
                  a.timeout as "timeout!", a.memory_exceeded as "memory_exceeded!", a.crashed as "crashed!",
                  a.system_error as "system_error!", a.ungraded as "ungraded!"
           from (select task_id,
                        count(distinct author_id) as students,
                        count(distinct author_id) filter (where verdict = 'passed') as passed_students,
                        count(*) filter (where verdict = 'passed') as passed,
                        count(*) filter (where verdict = 'failed') as failed,
                        count(*) filter (where verdict = 'compile_error') as compile_error,
                        count(*) filter (where verdict = 'timeout') as timeout,
                        count(*) filter (where verdict = 'memory_exceeded') as memory_exceeded,
                        count(*) filter (where verdict = 'crashed') as crashed,
                        count(*) filter (where verdict = 'system_error') as system_error,
                        count(*) filter (where verdict is null) as ungraded
                 from picked group by task_id) a
           join tasks t on t.id = a.task_id join categories c on c.id = t.category_id
           order by c.display_order, c.name, t.pubdate, t.title"#,
        filter
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| TaskFigures {
            task_id: row.id,
            title: row.title,
            deadline: row.deadline,
            students: row.students,
            passed_students: row.passed_students,
            verdicts: [
                row.passed,
                row.failed,
                row.compile_error,
                row.timeout,
                row.memory_exceeded,
                row.crashed,
                row.system_error,
                row.ungraded,
            ],
        })
        .collect())
}

/// How many students passed a task at their n-th attempt: (n, students), n ascending.
pub async fn attempts_until_passed(
    db: &PgPool,
    filter: &Resolved,
) -> sqlx::Result<Vec<(i32, i64)>> {
    let rows = over_picked!(
        r#"select first as "attempts!", count(*) as "students!" from (
               select min(number) filter (where verdict = 'passed') as first
               from picked group by author_id, task_id) firsts
           where first is not null group by first order by first"#,
        filter
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.attempts, row.students)).collect())
}

/// Solutions of one task per hour around `deadline`: (hours after it, negative before, count),
/// from `before` hours before to `after` hours after.
pub async fn around_deadline(
    db: &PgPool,
    filter: &Resolved,
    task_id: i64,
    deadline: OffsetDateTime,
    before: i32,
    after: i32,
) -> sqlx::Result<Vec<(i32, i64)>> {
    let rows = over_picked!(
        r#"select floor(extract(epoch from submitted_at - $7) / 3600)::int as "hour!", count(*) as "count!"
           from picked where task_id = $6
             and submitted_at >= $7 - make_interval(hours => $8) and submitted_at < $7 + make_interval(hours => $9)
           group by 1 order by 1"#,
        filter,
        task_id,
        deadline,
        before,
        after
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.hour, row.count)).collect())
}

/// One day's waiting and running times, in seconds: the median and the 90th percentile.
#[derive(Clone, Debug)]
pub struct Times {
    /// When the day began, at the offset the site's zone had when the figures were read.
    pub day: OffsetDateTime,
    pub wait_median: f64,
    pub wait_p90: f64,
    pub run_median: f64,
    pub run_p90: f64,
}

/// Per day: how long graded solutions waited for a runner (from handing in to the result,
/// less the run) and how long their run took. Days are counted at a fixed offset from UTC
/// (the zone's now): a percentile cannot be summed from hours, and across a change of the
/// clocks a solution handed in within an hour of midnight may count for the next day.
pub async fn times_per_day(
    db: &PgPool,
    filter: &Resolved,
    offset_seconds: i32,
) -> sqlx::Result<Vec<Times>> {
    let rows = over_picked!(
        r#"select day as "day!",
                  percentile_cont(0.5) within group (order by wait) as "wait_median!",
                  percentile_cont(0.9) within group (order by wait) as "wait_p90!",
                  percentile_cont(0.5) within group (order by run) as "run_median!",
                  percentile_cont(0.9) within group (order by run) as "run_p90!"
           from (select date_bin('1 day', p.submitted_at, timestamptz '1970-01-01 00:00+00' - make_interval(secs => $6)) as day, r.duration_ms / 1000.0::float8 as run,
                        greatest(extract(epoch from r.created_at - p.submitted_at)::float8 - r.duration_ms / 1000.0::float8, 0) as wait
                 from picked p join results r on r.solution_id = p.id) graded
           group by day order by day"#,
        filter,
        f64::from(offset_seconds)
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Times {
            day: row.day,
            wait_median: row.wait_median,
            wait_p90: row.wait_p90,
            run_median: row.run_median,
            run_p90: row.run_p90,
        })
        .collect())
}

/// Every figure of the page but the deadline's (which depends on the task chosen).
#[derive(Clone, Debug)]
pub struct Figures {
    /// The filter as ids, for the deadline chart's statement.
    pub resolved: Resolved,
    pub per_hour: Vec<(OffsetDateTime, i64)>,
    pub per_task: Vec<TaskFigures>,
    pub attempts: Vec<(i32, i64)>,
    pub times: Vec<Times>,
}

/// Reads the figures, the statements side by side on connections of their own.
pub async fn figures(db: &PgPool, filter: &Resolved, offset_seconds: i32) -> sqlx::Result<Figures> {
    let (per_hour, per_task, attempts, times) = tokio::try_join!(
        per_hour(db, filter),
        per_task(db, filter),
        attempts_until_passed(db, filter),
        times_per_day(db, filter, offset_seconds),
    )?;
    Ok(Figures { resolved: filter.clone(), per_hour, per_task, attempts, times })
}
