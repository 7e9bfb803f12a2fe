//! Applying what a sync loaded: which tasks are new, changed, unchanged, disabled or gone, and
//! which cannot have an address; `db` only stores the rows this decides.

use sqlx::PgConnection;

use super::{loader::Loaded, slug::slugify};
use crate::db;

/// What a sync did to one task folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskOutcome {
    Loaded,
    Updated,
    Unchanged,
    Disabled,
    Removed,
    Problem(String),
}

impl TaskOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            TaskOutcome::Loaded => "loaded",
            TaskOutcome::Updated => "updated",
            TaskOutcome::Unchanged => "unchanged",
            TaskOutcome::Disabled => "disabled",
            TaskOutcome::Removed => "removed",
            TaskOutcome::Problem(_) => "problem",
        }
    }
}

/// Writes what a sync loaded into the database, in the caller's transaction. Tasks that vanished
/// from the repository are marked removed, never deleted: solutions refer to them.
#[tracing::instrument(skip_all, fields(repository_id))]
pub async fn apply_sync(
    conn: &mut PgConnection,
    repository_id: i64,
    revision: &str,
    loaded: &Loaded,
) -> sqlx::Result<Vec<(String, TaskOutcome)>> {
    let mut outcomes: Vec<(String, TaskOutcome)> = Vec::new();
    let mut problems: Vec<(String, String)> = loaded
        .problems
        .iter()
        .map(|problem| (problem.task.clone(), problem.message.clone()))
        .collect();
    let mut present: Vec<String> = Vec::new();
    for task in &loaded.tasks {
        if db::tasks::slug_taken_elsewhere(conn, &task.slug, repository_id, &task.system_name)
            .await?
        {
            let message = format!(
                "its title gives the address '{}', which another task already has",
                task.slug
            );
            problems.push((task.system_name.clone(), message));
            continue;
        }
        present.push(task.system_name.clone());
        let category_id = ensure_category(conn, &task.category).await?;
        let previous = db::tasks::stored_version(conn, repository_id, &task.system_name).await?;
        let row = db::tasks::TaskRow {
            system_name: &task.system_name,
            slug: &task.slug,
            title: &task.title,
            category_id,
            description: &task.description,
            pubdate: task.pubdate,
            deadline: task.deadline,
            max_submissions: task.max_submissions,
            group: task.group.as_deref(),
            runner: &task.runner,
            file_patterns: &task.file_patterns,
            limits: task.limits.as_ref(),
            has_solution: task.has_solution,
            disabled: task.disabled,
            content_hash: &task.content_hash,
        };
        let task_id = db::tasks::upsert(conn, repository_id, revision, &row).await?;
        let changed = previous
            .as_ref()
            .is_none_or(|stored| stored.content_hash != task.content_hash || stored.removed);
        if changed {
            db::tasks::replace_templates(conn, task_id, &task.templates).await?;
        }
        let outcome = match (&previous, changed) {
            _ if task.disabled => TaskOutcome::Disabled,
            (None, _) => TaskOutcome::Loaded,
            (Some(_), true) => TaskOutcome::Updated,
            (Some(_), false) => TaskOutcome::Unchanged,
        };
        outcomes.push((task.system_name.clone(), outcome));
    }
    let removed = db::tasks::mark_removed_except(conn, repository_id, &present).await?;
    outcomes.extend(removed.into_iter().map(|name| (name, TaskOutcome::Removed)));
    db::tasks::replace_sync_problems(conn, repository_id, &problems).await?;
    outcomes.extend(
        problems
            .iter()
            .map(|(task, message)| (task.clone(), TaskOutcome::Problem(message.clone()))),
    );
    let summary = format!(
        "{} task(s) loaded or updated, {} problem(s)",
        outcomes
            .iter()
            .filter(|(_, o)| matches!(o, TaskOutcome::Loaded | TaskOutcome::Updated))
            .count(),
        problems.len()
    );
    db::repositories::record_sync(conn, repository_id, revision, &summary).await?;
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(outcomes)
}

/// The category with this name, made if it does not exist yet, with an address of its own.
async fn ensure_category(conn: &mut PgConnection, name: &str) -> sqlx::Result<i64> {
    if let Some(id) = db::tasks::category_id(conn, name).await? {
        return Ok(id);
    }
    let base = match slugify(name) {
        slug if slug.is_empty() => "category".to_owned(),
        slug => slug,
    };
    let mut slug = base.clone();
    let mut suffix = 2;
    while db::tasks::category_slug_taken(conn, &slug).await? {
        slug = format!("{base}-{suffix}");
        suffix += 1;
    }
    db::tasks::insert_category(conn, name, &slug).await
}
