//! Groups of students: the list, creating and deleting one.

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path},
};

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
        ("/groups", get(groups_page).post(group_create)),
        ("/groups/:id/delete", post(group_delete)),
    ]
}

async fn render_groups(
    ctx: &Ctx,
    name: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let groups: Vec<staff_views::GroupRowView> = db::groups::list(&ctx.state.db)
        .await?
        .into_iter()
        .map(|group| staff_views::GroupRowView {
            id: group.id,
            name: group.name,
            members: group.members,
        })
        .collect();
    let csrf_token = ctx.csrf_token();
    let view = staff_views::GroupsView {
        csrf_token: &csrf_token,
        is_admin: viewer.role == Role::Admin,
        groups: &groups,
        name,
        error,
    };
    Ok(ctx.render_with_status(status, "Groups", staff_views::groups(&view)))
}

#[handler]
async fn groups_page(ctx: Ctx) -> Result<Response, AppError> {
    render_groups(&ctx, "", None, StatusCode::OK).await
}

#[handler]
async fn group_create(ctx: Ctx, Form(form): Form<super::NameForm>) -> Result<Response, AppError> {
    let name = form.name.trim();
    let valid = !name.is_empty()
        && name.chars().count() <= 80
        && name.chars().all(|c| c.is_ascii_alphanumeric() || " ._-".contains(c));
    if !valid {
        return render_groups(
            &ctx,
            name,
            Some("Use 1 to 80 letters, digits, spaces, dots, dashes or underscores."),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match db::groups::create(&ctx.state.db, name).await {
        Ok(_) => {
            let entry = Entry::new(Action::GroupCreated, format!("group {name}"), "");
            db::audit::record(&ctx.state.db, ctx.require_staff()?.into(), &entry).await?;
            ctx.flash(FlashLevel::Success, format!("Created the group {name}."));
            Ok(redirect(paths::staff::GROUPS))
        }
        Err(db::InsertNamedError::NameTaken) => {
            render_groups(
                &ctx,
                name,
                Some("A group with that name already exists."),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(db::InsertNamedError::Db(err)) => Err(err.into()),
    }
}

#[handler]
async fn group_delete(ctx: Ctx, Path(group_id): Path<i64>) -> Result<Response, AppError> {
    let mut tx = ctx.state.db.begin().await?;
    let Some(name) = db::groups::delete(&mut *tx, group_id).await? else {
        return Err(AppError::NotFound);
    };
    let entry = Entry::new(Action::GroupDeleted, format!("group {name}"), "");
    db::audit::record(&mut *tx, ctx.require_staff()?.into(), &entry).await?;
    tx.commit().await?;
    ctx.flash(FlashLevel::Success, format!("Deleted the group {name}."));
    Ok(redirect(paths::staff::GROUPS))
}
