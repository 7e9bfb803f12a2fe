//! Staff pages, one module per area, each with its own routes. The whole `/staff` nest is behind
//! one guard (non-staff get 404, visitors who are not logged in the login page), admin-only
//! routes behind a second one: no handler has to remember a check.

mod audit;
mod categories;
mod courses;
mod dashboard;
mod groups;
mod overrides;
mod repositories;
mod retest;
mod roster;
mod settings;
mod solutions;
mod users;

use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route, RouteMethod};
use serde::Deserialize;

use crate::extract::Ctx;

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

#[derive(Debug, Deserialize)]
struct NameForm {
    #[serde(default)]
    name: String,
}
