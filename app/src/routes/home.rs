//! The start page and the privacy statement.

use poem::{Response, handler, web::Query};

use crate::{
    db,
    error::AppError,
    extract::Ctx,
    markdown,
    routes::accounts::{self, NextQuery},
    views,
};

/// Anonymous visitors see the login form; logged-in users their start page.
#[handler]
pub async fn index(ctx: Ctx, query: Query<NextQuery>) -> Result<Response, AppError> {
    let Some(user) = &ctx.user else {
        return accounts::render_login(&ctx, &query.0, "", None).await;
    };
    let group_names = group_names(&ctx, user.id).await?;
    let view = views::home::HomeView {
        display_name: &user.display_name(),
        profile_complete: user.profile_is_complete(),
        groups: &group_names,
        is_staff: user.role.is_staff(),
    };
    Ok(ctx.render("Home", views::home::home(&view)))
}

pub async fn group_names(ctx: &Ctx, user_id: i64) -> Result<Vec<String>, AppError> {
    let member_of = db::groups::of_user(&ctx.state.db, user_id).await?;
    if member_of.is_empty() {
        return Ok(Vec::new());
    }
    let all = db::groups::list(&ctx.state.db).await?;
    Ok(all
        .into_iter()
        .filter(|group| member_of.contains(&group.id))
        .map(|group| group.name)
        .collect())
}

#[handler]
pub async fn privacy(ctx: Ctx) -> Result<Response, AppError> {
    let settings = ctx.state.site_settings().await?;
    Ok(ctx.render(
        "Privacy statement",
        views::home::privacy(markdown::render(&settings.privacy_statement)),
    ))
}
