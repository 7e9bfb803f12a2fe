//! Task repositories: the list with each one's sync, problems and reference checks; adding
//! one and changing where it comes from (admins).

use inloop_plugin_api::report::{Report, TestStatus, Verdict};
use poem::{
    Response, RouteMethod, get, handler,
    http::StatusCode,
    post,
    web::{Form, Path},
};
use serde::Deserialize;

use super::admin_only;
use crate::{
    audit::{self, Action, Entry},
    credentials,
    db::{self, tasks::ReferenceCheck, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths,
    session::FlashLevel,
    views::staff::{self as staff_views, ReferenceShown},
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/repositories", get(repositories_page).post(admin_only(repository_add))),
        ("/repositories/:name/sync", post(repository_sync)),
        ("/repositories/:name/source", post(admin_only(repository_source))),
        ("/repositories/:name/card", get(repository_card)),
    ]
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
            let (check, details) = match &status.check {
                ReferenceCheck::NotChecked => (ReferenceShown::NotChecked, None),
                ReferenceCheck::Pending => (ReferenceShown::Pending, None),
                ReferenceCheck::Done(report) if report.verdict == Verdict::Passed => {
                    (ReferenceShown::Done(Verdict::Passed), None)
                }
                ReferenceCheck::Done(report) => (
                    ReferenceShown::Done(report.verdict),
                    reference_details(report, status.output.as_deref()),
                ),
            };
            staff_views::ReferenceView {
                task: status.system_name,
                slug: status.slug,
                check,
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
            url: credentials::url_without_credentials(&repository.url),
            branch: repository.branch.clone(),
            error: None,
        }),
        revision: repository.revision.map(|revision| revision.chars().take(12).collect()),
        synced_at: repository
            .synced_at
            .map(|at| crate::taskrepo::dates::display(at, &ctx.state.task_source.zone)),
        name: repository.name,
        url: credentials::url_without_credentials(&repository.url),
        branch: repository.branch,
        status: repository.sync_status,
        // Messages stored by older versions may still quote an address with its token.
        message: credentials::text_without_credentials(&repository.sync_message),
        problems,
    })
}

/// What staff need to see of a failed reference check: failed tests, messages, build output.
fn reference_details(report: &Report, output: Option<&str>) -> Option<String> {
    let mut text = String::new();
    for test in report.tests.iter().filter(|test| test.status != TestStatus::Passed) {
        text.push_str(&format!("{}: {}\n", test.name, test.message.as_deref().unwrap_or("")));
    }
    for line in report.feedback.iter().chain(&report.notes) {
        text.push_str(line);
        text.push('\n');
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
            let entry = Entry::new(
                Action::RepositoryAdded,
                format!("repository {name}"),
                format!("from {}, branch {branch}", credentials::url_without_credentials(url)),
            );
            db::audit::record(&ctx.state.db, ctx.require_admin()?.into(), &entry).await?;
            ctx.state.syncs.request(id);
            ctx.flash(FlashLevel::Success, format!("Added {name}; its first sync has started."));
            Ok(redirect(paths::staff::REPOSITORIES))
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
    let repository =
        db::repositories::find_by_name(&ctx.state.db, &name).await?.ok_or(AppError::NotFound)?;
    let entry = Entry::new(Action::RepositorySynced, format!("repository {name}"), "");
    db::audit::record(&ctx.state.db, ctx.require_staff()?.into(), &entry).await?;
    ctx.state.syncs.request(repository.id);
    ctx.flash(FlashLevel::Info, format!("Syncing {name}; this page shows when it is done."));
    Ok(redirect(paths::staff::REPOSITORIES))
}

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
    let repository =
        db::repositories::find_by_name(&ctx.state.db, &name).await?.ok_or(AppError::NotFound)?;
    let (url, branch) = (form.url.trim(), form.branch.trim());
    // The form shows the address without its token; sent back so, the token stays as it was.
    let url =
        if credentials::is_shown_form_of(url, &repository.url) { &repository.url } else { url };
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
        return Ok(redirect(paths::staff::REPOSITORIES));
    }
    let mut tx = ctx.state.db.begin().await?;
    db::repositories::set_source(&mut *tx, &name, url, branch).await?;
    let details = [
        audit::change(
            "from",
            &credentials::url_without_credentials(&repository.url),
            &credentials::url_without_credentials(url),
        ),
        audit::change("branch", &repository.branch, branch),
    ];
    let details: Vec<String> = details.into_iter().flatten().collect();
    let entry = Entry::new(
        Action::RepositorySourceChanged,
        format!("repository {name}"),
        details.join("; "),
    );
    db::audit::record(&mut *tx, ctx.require_admin()?.into(), &entry).await?;
    tx.commit().await?;
    tracing::info!(
        repository = name,
        url = credentials::url_without_credentials(url),
        branch,
        "changed where a repository comes from"
    );
    ctx.state.syncs.request(repository.id);
    ctx.flash(
        FlashLevel::Success,
        format!(
            "{name} now comes from {}, branch {branch}; a sync has started.",
            credentials::url_without_credentials(url)
        ),
    );
    Ok(redirect(paths::staff::REPOSITORIES))
}

/// The repository's card alone, for the live progress while a sync runs.
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
