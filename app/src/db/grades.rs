//! What the grade export reads: the students with the columns staff may choose, the tasks of
//! a category, and per student and task the facts the counting rules need.

use inloop_plugin_api::report::Verdict;
use sqlx::PgExecutor;
use time::OffsetDateTime;

use super::stored::stored_verdict;

/// A student as the export may show them.
#[derive(Debug, Clone)]
pub struct Student {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub matriculation_number: String,
    /// Their groups' names, joined by ", ".
    pub groups: String,
    pub course: String,
}

/// Every student (active or not), or the members of one group, by last name, first name and
/// user name.
pub async fn students(db: impl PgExecutor<'_>, group: Option<i64>) -> sqlx::Result<Vec<Student>> {
    sqlx::query_as!(
        Student,
        r#"select u.id, u.username, u.first_name, u.last_name, u.email, u.matriculation_number,
                  coalesce((select string_agg(g.name, ', ' order by g.name) from group_members m
                            join groups g on g.id = m.group_id where m.user_id = u.id), '') as "groups!",
                  coalesce(c.name, '') as "course!"
           from users u left join courses c on c.id = u.course_id
           where u.role = 'student'
             and ($1::bigint is null or exists (select 1 from group_members m where m.user_id = u.id and m.group_id = $1))
           order by lower(u.last_name), lower(u.first_name), u.username"#,
        group
    )
    .fetch_all(db)
    .await
}

/// A task as a column of the export.
#[derive(Debug, Clone)]
pub struct TaskColumn {
    pub id: i64,
    pub slug: String,
    pub title: String,
}

/// The tasks of a category (every category's without one) that are still in the course, in
/// the order students see them.
pub async fn tasks(
    db: impl PgExecutor<'_>,
    category: Option<i64>,
) -> sqlx::Result<Vec<TaskColumn>> {
    sqlx::query_as!(
        TaskColumn,
        "select t.id, t.slug, t.title from tasks t join categories c on c.id = t.category_id
         where not t.removed and ($1::bigint is null or t.category_id = $1)
         order by c.display_order, c.name, t.pubdate, t.title",
        category
    )
    .fetch_all(db)
    .await
}

/// One student's solutions of one task, as far as the export's rules need them.
#[derive(Debug)]
pub struct Facts {
    pub student_id: i64,
    pub task_id: i64,
    /// Solutions that count: graded (not a system error), submitted from `since` on and by the
    /// student's own deadline (with their extensions and the site's tolerance).
    pub counted: i64,
    pub any_passed: bool,
    /// The verdict of the last solution that counts (`None`: not graded, or none counts).
    pub last_verdict: Option<Verdict>,
}

/// The facts of every student who has a solution of these tasks.
pub async fn facts(
    db: impl PgExecutor<'_>,
    task_ids: &[i64],
    since: Option<OffsetDateTime>,
    tolerance_seconds: i32,
) -> sqlx::Result<Vec<Facts>> {
    let rows = sqlx::query!(
        r#"with counted as (
               select s.author_id, s.task_id, s.number, s.verdict
               from solutions s
               join tasks t on t.id = s.task_id
               join users u on u.id = s.author_id and u.role = 'student'
               left join lateral (
                   select max(e.deadline) as deadline from extensions e
                   where e.user_id = s.author_id and (e.task_id = t.id or e.category_id = t.category_id)) x on true
               where s.task_id = any($1)
                 -- Only graded solutions count: one our side could not grade, or still
                 -- waiting, neither passes nor fails a student.
                 and s.status = 'done' and s.verdict is not null and s.verdict <> 'system_error'
                 and ($2::timestamptz is null or s.submitted_at >= $2)
                 and (t.deadline is null
                      or s.submitted_at <= greatest(t.deadline, x.deadline) + make_interval(secs => $3)))
           select author_id, task_id, count(*) as "counted!",
                  coalesce(bool_or(verdict = 'passed'), false) as "any_passed!",
                  (array_agg(verdict order by number desc))[1] as last_verdict
           from counted group by author_id, task_id"#,
        task_ids,
        since,
        f64::from(tolerance_seconds)
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Facts {
            student_id: row.author_id,
            task_id: row.task_id,
            counted: row.counted,
            any_passed: row.any_passed,
            last_verdict: stored_verdict(row.last_verdict),
        })
        .collect())
}
