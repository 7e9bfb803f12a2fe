//! Every URL of the site: the account flows and staff pages bring their own tables.

pub mod accounts;
pub mod editor;
pub mod health;
pub mod home;
pub mod hooks;
pub mod solutions;
pub mod staff;
pub mod tasks;

use poem::{Route, get, post};

/// Pages that use the session; static files and health checks are mounted without it.
pub fn pages() -> Route {
    accounts::table()
        .into_iter()
        .fold(Route::new(), |route, (path, methods)| route.at(path, methods))
        .at("/", get(home::index))
        .at("/about/privacy", get(home::privacy))
        .at("/tasks/category/:slug", get(tasks::category_page))
        .at("/tasks/:slug", get(tasks::task_page))
        .at("/tasks/:slug/submit", post(solutions::submit))
        .at("/tasks/:slug/checkpoint", post(editor::save_checkpoint))
        .at("/tasks/:slug/editor", post(editor::submit_from_editor))
        .at("/tasks/:slug/solutions", get(solutions::solution_list))
        .at("/solutions/:id", get(solutions::solution_page))
        .at("/solutions/:id/status", get(solutions::solution_status))
        .at("/solutions/:id/events", get(solutions::solution_events))
        .at("/solutions/:id/download", get(solutions::download))
        .at("/tasks/:slug/images/*path", get(tasks::image))
        .at("/tasks/:slug/attachments/*path", get(tasks::attachment))
        .nest("/staff", staff::routes())
}
