//! Re-test batches through the whole pipeline (server, Redis, runner, Docker): after a fix to a
//! task's tests staff have its solutions graded again, review the verdicts that change and apply
//! them; a batch runs behind students' own submissions.

use std::time::Duration;

use inloop_app::db::users::Role;
use inloop_tests::{
    GitRepo, TestApp, add_and_sync, add_and_sync_again, eventually, solution_id, spawn_app_with,
    start_runner,
};
use reqwest::StatusCode;

const TESTS_BEFORE: &str =
    "from squares import square\n\ndef test_square():\n    assert square(3) == 9\n";
const TESTS_AFTER: &str = "from squares import square\n\ndef test_square():\n    assert square(3) == 9\n\ndef test_negative():\n    assert square(-2) == 4\n";
const RIGHT: &str = "def square(n):\n    return n * n\n";
/// Passes the first tests, fails the fixed ones.
const WRONG_FOR_NEGATIVES: &str = "def square(n):\n    return n * abs(n)\n";

async fn course() -> (TestApp, GitRepo, i64) {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-course-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| settings.task_dir = Some(task_dir)).await;
    let repo = GitRepo::init();
    repo.write("squares/task.md", "# Squares\n\nWrite `square(n)`.");
    repo.write(
        "squares/meta.json",
        r#"{"title": "Squares", "category": "Python Basics", "pubdate": "2026-01-01 08:00:00", "runner": "python"}"#,
    );
    repo.write("squares/tests/test_squares.py", TESTS_BEFORE);
    repo.commit("course");
    add_and_sync(&app, "course", &repo).await;
    let task_id: i64 = sqlx::query_scalar("select id from tasks where slug = 'squares'")
        .fetch_one(&app.db)
        .await
        .expect("the task");
    (app, repo, task_id)
}

fn batch_id(location: &str) -> i64 {
    location.trim_start_matches("/staff/retests/").parse().expect("a re-test's address")
}

async fn batch_state(app: &TestApp, retest_id: i64) -> String {
    sqlx::query_scalar("select state from retests where id = $1")
        .bind(retest_id)
        .fetch_one(&app.db)
        .await
        .expect("the batch")
}

async fn verdict_of(app: &TestApp, solution: i64) -> String {
    sqlx::query_scalar("select verdict from solutions where id = $1")
        .bind(solution)
        .fetch_one(&app.db)
        .await
        .expect("a verdict")
}

#[tokio::test]
async fn staff_retest_a_task_review_the_changed_verdicts_and_apply_them() {
    let (app, repo, task_id) = course().await;
    let _runner = start_runner(&app, 2);
    let ada = app.other_client();
    ada.logged_in_as("ada", Role::Student).await;
    let bob = app.other_client();
    bob.logged_in_as("bob", Role::Student).await;
    let adas = ada.submitted("squares", &[("squares.py", RIGHT)]).await;
    let bobs = bob.submitted("squares", &[("squares.py", WRONG_FOR_NEGATIVES)]).await;
    assert_eq!(ada.wait_for_verdict(&adas).await, "passed");
    assert_eq!(bob.wait_for_verdict(&bobs).await, "passed");

    // The tests get fixed; the solutions keep their verdicts until staff re-test them.
    repo.write("squares/tests/test_squares.py", TESTS_AFTER);
    repo.commit("test negative numbers too");
    add_and_sync_again(&app, "course").await;

    app.logged_in_as("ta", Role::Staff).await;
    let overview = format!("/staff/tasks/{task_id}");
    app.get(&overview).await.assert_contains("Start the re-test");
    let start = format!("/staff/tasks/{task_id}/retests");
    assert_eq!(bob.post_form(&start, &[("scope", "latest")]).await.status, StatusCode::NOT_FOUND);
    let started = app.post_form(&start, &[("scope", "latest")]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let batch = started.location.clone().expect("the batch's page");
    let retest_id = batch_id(&batch);
    app.post_form(&start, &[("scope", "all")]).await.assert_redirect_to(&overview);
    app.get(&overview).await.assert_contains("A re-test of this task is still open");
    assert_eq!(bob.get(&batch).await.status, StatusCode::NOT_FOUND, "students never see a batch");

    eventually(Duration::from_secs(90), "the re-test to be graded", || async {
        (batch_state(&app, retest_id).await == "review").then_some(())
    })
    .await;
    let page = app.get(&batch).await;
    page.assert_contains("ready for review");
    page.assert_contains("2 of 2 tested");
    page.assert_contains("1 verdict(s) would change");
    page.assert_contains("bob");
    assert!(!page.main_content().contains(">ada<"), "only changed verdicts are listed first");
    assert_eq!(
        verdict_of(&app, solution_id(&bobs)).await,
        "passed",
        "nothing changes for students before staff apply the re-test"
    );
    app.get(&format!("{batch}?all=1")).await.assert_contains("ada");
    let new_result = format!("{batch}/solutions/{}", solution_id(&bobs));
    app.get(&new_result).await.assert_contains("test_negative");
    assert_eq!(bob.get(&new_result).await.status, StatusCode::NOT_FOUND);

    let applied = app.post_form(&format!("{batch}/apply"), &[]).await;
    applied.assert_redirect_to(&batch);
    app.get(&batch)
        .await
        .assert_contains("Applied: 2 solution(s) have their new result, 1 verdict(s) changed.");
    assert_eq!(verdict_of(&app, solution_id(&bobs)).await, "failed");
    assert_eq!(verdict_of(&app, solution_id(&adas)).await, "passed");
    bob.get(&bobs).await.assert_contains("test_negative");
    let history: Vec<String> =
        sqlx::query_scalar("select verdict from superseded_results where solution_id = $1")
            .bind(solution_id(&bobs))
            .fetch_all(&app.db)
            .await
            .expect("history");
    assert_eq!(history, ["passed"], "the old result stays in the solution's history");
    assert_eq!(
        app.post_form(&format!("{batch}/apply"), &[]).await.location.as_deref(),
        Some(batch.as_str()),
        "applied twice is refused with a message"
    );
    app.get(&batch).await.assert_contains("cannot be applied");

    // A batch thrown away changes nothing.
    let second = app.post_form(&start, &[("scope", "all")]).await;
    let second = second.location.expect("a second batch");
    app.post_form(&format!("{second}/discard"), &[]).await.assert_redirect_to(&second);
    assert_eq!(batch_state(&app, batch_id(&second)).await, "discarded");
    assert_eq!(verdict_of(&app, solution_id(&bobs)).await, "failed");

    // Picked from the list of the task's solutions: only those, and only of this task.
    let list = app.get(&format!("/staff/solutions?task={task_id}")).await;
    list.assert_contains("Test the picked solutions again");
    let bobs_id = solution_id(&bobs).to_string();
    let picked = app.post_form(&start, &[("solution", &bobs_id)]).await;
    let picked = picked.location.expect("a batch of one");
    assert_eq!(batch_state(&app, batch_id(&picked)).await, "running");
    let items: i64 = sqlx::query_scalar("select count(*) from retest_items where retest_id = $1")
        .bind(batch_id(&picked))
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(items, 1);
    app.post_form(&format!("{picked}/discard"), &[]).await.assert_redirect_to(&picked);
    let elsewhere = app.post_form(&start, &[("solution", "999999")]).await;
    elsewhere.assert_redirect_to(&overview);
    app.get(&overview).await.assert_contains("There is nothing to test again");

    let log = app.get("/staff/audit").await;
    log.assert_contains("Started a re-test");
    log.assert_contains("Applied a re-test");
    log.assert_contains("Discarded a re-test");
}

/// Stores `count` passed solutions of the task by as many students, as grading would have.
async fn seed_passed(app: &TestApp, task_id: i64, count: usize) {
    seed_passed_with(app, task_id, count, RIGHT).await;
}

async fn seed_passed_with(app: &TestApp, task_id: i64, count: usize, code: &str) {
    let revision: String = sqlx::query_scalar("select revision from tasks where id = $1")
        .bind(task_id)
        .fetch_one(&app.db)
        .await
        .expect("revision");
    for n in 0..count {
        let author = app.create_user(&format!("seeded{n}"), Role::Student).await;
        let id: i64 = sqlx::query_scalar(
            "insert into solutions (task_id, author_id, number, revision, status, verdict, attempt)
             values ($1, $2, 1, $3, 'done', 'passed', 1) returning id",
        )
        .bind(task_id)
        .bind(author)
        .bind(&revision)
        .fetch_one(&app.db)
        .await
        .expect("a seeded solution");
        sqlx::query("insert into solution_files (solution_id, name, contents) values ($1, 'squares.py', $2)")
            .bind(id)
            .bind(code.as_bytes())
            .execute(&app.db)
            .await
            .expect("its file");
    }
}

#[tokio::test]
async fn a_retest_runs_behind_a_students_own_submission() {
    let (app, _repo, task_id) = course().await;
    seed_passed(&app, task_id, 8).await;
    let _runner = start_runner(&app, 1);
    app.logged_in_as("ta", Role::Staff).await;
    let started =
        app.post_form(&format!("/staff/tasks/{task_id}/retests"), &[("scope", "all")]).await;
    let retest_id = batch_id(&started.location.expect("the batch's page"));
    let graded = || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from retest_items where retest_id = $1 and status in ('done', 'error')",
        )
        .bind(retest_id)
        .fetch_one(&app.db)
        .await
        .expect("count")
    };
    // Once the one slot works on the batch, a student submits.
    eventually(Duration::from_secs(60), "the re-test to begin", || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from retest_items where retest_id = $1 and status <> 'waiting'",
        )
        .bind(retest_id)
        .fetch_one(&app.db)
        .await
        .ok()
        .filter(|out| *out > 0)
    })
    .await;
    let student = app.other_client();
    student.logged_in_as("stu", Role::Student).await;
    let live = student.submitted("squares", &[("squares.py", RIGHT)]).await;
    assert_eq!(student.wait_for_verdict(&live).await, "passed");
    let before_the_student = graded().await;
    assert!(
        before_the_student <= 2,
        "the student's solution waited for {before_the_student} re-test jobs; at most the one the slot ran (and one sent as it arrived)"
    );
    eventually(Duration::from_secs(120), "the whole re-test", || async {
        (batch_state(&app, retest_id).await == "review").then_some(())
    })
    .await;
    assert_eq!(graded().await, 8);
}

#[tokio::test]
async fn a_slow_retest_job_makes_way_for_a_students_submission() {
    let (app, _repo, task_id) = course().await;
    // Passes, after 25 seconds.
    let slow = format!("import time\ntime.sleep(25)\n\n{RIGHT}");
    seed_passed_with(&app, task_id, 1, &slow).await;
    let _runner = start_runner(&app, 1);
    app.logged_in_as("ta", Role::Staff).await;
    let started =
        app.post_form(&format!("/staff/tasks/{task_id}/retests"), &[("scope", "all")]).await;
    let retest_id = batch_id(&started.location.expect("the batch's page"));
    eventually(Duration::from_secs(60), "the slow re-test job to run", || async {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from retest_items where retest_id = $1 and status = 'dispatched'",
        )
        .bind(retest_id)
        .fetch_one(&app.db)
        .await
        .ok()
        .filter(|out| *out > 0)
    })
    .await;
    // Well into its container's sleep.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let student = app.other_client();
    student.logged_in_as("stu", Role::Student).await;
    let submitted_at = std::time::Instant::now();
    let live = student.submitted("squares", &[("squares.py", RIGHT)]).await;
    assert_eq!(student.wait_for_verdict(&live).await, "passed");
    let waited = submitted_at.elapsed();
    assert!(
        waited < Duration::from_secs(15),
        "the student's solution waited {waited:?}; the re-test job in the slot should have made way"
    );
    eventually(Duration::from_secs(120), "the re-test, sent again after the student's", || async {
        (batch_state(&app, retest_id).await == "review").then_some(())
    })
    .await;
    let (status, handed_back): (String, i32) =
        sqlx::query_as("select status, handed_back from retest_items where retest_id = $1")
            .bind(retest_id)
            .fetch_one(&app.db)
            .await
            .expect("the item");
    assert_eq!(status, "done", "the slow solution was graded in the end");
    assert_eq!(handed_back, 0, "making way does not count against the job");
}
