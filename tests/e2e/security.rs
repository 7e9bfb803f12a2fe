//! CSRF, rate limits, access by role, sessions, headers, error pages.

use inloop_app::db::users::Role;
use inloop_tests::{PASSWORD, spawn_app, spawn_app_with};
use reqwest::StatusCode;

#[tokio::test]
async fn a_forged_post_without_the_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.logged_in_as("alice", Role::Student).await;
    let forged = app
        .post_form_raw(
            "/account/password",
            &[
                ("old_password", PASSWORD),
                ("password1", "attacker chosen pw"),
                ("password2", "attacker chosen pw"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    forged.assert_contains("This form has expired");
    let wrong_token = app
        .post_form_raw(
            "/account/profile",
            &[("csrf_token", "not-the-token"), ("first_name", "Mallory")],
        )
        .await;
    assert_eq!(wrong_token.status, StatusCode::FORBIDDEN);

    app.post_form("/logout", &[]).await;
    app.login("alice", PASSWORD).await.assert_redirect_to("/");
    assert!(!app.get("/").await.body.contains("Mallory"));
}

#[tokio::test]
async fn a_token_from_another_session_does_not_work() {
    let app = spawn_app().await;
    app.logged_in_as("alice", Role::Student).await;
    let attacker = app.other_client();
    let attackers_token = attacker.csrf_token().await;
    let page = app
        .post_form_raw(
            "/account/profile",
            &[("csrf_token", &attackers_token), ("first_name", "Mallory")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn htmx_requests_may_carry_the_token_in_a_header() {
    let app = spawn_app().await;
    app.logged_in_as("alice", Role::Student).await;
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url("/account/profile"))
        .header("X-CSRF-Token", token)
        .form(&[("first_name", "Alice"), ("last_name", "A"), ("matriculation_number", "1")])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn guessing_at_an_account_slows_the_guesser_down_and_never_locks_out_its_owner() {
    let app = spawn_app_with(|settings| {
        settings.rate_limits.login_per_account_and_address = 3;
        settings.behind_proxy = true;
    })
    .await;
    app.create_user("alice", Role::Student).await;
    let guesser = app.from_address("203.0.113.9");
    for _ in 0..4 {
        assert_eq!(
            guesser.login("alice", "wrong password!").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Three were free; the fourth makes the next try wait, even with the right password.
    let waiting = guesser.login("alice", PASSWORD).await;
    assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS);
    waiting.assert_contains(
        "Too many failed logins for this account from your network. Please try again in 2 seconds",
    );
    // The owner, somewhere else, is not locked out.
    app.from_address("198.51.100.7").login("alice", PASSWORD).await.assert_redirect_to("/");
    // Each further failure doubles the wait.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    assert_eq!(guesser.login("alice", "wrong again!!").await.status, StatusCode::UNAUTHORIZED);
    guesser.login("alice", PASSWORD).await.assert_contains("Please try again in 4 seconds");
    // Other accounts from the guesser's address are not affected.
    app.create_user("bob", Role::Student).await;
    guesser.login("bob", PASSWORD).await.assert_redirect_to("/");
}

#[tokio::test]
async fn login_is_limited_per_address() {
    let app = spawn_app_with(|settings| settings.rate_limits.login_per_address = 4).await;
    app.create_user("alice", Role::Student).await;
    for attempt in 0..4 {
        let page = app.login(&format!("nobody{attempt}"), "whatever pw").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app.login("alice", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    limited.assert_contains("Too many login attempts from your network");
}

#[tokio::test]
async fn signup_is_limited_per_address() {
    let app = spawn_app_with(|settings| settings.rate_limits.signup_per_address = 2).await;
    app.set_site_setting("signup_allowed = true").await;
    for _ in 0..2 {
        let page = app.post_form("/account/signup", &[("username", "x")]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = app.post_form("/account/signup", &[("username", "x")]).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    limited.assert_contains("Too many sign-ups from your network");
}

#[tokio::test]
async fn staff_pages_do_not_exist_for_students() {
    let app = spawn_app().await;
    app.logged_in_as("alice", Role::Student).await;
    for path in [
        "/staff",
        "/staff/users",
        "/staff/users/1",
        "/staff/groups",
        "/staff/courses",
        "/staff/settings",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        page.assert_contains("Page not found");
    }
    let post = app.post_form("/staff/groups", &[("name", "Sneaky")]).await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    for path in ["/staff/solutions/1/test-again", "/staff/tasks/1/test-untested"] {
        assert_eq!(app.post_form(path, &[]).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let groups: i64 =
        sqlx::query_scalar("select count(*) from groups").fetch_one(&app.db).await.expect("count");
    assert_eq!(groups, 0);
}

/// Walks the staff route table itself, so a route added without the guard cannot slip by.
#[tokio::test]
async fn every_staff_route_answers_404_to_students_and_the_login_page_to_visitors() {
    let app = spawn_app().await;
    let visitor = app.other_client();
    app.logged_in_as("mallory", Role::Student).await;
    let paths = inloop_app::routes::staff::paths();
    assert!(paths.len() >= 15, "the table has only {paths:?}");
    for path in paths {
        let filled: Vec<&str> = path
            .split('/')
            .map(|part| match part {
                ":name" => "course",
                _ if part.starts_with(':') => "1",
                _ => part,
            })
            .collect();
        let url = format!("/staff{}", filled.join("/")).trim_end_matches('/').to_owned();
        assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND, "GET {url}");
        let post = app.post_form(&url, &[("name", "Sneaky")]).await;
        assert_eq!(post.status, StatusCode::NOT_FOUND, "POST {url}");
        visitor.get(&url).await.assert_redirect_to(&format!("/login?next={url}"));
    }
}

#[tokio::test]
async fn staff_see_staff_pages_but_only_admins_the_settings() {
    let app = spawn_app().await;
    app.logged_in_as("sam", Role::Staff).await;
    for path in ["/staff", "/staff/users", "/staff/groups", "/staff/courses"] {
        assert_eq!(app.get(path).await.status, StatusCode::OK, "{path}");
    }
    assert_eq!(app.get("/staff/settings").await.status, StatusCode::NOT_FOUND);
    let admin = app.other_client();
    admin.logged_in_as("ada", Role::Admin).await;
    assert_eq!(admin.get("/staff/settings").await.status, StatusCode::OK);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_the_login_page() {
    let app = spawn_app().await;
    app.get("/staff").await.assert_redirect_to("/login?next=/staff");
    app.get("/account/profile").await.assert_redirect_to("/login?next=/account/profile");
    let htmx = app.get_htmx("/account/profile").await;
    assert_eq!(
        htmx.headers.get("HX-Redirect").and_then(|v| v.to_str().ok()),
        Some("/login?next=/account/profile")
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_changes_at_login() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Student).await;
    let anonymous = app.get("/login").await;
    assert_eq!(app.session_cookie(&anonymous), None, "looking creates no session");
    let token = app.cookie_set(&anonymous, "inloop_csrf").expect("the login form's token");
    assert!(token.contains("HttpOnly") && token.contains("SameSite=Lax"), "{token}");
    assert!(!token.contains("Secure"), "no Secure flag without TLS");
    let login = app.login("alice", PASSWORD).await;
    let after = app.session_cookie(&login).expect("a session at login");
    assert!(after.contains("HttpOnly") && after.contains("SameSite=Lax"), "{after}");
    let again = app.other_client();
    let first = again.login("alice", PASSWORD).await;
    let second = again.login("alice", PASSWORD).await;
    let id = |page: &inloop_tests::Page| {
        app.session_cookie(page)
            .map(|cookie| cookie.split(';').next().unwrap_or_default().to_owned())
    };
    assert!(id(&first).is_some());
    assert_ne!(id(&first), id(&second), "the session id is rotated at every login");
}

#[tokio::test]
async fn behind_tls_the_session_cookie_is_secure() {
    let app =
        spawn_app_with(|settings| settings.public_url = "https://inloop.example.org".to_owned())
            .await;
    let page = app.get("/login").await;
    let cookie = app.cookie_set(&page, "__Host-inloop_csrf").expect("the form's token cookie");
    assert!(cookie.contains("Secure") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert!(page.headers.contains_key("strict-transport-security"));
}

#[tokio::test]
async fn a_deactivated_account_loses_its_session() {
    let app = spawn_app().await;
    let user_id = app.logged_in_as("alice", Role::Student).await;
    sqlx::query("update users set is_active = false where id = $1")
        .bind(user_id)
        .execute(&app.db)
        .await
        .expect("update");
    app.get("/").await.assert_contains("<h1>Log in</h1>");
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_and_security_headers() {
    let app = spawn_app().await;
    let page = app.get("/login").await;
    let header = |name: &str| {
        page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    };
    let csp = header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert!(!page.body.contains("<script>"), "no inline scripts");
}

#[tokio::test]
async fn static_files_have_hashed_names_and_long_cache_lifetimes() {
    let app = spawn_app().await;
    let page = app.get("/login").await;
    let stylesheet = regex::Regex::new(r#"href="(/static/css/app\.[0-9a-f]{10}\.css)""#)
        .expect("valid")
        .captures(&page.body)
        .map(|c| c[1].to_owned())
        .expect("hashed stylesheet link");
    let response = app.client.get(app.url(&stylesheet)).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(
        response.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/css")
    );
    let htmx = regex::Regex::new(r#"src="(/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{10}\.js)""#)
        .expect("valid");
    assert!(htmx.is_match(&page.body), "htmx is linked by hashed name");
    assert_eq!(app.get("/static/css/app.css").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_pages_get_a_helpful_404_and_htmx_gets_a_fragment() {
    let app = spawn_app().await;
    let page = app.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("<!DOCTYPE html>");
    page.assert_contains("Go to the start page");
    let fragment = app.get_htmx("/no/such/page").await;
    assert_eq!(fragment.status, StatusCode::NOT_FOUND);
    assert!(!fragment.body.contains("<html"), "{}", fragment.body);
    fragment.assert_contains("Page not found");
}

#[tokio::test]
async fn health_and_readiness_endpoints_answer() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!((health.status, health.body.as_str()), (StatusCode::OK, "ok"));
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "postgresql: ok\nredis: ok\n");
    assert!(app.session_cookie(&ready).is_none(), "probes create no sessions");
}
