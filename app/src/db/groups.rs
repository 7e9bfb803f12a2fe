//! Groups: which students see which tasks.

use rand::seq::IndexedRandom;
use sqlx::{PgConnection, PgExecutor};

pub struct GroupSummary {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<GroupSummary>> {
    sqlx::query_as!(
        GroupSummary,
        r#"select g.id, g.name, count(m.user_id) as "members!"
           from groups g left join group_members m on m.group_id = g.id
           group by g.id order by lower(g.name)"#
    )
    .fetch_all(db)
    .await
}

pub async fn create(db: impl PgExecutor<'_>, name: &str) -> Result<i64, super::InsertNamedError> {
    sqlx::query_scalar!("insert into groups (name) values ($1) returning id", name)
        .fetch_one(db)
        .await
        .map_err(|err| super::InsertNamedError::from_insert(err, "groups_name_key"))
}

/// Deletes a group (its members stay); its name, or `None` when there is no such group.
pub async fn delete(db: impl PgExecutor<'_>, group_id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!("delete from groups where id = $1 returning name", group_id)
        .fetch_optional(db)
        .await
}

/// The names of the groups the user is in, sorted.
pub async fn names_of_user(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "select g.name from groups g join group_members m on m.group_id = g.id
         where m.user_id = $1 order by lower(g.name)",
        user_id
    )
    .fetch_all(db)
    .await
}

/// The ids of the groups the user is in.
pub async fn of_user(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!("select group_id from group_members where user_id = $1", user_id)
        .fetch_all(db)
        .await
}

/// Makes the user a member of exactly these groups.
pub async fn set_for_user(
    db: &mut PgConnection,
    user_id: i64,
    group_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from group_members where user_id = $1 and group_id <> all($2)",
        user_id,
        group_ids
    )
    .execute(&mut *db)
    .await?;
    sqlx::query!(
        "insert into group_members (user_id, group_id)
         select $1, id from groups where id = any($2)
         on conflict do nothing",
        user_id,
        group_ids
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Puts a user who is in no group into a random one of the named groups. Names that match no
/// group are skipped with a warning. Returns the name of the group joined, if any.
pub async fn auto_assign(
    db: &mut PgConnection,
    user_id: i64,
    names: &[&str],
) -> sqlx::Result<Option<String>> {
    if names.is_empty() {
        return Ok(None);
    }
    let in_a_group = sqlx::query_scalar!(
        r#"select exists(select 1 from group_members where user_id = $1) as "in_group!""#,
        user_id
    )
    .fetch_one(&mut *db)
    .await?;
    if in_a_group {
        return Ok(None);
    }
    let lowered: Vec<String> = names.iter().map(|name| name.to_lowercase()).collect();
    let candidates =
        sqlx::query!("select id, name from groups where lower(name) = any($1)", &lowered)
            .fetch_all(&mut *db)
            .await?;
    if candidates.len() < names.len() {
        tracing::warn!(
            configured = ?names,
            "some groups named in the auto-assign setting do not exist"
        );
    }
    let Some(chosen) = candidates.choose(&mut rand::rng()) else {
        return Ok(None);
    };
    sqlx::query!(
        "insert into group_members (user_id, group_id) values ($1, $2) on conflict do nothing",
        user_id,
        chosen.id
    )
    .execute(&mut *db)
    .await?;
    Ok(Some(chosen.name.clone()))
}

/// Adds the user to the group of this name (as the database spells it); false when there is none.
pub async fn add_member_by_name(
    db: impl PgExecutor<'_>,
    user_id: i64,
    group_name: &str,
) -> sqlx::Result<bool> {
    let added = sqlx::query!(
        "insert into group_members (user_id, group_id)
         select $1, id from groups where name = $2 on conflict do nothing",
        user_id,
        group_name
    )
    .execute(db)
    .await?;
    Ok(added.rows_affected() == 1)
}

pub struct Member {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
}

/// The group's name and members, by user name.
pub async fn with_members(
    db: &sqlx::PgPool,
    group_id: i64,
) -> sqlx::Result<Option<(String, Vec<Member>)>> {
    let Some(name) = sqlx::query_scalar!("select name from groups where id = $1", group_id)
        .fetch_optional(db)
        .await?
    else {
        return Ok(None);
    };
    let members = sqlx::query_as!(
        Member,
        "select u.id, u.username, u.first_name, u.last_name, u.matriculation_number
         from group_members m join users u on u.id = m.user_id
         where m.group_id = $1 order by lower(u.username)",
        group_id
    )
    .fetch_all(db)
    .await?;
    Ok(Some((name, members)))
}

/// Renames a group; its old name, or `None` when there is no such group.
pub async fn rename(
    db: impl PgExecutor<'_>,
    group_id: i64,
    name: &str,
) -> Result<Option<String>, super::InsertNamedError> {
    sqlx::query_scalar!(
        "update groups g set name = $2 from groups old where g.id = $1 and old.id = g.id returning old.name",
        group_id,
        name
    )
    .fetch_optional(db)
    .await
    .map_err(|err| super::InsertNamedError::from_insert(err, "groups_name_key"))
}

/// Active students in no group, locked against a second assignment running at once.
pub async fn students_without_group(conn: &mut PgConnection) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "select u.id from users u
         where u.role = 'student' and u.is_active
           and not exists (select 1 from group_members m where m.user_id = u.id)
         order by u.id for update of u"
    )
    .fetch_all(&mut *conn)
    .await
}

pub async fn add_members(
    conn: &mut PgConnection,
    group_id: i64,
    user_ids: &[i64],
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into group_members (user_id, group_id) select unnest($2::bigint[]), $1 on conflict do nothing",
        group_id,
        user_ids
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The titles of the tasks (not removed) limited to a group of this name.
pub async fn tasks_naming(db: impl PgExecutor<'_>, group_name: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "select title from tasks where not removed and lower(group_name) = lower($1) order by title",
        group_name
    )
    .fetch_all(db)
    .await
}
