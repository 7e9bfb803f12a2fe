//! Staff change a course without a commit: a task's settings over its repository's (kept through
//! syncs), and a student's extension of a deadline and of a submission limit.

use inloop_app::db::users::Role;
use inloop_tests::{GitRepo, TestApp, add_and_sync, add_and_sync_again, spawn_app_with};
use reqwest::StatusCode;

fn meta(deadline: &str) -> String {
    format!(
        r#"{{"title": "Squares", "category": "Python Basics", "pubdate": "2026-01-01 08:00:00",
            "deadline": "{deadline}", "runner": "python", "max_submissions": 3}}"#
    )
}

/// A course of one Python task whose deadline is `deadline`, and the task's id.
async fn course(deadline: &str) -> (TestApp, GitRepo, i64) {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-course-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| settings.task_dir = Some(task_dir)).await;
    let repo = GitRepo::init();
    repo.write("squares/task.md", "# Squares\n\nWrite `square(n)`.");
    repo.write("squares/meta.json", &meta(deadline));
    repo.write(
        "squares/tests/test_squares.py",
        "from squares import square\n\ndef test_square():\n    assert square(3) == 9\n",
    );
    repo.commit("course");
    add_and_sync(&app, "course", &repo).await;
    let task_id: i64 = sqlx::query_scalar("select id from tasks where slug = 'squares'")
        .fetch_one(&app.db)
        .await
        .expect("the task");
    (app, repo, task_id)
}

const SOLUTION: &str = "def square(n):\n    return n * n\n";

async fn task_deadline(app: &TestApp, task_id: i64) -> Option<String> {
    sqlx::query_scalar("select to_char(deadline at time zone 'Europe/Berlin', 'YYYY-MM-DD HH24:MI') from tasks where id = $1")
        .bind(task_id)
        .fetch_one(&app.db)
        .await
        .expect("the deadline")
}

#[tokio::test]
async fn staff_override_a_tasks_settings_and_syncs_keep_them_until_removed() {
    let (app, repo, task_id) = course("2030-06-01 12:00:00").await;
    let settings = format!("/staff/tasks/{task_id}/settings");

    let student = app.other_client();
    student.logged_in_as("stu", Role::Student).await;
    assert_eq!(student.get(&settings).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        student.post_form(&settings, &[("override_deadline", "on")]).await.status,
        StatusCode::NOT_FOUND
    );

    app.logged_in_as("ta", Role::Staff).await;
    let page = app.get(&settings).await;
    page.assert_contains("Repository: 01-06-2030 12:00 CEST");
    page.assert_contains(r#"value="2030-06-01T12:00""#);

    // Refused values are named and stay in the form; nothing is stored.
    let refused = app
        .post_form(
            &settings,
            &[
                ("override_deadline", "on"),
                ("deadline", "soon"),
                ("override_max_submissions", "on"),
                ("max_submissions", "many"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Give the deadline as a date and time, or leave it empty for none.");
    refused.assert_contains("Give a number from 0 to 1000");
    refused.assert_contains(r#"value="soon""#);
    assert_eq!(task_deadline(&app, task_id).await.as_deref(), Some("2030-06-01 12:00"));

    // The deadline moves into the past and the task is limited to one solution.
    let saved = app
        .post_form(
            &settings,
            &[
                ("override_deadline", "on"),
                ("deadline", "2026-01-10T18:00"),
                ("override_max_submissions", "on"),
                ("max_submissions", "1"),
                ("group", ""),
                ("disabled", "taken"),
            ],
        )
        .await;
    saved.assert_redirect_to(&settings);
    let page = app.get(&settings).await;
    page.assert_contains("Saved the settings of Squares.");
    page.assert_contains("overridden");
    page.assert_contains("Last changed by ta");
    app.get(&format!("/staff/tasks/{task_id}"))
        .await
        .assert_contains("Overridden here, not from the repository: deadline, submission limit.");
    student.get("/tasks/squares").await.assert_contains("The deadline has passed");
    student
        .submit("squares", &[("squares.py", SOLUTION)])
        .await
        .assert_redirect_to("/tasks/squares#submit");
    student.get("/tasks/squares").await.assert_contains("The deadline for this task has passed.");

    // A new commit changes the repository's deadline; the override stays, the new value shows.
    repo.write("squares/meta.json", &meta("2031-01-01 12:00:00"));
    repo.write("squares/task.md", "# Squares\n\nWrite `square(n)`, please.");
    repo.commit("later deadline");
    add_and_sync_again(&app, "course").await;
    assert_eq!(task_deadline(&app, task_id).await.as_deref(), Some("2026-01-10 18:00"));
    app.get(&settings).await.assert_contains("Repository: 01-01-2031 12:00 CET");

    // Given to a group the student is not in, or disabled, the task is gone for the student.
    sqlx::query("insert into groups (name) values ('Tuesday')")
        .execute(&app.db)
        .await
        .expect("group");
    let unknown_group =
        app.post_form(&settings, &[("override_group", "on"), ("group", "Friday")]).await;
    assert_eq!(unknown_group.status, StatusCode::UNPROCESSABLE_ENTITY);
    unknown_group.assert_contains("Choose a group from the list.");
    app.post_form(&settings, &[("override_group", "on"), ("group", "Tuesday")])
        .await
        .assert_redirect_to(&settings);
    assert_eq!(student.get("/tasks/squares").await.status, StatusCode::NOT_FOUND);
    app.post_form(&settings, &[("override_disabled", "on"), ("disabled", "disabled")])
        .await
        .assert_redirect_to(&settings);
    assert_eq!(student.get("/tasks/squares").await.status, StatusCode::NOT_FOUND);

    // Unticked, the repository's values apply again.
    app.post_form(&settings, &[("deadline", "2026-01-10T18:00"), ("max_submissions", "1")])
        .await
        .assert_redirect_to(&settings);
    app.get(&settings).await.assert_contains("Squares uses its repository's settings.");
    assert_eq!(task_deadline(&app, task_id).await.as_deref(), Some("2031-01-01 12:00"));
    let left: i64 = sqlx::query_scalar("select count(*) from task_overrides")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(left, 0, "no override row is left behind");
    assert_eq!(
        student.submit("squares", &[("squares.py", SOLUTION)]).await.status,
        StatusCode::SEE_OTHER
    );

    let log = app.get("/staff/audit?action=task_overridden").await;
    log.assert_contains("deadline: the repository's → 10-01-2026 18:00 CET");
    log.assert_contains("limit: 1 → the repository's");
}

#[tokio::test]
async fn an_extension_lets_one_student_submit_later_and_more_often() {
    let (app, _repo, task_id) = course("2026-01-10 18:00:00").await;
    let category_id: i64 = sqlx::query_scalar("select category_id from tasks where id = $1")
        .bind(task_id)
        .fetch_one(&app.db)
        .await
        .expect("category");
    let ada = app.other_client();
    let ada_id = ada.logged_in_as("ada", Role::Student).await;
    let bob = app.other_client();
    bob.logged_in_as("bob", Role::Student).await;
    ada.submit("squares", &[("squares.py", SOLUTION)])
        .await
        .assert_redirect_to("/tasks/squares#submit");

    app.logged_in_as("ta", Role::Staff).await;
    let extensions = format!("/staff/users/{ada_id}/extensions");
    assert_eq!(bob.get(&extensions).await.status, StatusCode::NOT_FOUND);
    let forged = bob
        .post_form(
            &extensions,
            &[("scope", &format!("task:{task_id}")), ("extra_submissions", "5")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND, "students cannot give themselves extensions");

    let page = app.get(&extensions).await;
    page.assert_contains("No extensions.");
    page.assert_contains("Every task of Python Basics");
    let refused = app
        .post_form(
            &extensions,
            &[("scope", "task:999999"), ("deadline", "2030-01-01T12:00"), ("reason", "ill")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("That task or category is gone: choose one from the list.");
    refused.assert_contains(r#"value="2030-01-01T12:00""#);
    let empty = app.post_form(&extensions, &[("scope", &format!("task:{task_id}"))]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    empty.assert_contains("Give a new deadline, extra submissions, or both.");

    // A category extension: a later deadline and one submission more than the task's three.
    app.post_form(
        &extensions,
        &[
            ("scope", &format!("category:{category_id}")),
            ("deadline", "2030-01-01T12:00"),
            ("extra_submissions", "1"),
            ("reason", "medical certificate"),
        ],
    )
    .await
    .assert_redirect_to(&extensions);
    let page = app.get(&extensions).await;
    page.assert_contains("ada has an extension for Python Basics.");
    page.assert_contains("Category: Python Basics");
    page.assert_contains("medical certificate");
    app.get(&format!("/staff/tasks/{task_id}")).await.assert_contains("medical certificate");
    app.get(&format!("/staff/users/{ada_id}"))
        .await
        .assert_contains("Give or take back extensions");

    let task = ada.get("/tasks/squares").await;
    task.assert_contains("Deadline: ");
    task.assert_contains("extended for you");
    ada.get("/tasks/category/python-basics").await.assert_contains("extended for you");
    for _ in 0..4 {
        assert_eq!(
            ada.submit("squares", &[("squares.py", SOLUTION)]).await.status,
            StatusCode::SEE_OTHER
        );
    }
    ada.submit("squares", &[("squares.py", SOLUTION)])
        .await
        .assert_redirect_to("/tasks/squares#submit");
    ada.get("/tasks/squares").await.assert_contains("You cannot submit more than 4 solution(s).");

    // Bob has no extension; his deadline is the task's.
    let bobs = bob.get("/tasks/squares").await;
    bobs.assert_contains("The deadline has passed");
    assert!(!bobs.body.contains("extended for you"));
    bob.submit("squares", &[("squares.py", SOLUTION)])
        .await
        .assert_redirect_to("/tasks/squares#submit");

    // Taken back, Ada's deadline is the task's again.
    let extension_id: i64 = sqlx::query_scalar("select id from extensions where user_id = $1")
        .bind(ada_id)
        .fetch_one(&app.db)
        .await
        .expect("the extension");
    let remove = format!("/staff/users/{ada_id}/extensions/{extension_id}/remove");
    assert_eq!(bob.post_form(&remove, &[]).await.status, StatusCode::NOT_FOUND);
    app.post_form(&remove, &[]).await.assert_redirect_to(&extensions);
    assert_eq!(app.post_form(&remove, &[]).await.status, StatusCode::NOT_FOUND, "gone is gone");
    ada.get("/tasks/squares").await.assert_contains("The deadline has passed");

    let log = app.get("/staff/audit").await;
    log.assert_contains("Gave a student an extension");
    log.assert_contains("Took back an extension");
    log.assert_contains("user ada · Python Basics");
}
