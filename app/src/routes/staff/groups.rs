//! Groups of students: the list, creating, renaming and deleting one, its members, and
//! spreading the students without a group evenly over groups.

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path},
};

use rand::seq::SliceRandom;

use crate::{
    audit::{Action, Entry},
    db::{self, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths, roster,
    session::FlashLevel,
    views::staff as staff_views,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/groups", get(groups_page).post(group_create)),
        ("/groups/:id", get(group_page).post(group_rename)),
        ("/groups/:id/delete", post(group_delete)),
        ("/groups/assign", post(assign_students)),
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
    if !valid_group_name(name) {
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

fn valid_group_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 80
        && name.chars().all(|c| c.is_ascii_alphanumeric() || " ._-".contains(c))
}

async fn render_group(
    ctx: &Ctx,
    group_id: i64,
    typed: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let (name, members) =
        db::groups::with_members(&ctx.state.db, group_id).await?.ok_or(AppError::NotFound)?;
    let members: Vec<staff_views::MemberRow> = members
        .into_iter()
        .map(|member| staff_views::MemberRow {
            id: member.id,
            username: member.username,
            name: format!("{} {}", member.first_name, member.last_name).trim().to_owned(),
            matriculation_number: member.matriculation_number,
        })
        .collect();
    let csrf_token = ctx.csrf_token();
    let view = staff_views::GroupView {
        csrf_token: &csrf_token,
        is_admin: viewer.role == Role::Admin,
        id: group_id,
        name: &name,
        typed: typed.unwrap_or(&name),
        members: &members,
        error,
    };
    Ok(ctx.render_with_status(status, &format!("Group {name}"), staff_views::group(&view)))
}

#[handler]
async fn group_page(ctx: Ctx, Path(group_id): Path<i64>) -> Result<Response, AppError> {
    render_group(&ctx, group_id, None, None, StatusCode::OK).await
}

#[handler]
async fn group_rename(
    ctx: Ctx,
    Path(group_id): Path<i64>,
    Form(form): Form<super::NameForm>,
) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let name = form.name.trim();
    if !valid_group_name(name) {
        let message = "Use 1 to 80 letters, digits, spaces, dots, dashes or underscores.";
        return render_group(
            &ctx,
            group_id,
            Some(name),
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mut tx = ctx.state.db.begin().await?;
    let old = match db::groups::rename(&mut *tx, group_id, name).await {
        Ok(Some(old)) => old,
        Ok(None) => return Err(AppError::NotFound),
        Err(db::InsertNamedError::NameTaken) => {
            drop(tx);
            let message = "A group with that name already exists.";
            return render_group(&ctx, group_id, Some(name), Some(message), StatusCode::CONFLICT)
                .await;
        }
        Err(db::InsertNamedError::Db(err)) => return Err(err.into()),
    };
    if old != name {
        let entry = Entry::new(Action::GroupRenamed, format!("group {old}"), format!("now {name}"));
        db::audit::record(&mut *tx, staff.into(), &entry).await?;
    }
    tx.commit().await?;
    ctx.flash(FlashLevel::Success, format!("The group is called {name} now."));
    // Tasks name their group (in meta.json, or in their settings here): those that name the
    // old name are hidden from the members until they name the new one.
    let stranded = db::groups::tasks_naming(&ctx.state.db, &old).await?;
    if !old.eq_ignore_ascii_case(name) && !stranded.is_empty() {
        ctx.flash(
            FlashLevel::Warning,
            format!(
                "These tasks are limited to the group {old} by name and are hidden from its members until their meta.json or their settings name {name}: {}.",
                stranded.join(", ")
            ),
        );
    }
    Ok(redirect(&paths::staff::group(group_id)))
}

/// Puts every active student without a group into one of the chosen groups (all, if none is
/// chosen), evenly, at random.
#[handler]
async fn assign_students(ctx: Ctx, body: poem::Body) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let chosen = super::RepeatedForm::read(body, 64 * 1024).await?.ids("group");
    let groups: Vec<db::groups::GroupSummary> = db::groups::list(&ctx.state.db)
        .await?
        .into_iter()
        .filter(|group| chosen.is_empty() || chosen.contains(&group.id))
        .collect();
    if groups.is_empty() {
        ctx.flash(FlashLevel::Error, "Create a group first.");
        return Ok(redirect(paths::staff::GROUPS));
    }
    let mut tx = ctx.state.db.begin().await?;
    let mut students = db::groups::students_without_group(&mut tx).await?;
    students.shuffle(&mut rand::rng());
    let sizes: Vec<(i64, i64)> = groups.iter().map(|group| (group.id, group.members)).collect();
    let spread = roster::spread(&students, &sizes);
    let mut joined = Vec::new();
    for (group_id, members) in &spread {
        if members.is_empty() {
            continue;
        }
        db::groups::add_members(&mut tx, *group_id, members).await?;
        let name = groups
            .iter()
            .find(|group| group.id == *group_id)
            .map_or("", |group| group.name.as_str());
        joined.push(format!("{name} +{}", members.len()));
    }
    if !students.is_empty() {
        let entry = Entry::new(
            Action::StudentsAssigned,
            format!("{} student(s) without a group", students.len()),
            joined.join(", "),
        );
        db::audit::record(&mut *tx, staff.into(), &entry).await?;
    }
    tx.commit().await?;
    ctx.flash(
        FlashLevel::Success,
        if students.is_empty() {
            "Every active student is in a group already.".to_owned()
        } else {
            format!("Put {} student(s) into groups: {}.", students.len(), joined.join(", "))
        },
    );
    Ok(redirect(paths::staff::GROUPS))
}
