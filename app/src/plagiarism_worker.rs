//! Runs plagiarism checks in the background of every web server: one check at a time per
//! server, on one thread (the other core keeps serving pages), claimed from PostgreSQL so that
//! several servers share the work and a check whose server died is taken over.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use anyhow::Context as _;
use inloop_similarity::{File, Options, Report};

use sqlx::PgPool;

use crate::{
    db::{self, plagiarism::Claimed},
    plagiarism::{CheckState, Stage, StoredRegion},
    state::AppState,
    taskrepo::TaskSource,
};

/// A check whose server has not been heard of for this long is taken over.
const STALE_SECONDS: i32 = 60;
const HEARTBEAT: Duration = Duration::from_secs(1);
/// What the reference solution may add to the code every student was given.
const REFERENCE_FILES: usize = 200;
const REFERENCE_BYTES: u64 = 4 * 1024 * 1024;

/// Looks for checks to run every `poll` until the server stops.
pub fn spawn(state: AppState, poll: Duration) -> tokio::task::JoinHandle<()> {
    let worker = format!(
        "web-{}-{}",
        state.settings.web_id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(poll);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(err) = db::plagiarism::cancel_abandoned(&state.db, STALE_SECONDS).await {
                tracing::warn!(error = %err, "could not end abandoned plagiarism checks");
            }
            let claimed = match db::plagiarism::claim(&state.db, &worker, STALE_SECONDS).await {
                Ok(Some(claimed)) => claimed,
                Ok(None) => continue,
                Err(err) => {
                    tracing::warn!(error = %err, "could not look for plagiarism checks");
                    continue;
                }
            };
            let check_id = claimed.id;
            tracing::info!(check_id, task_id = claimed.task_id, "plagiarism check started");
            match run(&state.db, &state.task_source, &worker, claimed, 1).await {
                Ok(outcome) => tracing::info!(check_id, outcome, "plagiarism check ended"),
                Err(err) => {
                    let message = format!("{err:#}");
                    tracing::warn!(check_id, error = %message, "plagiarism check failed");
                    let shown = format!("The check failed: {message}");
                    if let Err(err) = db::plagiarism::end(
                        &state.db,
                        check_id,
                        &worker,
                        CheckState::Failed,
                        &shown,
                    )
                    .await
                    {
                        tracing::warn!(check_id, error = %err, "could not record a failed plagiarism check");
                    }
                }
            }
        }
    })
}

/// The task's given code: its templates and its reference solution.
async fn given_code(
    db: &PgPool,
    tasks: &TaskSource,
    task_id: i64,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let task = db::plagiarism::task_to_check(db, task_id).await?.context("the task is gone")?;
    let mut given: Vec<(String, Vec<u8>)> = db::tasks::templates(db, task_id)
        .await?
        .into_iter()
        .map(|(name, contents)| (name, contents.into_bytes()))
        .collect();
    if task.has_solution {
        let folder = tasks.checkout(&task.repository).join(&task.system_name).join("solution");
        let reference = tokio::task::spawn_blocking(move || regular_files(&folder)).await?;
        given.extend(reference);
    }
    Ok(given)
}

/// The regular files under `root` (links are not followed), within the caps, by path.
fn regular_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = vec![root.to_owned()];
    let mut bytes = 0u64;
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && found.len() < REFERENCE_FILES {
                let size = entry.metadata().map(|meta| meta.len()).unwrap_or(u64::MAX);
                if bytes + size > REFERENCE_BYTES {
                    continue;
                }
                if let Ok(contents) = std::fs::read(&path) {
                    bytes += size;
                    let name =
                        path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
                    found.push((name, contents));
                }
            }
        }
    }
    found.sort();
    found
}

/// Runs one claimed check to its end on `threads` threads; what happened, for the log. The
/// web servers' worker and `inloop plagiarism check` both come here.
pub async fn run(
    db: &PgPool,
    tasks: &TaskSource,
    worker: &str,
    claimed: Claimed,
    threads: usize,
) -> anyhow::Result<&'static str> {
    let check_id = claimed.id;
    let ids = db::plagiarism::solutions_to_compare(db, claimed.task_id, claimed.basis).await?;
    let given = given_code(db, tasks, claimed.task_id).await?;
    let mut files: Vec<Vec<(String, Vec<u8>)>> = vec![Vec::new(); ids.len()];
    for chunk in ids.chunks(500) {
        for (solution_id, name, contents) in db::search::files_of(db, chunk).await? {
            if let Ok(at) = ids.binary_search(&solution_id) {
                files[at].push((name, contents));
            }
        }
    }
    let options = Options { threshold: claimed.threshold, threads, ..Options::default() };
    let progress = Arc::new(Mutex::new((Stage::Reading, 0i64, ids.len() as i64)));
    let cancel = Arc::new(AtomicBool::new(false));
    // A server shutting down drops this future: the comparison on its blocking thread must stop
    // too, or the process would wait for it (and compare on after another server took over).
    let _stop_when_dropped = StopWhenDropped(cancel.clone());
    let comparison = {
        let (progress, cancel) = (progress.clone(), cancel.clone());
        tokio::task::spawn_blocking(move || {
            let submissions: Vec<Vec<File>> = files
                .iter()
                .map(|files| files.iter().map(|(name, contents)| File { name, contents }).collect())
                .collect();
            let given: Vec<File> =
                given.iter().map(|(name, contents)| File { name, contents }).collect();
            let mut report_progress = |step: inloop_similarity::Progress| {
                if let Ok(mut shared) = progress.lock() {
                    *shared = (step.stage.into(), step.done as i64, step.total as i64);
                }
            };
            inloop_similarity::compare(
                &submissions,
                &given,
                &options,
                &mut report_progress,
                &cancel,
            )
        })
    };
    tokio::pin!(comparison);
    let mut beat = tokio::time::interval(HEARTBEAT);
    let mut ours = true;
    let outcome = loop {
        tokio::select! {
            finished = &mut comparison => break finished,
            _ = beat.tick() => {
                let (stage, done, total) = *progress.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match db::plagiarism::heartbeat(db, check_id, worker, stage, done, total).await {
                    Ok(Some(false)) => {}
                    Ok(Some(true)) => cancel.store(true, Ordering::Relaxed),
                    Ok(None) => {
                        // Taken over (this server was thought dead): stop and leave it to the other.
                        ours = false;
                        cancel.store(true, Ordering::Relaxed);
                    }
                    Err(err) => tracing::warn!(check_id, error = %err, "could not renew a plagiarism check"),
                }
            }
        }
    };
    if !ours {
        return Ok("taken over by another server");
    }
    let report = match outcome {
        Err(panicked) => anyhow::bail!("the comparison stopped unexpectedly ({panicked})"),
        Ok(Err(inloop_similarity::Error::Cancelled)) => {
            db::plagiarism::end(db, check_id, worker, CheckState::Cancelled, "Cancelled by staff.")
                .await?;
            return Ok("cancelled");
        }
        Ok(Err(err @ inloop_similarity::Error::TooMany { .. })) => anyhow::bail!("{err}"),
        Ok(Ok(report)) => report,
    };
    let _ = db::plagiarism::heartbeat(
        db,
        check_id,
        worker,
        Stage::Storing,
        0,
        report.pairs.len() as i64,
    )
    .await;
    let (figures, pairs) = rows_of(&report, &ids);
    let mut tx = db.begin().await?;
    if db::plagiarism::store_done(&mut tx, check_id, worker, &figures, &pairs).await? {
        tx.commit().await?;
        Ok("done")
    } else {
        Ok("taken over by another server")
    }
}

/// Sets a comparison's cancel flag when dropped.
struct StopWhenDropped(Arc<AtomicBool>);

impl Drop for StopWhenDropped {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The report as rows: pair indices become solution ids, clusters get their numbers.
fn rows_of(
    report: &Report,
    ids: &[i64],
) -> (db::plagiarism::Figures, Vec<db::plagiarism::NewPair>) {
    let mut cluster_of = vec![None; ids.len()];
    for (number, cluster) in report.clusters.iter().enumerate() {
        for &member in &cluster.members {
            cluster_of[member] = Some(number as i32 + 1);
        }
    }
    let pairs = report
        .pairs
        .iter()
        .map(|pair| db::plagiarism::NewPair {
            solution_a: ids[pair.a],
            solution_b: ids[pair.b],
            similarity: pair.similarity.clamp(0.0, 1.0),
            max_similarity: pair.max_similarity.clamp(0.0, 1.0),
            matched_tokens: pair.matched as i32,
            regions: pair.regions.iter().map(StoredRegion::from).collect(),
            cut_short: pair.cut_short,
            cluster: cluster_of[pair.a],
        })
        .collect();
    let figures = db::plagiarism::Figures {
        solutions: ids.len() as i32,
        pairs_screened: report.screened as i64,
        pairs_compared: report.tiled as i32,
        candidates_capped: report.candidates_capped,
        capped_solutions: report.capped.len() as i32,
    };
    (figures, pairs)
}
