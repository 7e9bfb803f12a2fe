//! Submitting solutions and looking at them: the upload, a solution's live status and result,
//! the list of one's solutions, and the zip download. Students see only their own; staff all.

use std::io::Write as _;

use inloop_plugin_api::report::Verdict;
use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::{Multipart, Path, Query},
};
use serde::Deserialize;
use tokio::io::AsyncReadExt;

use crate::{
    db::{
        self,
        solutions::{SolutionRow, SolutionStatus},
        tasks::Viewer,
    },
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths,
    session::FlashLevel,
    submission,
    views::{self, solutions::StatusView},
};

async fn read_upload(multipart: &mut Multipart) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total = 0usize;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| "The upload was interrupted; please try again.".to_owned())?
    {
        if field.name() != Some("files") {
            continue;
        }
        let Some(name) = field.file_name().map(str::to_owned).filter(|name| !name.is_empty())
        else {
            continue;
        };
        // Browsers send only the base name, but older ones sent a whole path.
        let name = name.rsplit(['/', '\\']).next().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        field
            .into_async_read()
            .take(submission::MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|_| "The upload was interrupted; please try again.".to_owned())?;
        if bytes.len() > submission::MAX_FILE_BYTES {
            return Err(format!("{name} is larger than {} KB.", submission::MAX_FILE_BYTES / 1024));
        }
        total += bytes.len();
        if total > submission::MAX_TOTAL_BYTES {
            return Err(format!(
                "Your files are larger than {} KB together.",
                submission::MAX_TOTAL_BYTES / 1024
            ));
        }
        if files.len() == submission::MAX_FILES {
            return Err(format!("Hand in at most {} files.", submission::MAX_FILES));
        }
        if files.iter().any(|(existing, _)| existing == &name) {
            return Err(format!("{name} was chosen twice."));
        }
        files.push((name, bytes));
    }
    Ok(files)
}

#[handler]
pub async fn submit(
    ctx: Ctx,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let user = ctx.require_user()?.clone();
    // Students submit only to tasks they can see; staff too (to try a task), not to hidden ones.
    let viewer = Viewer { is_staff: false, ..super::tasks::viewer(&ctx).await? };
    let task =
        db::tasks::visible_task(&ctx.state.db, &slug, viewer).await?.ok_or(AppError::NotFound)?;
    let back = paths::task_section(&slug, "submit");
    let window = submission::window_for(&ctx.state, &task, user.id).await?;
    if let Some(reason) = window.closed_message() {
        ctx.flash(FlashLevel::Error, reason);
        return Ok(redirect(&back));
    }
    let files = match read_upload(&mut multipart).await {
        Ok(files) => files,
        Err(reason) => {
            ctx.flash(FlashLevel::Error, reason);
            return Ok(redirect(&back));
        }
    };
    if let Err(reason) = submission::check_files(&files, &submission::accepted_patterns(&task)) {
        ctx.flash(FlashLevel::Error, reason);
        return Ok(redirect(&back));
    }
    let stored = match submission::store_and_dispatch(&ctx.state, &task, user.id, &files).await? {
        Ok(stored) => stored,
        Err(refused) => {
            ctx.flash(FlashLevel::Error, refused.message());
            return Ok(redirect(&back));
        }
    };
    ctx.flash(FlashLevel::Success, stored.message());
    Ok(redirect(&paths::solution(stored.id)))
}

/// The solution, if the viewer may see it: their own, or any for staff. Others get 404.
async fn visible_solution(ctx: &Ctx, id: i64) -> Result<SolutionRow, AppError> {
    let user = ctx.require_user()?;
    let solution = db::solutions::find(&ctx.state.db, id).await?.ok_or(AppError::NotFound)?;
    if solution.author_id != user.id && !user.role.is_staff() {
        return Err(AppError::NotFound);
    }
    Ok(solution)
}

pub async fn status_view(
    ctx: &Ctx,
    solution: db::solutions::Standing<'_>,
) -> Result<StatusView, AppError> {
    status_of(&ctx.state, solution).await
}

async fn status_of(
    state: &crate::state::AppState,
    solution: db::solutions::Standing<'_>,
) -> Result<StatusView, AppError> {
    Ok(match solution.status {
        SolutionStatus::Queued => {
            StatusView::Waiting { position: db::solutions::position(&state.db, solution.id).await? }
        }
        SolutionStatus::Dispatched => match test_progress(state, solution.id).await {
            Some(progress) => {
                StatusView::Running { stage: "Running the tests", progress: Some(progress) }
            }
            None => StatusView::Running { stage: "Being tested", progress: None },
        },
        SolutionStatus::Saved => StatusView::Saved,
        SolutionStatus::Error => StatusView::Error {
            message: solution
                .error_message
                .unwrap_or("This solution could not be tested.")
                .to_owned(),
        },
        SolutionStatus::Done => match db::solutions::result(&state.db, solution.id).await? {
            Some(result) => {
                let report = result.report;
                let console = inloop_plugin_api::text::console(&result.stdout, &result.stderr);
                StatusView::Done(views::solutions::ResultView::of(
                    report,
                    console,
                    result.output_truncated,
                    result.duration_ms,
                ))
            }
            None => StatusView::Running { stage: "Storing the result", progress: None },
        },
    })
}

/// What the runner has told of the current run's tests so far, if anything. Progress is a
/// nicety: when Redis cannot say, the status shows without it.
async fn test_progress(
    state: &crate::state::AppState,
    solution_id: i64,
) -> Option<views::solutions::ProgressView> {
    use inloop_plugin_api::protocol::ProgressLine;
    use redis::AsyncCommands;
    let key = inloop_protocol::jobs::progress_key(state.redis_prefix(), solution_id);
    let lines: Vec<String> = match state.redis.clone().lrange(&key, 0, 4999).await {
        Ok(lines) => lines,
        Err(err) => {
            tracing::warn!(solution_id, error = %err, "cannot read a run's progress");
            return None;
        }
    };
    let mut progress = views::solutions::ProgressView { planned: None, finished: Vec::new() };
    for line in lines {
        match serde_json::from_str::<ProgressLine>(&line) {
            Ok(ProgressLine::Planned { planned }) => progress.planned = Some(planned),
            Ok(ProgressLine::Finished { test, status }) => {
                progress.finished.push((test, status));
            }
            Err(_) => {}
        }
    }
    (progress.planned.is_some() || !progress.finished.is_empty()).then_some(progress)
}

#[handler]
pub async fn solution_page(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let solution = visible_solution(&ctx, id).await?;
    let viewer_is_author = ctx.user.as_ref().is_some_and(|user| user.id == solution.author_id);
    let status = status_view(&ctx, solution.standing()).await?;
    let files: Vec<views::solutions::FileView> = db::solutions::files(&ctx.state.db, id)
        .await?
        .into_iter()
        .map(|(name, bytes)| views::solutions::FileView {
            size: bytes.len(),
            text: inloop_plugin_api::text::from_bytes(&bytes),
            name,
        })
        .collect();
    let zone = &ctx.state.task_source.zone;
    let viewer_is_staff = ctx.user.as_ref().is_some_and(|user| user.role.is_staff());
    let could_not_be_tested = viewer_is_staff
        && (solution.status == SolutionStatus::Error
            || solution.verdict == Some(Verdict::SystemError));
    let csrf_token = ctx.csrf_token();
    let attempts = if viewer_is_author {
        Vec::new()
    } else {
        db::solutions::attempts(&ctx.state.db, id)
            .await?
            .into_iter()
            .map(|attempt| {
                let mut line = format!(
                    "#{} sent {}, {} by {}",
                    attempt.attempt,
                    crate::taskrepo::dates::display(attempt.dispatched_at, zone),
                    attempt.outcome.as_deref().unwrap_or("not finished").replace('_', " "),
                    attempt.runner.as_deref().unwrap_or("—")
                );
                if let Some(problem) = &attempt.problem {
                    line.push_str(&format!(" ({problem})"));
                }
                line
            })
            .collect()
    };
    let view = views::solutions::SolutionPageView {
        solution_id: id,
        number: solution.number,
        task_slug: &solution.task_slug,
        task_title: &solution.task_title,
        submitted: views::tasks::When {
            iso: solution
                .submitted_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            text: crate::taskrepo::dates::display(solution.submitted_at, zone),
        },
        author: (!viewer_is_author).then_some(solution.author_username.as_str()),
        status,
        files: &files,
        attempts,
        test_again: could_not_be_tested.then_some(csrf_token.as_str()),
    };
    Ok(ctx
        .render(&format!("Solution #{}", solution.number), views::solutions::solution_page(&view)))
}

#[handler]
pub async fn solution_status(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let solution = visible_solution(&ctx, id).await?;
    let status = status_view(&ctx, solution.standing()).await?;
    Ok(Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(views::solutions::status(id, &status).into_string()))
}

/// Live status over server-sent events: the status fragment again whenever the solution moves,
/// then, once its verdict is final, a `done` event that tells the page to close the stream
/// (browsers would otherwise open it again and again). At most `MOST_STREAMS_PER_USER` streams
/// per user; the page's polling covers the rest and clients without SSE.
#[handler]
pub async fn solution_events(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    use futures_util::StreamExt;
    use poem::{
        IntoResponse,
        web::sse::{Event, SSE},
    };
    let viewer = ctx.require_user()?.id;
    visible_solution(&ctx, id).await?;
    let state = ctx.state.clone();
    let Some(open) = state.events.open_stream(viewer) else {
        let mut response = Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header(header::CACHE_CONTROL, "no-store")
            .body(
                "Too many live updates open at once; this page checks every few seconds instead.",
            );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, poem::http::HeaderValue::from_static("30"));
        return Ok(response);
    };
    let receiver = state.events.subscribe();
    enum Next {
        Status { first: bool },
        Done,
    }
    let stream = futures_util::stream::unfold(
        (state, receiver, Next::Status { first: true }, open),
        move |(state, mut receiver, next, open)| async move {
            let first = match next {
                Next::Status { first } => first,
                Next::Done => return None,
            };
            let mut stage: Option<inloop_protocol::jobs::Stage> = None;
            if !first {
                // Wait for news of this solution, or look again every few seconds anyway.
                let wait = async {
                    loop {
                        match receiver.recv().await {
                            Ok(event) if event.solution_id == id => return Some(event.stage),
                            Ok(_) => {}
                            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                                return None;
                            }
                            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                        }
                    }
                };
                stage = tokio::time::timeout(std::time::Duration::from_secs(5), wait)
                    .await
                    .ok()
                    .flatten();
            }
            let solution = db::solutions::find(&state.db, id).await.ok().flatten()?;
            let mut status = status_of(&state, solution.standing()).await.ok()?;
            if let (StatusView::Running { stage: label, progress: None }, Some(stage)) =
                (&mut status, stage)
            {
                *label = match stage {
                    inloop_protocol::jobs::Stage::PreparingImage => {
                        "Preparing the test environment"
                    }
                    inloop_protocol::jobs::Stage::Running => "Running the tests",
                    _ => "Storing the result",
                };
            }
            let html = views::solutions::status(id, &status).into_string();
            let events = if status.is_final() {
                vec![
                    Event::message(html).event_type("status"),
                    // An event without data is never dispatched by browsers.
                    Event::message("final").event_type(views::solutions::STREAM_DONE),
                ]
            } else {
                vec![Event::message(html).event_type("status")]
            };
            let next = if status.is_final() { Next::Done } else { Next::Status { first: false } };
            Some((futures_util::stream::iter(events), (state, receiver, next, open)))
        },
    )
    .flatten();
    let mut response =
        SSE::new(stream.boxed()).keep_alive(std::time::Duration::from_secs(15)).into_response();
    // nginx would otherwise hold the events back in its buffer.
    response.headers_mut().insert("X-Accel-Buffering", poem::http::HeaderValue::from_static("no"));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, poem::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<i64>,
}

const SOLUTIONS_PER_PAGE: i64 = 20;

#[handler]
pub async fn solution_list(
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    let viewer = super::tasks::viewer(&ctx).await?;
    let task =
        db::tasks::visible_task(&ctx.state.db, &slug, viewer).await?.ok_or(AppError::NotFound)?;
    let page = crate::http::page_number(query.page);
    let rows = db::solutions::list_for(
        &ctx.state.db,
        task.id,
        user.id,
        (page - 1) * SOLUTIONS_PER_PAGE,
        SOLUTIONS_PER_PAGE + 1,
    )
    .await?;
    let has_more = rows.len() as i64 > SOLUTIONS_PER_PAGE;
    let zone = &ctx.state.task_source.zone;
    let solutions: Vec<views::solutions::ListedSolution> = rows
        .into_iter()
        .take(SOLUTIONS_PER_PAGE as usize)
        .map(|row| views::solutions::ListedSolution {
            id: row.id,
            number: row.number,
            submitted: views::tasks::When {
                iso: row
                    .submitted_at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
                text: crate::taskrepo::dates::display(row.submitted_at, zone),
            },
            status: row.status,
            verdict: row.verdict,
        })
        .collect();
    let pages = if has_more { page + 1 } else { page };
    let pagination = views::components::pagination(&paths::task_solutions(&slug), page, pages);
    Ok(ctx.render(
        "My solutions",
        views::solutions::solution_list(&task.slug, &task.title, &solutions, pagination),
    ))
}

#[handler]
pub async fn download(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let solution = visible_solution(&ctx, id).await?;
    let files = db::solutions::files(&ctx.state.db, id).await?;
    let archive = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in files {
            writer.start_file(name, options)?;
            writer.write_all(&bytes)?;
        }
        Ok(writer.finish()?.into_inner())
    })
    .await
    .map_err(|err| AppError::Internal(err.into()))?
    .map_err(|err| AppError::Internal(err.into()))?;
    let name = format!("solution-{}-{}.zip", solution.number, solution.task_slug);
    Ok(Response::builder()
        .status(StatusCode::OK)
        .content_type("application/zip")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(archive))
}
