//! The profile (names, matriculation number, course of study) and the own-work declaration
//! students confirm with it before anything else, when staff require it.

use poem::{Response, RouteMethod, get, handler, http::StatusCode, web::Form};
use serde::Deserialize;

use crate::{
    db,
    error::AppError,
    extract::Ctx,
    http::redirect,
    markdown, paths,
    session::FlashLevel,
    views::{self, accounts::FieldErrors},
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/account/profile", get(profile_form).post(profile_submit)),
        ("/account/confirm-ownwork", get(ownwork_form).post(ownwork_submit)),
    ]
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
async fn profile_form(ctx: Ctx) -> Result<Response, AppError> {
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
async fn profile_submit(ctx: Ctx, Form(form): Form<ProfileForm>) -> Result<Response, AppError> {
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
    Ok(redirect(paths::PROFILE))
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
async fn ownwork_form(ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    if user.ownwork_confirmed_at.is_some() || user.role.is_staff() {
        return Ok(redirect(paths::HOME));
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
async fn ownwork_submit(ctx: Ctx, Form(form): Form<ProfileForm>) -> Result<Response, AppError> {
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
    Ok(redirect(paths::HOME))
}
