//! Passwords: the reset by mailed link, and the change with the old one.

use std::time::Duration;

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    web::{Form, Path},
};
use serde::Deserialize;

use crate::{
    auth::{self, LinkPurpose, LinkSigner},
    db,
    error::AppError,
    extract::Ctx,
    http::redirect,
    mail::Mail,
    paths,
    rate_limit::{Decision, Limit, describe_wait},
    roster::valid_email,
    session::FlashLevel,
    views::{self, accounts::FieldErrors},
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/account/password-reset", get(password_reset_form).post(password_reset_request)),
        (
            "/account/password-reset/:token",
            get(password_reset_confirm_form).post(password_reset_confirm),
        ),
        ("/account/password", get(password_change_form).post(password_change_submit)),
    ]
}

#[handler]
fn password_reset_form(ctx: Ctx) -> Response {
    let csrf_token = ctx.csrf_token();
    let view = views::accounts::PasswordResetRequestView {
        csrf_token: &csrf_token,
        email: "",
        error: None,
    };
    ctx.render("Forgot your password?", views::accounts::password_reset_request(&view))
}

#[derive(Debug, Deserialize)]
pub struct PasswordResetRequestForm {
    #[serde(default)]
    email: String,
}

fn reset_binding(user: &db::users::User) -> String {
    let last_login = user.last_login_at.map(|at| at.unix_timestamp()).unwrap_or_default();
    format!("{}:{last_login}", user.password_hash)
}

/// A link that lets the user set a new password, once, within `lifetime` (also the invitation
/// staff send with an account they created).
pub(crate) fn password_link(
    state: &crate::state::AppState,
    user: &db::users::User,
    lifetime: Duration,
) -> String {
    let token =
        state.links.sign(LinkPurpose::PasswordReset, user.id, &reset_binding(user), lifetime);
    format!("{}{}", state.settings.public_url, paths::password_reset_link(&token))
}

#[handler]
async fn password_reset_request(
    ctx: Ctx,
    Form(form): Form<PasswordResetRequestForm>,
) -> Result<Response, AppError> {
    let limits = &ctx.state.settings.rate_limits;
    let limit = Limit {
        bucket: "reset-address",
        max: limits.password_reset_per_address,
        window: limits.window(),
    };
    if let Decision::Limited { retry_after } =
        limit.hit(&ctx.state.redis, ctx.state.redis_prefix(), &ctx.client_address).await?
    {
        let message = format!(
            "Too many requests from your network. Please try again in {}.",
            describe_wait(retry_after)
        );
        let csrf_token = ctx.csrf_token();
        let view = views::accounts::PasswordResetRequestView {
            csrf_token: &csrf_token,
            email: form.email.trim(),
            error: Some(&message),
        };
        return Ok(ctx.render_with_status(
            StatusCode::TOO_MANY_REQUESTS,
            "Forgot your password?",
            views::accounts::password_reset_request(&view),
        ));
    }
    let email = form.email.trim();
    // The answer is the same whether or not the address is known, so it reveals no accounts:
    // the mail goes out in the background, and neither its time nor its failure shows here.
    if valid_email(email)
        && let Some(user) = db::users::find_by_email(&ctx.state.db, email).await?
        && user.is_active
    {
        let lifetime =
            Duration::from_secs(u64::from(ctx.state.settings.password_reset_hours) * 3600);
        let link = password_link(&ctx.state, &user, lifetime);
        let text = views::mails::password_reset(&views::mails::PasswordResetMail {
            site_name: &ctx.state.settings.site_name,
            username: &user.username,
            link: &link,
            valid_hours: ctx.state.settings.password_reset_hours,
        });
        let mail = Mail { to: user.email, subject: text.subject, body: text.body };
        ctx.state.mailer.send_in_background(mail, "password reset");
    }
    Ok(ctx.render("Check your mailbox", views::accounts::password_reset_sent()))
}

async fn user_for_reset(ctx: &Ctx, token: &str) -> Result<Option<db::users::User>, AppError> {
    let Some(parsed) = LinkSigner::parse(token) else { return Ok(None) };
    let Some(user) = db::users::find_by_id(&ctx.state.db, parsed.user_id).await? else {
        return Ok(None);
    };
    let valid = user.is_active
        && ctx.state.links.verify(LinkPurpose::PasswordReset, &parsed, &reset_binding(&user));
    Ok(valid.then_some(user))
}

#[handler]
async fn password_reset_confirm_form(
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    if user_for_reset(&ctx, &token).await?.is_none() {
        return Ok(ctx.render_with_status(
            StatusCode::BAD_REQUEST,
            "Invalid link",
            views::accounts::password_reset_invalid(),
        ));
    }
    Ok(render_set_password(
        &ctx,
        &paths::password_reset_link(&token),
        &FieldErrors::new(),
        false,
        StatusCode::OK,
    ))
}

fn render_set_password(
    ctx: &Ctx,
    action: &str,
    errors: &FieldErrors,
    ask_old_password: bool,
    status: StatusCode,
) -> Response {
    let csrf_token = ctx.csrf_token();
    let heading = if ask_old_password { "Change your password" } else { "Set a new password" };
    let view = views::accounts::SetPasswordView {
        csrf_token: &csrf_token,
        action,
        errors,
        ask_old_password,
        heading,
    };
    ctx.render_with_status(status, heading, views::accounts::set_password(&view))
}

#[derive(Debug, Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
}

fn new_password_errors(form: &SetPasswordForm, user: &db::users::User) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if form.password1 != form.password2 {
        errors.insert("password2", "The two passwords do not match.".to_owned());
    }
    if let Err(message) = auth::check_password_policy(&form.password1, &user.username, &user.email)
    {
        errors.insert("password1", message);
    }
    errors
}

#[handler]
async fn password_reset_confirm(
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let Some(user) = user_for_reset(&ctx, &token).await? else {
        return Ok(ctx.render_with_status(
            StatusCode::BAD_REQUEST,
            "Invalid link",
            views::accounts::password_reset_invalid(),
        ));
    };
    let errors = new_password_errors(&form, &user);
    if !errors.is_empty() {
        let action = paths::password_reset_link(&token);
        return Ok(render_set_password(
            &ctx,
            &action,
            &errors,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let hash = auth::hash_password(&form.password1).await?;
    db::users::set_password(&ctx.state.db, user.id, &hash).await?;
    tracing::info!(user_id = user.id, "reset a password by e-mail link");
    ctx.flash(FlashLevel::Success, "Your password has been set. You can now log in with it.");
    Ok(redirect(paths::LOGIN))
}

#[handler]
fn password_change_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_user()?;
    Ok(render_set_password(&ctx, "/account/password", &FieldErrors::new(), true, StatusCode::OK))
}

#[handler]
async fn password_change_submit(
    ctx: Ctx,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    // Each try costs two argon2 computations, and it is a way to guess the current password.
    let limits = &ctx.state.settings.rate_limits;
    let tries = Limit {
        bucket: "password-change",
        max: limits.password_changes_per_account,
        window: limits.window(),
    };
    if let Decision::Limited { retry_after } =
        tries.hit(&ctx.state.redis, ctx.state.redis_prefix(), &user.id.to_string()).await?
    {
        return Err(AppError::TooManyRequests {
            message: format!(
                "You have tried to change your password too often. Please try again in {}.",
                describe_wait(retry_after)
            ),
        });
    }
    let mut errors = new_password_errors(&form, user);
    if !auth::verify_password(&form.old_password, Some(&user.password_hash)).await {
        errors.insert("old_password", "Your current password was entered incorrectly.".to_owned());
    }
    if !errors.is_empty() {
        return Ok(render_set_password(
            &ctx,
            "/account/password",
            &errors,
            true,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let hash = auth::hash_password(&form.password1).await?;
    db::users::set_password(&ctx.state.db, user.id, &hash).await?;
    // This session continues under a new id; every other session of the account ends.
    ctx.typed_session().log_in(user.id, &auth::password_fingerprint(&hash));
    tracing::info!(user_id = user.id, "changed a password");
    ctx.flash(FlashLevel::Success, "Your password has been updated successfully.");
    Ok(redirect(paths::PROFILE))
}
