//! Every URL of the site, and small helpers the handlers share.

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
    Route::new()
        .at("/", get(home::index))
        .at("/login", get(accounts::login_form).post(accounts::login_submit))
        .at("/logout", post(accounts::logout))
        .at("/account/signup", get(accounts::signup_form).post(accounts::signup_submit))
        .at("/account/signup/closed", get(accounts::signup_closed))
        .at("/account/activate/:token", get(accounts::activate))
        .at(
            "/account/password-reset",
            get(accounts::password_reset_form).post(accounts::password_reset_request),
        )
        .at(
            "/account/password-reset/:token",
            get(accounts::password_reset_confirm_form).post(accounts::password_reset_confirm),
        )
        .at(
            "/account/password",
            get(accounts::password_change_form).post(accounts::password_change_submit),
        )
        .at("/account/profile", get(accounts::profile_form).post(accounts::profile_submit))
        .at("/account/confirm-ownwork", get(accounts::ownwork_form).post(accounts::ownwork_submit))
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
