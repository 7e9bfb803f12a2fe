//! Each task's reference solution is graded after a sync; staff see the outcome, and a setting
//! hides tasks whose tests their own solution fails.

use std::time::Duration;

use inloop_app::db::users::Role;
use inloop_tests::{GitRepo, spawn_app_with, start_runner};
use reqwest::StatusCode;

const TESTS: &str = "from adder import add\n\n\ndef test_adds():\n    assert add(2, 3) == 5\n";

#[tokio::test]
async fn reference_solutions_are_checked_and_failing_tasks_can_be_hidden() {
    let repo = GitRepo::init();
    for (task, title, body) in [("fine", "Fine Task", "a + b"), ("broken", "Broken Task", "a - b")]
    {
        repo.write(&format!("{task}/task.md"), "# Add");
        repo.write(
            &format!("{task}/meta.json"),
            &format!(r#"{{"title": "{title}", "category": "Checks", "pubdate": "2026-01-01", "runner": "python"}}"#),
        );
        repo.write(&format!("{task}/tests/test_adder.py"), TESTS);
        repo.write(
            &format!("{task}/solution/adder.py"),
            &format!("def add(a, b):\n    return {body}\n"),
        );
    }
    repo.commit("two tasks");
    let task_dir =
        std::env::temp_dir().join(format!("inloop-reference-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| settings.task_dir = Some(task_dir)).await;
    inloop_tests::add_and_sync(&app, "course", &repo).await;
    let _runner = start_runner(&app, 2);

    let verdicts: Vec<(String, Option<String>)> = inloop_tests::poll_until(
        Duration::from_secs(60),
        || async {
            inloop_app::queue::reconcile(&app.state, Duration::from_secs(600))
                .await
                .expect("reconcile");
            sqlx::query_as("select system_name, reference_verdict from tasks order by system_name")
                .fetch_all(&app.db)
                .await
                .expect("verdicts")
        },
        |verdicts: &Vec<(String, Option<String>)>| {
            verdicts.iter().all(|(_, verdict)| verdict.as_deref().is_some_and(|v| v != "pending"))
        },
    )
    .await;
    assert_eq!(
        verdicts,
        [
            ("broken".to_owned(), Some("failed".to_owned())),
            ("fine".to_owned(), Some("passed".to_owned()))
        ]
    );

    let staff = app.other_client();
    staff.logged_in_as("sam", Role::Staff).await;
    let page = staff.get("/staff/repositories").await;
    page.assert_contains(r#"data-reference-verdict="failed""#);
    page.assert_contains(r#"data-reference-verdict="passed""#);
    page.assert_contains("test_adds");

    app.logged_in_as("stu", Role::Student).await;
    assert_eq!(
        app.get("/tasks/broken-task").await.status,
        StatusCode::OK,
        "shown unless staff decide otherwise"
    );
    app.set_site_setting("hide_failing_tasks = true").await;
    assert_eq!(app.get("/tasks/broken-task").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/tasks/fine-task").await.status, StatusCode::OK);
    assert!(!app.get("/tasks/category/checks").await.body.contains("Broken Task"));
    assert_eq!(staff.get("/tasks/broken-task").await.status, StatusCode::OK, "staff still see it");
}

#[tokio::test]
async fn a_late_result_for_an_older_revision_changes_nothing() {
    let repo = GitRepo::init();
    repo.write("adding/task.md", "# Add");
    repo.write(
        "adding/meta.json",
        r#"{"title": "Adding", "category": "Checks", "pubdate": "2026-01-01", "runner": "python"}"#,
    );
    repo.write("adding/tests/test_adder.py", TESTS);
    repo.write("adding/solution/adder.py", "def add(a, b):\n    return a + b\n");
    repo.commit("a task");
    let task_dir =
        std::env::temp_dir().join(format!("inloop-reference-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| settings.task_dir = Some(task_dir)).await;
    inloop_tests::add_and_sync(&app, "course", &repo).await;
    // No runner: the first check waits in the queue.
    inloop_app::queue::reconcile(&app.state, Duration::from_secs(600)).await.expect("reconcile");
    let (task_id, old_token, old_revision): (i64, String, String) = sqlx::query_as(
        "select id, reference_token, reference_revision from tasks where system_name = 'adding'",
    )
    .fetch_one(&app.db)
    .await
    .expect("the check that is out");

    // The tests change: a new revision, and a new check with a token of its own.
    repo.write("adding/tests/test_more.py", "def test_more():\n    assert True\n");
    repo.commit("more tests");
    inloop_tests::add_and_sync_again(&app, "course").await;
    inloop_app::queue::reconcile(&app.state, Duration::from_secs(600)).await.expect("reconcile");
    let (new_token, new_revision): (String, String) =
        sqlx::query_as("select reference_token, reference_revision from tasks where id = $1")
            .bind(task_id)
            .fetch_one(&app.db)
            .await
            .expect("the new check");
    assert_ne!(
        (new_token.as_str(), new_revision.as_str()),
        (old_token.as_str(), old_revision.as_str())
    );

    // The old check's result arrives late, and says the reference solution fails.
    let late = inloop_protocol::jobs::GradingResult {
        solution_id: task_id,
        reference: true,
        retest: false,
        attempt: 1,
        token: old_token,
        revision: old_revision,
        runner: "slow-runner".into(),
        report: inloop_plugin_api::report::Report::new(inloop_plugin_api::report::Verdict::Failed),
        stdout: String::new(),
        stderr: String::new(),
        output_truncated: false,
        duration_ms: 1,
    };
    inloop_app::queue::ingest(&app.state, &late).await.expect("ingest");
    let verdict: Option<String> =
        sqlx::query_scalar("select reference_verdict from tasks where id = $1")
            .bind(task_id)
            .fetch_one(&app.db)
            .await
            .expect("verdict");
    assert_eq!(verdict.as_deref(), Some("pending"), "the late result changed nothing");

    let _runner = start_runner(&app, 1);
    inloop_tests::eventually(
        Duration::from_secs(60),
        "the current revision's check passes",
        || async {
            inloop_app::queue::reconcile(&app.state, Duration::from_secs(600))
                .await
                .expect("reconcile");
            let verdict: Option<String> =
                sqlx::query_scalar("select reference_verdict from tasks where id = $1")
                    .bind(task_id)
                    .fetch_one(&app.db)
                    .await
                    .expect("verdict");
            (verdict.as_deref() == Some("passed")).then_some(())
        },
    )
    .await;
}
