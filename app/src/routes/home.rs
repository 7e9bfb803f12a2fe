//! The start page, and the pages admins write: privacy statement, legal notice, help.

use poem::{Response, handler, web::Query};

use crate::{
    db,
    error::AppError,
    extract::Ctx,
    markdown,
    routes::accounts::login::{NextQuery, render_login},
    views,
};

/// Anonymous visitors see the login form; logged-in users their start page.
#[handler]
pub async fn index(ctx: Ctx, query: Query<NextQuery>) -> Result<Response, AppError> {
    let Some(user) = &ctx.user else {
        return render_login(&ctx, &query.0, "", None).await;
    };
    let group_names = db::groups::names_of_user(&ctx.state.db, user.id).await?;
    let categories = super::tasks::index_rows(&ctx).await?;
    let view = views::home::HomeView {
        display_name: &user.display_name(),
        profile_complete: user.profile_is_complete(),
        groups: &group_names,
        is_staff: user.role.is_staff(),
        tasks: views::tasks::index(&categories),
    };
    Ok(ctx.render("Home", views::home::home(&view)))
}

#[handler]
pub async fn privacy(ctx: Ctx) -> Result<Response, AppError> {
    let settings = ctx.state.site_settings().await?;
    Ok(ctx.render(
        "Privacy statement",
        views::home::privacy(markdown::render(&settings.privacy_statement)),
    ))
}

#[handler]
pub async fn legal_notice(ctx: Ctx) -> Result<Response, AppError> {
    let settings = ctx.state.site_settings().await?;
    let text = (!settings.legal_notice.trim().is_empty())
        .then(|| markdown::render(&settings.legal_notice));
    Ok(ctx.render("Legal notice", views::home::legal_notice(text)))
}

#[handler]
pub async fn help(ctx: Ctx) -> Result<Response, AppError> {
    let settings = ctx.state.site_settings().await?;
    let text =
        (!settings.help_page.trim().is_empty()).then(|| markdown::render(&settings.help_page));
    Ok(ctx.render("Help", views::home::help(text)))
}
