//! `inloop runner`: a runner host. Takes grading jobs from Redis, grades them in parallel slots
//! through the same `Grader` as `inloop check`, and sends results and progress back.
//!
//! A job is acknowledged only after its result is on the results stream, so a runner killed
//! mid-job leaves the job pending; the web server's reconciler sends it again.

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use redis::{
    AsyncCommands,
    aio::{ConnectionManager, ConnectionManagerConfig},
    streams::{StreamInfoGroupsReply, StreamRangeReply, StreamReadOptions, StreamReadReply},
};

use inloop_plugin_api::{
    protocol::ProgressLine,
    report::{Report, Verdict},
};
use inloop_protocol::{
    jobs::{self, GradingJob, GradingResult, HandBack, HandBackReason, ProgressEvent, Stage},
    taskdir,
};

use crate::grade::{GradeError, Grader, GraderConfig};

#[derive(Clone, Debug)]
pub struct RunnerConfig {
    pub redis_url: String,
    pub redis_prefix: String,
    pub task_dir: PathBuf,
    pub slots: usize,
    pub grader: GraderConfig,
    /// How the task directory is watched for new revisions (poll on NFS).
    pub watch: crate::watch::WatchMode,
}

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// Not a `source`: the message says it all, and a chain would repeat the client's words.
    #[error("cannot connect to Redis: {}", redis_problem(.0))]
    Redis(redis::RedisError),
    #[error(transparent)]
    Grade(#[from] GradeError),
}

impl From<redis::RedisError> for HostError {
    fn from(err: redis::RedisError) -> Self {
        HostError::Redis(err)
    }
}

/// A Redis error as an admin should read it: the client repeats nested causes
/// ("A: B: A: B"), and a certificate problem deserves a pointer to its usual cause.
fn redis_problem(err: &redis::RedisError) -> String {
    let once = said_once(&err.to_string());
    if once.contains("certificate") {
        format!(
            "{once} (with rediss://, Redis's certificate must come from an authority in this \
             host's trust store; see nfs-setup/README.md)"
        )
    } else {
        once
    }
}

/// "A: B: A: B" as "A: B".
fn said_once(text: &str) -> String {
    let parts: Vec<&str> = text.split(": ").collect();
    let size = (1..=parts.len())
        .find(|&size| {
            parts.len().is_multiple_of(size)
                && parts.chunks(size).all(|chunk| chunk == &parts[..size])
        })
        .unwrap_or(parts.len());
    parts[..size].join(": ")
}

/// How long a blocking read waits before it looks at the shutdown signal again.
const BLOCK_MS: usize = 2000;

async fn connection(
    url: &str,
    response_timeout: Duration,
) -> Result<ConnectionManager, redis::RedisError> {
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(3)))
        .set_response_timeout(Some(response_timeout))
        .set_number_of_retries(2);
    ConnectionManager::new_with_config(client, config).await
}

/// Creates a consumer group (and its stream) unless it exists.
pub async fn ensure_group(
    redis: &mut ConnectionManager,
    stream: &str,
    group: &str,
) -> Result<(), redis::RedisError> {
    let created: Result<(), redis::RedisError> =
        redis.xgroup_create_mkstream(stream, group, "0").await;
    match created {
        Err(err) if err.to_string().contains("BUSYGROUP") => Ok(()),
        other => other,
    }
}

pub async fn run(
    config: RunnerConfig,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), HostError> {
    let grader = Arc::new(Grader::new(config.grader.clone()).await?);
    let removed = grader.remove_leftovers().await.map_err(GradeError::from)?;
    if removed > 0 {
        tracing::warn!(removed, "removed containers a previous run of this runner left behind");
    }
    let mut control = connection(&config.redis_url, Duration::from_secs(5)).await?;
    let jobs_stream = jobs::jobs_stream(&config.redis_prefix);
    ensure_group(&mut control, &jobs_stream, jobs::JOBS_GROUP).await?;
    tracing::info!(
        runner = config.grader.runner_id,
        slots = config.slots,
        plugins = ?grader.plugins().names(),
        "runner host ready"
    );
    let (hint, hints) = tokio::sync::mpsc::channel(16);
    tokio::spawn(crate::watch::keep_images_current(
        grader.clone(),
        config.task_dir.clone(),
        config.watch,
        hints,
        shutdown.clone(),
    ));
    tokio::spawn(relay_task_hints(
        config.redis_url.clone(),
        jobs::tasks_channel(&config.redis_prefix),
        hint,
    ));
    tokio::spawn(remove_orphaned_runs(grader.clone(), shutdown.clone()));
    let shared = SharedTaskDir::watch(config.task_dir.clone(), shutdown.clone()).await;
    let health = Health::watch(grader.clone(), shutdown.clone());
    crate::metrics::describe();
    crate::metrics::slots(config.slots.max(1));
    let mut slots = Vec::new();
    for slot in 0..config.slots.max(1) {
        let config = config.clone();
        let grader = grader.clone();
        let shared = shared.clone();
        let health = health.clone();
        let shutdown = shutdown.clone();
        slots.push(tokio::spawn(async move {
            work(slot, config, grader, shared, health, shutdown).await
        }));
    }
    for slot in slots {
        if let Ok(Err(err)) = slot.await {
            tracing::error!(error = %err, "a runner slot stopped");
        }
    }
    Ok(())
}

/// Every few minutes: removes runs that another runner on this Docker host left when it died
/// (it can no longer stop them at their time limit).
async fn remove_orphaned_runs(
    grader: Arc<Grader>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(Duration::from_secs(120));
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => return,
        }
        match grader.remove_orphaned_runs().await {
            Ok(0) => {}
            Ok(removed) => tracing::warn!(removed, "removed runs a runner that died left running"),
            Err(err) => tracing::warn!(error = %err, "could not look for orphaned runs"),
        }
    }
}

/// The web server says when it published new task revisions; each message is a hint to rescan.
async fn relay_task_hints(redis_url: String, channel: String, hint: tokio::sync::mpsc::Sender<()>) {
    use futures_util::StreamExt;
    loop {
        let relay = async {
            let client = redis::Client::open(redis_url.as_str())?;
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            let mut messages = pubsub.on_message();
            while messages.next().await.is_some() {
                let _ = hint.try_send(());
            }
            Ok::<(), redis::RedisError>(())
        };
        if let Err(err) = relay.await {
            tracing::warn!(error = %err, "lost the tasks-changed channel; reconnecting");
        }
        if hint.is_closed() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Whether this host sees the shared task directory. One watcher looks for the marker on a
/// thread of its own, because on a `hard` NFS mount a look hangs for as long as the web host is
/// away; slots only read its last answer, so they still notice a shutdown.
struct SharedTaskDir {
    path: PathBuf,
    visible: AtomicBool,
}

/// How often the watcher looks, and how long a look may take before the directory counts as
/// gone (a later look that answers brings it back).
const TASK_DIR_LOOK_EVERY: Duration = Duration::from_secs(2);
const TASK_DIR_LOOK_TIMEOUT: Duration = Duration::from_secs(5);

impl SharedTaskDir {
    /// Looks once before anything else, so that a healthy host starts taking jobs at once.
    async fn watch(
        path: PathBuf,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Arc<SharedTaskDir> {
        let shared = Arc::new(SharedTaskDir { path, visible: AtomicBool::new(true) });
        let mut hanging: Option<tokio::task::JoinHandle<bool>> = None;
        shared.look(&mut hanging).await;
        let watcher = shared.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(TASK_DIR_LOOK_EVERY) => watcher.look(&mut hanging).await,
                    _ = shutdown.changed() => return,
                }
            }
        });
        shared
    }

    /// One look, unless the last one still hangs; says so in the log when the answer changes.
    async fn look(&self, hanging: &mut Option<tokio::task::JoinHandle<bool>>) {
        let mut look = match hanging.take() {
            Some(earlier) if !earlier.is_finished() => earlier,
            _ => {
                let path = self.path.clone();
                tokio::task::spawn_blocking(move || taskdir::sees_task_dir(&path))
            }
        };
        let seen = match tokio::time::timeout(TASK_DIR_LOOK_TIMEOUT, &mut look).await {
            Ok(answer) => answer.unwrap_or(false),
            Err(_) => {
                *hanging = Some(look);
                false
            }
        };
        let was_visible = self.visible.swap(seen, Ordering::Relaxed);
        if was_visible && !seen {
            tracing::error!(
                task_dir = %self.path.display(),
                "the task directory is not there or does not answer (no {}): is the NFS share \
                 mounted? This runner takes no jobs until it is",
                taskdir::TASK_DIR_MARKER
            );
        } else if seen && !was_visible {
            tracing::info!(task_dir = %self.path.display(), "the task directory is back; taking jobs again");
        }
    }

    fn visible(&self) -> bool {
        self.visible.load(Ordering::Relaxed)
    }
}

/// How long a runner that cannot see the task directory waits before it looks again.
const TASK_DIR_RETRY: Duration = Duration::from_secs(3);
/// How often a runner claims a job it works on when the job does not say.
const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(15);

/// Whether this host can grade at all. A slot that meets one of our own faults (Docker away,
/// the work directory full) says so here; the host then takes no jobs until a check passes,
/// looking again with a growing pause, and says both in its log once.
pub struct Health {
    healthy: AtomicBool,
    failed: tokio::sync::Notify,
}

const HEALTH_FIRST_PAUSE: Duration = Duration::from_secs(1);
const HEALTH_LONGEST_PAUSE: Duration = Duration::from_secs(30);

impl Health {
    fn watch(grader: Arc<Grader>, mut shutdown: tokio::sync::watch::Receiver<bool>) -> Arc<Health> {
        let health =
            Arc::new(Health { healthy: AtomicBool::new(true), failed: tokio::sync::Notify::new() });
        let watcher = health.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = watcher.failed.notified() => {}
                    _ = shutdown.changed() => return,
                }
                let mut pause = HEALTH_FIRST_PAUSE;
                loop {
                    tokio::select! {
                        () = tokio::time::sleep(pause) => {}
                        _ = shutdown.changed() => return,
                    }
                    match grader.check_health().await {
                        Ok(()) => break,
                        Err(problem) => {
                            tracing::warn!(
                                problem,
                                retry_in_s = pause.as_secs(),
                                "this runner is still not healthy"
                            );
                            pause = (pause * 2).min(HEALTH_LONGEST_PAUSE);
                        }
                    }
                }
                watcher.healthy.store(true, Ordering::Relaxed);
                tracing::info!("this runner is healthy again and takes jobs");
            }
        });
        health
    }

    fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    fn report(&self, problem: &str) {
        if self.healthy.swap(false, Ordering::Relaxed) {
            tracing::error!(
                problem,
                "this runner cannot grade (our fault, not the solution's): it hands its job back and takes no jobs until it is healthy again"
            );
            self.failed.notify_one();
        }
    }
}

async fn work(
    slot: usize,
    config: RunnerConfig,
    grader: Arc<Grader>,
    shared: Arc<SharedTaskDir>,
    health: Arc<Health>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), HostError> {
    // A blocking read needs its own connection, with a response timeout longer than the block.
    let mut reader =
        connection(&config.redis_url, Duration::from_millis(BLOCK_MS as u64 + 5000)).await?;
    let mut writer = connection(&config.redis_url, Duration::from_secs(5)).await?;
    let jobs_stream = jobs::jobs_stream(&config.redis_prefix);
    let consumer = format!("{}-{slot}", config.grader.runner_id);
    let options =
        StreamReadOptions::default().group(jobs::JOBS_GROUP, &consumer).count(1).block(BLOCK_MS);
    let streams = [jobs_stream.as_str()];
    let slot_name = Slot { config: &config, stream: &jobs_stream, consumer: &consumer };
    release_unfinished_jobs(&mut reader, &mut writer, &slot_name).await;
    while !*shutdown.borrow() {
        if !shared.visible() || !health.is_healthy() {
            tokio::select! {
                () = tokio::time::sleep(TASK_DIR_RETRY) => continue,
                _ = shutdown.changed() => break,
            }
        }
        let reply: StreamReadReply = tokio::select! {
            reply = reader.xread_options(&streams, &[">"], &options) => match reply {
                Ok(reply) => reply,
                Err(err) => {
                    tracing::warn!(error = %err, "reading jobs failed; retrying");
                    if err.code() == Some("NOGROUP") {
                        // Redis restarted without its data: the web server's next job creates
                        // the stream again, but the group is ours to bring back.
                        let _ = ensure_group(&mut writer, &jobs_stream, jobs::JOBS_GROUP).await;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        for entry in reply.keys.into_iter().flat_map(|key| key.ids) {
            let job = match entry
                .get::<String>(jobs::DATA_FIELD)
                .map(|data| serde_json::from_str::<GradingJob>(&data))
            {
                Some(Ok(job)) => job,
                Some(Err(err)) => {
                    tracing::warn!(id = entry.id, error = %err, "dropping an unreadable job");
                    done_with(&mut writer, &jobs_stream, &entry.id).await;
                    continue;
                }
                None => {
                    tracing::warn!(id = entry.id, "dropping a job without data");
                    done_with(&mut writer, &jobs_stream, &entry.id).await;
                    continue;
                }
            };
            let outcome = if let Err(problem) = job.validate() {
                tracing::error!(
                    id = entry.id,
                    problem,
                    "refusing a job whose names are not acceptable"
                );
                JobOutcome::Graded(Box::new(system_error_result(
                    &config,
                    &job,
                    &format!("the job is not acceptable: {problem}"),
                    Duration::ZERO,
                )))
            } else if !checkout_for(&config, &job).is_dir() && !shared.visible() {
                // The share went away under this host: the job goes back for another runner
                // (or this one, once it sees the directory again) instead of failing here.
                JobOutcome::HandBack(
                    HandBackReason::TaskDirMissing,
                    "the runner cannot see the task directory".to_owned(),
                )
            } else {
                let _busy = crate::metrics::Busy::start();
                grade_while_claiming(&slot_name, &grader, &mut writer, &job, &entry.id).await
            };
            match outcome {
                JobOutcome::Superseded => {
                    tracing::warn!(
                        id = entry.id,
                        solution = job.solution_id,
                        attempt = job.attempt,
                        "stopped a job the web server sent again or took back"
                    );
                }
                JobOutcome::HandBack(reason, detail) => {
                    crate::metrics::handed_back(reason);
                    if reason == HandBackReason::Infrastructure {
                        health.report(&detail);
                    }
                    hand_back(&mut writer, &slot_name, &entry.id, &job, reason, &detail).await;
                }
                JobOutcome::Graded(result) => {
                    if result.report.verdict == Verdict::SystemError && !shared.visible() {
                        // It failed because the share vanished mid-run: not the student's problem.
                        hand_back(
                            &mut writer,
                            &slot_name,
                            &entry.id,
                            &job,
                            HandBackReason::TaskDirMissing,
                            "the task directory vanished during the run",
                        )
                        .await;
                        continue;
                    }
                    send_result(&mut writer, &slot_name, &entry.id, &job, *result).await;
                }
            }
        }
    }
    Ok(())
}

/// Where a slot takes its jobs from and what it is called there.
struct Slot<'a> {
    config: &'a RunnerConfig,
    stream: &'a str,
    consumer: &'a str,
}

enum JobOutcome {
    Graded(Box<GradingResult>),
    /// Not the solution's fault: the job goes back to the web server, to be sent again.
    HandBack(HandBackReason, String),
    /// The web server took the job back (it sent it again, or staff re-queued it).
    Superseded,
}

/// Grades a job and claims it again every so often while that runs, so that the web server
/// knows this runner is alive; stops when the job is no longer this runner's.
async fn grade_while_claiming(
    slot: &Slot<'_>,
    grader: &Grader,
    writer: &mut ConnectionManager,
    job: &GradingJob,
    id: &str,
) -> JobOutcome {
    let every = match job.heartbeat_ms {
        0 => DEFAULT_HEARTBEAT,
        ms => Duration::from_millis(ms.max(100)),
    };
    let mut claimer = writer.clone();
    let mut looker = writer.clone();
    let grading = grade(slot.config, grader, writer, job, id);
    tokio::pin!(grading);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    // A re-test job looks out for students' own submissions, and makes way for them.
    let mut look_out = tokio::time::interval(LOOK_OUT_EVERY);
    loop {
        tokio::select! {
            outcome = &mut grading => return outcome,
            _ = ticker.tick() => {
                if !still_ours(&mut claimer, slot, id).await {
                    // Dropping the grading removes its container.
                    return JobOutcome::Superseded;
                }
            }
            _ = look_out.tick(), if job.retest => {
                if a_student_waits(&mut looker, slot.stream).await {
                    return JobOutcome::HandBack(
                        HandBackReason::MadeWay,
                        "a student's own submission waited".to_owned(),
                    );
                }
            }
        }
    }
}

/// How often a slot on a re-test job looks whether a student's own submission waits.
const LOOK_OUT_EVERY: Duration = Duration::from_millis(200);

/// Whether a job no runner has taken yet is not a re-test (a student's submission, or a task's
/// reference check). When Redis cannot say, nobody waits: the re-test job goes on.
async fn a_student_waits(redis: &mut ConnectionManager, stream: &str) -> bool {
    let groups: Result<StreamInfoGroupsReply, _> = redis.xinfo_groups(stream).await;
    let Some(group) = groups
        .ok()
        .and_then(|reply| reply.groups.into_iter().find(|group| group.name == jobs::JOBS_GROUP))
    else {
        return false;
    };
    if group.lag == Some(0) {
        return false;
    }
    let waiting: Result<StreamRangeReply, _> = redis
        .xrange_count(stream, format!("({}", group.last_delivered_id), "+", LOOKED_AT_MOST)
        .await;
    waiting.is_ok_and(|waiting| {
        waiting.ids.iter().any(|entry| {
            entry
                .get::<String>(jobs::DATA_FIELD)
                .and_then(|data| serde_json::from_str::<Lane>(&data).ok())
                .is_some_and(|lane| !lane.retest)
        })
    })
}

/// Which lane a job came by; read without the rest of it (its files).
#[derive(serde::Deserialize)]
struct Lane {
    #[serde(default)]
    retest: bool,
}

/// Jobs looked at beyond the last one taken: the web server sends re-test jobs only while no
/// submission waits, so a student's is among the first.
const LOOKED_AT_MOST: usize = 4;

/// Claims a job this consumer holds, which renews its lease; false when it is no longer in
/// this consumer's hands. When Redis cannot say, the job counts as still ours.
async fn still_ours(redis: &mut ConnectionManager, slot: &Slot<'_>, id: &str) -> bool {
    let claimed: Result<Vec<String>, _> = redis::cmd("XCLAIM")
        .arg(slot.stream)
        .arg(jobs::JOBS_GROUP)
        .arg(slot.consumer)
        .arg(0)
        .arg(id)
        .arg("JUSTID")
        .query_async(redis)
        .await;
    match claimed {
        Ok(ids) => !ids.is_empty(),
        Err(err) => {
            tracing::warn!(id, error = %err, "could not renew a job's lease");
            true
        }
    }
}

/// Sends a result, then acknowledges and removes the job.
async fn send_result(
    writer: &mut ConnectionManager,
    slot: &Slot<'_>,
    id: &str,
    job: &GradingJob,
    mut result: GradingResult,
) {
    if job.reference {
        tracing::info!(
            task = job.task,
            verdict = result.report.verdict.as_str(),
            "checked a reference solution"
        );
    }
    result.make_safe();
    let json = match serde_json::to_string(&result) {
        Ok(json) => json,
        Err(err) => {
            tracing::error!(solution = job.solution_id, error = %err, "cannot encode a result");
            let fallback = system_error_result(
                slot.config,
                job,
                "the result could not be encoded",
                Duration::ZERO,
            );
            serde_json::to_string(&fallback).unwrap_or_default()
        }
    };
    // The result goes out before the job is acknowledged: a crash in between sends it twice,
    // which the web server ignores, rather than never.
    let sent: Result<String, _> = writer
        .xadd(jobs::results_stream(&slot.config.redis_prefix), "*", &[(jobs::DATA_FIELD, json)])
        .await;
    if let Err(err) = sent {
        tracing::error!(solution = job.solution_id, error = %err, "cannot send a result; the job stays pending");
        return;
    }
    done_with(writer, slot.stream, id).await;
    if job.watched() {
        publish(writer, &slot.config.redis_prefix, job.solution_id, Stage::Finished).await;
    }
}

/// Acknowledges a job and removes it: the stream has one consumer group, so nobody else will
/// read it, and the stream stays as short as the queue.
async fn done_with(redis: &mut ConnectionManager, stream: &str, id: &str) {
    let acked: Result<(), _> = redis.xack(stream, jobs::JOBS_GROUP, &[id]).await;
    let deleted: Result<(), _> = redis.xdel(stream, &[id]).await;
    if let Err(err) = acked.and(deleted) {
        tracing::warn!(id, error = %err, "could not remove a finished job");
    }
}

async fn hand_back(
    redis: &mut ConnectionManager,
    slot: &Slot<'_>,
    id: &str,
    job: &GradingJob,
    reason: HandBackReason,
    detail: &str,
) {
    let from =
        Taken { prefix: &slot.config.redis_prefix, runner_id: &slot.config.grader.runner_id, id };
    give_back(redis, &from, job, reason, detail).await;
}

/// A job as a runner took it from the jobs stream.
pub struct Taken<'a> {
    pub prefix: &'a str,
    pub runner_id: &'a str,
    /// Its entry id in the jobs stream.
    pub id: &'a str,
}

/// Gives a job back to the web server ungraded, which sends it again at the end of the queue,
/// and removes this consumer's copy. Should the hand-back not go out, the job stays pending
/// here, unclaimed, and the web server sends it again once its lease runs out.
pub async fn give_back(
    redis: &mut ConnectionManager,
    taken: &Taken<'_>,
    job: &GradingJob,
    reason: HandBackReason,
    detail: &str,
) {
    let back = HandBack {
        solution_id: job.solution_id,
        reference: job.reference,
        retest: job.retest,
        attempt: job.attempt,
        token: job.token.clone(),
        runner: taken.runner_id.to_owned(),
        reason,
        detail: detail.to_owned(),
    };
    let message = serde_json::to_string(&back).unwrap_or_default();
    let sent: Result<String, _> = redis
        .xadd(jobs::results_stream(taken.prefix), "*", &[(jobs::HANDBACK_FIELD, message)])
        .await;
    match sent {
        Ok(_) => {
            tracing::warn!(
                id = taken.id,
                solution = job.solution_id,
                ?reason,
                detail,
                "handed a job back"
            );
            done_with(redis, &jobs::jobs_stream(taken.prefix), taken.id).await;
        }
        Err(err) => {
            tracing::warn!(id = taken.id, error = %err, "could not hand a job back; it stays pending")
        }
    }
}

/// Jobs this slot took in an earlier life of this runner (it was killed or crashed) and never
/// finished: they go back to the web server, which counts each as lost (a job that keeps
/// killing runners is given up on) and sends it again.
async fn release_unfinished_jobs(
    reader: &mut ConnectionManager,
    writer: &mut ConnectionManager,
    slot: &Slot<'_>,
) {
    let options = StreamReadOptions::default().group(jobs::JOBS_GROUP, slot.consumer).count(64);
    loop {
        let reply: Result<StreamReadReply, _> =
            reader.xread_options(&[slot.stream], &["0"], &options).await;
        let entries: Vec<_> = match reply {
            Ok(reply) => reply.keys.into_iter().flat_map(|key| key.ids).collect(),
            Err(err) => {
                tracing::warn!(error = %err, "could not look for unfinished jobs");
                return;
            }
        };
        if entries.is_empty() {
            return;
        }
        for entry in entries {
            tracing::warn!(
                id = entry.id,
                consumer = slot.consumer,
                "giving back a job an earlier run of this runner left unfinished"
            );
            match entry
                .get::<String>(jobs::DATA_FIELD)
                .and_then(|data| serde_json::from_str::<GradingJob>(&data).ok())
            {
                Some(job) => {
                    hand_back(
                        writer,
                        slot,
                        &entry.id,
                        &job,
                        HandBackReason::RunnerRestarted,
                        "the runner restarted while it graded the job",
                    )
                    .await;
                }
                None => done_with(writer, slot.stream, &entry.id).await,
            }
        }
    }
}

/// How long progress lines gather before they go out together: a run with many fast tests
/// sends a few updates a second, not one per test.
const PROGRESS_BATCH: Duration = Duration::from_millis(250);
/// Progress lines kept per run; the verdict lists every test anyway.
const MAX_PROGRESS_LINES: usize = 2000;

/// Appends a run's progress to the solution's progress list and tells the web servers, until
/// the run ends (the sender is dropped).
async fn forward_progress(
    mut redis: ConnectionManager,
    prefix: String,
    solution_id: i64,
    mut progress: tokio::sync::mpsc::UnboundedReceiver<ProgressLine>,
) {
    let key = jobs::progress_key(&prefix, solution_id);
    let mut forwarded = 0;
    while let Some(first) = progress.recv().await {
        let mut batch = vec![first];
        let window = tokio::time::sleep(PROGRESS_BATCH);
        tokio::pin!(window);
        let mut open = true;
        while open {
            tokio::select! {
                () = &mut window => break,
                next = progress.recv() => match next {
                    Some(line) => batch.push(line),
                    None => open = false,
                },
            }
        }
        batch.truncate(MAX_PROGRESS_LINES.saturating_sub(forwarded));
        forwarded += batch.len();
        if !batch.is_empty() {
            let lines: Vec<String> =
                batch.iter().filter_map(|line| serde_json::to_string(line).ok()).collect();
            let stored: Result<(), _> = redis::pipe()
                .rpush(&key, lines)
                .ignore()
                .expire(&key, 3600)
                .ignore()
                .query_async(&mut redis)
                .await;
            if let Err(err) = stored {
                tracing::warn!(solution = solution_id, error = %err, "could not store progress");
            }
            publish(&mut redis, &prefix, solution_id, Stage::Running).await;
        }
        if !open {
            break;
        }
    }
}

async fn publish(redis: &mut ConnectionManager, prefix: &str, solution_id: i64, stage: Stage) {
    let event = serde_json::to_string(&ProgressEvent { solution_id, stage }).unwrap_or_default();
    let _: Result<(), _> = redis.publish(jobs::events_channel(prefix), event).await;
}

/// The checkout a job is graded against: the revision the solution was submitted against,
/// while it is kept; else the repository's current one.
fn checkout_for(config: &RunnerConfig, job: &GradingJob) -> PathBuf {
    let repository_root = config.task_dir.join(&job.repository);
    let revision = repository_root.join("revisions").join(&job.revision);
    if revision.is_dir() { revision } else { repository_root.join("current") }
}

async fn grade(
    config: &RunnerConfig,
    grader: &Grader,
    redis: &mut ConnectionManager,
    job: &GradingJob,
    entry_id: &str,
) -> JobOutcome {
    if job.watched() {
        // An earlier attempt's progress is not this one's.
        let _: Result<(), _> =
            redis.del(jobs::progress_key(&config.redis_prefix, job.solution_id)).await;
        publish(redis, &config.redis_prefix, job.solution_id, Stage::PreparingImage).await;
    }
    let began = std::time::Instant::now();
    let checkout = checkout_for(config, job);
    let files: Result<Vec<(String, Vec<u8>)>, _> =
        job.files.iter().map(|file| file.bytes().map(|bytes| (file.name.clone(), bytes))).collect();
    let outcome = match files {
        Ok(files) => {
            if !job.watched() {
                grader.grade(&checkout, &job.task, &files).await
            } else {
                publish(redis, &config.redis_prefix, job.solution_id, Stage::Running).await;
                let (sink, progress) = tokio::sync::mpsc::unbounded_channel();
                let forwarder = tokio::spawn(forward_progress(
                    redis.clone(),
                    config.redis_prefix.clone(),
                    job.solution_id,
                    progress,
                ));
                let graded =
                    grader.grade_with_progress(&checkout, &job.task, &files, Some(sink)).await;
                let _ = forwarder.await;
                graded
            }
        }
        Err(err) => Err(GradeError::Submission(format!("a file could not be decoded: {err}"))),
    };
    match outcome {
        Ok(graded) => {
            let kind = if job.reference {
                "reference"
            } else if job.retest {
                "retest"
            } else {
                "student"
            };
            let phases = &graded.phases;
            crate::metrics::graded(
                &graded.plugin,
                graded.report.verdict.as_str(),
                kind,
                entry_id,
                &[
                    ("image", phases.image),
                    ("create", phases.create),
                    ("start", phases.start),
                    ("run", phases.run),
                    ("collect", phases.collect),
                    ("parse", phases.parse),
                    ("total", phases.total),
                ],
            );
            JobOutcome::Graded(Box::new(GradingResult {
                output_truncated: graded.output_truncated,
                duration_ms: graded.phases.total.as_millis() as u64,
                stdout: graded.stdout,
                stderr: graded.stderr,
                ..GradingResult::for_job(job, &config.grader.runner_id, graded.report)
            }))
        }
        Err(err) if err.is_infrastructure() => {
            JobOutcome::HandBack(HandBackReason::Infrastructure, err.to_string())
        }
        Err(err) => {
            tracing::error!(solution = job.solution_id, error = %err, "cannot grade a solution");
            JobOutcome::Graded(Box::new(system_error_result(
                config,
                job,
                &format!("The solution could not be graded: {err}"),
                began.elapsed(),
            )))
        }
    }
}

/// A result that says we could not grade the job (it does not count against the student).
fn system_error_result(
    config: &RunnerConfig,
    job: &GradingJob,
    note: &str,
    took: Duration,
) -> GradingResult {
    let mut report = Report::new(Verdict::SystemError);
    report.notes.push(note.to_owned());
    GradingResult {
        duration_ms: took.as_millis() as u64,
        ..GradingResult::for_job(job, &config.grader.runner_id, report)
    }
}

#[cfg(test)]
mod tests {
    use super::{redis_problem, said_once};

    #[test]
    fn a_cause_repeated_by_nesting_is_said_once() {
        let repeated = "invalid peer certificate: UnknownIssuer: invalid peer certificate: \
                        UnknownIssuer: invalid peer certificate: UnknownIssuer";
        assert_eq!(said_once(repeated), "invalid peer certificate: UnknownIssuer");
        assert_eq!(said_once("a: b: a"), "a: b: a");
        assert_eq!(said_once("timed out"), "timed out");
    }

    fn io_error(text: &str) -> redis::RedisError {
        std::io::Error::other(text.to_owned()).into()
    }

    #[test]
    fn repeated_causes_are_said_once_and_certificate_problems_get_a_hint() {
        let repeated = io_error("invalid peer certificate: UnknownIssuer");
        let text = redis_problem(&repeated);
        assert!(text.starts_with(&repeated.to_string()), "{text}");
        assert!(text.contains("trust store"), "{text}");
        let refused = io_error("Connection refused (os error 111)");
        assert_eq!(redis_problem(&refused), refused.to_string());
    }
}
