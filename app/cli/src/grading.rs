//! `inloop check` and `inloop images`: grading on this machine through the same plugin and
//! container path the runner hosts use. Only the command line reaches this module; the web
//! server never does.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
};

use inloop_plugin_api::report::Verdict;
use inloop_runners::{
    bootstrap,
    docker::Docker,
    grade::{Graded, Grader, GraderConfig},
    plugin_host::Registry,
    workspace::ReportCaps,
};
use serde_json::json;

use inloop_app::config::GradingSettings;

/// Exit codes of `inloop check`.
const PASSED: u8 = 0;
const NOT_PASSED: u8 = 1;
const CANNOT_GRADE: u8 = 2;

fn fail(message: impl std::fmt::Display) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::from(CANNOT_GRADE)
}

pub fn grader_config(settings: &GradingSettings) -> GraderConfig {
    GraderConfig {
        plugin_dir: settings.plugin_dir(),
        work_dir: settings.work_dir(),
        ceilings: settings.ceilings,
        report_caps: ReportCaps::default(),
        runner_id: format!("check-{}", std::process::id()),
        // This very binary parses reports in a child process; next to the plugins as a fallback.
        parse_helper: std::env::current_exe()
            .unwrap_or_else(|_| settings.plugin_dir().join("inloop")),
    }
}

pub async fn check(
    settings: &GradingSettings,
    tasks: &Path,
    task: &str,
    json_output: bool,
    files: &[PathBuf],
) -> ExitCode {
    let mut solution = Vec::new();
    for path in files {
        let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
            return fail(format!("{} is not a file name", path.display()));
        };
        match std::fs::read(path) {
            Ok(contents) => solution.push((name.to_owned(), contents)),
            Err(err) => return fail(format!("cannot read {}: {err}", path.display())),
        }
    }
    let grader = match Grader::new(grader_config(settings)).await {
        Ok(grader) => grader,
        Err(err) => return fail(err),
    };
    // At a terminal, tests are listed as they finish; scripts get only the result.
    let (progress, printer) = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let (sink, lines) = tokio::sync::mpsc::unbounded_channel();
        (Some(sink), Some(tokio::spawn(print_progress(lines))))
    } else {
        (None, None)
    };
    let graded = grader.grade_with_progress(tasks, task, &solution, progress).await;
    if let Some(printer) = printer {
        let _ = printer.await;
    }
    let graded = match graded {
        Ok(graded) => graded,
        Err(err) => return fail(err),
    };
    let mut out = std::io::stdout();
    let written = if json_output {
        writeln!(out, "{}", to_json(&graded))
    } else {
        write!(out, "{}", summary(&graded))
    };
    if written.is_err() {
        return ExitCode::from(CANNOT_GRADE);
    }
    ExitCode::from(if graded.report.verdict == Verdict::Passed { PASSED } else { NOT_PASSED })
}

async fn print_progress(
    mut lines: tokio::sync::mpsc::UnboundedReceiver<inloop_plugin_api::protocol::ProgressLine>,
) {
    use inloop_plugin_api::protocol::ProgressLine;
    let (mut done, mut planned) = (0, None);
    while let Some(line) = lines.recv().await {
        let text = match line {
            ProgressLine::Planned { planned: count } => {
                planned = Some(count);
                format!("running {count} tests")
            }
            ProgressLine::Finished { test, status } => {
                done += 1;
                let of = planned.map(|count| format!("/{count}")).unwrap_or_default();
                format!("[{done}{of}] {} {test}", status.as_str())
            }
        };
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

fn to_json(graded: &Graded) -> serde_json::Value {
    let report = &graded.report;
    let millis = |duration: std::time::Duration| duration.as_millis() as u64;
    json!({
        "verdict": report.verdict.as_str(),
        "tests": report.tests.iter().map(|test| json!({
            "name": test.name,
            "class_name": test.class_name,
            "status": test.status.as_str(),
            "message": test.message,
            "details": test.details,
            "duration_ms": test.duration_ms,
        })).collect::<Vec<_>>(),
        "duration_ms": millis(graded.phases.total),
        "output": graded.console(),
        "truncated": graded.output_truncated,
        "feedback": report.feedback,
        "notes": report.notes,
        "exit_code": graded.exit_code,
        "plugin": graded.plugin,
        "image": graded.image,
        "image_built": graded.image_built,
        "limits": {
            "timeout_s": graded.limits.timeout_s,
            "memory_mb": graded.limits.memory_mb,
            "cpus": graded.limits.cpus,
            "pids": graded.limits.pids,
            "output_kb": graded.limits.output_kb,
        },
        "phases_ms": {
            "image": millis(graded.phases.image),
            "create": millis(graded.phases.create),
            "start": millis(graded.phases.start),
            "run": millis(graded.phases.run),
            "collect": millis(graded.phases.collect),
            "parse": millis(graded.phases.parse),
        },
    })
}

fn summary(graded: &Graded) -> String {
    let report = &graded.report;
    let mut text = format!(
        "{}: {} ({} ms, plugin {})\n",
        report.verdict.as_str(),
        report.verdict.describe(),
        graded.phases.total.as_millis(),
        graded.plugin
    );
    if !report.tests.is_empty() {
        let passed = report
            .tests
            .iter()
            .filter(|t| t.status == inloop_plugin_api::report::TestStatus::Passed)
            .count();
        text.push_str(&format!("\ntests: {passed} of {} passed\n", report.tests.len()));
        for test in &report.tests {
            text.push_str(&format!("  {:<8} {}", test.status.as_str(), test.name));
            if let Some(message) = &test.message {
                text.push_str(&format!(": {message}"));
            }
            text.push('\n');
        }
    }
    if let Some(feedback) = &report.feedback {
        text.push_str(&format!("\n{feedback}\n"));
    }
    for note in &report.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    let console = graded.console();
    if !console.trim().is_empty() {
        text.push_str("\n--- console output ---\n");
        text.push_str(&console);
        if !console.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// `inloop images bootstrap`: the base images the plugins name, built from Debian packages.
pub async fn bootstrap_images(
    settings: &GradingSettings,
    images: &[String],
    force: bool,
) -> ExitCode {
    let mut wanted: Vec<String> = images.to_vec();
    if wanted.is_empty() {
        let registry = match Registry::load_dir(&settings.plugin_dir()) {
            Ok(registry) => registry,
            Err(err) => return fail(err),
        };
        for name in registry.names() {
            if let Ok(plugin) = registry.get(name) {
                wanted.extend(plugin.info().base_images.iter().cloned());
            }
        }
        wanted.sort();
        wanted.dedup();
    }
    if wanted.is_empty() {
        return fail(
            "no plugin names a base image; name the images to build, e.g. debian:bookworm-slim",
        );
    }
    let docker = match Docker::connect().await {
        Ok(docker) => docker,
        Err(err) => return fail(err),
    };
    let mut out = std::io::stdout();
    for image in &wanted {
        let began = std::time::Instant::now();
        match bootstrap::bootstrap(&docker, image, &settings.work_dir(), force).await {
            Ok(bootstrap::Outcome::AlreadyThere) => {
                let _ = writeln!(out, "{image}: already present (use --force to rebuild)");
            }
            Ok(bootstrap::Outcome::Built) => {
                let _ = writeln!(
                    out,
                    "{image}: built from Debian packages in {:.1} s",
                    began.elapsed().as_secs_f64()
                );
            }
            Err(err) => return fail(err),
        }
    }
    ExitCode::SUCCESS
}
