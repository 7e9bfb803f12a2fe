//! Our faults are not the student's: a runner host whose disk is full gives its job back and
//! waits until it is healthy; solutions we could not test are tested again when staff say so.

use std::time::Duration;

use inloop_app::db::users::Role;
use inloop_plugin_api::report::{Report, Verdict};
use inloop_tests::{
    app_with_fixture_course, counters, solution_id, start_runner, start_runner_working_in,
};
use reqwest::StatusCode;

/// A tmpfs of a few MiB, filled to the brim, unmounted when dropped.
struct FullDisk {
    dir: std::path::PathBuf,
}

impl FullDisk {
    fn new() -> FullDisk {
        let dir =
            std::env::temp_dir().join(format!("inloop-full-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount runs");
        assert!(mounted.success(), "the tests run as root and may mount a tmpfs");
        let disk = FullDisk { dir };
        // Filled to the last byte: dd stops at "no space left on device".
        let _ = std::process::Command::new("dd")
            .args(["if=/dev/zero", "bs=64k", "status=none"])
            .arg(format!("of={}", disk.filler().display()))
            .status();
        disk
    }

    fn filler(&self) -> std::path::PathBuf {
        self.dir.join("filler")
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.dir).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn a_runner_with_a_full_disk_gives_the_job_back_and_takes_none_until_it_is_healthy() {
    let app = app_with_fixture_course().await;
    let disk = FullDisk::new();
    let _runner = start_runner_working_in(&app, 1, &disk.dir);
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", counters::PASSES)]).await;
    let id = solution_id(&path);

    // The job comes back as a hand-back for our fault; the new attempt waits, untaken.
    // Generous: with the whole suite running beside it, the runner may take long to start.
    let outcomes: Vec<(i32, Option<String>, Option<String>)> = inloop_tests::poll_until(
        Duration::from_secs(90),
        || async {
            sqlx::query_as(
                "select attempt, outcome, problem from grading_attempts where solution_id = $1 order by attempt",
            )
            .bind(id)
            .fetch_all(&app.db)
            .await
            .expect("attempts")
        },
        |outcomes: &Vec<(i32, Option<String>, Option<String>)>| outcomes.len() == 2,
    )
    .await;
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    assert_eq!(outcomes[0].1.as_deref(), Some("handed_back"), "{outcomes:?}");
    assert!(outcomes[0].2.as_deref().unwrap_or_default().contains("No space left"), "{outcomes:?}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(app.jobs_pending().await, 0, "an unhealthy runner takes no jobs");
    let status: String = sqlx::query_scalar("select status from solutions where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("status");
    assert_eq!(status, "dispatched", "the solution waits; nothing was held against it");

    // Space again: the runner notices by itself and grades.
    std::fs::remove_file(disk.filler()).expect("free the disk");
    assert_eq!(app.wait_for_verdict(&path).await, "passed");
    let attempts: i64 =
        sqlx::query_scalar("select count(*) from grading_attempts where solution_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .expect("count");
    assert_eq!(attempts, 2, "graded by the attempt that waited");
}

#[tokio::test]
async fn staff_have_solutions_that_could_not_be_tested_tested_again() {
    let app = app_with_fixture_course().await;
    let student = app.other_client();
    student.logged_in_as("stu", Role::Student).await;
    // One solution our side failed: its runner reported a broken test environment.
    let broken = student.submitted("a-counter", &[("Counter.java", counters::PASSES)]).await;
    let id = solution_id(&broken);
    let token: String =
        sqlx::query_scalar("select token from grading_attempts where solution_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .expect("token");
    let mut report = Report::new(Verdict::SystemError);
    report.feedback = Some("The test environment could not be built.".into());
    let result = inloop_protocol::jobs::GradingResult {
        solution_id: id,
        reference: false,
        retest: false,
        attempt: 1,
        token,
        revision: String::new(),
        runner: "runner-with-a-broken-image".into(),
        report,
        stdout: String::new(),
        stderr: String::new(),
        output_truncated: false,
        duration_ms: 5,
    };
    inloop_app::queue::ingest(&app.state, &result).await.expect("ingest");
    assert_eq!(student.wait_for_verdict(&broken).await, "system_error");
    assert!(
        !student.get(&broken).await.body.contains("Test again"),
        "students have no such button"
    );
    let forbidden = student.post_form(&format!("/staff/solutions/{id}/test-again"), &[]).await;
    assert_eq!(forbidden.status, StatusCode::NOT_FOUND);

    // A second student's solution is quarantined: three runners took it and went silent.
    let other = app.other_client();
    other.logged_in_as("unlucky", Role::Student).await;
    let lost = other.submitted("a-counter", &[("Counter.java", counters::FAILS)]).await;
    let lost_id = solution_id(&lost);
    let jobs = format!("{}:jobs", app.redis_prefix);
    let mut redis = app.state.redis.clone();
    inloop_runners::host::ensure_group(&mut redis, &jobs, "runners").await.expect("group");
    for round in 0..3 {
        let _: redis::Value = redis::cmd("XREADGROUP")
            .arg(&["GROUP", "runners", "vanishing-host", "COUNT", "10", "STREAMS", &jobs, ">"])
            .query_async(&mut redis)
            .await
            .expect("taken");
        tokio::time::sleep(Duration::from_millis(1200)).await;
        inloop_app::queue::reconcile(&app.state, Duration::from_secs(1)).await.expect("reconcile");
        let status: String = sqlx::query_scalar("select status from solutions where id = $1")
            .bind(lost_id)
            .fetch_one(&app.db)
            .await
            .expect("status");
        assert_eq!(status, if round < 2 { "dispatched" } else { "error" }, "round {round}");
    }
    other.get(&lost).await.assert_contains("could not test this solution");

    // Staff see both on the overview, and have them tested again.
    app.logged_in_as("ta", Role::Staff).await;
    let overview = app.get("/staff").await;
    overview.assert_contains("Solutions we could not test");
    overview.assert_contains("Test 2 again");
    let page = app.get(&broken).await;
    page.assert_contains("Test again");
    let _runner = start_runner(&app, 1);
    let answer = app.post_form(&format!("/staff/solutions/{id}/test-again"), &[]).await;
    answer.assert_redirect_to(&broken);
    assert_eq!(student.wait_for_verdict(&broken).await, "passed");
    let kept: Vec<String> =
        sqlx::query_scalar("select verdict from superseded_results where solution_id = $1")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .expect("history");
    assert_eq!(kept, ["system_error"], "the old result stays in the solution's history");

    let task_id: i64 = sqlx::query_scalar("select task_id from solutions where id = $1")
        .bind(lost_id)
        .fetch_one(&app.db)
        .await
        .expect("task");
    let answer = app.post_form(&format!("/staff/tasks/{task_id}/test-untested"), &[]).await;
    answer.assert_redirect_to("/staff#untested");
    assert_eq!(
        other.wait_for_verdict(&lost).await,
        "failed",
        "tested afresh, not quarantined at once"
    );
    app.get("/staff").await.assert_contains("None: every solution got a verdict.");
}
