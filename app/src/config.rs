//! Typed settings: a TOML file overridden by `INLOOP_*` environment variables, validated once at start.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// A setting that must never reach a log: `Debug` and `Display` print a placeholder.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything `inloop serve` needs.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address and port to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The URL students type into their browser; links in e-mails start with it.
    pub public_url: String,
    pub database_url: Secret,
    pub database_max_connections: u32,
    pub redis_url: Secret,
    /// Prepended to every Redis key, so several installations (or tests) can share one Redis.
    pub redis_prefix: String,
    /// Writable directory for the mail outbox and, later, task repositories.
    pub data_dir: PathBuf,
    /// At least 32 characters; signs activation and password-reset links.
    pub secret_key: Secret,
    pub site_name: String,
    /// Sender of every e-mail, e.g. `INLOOP <inloop@example.org>`.
    pub mail_from: String,
    /// Without SMTP settings, mails go to `<data_dir>/outbox` and their links to the log.
    pub smtp: Option<SmtpSettings>,
    /// Take the client's address from `X-Forwarded-For` (its last entry), which one reverse
    /// proxy in front of us appends (nginx: `$proxy_add_x_forwarded_for`). Secure cookies and
    /// HSTS follow `public_url`, not a header.
    pub behind_proxy: bool,
    pub log_format: LogFormat,
    pub rate_limits: RateLimits,
    /// Days a session lasts without a new login.
    pub session_days: u32,
    /// Days an activation link stays valid.
    pub activation_days: u32,
    /// Hours a password reset link stays valid.
    pub password_reset_hours: u32,
    /// Grading settings share the file and the environment; `serve` accepts and ignores them
    /// (see [`GradingSettings`]).
    #[serde(default)]
    pub plugin_dir: Option<PathBuf>,
    #[serde(default)]
    pub work_dir: Option<PathBuf>,
    #[serde(default)]
    pub ceilings: inloop_protocol::limits::Ceilings,
    /// See [`TaskDirSettings`]; spelled out because `deny_unknown_fields` cannot flatten.
    #[serde(default)]
    pub task_dir: Option<PathBuf>,
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    #[serde(default = "default_runners")]
    pub runners: String,
    /// Seconds a runner may go without claiming a job it took before the job is sent again
    /// (runners claim their jobs every quarter of this while they work); default 60. Jobs that
    /// wait in the queue are never sent again, however long they wait.
    #[serde(default)]
    pub job_lease_seconds: Option<u64>,
    /// Minutes between pulls of every task repository; 0 turns the pull off (webhooks only).
    #[serde(default = "default_pull_minutes")]
    pub pull_minutes: u32,
    /// Names this web server among several, so that results it read before a crash are its
    /// own to finish when it starts again; by default the host name.
    #[serde(default)]
    pub web_id: Option<String>,
    /// Lets a scraper fetch `/metrics` from anywhere with `Authorization: Bearer <token>`;
    /// without it only loopback clients that came through no proxy may.
    #[serde(default)]
    pub metrics_token: Option<Secret>,
}

/// This machine's name, for ids that must stay the same across restarts.
pub fn host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
}

fn default_pull_minutes() -> u32 {
    15
}

/// Where task repositories are published and how their dates and runners are read.
#[derive(Clone, Debug, Deserialize)]
pub struct TaskDirSettings {
    /// Where repositories are checked out; runner hosts mount it read-only. Default `<data_dir>/tasks`.
    #[serde(default)]
    pub task_dir: Option<PathBuf>,
    /// The IANA time zone of dates without an offset in `meta.json`, and of dates on pages.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// Runner (plugin) names tasks may use, separated by spaces.
    #[serde(default = "default_runners")]
    pub runners: String,
}

fn default_time_zone() -> String {
    "Europe/Berlin".to_owned()
}

fn default_runners() -> String {
    "classic java python".to_owned()
}

impl TaskDirSettings {
    pub fn source(
        &self,
        data_dir: &std::path::Path,
    ) -> Result<crate::taskrepo::TaskSource, ConfigError> {
        let zone = crate::taskrepo::dates::Zone::named(&self.time_zone).map_err(|err| {
            ConfigError::Invalid(format!("setting time_zone (INLOOP_TIME_ZONE) is invalid: {err}"))
        })?;
        Ok(crate::taskrepo::TaskSource {
            task_dir: self.task_dir.clone().unwrap_or_else(|| data_dir.join("tasks")),
            zone,
            runners: self.runners.split_whitespace().map(str::to_owned).collect(),
        })
    }
}

/// What `inloop runner` needs: Redis, the shared task directory, grading. No database.
#[derive(Clone, Debug, Deserialize)]
pub struct RunnerSettings {
    pub redis_url: Secret,
    #[serde(default = "default_redis_prefix")]
    pub redis_prefix: String,
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    #[serde(default)]
    pub task_dir: Option<PathBuf>,
    /// Solutions graded at the same time on this host.
    #[serde(default = "default_runner_slots")]
    pub runner_slots: usize,
    /// Names this host's containers and jobs; by default the host name.
    #[serde(default)]
    pub runner_id: Option<String>,
    /// Seconds between polls of the task directory; 0 uses inotify (set it on NFS mounts).
    #[serde(default)]
    pub watch_poll_seconds: u64,
    #[serde(default)]
    pub log_format: LogFormat,
    /// Where this host answers `/metrics` (e.g. `10.0.3.2:9187`); no listener without it.
    #[serde(default)]
    pub metrics_listen: Option<SocketAddr>,
    /// As for the web server: with it, scrapers from other hosts present it as a bearer token.
    #[serde(default)]
    pub metrics_token: Option<Secret>,
    #[serde(flatten)]
    pub grading: GradingSettings,
}

fn default_redis_prefix() -> String {
    "inloop".to_owned()
}

fn default_runner_slots() -> usize {
    2
}

impl RunnerSettings {
    pub fn load(config_file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        figment(config_file).extract().map_err(describe)
    }

    pub fn task_dir(&self) -> Result<PathBuf, ConfigError> {
        self.task_dir
            .clone()
            .or_else(|| self.data_dir.as_ref().map(|dir| dir.join("tasks")))
            .ok_or_else(|| ConfigError::Invalid("setting task_dir (INLOOP_TASK_DIR) is missing: name the shared task directory (or data_dir)".to_owned()))
    }

    pub fn runner_id(&self) -> String {
        self.runner_id.clone().or_else(host_name).unwrap_or_else(|| "runner".to_owned())
    }
}

/// What `inloop tasks` needs: the database and the task directory.
#[derive(Clone, Debug, Deserialize)]
pub struct RepositorySettings {
    pub database_url: Secret,
    pub data_dir: PathBuf,
    #[serde(flatten)]
    pub tasks: TaskDirSettings,
}

impl RepositorySettings {
    pub fn load(config_file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        figment(config_file).extract().map_err(describe)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `starttls` (default), `tls` (implicit TLS, port 465) or `none` (a local relay only).
    pub security: SmtpSecurity,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Attempts allowed per window; a window is `window_minutes` long.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    pub window_minutes: u32,
    /// Failed logins of one account from one address before each further try waits, twice as
    /// long each time (up to a window); the owner, from elsewhere, is never locked out.
    pub login_per_account_and_address: u32,
    pub login_per_address: u32,
    pub signup_per_address: u32,
    pub password_reset_per_address: u32,
    pub password_changes_per_account: u32,
    /// Solutions one student may hand in per minute (uploads and the editor together).
    pub submits_per_minute: u32,
    /// Solutions of one student waiting for (or in) the runners at once.
    pub waiting_per_student: u32,
}

impl RateLimits {
    pub fn window(&self) -> Duration {
        Duration::from_secs(u64::from(self.window_minutes) * 60)
    }
}

/// What grading on this host needs (`inloop check`, `inloop images`, `inloop runner`).
#[derive(Clone, Debug, Deserialize)]
pub struct GradingSettings {
    /// Directory of the grading plugin libraries; by default the directory of the `inloop` binary.
    #[serde(default)]
    pub plugin_dir: Option<PathBuf>,
    /// Where per-run directories are made; by default a folder in the system's temporary directory.
    #[serde(default)]
    pub work_dir: Option<PathBuf>,
    #[serde(default)]
    pub ceilings: inloop_protocol::limits::Ceilings,
}

impl GradingSettings {
    pub fn load(config_file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        figment(config_file).extract().map_err(describe)
    }

    pub fn plugin_dir(&self) -> PathBuf {
        self.plugin_dir.clone().unwrap_or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
                .unwrap_or_else(|| PathBuf::from("."))
        })
    }

    pub fn work_dir(&self) -> PathBuf {
        self.work_dir.clone().unwrap_or_else(|| std::env::temp_dir().join("inloop-runs"))
    }
}

/// The settings that database-only commands (`migrate`, `users`) need.
#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseSettings {
    pub database_url: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(String),
}

/// Defaults for every setting that has a sensible one; the rest must be given.
#[derive(Serialize)]
struct Defaults {
    listen: &'static str,
    public_url: &'static str,
    database_max_connections: u32,
    redis_prefix: &'static str,
    site_name: &'static str,
    mail_from: &'static str,
    behind_proxy: bool,
    log_format: LogFormat,
    rate_limits: RateLimits,
    session_days: u32,
    activation_days: u32,
    password_reset_hours: u32,
}

const DEFAULTS: fn() -> Defaults = || Defaults {
    listen: "127.0.0.1:8000",
    public_url: "http://127.0.0.1:8000",
    database_max_connections: 16,
    redis_prefix: "inloop",
    site_name: "INLOOP",
    mail_from: "INLOOP <inloop@localhost>",
    behind_proxy: false,
    log_format: LogFormat::Text,
    rate_limits: RateLimits {
        window_minutes: 15,
        login_per_account_and_address: 5,
        login_per_address: 60,
        signup_per_address: 10,
        password_reset_per_address: 10,
        password_changes_per_account: 10,
        submits_per_minute: 6,
        waiting_per_student: 5,
    },
    session_days: 7,
    activation_days: 7,
    password_reset_hours: 24,
};

/// Where settings come from, in rising priority: defaults, the TOML file, `INLOOP_*` variables.
pub fn figment(config_file: Option<&std::path::Path>) -> Figment {
    let mut figment = Figment::new().merge(Serialized::defaults(DEFAULTS()));
    if let Some(path) = config_file {
        figment = figment.merge(Toml::file_exact(path));
    }
    figment.merge(
        Env::prefixed("INLOOP_")
            // INLOOP_CONFIG names the file; the others steer ./inloop.sh, not the server.
            .ignore(&["config", "log", "home", "pg_port", "redis_port", "web_port", "pg_fsync"])
            .map(|key| nest_env_key(key.as_str()).into()),
    )
}

/// `INLOOP_SMTP_HOST` sets `smtp.host`, `INLOOP_RATE_LIMITS_LOGIN_PER_ADDRESS` sets
/// `rate_limits.login_per_address`; every other variable names a top-level setting.
fn nest_env_key(key: &str) -> String {
    for section in ["smtp", "rate_limits", "ceilings"] {
        if let Some(rest) = key.strip_prefix(section).and_then(|rest| rest.strip_prefix('_')) {
            return format!("{section}.{rest}");
        }
    }
    key.to_owned()
}

impl Settings {
    pub fn load(config_file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let settings: Settings = figment(config_file).extract().map_err(describe)?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |name: &str, why: &str| {
            Err(ConfigError::Invalid(format!(
                "setting {name} (INLOOP_{}) is invalid: {why}",
                name.to_uppercase().replace('.', "_")
            )))
        };
        if self.secret_key.expose().chars().count() < 32 {
            return invalid("secret_key", "it must be at least 32 characters long");
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return invalid("public_url", "it must start with http:// or https://");
        }
        if self.public_url.ends_with('/') {
            return invalid("public_url", "leave out the trailing slash");
        }
        let database_url = self.database_url.expose();
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return invalid("database_url", "it must be a postgres:// URL");
        }
        let redis_url = self.redis_url.expose();
        if !(redis_url.starts_with("redis://")
            || redis_url.starts_with("rediss://")
            || redis_url.starts_with("unix://")
            || redis_url.starts_with("redis+unix://"))
        {
            return invalid("redis_url", "it must be a redis://, rediss:// or unix:// URL");
        }
        if self.redis_prefix.is_empty() || self.redis_prefix.contains(char::is_whitespace) {
            return invalid("redis_prefix", "it must be a non-empty word");
        }
        if self.database_max_connections == 0 {
            return invalid("database_max_connections", "it must be at least 1");
        }
        if self.session_days == 0 || self.activation_days == 0 || self.password_reset_hours == 0 {
            return invalid(
                "session_days",
                "session, activation and reset lifetimes must be positive",
            );
        }
        let limits = &self.rate_limits;
        for (name, value) in [
            ("rate_limits.window_minutes", limits.window_minutes),
            ("rate_limits.submits_per_minute", limits.submits_per_minute),
            ("rate_limits.waiting_per_student", limits.waiting_per_student),
        ] {
            if value == 0 {
                return invalid(name, "it must be at least 1");
            }
        }
        if let Err(err) = crate::taskrepo::dates::Zone::named(&self.time_zone) {
            return invalid("time_zone", &format!("{err}; use an IANA name such as Europe/Berlin"));
        }
        if !self.mail_from.contains('@') {
            return invalid("mail_from", "it must contain an e-mail address");
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.trim().is_empty() {
                return invalid("smtp.host", "it must name the SMTP server");
            }
            if smtp.username.is_some() != smtp.password.is_some() {
                return invalid(
                    "smtp.username",
                    "give both smtp.username and smtp.password, or neither",
                );
            }
        }
        Ok(())
    }

    pub fn task_dir_settings(&self) -> TaskDirSettings {
        TaskDirSettings {
            task_dir: self.task_dir.clone(),
            time_zone: self.time_zone.clone(),
            runners: self.runners.clone(),
        }
    }

    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// This web server's name among several (see `web_id`).
    pub fn web_id(&self) -> String {
        self.web_id.clone().or_else(host_name).unwrap_or_else(|| "web".to_owned())
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

impl DatabaseSettings {
    pub fn load(config_file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        figment(config_file).extract().map_err(describe)
    }
}

/// Turns figment's errors into one line that names the setting and how to set it.
fn describe(errors: figment::Error) -> ConfigError {
    let lines: Vec<String> = errors
        .into_iter()
        .map(|error| {
            let mut path = error.path.join(".");
            let kind = match &error.kind {
                figment::error::Kind::MissingField(field) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(field);
                    "it is missing".to_owned()
                }
                figment::error::Kind::UnknownField(field, _) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(field);
                    "there is no such setting".to_owned()
                }
                other => other.to_string(),
            };
            let source = error
                .metadata
                .as_ref()
                .map(|metadata| match &metadata.source {
                    Some(figment::Source::File(path)) => format!(" (from {})", path.display()),
                    _ => format!(" (from {})", metadata.name),
                })
                .unwrap_or_default();
            format!(
                "setting {path} (INLOOP_{}){source}: {kind}",
                path.to_uppercase().replace('.', "_")
            )
        })
        .collect();
    ConfigError::Invalid(lines.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_environment_keys_map_to_sections() {
        assert_eq!(nest_env_key("smtp_host"), "smtp.host");
        assert_eq!(nest_env_key("rate_limits_login_per_address"), "rate_limits.login_per_address");
        assert_eq!(nest_env_key("database_url"), "database_url");
        assert_eq!(nest_env_key("smtpx"), "smtpx");
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let secret = Secret::new("hunter2-hunter2");
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
    }
}
