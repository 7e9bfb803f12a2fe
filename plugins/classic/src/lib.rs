//! INLOOP's own container contract, unchanged: the task repository's Dockerfile builds one image;
//! a run gets the task's name as its only argument, the solution in `/checker/input`
//! (read-only), `/checker/output/storage` for report files and `/checker/scratch` to write in.
//! Exit code 0 passes; `TEST-*.xml` files are shown as the tests.

use inloop_plugin_api::{
    GraderPlugin, junit,
    protocol::{
        ImageRecipe, Limits, PROTOCOL_VERSION, PluginInfo, RunOutcome, RunRecipe, TaskSpec,
    },
    report::{Report, TestStatus, Verdict},
};

pub struct ClassicPlugin;

impl GraderPlugin for ClassicPlugin {
    fn describe(&self) -> PluginInfo {
        PluginInfo {
            name: "classic".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            protocol: PROTOCOL_VERSION,
            languages: vec!["java".to_owned()],
            file_patterns: vec!["*.java".to_owned()],
            editor_mode: "java".to_owned(),
            // INLOOP's own settings: 120 s, 256 MB, 30 KiB of output per stream.
            default_limits: Limits {
                timeout_s: 120,
                memory_mb: 256,
                cpus: 1.0,
                pids: 256,
                output_kb: 30,
            },
            base_images: Vec::new(),
        }
    }

    fn image_recipe(&self, _task: &TaskSpec) -> Result<ImageRecipe, String> {
        Ok(ImageRecipe::RepositoryDockerfile { dockerfile: "Dockerfile".to_owned() })
    }

    fn run_recipe(&self, task: &TaskSpec) -> Result<RunRecipe, String> {
        Ok(RunRecipe {
            command: vec![task.name.clone()],
            workdir: String::new(),
            env: Vec::new(),
            submission_dir: "/checker/input".to_owned(),
            report_dir: "/checker/output/storage".to_owned(),
            report_pattern: "*".to_owned(),
            scratch_dirs: vec!["/checker/scratch".to_owned()],
            progress_file: None,
            run_record: None,
            stderr_preamble: Vec::new(),
        })
    }

    fn parse(&self, _task: &TaskSpec, outcome: &RunOutcome) -> Result<Report, String> {
        Ok(judge(outcome))
    }
}

fn judge(outcome: &RunOutcome) -> Report {
    let mut report = Report::new(match outcome.exit_code {
        _ if outcome.timed_out => Verdict::Timeout,
        _ if outcome.oom_killed => Verdict::MemoryExceeded,
        0 => Verdict::Passed,
        // Docker's own failures to run the image, as INLOOP classified them.
        125..=127 => Verdict::SystemError,
        _ => Verdict::Failed,
    });
    let (cases, notes) = junit::cases_from_reports(&outcome.report_files, "TEST-*.xml");
    report.tests.extend(cases);
    report.notes.extend(notes);
    // The exit code decides, as in INLOOP; a passing exit with failing tests is told, not hidden.
    if report.verdict == Verdict::Passed
        && report
            .tests
            .iter()
            .any(|test| matches!(test.status, TestStatus::Failed | TestStatus::Error))
    {
        report.notes.push(
            "The checker passed the solution although some reported tests failed.".to_owned(),
        );
    }
    report
}

inloop_plugin_api::export_plugin!(ClassicPlugin);

#[cfg(test)]
mod tests {
    use inloop_plugin_api::protocol::ReportFile;

    use super::*;

    fn outcome(exit_code: i64, files: &[(&str, &str)]) -> RunOutcome {
        RunOutcome {
            exit_code,
            timed_out: false,
            oom_killed: false,
            stdout: String::new(),
            stderr: String::new(),
            output_truncated: false,
            report_files: files
                .iter()
                .map(|(name, xml)| ReportFile { name: (*name).into(), contents: (*xml).into() })
                .collect(),
            dropped_files: Vec::new(),
        }
    }

    #[test]
    fn the_exit_code_decides_and_only_test_reports_are_rendered() {
        let xml = r#"<testsuite><testcase name="a"/><testcase name="b"><failure message="no"/></testcase></testsuite>"#;
        let failed = judge(&outcome(1, &[("TEST-Taxi.xml", xml), ("pmd.xml", "<pmd/>")]));
        assert_eq!(failed.verdict, Verdict::Failed);
        assert_eq!(failed.tests.len(), 2);
        assert_eq!(judge(&outcome(0, &[])).verdict, Verdict::Passed);
        assert_eq!(judge(&outcome(125, &[])).verdict, Verdict::SystemError);
        assert_eq!(judge(&outcome(9, &[])).verdict, Verdict::Failed);
    }

    #[test]
    fn the_task_name_is_the_only_argument() {
        let task = TaskSpec { name: "Taxi".into(), files: vec![], meta: serde_json::Value::Null };
        let recipe = ClassicPlugin.run_recipe(&task).unwrap();
        assert_eq!(recipe.command, ["Taxi"]);
        assert_eq!(recipe.submission_dir, "/checker/input");
    }
}
