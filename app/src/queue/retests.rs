//! Re-test batches on the jobs stream: their jobs go out only into an empty queue, so that they
//! run behind every student's own submission, and their results wait for staff's review.
//!
//! A batch's job enters the stream only while no job waits there (and only as many as runner
//! slots stand idle), so a student's job that arrives later waits for at most the re-test jobs
//! the slots are already running, one per slot. Each result of a batch, each hand-back and each
//! reconciler round sends more.

use inloop_plugin_api::report::Verdict;
use inloop_protocol::jobs::{self, GradingJob, GradingResult, HandBack, HandBackReason, JobFile};
use redis::{
    AsyncCommands,
    streams::{StreamInfoConsumersReply, StreamPendingReply},
};

use super::{
    Fate, JobsStream, MAX_HAND_BACKS, MAX_LOST_ATTEMPTS, heartbeat, new_token, push_job, remove_job,
};
use crate::{db, state::AppState};

/// Re-test jobs out at once, at most, whatever the runners' slots.
const MOST_OUT: i64 = 256;
/// A runner slot that asked for work within this long, and holds none, is idle.
const IDLE_SLOT_SEEN_MS: usize = 10_000;

/// How many jobs wait in the stream untaken, and how many runner slots stand idle.
async fn capacity(state: &AppState) -> anyhow::Result<(i64, i64)> {
    let stream = jobs::jobs_stream(state.redis_prefix());
    let mut redis = state.redis.clone();
    let length: i64 = redis.xlen(&stream).await?;
    let pending: redis::RedisResult<StreamPendingReply> =
        redis.xpending(&stream, jobs::JOBS_GROUP).await;
    let consumers: redis::RedisResult<StreamInfoConsumersReply> =
        redis.xinfo_consumers(&stream, jobs::JOBS_GROUP).await;
    let (pending, consumers) = match (pending, consumers) {
        (Ok(pending), Ok(consumers)) => (pending, consumers),
        // No stream or group yet: no runner ever read, nothing waits.
        (Err(err), _) | (_, Err(err)) if err.code() == Some("NOGROUP") => return Ok((length, 0)),
        (Err(err), _) | (_, Err(err)) => return Err(err.into()),
    };
    let idle = consumers
        .consumers
        .iter()
        .filter(|slot| slot.pending == 0 && slot.idle < IDLE_SLOT_SEEN_MS)
        .count();
    Ok((length - pending.count() as i64, idle as i64))
}

/// Sends as many waiting re-test jobs as the queue has room for behind the students' own.
pub async fn pump(state: &AppState) -> anyhow::Result<()> {
    if !db::retests::any_waiting(&state.db).await? {
        return Ok(());
    }
    let out = db::retests::out_count(&state.db).await?;
    let (waiting, idle) = capacity(state).await?;
    let room = if waiting > 0 {
        0
    } else if idle > 0 {
        idle
    } else if out == 0 {
        // Runners that do not say they are idle (an older Redis) still get one at a time.
        1
    } else {
        0
    };
    let room = room.min(MOST_OUT - out);
    if room <= 0 {
        return Ok(());
    }
    for item in db::retests::waiting(&state.db, room).await? {
        send(state, &item).await?;
    }
    Ok(())
}

/// Sends pump's work, logging rather than failing what called it (a student's result stored).
pub async fn pump_quietly(state: &AppState) {
    if let Err(err) = pump(state).await {
        tracing::warn!(error = %format!("{err:#}"), "could not send re-test jobs yet");
    }
}

async fn send(state: &AppState, item: &db::retests::ItemToSend) -> anyhow::Result<()> {
    let files = db::solutions::files(&state.db, item.solution_id).await?;
    let token = new_token();
    let mut tx = state.db.begin().await?;
    let Some(attempt) = db::retests::mark_dispatched(&mut tx, item.id, &token).await? else {
        return Ok(());
    };
    let job = GradingJob {
        solution_id: item.id,
        reference: false,
        retest: true,
        attempt,
        token,
        repository: item.repository.clone(),
        revision: item.revision.clone(),
        task: item.system_name.clone(),
        files: files.iter().map(|(name, bytes)| JobFile::new(name, bytes)).collect(),
        heartbeat_ms: heartbeat(&state.settings).as_millis() as u64,
    };
    let job_id = push_job(state, &job).await?;
    db::retests::set_job_id(&mut tx, item.id, &job_id).await?;
    tx.commit().await?;
    tracing::debug!(item = item.id, solution_id = item.solution_id, attempt, "sent a re-test job");
    Ok(())
}

/// Stores a re-test result for the item's attempt that is out; a system error is kept for staff
/// to read but never applied.
pub async fn ingest(state: &AppState, result: &GradingResult) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(retest_id) = db::retests::lock_out_item(
        &mut tx,
        result.solution_id,
        result.attempt,
        Some(&result.token),
    )
    .await?
    else {
        tx.rollback().await?;
        tracing::warn!(
            item = result.solution_id,
            attempt = result.attempt,
            runner = result.runner,
            "ignored a re-test result that is not for the attempt out (late, discarded or forged)"
        );
        return Ok(());
    };
    let stored = db::retests::ItemResult {
        item_id: result.solution_id,
        runner: &result.runner,
        report: &result.report,
        stdout: &result.stdout,
        stderr: &result.stderr,
        output_truncated: result.output_truncated,
        duration_ms: i32::try_from(result.duration_ms).unwrap_or(i32::MAX),
        graded: result.report.verdict != Verdict::SystemError,
    };
    db::retests::store_result(&mut tx, retest_id, &stored).await?;
    tx.commit().await?;
    pump(state).await
}

/// A runner gave a re-test job back: it goes out again, unless that keeps happening.
pub async fn hand_back(state: &AppState, back: &HandBack) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(retest_id) =
        db::retests::lock_out_item(&mut tx, back.solution_id, back.attempt, Some(&back.token))
            .await?
    else {
        tx.rollback().await?;
        tracing::warn!(
            item = back.solution_id,
            "ignored a re-test hand-back that is not for the attempt out"
        );
        return Ok(());
    };
    db::retests::release(
        &mut tx,
        retest_id,
        back.solution_id,
        back.reason.counts_as_lost(),
        back.reason.counts_as_handed_back(),
        MAX_LOST_ATTEMPTS as i32,
        MAX_HAND_BACKS as i32,
    )
    .await?;
    tx.commit().await?;
    if back.reason == HandBackReason::MadeWay {
        tracing::debug!(
            item = back.solution_id,
            runner = back.runner,
            "a re-test job made way for a student's submission"
        );
    } else {
        tracing::warn!(item = back.solution_id, runner = back.runner, reason = ?back.reason, "a runner handed a re-test job back");
    }
    pump(state).await
}

/// Sends again what the runners lost of the batches' jobs (given up on after a few losses),
/// then fills the queue's room.
pub(super) async fn reconcile(
    state: &AppState,
    stream: &JobsStream,
    lease: std::time::Duration,
) -> anyhow::Result<()> {
    let out = db::retests::items_out(&state.db).await?;
    let keys: Vec<(Option<&str>, f64)> =
        out.iter().map(|item| (item.job_id.as_deref(), item.seconds_out)).collect();
    let fates = stream.fates(state, lease, &keys).await?;
    let still_out: std::collections::HashSet<(i64, i32)> = if fates.contains(&Fate::Vanished) {
        db::retests::items_out(&state.db)
            .await?
            .into_iter()
            .map(|item| (item.id, item.attempt))
            .collect()
    } else {
        Default::default()
    };
    for (item, fate) in out.iter().zip(fates) {
        match fate {
            Fate::Fine => continue,
            Fate::Vanished if !still_out.contains(&(item.id, item.attempt)) => continue,
            _ => {}
        }
        tracing::warn!(item = item.id, attempt = item.attempt, ?fate, "a re-test job was lost");
        if let Some(job_id) = &item.job_id {
            remove_job(state, job_id).await?;
        }
        let mut tx = state.db.begin().await?;
        if db::retests::lock_out_item(&mut tx, item.id, item.attempt, None).await?.is_some() {
            db::retests::release(
                &mut tx,
                item.retest_id,
                item.id,
                true,
                false,
                MAX_LOST_ATTEMPTS as i32,
                MAX_HAND_BACKS as i32,
            )
            .await?;
        }
        tx.commit().await?;
    }
    pump(state).await
}

/// Takes a discarded batch's jobs off the stream; a runner working on one stops at its next claim.
pub async fn take_back(state: &AppState, job_ids: &[String]) -> anyhow::Result<()> {
    for job_id in job_ids {
        remove_job(state, job_id).await?;
    }
    Ok(())
}
