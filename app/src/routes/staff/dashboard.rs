//! The staff overview: accounts, groups, sign-up, solutions that could not be tested.

use poem::{Response, RouteMethod, get, handler};

use crate::{
    db::{self, users::Role},
    error::AppError,
    extract::Ctx,
    views::staff as staff_views,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![("/", get(dashboard_page))]
}

#[handler]
async fn dashboard_page(ctx: Ctx) -> Result<Response, AppError> {
    let user = ctx.require_staff()?;
    let role_counts: Vec<staff_views::RoleCountView> = db::users::count_by_role(&ctx.state.db)
        .await?
        .into_iter()
        .map(|count| staff_views::RoleCountView {
            role: count.role,
            active: count.active,
            inactive: count.inactive,
        })
        .collect();
    let groups = db::groups::list(&ctx.state.db).await?.len() as i64;
    let signup_allowed = ctx.state.site_settings().await?.signup_allowed;
    let untested: Vec<staff_views::UntestedView> = db::solutions::untested_counts(&ctx.state.db)
        .await?
        .into_iter()
        .map(|task| staff_views::UntestedView {
            task_id: task.task_id,
            task_slug: task.task_slug,
            task_title: task.task_title,
            count: task.count,
        })
        .collect();
    let csrf_token = ctx.csrf_token();
    let view = staff_views::DashboardView {
        is_admin: user.role == Role::Admin,
        role_counts: &role_counts,
        groups,
        signup_allowed,
        untested: &untested,
        csrf_token: &csrf_token,
    };
    Ok(ctx.render("Course staff", staff_views::dashboard(&view)))
}
