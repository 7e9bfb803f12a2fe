//! The editor's two actions: saving a checkpoint, and submitting the edited files as a solution.
//!
//! Both take the editor's form: `name` and `contents` fields in pairs, in the editor's order.
//! The editor's script saves with `Accept: application/json` and gets JSON; htmx submits and gets
//! the live result beside the editor; a browser without JavaScript gets a redirect on success
//! and, on refusal, the task page again with everything it sent, so no typed work is lost.

use std::time::Duration;

use poem::{
    Body, Request, Response, handler,
    http::{StatusCode, header},
    web::Path,
};
use serde_json::json;
use time::OffsetDateTime;

use crate::{
    db::{self, checkpoints::EditorFile, tasks::Viewer},
    error::AppError,
    extract::Ctx,
    http::redirect,
    rate_limit::{Decision, Limit, describe_wait},
    session::FlashLevel,
    views,
};
use crate::{
    paths,
    submission::{self, MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES},
};

/// Url-encoding can triple the size of code; anything larger is not an editor's form.
const MAX_FORM_BYTES: usize = 4 * MAX_TOTAL_BYTES;

/// Saves per student: as often as the editor autosaves while someone types without pause, so
/// only a script flooding the database meets it.
const SAVES: Limit = Limit { bucket: "checkpoint", max: 300, window: Duration::from_secs(600) };

/// What the editor's form holds.
struct EditorForm {
    files: Vec<EditorFile>,
    /// When the checkpoint the editor started from was saved (empty: it started without one).
    base: Option<String>,
}

/// The `name`/`contents` pairs of the form, in order, with Windows line ends made plain.
/// Blocks left empty (the "Add a file" block, a file emptied to remove it) are dropped.
fn parse_form(body: &[u8]) -> Result<EditorForm, String> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| "The editor's form could not be read; please reload the page.".to_owned())?;
    let mut files: Vec<EditorFile> = Vec::new();
    let mut base = None;
    let mut expecting_contents = false;
    for (key, value) in fields {
        match key.as_str() {
            "base" => base = Some(value).filter(|value| !value.is_empty()),
            "name" => {
                files.push(EditorFile { name: value.trim().to_owned(), contents: String::new() });
                expecting_contents = true;
            }
            "contents" if expecting_contents => {
                if let Some(file) = files.last_mut() {
                    file.contents = value.replace("\r\n", "\n");
                }
                expecting_contents = false;
            }
            "contents" => {
                return Err(
                    "The editor's form could not be read; please reload the page.".to_owned()
                );
            }
            _ => {}
        }
    }
    files.retain(|file| !(file.name.is_empty() && file.contents.trim().is_empty()));
    Ok(EditorForm { files, base })
}

/// Checks what a checkpoint may hold: named files, names we accept, within the upload limits.
fn check_editor_files(files: &[EditorFile], patterns: &[String]) -> Result<(), String> {
    if files.len() > MAX_FILES {
        return Err(format!("Keep at most {MAX_FILES} files."));
    }
    let mut total = 0;
    for (index, file) in files.iter().enumerate() {
        if file.name.is_empty() {
            return Err(
                "A file without a name has contents: give it a name, or empty it to remove it."
                    .to_owned(),
            );
        }
        if files[..index].iter().any(|other| other.name.eq_ignore_ascii_case(&file.name)) {
            return Err(format!("There are two files named {}.", file.name));
        }
        if file.contents.len() > MAX_FILE_BYTES {
            return Err(format!("{} is larger than {} KB.", file.name, MAX_FILE_BYTES / 1024));
        }
        total += file.contents.len();
    }
    if total > MAX_TOTAL_BYTES {
        return Err(format!("Your files are larger than {} KB together.", MAX_TOTAL_BYTES / 1024));
    }
    submission::check_names(files.iter().map(|file| file.name.as_str()), patterns)
}

struct EditorRequest {
    task: db::tasks::TaskPage,
    viewer: Viewer,
    base: Option<String>,
    wants_json: bool,
}

/// The files sent, checked; or, refused, the files as sent with the reason.
type CheckedFiles = Result<Vec<EditorFile>, (Vec<EditorFile>, String)>;

async fn read_request(
    ctx: &Ctx,
    req: &Request,
    slug: &str,
    body: Body,
    viewer: Viewer,
) -> Result<(EditorRequest, CheckedFiles), AppError> {
    let task =
        db::tasks::visible_task(&ctx.state.db, slug, viewer).await?.ok_or(AppError::NotFound)?;
    let wants_json =
        req.header(header::ACCEPT).is_some_and(|accept| accept.contains("application/json"));
    let body = body.into_bytes_limit(MAX_FORM_BYTES).await.map_err(|_| {
        AppError::BadRequest(format!(
            "Your files are larger than {} KB together.",
            MAX_TOTAL_BYTES / 1024
        ))
    })?;
    let (files, base) = match parse_form(&body) {
        Ok(EditorForm { files, base }) => {
            match check_editor_files(&files, &submission::accepted_patterns(&task)) {
                Ok(()) => (Ok(files), base),
                Err(reason) => (Err((files, reason)), base),
            }
        }
        Err(reason) => (Err((Vec::new(), reason)), None),
    };
    Ok((EditorRequest { task, viewer, base, wants_json }, files))
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(value.to_string())
}

/// Tells the editor's script when the files it sent became the saved checkpoint, if they did.
const SAVED_HEADER: &str = "X-Inloop-Saved-At";

fn fragment_response(markup: maud::Markup, saved: Option<String>) -> Response {
    let mut response = Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store");
    if let Some(saved_at) = saved {
        response = response.header(SAVED_HEADER, saved_at);
    }
    response.body(markup.into_string())
}

/// A refused save: JSON for the editor's script, or the page again with the sent files.
async fn refuse_save(
    ctx: &Ctx,
    request: &EditorRequest,
    files: Vec<EditorFile>,
    reason: String,
    status: StatusCode,
    answer: serde_json::Value,
) -> Result<Response, AppError> {
    if request.wants_json {
        return Ok(json_response(status, &answer));
    }
    let refused = super::tasks::Refused { files, reason };
    super::tasks::render_task(ctx, &request.task, request.viewer, Some(refused), status).await
}

#[handler]
pub async fn save_checkpoint(
    ctx: Ctx,
    req: &Request,
    Path(slug): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    let viewer = super::tasks::viewer(&ctx).await?;
    let (request, files) = read_request(&ctx, req, &slug, body, viewer).await?;
    let subject = viewer.user_id.to_string();
    if let Decision::Limited { retry_after } =
        SAVES.hit(&ctx.state.redis, ctx.state.redis_prefix(), &subject).await?
    {
        let reason = format!(
            "Saved too often in a short time; saving works again in {}.",
            describe_wait(retry_after)
        );
        let answer = json!({ "error": reason, "retry": true });
        let files = files.unwrap_or_else(|(files, _)| files);
        return refuse_save(&ctx, &request, files, reason, StatusCode::TOO_MANY_REQUESTS, answer)
            .await;
    }
    let files = match files {
        Ok(files) => files,
        Err((files, reason)) => {
            let answer = json!({ "error": reason });
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return refuse_save(&ctx, &request, files, reason, status, answer).await;
        }
    };
    // Saving works after the deadline too: it only keeps the student's own work.
    let base = request.base.as_deref().and_then(|base| {
        OffsetDateTime::parse(base, &time::format_description::well_known::Rfc3339).ok()
    });
    let saved = db::checkpoints::save_over(
        &ctx.state.db,
        request.viewer.user_id,
        request.task.id,
        &files,
        base,
    )
    .await?;
    let saved_at = match saved {
        db::checkpoints::Saved::At(saved_at) => saved_at,
        db::checkpoints::Saved::Conflict { saved_at } => {
            let newer = super::tasks::when(&ctx, saved_at);
            let reason = format!(
                "Your files were saved from another window or computer at {}. Reload the page to \
                 continue with that version, or save again to replace it with these files.",
                newer.text
            );
            let answer = json!({ "error": reason, "conflict": true, "saved_at": newer.iso });
            return refuse_save(&ctx, &request, files, reason, StatusCode::CONFLICT, answer).await;
        }
    };
    if request.wants_json {
        let saved = super::tasks::when(&ctx, saved_at);
        return Ok(json_response(
            StatusCode::OK,
            &json!({ "saved_at": saved.iso, "saved_text": saved.text }),
        ));
    }
    ctx.flash(FlashLevel::Success, "Your files are saved.");
    Ok(redirect(&paths::task_section(&slug, "editor")))
}

#[handler]
pub async fn submit_from_editor(
    ctx: Ctx,
    req: &Request,
    Path(slug): Path<String>,
    body: Body,
) -> Result<Response, AppError> {
    let user_id = ctx.require_user()?.id;
    // Like uploads: staff submit only to tasks students can see.
    let viewer = Viewer { is_staff: false, ..super::tasks::viewer(&ctx).await? };
    let (request, files) = read_request(&ctx, req, &slug, body, viewer).await?;
    let files = match files {
        Ok(files) => files,
        Err((files, reason)) => {
            return refuse(&ctx, &request.task, viewer, files, reason, None).await;
        }
    };
    // What is submitted is also what the editor holds from now on, whether or not it is taken.
    let saved_at = db::checkpoints::save(&ctx.state.db, user_id, request.task.id, &files).await?;
    let saved = Some(super::tasks::when(&ctx, saved_at).iso);
    if files.is_empty() {
        let reason = "There is nothing to submit yet: add a file first.".to_owned();
        return refuse(&ctx, &request.task, viewer, files, reason, saved).await;
    }
    if let Some(reason) =
        submission::window_for(&ctx.state, &request.task, user_id).await?.closed_message()
    {
        return refuse(&ctx, &request.task, viewer, files, reason, saved).await;
    }
    let as_bytes: Vec<(String, Vec<u8>)> =
        files.iter().map(|file| (file.name.clone(), file.contents.clone().into_bytes())).collect();
    let stored = match submission::store_and_dispatch(&ctx.state, &request.task, user_id, &as_bytes)
        .await?
    {
        Ok(stored) => stored,
        Err(refused) => {
            return refuse(&ctx, &request.task, viewer, files, refused.message(), saved).await;
        }
    };
    let (solution_id, number) = (stored.id, stored.number);
    if !ctx.htmx {
        ctx.flash(FlashLevel::Success, stored.message());
        return Ok(redirect(&paths::solution(solution_id)));
    }
    let solution =
        db::solutions::find(&ctx.state.db, solution_id).await?.ok_or(AppError::NotFound)?;
    let status = super::solutions::status_view(&ctx, solution.standing()).await?;
    let usage = submission::window_for(&ctx.state, &request.task, user_id).await?.usage;
    Ok(fragment_response(
        views::editor::submitted(&request.task.slug, solution_id, number, &status, usage),
        saved,
    ))
}

/// A refused submit: the reason beside the editor (htmx), or the page again with the files.
async fn refuse(
    ctx: &Ctx,
    task: &db::tasks::TaskPage,
    viewer: Viewer,
    files: Vec<EditorFile>,
    reason: String,
    saved: Option<String>,
) -> Result<Response, AppError> {
    if ctx.htmx {
        let markup = views::editor::refused(&reason, saved.is_some());
        return Ok(fragment_response(markup, saved));
    }
    let refused = super::tasks::Refused { files, reason };
    super::tasks::render_task(ctx, task, viewer, Some(refused), StatusCode::UNPROCESSABLE_ENTITY)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, contents: &str) -> EditorFile {
        EditorFile { name: name.to_owned(), contents: contents.to_owned() }
    }

    #[test]
    fn the_form_is_read_in_pairs_and_empty_blocks_are_dropped() {
        let body = b"csrf_token=t&name=A.java&contents=class+A+%7B%7D%0D%0A&name=&contents=&name=+B.java+&contents=";
        let form = parse_form(body).unwrap();
        assert_eq!(form.files, vec![file("A.java", "class A {}\n"), file("B.java", "")]);
        assert_eq!(form.base, None);
        let form = parse_form(b"base=2026-11-28T10%3A00%3A00Z&name=A.java&contents=").unwrap();
        assert_eq!(form.base.as_deref(), Some("2026-11-28T10:00:00Z"));
        assert!(parse_form(b"contents=x").is_err(), "contents without a name");
    }

    #[test]
    fn editor_files_are_checked_like_uploads() {
        let java = vec!["*.java".to_owned()];
        assert!(check_editor_files(&[file("A.java", "x")], &java).is_ok());
        assert!(check_editor_files(&[], &java).is_ok(), "an empty checkpoint may be saved");
        assert!(
            check_editor_files(&[file("", "x")], &java).unwrap_err().contains("without a name")
        );
        assert!(
            check_editor_files(&[file("A.java", ""), file("a.JAVA", "")], &java)
                .unwrap_err()
                .contains("two files named")
        );
        assert!(check_editor_files(&[file("run.sh", "")], &java).unwrap_err().contains("*.java"));
        let big = "x".repeat(MAX_FILE_BYTES + 1);
        assert!(check_editor_files(&[file("A.java", &big)], &java).unwrap_err().contains("KB"));
    }
}
