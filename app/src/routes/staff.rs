//! Staff pages, one module per area, each with its own routes. The whole `/staff` nest is behind
//! one guard (non-staff get 404, visitors who are not logged in the login page), admin-only
//! routes behind a second one: no handler has to remember a check.

mod audit;
mod categories;
mod courses;
mod dashboard;
mod grades;
mod groups;
mod overrides;
mod plagiarism;
mod repositories;
mod retest;
mod roster;
mod settings;
mod solutions;
mod statistics;
mod users;

use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, RouteMethod};
use serde::Deserialize;

use crate::{error::AppError, extract::Ctx};

/// Every staff route, relative to `/staff`.
fn table() -> Vec<(&'static str, RouteMethod)> {
    [
        dashboard::routes(),
        users::routes(),
        roster::routes(),
        groups::routes(),
        courses::routes(),
        settings::routes(),
        repositories::routes(),
        categories::routes(),
        retest::routes(),
        solutions::routes(),
        overrides::routes(),
        plagiarism::routes(),
        grades::routes(),
        statistics::routes(),
        audit::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The `/staff` nest, behind the staff guard.
pub fn routes() -> impl Endpoint {
    table()
        .into_iter()
        .fold(Route::new(), |route, (path, methods)| route.at(path, methods))
        .around(staff_only)
}

/// The nest without its guard, so that a test can tell the router's 404 from the guard's.
#[cfg(test)]
pub(super) fn unguarded() -> Route {
    table().into_iter().fold(Route::new(), |route, (path, methods)| route.at(path, methods))
}

/// Every staff path (relative to `/staff`), for tests that walk the route table.
pub fn paths() -> Vec<&'static str> {
    table().into_iter().map(|(path, _)| path).collect()
}

/// The guard of the whole nest: staff only; everybody else gets what a typo would get.
async fn staff_only<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let ctx = Ctx::resolve(&req).await?;
    ctx.require_staff()?;
    ctx.remember(&mut req);
    Ok(next.call(req).await?.into_response())
}

/// Wraps a staff endpoint that only admins may use (inside the staff guard).
fn admin_only<E: Endpoint + 'static>(endpoint: E) -> impl Endpoint {
    endpoint.around(admin_guard)
}

async fn admin_guard<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let ctx = Ctx::resolve(&req).await?;
    ctx.require_admin()?;
    ctx.remember(&mut req);
    Ok(next.call(req).await?.into_response())
}

/// A form with checkbox lists, which arrive as repeated fields that serde's struct forms cannot
/// collect: the fields in the order sent.
struct RepeatedForm(Vec<(String, String)>);

impl RepeatedForm {
    async fn read(body: poem::Body, limit: usize) -> Result<RepeatedForm, AppError> {
        let bytes = body
            .into_bytes_limit(limit)
            .await
            .map_err(|_| AppError::BadRequest("The form is too large.".into()))?;
        Ok(RepeatedForm::parse(&bytes))
    }

    fn parse(bytes: &[u8]) -> RepeatedForm {
        RepeatedForm(serde_urlencoded::from_bytes(bytes).unwrap_or_default())
    }

    /// Every value of the field `key` that is a number.
    fn ids(&self, key: &str) -> Vec<i64> {
        self.0
            .iter()
            .filter(|(name, _)| name == key)
            .filter_map(|(_, value)| value.parse().ok())
            .collect()
    }

    fn value(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_str())
    }
}

/// The groups' names, for forms that offer them.
async fn group_names(ctx: &Ctx) -> Result<Vec<String>, AppError> {
    Ok(crate::db::groups::list(&ctx.state.db).await?.into_iter().map(|group| group.name).collect())
}

/// Categories and groups by id and name, for the filters of the statistics and the export.
async fn category_and_group_choices(
    ctx: &Ctx,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), AppError> {
    let categories = crate::db::tasks::categories_for_staff(&ctx.state.db)
        .await?
        .into_iter()
        .map(|category| (category.id, category.name))
        .collect();
    let groups = crate::db::groups::list(&ctx.state.db)
        .await?
        .into_iter()
        .map(|group| (group.id, group.name))
        .collect();
    Ok((categories, groups))
}

/// Who did something, when the account may be gone since.
fn name_or_deleted(name: Option<&str>) -> &str {
    name.unwrap_or("an account since deleted")
}

#[derive(Debug, Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}
