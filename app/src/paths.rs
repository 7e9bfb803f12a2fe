//! Every address of the site, in one place: pages link, forms post and handlers redirect
//! through these, and the route tables in `routes/` answer them.
//!
//! Slugs, repository names and ids are safe in a path as they are (`taskrepo::slug` makes slugs
//! of letters, digits and dashes; repository names are checked when they are added), so nothing
//! here encodes. Anything a visitor typed goes through [`crate::http::url_encode`] instead.

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const LOGOUT: &str = "/logout";
/// Where a logout lands: the login page, saying so.
pub const LOGGED_OUT: &str = "/login?logged_out=1";
pub const PRIVACY: &str = "/about/privacy";
pub const LEGAL_NOTICE: &str = "/about/legal";
pub const HELP: &str = "/about/help";

pub const PROFILE: &str = "/account/profile";
pub const PASSWORD: &str = "/account/password";
pub const PASSWORD_RESET: &str = "/account/password-reset";
pub const SIGNUP: &str = "/account/signup";
pub const SIGNUP_CLOSED: &str = "/account/signup/closed";
pub const CONFIRM_OWNWORK: &str = "/account/confirm-ownwork";

/// The page an activation mail links to.
pub fn activation_link(token: &str) -> String {
    format!("/account/activate/{token}")
}

/// The page a password-reset mail links to.
pub fn password_reset_link(token: &str) -> String {
    format!("{PASSWORD_RESET}/{token}")
}

pub fn category(slug: &str) -> String {
    format!("/tasks/category/{slug}")
}

pub fn task(slug: &str) -> String {
    format!("/tasks/{slug}")
}

/// A place on the task page: `submit` or `editor`.
pub fn task_section(slug: &str, section: &str) -> String {
    format!("/tasks/{slug}#{section}")
}

pub fn task_submit(slug: &str) -> String {
    format!("/tasks/{slug}/submit")
}

pub fn task_editor(slug: &str) -> String {
    format!("/tasks/{slug}/editor")
}

pub fn task_checkpoint(slug: &str) -> String {
    format!("/tasks/{slug}/checkpoint")
}

pub fn task_solutions(slug: &str) -> String {
    format!("/tasks/{slug}/solutions")
}

pub fn solution(id: i64) -> String {
    format!("/solutions/{id}")
}

pub fn solution_status(id: i64) -> String {
    format!("/solutions/{id}/status")
}

pub fn solution_events(id: i64) -> String {
    format!("/solutions/{id}/events")
}

pub fn solution_download(id: i64) -> String {
    format!("/solutions/{id}/download")
}

/// The staff pages, under `/staff`.
pub mod staff {
    pub const DASHBOARD: &str = "/staff";
    /// The dashboard's list of solutions that could not be tested.
    pub const UNTESTED: &str = "/staff#untested";
    pub const USERS: &str = "/staff/users";
    pub const USERS_NEW: &str = "/staff/users/new";
    pub const USERS_IMPORT: &str = "/staff/users/import";
    pub const USERS_IMPORT_CONFIRM: &str = "/staff/users/import/confirm";
    pub const GROUPS: &str = "/staff/groups";
    pub const COURSES: &str = "/staff/courses";
    pub const SETTINGS: &str = "/staff/settings";
    pub const SETTINGS_TEST_SAVED: &str = "/staff/settings/test-saved";
    pub const REPOSITORIES: &str = "/staff/repositories";
    pub const CATEGORIES: &str = "/staff/categories";
    pub const SOLUTIONS: &str = "/staff/solutions";
    pub const AUDIT: &str = "/staff/audit";
    /// Plagiarism checks: the list, and where one starts.
    pub const PLAGIARISM: &str = "/staff/plagiarism";
    /// The grade export: the page with its preview, and the file.
    pub const GRADES: &str = "/staff/grades";
    pub const GRADES_DOWNLOAD: &str = "/staff/grades/download";
    /// Charts of the course: solutions over time, pass rates, verdicts, attempts, times.
    pub const STATISTICS: &str = "/staff/statistics";

    pub fn user(id: i64) -> String {
        format!("{USERS}/{id}")
    }

    pub fn user_personal(id: i64) -> String {
        format!("{USERS}/{id}/personal")
    }

    pub fn user_delete(id: i64) -> String {
        format!("{USERS}/{id}/delete")
    }

    pub fn user_reset_mail(id: i64) -> String {
        format!("{USERS}/{id}/reset-mail")
    }

    pub const GROUPS_ASSIGN: &str = "/staff/groups/assign";

    pub fn group(id: i64) -> String {
        format!("{GROUPS}/{id}")
    }

    pub fn course(id: i64) -> String {
        format!("{COURSES}/{id}")
    }

    pub fn course_delete(id: i64) -> String {
        format!("{COURSES}/{id}/delete")
    }

    pub fn group_delete(id: i64) -> String {
        format!("{GROUPS}/{id}/delete")
    }

    pub fn category(id: i64) -> String {
        format!("{CATEGORIES}/{id}")
    }

    pub fn repository_sync(name: &str) -> String {
        format!("{REPOSITORIES}/{name}/sync")
    }

    pub fn repository_source(name: &str) -> String {
        format!("{REPOSITORIES}/{name}/source")
    }

    pub fn repository_card(name: &str) -> String {
        format!("{REPOSITORIES}/{name}/card")
    }

    pub fn solution_test_again(id: i64) -> String {
        format!("/staff/solutions/{id}/test-again")
    }

    /// Every student's standing in one task.
    pub fn task_overview(id: i64) -> String {
        format!("/staff/tasks/{id}")
    }

    pub fn task_test_untested(id: i64) -> String {
        format!("/staff/tasks/{id}/test-untested")
    }

    /// Every student's latest (or latest passed) solution of a task, as a zip.
    pub fn task_download(id: i64, only_passed: bool) -> String {
        if only_passed {
            format!("/staff/tasks/{id}/download?which=passed")
        } else {
            format!("/staff/tasks/{id}/download")
        }
    }

    /// Where a re-test batch of a task starts.
    pub fn task_retests(id: i64) -> String {
        format!("/staff/tasks/{id}/retests")
    }

    pub fn retest(id: i64) -> String {
        format!("/staff/retests/{id}")
    }

    /// A solution's new result in a re-test.
    pub fn retest_result(id: i64, solution_id: i64) -> String {
        format!("/staff/retests/{id}/solutions/{solution_id}")
    }

    pub fn retest_apply(id: i64) -> String {
        format!("/staff/retests/{id}/apply")
    }

    pub fn retest_discard(id: i64) -> String {
        format!("/staff/retests/{id}/discard")
    }

    /// A task's dates, limit, group and state, overriding its repository's.
    pub fn task_settings(id: i64) -> String {
        format!("/staff/tasks/{id}/settings")
    }

    /// One student's extensions.
    pub fn user_extensions(id: i64) -> String {
        format!("{USERS}/{id}/extensions")
    }

    pub fn extension_remove(user_id: i64, id: i64) -> String {
        format!("{USERS}/{user_id}/extensions/{id}/remove")
    }

    /// The checks' page with a task chosen in its form.
    pub fn plagiarism_for_task(task_id: i64) -> String {
        format!("{PLAGIARISM}?task={task_id}")
    }

    pub fn plagiarism_check(id: i64) -> String {
        format!("{PLAGIARISM}/{id}")
    }

    pub fn plagiarism_cancel(id: i64) -> String {
        format!("{PLAGIARISM}/{id}/cancel")
    }

    /// Two solutions side by side, with their matched code marked.
    pub fn plagiarism_pair(id: i64) -> String {
        format!("{PLAGIARISM}/pairs/{id}")
    }

    pub fn plagiarism_decision(id: i64) -> String {
        format!("{PLAGIARISM}/pairs/{id}/decision")
    }
}
