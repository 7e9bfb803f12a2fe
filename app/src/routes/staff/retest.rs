//! Testing solutions again: one, or every solution of a task that could not be tested.

use poem::{Response, RouteMethod, handler, post, web::Path};

use crate::{
    audit::{Action, Entry},
    db::{self},
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths,
    session::FlashLevel,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/solutions/:id/test-again", post(test_solution_again)),
        ("/tasks/:id/test-untested", post(test_untested_again)),
    ]
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
