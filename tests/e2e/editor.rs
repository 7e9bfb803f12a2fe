//! The editor on the task page over HTTP: starter files, checkpoints, submitting from the editor
//! (htmx and plain), and refusals that keep the student's work.

use inloop_app::db::users::Role;
use inloop_tests::{Page, TestApp, app_with_fixture_course, start_runner};
use regex::Regex;
use reqwest::StatusCode;

use inloop_tests::counters::PASSES as COUNTER_PASSES;

/// The editor's form as a browser sends it: name/contents pairs in order.
/// A `("base", time)` pair goes in as the form's base field.
fn editor_fields<'a>(files: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    files
        .iter()
        .flat_map(|&(name, contents)| {
            if name == "base" {
                vec![("base", contents)]
            } else {
                vec![("name", name), ("contents", contents)]
            }
        })
        .collect()
}

async fn post_editor(
    app: &TestApp,
    path: &str,
    files: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> Page {
    let token = app.csrf_token().await;
    let mut fields = vec![("csrf_token", token.as_str())];
    fields.extend(editor_fields(files));
    let mut request = app.client.post(app.url(path)).form(&fields);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    Page::from(request.send().await.expect("answered")).await
}

/// The checkpoint time the task page's editor starts from (empty without one).
async fn base_of(app: &TestApp, slug: &str) -> String {
    let page = app.get(&format!("/tasks/{slug}")).await;
    Regex::new(r#"name="base" value="([^"]*)""#)
        .expect("regex")
        .captures(&page.body)
        .map(|found| found[1].to_owned())
        .expect("the editor's form carries its base")
}

async fn checkpoint_of(app: &TestApp, username: &str) -> Option<serde_json::Value> {
    sqlx::query_scalar(
        "select files from checkpoints join users on users.id = user_id where username = $1",
    )
    .bind(username)
    .fetch_optional(&app.db)
    .await
    .expect("checkpoint query")
}

#[tokio::test]
async fn the_editor_starts_with_the_starter_files_and_keeps_saved_work() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("alice", Role::Student).await;
    let page = app.get("/tasks/a-counter").await;
    page.assert_contains(r#"data-editor"#);
    page.assert_contains(r#"name="name" value="Counter.java""#);
    page.assert_contains("public class Counter");
    page.assert_contains("Starter files");
    page.assert_contains("ace-1.45.2/ace.");
    page.assert_contains("js/editor.");

    // Without JavaScript: Save posts the form, with a second file added in the blank block.
    let saved = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("Counter.java", "class Counter {}\r\n"), ("Helper.java", "class Helper {}"), ("", "")],
        &[],
    )
    .await;
    saved.assert_redirect_to("/tasks/a-counter#editor");
    let page = app.get("/tasks/a-counter").await;
    page.assert_contains("Your files are saved.");
    page.assert_contains(r#"value="Helper.java""#);
    page.assert_contains("class Helper {}");
    assert!(!page.body.contains("Starter files</span>"), "the student's own files now");
    assert_eq!(
        checkpoint_of(&app, "alice").await.expect("saved"),
        serde_json::json!([
            { "name": "Counter.java", "contents": "class Counter {}\n" },
            { "name": "Helper.java", "contents": "class Helper {}" }
        ]),
        "in order, with plain line ends"
    );

    // The editor's script saves with JSON, on top of the state its page started from.
    let base = base_of(&app, "a-counter").await;
    assert!(base.starts_with("20"), "{base}");
    let json = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("base", &base), ("Counter.java", COUNTER_PASSES)],
        &[("Accept", "application/json")],
    )
    .await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let answer: serde_json::Value = serde_json::from_str(&json.body).expect("JSON");
    assert!(answer["saved_at"].as_str().is_some_and(|at| at.starts_with("20")), "{answer}");

    // Another student starts from the starter files, never from alice's work.
    let bob = app.other_client();
    bob.logged_in_as("bob", Role::Student).await;
    let theirs = bob.get("/tasks/a-counter").await;
    assert!(!theirs.body.contains("private int n;"), "bob does not see alice's checkpoint");
    theirs.assert_contains("Starter files");
}

#[tokio::test]
async fn bad_files_are_refused_with_the_reason_and_the_typed_work_comes_back() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("alice", Role::Student).await;
    let typed = "class Evil { /* an hour of work */ }";
    let refused =
        post_editor(&app, "/tasks/a-counter/checkpoint", &[("../Evil.java", typed)], &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("is not a file name we accept");
    refused.assert_contains(typed);
    refused.assert_contains(r#"value="../Evil.java""#);
    assert!(checkpoint_of(&app, "alice").await.is_none(), "nothing stored");

    for (files, reason) in [
        (vec![("run.sh", "x")], "this task takes *.java"),
        (vec![("", "class A {}")], "A file without a name has contents"),
        (vec![("A.java", ""), ("a.java", "")], "There are two files named a.java"),
    ] {
        let json = post_editor(
            &app,
            "/tasks/a-counter/checkpoint",
            &files,
            &[("Accept", "application/json")],
        )
        .await;
        assert_eq!(json.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(json.body.contains(reason), "{reason}: {}", json.body);
    }
    let big = "x".repeat(300 * 1024);
    let json = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("Counter.java", &big)],
        &[("Accept", "application/json")],
    )
    .await;
    assert!(json.body.contains("larger than 256 KB"), "{}", json.body);

    // A forged save without the token is refused before anything is read.
    let forged =
        app.post_form_raw("/tasks/a-counter/checkpoint", &editor_fields(&[("A.java", "x")])).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Tasks the student cannot see have no editor.
    let hidden = post_editor(&app, "/tasks/no-such-task/checkpoint", &[("A.java", "x")], &[]).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert!(checkpoint_of(&app, "alice").await.is_none(), "nothing stored");
}

#[tokio::test]
async fn submitting_from_the_editor_grades_the_files_and_shows_the_result_beside_it() {
    let app = app_with_fixture_course().await;
    let _runner = start_runner(&app, 1);
    app.logged_in_as("alice", Role::Student).await;
    let token = app.csrf_token().await;
    let htmx = [("HX-Request", "true"), ("X-CSRF-Token", token.as_str())];

    let answer =
        post_editor(&app, "/tasks/a-counter/editor", &[("Counter.java", COUNTER_PASSES)], &htmx)
            .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.headers.contains_key("x-inloop-saved-at"), "submitting saved the files");
    answer.assert_contains("Solution #1");
    answer.assert_contains(r#"id="editor-submit""#);
    answer.assert_contains(r#"hx-swap-oob="outerHTML""#);
    let id = Regex::new(r#"sse-connect="/solutions/(\d+)/events""#)
        .expect("regex")
        .captures(&answer.body)
        .map(|found| found[1].to_owned())
        .expect("the live status of the new solution");
    assert_eq!(app.wait_for_verdict(&format!("/solutions/{id}")).await, "passed");
    assert_eq!(
        checkpoint_of(&app, "alice").await.expect("saved"),
        serde_json::json!([{ "name": "Counter.java", "contents": COUNTER_PASSES }]),
        "what was submitted is what the editor holds"
    );
    let page = app.get("/tasks/a-counter").await;
    page.assert_contains(r#"data-verdict="passed""#);
    page.assert_contains(r#"href="/solutions/"#);

    // Without JavaScript the browser lands on the new solution's page.
    let plain =
        post_editor(&app, "/tasks/a-counter/editor", &[("Counter.java", COUNTER_PASSES)], &[])
            .await;
    assert_eq!(plain.status, StatusCode::SEE_OTHER, "{}", plain.body);
    let second = plain.location.expect("the solution's page");
    assert!(second.starts_with("/solutions/") && second != format!("/solutions/{id}"));
    app.get(&second).await.assert_contains("Solution #2");
}

#[tokio::test]
async fn editor_submits_follow_the_rules_and_refusals_keep_the_work() {
    let app = app_with_fixture_course().await;
    app.set_site_setting("max_submissions = 1").await;
    app.logged_in_as("alice", Role::Student).await;
    let token = app.csrf_token().await;
    let htmx = [("HX-Request", "true"), ("X-CSRF-Token", token.as_str())];

    let empty = post_editor(&app, "/tasks/a-counter/editor", &[], &htmx).await;
    empty.assert_contains("There is nothing to submit yet");
    let wrong =
        post_editor(&app, "/tasks/a-counter/editor", &[("counter.py", "print(1)")], &htmx).await;
    wrong.assert_contains("this task takes *.java");
    assert!(!wrong.headers.contains_key("x-inloop-saved-at"), "refused files are not saved");

    let first =
        post_editor(&app, "/tasks/a-counter/editor", &[("Counter.java", COUNTER_PASSES)], &htmx)
            .await;
    first.assert_contains("Solution #1");
    first.assert_contains("(1/1)");
    first.assert_contains("disabled");
    let second = post_editor(
        &app,
        "/tasks/a-counter/editor",
        &[("Counter.java", "class Counter {}")],
        &htmx,
    )
    .await;
    second.assert_contains("You cannot submit more than 1 solution(s). Your files are saved.");
    assert!(second.headers.contains_key("x-inloop-saved-at"));

    // After the deadline nothing is taken, but saving still keeps the work.
    app.set_site_setting("max_submissions = -1").await;
    sqlx::query("update tasks set deadline = now() - interval '1 hour' where slug = 'a-counter'")
        .execute(&app.db)
        .await
        .expect("deadline passed");
    let typed = "class Counter { /* late */ }";
    let late = post_editor(&app, "/tasks/a-counter/editor", &[("Counter.java", typed)], &[]).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    late.assert_contains("The deadline for this task has passed.");
    late.assert_contains(typed);
    let base = base_of(&app, "a-counter").await;
    let saved = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("base", &base), ("Counter.java", typed)],
        &[("Accept", "application/json")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let stored: i64 =
        sqlx::query_scalar("select count(*) from solutions").fetch_one(&app.db).await.expect("n");
    assert_eq!(stored, 1, "only the one accepted submit is stored");
}

#[tokio::test]
async fn a_stale_window_cannot_overwrite_newer_work_unasked() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("alice", Role::Student).await;
    let json = [("Accept", "application/json")];
    // Two windows open the task before anything is saved; the laptop saves first.
    let laptop = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("base", ""), ("Counter.java", "// newer work from the laptop")],
        &json,
    )
    .await;
    assert_eq!(laptop.status, StatusCode::OK, "{}", laptop.body);
    let laptop: serde_json::Value = serde_json::from_str(&laptop.body).expect("JSON");

    // The lab computer's window still starts from nothing: its autosave is refused.
    let stale = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("base", ""), ("Counter.java", "// old")],
        &json,
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let answer: serde_json::Value = serde_json::from_str(&stale.body).expect("JSON");
    assert_eq!(answer["conflict"], true);
    assert_eq!(answer["saved_at"], laptop["saved_at"], "names the newer state");
    assert!(answer["error"].as_str().is_some_and(|text| text.contains("another window")));
    assert_eq!(
        checkpoint_of(&app, "alice").await.expect("saved")[0]["contents"],
        "// newer work from the laptop"
    );

    // Without JavaScript the page comes back with the stale files and the reason; saving again
    // (the page now knows the newer state) replaces it on purpose.
    let plain = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("base", ""), ("Counter.java", "// old, but wanted")],
        &[],
    )
    .await;
    assert_eq!(plain.status, StatusCode::CONFLICT);
    plain.assert_contains("saved from another window or computer");
    plain.assert_contains("// old, but wanted");
    let newer = laptop["saved_at"].as_str().expect("time");
    plain.assert_contains(&format!(r#"name="base" value="{newer}""#));
    let again = post_editor(
        &app,
        "/tasks/a-counter/checkpoint",
        &[("base", newer), ("Counter.java", "// old, but wanted")],
        &[],
    )
    .await;
    again.assert_redirect_to("/tasks/a-counter#editor");
    assert_eq!(
        checkpoint_of(&app, "alice").await.expect("saved")[0]["contents"],
        "// old, but wanted"
    );
}

#[tokio::test]
async fn a_flood_of_saves_is_stopped_with_a_reason() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("alice", Role::Student).await;
    let mut base = String::new();
    let mut limited = None;
    for attempt in 1..=310 {
        let saved = post_editor(
            &app,
            "/tasks/a-counter/checkpoint",
            &[("base", &base), ("Counter.java", &format!("// save {attempt}"))],
            &[("Accept", "application/json")],
        )
        .await;
        if saved.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((attempt, saved.body));
            break;
        }
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let answer: serde_json::Value = serde_json::from_str(&saved.body).expect("JSON");
        base = answer["saved_at"].as_str().expect("time").to_owned();
    }
    let (attempt, body) = limited.expect("the flood was stopped");
    assert_eq!(attempt, 301);
    assert!(body.contains("Saved too often") && body.contains("\"retry\":true"), "{body}");
    assert_eq!(
        checkpoint_of(&app, "alice").await.expect("saved")[0]["contents"],
        "// save 300",
        "the last allowed save stands"
    );
}
