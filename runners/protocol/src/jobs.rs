//! The messages that travel through Redis between the web server and runner hosts, and the
//! names of the streams, channels and keys they travel on.
//!
//! Jobs go on the stream `<prefix>:jobs` (consumer group `runners`), results on
//! `<prefix>:results` (consumer group `web`), and progress events are published on the channel
//! `<prefix>:events`. Everything is JSON in a single `data` field. Serialised types are a
//! protocol: add fields with defaults, never change the meaning of old ones.

use base64::{Engine, engine::general_purpose::STANDARD};
use inloop_plugin_api::report::Report;
use serde::{Deserialize, Serialize};

use crate::names::{is_revision, is_safe_path_component};

pub const JOBS_GROUP: &str = "runners";
pub const RESULTS_GROUP: &str = "web";
/// The field of a job, and of a result, in their stream entries.
pub const DATA_FIELD: &str = "data";
/// The field of a [`HandBack`] in a results stream entry (instead of [`DATA_FIELD`]).
pub const HANDBACK_FIELD: &str = "handback";

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

/// A solution to grade. Its files travel inside the job: they are small and bounded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradingJob {
    /// The solution's id; the task's id for a reference check, the re-test item's for a re-test.
    pub solution_id: i64,
    /// A check of the task's own reference solution rather than a student's.
    #[serde(default)]
    pub reference: bool,
    /// A staff re-test of a graded solution: its result waits for staff to review it, and no
    /// student watches it run.
    #[serde(default)]
    pub retest: bool,
    pub attempt: i32,
    /// Random, stored with the attempt by the web server; the result must bring it back.
    #[serde(default)]
    pub token: String,
    pub repository: String,
    pub revision: String,
    pub task: String,
    pub files: Vec<JobFile>,
    /// How often the runner working on the job claims it again, so that the web server knows it
    /// is alive (the lease runs from the last claim); 0 for the runner's own default.
    #[serde(default)]
    pub heartbeat_ms: u64,
}

impl GradingJob {
    /// Whether a student watches this job run (its progress goes to the solution's page).
    pub fn watched(&self) -> bool {
        !self.reference && !self.retest
    }

    /// Checks every name the job carries before any of them touches a path: a job comes from
    /// Redis, and a runner must not be walked out of the task directory by a forged one.
    pub fn validate(&self) -> Result<(), String> {
        if !is_safe_path_component(&self.repository) {
            return Err(format!("the repository name {:?} is not acceptable", self.repository));
        }
        if !is_revision(&self.revision) {
            return Err(format!("the revision {:?} is not a commit id", self.revision));
        }
        if !is_safe_path_component(&self.task) {
            return Err(format!("the task name {:?} is not acceptable", self.task));
        }
        if self.files.len() > MAX_JOB_FILES {
            return Err(format!(
                "the job has {} files, more than {MAX_JOB_FILES}",
                self.files.len()
            ));
        }
        if let Some(bad) =
            self.files.iter().find(|file| !crate::names::is_safe_file_name(&file.name))
        {
            return Err(format!("the file name {:?} is not acceptable", bad.name));
        }
        Ok(())
    }
}

/// Most files a job may carry (the web server accepts far fewer per solution).
const MAX_JOB_FILES: usize = 64;

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

/// What a runner found; stored only for the attempt that is out, with that attempt's token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradingResult {
    pub solution_id: i64,
    #[serde(default)]
    pub reference: bool,
    #[serde(default)]
    pub retest: bool,
    pub attempt: i32,
    /// The job's token, brought back.
    #[serde(default)]
    pub token: String,
    /// The revision the job named (a reference check's result is for that revision only).
    #[serde(default)]
    pub revision: String,
    pub runner: String,
    pub report: Report,
    pub stdout: String,
    pub stderr: String,
    pub output_truncated: bool,
    pub duration_ms: u64,
}

impl GradingResult {
    /// The answer to a job: its ids and token, this report, nothing printed.
    pub fn for_job(job: &GradingJob, runner: &str, report: Report) -> GradingResult {
        GradingResult {
            solution_id: job.solution_id,
            reference: job.reference,
            retest: job.retest,
            attempt: job.attempt,
            token: job.token.clone(),
            revision: job.revision.clone(),
            runner: runner.to_owned(),
            report,
            stdout: String::new(),
            stderr: String::new(),
            output_truncated: false,
            duration_ms: 0,
        }
    }

    /// Makes every text of the result safe to store and show (see `inloop_plugin_api::text`):
    /// runners do it before they send a result, and the web server again before it stores one.
    /// True when anything had to change.
    pub fn make_safe(&mut self) -> bool {
        let mut changed = self.report.make_safe();
        for text in [&mut self.stdout, &mut self.stderr, &mut self.runner] {
            if !inloop_plugin_api::text::is_safe(text) {
                inloop_plugin_api::text::make_safe_in_place(text);
                changed = true;
            }
        }
        changed
    }
}

/// A job a runner gives back ungraded, for the web server to send again: the fault was not
/// the solution's. Travels on the results stream in the field [`HANDBACK_FIELD`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandBack {
    pub solution_id: i64,
    #[serde(default)]
    pub reference: bool,
    #[serde(default)]
    pub retest: bool,
    pub attempt: i32,
    pub token: String,
    pub runner: String,
    pub reason: HandBackReason,
    /// What went wrong, for staff and the logs.
    pub detail: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandBackReason {
    /// The runner host could not grade anything (Docker away, work directory full); it takes no
    /// jobs until it is healthy again. Does not count against the solution.
    Infrastructure,
    /// The runner host cannot see the shared task directory. Does not count either.
    TaskDirMissing,
    /// The runner restarted and found the job unfinished from its earlier life: the job may be
    /// what killed it, so this counts as a lost attempt (and a job that keeps doing it is
    /// quarantined).
    RunnerRestarted,
    /// A re-test job stopped so that a student's own submission, waiting behind it, runs first;
    /// it is sent again when the students' queue is empty. Does not count.
    MadeWay,
}

impl HandBackReason {
    /// Whether the attempt counts as lost (towards quarantine).
    pub fn counts_as_lost(self) -> bool {
        self == HandBackReason::RunnerRestarted
    }

    /// Whether the hand-back counts towards giving up on the job (a job that nobody can grade
    /// keeps coming back); making way is no fault of the job's.
    pub fn counts_as_handed_back(self) -> bool {
        matches!(self, HandBackReason::Infrastructure | HandBackReason::TaskDirMissing)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> GradingJob {
        GradingJob {
            solution_id: 1,
            reference: false,
            retest: false,
            attempt: 1,
            token: "t".into(),
            repository: "course".into(),
            revision: "0123456789abcdef0123456789abcdef01234567".into(),
            task: "java-counter".into(),
            files: vec![JobFile::new("Counter.java", b"class Counter {}")],
            heartbeat_ms: 0,
        }
    }

    #[test]
    fn a_job_with_names_that_leave_the_task_directory_is_refused() {
        assert_eq!(job().validate(), Ok(()));
        let refused = |change: fn(&mut GradingJob)| {
            let mut job = job();
            change(&mut job);
            job.validate().is_err()
        };
        assert!(refused(|job| job.repository = "../etc".into()));
        assert!(refused(|job| job.repository = "a/b".into()));
        assert!(refused(|job| job.repository = String::new()));
        assert!(refused(|job| job.task = "..".into()));
        assert!(refused(|job| job.task = "x\0y".into()));
        assert!(refused(|job| job.revision = "../../current".into()));
        assert!(refused(|job| job.revision = "HEAD".into()));
        assert!(refused(|job| job.files[0].name = "../x.java".into()));
        assert!(refused(|job| job.files = vec![JobFile::new("A.java", b""); 65]));
    }

    #[test]
    fn old_jobs_and_results_without_the_new_fields_still_read() {
        let old = r#"{"solution_id":1,"attempt":1,"repository":"r","revision":"v","task":"t","files":[]}"#;
        let job: GradingJob = serde_json::from_str(old).expect("an old job reads");
        assert_eq!((job.token.as_str(), job.heartbeat_ms), ("", 0));
    }
}
