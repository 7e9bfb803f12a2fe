//! The grading pipeline: task → plugin recipes → image → hardened run → report files → report.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use tokio::sync::{mpsc, oneshot};

use inloop_plugin_api::{
    protocol::{Limits, ProgressLine, RunOutcome},
    report::{Report, Verdict},
};

use inloop_protocol::{
    limits::{self, Ceilings},
    names::is_safe_file_name,
};

use crate::{
    docker::{Bind, Docker, DockerError, RunSpec},
    images::Images,
    plugin_host::{IsolatedParser, PluginError, Registry},
    record,
    tasks::{self, TaskError},
    workspace::{ReportCaps, RunDirs},
};

pub const RUNNER_LABEL: &str = "org.inloop.runner";

/// How long past the longest time limit a run must be to count as orphaned: image pulls and a
/// slow engine are in the margin.
const ORPHAN_MARGIN: Duration = Duration::from_secs(300);

/// Size of every writable in-memory directory of a run (`/tmp` and the plugin's scratch dirs).
const SCRATCH_BYTES: u64 = 64 << 20;

#[derive(Clone, Debug)]
pub struct GraderConfig {
    pub plugin_dir: PathBuf,
    /// Where per-run directories are made; must be on the Docker host.
    pub work_dir: PathBuf,
    pub ceilings: Ceilings,
    pub report_caps: ReportCaps,
    /// Names this grader's containers (label `org.inloop.runner`), so it can find its leftovers.
    pub runner_id: String,
    /// The `inloop` binary, which runs plugins' `parse` in a process of its own.
    pub parse_helper: PathBuf,
}

/// Something kept grading from happening at all (as opposed to a verdict about the solution).
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error(transparent)]
    Task(#[from] TaskError),
    #[error(transparent)]
    Plugin(#[from] PluginError),
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error("the solution is not acceptable: {0}")]
    Submission(String),
    #[error("cannot prepare the run's directories in {path}: {source}")]
    WorkDir { path: PathBuf, source: std::io::Error },
}

impl GradeError {
    /// Whether the fault is this host's (Docker away or failing, the work directory full or
    /// unwritable, an image build that failed for want of disk or network) rather than the
    /// solution's or the task's: such a job goes back to be graded elsewhere or later, and
    /// nothing counts against the student.
    pub fn is_infrastructure(&self) -> bool {
        match self {
            GradeError::WorkDir { .. } => true,
            GradeError::Docker(err) => err.is_infrastructure(),
            GradeError::Task(_) | GradeError::Plugin(_) | GradeError::Submission(_) => false,
        }
    }
}

/// How long each step took.
#[derive(Clone, Debug, Default)]
pub struct Phases {
    pub image: Duration,
    pub create: Duration,
    pub start: Duration,
    pub run: Duration,
    pub collect: Duration,
    pub parse: Duration,
    pub total: Duration,
}

#[derive(Clone, Debug)]
pub struct Graded {
    pub report: Report,
    pub plugin: String,
    pub stdout: String,
    pub stderr: String,
    pub output_truncated: bool,
    pub exit_code: Option<i64>,
    pub limits: Limits,
    pub image: String,
    pub image_built: bool,
    pub phases: Phases,
}

impl Graded {
    /// stdout, then stderr, as one console text.
    pub fn console(&self) -> String {
        inloop_plugin_api::text::console(&self.stdout, &self.stderr)
    }
}

pub struct Grader {
    docker: Docker,
    plugins: Registry,
    parser: IsolatedParser,
    images: Images,
    config: GraderConfig,
}

impl Grader {
    pub async fn new(config: GraderConfig) -> Result<Grader, GradeError> {
        let plugins = Registry::load_dir(&config.plugin_dir)?;
        let docker = Docker::connect().await?;
        std::fs::create_dir_all(&config.work_dir)
            .map_err(|source| GradeError::WorkDir { path: config.work_dir.clone(), source })?;
        let build_logs = config.work_dir.join("build-logs");
        Ok(Grader {
            images: Images::new(docker.clone(), build_logs),
            parser: IsolatedParser::new(config.parse_helper.clone()),
            docker,
            plugins,
            config,
        })
    }

    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Containers of this grader that exist right now (for tests and health checks).
    pub async fn running_containers(&self) -> Result<usize, DockerError> {
        self.docker.count_containers(&format!("{RUNNER_LABEL}={}", self.config.runner_id)).await
    }

    /// Removes containers a previous process with this runner id left behind.
    pub async fn remove_leftovers(&self) -> Result<usize, DockerError> {
        self.docker.remove_containers(&format!("{RUNNER_LABEL}={}", self.config.runner_id)).await
    }

    /// Removes grading runs older than any run may live (the longest time limit and a margin),
    /// on this Docker host, from any runner. Returns how many.
    pub async fn remove_orphaned_runs(&self) -> Result<usize, DockerError> {
        let longest = Duration::from_secs(u64::from(self.config.ceilings.timeout_s));
        self.docker.remove_runs_older_than(longest + ORPHAN_MARGIN).await
    }

    pub fn work_dir(&self) -> &Path {
        &self.config.work_dir
    }

    /// Whether this host can grade: the Docker engine answers and the work directory takes a
    /// file. The problem, in words for the log, when not.
    pub async fn check_health(&self) -> Result<(), String> {
        self.docker.ping().await.map_err(|err| err.to_string())?;
        let probe = self.config.work_dir.join(format!(".health-{}", uuid::Uuid::new_v4().simple()));
        let written = tokio::fs::write(&probe, vec![0u8; 1 << 20]).await;
        let _ = tokio::fs::remove_file(&probe).await;
        written.map_err(|err| {
            format!("the work directory {} takes no files: {err}", self.config.work_dir.display())
        })
    }

    pub fn plugins(&self) -> &Registry {
        &self.plugins
    }

    /// Makes sure the image a task's runs need exists, building it if not.
    pub async fn prepare_image(
        &self,
        repository: &Path,
        task_name: &str,
    ) -> Result<crate::images::PreparedImage, GradeError> {
        let task = tasks::load(repository, task_name)?;
        let plugin = self.plugins.get(&task.runner)?;
        let recipe = plugin.image_recipe(&task.spec)?;
        Ok(self.images.prepare(&plugin.info().name, &recipe, &task).await?)
    }

    /// Grades a solution (file name and contents) for a task of the repository.
    pub async fn grade(
        &self,
        repository: &Path,
        task_name: &str,
        files: &[(String, Vec<u8>)],
    ) -> Result<Graded, GradeError> {
        self.grade_with_progress(repository, task_name, files, None).await
    }

    /// Like `grade`, and sends what the run reports of its progress (tests planned, each test
    /// as it finishes) while it runs, where the plugin's run writes a progress file.
    pub async fn grade_with_progress(
        &self,
        repository: &Path,
        task_name: &str,
        files: &[(String, Vec<u8>)],
        progress: Option<mpsc::UnboundedSender<ProgressLine>>,
    ) -> Result<Graded, GradeError> {
        let began = Instant::now();
        if files.is_empty() {
            return Err(GradeError::Submission("there are no files".to_owned()));
        }
        if let Some((bad, _)) = files.iter().find(|(name, _)| !is_safe_file_name(name)) {
            return Err(GradeError::Submission(format!("{bad:?} is not an acceptable file name")));
        }
        let task = tasks::load(repository, task_name)?;
        let plugin = self.plugins.get(&task.runner)?;
        let limits =
            limits::effective(plugin.info().default_limits, task.limits, self.config.ceilings);
        let image_recipe = plugin.image_recipe(&task.spec)?;
        let run_recipe = plugin.run_recipe(&task.spec)?;
        let mut phases = Phases::default();

        let image = match self.images.prepare(&plugin.info().name, &image_recipe, &task).await {
            Ok(image) => image,
            Err(DockerError::BuildFailed { tag, summary, log })
                if !DockerError::is_infrastructure_text(&summary) =>
            {
                // The task's image does not build: our (or the task author's) fault, not the student's.
                tracing::error!(task = task_name, tag, summary, "image build failed");
                let mut report = Report::new(Verdict::SystemError);
                report.feedback =
                    Some(format!("The test environment could not be built: {summary}"));
                phases.total = began.elapsed();
                report.make_safe();
                return Ok(Graded {
                    report,
                    plugin: plugin.info().name.clone(),
                    stdout: inloop_plugin_api::text::make_safe(&tail(&log, 16 << 10)).into_owned(),
                    stderr: String::new(),
                    output_truncated: false,
                    exit_code: None,
                    limits,
                    image: tag,
                    image_built: false,
                    phases,
                });
            }
            Err(other) => return Err(other.into()),
        };
        phases.image = image.duration;

        let dirs = RunDirs::create(
            &self.config.work_dir,
            files,
            self.config.report_caps.max_total_bytes + (1 << 20),
        )
        .await
        .map_err(|source| GradeError::WorkDir { path: self.config.work_dir.clone(), source })?;
        let mut tmpfs: Vec<(String, u64)> = vec![("/tmp".to_owned(), SCRATCH_BYTES)];
        for dir in &run_recipe.scratch_dirs {
            if dir != "/tmp" {
                tmpfs.push((dir.clone(), SCRATCH_BYTES));
            }
        }
        // The run record's nonce travels on standard input, read by the harness before any
        // student code runs; only runs that keep a record get one.
        let nonce = run_recipe.run_record.as_ref().map(|_| record::nonce());
        let spec = RunSpec {
            stdin: nonce.as_ref().map(|nonce| format!("{nonce}\n").into_bytes()),
            image: image.tag.clone(),
            command: run_recipe.command.clone(),
            workdir: run_recipe.workdir.clone(),
            env: run_recipe.env.clone(),
            binds: vec![
                Bind {
                    host: dirs.submission.clone(),
                    container: run_recipe.submission_dir.clone(),
                    read_only: true,
                },
                Bind {
                    host: dirs.reports.clone(),
                    container: run_recipe.report_dir.clone(),
                    read_only: false,
                },
            ],
            tmpfs,
            timeout: Duration::from_secs(u64::from(limits.timeout_s)),
            memory_bytes: i64::from(limits.memory_mb) << 20,
            nano_cpus: (limits.cpus * 1e9) as i64,
            pids: i64::from(limits.pids),
            output_cap: limits.output_kb as usize * 1024,
            labels: vec![
                ("org.inloop.task".to_owned(), task.name.clone()),
                (RUNNER_LABEL.to_owned(), self.config.runner_id.clone()),
            ],
        };
        let follower = match (progress, &run_recipe.progress_file) {
            (Some(sink), Some(name)) if is_safe_file_name(name) => {
                let (stop, stopped) = oneshot::channel();
                let path = dirs.reports.join(name);
                Some((stop, tokio::spawn(follow_progress(path, sink, stopped))))
            }
            _ => None,
        };
        let result = self.docker.run(&spec).await;
        if let Some((stop, follower)) = follower {
            let _ = stop.send(());
            let _ = follower.await;
        }
        let result = result?;
        phases.create = result.timings.create;
        phases.start = result.timings.start;
        phases.run = result.timings.run;

        let collecting = Instant::now();
        let (report_files, dropped_files) =
            dirs.collect_reports(&run_recipe.report_pattern, self.config.report_caps).await;
        let integrity = match (&run_recipe.run_record, &nonce) {
            (Some(name), Some(nonce)) if is_safe_file_name(name) => {
                let bytes = dirs.read_report(name, MAX_RECORD_BYTES).await.ok();
                record::check(bytes.as_deref(), nonce, &report_files)
            }
            (Some(_), _) => {
                record::Integrity::Untrusted("the plugin names no usable record".into())
            }
            (None, _) => record::Integrity::NotKept,
        };
        let report_files = record::trusted_files(report_files, &integrity);
        drop(dirs);
        phases.collect = collecting.elapsed();

        let stderr = without_preamble(&result.stderr, &run_recipe.stderr_preamble);
        let outcome = RunOutcome {
            exit_code: result.exit_code,
            timed_out: result.timed_out,
            oom_killed: result.oom_killed,
            stdout: result.stdout.clone(),
            stderr: stderr.clone(),
            output_truncated: result.output_truncated,
            report_files,
            dropped_files,
        };
        let parsing = Instant::now();
        let mut report = match self.parser.parse(&plugin, &task.spec, &outcome).await {
            Ok(report) => report,
            Err(err) => {
                tracing::error!(task = task_name, error = %err, "the plugin could not judge a run");
                let mut report = Report::new(Verdict::SystemError);
                report
                    .notes
                    .push("The grading plugin failed to read the results of this run.".to_owned());
                report
            }
        };
        phases.parse = parsing.elapsed();
        record::judge(&mut report, &integrity);
        apply_host_facts(&mut report, &outcome, &limits);
        // Test names and messages come from files the run wrote: anything may be in them.
        report.make_safe();
        phases.total = began.elapsed();
        Ok(Graded {
            report,
            plugin: plugin.info().name.clone(),
            stdout: result.stdout,
            stderr,
            output_truncated: result.output_truncated,
            exit_code: Some(result.exit_code),
            limits,
            image: image.tag,
            image_built: image.built,
            phases,
        })
    }
}

/// The most a run record may hold.
const MAX_RECORD_BYTES: u64 = 64 << 10;

/// stderr without the lines at its start that begin with one of `preamble` (what the runtime
/// itself prints before the tests, say); lines after the first other one all stay.
fn without_preamble(stderr: &str, preamble: &[String]) -> String {
    if preamble.is_empty() {
        return stderr.to_owned();
    }
    let mut rest = stderr;
    while let Some(line) = rest.split_inclusive('\n').next()
        && preamble.iter().any(|prefix| line.starts_with(prefix.as_str()))
    {
        rest = &rest[line.len()..];
    }
    rest.to_owned()
}

/// Most progress a run may report: enough for thousands of tests, not for filling memory.
const MAX_PROGRESS_BYTES: u64 = 1 << 20;
const MAX_PROGRESS_LINE: usize = 4096;
const PROGRESS_POLL: Duration = Duration::from_millis(150);

/// Reads a run's progress file as it grows, until told the run ended (then once more), and
/// sends each complete line it understands.
async fn follow_progress(
    path: PathBuf,
    sink: mpsc::UnboundedSender<ProgressLine>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut reader = ProgressReader::default();
    loop {
        let last = tokio::select! {
            _ = &mut stopped => true,
            () = tokio::time::sleep(PROGRESS_POLL) => false,
        };
        for line in reader.read_new(&path).await {
            if sink.send(line).is_err() {
                return;
            }
        }
        if last {
            return;
        }
    }
}

#[derive(Default)]
struct ProgressReader {
    offset: u64,
    partial: Vec<u8>,
}

impl ProgressReader {
    async fn read_new(&mut self, path: &Path) -> Vec<ProgressLine> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let mut fresh = Vec::new();
        if self.offset >= MAX_PROGRESS_BYTES {
            return Vec::new();
        }
        // The run may not have written the file yet, or may have put something else there.
        let Ok(mut file) = crate::workspace::open_plain_file(path).await else { return Vec::new() };
        if file.seek(std::io::SeekFrom::Start(self.offset)).await.is_err() {
            return Vec::new();
        }
        if file.take(MAX_PROGRESS_BYTES - self.offset).read_to_end(&mut fresh).await.is_err() {
            return Vec::new();
        }
        self.offset += fresh.len() as u64;
        self.partial.extend_from_slice(&fresh);
        let mut lines = Vec::new();
        while let Some(end) = self.partial.iter().position(|&byte| byte == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            if line.len() <= MAX_PROGRESS_LINE
                && let Ok(mut parsed) = serde_json::from_slice::<ProgressLine>(&line)
            {
                if let ProgressLine::Finished { test, .. } = &mut parsed {
                    inloop_plugin_api::text::make_safe_in_place(test);
                }
                lines.push(parsed);
            }
        }
        if self.partial.len() > MAX_PROGRESS_LINE {
            // A line this long is no progress line; skip to the next one.
            self.partial.clear();
        }
        lines
    }
}

/// What the host knows for certain overrides the plugin: a killed run is a timeout, an OOM kill
/// is a memory verdict, and truncation or dropped files are always told.
fn apply_host_facts(report: &mut Report, outcome: &RunOutcome, limits: &Limits) {
    if outcome.timed_out {
        report.verdict = Verdict::Timeout;
        report.notes.push(format!(
            "The run was stopped after the time limit of {} seconds.",
            limits.timeout_s
        ));
    } else if outcome.oom_killed {
        report.verdict = Verdict::MemoryExceeded;
        report
            .notes
            .push(format!("The run was stopped at the memory limit of {} MB.", limits.memory_mb));
    }
    if outcome.output_truncated {
        report
            .notes
            .push(format!("The console output was cut at {} KB per stream.", limits.output_kb));
    }
    for dropped in &outcome.dropped_files {
        report.notes.push(format!("Report file not read: {dropped}."));
    }
}

fn tail(text: &str, max_bytes: usize) -> String {
    if text.len() <= max_bytes {
        return text.to_owned();
    }
    let mut start = text.len() - max_bytes;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[…]\n{}", &text[start..])
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use inloop_plugin_api::report::TestStatus;

    use super::*;

    #[test]
    fn the_runtimes_own_warnings_at_the_start_of_stderr_are_left_out() {
        let preamble = vec!["WARNING: A terminally".to_owned(), "WARNING: System::".to_owned()];
        let stderr = "WARNING: A terminally deprecated method\nWARNING: System::set\nmine\nWARNING: System:: too\n";
        assert_eq!(without_preamble(stderr, &preamble), "mine\nWARNING: System:: too\n");
        assert_eq!(without_preamble(stderr, &[]), stderr);
        assert_eq!(without_preamble("WARNING: System::x", &preamble), "");
    }

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("inloop-progress-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[tokio::test]
    async fn progress_is_read_line_by_line_as_the_file_grows() {
        let dir = scratch();
        let path = dir.join("progress.jsonl");
        let mut reader = ProgressReader::default();
        assert!(reader.read_new(&path).await.is_empty(), "no file yet");
        let mut file = std::fs::File::create(&path).expect("create");
        write!(file, "{{\"planned\":2}}\n{{\"test\":\"adds()\",\"sta").expect("write");
        assert_eq!(reader.read_new(&path).await, [ProgressLine::Planned { planned: 2 }]);
        write!(file, "tus\":\"passed\"}}\nnot json\n{{\"test\":\"x\",\"status\":\"failed\"}}\n")
            .expect("write");
        assert_eq!(
            reader.read_new(&path).await,
            [
                ProgressLine::Finished { test: "adds()".to_owned(), status: TestStatus::Passed },
                ProgressLine::Finished { test: "x".to_owned(), status: TestStatus::Failed },
            ],
            "a line split across reads is joined; nonsense is skipped"
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[tokio::test]
    async fn progress_is_never_read_through_a_link_or_a_fifo() {
        let dir = scratch();
        let secret = dir.join("host-secret");
        std::fs::write(&secret, "{\"planned\":99}\n").expect("write");
        let link = dir.join("progress.jsonl");
        std::os::unix::fs::symlink(&secret, &link).expect("symlink");
        assert!(ProgressReader::default().read_new(&link).await.is_empty(), "a symlink");
        let fifo = dir.join("fifo.jsonl");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
        assert!(made.success());
        let read =
            tokio::time::timeout(Duration::from_secs(2), ProgressReader::default().read_new(&fifo))
                .await
                .expect("a FIFO does not block the reader");
        assert!(read.is_empty());
        std::fs::remove_dir_all(&dir).expect("clean up");
    }

    #[tokio::test]
    async fn progress_beyond_the_cap_is_ignored() {
        let dir = scratch();
        let path = dir.join("progress.jsonl");
        let line = "{\"test\":\"t\",\"status\":\"passed\"}\n";
        let lines = (MAX_PROGRESS_BYTES as usize / line.len()) + 100;
        std::fs::write(&path, line.repeat(lines)).expect("write");
        let mut reader = ProgressReader::default();
        let read = reader.read_new(&path).await.len();
        assert!(read < lines && read > lines - 200, "{read} of {lines}");
        assert!(reader.read_new(&path).await.is_empty());
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
