//! The contract between the web server and runner hosts: the messages that travel through
//! Redis, and the marker of the shared task directory.
//!
//! Jobs go on the stream `<prefix>:jobs` (consumer group `runners`), results on
//! `<prefix>:results` (consumer group `web`), and progress events are published on the channel
//! `<prefix>:events`. Everything is JSON in a single `data` field. Serialised types are a
//! protocol: add fields with defaults, never change the meaning of old ones.

use std::path::Path;

use base64::{Engine, engine::general_purpose::STANDARD};
use inloop_plugin_api::report::Report;
use serde::{Deserialize, Serialize};

pub const JOBS_GROUP: &str = "runners";
pub const RESULTS_GROUP: &str = "web";
pub const DATA_FIELD: &str = "data";

pub fn jobs_stream(prefix: &str) -> String {
    format!("{prefix}:jobs")
}

pub fn results_stream(prefix: &str) -> String {
    format!("{prefix}:results")
}

pub fn events_channel(prefix: &str) -> String {
    format!("{prefix}:events")
}

/// A list of the current run's progress for a solution: JSON `ProgressLine`s, oldest first.
/// The runner resets it when it takes the job and keeps it for an hour.
pub fn progress_key(prefix: &str, solution_id: i64) -> String {
    format!("{prefix}:progress:{solution_id}")
}

/// Carries the name of a repository that published a new revision.
pub fn tasks_channel(prefix: &str) -> String {
    format!("{prefix}:tasks")
}

/// The file the web host keeps at the top of the task directory. A runner host that cannot see
/// it is not looking at the shared directory (the NFS share is not mounted, or has gone stale)
/// and must not take jobs: it would fail every one of them as if the students were at fault.
pub const TASK_DIR_MARKER: &str = ".inloop-task-dir";

/// Creates the task directory and its marker unless they are there (the web host's side).
pub fn mark_task_dir(task_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(task_dir)?;
    let marker = task_dir.join(TASK_DIR_MARKER);
    if !marker.is_file() {
        std::fs::write(
            marker,
            "INLOOP's task directory: the web host publishes task repositories here and runner \
             hosts read them (over NFS). Runner hosts take jobs only while they see this file.\n",
        )?;
    }
    Ok(())
}

/// Whether this host sees the shared task directory (the runner host's side).
pub fn sees_task_dir(task_dir: &Path) -> bool {
    task_dir.join(TASK_DIR_MARKER).is_file()
}

/// A solution to grade. Its files travel inside the job: they are small and bounded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradingJob {
    /// The solution's id, or the task's id for a reference check.
    pub solution_id: i64,
    /// A check of the task's own reference solution rather than a student's.
    #[serde(default)]
    pub reference: bool,
    pub attempt: i32,
    pub repository: String,
    pub revision: String,
    pub task: String,
    pub files: Vec<JobFile>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobFile {
    pub name: String,
    /// Base64 of the file's bytes.
    pub contents: String,
}

impl JobFile {
    pub fn new(name: &str, bytes: &[u8]) -> Self {
        JobFile { name: name.to_owned(), contents: STANDARD.encode(bytes) }
    }

    pub fn bytes(&self) -> Result<Vec<u8>, base64::DecodeError> {
        STANDARD.decode(&self.contents)
    }
}

/// What a runner found; ingested once per solution, whichever attempt arrives first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradingResult {
    pub solution_id: i64,
    #[serde(default)]
    pub reference: bool,
    pub attempt: i32,
    pub runner: String,
    pub report: Report,
    pub stdout: String,
    pub stderr: String,
    pub output_truncated: bool,
    pub duration_ms: u64,
}

/// Where a solution is, for the live status on its page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressEvent {
    pub solution_id: i64,
    pub stage: Stage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A runner took the job and is making sure the task's image exists.
    PreparingImage,
    /// The solution's container runs.
    Running,
    /// The result is on its way (the web server publishes `Graded` once stored).
    Finished,
    /// The web server stored the final result.
    Graded,
}
