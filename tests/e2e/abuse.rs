//! What an abusive client tries against the web tier: huge bodies, sessions by the million,
//! submit floods and races, streams left open, sneaky redirects, password guessing, hashing
//! floods, absurd page numbers, and tokens in repository addresses. Each is refused or bounded.

use std::time::Duration;

use inloop_app::db::users::Role;
use inloop_tests::{
    EventStream, PASSWORD, app_with_fixture_course, counters::FAILS, eventually, spawn_app,
    spawn_app_with,
};
use reqwest::StatusCode;

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_any_handler_reads_it() {
    let app = spawn_app().await;
    let token = app.csrf_token().await;
    // Declaring the size is enough to be refused, before a byte of the body is sent (the form's
    // token is a visitor's: the one in their cookie).
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut raw = tokio::net::TcpStream::connect(&address).await.expect("connects");
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {address}\r\nX-CSRF-Token: {token}\r\n\
         Cookie: inloop_csrf={token}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        40 << 20
    );
    tokio::io::AsyncWriteExt::write_all(&mut raw, head.as_bytes()).await.expect("sent");
    let mut answer = vec![0u8; 12];
    tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_exact(&mut raw, &mut answer),
    )
    .await
    .expect("an answer without the body")
    .expect("read");
    assert_eq!(&answer, b"HTTP/1.1 413");
    // (A chunked body, which declares nothing, is counted as it is read: `body_limit`'s tests.)
    // A body within the limit is read as before.
    app.create_user("alice", Role::Student).await;
    app.login("alice", PASSWORD).await.assert_redirect_to("/");
}

#[tokio::test]
async fn visitors_who_only_look_leave_no_session_behind() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Student).await;
    for path in ["/", "/login", "/about/privacy", "/account/password-reset", "/no/such/page"] {
        // Every request from a new browser, as a crawler or a flood sends them.
        app.other_client().get(path).await;
    }
    assert_eq!(app.sessions_stored().await, 0, "looking creates no session in Redis");
    // The login form still works: its token is in a cookie of its own.
    app.login("alice", PASSWORD).await.assert_redirect_to("/");
    assert_eq!(app.sessions_stored().await, 1);
    // A form that does not repeat the cookie's token is refused.
    let stranger = app.other_client();
    stranger.get("/login").await;
    let forged = stranger
        .post_form_raw(
            "/login",
            &[("csrf_token", "A".repeat(43).as_str()), ("login", "alice"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let no_cookie = inloop_tests::new_client()
        .post(app.url("/login"))
        .form(&[("csrf_token", app.csrf_token().await.as_str()), ("login", "alice")])
        .send()
        .await
        .expect("answered");
    assert_eq!(no_cookie.status(), StatusCode::FORBIDDEN, "the token alone is not enough");
    // A session that only carries a message to the next page lives an hour, not a week.
    let mut redis = app.state.redis.clone();
    let anonymous = app.other_client();
    anonymous.set_site_setting("signup_allowed = true").await;
    anonymous
        .post_form(
            "/account/signup",
            &[
                ("username", "newbie"),
                ("email", "newbie@example.org"),
                ("password1", PASSWORD),
                ("password2", PASSWORD),
                ("privacy_consent", "on"),
            ],
        )
        .await
        .assert_contains("Please check your mailbox");
    let link = anonymous.link_in_last_mail("/account/activate/");
    // The activation's message for the login page is carried in a session.
    anonymous.get(&link).await.assert_redirect_to("/login");
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}:session:*", app.redis_prefix))
        .query_async(&mut redis)
        .await
        .expect("keys");
    let mut lifetimes = Vec::new();
    for key in keys {
        let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut redis).await.expect("ttl");
        lifetimes.push(ttl);
    }
    lifetimes.sort_unstable();
    assert_eq!(lifetimes.len(), 2, "alice's, and the newcomer's message: {lifetimes:?}");
    assert!(0 < lifetimes[0] && lifetimes[0] <= 3600, "{lifetimes:?}");
    assert!(3600 < lifetimes[1] && lifetimes[1] <= 7 * 24 * 3600, "{lifetimes:?}");
}

#[tokio::test]
async fn a_limit_of_one_holds_under_twenty_parallel_submits() {
    let app = app_with_fixture_course().await;
    app.set_site_setting("max_submissions = 1").await;
    app.logged_in_as("stu", Role::Student).await;
    let submits = (0..20).map(|_| app.submit("a-counter", &[("Counter.java", FAILS)]));
    futures_util::future::join_all(submits).await;
    let stored: i64 =
        sqlx::query_scalar("select count(*) from solutions").fetch_one(&app.db).await.expect("n");
    assert_eq!(stored, 1, "one solution, however many submits raced");
}

#[tokio::test]
async fn submits_are_paced_and_a_student_has_only_so_many_waiting() {
    let app = {
        let task_dir =
            std::env::temp_dir().join(format!("inloop-course-{}", uuid::Uuid::new_v4().simple()));
        let app = spawn_app_with(|settings| {
            settings.task_dir = Some(task_dir);
            settings.rate_limits.submits_per_minute = 4;
            settings.rate_limits.waiting_per_student = 2;
        })
        .await;
        inloop_tests::sync_fixture_course(&app).await;
        app
    };
    app.logged_in_as("stu", Role::Student).await;
    // No runner: every solution waits.
    for _ in 0..2 {
        assert_eq!(
            app.submit("a-counter", &[("Counter.java", FAILS)]).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let refused = app.submit("a-counter", &[("Counter.java", FAILS)]).await;
    refused.assert_redirect_to("/tasks/a-counter#submit");
    app.get("/tasks/a-counter")
        .await
        .assert_contains("2 of your solutions are still waiting to be tested.");
    // Refused tries count towards the pace too: a script gains nothing by hammering.
    app.submit("a-counter", &[("Counter.java", FAILS)]).await;
    app.submit("a-counter", &[("Counter.java", FAILS)]).await;
    app.get("/tasks/a-counter").await.assert_contains("You are submitting faster than we test.");
    let stored: i64 =
        sqlx::query_scalar("select count(*) from solutions").fetch_one(&app.db).await.expect("n");
    assert_eq!(stored, 2);
}

#[tokio::test]
async fn one_user_holds_only_so_many_live_streams() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", FAILS)]).await;
    let events = app.url(&format!("{path}/events"));
    let mut open = Vec::new();
    for _ in 0..inloop_app::live::MOST_STREAMS_PER_USER {
        let response = app.client.get(&events).send().await.expect("a stream");
        assert_eq!(response.status(), StatusCode::OK);
        let mut stream = EventStream::new(response);
        assert!(stream.until("event: status", Duration::from_secs(5)).await);
        open.push(stream);
    }
    let refused = app.client.get(&events).send().await.expect("answered");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    // Another user is not affected, and a closed stream makes room again.
    let other = app.other_client();
    other.logged_in_as("staffer", Role::Staff).await;
    let staff_stream = other.client.get(&events).send().await.expect("a stream");
    assert_eq!(staff_stream.status(), StatusCode::OK);
    drop(open.pop());
    eventually(Duration::from_secs(20), "a closed stream makes room", || async {
        let response = app.client.get(&events).send().await.ok()?;
        (response.status() == StatusCode::OK).then_some(())
    })
    .await;
}

#[tokio::test]
async fn after_login_no_address_leads_off_the_site() {
    let app = spawn_app().await;
    app.create_user("alice", Role::Student).await;
    for next in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example"] {
        let page = app
            .other_client()
            .post_form("/login", &[("login", "alice"), ("password", PASSWORD), ("next", next)])
            .await;
        page.assert_redirect_to("/");
    }
    let page = app
        .post_form("/login", &[("login", "alice"), ("password", PASSWORD), ("next", "/tasks")])
        .await;
    page.assert_redirect_to("/tasks");
}

#[tokio::test]
async fn a_user_name_is_never_an_e_mail_address() {
    let app = spawn_app().await;
    app.create_user("victim", Role::Student).await;
    app.create_user("mallory", Role::Student).await;
    // The database refuses one, whoever tries to store it.
    let renamed =
        sqlx::query("update users set username = 'victim@example.org' where username = 'mallory'")
            .execute(&app.db)
            .await
            .expect_err("a user name with an @ is refused");
    assert!(renamed.to_string().contains("users_username_without_at"), "{renamed}");
    // A name like that from before the rule (the trigger is set aside here to make one) never
    // stands in for the address's owner, and its own owner still logs in, by e-mail.
    for statement in [
        "alter table users disable trigger users_username_without_at",
        "update users set username = 'victim@example.org' where username = 'mallory'",
        "alter table users enable trigger users_username_without_at",
    ] {
        sqlx::query(statement).execute(&app.db).await.expect("a legacy name");
    }
    app.login("victim@example.org", PASSWORD).await.assert_redirect_to("/");
    let home = app.get("/").await;
    home.assert_contains("Hello, victim");
    assert!(!home.body.contains("Hello, victim@"), "the address's owner, not the name's");
    let legacy = app.other_client();
    legacy.login("mallory@example.org", PASSWORD).await.assert_redirect_to("/");
    legacy.get("/").await.assert_contains("Hello, victim@example.org");
}

#[tokio::test]
async fn password_hashing_never_runs_more_at_once_than_there_are_cores() {
    let app = spawn_app_with(|settings| settings.rate_limits.login_per_address = 1000).await;
    app.create_user("alice", Role::Student).await;
    let crowd: Vec<_> =
        (0..4 * inloop_app::auth::hashing_slots()).map(|_| app.other_client()).collect();
    let logins = crowd.iter().map(|browser| browser.login("alice", "not the password"));
    futures_util::future::join_all(logins).await;
    let most = inloop_app::auth::most_hashes_at_once();
    assert!(most >= 1, "the logins hashed");
    assert!(most <= inloop_app::auth::hashing_slots(), "{most} hashes ran at once");
}

#[tokio::test]
async fn changing_the_password_is_rate_limited() {
    let app =
        spawn_app_with(|settings| settings.rate_limits.password_changes_per_account = 2).await;
    app.logged_in_as("alice", Role::Student).await;
    let new = [("password1", "a new long pw 1"), ("password2", "a new long pw 1")];
    for _ in 0..2 {
        let fields = [("old_password", "guess one two"), new[0], new[1]];
        let guessed = app.post_form("/account/password", &fields).await;
        assert_eq!(guessed.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let fields = [("old_password", PASSWORD), new[0], new[1]];
    let limited = app.post_form("/account/password", &fields).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    limited.assert_contains("You have tried to change your password too often.");
}

#[tokio::test]
async fn absurd_page_numbers_show_a_page() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("staffer", Role::Staff).await;
    app.submitted("a-counter", &[("Counter.java", FAILS)]).await;
    let task_id: i64 = sqlx::query_scalar("select id from tasks where slug = 'a-counter'")
        .fetch_one(&app.db)
        .await
        .expect("task");
    let lists = [
        "/tasks/a-counter/solutions".to_owned(),
        "/staff/users".to_owned(),
        "/staff/solutions".to_owned(),
        "/staff/audit".to_owned(),
        "/staff/plagiarism".to_owned(),
        format!("/staff/tasks/{task_id}"),
    ];
    for list in &lists {
        for page in ["9223372036854775807", "-9223372036854775808", "0", "-1"] {
            let answer = app.get(&format!("{list}?page={page}")).await;
            assert_eq!(answer.status, StatusCode::OK, "{list}?page={page}");
        }
    }
}

#[tokio::test]
async fn tokens_in_repository_addresses_never_reach_a_page() {
    let app = spawn_app().await;
    app.logged_in_as("admin", Role::Admin).await;
    // Nothing listens on port 9 of loopback: the sync fails, and git quotes the address.
    let url = "https://bot:s3cret-token@127.0.0.1:9/course/tasks.git";
    inloop_app::db::repositories::insert(&app.db, "course", url, "main", "hook secret")
        .await
        .expect("repository");
    let repository = inloop_app::db::repositories::find_by_name(&app.db, "course")
        .await
        .expect("query")
        .expect("repository");
    let synced =
        inloop_app::taskrepo::sync_repository(&app.db, &app.state.task_source, &repository).await;
    assert!(synced.is_err(), "nothing to fetch from");
    // git strips the token from what it prints nowadays; older versions, and messages stored by
    // older versions of this server, do not.
    sqlx::query(
        "update repositories set sync_message = 'fatal: unable to access ''https://bot:s3cret-token@127.0.0.1:9/course/tasks.git/'': refused'",
    )
    .execute(&app.db)
    .await
    .expect("an old message");
    let page = app.get("/staff/repositories").await;
    page.assert_contains("https://…@127.0.0.1:9/course/tasks.git");
    page.assert_contains("unable to access");
    assert!(!page.body.contains("s3cret"), "{}", page.main_content());
    // The address sent back as shown keeps its token; the branch changes.
    let changed = app
        .post_form(
            "/staff/repositories/course/source",
            &[("url", "https://…@127.0.0.1:9/course/tasks.git"), ("branch", "winter")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let (stored_url, branch): (String, String) =
        sqlx::query_as("select url, branch from repositories where name = 'course'")
            .fetch_one(&app.db)
            .await
            .expect("stored");
    assert_eq!((stored_url.as_str(), branch.as_str()), (url, "winter"));
    assert!(!app.get("/staff/repositories").await.body.contains("s3cret"));
    assert!(!app.get("/staff/audit").await.body.contains("s3cret"));
}
