//! The audit log: staff read and filter what staff changed.

use poem::{Response, RouteMethod, get, handler, web::Query};
use serde::Deserialize;

use crate::{
    audit::Action,
    db::{self, audit::LogFilter, users::Role},
    error::AppError,
    extract::Ctx,
    http::url_encode,
    paths,
    taskrepo::dates::{day_start, display},
    views::staff::audit as views,
};

pub(super) fn routes() -> Vec<(&'static str, RouteMethod)> {
    vec![("/audit", get(audit_page))]
}

const PER_PAGE: i64 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditQuery {
    actor: String,
    action: String,
    text: String,
    from: String,
    until: String,
    page: Option<i64>,
}

#[handler]
async fn audit_page(ctx: Ctx, Query(query): Query<AuditQuery>) -> Result<Response, AppError> {
    let viewer = ctx.require_staff()?;
    let zone = &ctx.state.task_source.zone;
    let clean = |text: &str| -> String {
        text.trim().chars().filter(|c| !c.is_control()).take(150).collect()
    };
    let (actor, text) = (clean(&query.actor), clean(&query.text));
    let day = |text: &str, next_day: bool| match text.trim() {
        "" => (None, None),
        text => match day_start(text, zone, next_day) {
            Ok(at) => (Some(at), None),
            Err(message) => (None, Some(maud::html! { (message) })),
        },
    };
    let (from, from_error) = day(&query.from, false);
    let (until, until_error) = day(&query.until, true);
    let filter = LogFilter {
        actor: actor.clone(),
        action: Action::parse(query.action.trim()),
        text: text.clone(),
        from,
        until,
    };
    let page = query.page.unwrap_or(1).clamp(1, i64::MAX / PER_PAGE);
    let (mut rows, total) =
        db::audit::list(&ctx.state.db, &filter, (page - 1) * PER_PAGE, PER_PAGE).await?;
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let page = if page > pages.max(1) {
        rows = db::audit::list(&ctx.state.db, &filter, (pages.max(1) - 1) * PER_PAGE, PER_PAGE)
            .await?
            .0;
        pages.max(1)
    } else {
        page
    };
    let rows: Vec<views::LogRowView> = rows
        .into_iter()
        .map(|row| views::LogRowView {
            at: display(row.at, zone),
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            action: row.action.map_or(row.action_word, |action| action.label().to_owned()),
            subject: row.subject,
            details: row.details,
        })
        .collect();
    let action = filter.action.map(Action::as_str).unwrap_or_default();
    let base_url = format!(
        "{}?actor={}&action={action}&text={}&from={}&until={}",
        paths::staff::AUDIT,
        url_encode(&actor),
        url_encode(&text),
        url_encode(query.from.trim()),
        url_encode(query.until.trim())
    );
    let view = views::AuditView {
        is_admin: viewer.role == Role::Admin,
        actor: &actor,
        action,
        text: &text,
        from: query.from.trim(),
        until: query.until.trim(),
        from_error,
        until_error,
        rows: &rows,
        total,
        page,
        pages,
        base_url: &base_url,
    };
    Ok(ctx.render("Audit log", views::audit(&view)))
}
