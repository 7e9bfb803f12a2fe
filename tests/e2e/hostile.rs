//! The hostile corpus through the whole pipeline: each case submitted by a student of its own
//! to the server, sent through Redis to a runner host, graded in Docker, its result stored.
//! Afterwards nothing may be left behind, and the runner must grade an honest solution promptly.

use std::{io::Write as _, time::Duration};

use inloop_app::db::users::Role;
use inloop_plugin_api::report::Report;
use inloop_tests::{
    GitRepo, add_and_sync, copy_dir, counters, hostile, poll_until, solution_id, spawn_app_with,
    start_runner,
};

#[tokio::test]
async fn every_hostile_case_gets_its_verdict_through_the_whole_pipeline_and_blocks_nobody() {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-hostile-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(task_dir);
        // One student per case, all from this machine's address.
        settings.rate_limits.login_per_address = 1000;
    })
    .await;
    // The fixture course keeps its sandbox probe from students; this course offers it.
    let repo = GitRepo::init();
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tasks"), &repo.dir);
    let meta = repo.dir.join("python-hostile/meta.json");
    let text = std::fs::read_to_string(&meta).expect("meta.json");
    std::fs::write(&meta, text.replace("\"disabled\": true", "\"disabled\": false"))
        .expect("write");
    repo.commit("a course with the sandbox probe");
    add_and_sync(&app, "course", &repo).await;
    let runner = start_runner(&app, 3);

    let cases = hostile::corpus();
    assert!(cases.len() >= 30, "the corpus has {} cases", cases.len());
    let mut paths = Vec::new();
    for (number, case) in cases.iter().enumerate() {
        let student = app.other_client();
        student.logged_in_as(&format!("hostile{number}"), Role::Student).await;
        let files: Vec<(&str, &str)> = case
            .files
            .iter()
            .map(|(name, bytes)| (name.as_str(), std::str::from_utf8(bytes).expect("UTF-8")))
            .collect();
        paths.push(student.submitted(case.slug, &files).await);
    }
    let began = std::time::Instant::now();
    let open = poll_until(
        Duration::from_secs(600),
        || async {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from solutions where status not in ('done', 'error')",
            )
            .fetch_one(&app.db)
            .await
            .expect("count")
        },
        |open| *open == 0,
    )
    .await;
    assert_eq!(open, 0, "{open} cases still without a verdict");
    let corpus_took = began.elapsed();

    let mut problems = Vec::new();
    let mut table = String::new();
    for (case, path) in cases.iter().zip(&paths) {
        let row: Option<(serde_json::Value, String, String, bool)> = sqlx::query_as(
            "select report, stdout, stderr, output_truncated from results where solution_id = $1",
        )
        .bind(solution_id(path))
        .fetch_optional(&app.db)
        .await
        .expect("the result");
        let Some((report, stdout, stderr, truncated)) = row else {
            problems.push(format!("{}: no result (quarantined?)", case.name));
            continue;
        };
        let report: Report = serde_json::from_value(report).expect("a report");
        let console = format!("{stdout}{stderr}");
        table.push_str(&format!("{:<40} {}\n", case.name, report.verdict.as_str()));
        problems.extend(case.check(&hostile::Outcome {
            report: &report,
            console: &console,
            truncated,
        }));
    }
    assert!(problems.is_empty(), "hostile corpus through the pipeline:\n{}", problems.join("\n"));

    // Nothing is left behind: no container, no run directory.
    let listed = std::process::Command::new("docker")
        .args(["ps", "-aq", "--filter", &format!("label=org.inloop.runner={}", runner.id)])
        .output()
        .expect("docker ps");
    assert!(
        listed.stdout.is_empty(),
        "containers left: {}",
        String::from_utf8_lossy(&listed.stdout)
    );
    let work_dir = std::env::temp_dir().join("inloop-test-runs").join(&runner.id);
    let leftovers: Vec<String> = std::fs::read_dir(&work_dir)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| name != "build-logs")
                .collect()
        })
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "run directories left: {leftovers:?}");

    // The runner is alive and an honest student is graded promptly.
    let honest = app.other_client();
    honest.logged_in_as("honest", Role::Student).await;
    let submitted = std::time::Instant::now();
    let path = honest.submitted("a-counter", &[("Counter.java", counters::PASSES)]).await;
    assert_eq!(honest.wait_for_verdict(&path).await, "passed");
    let waited = submitted.elapsed();
    assert!(waited < Duration::from_secs(30), "the honest solution waited {waited:?}");
    let _ = writeln!(
        std::io::stderr(),
        "hostile corpus: {} cases graded in {corpus_took:?}; an honest solution after them waited {waited:?}\n{table}",
        cases.len()
    );
}
