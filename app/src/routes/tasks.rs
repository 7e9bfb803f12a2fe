//! Task pages for students (and staff): categories, tasks, and the images and attachments of
//! a task, served only from its own folder and only to those who may see the task.

use std::path::{Component, Path as FsPath};

use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::Path,
};
use time::OffsetDateTime;

use crate::{
    db::{self, checkpoints::EditorFile, tasks::Viewer},
    error::AppError,
    extract::{Ctx, ExtraAssets},
    markdown, overrides, paths,
    taskrepo::dates,
    views::{self, tasks::When},
};

/// Who is looking at tasks, with the live setting that may hide tasks with failing references.
pub async fn viewer(ctx: &Ctx) -> Result<Viewer, AppError> {
    let user = ctx.require_user()?;
    let hide_failing = ctx.state.site_settings().await?.hide_failing_tasks;
    Ok(Viewer { user_id: user.id, is_staff: user.role.is_staff(), hide_failing })
}

pub fn when(ctx: &Ctx, at: OffsetDateTime) -> When {
    When {
        iso: at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        text: dates::display(at, &ctx.state.task_source.zone),
    }
}

/// The categories for the start page.
pub async fn index_rows(ctx: &Ctx) -> Result<Vec<views::tasks::CategoryRow>, AppError> {
    let rows = db::tasks::categories_for(&ctx.state.db, viewer(ctx).await?).await?;
    Ok(rows
        .into_iter()
        .map(|row| views::tasks::CategoryRow {
            slug: row.slug,
            name: row.name,
            description: markdown::render(&row.description),
            open_tasks: row.open_tasks,
        })
        .collect())
}

#[handler]
pub async fn category_page(ctx: Ctx, Path(slug): Path<String>) -> Result<Response, AppError> {
    let viewer = viewer(&ctx).await?;
    let category =
        db::tasks::category_by_slug(&ctx.state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let now = OffsetDateTime::now_utc();
    let tasks: Vec<views::tasks::TaskRow> =
        db::tasks::tasks_in_category(&ctx.state.db, category.id, viewer)
            .await?
            .into_iter()
            .map(|task| {
                let mut staff_notes = Vec::new();
                if viewer.is_staff {
                    if task.disabled {
                        staff_notes.push("disabled");
                    }
                    if task.removed {
                        staff_notes.push("removed from the repository");
                    }
                    if task.pubdate > now {
                        staff_notes.push("not yet published");
                    }
                }
                let deadline = overrides::personal_deadline(task.deadline, task.extended_to);
                views::tasks::TaskRow {
                    done: task.done,
                    published: task.pubdate <= now,
                    expired: deadline.is_some_and(|deadline| deadline < now),
                    extended: deadline != task.deadline,
                    pubdate: when(&ctx, task.pubdate),
                    deadline: deadline.map(|deadline| when(&ctx, deadline)),
                    group: task.group_name.filter(|_| viewer.is_staff),
                    slug: task.slug,
                    title: task.title,
                    staff_notes,
                }
            })
            .collect();
    let view = views::tasks::CategoryView {
        name: &category.name,
        description: markdown::render(&category.description),
        tasks: &tasks,
        show_done: ctx.state.site_settings().await?.immediate_feedback,
    };
    Ok(ctx.render(&category.name, views::tasks::category(&view)))
}

#[handler]
pub async fn task_page(ctx: Ctx, Path(slug): Path<String>) -> Result<Response, AppError> {
    let viewer = viewer(&ctx).await?;
    let task =
        db::tasks::visible_task(&ctx.state.db, &slug, viewer).await?.ok_or(AppError::NotFound)?;
    render_task(&ctx, &task, viewer, None, StatusCode::OK).await
}

/// What the student sent from the editor, shown again with the reason it was refused.
pub struct Refused {
    pub files: Vec<EditorFile>,
    pub reason: String,
}

/// The task page: the text beside the editor, which holds the student's checkpoint, or the
/// starter files, or what they just sent when it was refused.
pub async fn render_task(
    ctx: &Ctx,
    task: &db::tasks::TaskPage,
    viewer: Viewer,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let now = OffsetDateTime::now_utc();
    let base = paths::task(&task.slug);
    let version = &task.revision[..task.revision.len().min(10)];
    let text =
        markdown::render_task(&task.description, &markdown::TaskLinks { base: &base, version });
    let templates = db::tasks::templates(&ctx.state.db, task.id).await?;
    let checkpoint = db::checkpoints::latest(&ctx.state.db, viewer.user_id, task.id).await?;
    let mut staff_notes = Vec::new();
    if viewer.is_staff {
        if task.disabled {
            staff_notes.push(
                "This task is disabled in its repository; students do not see it.".to_owned(),
            );
        }
        if task.removed {
            staff_notes.push(
                "This task is no longer in its repository; students do not see it.".to_owned(),
            );
        }
        if task.pubdate > now {
            staff_notes.push(format!(
                "Students see this task from {}.",
                dates::display(task.pubdate, &ctx.state.task_source.zone)
            ));
        }
        if let Some(group) = &task.group_name {
            staff_notes.push(format!("Only members of the group {group} see this task."));
        }
    }
    let window = crate::submission::window_for(&ctx.state, task, viewer.user_id).await?;
    let closed = window.closed_message();
    let patterns = crate::submission::accepted_patterns(task);
    let csrf_token = ctx.csrf_token();
    let upload = views::solutions::submit_form(&views::solutions::SubmitFormView {
        slug: &task.slug,
        csrf_token: &csrf_token,
        patterns: &patterns,
        usage: window.usage,
        closed: closed.as_deref(),
        error: None,
    });
    let has_own_files = checkpoint.as_ref().is_some_and(|saved| !saved.files.is_empty());
    let (files, error) = match refused {
        Some(refused) => (refused.files, Some(refused.reason)),
        None => match &checkpoint {
            Some(saved) if has_own_files => (saved.files.clone(), None),
            _ => (
                templates
                    .iter()
                    .map(|(name, contents)| EditorFile {
                        name: name.clone(),
                        contents: contents.clone(),
                    })
                    .collect(),
                None,
            ),
        },
    };
    let latest = match db::solutions::list_for(&ctx.state.db, task.id, viewer.user_id, 0, 1)
        .await?
        .into_iter()
        .next()
    {
        Some(row) => Some(views::editor::LatestSolution {
            id: row.id,
            number: row.number,
            status: super::solutions::status_view(ctx, row.standing()).await?,
        }),
        None => None,
    };
    let workbench = views::editor::workbench(&views::editor::EditorView {
        slug: &task.slug,
        csrf_token: &csrf_token,
        files: &files,
        patterns: &patterns,
        usage: window.usage,
        closed: closed.as_deref(),
        untested: !ctx.state.site_settings().await?.immediate_feedback,
        error: error.as_deref(),
        saved_at: checkpoint.as_ref().map(|saved| when(ctx, saved.saved_at)),
        from_templates: !has_own_files,
        latest,
        upload,
        starter_files: &templates,
    });
    let deadline = overrides::personal_deadline(task.deadline, task.extended_to);
    let view = views::tasks::TaskView {
        title: &task.title,
        category_slug: &task.category_slug,
        category_name: &task.category_name,
        text,
        deadline: deadline.map(|deadline| when(ctx, deadline)),
        expired: deadline.is_some_and(|deadline| deadline < now),
        extended: deadline != task.deadline,
        file_patterns: &task.file_patterns,
        starter_files: if has_own_files { &templates } else { &[] },
        staff_notes,
        text_has_title: task.description.trim_start().starts_with("# "),
        workbench,
    };
    Ok(ctx.render_page(status, &task.title, views::tasks::task(&view), ExtraAssets::Editor))
}

#[handler]
pub async fn image(
    ctx: Ctx,
    Path((slug, path)): Path<(String, String)>,
) -> Result<Response, AppError> {
    task_file(&ctx, &slug, "images", &path).await
}

#[handler]
pub async fn attachment(
    ctx: Ctx,
    Path((slug, path)): Path<(String, String)>,
) -> Result<Response, AppError> {
    task_file(&ctx, &slug, "attachments", &path).await
}

/// A relative path of plain names: no `..`, no hidden files, nothing absolute.
fn safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 512
        && FsPath::new(path).components().all(|component| match component {
            Component::Normal(name) => {
                let name = name.to_string_lossy();
                !name.starts_with('.')
                    && name.chars().all(|c| c.is_alphanumeric() || " ._-+()".contains(c))
            }
            _ => false,
        })
}

async fn task_file(ctx: &Ctx, slug: &str, folder: &str, path: &str) -> Result<Response, AppError> {
    let viewer = viewer(ctx).await?;
    if !safe_relative_path(path) {
        return Err(AppError::NotFound);
    }
    let task =
        db::tasks::visible_task(&ctx.state.db, slug, viewer).await?.ok_or(AppError::NotFound)?;
    let file = ctx
        .state
        .task_source
        .checkout(&task.repository)
        .join(&task.system_name)
        .join(folder)
        .join(path);
    // Published checkouts hold no links (see taskrepo::git), and this refuses any that appear.
    let metadata = tokio::fs::symlink_metadata(&file).await.map_err(|_| AppError::NotFound)?;
    if !metadata.is_file() {
        return Err(AppError::NotFound);
    }
    let bytes = tokio::fs::read(&file).await.map_err(|_| AppError::NotFound)?;
    let name = file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let content_type = content_type(&name);
    let mut response = Response::builder()
        .status(StatusCode::OK)
        .content_type(content_type)
        .header(header::CACHE_CONTROL, "private, max-age=3600");
    if folder == "attachments" && !content_type.starts_with("image/") {
        let safe_name: String =
            name.chars().filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\').collect();
        response = response
            .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{safe_name}\""));
    }
    // An SVG opened on its own must not run scripts.
    if content_type == "image/svg+xml" {
        response = response.header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        );
    }
    Ok(response.body(bytes))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("txt" | "java" | "py" | "md" | "csv" | "c" | "h" | "json" | "xml") => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_served() {
        assert!(safe_relative_path("map.png"));
        assert!(safe_relative_path("sub/Taxi Example.java"));
        for bad in
            ["", "../meta.json", "a/../../x", "/etc/passwd", ".hidden", "a/.git/config", "a\\b"]
        {
            assert!(!safe_relative_path(bad), "{bad}");
        }
    }
}
