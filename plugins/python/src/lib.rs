//! INLOOP grading plugin for Python: the task's pytest tests run against the solution.
//!
//! A task names it with `"runner": "python"` and keeps its tests in `tests/`. Syntax errors and
//! solutions the tests cannot import become `compile_error`.

use inloop_plugin_api::{
    GraderPlugin, junit,
    protocol::{
        ContextFile, CopyRule, ImageRecipe, Limits, PROTOCOL_VERSION, PluginInfo, RunOutcome,
        RunRecipe, TaskSpec,
    },
    report::{Report, Verdict},
};

pub struct PythonPlugin;

const BASE_IMAGE: &str = "debian:bookworm-slim";
/// The harness (trusted), the process the solution runs in (untrusted), and their channel.
const RUNTIME_FILES: &[(&str, &str)] = &[
    ("grade.py", include_str!("grade.py")),
    ("agent.py", include_str!("agent.py")),
    ("inloop_channel.py", include_str!("inloop_channel.py")),
];
/// What the harness writes when the tests ran to the end (see `RunRecipe::run_record`).
const RUN_RECORD: &str = "inloop-run.json";

const EXIT_SYNTAX_ERROR: i64 = 3;
const EXIT_IMPORT_ERROR: i64 = 4;
const EXIT_NO_TESTS: i64 = 5;

impl GraderPlugin for PythonPlugin {
    fn describe(&self) -> PluginInfo {
        PluginInfo {
            name: "python".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            protocol: PROTOCOL_VERSION,
            languages: vec!["python".to_owned()],
            file_patterns: vec!["*.py".to_owned()],
            editor_mode: "python".to_owned(),
            default_limits: Limits {
                timeout_s: 30,
                memory_mb: 256,
                cpus: 1.0,
                pids: 64,
                output_kb: 64,
            },
            base_images: vec![BASE_IMAGE.to_owned()],
        }
    }

    fn image_recipe(&self, _task: &TaskSpec) -> Result<ImageRecipe, String> {
        Ok(ImageRecipe::Layered {
            runtime_dockerfile: format!(
                "FROM {BASE_IMAGE}\n\
                 ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1\n\
                 RUN apt-get update \\\n \
                 && apt-get install -y --no-install-recommends python3 python3-pytest \\\n \
                 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin\n\
                 COPY grade.py agent.py inloop_channel.py /opt/inloop/\n"
            ),
            runtime_files: RUNTIME_FILES
                .iter()
                .map(|(path, contents)| ContextFile {
                    path: (*path).to_owned(),
                    contents: (*contents).to_owned(),
                })
                .collect(),
            task_files: vec![CopyRule { from: "tests".to_owned(), to: "/task/tests".to_owned() }],
            task_steps: Vec::new(),
        })
    }

    fn run_recipe(&self, _task: &TaskSpec) -> Result<RunRecipe, String> {
        Ok(RunRecipe {
            command: vec!["python3".to_owned(), "-B".to_owned(), "/opt/inloop/grade.py".to_owned()],
            workdir: "/tmp".to_owned(),
            env: vec![
                ("PYTHONDONTWRITEBYTECODE".to_owned(), "1".to_owned()),
                ("PYTHONUNBUFFERED".to_owned(), "1".to_owned()),
                ("HOME".to_owned(), "/tmp".to_owned()),
            ],
            submission_dir: "/submission".to_owned(),
            report_dir: "/report".to_owned(),
            report_pattern: "*.xml".to_owned(),
            scratch_dirs: vec!["/tmp".to_owned()],
            progress_file: Some("progress.jsonl".to_owned()),
            run_record: Some(RUN_RECORD.to_owned()),
            stderr_preamble: Vec::new(),
        })
    }

    fn parse(&self, _task: &TaskSpec, outcome: &RunOutcome) -> Result<Report, String> {
        Ok(judge(outcome))
    }
}

fn judge(outcome: &RunOutcome) -> Report {
    if outcome.timed_out {
        return Report::new(Verdict::Timeout);
    }
    if outcome.oom_killed {
        return Report::new(Verdict::MemoryExceeded);
    }
    if outcome.exit_code == EXIT_SYNTAX_ERROR {
        let mut report = Report::new(Verdict::CompileError);
        report.feedback = Some(outcome.stderr.trim().to_owned());
        return report;
    }
    let mut report = Report::new(Verdict::Crashed);
    let mut tests = Vec::new();
    let (cases, notes) = junit::cases_from_reports(&outcome.report_files, "*.xml");
    tests.extend(cases);
    report.notes.extend(notes);
    if outcome.exit_code == EXIT_IMPORT_ERROR {
        report.verdict = Verdict::CompileError;
        // pytest reports a module it could not import as an erroring test; its message is the reason.
        let reasons: Vec<String> = tests
            .iter()
            .filter_map(|test| test.details.clone().or_else(|| test.message.clone()))
            .collect();
        report.feedback = Some(if reasons.is_empty() {
            outcome.stdout.trim().to_owned()
        } else {
            reasons.join("\n\n")
        });
        return report;
    }
    if outcome.exit_code == EXIT_NO_TESTS {
        report.verdict = Verdict::SystemError;
        report.notes.push("The task has no tests to run; please tell the course staff.".to_owned());
        return report;
    }
    match (Report::verdict_from_tests(&tests), outcome.exit_code) {
        (Some(verdict), 0 | 1) => report.verdict = verdict,
        (_, code) => {
            report.verdict = Verdict::Crashed;
            report.notes.push(format!("The program ended the test run early (exit code {code})."));
        }
    }
    // A run that claims success but reports no passing tests is not trusted.
    if report.verdict == Verdict::Passed && outcome.exit_code != 0 {
        report.verdict = Verdict::Failed;
    }
    report.tests = tests;
    report
}

inloop_plugin_api::export_plugin!(PythonPlugin);

#[cfg(test)]
mod tests {
    use inloop_plugin_api::protocol::ReportFile;

    use super::*;

    fn outcome(exit_code: i64, report: Option<&str>) -> RunOutcome {
        RunOutcome {
            exit_code,
            timed_out: false,
            oom_killed: false,
            stdout: String::new(),
            stderr: "solution.py:3: invalid syntax".to_owned(),
            output_truncated: false,
            report_files: report
                .map(|xml| vec![ReportFile { name: "report.xml".into(), contents: xml.into() }])
                .unwrap_or_default(),
            dropped_files: Vec::new(),
        }
    }

    const PASSING: &str = r#"<testsuites><testsuite name="pytest"><testcase classname="t" name="test_a"/></testsuite></testsuites>"#;
    const FAILING: &str = r#"<testsuite><testcase name="test_a"/><testcase name="test_b"><failure message="assert 1 == 2"/></testcase></testsuite>"#;

    #[test]
    fn outcomes_map_to_verdicts() {
        assert_eq!(judge(&outcome(0, Some(PASSING))).verdict, Verdict::Passed);
        let failed = judge(&outcome(1, Some(FAILING)));
        assert_eq!(failed.verdict, Verdict::Failed);
        assert_eq!(failed.tests[1].message.as_deref(), Some("assert 1 == 2"));
        let syntax = judge(&outcome(3, None));
        assert_eq!(syntax.verdict, Verdict::CompileError);
        assert_eq!(syntax.feedback.as_deref(), Some("solution.py:3: invalid syntax"));
        assert_eq!(judge(&outcome(4, Some(FAILING))).verdict, Verdict::CompileError);
        assert_eq!(judge(&outcome(0, None)).verdict, Verdict::Crashed, "no report, no pass");
        assert_eq!(judge(&outcome(137, Some(PASSING))).verdict, Verdict::Crashed);
        let unreadable = judge(&outcome(1, Some("<!DOCTYPE x [<!ENTITY a 'b'>]><testsuite/>")));
        assert_eq!(unreadable.verdict, Verdict::Crashed);
        assert!(unreadable.notes[0].contains("could not be read"));
    }
}
