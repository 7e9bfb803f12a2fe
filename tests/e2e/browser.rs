//! The site in Debian's chromium, driven through chromedriver: what a person with a browser sees.

use std::{
    net::TcpListener,
    process::{Command, Stdio},
    time::Duration,
};

use fantoccini::{
    Client, ClientBuilder, Locator,
    actions::{InputSource, KeyAction, KeyActions},
    key::Key,
};
use hyper_util::client::legacy::connect::HttpConnector;
use inloop_app::db::users::Role;
use inloop_tests::{PASSWORD, eventually, poll_until, spawn_app};

/// A chromedriver process for one test, killed when the test ends.
struct Driver {
    _process: inloop_tests::ChildProcess,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let process = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (./inloop.sh test installs Debian's chromium-driver)");
        Driver { _process: inloop_tests::ChildProcess(process), port }
    }

    async fn browser(&self) -> Client {
        self.browser_with(&[]).await
    }

    /// A browser with more command-line switches, such as one that turns JavaScript off.
    async fn browser_with(&self, switches: &[&str]) -> Client {
        let profile =
            std::env::temp_dir().join(format!("inloop-chromium-{}", uuid::Uuid::new_v4().simple()));
        let mut capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--no-first-run", "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        if let Some(args) = capabilities["goog:chromeOptions"]["args"].as_array_mut() {
            args.extend(switches.iter().map(|switch| serde_json::json!(switch)));
        }
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!() };
        // chromedriver listens on loopback: plain HTTP, no TLS stack needed.
        let address = format!("http://127.0.0.1:{}", self.port);
        poll_until(
            Duration::from_secs(20),
            || async {
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(capabilities.clone())
                    .connect(&address)
                    .await
            },
            Result::is_ok,
        )
        .await
        .unwrap_or_else(|err| panic!("chromium did not start through chromedriver: {err}"))
    }
}

async fn type_into(browser: &Client, css: &str, text: &str) {
    let element = browser.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
    element.send_keys(text).await.unwrap_or_else(|_| panic!("cannot type into {css}"));
}

async fn click(browser: &Client, css: &str) {
    let element = browser.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}"));
    element.click().await.unwrap_or_else(|_| panic!("cannot click {css}"));
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser.find(Locator::Css(css)).await.expect(css).text().await.expect("text")
}

async fn wait_for_text(browser: &Client, css: &str, wanted: &str) {
    let text = poll_until(
        Duration::from_secs(10),
        || async {
            match browser.find(Locator::Css(css)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            }
        },
        |text| text.contains(wanted),
    )
    .await;
    assert!(text.contains(wanted), "{wanted:?} never appeared in {css}; last text: {text:?}");
}

#[tokio::test]
async fn a_person_logs_in_searches_users_live_and_logs_out_in_chromium() {
    let app = spawn_app().await;
    app.create_user("ada", Role::Admin).await;
    app.create_user("zoe", Role::Student).await;
    app.create_user("yann", Role::Student).await;
    let driver = Driver::start();
    let browser = driver.browser().await;

    browser.goto(&app.url("/")).await.expect("login page");
    type_into(&browser, "#field-login", "ada").await;
    let password = browser.find(Locator::Css("#field-password")).await.expect("password field");
    password.send_keys(PASSWORD).await.expect("type");
    password.send_keys(&Key::Enter.to_string()).await.expect("submit with Enter");
    wait_for_text(&browser, "h1", "Hello, ada").await;

    // htmx and our stylesheet load under the strict Content-Security-Policy.
    let htmx_loaded = browser
        .execute("return typeof htmx === 'object' && typeof htmx.version === 'string';", vec![])
        .await
        .expect("script");
    assert_eq!(htmx_loaded, serde_json::Value::Bool(true), "htmx loaded despite the CSP");
    let styled = browser
        .execute(
            "return getComputedStyle(document.querySelector('.site-header')).borderBottomStyle;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(styled, serde_json::json!("solid"), "the stylesheet applies");

    browser.goto(&app.url("/staff/users")).await.expect("users page");
    wait_for_text(&browser, "#user-results", "yann@example.org").await;
    browser.execute("window.notReloaded = true;", vec![]).await.expect("marker");
    type_into(&browser, "#field-q", "zo").await;
    wait_for_text(&browser, "#user-results", "1 user(s)").await;
    assert!(text_of(&browser, "#user-results").await.contains("zoe@example.org"));
    let same_page =
        browser.execute("return window.notReloaded === true;", vec![]).await.expect("script");
    assert_eq!(same_page, serde_json::Value::Bool(true), "results were swapped in, not reloaded");
    assert!(
        browser.current_url().await.expect("url").as_str().contains("q=zo"),
        "the search is in the address bar"
    );

    click(&browser, "form[action='/logout'] button").await;
    wait_for_text(&browser, "main", "You have been logged out").await;
    browser.close().await.expect("browser closes");
}

#[tokio::test]
async fn forms_work_without_javascript_and_show_errors_next_to_fields() {
    let app = spawn_app().await;
    app.set_site_setting("signup_allowed = true").await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    browser.goto(&app.url("/account/signup")).await.expect("signup page");
    // Disable htmx entirely: the page must work as plain HTML.
    browser.execute("document.querySelectorAll('script').forEach(s => s.remove()); window.htmx = undefined;", vec![]).await.expect("script");
    type_into(&browser, "#field-username", "new-student").await;
    type_into(&browser, "#field-email", "new@example.org").await;
    type_into(&browser, "#field-password1", "short").await;
    click(&browser, "form button[type=submit]").await;
    wait_for_text(&browser, "#field-password1-error", "too short").await;
    let invalid = browser
        .find(Locator::Css("#field-password1"))
        .await
        .expect("field")
        .attr("aria-invalid")
        .await
        .expect("attribute");
    assert_eq!(invalid.as_deref(), Some("true"), "screen readers learn which field is wrong");
    let kept = browser
        .find(Locator::Css("#field-username"))
        .await
        .expect("field")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("new-student"), "what was typed is kept");
    browser.close().await.expect("browser closes");
}

#[tokio::test]
async fn a_student_uploads_a_solution_and_watches_the_verdict_arrive() {
    let (app, _runner, dir) = course_with_a_student(true).await;
    let solution = dir.join("Counter.java");
    std::fs::write(&solution, counter_solution()).expect("solution file");

    let driver = Driver::start();
    let browser = driver.browser().await;
    log_in(&browser, &app, "stu").await;

    browser.goto(&app.url("/tasks/a-counter")).await.expect("task page");
    click(&browser, ".upload-instead summary").await;
    let upload = browser.find(Locator::Css("#field-files")).await.expect("file input");
    upload.send_keys(&solution.display().to_string()).await.expect("choose file");
    click(&browser, "#submit button[type=submit]").await;
    wait_for_text(&browser, "h1", "Solution #1").await;

    let verdict = verdict_shown(&browser, "[data-verdict]").await;
    assert_eq!(verdict.as_deref(), Some("passed"), "the verdict appeared on the page");
    let url = browser.current_url().await.expect("url");
    assert!(url.path().starts_with("/solutions/"), "the page updated in place: {url}");
    assert!(text_of(&browser, "#solution-status").await.contains("3 of 3 passed"));
    // The final verdict closed the live stream for good: the browser does not open it again
    // (it would, every few seconds, after a stream that merely ended).
    let events = &app.state.events;
    eventually(Duration::from_secs(10), "the stream closes", || async {
        (events.open_streams() == 0).then_some(())
    })
    .await;
    let opened = events.streams_opened();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(events.streams_opened(), opened, "no stream was opened again");
    browser.close().await.expect("browser closes");
}

/// The fixture course, a student `stu`, and (if asked) a runner host; with the test's folder.
async fn course_with_a_student(
    runner: bool,
) -> (inloop_tests::TestApp, Option<inloop_tests::Runner>, std::path::PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("inloop-browser-{}", uuid::Uuid::new_v4().simple()));
    let app =
        inloop_tests::spawn_app_with(|settings| settings.task_dir = Some(dir.join("tasks"))).await;
    inloop_tests::sync_fixture_course(&app).await;
    let runner = runner.then(|| inloop_tests::start_runner(&app, 1));
    app.create_user("stu", Role::Student).await;
    (app, runner, dir)
}

/// Waits until the editor's tabs name exactly these files, comma-separated, in order.
async fn wait_for_tabs(browser: &Client, names: &str, what: &str) {
    let script = format!(
        "return [...document.querySelectorAll('[role=tab]')].map(t => t.textContent).join(',') === {};",
        serde_json::Value::String(names.to_owned())
    );
    wait_until(browser, &script, 5, what).await;
}

/// The Java fixture task's reference solution.
fn counter_solution() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/tasks/java-counter/solution/Counter.java"
    ))
    .expect("fixture")
}

async fn log_in(browser: &Client, app: &inloop_tests::TestApp, username: &str) {
    browser.goto(&app.url("/login")).await.expect("login page");
    type_into(browser, "#field-login", username).await;
    let password = browser.find(Locator::Css("#field-password")).await.expect("password");
    password.send_keys(PASSWORD).await.expect("type");
    password.send_keys(&Key::Enter.to_string()).await.expect("submit");
    wait_for_text(browser, "h1", "Hello").await;
}

/// Runs a script until it returns true, for at most `seconds`.
async fn wait_until(browser: &Client, script: &str, seconds: u64, what: &str) {
    let timeout = Duration::from_secs(seconds);
    eventually(timeout, what, || async {
        (browser.execute(script, vec![]).await.ok() == Some(serde_json::Value::Bool(true)))
            .then_some(())
    })
    .await;
}

/// The `data-verdict` of the element `css` finds, once there is one (within a minute).
async fn verdict_shown(browser: &Client, css: &str) -> Option<String> {
    poll_until(
        Duration::from_secs(60),
        || async {
            let element = browser.find(Locator::Css(css)).await.ok()?;
            element.attr("data-verdict").await.ok().flatten()
        },
        Option::is_some,
    )
    .await
}

const EDITOR_TEXT: &str = "return document.querySelector('.code-editor').env.editor.getValue();";

#[tokio::test]
async fn a_student_writes_a_solution_in_the_editor_and_watches_it_graded_beside_it() {
    let (app, _runner, _) = course_with_a_student(true).await;
    let solution = counter_solution();
    let driver = Driver::start();
    let browser = driver.browser().await;
    log_in(&browser, &app, "stu").await;

    browser.goto(&app.url("/tasks/a-counter")).await.expect("task page");
    let ready =
        "return document.querySelector('form[data-editor]').dataset.editorReady === 'true';";
    wait_until(&browser, ready, 10, "the editor starting").await;
    // Ace runs in its strict-CSP mode, styled by the linked stylesheet.
    let gutter = browser
        .execute(
            "return getComputedStyle(document.querySelector('.ace_gutter')).backgroundColor;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(gutter, serde_json::json!("rgb(240, 240, 240)"), "Ace's stylesheet applies");
    let starter = browser.execute(EDITOR_TEXT, vec![]).await.expect("script");
    assert!(starter.as_str().is_some_and(|text| text.contains("class Counter")), "{starter}");
    assert_eq!(text_of(&browser, "#editor-state").await, "Starter files");

    // The solution goes in through the editor's API, one line through the keyboard.
    browser
        .execute(
            "const editor = document.querySelector('.code-editor').env.editor;
             editor.setValue(arguments[0], 1); editor.focus(); return true;",
            vec![serde_json::json!(solution)],
        )
        .await
        .expect("script");
    type_into(&browser, ".code-editor .ace_text-input", "// typed in the browser").await;
    // Saved by itself shortly after the last change.
    wait_for_text(&browser, "#editor-state", "Saved").await;
    let stored: String = sqlx::query_scalar("select files::text from checkpoints")
        .fetch_one(&app.db)
        .await
        .expect("a checkpoint");
    assert!(stored.contains("// typed in the browser"), "{stored}");
    browser.refresh().await.expect("reload");
    wait_until(&browser, ready, 10, "the editor starting again").await;
    let reloaded = browser.execute(EDITOR_TEXT, vec![]).await.expect("script");
    assert!(
        reloaded.as_str().is_some_and(|text| text.contains("// typed in the browser")),
        "the saved work comes back: {reloaded}"
    );

    // Another window saves meanwhile: this one's autosave stops and says so; Save replaces it.
    sqlx::query("update checkpoints set saved_at = saved_at + interval '1 minute'")
        .execute(&app.db)
        .await
        .expect("a save from elsewhere");
    type_into(&browser, ".code-editor .ace_text-input", " ").await;
    wait_for_text(&browser, "#editor-state", "another window or computer").await;
    click(&browser, "#editor-save").await;
    wait_until(
        &browser,
        "return document.querySelector('#editor-state').dataset.state === 'saved';",
        10,
        "saving on purpose",
    )
    .await;

    // A second file, named through the prompt.
    browser
        .find(Locator::XPath("//div[@class='editor-file-tools']/button[text()='Add file']"))
        .await
        .expect("Add file")
        .click()
        .await
        .expect("click");
    browser.send_alert_text("Helper.java").await.expect("name the file");
    browser.accept_alert().await.expect("confirm");
    wait_for_tabs(&browser, "Counter.java,Helper.java", "the new tab").await;
    type_into(&browser, ".code-editor .ace_text-input", "class Helper {}").await;

    // Submit: the verdict arrives beside the editor, and the page stays.
    click(&browser, "#editor-submit").await;
    let verdict = verdict_shown(&browser, "#editor-result [data-verdict]").await;
    assert_eq!(
        verdict.as_deref(),
        Some("passed"),
        "beside the editor: {}",
        text_of(&browser, "#editor-result").await
    );
    assert_eq!(browser.current_url().await.expect("url").path(), "/tasks/a-counter");
    assert!(text_of(&browser, "#editor-result").await.contains("3 of 3 passed"));
    assert!(text_of(&browser, "#editor-state").await.starts_with("Saved"), "submitting saved");
    let files: Vec<String> = sqlx::query_scalar("select name from solution_files order by name")
        .fetch_all(&app.db)
        .await
        .expect("files");
    assert_eq!(files, ["Counter.java", "Helper.java"]);

    // Start over: the starter files replace the student's, after a confirmation.
    browser
        .find(Locator::XPath("//div[@class='editor-file-tools']/button[text()='Start over']"))
        .await
        .expect("Start over")
        .click()
        .await
        .expect("click");
    browser.accept_alert().await.expect("confirm");
    wait_for_tabs(&browser, "Counter.java", "the starter file alone").await;
    let restarted = browser.execute(EDITOR_TEXT, vec![]).await.expect("script");
    assert!(restarted.as_str().is_some_and(|text| text.contains("return 0;")), "{restarted}");
    wait_for_text(&browser, "#editor-state", "Saved").await;
    browser.close().await.expect("browser closes");
}

#[tokio::test]
async fn a_deadline_passing_on_the_task_page_is_shown_without_reloading_the_editor() {
    let (app, _, _) = course_with_a_student(false).await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    log_in(&browser, &app, "stu").await;
    // Set only now, after the slow part (starting chromium, logging in), so that the page is
    // loaded well before the deadline even on a busy machine.
    sqlx::query(
        "update tasks set deadline = now() + interval '6 seconds' where slug = 'a-counter'",
    )
    .execute(&app.db)
    .await
    .expect("a close deadline");
    browser.goto(&app.url("/tasks/a-counter")).await.expect("task page");
    let counting = browser.find(Locator::Css(".deadline time[data-countdown]")).await;
    assert!(counting.is_ok(), "the task page loaded before the deadline shows a countdown");
    browser.execute("window.notReloaded = true;", vec![]).await.expect("marker");
    wait_until(
        &browser,
        "return document.querySelector('.deadline').classList.contains('deadline-close');",
        3,
        "the deadline turning red",
    )
    .await;
    wait_for_text(&browser, ".deadline time[data-countdown]", "passed").await;
    let still_here =
        browser.execute("return window.notReloaded === true;", vec![]).await.expect("script");
    assert_eq!(still_here, serde_json::Value::Bool(true), "the editor's page was not reloaded");
    browser.close().await.expect("browser closes");
}

#[tokio::test]
async fn the_editor_saves_and_submits_without_javascript() {
    let (app, _runner, _) = course_with_a_student(true).await;
    let solution = counter_solution();
    let driver = Driver::start();
    let browser = driver.browser_with(&["--blink-settings=scriptEnabled=false"]).await;
    log_in(&browser, &app, "stu").await;
    browser.goto(&app.url("/tasks/a-counter")).await.expect("task page");
    let scripts_ran = browser.find(Locator::Css(".ace_editor")).await.is_ok();
    assert!(!scripts_ran, "JavaScript is off: the editor is a plain form");

    // The starter file is in a text area; the student replaces it and adds a second file.
    let contents = browser.find(Locator::Css("#editor-contents-0")).await.expect("text area");
    contents.clear().await.expect("clear");
    contents.send_keys(&solution).await.expect("type the solution");
    type_into(&browser, "#editor-name-1", "Helper.java").await;
    type_into(&browser, "#editor-contents-1", "class Helper {}").await;
    click(&browser, "#editor-save").await;
    wait_for_text(&browser, ".flashes", "Your files are saved.").await;
    assert_eq!(
        browser.find(Locator::Css("#editor-name-1")).await.expect("kept").prop("value").await.ok(),
        Some(Some("Helper.java".to_owned()))
    );

    click(&browser, "#editor-submit").await;
    wait_for_text(&browser, "h1", "Solution #1").await;
    // Without scripts the student follows "Check again" until the verdict is there.
    let verdict = poll_until(
        Duration::from_secs(60),
        || async {
            let element = browser.find(Locator::Css("[data-verdict]")).await.ok();
            let verdict = match element {
                Some(element) => element.attr("data-verdict").await.ok().flatten(),
                None => None,
            };
            if verdict.is_none() {
                click(&browser, "a.check-again").await;
            }
            verdict
        },
        Option::is_some,
    )
    .await;
    assert_eq!(verdict.as_deref(), Some("passed"), "the verdict without JavaScript");
    let files: Vec<String> = sqlx::query_scalar("select name from solution_files order by name")
        .fetch_all(&app.db)
        .await
        .expect("files");
    assert_eq!(files, ["Counter.java", "Helper.java"]);
    browser.close().await.expect("browser closes");
}

/// axe-core, pinned and kept in the repository (tests/vendor): no network in the tests.
const AXE: &str = include_str!("../vendor/axe-core-4.10.3.min.js");

/// axe-core's serious and critical findings on the page the browser shows, one line each.
async fn serious_accessibility_problems(browser: &Client) -> Vec<String> {
    browser.execute(AXE, vec![]).await.expect("axe-core loads into the page");
    let found = browser
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(result => done(result.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)))
               .catch(err => done([`axe-core failed: ${err}`]));",
            vec![],
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(found).expect("a list of findings")
}

#[tokio::test]
async fn every_page_of_the_site_passes_axe_core_without_serious_problems() {
    let (app, _runner, _dir) = course_with_a_student(false).await;
    let counter: i64 = sqlx::query_scalar("select id from tasks where slug = 'a-counter'")
        .fetch_one(&app.db)
        .await
        .expect("task");
    let stu: i64 = sqlx::query_scalar("select id from users where username = 'stu'")
        .fetch_one(&app.db)
        .await
        .expect("student");
    let solution: i64 = sqlx::query_scalar(
        "insert into solutions (task_id, author_id, number, revision, status, verdict) values ($1, $2, 1, 'r', 'done', 'failed') returning id",
    )
    .bind(counter)
    .bind(stu)
    .fetch_one(&app.db)
    .await
    .expect("solution");
    let group: i64 =
        sqlx::query_scalar("insert into groups (name) values ('Tuesday') returning id")
            .fetch_one(&app.db)
            .await
            .expect("group");
    app.set_site_setting("signup_allowed = true").await;
    let driver = Driver::start();
    let browser = driver.browser().await;
    let mut problems = Vec::new();
    let mut check = |page: String, found: Vec<String>| {
        problems.extend(found.into_iter().map(|problem| format!("{page}: {problem}")));
    };
    for page in
        ["/login", "/account/signup", "/account/password-reset", "/about/help", "/about/privacy"]
    {
        browser.goto(&app.url(page)).await.expect("page");
        check(page.to_owned(), serious_accessibility_problems(&browser).await);
    }
    log_in(&browser, &app, "stu").await;
    let student_pages = [
        "/".to_owned(),
        "/tasks/category/java-basics".to_owned(),
        "/tasks/a-counter".to_owned(),
        "/tasks/a-counter/solutions".to_owned(),
        format!("/solutions/{solution}"),
        "/account/profile".to_owned(),
        "/account/password".to_owned(),
    ];
    for page in student_pages {
        browser.goto(&app.url(&page)).await.expect("page");
        check(page, serious_accessibility_problems(&browser).await);
    }
    sqlx::query("update users set role = 'admin' where username = 'stu'")
        .execute(&app.db)
        .await
        .expect("admin");
    let staff_pages = [
        "/staff".to_owned(),
        "/staff/solutions".to_owned(),
        format!("/staff/solutions?task={counter}"),
        format!("/staff/tasks/{counter}"),
        format!("/staff/tasks/{counter}/settings"),
        "/staff/users".to_owned(),
        format!("/staff/users/{stu}"),
        format!("/staff/users/{stu}/extensions"),
        "/staff/users/new".to_owned(),
        "/staff/groups".to_owned(),
        format!("/staff/groups/{group}"),
        "/staff/courses".to_owned(),
        "/staff/categories".to_owned(),
        "/staff/repositories".to_owned(),
        "/staff/audit".to_owned(),
        "/staff/settings".to_owned(),
        "/staff/plagiarism".to_owned(),
        "/staff/statistics".to_owned(),
        "/staff/grades".to_owned(),
        "/staff/grades?preset=custom&counting=last&columns=username&format=csv".to_owned(),
    ];
    for page in staff_pages {
        browser.goto(&app.url(&page)).await.expect("page");
        check(page, serious_accessibility_problems(&browser).await);
    }
    browser.close().await.expect("browser closes");
    assert!(problems.is_empty(), "axe-core found serious problems:\n{}", problems.join("\n"));
}

/// Presses these keys one after the other, as a keyboard does: on whatever has the focus.
async fn press(browser: &Client, keys: &str) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for key in keys.chars() {
        actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    }
    browser.perform_actions(actions).await.expect("keys pressed");
}

/// Moves the focus with Tab, as a keyboard user does, until the element `css` has it; fails if
/// the element cannot be reached in this many presses (not focusable, hidden, out of order).
async fn tab_to(browser: &Client, css: &str) {
    let focused = format!(
        "return document.activeElement && document.activeElement.matches({});",
        serde_json::Value::String(css.to_owned())
    );
    let mut path = Vec::new();
    for _ in 0..120 {
        if browser.execute(&focused, vec![]).await.ok() == Some(serde_json::Value::Bool(true)) {
            return;
        }
        press(browser, &char::from(Key::Tab).to_string()).await;
        let now = browser
            .execute("const e = document.activeElement; return e ? (e.id || e.name || e.textContent.trim().slice(0, 30)) : '';", vec![])
            .await
            .unwrap_or_default();
        path.push(now.as_str().unwrap_or_default().to_owned());
    }
    panic!("Tab never reached {css}; the focus went through {path:?}");
}

/// Tabs to a select and moves its choice with the arrow keys until the chosen option's text
/// contains `wanted`.
async fn choose_by_keyboard(browser: &Client, css: &str, wanted: &str) {
    tab_to(browser, css).await;
    let chosen = "return document.activeElement.selectedOptions[0].textContent;";
    let mut seen = Vec::new();
    for _ in 0..40 {
        let text = browser
            .execute(chosen, vec![])
            .await
            .expect("select")
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if text.contains(wanted) {
            return;
        }
        seen.push(text);
        press(browser, &char::from(Key::Down).to_string()).await;
    }
    panic!("no option of {css} says {wanted:?}; the arrow keys went through {seen:?}");
}

/// The value of the element that has the focus.
async fn focused_value(browser: &Client) -> String {
    let value =
        browser.execute("return document.activeElement.value;", vec![]).await.expect("value");
    value.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn staff_run_the_course_with_the_keyboard_alone() {
    let (app, _runner, _dir) = course_with_a_student(true).await;
    let student = app.other_client();
    student.login("stu", PASSWORD).await;
    let solution_path =
        student.submitted("a-counter", &[("Counter.java", &counter_solution())]).await;
    assert_eq!(student.wait_for_verdict(&solution_path).await, "passed");
    let solution = inloop_tests::solution_id(&solution_path);
    let counter: i64 = sqlx::query_scalar("select id from tasks where slug = 'a-counter'")
        .fetch_one(&app.db)
        .await
        .expect("task");
    let stu: i64 = sqlx::query_scalar("select id from users where username = 'stu'")
        .fetch_one(&app.db)
        .await
        .expect("student");
    app.create_user("tutor", Role::Admin).await;
    sqlx::query("insert into groups (name) values ('Tuesday'), ('Thursday')")
        .execute(&app.db)
        .await
        .expect("groups");
    let enter = char::from(Key::Enter).to_string();
    let space = " ";

    let driver = Driver::start();
    let browser = driver.browser().await;
    browser.goto(&app.url("/login")).await.expect("login page");
    tab_to(&browser, "#field-login").await;
    press(&browser, "tutor").await;
    tab_to(&browser, "#field-password").await;
    press(&browser, &format!("{PASSWORD}{enter}")).await;
    wait_for_text(&browser, "h1", "Hello").await;

    // Finding: the staff menu, the student filter, the solution.
    tab_to(&browser, "a[href='/staff']").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "h1", "staff").await;
    tab_to(&browser, "a[href='/staff/solutions']").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "h1", "Solutions").await;
    tab_to(&browser, "#field-student").await;
    press(&browser, &format!("stu{enter}")).await;
    wait_for_text(&browser, "main", "1 solution").await;
    tab_to(&browser, &format!("main a[href='/solutions/{solution}']")).await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "h1", "Solution #1").await;

    // An override: the task's deadline, without a commit.
    browser.goto(&app.url(&format!("/staff/tasks/{counter}/settings"))).await.expect("settings");
    tab_to(&browser, "#field-override_deadline").await;
    press(&browser, space).await;
    tab_to(&browser, "#field-deadline").await;
    // Month, day and year; the year takes up to six digits, so the arrow key moves on.
    press(&browser, &format!("12312030{}1159P", char::from(Key::Right))).await;
    assert_eq!(focused_value(&browser).await, "2030-12-31T23:59", "the deadline typed by keyboard");
    tab_to(&browser, "form button[type=submit]").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "main", "overridden").await;

    // An extension for the student.
    browser.goto(&app.url(&format!("/staff/users/{stu}/extensions"))).await.expect("extensions");
    choose_by_keyboard(&browser, "#field-scope", "A Counter").await;
    tab_to(&browser, "#field-extra_submissions").await;
    press(&browser, "2").await;
    tab_to(&browser, "#field-reason").await;
    press(&browser, "ill for a week").await;
    tab_to(&browser, "form.grant button[type=submit]").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "main table", "ill for a week").await;

    // A re-test of every student's latest solution, watched and applied.
    browser.goto(&app.url(&format!("/staff/tasks/{counter}"))).await.expect("overview");
    tab_to(&browser, "#scope-latest").await;
    tab_to(&browser, "form.start-retest button[type=submit]").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "h1", "Re-test").await;
    let apply = "form button[type=submit].primary";
    let appeared = poll_until(
        Duration::from_secs(90),
        || async {
            // Without JavaScript help the page offers "Check again"; with it, htmx swaps in the end.
            browser.find(Locator::Css(apply)).await.is_ok()
        },
        |found| *found,
    )
    .await;
    assert!(appeared, "the re-test finished and offered to apply its results");
    tab_to(&browser, apply).await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "main", "applied").await;

    // The roster: one account, then a CSV pasted into the page and confirmed.
    browser.goto(&app.url("/staff/users/new")).await.expect("new accounts");
    tab_to(&browser, "#field-username").await;
    press(&browser, "newbie").await;
    tab_to(&browser, "#field-email").await;
    press(&browser, "newbie@example.org").await;
    choose_by_keyboard(&browser, "#field-group", "Tuesday").await;
    tab_to(&browser, "form.grant button[type=submit]").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "main", "newbie").await;
    browser.goto(&app.url("/staff/users/new")).await.expect("new accounts");
    tab_to(&browser, "#field-csv").await;
    press(
        &browser,
        &format!("username,email{enter}pasted1,p1@example.org{enter}pasted2,p2@example.org"),
    )
    .await;
    tab_to(&browser, "form[action='/staff/users/import'] button[type=submit]").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "main", "pasted2").await;
    tab_to(&browser, "form[action='/staff/users/import/confirm'] button[type=submit]").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "main", "Created 2 account(s)").await;

    // Groups: everybody without one spread over both.
    browser.goto(&app.url("/staff/groups")).await.expect("groups");
    tab_to(&browser, "form.assign button[type=submit]").await;
    press(&browser, &enter).await;
    wait_for_text(&browser, "main", "Tuesday").await;
    let without_group: i64 = sqlx::query_scalar(
        "select count(*) from users u where u.role = 'student' and not exists (select 1 from group_members m where m.user_id = u.id)",
    )
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(without_group, 0, "every student is in a group now");

    // A site page, written by the admin.
    browser.goto(&app.url("/staff/settings")).await.expect("settings");
    tab_to(&browser, "#field-legal_notice").await;
    press(&browser, "Run by the chair of software technology.").await;
    tab_to(&browser, "form button.primary[type=submit]").await;
    press(&browser, &enter).await;
    browser.goto(&app.url("/about/legal")).await.expect("legal notice");
    wait_for_text(&browser, "main", "chair of software technology").await;

    // The audit log has all of it, and its filter works from the keyboard too.
    browser.goto(&app.url("/staff/audit")).await.expect("audit");
    tab_to(&browser, "#field-text").await;
    press(&browser, &format!("stu{enter}")).await;
    wait_for_text(&browser, "main table", "extension").await;
    let audited: Vec<String> =
        sqlx::query_scalar("select distinct action from audit_log order by action")
            .fetch_all(&app.db)
            .await
            .expect("audit");
    for action in [
        "extension_granted",
        "retest_applied",
        "retest_started",
        "task_overridden",
        "accounts_created",
        "students_assigned",
        "settings_changed",
    ] {
        assert!(
            audited.iter().any(|found| found == action),
            "{action} is in the audit log: {audited:?}"
        );
    }
    browser.close().await.expect("browser closes");
}
