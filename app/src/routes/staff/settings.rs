//! The live site settings (admins): sign-up, e-mail rules, own-work declaration, limits,
//! exam mode and testing the solutions saved during it.

use poem::{Response, RouteMethod, get, handler, http::StatusCode, post, web::Form};
use serde::Deserialize;

use super::admin_only;
use crate::{
    audit::{Action, Entry},
    db::{self, site_settings::SiteSettings},
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths,
    session::FlashLevel,
    views::{accounts::FieldErrors, staff as staff_views},
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/settings", get(admin_only(settings_form)).post(admin_only(settings_save))),
        ("/settings/test-saved", post(admin_only(test_saved_solutions))),
    ]
}

async fn render_settings(
    ctx: &Ctx,
    settings: &SiteSettings,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let saved_solutions = db::solutions::count_saved(&ctx.state.db).await?;
    let csrf_token = ctx.csrf_token();
    let view = staff_views::SettingsView {
        csrf_token: &csrf_token,
        signup_allowed: settings.signup_allowed,
        email_pattern: &settings.email_pattern,
        email_help_text: &settings.email_help_text,
        email_error_message: &settings.email_error_message,
        require_ownwork_declaration: settings.require_ownwork_declaration,
        ownwork_declaration_intro: &settings.ownwork_declaration_intro,
        ownwork_declaration: &settings.ownwork_declaration,
        auto_assign_groups: &settings.auto_assign_groups,
        privacy_statement: &settings.privacy_statement,
        legal_notice: &settings.legal_notice,
        help_page: &settings.help_page,
        deadline_tolerance_seconds: settings.deadline_tolerance_seconds,
        max_submissions: settings.max_submissions,
        hide_failing_tasks: settings.hide_failing_tasks,
        immediate_feedback: settings.immediate_feedback,
        saved_solutions,
        errors,
    };
    Ok(ctx.render_with_status(status, "Settings", staff_views::settings(&view)))
}

#[handler]
async fn settings_form(ctx: Ctx) -> Result<Response, AppError> {
    let settings = db::site_settings::load(&ctx.state.db).await?;
    render_settings(&ctx, &settings, &FieldErrors::new(), StatusCode::OK).await
}

/// After an exam: the solutions stored while feedback was off go to the runners, each student's
/// in turn like any others.
#[handler]
async fn test_saved_solutions(ctx: Ctx) -> Result<Response, AppError> {
    let admin = ctx.require_admin()?;
    if !db::site_settings::load(&ctx.state.db).await?.immediate_feedback {
        ctx.flash(
            FlashLevel::Error,
            "Turn feedback on first: students see the results of their saved solutions once they are tested.",
        );
        return Ok(redirect(paths::staff::SETTINGS));
    }
    let authors = db::solutions::queue_saved(&ctx.state.db).await?;
    let entry = Entry::new(
        Action::SavedSolutionsQueued,
        "saved solutions",
        format!("{} student(s)' saved solutions sent to be tested", authors.len()),
    );
    db::audit::record(&ctx.state.db, admin.into(), &entry).await?;
    tracing::info!(by = admin.id, students = authors.len(), "queued the saved solutions");
    for author in &authors {
        if let Err(err) = crate::queue::dispatch_next(&ctx.state, *author).await {
            // Queued is queued: the reconciler sends them once Redis answers.
            tracing::warn!(author, error = %format!("{err:#}"), "could not dispatch yet");
        }
    }
    ctx.flash(
        FlashLevel::Success,
        format!("The saved solutions of {} student(s) are being tested.", authors.len()),
    );
    Ok(redirect(paths::staff::SETTINGS))
}

#[derive(Debug, Deserialize)]
struct SettingsForm {
    signup_allowed: Option<String>,
    #[serde(default)]
    email_pattern: String,
    #[serde(default)]
    email_help_text: String,
    #[serde(default)]
    email_error_message: String,
    require_ownwork_declaration: Option<String>,
    #[serde(default)]
    ownwork_declaration_intro: String,
    #[serde(default)]
    ownwork_declaration: String,
    #[serde(default)]
    auto_assign_groups: String,
    #[serde(default)]
    privacy_statement: String,
    #[serde(default)]
    legal_notice: String,
    #[serde(default)]
    help_page: String,
    #[serde(default)]
    deadline_tolerance_seconds: String,
    #[serde(default)]
    max_submissions: String,
    hide_failing_tasks: Option<String>,
    immediate_feedback: Option<String>,
}

#[handler]
async fn settings_save(ctx: Ctx, Form(form): Form<SettingsForm>) -> Result<Response, AppError> {
    let admin = ctx.require_admin()?;
    let settings = SiteSettings {
        signup_allowed: form.signup_allowed.is_some(),
        email_pattern: form.email_pattern.trim().to_owned(),
        email_help_text: form.email_help_text,
        email_error_message: form.email_error_message,
        require_ownwork_declaration: form.require_ownwork_declaration.is_some(),
        ownwork_declaration_intro: form.ownwork_declaration_intro,
        ownwork_declaration: form.ownwork_declaration,
        auto_assign_groups: form
            .auto_assign_groups
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        privacy_statement: form.privacy_statement,
        legal_notice: form.legal_notice,
        help_page: form.help_page,
        deadline_tolerance_seconds: match form.deadline_tolerance_seconds.trim() {
            "" => 0,
            text => text.parse().unwrap_or(-1),
        },
        hide_failing_tasks: form.hide_failing_tasks.is_some(),
        immediate_feedback: form.immediate_feedback.is_some(),
        max_submissions: if form.max_submissions.trim().is_empty() {
            -1
        } else {
            form.max_submissions.trim().parse().unwrap_or(-2)
        },
    };
    let mut errors = FieldErrors::new();
    if settings.deadline_tolerance_seconds < 0 {
        errors.insert("deadline_tolerance_seconds", "Enter a number of seconds, 0 or more.");
    }
    if settings.max_submissions < -1 {
        errors.insert("max_submissions", "Enter a whole number, or -1 (or nothing) for no limit.");
    }
    if let Err(err) = regex::RegexBuilder::new(&settings.email_pattern).size_limit(1 << 20).build()
    {
        errors.insert("email_pattern", format!("This is not a valid regular expression: {err}"));
    }
    if settings.ownwork_declaration.trim().is_empty() && settings.require_ownwork_declaration {
        errors.insert("ownwork_declaration", "Write the declaration students confirm.".to_owned());
    }
    if !errors.is_empty() {
        return render_settings(&ctx, &settings, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let mut tx = ctx.state.db.begin().await?;
    let old = db::site_settings::load(&mut *tx).await?;
    db::site_settings::save(&mut *tx, &settings).await?;
    let changes = settings.changes_from(&old);
    if !changes.is_empty() {
        let entry = Entry::new(Action::SettingsChanged, "site settings", changes.join("; "));
        db::audit::record(&mut *tx, admin.into(), &entry).await?;
    }
    tx.commit().await?;
    ctx.state.forget_site_settings();
    tracing::info!(by = admin.id, "admin changed the site settings");
    ctx.flash(FlashLevel::Success, "Settings saved.");
    Ok(redirect(paths::staff::SETTINGS))
}
