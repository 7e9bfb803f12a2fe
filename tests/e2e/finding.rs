//! Staff find students' work: the filtered solutions list, a task's overview of every student,
//! a student's page; and the audit log of what staff changed.

use inloop_app::db::users::Role;
use inloop_tests::{TestApp, app_with_fixture_course, spawn_app};
use reqwest::StatusCode;

/// Stores a solution as grading would have left it, submitted at noon (Berlin) on `day`.
async fn seed_solution(
    app: &TestApp,
    task_id: i64,
    author_id: i64,
    number: i32,
    day: &str,
    status: &str,
    verdict: Option<&str>,
) -> i64 {
    sqlx::query_scalar(
        "insert into solutions (task_id, author_id, number, submitted_at, revision, status, verdict)
         values ($1, $2, $3, ($4 || ' 12:00:00 Europe/Berlin')::timestamptz, 'seeded', $5, $6) returning id",
    )
    .bind(task_id)
    .bind(author_id)
    .bind(number)
    .bind(day)
    .bind(status)
    .bind(verdict)
    .fetch_one(&app.db)
    .await
    .expect("a seeded solution")
}

struct Course {
    counter: i64,
    other: i64,
    ada: i64,
    bob: i64,
    monday: i64,
    ada_passed: i64,
}

/// Ada (group Monday, 4711) failed and then passed the counter and waits on another task;
/// Bob (no group) has a compile error on the counter.
async fn seeded_course(app: &TestApp) -> Course {
    let counter: i64 = sqlx::query_scalar("select id from tasks where slug = 'a-counter'")
        .fetch_one(&app.db)
        .await
        .expect("the counter task");
    let other: i64 = sqlx::query_scalar(
        "select id from tasks where slug <> 'a-counter' and not disabled order by id limit 1",
    )
    .fetch_one(&app.db)
    .await
    .expect("another task");
    let ada = app.create_user("ada", Role::Student).await;
    let bob = app.create_user("bob", Role::Student).await;
    sqlx::query(
        "update users set first_name = 'Ada', last_name = 'Lovelace', matriculation_number = '4711' where id = $1",
    )
    .bind(ada)
    .execute(&app.db)
    .await
    .expect("names");
    let monday: i64 =
        sqlx::query_scalar("insert into groups (name) values ('Monday') returning id")
            .fetch_one(&app.db)
            .await
            .expect("group");
    sqlx::query("insert into group_members (group_id, user_id) values ($1, $2)")
        .bind(monday)
        .bind(ada)
        .execute(&app.db)
        .await
        .expect("member");
    seed_solution(app, counter, ada, 1, "2026-11-01", "done", Some("failed")).await;
    let ada_passed =
        seed_solution(app, counter, ada, 2, "2026-11-03", "done", Some("passed")).await;
    seed_solution(app, other, ada, 1, "2026-11-04", "queued", None).await;
    seed_solution(app, counter, bob, 1, "2026-11-02", "done", Some("compile_error")).await;
    Course { counter, other, ada, bob, monday, ada_passed }
}

#[tokio::test]
async fn staff_find_solutions_by_task_student_group_result_and_date() {
    let app = app_with_fixture_course().await;
    let course = seeded_course(&app).await;
    app.logged_in_as("sam", Role::Staff).await;

    let count = |path: String| {
        let app = &app;
        async move {
            let page = app.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            page.main_content().matches("data-outcome=").count()
        }
    };
    assert_eq!(count("/staff/solutions".into()).await, 4);
    app.get("/staff/solutions").await.assert_contains("4 solution(s)");
    assert_eq!(count(format!("/staff/solutions?task={}", course.counter)).await, 3);
    assert_eq!(count(format!("/staff/solutions?task={}", course.other)).await, 1);
    assert_eq!(count("/staff/solutions?student=4711".into()).await, 3, "a matriculation number");
    assert_eq!(count("/staff/solutions?student=lovel".into()).await, 3, "part of a name");
    assert_eq!(count("/staff/solutions?student=bo".into()).await, 1, "part of a user name");
    assert_eq!(count("/staff/solutions?student=47".into()).await, 0, "not part of a number");
    assert_eq!(count(format!("/staff/solutions?group={}", course.monday)).await, 3);
    assert_eq!(count("/staff/solutions?outcome=waiting".into()).await, 1);
    assert_eq!(count("/staff/solutions?outcome=compile_error".into()).await, 1);
    assert_eq!(count("/staff/solutions?from=2026-11-02&until=2026-11-03".into()).await, 2);

    let passed = app.get("/staff/solutions?outcome=passed").await;
    passed.assert_contains(&format!("href=\"/solutions/{}\"", course.ada_passed));
    passed.assert_contains(&format!("href=\"/staff/users/{}\"", course.ada));
    assert!(!passed.main_content().contains(&format!("/staff/users/{}\"", course.bob)));

    let oldest = app.get("/staff/solutions?sort=oldest").await;
    let newest = app.get("/staff/solutions").await;
    let first_row = |page: &inloop_tests::Page| {
        let body = page.main_content();
        let at = body.find("data-outcome=\"").expect("a row") + "data-outcome=\"".len();
        body[at..].split('"').next().unwrap_or_default().to_owned()
    };
    assert_eq!(first_row(&oldest), "failed");
    assert_eq!(first_row(&newest), "waiting");

    // What cannot be read is said at its field, keeps what was typed, and filters nothing.
    let refused = app.get("/staff/solutions?from=someday&outcome=excellent&task=x").await;
    assert_eq!(refused.status, StatusCode::OK);
    refused.assert_contains("is not a date like 2026-10-01");
    refused.assert_contains("value=\"someday\"");
    refused.assert_contains("Choose an outcome from the list.");
    refused.assert_contains("4 solution(s)");
    let absurd = app.get("/staff/solutions?page=9223372036854775807").await;
    assert_eq!(absurd.status, StatusCode::OK);
    absurd.assert_contains("4 solution(s)");

    let fragment = app.get_htmx("/staff/solutions?outcome=passed").await;
    assert!(!fragment.body.contains("<html"));
    assert_eq!(fragment.body.matches("data-outcome=").count(), 1);
}

#[tokio::test]
async fn the_task_overview_shows_every_student_and_the_student_page_their_work() {
    let app = app_with_fixture_course().await;
    let course = seeded_course(&app).await;
    let carl = app.create_user("carl", Role::Student).await;
    app.logged_in_as("sam", Role::Staff).await;

    let overview = app.get(&format!("/staff/tasks/{}", course.counter)).await;
    assert_eq!(overview.status, StatusCode::OK);
    overview.assert_contains("3 student(s); 1 of them passed");
    overview.assert_contains(&format!("href=\"/staff/users/{carl}\""));
    overview.assert_contains("nothing yet");
    overview.assert_contains(&format!(
        "href=\"/solutions/{}\"><span class=\"badge verdict-passed\" data-outcome=\"passed\"",
        course.ada_passed
    ));
    let in_group =
        app.get(&format!("/staff/tasks/{}?group={}", course.counter, course.monday)).await;
    in_group.assert_contains("1 student(s); 1 of them passed");
    assert!(!in_group.main_content().contains("carl"));
    assert_eq!(app.get("/staff/tasks/999999").await.status, StatusCode::NOT_FOUND);

    let ada = app.get(&format!("/staff/users/{}", course.ada)).await;
    ada.assert_contains("Solutions, newest first");
    ada.assert_contains("Lovelace");
    let work = ada.main_content();
    let waiting = work.find("data-outcome=\"waiting\"").expect("the waiting solution");
    let first_failed = work.rfind("data-outcome=\"failed\"").expect("the failed solution");
    assert!(waiting < first_failed, "newest first");

    // None of it is for students, not even their own.
    let student = app.other_client();
    student.login("ada", inloop_tests::PASSWORD).await.assert_redirect_to("/");
    for path in [
        "/staff/solutions".to_owned(),
        format!("/staff/tasks/{}", course.counter),
        format!("/staff/users/{}", course.ada),
        "/staff/audit".to_owned(),
    ] {
        assert_eq!(student.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn staff_changes_are_in_the_audit_log_without_secrets() {
    let app = spawn_app().await;
    app.logged_in_as("ada", Role::Admin).await;
    let zoe = app.create_user("zoe", Role::Student).await;
    app.post_form("/staff/groups", &[("name", "Monday")]).await.assert_redirect_to("/staff/groups");
    let monday: i64 = sqlx::query_scalar("select id from groups where name = 'Monday'")
        .fetch_one(&app.db)
        .await
        .expect("group");
    app.post_form(
        &format!("/staff/users/{zoe}"),
        &[("group", &monday.to_string()), ("role", "staff"), ("is_active", "on")],
    )
    .await
    .assert_redirect_to(&format!("/staff/users/{zoe}"));
    app.post_form(
        "/staff/settings",
        &[("signup_allowed", "on"), ("ownwork_declaration", "x"), ("immediate_feedback", "on")],
    )
    .await
    .assert_redirect_to("/staff/settings");
    app.post_form(
        "/staff/repositories",
        &[
            ("name", "secretive"),
            ("url", "https://oauth2:glpat-very-secret@127.0.0.1:9/course.git"),
            ("branch", "main"),
        ],
    )
    .await
    .assert_redirect_to("/staff/repositories");
    app.post_form(&format!("/staff/groups/{monday}/delete"), &[]).await;

    let log = app.get("/staff/audit").await;
    assert_eq!(log.status, StatusCode::OK);
    log.assert_contains("5 change(s)");
    log.assert_contains("Changed an account");
    log.assert_contains("user zoe");
    log.assert_contains("groups: none → Monday; role: student → staff");
    log.assert_contains("signup: off → on");
    log.assert_contains("Added a task repository");
    log.assert_contains("https://…@127.0.0.1:9/course.git");
    log.assert_contains("Deleted a group");
    assert!(!log.body.contains("glpat-very-secret"), "a token in a repository address");

    let settings_only = app.get("/staff/audit?action=settings_changed").await;
    settings_only.assert_contains("1 change(s)");
    app.get("/staff/audit?text=zoe").await.assert_contains("1 change(s)");
    app.get("/staff/audit?actor=nobody").await.assert_contains("0 change(s)");
    let refused = app.get("/staff/audit?from=yesterday").await;
    assert_eq!(refused.status, StatusCode::OK);
    refused.assert_contains("is not a date like 2026-10-01");

    // An entry outlives the account that made it.
    let other = app.create_user("tmp", Role::Staff).await;
    let helper = app.other_client();
    helper.login("tmp", inloop_tests::PASSWORD).await.assert_redirect_to("/");
    helper
        .post_form("/staff/courses", &[("name", "Physics")])
        .await
        .assert_redirect_to("/staff/courses");
    sqlx::query("delete from users where id = $1")
        .bind(other)
        .execute(&app.db)
        .await
        .expect("delete");
    let log = app.get("/staff/audit?action=course_created").await;
    log.assert_contains("tmp <span class=\"badge\">deleted</span>");
}

#[tokio::test]
async fn staff_download_every_students_latest_solution_of_a_task_as_one_zip() {
    let app = app_with_fixture_course().await;
    let course = seeded_course(&app).await;
    sqlx::query(
        "insert into solution_files (solution_id, name, contents)
         select id, 'Counter.java', convert_to('// by ' || author_id || ' #' || number, 'UTF8') from solutions",
    )
    .execute(&app.db)
    .await
    .expect("files");
    let student = app.other_client();
    student.logged_in_as("eve", Role::Student).await;
    let address = format!("/staff/tasks/{}/download", course.counter);
    assert_eq!(student.get(&address).await.status, StatusCode::NOT_FOUND);

    app.logged_in_as("sam", Role::Staff).await;
    app.get(&format!("/staff/tasks/{}", course.counter)).await.assert_contains(&address);
    let download = |which: &'static str| {
        let app = &app;
        let address = address.clone();
        async move {
            let response = app
                .client
                .get(app.url(&format!("{address}{which}")))
                .send()
                .await
                .expect("answered");
            assert_eq!(response.status(), StatusCode::OK);
            let length: usize = response.headers()["content-length"]
                .to_str()
                .expect("text")
                .parse()
                .expect("a size");
            let bytes = response.bytes().await.expect("the archive");
            assert_eq!(bytes.len(), length, "the browser knows the size, and so shows progress");
            let mut archive =
                zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
            let names: Vec<String> = archive.file_names().map(str::to_owned).collect();
            let mut index = String::new();
            std::io::Read::read_to_string(
                &mut archive.by_name("a-counter/solutions.csv").expect("an index"),
                &mut index,
            )
            .expect("text");
            (names, index)
        }
    };
    let (mut names, index) = download("").await;
    names.sort();
    assert_eq!(
        names,
        ["a-counter/ada/Counter.java", "a-counter/bob/Counter.java", "a-counter/solutions.csv"]
    );
    assert!(index.contains("ada,Ada,Lovelace,4711,#2,"), "{index}");
    assert!(index.contains(",passed,a-counter/ada"), "the latest of each: {index}");
    assert!(index.contains(",compile_error,a-counter/bob"), "{index}");
    let (names, index) = download("?which=passed").await;
    assert_eq!(names.len(), 2, "only Ada passed: {names:?}");
    assert!(!index.contains("bob"));
}

/// The solution ids a list page links to, in the order it shows them.
fn solution_ids_shown(html: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for piece in html.split("href=\"/solutions/").skip(1) {
        let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(id) = digits.parse()
            && ids.last() != Some(&id)
        {
            ids.push(id);
        }
    }
    ids
}

#[tokio::test]
async fn a_search_for_students_pages_through_their_solutions_in_order() {
    let app = app_with_fixture_course().await;
    let counter: i64 = sqlx::query_scalar("select id from tasks where slug = 'a-counter'")
        .fetch_one(&app.db)
        .await
        .expect("the counter task");
    // Two students' solutions interleaved in time, some at the very same moment, beside a
    // third student's that the search must leave out.
    for name in ["kim1", "kim2", "lee"] {
        let id = app.create_user(name, Role::Student).await;
        sqlx::query(
            "insert into solutions (task_id, author_id, number, submitted_at, revision, status, verdict)
             select $1, $2, n, timestamptz '2026-11-01 10:00Z' + (n / 2) * interval '1 minute' + $3 * interval '1 second',
                    'seeded', 'done', 'failed'
             from generate_series(1, 70) n",
        )
        .bind(counter)
        .bind(id)
        .bind(i32::from(name == "kim2"))
        .execute(&app.db)
        .await
        .expect("seeded solutions");
    }
    app.logged_in_as("sam", Role::Staff).await;
    let oldest_first: Vec<i64> = sqlx::query_scalar(
        "select s.id from solutions s join users u on u.id = s.author_id where u.username like 'kim%'
         order by s.submitted_at, s.id",
    )
    .fetch_all(&app.db)
    .await
    .expect("expected order");
    let newest_first: Vec<i64> = oldest_first.iter().rev().copied().collect();
    for (sort, expected) in [("newest", newest_first), ("oldest", oldest_first)] {
        let mut shown = Vec::new();
        for page in 1..=3 {
            let page =
                app.get(&format!("/staff/solutions?student=kim&sort={sort}&page={page}")).await;
            page.assert_contains("140 solution(s)");
            shown.extend(solution_ids_shown(page.main_content()));
        }
        assert_eq!(
            shown, expected,
            "the pages, {sort} first, show both students' solutions in order"
        );
    }
}
