//! Accounts: the searchable list and one account's groups, role and activation.

use std::time::Duration;

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path, Query},
};
use serde::Deserialize;

use super::{RepeatedForm, admin_only};
use crate::{
    audit,
    db::{self, search::SolutionSearch, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    mail::Mail,
    paths, roster,
    routes::accounts::password::password_link,
    session::FlashLevel,
    taskrepo::dates::display,
    views::{
        self,
        staff::{self as staff_views, PersonalForm},
    },
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/users", get(users_page)),
        ("/users/:id", get(user_edit_form).post(user_edit)),
        ("/users/:id/personal", post(personal_save)),
        ("/users/:id/reset-mail", post(send_reset_mail)),
        ("/users/:id/delete", get(admin_only(delete_confirmation)).post(admin_only(delete_user))),
    ]
}

const USERS_PER_PAGE: i64 = 50;
/// Solutions listed on a student's page; the rest are a link away.
const LATEST_SOLUTIONS: i64 = 30;

#[derive(Debug, Deserialize)]
struct UserQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    page: Option<i64>,
}

#[handler]
async fn users_page(ctx: Ctx, Query(query): Query<UserQuery>) -> Result<Response, AppError> {
    let user = ctx.require_staff()?;
    let role = Role::parse(&query.role);
    let page = crate::http::page_number(query.page);
    let (rows, total) = db::users::list(
        &ctx.state.db,
        query.q.trim(),
        role,
        (page - 1) * USERS_PER_PAGE,
        USERS_PER_PAGE,
    )
    .await?;
    let rows: Vec<staff_views::UserRowView> = rows
        .into_iter()
        .map(|row| staff_views::UserRowView {
            id: row.id,
            name: format!("{} {}", row.first_name, row.last_name).trim().to_owned(),
            username: row.username,
            email: row.email,
            matriculation_number: row.matriculation_number,
            role: row.role,
            is_active: row.is_active,
            groups: row.groups.join(", "),
            last_login: row.last_login_at.map(|at| display(at, &ctx.state.task_source.zone)),
        })
        .collect();
    let base_url = format!(
        "{}?q={}&role={}",
        paths::staff::USERS,
        crate::http::url_encode(query.q.trim()),
        role.map(Role::as_str).unwrap_or("")
    );
    let view = staff_views::UserListView {
        is_admin: user.role == Role::Admin,
        search: query.q.trim(),
        role,
        rows: &rows,
        total,
        page,
        pages: (total + USERS_PER_PAGE - 1) / USERS_PER_PAGE,
        base_url: &base_url,
    };
    Ok(ctx.render("Users", staff_views::user_list(&view)))
}

async fn render_user_edit(
    ctx: &Ctx,
    user_id: i64,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_user_page(ctx, user_id, error, None, status).await
}

/// The user's page; `personal` is the personal data form as sent and refused, with its errors.
async fn render_user_page(
    ctx: &Ctx,
    user_id: i64,
    error: Option<&str>,
    personal: Option<(&PersonalForm, &[(&'static str, String)])>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let member_of = db::groups::of_user(&ctx.state.db, user.id).await?;
    let groups: Vec<staff_views::GroupChoice> = db::groups::list(&ctx.state.db)
        .await?
        .into_iter()
        .map(|group| staff_views::GroupChoice {
            member: member_of.contains(&group.id),
            id: group.id,
            name: group.name,
        })
        .collect();
    let zone = &ctx.state.task_source.zone;
    let tasks: Vec<_> = db::search::standings_of_student(&ctx.state.db, user.id)
        .await?
        .into_iter()
        .map(|standing| super::solutions::standing_row(standing, zone))
        .collect();
    let latest = SolutionSearch { author: Some(user.id), ..SolutionSearch::default() };
    let (solutions, total) =
        db::search::solutions(&ctx.state.db, &latest, 0, LATEST_SOLUTIONS).await?;
    let solutions: Vec<_> =
        solutions.into_iter().map(|found| super::solutions::found_row(found, zone)).collect();
    let work = staff_views::course::student_work(
        &user.username,
        &tasks,
        &solutions,
        total - solutions.len() as i64,
    );
    let csrf_token = ctx.csrf_token();
    let extensions = db::overrides::extensions_of_user(&ctx.state.db, user.id).await?.len();
    let stored = PersonalForm {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        email: user.email.clone(),
        matriculation_number: user.matriculation_number.clone(),
    };
    let (personal, personal_errors) = personal.unwrap_or((&stored, &[]));
    let view = staff_views::UserEditView {
        personal,
        personal_errors,
        extensions,
        work,
        csrf_token: &csrf_token,
        is_admin: viewer.role == Role::Admin,
        id: user.id,
        username: &user.username,
        email: &user.email,
        name: &user.display_name(),
        matriculation_number: &user.matriculation_number,
        role: user.role,
        is_active: user.is_active,
        created_at: display(user.created_at, &ctx.state.task_source.zone),
        last_login: user.last_login_at.map(|at| display(at, &ctx.state.task_source.zone)),
        groups: &groups,
        error,
    };
    Ok(ctx.render_with_status(
        status,
        &format!("User {}", user.username),
        staff_views::user_edit(&view),
    ))
}

#[handler]
async fn user_edit_form(ctx: Ctx, Path(user_id): Path<i64>) -> Result<Response, AppError> {
    render_user_edit(&ctx, user_id, None, StatusCode::OK).await
}

#[handler]
async fn personal_save(
    ctx: Ctx,
    Path(user_id): Path<i64>,
    Form(form): Form<PersonalForm>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let form = PersonalForm {
        first_name: form.first_name.trim().to_owned(),
        last_name: form.last_name.trim().to_owned(),
        email: form.email.trim().to_owned(),
        matriculation_number: form.matriculation_number.trim().to_owned(),
    };
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    for (field, value) in [("first_name", &form.first_name), ("last_name", &form.last_name)] {
        if !roster::valid_person_name(value) {
            errors.push((field, "Up to 150 characters, without control characters.".to_owned()));
        }
    }
    if !roster::valid_email(&form.email) {
        errors.push(("email", "Enter an e-mail address.".to_owned()));
    } else if !form.email.eq_ignore_ascii_case(&user.email)
        && db::users::email_taken(&ctx.state.db, &form.email).await?
    {
        errors.push(("email", "Another account has this e-mail address.".to_owned()));
    }
    if !roster::valid_matriculation_number(&form.matriculation_number) {
        errors.push(("matriculation_number", "Up to 20 digits.".to_owned()));
    }
    if !errors.is_empty() {
        return render_user_page(
            &ctx,
            user_id,
            None,
            Some((&form, &errors)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let changes: Vec<String> = [
        audit::change("first name", &user.first_name, &form.first_name),
        audit::change("last name", &user.last_name, &form.last_name),
        audit::change("e-mail", &user.email, &form.email),
        audit::change(
            "matriculation number",
            &user.matriculation_number,
            &form.matriculation_number,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut tx = ctx.state.db.begin().await?;
    let profile = db::users::Profile {
        first_name: &form.first_name,
        last_name: &form.last_name,
        matriculation_number: &form.matriculation_number,
        course_id: user.course_id,
    };
    db::users::update_profile(&mut *tx, user.id, &profile).await?;
    if !db::users::set_email(&mut *tx, user.id, &form.email).await? {
        drop(tx);
        let errors = [("email", "Another account has this e-mail address.".to_owned())];
        return render_user_page(
            &ctx,
            user_id,
            None,
            Some((&form, &errors)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if !changes.is_empty() {
        let entry = audit::Entry::new(
            audit::Action::UserChanged,
            format!("user {}", user.username),
            changes.join("; "),
        );
        db::audit::record(&mut *tx, viewer.into(), &entry).await?;
    }
    tx.commit().await?;
    ctx.flash(FlashLevel::Success, format!("Saved {}'s personal data.", user.username));
    Ok(redirect(&paths::staff::user(user.id)))
}

/// What deleting the account removes, and the button that does it (admins only).
#[handler]
async fn delete_confirmation(ctx: Ctx, Path(user_id): Path<i64>) -> Result<Response, AppError> {
    let viewer = ctx.require_admin()?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let footprint = db::users::footprint(&ctx.state.db, user.id).await?;
    let csrf_token = ctx.csrf_token();
    let view = staff_views::DeleteUserView {
        csrf_token: &csrf_token,
        id: user.id,
        username: &user.username,
        name: &user.display_name(),
        is_self: viewer.id == user.id,
        solutions: footprint.solutions,
        checkpoints: footprint.checkpoints,
        extensions: footprint.extensions,
        groups: footprint.groups,
    };
    Ok(ctx.render(&format!("Delete {}", user.username), staff_views::delete_user(&view)))
}

#[handler]
async fn delete_user(ctx: Ctx, Path(user_id): Path<i64>) -> Result<Response, AppError> {
    let admin = ctx.require_admin()?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    if admin.id == user.id {
        ctx.flash(FlashLevel::Error, "You cannot delete your own account.");
        return Ok(redirect(&paths::staff::user(user.id)));
    }
    let footprint = db::users::footprint(&ctx.state.db, user.id).await?;
    let mut tx = ctx.state.db.begin().await?;
    if user.role == Role::Admin && user.is_active && db::users::count_admins(&mut *tx).await? <= 1 {
        drop(tx);
        ctx.flash(
            FlashLevel::Error,
            "This is the last active admin: make somebody else admin first.",
        );
        return Ok(redirect(&paths::staff::user(user.id)));
    }
    let entry = audit::Entry::new(
        audit::Action::AccountDeleted,
        format!("user {}", user.username),
        format!(
            "{} ({}) with {} solution(s), {} checkpoint(s), {} extension(s)",
            user.display_name(),
            user.role.as_str(),
            footprint.solutions,
            footprint.checkpoints,
            footprint.extensions
        ),
    );
    db::audit::record(&mut *tx, admin.into(), &entry).await?;
    db::users::delete(&mut *tx, user.id).await?;
    tx.commit().await?;
    tracing::info!(by = admin.id, user_id = user.id, "an admin deleted an account");
    ctx.flash(
        FlashLevel::Success,
        format!("Deleted the account {} and everything that was theirs.", user.username),
    );
    Ok(redirect(paths::staff::USERS))
}

/// Mails the user a link to choose a new password, as "Forgot your password?" would.
#[handler]
async fn send_reset_mail(ctx: Ctx, Path(user_id): Path<i64>) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let hours = ctx.state.settings.password_reset_hours;
    let link = password_link(&ctx.state, &user, Duration::from_secs(u64::from(hours) * 3600));
    let text = views::mails::password_reset(&views::mails::PasswordResetMail {
        site_name: &ctx.state.settings.site_name,
        username: &user.username,
        link: &link,
        valid_hours: hours,
    });
    ctx.state.mailer.send_in_background(
        Mail { to: user.email.clone(), subject: text.subject, body: text.body },
        "password reset by staff",
    );
    let entry = audit::Entry::new(
        audit::Action::UserChanged,
        format!("user {}", user.username),
        "sent a password-reset e-mail",
    );
    db::audit::record(&ctx.state.db, viewer.into(), &entry).await?;
    ctx.flash(FlashLevel::Success, format!("Sent {} a password-reset e-mail.", user.username));
    Ok(redirect(&paths::staff::user(user.id)))
}

#[handler]
async fn user_edit(
    ctx: Ctx,
    Path(user_id): Path<i64>,
    body: poem::Body,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let form = RepeatedForm::read(body, 64 * 1024).await?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let group_ids = form.ids("group");
    let all_groups = db::groups::list(&ctx.state.db).await?;
    let group_names = |ids: &[i64]| -> String {
        let names: Vec<&str> = all_groups
            .iter()
            .filter(|group| ids.contains(&group.id))
            .map(|group| group.name.as_str())
            .collect();
        if names.is_empty() { "none".to_owned() } else { names.join(", ") }
    };
    let mut changes = Vec::new();
    let mut tx = ctx.state.db.begin().await?;
    let old_groups = db::groups::of_user(&mut *tx, user.id).await?;
    db::groups::set_for_user(&mut tx, user.id, &group_ids).await?;
    let new_groups = db::groups::of_user(&mut *tx, user.id).await?;
    changes.extend(audit::change("groups", &group_names(&old_groups), &group_names(&new_groups)));
    if viewer.role == Role::Admin {
        let role = form.value("role").and_then(Role::parse).unwrap_or(user.role);
        let is_active = form.value("is_active").is_some();
        let loses_admin = user.role == Role::Admin && (role != Role::Admin || !is_active);
        if loses_admin && db::users::count_admins(&mut *tx).await? <= 1 {
            drop(tx);
            return render_user_edit(
                &ctx,
                user_id,
                Some("This is the last active admin: make somebody else admin first."),
                StatusCode::CONFLICT,
            )
            .await;
        }
        db::users::set_role_and_active(&mut *tx, user.id, role, is_active).await?;
        changes.extend(audit::change("role", user.role.as_str(), role.as_str()));
        let active = |active: bool| if active { "active" } else { "inactive" };
        changes.extend(audit::change("status", active(user.is_active), active(is_active)));
    }
    if !changes.is_empty() {
        let entry = audit::Entry::new(
            audit::Action::UserChanged,
            format!("user {}", user.username),
            changes.join("; "),
        );
        db::audit::record(&mut *tx, viewer.into(), &entry).await?;
    }
    tx.commit().await?;
    tracing::info!(by = viewer.id, user_id = user.id, "staff changed a user");
    ctx.flash(FlashLevel::Success, format!("Saved the changes to {}.", user.username));
    Ok(redirect(&paths::staff::user(user.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_checkbox_fields_are_all_kept() {
        let form = RepeatedForm::parse(b"csrf_token=x&group=1&group=3&role=staff");
        let groups: Vec<&str> =
            form.0.iter().filter(|(k, _)| k == "group").map(|(_, v)| v.as_str()).collect();
        assert_eq!(groups, ["1", "3"]);
    }
}
