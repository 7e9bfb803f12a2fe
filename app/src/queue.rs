//! The web server's side of the grading queue: sending jobs, taking in results, and the
//! reconciler that re-sends what runners lost.
//!
//! PostgreSQL is the truth: a solution is `queued` until its job is sent (`dispatched`), then
//! `done` or `error`. Each student has at most one solution with the runners at a time, so one
//! student's twenty submissions cannot hold back everybody else's.

use std::time::Duration;

use inloop_runners::jobs::{self, GradingJob, GradingResult, JobFile, ProgressEvent, Stage};
use redis::{
    AsyncCommands,
    streams::{StreamReadOptions, StreamReadReply},
};
use tokio::sync::broadcast;

use crate::{db, state::AppState};

/// Attempts before a solution that keeps losing its runner is given up on.
const MAX_ATTEMPTS: i32 = 3;

/// Sends the job of a waiting solution to the runners.
pub async fn dispatch(state: &AppState, solution_id: i64) -> anyhow::Result<()> {
    send(state, solution_id, None).await
}

/// Sends a job again whose attempt was lost.
pub async fn redispatch(
    state: &AppState,
    solution_id: i64,
    lost_attempt: i32,
) -> anyhow::Result<()> {
    send(state, solution_id, Some(lost_attempt)).await
}

async fn send(state: &AppState, solution_id: i64, lost_attempt: Option<i32>) -> anyhow::Result<()> {
    let Some(solution) = db::solutions::find(&state.db, solution_id).await? else { return Ok(()) };
    let files = db::solutions::files(&state.db, solution_id).await?;
    let mut tx = state.db.begin().await?;
    let Some(attempt) = db::solutions::mark_dispatched(&mut tx, solution_id, lost_attempt).await?
    else {
        tracing::debug!(solution_id, "another dispatcher sent this solution first");
        return Ok(());
    };
    let job = GradingJob {
        solution_id,
        reference: false,
        attempt,
        repository: solution.repository,
        revision: solution.revision,
        task: solution.system_name,
        files: files.iter().map(|(name, bytes)| JobFile::new(name, bytes)).collect(),
    };
    push_job(state, &job).await?;
    // Committed only once the job is out: a failed send leaves the solution queued for the reconciler.
    tx.commit().await?;
    tracing::info!(solution_id, attempt, "dispatched a grading job");
    Ok(())
}

async fn push_job(state: &AppState, job: &GradingJob) -> anyhow::Result<()> {
    let mut redis = state.redis.clone();
    let _: String = redis
        .xadd(
            jobs::jobs_stream(state.redis_prefix()),
            "*",
            &[(jobs::DATA_FIELD, serde_json::to_string(job)?)],
        )
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
            && inloop_runners::workspace::is_safe_file_name(&name)
        {
            files.push(JobFile::new(&name, &std::fs::read(entry.path())?));
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    db::tasks::mark_reference_dispatched(&state.db, task.id, &task.content_hash).await?;
    let job = GradingJob {
        solution_id: task.id,
        reference: true,
        attempt: 1,
        repository: task.repository.clone(),
        revision: task.revision.clone(),
        task: task.system_name.clone(),
        files,
    };
    push_job(state, &job).await?;
    tracing::info!(task = task.system_name, "dispatched a reference solution check");
    Ok(())
}

/// Stores one result (the first for its solution wins) and tells the solution's open pages.
pub async fn ingest(state: &AppState, result: &GradingResult) -> anyhow::Result<()> {
    if result.reference {
        let report = serde_json::to_value(&result.report)?;
        let output = format!("{}{}", result.stdout, result.stderr);
        db::tasks::store_reference_result(
            &state.db,
            result.solution_id,
            result.report.verdict.as_str(),
            &report,
            &output,
        )
        .await?;
        return Ok(());
    }
    let report = serde_json::to_value(&result.report)?;
    let stored = db::solutions::StoredResult {
        solution_id: result.solution_id,
        attempt: result.attempt,
        runner: &result.runner,
        verdict: result.report.verdict.as_str(),
        report: &report,
        stdout: &result.stdout,
        stderr: &result.stderr,
        output_truncated: result.output_truncated,
        duration_ms: i32::try_from(result.duration_ms).unwrap_or(i32::MAX),
    };
    let mut tx = state.db.begin().await?;
    let fresh = db::solutions::store_result(&mut tx, &stored).await?;
    tx.commit().await?;
    if fresh {
        publish(state, result.solution_id, Stage::Graded).await;
        if let Some(solution) = db::solutions::find(&state.db, result.solution_id).await? {
            dispatch_next(state, solution.author_id).await?;
        }
    } else {
        tracing::info!(
            solution = result.solution_id,
            attempt = result.attempt,
            "ignored a second result"
        );
    }
    Ok(())
}

async fn publish(state: &AppState, solution_id: i64, stage: Stage) {
    let event = serde_json::to_string(&ProgressEvent { solution_id, stage }).unwrap_or_default();
    let mut redis = state.redis.clone();
    let _: Result<(), _> = redis.publish(jobs::events_channel(state.redis_prefix()), event).await;
}

/// Takes results off the results stream for as long as the server runs.
pub fn spawn_ingester(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let consumer = format!("web-{}", uuid::Uuid::new_v4().simple());
        loop {
            if let Err(err) = ingest_loop(&state, &consumer).await {
                tracing::warn!(error = %format!("{err:#}"), "the result ingester failed; restarting in a second");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    })
}

async fn ingest_loop(state: &AppState, consumer: &str) -> anyhow::Result<()> {
    let stream = jobs::results_stream(state.redis_prefix());
    let mut blocking = crate::startup::connect_redis_with_timeout(
        state.settings.redis_url.expose(),
        Duration::from_secs(10),
    )
    .await?;
    let mut control = state.redis.clone();
    inloop_runners::host::ensure_group(&mut control, &stream, jobs::RESULTS_GROUP).await?;
    // First what this consumer may have left unacknowledged, then new results.
    let mut cursor = "0".to_owned();
    loop {
        let options =
            StreamReadOptions::default().group(jobs::RESULTS_GROUP, consumer).count(16).block(2000);
        let reply: StreamReadReply =
            blocking.xread_options(&[&stream], &[&cursor], &options).await?;
        let entries: Vec<_> = reply.keys.into_iter().flat_map(|key| key.ids).collect();
        if entries.is_empty() && cursor != ">" {
            cursor = ">".to_owned();
            continue;
        }
        for entry in entries {
            if let Some(data) = entry.get::<String>(jobs::DATA_FIELD) {
                match serde_json::from_str::<GradingResult>(&data) {
                    Ok(result) => ingest(state, &result).await?,
                    Err(err) => {
                        tracing::warn!(id = entry.id, error = %err, "dropping an unreadable result")
                    }
                }
            }
            // One consumer group reads this stream: an ingested result can go.
            let _: () = control.xack(&stream, jobs::RESULTS_GROUP, &[&entry.id]).await?;
            let _: () = control.xdel(&stream, &[&entry.id]).await?;
        }
    }
}

/// Every few seconds: re-sends jobs whose lease ran out (a runner died, Redis lost them), gives
/// up after a few attempts, and dispatches students' waiting solutions.
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

pub async fn reconcile(state: &AppState, lease: Duration) -> anyhow::Result<()> {
    let lease_seconds = i32::try_from(lease.as_secs()).unwrap_or(i32::MAX);
    for (solution_id, attempt) in db::solutions::overdue(&state.db, lease_seconds).await? {
        db::solutions::mark_attempt(&state.db, solution_id, attempt, "lost", None).await?;
        if attempt >= MAX_ATTEMPTS {
            tracing::error!(
                solution_id,
                attempt,
                "quarantined a solution whose grading keeps getting lost"
            );
            db::solutions::quarantine(
                &state.db,
                solution_id,
                "We could not test this solution: the test machines lost it several times. It does not count against your submissions; please submit it again, and tell the course staff if this repeats.",
            )
            .await?;
            db::solutions::mark_attempt(&state.db, solution_id, attempt, "quarantined", None)
                .await?;
            publish(state, solution_id, Stage::Graded).await;
            if let Some(solution) = db::solutions::find(&state.db, solution_id).await? {
                dispatch_next(state, solution.author_id).await?;
            }
        } else {
            tracing::warn!(solution_id, attempt, "re-sending a grading job whose lease ran out");
            redispatch(state, solution_id, attempt).await?;
        }
    }
    for author_id in db::solutions::authors_waiting(&state.db).await? {
        dispatch_next(state, author_id).await?;
    }
    for task in db::tasks::references_to_check(&state.db, lease_seconds).await? {
        if let Err(err) = dispatch_reference(state, &task).await {
            tracing::warn!(task = task.system_name, error = %format!("{err:#}"), "cannot check a reference solution");
            db::tasks::store_reference_result(
                &state.db,
                task.id,
                "system_error",
                &serde_json::json!({"verdict": "system_error", "notes": [format!("The reference solution could not be read: {err}")]}),
                "",
            )
            .await?;
        }
    }
    Ok(())
}

/// Live progress for this process's open pages: one Redis subscription, fanned out.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<ProgressEvent>,
}

impl Events {
    pub fn new() -> Self {
        Events { sender: broadcast::channel(1024).0 }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ProgressEvent> {
        self.sender.subscribe()
    }

    /// Relays the Redis channel into this process, reconnecting as needed.
    pub fn spawn_relay(&self, redis_url: String, prefix: String) -> tokio::task::JoinHandle<()> {
        let sender = self.sender.clone();
        tokio::spawn(async move {
            use futures_util::StreamExt;
            loop {
                let relay = async {
                    let client = redis::Client::open(redis_url.as_str())?;
                    let mut pubsub = client.get_async_pubsub().await?;
                    pubsub.subscribe(jobs::events_channel(&prefix)).await?;
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        if let Ok(payload) = message.get_payload::<String>()
                            && let Ok(event) = serde_json::from_str::<ProgressEvent>(&payload)
                        {
                            let _ = sender.send(event);
                        }
                    }
                    Ok::<(), redis::RedisError>(())
                };
                if let Err(err) = relay.await {
                    tracing::warn!(error = %err, "the live-event relay lost Redis; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    }
}

impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}
