//! Courses of study a student picks in the profile.

use sqlx::PgExecutor;

pub struct Course {
    pub id: i64,
    pub name: String,
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Course>> {
    sqlx::query_as!(Course, "select id, name from courses order by name = 'Other', lower(name)")
        .fetch_all(db)
        .await
}

pub async fn exists(db: impl PgExecutor<'_>, course_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from courses where id = $1) as "exists!""#,
        course_id
    )
    .fetch_one(db)
    .await
}

pub async fn create(db: impl PgExecutor<'_>, name: &str) -> Result<i64, super::InsertNamedError> {
    sqlx::query_scalar!("insert into courses (name) values ($1) returning id", name)
        .fetch_one(db)
        .await
        .map_err(|err| super::InsertNamedError::from_insert(err, "courses_name_key"))
}

/// The course every account starts in; it can be neither renamed nor deleted.
pub const DEFAULT_COURSE: &str = "Other";

pub struct CourseUse {
    pub id: i64,
    pub name: String,
    pub students: i64,
}

pub async fn list_with_students(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<CourseUse>> {
    sqlx::query_as!(
        CourseUse,
        r#"select c.id, c.name, count(u.id) as "students!"
           from courses c left join users u on u.course_id = c.id
           group by c.id order by c.name = 'Other', lower(c.name)"#
    )
    .fetch_all(db)
    .await
}

/// Renames a course (not the default one); its old name, or `None` when there is no such course.
pub async fn rename(
    db: impl PgExecutor<'_>,
    course_id: i64,
    name: &str,
) -> Result<Option<String>, super::InsertNamedError> {
    sqlx::query_scalar!(
        "update courses c set name = $2 from courses old
         where c.id = $1 and old.id = c.id and old.name <> 'Other' returning old.name",
        course_id,
        name
    )
    .fetch_optional(db)
    .await
    .map_err(|err| super::InsertNamedError::from_insert(err, "courses_name_key"))
}

/// Deletes a course nobody studies (never the default one); its name, if it went.
pub async fn delete_unused(
    db: impl PgExecutor<'_>,
    course_id: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "delete from courses c where c.id = $1 and c.name <> 'Other'
           and not exists (select 1 from users u where u.course_id = c.id)
         returning c.name",
        course_id
    )
    .fetch_optional(db)
    .await
}
