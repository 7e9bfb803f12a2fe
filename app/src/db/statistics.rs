//! The figures of the statistics page, each one statement over the students' solutions that
//! the filter picks (a category, a group, a range of days).

use sqlx::PgPool;
use time::{Date, OffsetDateTime};

/// Which solutions the figures are about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub category: Option<i64>,
    pub group: Option<i64>,
    pub from: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
}

/// A statement over `picked`: the students' solutions in the filter ($1 to $4), with its
/// task's category.
macro_rules! over_picked {
    ($select:literal, $filter:expr $(, $arg:expr)*) => {
        sqlx::query!(
            "with picked as (
                 select s.id, s.task_id, s.author_id, s.number, s.submitted_at, s.verdict
                 from solutions s join tasks t on t.id = s.task_id join users u on u.id = s.author_id
                 where u.role = 'student' and not t.removed
                   and ($1::bigint is null or t.category_id = $1)
                   and ($2::bigint is null or exists
                         (select 1 from group_members m where m.user_id = s.author_id and m.group_id = $2))
                   and ($3::timestamptz is null or s.submitted_at >= $3)
                   and ($4::timestamptz is null or s.submitted_at < $4)) " + $select,
            $filter.category,
            $filter.group,
            $filter.from,
            $filter.until
            $(, $arg)*
        )
    };
}

/// Solutions handed in per day (in `zone`, an IANA name).
pub async fn per_day(db: &PgPool, filter: &Filter, zone: &str) -> sqlx::Result<Vec<(Date, i64)>> {
    let rows = over_picked!(
        r#"select (submitted_at at time zone $5)::date as "day!", count(*) as "count!"
           from picked group by 1 order by 1"#,
        filter,
        zone
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.day, row.count)).collect())
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
pub async fn per_task(db: &PgPool, filter: &Filter) -> sqlx::Result<Vec<TaskFigures>> {
    let rows = over_picked!(
        r#"select t.id, t.title, t.deadline,
                  count(distinct p.author_id) as "students!",
                  count(distinct p.author_id) filter (where p.verdict = 'passed') as "passed_students!",
                  count(*) filter (where p.verdict = 'passed') as "passed!",
                  count(*) filter (where p.verdict = 'failed') as "failed!",
                  count(*) filter (where p.verdict = 'compile_error') as "compile_error!",
                  count(*) filter (where p.verdict = 'timeout') as "timeout!",
                  count(*) filter (where p.verdict = 'memory_exceeded') as "memory_exceeded!",
                  count(*) filter (where p.verdict = 'crashed') as "crashed!",
                  count(*) filter (where p.verdict = 'system_error') as "system_error!",
                  count(*) filter (where p.verdict is null) as "ungraded!"
           from picked p join tasks t on t.id = p.task_id join categories c on c.id = t.category_id
           group by t.id, c.display_order, c.name order by c.display_order, c.name, t.pubdate, t.title"#,
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
pub async fn attempts_until_passed(db: &PgPool, filter: &Filter) -> sqlx::Result<Vec<(i32, i64)>> {
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
    filter: &Filter,
    task_id: i64,
    deadline: OffsetDateTime,
    before: i32,
    after: i32,
) -> sqlx::Result<Vec<(i32, i64)>> {
    let rows = over_picked!(
        r#"select floor(extract(epoch from submitted_at - $6) / 3600)::int as "hour!", count(*) as "count!"
           from picked where task_id = $5
             and submitted_at >= $6 - make_interval(hours => $7) and submitted_at < $6 + make_interval(hours => $8)
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
    pub day: Date,
    pub wait_median: f64,
    pub wait_p90: f64,
    pub run_median: f64,
    pub run_p90: f64,
}

/// Per day: how long graded solutions waited for a runner (from handing in to the result,
/// less the run) and how long their run took.
pub async fn times_per_day(db: &PgPool, filter: &Filter, zone: &str) -> sqlx::Result<Vec<Times>> {
    let rows = over_picked!(
        r#"select day as "day!",
                  percentile_cont(0.5) within group (order by wait) as "wait_median!",
                  percentile_cont(0.9) within group (order by wait) as "wait_p90!",
                  percentile_cont(0.5) within group (order by run) as "run_median!",
                  percentile_cont(0.9) within group (order by run) as "run_p90!"
           from (select (p.submitted_at at time zone $5)::date as day, r.duration_ms / 1000.0::float8 as run,
                        greatest(extract(epoch from r.created_at - p.submitted_at)::float8 - r.duration_ms / 1000.0::float8, 0) as wait
                 from picked p join results r on r.solution_id = p.id) graded
           group by day order by day"#,
        filter,
        zone
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
    pub per_day: Vec<(Date, i64)>,
    pub per_task: Vec<TaskFigures>,
    pub attempts: Vec<(i32, i64)>,
    pub times: Vec<Times>,
}

/// Reads the figures, the statements side by side on connections of their own.
pub async fn figures(db: &PgPool, filter: &Filter, zone: &str) -> sqlx::Result<Figures> {
    let (per_day, per_task, attempts, times) = tokio::try_join!(
        per_day(db, filter, zone),
        per_task(db, filter),
        attempts_until_passed(db, filter),
        times_per_day(db, filter, zone),
    )?;
    Ok(Figures { per_day, per_task, attempts, times })
}
