//! The `inloop` command line: one binary, one subcommand per job.

use std::{
    io::{Read, Write},
    path::PathBuf,
    process::ExitCode,
};

use anyhow::Context;
use clap::{Parser, Subcommand};

use inloop_app::{
    auth,
    config::{
        DatabaseSettings, GradingSettings, LogFormat, RepositorySettings, RunnerSettings, Settings,
    },
    db::{self, users::Role},
    grades,
    startup::Application,
    taskrepo, telemetry,
};

use crate::{bench, grading};

#[derive(Debug, Parser)]
#[command(
    name = "inloop",
    version,
    about = "INLOOP: programming tasks, graded in locked-down containers"
)]
pub struct Cli {
    /// TOML settings file; INLOOP_* environment variables override what it says.
    #[arg(long, global = true, env = "INLOOP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server.
    Serve,
    /// Apply the database migrations this build includes.
    Migrate,
    /// Run a runner host: take grading jobs from Redis and grade them in containers.
    Runner {
        /// Solutions graded at the same time (default: setting runner_slots, 2).
        #[arg(long)]
        slots: Option<usize>,
    },
    /// Manage accounts.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Grade files for a task locally, through the same plugin and container path as the server.
    /// Exits 0 when the verdict is `passed`, 1 for any other verdict, 2 when grading was impossible.
    Check {
        /// The task repository (the directory holding one folder per task).
        #[arg(long, value_name = "DIR")]
        tasks: PathBuf,
        /// The task's folder name.
        #[arg(long, value_name = "NAME")]
        task: String,
        /// Print one JSON object instead of a readable summary.
        #[arg(long)]
        json: bool,
        /// The solution's files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Manage task repositories.
    #[command(subcommand)]
    Tasks(TasksCommand),
    /// Manage the images grading uses.
    #[command(subcommand)]
    Images(ImagesCommand),
    /// A runner host's helper: runs one plugin's `parse` on the request on standard input, in
    /// this process of its own, so that a plugin that crashes cannot take the runner down.
    #[command(hide = true)]
    ParseReport {
        #[arg(long, value_name = "LIBRARY")]
        plugin: PathBuf,
    },
    /// Files for the end of term.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Plagiarism checks.
    #[command(subcommand)]
    Plagiarism(PlagiarismCommand),
    /// Measure grading on this host against bare `docker run`s of the same command.
    Bench {
        #[arg(long, value_name = "DIR")]
        tasks: PathBuf,
        /// A task with a `solution/` folder; its reference solution is graded.
        #[arg(long, value_name = "NAME")]
        task: String,
        /// Measured runs per series.
        #[arg(short = 'n', long, default_value_t = 15)]
        runs: usize,
        /// Grades at a time in the throughput comparison.
        #[arg(short = 'j', long, default_value_t = 2)]
        parallel: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// Register a task repository: any URL git accepts, `file://` included.
    Add {
        /// A short name: lower-case letters, digits, `-` and `_`.
        name: String,
        #[arg(long)]
        url: String,
        #[arg(long, default_value = "main")]
        branch: String,
    },
    /// Change where a repository comes from (say, after it moved); the next sync fetches from
    /// there.
    Edit {
        name: String,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        branch: Option<String>,
    },
    /// Sync one repository (or all): fetch, publish the new revision, load its tasks. Exits 1
    /// when a repository could not be synced; problems with single tasks are listed instead.
    Sync { name: Option<String> },
    /// List the repositories and how their last sync went.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Who passed which task, as CSV: the staff page's grade export, for scripts.
    Grades {
        /// Only the tasks of this category (by name); every category's by default.
        #[arg(long)]
        category: Option<String>,
        /// Only the students of this group (by name); every student by default.
        #[arg(long)]
        group: Option<String>,
        /// Which solution decides whether a task is passed: `last` (the last one handed in by
        /// the student's deadline) or `best` (any passed one by then).
        #[arg(long, default_value = "last", value_parser = ["last", "best"])]
        counting: String,
        /// Columns about the student, separated by commas: username, first_name, last_name,
        /// email, matriculation_number, groups, course.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "username,first_name,last_name,matriculation_number"
        )]
        columns: Vec<String>,
        /// Count only solutions handed in from this day on (YYYY-MM-DD, the site's time zone).
        #[arg(long, value_name = "DAY")]
        since: Option<String>,
        /// Leave out students who passed nothing.
        #[arg(long)]
        only_with_passes: bool,
        /// `custom`, or `tud-bonus`: INLOOP's TU Dresden bonus-point file (points are the
        /// tasks passed, at most 10; no header; students without points left out unless
        /// `--zeroes`).
        #[arg(long, default_value = "custom", value_parser = ["custom", "tud-bonus"])]
        preset: String,
        /// With `tud-bonus`: keep the students without points.
        #[arg(long)]
        zeroes: bool,
        /// `csv` (commas), or `spreadsheet` (UTF-8 with a byte-order mark, semicolons).
        #[arg(long, default_value = "csv", value_parser = ["csv", "spreadsheet"])]
        format: String,
        /// Write the file here instead of to standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlagiarismCommand {
    /// Compare the students' solutions of a task now, in this process and on every core, and
    /// list the pairs found. The check is stored like one started on the staff pages, where
    /// staff look at its pairs side by side and decide about them.
    Check {
        /// The task's address name (its slug).
        #[arg(long)]
        task: String,
        /// Whose solutions: `last_passed` (each student's last passed one) or `last`.
        #[arg(long, default_value = "last_passed", value_parser = ["last_passed", "last"])]
        basis: String,
        /// Report pairs from this similarity, in percent.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u8).range(10..=100))]
        threshold: u8,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// Build the base images the plugins start from (e.g. debian:bookworm-slim) from Debian
    /// packages with debootstrap, for machines without a container registry.
    Bootstrap {
        /// Rebuild even when the image exists.
        #[arg(long)]
        force: bool,
        /// Images to build; by default every base image an installed plugin names.
        #[arg(value_name = "IMAGE")]
        images: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an active account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role, default_value = "student")]
        role: Role,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Succeed without changes when the user name already exists.
        #[arg(long)]
        if_missing: bool,
    },
    /// Set a new password, read from standard input.
    SetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Change an account's role.
    SetRole {
        #[arg(long)]
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List accounts, optionally only those matching a search text.
    List {
        #[arg(long, default_value = "")]
        search: String,
    },
    /// Delete accounts that were never activated within the activation period.
    PruneUnactivated {
        #[arg(long, default_value_t = 7)]
        days: i32,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("unknown role '{text}': use student, staff or admin"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::ParseReport { plugin } = &cli.command {
        // No runtime, no settings: it starts often and must start fast.
        let code = inloop_runners::plugin_host::answer_parse_request(plugin);
        return ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Serve => {
            let settings = Settings::load(config)?;
            telemetry::init(settings.log_format);
            let app = Application::build(settings).await?;
            app.run_until(shutdown_signal()).await?;
        }
        Command::Check { tasks, task, json, files } => {
            let settings = match GradingSettings::load(config) {
                Ok(settings) => settings,
                Err(err) => {
                    let _ = writeln!(std::io::stderr(), "error: {err}");
                    return Ok(ExitCode::from(2));
                }
            };
            return Ok(grading::check(&settings, &tasks, &task, json, &files).await);
        }
        Command::Bench { tasks, task, runs, parallel } => {
            let settings = GradingSettings::load(config)?;
            let options =
                bench::BenchOptions { tasks, task, runs: runs.max(1), parallel: parallel.max(1) };
            return Ok(bench::run(&settings, &options).await);
        }
        Command::Runner { slots } => {
            let settings = RunnerSettings::load(config)?;
            telemetry::init(settings.log_format);
            let mut grader = grading::grader_config(&settings.grading);
            grader.runner_id = settings.runner_id();
            let runner = inloop_runners::host::RunnerConfig {
                redis_url: settings.redis_url.expose().to_owned(),
                redis_prefix: settings.redis_prefix.clone(),
                task_dir: settings.task_dir()?,
                slots: slots.unwrap_or(settings.runner_slots).max(1),
                grader,
                watch: match settings.watch_poll_seconds {
                    0 => inloop_runners::watch::WatchMode::Native,
                    seconds => inloop_runners::watch::WatchMode::Poll(
                        std::time::Duration::from_secs(seconds),
                    ),
                },
            };
            if let Some(listen) = settings.metrics_listen {
                inloop_app::metrics::serve_alone(listen, settings.metrics_token.clone()).await?;
            }
            let (stop, stopped) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                shutdown_signal().await;
                let _ = stop.send(true);
            });
            inloop_runners::host::run(runner, stopped).await?;
        }
        Command::Tasks(command) => {
            telemetry::init(LogFormat::Text);
            let settings = RepositorySettings::load(config)?;
            let source = settings.tasks.source(&settings.data_dir)?;
            let pool = db::connect(settings.database_url.expose(), 3).await?;
            db::ensure_migrated(&pool).await?;
            return tasks(&pool, &source, command).await;
        }
        Command::Export(command) => {
            let settings = RepositorySettings::load(config)?;
            let source = settings.tasks.source(&settings.data_dir)?;
            let pool = db::connect(settings.database_url.expose(), 2).await?;
            db::ensure_migrated(&pool).await?;
            export(&pool, &source.zone, command).await?;
        }
        Command::Plagiarism(PlagiarismCommand::Check { task, basis, threshold }) => {
            let settings = RepositorySettings::load(config)?;
            let source = settings.tasks.source(&settings.data_dir)?;
            let pool = db::connect(settings.database_url.expose(), 3).await?;
            db::ensure_migrated(&pool).await?;
            return plagiarism_check(&pool, &source, &task, &basis, threshold).await;
        }
        Command::Images(ImagesCommand::Bootstrap { force, images }) => {
            telemetry::init(LogFormat::Text);
            let settings = GradingSettings::load(config)?;
            return Ok(grading::bootstrap_images(&settings, &images, force).await);
        }
        Command::ParseReport { plugin } => {
            let code = inloop_runners::plugin_host::answer_parse_request(&plugin);
            return Ok(ExitCode::from(u8::try_from(code).unwrap_or(u8::MAX)));
        }
        Command::Migrate => {
            telemetry::init(LogFormat::Text);
            let settings = DatabaseSettings::load(config)?;
            let pool = db::connect(settings.database_url.expose(), 2).await?;
            db::MIGRATOR.run(&pool).await.context("migration failed")?;
            let applied = db::MIGRATOR.iter().count();
            writeln!(std::io::stdout(), "database is up to date ({applied} migrations)")?;
        }
        Command::Users(command) => {
            let settings = DatabaseSettings::load(config)?;
            let pool = db::connect(settings.database_url.expose(), 2).await?;
            db::ensure_migrated(&pool).await?;
            users(&pool, command).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn users(pool: &sqlx::PgPool, command: UsersCommand) -> anyhow::Result<()> {
    let mut out = std::io::stdout();
    match command {
        UsersCommand::Create { username, email, role, password_stdin: _, if_missing } => {
            if if_missing && db::users::username_taken(pool, &username).await? {
                writeln!(out, "user {username} exists already; left unchanged")?;
                return Ok(());
            }
            if !inloop_app::roster::valid_username(&username) {
                anyhow::bail!(
                    "{username:?} cannot be a user name: use letters, digits and . + - _ (no @)"
                );
            }
            if !inloop_app::roster::valid_email(&email) {
                anyhow::bail!("{email:?} is not an e-mail address");
            }
            let password = read_password()?;
            auth::check_password_policy(&password, &username, &email)
                .map_err(anyhow::Error::msg)?;
            let hash = auth::hash_password(&password).await?;
            let new_user = db::users::NewUser {
                username: &username,
                email: &email,
                password_hash: &hash,
                role,
                is_active: true,
                privacy_consent: false,
            };
            let user_id = db::users::insert(pool, &new_user).await?;
            writeln!(out, "created {} {username} (id {user_id})", role.as_str())?;
        }
        UsersCommand::SetPassword { username, password_stdin: _ } => {
            let user = db::users::find_by_username(pool, &username)
                .await?
                .with_context(|| format!("no user named {username}"))?;
            let password = read_password()?;
            auth::check_password_policy(&password, &user.username, &user.email)
                .map_err(anyhow::Error::msg)?;
            let hash = auth::hash_password(&password).await?;
            db::users::set_password(pool, user.id, &hash).await?;
            writeln!(out, "password of {} changed; their sessions have ended", user.username)?;
        }
        UsersCommand::SetRole { username, role } => {
            let user = db::users::find_by_username(pool, &username)
                .await?
                .with_context(|| format!("no user named {username}"))?;
            db::users::set_role_and_active(pool, user.id, role, user.is_active).await?;
            writeln!(out, "{} is now {}", user.username, role.as_str())?;
        }
        UsersCommand::List { search } => {
            let (rows, total) = db::users::list(pool, &search, None, 0, 10_000).await?;
            for row in rows {
                writeln!(
                    out,
                    "{:<6} {:<24} {:<32} {:<8} {}",
                    row.id,
                    row.username,
                    row.email,
                    row.role,
                    if row.is_active { "active" } else { "inactive" }
                )?;
            }
            writeln!(out, "{total} user(s)")?;
        }
        UsersCommand::PruneUnactivated { days } => {
            let pruned = db::users::prune_unactivated(pool, days).await?;
            writeln!(out, "Pruned {pruned} invalid account(s).")?;
        }
    }
    Ok(())
}

async fn plagiarism_check(
    pool: &sqlx::PgPool,
    source: &taskrepo::TaskSource,
    slug: &str,
    basis: &str,
    threshold: u8,
) -> anyhow::Result<ExitCode> {
    use inloop_app::plagiarism::{Basis, CheckState};
    let mut out = std::io::stdout();
    let (task_id, title) = db::plagiarism::task_by_slug(pool, slug)
        .await?
        .with_context(|| format!("there is no task {slug:?}"))?;
    let basis = Basis::parse(basis).context("the basis is last_passed or last")?;
    let Some(check_id) =
        db::plagiarism::start(pool, task_id, basis, f32::from(threshold) / 100.0, None).await?
    else {
        anyhow::bail!(
            "a check of {title} is still running: wait for it to end, or cancel it on its page"
        );
    };
    let worker = format!("cli-{}", std::process::id());
    let Some(claimed) = db::plagiarism::claim_one(pool, check_id, &worker).await? else {
        writeln!(out, "a web server took the check first: see /staff/plagiarism/{check_id}")?;
        return Ok(ExitCode::SUCCESS);
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let started = std::time::Instant::now();
    let outcome =
        match inloop_app::plagiarism_worker::run(pool, source, &worker, claimed, threads).await {
            Ok(outcome) => outcome,
            Err(err) => {
                let message = format!("The check failed: {err:#}");
                db::plagiarism::end(pool, check_id, &worker, CheckState::Failed, &message).await?;
                anyhow::bail!("{message}");
            }
        };
    let summary = db::plagiarism::summary(pool, check_id).await?.context("the check is gone")?;
    writeln!(
        out,
        "{title}: {outcome} in {:.1} s; {} solutions, {} pairs screened, {} compared in detail, {} found",
        started.elapsed().as_secs_f64(),
        summary.solutions,
        summary.pairs_screened,
        summary.pairs_compared,
        summary.pairs
    )?;
    for pair in db::plagiarism::pairs(pool, check_id, 0, 10_000).await? {
        writeln!(
            out,
            "{:>4.0} %  {} #{}  {} #{}{}",
            pair.similarity * 100.0,
            pair.a.username,
            pair.a.number,
            pair.b.username,
            pair.b.number,
            pair.cluster.map(|cluster| format!("  (group {cluster})")).unwrap_or_default()
        )?;
    }
    writeln!(out, "decide about them at /staff/plagiarism/{check_id}")?;
    Ok(if summary.state == CheckState::Done { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn export(
    pool: &sqlx::PgPool,
    zone: &taskrepo::dates::Zone,
    command: ExportCommand,
) -> anyhow::Result<()> {
    let ExportCommand::Grades {
        category,
        group,
        counting,
        columns,
        since,
        only_with_passes,
        preset,
        zeroes,
        format,
        output,
    } = command;
    let category = match category {
        None => None,
        Some(name) => Some(
            db::tasks::category_id(&mut *pool.acquire().await?, &name)
                .await?
                .with_context(|| format!("there is no category named {name:?}"))?,
        ),
    };
    let group = match group {
        None => None,
        Some(name) => Some(
            db::groups::list(pool)
                .await?
                .into_iter()
                .find(|found| found.name == name)
                .map(|found| found.id)
                .with_context(|| format!("there is no group named {name:?}"))?,
        ),
    };
    let columns = columns
        .iter()
        .map(|word| {
            grades::Column::parse(word.trim()).with_context(|| {
                format!("{word:?} is not a column; the columns are username, first_name, last_name, email, matriculation_number, groups, course")
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let since = since
        .map(|day| {
            taskrepo::dates::day_start(&day, zone, false)
                .map_err(|message| anyhow::anyhow!("--since: {message}"))
        })
        .transpose()?;
    let preset = grades::Preset::parse(&preset).context("the preset is custom or tud-bonus")?;
    let choice = grades::Choice {
        category,
        group,
        counting: grades::Counting::parse(&counting).context("counting is last or best")?,
        columns,
        since,
        only_with_passes: only_with_passes || (preset == grades::Preset::TudBonus && !zeroes),
        preset,
    };
    let table = grades::gather(pool, &choice).await?;
    let bytes = grades::write(
        &table,
        grades::Format::parse(&format).context("the format is csv or spreadsheet")?,
    );
    match output {
        Some(path) => std::fs::write(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}

async fn tasks(
    pool: &sqlx::PgPool,
    source: &taskrepo::TaskSource,
    command: TasksCommand,
) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout();
    match command {
        TasksCommand::Add { name, url, branch } => {
            anyhow::ensure!(
                taskrepo::valid_repository_name(&name),
                "'{name}' is not a repository name: use lower-case letters, digits, - and _"
            );
            if let Some(problem) = taskrepo::source_problem(url.trim(), branch.trim()) {
                anyhow::bail!("{problem}");
            }
            let secret = taskrepo::new_webhook_secret();
            match db::repositories::insert(pool, &name, url.trim(), branch.trim(), &secret).await {
                Ok(_) => writeln!(
                    out,
                    "added repository {name} ({}, branch {branch}); sync it with `inloop tasks sync {name}`",
                    inloop_app::credentials::url_without_credentials(&url)
                )?,
                Err(db::InsertNamedError::NameTaken) => {
                    anyhow::bail!("there is already a repository named {name}")
                }
                Err(db::InsertNamedError::Db(err)) => return Err(err.into()),
            }
        }
        TasksCommand::Edit { name, url, branch } => {
            let repository =
                db::repositories::find_by_name(pool, &name).await?.with_context(|| {
                    format!("there is no repository named {name}; see `inloop tasks list`")
                })?;
            anyhow::ensure!(url.is_some() || branch.is_some(), "say what changes: --url, --branch");
            let url = url.as_deref().map_or(repository.url.as_str(), str::trim);
            let branch = branch.as_deref().map_or(repository.branch.as_str(), str::trim);
            if let Some(problem) = taskrepo::source_problem(url, branch) {
                anyhow::bail!("{problem}");
            }
            db::repositories::set_source(pool, &name, url, branch).await?;
            writeln!(
                out,
                "repository {name} now comes from {}, branch {branch}; sync it with `inloop tasks sync {name}`",
                inloop_app::credentials::url_without_credentials(url)
            )?;
        }
        TasksCommand::Sync { name } => {
            let repositories = match name {
                Some(name) => {
                    vec![db::repositories::find_by_name(pool, &name).await?.with_context(|| {
                        format!(
                            "there is no repository named {name}; add it with `inloop tasks add`"
                        )
                    })?]
                }
                None => db::repositories::list(pool).await?,
            };
            anyhow::ensure!(
                !repositories.is_empty(),
                "there are no repositories; add one with `inloop tasks add`"
            );
            let mut failed = false;
            for repository in &repositories {
                match taskrepo::sync_repository(pool, source, repository).await {
                    Ok(report) => {
                        writeln!(
                            out,
                            "{}: synced {} at {}",
                            repository.name,
                            inloop_app::credentials::url_without_credentials(&repository.url),
                            &report.revision[..12]
                        )?;
                        for (task, outcome) in &report.outcomes {
                            match outcome {
                                taskrepo::apply::TaskOutcome::Problem(message) => {
                                    writeln!(out, "  problem    {task}: {message}")?;
                                }
                                other => {
                                    writeln!(out, "  {:<10} {task}", other.label())?;
                                }
                            }
                        }
                    }
                    Err(taskrepo::SyncFailure::Repository { repository, reason }) => {
                        failed = true;
                        let _ = writeln!(
                            std::io::stderr(),
                            "error: could not sync {repository}: {reason}"
                        );
                    }
                    Err(taskrepo::SyncFailure::Db(err)) => return Err(err.into()),
                }
            }
            if failed {
                return Ok(ExitCode::FAILURE);
            }
        }
        TasksCommand::List => {
            for repository in db::repositories::list(pool).await? {
                let revision =
                    repository.revision.as_deref().map_or("-", |r| &r[..r.len().min(12)]);
                writeln!(
                    out,
                    "{:<16} {:<8} {:<13} {} (branch {}) {}",
                    repository.name,
                    repository.sync_status,
                    revision,
                    inloop_app::credentials::url_without_credentials(&repository.url),
                    repository.branch,
                    inloop_app::credentials::text_without_credentials(&repository.sync_message)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The whole of standard input, without the final line break.
fn read_password() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.strip_suffix('\n').unwrap_or(&password);
    let password = password.strip_suffix('\r').unwrap_or(password);
    anyhow::ensure!(!password.is_empty(), "the password on standard input is empty");
    Ok(password.to_owned())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
