//! Test harness: starts the real application on a free port against a fresh PostgreSQL database
//! and its own Redis key prefix, with an HTTP client that keeps cookies like a browser.
//!
//! Needs `INLOOP_TEST_DATABASE_URL` (a superuser connection, to create databases) and
//! `INLOOP_TEST_REDIS_URL`; `./inloop.sh test` sets both.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, LazyLock},
    time::Duration,
};

use anyhow::Context;
use inloop_app::{
    config::{LogFormat, RateLimits, Secret, Settings},
    db::{self, users::Role},
    startup::Application,
    state::AppState,
};
use regex::Regex;
use reqwest::{StatusCode, redirect::Policy};
use sqlx::{Connection, Executor, PgPool};

pub const PASSWORD: &str = "correct horse battery staple";

/// Reads the environment once; a missing variable fails every test with the same clear message.
#[expect(
    clippy::disallowed_methods,
    reason = "the harness is configured by the test runner's environment"
)]
fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests through `./inloop.sh test`, or export what `./inloop.sh services` prints")
    })
}

static DATABASE_URL: LazyLock<String> = LazyLock::new(|| env("INLOOP_TEST_DATABASE_URL"));
static REDIS_URL: LazyLock<String> = LazyLock::new(|| env("INLOOP_TEST_REDIS_URL"));

pub struct TestApp {
    pub address: String,
    pub db: PgPool,
    pub redis_prefix: String,
    pub outbox: PathBuf,
    pub client: reqwest::Client,
    pub state: AppState,
    data_dir: PathBuf,
    /// The test's databases, dropped with its Redis keys when the test is over.
    databases: Vec<String>,
    keep_data: bool,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Settings as a course would run them, with small rate limits so tests can reach them.
pub fn test_settings(database_url: &str, data_dir: PathBuf, redis_prefix: &str) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().expect("valid address"),
        public_url: "http://inloop.test".to_owned(),
        database_url: Secret::new(database_url),
        database_max_connections: 8,
        redis_url: Secret::new(REDIS_URL.as_str()),
        redis_prefix: redis_prefix.to_owned(),
        data_dir,
        secret_key: Secret::new("test secret key, long enough for the checks"),
        site_name: "INLOOP".to_owned(),
        mail_from: "INLOOP <inloop@example.org>".to_owned(),
        smtp: None,
        behind_proxy: false,
        log_format: LogFormat::Text,
        rate_limits: RateLimits {
            window_minutes: 15,
            login_per_account_and_address: 5,
            login_per_address: 40,
            signup_per_address: 5,
            password_reset_per_address: 5,
            password_changes_per_account: 5,
            submits_per_minute: 60,
            waiting_per_student: 25,
        },
        session_days: 7,
        activation_days: 7,
        password_reset_hours: 24,
        plugin_dir: None,
        work_dir: None,
        ceilings: inloop_protocol::limits::Ceilings::default(),
        task_dir: None,
        time_zone: "Europe/Berlin".to_owned(),
        runners: "classic java python".to_owned(),
        pull_minutes: 0,
        job_lease_seconds: None,
        web_id: None,
        metrics_token: None,
    }
}

/// A fresh, migrated database with a unique name.
pub async fn fresh_database() -> anyhow::Result<(String, PgPool)> {
    let name = format!("inloop_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin =
        sqlx::PgConnection::connect(&DATABASE_URL).await.context("connect to the test server")?;
    admin.execute(sqlx::AssertSqlSafe(format!("create database {name}"))).await?;
    let url = database_url_for(&name);
    let pool = db::connect(&url, 4).await?;
    db::MIGRATOR.run(&pool).await?;
    Ok((url, pool))
}

/// An empty database (not migrated), for the start-up checks.
pub async fn empty_database() -> anyhow::Result<String> {
    let name = format!("inloop_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&DATABASE_URL).await?;
    admin.execute(sqlx::AssertSqlSafe(format!("create database {name}"))).await?;
    Ok(database_url_for(&name))
}

fn database_url_for(name: &str) -> String {
    let base = DATABASE_URL.as_str();
    let without_db = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    format!("{without_db}/{name}")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    try_spawn_app(configure).await.expect("the test application starts")
}

async fn try_spawn_app(configure: impl FnOnce(&mut Settings)) -> anyhow::Result<TestApp> {
    let (database_url, pool) = fresh_database().await?;
    let redis_prefix = format!("test-{}", uuid::Uuid::new_v4().simple());
    let data_dir = std::env::temp_dir().join(&redis_prefix);
    let mut settings = test_settings(&database_url, data_dir.clone(), &redis_prefix);
    configure(&mut settings);
    // The fresh database, and the one the test chose instead if it did.
    let mut databases: Vec<String> = [database_url.as_str(), settings.database_url.expose()]
        .iter()
        .filter_map(|url| url.rsplit('/').next())
        .map(str::to_owned)
        .collect();
    databases.dedup();
    let redis_prefix = settings.redis_prefix.clone();
    let outbox = settings.outbox_dir();
    let app = Application::build(settings).await?;
    let address = format!("http://{}", app.local_addr());
    let state = app.state().clone();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    Ok(TestApp {
        address,
        db: pool,
        redis_prefix,
        outbox,
        client: new_client(),
        state,
        data_dir,
        databases,
        keep_data: false,
        shutdown: Some(shutdown),
    })
}

/// A client like a browser tab: keeps cookies, does not follow redirects (tests check them).
pub fn new_client() -> reqwest::Client {
    client_builder().build().expect("the HTTP client builds")
}

fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub async fn from(response: reqwest::Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let location =
            headers.get("location").and_then(|value| value.to_str().ok()).map(str::to_owned);
        let body = response.text().await.unwrap_or_default();
        Page { status, location, headers, body }
    }

    pub fn assert_redirect_to(&self, target: &str) {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a redirect, got {}: {}",
            self.status,
            self.body
        );
        assert_eq!(self.location.as_deref(), Some(target));
    }

    /// The page's own content, without the layout around it (which carries per-session tokens).
    pub fn main_content(&self) -> &str {
        let start = self.body.find("<main").expect("a main element");
        let end = self.body.find("</main>").expect("the main element ends");
        &self.body[start..end]
    }

    pub fn assert_contains(&self, text: &str) {
        assert!(
            self.body.contains(text),
            "expected {text:?} in the page ({}):\n{}",
            self.status,
            self.body
        );
    }
}

static CSRF_IN_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"name="csrf_token" value="([^"]+)""#).expect("valid regex"));
static CSRF_IN_HEADERS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"X-CSRF-Token&quot;:&quot;([^&]+)&quot;").expect("valid regex"));

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Page {
        Page::from(self.client.get(self.url(path)).send().await.expect("GET is answered")).await
    }

    pub async fn get_htmx(&self, path: &str) -> Page {
        let response = self.client.get(self.url(path)).header("HX-Request", "true").send().await;
        Page::from(response.expect("GET is answered")).await
    }

    /// The session's CSRF token, as a page would give it to a form.
    pub async fn csrf_token(&self) -> String {
        let page = self.get("/about/privacy").await;
        CSRF_IN_HEADERS
            .captures(&page.body)
            .or_else(|| CSRF_IN_PAGE.captures(&page.body))
            .map(|captures| captures[1].to_owned())
            .expect("the page carries a CSRF token")
    }

    /// Posts a form the way a browser does, with the session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// Posts exactly these fields: no token is added.
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let response = self.client.post(self.url(path)).form(fields).send().await;
        Page::from(response.expect("POST is answered")).await
    }

    pub async fn create_user(&self, username: &str, role: Role) -> i64 {
        let hash = inloop_app::auth::hash_password(PASSWORD).await.expect("hashing works");
        let new_user = db::users::NewUser {
            username,
            email: &format!("{username}@example.org"),
            password_hash: &hash,
            role,
            is_active: true,
            privacy_consent: true,
        };
        db::users::insert(&self.db, &new_user).await.expect("the user is created")
    }

    pub async fn login(&self, login: &str, password: &str) -> Page {
        self.post_form("/login", &[("login", login), ("password", password)]).await
    }

    /// Creates a user and logs this client in as them.
    pub async fn logged_in_as(&self, username: &str, role: Role) -> i64 {
        let user_id = self.create_user(username, role).await;
        self.login(username, PASSWORD).await.assert_redirect_to("/");
        user_id
    }

    /// A second browser on the same server, with its own cookies.
    /// Leaves the database and Redis keys in place when this app is dropped: for tests that
    /// stop a server and start another on the same data.
    pub fn keep_data_on_drop(&mut self) {
        self.keep_data = true;
    }

    pub fn other_client(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            db: self.db.clone(),
            redis_prefix: self.redis_prefix.clone(),
            outbox: self.outbox.clone(),
            client: new_client(),
            state: self.state.clone(),
            data_dir: self.data_dir.clone(),
            databases: Vec::new(),
            keep_data: true,
            shutdown: None,
        }
    }

    /// A new browser that a proxy in front of the server says comes from `address` (for servers
    /// run with `behind_proxy`).
    pub fn from_address(&self, address: &str) -> TestApp {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "X-Forwarded-For",
            reqwest::header::HeaderValue::from_str(address).expect("an address fits a header"),
        );
        let mut browser = self.other_client();
        browser.client =
            client_builder().default_headers(headers).build().expect("the HTTP client builds");
        browser
    }

    /// The same application reached through a reverse proxy at `address`, in a new session.
    /// Any TLS certificate is accepted: tests make their own for loopback.
    pub fn through_proxy(&self, address: &str) -> TestApp {
        let client = client_builder()
            .danger_accept_invalid_certs(true)
            .build()
            .expect("the HTTP client builds");
        let mut proxied = self.other_client();
        proxied.address = address.to_owned();
        proxied.client = client;
        proxied
    }

    /// Every mail in the outbox, oldest first, as text.
    pub fn mails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.outbox) else { return Vec::new() };
        let mut paths: Vec<PathBuf> =
            entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
        paths.retain(|path| path.extension().is_some_and(|extension| extension == "eml"));
        paths.sort();
        paths
            .iter()
            .filter_map(|path| std::fs::read_to_string(path).ok())
            // Undo quoted-printable line folding, as a mail client would.
            .map(|mail| mail.replace("=\r\n", "").replace("=3D", "="))
            .collect()
    }

    /// The outbox once it holds at least `count` mails: some are sent in the background.
    pub async fn wait_for_mails(&self, count: usize) -> Vec<String> {
        let mails = poll_until(
            Duration::from_secs(10),
            || std::future::ready(self.mails()),
            |mails| mails.len() >= count,
        )
        .await;
        assert!(
            mails.len() >= count,
            "expected {count} mails in the outbox, found {}",
            mails.len()
        );
        mails
    }

    /// The path of the first link in the newest mail that starts with `prefix`.
    pub fn link_in_last_mail(&self, prefix: &str) -> String {
        let mails = self.mails();
        let mail = mails.last().expect("a mail was sent");
        let pattern = Regex::new(&format!(r"http://inloop\.test({}[^\s]+)", regex::escape(prefix)))
            .expect("valid regex");
        pattern
            .captures(mail)
            .map(|captures| captures[1].to_owned())
            .unwrap_or_else(|| panic!("no {prefix} link in:\n{mail}"))
    }

    pub async fn set_site_setting(&self, sql_assignment: &'static str) {
        sqlx::query(sqlx::AssertSqlSafe(format!("update site_settings set {sql_assignment}")))
            .execute(&self.db)
            .await
            .expect("the setting is stored");
        self.state.forget_site_settings();
    }

    /// The session cookie a response set, with its attributes.
    pub fn session_cookie(&self, page: &Page) -> Option<String> {
        self.cookie_set(page, "inloop_session")
    }

    /// The cookie of this name a response set, with its attributes.
    pub fn cookie_set(&self, page: &Page, name: &str) -> Option<String> {
        page.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// How many sessions Redis holds for this server.
    pub async fn sessions_stored(&self) -> usize {
        let mut redis = self.state.redis.clone();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:session:*", self.redis_prefix))
            .query_async(&mut redis)
            .await
            .expect("Redis answers");
        keys.len()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
            let _ = std::fs::remove_dir_all(&self.data_dir);
            if !self.keep_data {
                clean_up(&self.databases, &self.redis_prefix);
            }
        }
    }
}

/// Drops a test's database and deletes its Redis keys, so that a run leaves nothing behind. On
/// a thread of its own: a drop cannot await, and the test's runtime may be a single thread.
fn clean_up(databases: &[String], redis_prefix: &str) {
    let databases: Vec<String> =
        databases.iter().filter(|name| name.starts_with("inloop_test_")).cloned().collect();
    let pattern = format!("{redis_prefix}:*");
    let cleaner = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        runtime.block_on(async move {
            if let Ok(mut admin) = sqlx::PgConnection::connect(&DATABASE_URL).await {
                for database in &databases {
                    let drop = format!("drop database if exists {database} with (force)");
                    let _ = admin.execute(sqlx::AssertSqlSafe(drop)).await;
                }
            }
            let Ok(client) = redis::Client::open(REDIS_URL.as_str()) else { return };
            let Ok(mut redis) = client.get_multiplexed_async_connection().await else { return };
            let keys: Vec<String> =
                match redis::cmd("KEYS").arg(&pattern).query_async(&mut redis).await {
                    Ok(keys) => keys,
                    Err(_) => return,
                };
            if !keys.is_empty() {
                let _: Result<(), _> = redis::cmd("DEL").arg(&keys).query_async(&mut redis).await;
            }
        });
    });
    let _ = cleaner.join();
}

/// A Git repository in a temporary folder that a test writes and commits to.
pub struct GitRepo {
    pub dir: PathBuf,
}

impl GitRepo {
    pub fn init() -> GitRepo {
        let dir =
            std::env::temp_dir().join(format!("inloop-repo-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("repo dir");
        let repo = GitRepo { dir };
        repo.git(&["init", "--quiet", "-b", "main"]);
        repo
    }

    pub fn git(&self, args: &[&str]) {
        let status = std::process::Command::new("git")
            .current_dir(&self.dir)
            .args(["-c", "user.name=Staff", "-c", "user.email=staff@example.org"])
            .args(args)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    pub fn write(&self, path: &str, contents: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, contents).expect("write");
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_dir_all(self.dir.join(path)).expect("remove");
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", message]);
    }

    pub fn url(&self) -> String {
        format!("file://{}", self.dir.display())
    }
}

impl Drop for GitRepo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The fixture task repository, committed into a fresh Git repository and synced into the app.
pub async fn sync_fixture_course(app: &TestApp) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tasks");
    let repo = GitRepo::init();
    copy_dir(&fixture, &repo.dir);
    repo.commit("course");
    // The repository must outlive the sync only; the published checkout is a copy.
    add_and_sync(app, "course", &repo).await;
}

/// An application with a task directory of its own and the fixture course synced into it.
pub async fn app_with_fixture_course() -> TestApp {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-course-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| settings.task_dir = Some(task_dir)).await;
    sync_fixture_course(&app).await;
    app
}

/// Registers a task repository under `name` (branch `main`) and syncs it once.
pub async fn add_and_sync(app: &TestApp, name: &str, repo: &GitRepo) {
    db::repositories::insert(&app.db, name, &repo.url(), "main", "secret")
        .await
        .expect("repository");
    let repository =
        db::repositories::find_by_name(&app.db, name).await.expect("query").expect("repository");
    inloop_app::taskrepo::sync_repository(&app.db, &app.state.task_source, &repository)
        .await
        .expect("sync");
}

/// Syncs a registered repository again (after new commits).
pub async fn add_and_sync_again(app: &TestApp, name: &str) {
    let repository =
        db::repositories::find_by_name(&app.db, name).await.expect("query").expect("repository");
    inloop_app::taskrepo::sync_repository(&app.db, &app.state.task_source, &repository)
        .await
        .expect("sync");
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read").filter_map(Result::ok) {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// A process a test started, killed with SIGKILL when dropped so that a failing test leaves
/// nothing running.
pub struct ChildProcess(pub std::process::Child);

impl ChildProcess {
    /// SIGKILL now: the process runs no shutdown code.
    pub fn kill(&mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaped");
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A runner host grading in this process until dropped.
pub struct Runner {
    stop: tokio::sync::watch::Sender<bool>,
    pub id: String,
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        // The test's runtime ends with the test, and with it the runner, which can then no longer
        // stop a run it had going: such a container would run on, using up the machine.
        remove_containers_of(&self.id);
    }
}

/// Removes every container a runner (by its id) started, waiting until they are gone.
pub fn remove_containers_of(runner_id: &str) {
    let label = format!("label=org.inloop.runner={runner_id}");
    let listed =
        std::process::Command::new("docker").args(["ps", "-aq", "--filter", &label]).output();
    let ids: Vec<String> = listed
        .map(|output| String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect())
        .unwrap_or_default();
    if !ids.is_empty() {
        let _ = std::process::Command::new("docker").args(["rm", "-f"]).args(&ids).output();
    }
}

/// `target/<profile>`, where cargo puts the plugin libraries: next to a binary, one folder up
/// from a test binary (which lives in `deps/`).
pub fn plugin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().expect("binary directory");
    if dir.ends_with("deps") {
        dir.parent().expect("target directory").to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

pub fn start_runner(app: &TestApp, slots: usize) -> Runner {
    start_runner_on(app, slots, &REDIS_URL)
}

/// A runner host in this process that takes its jobs from the given Redis.
pub fn start_runner_on(app: &TestApp, slots: usize, redis_url: &str) -> Runner {
    start_runner_with(app, slots, redis_url, &app.state.task_source.task_dir)
}

/// A runner host that looks for the task directory at `task_dir`, as if it were mounted there.
pub fn start_runner_seeing(app: &TestApp, slots: usize, task_dir: &Path) -> Runner {
    start_runner_with(app, slots, &REDIS_URL, task_dir)
}

/// A runner host whose per-run directories go into `work_dir` (a small tmpfs, say).
pub fn start_runner_working_in(app: &TestApp, slots: usize, work_dir: &Path) -> Runner {
    let id = format!("test-runner-{}", uuid::Uuid::new_v4().simple());
    spawn_runner(
        app,
        slots,
        &REDIS_URL,
        &app.state.task_source.task_dir,
        work_dir.to_path_buf(),
        id,
    )
}

fn start_runner_with(app: &TestApp, slots: usize, redis_url: &str, task_dir: &Path) -> Runner {
    let id = format!("test-runner-{}", uuid::Uuid::new_v4().simple());
    let work_dir = std::env::temp_dir().join("inloop-test-runs").join(&id);
    spawn_runner(app, slots, redis_url, task_dir, work_dir, id)
}

fn spawn_runner(
    app: &TestApp,
    slots: usize,
    redis_url: &str,
    task_dir: &Path,
    work_dir: PathBuf,
    id: String,
) -> Runner {
    let config = inloop_runners::host::RunnerConfig {
        redis_url: redis_url.to_owned(),
        redis_prefix: app.redis_prefix.clone(),
        task_dir: task_dir.to_path_buf(),
        slots,
        grader: inloop_runners::grade::GraderConfig {
            plugin_dir: plugin_dir(),
            work_dir,
            ceilings: inloop_protocol::limits::Ceilings::default(),
            report_caps: inloop_runners::workspace::ReportCaps::default(),
            runner_id: id.clone(),
            parse_helper: plugin_dir().join("inloop"),
        },
        watch: inloop_runners::watch::WatchMode::Native,
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        if let Err(err) = inloop_runners::host::run(config, stopped).await {
            panic!("the test runner failed: {err}");
        }
    });
    Runner { stop, id }
}

/// An event stream's text as it arrives, kept so that a failing test can show what came.
pub struct EventStream {
    response: reqwest::Response,
    pub seen: String,
}

impl EventStream {
    pub fn new(response: reqwest::Response) -> Self {
        EventStream { response, seen: String::new() }
    }

    /// Reads until `wanted` has arrived; false when the stream ends or `within` runs out first.
    pub async fn until(&mut self, wanted: &str, within: Duration) -> bool {
        let reading = async {
            while !self.seen.contains(wanted) {
                match self.response.chunk().await {
                    Ok(Some(chunk)) => self.seen.push_str(&String::from_utf8_lossy(&chunk)),
                    _ => return false,
                }
            }
            true
        };
        tokio::time::timeout(within, reading).await.unwrap_or(false)
    }

    /// Reads until the server ends the stream; false when `within` runs out first.
    pub async fn ends_within(&mut self, within: Duration) -> bool {
        let reading = async {
            while let Ok(Some(chunk)) = self.response.chunk().await {
                self.seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        tokio::time::timeout(within, reading).await.is_ok()
    }
}

/// Java solutions of the fixture task `a-counter`, for tests that need a verdict.
pub mod counters {
    pub const PASSES: &str = "public class Counter {\n  private int n;\n  public void increment() { n++; }\n  public int get() { return n; }\n  public void reset() { n = 0; }\n}\n";
    pub const FAILS: &str = "public class Counter {\n  public void increment() {}\n  public int get() { return 0; }\n  public void reset() {}\n}\n";
    /// Passes, after four seconds in its container.
    pub const SLOW: &str = "public class Counter {
    static { try { Thread.sleep(4000); } catch (InterruptedException e) { } }
    private int n;
    public void increment() { n++; }
    public int get() { return n; }
    public void reset() { n = 0; }
}
";
}

/// The PostgreSQL server the tests share (`INLOOP_TEST_DATABASE_URL`).
pub fn database_server_url() -> &'static str {
    &DATABASE_URL
}

/// The Redis the tests share (`INLOOP_TEST_REDIS_URL`).
pub fn redis_url() -> &'static str {
    &REDIS_URL
}

/// The id in a solution's path (`/solutions/<id>`).
pub fn solution_id(path: &str) -> i64 {
    path.trim_start_matches("/solutions/").parse().unwrap_or_else(|_| panic!("no id in {path}"))
}

impl TestApp {
    /// Uploads files and returns the new solution's path, where the upload redirects.
    pub async fn submitted(&self, slug: &str, files: &[(&str, &str)]) -> String {
        let page = self.submit(slug, files).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "the upload was refused: {}", page.body);
        page.location.expect("a redirect to the solution")
    }

    /// Uploads files as the no-JavaScript form does; returns the response.
    pub async fn submit(&self, slug: &str, files: &[(&str, &str)]) -> Page {
        let token = self.csrf_token().await;
        let mut form = reqwest::multipart::Form::new().text("csrf_token", token);
        for (name, contents) in files {
            form = form.part(
                "files",
                reqwest::multipart::Part::bytes(contents.as_bytes().to_vec())
                    .file_name((*name).to_owned()),
            );
        }
        let response = self
            .client
            .post(self.url(&format!("/tasks/{slug}/submit")))
            .multipart(form)
            .send()
            .await;
        Page::from(response.expect("the upload is answered")).await
    }

    /// Jobs taken by runner hosts and not yet finished.
    pub async fn jobs_pending(&self) -> i64 {
        let mut redis = self.state.redis.clone();
        let summary: (i64, redis::Value, redis::Value, redis::Value) = redis::cmd("XPENDING")
            .arg(format!("{}:jobs", self.redis_prefix))
            .arg("runners")
            .query_async(&mut redis)
            .await
            .expect("XPENDING of the jobs stream");
        summary.0
    }

    /// The runner host that graded a solution, by its id.
    pub async fn graded_by(&self, solution_path: &str) -> String {
        sqlx::query_scalar("select runner from results where solution_id = $1")
            .bind(solution_id(solution_path))
            .fetch_one(&self.db)
            .await
            .expect("the solution's result")
    }

    /// Follows a solution's status until its verdict is final (`data-verdict`), and returns it.
    pub async fn wait_for_verdict(&self, solution_path: &str) -> String {
        let pattern = Regex::new(r#"data-verdict="([a-z_]+)""#).expect("regex");
        let what = format!("a verdict for {solution_path}");
        eventually(Duration::from_secs(60), &what, || async {
            let page = self.get(&format!("{solution_path}/status")).await;
            pattern.captures(&page.body).map(|found| found[1].to_owned())
        })
        .await
    }
}

/// A loopback port for a server a test starts itself (nginx, a Redis of its own). Taken below
/// the kernel's ephemeral range, so that no server binding port 0 and no outgoing connection
/// can take it between now and the test's bind, and never the same twice in one test process.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    const FIRST: u16 = 20_000;
    const COUNT: u16 = 12_000;
    static NEXT: LazyLock<AtomicU16> =
        LazyLock::new(|| AtomicU16::new((std::process::id() % u32::from(COUNT)) as u16));
    for _ in 0..COUNT {
        let port = FIRST + NEXT.fetch_add(1, Ordering::Relaxed) % COUNT;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port between {FIRST} and {}", FIRST + COUNT);
}

/// Asks `probe` again and again (every 50 ms at first, then less often, at most every half
/// second) until `done` holds for its answer or `timeout` has passed, and returns the last
/// answer either way: the test's own assertions judge it and print it when it is wrong.
pub async fn poll_until<T, F, Fut>(timeout: Duration, mut probe: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    loop {
        let answer = probe().await;
        if done(&answer) || tokio::time::Instant::now() >= deadline {
            return answer;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

/// `probe` until it answers `Some`, which is returned; panics naming `what` after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    match poll_until(timeout, probe, Option::is_some).await {
        Some(answer) => answer,
        None => panic!("{what}: not within {timeout:?}"),
    }
}

/// The hostile corpus (`fixtures/hostile`): solutions written to break the grading, each with
/// the verdict it must get.
pub mod hostile {
    use std::path::{Path, PathBuf};

    use inloop_plugin_api::report::{Report, Verdict};

    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMore {
        One(Verdict),
        AnyOf(Vec<Verdict>),
    }

    #[derive(serde::Deserialize)]
    struct Expected {
        verdict: OneOrMore,
        #[serde(default)]
        truncated: bool,
        #[serde(default)]
        note_contains: Option<String>,
        #[serde(default)]
        message_contains: Option<String>,
        #[serde(default)]
        output_contains: Option<String>,
    }

    pub struct Case {
        pub name: String,
        /// The fixture task's folder it is graded for.
        pub task: &'static str,
        /// Its address on the site.
        pub slug: &'static str,
        pub files: Vec<(String, Vec<u8>)>,
        expected: Expected,
    }

    /// What a run of a case came to.
    pub struct Outcome<'a> {
        pub report: &'a Report,
        pub console: &'a str,
        pub truncated: bool,
    }

    pub fn corpus() -> Vec<Case> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
            .expect("the corpus")
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.is_dir())
            .collect();
        dirs.sort();
        dirs.into_iter()
            .map(|dir| {
                let expected = serde_json::from_slice(
                    &std::fs::read(dir.join("expected.json")).expect("expected.json"),
                )
                .unwrap_or_else(|err| panic!("{}: expected.json: {err}", dir.display()));
                let java = dir.join("Counter.java").is_file();
                let file = if java { "Counter.java" } else { "probe.py" };
                Case {
                    name: dir.file_name().expect("a name").to_string_lossy().into_owned(),
                    task: if java { "java-counter" } else { "python-hostile" },
                    slug: if java { "a-counter" } else { "sandbox-probe" },
                    files: vec![(
                        file.to_owned(),
                        std::fs::read(dir.join(file)).expect("the file"),
                    )],
                    expected,
                }
            })
            .collect()
    }

    impl Case {
        /// What is wrong with the outcome, if anything.
        pub fn check(&self, outcome: &Outcome<'_>) -> Vec<String> {
            let name = &self.name;
            let mut problems = Vec::new();
            let notes = outcome.report.notes.join(" | ");
            let messages: Vec<&str> =
                outcome.report.tests.iter().filter_map(|test| test.message.as_deref()).collect();
            let allowed = match &self.expected.verdict {
                OneOrMore::One(verdict) => *verdict == outcome.report.verdict,
                OneOrMore::AnyOf(verdicts) => verdicts.contains(&outcome.report.verdict),
            };
            if !allowed {
                problems.push(format!(
                    "{name}: verdict {:?} is not the expected one (notes: {notes}; messages: {messages:?})",
                    outcome.report.verdict
                ));
            }
            if self.expected.truncated
                && !(outcome.truncated && outcome.console.contains("[output truncated"))
            {
                problems.push(format!("{name}: output was not marked as truncated"));
            }
            if outcome.console.len() > 200 << 10 {
                problems.push(format!("{name}: {} bytes of output kept", outcome.console.len()));
            }
            if outcome.console.contains('\0') || messages.iter().any(|m| m.contains('\0')) {
                problems.push(format!("{name}: a NUL character was kept"));
            }
            if let Some(wanted) = &self.expected.note_contains
                && !notes.contains(wanted.as_str())
            {
                problems.push(format!("{name}: no note containing {wanted:?} in {notes:?}"));
            }
            if let Some(wanted) = &self.expected.message_contains
                && !messages.iter().any(|message| message.contains(wanted.as_str()))
            {
                problems
                    .push(format!("{name}: no test message containing {wanted:?} in {messages:?}"));
            }
            if let Some(wanted) = &self.expected.output_contains
                && !outcome.console.contains(wanted.as_str())
            {
                problems.push(format!("{name}: no output containing {wanted:?}"));
            }
            problems
        }
    }
}
