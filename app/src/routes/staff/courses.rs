//! Courses of study: the list students choose from, adding one, and (admins) renaming one or
//! deleting one nobody studies.

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path},
};

use super::admin_only;
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
    vec![
        ("/courses", get(courses_page).post(course_create)),
        ("/courses/:id", post(admin_only(course_rename))),
        ("/courses/:id/delete", post(admin_only(course_delete))),
    ]
}

async fn render_courses(
    ctx: &Ctx,
    name: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let courses: Vec<staff_views::CourseRow> = db::courses::list_with_students(&ctx.state.db)
        .await?
        .into_iter()
        .map(|course| staff_views::CourseRow {
            fixed: course.name == db::courses::DEFAULT_COURSE,
            id: course.id,
            name: course.name,
            students: course.students,
        })
        .collect();
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

#[handler]
async fn course_rename(
    ctx: Ctx,
    Path(course_id): Path<i64>,
    Form(form): Form<super::NameForm>,
) -> Result<Response, AppError> {
    let admin = ctx.require_admin()?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        ctx.flash(FlashLevel::Error, "Enter a name of up to 100 characters.");
        return Ok(redirect(paths::staff::COURSES));
    }
    match db::courses::rename(&ctx.state.db, course_id, name).await {
        Ok(Some(old)) => {
            let entry = Entry::new(
                Action::CourseChanged,
                format!("course of study {old}"),
                format!("now {name}"),
            );
            db::audit::record(&ctx.state.db, admin.into(), &entry).await?;
            ctx.flash(FlashLevel::Success, format!("{old} is called {name} now."));
        }
        Ok(None) => ctx.flash(FlashLevel::Error, "That course of study cannot be renamed."),
        Err(db::InsertNamedError::NameTaken) => {
            ctx.flash(
                FlashLevel::Error,
                format!("There is a course of study called {name} already."),
            );
        }
        Err(db::InsertNamedError::Db(err)) => return Err(err.into()),
    }
    Ok(redirect(paths::staff::COURSES))
}

#[handler]
async fn course_delete(ctx: Ctx, Path(course_id): Path<i64>) -> Result<Response, AppError> {
    let admin = ctx.require_admin()?;
    match db::courses::delete_unused(&ctx.state.db, course_id).await? {
        Some(name) => {
            let entry =
                Entry::new(Action::CourseChanged, format!("course of study {name}"), "deleted");
            db::audit::record(&ctx.state.db, admin.into(), &entry).await?;
            ctx.flash(FlashLevel::Success, format!("Deleted the course of study {name}."));
        }
        None => ctx.flash(
            FlashLevel::Error,
            "Only a course of study that nobody studies can be deleted (and never Other).",
        ),
    }
    Ok(redirect(paths::staff::COURSES))
}
