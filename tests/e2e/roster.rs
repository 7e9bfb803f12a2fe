//! Staff create students' accounts: one by hand, or many from a CSV file that is checked line by
//! line and imported in one transaction or not at all; each student gets a mail to choose a
//! password.

use inloop_app::db::users::Role;
use inloop_tests::{Page, TestApp, spawn_app};
use reqwest::StatusCode;

/// Sends an import form: the CSV as the text field, or as a chosen file.
async fn check_import(app: &TestApp, csv: &str, as_file: bool) -> Page {
    let token = app.csrf_token().await;
    let mut form = reqwest::multipart::Form::new().text("csrf_token", token);
    form = if as_file {
        form.part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("students.csv"),
        )
        .text("csv", "")
    } else {
        form.part("file", reqwest::multipart::Part::bytes(Vec::new()).file_name(""))
            .text("csv", csv.to_owned())
    };
    let response = app.client.post(app.url("/staff/users/import")).multipart(form).send().await;
    Page::from(response.expect("answered")).await
}

async fn users_named(app: &TestApp, prefix: &str) -> i64 {
    sqlx::query_scalar("select count(*) from users where username like $1 || '%'")
        .bind(prefix)
        .fetch_one(&app.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn staff_create_one_account_and_its_student_chooses_a_password() {
    let app = spawn_app().await;
    let student = app.other_client();
    student.logged_in_as("stu", Role::Student).await;
    assert_eq!(student.get("/staff/users/new").await.status, StatusCode::NOT_FOUND);
    app.logged_in_as("ta", Role::Staff).await;
    sqlx::query("insert into groups (name) values ('Tuesday')")
        .execute(&app.db)
        .await
        .expect("group");
    app.get("/staff/users").await.assert_contains("New student accounts");

    let refused = app
        .post_form(
            "/staff/users/new",
            &[
                ("username", "grace@example.org"),
                ("email", "grace"),
                ("matriculation_number", "12ab"),
                ("group", "Friday"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("is not a user name");
    refused.assert_contains("is not an e-mail address");
    refused.assert_contains("is not a matriculation number");
    refused.assert_contains("there is no group");
    refused.assert_contains(r#"value="grace@example.org""#);
    let taken = app
        .post_form("/staff/users/new", &[("username", "STU"), ("email", "new@example.org")])
        .await;
    taken.assert_contains("the user name STU is taken");

    let created = app
        .post_form(
            "/staff/users/new",
            &[
                ("username", "grace"),
                ("email", "grace@example.org"),
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("matriculation_number", "1906"),
                ("group", "tuesday"),
                ("send_mail", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page = app.get(created.location.as_deref().expect("the user's page")).await;
    page.assert_contains("account and sent the e-mail to choose a password.");
    page.assert_contains("Grace Hopper");
    let groups: Vec<String> = sqlx::query_scalar(
        "select g.name from groups g join group_members m on m.group_id = g.id join users u on u.id = m.user_id where u.username = 'grace'",
    )
    .fetch_all(&app.db)
    .await
    .expect("groups");
    assert_eq!(groups, ["Tuesday"]);

    // No password works until Grace has chosen one by the mailed link.
    let grace = app.other_client();
    assert_eq!(grace.login("grace", "!no password yet").await.status, StatusCode::UNAUTHORIZED);
    let mails = app.wait_for_mails(1).await;
    assert!(mails[0].contains("Subject: Your account on INLOOP"), "{}", mails[0]);
    assert!(mails[0].contains("your user name is grace"));
    let link = app.link_in_last_mail("/account/password-reset/");
    let chosen = "a whole new password";
    grace
        .post_form(&link, &[("password1", chosen), ("password2", chosen)])
        .await
        .assert_redirect_to("/login");
    grace.login("grace", chosen).await.assert_redirect_to("/");

    app.get("/staff/audit?action=accounts_created").await.assert_contains("user grace");

    // Staff correct her personal data and send her a new link.
    let user_page = created.location.expect("the user's page");
    let personal = format!("{user_page}/personal");
    let refused = app
        .post_form(
            &personal,
            &[
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("email", "stu@example.org"),
                ("matriculation_number", "x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Another account has this e-mail address.");
    refused.assert_contains("Up to 20 digits.");
    refused.assert_contains(r#"value="stu@example.org""#);
    app.post_form(
        &personal,
        &[
            ("first_name", "Grace B."),
            ("last_name", "Hopper"),
            ("email", "grace.hopper@example.org"),
            ("matriculation_number", "1906"),
        ],
    )
    .await
    .assert_redirect_to(&user_page);
    let page = app.get(&user_page).await;
    page.assert_contains("Grace B. Hopper");
    page.assert_contains("grace.hopper@example.org");
    app.post_form(&format!("{user_page}/reset-mail"), &[]).await.assert_redirect_to(&user_page);
    let mails = app.wait_for_mails(2).await;
    assert!(mails[1].contains("grace.hopper@example.org"), "{}", mails[1]);
    assert_eq!(
        student.post_form(&personal, &[("email", "mine@example.org")]).await.status,
        StatusCode::NOT_FOUND
    );
    app.get("/staff/audit")
        .await
        .assert_contains("e-mail: grace@example.org → grace.hopper@example.org");
}

#[tokio::test]
async fn a_csv_file_is_checked_line_by_line_and_imported_all_or_nothing() {
    let app = spawn_app().await;
    app.logged_in_as("ta", Role::Staff).await;
    sqlx::query("insert into groups (name) values ('Tuesday')")
        .execute(&app.db)
        .await
        .expect("group");
    app.create_user("taken", Role::Student).await;

    // A file with problems creates nothing and names every line's problem.
    let bad = "username;email;first_name;group\nan1;an1@example.org;Ann;Tuesday\ntaken;x@example.org;;\nan1;an1@example.org;;Friday\n";
    let preview = check_import(&app, bad, true).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    preview.assert_contains("2 line(s)");
    preview.assert_contains("the user name taken is taken");
    preview.assert_contains("the user name an1 is on an earlier line too");
    preview.assert_contains("there is no group &quot;Friday&quot;");
    assert!(
        !preview.body.contains("/staff/users/import/confirm"),
        "no way to import a file with problems"
    );
    assert_eq!(users_named(&app, "an").await, 0);

    let refused = check_import(&app, "name,email\nx,y\n", false).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("The header line has a column &quot;name&quot; we do not know");

    // A thousand students, checked, then created in one go.
    let mut csv = String::from("username,email,matriculation_number,group\n");
    for n in 0..1000 {
        csv.push_str(&format!(
            "s{n:04},s{n:04}@example.org,{},{}\n",
            100_000 + n,
            if n % 2 == 0 { "Tuesday" } else { "" }
        ));
    }
    let preview = check_import(&app, &csv, false).await;
    preview.assert_contains("Every line is right.");
    preview.assert_contains("Create 1000 account(s)");

    // Somebody takes one of the names between the check and the import: nothing is created.
    app.create_user("s0999", Role::Student).await;
    let late = app.post_form("/staff/users/import/confirm", &[("csv", &csv)]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    late.assert_contains("Something changed since the check: nothing was imported.");
    late.assert_contains("the user name s0999 is taken");
    assert_eq!(users_named(&app, "s0").await, 1, "only the one taken meanwhile");

    let csv = csv.replace("s0999,s0999@example.org", "t0999,t0999@example.org");
    let imported = app.post_form("/staff/users/import/confirm", &[("csv", &csv)]).await;
    imported.assert_redirect_to("/staff/users");
    app.get("/staff/users").await.assert_contains("Created 1000 account(s).");
    assert_eq!(users_named(&app, "s0").await, 1000);
    let in_tuesday: i64 = sqlx::query_scalar(
        "select count(*) from group_members m join groups g on g.id = m.group_id where g.name = 'Tuesday'",
    )
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(in_tuesday, 500);
    assert!(app.mails().is_empty(), "no mail unless asked for");
}

#[tokio::test]
async fn staff_rename_groups_and_spread_the_students_without_one_evenly() {
    let app = spawn_app().await;
    app.logged_in_as("ta", Role::Staff).await;
    let group = |name: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("insert into groups (name) values ($1) returning id")
                .bind(name)
                .fetch_one(&db)
                .await
                .expect("group")
        }
    };
    let monday = group("Monday").await;
    let tuesday = group("Tuesday").await;
    let friday = group("Friday").await;
    let already = app.create_user("already", Role::Student).await;
    sqlx::query("insert into group_members (user_id, group_id) values ($1, $2)")
        .bind(already)
        .bind(monday)
        .execute(&app.db)
        .await
        .expect("member");
    for n in 0..7 {
        app.create_user(&format!("new{n}"), Role::Student).await;
    }
    let inactive = app.create_user("gone", Role::Student).await;
    sqlx::query("update users set is_active = false where id = $1")
        .bind(inactive)
        .execute(&app.db)
        .await
        .expect("inactive");

    let page = app.get(&format!("/staff/groups/{monday}")).await;
    page.assert_contains("1 member(s)");
    page.assert_contains("already");
    let renamed = app.post_form(&format!("/staff/groups/{monday}"), &[("name", "Tuesday")]).await;
    assert_eq!(renamed.status, StatusCode::CONFLICT);
    renamed.assert_contains("A group with that name already exists.");
    renamed.assert_contains(r#"value="Tuesday""#);
    app.post_form(&format!("/staff/groups/{monday}"), &[("name", "Monday A")])
        .await
        .assert_redirect_to(&format!("/staff/groups/{monday}"));
    app.get(&format!("/staff/groups/{monday}")).await.assert_contains("Group Monday A");

    // Seven students without a group over Monday A (1 member) and Tuesday (none): 4 and 4.
    let spread = app
        .post_form(
            "/staff/groups/assign",
            &[("group", &monday.to_string()), ("group", &tuesday.to_string())],
        )
        .await;
    spread.assert_redirect_to("/staff/groups");
    app.get("/staff/groups").await.assert_contains("Put 7 student(s) into groups");
    let sizes: Vec<(i64, i64)> = sqlx::query_as(
        "select g.id, count(m.user_id) from groups g left join group_members m on m.group_id = g.id group by g.id order by g.id",
    )
    .fetch_all(&app.db)
    .await
    .expect("sizes");
    assert_eq!(sizes, [(monday, 4), (tuesday, 4), (friday, 0)]);
    let loose: i64 = sqlx::query_scalar(
        "select count(*) from users u where u.role = 'student' and not exists (select 1 from group_members m where m.user_id = u.id)",
    )
    .fetch_one(&app.db)
    .await
    .expect("count");
    assert_eq!(loose, 1, "only the inactive account stays without a group");
    app.post_form("/staff/groups/assign", &[]).await.assert_redirect_to("/staff/groups");
    app.get("/staff/groups").await.assert_contains("Every active student is in a group already.");
}
