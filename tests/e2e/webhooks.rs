//! Webhooks and the staff page of task repositories.

use std::time::Duration;

use inloop_app::{db, db::users::Role, routes::hooks::github_signature};
use inloop_tests::{GitRepo, TestApp, spawn_app_with};
use reqwest::StatusCode;

/// A Git repository with one Python task in `folder`.
fn repository_with_task(folder: &str, title: &str) -> GitRepo {
    let repo = GitRepo::init();
    repo.write(&format!("{folder}/task.md"), &format!("# {title}"));
    repo.write(
        &format!("{folder}/meta.json"),
        &format!(
            r#"{{"title": "{title}", "category": "C", "pubdate": "2026-01-01", "runner": "python"}}"#
        ),
    );
    repo.commit("first");
    repo
}

async fn app_with_repository() -> (TestApp, GitRepo) {
    let repo = repository_with_task("t", "Hooked Task");
    let task_dir =
        std::env::temp_dir().join(format!("inloop-hooks-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| settings.task_dir = Some(task_dir)).await;
    db::repositories::insert(&app.db, "course", &repo.url(), "main", "hook-secret")
        .await
        .expect("repository");
    (app, repo)
}

async fn post_hook(app: &TestApp, headers: &[(&str, String)], body: &str) -> (StatusCode, String) {
    let mut request = app.client.post(app.url("/hooks/repositories/course")).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("answered");
    (response.status(), response.text().await.unwrap_or_default())
}

async fn wait_for_task(app: &TestApp, slug: &str) -> bool {
    let found: Option<i64> = inloop_tests::poll_until(
        Duration::from_secs(10),
        || async {
            sqlx::query_scalar("select id from tasks where slug = $1")
                .bind(slug)
                .fetch_optional(&app.db)
                .await
                .expect("query")
        },
        Option::is_some,
    )
    .await;
    found.is_some()
}

#[tokio::test]
async fn a_signed_github_push_to_the_branch_syncs_the_repository() {
    let (app, _repo) = app_with_repository().await;
    let body = r#"{"ref": "refs/heads/main"}"#;
    let signed = |body: &str| {
        github_signature("sha256", b"hook-secret", body.as_bytes()).expect("signature")
    };

    let (status, text) = post_hook(
        &app,
        &[("X-GitHub-Event", "push".into()), ("X-Hub-Signature-256", "sha256=00".into())],
        body,
    )
    .await;
    assert_eq!((status, text.trim()), (StatusCode::BAD_REQUEST, "Invalid or missing signature."));
    let (status, _) = post_hook(&app, &[("X-GitHub-Event", "push".into())], body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unsigned calls are refused");

    let (status, text) = post_hook(
        &app,
        &[("X-GitHub-Event", "ping".into()), ("X-Hub-Signature-256", signed("{}"))],
        "{}",
    )
    .await;
    assert_eq!((status, text.trim()), (StatusCode::OK, "pong"));
    let (status, text) = post_hook(
        &app,
        &[("X-GitHub-Event", "issues".into()), ("X-Hub-Signature-256", signed("{}"))],
        "{}",
    )
    .await;
    assert_eq!((status, text.trim()), (StatusCode::OK, "Event ignored."));
    let other = r#"{"ref": "refs/heads/feature"}"#;
    let (status, text) = post_hook(
        &app,
        &[("X-GitHub-Event", "push".into()), ("X-Hub-Signature-256", signed(other))],
        other,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("another branch"));
    let (status, text) = post_hook(
        &app,
        &[("X-GitHub-Event", "push".into()), ("X-Hub-Signature-256", signed("{oops"))],
        "{oops",
    )
    .await;
    assert_eq!((status, text.trim()), (StatusCode::BAD_REQUEST, "Malformed payload."));
    let synced: i64 =
        sqlx::query_scalar("select count(*) from tasks").fetch_one(&app.db).await.expect("count");
    assert_eq!(synced, 0, "nothing was synced by the refused calls");

    let (status, text) = post_hook(
        &app,
        &[("X-GitHub-Event", "push".into()), ("X-Hub-Signature-256", signed(body))],
        body,
    )
    .await;
    assert_eq!((status, text.trim()), (StatusCode::ACCEPTED, "Sync queued."));
    assert!(wait_for_task(&app, "hooked-task").await, "the push was synced");
}

#[tokio::test]
async fn legacy_sha1_signatures_and_gitlab_tokens_work_and_bursts_coalesce() {
    let (app, _repo) = app_with_repository().await;
    let body = r#"{"ref": "refs/heads/main"}"#;
    let sha1 = github_signature("sha1", b"hook-secret", body.as_bytes()).expect("signature");
    let (status, _) =
        post_hook(&app, &[("X-GitHub-Event", "push".into()), ("X-Hub-Signature", sha1)], body)
            .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _) = post_hook(
        &app,
        &[("X-Gitlab-Event", "Push Hook".into()), ("X-Gitlab-Token", "wrong".into())],
        body,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for _ in 0..10 {
        let (status, _) = post_hook(
            &app,
            &[("X-Gitlab-Event", "Push Hook".into()), ("X-Gitlab-Token", "hook-secret".into())],
            body,
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    assert!(wait_for_task(&app, "hooked-task").await);
    let repository =
        db::repositories::find_by_name(&app.db, "course").await.expect("query").expect("repo");
    inloop_tests::poll_until(
        Duration::from_secs(10),
        || async { app.state.syncs.is_running(repository.id) },
        |running| !running,
    )
    .await;
    // Eleven pushes in a burst: one sync ran, and at most one more for what came in meanwhile.
    let completed = app.state.syncs.completed(repository.id);
    assert!((1..=2).contains(&completed), "{completed} syncs for a burst of eleven pushes");
    let unknown = app
        .client
        .post(app.url("/hooks/repositories/nope"))
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_sync_from_their_page_and_admins_add_repositories() {
    let (app, _repo) = app_with_repository().await;
    let student = app.other_client();
    student.logged_in_as("stu", Role::Student).await;
    assert_eq!(student.get("/staff/repositories").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        student.post_form("/staff/repositories/course/sync", &[]).await.status,
        StatusCode::NOT_FOUND
    );

    app.logged_in_as("sam", Role::Staff).await;
    let page = app.get("/staff/repositories").await;
    page.assert_contains("course");
    page.assert_contains("/hooks/repositories/course");
    assert!(!page.body.contains("hook-secret"), "only admins see the secret");
    app.post_form("/staff/repositories/course/sync", &[])
        .await
        .assert_redirect_to("/staff/repositories");
    assert!(wait_for_task(&app, "hooked-task").await);
    let card = app.get_htmx("/staff/repositories/course/card").await;
    card.assert_contains("repository-course");
    card.assert_contains("1 task(s) loaded or updated");

    let admin = app.other_client();
    admin.logged_in_as("ada", Role::Admin).await;
    admin.get("/staff/repositories").await.assert_contains("hook-secret");
    let bad = admin
        .post_form("/staff/repositories", &[("name", "Bad Name"), ("url", "x"), ("branch", "main")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let repo2 = GitRepo::init();
    repo2.write("u/task.md", "# U");
    repo2.write("u/meta.json", r#"{"title": "Second Course Task", "category": "D", "pubdate": "2026-01-01", "runner": "java"}"#);
    repo2.commit("second");
    admin
        .post_form(
            "/staff/repositories",
            &[("name", "second"), ("url", &repo2.url()), ("branch", "main")],
        )
        .await
        .assert_redirect_to("/staff/repositories");
    assert!(
        wait_for_task(&app, "second-course-task").await,
        "an added repository is synced at once"
    );

    let categories = app.get("/staff/categories").await;
    categories.assert_contains("(1 tasks)");
    let category_id: i64 = sqlx::query_scalar("select id from categories where name = 'C'")
        .fetch_one(&app.db)
        .await
        .expect("category");
    app.post_form(
        &format!("/staff/categories/{category_id}"),
        &[("display_order", "-5"), ("description", "Start *here*.")],
    )
    .await
    .assert_redirect_to("/staff/categories");
    let home = student.get("/").await;
    home.assert_contains("Start <em>here</em>.");
    let first_category = home.body.find("/tasks/category/c\"").expect("category C listed");
    let second_category = home.body.find("/tasks/category/d\"").expect("category D listed");
    assert!(first_category < second_category, "lower display order first");
}

#[tokio::test]
async fn admins_change_where_a_repository_comes_from_and_it_syncs_from_there() {
    let (app, _old) = app_with_repository().await;
    let moved = repository_with_task("m", "Moved Task");
    moved.git(&["branch", "-m", "main", "trunk"]);

    let staff = app.other_client();
    staff.logged_in_as("sam", Role::Staff).await;
    assert!(!staff.get("/staff/repositories").await.body.contains("Change the URL or branch"));
    let by_staff = staff
        .post_form("/staff/repositories/course/source", &[("url", "x"), ("branch", "main")])
        .await;
    assert_eq!(by_staff.status, StatusCode::NOT_FOUND, "admins only");

    app.logged_in_as("ada", Role::Admin).await;
    let refused = app
        .post_form(
            "/staff/repositories/course/source",
            &[("url", &moved.url()), ("branch", "--upload-pack=evil")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("That is not a branch name.");
    refused.assert_contains(&format!(r#"value="{}""#, moved.url()));
    refused.assert_contains(r#"<details class="source" open"#);
    let unchanged: String =
        sqlx::query_scalar("select branch from repositories where name = 'course'")
            .fetch_one(&app.db)
            .await
            .expect("repository");
    assert_eq!(unchanged, "main");
    let missing =
        app.post_form("/staff/repositories/nope/source", &[("url", "x"), ("branch", "main")]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    app.post_form(
        "/staff/repositories/course/source",
        &[("url", &format!(" {} ", moved.url())), ("branch", "trunk")],
    )
    .await
    .assert_redirect_to("/staff/repositories");
    app.get("/staff/repositories").await.assert_contains("now comes from");
    assert!(wait_for_task(&app, "moved-task").await, "synced from the new place");
    let (url, branch): (String, String) =
        sqlx::query_as("select url, branch from repositories where name = 'course'")
            .fetch_one(&app.db)
            .await
            .expect("repository");
    assert_eq!((url, branch), (moved.url(), "trunk".to_owned()));
}
