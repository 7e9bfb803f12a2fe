//! The web server's side of the grading queue: sending jobs, taking in results, and the
//! reconciler that re-sends what runners lost.
//!
//! PostgreSQL is the truth: a solution is `queued` until its job is sent (`dispatched`), then
//! `done` or `error`. Each student has at most one solution with the runners at a time, so one
//! student's twenty submissions cannot hold back everybody else's.
//!
//! Every attempt carries a random token, stored with it; a result is taken only for the attempt
//! that is out and only with that token, so a runner can write no verdict it was not asked for,
//! and a late result of a superseded attempt changes nothing. A lease runs from the moment a
//! runner took a job (the jobs stream's idle time, renewed by the runner's claims while it
//! works), never while the job waits in the stream. One result entry that cannot be stored is
//! tried a few times and then stored as a system error (or set aside): it never holds up the
//! entries behind it.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use inloop_plugin_api::report::{Report, Verdict};
use inloop_protocol::jobs::{
    self, GradingJob, GradingResult, HandBack, JobFile, ProgressEvent, Stage,
};
use redis::{
    AsyncCommands,
    streams::{StreamId, StreamPendingCountReply, StreamReadOptions, StreamReadReply},
};

use crate::{
    config::Settings,
    db::{self, solutions::Replacing},
    state::AppState,
};

mod retests;
pub use retests::{pump as send_retests, take_back as take_back_retests};

/// Lost attempts (their runner went silent, or Redis lost the job) before a solution is given up on.
const MAX_LOST_ATTEMPTS: i64 = 3;
/// Hand-backs for our own faults (Docker away, a full disk) before a solution is given up on: a
/// job that keeps breaking the test machines must not keep every runner busy.
const MAX_HAND_BACKS: i64 = 10;
/// Tries of one result entry that cannot be stored while the database answers.
const MAX_INGEST_TRIES: u32 = 3;
/// A stream entry larger than this is not read as a result (runners send far less).
const MAX_ENTRY_BYTES: usize = 16 << 20;
/// Kept of each console stream, and of each text in a report, at most.
const MAX_CONSOLE_BYTES: usize = 1 << 20;
const MAX_TEST_TEXT_BYTES: usize = 64 << 10;
const MAX_FEEDBACK_BYTES: usize = 256 << 10;
const MAX_TESTS: usize = 5_000;
const MAX_NOTES: usize = 50;
/// Results stream entries set aside because they could not be stored, kept for admins.
const DEAD_LETTERS_KEPT: usize = 1_000;
/// Default lease: how long a runner may go without claiming a job it took.
pub const DEFAULT_LEASE_SECONDS: u64 = 60;

/// How long a runner may go without claiming a job it took before the job is sent again.
pub fn lease(settings: &Settings) -> Duration {
    Duration::from_secs(settings.job_lease_seconds.unwrap_or(DEFAULT_LEASE_SECONDS).max(1))
}

/// How often runners claim a job while they work on it: a few claims fit in every lease.
fn heartbeat(settings: &Settings) -> Duration {
    (lease(settings) / 4).max(Duration::from_millis(250))
}

fn new_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The stream of results runners send; entries that could not be stored go to its dead letters.
fn dead_letters(prefix: &str) -> String {
    format!("{}:dead", jobs::results_stream(prefix))
}

/// Sends the job of a waiting solution to the runners.
pub async fn dispatch(state: &AppState, solution_id: i64) -> anyhow::Result<()> {
    send(state, solution_id, Replacing::Nothing).await
}

async fn send(state: &AppState, solution_id: i64, replacing: Replacing) -> anyhow::Result<()> {
    let Some(solution) = db::solutions::find(&state.db, solution_id).await? else { return Ok(()) };
    let files = db::solutions::files(&state.db, solution_id).await?;
    let token = new_token();
    let mut tx = state.db.begin().await?;
    let Some(attempt) =
        db::solutions::mark_dispatched(&mut tx, solution_id, replacing, &token).await?
    else {
        tracing::debug!(solution_id, "another dispatcher sent this solution first");
        return Ok(());
    };
    let job = GradingJob {
        solution_id,
        reference: false,
        retest: false,
        attempt,
        token,
        repository: solution.repository,
        revision: solution.revision,
        task: solution.system_name,
        files: files.iter().map(|(name, bytes)| JobFile::new(name, bytes)).collect(),
        heartbeat_ms: heartbeat(&state.settings).as_millis() as u64,
    };
    let job_id = push_job(state, &job).await?;
    db::solutions::set_job_id(&mut tx, solution_id, attempt, &job_id).await?;
    // Committed only once the job is out: a failed send leaves the solution as it was, for the
    // reconciler. A result cannot overtake the commit: ingest waits for the solution's row.
    tx.commit().await?;
    tracing::info!(solution_id, attempt, job_id, "dispatched a grading job");
    Ok(())
}

async fn push_job(state: &AppState, job: &GradingJob) -> anyhow::Result<String> {
    let mut redis = state.redis.clone();
    let id: String = redis
        .xadd(
            jobs::jobs_stream(state.redis_prefix()),
            "*",
            &[(jobs::DATA_FIELD, serde_json::to_string(job)?)],
        )
        .await?;
    Ok(id)
}

/// Takes a job off the jobs stream, whether it waits or a runner has it: its attempt is over.
/// A runner still working on it notices at its next claim and stops.
async fn remove_job(state: &AppState, job_id: &str) -> anyhow::Result<()> {
    let stream = jobs::jobs_stream(state.redis_prefix());
    let mut redis = state.redis.clone();
    let _: () = redis::pipe()
        .xack(&stream, jobs::JOBS_GROUP, &[job_id])
        .ignore()
        .xdel(&stream, &[job_id])
        .ignore()
        .query_async(&mut redis)
        .await?;
    Ok(())
}

/// Dispatches the author's next waiting solution, if it is their turn.
pub async fn dispatch_next(state: &AppState, author_id: i64) -> anyhow::Result<()> {
    if let Some(next) = db::solutions::next_for_author(&state.db, author_id).await? {
        dispatch(state, next).await?;
    }
    Ok(())
}

/// Sends a check of a task's reference solution (the files of its `solution/` folder).
pub async fn dispatch_reference(
    state: &AppState,
    task: &db::tasks::ReferencePending,
) -> anyhow::Result<()> {
    let folder =
        state.task_source.checkout(&task.repository).join(&task.system_name).join("solution");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&folder)?.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|kind| kind.is_file())
            && inloop_protocol::names::is_safe_file_name(&name)
        {
            files.push(JobFile::new(&name, &std::fs::read(entry.path())?));
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(old) = &task.superseded_job_id {
        remove_job(state, old).await?;
    }
    let token = new_token();
    let mut tx = state.db.begin().await?;
    db::tasks::mark_reference_dispatched(
        &mut tx,
        task.id,
        &task.content_hash,
        &task.revision,
        &token,
    )
    .await?;
    let job = GradingJob {
        solution_id: task.id,
        reference: true,
        retest: false,
        attempt: 1,
        token,
        repository: task.repository.clone(),
        revision: task.revision.clone(),
        task: task.system_name.clone(),
        files,
        heartbeat_ms: heartbeat(&state.settings).as_millis() as u64,
    };
    let job_id = push_job(state, &job).await?;
    db::tasks::set_reference_job_id(&mut tx, task.id, &job_id).await?;
    tx.commit().await?;
    tracing::info!(task = task.system_name, "dispatched a reference solution check");
    Ok(())
}

/// Cuts what a result may hold to what we store; says so in the report when it cut.
fn cap_result(result: &mut GradingResult) {
    use inloop_plugin_api::junit::truncate;
    let report = &mut result.report;
    for text in [&mut result.stdout, &mut result.stderr] {
        if text.len() > MAX_CONSOLE_BYTES {
            *text = truncate(text, MAX_CONSOLE_BYTES);
            result.output_truncated = true;
        }
    }
    if report.tests.len() > MAX_TESTS {
        report
            .notes
            .push(format!("Only the first {MAX_TESTS} of {} tests are shown.", report.tests.len()));
        report.tests.truncate(MAX_TESTS);
    }
    for test in &mut report.tests {
        for text in std::iter::once(&mut test.name).chain(
            [&mut test.class_name, &mut test.message, &mut test.details].into_iter().flatten(),
        ) {
            if text.len() > MAX_TEST_TEXT_BYTES {
                *text = truncate(text, MAX_TEST_TEXT_BYTES);
            }
        }
    }
    if let Some(feedback) = &mut report.feedback
        && feedback.len() > MAX_FEEDBACK_BYTES
    {
        *feedback = truncate(feedback, MAX_FEEDBACK_BYTES);
    }
    report.notes.truncate(MAX_NOTES);
    for note in &mut report.notes {
        if note.len() > MAX_TEST_TEXT_BYTES {
            *note = truncate(note, MAX_TEST_TEXT_BYTES);
        }
    }
}

/// Stores a result if it is the result of the attempt that is out (same attempt, same token),
/// and tells the solution's open pages. Anything else is logged and ignored.
pub async fn ingest(state: &AppState, result: &GradingResult) -> anyhow::Result<()> {
    let mut result = result.clone();
    if result.make_safe() {
        tracing::warn!(
            solution = result.solution_id,
            runner = result.runner,
            "a result carried text that cannot be stored as it was (NUL, control characters); made it safe"
        );
    }
    cap_result(&mut result);
    if result.reference {
        return ingest_reference(state, &result).await;
    }
    if result.retest {
        return retests::ingest(state, &result).await;
    }
    let stored = db::solutions::StoredResult {
        solution_id: result.solution_id,
        attempt: result.attempt,
        runner: &result.runner,
        report: &result.report,
        stdout: &result.stdout,
        stderr: &result.stderr,
        output_truncated: result.output_truncated,
        duration_ms: i32::try_from(result.duration_ms).unwrap_or(i32::MAX),
    };
    let mut tx = state.db.begin().await?;
    let Some(out) = db::solutions::lock_current_attempt(
        &mut tx,
        result.solution_id,
        result.attempt,
        &result.token,
    )
    .await?
    else {
        tx.rollback().await?;
        tracing::warn!(
            solution = result.solution_id,
            attempt = result.attempt,
            runner = result.runner,
            "ignored a result that is not for the attempt out with the runners (late, superseded or forged)"
        );
        return Ok(());
    };
    let fresh = db::solutions::store_result(&mut tx, &stored).await?;
    tx.commit().await?;
    if fresh {
        crate::metrics::result_stored(result.report.verdict.as_str(), out.seconds_out);
        publish(state, result.solution_id, Stage::Graded).await;
        dispatch_next(state, out.author_id).await?;
        // A slot is free: re-tests may use it when no student's job waits.
        retests::pump_quietly(state).await;
    }
    Ok(())
}

async fn ingest_reference(state: &AppState, result: &GradingResult) -> anyhow::Result<()> {
    let output = inloop_plugin_api::text::console(&result.stdout, &result.stderr);
    let stored = db::tasks::store_reference_result(
        &state.db,
        result.solution_id,
        &result.token,
        &result.report,
        &output,
    )
    .await?;
    if !stored {
        tracing::warn!(
            task = result.solution_id,
            revision = result.revision,
            "ignored a reference check result that is not for the check out (an older revision, or forged)"
        );
    }
    Ok(())
}

/// A runner gave a job back ungraded: the fault was not the solution's. It goes out again at
/// the end of the queue, unless this keeps happening.
pub async fn ingest_hand_back(state: &AppState, back: &HandBack) -> anyhow::Result<()> {
    let detail = inloop_plugin_api::text::make_safe(&back.detail).into_owned();
    if back.reference {
        let released = db::tasks::release_reference(
            &state.db,
            back.solution_id,
            &back.token,
            back.reason.counts_as_lost(),
        )
        .await?;
        if let Some(lost) = released {
            tracing::warn!(task = back.solution_id, runner = back.runner, reason = ?back.reason, detail, "a runner handed a reference check back; it goes out again");
            if i64::from(lost) >= MAX_LOST_ATTEMPTS {
                db::tasks::fail_reference(
                    &state.db,
                    back.solution_id,
                    None,
                    "The reference solution could not be checked: the test machines lost it several times.",
                )
                .await?;
            }
        }
        return Ok(());
    }
    if back.retest {
        return retests::hand_back(state, back).await;
    }
    let mut tx = state.db.begin().await?;
    let current =
        db::solutions::lock_current_attempt(&mut tx, back.solution_id, back.attempt, &back.token)
            .await?;
    if current.is_none() {
        tx.rollback().await?;
        tracing::warn!(
            solution = back.solution_id,
            attempt = back.attempt,
            "ignored a hand-back that is not for the attempt out"
        );
        return Ok(());
    }
    let outcome = if back.reason.counts_as_lost() { "lost" } else { "handed_back" };
    db::solutions::mark_attempt(
        &mut *tx,
        back.solution_id,
        back.attempt,
        outcome,
        Some(&back.runner),
        Some(&detail),
    )
    .await?;
    tx.commit().await?;
    tracing::warn!(solution = back.solution_id, attempt = back.attempt, runner = back.runner, reason = ?back.reason, detail, "a runner handed a job back");
    let (count, limit) = if back.reason.counts_as_lost() {
        (
            db::solutions::attempts_ended(&state.db, back.solution_id, &["lost"]).await?,
            MAX_LOST_ATTEMPTS,
        )
    } else {
        (
            db::solutions::attempts_ended(&state.db, back.solution_id, &["handed_back"]).await?,
            MAX_HAND_BACKS,
        )
    };
    if count >= limit {
        give_up(state, back.solution_id, back.attempt, GIVE_UP_MESSAGE).await
    } else {
        send(state, back.solution_id, Replacing::Attempt(back.attempt)).await
    }
}

const GIVE_UP_MESSAGE: &str = "We could not test this solution: the test machines lost it several times. It does not count against your submissions; please submit it again, and tell the course staff if this repeats.";

/// Gives up on a solution: it gets an error a student can read and does not count.
async fn give_up(
    state: &AppState,
    solution_id: i64,
    attempt: i32,
    message: &str,
) -> anyhow::Result<()> {
    tracing::error!(solution_id, attempt, "quarantined a solution whose grading keeps failing");
    db::solutions::quarantine(&state.db, solution_id, message).await?;
    db::solutions::mark_attempt(&state.db, solution_id, attempt, "quarantined", None, None).await?;
    publish(state, solution_id, Stage::Graded).await;
    if let Some(solution) = db::solutions::find(&state.db, solution_id).await? {
        dispatch_next(state, solution.author_id).await?;
    }
    Ok(())
}

async fn publish(state: &AppState, solution_id: i64, stage: Stage) {
    let event = serde_json::to_string(&ProgressEvent { solution_id, stage }).unwrap_or_default();
    let mut redis = state.redis.clone();
    let _: Result<(), _> = redis.publish(jobs::events_channel(state.redis_prefix()), event).await;
}

/// Staff have a solution tested again (one that could not be tested, say): its old result is
/// kept in its history. False when it is waiting or being tested already.
pub async fn test_again(state: &AppState, solution_id: i64, staff_id: i64) -> anyhow::Result<bool> {
    let mut tx = state.db.begin().await?;
    let queued = db::solutions::queue_again(&mut tx, solution_id, staff_id).await?;
    tx.commit().await?;
    if queued {
        tracing::info!(solution_id, staff_id, "staff had a solution tested again");
        publish(state, solution_id, Stage::Graded).await;
        if let Some(solution) = db::solutions::find(&state.db, solution_id).await? {
            dispatch_next(state, solution.author_id).await?;
        }
    }
    Ok(queued)
}

/// Staff have every solution of a task tested again that could not be tested (quarantined or
/// `system_error`). Returns how many were queued.
pub async fn test_untested_again(
    state: &AppState,
    task_id: i64,
    staff_id: i64,
) -> anyhow::Result<usize> {
    let mut queued = 0;
    for solution_id in db::solutions::untested_of_task(&state.db, task_id).await? {
        if test_again(state, solution_id, staff_id).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Takes results off the results stream for as long as the server runs.
pub fn spawn_ingester(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // A stable name: what this server read before a crash is its own to finish at start.
        let consumer = format!("web-{}", state.settings.web_id());
        let mut tries = HashMap::new();
        loop {
            if let Err(err) = ingest_loop(&state, &consumer, &mut tries).await {
                tracing::warn!(error = %format!("{err:#}"), "the result ingester failed; restarting in a second");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    })
}

/// Entries of another web server (it crashed and did not come back) that were read and left
/// unacknowledged this long are taken over.
const ORPHANED_AFTER: Duration = Duration::from_secs(60);
const ADOPT_EVERY: Duration = Duration::from_secs(30);

async fn ingest_loop(
    state: &AppState,
    consumer: &str,
    tries: &mut HashMap<String, u32>,
) -> anyhow::Result<()> {
    let stream = jobs::results_stream(state.redis_prefix());
    let mut blocking = crate::redis_conn::connect_with_timeout(
        state.settings.redis_url.expose(),
        Duration::from_secs(10),
    )
    .await?;
    let mut control = state.redis.clone();
    crate::redis_conn::ensure_group(&mut control, &stream, jobs::RESULTS_GROUP).await?;
    let mut adopted_at: Option<tokio::time::Instant> = None;
    // What this consumer read and did not finish (before a crash, or retries) first.
    let mut pending_first = true;
    loop {
        if adopted_at.is_none_or(|at| at.elapsed() >= ADOPT_EVERY) {
            if adopt_orphans(state, &mut control, &stream, consumer).await? {
                pending_first = true;
            }
            adopted_at = Some(tokio::time::Instant::now());
        }
        let cursor = if pending_first { "0" } else { ">" };
        let block = if tries.is_empty() { 2000 } else { 500 };
        let options = StreamReadOptions::default()
            .group(jobs::RESULTS_GROUP, consumer)
            .count(16)
            .block(block);
        let reply: StreamReadReply =
            blocking.xread_options(&[&stream], &[cursor], &options).await?;
        let entries: Vec<StreamId> = reply.keys.into_iter().flat_map(|key| key.ids).collect();
        if pending_first && entries.is_empty() {
            pending_first = false;
            continue;
        }
        for entry in entries {
            match take_entry(state, &entry).await {
                Ok(()) => {
                    tries.remove(&entry.id);
                }
                Err(err) if !database_answers(state).await => {
                    // Not this entry's fault: it stays pending and is read again once the
                    // database is back, without counting.
                    return Err(err.context("the database does not answer"));
                }
                Err(err) => {
                    let count = tries.entry(entry.id.clone()).or_insert(0);
                    *count += 1;
                    if *count < MAX_INGEST_TRIES {
                        crate::metrics::ingest_failed("retried");
                        tracing::warn!(id = entry.id, try_ = *count, error = %format!("{err:#}"), "a result could not be stored; trying again");
                        // Read from the pending entries again before the new ones, after a pause.
                        pending_first = true;
                        continue;
                    }
                    tries.remove(&entry.id);
                    set_aside(state, &entry, &format!("{err:#}")).await;
                }
            }
            // One consumer group reads this stream: a finished entry can go.
            let _: () = redis::pipe()
                .xack(&stream, jobs::RESULTS_GROUP, &[&entry.id])
                .ignore()
                .xdel(&stream, &[&entry.id])
                .ignore()
                .query_async(&mut control)
                .await?;
        }
        if pending_first && !tries.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Claims entries that another consumer read long ago and never acknowledged (a web server
/// that crashed and did not come back under its name). True when it claimed any.
async fn adopt_orphans(
    state: &AppState,
    control: &mut redis::aio::ConnectionManager,
    stream: &str,
    consumer: &str,
) -> anyhow::Result<bool> {
    let reply: redis::streams::StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
        .arg(stream)
        .arg(jobs::RESULTS_GROUP)
        .arg(consumer)
        .arg(ORPHANED_AFTER.as_millis() as u64)
        .arg("0-0")
        .arg("COUNT")
        .arg(100)
        .arg("JUSTID")
        .query_async(control)
        .await?;
    if !reply.claimed.is_empty() {
        tracing::warn!(
            count = reply.claimed.len(),
            prefix = state.redis_prefix(),
            "took over results another web server read and never finished"
        );
    }
    Ok(!reply.claimed.is_empty())
}

async fn database_answers(state: &AppState) -> bool {
    let probe = sqlx::query("select 1").execute(&state.db);
    matches!(tokio::time::timeout(Duration::from_secs(3), probe).await, Ok(Ok(_)))
}

/// Handles one results-stream entry: a result or a hand-back. An entry that can never be read
/// is set aside at once.
async fn take_entry(state: &AppState, entry: &StreamId) -> anyhow::Result<()> {
    if let Some(data) = entry_text(entry, jobs::DATA_FIELD) {
        let data = data?;
        match serde_json::from_str::<GradingResult>(&data) {
            Ok(result) => ingest(state, &result).await,
            Err(err) => {
                set_aside(state, entry, &format!("not a result: {err}")).await;
                Ok(())
            }
        }
    } else if let Some(data) = entry_text(entry, jobs::HANDBACK_FIELD) {
        let data = data?;
        match serde_json::from_str::<HandBack>(&data) {
            Ok(back) => ingest_hand_back(state, &back).await,
            Err(err) => {
                set_aside(state, entry, &format!("not a hand-back: {err}")).await;
                Ok(())
            }
        }
    } else {
        set_aside(state, entry, "an entry without data").await;
        Ok(())
    }
}

/// The text of a field; an error for a field too large to be a result.
fn entry_text(entry: &StreamId, field: &str) -> Option<anyhow::Result<String>> {
    let value = entry.map.get(field)?;
    let bytes: Vec<u8> = match redis::from_redis_value_ref(value) {
        Ok(bytes) => bytes,
        Err(err) => return Some(Err(err.into())),
    };
    if bytes.len() > MAX_ENTRY_BYTES {
        return Some(Err(anyhow::anyhow!(
            "the entry has {} bytes, more than the {MAX_ENTRY_BYTES} a result may have",
            bytes.len()
        )));
    }
    Some(Ok(String::from_utf8_lossy(&bytes).into_owned()))
}

/// An entry that cannot be stored: kept for admins in the dead letters, and where it is a
/// result of the attempt out, that attempt ends as a system error (the solution does not count
/// against the student) instead of waiting for a verdict that will never come.
async fn set_aside(state: &AppState, entry: &StreamId, reason: &str) {
    tracing::error!(id = entry.id, reason, "set aside a result entry that cannot be stored");
    crate::metrics::ingest_failed("set_aside");
    let raw = entry_text(entry, jobs::DATA_FIELD).and_then(Result::ok);
    let mut redis = state.redis.clone();
    let kept: Result<String, _> = redis
        .xadd_maxlen(
            dead_letters(state.redis_prefix()),
            redis::streams::StreamMaxlen::Approx(DEAD_LETTERS_KEPT),
            "*",
            &[
                ("id", entry.id.as_str()),
                ("reason", reason),
                ("data", raw.as_deref().unwrap_or("")),
            ],
        )
        .await;
    if let Err(err) = kept {
        tracing::warn!(error = %err, "could not keep the entry in the dead letters");
    }
    let Some(result) = raw.and_then(|raw| serde_json::from_str::<GradingResult>(&raw).ok()) else {
        return;
    };
    let mut report = Report::new(Verdict::SystemError);
    report.notes.push(
        "The result of this test run could not be stored, so the solution was not graded; it does not count against your submissions."
            .to_owned(),
    );
    let stand_in = GradingResult {
        report,
        stdout: String::new(),
        stderr: String::new(),
        output_truncated: false,
        ..result
    };
    match ingest(state, &stand_in).await {
        Ok(()) if !stand_in.reference && !stand_in.retest => {
            let problem = format!("the result could not be stored: {reason}");
            let _ = db::solutions::mark_attempt(
                &state.db,
                stand_in.solution_id,
                stand_in.attempt,
                "undeliverable",
                Some(&stand_in.runner),
                Some(&problem),
            )
            .await;
        }
        Ok(()) => {}
        Err(err) => {
            tracing::error!(solution = stand_in.solution_id, error = %format!("{err:#}"), "could not store a system error in place of a result")
        }
    }
}

/// Every few seconds: re-sends jobs whose runner went silent or that Redis lost, gives up after
/// a few attempts, dispatches students' waiting solutions and checks reference solutions.
pub fn spawn_reconciler(
    state: AppState,
    lease: Duration,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            if let Err(err) = reconcile(&state, lease).await {
                tracing::warn!(error = %format!("{err:#}"), "reconciling the grading queue failed");
            }
        }
    })
}

/// What became of a job that went out.
#[derive(Debug, PartialEq)]
enum Fate {
    /// Waiting in the stream, or with a runner that claims it.
    Fine,
    /// A runner took it and has not claimed it for longer than the lease.
    Silent { runner: String, idle: Duration },
    /// It is neither in the stream nor with a runner, and no result is on its way.
    Vanished,
}

/// The jobs stream as the reconciler sees it in one look.
struct JobsStream {
    /// Entries runners took and have not finished: id → (runner, idle).
    taken: HashMap<String, (String, Duration)>,
}

/// Answers, for each job id, whether the job is still accounted for: in the jobs stream, taken
/// by a runner, or possibly among the results not ingested yet (then every job is). One script,
/// so one instant: looked at in steps, a job a runner took and finished (or handed back) between
/// two steps would be in none of them and seem lost. The entries themselves, which carry the
/// solutions' files, are never sent. KEYS: jobs stream, results stream; ARGV: group, ids.
const JOBS_ACCOUNTED_FOR: &str = r"
local found = {}
local results_waiting = redis.call('XLEN', KEYS[2]) > 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local here = results_waiting or #redis.call('XRANGE', KEYS[1], id, id) > 0
  if not here then
    local ok, pending = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1], id, id, 1)
    here = ok and #pending > 0
  end
  found[i - 1] = here and 1 or 0
end
return found
";

impl JobsStream {
    async fn look(state: &AppState) -> anyhow::Result<JobsStream> {
        let mut redis = state.redis.clone();
        let stream = jobs::jobs_stream(state.redis_prefix());
        let pending: redis::RedisResult<StreamPendingCountReply> =
            redis.xpending_count(&stream, jobs::JOBS_GROUP, "-", "+", 10_000).await;
        let taken = match pending {
            Ok(reply) => reply
                .ids
                .into_iter()
                .map(|id| {
                    (id.id, (id.consumer, Duration::from_millis(id.last_delivered_ms as u64)))
                })
                .collect(),
            // No stream or no group yet (Redis lost both, or nothing was ever sent).
            Err(err) if err.code() == Some("NOGROUP") => HashMap::new(),
            Err(err) => return Err(err.into()),
        };
        Ok(JobsStream { taken })
    }

    /// The fate of each job (by stream id) that has been out for `seconds_out`.
    async fn fates(
        &self,
        state: &AppState,
        lease: Duration,
        out: &[(Option<&str>, f64)],
    ) -> anyhow::Result<Vec<Fate>> {
        // Only jobs out longer than a lease and not with a runner need the stream looked at.
        let to_look: Vec<&str> = out
            .iter()
            .filter(|(id, seconds)| {
                *seconds > lease.as_secs_f64() && id.is_some_and(|id| !self.taken.contains_key(id))
            })
            .filter_map(|(id, _)| *id)
            .collect();
        let accounted: Vec<i64> = if to_look.is_empty() {
            Vec::new()
        } else {
            let mut redis = state.redis.clone();
            redis::Script::new(JOBS_ACCOUNTED_FOR)
                .key(jobs::jobs_stream(state.redis_prefix()))
                .key(jobs::results_stream(state.redis_prefix()))
                .arg(jobs::JOBS_GROUP)
                .arg(&to_look)
                .invoke_async(&mut redis)
                .await?
        };
        let existing: HashSet<&str> = to_look
            .iter()
            .zip(accounted)
            .filter(|(_, found)| *found > 0)
            .map(|(id, _)| *id)
            .collect();
        Ok(out
            .iter()
            .map(|(id, seconds)| {
                if let Some((runner, idle)) = id.and_then(|id| self.taken.get(id)) {
                    return if *idle > lease {
                        Fate::Silent { runner: runner.clone(), idle: *idle }
                    } else {
                        Fate::Fine
                    };
                }
                if *seconds <= lease.as_secs_f64() || id.is_some_and(|id| existing.contains(id)) {
                    Fate::Fine
                } else {
                    Fate::Vanished
                }
            })
            .collect())
    }
}

pub async fn reconcile(state: &AppState, lease: Duration) -> anyhow::Result<()> {
    let stream = JobsStream::look(state).await?;
    let out = db::solutions::out_attempts(&state.db).await?;
    let keys: Vec<(Option<&str>, f64)> =
        out.iter().map(|attempt| (attempt.job_id.as_deref(), attempt.seconds_out)).collect();
    let fates = stream.fates(state, lease, &keys).await?;
    // What we read of the database may be older than Redis's answer: a result stored since
    // then took its job out of Redis, and must not make the job look lost.
    let still_out: HashSet<(i64, i32)> = if fates.contains(&Fate::Vanished) {
        db::solutions::out_attempts(&state.db)
            .await?
            .into_iter()
            .map(|attempt| (attempt.solution_id, attempt.attempt))
            .collect()
    } else {
        HashSet::new()
    };
    for (attempt, fate) in out.iter().zip(fates) {
        let problem = match fate {
            Fate::Fine => continue,
            Fate::Vanished if !still_out.contains(&(attempt.solution_id, attempt.attempt)) => {
                continue;
            }
            Fate::Silent { runner, idle } => format!(
                "the runner {runner} took the job and has not answered for {} s",
                idle.as_secs()
            ),
            Fate::Vanished => "the job vanished from Redis".to_owned(),
        };
        tracing::warn!(
            solution = attempt.solution_id,
            attempt = attempt.attempt,
            problem,
            "a grading job was lost"
        );
        if let Some(job_id) = &attempt.job_id {
            remove_job(state, job_id).await?;
        }
        db::solutions::mark_attempt(
            &state.db,
            attempt.solution_id,
            attempt.attempt,
            "lost",
            None,
            Some(&problem),
        )
        .await?;
        let lost = db::solutions::attempts_ended(&state.db, attempt.solution_id, &["lost"]).await?;
        if lost >= MAX_LOST_ATTEMPTS {
            give_up(state, attempt.solution_id, attempt.attempt, GIVE_UP_MESSAGE).await?;
        } else {
            send(state, attempt.solution_id, Replacing::Attempt(attempt.attempt)).await?;
        }
    }

    let references = db::tasks::references_out(&state.db).await?;
    let keys: Vec<(Option<&str>, f64)> =
        references.iter().map(|check| (check.job_id.as_deref(), check.seconds_out)).collect();
    let fates = stream.fates(state, lease, &keys).await?;
    let still_out: HashSet<(i64, Option<String>)> = if fates.contains(&Fate::Vanished) {
        db::tasks::references_out(&state.db)
            .await?
            .into_iter()
            .map(|check| (check.task_id, check.job_id))
            .collect()
    } else {
        HashSet::new()
    };
    for (check, fate) in references.iter().zip(fates) {
        let gone_since =
            fate == Fate::Vanished && !still_out.contains(&(check.task_id, check.job_id.clone()));
        if fate == Fate::Fine || gone_since {
            continue;
        }
        if let Some(job_id) = &check.job_id {
            remove_job(state, job_id).await?;
        }
        let lost = db::tasks::reference_lost(&state.db, check.task_id).await?;
        tracing::warn!(task = check.task_id, lost, ?fate, "a reference check was lost");
        if i64::from(lost) >= MAX_LOST_ATTEMPTS {
            db::tasks::fail_reference(
                &state.db,
                check.task_id,
                Some(&check.content_hash),
                "The reference solution could not be checked: the test machines lost it several times.",
            )
            .await?;
        }
    }

    for author_id in db::solutions::authors_waiting(&state.db).await? {
        dispatch_next(state, author_id).await?;
    }
    retests::reconcile(state, &stream, lease).await?;
    for task in db::tasks::references_to_check(&state.db).await? {
        if let Err(err) = dispatch_reference(state, &task).await {
            tracing::warn!(task = task.system_name, error = %format!("{err:#}"), "cannot check a reference solution");
            db::tasks::fail_reference(
                &state.db,
                task.id,
                Some(&task.content_hash),
                &format!("The reference solution could not be read: {err}"),
            )
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_cut_to_what_is_stored_and_say_so() {
        let mut report = Report::new(Verdict::Failed);
        report.tests = (0..MAX_TESTS + 3)
            .map(|n| inloop_plugin_api::report::TestCase {
                name: format!("t{n}"),
                class_name: None,
                status: inloop_plugin_api::report::TestStatus::Passed,
                duration_ms: None,
                message: Some("m".repeat(MAX_TEST_TEXT_BYTES + 10)),
                details: None,
            })
            .collect();
        let mut result = GradingResult {
            solution_id: 1,
            reference: false,
            retest: false,
            attempt: 1,
            token: "t".into(),
            revision: String::new(),
            runner: "r".into(),
            report,
            stdout: "x".repeat(MAX_CONSOLE_BYTES + 1),
            stderr: String::new(),
            output_truncated: false,
            duration_ms: 1,
        };
        cap_result(&mut result);
        assert_eq!(result.report.tests.len(), MAX_TESTS);
        assert!(result.report.notes[0].contains("Only the first 5000"));
        assert!(
            result.report.tests[0].message.as_deref().unwrap_or_default().ends_with("[truncated]")
        );
        assert!(result.stdout.len() < MAX_CONSOLE_BYTES + 20 && result.output_truncated);
    }
}
