//! Staff create students' accounts: one, or a CSV file of many, checked line by line and then
//! created in one transaction or not at all.

use std::time::Duration;

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Multipart},
};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use crate::{
    audit::{Action, Entry},
    auth,
    db::{self, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    mail::Mail,
    paths,
    roster::{self, Existing, FileError, NewStudent, Row},
    routes::accounts::password::password_link,
    session::FlashLevel,
    views::{
        self,
        staff::roster::{self as roster_views, OneStudentForm},
    },
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/users/new", get(new_accounts_page).post(create_one)),
        ("/users/import", post(check_import)),
        ("/users/import/confirm", post(confirm_import)),
    ]
}

/// How long the link in the mail to a new account works.
const INVITATION_DAYS: u32 = 7;

async fn render_new(
    ctx: &Ctx,
    form: &OneStudentForm,
    errors: &[(&'static str, String)],
    csv: &str,
    csv_error: Option<&str>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let csrf_token = ctx.csrf_token();
    let groups = super::group_names(ctx).await?;
    let view = roster_views::NewAccountsView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        form,
        errors,
        groups: &groups,
        csv,
        csv_error,
    };
    let refused = !errors.is_empty() || csv_error.is_some();
    let status = if refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(ctx.render_with_status(status, "New accounts", roster_views::new_accounts(&view)))
}

#[handler]
async fn new_accounts_page(ctx: Ctx) -> Result<Response, AppError> {
    render_new(&ctx, &OneStudentForm::default(), &[], "", None).await
}

/// What is taken of the names the rows ask for.
async fn check(ctx: &Ctx, text: &str) -> Result<Result<Vec<Row>, FileError>, AppError> {
    // A first reading finds the names to look up; the second checks against what is taken.
    let nothing_taken = Default::default();
    let groups = super::group_names(ctx).await?;
    let first = match roster::read(
        text,
        &Existing { usernames: &nothing_taken, emails: &nothing_taken, groups: &groups },
    ) {
        Ok(rows) => rows,
        Err(problem) => return Ok(Err(problem)),
    };
    let usernames: Vec<String> = first.iter().map(|row| row.student.username.clone()).collect();
    let emails: Vec<String> = first.iter().map(|row| row.student.email.clone()).collect();
    let (taken_names, taken_emails) =
        db::users::taken_among(&ctx.state.db, &usernames, &emails).await?;
    Ok(roster::read(
        text,
        &Existing { usernames: &taken_names, emails: &taken_emails, groups: &groups },
    ))
}

/// Creates the accounts (and their group memberships) in the transaction; the new users.
async fn create_all(
    tx: &mut sqlx::PgConnection,
    students: &[&NewStudent],
) -> Result<Option<Vec<i64>>, AppError> {
    let mut created = Vec::with_capacity(students.len());
    for student in students {
        let row = db::users::NewStudentRow {
            username: &student.username,
            email: &student.email,
            first_name: &student.first_name,
            last_name: &student.last_name,
            matriculation_number: &student.matriculation_number,
            password_hash: auth::NO_PASSWORD_YET,
        };
        let id = match db::users::insert_student(&mut *tx, &row).await {
            Ok(id) => id,
            // Taken since the check: the caller shows the check again.
            Err(db::users::InsertUserError::DuplicateUsername)
            | Err(db::users::InsertUserError::DuplicateEmail) => return Ok(None),
            Err(db::users::InsertUserError::Db(err)) => return Err(err.into()),
        };
        if let Some(group) = &student.group
            && !db::groups::add_member_by_name(&mut *tx, id, group).await?
        {
            return Ok(None);
        }
        created.push(id);
    }
    Ok(Some(created))
}

/// Mails each new account its link to choose a password, in the background.
async fn invite(ctx: &Ctx, user_ids: &[i64]) -> Result<(), AppError> {
    let lifetime = Duration::from_secs(u64::from(INVITATION_DAYS) * 24 * 3600);
    for &user_id in user_ids {
        let Some(user) = db::users::find_by_id(&ctx.state.db, user_id).await? else { continue };
        let link = password_link(&ctx.state, &user, lifetime);
        let text = views::mails::invitation(&views::mails::InvitationMail {
            site_name: &ctx.state.settings.site_name,
            username: &user.username,
            link: &link,
            valid_days: INVITATION_DAYS,
        });
        let mail = Mail { to: user.email, subject: text.subject, body: text.body };
        ctx.state.mailer.send_in_background(mail, "invitation");
    }
    Ok(())
}

#[handler]
async fn create_one(ctx: Ctx, Form(form): Form<OneStudentForm>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let student = NewStudent {
        username: form.username.trim().to_owned(),
        email: form.email.trim().to_owned(),
        first_name: form.first_name.trim().to_owned(),
        last_name: form.last_name.trim().to_owned(),
        matriculation_number: form.matriculation_number.trim().to_owned(),
        group: Some(form.group.clone()),
    };
    let groups = super::group_names(&ctx).await?;
    let (taken_names, taken_emails) = db::users::taken_among(
        &ctx.state.db,
        std::slice::from_ref(&student.username),
        std::slice::from_ref(&student.email),
    )
    .await?;
    let existing = Existing { usernames: &taken_names, emails: &taken_emails, groups: &groups };
    let rows = roster::check(vec![(1, student)], &existing);
    let row = &rows[0];
    if !row.problems.is_empty() {
        let errors: Vec<(&'static str, String)> =
            row.problems.iter().map(|problem| (field_of(problem), problem.clone())).collect();
        return render_new(&ctx, &form, &errors, "", None).await;
    }
    let mut tx = ctx.state.db.begin().await?;
    let Some(created) = create_all(&mut tx, &[&row.student]).await? else {
        drop(tx);
        let errors =
            [("username", "The user name or e-mail address was taken just now.".to_owned())];
        return render_new(&ctx, &form, &errors, "", None).await;
    };
    let entry = Entry::new(
        Action::AccountsCreated,
        format!("user {}", row.student.username),
        format!("created by hand; {}", row.student.email),
    );
    db::audit::record(&mut *tx, staff.into(), &entry).await?;
    tx.commit().await?;
    tracing::info!(by = staff.id, user_id = created[0], "staff created an account");
    if form.send_mail.is_some() {
        invite(&ctx, &created).await?;
    }
    ctx.flash(
        FlashLevel::Success,
        if form.send_mail.is_some() {
            format!(
                "Created {}'s account and sent the e-mail to choose a password.",
                row.student.username
            )
        } else {
            format!("Created {}'s account.", row.student.username)
        },
    );
    Ok(redirect(&paths::staff::user(created[0])))
}

/// Which field of the one-student form a row problem is about.
fn field_of(problem: &str) -> &'static str {
    if problem.contains("e-mail") {
        "email"
    } else if problem.contains("first name") {
        "first_name"
    } else if problem.contains("last name") {
        "last_name"
    } else if problem.contains("matriculation") {
        "matriculation_number"
    } else if problem.contains("group") {
        "group"
    } else {
        "username"
    }
}

/// The CSV of an import form: the file's if one was chosen, else the text field's.
async fn read_import(multipart: &mut Multipart) -> Result<String, String> {
    let mut file = None;
    let mut text = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| "The upload was interrupted; please try again.".to_owned())?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "file" && name != "csv" {
            continue;
        }
        let chosen = field.file_name().is_some_and(|file_name| !file_name.is_empty());
        let mut bytes = Vec::new();
        field
            .into_async_read()
            .take(roster::MOST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|_| "The upload was interrupted; please try again.".to_owned())?;
        if bytes.len() > roster::MOST_BYTES {
            return Err(FileError::TooLarge.to_string());
        }
        let decoded = String::from_utf8(bytes).map_err(|_| {
            "The file is not UTF-8 text: save it from your spreadsheet as \"CSV UTF-8\".".to_owned()
        })?;
        if name == "file" && chosen && !decoded.trim().is_empty() {
            file = Some(decoded);
        } else if name == "csv" {
            text = decoded;
        }
    }
    Ok(file.unwrap_or(text))
}

async fn render_preview(
    ctx: &Ctx,
    rows: &[Row],
    csv: &str,
    changed_since: bool,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let csrf_token = ctx.csrf_token();
    let view = roster_views::ImportPreviewView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        rows,
        csv,
        changed_since,
    };
    let status = if changed_since { StatusCode::CONFLICT } else { StatusCode::OK };
    Ok(ctx.render_with_status(status, "Check the import", roster_views::import_preview(&view)))
}

#[handler]
async fn check_import(ctx: Ctx, mut multipart: Multipart) -> Result<Response, AppError> {
    ctx.require_staff()?;
    let text = match read_import(&mut multipart).await {
        Ok(text) => text,
        Err(problem) => {
            return render_new(&ctx, &OneStudentForm::default(), &[], "", Some(&problem)).await;
        }
    };
    match check(&ctx, &text).await? {
        Ok(rows) => render_preview(&ctx, &rows, &text, false).await,
        Err(problem) => {
            render_new(&ctx, &OneStudentForm::default(), &[], &text, Some(&problem.to_string()))
                .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfirmForm {
    csv: String,
    send_mail: Option<String>,
}

#[handler]
async fn confirm_import(ctx: Ctx, Form(form): Form<ConfirmForm>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let rows = match check(&ctx, &form.csv).await? {
        Ok(rows) => rows,
        Err(problem) => {
            return render_new(
                &ctx,
                &OneStudentForm::default(),
                &[],
                &form.csv,
                Some(&problem.to_string()),
            )
            .await;
        }
    };
    if rows.iter().any(|row| !row.problems.is_empty()) {
        return render_preview(&ctx, &rows, &form.csv, true).await;
    }
    let students: Vec<&NewStudent> = rows.iter().map(|row| &row.student).collect();
    let mut tx = ctx.state.db.begin().await?;
    let Some(created) = create_all(&mut tx, &students).await? else {
        drop(tx);
        let rows = check(&ctx, &form.csv).await?.unwrap_or_default();
        return render_preview(&ctx, &rows, &form.csv, true).await;
    };
    let entry = Entry::new(
        Action::AccountsCreated,
        format!("{} student account(s)", created.len()),
        format!(
            "imported from a CSV file: {}",
            students.iter().map(|student| student.username.as_str()).collect::<Vec<_>>().join(", ")
        ),
    );
    db::audit::record(&mut *tx, staff.into(), &entry).await?;
    tx.commit().await?;
    tracing::info!(by = staff.id, accounts = created.len(), "staff imported accounts");
    if form.send_mail.is_some() {
        invite(&ctx, &created).await?;
    }
    ctx.flash(FlashLevel::Success, format!("Created {} account(s).", created.len()));
    Ok(redirect(paths::staff::USERS))
}
