//! The web server's intake of results, tried as a hostile runner or an unlucky night would: an
//! entry that cannot be stored, forged results, a web server that crashed holding results,
//! requests with NUL characters.

use std::time::Duration;

use inloop_app::db::{solutions::Replacing, users::Role};
use inloop_plugin_api::report::{Report, Verdict};
use inloop_protocol::jobs::{self, GradingResult, HandBack, HandBackReason};
use inloop_tests::{
    app_with_fixture_course, counters, solution_id, spawn_app_with, start_runner,
    sync_fixture_course,
};
use redis::AsyncCommands;
use reqwest::StatusCode;

fn task_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("inloop-ingest-{}", uuid::Uuid::new_v4().simple()))
}

/// Passes, and prints a marker the database below refuses to store.
const POISONED: &str = "public class Counter {
    private int n;
    public void increment() { n++; System.out.println(\"poison-pill\"); }
    public int get() { return n; }
    public void reset() { n = 0; }
}
";

#[tokio::test]
async fn a_result_that_cannot_be_stored_becomes_a_system_error_and_holds_up_nobody() {
    let app = app_with_fixture_course().await;
    // A result the database refuses, whatever the reason: here a trigger refuses it.
    for statement in [
        "create function refuse_poison() returns trigger language plpgsql as $$
         begin if new.stdout like '%poison-pill%' then raise exception 'this result cannot be stored'; end if;
         return new; end $$",
        "create trigger refuse_poison before insert on results for each row execute function refuse_poison()",
    ] {
        sqlx::query(statement).execute(&app.db).await.expect("the trigger");
    }
    let _runner = start_runner(&app, 1);
    app.logged_in_as("poisoner", Role::Student).await;
    let poisoned = app.submitted("a-counter", &[("Counter.java", POISONED)]).await;
    let honest = app.other_client();
    honest.logged_in_as("honest", Role::Student).await;
    let graded = honest.submitted("a-counter", &[("Counter.java", counters::PASSES)]).await;

    assert_eq!(honest.wait_for_verdict(&graded).await, "passed", "the entries behind are read");
    assert_eq!(app.wait_for_verdict(&poisoned).await, "system_error");
    app.get(&poisoned).await.assert_contains("could not be stored");
    let (outcome, problem): (Option<String>, Option<String>) = sqlx::query_as(
        "select outcome, problem from grading_attempts where solution_id = $1 order by attempt desc limit 1",
    )
    .bind(solution_id(&poisoned))
    .fetch_one(&app.db)
    .await
    .expect("the attempt");
    assert_eq!(outcome.as_deref(), Some("undeliverable"));
    assert!(problem.unwrap_or_default().contains("this result cannot be stored"), "staff see why");
    let mut redis = app.state.redis.clone();
    let dead: usize =
        redis.xlen(format!("{}:results:dead", app.redis_prefix)).await.expect("dead letters");
    assert_eq!(dead, 1, "the entry is kept for admins");
    let waiting: usize = redis.xlen(format!("{}:results", app.redis_prefix)).await.expect("xlen");
    assert_eq!(waiting, 0, "nothing is left in the results stream");
    let counted: i64 = sqlx::query_scalar(
        "select count(*) from solutions where id = $1 and coalesce(verdict, '') <> 'system_error'",
    )
    .bind(solution_id(&poisoned))
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(counted, 0, "it does not count against the student");
}

fn forged(solution_id: i64, attempt: i32, token: &str) -> GradingResult {
    let mut report = Report::new(Verdict::Passed);
    report.notes.push("forged".into());
    GradingResult {
        solution_id,
        reference: false,
        retest: false,
        attempt,
        token: token.to_owned(),
        revision: String::new(),
        runner: "forger".into(),
        report,
        stdout: String::new(),
        stderr: String::new(),
        output_truncated: false,
        duration_ms: 1,
    }
}

async fn send_result(app: &inloop_tests::TestApp, result: &GradingResult) {
    let mut redis = app.state.redis.clone();
    let _: String = redis
        .xadd(
            format!("{}:results", app.redis_prefix),
            "*",
            &[("data", serde_json::to_string(result).expect("json"))],
        )
        .await
        .expect("xadd");
}

async fn results_stream_drained(app: &inloop_tests::TestApp) {
    inloop_tests::eventually(
        Duration::from_secs(5),
        "the ingester reads the results stream",
        || async {
            let mut redis = app.state.redis.clone();
            let waiting: usize =
                redis.xlen(format!("{}:results", app.redis_prefix)).await.expect("xlen");
            (waiting == 0).then_some(())
        },
    )
    .await;
}

/// A runner can answer before the dispatch that sent its job has committed (it pushes the job,
/// then commits). The answer must wait for that commit, not be ignored as "not for the attempt
/// out": ignored, the attempt would stay out until its lease ran out and then count as lost.
#[tokio::test]
async fn a_hand_back_that_overtakes_its_dispatch_waits_for_it_and_is_taken() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("early", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", counters::PASSES)]).await;
    let id = solution_id(&path);

    // Attempt 2 as `queue::send` holds it while the job goes out: written, not committed.
    let mut dispatch = app.db.begin().await.expect("begin");
    let attempt = inloop_app::db::solutions::mark_dispatched(
        &mut dispatch,
        id,
        Replacing::Attempt(1),
        "early-token",
    )
    .await
    .expect("mark dispatched")
    .expect("attempt 1 is out");
    assert_eq!(attempt, 2);
    let back = HandBack {
        solution_id: id,
        reference: false,
        retest: false,
        attempt,
        token: "early-token".to_owned(),
        runner: "quick".to_owned(),
        reason: HandBackReason::Infrastructure,
        detail: "No space left on device".to_owned(),
    };
    let mut redis = app.state.redis.clone();
    let _: String = redis
        .xadd(
            jobs::results_stream(&app.redis_prefix),
            "*",
            &[(jobs::HANDBACK_FIELD, serde_json::to_string(&back).expect("json"))],
        )
        .await
        .expect("xadd");
    // The ingester waits for the dispatch's lock instead of deciding without it.
    inloop_tests::eventually(Duration::from_secs(10), "the ingester waits for the dispatch", || async {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        )
        .fetch_one(&app.db)
        .await
        .expect("activity");
        (waiting > 0).then_some(())
    })
    .await;
    dispatch.commit().await.expect("commit");
    results_stream_drained(&app).await;

    let outcome: Option<String> = sqlx::query_scalar(
        "select outcome from grading_attempts where solution_id = $1 and attempt = 2",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .expect("attempt 2");
    assert_eq!(outcome.as_deref(), Some("handed_back"));
    let current: i32 = sqlx::query_scalar("select attempt from solutions where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("attempt");
    assert_eq!(current, 3, "the job went out again");
}

#[tokio::test]
async fn forged_results_write_no_verdict() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("victim", Role::Student).await;
    let failing = app.submitted("a-counter", &[("Counter.java", counters::FAILS)]).await;
    let id = solution_id(&failing);
    let token: String =
        sqlx::query_scalar("select token from grading_attempts where solution_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .expect("the token");

    // Without the token, for the wrong attempt, for a solution that is not out: all ignored.
    send_result(&app, &forged(id, 1, "guessed")).await;
    send_result(&app, &forged(id, 1, "")).await;
    send_result(&app, &forged(id, 2, &token)).await;
    send_result(&app, &forged(id + 1000, 1, &token)).await;
    results_stream_drained(&app).await;
    let status: String = sqlx::query_scalar("select status from solutions where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("status");
    assert_eq!(status, "dispatched", "no forged verdict was stored");

    let _runner = start_runner(&app, 1);
    assert_eq!(app.wait_for_verdict(&failing).await, "failed", "the real verdict");
    // A replay of the real attempt's token, once graded, changes nothing either.
    send_result(&app, &forged(id, 1, &token)).await;
    results_stream_drained(&app).await;
    let verdict: String = sqlx::query_scalar("select verdict from results where solution_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("verdict");
    assert_eq!(verdict, "failed");
}

#[tokio::test]
async fn results_a_crashed_web_server_had_read_are_stored_when_it_starts_again() {
    let dir = task_dir();
    let web_id = format!("web-host-{}", uuid::Uuid::new_v4().simple());
    let mut first = spawn_app_with(|settings| {
        settings.task_dir = Some(dir.clone());
        settings.web_id = Some(web_id.clone());
    })
    .await;
    sync_fixture_course(&first).await;
    first.logged_in_as("stu", Role::Student).await;
    let path = first.submitted("a-counter", &[("Counter.java", counters::FAILS)]).await;
    let id = solution_id(&path);
    let token: String =
        sqlx::query_scalar("select token from grading_attempts where solution_id = $1")
            .bind(id)
            .fetch_one(&first.db)
            .await
            .expect("the token");
    let (database_url, prefix) =
        (first.state.settings.database_url.clone(), first.redis_prefix.clone());
    first.keep_data_on_drop();
    drop(first);
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The result arrives, the web server reads it and crashes before it stores it.
    let mut redis = redis::Client::open(inloop_tests::redis_url())
        .expect("client")
        .get_multiplexed_async_connection()
        .await
        .expect("redis");
    let results = format!("{prefix}:results");
    let mut result = forged(id, 1, &token);
    result.report = Report::new(Verdict::Failed);
    result.runner = "runner-1".into();
    let _: String = redis
        .xadd(&results, "*", &[("data", serde_json::to_string(&result).expect("json"))])
        .await
        .expect("xadd");
    let read: redis::streams::StreamReadReply = redis::cmd("XREADGROUP")
        .arg(&["GROUP", "web", &format!("web-{web_id}"), "COUNT", "1", "STREAMS", &results, ">"])
        .query_async(&mut redis)
        .await
        .expect("read as the crashed server");
    assert_eq!(read.keys[0].ids.len(), 1);

    let second = spawn_app_with(|settings| {
        settings.task_dir = Some(dir.clone());
        settings.web_id = Some(web_id.clone());
        settings.database_url = database_url;
        settings.redis_prefix = prefix;
    })
    .await;
    second.login("stu", inloop_tests::PASSWORD).await;
    assert_eq!(second.wait_for_verdict(&path).await, "failed");
}

#[tokio::test]
async fn requests_with_nul_characters_are_refused_with_a_message_not_an_error() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    let page = app.get("/tasks/%00").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("NUL character");
    let page = app.get("/tasks/a-counter/solutions?page=%00").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page =
        app.post_form("/account/profile", &[("first_name", "Nul\0"), ("last_name", "X")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    page.assert_contains("NUL character");

    // The editor's script gets the reason as JSON, and nothing is saved.
    let token = app.csrf_token().await;
    let response = app
        .client
        .post(app.url("/tasks/a-counter/checkpoint"))
        .header("Accept", "application/json")
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Counter.java"),
            ("contents", "class Counter { char c = '\0'; }"),
        ])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let answer: serde_json::Value = response.json().await.expect("JSON");
    assert!(answer["error"].as_str().unwrap_or_default().contains("NUL"), "{answer}");
    let saved: i64 = sqlx::query_scalar("select count(*) from checkpoints")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(saved, 0);
    // An uploaded file is bytes: a NUL in it is the compiler's business, not a server error.
    let path = app.submitted("a-counter", &[("Counter.java", "class Counter { }\0")]).await;
    assert!(path.starts_with("/solutions/"));
}

#[tokio::test]
async fn a_forged_job_naming_paths_outside_the_task_directory_touches_nothing() {
    let app = app_with_fixture_course().await;
    let runner = start_runner(&app, 1);
    let mut redis = app.state.redis.clone();
    let job = serde_json::json!({
        "solution_id": 999_999, "attempt": 1, "token": "forged",
        "repository": "../../../etc", "revision": "../../current", "task": "..",
        "files": [{"name": "../../x.py", "contents": ""}],
    });
    let _: String = redis
        .xadd(format!("{}:jobs", app.redis_prefix), "*", &[("data", job.to_string())])
        .await
        .expect("xadd");
    // The runner refuses it without touching a path, and goes on grading.
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", counters::PASSES)]).await;
    assert_eq!(app.wait_for_verdict(&path).await, "passed");
    assert_eq!(app.graded_by(&path).await, runner.id);
    // It was in the stream before the student's job, so it is gone by now; the reference checks
    // the reconciler sent after the sync may still be waiting behind the student's job.
    let waiting: redis::streams::StreamRangeReply =
        redis.xrange_all(format!("{}:jobs", app.redis_prefix)).await.expect("xrange");
    let forged = waiting
        .ids
        .iter()
        .filter(|entry| entry.get::<String>("data").is_some_and(|data| data.contains("forged")))
        .count();
    assert_eq!(forged, 0, "the forged job is gone");
    let stored: i64 = sqlx::query_scalar("select count(*) from results where solution_id = 999999")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(stored, 0, "its answer was not stored for anybody");
}
