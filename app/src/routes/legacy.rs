//! INLOOP's old addresses, so that links in course material and bookmarks keep working: each
//! answers with a permanent redirect to its new home. Addresses with a trailing slash (INLOOP's
//! style) lose it first.

use poem::{
    Endpoint, IntoResponse, Request, Response, RouteMethod, get, handler,
    http::{Method, StatusCode, header},
    web::Path,
};

use crate::{db, error::AppError, extract::Ctx, http::url_encode, paths};

pub fn table() -> Vec<(&'static str, RouteMethod)> {
    vec![
        ("/tasks", get(index)),
        ("/solutions/editor/:task", get(editor)),
        ("/solutions/editor/:task/*path", get(task_file)),
        ("/solutions/list/:task", get(solution_list)),
        ("/solutions/detail/:task/:number", get(solution_detail)),
        ("/solutions/staffdetail/:id", get(staff_detail)),
        ("/account/password_reset", get(password_reset)),
        ("/account/confirm_ownwork", get(confirm_ownwork)),
        ("/admin", get(admin)),
    ]
}

fn moved(to: &str) -> Response {
    Response::builder().status(StatusCode::MOVED_PERMANENTLY).header(header::LOCATION, to).finish()
}

/// `GET /tasks/` becomes `GET /tasks`, with its query; other methods are left alone (a form
/// posted to an old address has nothing to be redirected to).
pub async fn without_trailing_slash<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let path = req.uri().path();
    if matches!(*req.method(), Method::GET | Method::HEAD) && path.len() > 1 && path.ends_with('/')
    {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        // `//evil.example` would leave the site: a path keeps one leading slash.
        let trimmed = format!("/{}", trimmed.trim_start_matches('/'));
        let to = match req.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed,
        };
        return Ok(moved(&to));
    }
    Ok(next.call(req).await?.into_response())
}

#[handler]
fn index() -> Response {
    moved(paths::HOME)
}

#[handler]
fn editor(Path(task): Path<String>) -> Response {
    moved(&paths::task(&url_encode(&task)))
}

#[handler]
fn task_file(Path((task, path)): Path<(String, String)>) -> Result<Response, AppError> {
    let section = if path.starts_with("images/") || path.starts_with("attachments/") {
        path
    } else {
        return Err(AppError::NotFound);
    };
    Ok(moved(&format!("{}/{}", paths::task(&url_encode(&task)), url_encode(&section))))
}

#[handler]
fn solution_list(Path(task): Path<String>) -> Response {
    moved(&paths::task_solutions(&url_encode(&task)))
}

/// INLOOP numbered a student's solutions per task; ours have ids.
#[handler]
async fn solution_detail(
    ctx: Ctx,
    Path((task, number)): Path<(String, i32)>,
) -> Result<Response, AppError> {
    let user = ctx.require_user()?;
    let id = db::solutions::id_by_number(&ctx.state.db, &task, user.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(moved(&paths::solution(id)))
}

#[handler]
fn staff_detail(Path(id): Path<i64>) -> Response {
    moved(&paths::solution(id))
}

#[handler]
fn password_reset() -> Response {
    moved(paths::PASSWORD_RESET)
}

#[handler]
fn confirm_ownwork() -> Response {
    moved(paths::CONFIRM_OWNWORK)
}

#[handler]
fn admin() -> Response {
    moved(paths::staff::DASHBOARD)
}
