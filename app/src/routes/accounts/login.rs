//! Logging in (by user name or e-mail address; limited per address, and slowed down per account
//! and address) and out.

use std::time::Duration;

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Query},
};
use serde::Deserialize;

use crate::{
    auth::{self},
    db,
    error::AppError,
    extract::Ctx,
    http::{redirect, safe_next},
    paths,
    rate_limit::{Backoff, Decision, Limit, describe_wait},
    session::FlashLevel,
    views::{self},
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![("/login", get(login_form).post(login_submit)), ("/logout", post(logout))]
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub logged_out: Option<String>,
}

fn login_limits(ctx: &Ctx) -> (Limit, Backoff) {
    let limits = &ctx.state.settings.rate_limits;
    (
        Limit { bucket: "login-address", max: limits.login_per_address, window: limits.window() },
        Backoff {
            bucket: "login-account-address",
            free: limits.login_per_account_and_address,
            first_wait: Duration::from_secs(2),
            longest: limits.window(),
            memory: Duration::from_secs(24 * 3600),
        },
    )
}

/// Tries count per account and network: whoever guesses at an account from one place waits
/// longer and longer, while its owner, from another, can still log in.
fn account_at_address(login: &str, address: &str) -> String {
    format!("{login}\n{address}")
}

pub async fn render_login(
    ctx: &Ctx,
    query: &NextQuery,
    login: &str,
    error: Option<(StatusCode, &str)>,
) -> Result<Response, AppError> {
    let signup_allowed = ctx.state.site_settings().await?.signup_allowed;
    let notice = query
        .logged_out
        .as_ref()
        .map(|_| "You have been logged out. We hope to see you soon again!");
    let csrf_token = ctx.csrf_token();
    let view = views::accounts::LoginView {
        csrf_token: &csrf_token,
        login,
        next: safe_next(&query.next),
        error: error.map(|(_, message)| message),
        notice,
        signup_allowed,
    };
    let status = error.map_or(StatusCode::OK, |(status, _)| status);
    Ok(ctx.render_with_status(status, "Log in", views::accounts::login(&view)))
}

#[handler]
async fn login_form(ctx: Ctx, query: Query<NextQuery>) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(redirect(safe_next(&query.next)));
    }
    render_login(&ctx, &query.0, "", None).await
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[handler]
async fn login_submit(ctx: Ctx, Form(form): Form<LoginForm>) -> Result<Response, AppError> {
    let query = NextQuery { next: form.next.clone(), logged_out: None };
    let login = form.login.trim();
    let (per_address, per_account) = login_limits(&ctx);
    let prefix = ctx.state.redis_prefix();
    if let Decision::Limited { retry_after } =
        per_address.hit(&ctx.state.redis, prefix, &ctx.client_address).await?
    {
        let message = format!(
            "Too many login attempts from your network. Please try again in {}.",
            describe_wait(retry_after)
        );
        return render_login(&ctx, &query, login, Some((StatusCode::TOO_MANY_REQUESTS, &message)))
            .await;
    }
    // User names never hold an `@`, so a login with one is an e-mail address and nothing else.
    let user = if login.is_empty() || login.contains('\0') {
        None
    } else if login.contains('@') {
        db::users::find_by_email(&ctx.state.db, login).await?
    } else {
        db::users::find_by_username(&ctx.state.db, login).await?
    };
    // By name or by address, an account is guessed at as one.
    let account =
        user.as_ref().map_or_else(|| login.to_lowercase(), |user| format!("#{}", user.id));
    let guesser = account_at_address(&account, &ctx.client_address);
    if let Decision::Limited { retry_after } =
        per_account.try_now(&ctx.state.redis, prefix, &guesser).await?
    {
        let message = format!(
            "Too many failed logins for this account from your network. Please try again in {}, or reset your password.",
            describe_wait(retry_after)
        );
        return render_login(&ctx, &query, login, Some((StatusCode::TOO_MANY_REQUESTS, &message)))
            .await;
    }
    let password_ok =
        auth::verify_password(&form.password, user.as_ref().map(|u| u.password_hash.as_str()))
            .await;
    let Some(user) = user.filter(|_| password_ok) else {
        tracing::info!(client = %ctx.client_address, "failed login");
        return render_login(
            &ctx,
            &query,
            login,
            Some((
                StatusCode::UNAUTHORIZED,
                "Please enter a correct username and password. Note that the password is case-sensitive.",
            )),
        )
        .await;
    };
    if !user.is_active {
        return render_login(
            &ctx,
            &query,
            login,
            Some((
                StatusCode::FORBIDDEN,
                "Your account is not active. If you signed up recently, open the activation link we sent you by e-mail.",
            )),
        )
        .await;
    }
    per_account.reset(&ctx.state.redis, prefix, &guesser).await?;
    db::users::record_login(&ctx.state.db, user.id).await?;
    let settings = ctx.state.site_settings().await?;
    let group_names = settings.auto_assign_group_names();
    if user.role == db::users::Role::Student && !group_names.is_empty() {
        let mut connection = ctx.state.db.acquire().await?;
        if let Some(group) = db::groups::auto_assign(&mut connection, user.id, &group_names).await?
        {
            tracing::info!(user_id = user.id, group, "assigned a user to a group at login");
        }
    }
    ctx.typed_session().log_in(user.id, &auth::password_fingerprint(&user.password_hash));
    if !user.profile_is_complete() && !settings.require_ownwork_declaration {
        ctx.flash(
            FlashLevel::Warning,
            "Your profile is incomplete: please add your name and matriculation number under My profile.",
        );
    }
    tracing::info!(user_id = user.id, "logged in");
    Ok(redirect(safe_next(&form.next)))
}

#[handler]
fn logout(ctx: Ctx) -> Response {
    if let Some(user) = &ctx.user {
        tracing::info!(user_id = user.id, "logged out");
    }
    ctx.typed_session().log_out();
    redirect(paths::LOGGED_OUT)
}
