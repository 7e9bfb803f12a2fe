//! Every URL of the site: the account flows and staff pages bring their own tables.

pub mod accounts;
pub mod editor;
pub mod health;
pub mod home;
pub mod hooks;
pub mod legacy;
pub mod solutions;
pub mod staff;
pub mod tasks;

use poem::{Route, get, post};

/// Pages that use the session; static files and health checks are mounted without it.
pub fn pages() -> Route {
    accounts::table()
        .into_iter()
        .chain(legacy::table())
        .fold(Route::new(), |route, (path, methods)| route.at(path, methods))
        .at("/", get(home::index))
        .at("/about/privacy", get(home::privacy))
        .at("/about/legal", get(home::legal_notice))
        .at("/about/help", get(home::help))
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

#[cfg(test)]
mod tests {
    use poem::{
        Endpoint, Request,
        http::{Method, StatusCode},
    };

    use crate::paths;

    /// Without the server's state every handler fails, but not with the router's 404: a path the
    /// routes do not know answers 404 before any handler runs. (The staff nest is taken without
    /// its guard, which would answer every address under `/staff` before the router could.)
    #[tokio::test]
    async fn every_address_in_paths_is_one_the_routes_answer() {
        let pages = super::pages();
        let staff = poem::Route::new().nest("/staff", super::staff::unguarded());
        let addresses = [
            paths::HOME.to_owned(),
            paths::LOGIN.to_owned(),
            paths::LOGOUT.to_owned(),
            paths::LOGGED_OUT.to_owned(),
            paths::PRIVACY.to_owned(),
            paths::LEGAL_NOTICE.to_owned(),
            paths::HELP.to_owned(),
            paths::PROFILE.to_owned(),
            paths::PASSWORD.to_owned(),
            paths::PASSWORD_RESET.to_owned(),
            paths::SIGNUP.to_owned(),
            paths::SIGNUP_CLOSED.to_owned(),
            paths::CONFIRM_OWNWORK.to_owned(),
            paths::activation_link("t"),
            paths::password_reset_link("t"),
            paths::category("basics"),
            paths::task("a-counter"),
            paths::task_section("a-counter", "editor"),
            paths::task_submit("a-counter"),
            paths::task_editor("a-counter"),
            paths::task_checkpoint("a-counter"),
            paths::task_solutions("a-counter"),
            paths::solution(1),
            paths::solution_status(1),
            paths::solution_events(1),
            paths::solution_download(1),
            paths::staff::DASHBOARD.to_owned(),
            paths::staff::UNTESTED.to_owned(),
            paths::staff::USERS.to_owned(),
            paths::staff::USERS_NEW.to_owned(),
            paths::staff::USERS_IMPORT.to_owned(),
            paths::staff::USERS_IMPORT_CONFIRM.to_owned(),
            paths::staff::GROUPS.to_owned(),
            paths::staff::COURSES.to_owned(),
            paths::staff::SETTINGS.to_owned(),
            paths::staff::SETTINGS_TEST_SAVED.to_owned(),
            paths::staff::REPOSITORIES.to_owned(),
            paths::staff::CATEGORIES.to_owned(),
            paths::staff::SOLUTIONS.to_owned(),
            paths::staff::AUDIT.to_owned(),
            paths::staff::PLAGIARISM.to_owned(),
            paths::staff::GRADES.to_owned(),
            paths::staff::GRADES_DOWNLOAD.to_owned(),
            paths::staff::STATISTICS.to_owned(),
            paths::staff::plagiarism_check(1),
            paths::staff::plagiarism_cancel(1),
            paths::staff::plagiarism_pair(1),
            paths::staff::plagiarism_decision(1),
            paths::staff::task_overview(1),
            paths::staff::user(1),
            paths::staff::user_personal(1),
            paths::staff::user_reset_mail(1),
            paths::staff::user_delete(1),
            paths::staff::group_delete(1),
            paths::staff::course(1),
            paths::staff::course_delete(1),
            paths::staff::group(1),
            paths::staff::GROUPS_ASSIGN.to_owned(),
            paths::staff::category(1),
            paths::staff::repository_sync("course"),
            paths::staff::repository_source("course"),
            paths::staff::repository_card("course"),
            paths::staff::solution_test_again(1),
            paths::staff::task_test_untested(1),
            paths::staff::task_settings(1),
            paths::staff::task_retests(1),
            paths::staff::task_download(1, false),
            paths::staff::retest(1),
            paths::staff::retest_apply(1),
            paths::staff::retest_result(1, 1),
            paths::staff::retest_discard(1),
            paths::staff::user_extensions(1),
            paths::staff::extension_remove(1, 1),
        ];
        let mut missing = Vec::new();
        for address in &addresses {
            // A POST-only address answers GET with 405.
            for method in [Method::GET, Method::POST] {
                let request = Request::builder().method(method).uri_str(address).finish();
                let answer = if address.starts_with(paths::staff::DASHBOARD) {
                    staff.call(request).await
                } else {
                    pages.call(request).await
                };
                let status = match answer {
                    Ok(response) => response.status(),
                    Err(err) => err.status(),
                };
                if status == StatusCode::METHOD_NOT_ALLOWED {
                    continue;
                }
                if status == StatusCode::NOT_FOUND {
                    missing.push(address);
                }
                break;
            }
        }
        assert!(missing.is_empty(), "no route answers {missing:?}");
    }

    #[tokio::test]
    async fn the_check_itself_sees_an_address_no_route_answers() {
        let request = Request::builder().uri_str("/no-such-page").finish();
        let status = match super::pages().call(request).await {
            Ok(response) => response.status(),
            Err(err) => err.status(),
        };
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
