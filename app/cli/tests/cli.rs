//! The real `inloop` binary: configuration errors, the migration check, account commands.

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

const BINARY: &str = env!("CARGO_BIN_EXE_inloop");

/// Runs `inloop` with exactly these `INLOOP_*` variables (none inherited) and optional stdin.
fn inloop(args: &[&str], vars: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(BINARY);
    command.args(args).env_clear().env("PATH", "/usr/bin:/bin").env("RUST_LOG", "error");
    for (name, value) in vars {
        command.env(name, value);
    }
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary starts");
    if let Some(input) = stdin {
        // A command may finish without reading its input (`--if-missing` when the user exists).
        match child.stdin.take().expect("stdin").write_all(input.as_bytes()) {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
            written => written.expect("write stdin"),
        }
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("the binary finishes")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const VALID: &[(&str, &str)] = &[
    ("INLOOP_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"),
    ("INLOOP_REDIS_URL", "redis://127.0.0.1:1"),
    ("INLOOP_DATA_DIR", "/tmp"),
    ("INLOOP_SECRET_KEY", "0123456789abcdef0123456789abcdef-cli"),
];

fn with(
    overrides: &[(&'static str, &'static str)],
    without: &[&str],
) -> Vec<(&'static str, &'static str)> {
    let mut vars: Vec<(&str, &str)> = VALID
        .iter()
        .copied()
        .filter(|(name, _)| !without.contains(name) && !overrides.iter().any(|(o, _)| o == name))
        .collect();
    vars.extend_from_slice(overrides);
    vars
}

#[test]
fn help_lists_every_subcommand() {
    let output = inloop(&["--help"], &[], None);
    assert!(output.status.success());
    let text = stdout(&output);
    for subcommand in ["serve", "migrate", "users", "check", "images", "export"] {
        assert!(text.contains(subcommand), "{subcommand} missing from:\n{text}");
    }
    let users = stdout(&inloop(&["users", "--help"], &[], None));
    for subcommand in ["create", "set-password", "set-role", "list", "prune-unactivated"] {
        assert!(users.contains(subcommand), "{subcommand} missing from:\n{users}");
    }
}

#[test]
fn a_missing_setting_is_named_with_its_variable() {
    let output = inloop(&["serve"], &with(&[], &["INLOOP_DATABASE_URL"]), None);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("database_url")
            && message.contains("INLOOP_DATABASE_URL")
            && message.contains("missing"),
        "{message}"
    );
}

#[test]
fn malformed_settings_are_named_and_secrets_are_not_echoed() {
    let secret = "too-short-secret";
    let output = inloop(&["serve"], &with(&[("INLOOP_SECRET_KEY", secret)], &[]), None);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains("INLOOP_SECRET_KEY") && message.contains("32 characters"),
        "{message}"
    );
    assert!(!message.contains(secret), "the secret itself is not printed: {message}");

    let listen =
        stderr(&inloop(&["serve"], &with(&[("INLOOP_LISTEN", "not-an-address")], &[]), None));
    assert!(listen.contains("INLOOP_LISTEN"), "{listen}");
    let url = stderr(&inloop(&["serve"], &with(&[("INLOOP_PUBLIC_URL", "ftp://x")], &[]), None));
    assert!(url.contains("INLOOP_PUBLIC_URL") && url.contains("http"), "{url}");
}

#[test]
fn the_config_file_is_read_and_environment_variables_win() {
    let dir = std::env::temp_dir().join(format!("inloop-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("inloop.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:0\"\nsite_name = \"Course\"\nno_such_setting = 1\n",
    )
    .expect("write");
    let path = file.to_str().expect("utf-8 path");
    let unknown = stderr(&inloop(&["serve", "--config", path], VALID, None));
    assert!(
        unknown.contains("no_such_setting") && unknown.contains("no such setting"),
        "{unknown}"
    );

    std::fs::write(&file, "listen = \"not valid\"\n").expect("write");
    let from_file = stderr(&inloop(&["serve", "--config", path], VALID, None));
    assert!(
        from_file.contains("listen") && from_file.contains("inloop.toml"),
        "the file is named: {from_file}"
    );
    // The environment overrides the file: the bad listen address is never used, and the start
    // gets as far as connecting to the (unreachable) database.
    let overridden = stderr(&inloop(
        &["serve", "--config", path],
        &with(&[("INLOOP_LISTEN", "127.0.0.1:0")], &[]),
        None,
    ));
    assert!(overridden.contains("cannot connect to PostgreSQL"), "{overridden}");
    let missing = stderr(&inloop(&["serve", "--config", "/no/such/file.toml"], VALID, None));
    assert!(missing.contains("/no/such/file.toml"), "{missing}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_refuses_an_unmigrated_database_and_users_are_created_after_migrate() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let Ok(url) = runtime.block_on(inloop_tests::empty_database()) else {
        panic!("INLOOP_TEST_DATABASE_URL must point at a running PostgreSQL");
    };
    let redis =
        inloop_tests::test_settings(&url, "/tmp".into(), "cli").redis_url.expose().to_owned();
    let vars: Vec<(&str, &str)> = vec![
        ("INLOOP_DATABASE_URL", &url),
        ("INLOOP_REDIS_URL", &redis),
        ("INLOOP_DATA_DIR", "/tmp"),
        ("INLOOP_SECRET_KEY", "0123456789abcdef0123456789abcdef-cli"),
        ("INLOOP_LISTEN", "127.0.0.1:0"),
    ];
    let refused = inloop(&["serve"], &vars, None);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("run `inloop migrate`"), "{}", stderr(&refused));

    let migrated = inloop(&["migrate"], &vars, None);
    assert!(migrated.status.success(), "{}", stderr(&migrated));
    assert!(stdout(&migrated).contains("up to date"));

    let weak = inloop(
        &[
            "users",
            "create",
            "--username",
            "root",
            "--email",
            "root@example.org",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &vars,
        Some("1234567890\n"),
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(stderr(&weak).contains("too common"), "{}", stderr(&weak));
    // A user name like an address would take over that address's logins and resets.
    let address_as_name = inloop(
        &[
            "users",
            "create",
            "--username",
            "ada@example.org",
            "--email",
            "mallory@example.org",
            "--password-stdin",
        ],
        &vars,
        Some("a decent admin password\n"),
    );
    assert_eq!(address_as_name.status.code(), Some(1));
    assert!(
        stderr(&address_as_name).contains("cannot be a user name"),
        "{}",
        stderr(&address_as_name)
    );

    let args = [
        "users",
        "create",
        "--username",
        "root",
        "--email",
        "root@example.org",
        "--role",
        "admin",
        "--password-stdin",
    ];
    let created = inloop(&args, &vars, Some("a decent admin password\n"));
    assert!(created.status.success(), "{}", stderr(&created));
    let duplicate = inloop(&args, &vars, Some("a decent admin password\n"));
    assert_eq!(duplicate.status.code(), Some(1));
    assert!(stderr(&duplicate).contains("already exists"), "{}", stderr(&duplicate));
    let mut if_missing = args.to_vec();
    if_missing.push("--if-missing");
    assert!(inloop(&if_missing, &vars, Some("x")).status.success());
    let bad_role = inloop(
        &[
            "users",
            "create",
            "--username",
            "x",
            "--email",
            "x@example.org",
            "--role",
            "king",
            "--password-stdin",
        ],
        &vars,
        Some("x"),
    );
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(stderr(&bad_role).contains("use student, staff or admin"));

    let listed = stdout(&inloop(&["users", "list"], &vars, None));
    assert!(
        listed.contains("root") && listed.contains("admin") && listed.contains("1 user(s)"),
        "{listed}"
    );

    // A task repository that moved: its URL and branch change, anything unsafe is refused.
    let added = inloop(&["tasks", "add", "course", "--url", "file:///srv/old.git"], &vars, None);
    assert!(added.status.success(), "{}", stderr(&added));
    let unsafe_branch = inloop(&["tasks", "edit", "course", "--branch=-x"], &vars, None);
    assert_eq!(unsafe_branch.status.code(), Some(1));
    assert!(stderr(&unsafe_branch).contains("not a branch name"), "{}", stderr(&unsafe_branch));
    let nothing = inloop(&["tasks", "edit", "course"], &vars, None);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(stderr(&nothing).contains("--url, --branch"), "{}", stderr(&nothing));
    let unknown = inloop(&["tasks", "edit", "nope", "--branch", "x"], &vars, None);
    assert!(stderr(&unknown).contains("no repository named nope"), "{}", stderr(&unknown));
    let edited = inloop(&["tasks", "edit", "course", "--url", "file:///srv/new.git"], &vars, None);
    assert!(edited.status.success(), "{}", stderr(&edited));
    let listed = stdout(&inloop(&["tasks", "list"], &vars, None));
    assert!(listed.contains("file:///srv/new.git (branch main)"), "{listed}");
}

fn fixture(path: &str) -> String {
    format!("{}/../../tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// `inloop check` with the environment Docker needs and nothing else.
fn check(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let tasks = fixture("tasks");
    let mut all = vec!["check", "--tasks", tasks.as_str()];
    all.extend_from_slice(args);
    inloop(&all, vars, None)
}

#[test]
fn check_exits_0_for_passed_and_1_for_any_other_verdict() {
    let solution = fixture("tasks/python-fizzbuzz/solution/fizzbuzz.py");
    let passed = check(&["--task", "python-fizzbuzz", &solution], &[]);
    assert_eq!(passed.status.code(), Some(0), "{}", stderr(&passed));
    assert!(stdout(&passed).starts_with("passed: "), "{}", stdout(&passed));
    assert!(stdout(&passed).contains("4 of 4 passed"));

    let dir = std::env::temp_dir().join(format!("inloop-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let wrong = dir.join("fizzbuzz.py");
    std::fs::write(&wrong, "def fizzbuzz(n):\n    return str(n)\n").expect("write");
    let failed =
        check(&["--task", "python-fizzbuzz", "--json", wrong.to_str().expect("utf-8")], &[]);
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let json: serde_json::Value = serde_json::from_slice(&failed.stdout).expect("one JSON object");
    assert_eq!(json["verdict"], "failed");
    assert!(json["duration_ms"].as_u64().is_some());
    assert_eq!(json["truncated"], false);
    assert!(json["output"].as_str().unwrap_or_default().contains("assert"));
    let tests = json["tests"].as_array().expect("tests");
    assert_eq!(tests.len(), 4);
    for test in tests {
        assert!(
            test["name"].is_string() && test["status"].is_string() && test.get("message").is_some(),
            "{test}"
        );
    }
    assert!(
        tests.iter().any(|test| test["status"] == "failed" && test["message"].as_str().is_some())
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_exits_2_with_one_line_when_it_cannot_grade() {
    let solution = fixture("tasks/python-fizzbuzz/solution/fizzbuzz.py");
    let unknown = check(&["--task", "no-such-task", &solution], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = stderr(&unknown);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.starts_with("error: there is no task 'no-such-task'"), "{message}");

    let no_plugins = check(
        &["--task", "python-fizzbuzz", &solution],
        &[("INLOOP_PLUGIN_DIR", "/nonexistent/plugins")],
    );
    assert_eq!(no_plugins.status.code(), Some(2));
    assert!(stderr(&no_plugins).contains("/nonexistent/plugins"), "{}", stderr(&no_plugins));

    let missing_file = check(&["--task", "python-fizzbuzz", "/nonexistent/fizzbuzz.py"], &[]);
    assert_eq!(missing_file.status.code(), Some(2));
    assert!(stderr(&missing_file).contains("cannot read /nonexistent/fizzbuzz.py"));

    let no_files = check(&["--task", "python-fizzbuzz"], &[]);
    assert_eq!(no_files.status.code(), Some(2), "usage errors exit 2 too");

    // INLOOP's example repository starts its Dockerfile from an image no registry-less host can
    // have, and that `inloop images bootstrap` cannot build: the message says what can.
    let repository = std::env::temp_dir().join(format!("inloop-alpine-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repository);
    std::fs::create_dir_all(repository.join("classic-greeting")).expect("task dir");
    let task = fixture("tasks/classic-greeting");
    for file in ["meta.json", "task.md"] {
        std::fs::copy(Path::new(&task).join(file), repository.join("classic-greeting").join(file))
            .expect("copy");
    }
    std::fs::write(repository.join("Dockerfile"), "FROM openjdk:8-jdk-alpine\nCMD [\"true\"]\n")
        .expect("Dockerfile");
    let greeting = fixture("tasks/classic-greeting/solution/greeting.py");
    let all =
        ["check", "--tasks", repository.to_str().expect("utf-8"), "--task", "classic-greeting"];
    let missing = inloop(&[&all[..], &[greeting.as_str()]].concat(), &[], None);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    let message = stderr(&missing);
    assert!(message.contains("openjdk:8-jdk-alpine is missing"), "{message}");
    assert!(message.contains("docker load") && !message.contains("bootstrap"), "{message}");
}

/// A course's end as the database holds it: two tasks, three students, a confirmed plagiarism.
const TERM: &str = r"
insert into repositories (name, url, branch, webhook_secret) values ('c', 'file:///none', 'main', 's');
insert into categories (name, slug) values ('Basics', 'basics'), ('Other', 'other');
insert into tasks (repository_id, system_name, slug, title, category_id, description, pubdate, runner, revision, content_hash, repo_pubdate, repo_disabled)
select r.id, t.slug, t.slug, t.slug, c.id, '', now() - interval '9 days', 'python', 'r', 'h', now() - interval '9 days', false
from repositories r, (values ('one', 'basics'), ('two', 'basics'), ('elsewhere', 'other')) t(slug, category) join categories c on c.slug = t.category;
insert into users (username, email, password_hash, role, is_active, first_name, last_name, matriculation_number) values
  ('ada', 'ada@example.org', '!', 'student', true, 'Ada', 'Lovelace', '4001'),
  ('bob', 'bob@example.org', '!', 'student', true, 'Bob', '=HYPERLINK(1)', '4002'),
  ('s3', 'chuck.norris1@mailbox.tu-dresden.de', '!', 'student', true, '', '', '4003'),
  ('tim', 'tim@example.org', '!', 'staff', true, 'Tim', 'Tutor', '');
insert into solutions (task_id, author_id, number, revision, status, verdict, attempt, submitted_at)
select t.id, u.id, s.number, 'r', 'done', s.verdict, 1, now() - s.age
from (values ('ada', 'one', 1, 'passed', interval '5 days'), ('ada', 'two', 1, 'passed', interval '5 days'),
             ('bob', 'one', 1, 'passed', interval '5 days'), ('bob', 'two', 1, 'passed', interval '5 days'),
             ('bob', 'two', 2, 'failed', interval '4 days'), ('s3', 'one', 1, 'passed', interval '5 days'),
             ('tim', 'one', 1, 'passed', interval '5 days'), ('ada', 'elsewhere', 1, 'passed', interval '5 days'),
             -- Our side could not grade Ada's second try: her pass still counts.
             ('ada', 'two', 2, 'system_error', interval '3 days'))
     s(username, slug, number, verdict, age)
join users u on u.username = s.username join tasks t on t.slug = s.slug;
insert into plagiarism_checks (task_id, basis, threshold, state) select id, 'last_passed', 0.6, 'done' from tasks where slug = 'one';
insert into plagiarism_pairs (check_id, solution_a, solution_b, similarity, max_similarity, matched_tokens, regions, decision)
select c.id, least(a.id, b.id), greatest(a.id, b.id), 0.9, 0.9, 100, '[]', 'confirmed'
from plagiarism_checks c, solutions a, solutions b
where a.author_id = (select id from users where username = 'ada') and b.author_id = (select id from users where username = 's3')
  and a.task_id = c.task_id and b.task_id = c.task_id;
";

#[test]
fn export_grades_writes_the_csv_for_scripts_and_inloops_bonus_file() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let Ok(url) = runtime.block_on(inloop_tests::empty_database()) else {
        panic!("INLOOP_TEST_DATABASE_URL must point at a running PostgreSQL");
    };
    let vars: Vec<(&str, &str)> = vec![("INLOOP_DATABASE_URL", &url), ("INLOOP_DATA_DIR", "/tmp")];
    assert!(inloop(&["migrate"], &vars, None).status.success());
    runtime.block_on(async {
        let pool = sqlx::PgPool::connect(&url).await.expect("the database");
        sqlx::raw_sql(TERM).execute(&pool).await.expect("the term's data");
    });

    let custom = inloop(
        &[
            "export",
            "grades",
            "--category",
            "Basics",
            "--columns",
            "username,last_name,matriculation_number",
        ],
        &vars,
        None,
    );
    assert!(custom.status.success(), "{}", stderr(&custom));
    // Confirmed plagiarism counts as not passed; the last solution counts; staff are not
    // students; a name that a spreadsheet would run as a formula is defused.
    assert_eq!(
        stdout(&custom),
        "username,last_name,matriculation_number,one,two,passed\n\
         s3,,4003,plagiarism,,0\nbob,'=HYPERLINK(1),4002,passed,not passed,1\nada,Lovelace,4001,plagiarism,passed,1\n"
    );
    let best = inloop(
        &[
            "export",
            "grades",
            "--category",
            "Basics",
            "--columns",
            "username",
            "--counting",
            "best",
            "--format",
            "spreadsheet",
        ],
        &vars,
        None,
    );
    assert_eq!(
        stdout(&best),
        "\u{feff}username;one;two;passed\r\ns3;plagiarism;;0\r\nbob;passed;passed;2\r\nada;plagiarism;passed;1\r\n"
    );

    let file = std::env::temp_dir().join(format!("bonus-{}.csv", uuid::Uuid::new_v4().simple()));
    let bonus = inloop(
        &[
            "export",
            "grades",
            "--category",
            "Basics",
            "--preset",
            "tud-bonus",
            "--output",
            file.to_str().expect("a path"),
        ],
        &vars,
        None,
    );
    assert!(bonus.status.success(), "{}", stderr(&bonus));
    let written = std::fs::read_to_string(&file).expect("the file");
    let _ = std::fs::remove_file(&file);
    assert_eq!(
        written,
        "'=HYPERLINK(1),Bob,bob,bob@example.org,4002,,2\nLovelace,Ada,ada,ada@example.org,4001,,1\n"
    );
    let zeroes = inloop(
        &["export", "grades", "--category", "Basics", "--preset", "tud-bonus", "--zeroes"],
        &vars,
        None,
    );
    assert!(
        stdout(&zeroes).contains("Norris,Chuck,s3,chuck.norris1@mailbox.tu-dresden.de,4003,,0"),
        "{}",
        stdout(&zeroes)
    );

    let unknown = inloop(&["export", "grades", "--category", "Nope"], &vars, None);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("there is no category named \"Nope\""),
        "{}",
        stderr(&unknown)
    );
    let column = inloop(&["export", "grades", "--columns", "password"], &vars, None);
    assert!(stderr(&column).contains("\"password\" is not a column"), "{}", stderr(&column));
}

#[test]
fn plagiarism_check_compares_a_task_and_lists_the_pairs_for_staff_to_decide() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let Ok(url) = runtime.block_on(inloop_tests::empty_database()) else {
        panic!("INLOOP_TEST_DATABASE_URL must point at a running PostgreSQL");
    };
    let vars: Vec<(&str, &str)> = vec![("INLOOP_DATABASE_URL", &url), ("INLOOP_DATA_DIR", "/tmp")];
    assert!(inloop(&["migrate"], &vars, None).status.success());
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../similarity/tests/corpus/java-gradebook");
    let read = |name: &str| {
        std::fs::read(format!("{corpus}/{name}/Gradebook.java")).expect("a corpus file")
    };
    runtime.block_on(async {
        let pool = sqlx::PgPool::connect(&url).await.expect("the database");
        sqlx::raw_sql(TERM).execute(&pool).await.expect("the term's data");
        for (username, file) in [("ada", "04-original"), ("bob", "09-original"), ("s3", "04-combined")] {
            sqlx::query(
                "insert into solution_files (solution_id, name, contents)
                 select s.id, 'Gradebook.java', $2 from solutions s join users u on u.id = s.author_id
                 join tasks t on t.id = s.task_id where u.username = $1 and t.slug = 'one'",
            )
            .bind(username)
            .bind(read(file))
            .execute(&pool)
            .await
            .expect("a file");
        }
    });
    let output = inloop(&["plagiarism", "check", "--task", "one", "--basis", "last"], &vars, None);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("3 solutions, 3 pairs screened"), "{text}");
    assert!(text.contains("1 found"), "the copy and nothing else: {text}");
    assert!(text.lines().any(|line| line.ends_with("%  ada #1  s3 #1")), "{text}");
    assert!(text.contains("decide about them at /staff/plagiarism/"), "{text}");
    let unknown = inloop(&["plagiarism", "check", "--task", "nope"], &vars, None);
    assert!(stderr(&unknown).contains("there is no task \"nope\""), "{}", stderr(&unknown));
}
