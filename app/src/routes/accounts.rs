//! Account flows: log in and out, sign up and activate, reset and change the password, profile,
//! own-work declaration.

use std::time::Duration;

use poem::{
    Response, handler,
    http::StatusCode,
    web::{Form, Path, Query},
};
use serde::Deserialize;

use crate::{
    auth::{self, LinkPurpose, LinkSigner},
    db,
    error::AppError,
    extract::Ctx,
    http::{redirect, safe_next},
    mail::Mail,
    markdown,
    rate_limit::{Decision, Limit, describe_wait},
    session::FlashLevel,
    views::{self, accounts::FieldErrors},
};

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub logged_out: Option<String>,
}

fn login_limits(ctx: &Ctx) -> (Limit, Limit) {
    let limits = &ctx.state.settings.rate_limits;
    (
        Limit { bucket: "login-address", max: limits.login_per_address, window: limits.window() },
        Limit { bucket: "login-account", max: limits.login_per_account, window: limits.window() },
    )
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
pub async fn login_form(ctx: Ctx, query: Query<NextQuery>) -> Result<Response, AppError> {
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
pub async fn login_submit(ctx: Ctx, Form(form): Form<LoginForm>) -> Result<Response, AppError> {
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
    if let Decision::Limited { retry_after } =
        per_account.check(&ctx.state.redis, prefix, login).await?
    {
        let message = format!(
            "Too many failed logins for this account. Please try again in {}, or reset your password.",
            describe_wait(retry_after)
        );
        return render_login(&ctx, &query, login, Some((StatusCode::TOO_MANY_REQUESTS, &message)))
            .await;
    }
    let user = if login.is_empty() || login.contains('\0') {
        None
    } else {
        db::users::find_by_login(&ctx.state.db, login).await?
    };
    let password_ok =
        auth::verify_password(&form.password, user.as_ref().map(|u| u.password_hash.as_str()))
            .await;
    let Some(user) = user.filter(|_| password_ok) else {
        per_account.hit(&ctx.state.redis, prefix, login).await?;
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
    per_account.reset(&ctx.state.redis, prefix, login).await?;
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
pub fn logout(ctx: Ctx) -> Response {
    if let Some(user) = &ctx.user {
        tracing::info!(user_id = user.id, "logged out");
    }
    ctx.typed_session().log_out();
    redirect("/login?logged_out=1")
}

#[handler]
pub async fn signup_form(ctx: Ctx) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(redirect("/"));
    }
    let settings = ctx.state.site_settings().await?;
    if !settings.signup_allowed {
        return Ok(redirect("/account/signup/closed"));
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
pub fn signup_closed(ctx: Ctx) -> Response {
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

fn valid_username(username: &str) -> bool {
    !username.is_empty()
        && username.chars().count() <= 150
        && username.chars().all(|c| c.is_ascii_alphanumeric() || "@.+-_".contains(c))
}

fn valid_email(email: &str) -> bool {
    email.len() <= 254 && email.parse::<lettre::Address>().is_ok()
}

#[handler]
pub async fn signup_submit(
    ctx: Ctx,
    Form(mut form): Form<SignupForm>,
) -> Result<Response, AppError> {
    if ctx.user.is_some() {
        return Ok(redirect("/"));
    }
    let settings = ctx.state.site_settings().await?;
    if !settings.signup_allowed {
        return Ok(redirect("/account/signup/closed"));
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
            "Enter a username of up to 150 letters, digits and @ . + - _".to_owned(),
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
    let link = format!("{}/account/activate/{token}", ctx.state.settings.public_url);
    let site_name = &ctx.state.settings.site_name;
    let mail = Mail {
        to: form.email.clone(),
        subject: format!("Activate your account on {site_name}"),
        body: format!(
            "Hello {},\n\nplease open this link to activate your account:\n\n{link}\n\n\
             The link is valid for {} days. If you did not sign up, ignore this e-mail.\n\n\
             The {site_name} team\n",
            form.username, ctx.state.settings.activation_days
        ),
    };
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
pub async fn activate(ctx: Ctx, Path(token): Path<String>) -> Result<Response, AppError> {
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
    Ok(redirect("/login"))
}

#[handler]
pub fn password_reset_form(ctx: Ctx) -> Response {
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

#[handler]
pub async fn password_reset_request(
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
        && let Some(user) = db::users::find_by_login(&ctx.state.db, email).await?
        && user.is_active
        && user.email.eq_ignore_ascii_case(email)
    {
        let lifetime =
            Duration::from_secs(u64::from(ctx.state.settings.password_reset_hours) * 3600);
        let token = ctx.state.links.sign(
            LinkPurpose::PasswordReset,
            user.id,
            &reset_binding(&user),
            lifetime,
        );
        let link = format!("{}/account/password-reset/{token}", ctx.state.settings.public_url);
        let site_name = &ctx.state.settings.site_name;
        let mail = Mail {
            to: user.email.clone(),
            subject: format!("Recover your password on {site_name}"),
            body: format!(
                "Hello {},\n\nsomebody (hopefully you) asked to set a new password for your account. \
                 Open this link to do so:\n\n{link}\n\nThe link works once, within {} hours. \
                 If you did not ask for it, ignore this e-mail; your password stays as it is.\n\n\
                 The {site_name} team\n",
                user.username, ctx.state.settings.password_reset_hours
            ),
        };
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
pub async fn password_reset_confirm_form(
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
        &format!("/account/password-reset/{token}"),
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
pub async fn password_reset_confirm(
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
        let action = format!("/account/password-reset/{token}");
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
    Ok(redirect("/login"))
}

#[handler]
pub fn password_change_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_user()?;
    Ok(render_set_password(&ctx, "/account/password", &FieldErrors::new(), true, StatusCode::OK))
}

#[handler]
pub async fn password_change_submit(
    ctx: Ctx,
    Form(form): Form<SetPasswordForm>,
) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
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
    Ok(redirect("/account/profile"))
}

#[derive(Debug, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    matriculation_number: String,
    #[serde(default)]
    course_id: Option<String>,
    #[serde(default)]
    declaration: Option<String>,
}

impl ProfileForm {
    fn trimmed(mut self) -> Self {
        self.first_name = self.first_name.trim().to_owned();
        self.last_name = self.last_name.trim().to_owned();
        self.matriculation_number = self.matriculation_number.trim().to_owned();
        self
    }

    fn errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if self.first_name.chars().count() > 150 {
            errors.insert("first_name", "Use at most 150 characters.".to_owned());
        }
        if self.last_name.chars().count() > 150 {
            errors.insert("last_name", "Use at most 150 characters.".to_owned());
        }
        let matriculation_number = &self.matriculation_number;
        if !matriculation_number.chars().all(|c| c.is_ascii_digit())
            || matriculation_number.len() > 20
        {
            errors.insert(
                "matriculation_number",
                "Please enter a numeric value or leave the field blank.".to_owned(),
            );
        }
        errors
    }
}

async fn render_profile(
    ctx: &Ctx,
    form: &ProfileForm,
    course_id: Option<i64>,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    let courses: Vec<views::accounts::CourseOption> = db::courses::list(&ctx.state.db)
        .await?
        .into_iter()
        .map(|course| views::accounts::CourseOption { id: course.id, name: course.name })
        .collect();
    let groups = db::groups::names_of_user(&ctx.state.db, user.id).await?;
    let csrf_token = ctx.csrf_token();
    let view = views::accounts::ProfileView {
        csrf_token: &csrf_token,
        username: &user.username,
        email: &user.email,
        first_name: &form.first_name,
        last_name: &form.last_name,
        matriculation_number: &form.matriculation_number,
        course_id,
        courses: &courses,
        groups: &groups,
        errors,
    };
    Ok(ctx.render_with_status(status, "My profile", views::accounts::profile(&view)))
}

#[handler]
pub async fn profile_form(ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    let form = ProfileForm {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        matriculation_number: user.matriculation_number.clone(),
        course_id: None,
        declaration: None,
    };
    render_profile(&ctx, &form, user.course_id, &FieldErrors::new(), StatusCode::OK).await
}

#[handler]
pub async fn profile_submit(ctx: Ctx, Form(form): Form<ProfileForm>) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    let form = form.trimmed();
    let mut errors = form.errors();
    let course_id = match form.course_id.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(course_id)) if db::courses::exists(&ctx.state.db, course_id).await? => {
            Some(course_id)
        }
        Some(_) => {
            errors.insert("course_id", "Choose a course of study from the list.".to_owned());
            None
        }
    };
    if !errors.is_empty() {
        return render_profile(
            &ctx,
            &form,
            course_id.or(user.course_id),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let profile = db::users::Profile {
        first_name: &form.first_name,
        last_name: &form.last_name,
        matriculation_number: &form.matriculation_number,
        course_id,
    };
    db::users::update_profile(&ctx.state.db, user.id, &profile).await?;
    ctx.flash(FlashLevel::Success, "Your profile has been updated successfully.");
    Ok(redirect("/account/profile"))
}

async fn render_ownwork(
    ctx: &Ctx,
    form: &ProfileForm,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let settings = ctx.state.site_settings().await?;
    let csrf_token = ctx.csrf_token();
    let view = views::accounts::OwnworkView {
        csrf_token: &csrf_token,
        intro: markdown::render(&settings.ownwork_declaration_intro),
        declaration: markdown::render(&settings.ownwork_declaration),
        first_name: &form.first_name,
        last_name: &form.last_name,
        matriculation_number: &form.matriculation_number,
        errors,
    };
    Ok(ctx.render_with_status(
        status,
        "Own-work declaration",
        views::accounts::confirm_ownwork(&view),
    ))
}

#[handler]
pub async fn ownwork_form(ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    if user.ownwork_confirmed_at.is_some() || user.role.is_staff() {
        return Ok(redirect("/"));
    }
    let form = ProfileForm {
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        matriculation_number: user.matriculation_number.clone(),
        course_id: None,
        declaration: None,
    };
    render_ownwork(&ctx, &form, &FieldErrors::new(), StatusCode::OK).await
}

#[handler]
pub async fn ownwork_submit(ctx: Ctx, Form(form): Form<ProfileForm>) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    let form = form.trimmed();
    let mut errors = form.errors();
    for (field, value) in [
        ("first_name", &form.first_name),
        ("last_name", &form.last_name),
        ("matriculation_number", &form.matriculation_number),
    ] {
        if value.is_empty() && !errors.contains_key(field) {
            errors.insert(field, "This field is required.".to_owned());
        }
    }
    if form.declaration.is_none() {
        errors.insert("declaration", "Please confirm the declaration.".to_owned());
    }
    if !errors.is_empty() {
        return render_ownwork(&ctx, &form, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let mut tx = ctx.state.db.begin().await?;
    let profile = db::users::Profile {
        first_name: &form.first_name,
        last_name: &form.last_name,
        matriculation_number: &form.matriculation_number,
        course_id: None,
    };
    db::users::update_profile(&mut *tx, user.id, &profile).await?;
    db::users::confirm_ownwork(&mut *tx, user.id).await?;
    tx.commit().await?;
    ctx.flash(FlashLevel::Success, "Thanks! Your details have been saved successfully.");
    Ok(redirect("/"))
}
