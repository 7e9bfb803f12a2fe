//! Signing up (when staff open it) and activating the account from the mailed link.

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
    markdown, paths,
    rate_limit::{Decision, Limit, describe_wait},
    roster::{valid_email, valid_username},
    session::FlashLevel,
    views::{self, accounts::FieldErrors},
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/account/signup", get(signup_form).post(signup_submit)),
        ("/account/signup/closed", get(signup_closed)),
        ("/account/activate/:token", get(activate)),
    ]
}

#[handler]
async fn signup_form(ctx: Ctx) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(redirect(paths::HOME));
    }
    let settings = ctx.state.site_settings().await?;
    if !settings.signup_allowed {
        return Ok(redirect(paths::SIGNUP_CLOSED));
    }
    let errors = FieldErrors::new();
    render_signup(&ctx, &SignupForm::default(), &errors, None, StatusCode::OK).await
}

async fn render_signup(
    ctx: &Ctx,
    form: &SignupForm,
    errors: &FieldErrors,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let settings = ctx.state.site_settings().await?;
    let csrf_token = ctx.csrf_token();
    let email_help =
        (!settings.email_help_text.is_empty()).then(|| markdown::render(&settings.email_help_text));
    let view = views::accounts::SignupView {
        csrf_token: &csrf_token,
        username: &form.username,
        email: &form.email,
        privacy_consent: form.privacy_consent.is_some(),
        email_help,
        errors,
        error,
    };
    Ok(ctx.render_with_status(status, "Sign up", views::accounts::signup(&view)))
}

#[handler]
fn signup_closed(ctx: Ctx) -> Response {
    ctx.render("Signing up is closed", views::accounts::signup_closed())
}

#[derive(Debug, Default, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
    #[serde(default)]
    privacy_consent: Option<String>,
}

#[handler]
async fn signup_submit(ctx: Ctx, Form(mut form): Form<SignupForm>) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(redirect(paths::HOME));
    }
    let settings = ctx.state.site_settings().await?;
    if !settings.signup_allowed {
        return Ok(redirect(paths::SIGNUP_CLOSED));
    }
    let limits = &ctx.state.settings.rate_limits;
    let limit =
        Limit { bucket: "signup-address", max: limits.signup_per_address, window: limits.window() };
    if let Decision::Limited { retry_after } =
        limit.hit(&ctx.state.redis, ctx.state.redis_prefix(), &ctx.client_address).await?
    {
        let message = format!(
            "Too many sign-ups from your network. Please try again in {}.",
            describe_wait(retry_after)
        );
        return render_signup(
            &ctx,
            &form,
            &FieldErrors::new(),
            Some(&message),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    form.username = form.username.trim().to_owned();
    form.email = form.email.trim().to_owned();
    // A NUL character never gets this far: the NUL guard refuses such forms for every page.
    let mut errors = FieldErrors::new();
    if !valid_username(&form.username) {
        errors.insert(
            "username",
            "Enter a username of up to 150 letters, digits and . + - _ (not an e-mail address)"
                .to_owned(),
        );
    }
    if !valid_email(&form.email) {
        errors.insert("email", "Enter a valid e-mail address.".to_owned());
    } else if !settings.email_pattern.is_empty() {
        match regex::Regex::new(&settings.email_pattern) {
            Ok(pattern) if pattern.is_match(&form.email) => {}
            Ok(_) => {
                if settings.email_error_message.is_empty() {
                    errors.insert("email", "Sign-up is limited to certain e-mail addresses, and this is not one of them.");
                } else {
                    errors.insert_markup("email", markdown::render(&settings.email_error_message));
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "the e-mail pattern setting is not a valid regular expression");
                errors.insert(
                    "email",
                    "Sign-up is misconfigured; please tell the course staff.".to_owned(),
                );
            }
        }
    }
    if form.password1 != form.password2 {
        errors.insert("password2", "The two passwords do not match.".to_owned());
    }
    if let Err(message) = auth::check_password_policy(&form.password1, &form.username, &form.email)
    {
        errors.insert("password1", message);
    }
    if form.privacy_consent.is_none() {
        errors.insert(
            "privacy_consent",
            "Please accept the privacy statement to sign up.".to_owned(),
        );
    }
    if !errors.contains_key("username")
        && db::users::username_taken(&ctx.state.db, &form.username).await?
    {
        errors.insert("username", "A user with that username already exists.".to_owned());
    }
    if !errors.contains_key("email") && db::users::email_taken(&ctx.state.db, &form.email).await? {
        errors.insert("email", "This email address is already in use.".to_owned());
    }
    if !errors.is_empty() {
        return render_signup(&ctx, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await;
    }

    let hash = auth::hash_password(&form.password1).await?;
    let mut tx = ctx.state.db.begin().await?;
    let new_user = db::users::NewUser {
        username: &form.username,
        email: &form.email,
        password_hash: &hash,
        role: db::users::Role::Student,
        is_active: false,
        privacy_consent: true,
    };
    let user_id = match db::users::insert(&mut *tx, &new_user).await {
        Ok(user_id) => user_id,
        Err(db::users::InsertUserError::Db(err)) => return Err(err.into()),
        // Another sign-up with the same name won the race.
        Err(duplicate) => {
            let field = if matches!(duplicate, db::users::InsertUserError::DuplicateEmail) {
                "email"
            } else {
                "username"
            };
            errors.insert(field, duplicate.to_string());
            return render_signup(&ctx, &form, &errors, None, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    let lifetime = Duration::from_secs(u64::from(ctx.state.settings.activation_days) * 24 * 3600);
    let token = ctx.state.links.sign(
        LinkPurpose::Activation,
        user_id,
        &activation_binding(&form.email),
        lifetime,
    );
    let link = format!("{}{}", ctx.state.settings.public_url, paths::activation_link(&token));
    let text = views::mails::activation(&views::mails::ActivationMail {
        site_name: &ctx.state.settings.site_name,
        username: &form.username,
        link: &link,
        valid_days: ctx.state.settings.activation_days,
    });
    let mail = Mail { to: form.email.clone(), subject: text.subject, body: text.body };
    // The account exists only if its activation mail went out: no half-made sign-ups.
    if let Err(err) = ctx.state.mailer.send(mail).await {
        tracing::error!(error = %format!("{err:#}"), "could not send an activation e-mail");
        return render_signup(
            &ctx,
            &form,
            &FieldErrors::new(),
            Some("We could not send the activation e-mail. Nothing was saved; please try again later."),
            StatusCode::SERVICE_UNAVAILABLE,
        )
        .await;
    }
    tx.commit().await?;
    tracing::info!(user_id, "signed up");
    Ok(ctx.render("Check your mailbox", views::accounts::signup_complete(&form.email)))
}

fn activation_binding(email: &str) -> String {
    format!("inactive:{}", email.to_lowercase())
}

#[handler]
async fn activate(ctx: Ctx, Path(token): Path<String>) -> Result<Response, AppError> {
    let invalid = || {
        ctx.render_with_status(
            StatusCode::BAD_REQUEST,
            "Invalid link",
            views::accounts::activation_invalid(),
        )
    };
    let Some(parsed) = LinkSigner::parse(&token) else { return Ok(invalid()) };
    let Some(user) = db::users::find_by_id(&ctx.state.db, parsed.user_id).await? else {
        return Ok(invalid());
    };
    if user.is_active
        || !ctx.state.links.verify(
            LinkPurpose::Activation,
            &parsed,
            &activation_binding(&user.email),
        )
    {
        return Ok(invalid());
    }
    if !db::users::activate(&ctx.state.db, user.id).await? {
        return Ok(invalid());
    }
    tracing::info!(user_id = user.id, "activated an account");
    ctx.flash(FlashLevel::Success, "Your account has been activated. You can now log in.");
    Ok(redirect(paths::LOGIN))
}
