//! `inloop bench`: how fast grading is on this host, measured against bare `docker run`s of the
//! same command in the same image, and the Java plugin's recipe against the naive one.

use std::{
    fmt::Write as _,
    io::Write,
    path::{Path, PathBuf},
    process::ExitCode,
    sync::Arc,
    time::{Duration, Instant},
};

use inloop_runners::{
    docker::{Bind, RunSpec, docker_run_args},
    grade::{Graded, Grader},
    workspace::RunDirs,
};

use inloop_app::config::GradingSettings;

use crate::grading::grader_config;

pub struct BenchOptions {
    pub tasks: PathBuf,
    pub task: String,
    pub runs: usize,
    pub parallel: usize,
}

fn percentile(samples: &[Duration], fraction: f64) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.0}", duration.as_secs_f64() * 1000.0)
}

/// The solution to grade: the task's reference solution.
fn reference_solution(tasks: &Path, task: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let dir = tasks.join(task).join("solution");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|err| format!("{}: {err}", dir.display()))? {
        let entry = entry.map_err(|err| err.to_string())?;
        if entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let contents = std::fs::read(entry.path()).map_err(|err| err.to_string())?;
            files.push((entry.file_name().to_string_lossy().into_owned(), contents));
        }
    }
    if files.is_empty() {
        return Err(format!("{} has no files", dir.display()));
    }
    Ok(files)
}

/// One `docker run --rm` with the same isolation flags the grader uses, timed from the outside.
async fn bare_run(
    image: &str,
    command: &[String],
    graded: &Graded,
    files: &[(String, Vec<u8>)],
    work_dir: &Path,
) -> Result<Duration, String> {
    let dirs = RunDirs::create(work_dir, files, 16 << 20).await.map_err(|err| err.to_string())?;
    let limits = &graded.limits;
    let spec = RunSpec {
        image: image.to_owned(),
        command: command.to_vec(),
        workdir: "/tmp".to_owned(),
        env: Vec::new(),
        binds: vec![
            Bind {
                host: dirs.submission.clone(),
                container: "/submission".to_owned(),
                read_only: true,
            },
            Bind { host: dirs.reports.clone(), container: "/report".to_owned(), read_only: false },
        ],
        tmpfs: vec![("/tmp".to_owned(), 64 << 20)],
        timeout: Duration::from_secs(u64::from(limits.timeout_s)),
        memory_bytes: i64::from(limits.memory_mb) << 20,
        nano_cpus: (limits.cpus * 1e9) as i64,
        pids: i64::from(limits.pids),
        output_cap: limits.output_kb as usize * 1024,
        labels: Vec::new(),
        stdin: None,
    };
    let started = Instant::now();
    let status = tokio::process::Command::new("docker")
        .args(["run", "--rm"])
        .args(docker_run_args(&spec))
        .arg(image)
        .args(command)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .map_err(|err| format!("cannot run the docker command: {err}"))?;
    let elapsed = started.elapsed();
    if status.code().is_none_or(|code| code > 1) {
        return Err(format!("the bare docker run failed with {status}"));
    }
    Ok(elapsed)
}

pub async fn run(settings: &GradingSettings, options: &BenchOptions) -> ExitCode {
    match bench(settings, options).await {
        Ok(text) => {
            let _ = write!(std::io::stdout(), "{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(2)
        }
    }
}

async fn bench(settings: &GradingSettings, options: &BenchOptions) -> Result<String, String> {
    let files = reference_solution(&options.tasks, &options.task)?;
    let grader =
        Arc::new(Grader::new(grader_config(settings)).await.map_err(|err| err.to_string())?);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Grading {} ({} runs, then {} in parallel)",
        options.task, options.runs, options.parallel
    );

    // Warm-up: builds the images once so that every measured run finds them.
    let warm =
        grader.grade(&options.tasks, &options.task, &files).await.map_err(|err| err.to_string())?;
    let _ = writeln!(
        out,
        "warm-up: {} in {} ms (image {})\n",
        warm.report.verdict.as_str(),
        ms(warm.phases.total),
        warm.image
    );
    let command = grader
        .plugins()
        .get(&warm.plugin)
        .and_then(|plugin| {
            let task =
                inloop_runners::tasks::load(&options.tasks, &options.task).map_err(|err| {
                    inloop_runners::plugin_host::PluginError::BadAnswer {
                        plugin: warm.plugin.clone(),
                        method: "run_recipe",
                        message: err.to_string(),
                    }
                })?;
            plugin.run_recipe(&task.spec)
        })
        .map_err(|err| err.to_string())?
        .command;

    let mut runs = Vec::new();
    for _ in 0..options.runs {
        runs.push(
            grader
                .grade(&options.tasks, &options.task, &files)
                .await
                .map_err(|err| err.to_string())?,
        );
    }
    let phase =
        |pick: fn(&Graded) -> Duration| -> Vec<Duration> { runs.iter().map(pick).collect() };
    let table: [(&str, Vec<Duration>); 7] = [
        ("image ready", phase(|g| g.phases.image)),
        ("create", phase(|g| g.phases.create)),
        ("start", phase(|g| g.phases.start)),
        ("run", phase(|g| g.phases.run)),
        ("collect", phase(|g| g.phases.collect)),
        ("parse", phase(|g| g.phases.parse)),
        ("end to end", phase(|g| g.phases.total)),
    ];
    let _ = writeln!(out, "{:<14} {:>8} {:>8}", "phase (ms)", "p50", "p95");
    for (name, samples) in &table {
        let _ = writeln!(
            out,
            "{name:<14} {:>8} {:>8}",
            ms(percentile(samples, 0.5)),
            ms(percentile(samples, 0.95))
        );
    }
    let inloop_p50 = percentile(&table[6].1, 0.5);

    let work_dir = settings.work_dir().join("bench");
    let mut bare = Vec::new();
    for _ in 0..options.runs {
        bare.push(bare_run(&warm.image, &command, &warm, &files, &work_dir).await?);
    }
    let bare_p50 = percentile(&bare, 0.5);
    let overhead = inloop_p50.as_secs_f64() / bare_p50.as_secs_f64() - 1.0;
    let _ = writeln!(
        out,
        "\nbare docker run (same image and command): p50 {} ms, p95 {} ms",
        ms(bare_p50),
        ms(percentile(&bare, 0.95))
    );
    let _ = writeln!(
        out,
        "inloop check vs bare run at p50: {:+.1}% (target: within +15%) {}",
        overhead * 100.0,
        if overhead <= 0.15 { "ok" } else { "MISSED" }
    );

    if warm.plugin == "java" {
        let naive = vec![
            "sh".to_owned(),
            "-c".to_owned(),
            "mkdir -p /tmp/classes && javac -d /tmp/classes -cp /usr/share/java/junit-platform-console-standalone.jar:/usr/share/java/junit4.jar:/usr/share/java/hamcrest.jar \
             /submission/*.java $(find /task/tests -name '*.java') && \
             exec java -jar /usr/share/java/junit-platform-console-standalone.jar --disable-banner \
             -cp /tmp/classes:/usr/share/java/junit4.jar:/usr/share/java/hamcrest.jar --scan-classpath --reports-dir /report"
                .to_owned(),
        ];
        let mut naive_runs = Vec::new();
        for _ in 0..options.runs {
            naive_runs.push(bare_run(&warm.image, &naive, &warm, &files, &work_dir).await?);
        }
        let naive_p50 = percentile(&naive_runs, 0.5);
        let ratio = naive_p50.as_secs_f64() / bare_p50.as_secs_f64();
        let _ = writeln!(
            out,
            "naive recipe (javac, then a second JVM for JUnit), bare: p50 {} ms; the plugin's recipe is {ratio:.2}x faster (target: at least 2x) {}",
            ms(naive_p50),
            if ratio >= 2.0 { "ok" } else { "MISSED" }
        );
    }

    if options.parallel > 1 {
        let jobs = options.parallel * options.runs.max(2);
        let began = Instant::now();
        let mut handles = Vec::new();
        let semaphore = Arc::new(tokio::sync::Semaphore::new(options.parallel));
        for _ in 0..jobs {
            let grader = grader.clone();
            let files = files.clone();
            let tasks = options.tasks.clone();
            let task = options.task.clone();
            let permit = semaphore.clone();
            handles.push(tokio::spawn(async move {
                let _slot = permit.acquire_owned().await;
                grader.grade(&tasks, &task, &files).await.map(|_| ()).map_err(|err| err.to_string())
            }));
        }
        for handle in handles {
            handle.await.map_err(|err| err.to_string())??;
        }
        let inloop_rate = jobs as f64 / began.elapsed().as_secs_f64();
        let began = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..jobs {
            let image = warm.image.clone();
            let command = command.clone();
            let warm = warm.clone();
            let files = files.clone();
            let work_dir = work_dir.clone();
            let permit = semaphore.clone();
            handles.push(tokio::spawn(async move {
                let _slot = permit.acquire_owned().await;
                bare_run(&image, &command, &warm, &files, &work_dir).await.map(|_| ())
            }));
        }
        for handle in handles {
            handle.await.map_err(|err| err.to_string())??;
        }
        let bare_rate = jobs as f64 / began.elapsed().as_secs_f64();
        let shortfall = 1.0 - inloop_rate / bare_rate;
        let _ = writeln!(
            out,
            "\n{jobs} jobs, {} at a time: inloop {inloop_rate:.2} jobs/s, bare docker run {bare_rate:.2} jobs/s; inloop is {:+.1}% (target: within -10%) {}",
            options.parallel,
            -shortfall * 100.0,
            if shortfall <= 0.10 { "ok" } else { "MISSED" }
        );
    }
    Ok(out)
}
