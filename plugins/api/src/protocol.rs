//! The messages host and plugin exchange, as JSON, and the trait a plugin implements.
//!
//! Every request and answer is a plain serde type, so the same protocol could run over a pipe to
//! a plugin process later without changing any plugin's logic.

use serde::{Deserialize, Serialize};

use crate::report::Report;

/// Bumped when a message changes incompatibly; the host refuses plugins that speak another one.
pub const PROTOCOL_VERSION: u32 = 1;

/// Resource limits of one run. Tasks may ask for their own within the admin's ceilings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub timeout_s: u32,
    pub memory_mb: u32,
    pub cpus: f64,
    pub pids: u32,
    /// Console output kept per stream, in KiB.
    pub output_kb: u32,
}

/// What a plugin tells the host about itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PluginInfo {
    pub name: String,
    pub version: String,
    pub protocol: u32,
    pub languages: Vec<String>,
    /// Glob-like patterns of the files a solution may contain, e.g. `*.java`.
    pub file_patterns: Vec<String>,
    /// The editor's syntax mode for solution files.
    pub editor_mode: String,
    pub default_limits: Limits,
    /// Images the plugin's runtime images start from; `inloop images bootstrap` builds them.
    pub base_images: Vec<String>,
}

/// A task as the host shows it to a plugin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSpec {
    /// The task directory's name (INLOOP's "system name").
    pub name: String,
    /// Every file of the task directory, relative to it, `/`-separated, sorted.
    pub files: Vec<String>,
    /// The task's `meta.json`, as written.
    pub meta: serde_json::Value,
}

/// A file the plugin ships inside an image's build context (plugins do no I/O of their own).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContextFile {
    pub path: String,
    pub contents: String,
}

/// How to get the image a task's runs use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImageRecipe {
    /// A runtime image shared by all tasks of the plugin, plus a layer with this task's files.
    Layered {
        /// Dockerfile of the runtime image; its `FROM` names the base image.
        runtime_dockerfile: String,
        runtime_files: Vec<ContextFile>,
        /// Task files (relative to the task directory) and where they go in the image.
        task_files: Vec<CopyRule>,
        /// Extra Dockerfile lines for the task layer, after the copies (e.g. a warm-up compile).
        task_steps: Vec<String>,
    },
    /// The task repository's own Dockerfile, built with the repository root as context.
    RepositoryDockerfile { dockerfile: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyRule {
    pub from: String,
    pub to: String,
}

/// How to run one solution in the task's image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecipe {
    /// Arguments for the image's entry point (or the whole command when it has none).
    pub command: Vec<String>,
    /// Working directory; empty keeps the image's own.
    pub workdir: String,
    pub env: Vec<(String, String)>,
    /// Where the solution's files appear, read-only.
    pub submission_dir: String,
    /// Where the run writes report files the host collects.
    pub report_dir: String,
    /// Which report files matter, as a file-name glob (`*` matches any run of characters).
    pub report_pattern: String,
    /// Writable scratch directories (size-limited tmpfs).
    pub scratch_dirs: Vec<String>,
    /// A file in `report_dir` the run appends progress to while it runs, one JSON
    /// [`ProgressLine`] per line; the host reads it as it grows and shows tests as they finish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_file: Option<String>,
    /// A file in `report_dir` the harness writes as the very last thing of a run that ran its
    /// tests to the end: a [`RunRecord`]. With it, the host hands the run a fresh random nonce
    /// as the first line of standard input, and a run is `passed` only when its record carries
    /// that nonce, names every report file the verdict is read from with its SHA-256, and its
    /// counts agree with the report. A run that ended early, or whose reports were written by
    /// anyone but the harness, cannot pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_record: Option<String>,
    /// Lines the runtime prints at the very start of stderr that mean nothing to a student
    /// (prefixes; a JVM's deprecation warnings, say): the host leaves them out of the console.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stderr_preamble: Vec<String>,
}

/// What a harness writes when its tests ran to the end (see [`RunRecipe::run_record`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The nonce the run got on standard input.
    pub nonce: String,
    /// Tests the harness found and meant to run.
    pub planned: u32,
    /// Tests that ended (passed, failed, skipped or aborted).
    pub finished: u32,
    /// Tests that were aborted (a failed assumption): none may be for a pass.
    #[serde(default)]
    pub aborted: u32,
    /// Every report file the harness wrote: file name → SHA-256 (lowercase hex).
    pub reports: std::collections::BTreeMap<String, String>,
}

/// One line of a run's progress file: how many tests will run, or one test that finished.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProgressLine {
    Planned { planned: u32 },
    Finished { test: String, status: crate::report::TestStatus },
}

/// What a run left behind, for the plugin to judge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunOutcome {
    pub exit_code: i64,
    pub timed_out: bool,
    pub oom_killed: bool,
    pub stdout: String,
    pub stderr: String,
    /// True when the host cut stdout or stderr at the output cap.
    pub output_truncated: bool,
    pub report_files: Vec<ReportFile>,
    /// Report files the host did not collect (too many, too large), with the reason.
    pub dropped_files: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportFile {
    pub name: String,
    pub contents: String,
}

/// A grading plugin: a recipe and a parser. Implementations must not do I/O or keep state
/// between calls; the host may call them from several threads at once.
pub trait GraderPlugin: Send + Sync {
    fn describe(&self) -> PluginInfo;
    fn image_recipe(&self, task: &TaskSpec) -> Result<ImageRecipe, String>;
    fn run_recipe(&self, task: &TaskSpec) -> Result<RunRecipe, String>;
    fn parse(&self, task: &TaskSpec, outcome: &RunOutcome) -> Result<Report, String>;
}

#[derive(Serialize, Deserialize)]
struct ParseRequest {
    task: TaskSpec,
    outcome: RunOutcome,
}

/// Method names on the wire.
pub mod method {
    pub const DESCRIBE: &str = "describe";
    pub const IMAGE_RECIPE: &str = "image_recipe";
    pub const RUN_RECIPE: &str = "run_recipe";
    pub const PARSE: &str = "parse";
}

/// Answers one call: `Ok(json)` or `Err(message)`. Used by the export macro inside plugins.
pub fn dispatch(plugin: &dyn GraderPlugin, method: &str, input: &[u8]) -> Result<Vec<u8>, String> {
    let to_json = |value: &dyn erased::Json| value.to_json();
    match method {
        method::DESCRIBE => to_json(&plugin.describe()),
        method::IMAGE_RECIPE => {
            let task: TaskSpec = from_json(input)?;
            to_json(&plugin.image_recipe(&task)?)
        }
        method::RUN_RECIPE => {
            let task: TaskSpec = from_json(input)?;
            to_json(&plugin.run_recipe(&task)?)
        }
        method::PARSE => {
            let request: ParseRequest = from_json(input)?;
            to_json(&plugin.parse(&request.task, &request.outcome)?)
        }
        other => Err(format!("unknown method '{other}'")),
    }
}

/// Encodes the input of a `parse` call (for the host).
pub fn parse_request(task: &TaskSpec, outcome: &RunOutcome) -> Result<Vec<u8>, String> {
    #[derive(Serialize)]
    struct Borrowed<'a> {
        task: &'a TaskSpec,
        outcome: &'a RunOutcome,
    }
    serde_json::to_vec(&Borrowed { task, outcome }).map_err(|err| err.to_string())
}

fn from_json<T: for<'de> Deserialize<'de>>(input: &[u8]) -> Result<T, String> {
    serde_json::from_slice(input).map_err(|err| format!("bad request: {err}"))
}

mod erased {
    pub trait Json {
        fn to_json(&self) -> Result<Vec<u8>, String>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<Vec<u8>, String> {
            serde_json::to_vec(self).map_err(|err| err.to_string())
        }
    }
}

/// True when `name` matches `pattern`, where `*` stands for any run of characters.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let (pattern, name) = (pattern.as_bytes(), name.as_bytes());
    let (mut p, mut n) = (0, 0);
    let (mut star, mut star_n) = (None, 0);
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == name[n] || pattern[p] == b'?') {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            star_n = n;
            p += 1;
        } else if let Some(star_p) = star {
            p = star_p + 1;
            star_n += 1;
            n = star_n;
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == b'*' {
        p += 1;
    }
    p == pattern.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_shells() {
        assert!(glob_match("TEST-*.xml", "TEST-junit-jupiter.xml"));
        assert!(!glob_match("TEST-*.xml", "report.xml"));
        assert!(glob_match("*.java", "Main.java"));
        assert!(!glob_match("*.java", "Main.java.bak"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }
}
