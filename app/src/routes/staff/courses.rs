//! Courses of study: the list students choose from, and adding one.

use poem::{Response, RouteMethod, get, handler, http::StatusCode, web::Form};

use crate::{
    audit::{Action, Entry},
    db::{self, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths,
    session::FlashLevel,
    views::staff as staff_views,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![("/courses", get(courses_page).post(course_create))]
}

async fn render_courses(
    ctx: &Ctx,
    name: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let courses: Vec<String> =
        db::courses::list(&ctx.state.db).await?.into_iter().map(|course| course.name).collect();
    let csrf_token = ctx.csrf_token();
    let view = staff_views::CoursesView {
        csrf_token: &csrf_token,
        is_admin: viewer.role == Role::Admin,
        courses: &courses,
        name,
        error,
    };
    Ok(ctx.render_with_status(status, "Courses of study", staff_views::courses(&view)))
}

#[handler]
async fn courses_page(ctx: Ctx) -> Result<Response, AppError> {
    render_courses(&ctx, "", None, StatusCode::OK).await
}

#[handler]
async fn course_create(ctx: Ctx, Form(form): Form<super::NameForm>) -> Result<Response, AppError> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return render_courses(
            &ctx,
            name,
            Some("Enter a name of up to 100 characters."),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match db::courses::create(&ctx.state.db, name).await {
        Ok(_) => {
            let entry = Entry::new(Action::CourseCreated, format!("course of study {name}"), "");
            db::audit::record(&ctx.state.db, ctx.require_staff()?.into(), &entry).await?;
            ctx.flash(FlashLevel::Success, format!("Added the course of study {name}."));
            Ok(redirect(paths::staff::COURSES))
        }
        Err(db::InsertNamedError::NameTaken) => {
            render_courses(
                &ctx,
                name,
                Some("A course of study with that name already exists."),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(db::InsertNamedError::Db(err)) => Err(err.into()),
    }
}
