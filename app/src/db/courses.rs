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
