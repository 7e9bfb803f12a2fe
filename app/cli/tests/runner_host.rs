//! A runner host as a separate `inloop runner` process, killed with SIGKILL in the middle of a
//! job: the job is graded exactly once by another runner, and the killed runner, restarted,
//! cleans up what it left behind (its container, its unfinished job) without grading it again.
//! And a runner host that reaches Redis over TLS, as it does across a network.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use inloop_app::{config::Secret, db::users::Role};
use inloop_tests::{
    ChildProcess, TestApp, plugin_dir, poll_until, spawn_app_with, sync_fixture_course,
};

const BINARY: &str = env!("CARGO_BIN_EXE_inloop");

/// An `inloop runner` process; killed (SIGKILL) when dropped.
struct RunnerProcess {
    child: ChildProcess,
    log: PathBuf,
}

impl RunnerProcess {
    fn start(app: &TestApp, runner_id: &str, dir: &Path) -> RunnerProcess {
        Self::start_with(app, runner_id, dir, &[])
    }

    /// With more (or other) environment variables than the usual ones.
    fn start_with(
        app: &TestApp,
        runner_id: &str,
        dir: &Path,
        environment: &[(&str, &str)],
    ) -> RunnerProcess {
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
            .envs(environment.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("inloop runner starts");
        RunnerProcess { child: ChildProcess(child), log }
    }

    /// Waits for the process to end by itself, and says whether it succeeded.
    async fn wait_for_exit(&mut self) -> bool {
        let child = &mut self.child.0;
        let status = poll_until(
            Duration::from_secs(60),
            || std::future::ready(child.try_wait().expect("the runner's state")),
            Option::is_some,
        )
        .await;
        status.unwrap_or_else(|| panic!("the runner kept running:\n{}", self.log())).success()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_for_log(&self, text: &str) {
        let log = poll_until(
            Duration::from_secs(120),
            || std::future::ready(self.log()),
            |log| log.contains(text),
        )
        .await;
        assert!(log.contains(text), "the runner never logged {text:?}:\n{log}");
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

/// How many grading containers of the runner run, once one does or `timeout` has passed.
async fn running_container_of(runner_id: &str, timeout: Duration) -> usize {
    poll_until(timeout, || std::future::ready(containers_of(runner_id).0), |running| *running > 0)
        .await
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
    let running = running_container_of(&doomed_id, Duration::from_secs(60)).await;
    assert!(running > 0, "the job never started:\n{}", doomed.log());
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

    // The killed runner comes back under its old name: it removes its container, and the job
    // it never finished is no longer its own (the web server took it back at the lease's end),
    // so nothing is graded a second time.
    let restarted = RunnerProcess::start(&app, &doomed_id, &dir);
    restarted.wait_for_log("runner host ready").await;
    assert_eq!(containers_of(&doomed_id).1, 0, "leftover container removed");
    let jobs = format!("{}:jobs", app.redis_prefix);
    let length: i64 = redis::cmd("XLEN").arg(&jobs).query_async(&mut redis).await.expect("xlen");
    assert_eq!((app.jobs_pending().await, length), (0, 0), "no job is left anywhere");
    tokio::time::sleep(Duration::from_secs(2)).await;
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
        "the job was not graded again"
    );
}

#[tokio::test]
async fn a_runner_restarted_mid_job_gives_the_job_back_at_once() {
    let dir =
        std::env::temp_dir().join(format!("inloop-restart-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    // A lease far longer than the test: the job must come back without waiting for it.
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(dir.join("tasks"));
        settings.job_lease_seconds = Some(600);
    })
    .await;
    sync_fixture_course(&app).await;
    let runner_id = format!("restarted-{}", uuid::Uuid::new_v4().simple());
    let mut runner = RunnerProcess::start(&app, &runner_id, &dir);
    runner.wait_for_log("runner host ready").await;
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", inloop_tests::counters::SLOW)]).await;
    let solution_id = inloop_tests::solution_id(&path);
    let running = running_container_of(&runner_id, Duration::from_secs(120)).await;
    assert!(running > 0, "the job never started:\n{}", runner.log());
    runner.kill();

    let began = Instant::now();
    let restarted = RunnerProcess::start(&app, &runner_id, &dir);
    restarted.wait_for_log("giving back a job an earlier run of this runner left unfinished").await;
    assert_eq!(app.wait_for_verdict(&path).await, "passed", "{}", restarted.log());
    assert!(began.elapsed() < Duration::from_secs(60), "graded without waiting for the lease");
    let attempts: Vec<(i32, Option<String>, Option<String>)> = sqlx::query_as(
        "select attempt, outcome, problem from grading_attempts where solution_id = $1 order by attempt",
    )
    .bind(solution_id)
    .fetch_all(&app.db)
    .await
    .expect("attempts");
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert_eq!(
        attempts[0].1.as_deref(),
        Some("lost"),
        "it counts towards quarantine: {attempts:?}"
    );
    assert!(attempts[0].2.as_deref().unwrap_or_default().contains("restarted"), "{attempts:?}");
    assert_eq!(attempts[1].1.as_deref(), Some("graded"), "{attempts:?}");
}

/// A Redis server with a plain port (for the web server) and a TLS port (for runner hosts),
/// its certificate signed by a certificate authority of the test's own. Killed when dropped.
struct TlsRedis {
    plain_port: u16,
    tls_port: u16,
    authority: PathBuf,
    _process: ChildProcess,
}

fn openssl(args: &[&str], dir: &Path) {
    let output = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl TlsRedis {
    fn start(dir: &Path) -> TlsRedis {
        let dir = dir.join("tls-redis");
        std::fs::create_dir_all(&dir).expect("dir");
        openssl(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=Test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
            ],
            &dir,
        );
        openssl(
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=redis",
                "-keyout",
                "redis.key",
                "-out",
                "redis.csr",
            ],
            &dir,
        );
        std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").expect("extensions");
        openssl(
            &[
                "x509",
                "-req",
                "-in",
                "redis.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                "san.ext",
                "-out",
                "redis.pem",
            ],
            &dir,
        );
        let (plain_port, tls_port) = (inloop_tests::free_port(), inloop_tests::free_port());
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &plain_port.to_string()])
            .args(["--tls-port", &tls_port.to_string(), "--tls-auth-clients", "no"])
            .args(["--tls-cert-file", "redis.pem", "--tls-key-file", "redis.key"])
            .args(["--tls-ca-cert-file", "ca.pem", "--save", "", "--appendonly", "no"])
            .current_dir(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let process = ChildProcess(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", tls_port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not open its TLS port");
            std::thread::sleep(Duration::from_millis(50));
        }
        TlsRedis { plain_port, tls_port, authority: dir.join("ca.pem"), _process: process }
    }
}

#[tokio::test]
async fn a_runner_host_reaches_redis_over_tls_and_checks_its_certificate() {
    let dir = std::env::temp_dir().join(format!("inloop-tls-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let redis = TlsRedis::start(&dir);
    let plain = format!("redis://127.0.0.1:{}", redis.plain_port);
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(dir.join("tasks"));
        settings.redis_url = Secret::new(plain);
    })
    .await;
    sync_fixture_course(&app).await;
    let tls = format!("rediss://127.0.0.1:{}", redis.tls_port);

    // A certificate from an authority the host does not trust: refused, and the log says why.
    let mut untrusting = RunnerProcess::start_with(
        &app,
        &format!("untrusting-{}", uuid::Uuid::new_v4().simple()),
        &dir,
        &[("INLOOP_REDIS_URL", &tls)],
    );
    assert!(!untrusting.wait_for_exit().await, "{}", untrusting.log());
    let log = untrusting.log();
    assert!(log.contains("cannot connect to Redis") && log.contains("certificate"), "{log}");

    // With the authority in the trust store (SSL_CERT_FILE stands in for the system's), it grades.
    let trusting_id = format!("trusting-{}", uuid::Uuid::new_v4().simple());
    let authority = redis.authority.to_string_lossy().into_owned();
    let trusting = RunnerProcess::start_with(
        &app,
        &trusting_id,
        &dir,
        &[("INLOOP_REDIS_URL", &tls), ("SSL_CERT_FILE", &authority)],
    );
    trusting.wait_for_log("runner host ready").await;
    app.logged_in_as("stu", Role::Student).await;
    let path =
        app.submitted("a-counter", &[("Counter.java", inloop_tests::counters::PASSES)]).await;
    assert_eq!(app.wait_for_verdict(&path).await, "passed", "{}", trusting.log());
    assert_eq!(app.graded_by(&path).await, trusting_id);
}

/// The Docker engine's socket, reached through a relay the test can cut (as if the engine went
/// away or restarted: connections dropped, new ones refused) and restore.
struct CuttableDocker {
    path: PathBuf,
    relay: Option<tokio::task::JoinHandle<()>>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl CuttableDocker {
    fn start(dir: &Path) -> CuttableDocker {
        let mut docker = CuttableDocker {
            path: dir.join("docker.sock"),
            relay: None,
            connections: std::sync::Arc::default(),
        };
        docker.restore();
        docker
    }

    fn restore(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let listener = tokio::net::UnixListener::bind(&self.path).expect("the relay's socket");
        let connections = self.connections.clone();
        self.relay = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let relay = tokio::spawn(async move {
                    if let Ok(mut engine) =
                        tokio::net::UnixStream::connect("/var/run/docker.sock").await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut engine).await;
                    }
                });
                connections.lock().expect("lock").push(relay.abort_handle());
            }
        }));
    }

    fn cut(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.abort();
        }
        for connection in self.connections.lock().expect("lock").drain(..) {
            connection.abort();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

#[tokio::test]
async fn a_runner_whose_docker_engine_goes_away_gives_the_job_back_and_grades_it_once_it_is_back() {
    let dir =
        std::env::temp_dir().join(format!("inloop-dockerd-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let app = spawn_app_with(|settings| settings.task_dir = Some(dir.join("tasks"))).await;
    sync_fixture_course(&app).await;
    let mut docker = CuttableDocker::start(&dir);
    let host = format!("unix://{}", docker.path.display());
    let runner_id = format!("no-docker-{}", uuid::Uuid::new_v4().simple());
    let runner = RunnerProcess::start_with(&app, &runner_id, &dir, &[("DOCKER_HOST", &host)]);
    runner.wait_for_log("runner host ready").await;
    // Let the reference checks the sync queued go through first.
    let pending = poll_until(
        Duration::from_secs(180),
        || async {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from tasks where has_solution and reference_verdict is distinct from 'passed'",
            )
            .fetch_one(&app.db)
            .await
            .expect("count")
        },
        |pending| *pending == 0,
    )
    .await;
    assert_eq!(pending, 0, "reference checks pending:\n{}", runner.log());

    docker.cut();
    app.logged_in_as("stu", Role::Student).await;
    let path =
        app.submitted("a-counter", &[("Counter.java", inloop_tests::counters::PASSES)]).await;
    let id = inloop_tests::solution_id(&path);
    runner.wait_for_log("this runner cannot grade").await;
    let first = poll_until(
        Duration::from_secs(30),
        || async {
            sqlx::query_as::<_, (Option<String>, Option<String>)>(
                "select outcome, problem from grading_attempts where solution_id = $1 and attempt = 1",
            )
            .bind(id)
            .fetch_one(&app.db)
            .await
            .expect("the first attempt")
        },
        |first| first.0.is_some(),
    )
    .await;
    assert_eq!(first.0.as_deref(), Some("handed_back"), "{first:?}\n{}", runner.log());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(app.jobs_pending().await, 0, "no job is taken while Docker is away");

    docker.restore();
    assert_eq!(app.wait_for_verdict(&path).await, "passed", "{}", runner.log());
    runner.wait_for_log("healthy again").await;
    let counted: i64 = sqlx::query_scalar(
        "select count(*) from grading_attempts where solution_id = $1 and outcome = 'graded'",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .expect("attempts");
    assert_eq!(counted, 1, "graded once");
}

#[tokio::test]
async fn a_runner_host_answers_its_metrics_to_loopback_and_to_the_token_only() {
    let dir =
        std::env::temp_dir().join(format!("inloop-metrics-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let app = spawn_app_with(|settings| settings.task_dir = Some(dir.join("tasks"))).await;
    sync_fixture_course(&app).await;
    let port = inloop_tests::free_port();
    let listen = format!("127.0.0.1:{port}");
    let runner_id = format!("metered-{}", uuid::Uuid::new_v4().simple());
    let runner = RunnerProcess::start_with(
        &app,
        &runner_id,
        &dir,
        &[("INLOOP_METRICS_LISTEN", &listen), ("INLOOP_METRICS_TOKEN", "scrape-me")],
    );
    runner.wait_for_log("runner host ready").await;
    // The sync queued every task's reference check: this host grades them.
    let url = format!("http://{listen}/metrics");
    let client = reqwest::Client::new();
    let text = poll_until(
        Duration::from_secs(120),
        || async {
            let response = client.get(&url).send().await.ok()?;
            response.text().await.ok()
        },
        |text| {
            text.as_deref().is_some_and(|text| text.contains("inloop_runner_jobs_graded_total{"))
        },
    )
    .await
    .unwrap_or_else(|| panic!("no metrics; the runner said:\n{}", runner.log()));
    assert!(text.contains("inloop_runner_slots 1"), "{text}");
    assert!(text.contains(r#"kind="reference""#), "{text}");
    assert!(text.contains(r#"inloop_runner_phase_seconds_bucket{plugin=""#), "{text}");
    assert!(text.contains(r#"phase="start",le="0.5"}"#), "{text}");
    assert!(text.contains("# HELP inloop_runner_job_wait_seconds"), "{text}");
    // Through a proxy, only the token opens them.
    let proxied = client.get(&url).header("X-Forwarded-For", "203.0.113.9").send().await;
    assert_eq!(proxied.expect("answered").status(), reqwest::StatusCode::NOT_FOUND);
    let with_token = client
        .get(&url)
        .header("X-Forwarded-For", "203.0.113.9")
        .bearer_auth("scrape-me")
        .send()
        .await
        .expect("answered");
    assert_eq!(with_token.status(), reqwest::StatusCode::OK);
}
