//! Testing solutions again: one at once, every solution of a task that could not be tested,
//! or a re-test batch that staff watch, review and apply.

use poem::{
    Response, RouteMethod, get, handler, post,
    web::{Path, Query},
};
use serde::Deserialize;

use crate::{
    audit::{Action, Entry},
    db::{self, retests::StartError, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths,
    retest::{Scope, State},
    session::FlashLevel,
    taskrepo::dates::{Zone, display},
    views::{
        solutions::{ResultView, StatusView},
        staff::retests as views,
    },
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/solutions/:id/test-again", post(test_solution_again)),
        ("/tasks/:id/test-untested", post(test_untested_again)),
        ("/tasks/:id/retests", post(start_retest)),
        ("/retests/:id", get(retest_page)),
        ("/retests/:id/solutions/:solution", get(retest_result)),
        ("/retests/:id/apply", post(apply_retest)),
        ("/retests/:id/discard", post(discard_retest)),
    ]
}

pub(super) fn batch_line(summary: db::retests::Summary, zone: &Zone) -> views::BatchLine {
    let by = |name: Option<String>| super::name_or_deleted(name.as_deref()).to_owned();
    views::BatchLine {
        id: summary.id,
        task_id: summary.task_id,
        task_title: summary.task_title,
        scope: summary.scope,
        state: summary.state,
        revision: summary.revision,
        started: format!("{} by {}", display(summary.created_at, zone), by(summary.created_by)),
        finished: summary.finished_at.map(|at| display(at, zone)),
        decided: summary
            .decided_at
            .map(|at| format!("{} by {}", display(at, zone), by(summary.decided_by))),
        total: summary.total,
        graded: summary.graded,
        failed: summary.failed,
        changed: summary.changed,
    }
}

/// Starts a batch of a task's solutions; one open batch per task.
#[handler]
async fn start_retest(
    ctx: Ctx,
    Path(task_id): Path<i64>,
    body: poem::Body,
) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    // Picked solutions arrive as repeated fields.
    let form = super::RepeatedForm::read(body, 512 * 1024).await?;
    let selection = form.ids("solution");
    let scope = if !selection.is_empty() {
        Some(Scope::Selection)
    } else {
        form.value("scope").and_then(Scope::parse)
    }
    .filter(|scope| *scope != Scope::Selection || !selection.is_empty())
    .ok_or_else(|| AppError::BadRequest("Choose which solutions to test again.".into()))?;
    let back = paths::staff::task_overview(task_id);
    let mut tx = ctx.state.db.begin().await?;
    let (retest_id, count) = match db::retests::start(&mut tx, task_id, scope, &selection, staff.id)
        .await
    {
        Ok(started) => started,
        Err(StartError::Database(err)) => return Err(err.into()),
        Err(problem) => {
            drop(tx);
            let message = match problem {
                StartError::AlreadyOpen => {
                    "A re-test of this task is still open: apply or discard it first.".to_owned()
                }
                StartError::Nothing => {
                    "There is nothing to test again: no solution of this kind has been tested."
                        .to_owned()
                }
                other => format!("This re-test cannot start: {other}."),
            };
            ctx.flash(FlashLevel::Error, message);
            return Ok(redirect(&back));
        }
    };
    let task = db::overrides::task_settings(&mut *tx, task_id).await?.map(|task| task.title);
    let entry = Entry::new(
        Action::RetestStarted,
        format!("task {}", task.unwrap_or_else(|| format!("#{task_id}"))),
        format!("{count} solution(s): {}", scope.label()),
    );
    db::audit::record(&mut *tx, staff.into(), &entry).await?;
    tx.commit().await?;
    tracing::info!(by = staff.id, task_id, retest_id, count, "staff started a re-test");
    if let Err(err) = crate::queue::send_retests(&ctx.state).await {
        // Stored is stored: the reconciler sends the batch's jobs once Redis answers.
        tracing::warn!(retest_id, error = %format!("{err:#}"), "could not send re-test jobs yet");
    }
    ctx.flash(FlashLevel::Success, format!("Testing {count} solution(s) again."));
    Ok(redirect(&paths::staff::retest(retest_id)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BatchQuery {
    all: Option<String>,
    page: Option<i64>,
}

const ITEMS_PER_PAGE: i64 = 100;

#[handler]
async fn retest_page(
    ctx: Ctx,
    Path(retest_id): Path<i64>,
    Query(query): Query<BatchQuery>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let summary =
        db::retests::summary(&ctx.state.db, retest_id).await?.ok_or(AppError::NotFound)?;
    let only_changed = query.all.is_none();
    let shown = if only_changed { summary.changed + summary.failed } else { summary.total };
    let pages = ((shown + ITEMS_PER_PAGE - 1) / ITEMS_PER_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let items: Vec<views::ItemLine> = db::retests::items(
        &ctx.state.db,
        retest_id,
        only_changed,
        (page - 1) * ITEMS_PER_PAGE,
        ITEMS_PER_PAGE,
    )
    .await?
    .into_iter()
    .map(|item| views::ItemLine {
        solution_id: item.solution_id,
        number: item.number,
        username: item.username,
        old_verdict: item.old_verdict,
        could_not_test: item.status == "error",
        new_verdict: item.new_verdict.filter(|_| item.status == "done"),
    })
    .collect();
    let batch = batch_line(summary, zone);
    let csrf_token = ctx.csrf_token();
    let view = views::BatchView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        batch: &batch,
        items: &items,
        only_changed,
        page,
        pages,
    };
    Ok(ctx.render(&format!("Re-test of {}", batch.task_title), views::batch(&view)))
}

/// One solution's new result in a batch, before (or after) it is applied.
#[handler]
async fn retest_result(
    ctx: Ctx,
    Path((retest_id, solution_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let found = db::retests::item_report(&ctx.state.db, retest_id, solution_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let console = inloop_plugin_api::text::console(&found.stdout, &found.stderr);
    let result = StatusView::Done(ResultView::of(
        found.report,
        console,
        found.output_truncated,
        found.duration_ms,
    ));
    let view = views::ItemResultView {
        is_admin: viewer.role == Role::Admin,
        retest_id,
        solution_id,
        number: found.number,
        username: &found.username,
        task_title: &found.task_title,
        result: &result,
    };
    Ok(ctx.render(
        &format!("Re-test of {}'s solution #{}", found.username, found.number),
        views::item_result(&view),
    ))
}

#[handler]
async fn apply_retest(ctx: Ctx, Path(retest_id): Path<i64>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let mut tx = ctx.state.db.begin().await?;
    match db::retests::lock(&mut tx, retest_id).await? {
        None => return Err(AppError::NotFound),
        Some(State::Review) => {}
        Some(state) => {
            drop(tx);
            ctx.flash(
                FlashLevel::Error,
                format!("This re-test is {} and cannot be applied.", state.label()),
            );
            return Ok(redirect(&paths::staff::retest(retest_id)));
        }
    }
    let summary = db::retests::summary(&mut *tx, retest_id).await?.ok_or(AppError::NotFound)?;
    let applied = db::retests::apply(&mut tx, retest_id, staff.id).await?;
    let entry = Entry::new(
        Action::RetestApplied,
        format!("task {}", summary.task_title),
        format!("{applied} result(s) replaced, {} verdict(s) changed", summary.changed),
    );
    db::audit::record(&mut *tx, staff.into(), &entry).await?;
    tx.commit().await?;
    tracing::info!(by = staff.id, retest_id, applied, "staff applied a re-test");
    ctx.flash(
        FlashLevel::Success,
        format!(
            "Applied: {applied} solution(s) have their new result, {} verdict(s) changed.",
            summary.changed
        ),
    );
    Ok(redirect(&paths::staff::retest(retest_id)))
}

#[handler]
async fn discard_retest(ctx: Ctx, Path(retest_id): Path<i64>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let mut tx = ctx.state.db.begin().await?;
    match db::retests::lock(&mut tx, retest_id).await? {
        None => return Err(AppError::NotFound),
        Some(state) if state.is_open() => {}
        Some(state) => {
            drop(tx);
            ctx.flash(FlashLevel::Error, format!("This re-test is {} already.", state.label()));
            return Ok(redirect(&paths::staff::retest(retest_id)));
        }
    }
    let summary = db::retests::summary(&mut *tx, retest_id).await?.ok_or(AppError::NotFound)?;
    let out = db::retests::discard(&mut tx, retest_id, staff.id).await?;
    let entry = Entry::new(
        Action::RetestDiscarded,
        format!("task {}", summary.task_title),
        format!(
            "{} of {} solution(s) had been tested",
            summary.graded + summary.failed,
            summary.total
        ),
    );
    db::audit::record(&mut *tx, staff.into(), &entry).await?;
    tx.commit().await?;
    if let Err(err) = crate::queue::take_back_retests(&ctx.state, &out).await {
        // A job left behind is graded and its result ignored: the items are no longer out.
        tracing::warn!(retest_id, error = %format!("{err:#}"), "could not take back re-test jobs");
    }
    ctx.flash(FlashLevel::Success, "Discarded the re-test; no solution changed.");
    Ok(redirect(&paths::staff::retest(retest_id)))
}

/// Has one solution tested again; its old result stays in its history.
#[handler]
async fn test_solution_again(ctx: Ctx, Path(solution_id): Path<i64>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let Some(solution) = db::solutions::find(&ctx.state.db, solution_id).await? else {
        return Err(AppError::NotFound);
    };
    if crate::queue::test_again(&ctx.state, solution_id, staff.id).await? {
        let entry = Entry::new(
            Action::SolutionTestedAgain,
            format!("solution #{solution_id}"),
            format!(
                "{}'s solution #{} of {}",
                solution.author_username, solution.number, solution.task_slug
            ),
        );
        db::audit::record(&ctx.state.db, staff.into(), &entry).await?;
        ctx.flash(FlashLevel::Success, "The solution is tested again.");
    } else {
        ctx.flash(FlashLevel::Error, "The solution is being tested already.");
    }
    Ok(redirect(&paths::solution(solution_id)))
}

/// Has every solution of a task tested again that could not be tested.
#[handler]
async fn test_untested_again(ctx: Ctx, Path(task_id): Path<i64>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let queued = crate::queue::test_untested_again(&ctx.state, task_id, staff.id).await?;
    let entry = Entry::new(
        Action::UntestedTestedAgain,
        format!("task #{task_id}"),
        format!("{queued} solution(s) sent to be tested again"),
    );
    db::audit::record(&ctx.state.db, staff.into(), &entry).await?;
    ctx.flash(FlashLevel::Success, format!("{queued} solution(s) are tested again."));
    Ok(redirect(paths::staff::UNTESTED))
}
