//! INLOOP grading plugin for Java: the solution is compiled together with the task's JUnit 5 (or
//! JUnit 4) tests and the tests run, in one JVM started from a class-data-sharing archive.
//!
//! A task names it with `"runner": "java"` and keeps its tests in `tests/`. Compiler errors
//! become `compile_error` with javac's messages.

use inloop_plugin_api::{
    GraderPlugin, junit,
    protocol::{
        ContextFile, CopyRule, ImageRecipe, Limits, PROTOCOL_VERSION, PluginInfo, RunOutcome,
        RunRecipe, TaskSpec,
    },
    report::{Report, TestCase, TestStatus, Verdict},
};

pub struct JavaPlugin;

const BASE_IMAGE: &str = "debian:bookworm-slim";

/// The test class path: JUnit's console launcher (Jupiter and Vintage engines), JUnit 4 with
/// Hamcrest for older tests, and our runner.
pub const CLASS_PATH: &str = "/usr/share/java/junit-platform-console-standalone.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest.jar:/opt/inloop/inloop-runner.jar";

/// JVM settings for short runs: one GC thread, the C1 compiler only, classes from the CDS
/// archive made at image build, no perf-data file, heap sized from the container's limit.
pub const JVM_FLAGS: &[&str] = &[
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-XX:MaxRAMPercentage=60",
    "-Xss1m",
    "-Djava.io.tmpdir=/tmp",
    "-Dfile.encoding=UTF-8",
];

/// The runner's sources, by their path in the image's build context.
const RUNNER_SOURCES: &[(&str, &str)] = &[
    ("src/InloopRunner.java", include_str!("runtime/org/inloop/runner/InloopRunner.java")),
    ("src/InloopProgress.java", include_str!("runtime/org/inloop/runner/InloopProgress.java")),
    ("src/Sandbox.java", include_str!("runtime/org/inloop/runner/Sandbox.java")),
];
/// Where a run appends its progress: in the report folder, which the host reads as it grows.
const PROGRESS_FILE: &str = "progress.jsonl";
/// What the runner writes when the tests ran to the end (see `RunRecipe::run_record`).
const RUN_RECORD: &str = "inloop-run.json";
/// What the JVM prints to stderr when the runner installs its sandbox: nothing for a student.
const SANDBOX_WARNINGS: &[&str] = &[
    "WARNING: A terminally deprecated method in java.lang.System has been called",
    "WARNING: System::setSecurityManager has been called by org.inloop.runner.",
    "WARNING: Please consider reporting this to the maintainers of org.inloop.runner.",
    "WARNING: System::setSecurityManager will be removed in a future release",
];
const TRAINING: &[(&str, &str)] = &[
    ("training/solution/Sample.java", include_str!("runtime/training/solution/Sample.java")),
    ("training/tests/SampleTest.java", include_str!("runtime/training/tests/SampleTest.java")),
    (
        "training/tests/SampleLegacyTest.java",
        include_str!("runtime/training/tests/SampleLegacyTest.java"),
    ),
];

const EXIT_NO_TESTS: i64 = 2;
const EXIT_COMPILE_ERROR: i64 = 3;
const EXIT_RUNNER_FAILED: i64 = 4;

fn runtime_dockerfile() -> String {
    let flags = JVM_FLAGS.join(" ");
    format!(
        "FROM {BASE_IMAGE}\n\
         ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8\n\
         RUN apt-get update \\\n \
         && apt-get install -y --no-install-recommends openjdk-17-jdk-headless junit5 \\\n \
         && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin\n\
         COPY src /opt/inloop/src\n\
         COPY training /opt/inloop/training\n\
         # Compile the runner, its sandbox and its progress listener (found by JUnit through\n\
         # META-INF/services) into a jar (CDS archives only jars), then record the classes a\n\
         # typical run loads, sandbox included, into a CDS archive.\n\
         RUN javac -d /tmp/runner-classes -cp {CLASS_PATH} /opt/inloop/src/*.java \\\n \
         && mkdir -p /tmp/runner-classes/META-INF/services \\\n \
         && echo org.inloop.runner.InloopProgress > /tmp/runner-classes/META-INF/services/org.junit.platform.launcher.TestExecutionListener \\\n \
         && jar cf /opt/inloop/inloop-runner.jar -C /tmp/runner-classes . \\\n \
         && mkdir -p /tmp/training-report \\\n \
         && (echo training | java {flags} -XX:ArchiveClassesAtExit=/opt/inloop/inloop.jsa -cp {CLASS_PATH} org.inloop.runner.InloopRunner \
         /opt/inloop/training/solution /opt/inloop/training/tests /tmp/training-report {RUN_RECORD} > /dev/null 2>&1; test $? -eq 1) \\\n \
         && test -s /opt/inloop/inloop.jsa && test -s /tmp/training-report/{RUN_RECORD} \\\n \
         && rm -rf /tmp/inloop /tmp/training-report /tmp/runner-classes\n"
    )
}

/// The command a run executes.
pub fn run_command() -> Vec<String> {
    let mut command = vec!["java".to_owned()];
    command.extend(JVM_FLAGS.iter().map(|flag| (*flag).to_owned()));
    command.extend(
        ["-XX:SharedArchiveFile=/opt/inloop/inloop.jsa", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
            .map(str::to_owned),
    );
    command.push(format!("-Dinloop.progress=/report/{PROGRESS_FILE}"));
    command.extend(
        [
            "-cp",
            CLASS_PATH,
            "org.inloop.runner.InloopRunner",
            "/submission",
            "/task/tests",
            "/report",
            RUN_RECORD,
        ]
        .map(str::to_owned),
    );
    command
}

impl GraderPlugin for JavaPlugin {
    fn describe(&self) -> PluginInfo {
        PluginInfo {
            name: "java".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            protocol: PROTOCOL_VERSION,
            languages: vec!["java".to_owned()],
            file_patterns: vec!["*.java".to_owned()],
            editor_mode: "java".to_owned(),
            default_limits: Limits {
                timeout_s: 30,
                memory_mb: 512,
                cpus: 1.0,
                pids: 128,
                output_kb: 64,
            },
            base_images: vec![BASE_IMAGE.to_owned()],
        }
    }

    fn image_recipe(&self, _task: &TaskSpec) -> Result<ImageRecipe, String> {
        let runtime_files = RUNNER_SOURCES
            .iter()
            .chain(TRAINING)
            .map(|(path, contents)| ContextFile {
                path: (*path).to_owned(),
                contents: (*contents).to_owned(),
            })
            .collect();
        Ok(ImageRecipe::Layered {
            runtime_dockerfile: runtime_dockerfile(),
            runtime_files,
            task_files: vec![CopyRule { from: "tests".to_owned(), to: "/task/tests".to_owned() }],
            task_steps: Vec::new(),
        })
    }

    fn run_recipe(&self, _task: &TaskSpec) -> Result<RunRecipe, String> {
        Ok(RunRecipe {
            command: run_command(),
            workdir: "/tmp".to_owned(),
            env: vec![("HOME".to_owned(), "/tmp".to_owned())],
            submission_dir: "/submission".to_owned(),
            report_dir: "/report".to_owned(),
            report_pattern: "TEST-*.xml".to_owned(),
            scratch_dirs: vec!["/tmp".to_owned()],
            progress_file: Some(PROGRESS_FILE.to_owned()),
            run_record: Some(RUN_RECORD.to_owned()),
            stderr_preamble: SANDBOX_WARNINGS.iter().map(|line| (*line).to_owned()).collect(),
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
    if outcome.exit_code == EXIT_COMPILE_ERROR {
        let mut report = Report::new(Verdict::CompileError);
        report.feedback = Some(outcome.stderr.trim().to_owned());
        return report;
    }
    let mut report = Report::new(Verdict::Crashed);
    let mut tests: Vec<TestCase> = Vec::new();
    let (cases, notes) = junit::cases_from_reports(&outcome.report_files, "TEST-*.xml");
    tests.extend(cases);
    report.notes.extend(notes);
    for test in &mut tests {
        test.details = test.details.as_deref().map(trim_stack_trace);
    }
    let heap_exhausted = tests.iter().any(|test| {
        test.status == TestStatus::Error
            && [&test.message, &test.details].iter().any(|text| {
                text.as_deref().unwrap_or_default().contains("java.lang.OutOfMemoryError")
            })
    });
    report.verdict = match (outcome.exit_code, Report::verdict_from_tests(&tests)) {
        _ if heap_exhausted => Verdict::MemoryExceeded,
        (0, Some(Verdict::Passed)) => Verdict::Passed,
        (0 | 1, Some(verdict)) => {
            if verdict == Verdict::Passed {
                // JUnit said something failed outside the tests (a class that cannot load).
                report
                    .notes
                    .push("The test run failed although every reported test passed.".to_owned());
                Verdict::Failed
            } else {
                verdict
            }
        }
        (EXIT_NO_TESTS, _) => {
            report
                .notes
                .push("The task's tests were not found; please tell the course staff.".to_owned());
            Verdict::SystemError
        }
        (EXIT_RUNNER_FAILED, _) => {
            report
                .notes
                .push("The grading runner failed; please tell the course staff.".to_owned());
            Verdict::SystemError
        }
        (code, _) => {
            report.notes.push(format!("The program ended the test run early (exit code {code})."));
            Verdict::Crashed
        }
    };
    report.tests = tests;
    report
}

/// Keeps the frames that help a student (their classes, the test) and drops the framework's.
pub fn trim_stack_trace(trace: &str) -> String {
    const NOISE: &[&str] = &[
        "at org.junit.",
        "at org.opentest4j.",
        "at java.base/jdk.internal.",
        "at jdk.internal.",
        "at java.base/java.lang.reflect.",
        "at java.base/java.util.",
        "at kotlin.",
        "at sun.reflect.",
        "at org.apiguardian.",
    ];
    let mut kept = Vec::new();
    let mut hidden = 0;
    for line in trace.lines() {
        let trimmed = line.trim_start();
        if NOISE.iter().any(|noise| trimmed.starts_with(noise)) || trimmed.starts_with("... ") {
            hidden += 1;
            continue;
        }
        if kept.len() >= 30 {
            hidden += 1;
            continue;
        }
        kept.push(line);
    }
    let mut text = kept.join("\n");
    if hidden > 0 {
        text.push_str(&format!("\n\t({hidden} framework lines hidden)"));
    }
    text
}

inloop_plugin_api::export_plugin!(JavaPlugin);

#[cfg(test)]
mod tests {
    use inloop_plugin_api::protocol::ReportFile;

    use super::*;

    fn outcome(exit_code: i64, report: Option<&str>, stderr: &str) -> RunOutcome {
        RunOutcome {
            exit_code,
            timed_out: false,
            oom_killed: false,
            stdout: String::new(),
            stderr: stderr.to_owned(),
            output_truncated: false,
            report_files: report
                .map(|xml| {
                    vec![ReportFile { name: "TEST-junit-jupiter.xml".into(), contents: xml.into() }]
                })
                .unwrap_or_default(),
            dropped_files: Vec::new(),
        }
    }

    #[test]
    fn outcomes_map_to_verdicts() {
        let passing = r#"<testsuite><testcase name="a"/></testsuite>"#;
        let failing = r#"<testsuite><testcase name="a"><failure message="expected: &lt;1&gt; but was: &lt;2&gt;">org.opentest4j.AssertionFailedError: x
	at org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)
	at TaxiTest.charges(TaxiTest.java:12)
	at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)</failure></testcase></testsuite>"#;
        let oom = r#"<testsuite><testcase name="a"><error message="Java heap space" type="java.lang.OutOfMemoryError">java.lang.OutOfMemoryError: Java heap space</error></testcase></testsuite>"#;
        assert_eq!(judge(&outcome(0, Some(passing), "")).verdict, Verdict::Passed);
        let failed = judge(&outcome(1, Some(failing), ""));
        assert_eq!(failed.verdict, Verdict::Failed);
        let details = failed.tests[0].details.as_deref().unwrap_or_default();
        assert!(
            details.contains("TaxiTest.java:12") && !details.contains("AssertionUtils"),
            "{details}"
        );
        assert!(details.contains("framework lines hidden"));
        let compile = judge(&outcome(3, None, "Main.java:3: error: ';' expected"));
        assert_eq!(compile.verdict, Verdict::CompileError);
        assert_eq!(compile.feedback.as_deref(), Some("Main.java:3: error: ';' expected"));
        assert_eq!(judge(&outcome(1, Some(oom), "")).verdict, Verdict::MemoryExceeded);
        assert_eq!(judge(&outcome(0, None, "")).verdict, Verdict::Crashed, "no report, no pass");
        assert_eq!(judge(&outcome(42, Some(passing), "")).verdict, Verdict::Crashed);
        assert_eq!(judge(&outcome(2, None, "")).verdict, Verdict::SystemError);
    }
}
