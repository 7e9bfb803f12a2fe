//! Plagiarism checks through the whole pipeline: students' solutions graded by a real runner,
//! a check started by staff and run by the web server's worker, its pairs and clusters, a pair
//! side by side, decisions in the audit log; progress, refusal of a second check, cancelling.

use std::time::Duration;

use inloop_app::db::users::Role;
use inloop_tests::{GitRepo, TestApp, add_and_sync, eventually, spawn_app_with, start_runner};
use reqwest::StatusCode;

const CORPUS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../app/similarity/tests/corpus/python-inventory");

pub(crate) fn corpus(name: &str) -> String {
    std::fs::read_to_string(format!("{CORPUS}/{name}/inventory.py")).expect("a corpus solution")
}

const TESTS: &str = "from inventory import Inventory\n\n\
def test_value():\n    shop = Inventory()\n    shop.add('apple', 3, 0.5)\n    shop.add('pear', 2, 1.0)\n    assert abs(shop.value() - 3.5) < 1e-9\n";

/// A course with the corpus's inventory task (its id returned) and a small `squares` task.
pub(crate) async fn course() -> (TestApp, i64) {
    let task_dir =
        std::env::temp_dir().join(format!("inloop-course-{}", uuid::Uuid::new_v4().simple()));
    let app = spawn_app_with(|settings| settings.task_dir = Some(task_dir)).await;
    let repo = GitRepo::init();
    repo.write("inventory/task.md", "# Inventory\n\nWrite `inventory.py`.");
    repo.write(
        "inventory/meta.json",
        r#"{"title": "Inventory", "category": "Python Basics", "pubdate": "2026-01-01 08:00:00", "runner": "python"}"#,
    );
    repo.write("inventory/tests/test_inventory.py", TESTS);
    repo.write("inventory/templates/inventory.py", &corpus("template"));
    // The reference solution is code every student could have: it never counts as copied.
    repo.write("inventory/solution/inventory.py", &corpus("12-original"));
    repo.write("squares/task.md", "# Squares\n\nWrite `square(n)`.");
    repo.write(
        "squares/meta.json",
        r#"{"title": "Squares", "category": "Python Basics", "pubdate": "2026-01-02 08:00:00", "runner": "python"}"#,
    );
    repo.write(
        "squares/tests/test_squares.py",
        "from squares import square\n\ndef test_square():\n    assert square(3) == 9\n",
    );
    repo.commit("course");
    add_and_sync(&app, "course", &repo).await;
    let task_id: i64 = sqlx::query_scalar("select id from tasks where slug = 'inventory'")
        .fetch_one(&app.db)
        .await
        .expect("the task");
    (app, task_id)
}

fn check_id(location: &str) -> i64 {
    location.trim_start_matches("/staff/plagiarism/").parse().expect("a check's address")
}

async fn state_of(app: &TestApp, check: i64) -> String {
    sqlx::query_scalar("select state from plagiarism_checks where id = $1")
        .bind(check)
        .fetch_one(&app.db)
        .await
        .expect("the check")
}

async fn finished(app: &TestApp, check: i64) -> String {
    eventually(Duration::from_secs(60), "the check to end", || async {
        let state = state_of(app, check).await;
        (!matches!(state.as_str(), "queued" | "running")).then_some(state)
    })
    .await
}

#[tokio::test]
async fn staff_find_disguised_copies_look_at_a_pair_and_confirm_it() {
    let (app, task_id) = course().await;
    let _runner = start_runner(&app, 2);
    // Nested 20,000 deep and one line 3,000 times: the check must neither overflow nor stall.
    let hostile = format!(
        "{}\nx = {}1{}\n{}",
        corpus("02-original"),
        "(".repeat(20_000),
        ")".repeat(20_000),
        "total = total + 1\n".repeat(3_000)
    );
    let students = [
        ("ada", corpus("01-original")),
        ("bob", corpus("01-combined")),
        ("cy", corpus("01-renamed")),
        ("dan", corpus("03-original")),
        ("fay", corpus("12-original")),
        ("gus", corpus("12-original")),
        ("hal", hostile),
    ];
    let mut submitted = Vec::new();
    for (name, code) in &students {
        let student = app.other_client();
        student.logged_in_as(name, Role::Student).await;
        let path = student.submitted("inventory", &[("inventory.py", code)]).await;
        submitted.push((student, path));
    }
    // Staff's own solutions are never compared.
    let tutor = app.other_client();
    tutor.logged_in_as("tim", Role::Staff).await;
    let tims = tutor.submitted("inventory", &[("inventory.py", &corpus("01-original"))]).await;
    submitted.push((tutor, tims));
    for (client, path) in &submitted {
        client.wait_for_verdict(path).await;
    }

    app.logged_in_as("ta", Role::Staff).await;
    // From the task's overview, the form comes with the task chosen.
    app.get(&format!("/staff/tasks/{task_id}"))
        .await
        .assert_contains(&format!(r#"href="/staff/plagiarism?task={task_id}""#));
    let list = app.get(&format!("/staff/plagiarism?task={task_id}")).await;
    list.assert_contains("Start a check");
    list.assert_contains(&format!(r#"value="task:{task_id}" selected"#));
    let started = app
        .post_form(
            "/staff/plagiarism",
            &[("target", &format!("task:{task_id}")), ("basis", "last"), ("threshold", "60")],
        )
        .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
    let check = check_id(started.location.as_deref().expect("the check's page"));
    assert_eq!(finished(&app, check).await, "done");

    let pairs: Vec<(String, String, f32, Option<i32>)> = sqlx::query_as(
        "select ua.username, ub.username, p.similarity, p.cluster from plagiarism_pairs p
         join solutions sa on sa.id = p.solution_a join users ua on ua.id = sa.author_id
         join solutions sb on sb.id = p.solution_b join users ub on ub.id = sb.author_id
         where p.check_id = $1 order by 1, 2",
    )
    .bind(check)
    .fetch_all(&app.db)
    .await
    .expect("the pairs");
    let names: Vec<(&str, &str)> =
        pairs.iter().map(|(a, b, _, _)| (a.as_str(), b.as_str())).collect();
    // The three of family 01 are found, pairwise and as one group; the two who handed in the
    // reference solution are not (it is given code), nor is the tutor, nor anybody else.
    assert_eq!(names, [("ada", "bob"), ("ada", "cy"), ("bob", "cy")], "{pairs:?}");
    assert!(
        pairs.iter().all(|(_, _, similarity, cluster)| *similarity >= 0.6 && *cluster == Some(1))
    );
    let solutions: i32 =
        sqlx::query_scalar("select solutions from plagiarism_checks where id = $1")
            .bind(check)
            .fetch_one(&app.db)
            .await
            .expect("figures");
    assert_eq!(solutions, 7, "every student's last solution, the tutor's left out");

    let page = app.get(&format!("/staff/plagiarism/{check}")).await;
    page.assert_contains("3 pair(s) found");
    page.assert_contains("Groups of more than two");
    assert!(!page.body.contains(r#"hx-trigger="every 2s""#), "a finished check stops updating");

    let pair_id: i64 = sqlx::query_scalar(
        "select p.id from plagiarism_pairs p join solutions s on s.id = p.solution_a join users u on u.id = s.author_id
         where p.check_id = $1 and u.username = 'ada' order by p.solution_b limit 1",
    )
    .bind(check)
    .fetch_one(&app.db)
    .await
    .expect("ada's pair");
    let side_by_side = app.get(&format!("/staff/plagiarism/pairs/{pair_id}")).await;
    side_by_side.assert_contains("ada and bob");
    side_by_side.assert_contains(r#"class="match-region match-0""#);
    side_by_side.assert_contains(r##"href="#b-0""##);
    side_by_side.assert_contains("Confirm plagiarism");

    // A student may not look, let alone decide.
    let (ada, _) = &submitted[0];
    assert_eq!(
        ada.get(&format!("/staff/plagiarism/pairs/{pair_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let forged = ada
        .post_form(
            &format!("/staff/plagiarism/pairs/{pair_id}/decision"),
            &[("decision", "dismissed")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);

    let decided = app
        .post_form(
            &format!("/staff/plagiarism/pairs/{pair_id}/decision"),
            &[("decision", "confirmed")],
        )
        .await;
    decided.assert_redirect_to(&format!("/staff/plagiarism/pairs/{pair_id}"));
    let decision: Option<String> =
        sqlx::query_scalar("select decision from plagiarism_pairs where id = $1")
            .bind(pair_id)
            .fetch_one(&app.db)
            .await
            .expect("the decision");
    assert_eq!(decision.as_deref(), Some("confirmed"));
    let after = app.get(&format!("/staff/plagiarism/pairs/{pair_id}")).await;
    after.assert_contains("Undecide");
    after.assert_contains("by ta");
    // The task's overview says what its last check found, as INLOOP's banner did.
    app.get(&format!("/staff/tasks/{task_id}"))
        .await
        .assert_contains("pair(s) found, 1 confirmed, 2 undecided");
    let log = app.get("/staff/audit").await;
    log.assert_contains("Decided about a suspected plagiarism");
    log.assert_contains("undecided → plagiarism confirmed");
    log.assert_contains("Started a plagiarism check");
}

/// Enough generated solutions that a check runs for a while: all alike, so every pair is
/// compared in detail.
async fn seed_many(app: &TestApp, task_id: i64, students: i32) {
    sqlx::query(
        "insert into users (username, email, password_hash, role, is_active)
         select 'many' || n, 'many' || n || '@example.org', '!', 'student', true from generate_series(1, $1) n",
    )
    .bind(students)
    .execute(&app.db)
    .await
    .expect("students");
    sqlx::query(
        "insert into solutions (task_id, author_id, number, revision, status, verdict, attempt)
         select $1, u.id, 1, 'x', 'done', 'passed', 1 from users u where u.username like 'many%'",
    )
    .bind(task_id)
    .execute(&app.db)
    .await
    .expect("solutions");
    sqlx::query(
        "insert into solution_files (solution_id, name, contents)
         select s.id, 'inventory.py', convert_to(
             (select string_agg(format('def f%s(a, b):\n    if a > %s:\n        return a * b + %s\n    return [x for x in range(b) if x %% 3 == %s]\n', k, k, s.id % 7, k % 3), '')
              from generate_series(1, 60) k), 'UTF8')
         from solutions s join users u on u.id = s.author_id where u.username like 'many%'",
    )
    .execute(&app.db)
    .await
    .expect("files");
}

#[tokio::test]
async fn a_running_check_shows_its_progress_refuses_a_second_and_can_be_cancelled() {
    let (app, task_id) = course().await;
    seed_many(&app, task_id, 1_500).await;
    app.logged_in_as("ta", Role::Staff).await;
    let form = [
        ("target", format!("task:{task_id}")),
        ("basis", "last_passed".into()),
        ("threshold", "60".into()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let started = app.post_form("/staff/plagiarism", &form).await;
    let check = check_id(started.location.as_deref().expect("the check's page"));

    let again = app.post_form("/staff/plagiarism", &form).await;
    again.assert_redirect_to("/staff/plagiarism");
    app.get("/staff/plagiarism").await.assert_contains("A check is still running for Inventory");
    let open: i64 = sqlx::query_scalar("select count(*) from plagiarism_checks where task_id = $1")
        .bind(task_id)
        .fetch_one(&app.db)
        .await
        .expect("checks");
    assert_eq!(open, 1, "a second check of the task was refused");

    // The page follows the check while it runs: a stage, a bar, and a button to stop it.
    let running = eventually(Duration::from_secs(30), "the check to report progress", || async {
        let page = app.get(&format!("/staff/plagiarism/{check}")).await;
        (page.body.contains("Comparing the likely pairs in detail")
            || page.body.contains("Screening every pair")
            || page.body.contains("Reading the solutions"))
        .then_some(page)
    })
    .await;
    running.assert_contains(r#"hx-trigger="every 2s""#);
    running.assert_contains("<progress");
    running.assert_contains("Cancel the check");

    let cancelled = app.post_form(&format!("/staff/plagiarism/{check}/cancel"), &[]).await;
    cancelled.assert_redirect_to(&format!("/staff/plagiarism/{check}"));
    assert_eq!(finished(&app, check).await, "cancelled");
    app.get(&format!("/staff/plagiarism/{check}"))
        .await
        .assert_contains("cancelled before it finished");
    app.get("/staff/audit").await.assert_contains("Cancelled a plagiarism check");
    // Once it has ended, another may start.
    let next = app.post_form("/staff/plagiarism", &form).await;
    assert!(
        next.location.as_deref().is_some_and(|to| to != "/staff/plagiarism"),
        "{:?}",
        next.location
    );
}
