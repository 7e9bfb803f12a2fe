//! Changing a course without a commit: a task's settings over its repository's, and one
//! student's extensions.

use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path},
};

use crate::{
    audit::{Action, Entry},
    db::{self, overrides::NewExtension, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    overrides::{
        ExtensionForm, ExtensionScope, FieldProblem, RepositoryValues, TaskOverrideForm,
        TaskOverrides,
    },
    paths,
    session::FlashLevel,
    taskrepo::dates::{Zone, display},
    views::staff::overrides as views,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/tasks/:id/settings", get(task_settings_page).post(task_settings_save)),
        ("/users/:id/extensions", get(extensions_page).post(extension_grant)),
        ("/users/:id/extensions/:extension/remove", post(extension_remove)),
    ]
}

fn repository_text(values: &RepositoryValues, zone: &Zone) -> views::RepositoryText {
    views::RepositoryText {
        pubdate: display(values.pubdate, zone),
        deadline: values.deadline.map_or("none".to_owned(), |at| display(at, zone)),
        max_submissions: match values.max_submissions {
            None => "the site's limit".to_owned(),
            Some(-1) => "no limit".to_owned(),
            Some(limit) => limit.to_string(),
        },
        group: values.group.clone().unwrap_or_else(|| "every student".to_owned()),
        state: if values.disabled { "disabled" } else { "takes solutions" }.to_owned(),
    }
}

/// The settings page with `form` in it: what is stored, or what was sent and refused.
async fn render_task_settings(
    ctx: &Ctx,
    task_id: i64,
    form: Option<&TaskOverrideForm>,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let settings =
        db::overrides::task_settings(&ctx.state.db, task_id).await?.ok_or(AppError::NotFound)?;
    let repository = RepositoryValues::of(&settings);
    let stored = TaskOverrides::from_row(settings.overrides.as_ref());
    let shown = match form {
        Some(form) => form.clone(),
        None => TaskOverrideForm::showing(&stored, &repository, zone),
    };
    let last_saved = settings.updated_at.map(|at| {
        let by = super::name_or_deleted(settings.updated_by.as_deref());
        format!("Last changed by {by} on {}.", display(at, zone))
    });
    let csrf_token = ctx.csrf_token();
    let groups = super::group_names(ctx).await?;
    let view = views::TaskSettingsView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        task_id,
        task_title: &settings.title,
        repository: &repository_text(&repository, zone),
        form: &shown,
        problems,
        last_saved,
        groups: &groups,
    };
    let status =
        if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(ctx.render_with_status(
        status,
        &format!("Settings of {}", settings.title),
        views::task_settings(&view),
    ))
}

#[handler]
async fn task_settings_page(ctx: Ctx, Path(task_id): Path<i64>) -> Result<Response, AppError> {
    render_task_settings(&ctx, task_id, None, &[]).await
}

#[handler]
async fn task_settings_save(
    ctx: Ctx,
    Path(task_id): Path<i64>,
    Form(form): Form<TaskOverrideForm>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let groups = super::group_names(&ctx).await?;
    let overrides = match form.read(zone, &groups) {
        Ok(overrides) => overrides,
        Err(problems) => return render_task_settings(&ctx, task_id, Some(&form), &problems).await,
    };
    let mut tx = ctx.state.db.begin().await?;
    if !db::overrides::lock_task(&mut tx, task_id).await? {
        return Err(AppError::NotFound);
    }
    let before =
        db::overrides::task_settings(&mut *tx, task_id).await?.ok_or(AppError::NotFound)?;
    let old = TaskOverrides::from_row(before.overrides.as_ref());
    db::overrides::save(&mut tx, task_id, &overrides.to_row(), viewer.id).await?;
    let changes = overrides.changes_from(&old, zone);
    if !changes.is_empty() {
        let entry = Entry::new(
            Action::TaskOverridden,
            format!("task {}", before.title),
            changes.join("; "),
        );
        db::audit::record(&mut *tx, viewer.into(), &entry).await?;
    }
    tx.commit().await?;
    tracing::info!(by = viewer.id, task_id, "staff changed a task's settings");
    let message = if overrides.is_empty() {
        format!("{} uses its repository's settings.", before.title)
    } else {
        format!("Saved the settings of {}.", before.title)
    };
    ctx.flash(FlashLevel::Success, message);
    Ok(redirect(&paths::staff::task_settings(task_id)))
}

pub(super) fn extension_line(
    row: db::overrides::ExtensionRow,
    zone: &Zone,
) -> views::ExtensionLine {
    let scope = if row.task_id.is_some() {
        format!("Task: {}", row.scope_name)
    } else {
        format!("Category: {}", row.scope_name)
    };
    let by = super::name_or_deleted(row.granted_by.as_deref());
    views::ExtensionLine {
        id: row.id,
        user_id: row.user_id,
        username: row.username,
        scope,
        deadline: row.deadline.map(|at| display(at, zone)),
        extra_submissions: row.extra_submissions,
        reason: row.reason,
        granted: format!("{} by {by}", display(row.granted_at, zone)),
    }
}

async fn render_extensions(
    ctx: &Ctx,
    user_id: i64,
    form: &ExtensionForm,
    problems: &[FieldProblem],
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let lines: Vec<views::ExtensionLine> =
        db::overrides::extensions_of_user(&ctx.state.db, user.id)
            .await?
            .into_iter()
            .map(|row| extension_line(row, zone))
            .collect();
    let mut scopes: Vec<(String, String)> = db::tasks::categories_for_staff(&ctx.state.db)
        .await?
        .into_iter()
        .map(|category| {
            (format!("category:{}", category.id), format!("Every task of {}", category.name))
        })
        .collect();
    scopes.extend(
        db::search::task_choices(&ctx.state.db).await?.into_iter().map(|task| {
            (format!("task:{}", task.id), format!("{} › {}", task.category, task.title))
        }),
    );
    let csrf_token = ctx.csrf_token();
    let view = views::ExtensionsView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        user_id: user.id,
        username: &user.username,
        extensions: &lines,
        scopes,
        form,
        problems,
    };
    let status =
        if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(ctx.render_with_status(
        status,
        &format!("Extensions for {}", user.username),
        views::extensions(&view),
    ))
}

#[handler]
async fn extensions_page(ctx: Ctx, Path(user_id): Path<i64>) -> Result<Response, AppError> {
    render_extensions(&ctx, user_id, &ExtensionForm::default(), &[]).await
}

#[handler]
async fn extension_grant(
    ctx: Ctx,
    Path(user_id): Path<i64>,
    Form(form): Form<ExtensionForm>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let grant = match form.read(zone) {
        Ok(grant) => grant,
        Err(problems) => return render_extensions(&ctx, user_id, &form, &problems).await,
    };
    let (task_id, category_id) = match grant.scope {
        ExtensionScope::Task(id) => (Some(id), None),
        ExtensionScope::Category(id) => (None, Some(id)),
    };
    let new = NewExtension {
        user_id: user.id,
        task_id,
        category_id,
        deadline: grant.deadline,
        extra_submissions: grant.extra_submissions,
        reason: &grant.reason,
    };
    let mut tx = ctx.state.db.begin().await?;
    let Some(scope_name) = db::overrides::grant(&mut tx, &new, viewer.id).await? else {
        drop(tx);
        let problems = [FieldProblem {
            field: "scope",
            message: "That task or category is gone: choose one from the list.".to_owned(),
        }];
        return render_extensions(&ctx, user_id, &form, &problems).await;
    };
    let mut given = Vec::new();
    if let Some(deadline) = grant.deadline {
        given.push(format!("deadline {}", display(deadline, zone)));
    }
    if grant.extra_submissions > 0 {
        given.push(format!("{} extra submission(s)", grant.extra_submissions));
    }
    if !grant.reason.is_empty() {
        given.push(format!("reason: {}", grant.reason));
    }
    let entry = Entry::new(
        Action::ExtensionGranted,
        format!("user {} · {scope_name}", user.username),
        given.join("; "),
    );
    db::audit::record(&mut *tx, viewer.into(), &entry).await?;
    tx.commit().await?;
    tracing::info!(by = viewer.id, user_id = user.id, "staff gave an extension");
    ctx.flash(FlashLevel::Success, format!("{} has an extension for {scope_name}.", user.username));
    Ok(redirect(&paths::staff::user_extensions(user.id)))
}

#[handler]
async fn extension_remove(
    ctx: Ctx,
    Path((user_id, extension_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = ctx.state.db.begin().await?;
    let Some(scope_name) = db::overrides::remove(&mut tx, user.id, extension_id).await? else {
        return Err(AppError::NotFound);
    };
    let entry = Entry::new(
        Action::ExtensionRemoved,
        format!("user {} · {scope_name}", user.username),
        String::new(),
    );
    db::audit::record(&mut *tx, viewer.into(), &entry).await?;
    tx.commit().await?;
    ctx.flash(FlashLevel::Success, format!("Took back the extension for {scope_name}."));
    Ok(redirect(&paths::staff::user_extensions(user.id)))
}
