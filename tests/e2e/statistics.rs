//! The statistics page over a course's solutions: every chart with its title, description and
//! table, the filters (group, days), the hours around a deadline, and a bad date named.

use inloop_app::db::users::Role;
use inloop_tests::TestApp;

use crate::plagiarism::course;

/// Three students' solutions of `squares`, handed in over the two days before its deadline.
async fn seed(app: &TestApp) {
    sqlx::raw_sql(
        "update tasks set deadline = date_trunc('hour', now()) - interval '1 day' where slug = 'squares';
         insert into users (username, email, password_hash, role, is_active) values
           ('ada', 'ada@example.org', '!', 'student', true), ('bob', 'bob@example.org', '!', 'student', true),
           ('cy', 'cy@example.org', '!', 'student', true), ('tim', 'tim@example.org', '!', 'staff', true);
         insert into groups (name) values ('Monday');
         insert into group_members (user_id, group_id) select u.id, g.id from users u, groups g where u.username = 'ada';
         insert into solutions (task_id, author_id, number, revision, status, verdict, attempt, submitted_at)
         select t.id, u.id, s.number, 'r', 'done', s.verdict, 1, t.deadline - s.before
         from (values ('ada', 1, 'failed', interval '30 hours'), ('ada', 2, 'passed', interval '29 hours'),
                      ('bob', 1, 'compile_error', interval '3 hours'), ('bob', 2, 'failed', interval '2 hours'),
                      ('bob', 3, 'passed', interval '90 minutes'), ('cy', 1, 'timeout', interval '30 minutes'),
                      ('tim', 1, 'passed', interval '5 hours'))
              s(username, number, verdict, before)
         join users u on u.username = s.username join tasks t on t.slug = 'squares';
         insert into results (solution_id, attempt, runner, verdict, report, duration_ms, created_at)
         select s.id, 1, 'r1', s.verdict, '{}', 800, s.submitted_at + interval '3 seconds' from solutions s;",
    )
    .execute(&app.db)
    .await
    .expect("the course's solutions");
}

#[tokio::test]
async fn staff_see_the_course_in_charts_with_their_figures_as_tables() {
    let (app, _) = course().await;
    seed(&app).await;
    app.logged_in_as("ta", Role::Staff).await;

    let page = app.get("/staff/statistics").await;
    page.assert_contains("6 solution(s) of 1 task(s).");
    for title in [
        "Solutions handed in per day",
        "Solutions of Squares per hour around its deadline",
        "Students who passed, of those who handed in, per task",
        "Verdicts of all solutions, per task",
        "Attempts until the first pass",
        "Waiting for a runner and running, per day (seconds)",
    ] {
        page.assert_contains(title);
    }
    assert_eq!(page.body.matches(r#"role="img""#).count(), 6, "six charts");
    assert_eq!(page.body.matches("The figures as a table").count(), 6, "each with its table");
    // Two of three students passed (the tutor does not count); one at the second attempt, one
    // at the third.
    page.assert_contains("<td>66.7 %</td><td>2 of 3 students</td>");
    page.assert_contains("<th scope=\"row\">2</th><td>1</td>");
    page.assert_contains("<th scope=\"row\">3</th><td>1</td>");
    // The waiting time: three seconds from handing in to the result, less the run's 0.8.
    page.assert_contains("<td>2.2 s</td>");
    page.assert_contains(
        "6 solutions in the 48 hours before the deadline, 4 of them in the last 24 hours.",
    );
    assert!(!page.body.contains("style="), "the CSP allows no inline styles");

    let group: i64 = sqlx::query_scalar("select id from groups where name = 'Monday'")
        .fetch_one(&app.db)
        .await
        .expect("the group");
    let monday = app.get(&format!("/staff/statistics?group={group}")).await;
    monday.assert_contains("2 solution(s) of 1 task(s).");
    monday.assert_contains("<td>100 %</td><td>1 of 1 students</td>");

    let later = app.get("/staff/statistics?from=2999-01-01").await;
    later.assert_contains("No solution matches these filters.");
    let wrong = app.get("/staff/statistics?from=2026-13-40").await;
    wrong.assert_contains("is not a date like 2026-10-01");
    wrong.assert_contains("6 solution(s)");

    let student = app.other_client();
    student.logged_in_as("zed", Role::Student).await;
    assert_eq!(student.get("/staff/statistics").await.status, reqwest::StatusCode::NOT_FOUND);
}
