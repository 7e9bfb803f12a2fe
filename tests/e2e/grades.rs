//! The grade export through the whole pipeline: solutions graded by a real runner, a copy
//! found by a plagiarism check and confirmed, then the export as staff download it (plain CSV,
//! the spreadsheet variant, INLOOP's bonus-point preset), with the counting rules.

use std::time::Duration;

use inloop_app::db::users::Role;
use inloop_tests::{TestApp, eventually, start_runner};
use reqwest::StatusCode;

use crate::plagiarism::{corpus, course};

const RIGHT: &str = "def square(n):\n    return n * n\n";
const WRONG: &str = "def square(n):\n    return n + n\n";

async fn download(app: &TestApp, query: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let response = app
        .client
        .get(app.url(&format!("/staff/grades/download?{query}")))
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (status, disposition, response.bytes().await.expect("a body").to_vec())
}

#[tokio::test]
async fn staff_export_who_passed_and_a_confirmed_plagiarism_counts_as_not_passed() {
    let (app, inventory) = course().await;
    let _runner = start_runner(&app, 2);
    let work: [(&str, &[(&str, String)]); 4] = [
        ("ada", &[("inventory", corpus("01-original")), ("squares", RIGHT.into())]),
        ("bob", &[("inventory", corpus("01-renamed")), ("squares", WRONG.into())]),
        // Passed first, then handed in a wrong one: the last counts as not passed, the best as passed.
        ("dan", &[("squares", RIGHT.into()), ("squares", WRONG.into())]),
        ("eve", &[("inventory", corpus("03-original"))]),
    ];
    for (name, solutions) in work {
        let student = app.other_client();
        student.logged_in_as(name, Role::Student).await;
        sqlx::query("update users set matriculation_number = $2 where username = $1")
            .bind(name)
            .bind(format!("4{}", name.len() * 1000 + name.as_bytes()[0] as usize))
            .execute(&app.db)
            .await
            .expect("a matriculation number");
        for (task, code) in solutions {
            let file = format!("{task}.py");
            let path = student.submitted(task, &[(file.as_str(), code.as_str())]).await;
            student.wait_for_verdict(&path).await;
        }
    }
    // Cy has an account and nothing else.
    app.other_client().logged_in_as("cy", Role::Student).await;

    app.logged_in_as("ta", Role::Staff).await;
    let started = app
        .post_form(
            "/staff/plagiarism",
            &[
                ("target", &format!("task:{inventory}")),
                ("basis", "last_passed"),
                ("threshold", "60"),
            ],
        )
        .await;
    let check: i64 = started
        .location
        .as_deref()
        .and_then(|to| to.trim_start_matches("/staff/plagiarism/").parse().ok())
        .expect("a check");
    let pair: i64 = eventually(Duration::from_secs(60), "the copy to be found", || async {
        sqlx::query_scalar("select id from plagiarism_pairs where check_id = $1")
            .bind(check)
            .fetch_optional(&app.db)
            .await
            .expect("pairs")
    })
    .await;
    app.post_form(
        &format!("/staff/plagiarism/pairs/{pair}/decision"),
        &[("decision", "confirmed")],
    )
    .await;

    let category: i64 = sqlx::query_scalar("select category_id from tasks where id = $1")
        .bind(inventory)
        .fetch_one(&app.db)
        .await
        .expect("the category");
    let page = app.get(&format!("/staff/grades?category={category}&counting=last&columns=username&format=csv&preset=custom")).await;
    page.assert_contains("Preview");
    page.assert_contains("5 row(s) of 5 student(s) and 2 task(s)");

    let base = format!(
        "category={category}&columns=username&columns=matriculation_number&preset=custom&format=csv"
    );
    let (status, disposition, body) = download(&app, &format!("{base}&counting=last")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.is_some_and(|value| value.starts_with("attachment; filename=\"grades-")));
    let csv = String::from_utf8(body).expect("UTF-8");
    let number = |name: &str| format!("4{}", name.len() * 1000 + name.as_bytes()[0] as usize);
    assert_eq!(
        csv,
        format!(
            "username,matriculation_number,inventory,squares,passed\n\
             ada,{},plagiarism,passed,1\nbob,{},plagiarism,not passed,0\ncy,{},,,0\ndan,{},,not passed,0\neve,{},passed,,1\n",
            number("ada"),
            number("bob"),
            sqlx::query_scalar::<_, String>(
                "select matriculation_number from users where username = 'cy'"
            )
            .fetch_one(&app.db)
            .await
            .expect("cy"),
            number("dan"),
            number("eve"),
        )
    );
    let (_, _, best) = download(&app, &format!("{base}&counting=best&only_with_passes=1")).await;
    let best = String::from_utf8(best).expect("UTF-8");
    assert!(best.contains(&format!("dan,{},,passed,1", number("dan"))), "{best}");
    assert!(
        !best.contains("cy,") && !best.contains("bob,"),
        "students without a pass are left out: {best}"
    );

    let (_, _, sheet) = download(
        &app,
        &format!(
            "category={category}&columns=username&preset=custom&format=spreadsheet&counting=last"
        ),
    )
    .await;
    assert!(
        sheet.starts_with("\u{feff}username;inventory;squares;passed\r\n".as_bytes()),
        "{:?}",
        String::from_utf8_lossy(&sheet)
    );

    let (_, disposition, bonus) = download(
        &app,
        &format!("category={category}&preset=tud-bonus&format=csv&only_with_passes=1"),
    )
    .await;
    assert!(disposition.is_some_and(|value| value.contains("bonus-points-")));
    let bonus = String::from_utf8(bonus).expect("UTF-8");
    let lines: Vec<&str> = bonus.lines().collect();
    assert_eq!(lines.len(), 3, "ada, dan and eve have a point: {bonus}");
    assert!(
        lines.iter().all(|line| line.ends_with(",1") && line.split(',').count() == 7),
        "{bonus}"
    );

    let log = app.get("/staff/audit").await;
    log.assert_contains("Exported grades");
    // Students cannot export.
    let student = app.other_client();
    student.logged_in_as("zed", Role::Student).await;
    let (status, _, _) = download(&student, "preset=custom").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
