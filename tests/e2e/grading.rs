//! The grading engine against the real Docker engine: the fixture tasks, their wrong solutions,
//! and the hostile corpus, through the same path as `inloop check` and the runner hosts.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use inloop_plugin_api::report::{TestStatus, Verdict};
use inloop_protocol::limits::Ceilings;
use inloop_runners::{
    grade::{GradeError, Graded, Grader, GraderConfig},
    workspace::ReportCaps,
};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn tasks() -> PathBuf {
    fixtures().join("tasks")
}

/// `target/debug`, where `cargo build --workspace` puts the plugin libraries.
fn plugin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    exe.parent().and_then(Path::parent).expect("target directory").to_path_buf()
}

/// A grader per test: each test has its own async runtime, and the Docker client's connections
/// belong to the runtime that made them.
async fn grader() -> Arc<Grader> {
    let runner_id = format!("e2e-{}", uuid::Uuid::new_v4().simple());
    let config = GraderConfig {
        plugin_dir: plugin_dir(),
        work_dir: std::env::temp_dir().join("inloop-e2e-runs").join(&runner_id),
        ceilings: Ceilings::default(),
        report_caps: ReportCaps::default(),
        runner_id,
        parse_helper: plugin_dir().join("inloop"),
    };
    Arc::new(Grader::new(config).await.unwrap_or_else(|err| {
        panic!("grading needs Docker, the base image and the plugins (./inloop.sh test prepares them): {err}")
    }))
}

fn read_dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).expect("fixture file"),
            )
        })
        .collect();
    files.sort();
    files
}

async fn grade(task: &str, files: &[(String, Vec<u8>)]) -> Graded {
    grader()
        .await
        .grade(&tasks(), task, files)
        .await
        .unwrap_or_else(|err| panic!("{task}: grading failed: {err}"))
}

fn file(name: &str, contents: &str) -> Vec<(String, Vec<u8>)> {
    vec![(name.to_owned(), contents.as_bytes().to_vec())]
}

#[tokio::test]
async fn every_fixture_tasks_reference_solution_passes() {
    for task in [
        "java-counter",
        "java-stack-junit4",
        "python-fizzbuzz",
        "classic-greeting",
        "python-hostile",
        "python-objects",
    ] {
        let solution = read_dir_files(&tasks().join(task).join("solution"));
        let graded = grade(task, &solution).await;
        assert_eq!(
            graded.report.verdict,
            Verdict::Passed,
            "{task}: {:#?}\n{}",
            graded.report,
            graded.console()
        );
        assert!(!graded.report.tests.is_empty(), "{task} reports its tests");
        assert!(graded.report.tests.iter().all(|test| test.status == TestStatus::Passed), "{task}");
    }
}

#[tokio::test]
async fn a_java_solution_that_fails_a_test_names_the_failing_assertion() {
    let template = read_dir_files(&tasks().join("java-counter/templates"));
    let graded = grade("java-counter", &template).await;
    assert_eq!(graded.report.verdict, Verdict::Failed);
    let failed: Vec<_> =
        graded.report.tests.iter().filter(|test| test.status == TestStatus::Failed).collect();
    assert_eq!(failed.len(), 1, "{:#?}", graded.report.tests);
    assert_eq!(failed[0].message.as_deref(), Some("expected: <2> but was: <0>"));
}

#[tokio::test]
async fn java_compiler_errors_come_back_as_compile_error_with_javacs_message() {
    let graded = grade(
        "java-counter",
        &file("Counter.java", "public class Counter {\n  void increment() { int x = \"a\"; }\n}\n"),
    )
    .await;
    assert_eq!(graded.report.verdict, Verdict::CompileError);
    let feedback = graded.report.feedback.unwrap_or_default();
    assert!(feedback.contains("Counter.java:2: error: incompatible types"), "{feedback}");
}

#[tokio::test]
async fn python_syntax_and_import_errors_are_compile_errors() {
    let syntax =
        grade("python-fizzbuzz", &file("fizzbuzz.py", "def fizzbuzz(n)\n    return n\n")).await;
    assert_eq!(syntax.report.verdict, Verdict::CompileError);
    assert!(syntax.report.feedback.unwrap_or_default().contains("fizzbuzz.py:1"));
    let import = grade("python-fizzbuzz", &file("fizzbuzz.py", "import no_such_module\n")).await;
    assert_eq!(import.report.verdict, Verdict::CompileError);
    assert!(
        import.report.feedback.unwrap_or_default().contains("No module named 'no_such_module'")
    );
    let wrong =
        grade("python-fizzbuzz", &file("fizzbuzz.py", "def fizzbuzz(n):\n    return str(n)\n"))
            .await;
    assert_eq!(wrong.report.verdict, Verdict::Failed);
    assert_eq!(wrong.report.tests.iter().filter(|t| t.status == TestStatus::Passed).count(), 1);
}

#[tokio::test]
async fn the_classic_contract_runs_the_repositorys_own_image() {
    let graded =
        grade("classic-greeting", &file("greeting.py", "def greet(name):\n    return 'hi'\n"))
            .await;
    assert_eq!(graded.report.verdict, Verdict::Failed);
    assert_eq!(graded.plugin, "classic");
    assert!(
        graded
            .report
            .tests
            .iter()
            .any(|t| t.message.as_deref() == Some("expected 'Hello, World!' but got 'hi'"))
    );
}

#[tokio::test]
async fn hostile_submissions_get_their_verdicts_and_leave_nothing_behind() {
    let grader = grader().await;
    let cases: Vec<_> = inloop_tests::hostile::corpus()
        .into_iter()
        .filter(|case| case.task == "python-hostile")
        .collect();
    assert!(cases.len() >= 12, "the whole corpus is there");
    // Two at a time, as a runner host with two slots would.
    let mut failures = Vec::new();
    for pair in cases.chunks(2) {
        let runs = pair.iter().map(|case| {
            let grader = grader.clone();
            async move { (case, grader.grade(&tasks(), case.task, &case.files).await) }
        });
        for (case, graded) in futures_util::future::join_all(runs).await {
            match graded {
                Ok(graded) => failures.extend(case.check(&inloop_tests::hostile::Outcome {
                    report: &graded.report,
                    console: &graded.console(),
                    truncated: graded.output_truncated,
                })),
                Err(err) => failures.push(format!("{}: grading failed: {err}", case.name)),
            }
        }
    }
    assert!(failures.is_empty(), "hostile corpus:\n{}", failures.join("\n"));

    assert_eq!(
        grader.running_containers().await.expect("docker answers"),
        0,
        "no container is left behind"
    );
    let leftovers = std::fs::read_dir(grader.work_dir())
        .map(|dir| {
            dir.filter_map(Result::ok).filter(|entry| entry.file_name() != "build-logs").count()
        })
        .unwrap_or(0);
    assert_eq!(leftovers, 0, "no run directory is left behind");
    // The host is healthy: a normal solution still grades promptly.
    let solution = read_dir_files(&tasks().join("python-hostile/solution"));
    let after = grade("python-hostile", &solution).await;
    assert_eq!(after.report.verdict, Verdict::Passed);
    assert!(after.phases.total < Duration::from_secs(10));
}

#[tokio::test]
async fn a_cancelled_run_leaves_no_container_behind() {
    let grader = grader().await;
    let forever = std::fs::read(fixtures().join("hostile/sleep-forever/probe.py")).expect("probe");
    let files = vec![("probe.py".to_owned(), forever)];
    let cancelled = tokio::time::timeout(
        Duration::from_millis(1500),
        grader.grade(&tasks(), "python-hostile", &files),
    )
    .await;
    assert!(cancelled.is_err(), "the run was still going when it was cancelled");
    let remaining = inloop_tests::poll_until(
        Duration::from_secs(10),
        || async { grader.running_containers().await.expect("docker answers") },
        |remaining| *remaining == 0,
    )
    .await;
    assert_eq!(remaining, 0, "the container of the cancelled run was removed");
}

#[tokio::test]
async fn a_missing_base_image_names_the_command_that_builds_it() {
    let repo =
        std::env::temp_dir().join(format!("inloop-nobase-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(repo.join("task1")).expect("repo");
    std::fs::write(repo.join("Dockerfile"), "FROM debian:nosuchsuite-slim\n").expect("dockerfile");
    std::fs::write(repo.join("task1/meta.json"), r#"{"title": "T"}"#).expect("meta");
    let result = grader().await.grade(&repo, "task1", &file("A.java", "class A {}")).await;
    std::fs::remove_dir_all(&repo).expect("cleanup");
    match result {
        Err(GradeError::Docker(err)) => {
            let message = err.to_string();
            assert!(
                message.contains("debian:nosuchsuite-slim")
                    && message.contains("inloop images bootstrap"),
                "{message}"
            );
        }
        other => panic!("expected a missing base image error, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_tasks_and_bad_file_names_are_refused_before_any_container_starts() {
    let grader = grader().await;
    let unknown = grader.grade(&tasks(), "no-such-task", &file("a.py", "")).await.unwrap_err();
    assert!(unknown.to_string().starts_with("there is no task 'no-such-task'"), "{unknown}");
    let bad_name =
        grader.grade(&tasks(), "python-fizzbuzz", &file("../escape.py", "")).await.unwrap_err();
    assert!(bad_name.to_string().contains("not an acceptable file name"), "{bad_name}");
}

#[tokio::test]
async fn a_plugin_that_crashes_while_parsing_ends_that_run_only() {
    use inloop_plugin_api::protocol::{RunOutcome, TaskSpec};
    use inloop_runners::plugin_host::{IsolatedParser, Plugin, PluginError};
    let plugin = Plugin::load(&plugin_dir().join(format!(
        "{}inloop_crash_plugin{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )))
    .expect("the crash plugin is built with the workspace");
    let parser = IsolatedParser::new(plugin_dir().join("inloop"));
    let task = TaskSpec { name: "t".into(), files: Vec::new(), meta: serde_json::Value::Null };
    let outcome = |stdout: &str| RunOutcome {
        exit_code: 0,
        timed_out: false,
        oom_killed: false,
        stdout: stdout.to_owned(),
        stderr: String::new(),
        output_truncated: false,
        report_files: Vec::new(),
        dropped_files: Vec::new(),
    };
    for crash in ["overflow", "abort"] {
        match parser.parse(&plugin, &task, &outcome(crash)).await {
            Err(PluginError::ParseProcess { detail, .. }) => {
                assert!(detail.contains("killed by signal"), "{crash}: {detail}");
            }
            other => panic!("{crash}: expected the parse process to die, got {other:?}"),
        }
    }
    assert!(matches!(
        parser.parse(&plugin, &task, &outcome("panic")).await,
        Err(PluginError::Panicked { .. })
    ));
    // This process (a runner host, here) is untouched and parses on.
    let report = parser.parse(&plugin, &task, &outcome("fine")).await.expect("parses");
    assert_eq!(report.verdict, Verdict::Failed);
}

/// The web server cannot ask plugins which files they take, so it keeps their defaults in
/// `inloop_protocol::meta`; this holds the two together for every plugin that is built.
#[test]
fn the_web_servers_default_file_patterns_are_the_plugins_own() {
    let registry = inloop_runners::plugin_host::Registry::load_dir(&plugin_dir())
        .expect("the plugins are built with the workspace");
    let mut checked = Vec::new();
    for name in registry.names() {
        let plugin = registry.get(name).expect("a loaded plugin");
        if name.contains("crash") {
            continue;
        }
        assert_eq!(
            inloop_protocol::meta::default_file_patterns(name),
            plugin.info().file_patterns,
            "the default file patterns of {name}"
        );
        checked.push(name.to_owned());
    }
    checked.sort();
    assert_eq!(checked, ["classic", "java", "python"]);
}
