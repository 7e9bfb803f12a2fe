//! Re-test benchmark: how fast a burst of students' submissions drains while a re-test of 300
//! solutions runs, against the same burst with nothing else to do, through the real server,
//! Redis, runner and Docker. Prints figures; asserts nothing.
//!
//! Run by `./inloop.sh bench` (which sets the test database and Redis variables).

use std::time::{Duration, Instant};

use inloop_app::db::users::Role;
use inloop_tests::{TestApp, spawn_app_with, start_runner, sync_fixture_course};

const COUNTER: &str = include_str!("../fixtures/tasks/java-counter/solution/Counter.java");
const RETESTED: usize = 300;
const BURST: usize = 20;
const STUDENTS: usize = 5;

async fn submit(app: &TestApp) -> i64 {
    let page = app.submit("a-counter", &[("Counter.java", COUNTER)]).await;
    page.location
        .as_deref()
        .and_then(|l| l.strip_prefix("/solutions/"))
        .and_then(|id| id.parse().ok())
        .expect("a solution")
}

async fn graded(app: &TestApp, ids: &[i64]) -> usize {
    sqlx::query_scalar::<_, i64>(
        "select count(*) from solutions where id = any($1) and status in ('done', 'error')",
    )
    .bind(ids)
    .fetch_one(&app.db)
    .await
    .expect("count") as usize
}

async fn retested(app: &TestApp, retest_id: i64) -> i64 {
    sqlx::query_scalar(
        "select count(*) from retest_items where retest_id = $1 and status in ('done', 'error')",
    )
    .bind(retest_id)
    .fetch_one(&app.db)
    .await
    .expect("count")
}

/// Submits `BURST` solutions from `STUDENTS` students at once; how long until all are graded.
async fn burst(app: &TestApp, clients: &[TestApp]) -> Duration {
    let began = Instant::now();
    let ids: Vec<i64> =
        futures_util::future::join_all((0..BURST).map(|n| submit(&clients[n % clients.len()])))
            .await;
    while graded(app, &ids).await < ids.len() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    began.elapsed()
}

#[tokio::main]
#[expect(clippy::print_stdout, reason = "a benchmark prints its figures")]
async fn main() {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-bench-retest-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(task_dir);
        settings.rate_limits.login_per_address = 10_000;
    })
    .await;
    sync_fixture_course(&app).await;
    let _runner = start_runner(&app, 2);
    let task: i64 = sqlx::query_scalar("select id from tasks where slug = 'a-counter'")
        .fetch_one(&app.db)
        .await
        .expect("task");
    let revision: String = sqlx::query_scalar("select revision from tasks where id = $1")
        .bind(task)
        .fetch_one(&app.db)
        .await
        .expect("revision");
    for n in 0..RETESTED {
        let author = app.create_user(&format!("graded{n}"), Role::Student).await;
        let id: i64 = sqlx::query_scalar(
            "insert into solutions (task_id, author_id, number, revision, status, verdict, attempt)
             values ($1, $2, 1, $3, 'done', 'passed', 1) returning id",
        )
        .bind(task)
        .bind(author)
        .bind(&revision)
        .fetch_one(&app.db)
        .await
        .expect("solution");
        sqlx::query("insert into solution_files (solution_id, name, contents) values ($1, 'Counter.java', $2)")
            .bind(id)
            .bind(COUNTER.as_bytes())
            .execute(&app.db)
            .await
            .expect("file");
    }
    let mut clients = Vec::new();
    for n in 0..STUDENTS {
        let client = app.other_client();
        client.logged_in_as(&format!("live{n}"), Role::Student).await;
        clients.push(client);
    }
    // Warm: the image built, the JVM's files in the page cache.
    let warm = submit(&clients[0]).await;
    while graded(&app, &[warm]).await < 1 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let alone = burst(&app, &clients).await;

    app.logged_in_as("tutor", Role::Staff).await;
    let started = app.post_form(&format!("/staff/tasks/{task}/retests"), &[("scope", "all")]).await;
    let retest_id: i64 = started
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/staff/retests/"))
        .and_then(|id| id.parse().ok())
        .expect("a re-test");
    let began = Instant::now();
    while retested(&app, retest_id).await < 10 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = retested(&app, retest_id).await;
    let beside = burst(&app, &clients).await;
    let during = retested(&app, retest_id).await - before;
    // The batch holds every tested solution of the task: the seeded ones and the live ones before.
    let items: i64 = sqlx::query_scalar("select count(*) from retest_items where retest_id = $1")
        .bind(retest_id)
        .fetch_one(&app.db)
        .await
        .expect("count");
    while retested(&app, retest_id).await < items {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let whole = began.elapsed();

    let verdicts: Vec<(String, i64)> = sqlx::query_as(
        "select coalesce(verdict, status), count(*) from solutions group by 1 order by 1",
    )
    .fetch_all(&app.db)
    .await
    .expect("verdicts");
    let new_verdicts: Vec<(String, i64)> = sqlx::query_as(
        "select coalesce(verdict, status), count(*) from retest_items group by 1 order by 1",
    )
    .fetch_all(&app.db)
    .await
    .expect("verdicts");
    assert!(
        verdicts.iter().chain(&new_verdicts).all(|(verdict, _)| verdict == "passed"),
        "every solution should pass, live or re-tested: {verdicts:?} {new_verdicts:?}"
    );
    println!("A burst of {BURST} Java solutions from {STUDENTS} students, 2 runner slots:");
    println!("  drained alone in              {:.1} s", alone.as_secs_f64());
    println!(
        "  drained beside a re-test in   {:.1} s ({:.2}x; the re-test graded {during} solutions meanwhile)",
        beside.as_secs_f64(),
        beside.as_secs_f64() / alone.as_secs_f64()
    );
    println!(
        "  the re-test of {items} solutions took {:.1} s in all ({:.2} solutions/s)",
        whole.as_secs_f64(),
        items as f64 / whole.as_secs_f64()
    );
}
