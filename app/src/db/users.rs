//! Users: accounts, roles, profiles.

use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Student,
    Staff,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Student, Role::Staff, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Staff pages are open to staff and admins.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Staff | Role::Admin)
    }
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub is_active: bool,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
    pub course_id: Option<i64>,
    pub ownwork_confirmed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
}

impl User {
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name, self.last_name);
        let full = full.trim();
        if full.is_empty() { self.username.clone() } else { full.to_owned() }
    }

    pub fn profile_is_complete(&self) -> bool {
        !self.first_name.is_empty()
            && !self.last_name.is_empty()
            && !self.matriculation_number.is_empty()
    }
}

struct UserRow {
    id: i64,
    username: String,
    email: String,
    password_hash: String,
    role: String,
    is_active: bool,
    first_name: String,
    last_name: String,
    matriculation_number: String,
    course_id: Option<i64>,
    ownwork_confirmed_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    last_login_at: Option<OffsetDateTime>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            username: row.username,
            email: row.email,
            password_hash: row.password_hash,
            // The column's check constraint admits only the three roles.
            role: Role::parse(&row.role).unwrap_or(Role::Student),
            is_active: row.is_active,
            first_name: row.first_name,
            last_name: row.last_name,
            matriculation_number: row.matriculation_number,
            course_id: row.course_id,
            ownwork_confirmed_at: row.ownwork_confirmed_at,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        }
    }
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn find_by_id(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Option<User>> {
    let row = sqlx::query_as!(
        UserRow,
        "select id, username, email, password_hash, role, is_active, first_name, last_name,
                matriculation_number, course_id, ownwork_confirmed_at, created_at, last_login_at
         from users where id = $1",
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(User::from))
}

/// Finds a user by user name, ignoring case.
#[tracing::instrument(skip_all)]
pub async fn find_by_username(
    db: impl PgExecutor<'_>,
    username: &str,
) -> sqlx::Result<Option<User>> {
    let row = sqlx::query_as!(
        UserRow,
        "select id, username, email, password_hash, role, is_active, first_name, last_name,
                matriculation_number, course_id, ownwork_confirmed_at, created_at, last_login_at
         from users where lower(username) = lower($1)",
        username
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(User::from))
}

/// Finds a user by e-mail address, ignoring case.
#[tracing::instrument(skip_all)]
pub async fn find_by_email(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<Option<User>> {
    let row = sqlx::query_as!(
        UserRow,
        "select id, username, email, password_hash, role, is_active, first_name, last_name,
                matriculation_number, course_id, ownwork_confirmed_at, created_at, last_login_at
         from users where lower(email) = lower($1)",
        email
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(User::from))
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub is_active: bool,
    pub privacy_consent: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    #[error("A user with that username already exists.")]
    DuplicateUsername,
    #[error("This email address is already in use.")]
    DuplicateEmail,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl InsertUserError {
    /// A taken user name or address is said as such; anything else is the database's error.
    fn from_insert(err: sqlx::Error) -> InsertUserError {
        if super::is_unique_violation(&err, "users_username_key") {
            InsertUserError::DuplicateUsername
        } else if super::is_unique_violation(&err, "users_email_key") {
            InsertUserError::DuplicateEmail
        } else {
            InsertUserError::Db(err)
        }
    }
}

#[tracing::instrument(skip_all, fields(username = new_user.username))]
pub async fn insert(
    db: impl PgExecutor<'_>,
    new_user: &NewUser<'_>,
) -> Result<i64, InsertUserError> {
    let consent_at = new_user.privacy_consent.then(OffsetDateTime::now_utc);
    let inserted = sqlx::query_scalar!(
        "insert into users (username, email, password_hash, role, is_active, privacy_consent_at, course_id)
         values ($1, $2, $3, $4, $5, $6, (select id from courses where name = 'Other'))
         returning id",
        new_user.username,
        new_user.email,
        new_user.password_hash,
        new_user.role.as_str(),
        new_user.is_active,
        consent_at
    )
    .fetch_one(db)
    .await;
    inserted.map_err(InsertUserError::from_insert)
}

/// An account staff create for a student: active, without a password until the student sets
/// one by the mailed link.
pub struct NewStudentRow<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub matriculation_number: &'a str,
    pub password_hash: &'a str,
}

pub async fn insert_student(
    db: impl PgExecutor<'_>,
    student: &NewStudentRow<'_>,
) -> Result<i64, InsertUserError> {
    let inserted = sqlx::query_scalar!(
        "insert into users (username, email, password_hash, role, is_active, first_name, last_name,
                            matriculation_number, course_id)
         values ($1, $2, $3, 'student', true, $4, $5, $6, (select id from courses where name = 'Other'))
         returning id",
        student.username,
        student.email,
        student.password_hash,
        student.first_name,
        student.last_name,
        student.matriculation_number
    )
    .fetch_one(db)
    .await;
    inserted.map_err(InsertUserError::from_insert)
}

/// Which of these user names and e-mail addresses have accounts, lower-cased.
pub async fn taken_among(
    db: &PgPool,
    usernames: &[String],
    emails: &[String],
) -> sqlx::Result<(std::collections::HashSet<String>, std::collections::HashSet<String>)> {
    let lowered =
        |values: &[String]| values.iter().map(|value| value.to_lowercase()).collect::<Vec<_>>();
    let names = sqlx::query_scalar!(
        r#"select lower(username) as "name!" from users where lower(username) = any($1)"#,
        &lowered(usernames)
    )
    .fetch_all(db)
    .await?;
    let addresses = sqlx::query_scalar!(
        r#"select lower(email) as "email!" from users where lower(email) = any($1)"#,
        &lowered(emails)
    )
    .fetch_all(db)
    .await?;
    Ok((names.into_iter().collect(), addresses.into_iter().collect()))
}

pub async fn username_taken(db: impl PgExecutor<'_>, username: &str) -> sqlx::Result<bool> {
    let taken = sqlx::query_scalar!(
        r#"select exists(select 1 from users where lower(username) = lower($1)) as "taken!""#,
        username
    )
    .fetch_one(db)
    .await?;
    Ok(taken)
}

pub async fn email_taken(db: impl PgExecutor<'_>, email: &str) -> sqlx::Result<bool> {
    let taken = sqlx::query_scalar!(
        r#"select exists(select 1 from users where lower(email) = lower($1)) as "taken!""#,
        email
    )
    .fetch_one(db)
    .await?;
    Ok(taken)
}

/// Activates an inactive account; false when there was nothing to activate.
#[tracing::instrument(skip_all, fields(user_id))]
pub async fn activate(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    let result =
        sqlx::query!("update users set is_active = true where id = $1 and not is_active", user_id)
            .execute(db)
            .await?;
    Ok(result.rows_affected() == 1)
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn set_password(
    db: impl PgExecutor<'_>,
    user_id: i64,
    password_hash: &str,
) -> sqlx::Result<()> {
    sqlx::query!("update users set password_hash = $2 where id = $1", user_id, password_hash)
        .execute(db)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn record_login(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<()> {
    sqlx::query!("update users set last_login_at = now() where id = $1", user_id)
        .execute(db)
        .await?;
    Ok(())
}

pub struct Profile<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub matriculation_number: &'a str,
    pub course_id: Option<i64>,
}

/// Changes the account's e-mail address; false when another account has it.
pub async fn set_email(db: impl PgExecutor<'_>, user_id: i64, email: &str) -> sqlx::Result<bool> {
    match sqlx::query!("update users set email = $2 where id = $1", user_id, email)
        .execute(db)
        .await
    {
        Ok(_) => Ok(true),
        Err(err) if super::is_unique_violation(&err, "users_email_key") => Ok(false),
        Err(err) => Err(err),
    }
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn update_profile(
    db: impl PgExecutor<'_>,
    user_id: i64,
    profile: &Profile<'_>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set first_name = $2, last_name = $3, matriculation_number = $4,
                course_id = coalesce($5, course_id)
         where id = $1",
        user_id,
        profile.first_name,
        profile.last_name,
        profile.matriculation_number,
        profile.course_id
    )
    .execute(db)
    .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn confirm_ownwork(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<()> {
    sqlx::query!("update users set ownwork_confirmed_at = now() where id = $1", user_id)
        .execute(db)
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all, fields(user_id))]
pub async fn set_role_and_active(
    db: impl PgExecutor<'_>,
    user_id: i64,
    role: Role,
    is_active: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update users set role = $2, is_active = $3 where id = $1",
        user_id,
        role.as_str(),
        is_active
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn count_admins(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    let count = sqlx::query_scalar!(
        r#"select count(*) as "count!" from users where role = 'admin' and is_active"#
    )
    .fetch_one(db)
    .await?;
    Ok(count)
}

/// A row of the staff's user list.
pub struct Listed {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub role: String,
    pub is_active: bool,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
    pub groups: Vec<String>,
    pub created_at: OffsetDateTime,
    pub last_login_at: Option<OffsetDateTime>,
}

/// Users whose name, user name, e-mail or matriculation number contain `search`.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &PgPool,
    search: &str,
    role: Option<Role>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<(Vec<Listed>, i64)> {
    let pattern = super::contains_pattern(search);
    let role = role.map(Role::as_str);
    let total = sqlx::query_scalar!(
        r#"select count(*) as "count!" from users
           where (username ilike $1 or email ilike $1 or first_name || ' ' || last_name ilike $1
                  or matriculation_number ilike $1)
             and ($2::text is null or role = $2)"#,
        pattern,
        role
    )
    .fetch_one(db)
    .await?;
    let rows = sqlx::query_as!(
        Listed,
        r#"select u.id, u.username, u.email, u.role, u.is_active, u.first_name, u.last_name,
                  u.matriculation_number, u.created_at, u.last_login_at,
                  coalesce(array_agg(g.name order by g.name) filter (where g.id is not null), '{}') as "groups!"
           from users u
           left join group_members m on m.user_id = u.id
           left join groups g on g.id = m.group_id
           where (u.username ilike $1 or u.email ilike $1 or u.first_name || ' ' || u.last_name ilike $1
                  or u.matriculation_number ilike $1)
             and ($2::text is null or u.role = $2)
           group by u.id
           order by lower(u.username)
           offset $3 limit $4"#,
        pattern,
        role,
        offset,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok((rows, total))
}

pub struct RoleCount {
    pub role: String,
    pub active: i64,
    pub inactive: i64,
}

pub async fn count_by_role(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<RoleCount>> {
    sqlx::query_as!(
        RoleCount,
        r#"select role, count(*) filter (where is_active) as "active!",
                  count(*) filter (where not is_active) as "inactive!"
           from users group by role order by role"#
    )
    .fetch_all(db)
    .await
}

/// Deletes accounts that were never activated within `days` of signing up.
#[tracing::instrument(skip_all)]
pub async fn prune_unactivated(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<u64> {
    let result = sqlx::query!(
        "delete from users where not is_active and last_login_at is null
           and created_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// What goes with an account when it is deleted.
pub struct Footprint {
    pub solutions: i64,
    pub checkpoints: i64,
    pub extensions: i64,
    pub groups: i64,
}

pub async fn footprint(db: &PgPool, user_id: i64) -> sqlx::Result<Footprint> {
    sqlx::query_as!(
        Footprint,
        r#"select (select count(*) from solutions where author_id = $1) as "solutions!",
                  (select count(*) from checkpoints where user_id = $1) as "checkpoints!",
                  (select count(*) from extensions where user_id = $1) as "extensions!",
                  (select count(*) from group_members where user_id = $1) as "groups!""#,
        user_id
    )
    .fetch_one(db)
    .await
}

/// Deletes the account with everything that is the student's: personal data, solutions with
/// their files and results, checkpoints, extensions, memberships. What the account did as staff
/// stays, without it (the audit log keeps its name). False when there was no such account.
pub async fn delete(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    let deleted = sqlx::query!("delete from users where id = $1", user_id).execute(db).await?;
    Ok(deleted.rows_affected() == 1)
}
