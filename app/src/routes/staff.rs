//! Staff pages: overview, users, groups, courses of study, live settings. Non-staff get 404.

use poem::{
    Response, Route, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path, Query},
};
use serde::Deserialize;

use crate::{
    db::{self, site_settings::SiteSettings, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    session::FlashLevel,
    views::{self, accounts::FieldErrors, staff as staff_views},
};

const USERS_PER_PAGE: i64 = 50;

pub fn routes() -> Route {
    Route::new()
        .at("/", get(dashboard_page))
        .at("/users", get(users_page))
        .at("/users/:id", get(user_edit_form).post(user_edit))
        .at("/groups", get(groups_page).post(group_create))
        .at("/groups/:id/delete", post(group_delete))
        .at("/courses", get(courses_page).post(course_create))
        .at("/settings", get(settings_form).post(settings_save))
        .at("/settings/test-saved", post(test_saved_solutions))
        .at("/repositories", get(repositories_page).post(repository_add))
        .at("/repositories/:name/sync", post(repository_sync))
        .at("/repositories/:name/source", post(repository_source))
        .at("/repositories/:name/card", get(repository_card))
        .at("/categories", get(categories_page))
        .at("/categories/:id", post(category_save))
        .at("/solutions/:id/test-again", post(test_solution_again))
        .at("/tasks/:id/test-untested", post(test_untested_again))
}

async fn repository_view(
    ctx: &Ctx,
    repository: db::repositories::Repository,
    is_admin: bool,
) -> Result<staff_views::RepositoryView, AppError> {
    let problems = db::tasks::sync_problems(&ctx.state.db, repository.id)
        .await?
        .into_iter()
        .map(|problem| staff_views::ProblemView {
            task: problem.task_name,
            message: problem.message,
        })
        .collect();
    let references = db::tasks::reference_statuses(&ctx.state.db, repository.id)
        .await?
        .into_iter()
        .map(|status| {
            let verdict = status.verdict.unwrap_or_else(|| "not checked yet".to_owned());
            let details = (verdict != "passed" && verdict != "pending")
                .then(|| reference_details(status.report.as_ref(), status.output.as_deref()))
                .flatten();
            staff_views::ReferenceView {
                task: status.system_name,
                slug: status.slug,
                verdict,
                details,
            }
        })
        .collect();
    Ok(staff_views::RepositoryView {
        references,
        running: ctx.state.syncs.is_running(repository.id),
        webhook_url: format!(
            "{}/hooks/repositories/{}",
            ctx.state.settings.public_url, repository.name
        ),
        secret: is_admin.then(|| repository.webhook_secret.clone()),
        source: is_admin.then(|| staff_views::SourceEditView {
            url: repository.url.clone(),
            branch: repository.branch.clone(),
            error: None,
        }),
        revision: repository.revision.map(|revision| revision.chars().take(12).collect()),
        synced_at: repository
            .synced_at
            .map(|at| crate::taskrepo::dates::display(at, &ctx.state.task_source.zone)),
        name: repository.name,
        url: repository.url,
        branch: repository.branch,
        status: repository.sync_status,
        message: repository.sync_message,
        problems,
    })
}

/// What staff need to see of a failed reference check: failed tests, messages, build output.
fn reference_details(report: Option<&serde_json::Value>, output: Option<&str>) -> Option<String> {
    let mut text = String::new();
    if let Some(report) = report {
        if let Some(tests) = report.get("tests").and_then(serde_json::Value::as_array) {
            for test in tests
                .iter()
                .filter(|t| t.get("status").and_then(serde_json::Value::as_str) != Some("passed"))
            {
                let name = test.get("name").and_then(serde_json::Value::as_str).unwrap_or("?");
                let message = test.get("message").and_then(serde_json::Value::as_str).unwrap_or("");
                text.push_str(&format!("{name}: {message}\n"));
            }
        }
        for key in ["feedback"] {
            if let Some(value) = report.get(key).and_then(serde_json::Value::as_str) {
                text.push_str(value);
                text.push('\n');
            }
        }
        if let Some(notes) = report.get("notes").and_then(serde_json::Value::as_array) {
            for note in notes.iter().filter_map(serde_json::Value::as_str) {
                text.push_str(note);
                text.push('\n');
            }
        }
    }
    if let Some(output) = output.filter(|output| !output.trim().is_empty()) {
        let tail: String =
            output.chars().rev().take(4000).collect::<Vec<_>>().into_iter().rev().collect();
        text.push_str("--- output ---\n");
        text.push_str(&tail);
    }
    (!text.trim().is_empty()).then_some(text)
}

/// A refused change of a repository's source: which repository, what was typed, and why.
struct RefusedSource<'a> {
    name: &'a str,
    form: &'a SourceForm,
    problem: &'static str,
}

async fn render_repositories(
    ctx: &Ctx,
    form: &RepositoryForm,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    render_repositories_with(ctx, form, error, None, status).await
}

async fn render_repositories_with(
    ctx: &Ctx,
    form: &RepositoryForm,
    error: Option<&str>,
    refused_source: Option<RefusedSource<'_>>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let is_admin = viewer.role == Role::Admin;
    let mut repositories = Vec::new();
    for repository in db::repositories::list(&ctx.state.db).await? {
        let mut view = repository_view(ctx, repository, is_admin).await?;
        if let Some(refused) = refused_source.as_ref().filter(|refused| refused.name == view.name) {
            view.source = Some(staff_views::SourceEditView {
                url: refused.form.url.clone(),
                branch: refused.form.branch.clone(),
                error: Some(refused.problem.to_owned()),
            });
        }
        repositories.push(view);
    }
    let csrf_token = ctx.csrf_token();
    let view = staff_views::RepositoriesView {
        csrf_token: &csrf_token,
        is_admin,
        repositories: &repositories,
        form_error: error,
        name: &form.name,
        url: &form.url,
        branch: if form.branch.is_empty() { "main" } else { &form.branch },
    };
    Ok(ctx.render_with_status(status, "Task repositories", staff_views::repositories(&view)))
}

#[handler]
async fn repositories_page(ctx: Ctx) -> Result<Response, AppError> {
    render_repositories(&ctx, &RepositoryForm::default(), None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
struct RepositoryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    branch: String,
}

#[handler]
async fn repository_add(ctx: Ctx, Form(form): Form<RepositoryForm>) -> Result<Response, AppError> {
    ctx.require_admin()?;
    let name = form.name.trim();
    let url = form.url.trim();
    let branch = if form.branch.trim().is_empty() { "main" } else { form.branch.trim() };
    let problem = if crate::taskrepo::valid_repository_name(name) {
        crate::taskrepo::source_problem(url, branch)
    } else {
        Some("Use lower-case letters, digits, - and _ for the name.")
    };
    if let Some(problem) = problem {
        return render_repositories(&ctx, &form, Some(problem), StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    }
    let secret = crate::taskrepo::new_webhook_secret();
    match db::repositories::insert(&ctx.state.db, name, url, branch, &secret).await {
        Ok(id) => {
            ctx.state.syncs.request(id);
            ctx.flash(FlashLevel::Success, format!("Added {name}; its first sync has started."));
            Ok(redirect("/staff/repositories"))
        }
        Err(db::InsertNamedError::NameTaken) => {
            render_repositories(
                &ctx,
                &form,
                Some("A repository with that name exists already."),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(db::InsertNamedError::Db(err)) => Err(err.into()),
    }
}

#[handler]
async fn repository_sync(ctx: Ctx, Path(name): Path<String>) -> Result<Response, AppError> {
    ctx.require_staff()?;
    let repository =
        db::repositories::find_by_name(&ctx.state.db, &name).await?.ok_or(AppError::NotFound)?;
    ctx.state.syncs.request(repository.id);
    ctx.flash(FlashLevel::Info, format!("Syncing {name}; this page shows when it is done."));
    Ok(redirect("/staff/repositories"))
}

/// The repository's card alone, for the live progress while a sync runs.
#[derive(Debug, Deserialize)]
struct SourceForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    branch: String,
}

/// Changes where a repository comes from and syncs it from there.
#[handler]
async fn repository_source(
    ctx: Ctx,
    Path(name): Path<String>,
    Form(form): Form<SourceForm>,
) -> Result<Response, AppError> {
    ctx.require_admin()?;
    let repository =
        db::repositories::find_by_name(&ctx.state.db, &name).await?.ok_or(AppError::NotFound)?;
    let (url, branch) = (form.url.trim(), form.branch.trim());
    if let Some(problem) = crate::taskrepo::source_problem(url, branch) {
        let refused = RefusedSource { name: &name, form: &form, problem };
        return render_repositories_with(
            &ctx,
            &RepositoryForm::default(),
            None,
            Some(refused),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if url == repository.url && branch == repository.branch {
        ctx.flash(FlashLevel::Info, format!("{name} already comes from there."));
        return Ok(redirect("/staff/repositories"));
    }
    db::repositories::set_source(&ctx.state.db, &name, url, branch).await?;
    tracing::info!(repository = name, url, branch, "changed where a repository comes from");
    ctx.state.syncs.request(repository.id);
    ctx.flash(
        FlashLevel::Success,
        format!("{name} now comes from {url}, branch {branch}; a sync has started."),
    );
    Ok(redirect("/staff/repositories"))
}

#[handler]
async fn repository_card(ctx: Ctx, Path(name): Path<String>) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let repository =
        db::repositories::find_by_name(&ctx.state.db, &name).await?.ok_or(AppError::NotFound)?;
    let view = repository_view(&ctx, repository, viewer.role == Role::Admin).await?;
    let markup = staff_views::repository_card(&view, &ctx.csrf_token());
    Ok(Response::builder()
        .content_type("text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .body(markup.into_string()))
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
    ctx.require_staff()?;
    let Ok(order) = form.display_order.trim().parse::<i32>() else {
        ctx.flash(FlashLevel::Error, "The display order must be a whole number.");
        return Ok(redirect("/staff/categories"));
    };
    if !db::tasks::update_category(&ctx.state.db, id, order, form.description.trim()).await? {
        return Err(AppError::NotFound);
    }
    ctx.flash(FlashLevel::Success, "Saved the category.");
    Ok(redirect("/staff/categories"))
}

/// Has one solution tested again; its old result stays in its history.
#[handler]
async fn test_solution_again(ctx: Ctx, Path(solution_id): Path<i64>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    if db::solutions::find(&ctx.state.db, solution_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if crate::queue::test_again(&ctx.state, solution_id, staff.id).await? {
        ctx.flash(FlashLevel::Success, "The solution is tested again.");
    } else {
        ctx.flash(FlashLevel::Error, "The solution is being tested already.");
    }
    Ok(redirect(&format!("/solutions/{solution_id}")))
}

/// Has every solution of a task tested again that could not be tested.
#[handler]
async fn test_untested_again(ctx: Ctx, Path(task_id): Path<i64>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let queued = crate::queue::test_untested_again(&ctx.state, task_id, staff.id).await?;
    ctx.flash(FlashLevel::Success, format!("{queued} solution(s) are tested again."));
    Ok(redirect("/staff#untested"))
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

#[derive(Debug, Deserialize)]
struct UserQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    page: Option<i64>,
}

#[handler]
async fn users_page(ctx: Ctx, Query(query): Query<UserQuery>) -> Result<Response, AppError> {
    let user = ctx.require_staff()?;
    let role = Role::parse(&query.role);
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = db::users::list(
        &ctx.state.db,
        query.q.trim(),
        role,
        (page - 1) * USERS_PER_PAGE,
        USERS_PER_PAGE,
    )
    .await?;
    let rows: Vec<staff_views::UserRowView> = rows
        .into_iter()
        .map(|row| staff_views::UserRowView {
            id: row.id,
            name: format!("{} {}", row.first_name, row.last_name).trim().to_owned(),
            username: row.username,
            email: row.email,
            matriculation_number: row.matriculation_number,
            role: row.role,
            is_active: row.is_active,
            groups: row.groups.join(", "),
            last_login: staff_views::last_login(row.last_login_at),
        })
        .collect();
    let base_url = format!(
        "/staff/users?q={}&role={}",
        crate::http::url_encode(query.q.trim()),
        role.map(Role::as_str).unwrap_or("")
    );
    let view = staff_views::UserListView {
        is_admin: user.role == Role::Admin,
        search: query.q.trim(),
        role,
        rows: &rows,
        total,
        page,
        pages: (total + USERS_PER_PAGE - 1) / USERS_PER_PAGE,
        base_url: &base_url,
    };
    Ok(ctx.render("Users", staff_views::user_list(&view)))
}

async fn render_user_edit(
    ctx: &Ctx,
    user_id: i64,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let member_of = db::groups::of_user(&ctx.state.db, user.id).await?;
    let groups: Vec<staff_views::GroupChoice> = db::groups::list(&ctx.state.db)
        .await?
        .into_iter()
        .map(|group| staff_views::GroupChoice {
            member: member_of.contains(&group.id),
            id: group.id,
            name: group.name,
        })
        .collect();
    let csrf_token = ctx.csrf_token();
    let view = staff_views::UserEditView {
        csrf_token: &csrf_token,
        is_admin: viewer.role == Role::Admin,
        id: user.id,
        username: &user.username,
        email: &user.email,
        name: &user.display_name(),
        matriculation_number: &user.matriculation_number,
        role: user.role,
        is_active: user.is_active,
        created_at: views::components::format_time(user.created_at),
        last_login: staff_views::last_login(user.last_login_at),
        groups: &groups,
        error,
    };
    Ok(ctx.render_with_status(
        status,
        &format!("User {}", user.username),
        staff_views::user_edit(&view),
    ))
}

#[handler]
async fn user_edit_form(ctx: Ctx, Path(user_id): Path<i64>) -> Result<Response, AppError> {
    render_user_edit(&ctx, user_id, None, StatusCode::OK).await
}

/// Checkbox lists arrive as repeated fields, which serde's struct forms cannot collect.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

#[handler]
async fn user_edit(
    ctx: Ctx,
    Path(user_id): Path<i64>,
    body: poem::Body,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let body = body
        .into_bytes_limit(64 * 1024)
        .await
        .map_err(|_| AppError::BadRequest("The form is too large.".into()))?;
    let pairs = form_pairs(&body);
    let user = db::users::find_by_id(&ctx.state.db, user_id).await?.ok_or(AppError::NotFound)?;
    let group_ids: Vec<i64> = pairs
        .iter()
        .filter(|(key, _)| key == "group")
        .filter_map(|(_, value)| value.parse().ok())
        .collect();
    let mut tx = ctx.state.db.begin().await?;
    db::groups::set_for_user(&mut tx, user.id, &group_ids).await?;
    if viewer.role == Role::Admin {
        let role = pairs
            .iter()
            .find(|(key, _)| key == "role")
            .and_then(|(_, value)| Role::parse(value))
            .unwrap_or(user.role);
        let is_active = pairs.iter().any(|(key, _)| key == "is_active");
        let loses_admin = user.role == Role::Admin && (role != Role::Admin || !is_active);
        if loses_admin && db::users::count_admins(&mut *tx).await? <= 1 {
            drop(tx);
            return render_user_edit(
                &ctx,
                user_id,
                Some("This is the last active admin: make somebody else admin first."),
                StatusCode::CONFLICT,
            )
            .await;
        }
        db::users::set_role_and_active(&mut *tx, user.id, role, is_active).await?;
    }
    tx.commit().await?;
    tracing::info!(by = viewer.id, user_id = user.id, "staff changed a user");
    ctx.flash(FlashLevel::Success, format!("Saved the changes to {}.", user.username));
    Ok(redirect(&format!("/staff/users/{}", user.id)))
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

#[derive(Debug, Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}

#[handler]
async fn group_create(ctx: Ctx, Form(form): Form<NameForm>) -> Result<Response, AppError> {
    ctx.require_staff()?;
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
            ctx.flash(FlashLevel::Success, format!("Created the group {name}."));
            Ok(redirect("/staff/groups"))
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
    ctx.require_staff()?;
    if !db::groups::delete(&ctx.state.db, group_id).await? {
        return Err(AppError::NotFound);
    }
    ctx.flash(FlashLevel::Success, "Deleted the group.");
    Ok(redirect("/staff/groups"))
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
async fn course_create(ctx: Ctx, Form(form): Form<NameForm>) -> Result<Response, AppError> {
    ctx.require_staff()?;
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
            ctx.flash(FlashLevel::Success, format!("Added the course of study {name}."));
            Ok(redirect("/staff/courses"))
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

async fn render_settings(
    ctx: &Ctx,
    settings: &SiteSettings,
    errors: &FieldErrors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let saved_solutions = db::solutions::count_saved(&ctx.state.db).await?;
    let csrf_token = ctx.csrf_token();
    let view = staff_views::SettingsView {
        csrf_token: &csrf_token,
        signup_allowed: settings.signup_allowed,
        email_pattern: &settings.email_pattern,
        email_help_text: &settings.email_help_text,
        email_error_message: &settings.email_error_message,
        require_ownwork_declaration: settings.require_ownwork_declaration,
        ownwork_declaration_intro: &settings.ownwork_declaration_intro,
        ownwork_declaration: &settings.ownwork_declaration,
        auto_assign_groups: &settings.auto_assign_groups,
        privacy_statement: &settings.privacy_statement,
        deadline_tolerance_seconds: settings.deadline_tolerance_seconds,
        max_submissions: settings.max_submissions,
        hide_failing_tasks: settings.hide_failing_tasks,
        immediate_feedback: settings.immediate_feedback,
        saved_solutions,
        errors,
    };
    Ok(ctx.render_with_status(status, "Settings", staff_views::settings(&view)))
}

#[handler]
async fn settings_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.require_admin()?;
    let settings = db::site_settings::load(&ctx.state.db).await?;
    render_settings(&ctx, &settings, &FieldErrors::new(), StatusCode::OK).await
}

/// After an exam: the solutions stored while feedback was off go to the runners, each student's
/// in turn like any others.
#[handler]
async fn test_saved_solutions(ctx: Ctx) -> Result<Response, AppError> {
    let admin = ctx.require_admin()?;
    if !db::site_settings::load(&ctx.state.db).await?.immediate_feedback {
        ctx.flash(
            FlashLevel::Error,
            "Turn feedback on first: students see the results of their saved solutions once they are tested.",
        );
        return Ok(redirect("/staff/settings"));
    }
    let authors = db::solutions::queue_saved(&ctx.state.db).await?;
    tracing::info!(by = admin.id, students = authors.len(), "queued the saved solutions");
    for author in &authors {
        if let Err(err) = crate::queue::dispatch_next(&ctx.state, *author).await {
            // Queued is queued: the reconciler sends them once Redis answers.
            tracing::warn!(author, error = %format!("{err:#}"), "could not dispatch yet");
        }
    }
    ctx.flash(
        FlashLevel::Success,
        format!("The saved solutions of {} student(s) are being tested.", authors.len()),
    );
    Ok(redirect("/staff/settings"))
}

#[derive(Debug, Deserialize)]
struct SettingsForm {
    signup_allowed: Option<String>,
    #[serde(default)]
    email_pattern: String,
    #[serde(default)]
    email_help_text: String,
    #[serde(default)]
    email_error_message: String,
    require_ownwork_declaration: Option<String>,
    #[serde(default)]
    ownwork_declaration_intro: String,
    #[serde(default)]
    ownwork_declaration: String,
    #[serde(default)]
    auto_assign_groups: String,
    #[serde(default)]
    privacy_statement: String,
    #[serde(default)]
    deadline_tolerance_seconds: String,
    #[serde(default)]
    max_submissions: String,
    hide_failing_tasks: Option<String>,
    immediate_feedback: Option<String>,
}

#[handler]
async fn settings_save(ctx: Ctx, Form(form): Form<SettingsForm>) -> Result<Response, AppError> {
    let admin = ctx.require_admin()?;
    let settings = SiteSettings {
        signup_allowed: form.signup_allowed.is_some(),
        email_pattern: form.email_pattern.trim().to_owned(),
        email_help_text: form.email_help_text,
        email_error_message: form.email_error_message,
        require_ownwork_declaration: form.require_ownwork_declaration.is_some(),
        ownwork_declaration_intro: form.ownwork_declaration_intro,
        ownwork_declaration: form.ownwork_declaration,
        auto_assign_groups: form
            .auto_assign_groups
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        privacy_statement: form.privacy_statement,
        deadline_tolerance_seconds: match form.deadline_tolerance_seconds.trim() {
            "" => 0,
            text => text.parse().unwrap_or(-1),
        },
        hide_failing_tasks: form.hide_failing_tasks.is_some(),
        immediate_feedback: form.immediate_feedback.is_some(),
        max_submissions: if form.max_submissions.trim().is_empty() {
            -1
        } else {
            form.max_submissions.trim().parse().unwrap_or(-2)
        },
    };
    let mut errors = FieldErrors::new();
    if settings.deadline_tolerance_seconds < 0 {
        errors.insert("deadline_tolerance_seconds", "Enter a number of seconds, 0 or more.");
    }
    if settings.max_submissions < -1 {
        errors.insert("max_submissions", "Enter a whole number, or -1 (or nothing) for no limit.");
    }
    if let Err(err) = regex::RegexBuilder::new(&settings.email_pattern).size_limit(1 << 20).build()
    {
        errors.insert("email_pattern", format!("This is not a valid regular expression: {err}"));
    }
    if settings.ownwork_declaration.trim().is_empty() && settings.require_ownwork_declaration {
        errors.insert("ownwork_declaration", "Write the declaration students confirm.".to_owned());
    }
    if !errors.is_empty() {
        return render_settings(&ctx, &settings, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    db::site_settings::save(&ctx.state.db, &settings).await?;
    ctx.state.forget_site_settings();
    tracing::info!(by = admin.id, "admin changed the site settings");
    ctx.flash(FlashLevel::Success, "Settings saved.");
    Ok(redirect("/staff/settings"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_checkbox_fields_are_all_kept() {
        let pairs = form_pairs(b"csrf_token=x&group=1&group=3&role=staff");
        let groups: Vec<&str> =
            pairs.iter().filter(|(k, _)| k == "group").map(|(_, v)| v.as_str()).collect();
        assert_eq!(groups, ["1", "3"]);
    }
}
