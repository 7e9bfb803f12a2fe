//! Task categories: their order and descriptions.

use poem::{
    Response, RouteMethod, get, handler, post,
    web::{Form, Path},
};
use serde::Deserialize;

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
    vec![("/categories", get(categories_page)), ("/categories/:id", post(category_save))]
}

#[handler]
async fn categories_page(ctx: Ctx) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let categories: Vec<staff_views::CategoryEditView> =
        db::tasks::categories_for_staff(&ctx.state.db)
            .await?
            .into_iter()
            .map(|category| staff_views::CategoryEditView {
                id: category.id,
                name: category.name,
                display_order: category.display_order,
                description: category.description,
                tasks: category.tasks,
            })
            .collect();
    let csrf_token = ctx.csrf_token();
    Ok(ctx.render(
        "Task categories",
        staff_views::categories(&csrf_token, viewer.role == Role::Admin, &categories),
    ))
}

#[derive(Debug, Deserialize)]
struct CategoryForm {
    #[serde(default)]
    display_order: String,
    #[serde(default)]
    description: String,
}

#[handler]
async fn category_save(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<CategoryForm>,
) -> Result<Response, AppError> {
    let Ok(order) = form.display_order.trim().parse::<i32>() else {
        ctx.flash(FlashLevel::Error, "The display order must be a whole number.");
        return Ok(redirect(paths::staff::CATEGORIES));
    };
    if !db::tasks::update_category(&ctx.state.db, id, order, form.description.trim()).await? {
        return Err(AppError::NotFound);
    }
    let entry = Entry::new(
        Action::CategoryChanged,
        format!("category #{id}"),
        format!("display order {order}; description saved"),
    );
    db::audit::record(&ctx.state.db, ctx.require_staff()?.into(), &entry).await?;
    ctx.flash(FlashLevel::Success, "Saved the category.");
    Ok(redirect(paths::staff::CATEGORIES))
}
