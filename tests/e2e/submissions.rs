//! The student's loop end to end: submit, get graded by a runner through Redis and Docker, read
//! the result; and what must never happen (seeing others' solutions, numbers colliding).

use inloop_app::db::users::Role;
use inloop_tests::{
    EventStream, app_with_fixture_course, solution_id, spawn_app_with, start_runner,
    start_runner_seeing, sync_fixture_course,
};
use reqwest::StatusCode;

use inloop_tests::counters::{FAILS as COUNTER_FAILS, PASSES as COUNTER_PASSES};

fn task_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("inloop-submit-{}", uuid::Uuid::new_v4().simple()))
}

#[tokio::test]
async fn a_correct_and_a_wrong_solution_get_passed_and_failed() {
    let app = app_with_fixture_course().await;
    let _runner = start_runner(&app, 2);
    app.logged_in_as("stu", Role::Student).await;

    let task = app.get("/tasks/a-counter").await;
    task.assert_contains(r#"enctype="multipart/form-data""#);
    let first = app.submit("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let first_path = first.location.clone().expect("redirect to the solution");
    assert!(first_path.starts_with("/solutions/"));
    let second = app.submit("a-counter", &[("Counter.java", COUNTER_FAILS)]).await;
    let second_path = second.location.clone().expect("redirect to the solution");

    assert_eq!(app.wait_for_verdict(&first_path).await, "passed");
    assert_eq!(app.wait_for_verdict(&second_path).await, "failed");
    let page = app.get(&second_path).await;
    page.assert_contains("Solution #2");
    page.assert_contains("expected: &lt;2&gt; but was: &lt;0&gt;");
    page.assert_contains("Counter.java");
    let list = app.get("/tasks/a-counter/solutions").await;
    assert!(
        list.body.find("#2").expect("#2 listed") < list.body.find("#1").expect("#1 listed"),
        "newest first"
    );
    list.assert_contains(r#"data-verdict="passed""#);
    let category = app.get("/tasks/category/java-basics").await;
    category.assert_contains(r#"<th scope="col">Done</th>"#);
    category.assert_contains("done-mark");

    let zip = app.client.get(app.url(&format!("{first_path}/download"))).send().await.expect("zip");
    assert_eq!(zip.status(), StatusCode::OK);
    assert_eq!(zip.headers()["content-type"], "application/zip");
    let bytes = zip.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"PK"), "a zip archive");
}

#[tokio::test]
async fn students_never_see_each_others_solutions() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("alice", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;

    let bob = app.other_client();
    bob.logged_in_as("bob", Role::Student).await;
    for suffix in ["", "/status", "/download"] {
        assert_eq!(
            bob.get(&format!("{path}{suffix}")).await.status,
            StatusCode::NOT_FOUND,
            "{suffix}"
        );
    }
    let staff = app.other_client();
    staff.logged_in_as("sam", Role::Staff).await;
    let seen = staff.get(&path).await;
    assert_eq!(seen.status, StatusCode::OK);
    seen.assert_contains("You are viewing a solution by <strong>alice</strong>");
}

#[tokio::test]
async fn uploads_are_checked_and_refusals_store_nothing() {
    let app = app_with_fixture_course().await;
    app.set_site_setting("max_submissions = 1").await;
    app.logged_in_as("stu", Role::Student).await;

    let wrong_type = app.submit("a-counter", &[("Counter.py", "print(1)")]).await;
    wrong_type.assert_redirect_to("/tasks/a-counter#submit");
    app.get("/tasks/a-counter")
        .await
        .assert_contains("Counter.py is not accepted: this task takes *.java.");
    let nothing = app.submit("a-counter", &[]).await;
    nothing.assert_redirect_to("/tasks/a-counter#submit");
    app.get("/tasks/a-counter")
        .await
        .assert_contains("You haven&#39;t uploaded any files.".replace("&#39;", "'").as_str());
    let huge = "x".repeat(300 * 1024);
    app.submit("a-counter", &[("Counter.java", &huge)])
        .await
        .assert_redirect_to("/tasks/a-counter#submit");
    let stored: i64 = sqlx::query_scalar("select count(*) from solutions")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(stored, 0, "refused uploads store nothing");

    assert_eq!(
        app.submit("a-counter", &[("Counter.java", COUNTER_PASSES)]).await.status,
        StatusCode::SEE_OTHER
    );
    app.submit("a-counter", &[("Counter.java", COUNTER_PASSES)])
        .await
        .assert_redirect_to("/tasks/a-counter#submit");
    let task = app.get("/tasks/a-counter").await;
    task.assert_contains("You cannot submit more than 1 solution(s).");

    // A forged upload without the token is refused before anything is read.
    let form = reqwest::multipart::Form::new()
        .part("files", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("Counter.java"));
    let forged = app
        .client
        .post(app.url("/tasks/a-counter/submit"))
        .multipart(form)
        .send()
        .await
        .expect("answered");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let stored: i64 = sqlx::query_scalar("select count(*) from solutions")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn concurrent_submits_of_one_student_get_distinct_numbers() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    let submits = (0..6).map(|_| app.submit("a-counter", &[("Counter.java", COUNTER_FAILS)]));
    let pages = futures_util::future::join_all(submits).await;
    assert!(pages.iter().all(|page| page.status == StatusCode::SEE_OTHER));
    let mut numbers: Vec<i32> = sqlx::query_scalar("select number from solutions order by number")
        .fetch_all(&app.db)
        .await
        .expect("numbers");
    numbers.dedup();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
}

/// Takes the next job off the jobs stream as a runner host named `host` would, and returns its
/// entry id and job.
async fn take_job(
    app: &inloop_tests::TestApp,
    host: &str,
) -> (String, inloop_protocol::jobs::GradingJob) {
    let jobs = format!("{}:jobs", app.redis_prefix);
    let mut redis = app.state.redis.clone();
    inloop_runners::host::ensure_group(&mut redis, &jobs, "runners").await.expect("group");
    let taken: redis::streams::StreamReadReply = redis::cmd("XREADGROUP")
        .arg(&["GROUP", "runners", host, "COUNT", "1", "STREAMS", &jobs, ">"])
        .query_async(&mut redis)
        .await
        .expect("a job");
    let entry = taken.keys[0].ids[0].clone();
    let data: String = entry.get("data").expect("the job's data");
    (entry.id, serde_json::from_str(&data).expect("a job"))
}

async fn attempt_outcomes(app: &inloop_tests::TestApp, id: i64) -> Vec<Option<String>> {
    sqlx::query_scalar(
        "select outcome from grading_attempts where solution_id = $1 order by attempt",
    )
    .bind(id)
    .fetch_all(&app.db)
    .await
    .expect("attempts")
}

#[tokio::test]
async fn a_job_whose_runner_went_silent_is_sent_again_and_graded_once() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
    let id = solution_id(&path);
    app.get(&path).await.assert_contains("Being tested");
    // A runner host takes the job and dies holding it: it never claims it again.
    let (first_entry, first_job) = take_job(&app, "dead-host").await;
    let lease = std::time::Duration::from_secs(1);
    inloop_app::queue::reconcile(&app.state, lease).await.expect("reconcile");
    assert_eq!(app.jobs_pending().await, 1, "within its lease the job stays with its runner");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    inloop_app::queue::reconcile(&app.state, lease).await.expect("reconcile");
    let attempt: i32 = sqlx::query_scalar("select attempt from solutions where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("attempt");
    assert_eq!(attempt, 2, "the job was sent again");
    assert_eq!(app.jobs_pending().await, 0, "the silent runner's copy was taken back");

    // Should the silent runner come back with a result for its attempt, it changes nothing.
    let late = inloop_protocol::jobs::GradingResult {
        solution_id: id,
        reference: false,
        retest: false,
        attempt: first_job.attempt,
        token: first_job.token.clone(),
        revision: first_job.revision.clone(),
        runner: "dead-host".into(),
        report: inloop_plugin_api::report::Report::new(inloop_plugin_api::report::Verdict::Failed),
        stdout: String::new(),
        stderr: String::new(),
        output_truncated: false,
        duration_ms: 1,
    };
    inloop_app::queue::ingest(&app.state, &late).await.expect("ingest");
    assert!(!first_entry.is_empty());

    let _runner = start_runner(&app, 1);
    assert_eq!(app.wait_for_verdict(&path).await, "passed");
    let results: i64 = sqlx::query_scalar("select count(*) from results where solution_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("results");
    assert_eq!(results, 1, "graded exactly once");
    let outcomes = attempt_outcomes(&app, id).await;
    assert_eq!(
        outcomes,
        [Some("lost".to_owned()), Some("graded".to_owned())],
        "both attempts are kept for staff"
    );
}

#[tokio::test]
async fn jobs_that_wait_in_the_queue_longer_than_the_lease_are_never_lost() {
    // One slot, a lease of 15 s and 30 Java solutions: the last of them waits far longer than
    // the lease, and still each is graded once, none sent twice, none quarantined.
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(task_dir());
        settings.job_lease_seconds = Some(15);
    })
    .await;
    sync_fixture_course(&app).await;
    let mut paths = Vec::new();
    for student in 0..30 {
        let client = app.other_client();
        client.logged_in_as(&format!("stu{student}"), Role::Student).await;
        paths.push((
            client.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await,
            client,
        ));
    }
    let began = std::time::Instant::now();
    let _runner = start_runner(&app, 1);
    for (path, client) in &paths {
        assert_eq!(client.wait_for_verdict(path).await, "passed", "{path}");
    }
    let took = began.elapsed();
    let (attempts, lost, results): (i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from grading_attempts),
                (select count(*) from grading_attempts where outcome <> 'graded'),
                (select count(*) from results)",
    )
    .fetch_one(&app.db)
    .await
    .expect("counts");
    assert_eq!((attempts, lost, results), (30, 0, 30), "one attempt each, all graded");
    assert!(took > std::time::Duration::from_secs(15), "the queue outlasted the lease ({took:?})");
}

#[tokio::test]
async fn the_status_streams_live_over_server_sent_events_until_the_verdict() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
    app.get(&path).await.assert_contains(&format!(r#"sse-connect="{path}/events""#));

    let response = app.client.get(app.url(&format!("{path}/events"))).send().await.expect("events");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let _runner = start_runner(&app, 1);
    let mut events = EventStream::new(response);
    let finished =
        events.until(r#"data-verdict="passed""#, std::time::Duration::from_secs(60)).await;
    let seen = events.seen.clone();
    assert!(finished, "events seen:\n{seen}");
    assert!(seen.contains("event: status"), "{seen}");
    assert!(
        seen.contains("Waiting to be tested")
            || seen.contains("Being tested")
            || seen.contains("Running the tests"),
        "progress before the verdict:\n{seen}"
    );
    // The verdict is final: the stream says so and ends, and the page opens no stream again
    // (browsers would reconnect to a stream that merely ended, forever).
    assert!(events.ends_within(std::time::Duration::from_secs(10)).await, "{}", events.seen);
    assert!(events.seen.contains("event: done"), "{}", events.seen);
    let page = app.get(&path).await;
    page.assert_contains(r#"data-verdict="passed""#);
    assert!(!page.body.contains("sse-connect"), "a final page opens no stream");
    let late = app.client.get(app.url(&format!("{path}/events"))).send().await.expect("events");
    let mut late = EventStream::new(late);
    assert!(late.ends_within(std::time::Duration::from_secs(5)).await, "{}", late.seen);
    assert!(late.seen.contains("data-verdict=\"passed\"") && late.seen.contains("event: done"));
}

#[tokio::test]
async fn a_runner_host_without_the_shared_task_directory_waits_for_it_instead_of_failing_jobs() {
    let dir = task_dir();
    let app = spawn_app_with(|settings| settings.task_dir = Some(dir.clone())).await;
    sync_fixture_course(&app).await;
    // The runner host's mount point, a link here: first an empty folder, as when the NFS share
    // is not mounted, then the shared directory itself.
    let empty = task_dir();
    std::fs::create_dir_all(&empty).expect("an empty folder");
    let mount_point = task_dir();
    std::os::unix::fs::symlink(&empty, &mount_point).expect("the mount point");
    let runner = start_runner_seeing(&app, 1, &mount_point);
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;

    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    let (status, attempts): (String, i64) = sqlx::query_as(
        "select status, (select count(*) from results r where r.solution_id = s.id)
         from solutions s where id = $1",
    )
    .bind(solution_id(&path))
    .fetch_one(&app.db)
    .await
    .expect("the solution");
    assert_eq!((status.as_str(), attempts), ("dispatched", 0), "the job waits, nothing failed");

    // The share is mounted: the same runner host takes the job and grades it.
    let mounting = task_dir();
    std::os::unix::fs::symlink(&dir, &mounting).expect("a link to the share");
    std::fs::rename(&mounting, &mount_point).expect("mounted");
    assert_eq!(app.wait_for_verdict(&path).await, "passed");
    assert_eq!(app.graded_by(&path).await, runner.id);
}

#[tokio::test]
async fn a_job_handed_back_goes_to_the_end_of_the_queue_and_is_graded_once() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
    let id = solution_id(&path);

    // A runner host takes the job, finds it cannot grade it here, and hands it back.
    let (entry, job) = take_job(&app, "unlucky-host").await;
    assert_eq!(job.solution_id, id);
    let mut redis = app.state.redis.clone();
    let taken = inloop_runners::host::Taken {
        prefix: &app.redis_prefix,
        runner_id: "unlucky-host",
        id: &entry,
    };
    inloop_runners::host::give_back(
        &mut redis,
        &taken,
        &job,
        inloop_protocol::jobs::HandBackReason::Infrastructure,
        "Docker is away",
    )
    .await;
    assert_eq!(app.jobs_pending().await, 0, "nothing stays with the host that handed it back");

    // The web server sends it again at once, as a new attempt at the end of the stream.
    let jobs = format!("{}:jobs", app.redis_prefix);
    let waiting = inloop_tests::poll_until(
        std::time::Duration::from_secs(5),
        || {
            let mut redis = redis.clone();
            let jobs = jobs.clone();
            async move {
                redis::cmd("XRANGE")
                    .arg(&jobs)
                    .arg("-")
                    .arg("+")
                    .query_async::<Vec<(String, Vec<(String, String)>)>>(&mut redis)
                    .await
                    .expect("xrange")
            }
        },
        |waiting: &Vec<(String, Vec<(String, String)>)>| !waiting.is_empty(),
    )
    .await;
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_ne!(waiting[0].0, entry, "a new entry");
    let again: inloop_protocol::jobs::GradingJob =
        serde_json::from_str(&waiting[0].1[0].1).expect("a job");
    assert_eq!((again.solution_id, again.attempt), (id, job.attempt + 1));
    assert_ne!(again.token, job.token, "a new attempt has a new token");

    let runner = start_runner(&app, 1);
    assert_eq!(app.wait_for_verdict(&path).await, "passed");
    assert_eq!(app.graded_by(&path).await, runner.id);
    let results: i64 = sqlx::query_scalar("select count(*) from results where solution_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(results, 1);
    let problem: Option<String> = sqlx::query_scalar(
        "select problem from grading_attempts where solution_id = $1 and attempt = 1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .expect("the first attempt");
    assert_eq!(problem.as_deref(), Some("Docker is away"), "staff see why");
    assert_eq!(
        attempt_outcomes(&app, id).await,
        [Some("handed_back".to_owned()), Some("graded".to_owned())]
    );
}

#[tokio::test]
async fn with_feedback_off_solutions_are_stored_and_never_tested() {
    let app = app_with_fixture_course().await;
    let runner = start_runner(&app, 1);

    // An admin turns feedback off for an exam on the settings page.
    let admin = app.other_client();
    admin.logged_in_as("ada", Role::Admin).await;
    admin
        .get("/staff/settings")
        .await
        .assert_contains(r#"name="immediate_feedback" value="on" checked"#);
    admin
        .post_form("/staff/settings", &[("ownwork_declaration", "x"), ("max_submissions", "-1")])
        .await
        .assert_redirect_to("/staff/settings");
    assert!(
        !admin
            .get("/staff/settings")
            .await
            .body
            .contains(r#"name="immediate_feedback" value="on" checked"#)
    );

    app.logged_in_as("stu", Role::Student).await;
    app.get("/tasks/a-counter").await.assert_contains("Solutions are not tested at the moment");
    let category = app.get("/tasks/category/java-basics").await;
    category.assert_contains("/tasks/a-counter");
    assert!(!category.body.contains(r#"<th scope="col">Done</th>"#), "no Done column in exam mode");
    let page = app.submit("a-counter", &[("Counter.java", COUNTER_FAILS)]).await;
    let path = page.location.clone().expect("to the solution");
    let solution = app.get(&path).await;
    solution.assert_contains("has been saved. It is not tested while feedback is off.");
    solution.assert_contains(r#"data-verdict="saved""#);
    solution.assert_contains("Counter.java");
    assert_eq!(app.wait_for_verdict(&path).await, "saved");
    app.get("/tasks/a-counter/solutions").await.assert_contains("saved, not tested");

    // Nothing goes to the runners, now or later.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let (status, attempts, results): (String, i64, i64) = sqlx::query_as(
        "select status,
                (select count(*) from grading_attempts a where a.solution_id = s.id),
                (select count(*) from results r where r.solution_id = s.id)
         from solutions s where id = $1",
    )
    .bind(solution_id(&path))
    .fetch_one(&app.db)
    .await
    .expect("the solution");
    assert_eq!((status.as_str(), attempts, results), ("saved", 0, 0));

    // While feedback is off, the saved solutions cannot be sent to be tested.
    let settings = admin.get("/staff/settings").await;
    settings.assert_contains("1 solution(s) were stored while feedback was off.");
    admin.post_form("/staff/settings/test-saved", &[]).await.assert_redirect_to("/staff/settings");
    admin
        .get("/staff/settings")
        .await
        .assert_contains("students see the results of their saved solutions once they are tested");
    assert_eq!(app.wait_for_verdict(&path).await, "saved");

    // Feedback on again: new solutions are tested; the saved one stays as it was...
    app.set_site_setting("immediate_feedback = true").await;
    let tested = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
    assert_eq!(app.wait_for_verdict(&tested).await, "passed");
    assert_eq!(app.graded_by(&tested).await, runner.id);
    assert_eq!(app.wait_for_verdict(&path).await, "saved");

    // ...until an admin has the saved ones tested after the exam.
    admin.post_form("/staff/settings/test-saved", &[]).await.assert_redirect_to("/staff/settings");
    admin
        .get("/staff/settings")
        .await
        .assert_contains("saved solutions of 1 student(s) are being tested");
    assert_eq!(app.wait_for_verdict(&path).await, "failed");
    assert!(!admin.get("/staff/settings").await.body.contains("Saved, untested solutions"));
    let by_student = app.post_form("/staff/settings/test-saved", &[]).await;
    assert_eq!(by_student.status, StatusCode::NOT_FOUND, "admins only");
}

#[tokio::test]
async fn runner_hosts_build_a_new_revisions_images_before_any_job() {
    let dir = task_dir();
    let app = spawn_app_with(|settings| settings.task_dir = Some(dir)).await;
    let _runner = start_runner(&app, 1);
    let name = format!("watched-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let repo = inloop_tests::GitRepo::init();
    repo.write(&format!("{name}/task.md"), "# Watched");
    repo.write(
        &format!("{name}/meta.json"),
        &format!(r#"{{"title": "Watched {name}", "category": "W", "pubdate": "2026-01-01", "runner": "python"}}"#),
    );
    repo.write(
        &format!("{name}/tests/test_x.py"),
        &format!("def test_{}():\n    assert True\n", name.replace('-', "_")),
    );
    repo.commit("a task");
    inloop_tests::add_and_sync(&app, "watched", &repo).await;

    let reference = format!("inloop-task-python-{name}");
    // The first image of a plugin on a fresh machine takes a while to build.
    let found = inloop_tests::poll_until(
        std::time::Duration::from_secs(180),
        || async {
            let output = std::process::Command::new("docker")
                .args(["images", "--quiet", "--filter", &format!("reference={reference}")])
                .output()
                .expect("docker images");
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        },
        |found: &String| !found.is_empty(),
    )
    .await;
    assert!(!found.is_empty(), "the runner built {reference} without being asked by a job");
    let solutions: i64 = sqlx::query_scalar("select count(*) from solutions")
        .fetch_one(&app.db)
        .await
        .expect("count");
    assert_eq!(solutions, 0);
    let _ = std::process::Command::new("docker").args(["rmi", "-f", &found]).output();
}

#[tokio::test]
async fn jobs_lost_with_redis_are_sent_again_and_nothing_is_lost() {
    let dir = task_dir();
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(dir);
        settings.job_lease_seconds = Some(2);
    })
    .await;
    sync_fixture_course(&app).await;
    app.logged_in_as("stu", Role::Student).await;
    let first = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
    let second = app.submitted("a-counter", &[("Counter.java", COUNTER_FAILS)]).await;
    // Redis restarts without its data: the waiting job is gone from the stream.
    let mut redis = app.state.redis.clone();
    let deleted: i64 = redis::cmd("DEL")
        .arg(format!("{}:jobs", app.redis_prefix))
        .query_async(&mut redis)
        .await
        .expect("del");
    assert_eq!(deleted, 1, "the job stream existed");
    let _runner = start_runner(&app, 1);
    assert_eq!(app.wait_for_verdict(&first).await, "passed", "re-sent after its lease ran out");
    assert_eq!(app.wait_for_verdict(&second).await, "failed", "and the next one followed");
    let results: i64 = sqlx::query_scalar("select count(*) from results")
        .fetch_one(&app.db)
        .await
        .expect("results");
    assert_eq!(results, 2);
}

#[tokio::test]
async fn racing_dispatchers_send_one_job_not_two() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
    let id = solution_id(&path);
    // Back to waiting, as in the moment between a result and the student's next dispatch.
    sqlx::query("update solutions set status = 'queued' where id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .expect("reset");
    let racers = (0..5).map(|_| inloop_app::queue::dispatch(&app.state, id));
    for outcome in futures_util::future::join_all(racers).await {
        outcome.expect("dispatch");
    }
    let attempt: i32 = sqlx::query_scalar("select attempt from solutions where id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .expect("attempt");
    assert_eq!(attempt, 2, "one more attempt, not five");
    let mut redis = app.state.redis.clone();
    let jobs: i64 = redis::cmd("XLEN")
        .arg(format!("{}:jobs", app.redis_prefix))
        .query_async(&mut redis)
        .await
        .expect("xlen");
    assert_eq!(jobs, 2, "the submit's job and exactly one more");
}

/// Each test builds a new counter, and building one takes a while; counting is broken.
const SLOW_BROKEN_COUNTER: &str = "public class Counter {
    private int n;
    public Counter() { try { Thread.sleep(1200); } catch (InterruptedException e) { } }
    public void increment() { }
    public int get() { return n; }
    public void reset() { n = 0; }
}
";

async fn progress_lines(app: &inloop_tests::TestApp, solution_id: i64) -> Vec<serde_json::Value> {
    use redis::AsyncCommands;
    let key = format!("{}:progress:{solution_id}", app.redis_prefix);
    let lines: Vec<String> = app.state.redis.clone().lrange(&key, 0, -1).await.expect("lrange");
    lines.iter().map(|line| serde_json::from_str(line).expect("JSON")).collect()
}

#[tokio::test]
async fn tests_show_up_one_by_one_while_they_run() {
    let app = app_with_fixture_course().await;
    let _runner = start_runner(&app, 1);
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", SLOW_BROKEN_COUNTER)]).await;

    let partial = regex::Regex::new(r"([12]) of 3 tests done").expect("regex");
    let mut seen_partial = None;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let status = app.get(&format!("{path}/status")).await;
        if status.body.contains("data-verdict=") {
            break;
        }
        if let Some(found) = partial.captures(&status.body) {
            status.assert_contains(r#"<progress id="test-progress-bar" max="3""#);
            seen_partial.get_or_insert_with(|| (found[1].to_owned(), status.body.clone()));
        }
        assert!(std::time::Instant::now() < deadline, "no verdict");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (done, page) = seen_partial.expect("the status showed tests finishing before the verdict");
    assert!(page.contains("Running the tests"), "{page}");
    assert!(
        page.contains(r#"start="1""#)
            && page.matches("<li class=\"test-").count() == done.parse::<usize>().expect("n"),
        "{page}"
    );
    if page.contains("countsIncrements") {
        assert!(page.contains("(1 not passed so far)"), "the failing test is counted: {page}");
    }
    assert_eq!(app.wait_for_verdict(&path).await, "failed");

    let id = solution_id(&path);
    let lines = progress_lines(&app, id).await;
    assert_eq!(lines.first(), Some(&serde_json::json!({ "planned": 3 })), "{lines:?}");
    let mut finished: Vec<(String, String)> = lines[1..]
        .iter()
        .map(|line| (line["test"].as_str().expect("test").to_owned(), line["status"].to_string()))
        .collect();
    finished.sort();
    assert_eq!(
        finished,
        [
            ("countsIncrements()".to_owned(), "\"failed\"".to_owned()),
            ("resetsToZero()".to_owned(), "\"passed\"".to_owned()),
            ("startsAtZero()".to_owned(), "\"passed\"".to_owned()),
        ]
    );
    let page = app.get(&path).await;
    assert!(!page.body.contains("planned"), "progress stays out of the console output");

    // Python's runs report their progress the same way.
    let python = app
        .submitted(
            "fizzbuzz-in-python",
            &[(
                "fizzbuzz.py",
                include_str!("../fixtures/tasks/python-fizzbuzz/solution/fizzbuzz.py"),
            )],
        )
        .await;
    assert_eq!(app.wait_for_verdict(&python).await, "passed");
    let id = solution_id(&python);
    let lines = progress_lines(&app, id).await;
    assert_eq!(lines.first(), Some(&serde_json::json!({ "planned": 4 })), "{lines:?}");
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(lines[1..].iter().all(|line| line["status"] == "passed"
        && line["test"].as_str().is_some_and(|name| name.starts_with("test_"))));
}

/// A Redis server of this test's own, so that it can be killed and restarted without its data.
struct OwnRedis {
    port: u16,
    process: inloop_tests::ChildProcess,
}

impl OwnRedis {
    fn start(port: u16) -> OwnRedis {
        let process = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "redis-server did not listen");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        OwnRedis { port, process: inloop_tests::ChildProcess(process) }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGKILL, then a fresh server on the same port: everything in memory is gone.
    fn restart_empty(&mut self) {
        self.process.kill();
        *self = OwnRedis::start(self.port);
    }
}

#[tokio::test]
async fn redis_restarting_without_its_data_while_jobs_wait_loses_nothing() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port");
    let mut redis = OwnRedis::start(port);
    let dir = task_dir();
    let redis_url = redis.url();
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(dir);
        settings.redis_url = inloop_app::config::Secret::new(redis_url.as_str());
        settings.job_lease_seconds = Some(8);
    })
    .await;
    sync_fixture_course(&app).await;
    let _runner = inloop_tests::start_runner_on(&app, 1, &redis.url());
    app.logged_in_as("alice", Role::Student).await;
    let bob = app.other_client();
    bob.logged_in_as("bob", Role::Student).await;
    // Alice's solution takes the only runner slot for a while; Bob's waits in the stream.
    let slow = app.submitted("a-counter", &[("Counter.java", inloop_tests::counters::SLOW)]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let waiting = bob.submitted("a-counter", &[("Counter.java", COUNTER_FAILS)]).await;

    redis.restart_empty();
    assert_eq!(
        app.get("/about/privacy").await.status,
        StatusCode::OK,
        "the first request after the restart is served, not an error page"
    );

    // Sessions lived in Redis too: both log in again, and find their solutions graded.
    app.login("alice", inloop_tests::PASSWORD).await;
    bob.login("bob", inloop_tests::PASSWORD).await;
    assert_eq!(app.wait_for_verdict(&slow).await, "passed");
    assert_eq!(bob.wait_for_verdict(&waiting).await, "failed");
    let results: i64 = sqlx::query_scalar("select count(*) from results")
        .fetch_one(&app.db)
        .await
        .expect("results");
    assert_eq!(results, 2);
    let resent: i64 = sqlx::query_scalar("select count(*) from grading_attempts where attempt > 1")
        .fetch_one(&app.db)
        .await
        .expect("attempts");
    assert!(resent >= 1, "the job lost with Redis was sent again");
}

/// A TCP relay on loopback between the application and PostgreSQL that the test can cut, as if
/// the database went away (connections dropped, new ones refused), and restore.
struct CuttableLink {
    port: u16,
    target: std::net::SocketAddr,
    accepting: Option<tokio::task::JoinHandle<()>>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl CuttableLink {
    async fn start(target: std::net::SocketAddr) -> CuttableLink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("address").port();
        let mut link =
            CuttableLink { port, target, accepting: None, connections: std::sync::Arc::default() };
        link.accept_on(listener);
        link
    }

    fn accept_on(&mut self, listener: tokio::net::TcpListener) {
        let (target, connections) = (self.target, self.connections.clone());
        self.accepting = Some(tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let relay = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                connections.lock().expect("lock").push(relay.abort_handle());
            }
        }));
    }

    fn cut(&mut self) {
        if let Some(accepting) = self.accepting.take() {
            accepting.abort();
        }
        for connection in self.connections.lock().expect("lock").drain(..) {
            connection.abort();
        }
    }

    async fn restore(&mut self) {
        let listener =
            tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await.expect("rebind");
        self.accept_on(listener);
    }
}

#[tokio::test]
async fn a_result_that_arrives_while_postgresql_is_away_is_stored_when_it_is_back() {
    let server = reqwest::Url::parse(inloop_tests::database_server_url()).expect("database URL");
    let target = (server.host_str().expect("host"), server.port().unwrap_or(5432));
    let target = tokio::net::lookup_host(target).await.expect("address").next().expect("one");
    let mut link = CuttableLink::start(target).await;
    let dir = task_dir();
    // The application reaches its database through the link; the test's own pool goes direct.
    let app = spawn_app_with(|settings| {
        settings.task_dir = Some(dir);
        let mut url = reqwest::Url::parse(settings.database_url.expose()).expect("URL");
        url.set_port(Some(link.port)).expect("port");
        settings.database_url = inloop_app::config::Secret::new(url.as_str());
    })
    .await;
    sync_fixture_course(&app).await;
    let _runner = start_runner(&app, 1);
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", inloop_tests::counters::SLOW)]).await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;

    link.cut();
    // Pages say to come back shortly rather than that something broke.
    let away = app.get(&path).await;
    assert_eq!(away.status, StatusCode::SERVICE_UNAVAILABLE, "{}", away.body);
    away.assert_contains("briefly unavailable");
    assert_eq!(away.headers["retry-after"], "30");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    ready.assert_contains("postgresql: unreachable");
    // The run ends and its result reaches Redis while the database is away.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    link.restore().await;

    assert_eq!(app.wait_for_verdict(&path).await, "passed");
    let results: i64 = sqlx::query_scalar("select count(*) from results")
        .fetch_one(&app.db)
        .await
        .expect("results");
    assert_eq!(results, 1);
}

/// A Java solution that starts threads without end (each sleeps, so they pile up).
const THREAD_BOMB: &str = "public class Counter {
    static {
        while (System.nanoTime() != 0) {
            try {
                new Thread(() -> { try { Thread.sleep(60000); } catch (InterruptedException e) { } }).start();
            } catch (Throwable e) { }
        }
    }
    public void increment() { }
    public int get() { return 0; }
    public void reset() { }
}
";

/// A Python solution that forks without end.
const FORK_BOMB: &str =
    "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n";

#[tokio::test]
async fn neighbours_bombs_do_not_fail_correct_solutions_beside_them() {
    let app = app_with_fixture_course().await;
    let runner = start_runner(&app, 6);
    let bomber = app.other_client();
    bomber.logged_in_as("bomber", Role::Student).await;
    let threads = bomber.submitted("a-counter", &[("Counter.java", THREAD_BOMB)]).await;
    let forker = app.other_client();
    forker.logged_in_as("forker", Role::Student).await;
    let forks = forker.submitted("fizzbuzz-in-python", &[("fizzbuzz.py", FORK_BOMB)]).await;
    // Both bombs are running in their containers, and have filled them with tasks (the Java
    // one's limit is 128, the Python one's 64), before the correct solutions arrive.
    let mut tasks = Vec::new();
    for _ in 0..1200 {
        let listed = std::process::Command::new("docker")
            .args(["ps", "-q", "--filter", &format!("label=org.inloop.runner={}", runner.id)])
            .output()
            .expect("docker ps");
        let ids: Vec<String> =
            String::from_utf8_lossy(&listed.stdout).lines().map(str::to_owned).collect();
        if ids.len() == 2 {
            let stats = std::process::Command::new("docker")
                .args(["stats", "--no-stream", "--format", "{{.PIDs}}"])
                .args(&ids)
                .output()
                .expect("docker stats");
            tasks = String::from_utf8_lossy(&stats.stdout)
                .lines()
                .filter_map(|line| line.trim().parse::<u32>().ok())
                .collect();
            if tasks.len() == 2 && tasks.iter().sum::<u32>() >= 150 {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(tasks.iter().sum::<u32>() >= 150, "both bombs fill their containers: {tasks:?}");
    let mut honest = Vec::new();
    for student in 0..4 {
        let client = app.other_client();
        client.logged_in_as(&format!("honest{student}"), Role::Student).await;
        let path = client.submitted("a-counter", &[("Counter.java", COUNTER_PASSES)]).await;
        honest.push((client, path));
    }
    for (client, path) in &honest {
        assert_eq!(client.wait_for_verdict(path).await, "passed", "{path} beside two bombs");
    }
    let bomb_verdicts =
        [bomber.wait_for_verdict(&threads).await, forker.wait_for_verdict(&forks).await];
    for verdict in &bomb_verdicts {
        assert!(
            ["timeout", "memory_exceeded", "crashed", "failed", "compile_error"]
                .contains(&verdict.as_str()),
            "{bomb_verdicts:?}"
        );
    }
}
