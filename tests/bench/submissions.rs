//! Submission benchmark: submit-to-verdict latency through the real server, Redis, runner and
//! Docker, against grading the same files directly (the `inloop check` path), and how bursts of
//! submissions drain. Prints figures; asserts nothing.
//!
//! Run by `./inloop.sh bench` (which sets the test database and Redis variables).

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use inloop_app::db::users::Role;
use inloop_tests::{TestApp, spawn_app_with, start_runner, sync_fixture_course};

const COUNTER: &str = include_str!("../fixtures/tasks/java-counter/solution/Counter.java");

fn percentile(samples: &[Duration], fraction: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted
        .get(((sorted.len() as f64 - 1.0) * fraction).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn ms(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1000.0)
}

async fn wait_done(app: &TestApp, ids: &[i64]) -> HashMap<i64, Instant> {
    let mut done = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(1800);
    while done.len() < ids.len() && Instant::now() < deadline {
        let finished: Vec<i64> = sqlx::query_scalar(
            "select id from solutions where id = any($1) and status in ('done', 'error')",
        )
        .bind(ids)
        .fetch_all(&app.db)
        .await
        .expect("status");
        let now = Instant::now();
        for id in finished {
            done.entry(id).or_insert(now);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done
}

async fn submit(app: &TestApp) -> (i64, Instant) {
    let started = Instant::now();
    let page = app.submit("a-counter", &[("Counter.java", COUNTER)]).await;
    let id = page
        .location
        .as_deref()
        .and_then(|l| l.strip_prefix("/solutions/"))
        .and_then(|id| id.parse().ok())
        .expect("a solution");
    (id, started)
}

#[tokio::main]
#[expect(clippy::print_stdout, reason = "a benchmark prints its figures")]
async fn main() {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-bench-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(task_dir);
        settings.rate_limits.login_per_address = 10_000;
    })
    .await;
    sync_fixture_course(&app).await;
    let _runner = start_runner(&app, 2);

    // The inloop check path: the same grader on the same files, without the server.
    let grader = inloop_runners::grade::Grader::new(inloop_runners::grade::GraderConfig {
        plugin_dir: inloop_tests::plugin_dir(),
        work_dir: std::env::temp_dir().join("inloop-bench-check"),
        ceilings: inloop_protocol::limits::Ceilings::default(),
        report_caps: inloop_runners::workspace::ReportCaps::default(),
        runner_id: "bench-check".into(),
        parse_helper: inloop_tests::plugin_dir().join("inloop"),
    })
    .await
    .expect("grader");
    let checkout = app.state.task_source.checkout("course");
    let files = vec![("Counter.java".to_owned(), COUNTER.as_bytes().to_vec())];
    grader.grade(&checkout, "java-counter", &files).await.expect("warm-up");
    let mut direct = Vec::new();
    for _ in 0..10 {
        let graded = grader.grade(&checkout, "java-counter", &files).await.expect("grade");
        direct.push(graded.phases.total);
    }

    let student = app.other_client();
    student.logged_in_as("solo", Role::Student).await;
    let (warm, _) = submit(&student).await;
    wait_done(&app, &[warm]).await;
    let mut end_to_end = Vec::new();
    for _ in 0..10 {
        let (id, started) = submit(&student).await;
        let done = wait_done(&app, &[id]).await;
        end_to_end.push(done[&id] - started);
    }
    let verdicts: Vec<String> =
        sqlx::query_scalar("select verdict from solutions where verdict is not null")
            .fetch_all(&app.db)
            .await
            .expect("v");
    assert!(verdicts.iter().all(|v| v == "passed"), "{verdicts:?}");
    println!("Java task, one student, one solution at a time (10 runs):");
    println!(
        "  submit to verdict through server, Redis, runner: p50 {}  p95 {}",
        ms(percentile(&end_to_end, 0.5)),
        ms(percentile(&end_to_end, 0.95))
    );
    println!(
        "  the same files through inloop check's grader:   p50 {}  p95 {}",
        ms(percentile(&direct, 0.5)),
        ms(percentile(&direct, 0.95))
    );
    let overhead = percentile(&end_to_end, 0.5).saturating_sub(percentile(&direct, 0.5));
    println!(
        "  overhead at p50: {} (target: under 100 ms); Java verdict p50 {} (target: under 0.7 s)",
        ms(overhead),
        ms(percentile(&end_to_end, 0.5))
    );

    for (students, solutions) in [(5usize, 20usize), (60, 300)] {
        let mut clients = Vec::new();
        for index in 0..students {
            let client = app.other_client();
            client.logged_in_as(&format!("burst{solutions}-{index}"), Role::Student).await;
            clients.push(client);
        }
        let began = Instant::now();
        let submits = (0..solutions).map(|n| {
            let client = &clients[n % students];
            async move { (n % students, submit(client).await) }
        });
        let submitted = futures_util::future::join_all(submits).await;
        let ids: Vec<i64> = submitted.iter().map(|(_, (id, _))| *id).collect();
        let done = wait_done(&app, &ids).await;
        let drained = began.elapsed();
        let results: i64 =
            sqlx::query_scalar("select count(*) from results where solution_id = any($1)")
                .bind(&ids)
                .fetch_one(&app.db)
                .await
                .expect("results");
        let passed: i64 = sqlx::query_scalar(
            "select count(*) from solutions where id = any($1) and verdict = 'passed'",
        )
        .bind(&ids)
        .fetch_one(&app.db)
        .await
        .expect("passed");
        let mut waits: HashMap<usize, Vec<Duration>> = HashMap::new();
        for (student, (id, started)) in &submitted {
            if let Some(at) = done.get(id) {
                waits.entry(*student).or_default().push(*at - *started);
            }
        }
        println!("\nBurst: {solutions} solutions from {students} students, 2 runner slots:");
        println!(
            "  drained in {:.1} s; {} graded, {} results stored (none lost or duplicated: {}), {} passed",
            drained.as_secs_f64(),
            done.len(),
            results,
            done.len() == solutions && results == solutions as i64,
            passed
        );
        println!(
            "  throughput {:.2} solutions/s; container throughput at the direct p50 with 2 slots: {:.2}/s",
            solutions as f64 / drained.as_secs_f64(),
            2.0 / percentile(&direct, 0.5).as_secs_f64()
        );
        let mut per_student: Vec<(usize, Duration, Duration)> = waits
            .iter()
            .map(|(student, samples)| {
                (
                    *student,
                    percentile(samples, 0.5),
                    samples.iter().copied().max().unwrap_or_default(),
                )
            })
            .collect();
        per_student.sort();
        let shown: Vec<String> = per_student
            .iter()
            .take(10)
            .map(|(s, p50, max)| format!("#{s}: median {} max {}", ms(*p50), ms(*max)))
            .collect();
        println!("  waits per student (first {}): {}", shown.len(), shown.join("; "));
        let longest = per_student.iter().map(|(_, _, max)| *max).max().unwrap_or_default();
        let shortest = per_student.iter().map(|(_, _, max)| *max).min().unwrap_or_default();
        println!(
            "  longest wait of any student {}, shortest longest-wait {}",
            ms(longest),
            ms(shortest)
        );
    }
}
