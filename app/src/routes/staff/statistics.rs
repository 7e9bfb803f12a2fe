//! The statistics page: the filters from the query string, the figures (cached for a minute
//! per filter), and the hours around one task's deadline.

use poem::{Request, Response, RouteMethod, get, handler};
use time::{Date, OffsetDateTime};

use crate::{
    db::{self, statistics::Filter, users::Role},
    error::AppError,
    extract::Ctx,
    taskrepo::dates::{day_start, display, local_date},
    views::staff::statistics::{
        DeadlineView, FilterValues, StatisticsView, TaskLine, TimesLine, page,
    },
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![("/statistics", get(statistics_page))]
}

/// Hours shown before and after a deadline.
const BEFORE: i32 = 48;
const AFTER: i32 = 12;

fn day_label(day: Date) -> String {
    format!("{:02}-{:02}", day.day(), u8::from(day.month()))
}

#[handler]
async fn statistics_page(ctx: Ctx, req: &Request) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let form = super::RepeatedForm::parse(req.uri().query().unwrap_or_default().as_bytes());
    let id = |key: &str| form.value(key).and_then(|value| value.parse::<i64>().ok());
    let mut values = FilterValues {
        category: id("category"),
        group: id("group"),
        from: form.value("from").unwrap_or_default().trim().to_owned(),
        until: form.value("until").unwrap_or_default().trim().to_owned(),
        deadline_task: id("deadline_task"),
    };
    let mut problems = Vec::new();
    let mut day = |text: &mut String, next_day: bool, what: &str| -> Option<OffsetDateTime> {
        if text.is_empty() {
            return None;
        }
        match day_start(text, zone, next_day) {
            Ok(at) => Some(at),
            Err(message) => {
                problems.push(format!("{what}: {message}"));
                text.clear();
                None
            }
        }
    };
    let from = day(&mut values.from, false, "From");
    let until = day(&mut values.until, true, "Until");
    let filter = Filter { category: values.category, group: values.group, from, until };
    let figures = ctx.state.statistics(&filter).await?;

    let now = OffsetDateTime::now_utc();
    let with_deadline: Vec<(i64, String, OffsetDateTime)> = figures
        .per_task
        .iter()
        .filter_map(|task| {
            task.deadline.map(|deadline| (task.task_id, task.title.clone(), deadline))
        })
        .collect();
    // The chosen task's deadline, or the one that passed last (the next one when none has).
    let chosen = values
        .deadline_task
        .and_then(|id| with_deadline.iter().find(|(task, _, _)| *task == id))
        .or_else(|| {
            with_deadline.iter().filter(|(_, _, at)| *at <= now).max_by_key(|(_, _, at)| *at)
        })
        .or_else(|| with_deadline.iter().min_by_key(|(_, _, at)| *at));
    values.deadline_task = chosen.map(|(id, _, _)| *id);
    let deadline = match chosen {
        Some((task_id, title, at)) => Some(DeadlineView {
            task_title: title.clone(),
            deadline: display(*at, zone),
            hours: db::statistics::around_deadline(
                &ctx.state.db,
                &figures.resolved,
                *task_id,
                *at,
                BEFORE,
                AFTER,
            )
            .await?,
            before: BEFORE,
            after: AFTER,
        }),
        None => None,
    };
    let (categories, groups) = super::category_and_group_choices(&ctx).await?;
    // Hours summed into the site's days.
    let mut days: std::collections::BTreeMap<Date, i64> = std::collections::BTreeMap::new();
    for (hour, count) in &figures.per_hour {
        if let Some(day) = local_date(*hour, zone) {
            *days.entry(day).or_default() += count;
        }
    }
    let per_day: Vec<(String, i64)> =
        days.into_iter().map(|(day, count)| (day_label(day), count)).collect();
    let tasks: Vec<TaskLine> = figures
        .per_task
        .iter()
        .map(|task| TaskLine {
            id: task.task_id,
            title: task.title.clone(),
            students: task.students,
            passed_students: task.passed_students,
            verdicts: task.verdicts,
        })
        .collect();
    let times: Vec<TimesLine> = figures
        .times
        .iter()
        .map(|line| TimesLine {
            // Noon of the day: on the day whatever the clocks did since.
            day: local_date(line.day + time::Duration::hours(12), zone)
                .map_or_else(|| line.day.date().to_string(), day_label),
            wait_median: line.wait_median,
            wait_p90: line.wait_p90,
            run_median: line.run_median,
            run_p90: line.run_p90,
        })
        .collect();
    let deadline_tasks: Vec<(i64, String)> =
        with_deadline.iter().map(|(id, title, _)| (*id, title.clone())).collect();
    let problem = (!problems.is_empty())
        .then(|| format!("{}. Those days are not filtered by.", problems.join("; ")));
    let view = StatisticsView {
        is_admin: viewer.role == Role::Admin,
        categories: &categories,
        groups: &groups,
        values: &values,
        problem: problem.as_deref(),
        per_day: &per_day,
        tasks: &tasks,
        deadline_tasks: &deadline_tasks,
        deadline: deadline.as_ref(),
        attempts: &figures.attempts,
        times: &times,
    };
    Ok(ctx.render("Statistics", page(&view)))
}
