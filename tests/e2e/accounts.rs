//! Account flows as a user goes through them.

use inloop_app::db::users::Role;
use inloop_tests::{PASSWORD, spawn_app};
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
async fn anonymous_visitors_get_the_login_form_at_the_root() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<h1>Log in</h1>");
    page.assert_contains("Forgot your password?");
}

#[tokio::test]
async fn a_user_logs_in_reaches_the_home_page_and_logs_out() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Student).await;
    app.login("alice", PASSWORD).await.assert_redirect_to("/");
    let home = app.get("/").await;
    home.assert_contains("Hello, alice");
    home.assert_contains("Your profile is incomplete");
    assert!(!home.body.contains(r#"href="/staff""#), "students see no staff link");

    app.post_form("/logout", &[]).await.assert_redirect_to("/login?logged_out=1");
    app.get("/login?logged_out=1").await.assert_contains("You have been logged out");
    app.get("/").await.assert_contains("<h1>Log in</h1>");
}

#[tokio::test]
async fn login_accepts_the_email_address_in_any_case() {
    let app = spawn_app().await;
    app.create_user("bob", Role::Student).await;
    app.login("BOB@Example.org", PASSWORD).await.assert_redirect_to("/");
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_clear_message() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Student).await;
    let page = app.login("alice", "not the password").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    page.assert_contains("Please enter a correct username and password");
    let unknown = app.login("nobody", PASSWORD).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNAUTHORIZED,
        "unknown users look the same as wrong passwords"
    );
}

#[tokio::test]
async fn after_login_the_user_returns_to_the_page_they_asked_for() {
    let app = spawn_app().await;
    app.create_user("sam", Role::Staff).await;
    app.get("/staff/users").await.assert_redirect_to("/login?next=/staff/users");
    let page = app
        .post_form("/login", &[("login", "sam"), ("password", PASSWORD), ("next", "/staff/users")])
        .await;
    page.assert_redirect_to("/staff/users");
    let offsite = app
        .post_form(
            "/login",
            &[("login", "sam"), ("password", PASSWORD), ("next", "//evil.example/")],
        )
        .await;
    offsite.assert_redirect_to("/");
}

#[tokio::test]
async fn logout_works_only_by_post() {
    let app = spawn_app().await;
    app.logged_in_as("alice", Role::Student).await;
    let page = app.get("/logout").await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    page.assert_contains("Log out button");
    app.get("/").await.assert_contains("Hello, alice");
}

#[tokio::test]
async fn signup_is_closed_unless_staff_open_it() {
    let app = spawn_app().await;
    app.get("/account/signup").await.assert_redirect_to("/account/signup/closed");
    app.post_form("/account/signup", &[("username", "x")])
        .await
        .assert_redirect_to("/account/signup/closed");
    app.get("/account/signup/closed").await.assert_contains("signing up is not allowed");
}

#[tokio::test]
async fn signing_up_activating_and_logging_in() {
    let app = spawn_app().await;
    app.set_site_setting("signup_allowed = true").await;
    let page = app
        .post_form(
            "/account/signup",
            &[
                ("username", "bob"),
                ("email", "bob@example.org"),
                ("password1", PASSWORD),
                ("password2", PASSWORD),
                ("privacy_consent", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_contains("Please check your mailbox");

    let mails = app.mails();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Subject: Activate your account on INLOOP"), "{}", mails[0]);
    assert!(mails[0].contains("Hello bob,") && mails[0].contains("The INLOOP team"));

    let refused = app.login("bob", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("not active");

    let link = app.link_in_last_mail("/account/activate/");
    app.get(&link).await.assert_redirect_to("/login");
    app.get("/login").await.assert_contains("Your account has been activated");
    let again = app.get(&link).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    again.assert_contains("This activation link is not valid.");

    app.login("bob", PASSWORD).await.assert_redirect_to("/");
}

#[tokio::test]
async fn signup_reports_each_problem_at_its_field() {
    let app = spawn_app().await;
    app.set_site_setting(
        "signup_allowed = true, email_pattern = '@example\\.org$', email_error_message = 'Use your `@example.org` address.'",
    )
    .await;
    app.create_user("Taken", Role::Student).await;
    let page = app
        .post_form(
            "/account/signup",
            &[
                ("username", "taken"),
                ("email", "x@elsewhere.net"),
                ("password1", "short"),
                ("password2", "other"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("A user with that username already exists.");
    page.assert_contains("<p>Use your <code>@example.org</code> address.</p>");
    page.assert_contains("This password is too short");
    page.assert_contains("The two passwords do not match.");
    page.assert_contains("Please accept the privacy statement");
    page.assert_contains(r#"value="taken""#);

    let duplicate_email = app
        .post_form(
            "/account/signup",
            &[
                ("username", "fresh"),
                ("email", "TAKEN@example.org"),
                ("password1", PASSWORD),
                ("password2", PASSWORD),
                ("privacy_consent", "on"),
            ],
        )
        .await;
    duplicate_email.assert_contains("This email address is already in use.");

    let null_character = app
        .post_form("/account/signup", &[("username", "nul"), ("email", "a\0b@example.org")])
        .await;
    assert_eq!(null_character.status, StatusCode::UNPROCESSABLE_ENTITY);
    null_character.assert_contains("contains a NUL character");
    assert!(app.mails().is_empty(), "no mail for refused sign-ups");
    let users: i64 =
        sqlx::query_scalar("select count(*) from users").fetch_one(&app.db).await.expect("count");
    assert_eq!(users, 1, "nothing was stored");
}

#[tokio::test]
async fn a_password_reset_link_sets_a_new_password_once() {
    let app = spawn_app().await;
    app.create_user("carol", Role::Student).await;
    app.post_form("/account/password-reset", &[("email", "carol@example.org")])
        .await
        .assert_contains("Check your mailbox");
    let mails = app.wait_for_mails(1).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("Subject: Recover your password on INLOOP"));
    let link = app.link_in_last_mail("/account/password-reset/");

    app.get(&link).await.assert_contains("Set a new password");
    let new_password = "a whole new password";
    app.post_form(&link, &[("password1", new_password), ("password2", new_password)])
        .await
        .assert_redirect_to("/login");

    assert_eq!(app.login("carol", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    app.login("carol", new_password).await.assert_redirect_to("/");
    let reused = app.get(&link).await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST);
    reused.assert_contains("Sorry, this recovery link is invalid.");
}

#[tokio::test]
async fn a_reset_request_for_an_unknown_address_looks_the_same_and_sends_nothing() {
    let app = spawn_app().await;
    app.create_user("carol", Role::Student).await;
    let unknown = app.post_form("/account/password-reset", &[("email", "ghost@example.org")]).await;
    let known = app.post_form("/account/password-reset", &[("email", "carol@example.org")]).await;
    assert_eq!(unknown.status, StatusCode::OK);
    unknown.assert_contains("Check your mailbox");
    assert_eq!((known.status, known.main_content()), (unknown.status, unknown.main_content()));
    // Mails go out in the background: give a ghost's mail time to appear too, if one were sent.
    app.wait_for_mails(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = app.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].contains("To: carol@example.org"), "{}", mails[0]);
}

#[tokio::test]
async fn changing_the_password_needs_the_old_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.logged_in_as("dave", Role::Student).await;
    let other_browser = app.other_client();
    other_browser.login("dave", PASSWORD).await.assert_redirect_to("/");

    let wrong = app
        .post_form(
            "/account/password",
            &[
                ("old_password", "nope"),
                ("password1", "brand new secret"),
                ("password2", "brand new secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Your current password was entered incorrectly.");

    app.post_form(
        "/account/password",
        &[
            ("old_password", PASSWORD),
            ("password1", "brand new secret"),
            ("password2", "brand new secret"),
        ],
    )
    .await
    .assert_redirect_to("/account/profile");
    app.get("/account/profile")
        .await
        .assert_contains("Your password has been updated successfully.");
    other_browser.get("/").await.assert_contains("<h1>Log in</h1>");
}

#[tokio::test]
async fn the_profile_saves_names_and_checks_the_matriculation_number() {
    let app = spawn_app().await;
    app.logged_in_as("erin", Role::Student).await;
    let bad = app
        .post_form(
            "/account/profile",
            &[("first_name", "Erin"), ("last_name", "Doe"), ("matriculation_number", "12ab")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Please enter a numeric value or leave the field blank.");

    app.post_form(
        "/account/profile",
        &[("first_name", "Erin"), ("last_name", "Doe"), ("matriculation_number", "4711")],
    )
    .await
    .assert_redirect_to("/account/profile");
    let page = app.get("/account/profile").await;
    page.assert_contains("Your profile has been updated successfully.");
    page.assert_contains(r#"value="4711""#);
    let home = app.get("/").await;
    home.assert_contains("Hello, Erin Doe");
    assert!(!home.body.contains("Your profile is incomplete"));
}

#[tokio::test]
async fn students_confirm_the_own_work_declaration_before_anything_else() {
    let app = spawn_app().await;
    app.set_site_setting(
        "require_ownwork_declaration = true, ownwork_declaration = 'I work **alone**.'",
    )
    .await;
    app.create_user("frank", Role::Student).await;
    app.login("frank", PASSWORD).await.assert_redirect_to("/");
    app.get("/").await.assert_redirect_to("/account/confirm-ownwork");
    // A form sent before confirming changes nothing.
    app.post_form("/account/profile", &[("first_name", "Sneaky")])
        .await
        .assert_redirect_to("/account/confirm-ownwork");

    let form = app.get("/account/confirm-ownwork").await;
    form.assert_contains("I work <strong>alone</strong>.");
    let missing = app
        .post_form(
            "/account/confirm-ownwork",
            &[("first_name", "Frank"), ("last_name", "Fox"), ("matriculation_number", "123")],
        )
        .await;
    missing.assert_contains("Please confirm the declaration.");
    app.post_form(
        "/account/confirm-ownwork",
        &[
            ("first_name", "Frank"),
            ("last_name", "Fox"),
            ("matriculation_number", "123"),
            ("declaration", "on"),
        ],
    )
    .await
    .assert_redirect_to("/");
    let home = app.get("/").await;
    home.assert_contains("Thanks! Your details have been saved successfully.");
    home.assert_contains("Hello, Frank Fox");

    let staff = app.other_client();
    staff.logged_in_as("sue", Role::Staff).await;
    assert_eq!(staff.get("/").await.status, StatusCode::OK, "staff are not asked");
}

#[tokio::test]
async fn a_student_without_a_group_joins_one_of_the_configured_groups_at_login() {
    let app = spawn_app().await;
    sqlx::query("insert into groups (name) values ('Group A'), ('GroupB')")
        .execute(&app.db)
        .await
        .expect("groups");
    app.set_site_setting("auto_assign_groups = 'GroupB Missing'").await;
    let user_id = app.logged_in_as("gina", Role::Student).await;
    let groups: Vec<String> = sqlx::query_scalar(
        "select g.name from groups g join group_members m on m.group_id = g.id where m.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(&app.db)
    .await
    .expect("groups of the user");
    assert_eq!(groups, ["GroupB"]);
    app.get("/account/profile").await.assert_contains("GroupB");
}

#[tokio::test]
async fn only_old_never_activated_accounts_are_pruned() {
    let app = spawn_app().await;
    sqlx::query(
        "insert into users (username, email, password_hash, is_active, created_at, last_login_at) values
           ('old_inactive', 'a@example.org', 'x', false, now() - interval '8 days', null),
           ('young_inactive', 'b@example.org', 'x', false, now() - interval '6 days', null),
           ('old_active', 'c@example.org', 'x', true, now() - interval '30 days', null),
           ('old_inactive_logged_in', 'd@example.org', 'x', false, now() - interval '30 days', now())",
    )
    .execute(&app.db)
    .await
    .expect("users");
    let pruned = inloop_app::db::users::prune_unactivated(&app.db, 7).await.expect("prune");
    assert_eq!(pruned, 1);
    let left: Vec<String> = sqlx::query_scalar("select username from users order by username")
        .fetch_all(&app.db)
        .await
        .expect("users");
    assert_eq!(left, ["old_active", "old_inactive_logged_in", "young_inactive"]);
}
