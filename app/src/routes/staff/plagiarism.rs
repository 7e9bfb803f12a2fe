//! Plagiarism checks: starting one for a task or a whole category, watching it, cancelling it,
//! and looking at a pair side by side to confirm or dismiss it.

use std::collections::BTreeMap;

use poem::{
    Response, RouteMethod, get, handler, post,
    web::{Form, Path, Query},
};
use serde::Deserialize;

use crate::{
    audit::{Action, Entry},
    db::{self, users::Role},
    error::AppError,
    extract::Ctx,
    http::redirect,
    paths,
    plagiarism::{Basis, CheckState, Decision, Side, pieces},
    session::FlashLevel,
    taskrepo::dates::{Zone, display},
    views::staff::plagiarism as views,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/plagiarism", get(list).post(start)),
        ("/plagiarism/:id", get(check_page)),
        ("/plagiarism/:id/cancel", post(cancel)),
        ("/plagiarism/pairs/:id", get(pair_page)),
        ("/plagiarism/pairs/:id/decision", post(decide)),
    ]
}

const CHECKS_PER_PAGE: i64 = 30;
const PAIRS_PER_PAGE: i64 = 100;

fn percent(share: f32) -> u32 {
    (share.clamp(0.0, 1.0) * 100.0).round() as u32
}

fn check_line(summary: db::plagiarism::Summary, zone: &Zone) -> views::CheckLine {
    views::CheckLine {
        id: summary.id,
        task_id: summary.task_id,
        task_title: summary.task_title,
        basis: summary.basis,
        threshold_percent: percent(summary.threshold),
        state: summary.state,
        cancel_requested: summary.cancel_requested,
        stage: summary.stage,
        steps_done: summary.steps_done,
        steps_total: summary.steps_total,
        started: {
            let by = match (&summary.created_by, &summary.worker) {
                (Some(name), _) => name.as_str(),
                (None, Some(worker)) if worker.starts_with("cli-") => "the command line",
                (None, _) => super::name_or_deleted(None),
            };
            format!("{} by {by}", display(summary.created_at, zone))
        },
        finished: summary.finished_at.map(|at| display(at, zone)),
        solutions: summary.solutions,
        pairs_screened: summary.pairs_screened,
        pairs_compared: summary.pairs_compared,
        candidates_capped: summary.candidates_capped,
        capped_solutions: summary.capped_solutions,
        message: summary.message,
        pairs: summary.pairs,
        confirmed: summary.confirmed,
        undecided: summary.undecided,
    }
}

fn side_line(side: db::plagiarism::PairSide) -> views::SideLine {
    views::SideLine {
        solution_id: side.solution_id,
        number: side.number,
        user_id: side.user_id,
        username: side.username,
        name: side.name,
    }
}

fn pair_line(pair: db::plagiarism::PairLine) -> views::PairLine {
    views::PairLine {
        id: pair.id,
        a: side_line(pair.a),
        b: side_line(pair.b),
        similarity_percent: percent(pair.similarity),
        max_similarity_percent: percent(pair.max_similarity),
        cut_short: pair.cut_short,
        cluster: pair.cluster,
        decision: pair.decision,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    page: Option<i64>,
    task: Option<i64>,
}

#[handler]
async fn list(ctx: Ctx, Query(query): Query<PageQuery>) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let total = db::plagiarism::count(&ctx.state.db).await?;
    let pages = ((total + CHECKS_PER_PAGE - 1) / CHECKS_PER_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let checks: Vec<views::CheckLine> =
        db::plagiarism::list(&ctx.state.db, (page - 1) * CHECKS_PER_PAGE, CHECKS_PER_PAGE)
            .await?
            .into_iter()
            .map(|summary| check_line(summary, zone))
            .collect();
    let mut groups: Vec<views::TaskGroup> = Vec::new();
    for task in db::search::task_choices(&ctx.state.db).await? {
        match groups.last_mut() {
            Some(group) if group.category == task.category => {
                group.tasks.push((task.id, task.title))
            }
            _ => groups.push(views::TaskGroup {
                category: task.category,
                tasks: vec![(task.id, task.title)],
            }),
        }
    }
    let csrf_token = ctx.csrf_token();
    let view = views::ListView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        groups: &groups,
        chosen: query.task,
        checks: &checks,
        page,
        pages,
    };
    Ok(ctx.render("Plagiarism checks", views::list(&view)))
}

#[derive(Debug, Deserialize)]
struct StartForm {
    target: String,
    basis: String,
    threshold: String,
}

/// Starts a check of one task, or one per task of a category; a task with a check still open
/// is left out with a message.
#[handler]
async fn start(ctx: Ctx, Form(form): Form<StartForm>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let basis = Basis::parse(&form.basis)
        .ok_or_else(|| AppError::BadRequest("Choose whose solutions to compare.".into()))?;
    let threshold = form
        .threshold
        .trim()
        .parse::<u8>()
        .ok()
        .filter(|percent| (10..=100).contains(percent))
        .ok_or_else(|| {
            AppError::BadRequest("The similarity must be a whole number from 10 to 100.".into())
        })?;
    let choices = db::search::task_choices(&ctx.state.db).await?;
    let tasks: Vec<&db::search::TaskChoice> = match form.target.split_once(':') {
        Some(("task", id)) => choices.iter().filter(|task| id.parse() == Ok(task.id)).collect(),
        Some(("category", name)) => choices.iter().filter(|task| task.category == name).collect(),
        _ => Vec::new(),
    };
    if tasks.is_empty() {
        return Err(AppError::BadRequest("Choose a task or a category to check.".into()));
    }
    let mut started = Vec::new();
    let mut already = Vec::new();
    let mut tx = ctx.state.db.begin().await?;
    for task in &tasks {
        match db::plagiarism::start(
            &mut *tx,
            task.id,
            basis,
            f32::from(threshold) / 100.0,
            Some(staff.id),
        )
        .await?
        {
            Some(check_id) => {
                let entry = Entry::new(
                    Action::PlagiarismCheckStarted,
                    format!("task {}", task.slug),
                    format!("{}, pairs from {threshold} %", basis.label()),
                );
                db::audit::record(&mut *tx, staff.into(), &entry).await?;
                started.push(check_id);
            }
            None => already.push(task.title.as_str()),
        }
    }
    tx.commit().await?;
    tracing::info!(by = staff.id, checks = started.len(), "staff started plagiarism checks");
    if !already.is_empty() {
        ctx.flash(
            FlashLevel::Warning,
            format!(
                "A check is still running for {}: wait for it to end, or cancel it, before starting another.",
                already.join(", ")
            ),
        );
    }
    match started.as_slice() {
        [] => Ok(redirect(paths::staff::PLAGIARISM)),
        [only] => {
            ctx.flash(FlashLevel::Success, "The check has started.");
            Ok(redirect(&paths::staff::plagiarism_check(*only)))
        }
        many => {
            ctx.flash(FlashLevel::Success, format!("Started {} checks, one per task.", many.len()));
            Ok(redirect(paths::staff::PLAGIARISM))
        }
    }
}

#[handler]
async fn check_page(
    ctx: Ctx,
    Path(check_id): Path<i64>,
    Query(query): Query<PageQuery>,
) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let summary =
        db::plagiarism::summary(&ctx.state.db, check_id).await?.ok_or(AppError::NotFound)?;
    let check = check_line(summary, zone);
    let pages = ((check.pairs + PAIRS_PER_PAGE - 1) / PAIRS_PER_PAGE).max(1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let (pairs, clusters) = if check.state == CheckState::Done {
        let pairs: Vec<views::PairLine> = db::plagiarism::pairs(
            &ctx.state.db,
            check_id,
            (page - 1) * PAIRS_PER_PAGE,
            PAIRS_PER_PAGE,
        )
        .await?
        .into_iter()
        .map(pair_line)
        .collect();
        (pairs, clusters(db::plagiarism::clustered_pairs(&ctx.state.db, check_id).await?))
    } else {
        (Vec::new(), Vec::new())
    };
    let csrf_token = ctx.csrf_token();
    let view = views::CheckView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        check: &check,
        clusters: &clusters,
        pairs: &pairs,
        page,
        pages,
    };
    Ok(ctx.render(&format!("Plagiarism check of {}", check.task_title), views::check(&view)))
}

/// The clusters of a check from its clustered pairs: members by user name, the mean similarity.
fn clusters(pairs: Vec<db::plagiarism::PairLine>) -> Vec<views::ClusterLine> {
    let mut found: BTreeMap<i32, (BTreeMap<String, views::SideLine>, f32, usize)> = BTreeMap::new();
    for pair in pairs {
        let Some(number) = pair.cluster else { continue };
        let entry = found.entry(number).or_default();
        entry.1 += pair.similarity;
        entry.2 += 1;
        for side in [pair.a, pair.b] {
            entry.0.entry(side.username.clone()).or_insert_with(|| side_line(side));
        }
    }
    found
        .into_iter()
        .map(|(number, (members, sum, pairs))| views::ClusterLine {
            number,
            members: members.into_values().collect(),
            mean_percent: percent(sum / pairs.max(1) as f32),
            pairs,
        })
        .collect()
}

#[handler]
async fn cancel(ctx: Ctx, Path(check_id): Path<i64>) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let summary =
        db::plagiarism::summary(&ctx.state.db, check_id).await?.ok_or(AppError::NotFound)?;
    if !summary.state.is_open() {
        ctx.flash(FlashLevel::Error, format!("This check is {} already.", summary.state.label()));
        return Ok(redirect(&paths::staff::plagiarism_check(check_id)));
    }
    db::plagiarism::request_cancel(&ctx.state.db, check_id).await?;
    let entry =
        Entry::new(Action::PlagiarismCheckCancelled, format!("task {}", summary.task_title), "");
    db::audit::record(&ctx.state.db, staff.into(), &entry).await?;
    ctx.flash(FlashLevel::Success, "The check stops.");
    Ok(redirect(&paths::staff::plagiarism_check(check_id)))
}

/// The files of a solution in name order (the order the regions count them in).
async fn files_of(
    ctx: &Ctx,
    solution_id: i64,
    side: Side,
    regions: &[crate::plagiarism::StoredRegion],
) -> Result<Vec<views::FileView>, AppError> {
    let files = db::search::files_of(&ctx.state.db, &[solution_id]).await?;
    Ok(files
        .into_iter()
        .enumerate()
        .map(|(index, (_, name, contents))| views::FileView {
            name,
            pieces: (!contents.contains(&0))
                .then(|| pieces(&contents, index as u32, side, regions)),
        })
        .collect())
}

#[handler]
async fn pair_page(ctx: Ctx, Path(pair_id): Path<i64>) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let detail = db::plagiarism::pair(&ctx.state.db, pair_id).await?.ok_or(AppError::NotFound)?;
    let files_a = files_of(&ctx, detail.line.a.solution_id, Side::A, &detail.regions).await?;
    let files_b = files_of(&ctx, detail.line.b.solution_id, Side::B, &detail.regions).await?;
    let decided = detail.decided_at.map(|at| {
        format!("{} by {}", display(at, zone), super::name_or_deleted(detail.decided_by.as_deref()))
    });
    let line = pair_line(detail.line);
    let csrf_token = ctx.csrf_token();
    let view = views::PairView {
        is_admin: viewer.role == Role::Admin,
        csrf_token: &csrf_token,
        check_id: detail.check_id,
        task_title: &detail.task_title,
        pair: &line,
        matched_tokens: detail.matched_tokens,
        regions: detail.regions.len(),
        decided,
        files_a: &files_a,
        files_b: &files_b,
    };
    Ok(ctx.render(&format!("{} and {}", line.a.username, line.b.username), views::pair(&view)))
}

#[derive(Debug, Deserialize)]
struct DecisionForm {
    decision: String,
}

#[handler]
async fn decide(
    ctx: Ctx,
    Path(pair_id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let staff = ctx.require_staff()?;
    let decision = match form.decision.as_str() {
        "undecided" => None,
        word => Some(
            Decision::parse(word)
                .ok_or_else(|| AppError::BadRequest("Choose confirm or dismiss.".into()))?,
        ),
    };
    let detail = db::plagiarism::pair(&ctx.state.db, pair_id).await?.ok_or(AppError::NotFound)?;
    let mut tx = ctx.state.db.begin().await?;
    let before = db::plagiarism::decide(&mut tx, pair_id, decision, staff.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let word = |decision: Option<Decision>| decision.map_or("undecided", Decision::label);
    let entry = Entry::new(
        Action::PlagiarismDecided,
        format!("task {}", detail.task_title),
        format!(
            "{}'s solution #{} and {}'s solution #{} ({} % alike): {} → {}",
            detail.line.a.username,
            detail.line.a.number,
            detail.line.b.username,
            detail.line.b.number,
            percent(detail.line.similarity),
            word(before),
            word(decision)
        ),
    );
    db::audit::record(&mut *tx, staff.into(), &entry).await?;
    tx.commit().await?;
    tracing::info!(
        by = staff.id,
        pair_id,
        decision = word(decision),
        "staff decided about a plagiarism pair"
    );
    let message = match decision {
        Some(Decision::Confirmed) => "Confirmed: the task counts as not passed for both students.",
        Some(Decision::Dismissed) => "Dismissed.",
        None => "The pair is undecided again.",
    };
    ctx.flash(FlashLevel::Success, message);
    Ok(redirect(&paths::staff::plagiarism_pair(pair_id)))
}
