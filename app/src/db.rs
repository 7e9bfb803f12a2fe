//! PostgreSQL access: the pool, migrations, and one module of queries per aggregate.

pub mod audit;
pub mod checkpoints;
pub mod courses;
pub mod grades;
pub mod groups;
pub mod overrides;
pub mod plagiarism;
pub mod repositories;
pub mod retests;
pub mod search;
pub mod site_settings;
pub mod solutions;
pub mod statistics;
mod stored;
pub mod tasks;
pub mod users;

use std::{collections::HashSet, time::Duration};

use anyhow::Context;
use sqlx::{PgPool, migrate::Migrator, postgres::PgPoolOptions};

/// A pattern for `ilike` that finds `text` anywhere, with its own `%`, `_` and `\\` taken
/// literally.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .context("cannot connect to PostgreSQL (setting database_url, INLOOP_DATABASE_URL)")
}

/// Refuses to serve a database whose schema differs from what this build expects.
pub async fn ensure_migrated(pool: &PgPool) -> anyhow::Result<()> {
    let applied: Vec<i64> = match sqlx::query_scalar(
        "select version from _sqlx_migrations where success order by version",
    )
    .fetch_all(pool)
    .await
    {
        Ok(versions) => versions,
        Err(sqlx::Error::Database(err)) if err.code().as_deref() == Some("42P01") => Vec::new(),
        Err(err) => return Err(err).context("cannot read the migration table"),
    };
    let applied: HashSet<i64> = applied.into_iter().collect();
    let missing: Vec<String> = MIGRATOR
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
        .map(|migration| format!("{} {}", migration.version, migration.description))
        .collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "the database is not migrated ({} migration(s) missing: {}); run `inloop migrate` first",
            missing.len(),
            missing.join(", ")
        );
    }
    let known: HashSet<i64> = MIGRATOR.iter().map(|migration| migration.version).collect();
    if let Some(newer) = applied.iter().find(|version| !known.contains(version)) {
        anyhow::bail!(
            "the database has migration {newer}, which this build of inloop does not know; run a newer inloop"
        );
    }
    Ok(())
}

/// Inserting a row whose name must be unique (groups, courses of study).
#[derive(Debug, thiserror::Error)]
pub enum InsertNamedError {
    #[error("the name is taken")]
    NameTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl InsertNamedError {
    fn from_insert(err: sqlx::Error, unique_index: &str) -> Self {
        if is_unique_violation(&err, unique_index) { Self::NameTaken } else { Self::Db(err) }
    }
}

/// True when the error is a unique violation of the named constraint or index.
pub fn is_unique_violation(err: &sqlx::Error, constraint: &str) -> bool {
    match err {
        sqlx::Error::Database(db_err) => {
            db_err.is_unique_violation() && db_err.constraint() == Some(constraint)
        }
        _ => false,
    }
}
