//! A runner host as a separate `inloop runner` process, killed with SIGKILL in the middle of a
//! job: the job is graded exactly once by another runner, and the killed runner, restarted,
//! cleans up what it left behind (its container, its unfinished job) without grading it again.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use inloop_app::db::users::Role;
use inloop_tests::{ChildProcess, TestApp, plugin_dir, spawn_app_with, sync_fixture_course};

const BINARY: &str = env!("CARGO_BIN_EXE_inloop");

/// An `inloop runner` process; killed (SIGKILL) when dropped.
struct RunnerProcess {
    child: ChildProcess,
    log: PathBuf,
}

impl RunnerProcess {
    fn start(app: &TestApp, runner_id: &str, dir: &Path) -> RunnerProcess {
        let log = dir.join(format!("{runner_id}.log"));
        let child = Command::new(BINARY)
            .args(["runner", "--slots", "1"])
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("RUST_LOG", "info")
            .env("INLOOP_REDIS_URL", inloop_tests::redis_url())
            .env("INLOOP_REDIS_PREFIX", &app.redis_prefix)
            .env("INLOOP_TASK_DIR", &app.state.task_source.task_dir)
            .env("INLOOP_RUNNER_ID", runner_id)
            .env("INLOOP_PLUGIN_DIR", plugin_dir())
            .env("INLOOP_WORK_DIR", dir.join(format!("{runner_id}-work")))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("inloop runner starts");
        RunnerProcess { child: ChildProcess(child), log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_for_log(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !self.log().contains(text) {
            assert!(Instant::now() < deadline, "the runner never logged {text:?}:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn kill(&mut self) {
        self.child.kill();
    }
}

/// Grading containers of one runner: `(running, all)`.
fn containers_of(runner_id: &str) -> (usize, usize) {
    let count = |all: bool| {
        let mut args = vec!["ps", "-q", "--filter"];
        let label = format!("label=org.inloop.runner={runner_id}");
        args.push(&label);
        if all {
            args.push("-a");
        }
        let output = Command::new("docker").args(&args).output().expect("docker ps");
        String::from_utf8_lossy(&output.stdout).lines().count()
    };
    (count(false), count(true))
}

#[tokio::test]
async fn a_runner_killed_mid_job_loses_nothing_and_the_job_is_graded_once() {
    let dir = std::env::temp_dir().join(format!("inloop-kill-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(dir.join("tasks"));
        settings.job_lease_seconds = Some(8);
    })
    .await;
    sync_fixture_course(&app).await;
    let mut redis = app.state.redis.clone();
    let mut events = redis::Client::open(inloop_tests::redis_url())
        .expect("client")
        .get_async_pubsub()
        .await
        .expect("pubsub");
    events.subscribe(format!("{}:events", app.redis_prefix)).await.expect("subscribe");
    let doomed_id = format!("doomed-{}", uuid::Uuid::new_v4().simple());
    let mut doomed = RunnerProcess::start(&app, &doomed_id, &dir);
    doomed.wait_for_log("runner host ready").await;

    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", inloop_tests::counters::SLOW)]).await;
    let solution_id = inloop_tests::solution_id(&path);

    // Mid-job: the runner said it runs this solution (not one of the reference checks that
    // the sync queued), and the container is up.
    let running = serde_json::json!({ "solution_id": solution_id, "stage": "running" });
    let mut messages = events.on_message();
    tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(message) = messages.next().await {
            let payload: String = message.get_payload().expect("payload");
            if serde_json::from_str::<serde_json::Value>(&payload).ok() == Some(running.clone()) {
                return;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the job never started:\n{}", doomed.log()));
    drop(messages);
    let deadline = Instant::now() + Duration::from_secs(60);
    while containers_of(&doomed_id).0 == 0 {
        assert!(Instant::now() < deadline, "the job never started:\n{}", doomed.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    doomed.kill();
    assert_eq!(containers_of(&doomed_id).1, 1, "the killed runner left its container behind");

    let rescuer_id = format!("rescuer-{}", uuid::Uuid::new_v4().simple());
    let rescuer = RunnerProcess::start(&app, &rescuer_id, &dir);
    assert_eq!(app.wait_for_verdict(&path).await, "passed", "{}", rescuer.log());

    let attempts: Vec<(i32, Option<String>, Option<String>)> = sqlx::query_as(
        "select attempt, runner, outcome from grading_attempts where solution_id = $1 order by attempt",
    )
    .bind(solution_id)
    .fetch_all(&app.db)
    .await
    .expect("attempts");
    assert_eq!(attempts.len(), 2, "sent once, and once more after the lease: {attempts:?}");
    assert_eq!(attempts[0].2.as_deref(), Some("lost"), "{attempts:?}");
    assert_eq!(attempts[1].1.as_deref(), Some(rescuer_id.as_str()), "{attempts:?}");
    assert_eq!(attempts[1].2.as_deref(), Some("graded"), "{attempts:?}");

    // The killed runner comes back under its old name: it removes its container and releases
    // the job it never finished, without grading it a second time.
    let restarted = RunnerProcess::start(&app, &doomed_id, &dir);
    restarted.wait_for_log("runner host ready").await;
    assert_eq!(containers_of(&doomed_id).1, 0, "leftover container removed");
    restarted.wait_for_log("releasing a job an earlier run of this runner left unfinished").await;
    let jobs = format!("{}:jobs", app.redis_prefix);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let pending: (i64, redis::Value, redis::Value, redis::Value) = redis::cmd("XPENDING")
            .arg(&jobs)
            .arg("runners")
            .query_async(&mut redis)
            .await
            .expect("xpending");
        let length: i64 =
            redis::cmd("XLEN").arg(&jobs).query_async(&mut redis).await.expect("xlen");
        if pending.0 == 0 && length == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{pending:?} jobs pending, {length} in the stream");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let unchanged: Vec<(i32, Option<String>)> = sqlx::query_as(
        "select attempt, outcome from grading_attempts where solution_id = $1 order by attempt",
    )
    .bind(solution_id)
    .fetch_all(&app.db)
    .await
    .expect("attempts");
    assert_eq!(
        unchanged,
        [(1, Some("lost".to_owned())), (2, Some("graded".to_owned()))],
        "the released job was not graded again"
    );
}
