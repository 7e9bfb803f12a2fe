//! What students and staff see of tasks synced from a repository: the index, categories, task
//! texts, images and attachments, and what stays hidden.

use inloop_app::db::users::Role;
use inloop_app::{db, taskrepo};
use inloop_tests::{TestApp, copy_dir, spawn_app_with};
use reqwest::StatusCode;

/// The fixture repository, committed into a fresh Git repository and synced into the app.
async fn app_with_fixture_course() -> TestApp {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-pages-{}", uuid::Uuid::new_v4().simple()));
    let course = task_dir.join("source");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tasks");
    copy_dir(&fixture, &course);
    // One task only for a group, one not yet published.
    std::fs::write(
        course.join("java-stack-junit4/meta.json"),
        r#"{"title": "A Stack (JUnit 4 tests)", "category": "Java Basics", "pubdate": "2026-10-01 08:00:00", "runner": "java", "group": "Tuesday"}"#,
    )
    .expect("meta");
    std::fs::write(
        course.join("python-fizzbuzz/meta.json"),
        r#"{"title": "FizzBuzz in Python", "category": "Python Basics", "pubdate": "2999-01-01 08:00:00", "runner": "python"}"#,
    )
    .expect("meta");
    for args in [
        vec!["init", "-q", "-b", "main"],
        vec!["add", "-A"],
        vec!["-c", "user.name=S", "-c", "user.email=s@x", "commit", "-qm", "course"],
    ] {
        assert!(
            std::process::Command::new("git")
                .current_dir(&course)
                .args(&args)
                .status()
                .expect("git")
                .success()
        );
    }
    let published = task_dir.join("published");
    let app = spawn_app_with(|settings| settings.task_dir = Some(published.clone())).await;
    db::repositories::insert(
        &app.db,
        "course",
        &format!("file://{}", course.display()),
        "main",
        "s",
    )
    .await
    .expect("repo");
    let repository =
        db::repositories::find_by_name(&app.db, "course").await.expect("query").expect("repo");
    taskrepo::sync_repository(&app.db, &app.state.task_source, &repository).await.expect("sync");
    app
}

#[tokio::test]
async fn students_see_categories_tasks_and_task_texts() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("student", Role::Student).await;
    let home = app.get("/").await;
    home.assert_contains(r#"<a href="/tasks/category/java-basics">Java Basics</a>"#);
    home.assert_contains("(1 open task)");
    home.assert_contains("Python Basics");
    assert!(!home.body.contains("Internal"), "disabled tasks' categories stay hidden");

    let category = app.get("/tasks/category/java-basics").await;
    category.assert_contains(r#"<a href="/tasks/a-counter">A Counter</a>"#);
    assert!(!category.body.contains("A Stack"), "a task of another group is not listed");

    let python = app.get("/tasks/category/python-basics").await;
    python.assert_contains("tasks-unpublished");
    python.assert_contains("data-countdown");
    assert!(
        !python.body.contains(r#"href="/tasks/fizzbuzz-in-python""#),
        "unpublished tasks are not links"
    );

    let task = app.get("/tasks/a-counter").await;
    assert_eq!(task.status, StatusCode::OK);
    task.assert_contains(r#"<h2 id="what-to-write">What to write</h2>"#);
    task.assert_contains(r#"<code class="language-java">"#);
    task.assert_contains("<table>");
    let image =
        regex::Regex::new(r#"src="(/tasks/a-counter/images/counter\.svg\?v=[0-9a-f]{10})""#)
            .expect("regex");
    let image_url =
        image.captures(&task.body).map(|c| c[1].to_owned()).expect("rewritten image link");
    task.assert_contains(r#"href="/tasks/a-counter/attachments/CounterDemo.java""#);
    task.assert_contains("Counter.java");

    let svg = app.client.get(app.url(&image_url)).send().await.expect("image");
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(
        svg.headers()["content-security-policy"].to_str().unwrap_or_default().contains("sandbox")
    );
    let attachment = app
        .client
        .get(app.url("/tasks/a-counter/attachments/CounterDemo.java"))
        .send()
        .await
        .expect("attachment");
    assert_eq!(attachment.status(), StatusCode::OK);
    assert_eq!(
        attachment.headers()["content-disposition"],
        r#"attachment; filename="CounterDemo.java""#
    );
    assert!(attachment.text().await.expect("text").contains("class CounterDemo"));
}

#[tokio::test]
async fn hidden_tasks_and_files_outside_images_and_attachments_are_404() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("student", Role::Student).await;
    for path in [
        "/tasks/a-stack",
        "/tasks/fizzbuzz-in-python",
        "/tasks/sandbox-probe",
        "/tasks/no-such-task",
        "/tasks/category/no-such-category",
        "/tasks/a-counter/images/../meta.json",
        "/tasks/a-counter/images/%2e%2e/meta.json",
        "/tasks/a-counter/attachments/../solution/Counter.java",
        "/tasks/a-counter/solution/Counter.java",
        "/tasks/a-counter/images/missing.png",
        "/tasks/a-stack/attachments/anything.txt",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    let anonymous = app.other_client();
    anonymous.get("/tasks/a-counter").await.assert_redirect_to("/login?next=/tasks/a-counter");
}

#[tokio::test]
async fn group_members_and_staff_see_more() {
    let app = app_with_fixture_course().await;
    let member = app.create_user("member", Role::Student).await;
    sqlx::query("insert into groups (name) values ('Tuesday')")
        .execute(&app.db)
        .await
        .expect("group");
    sqlx::query("insert into group_members (user_id, group_id) select $1, id from groups where name = 'Tuesday'")
        .bind(member)
        .execute(&app.db)
        .await
        .expect("member");
    app.login("member", inloop_tests::PASSWORD).await.assert_redirect_to("/");
    assert_eq!(app.get("/tasks/a-stack").await.status, StatusCode::OK);

    let staff = app.other_client();
    staff.logged_in_as("sam", Role::Staff).await;
    let hidden = staff.get("/tasks/sandbox-probe").await;
    assert_eq!(hidden.status, StatusCode::OK);
    hidden.assert_contains("This task is disabled in its repository");
    let future = staff.get("/tasks/fizzbuzz-in-python").await;
    future.assert_contains("Students see this task from 01-01-2999 08:00 CET");
    staff.get("/").await.assert_contains("Internal");
}
