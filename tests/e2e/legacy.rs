//! INLOOP's old addresses lead to their new homes, so that links in course material keep working.

use inloop_app::db::users::Role;
use inloop_tests::{TestApp, app_with_fixture_course};
use reqwest::StatusCode;

async fn moved_to(app: &TestApp, old: &str) -> String {
    let page = app.get(old).await;
    assert_eq!(page.status, StatusCode::MOVED_PERMANENTLY, "{old}: {}", page.body);
    page.location.unwrap_or_else(|| panic!("{old} names no new address"))
}

#[tokio::test]
async fn old_inloop_addresses_redirect_to_their_new_homes() {
    let app = app_with_fixture_course().await;
    let ada = app.logged_in_as("ada", Role::Student).await;
    let counter: i64 = sqlx::query_scalar("select id from tasks where slug = 'a-counter'")
        .fetch_one(&app.db)
        .await
        .expect("task");
    let solution: i64 = sqlx::query_scalar(
        "insert into solutions (task_id, author_id, number, revision, status) values ($1, $2, 1, 'x', 'queued') returning id",
    )
    .bind(counter)
    .bind(ada)
    .fetch_one(&app.db)
    .await
    .expect("a solution");

    for (old, new) in [
        ("/tasks/", "/tasks"),
        ("/tasks", "/"),
        ("/tasks/category/java-basics/?x=1", "/tasks/category/java-basics?x=1"),
        ("/solutions/editor/a-counter/", "/solutions/editor/a-counter"),
        ("/solutions/editor/a-counter", "/tasks/a-counter"),
        ("/solutions/editor/a-counter/images/counter.png", "/tasks/a-counter/images/counter.png"),
        ("/solutions/list/a-counter", "/tasks/a-counter/solutions"),
        ("/solutions/detail/a-counter/1", &format!("/solutions/{solution}")),
        ("/solutions/staffdetail/7", "/solutions/7"),
        ("/account/password_reset", "/account/password-reset"),
        ("/account/confirm_ownwork", "/account/confirm-ownwork"),
        ("/admin/", "/admin"),
        ("/admin", "/staff"),
        // A doubled slash must not turn into another site's address.
        ("//evil.example/", "/evil.example"),
    ] {
        assert_eq!(moved_to(&app, old).await, new, "{old}");
    }
    assert_eq!(
        app.get("/solutions/editor/a-counter/settings.py").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/solutions/detail/a-counter/2").await.status, StatusCode::NOT_FOUND);

    // Another student's solution number leads nowhere.
    let bob = app.other_client();
    bob.logged_in_as("bob", Role::Student).await;
    assert_eq!(bob.get("/solutions/detail/a-counter/1").await.status, StatusCode::NOT_FOUND);
    let visitor = app.other_client();
    visitor
        .get("/solutions/detail/a-counter/1")
        .await
        .assert_redirect_to("/login?next=/solutions/detail/a-counter/1");
}
