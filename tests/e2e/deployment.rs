//! The files an admin installs from `nfs-setup/`, used for real: the shipped nginx site in front
//! of the application, and a runner host logged in to Redis as the user the shipped script
//! creates.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use inloop_app::db::users::Role;
use inloop_tests::{
    ChildProcess, EventStream, PASSWORD, TestApp, app_with_fixture_course, counters, redis_url,
    spawn_app_with, start_runner, start_runner_on, sync_fixture_course,
};
use reqwest::StatusCode;

fn setup_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../nfs-setup").join(path)
}

/// Replaces `from` with `to`, insisting that the shipped file still says `from`.
fn substitute(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "nginx-inloop.conf no longer contains {from:?}");
    text.replace(from, to)
}

/// nginx with `nfs-setup/web-host/nginx-inloop.conf` on loopback ports, killed when dropped.
struct Nginx {
    https_port: u16,
    http_port: u16,
    _process: ChildProcess,
}

impl Nginx {
    /// Ports first: the application's `public_url` names the HTTPS one.
    fn ports() -> (u16, u16) {
        (inloop_tests::free_port(), inloop_tests::free_port())
    }

    fn start(app: &TestApp, ports: (u16, u16)) -> Nginx {
        Self::start_before(&[app], ports)
    }

    /// In front of several application servers, as the site's upstream lists them.
    fn start_before(apps: &[&TestApp], (https_port, http_port): (u16, u16)) -> Nginx {
        let dir = std::env::temp_dir().join(format!("inloop-nginx-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("nginx folder");
        let made = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"])
            .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"])
            .arg("-keyout")
            .arg(dir.join("privkey.pem"))
            .arg("-out")
            .arg(dir.join("fullchain.pem"))
            .output()
            .expect("openssl runs");
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));

        let site = std::fs::read_to_string(setup_file("web-host/nginx-inloop.conf"))
            .expect("the shipped nginx site");
        let upstream: String = apps
            .iter()
            .map(|app| format!("server {};\n", app.address.trim_start_matches("http://")))
            .collect();
        let site = substitute(&site, "listen 80;", &format!("listen 127.0.0.1:{http_port};"));
        let site = substitute(&site, "listen [::]:80;", "");
        let site = substitute(
            &site,
            "listen 443 ssl http2;",
            &format!("listen 127.0.0.1:{https_port} ssl http2;"),
        );
        let site = substitute(&site, "listen [::]:443 ssl http2;", "");
        let site = substitute(&site, "server 127.0.0.1:8000;\n", &upstream);
        let site = substitute(&site, "/etc/ssl/inloop/", &format!("{}/", dir.display()));
        std::fs::write(dir.join("site.conf"), site).expect("site");
        let d = dir.display();
        // One process, no workers: killing it when the test ends leaves nothing behind.
        let main = format!(
            "master_process off;\ndaemon off;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\nevents {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  \
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  \
             uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/site.conf;\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), main).expect("main configuration");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-e")
            .arg(dir.join("error.log"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx runs (./inloop.sh test installs it)");
        let mut process = ChildProcess(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        // Both ports, and nginx still running: it listens on the first before it finds it
        // cannot bind the second, then gives up.
        let listening = |port: u16| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        while !(listening(https_port) && listening(http_port)) {
            let exited = process.0.try_wait().expect("nginx's state");
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
                panic!("nginx did not start ({exited:?}):\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Nginx { https_port, http_port, _process: process }
    }

    fn https(&self) -> String {
        format!("https://127.0.0.1:{}", self.https_port)
    }
}

async fn app_behind_nginx(
    configure: impl FnOnce(&mut inloop_app::config::Settings),
) -> (TestApp, Nginx) {
    let ports = Nginx::ports();
    let task_dir = std::env::temp_dir().join(format!("inloop-proxied-{}", uuid::Uuid::new_v4()));
    let app = spawn_app_with(|settings| {
        settings.behind_proxy = true;
        settings.public_url = format!("https://127.0.0.1:{}", ports.0);
        settings.task_dir = Some(task_dir);
        configure(settings);
    })
    .await;
    let nginx = Nginx::start(&app, ports);
    (app, nginx)
}

#[tokio::test]
async fn behind_the_shipped_nginx_site_tls_sessions_limits_and_uploads_work() {
    let (app, nginx) =
        app_behind_nginx(|settings| settings.rate_limits.login_per_address = 3).await;
    sync_fixture_course(&app).await;
    let browser = app.through_proxy(&nginx.https());

    // Plain HTTP is sent to HTTPS.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(format!("http://127.0.0.1:{}/login", nginx.http_port))
        .send()
        .await
        .expect("an answer on port 80's stand-in");
    assert_eq!(plain.status(), StatusCode::MOVED_PERMANENTLY);
    let location = plain.headers()["location"].to_str().expect("location");
    assert!(
        location.starts_with("https://127.0.0.1") && location.ends_with("/login"),
        "{location}"
    );

    // Over TLS: a Secure session cookie, HSTS, and logging in works through the proxy.
    let login = browser.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(
        browser
            .cookie_set(&login, "__Host-inloop_csrf")
            .expect("a token cookie")
            .contains("Secure")
    );
    assert!(login.headers.contains_key("strict-transport-security"));
    app.create_user("stu", Role::Student).await;
    let logged_in = browser.login("stu", PASSWORD).await;
    logged_in.assert_redirect_to("/");
    assert!(browser.session_cookie(&logged_in).expect("a session cookie").contains("Secure"));
    browser.get("/").await.assert_contains("Hello, stu");

    // An upload over the application's size limit reaches the application, which says why.
    let huge = "x".repeat(1536 * 1024);
    let refused = browser.submit("a-counter", &[("Counter.java", &huge)]).await;
    assert_ne!(refused.status, StatusCode::PAYLOAD_TOO_LARGE, "nginx refused it, not INLOOP");
    refused.assert_redirect_to("/tasks/a-counter#submit");
    browser.get("/tasks/a-counter").await.assert_contains("Counter.java is larger than 256 KB.");

    // Made-up X-Forwarded-For entries do not give one client fresh login attempts: the limit
    // (three per address) counts the address nginx appended, which already logged in once.
    let stranger = app.through_proxy(&nginx.https());
    let token = stranger.csrf_token().await;
    let mut statuses = Vec::new();
    for attempt in 1..=4 {
        let login = format!("nobody{attempt}");
        let response = stranger
            .client
            .post(stranger.url("/login"))
            .header("X-Forwarded-For", format!("203.0.113.{attempt}"))
            .form(&[("csrf_token", token.as_str()), ("login", &login), ("password", "wrong pw")])
            .send()
            .await
            .expect("answered");
        statuses.push(response.status());
    }
    let (refused, limited) = (StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(statuses, [refused, refused, limited, limited]);
}

#[tokio::test]
async fn the_live_status_streams_through_the_shipped_nginx_site() {
    let (app, nginx) = app_behind_nginx(|_| {}).await;
    sync_fixture_course(&app).await;
    let browser = app.through_proxy(&nginx.https());
    app.create_user("stu", Role::Student).await;
    browser.login("stu", PASSWORD).await.assert_redirect_to("/");
    let path = browser.submitted("a-counter", &[("Counter.java", counters::PASSES)]).await;

    // No runner yet: the first event (waiting) must come through at once, not when a buffer
    // fills or the stream ends.
    let response =
        browser.client.get(browser.url(&format!("{path}/events"))).send().await.expect("events");
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut events = EventStream::new(response);
    let first = events.until("event: status", Duration::from_secs(5)).await;
    assert!(first, "no status event came through nginx within 5 s: {:?}", events.seen);
    assert!(!events.seen.contains("data-verdict"), "{}", events.seen);

    let _runner = start_runner(&app, 1);
    let verdict = events.until(r#"data-verdict="passed""#, Duration::from_secs(60)).await;
    assert!(verdict, "events seen:\n{}", events.seen);
    assert_eq!(browser.wait_for_verdict(&path).await, "passed");
}

#[tokio::test]
async fn a_runner_host_logged_in_as_the_shipped_redis_user_grades_and_may_do_nothing_else() {
    let app = app_with_fixture_course().await;
    let user = format!("runner-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let password = uuid::Uuid::new_v4().simple().to_string();
    let script = Command::new("bash")
        .arg(setup_file("web-host/redis-runner-user.sh"))
        .args([redis_url(), user.as_str(), app.redis_prefix.as_str()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the script runs");
    let output = {
        let mut script = script;
        use std::io::Write;
        let mut stdin = script.stdin.take().expect("stdin");
        writeln!(stdin, "{password}").expect("the password");
        drop(stdin);
        script.wait_with_output().expect("the script ends")
    };
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(!printed.contains(&password), "the password is never printed: {printed}");

    let as_runner = redis_url().replacen("redis://", &format!("redis://{user}:{password}@"), 1);
    let runner = start_runner_on(&app, 1, &as_runner);
    app.logged_in_as("stu", Role::Student).await;
    let path = app.submitted("a-counter", &[("Counter.java", counters::FAILS)]).await;
    assert_eq!(app.wait_for_verdict(&path).await, "failed");
    assert_eq!(app.graded_by(&path).await, runner.id);

    // Everything beyond grading is refused: sessions, other keys, other prefixes, admin commands.
    let client = redis::Client::open(as_runner.as_str()).expect("client");
    let mut redis = client.get_multiplexed_async_connection().await.expect("logged in");
    let prefix = &app.redis_prefix;
    let session = format!("{prefix}:session:x");
    let outside = format!("{prefix}:x");
    let results = format!("{prefix}:results");
    let jobs = format!("{prefix}:jobs");
    let attempts: [(&str, &[&str]); 12] = [
        ("read a session", &["GET", &session]),
        ("list keys", &["KEYS", "*"]),
        ("write outside grading", &["SET", &outside, "1"]),
        ("another course's jobs", &["XADD", "other:jobs", "*", "a", "b"]),
        ("flush", &["FLUSHALL"]),
        ("change users", &["ACL", "LIST"]),
        ("read the results", &["XRANGE", &results, "-", "+"]),
        (
            "read the results as the web",
            &["XREADGROUP", "GROUP", "web", "x", "STREAMS", &results, ">"],
        ),
        ("delete results", &["XDEL", &results, "0-1"]),
        ("trim the results", &["XTRIM", &results, "MAXLEN", "0"]),
        ("drop the results", &["DEL", &results]),
        ("send a job", &["XADD", &jobs, "*", "data", "{}"]),
    ];
    for (what, words) in attempts {
        let mut command = redis::cmd(words[0]);
        command.arg(&words[1..]);
        let answer: redis::RedisResult<redis::Value> = command.query_async(&mut redis).await;
        let error = answer.expect_err(what);
        assert!(error.to_string().to_lowercase().contains("noperm"), "{what}: {error}");
    }
    let mut admin = app.state.redis.clone();
    let _: redis::RedisResult<i64> =
        redis::cmd("ACL").arg("DELUSER").arg(&user).query_async(&mut admin).await;
}

/// The session cookie a login set, as a `Cookie` header for requests that go to one server
/// directly (the browser's jar keeps it for the proxy's HTTPS address only).
fn cookie_header(browser: &TestApp, login: &inloop_tests::Page) -> String {
    let cookie = browser.session_cookie(login).expect("a session at login");
    cookie.split(';').next().expect("name=value").to_owned()
}

#[tokio::test]
async fn two_web_servers_share_students_and_live_status_and_lose_no_stream_when_one_stops() {
    let ports = Nginx::ports();
    let task_dir = std::env::temp_dir().join(format!("inloop-two-{}", uuid::Uuid::new_v4()));
    let web = |web_id: &'static str| {
        let task_dir = task_dir.clone();
        move |settings: &mut inloop_app::config::Settings| {
            settings.behind_proxy = true;
            settings.public_url = format!("https://127.0.0.1:{}", ports.0);
            settings.task_dir = Some(task_dir);
            settings.web_id = Some(web_id.to_owned());
        }
    };
    let one = spawn_app_with(web("web-one")).await;
    let (database_url, prefix) =
        (one.state.settings.database_url.clone(), one.redis_prefix.clone());
    let mut two = spawn_app_with(|settings| {
        web("web-two")(settings);
        settings.database_url = database_url;
        settings.redis_prefix = prefix;
    })
    .await;
    two.keep_data_on_drop();
    sync_fixture_course(&one).await;
    let nginx = Nginx::start_before(&[&one, &two], ports);
    let browser = one.through_proxy(&nginx.https());
    one.create_user("stu", Role::Student).await;
    let login = browser.login("stu", PASSWORD).await;
    login.assert_redirect_to("/");
    // nginx takes turns: the session, kept in Redis, holds on both servers.
    for _ in 0..4 {
        browser.get("/").await.assert_contains("Hello, stu");
    }

    // Handed in through one server, watched live through the other.
    let cookie = cookie_header(&browser, &login);
    let direct = inloop_tests::new_client();
    let page = direct
        .get(one.url("/tasks/a-counter"))
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("the task page")
        .text()
        .await
        .expect("text");
    let token = regex::Regex::new(r"X-CSRF-Token&quot;:&quot;([^&]+)&quot;")
        .expect("regex")
        .captures(&page)
        .map(|found| found[1].to_owned())
        .expect("the page's token");
    let form = reqwest::multipart::Form::new().text("csrf_token", token).part(
        "files",
        reqwest::multipart::Part::bytes(counters::PASSES.as_bytes().to_vec())
            .file_name("Counter.java"),
    );
    let submitted = direct
        .post(one.url("/tasks/a-counter/submit"))
        .header("Cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .expect("submitted");
    assert_eq!(submitted.status(), StatusCode::SEE_OTHER);
    let path = submitted.headers()["location"].to_str().expect("location").to_owned();
    let stream = direct
        .get(two.url(&format!("{path}/events")))
        .header("Cookie", &cookie)
        .send()
        .await
        .expect("events");
    assert_eq!(stream.status(), StatusCode::OK);
    let mut events = EventStream::new(stream);
    assert!(events.until("event: status", Duration::from_secs(5)).await, "{}", events.seen);
    assert_eq!((one.state.events.open_streams(), two.state.events.open_streams()), (0, 1));
    let _runner = start_runner(&one, 1);
    let verdict = events.until(r#"data-verdict="passed""#, Duration::from_secs(90)).await;
    assert!(verdict, "the verdict reached the other server's stream:\n{}", events.seen);

    // A second solution, watched through the proxy, from the second server (nginx takes turns:
    // a stream the first server took is closed and asked for again); that server then stops.
    let second = browser.submitted("a-counter", &[("Counter.java", counters::SLOW)]).await;
    let mut events = None;
    for _ in 0..8 {
        let stream = browser
            .client
            .get(browser.url(&format!("{second}/events")))
            .send()
            .await
            .expect("events");
        let mut opened = EventStream::new(stream);
        assert!(opened.until("event: status", Duration::from_secs(5)).await, "{}", opened.seen);
        if two.state.events.open_streams() == 1 {
            events = Some(opened);
            break;
        }
    }
    let mut events = events.expect("nginx sends some requests to the second server");
    let opened_before = one.state.events.streams_opened();
    drop(two);
    // The stream ends with its server; the page opens it again through the proxy, which now
    // reaches the server left, and the verdict arrives there.
    assert!(events.ends_within(Duration::from_secs(20)).await, "{}", events.seen);
    let again = inloop_tests::eventually(Duration::from_secs(20), "a stream again", || async {
        let response =
            browser.client.get(browser.url(&format!("{second}/events"))).send().await.ok()?;
        (response.status() == StatusCode::OK).then_some(response)
    })
    .await;
    let mut events = EventStream::new(again);
    let verdict = events.until(r#"data-verdict="passed""#, Duration::from_secs(90)).await;
    assert!(verdict, "after the restart:\n{}", events.seen);
    assert!(one.state.events.streams_opened() > opened_before, "the first server took it over");
    browser.get("/").await.assert_contains("Hello, stu");
}
