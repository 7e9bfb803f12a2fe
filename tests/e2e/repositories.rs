//! Task repositories synced from real Git repositories into the real database.

use std::path::Path;

use inloop_app::{
    db,
    taskrepo::{self, TaskSource, apply::TaskOutcome},
};
use inloop_tests::{GitRepo, fresh_database};

fn meta(title: &str, category: &str) -> String {
    format!(
        r#"{{"title": "{title}", "category": "{category}", "pubdate": "2026-01-01 08:00:00", "runner": "python"}}"#
    )
}

fn source(task_dir: &Path) -> TaskSource {
    TaskSource {
        task_dir: task_dir.to_owned(),
        zone: taskrepo::dates::Zone::named("Europe/Berlin").expect("zone"),
        runners: vec!["classic".into(), "java".into(), "python".into()],
    }
}

fn outcome<'a>(outcomes: &'a [(String, TaskOutcome)], task: &str) -> &'a TaskOutcome {
    &outcomes
        .iter()
        .find(|(name, _)| name == task)
        .unwrap_or_else(|| panic!("no outcome for {task}: {outcomes:?}"))
        .1
}

#[tokio::test]
async fn syncing_loads_updates_disables_and_removes_tasks() {
    let (_, pool) = fresh_database().await.expect("database");
    let repo = GitRepo::init();
    repo.write("task1/task.md", "# Task 1");
    repo.write("task1/meta.json", &meta("Task 1", "Test Category"));
    repo.write("task1/templates/Example.py", "def example():\n    pass\n");
    repo.write("task2/task.md", "# Task 2");
    repo.write("task2/meta.json", &meta("Task 2", "Test Category"));
    repo.write("task3/task.md", "# Broken");
    repo.write("task3/meta.json", r#"{"category": "C", "pubdate": "2026-01-01"}"#);
    repo.commit("first tasks");
    let task_dir =
        std::env::temp_dir().join(format!("inloop-taskdir-{}", uuid::Uuid::new_v4().simple()));
    let source = source(&task_dir);
    db::repositories::insert(&pool, "course", &repo.url(), "main", "secret")
        .await
        .expect("repository");
    let repository =
        db::repositories::find_by_name(&pool, "course").await.expect("query").expect("exists");

    let first = taskrepo::sync_repository(&pool, &source, &repository).await.expect("first sync");
    assert_eq!(outcome(&first.outcomes, "task1"), &TaskOutcome::Loaded);
    assert_eq!(outcome(&first.outcomes, "task2"), &TaskOutcome::Loaded);
    assert_eq!(
        outcome(&first.outcomes, "task3"),
        &TaskOutcome::Problem("missing required field 'title'".into())
    );
    let checkout = source.checkout("course");
    assert!(checkout.join("task1/task.md").is_file(), "the revision is published under current/");
    let category: String = sqlx::query_scalar("select c.name from tasks t join categories c on c.id = t.category_id where t.system_name = 'task1'")
        .fetch_one(&pool)
        .await
        .expect("category");
    assert_eq!(category, "Test Category");
    let templates: Vec<(String, String)> =
        sqlx::query_as("select name, contents from task_templates")
            .fetch_all(&pool)
            .await
            .expect("templates");
    assert_eq!(templates, [("Example.py".to_owned(), "def example():\n    pass\n".to_owned())]);

    // Change one task, disable another, drop the broken one, add a task elsewhere.
    repo.write("task1/meta.json", &meta("Task One", "Renamed Category"));
    repo.write("task2/meta.json", r#"{"title": "Task 2", "category": "Test Category", "pubdate": "2026-01-01", "runner": "python", "disabled": true}"#);
    repo.remove("task3");
    repo.remove("task1/templates");
    repo.commit("second round");
    let second = taskrepo::sync_repository(&pool, &source, &repository).await.expect("second sync");
    assert_ne!(second.revision, first.revision);
    assert_eq!(outcome(&second.outcomes, "task1"), &TaskOutcome::Updated);
    assert_eq!(outcome(&second.outcomes, "task2"), &TaskOutcome::Disabled);
    let (title, slug): (String, String) =
        sqlx::query_as("select title, slug from tasks where system_name = 'task1'")
            .fetch_one(&pool)
            .await
            .expect("task1");
    assert_eq!((title.as_str(), slug.as_str()), ("Task One", "task-one"));
    let tasks: i64 =
        sqlx::query_scalar("select count(*) from tasks").fetch_one(&pool).await.expect("count");
    assert_eq!(tasks, 2, "updated in place, not duplicated");
    let templates: i64 = sqlx::query_scalar("select count(*) from task_templates")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(templates, 0, "old templates are replaced");
    let problems = db::tasks::sync_problems(&pool, repository.id).await.expect("problems");
    assert!(problems.is_empty(), "the last sync's problems replace the earlier ones");

    repo.remove("task1");
    repo.commit("task1 retired");
    let third = taskrepo::sync_repository(&pool, &source, &repository).await.expect("third sync");
    assert_eq!(outcome(&third.outcomes, "task1"), &TaskOutcome::Removed);
    let removed: bool = sqlx::query_scalar("select removed from tasks where system_name = 'task1'")
        .fetch_one(&pool)
        .await
        .expect("row");
    assert!(removed, "a removed task is kept (its solutions stay) but marked");

    let again = taskrepo::sync_repository(&pool, &source, &repository).await.expect("fourth sync");
    assert_eq!(again.revision, third.revision);
    assert_eq!(outcome(&again.outcomes, "task2"), &TaskOutcome::Disabled);
    let _ = std::fs::remove_dir_all(task_dir);
}

#[tokio::test]
async fn a_bad_url_or_branch_fails_the_sync_and_says_why() {
    let (_, pool) = fresh_database().await.expect("database");
    let repo = GitRepo::init();
    repo.write("t/task.md", "x");
    repo.write("t/meta.json", &meta("T", "C"));
    repo.commit("one task");
    let task_dir =
        std::env::temp_dir().join(format!("inloop-taskdir-{}", uuid::Uuid::new_v4().simple()));
    let source = source(&task_dir);
    db::repositories::insert(&pool, "wrongbranch", &repo.url(), "nosuchbranch", "s")
        .await
        .expect("repository");
    db::repositories::insert(&pool, "nowhere", "file:///nonexistent/repo", "main", "s")
        .await
        .expect("repository");
    for (name, expected) in [("wrongbranch", "couldn't find remote ref"), ("nowhere", "fatal:")] {
        let repository =
            db::repositories::find_by_name(&pool, name).await.expect("query").expect("exists");
        let err = taskrepo::sync_repository(&pool, &source, &repository)
            .await
            .expect_err("the sync fails");
        assert!(err.to_string().contains(expected), "{name}: {err}");
        let stored =
            db::repositories::find_by_name(&pool, name).await.expect("query").expect("exists");
        assert_eq!(stored.sync_status, "failed");
        assert!(stored.sync_message.contains(expected), "{}", stored.sync_message);
    }
    let _ = std::fs::remove_dir_all(task_dir);
}
