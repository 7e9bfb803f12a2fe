//! Staff searches across the course: solutions by task, category, group, student, outcome and
//! date, newest or oldest first, one page at a time.

use inloop_plugin_api::report::Verdict;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::{solutions::SolutionStatus, stored::stored_verdict};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// What to look for among the solutions; every part is optional (`crate::finding` reads it
/// from the staff's query string).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SolutionSearch {
    pub task: Option<i64>,
    pub category: Option<i64>,
    pub group: Option<i64>,
    /// Part of a name or user name, or a whole matriculation number.
    pub student: String,
    /// Solutions in one of these statuses.
    pub statuses: Option<Vec<SolutionStatus>>,
    pub verdict: Option<Verdict>,
    pub from: Option<OffsetDateTime>,
    /// Exclusive.
    pub until: Option<OffsetDateTime>,
    pub author: Option<i64>,
    pub order: Order,
}

/// One solution in the staff list.
pub struct FoundSolution {
    pub id: i64,
    pub number: i32,
    pub submitted_at: OffsetDateTime,
    pub status: SolutionStatus,
    pub verdict: Option<Verdict>,
    pub task_id: i64,
    pub task_slug: String,
    pub task_title: String,
    pub author_id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
}

/// One page of the solutions the filter finds, and how many it finds in all (counted up to
/// [`COUNTED_AT_MOST`] + 1).
#[tracing::instrument(skip_all)]
pub async fn solutions(
    db: &PgPool,
    filter: &SolutionSearch,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Vec<FoundSolution>, i64)> {
    // The students first: a name that matches a few (or none) would otherwise make the
    // newest-first walk read the whole term before it has a page.
    let authors = if filter.student.is_empty() {
        None
    } else {
        let matching = users_matching(db, &filter.student).await?;
        if matching.is_empty() {
            return Ok((Vec::new(), 0));
        }
        Some(matching)
    };
    let statuses: Option<Vec<String>> = filter
        .statuses
        .as_ref()
        .map(|statuses| statuses.iter().map(|status| status.as_str().to_owned()).collect());
    let verdict = filter.verdict.map(Verdict::as_str);
    // The filters, given to each statement below as the same text (the query macros need literals).
    macro_rules! with_filters {
        ($page:ident!($($args:tt)*)) => {
            $page!(
                "($1::bigint is null or s.task_id = $1)
                 and ($2::bigint is null or exists
                       (select 1 from tasks t where t.id = s.task_id and t.category_id = $2))
                 and ($3::bigint is null or exists
                       (select 1 from group_members m where m.user_id = s.author_id and m.group_id = $3))
                 and ($4::bigint[] is null or s.author_id = any($4))
                 and ($5::text[] is null or s.status = any($5)) and ($6::text is null or s.verdict = $6)
                 and ($7::timestamptz is null or s.submitted_at >= $7)
                 and ($8::timestamptz is null or s.submitted_at < $8)
                 and ($9::bigint is null or s.author_id = $9)",
                $($args)*
            )
        };
    }
    // One statement per order and source, so that each uses its index: all solutions walked in
    // order, or (for a few students) each student's own page of solutions, merged.
    macro_rules! page {
        ($filters:tt, $order:tt, all) => {
            page!(@select ("select * from solutions s where " + $filters), $order)
        };
        ($filters:tt, $order:tt, by_author) => {
            page!(@select ("select mine.* from unnest($4::bigint[]) author(id) cross join lateral
                            (select * from solutions s where s.author_id = author.id and " + $filters + " "
                             + $order + " limit $10::bigint + $11::bigint) mine"), $order)
        };
        (@select ($($source:tt)+), $order:tt) => {
            sqlx::query!(
                r#"select s.id, s.number, s.submitted_at, s.status as "status: SolutionStatus", s.verdict,
                          t.id as task_id, t.slug as task_slug, t.title as task_title,
                          u.id as author_id, u.username, u.first_name, u.last_name, u.matriculation_number
                   from ("# + $($source)+ + r#") s join tasks t on t.id = s.task_id join users u on u.id = s.author_id
                   "# + $order + " offset $10 limit $11",
                filter.task,
                filter.category,
                filter.group,
                authors.as_deref(),
                statuses.as_deref(),
                verdict,
                filter.from,
                filter.until,
                filter.author,
                offset,
                limit
            )
            .fetch_all(db)
            .await?
            .into_iter()
            .map(|row| FoundSolution {
                id: row.id,
                number: row.number,
                submitted_at: row.submitted_at,
                status: row.status,
                verdict: stored_verdict(row.verdict),
                task_id: row.task_id,
                task_slug: row.task_slug,
                task_title: row.task_title,
                author_id: row.author_id,
                username: row.username,
                first_name: row.first_name,
                last_name: row.last_name,
                matriculation_number: row.matriculation_number,
            })
            .collect()
        };
    }
    // A student's page comes from their own index entries while there are few of them.
    let by_author =
        authors.as_ref().is_some_and(|authors| authors.len() <= AUTHORS_PAGED_ONE_BY_ONE);
    let rows: Vec<FoundSolution> = match (filter.order, by_author) {
        (Order::NewestFirst, false) => {
            with_filters!(page!("order by s.submitted_at desc, s.id desc", all))
        }
        (Order::OldestFirst, false) => with_filters!(page!("order by s.submitted_at, s.id", all)),
        (Order::NewestFirst, true) => {
            with_filters!(page!("order by s.submitted_at desc, s.id desc", by_author))
        }
        (Order::OldestFirst, true) => {
            with_filters!(page!("order by s.submitted_at, s.id", by_author))
        }
    };
    // Counted up to a bound: an exact count of a whole term's solutions would cost more than the
    // page itself, and nobody pages that far.
    macro_rules! count {
        ($filters:tt $(,)?) => {
            sqlx::query_scalar!(
                r#"select count(*) as "count!" from (select 1 from solutions s where "#
                    + $filters
                    + " limit $10) counted",
                filter.task,
                filter.category,
                filter.group,
                authors.as_deref(),
                statuses.as_deref(),
                verdict,
                filter.from,
                filter.until,
                filter.author,
                COUNTED_AT_MOST + 1
            )
            .fetch_one(db)
            .await?
        };
    }
    let total = with_filters!(count!());
    Ok((rows, total))
}

/// Everybody whose user name or name contains `text`, or whose matriculation number it is.
async fn users_matching(db: &PgPool, text: &str) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "select id from users
         where username ilike $2 or first_name || ' ' || last_name ilike $2 or matriculation_number = $1",
        text,
        super::contains_pattern(text)
    )
    .fetch_all(db)
    .await
}

/// Up to this many students found by a name, each one's solutions are read from their own
/// index entries; more, and the walk through all solutions in order is cheaper.
const AUTHORS_PAGED_ONE_BY_ONE: usize = 50;

/// Solutions counted at most for a list; more is said as "more than".
pub const COUNTED_AT_MOST: i64 = 10_000;

/// A task as a filter offers it.
pub struct TaskChoice {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub category: String,
}

/// Every task that has been in the course (disabled ones too: their solutions stay).
pub async fn task_choices(db: &PgPool) -> sqlx::Result<Vec<TaskChoice>> {
    sqlx::query_as!(
        TaskChoice,
        "select t.id, t.slug, t.title, c.name as category from tasks t join categories c on c.id = t.category_id
         where not t.removed or exists (select 1 from solutions s where s.task_id = t.id)
         order by c.display_order, c.name, t.title"
    )
    .fetch_all(db)
    .await
}

/// One task as the staff pages name it.
pub async fn task_choice(db: &PgPool, task_id: i64) -> sqlx::Result<Option<TaskChoice>> {
    sqlx::query_as!(
        TaskChoice,
        "select t.id, t.slug, t.title, c.name as category from tasks t join categories c on c.id = t.category_id
         where t.id = $1",
        task_id
    )
    .fetch_optional(db)
    .await
}

/// One student's standing in one task: what the student page and the task overview show.
pub struct Standing {
    pub task_id: i64,
    pub task_slug: String,
    pub task_title: String,
    pub user_id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
    pub attempts: i64,
    pub latest_id: Option<i64>,
    pub latest_status: Option<SolutionStatus>,
    pub latest_verdict: Option<Verdict>,
    pub latest_at: Option<OffsetDateTime>,
    pub first_passed_at: Option<OffsetDateTime>,
}

/// A [`Standing`] from a row of either standings query (each has its own record type).
macro_rules! standing {
    ($row:ident) => {
        Standing {
            task_id: $row.task_id,
            task_slug: $row.task_slug,
            task_title: $row.task_title,
            user_id: $row.user_id,
            username: $row.username,
            first_name: $row.first_name,
            last_name: $row.last_name,
            matriculation_number: $row.matriculation_number,
            attempts: $row.attempts,
            latest_id: $row.latest_id,
            latest_status: $row.latest_status,
            latest_verdict: stored_verdict($row.latest_verdict),
            latest_at: $row.latest_at,
            first_passed_at: $row.first_passed_at,
        }
    };
}

/// Every visible task with this student's attempts, latest outcome and first pass.
pub async fn standings_of_student(db: &PgPool, user_id: i64) -> sqlx::Result<Vec<Standing>> {
    let rows = sqlx::query!(
        r#"select t.id as task_id, t.slug as task_slug, t.title as task_title,
                  u.id as user_id, u.username, u.first_name, u.last_name, u.matriculation_number,
                  (select count(*) from solutions s where s.task_id = t.id and s.author_id = u.id) as "attempts!",
                  latest.id as "latest_id?", latest.status as "latest_status?: SolutionStatus",
                  latest.verdict as "latest_verdict?", latest.submitted_at as "latest_at?",
                  (select min(s.submitted_at) from solutions s
                    where s.task_id = t.id and s.author_id = u.id and s.verdict = 'passed') as first_passed_at
           from users u cross join tasks t join categories c on c.id = t.category_id
           left join lateral (select s.id, s.status, s.verdict, s.submitted_at from solutions s
                              where s.task_id = t.id and s.author_id = u.id order by s.number desc limit 1) latest on true
           where u.id = $1 and (not t.removed or latest.id is not null)
           order by c.display_order, c.name, t.title"#,
        user_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| standing!(row)).collect())
}

/// Every student (of a group, or matching a search) with their standing in one task; those
/// who never submitted too, so that staff see who has not started. Sorted by user name.
pub async fn standings_in_task(
    db: &PgPool,
    task_id: i64,
    group: Option<i64>,
    student: &str,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Vec<Standing>, StandingCounts)> {
    let pattern = super::contains_pattern(student);
    let counts = sqlx::query!(
        r#"select count(*) as "total!",
                  count(*) filter (where u.id in (select s.author_id from solutions s
                                                  where s.task_id = $1 and s.verdict = 'passed')) as "passed!"
           from users u
           where u.role = 'student'
             and ($2::bigint is null or exists
                   (select 1 from group_members m where m.user_id = u.id and m.group_id = $2))
             and ($3::text = '' or u.username ilike $4 or u.first_name || ' ' || u.last_name ilike $4
                  or u.matriculation_number = $3)
             and (u.is_active or exists (select 1 from solutions s where s.author_id = u.id and s.task_id = $1))"#,
        task_id,
        group,
        student,
        pattern
    )
    .fetch_one(db)
    .await?;
    let rows = sqlx::query!(
        r#"select t.id as task_id, t.slug as task_slug, t.title as task_title,
                  u.id as user_id, u.username, u.first_name, u.last_name, u.matriculation_number,
                  (select count(*) from solutions s where s.task_id = t.id and s.author_id = u.id) as "attempts!",
                  latest.id as "latest_id?", latest.status as "latest_status?: SolutionStatus",
                  latest.verdict as "latest_verdict?", latest.submitted_at as "latest_at?",
                  (select min(s.submitted_at) from solutions s
                    where s.task_id = t.id and s.author_id = u.id and s.verdict = 'passed') as first_passed_at
           -- The page of students first: what is worked out per student is worked out for them only.
           from (select u.id, u.username, u.first_name, u.last_name, u.matriculation_number from users u
                 where u.role = 'student'
                   and ($2::bigint is null or exists
                         (select 1 from group_members m where m.user_id = u.id and m.group_id = $2))
                   and ($3::text = '' or u.username ilike $4 or u.first_name || ' ' || u.last_name ilike $4
                        or u.matriculation_number = $3)
                   and (u.is_active or exists (select 1 from solutions s where s.author_id = u.id and s.task_id = $1))
                 order by lower(u.username) offset $5 limit $6) u
           join tasks t on t.id = $1
           left join lateral (select s.id, s.status, s.verdict, s.submitted_at from solutions s
                              where s.task_id = t.id and s.author_id = u.id order by s.number desc limit 1) latest on true
           order by lower(u.username)"#,
        task_id,
        group,
        student,
        pattern,
        offset,
        limit
    )
    .fetch_all(db)
    .await?;
    let rows = rows.into_iter().map(|row| standing!(row)).collect();
    Ok((rows, StandingCounts { students: counts.total, passed: counts.passed }))
}

/// How many students the task overview shows, and how many of them have passed the task.
#[derive(Clone, Copy, Debug)]
pub struct StandingCounts {
    pub students: i64,
    pub passed: i64,
}

/// One student's solution as a task's download holds it.
pub struct Handed {
    pub solution_id: i64,
    pub number: i32,
    pub submitted_at: OffsetDateTime,
    pub verdict: Option<Verdict>,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
}

/// Every student's latest solution of a task (their latest passed one, with `only_passed`), by
/// user name.
pub async fn latest_of_each_student(
    db: &PgPool,
    task_id: i64,
    only_passed: bool,
) -> sqlx::Result<Vec<Handed>> {
    let rows = sqlx::query!(
        r#"select distinct on (u.username) s.id, s.number, s.submitted_at, s.verdict,
                  u.username, u.first_name, u.last_name, u.matriculation_number
           from solutions s join users u on u.id = s.author_id
           where s.task_id = $1 and (not $2 or s.verdict = 'passed')
           order by u.username, s.number desc"#,
        task_id,
        only_passed
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Handed {
            solution_id: row.id,
            number: row.number,
            submitted_at: row.submitted_at,
            verdict: stored_verdict(row.verdict),
            username: row.username,
            first_name: row.first_name,
            last_name: row.last_name,
            matriculation_number: row.matriculation_number,
        })
        .collect())
}

/// The files of these solutions, in order of solution and name.
pub async fn files_of(
    db: &PgPool,
    solution_ids: &[i64],
) -> sqlx::Result<Vec<(i64, String, Vec<u8>)>> {
    let rows = sqlx::query!(
        "select solution_id, name, contents from solution_files where solution_id = any($1)
         order by solution_id, name",
        solution_ids
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|row| (row.solution_id, row.name, row.contents)).collect())
}
