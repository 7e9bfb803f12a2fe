//! What course staff and admins do on the staff pages.

use inloop_app::db::users::Role;
use inloop_tests::{PASSWORD, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn staff_find_users_by_name_and_htmx_swaps_only_the_results() {
    let app = spawn_app().await;
    app.logged_in_as("sam", Role::Staff).await;
    app.create_user("zoe", Role::Student).await;
    app.create_user("yann", Role::Student).await;
    let page = app.get("/staff/users?q=zo").await;
    page.assert_contains("zoe@example.org");
    assert!(!page.body.contains("yann@example.org"));
    page.assert_contains("1 user(s)");
    let fragment = app.get_htmx("/staff/users?q=yan&role=student").await;
    assert!(!fragment.body.contains("<html"));
    fragment.assert_contains("yann@example.org");
}

#[tokio::test]
async fn staff_create_groups_and_put_users_in_them() {
    let app = spawn_app().await;
    app.logged_in_as("sam", Role::Staff).await;
    let student = app.create_user("zoe", Role::Student).await;
    app.post_form("/staff/groups", &[("name", "Monday 9:20")]).await;
    let bad = app.post_form("/staff/groups", &[("name", "<script>")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.post_form("/staff/groups", &[("name", "Tuesday")])
        .await
        .assert_redirect_to("/staff/groups");
    let duplicate = app.post_form("/staff/groups", &[("name", "tuesday")]).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    duplicate.assert_contains("already exists");

    let group_id: i64 = sqlx::query_scalar("select id from groups where name = 'Tuesday'")
        .fetch_one(&app.db)
        .await
        .expect("group");
    app.post_form(
        &format!("/staff/users/{student}"),
        &[("group", &group_id.to_string()), ("role", "admin")],
    )
    .await
    .assert_redirect_to(&format!("/staff/users/{student}"));
    let role: String = sqlx::query_scalar("select role from users where id = $1")
        .bind(student)
        .fetch_one(&app.db)
        .await
        .expect("role");
    assert_eq!(role, "student", "staff who are not admins cannot change roles");
    app.get("/staff/groups").await.assert_contains(">Tuesday</a></td><td>1</td>");
}

#[tokio::test]
async fn admins_change_roles_but_never_remove_the_last_admin() {
    let app = spawn_app().await;
    let admin = app.logged_in_as("ada", Role::Admin).await;
    let student = app.create_user("zoe", Role::Student).await;
    app.post_form(&format!("/staff/users/{student}"), &[("role", "staff"), ("is_active", "on")])
        .await;
    let zoe = app.other_client();
    zoe.login("zoe", PASSWORD).await.assert_redirect_to("/");
    assert_eq!(zoe.get("/staff").await.status, StatusCode::OK);

    let refused = app
        .post_form(&format!("/staff/users/{admin}"), &[("role", "student"), ("is_active", "on")])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("last active admin");
}

#[tokio::test]
async fn admins_open_signup_and_bad_patterns_are_refused() {
    let app = spawn_app().await;
    app.logged_in_as("ada", Role::Admin).await;
    let bad = app
        .post_form("/staff/settings", &[("email_pattern", "a+*("), ("ownwork_declaration", "x")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("This is not a valid regular expression");
    app.post_form(
        "/staff/settings",
        &[
            ("signup_allowed", "on"),
            ("email_pattern", "@example\\.org$"),
            ("ownwork_declaration", "x"),
            ("privacy_statement", "We keep **little**."),
        ],
    )
    .await
    .assert_redirect_to("/staff/settings");
    let visitor = app.other_client();
    assert_eq!(visitor.get("/account/signup").await.status, StatusCode::OK);
    visitor.get("/about/privacy").await.assert_contains("We keep <strong>little</strong>.");
}

#[tokio::test]
async fn staff_add_courses_of_study_that_students_pick() {
    let app = spawn_app().await;
    app.logged_in_as("sam", Role::Staff).await;
    app.post_form("/staff/courses", &[("name", "Computer Science")])
        .await
        .assert_redirect_to("/staff/courses");
    let student = app.other_client();
    student.logged_in_as("zoe", Role::Student).await;
    student.get("/account/profile").await.assert_contains("Computer Science");
}

#[tokio::test]
async fn admins_write_the_legal_notice_and_help_every_page_links_to() {
    let app = spawn_app().await;
    let visitor = app.other_client();
    let login = visitor.get("/login").await;
    login.assert_contains(r#"href="/about/help""#);
    login.assert_contains(r#"href="/about/legal""#);
    visitor.get("/about/legal").await.assert_contains("have not written a legal notice yet");
    visitor.get("/about/help").await.assert_contains("Handing in a solution");

    app.logged_in_as("ada", Role::Admin).await;
    app.post_form(
        "/staff/settings",
        &[
            ("ownwork_declaration", "x"),
            ("legal_notice", "Run by **TU Example**.<script>alert(1)</script>"),
            ("help_page", "# Ask in the forum\n\n[Forum](https://forum.example.org)"),
        ],
    )
    .await
    .assert_redirect_to("/staff/settings");
    let legal = visitor.get("/about/legal").await;
    legal.assert_contains("Run by <strong>TU Example</strong>.");
    assert!(!legal.main_content().contains("<script>"), "admins' Markdown is sanitised too");
    let help = visitor.get("/about/help").await;
    help.assert_contains("Ask in the forum");
    assert!(
        !help.body.contains("Handing in a solution"),
        "the admins' help replaces the built-in one"
    );
    app.get("/staff/audit").await.assert_contains("legal notice rewritten; help page rewritten");
}

#[tokio::test]
async fn admins_delete_an_account_after_being_told_what_goes_with_it() {
    let app = spawn_app().await;
    let student = app.other_client();
    let zoe = student.logged_in_as("zoe", Role::Student).await;
    let repository: i64 = sqlx::query_scalar(
        "insert into repositories (name, url, branch, webhook_secret) values ('r', 'file:///r', 'main', 's') returning id",
    )
    .fetch_one(&app.db)
    .await
    .expect("repository");
    let category: i64 =
        sqlx::query_scalar("insert into categories (name, slug) values ('C', 'c') returning id")
            .fetch_one(&app.db)
            .await
            .expect("category");
    let task: i64 = sqlx::query_scalar(
        "insert into tasks (repository_id, system_name, slug, title, category_id, description, pubdate, runner, revision,
                            content_hash, repo_pubdate, repo_disabled)
         values ($1, 't', 't', 'T', $2, '', now(), 'python', 'r', 'h', now(), false) returning id",
    )
    .bind(repository)
    .bind(category)
    .fetch_one(&app.db)
    .await
    .expect("task");
    sqlx::query("insert into solutions (task_id, author_id, number, revision, status) values ($1, $2, 1, 'r', 'queued')")
        .bind(task)
        .bind(zoe)
        .execute(&app.db)
        .await
        .expect("a solution");
    let delete = format!("/staff/users/{zoe}/delete");

    let staff = app.other_client();
    staff.logged_in_as("sam", Role::Staff).await;
    assert_eq!(staff.get(&delete).await.status, StatusCode::NOT_FOUND, "admins only");
    assert_eq!(staff.post_form(&delete, &[]).await.status, StatusCode::NOT_FOUND);

    let ada = app.logged_in_as("ada", Role::Admin).await;
    let confirmation = app.get(&delete).await;
    confirmation.assert_contains("1 solution(s) with their files and results");
    confirmation.assert_contains("deactivate the account instead");
    app.get(&format!("/staff/users/{ada}/delete"))
        .await
        .assert_contains("another admin has to delete it");
    app.post_form(&format!("/staff/users/{ada}/delete"), &[])
        .await
        .assert_redirect_to(&format!("/staff/users/{ada}"));

    app.post_form(&delete, &[]).await.assert_redirect_to("/staff/users");
    let left: i64 = sqlx::query_scalar("select count(*) from users where id = $1")
        .bind(zoe)
        .fetch_one(&app.db)
        .await
        .expect("count");
    let solutions: i64 = sqlx::query_scalar("select count(*) from solutions")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!((left, solutions), (0, 0));
    student.get("/account/profile").await.assert_redirect_to("/login?next=/account/profile");
    app.get("/staff/audit").await.assert_contains("Deleted an account");
}

#[tokio::test]
async fn admins_rename_courses_of_study_and_delete_those_nobody_studies() {
    let app = spawn_app().await;
    let course = |name: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("insert into courses (name) values ($1) returning id")
                .bind(name)
                .fetch_one(&db)
                .await
                .expect("course")
        }
    };
    let physics = course("Physics").await;
    let maths = course("Maths").await;
    let zoe = app.create_user("zoe", Role::Student).await;
    sqlx::query("update users set course_id = $1 where id = $2")
        .bind(maths)
        .bind(zoe)
        .execute(&app.db)
        .await
        .expect("studies");
    let other: i64 = sqlx::query_scalar("select id from courses where name = 'Other'")
        .fetch_one(&app.db)
        .await
        .expect("Other");

    let staff = app.other_client();
    staff.logged_in_as("sam", Role::Staff).await;
    assert_eq!(
        staff.post_form(&format!("/staff/courses/{physics}/delete"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.post_form(&format!("/staff/courses/{physics}"), &[("name", "X")]).await.status,
        StatusCode::NOT_FOUND
    );

    app.logged_in_as("ada", Role::Admin).await;
    app.post_form(&format!("/staff/courses/{maths}"), &[("name", "Mathematics")])
        .await
        .assert_redirect_to("/staff/courses");
    app.post_form(&format!("/staff/courses/{physics}"), &[("name", "Mathematics")])
        .await
        .assert_redirect_to("/staff/courses");
    app.post_form(&format!("/staff/courses/{other}"), &[("name", "Misc")])
        .await
        .assert_redirect_to("/staff/courses");
    app.post_form(&format!("/staff/courses/{maths}/delete"), &[])
        .await
        .assert_redirect_to("/staff/courses");
    app.get("/staff/courses")
        .await
        .assert_contains("Only a course of study that nobody studies can be deleted");
    app.post_form(&format!("/staff/courses/{physics}/delete"), &[])
        .await
        .assert_redirect_to("/staff/courses");
    let names: Vec<String> = sqlx::query_scalar("select name from courses order by name")
        .fetch_all(&app.db)
        .await
        .expect("names");
    assert_eq!(
        names,
        ["Mathematics", "Other"],
        "renamed, taken name refused, Other kept, the studied one kept, the unused one gone"
    );
    app.get("/staff/audit").await.assert_contains("course of study Maths");
}
