//! Staff pages: overview, users, groups, courses and the live settings; finding students' work
//! and the audit log in their own modules.

pub mod audit;
pub mod course;
pub mod grades;
pub mod overrides;
pub mod plagiarism;
pub mod retests;
pub mod roster;
pub mod statistics;

use maud::{Markup, html};

use super::{
    accounts::FieldErrors,
    components::{Checkbox, Field, Select, TextArea, csrf_field, form_error, pagination},
};
use inloop_plugin_api::report::Verdict;

use crate::{db::users::Role, paths};

fn staff_nav(current: &str, is_admin: bool) -> Markup {
    let items: &[(&str, &str)] = &[
        (paths::staff::DASHBOARD, "Overview"),
        (paths::staff::SOLUTIONS, "Solutions"),
        (paths::staff::USERS, "Users"),
        (paths::staff::GROUPS, "Groups"),
        (paths::staff::COURSES, "Courses of study"),
        (paths::staff::REPOSITORIES, "Repositories"),
        (paths::staff::CATEGORIES, "Categories"),
        (paths::staff::PLAGIARISM, "Plagiarism"),
        (paths::staff::STATISTICS, "Statistics"),
        (paths::staff::GRADES, "Grades"),
        (paths::staff::AUDIT, "Audit log"),
    ];
    html! {
        nav.subnav aria-label="Staff" {
            @for (href, label) in items {
                a href=(href) aria-current=[(*href == current).then_some("page")] { (label) }
            }
            @if is_admin {
                a href=(paths::staff::SETTINGS) aria-current=[(paths::staff::SETTINGS == current).then_some("page")] { "Settings" }
            }
        }
    }
}

pub struct RoleCountView {
    pub role: String,
    pub active: i64,
    pub inactive: i64,
}

pub struct DashboardView<'a> {
    pub is_admin: bool,
    pub role_counts: &'a [RoleCountView],
    pub groups: i64,
    pub signup_allowed: bool,
    pub untested: &'a [UntestedView],
    pub csrf_token: &'a str,
}

/// A task with solutions that could not be tested (quarantined or `system_error`).
pub struct UntestedView {
    pub task_id: i64,
    pub task_slug: String,
    pub task_title: String,
    pub count: i64,
}

pub fn dashboard(view: &DashboardView<'_>) -> Markup {
    let max = view
        .role_counts
        .iter()
        .map(|count| count.active + count.inactive)
        .max()
        .unwrap_or(1)
        .max(1);
    html! {
        (staff_nav(paths::staff::DASHBOARD, view.is_admin))
        h1 { "Course staff" }
        div.cards {
            // Wide: four columns of a table do not fit the narrowest card.
            article.card.wide {
                h2 { "Accounts" }
                // A bar per role: people compare lengths faster than numbers.
                table.bars {
                    caption.visually-hidden { "Accounts by role" }
                    thead { tr { th scope="col" { "Role" } th scope="col" { "Active" } th scope="col" { "Not activated" } th scope="col" { span.visually-hidden { "Share" } } } }
                    tbody {
                        @for count in view.role_counts {
                            tr {
                                th scope="row" { (count.role) }
                                td { (count.active) }
                                td { (count.inactive) }
                                td aria-hidden="true" {
                                    meter min="0" max=(max) value=(count.active + count.inactive) {}
                                }
                            }
                        }
                    }
                }
                p { a href=(paths::staff::USERS) { "All users" } }
            }
            article.card {
                h2 { "Groups" }
                p { (view.groups) " group(s)" }
                p { a href=(paths::staff::GROUPS) { "Manage groups" } }
            }
            article.card {
                h2 { "Sign-up" }
                p { @if view.signup_allowed { "Open: anyone with a matching e-mail address can sign up." } @else { "Closed: only staff create accounts." } }
                @if view.is_admin { p { a href=(paths::staff::SETTINGS) { "Change settings" } } }
            }
            (untested_card(view))
        }
    }
}

/// Solutions our side failed to test: they do not count against the students, and once the
/// cause is fixed (a runner host, a broken image) staff have them tested again here.
fn untested_card(view: &DashboardView<'_>) -> Markup {
    html! {
        article.card #untested {
            h2 { "Solutions we could not test" }
            @if view.untested.is_empty() {
                p { "None: every solution got a verdict." }
            } @else {
                p.help { "They do not count against the students. Once the cause is fixed, have them tested again." }
                ul.untested {
                    @for task in view.untested {
                        li {
                            span {
                                a href=(paths::task(&task.task_slug)) { (task.task_title) }
                                " " span.badge { (task.count) }
                            }
                            form.inline method="post" action=(paths::staff::task_test_untested(task.task_id)) {
                                (csrf_field(view.csrf_token))
                                button type="submit" { "Test " (task.count) " again" span.visually-hidden { ": " (task.task_title) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub struct UserRowView {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub email: String,
    pub matriculation_number: String,
    pub role: String,
    pub is_active: bool,
    pub groups: String,
    pub last_login: Option<String>,
}

pub struct UserListView<'a> {
    pub is_admin: bool,
    pub search: &'a str,
    pub role: Option<Role>,
    pub rows: &'a [UserRowView],
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub base_url: &'a str,
}

pub fn user_list(view: &UserListView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::USERS, view.is_admin))
        h1 { "Users" }
        p { a href=(paths::staff::USERS_NEW) { "New student accounts" } " (one, or many from a CSV file)" }
        form.search role="search" method="get" action=(paths::staff::USERS)
            hx-get=(paths::staff::USERS) hx-trigger="input changed delay:300ms from:#field-q, change from:#field-role"
            hx-target="#user-results" hx-select="#user-results" hx-swap="outerHTML" hx-push-url="true" {
            label for="field-q" { "Search" }
            input #field-q type="search" name="q" value=(view.search) placeholder="name, e-mail, matriculation number";
            label for="field-role" { "Role" }
            select #field-role name="role" {
                option value="" selected[view.role.is_none()] { "any" }
                @for role in Role::ALL {
                    option value=(role.as_str()) selected[view.role == Some(role)] { (role.as_str()) }
                }
            }
            button type="submit" { "Search" }
        }
        div #user-results {
            p.muted { (view.total) " user(s)" }
            table.data {
                thead { tr {
                    th scope="col" { "Username" } th scope="col" { "Name" } th scope="col" { "E-mail" }
                    th scope="col" { "Matr. no." } th scope="col" { "Role" } th scope="col" { "Groups" }
                    th scope="col" { "Last login" }
                } }
                tbody {
                    @for row in view.rows {
                        tr.inactive[!row.is_active] {
                            td { a href=(paths::staff::user(row.id)) { (row.username) } @if !row.is_active { " " span.badge { "inactive" } } }
                            td { (row.name) }
                            td { a href=(format!("mailto:{}", row.email)) { (row.email) } }
                            td { (row.matriculation_number) }
                            td { (row.role) }
                            td { (row.groups) }
                            td { @if let Some(at) = &row.last_login { (at) } @else { span.muted { "never" } } }
                        }
                    }
                }
            }
            (pagination(view.base_url, view.page, view.pages))
        }
    }
}

pub struct GroupChoice {
    pub id: i64,
    pub name: String,
    pub member: bool,
}

pub struct UserEditView<'a> {
    pub csrf_token: &'a str,
    pub is_admin: bool,
    pub id: i64,
    pub username: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub matriculation_number: &'a str,
    pub role: Role,
    pub is_active: bool,
    pub created_at: String,
    pub last_login: Option<String>,
    pub groups: &'a [GroupChoice],
    pub error: Option<&'a str>,
    /// The student's tasks and solutions ([`course::student_work`]).
    pub work: Markup,
    /// How many extensions the student has.
    pub extensions: usize,
    /// The personal data form: what is stored, or what was sent and refused.
    pub personal: &'a PersonalForm,
    pub personal_errors: &'a [(&'static str, String)],
}

/// A user's personal data as staff edit it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PersonalForm {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub matriculation_number: String,
}

pub fn user_edit(view: &UserEditView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::USERS, view.is_admin))
        h1 { "User " (view.username) }
        dl.facts {
            dt { "Name" } dd { (view.name) }
            dt { "E-mail address" } dd { a href=(format!("mailto:{}", view.email)) { (view.email) } }
            dt { "Matriculation number" } dd { (view.matriculation_number) }
            dt { "Signed up" } dd { (view.created_at) }
            dt { "Last login" } dd { @if let Some(at) = &view.last_login { (at) } @else { "never" } }
            dt { "Extensions" }
            dd {
                @if view.extensions == 0 { "none" } @else { (view.extensions) }
                " · " a href=(paths::staff::user_extensions(view.id)) { "Give or take back extensions" }
            }
        }
        (form_error(view.error))
        form method="post" action=(paths::staff::user(view.id)) {
            (csrf_field(view.csrf_token))
            fieldset {
                legend { "Groups" }
                @if view.groups.is_empty() { p.muted { "There are no groups yet. " a href=(paths::staff::GROUPS) { "Create one" } "." } }
                @for group in view.groups {
                    div.checkbox {
                        input id=(format!("group-{}", group.id)) type="checkbox" name="group" value=(group.id) checked[group.member];
                        label for=(format!("group-{}", group.id)) { (group.name) }
                    }
                }
            }
            @if view.is_admin {
                p { a href=(paths::staff::user_delete(view.id)) { "Delete this account…" } }
                fieldset {
                    legend { "Role and status" }
                    (Select { name: "role", label: "Role",
                              options: Role::ALL.iter().map(|role| (role.as_str().to_owned(), role.as_str().to_owned())).collect(),
                              selected: Some(view.role.as_str()), error: None, help: None }.render())
                    (Checkbox { name: "is_active", label: html! { "Active (can log in)" }, checked: view.is_active,
                                required: false, error: None, help: None }.render())
                }
            }
            button.primary type="submit" { "Save" }
        }
        (personal_data(view))
        (view.work)
    }
}

fn personal_data(view: &UserEditView<'_>) -> Markup {
    let form = view.personal;
    let error = |field: &str| {
        view.personal_errors
            .iter()
            .find(|(name, _)| *name == field)
            .map(|(_, message)| html! { (message) })
    };
    let errors = ["first_name", "last_name", "email", "matriculation_number"].map(error);
    html! {
        details.personal open[!view.personal_errors.is_empty()] {
            summary { "Personal data and password" }
            form.grant method="post" action=(paths::staff::user_personal(view.id)) novalidate {
                (csrf_field(view.csrf_token))
                (form_error((!view.personal_errors.is_empty()).then_some("The personal data cannot be saved: see the fields marked below.")))
                (Field { name: "first_name", label: "First name", value: &form.first_name, maxlength: Some(150),
                         error: errors[0].as_ref(), ..Field::default() }.render())
                (Field { name: "last_name", label: "Last name", value: &form.last_name, maxlength: Some(150),
                         error: errors[1].as_ref(), ..Field::default() }.render())
                (Field { name: "email", label: "E-mail address", kind: "email", value: &form.email, required: true,
                         error: errors[2].as_ref(), ..Field::default() }.render())
                (Field { name: "matriculation_number", label: "Matriculation number", value: &form.matriculation_number,
                         maxlength: Some(20), error: errors[3].as_ref(), ..Field::default() }.render())
                div.actions { button.primary type="submit" { "Save the personal data" } }
            }
            form method="post" action=(paths::staff::user_reset_mail(view.id)) {
                (csrf_field(view.csrf_token))
                p {
                    button.secondary type="submit" { "Send a password-reset e-mail" }
                    span.muted { " The student chooses a new password by its link; the old one works until then." }
                }
            }
        }
    }
}

pub struct DeleteUserView<'a> {
    pub csrf_token: &'a str,
    pub id: i64,
    pub username: &'a str,
    pub name: &'a str,
    pub is_self: bool,
    pub solutions: i64,
    pub checkpoints: i64,
    pub extensions: i64,
    pub groups: i64,
}

/// What deleting an account removes, said before it is done.
pub fn delete_user(view: &DeleteUserView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::USERS, true))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::USERS) { "Users" } " › "
            a href=(paths::staff::user(view.id)) { (view.username) } " › " span aria-current="page" { "Delete" }
        }
        h1 { "Delete the account " (view.username) "?" }
        @if view.is_self {
            p.form-error role="alert" { "This is your own account: another admin has to delete it." }
        } @else {
            p { "Deleting the account of " strong { (view.name) } " removes, for good:" }
            ul {
                li { "the account and its personal data (name, e-mail address, matriculation number)" }
                li { (view.solutions) " solution(s) with their files and results" }
                li { (view.checkpoints) " saved editor state(s)" }
                li { (view.extensions) " extension(s)" }
                li { "membership in " (view.groups) " group(s)" }
            }
            p.muted { "The audit log keeps the user name in what the account did and in this deletion. To keep the work but stop the logins, deactivate the account instead." }
            div.actions.retest-decision {
                form method="post" action=(paths::staff::user_delete(view.id)) {
                    (csrf_field(view.csrf_token))
                    button.danger type="submit" { "Delete " (view.username) " and everything that is theirs" }
                }
                a href=(paths::staff::user(view.id)) { "Keep the account" }
            }
        }
    }
}

pub struct GroupRowView {
    pub id: i64,
    pub name: String,
    pub members: i64,
}

pub struct GroupsView<'a> {
    pub csrf_token: &'a str,
    pub is_admin: bool,
    pub groups: &'a [GroupRowView],
    pub name: &'a str,
    pub error: Option<&'a str>,
}

pub fn groups(view: &GroupsView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::GROUPS, view.is_admin))
        h1 { "Groups" }
        p { "A task can be limited to one group; students see it only if they are members." }
        table.data {
            thead { tr { th scope="col" { "Group" } th scope="col" { "Members" } th scope="col" { span.visually-hidden { "Actions" } } } }
            tbody {
                @for group in view.groups {
                    tr {
                        td { a href=(paths::staff::group(group.id)) { (group.name) } }
                        td { (group.members) }
                        td {
                            form.inline method="post" action=(paths::staff::group_delete(group.id)) {
                                (csrf_field(view.csrf_token))
                                button.danger type="submit" aria-label=(format!("Delete group {}", group.name)) { "Delete" }
                            }
                        }
                    }
                }
            }
        }
        @if !view.groups.is_empty() {
            h2 { "Students without a group" }
            form.assign method="post" action=(paths::staff::GROUPS_ASSIGN) {
                (csrf_field(view.csrf_token))
                fieldset {
                    legend { "Spread every active student who is in no group over these groups" }
                    @for group in view.groups {
                        div.checkbox {
                            input id=(format!("assign-{}", group.id)) type="checkbox" name="group" value=(group.id) checked;
                            label for=(format!("assign-{}", group.id)) { (group.name) }
                        }
                    }
                    p.muted { "At random, so that the groups end up as even as they can." }
                    button.secondary type="submit" { "Put them into groups" }
                }
            }
        }
        h2 { "New group" }
        (form_error(view.error))
        form method="post" action=(paths::staff::GROUPS) {
            (csrf_field(view.csrf_token))
            (Field { name: "name", label: "Name", value: view.name, required: true, maxlength: Some(80),
                     ..Field::default() }.render())
            button.primary type="submit" { "Create group" }
        }
    }
}

pub struct MemberRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub matriculation_number: String,
}

pub struct GroupView<'a> {
    pub csrf_token: &'a str,
    pub is_admin: bool,
    pub id: i64,
    pub name: &'a str,
    /// The name in the rename form: the stored one, or what was typed and refused.
    pub typed: &'a str,
    pub members: &'a [MemberRow],
    pub error: Option<&'a str>,
}

pub fn group(view: &GroupView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::GROUPS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::GROUPS) { "Groups" } " › " span aria-current="page" { (view.name) }
        }
        h1 { "Group " (view.name) }
        p.muted { (view.members.len()) " member(s). Move a student on their own page." }
        @if !view.members.is_empty() {
            table.data {
                thead { tr { th scope="col" { "Student" } th scope="col" { "Name" } th scope="col" { "Matr. no." } } }
                tbody {
                    @for member in view.members {
                        tr {
                            td { a href=(paths::staff::user(member.id)) { (member.username) } }
                            td { (member.name) }
                            td { (member.matriculation_number) }
                        }
                    }
                }
            }
        }
        h2 { "Rename" }
        p.muted { "Tasks limited to this group name it in their meta.json (or their settings here): rename it there too." }
        (form_error(view.error))
        form method="post" action=(paths::staff::group(view.id)) {
            (csrf_field(view.csrf_token))
            (Field { name: "name", label: "Name", value: view.typed, required: true, maxlength: Some(80),
                     ..Field::default() }.render())
            button.primary type="submit" { "Rename" }
        }
    }
}

pub struct CourseRow {
    pub id: i64,
    pub name: String,
    pub students: i64,
    /// The course every account starts in: neither renamed nor deleted.
    pub fixed: bool,
}

pub struct CoursesView<'a> {
    pub csrf_token: &'a str,
    pub is_admin: bool,
    pub courses: &'a [CourseRow],
    pub name: &'a str,
    pub error: Option<&'a str>,
}

pub fn courses(view: &CoursesView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::COURSES, view.is_admin))
        h1 { "Courses of study" }
        p { "Students choose one of these in their profile." }
        table.data.courses {
            thead { tr {
                th scope="col" { "Course of study" } th scope="col" { "Students" }
                @if view.is_admin { th scope="col" { span.visually-hidden { "Actions" } } }
            } }
            tbody {
                @for course in view.courses {
                    tr {
                        td { (course.name) }
                        td { (course.students) }
                        @if view.is_admin {
                            td {
                                @if !course.fixed {
                                    form.inline method="post" action=(paths::staff::course(course.id)) {
                                        (csrf_field(view.csrf_token))
                                        label.visually-hidden for=(format!("course-{}", course.id)) { "New name for " (course.name) }
                                        input id=(format!("course-{}", course.id)) name="name" value=(course.name) maxlength="100" required;
                                        button.secondary type="submit" { "Rename" }
                                    }
                                    @if course.students == 0 {
                                        form.inline method="post" action=(paths::staff::course_delete(course.id)) {
                                            (csrf_field(view.csrf_token))
                                            button.danger type="submit" aria-label=(format!("Delete {}", course.name)) { "Delete" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "New course of study" }
        (form_error(view.error))
        form method="post" action=(paths::staff::COURSES) {
            (csrf_field(view.csrf_token))
            (Field { name: "name", label: "Name", value: view.name, required: true, maxlength: Some(100),
                     ..Field::default() }.render())
            button.primary type="submit" { "Add" }
        }
    }
}

pub struct SettingsView<'a> {
    pub csrf_token: &'a str,
    pub signup_allowed: bool,
    pub email_pattern: &'a str,
    pub email_help_text: &'a str,
    pub email_error_message: &'a str,
    pub require_ownwork_declaration: bool,
    pub ownwork_declaration_intro: &'a str,
    pub ownwork_declaration: &'a str,
    pub auto_assign_groups: &'a str,
    pub privacy_statement: &'a str,
    pub legal_notice: &'a str,
    pub help_page: &'a str,
    pub deadline_tolerance_seconds: i32,
    pub max_submissions: i32,
    pub hide_failing_tasks: bool,
    pub immediate_feedback: bool,
    /// Solutions stored while feedback was off and not tested since.
    pub saved_solutions: i64,
    pub errors: &'a FieldErrors,
}

pub fn settings(view: &SettingsView<'_>) -> Markup {
    let error = |name: &str| view.errors.get(name);
    let deadline_tolerance_seconds = view.deadline_tolerance_seconds.to_string();
    let max_submissions = view.max_submissions.to_string();
    let textarea = |name: &'static str, label: &'static str, value: &str, help: &'static str| {
        TextArea { name, label, value, rows: 3, error: error(name), help: Some(html! { (help) }) }
            .render()
    };
    let checkbox =
        |name: &'static str, label: &'static str, checked: bool, help: Option<Markup>| {
            Checkbox {
                name,
                label: html! { (label) },
                checked,
                required: false,
                error: error(name),
                help,
            }
            .render()
        };
    html! {
        (staff_nav(paths::staff::SETTINGS, true))
        h1 { "Settings" }
        p { "Changes take effect within a few seconds on every server." }
        form method="post" action=(paths::staff::SETTINGS) novalidate {
            (csrf_field(view.csrf_token))
            fieldset {
                legend { "Sign-up" }
                (checkbox("signup_allowed", "Anyone may sign up", view.signup_allowed, None))
                (Field { name: "email_pattern", label: "Allowed e-mail addresses (regular expression)",
                         value: view.email_pattern, error: error("email_pattern"),
                         help: Some(html! { "For example " code { "@(mailbox\\.)?tu-dresden\\.de$" } ". Empty allows every address." }),
                         ..Field::default() }.render())
                (textarea("email_help_text", "Help text below the e-mail field (Markdown)", view.email_help_text, "Shown on the sign-up form."))
                (textarea("email_error_message", "Message for an address that does not match (Markdown)", view.email_error_message, "Empty shows a generic message."))
            }
            fieldset {
                legend { "Own-work declaration" }
                (checkbox("require_ownwork_declaration", "Students must confirm the declaration before anything else", view.require_ownwork_declaration, None))
                (textarea("ownwork_declaration_intro", "Introduction (Markdown)", view.ownwork_declaration_intro, "Shown above the declaration form."))
                (textarea("ownwork_declaration", "Declaration (Markdown)", view.ownwork_declaration, "The text of the checkbox students tick."))
            }
            fieldset {
                legend { "Groups" }
                (Field { name: "auto_assign_groups", label: "Assign new students to one of these groups",
                         value: view.auto_assign_groups, error: error("auto_assign_groups"),
                         help: Some(html! { "Group names separated by spaces. A student without a group joins a random one at login." }),
                         ..Field::default() }.render())
            }
            fieldset {
                legend { "Submissions" }
                (Field { name: "deadline_tolerance_seconds", label: "Grace period after deadlines (seconds)",
                         kind: "number", min: Some(0), value: &deadline_tolerance_seconds,
                         error: error("deadline_tolerance_seconds"), ..Field::default() }.render())
                (Field { name: "max_submissions", label: "Submissions per student and task, unless a task says otherwise (-1: no limit)",
                         kind: "number", min: Some(-1), value: &max_submissions,
                         error: error("max_submissions"), ..Field::default() }.render())
                (checkbox("hide_failing_tasks", "Hide tasks from students while their reference solution fails its check", view.hide_failing_tasks, None))
                (checkbox("immediate_feedback", "Test solutions as they come in and show students the results", view.immediate_feedback,
                          Some(html! { "Turn off for an exam: solutions are then only stored, never tested, and students are told so." })))
            }
            fieldset {
                legend { "Pages" }
                (textarea("privacy_statement", "Privacy statement (Markdown)", view.privacy_statement, "Linked from the sign-up form and every page footer."))
                (textarea("legal_notice", "Legal notice (Markdown)", view.legal_notice, "Who runs the site and how to reach them; linked from every page footer."))
                (textarea("help_page", "Help (Markdown)", view.help_page, "Linked from every page footer; empty, the built-in help is shown."))
            }
            button.primary type="submit" { "Save settings" }
        }
        @if view.saved_solutions > 0 {
            section.saved-solutions aria-labelledby="saved-solutions-heading" {
                h2 #saved-solutions-heading { "Saved, untested solutions" }
                p { (view.saved_solutions) " solution(s) were stored while feedback was off. Testing them shows their authors the results." }
                form method="post" action=(paths::staff::SETTINGS_TEST_SAVED) {
                    (csrf_field(view.csrf_token))
                    @if view.immediate_feedback {
                        button type="submit" { "Test them now" }
                    } @else {
                        button type="submit" disabled aria-describedby="saved-solutions-help" { "Test them now" }
                        p.help #saved-solutions-help { "Turn feedback on first." }
                    }
                }
            }
        }
    }
}

pub struct ProblemView {
    pub task: String,
    pub message: String,
}

pub struct RepositoryView {
    pub name: String,
    pub url: String,
    pub branch: String,
    pub revision: Option<String>,
    pub synced_at: Option<String>,
    pub status: String,
    pub message: String,
    pub running: bool,
    pub problems: Vec<ProblemView>,
    pub webhook_url: String,
    /// Only admins see the secret.
    pub secret: Option<String>,
    /// Only admins change where a repository comes from.
    pub source: Option<SourceEditView>,
    pub references: Vec<ReferenceView>,
}

/// The form that changes a repository's URL and branch: what it holds, and why it was refused.
pub struct SourceEditView {
    pub url: String,
    pub branch: String,
    pub error: Option<String>,
}

/// How a task's reference solution fared.
pub struct ReferenceView {
    pub task: String,
    pub slug: String,
    pub check: ReferenceShown,
    pub details: Option<String>,
}

/// How far a reference solution's check is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceShown {
    NotChecked,
    Pending,
    Done(Verdict),
}

impl ReferenceShown {
    /// The word scripts and tests read, and the badge's colour.
    fn word(self) -> &'static str {
        match self {
            ReferenceShown::NotChecked => "not_checked",
            ReferenceShown::Pending => "pending",
            ReferenceShown::Done(verdict) => verdict.as_str(),
        }
    }

    fn label(self) -> &'static str {
        match self {
            ReferenceShown::NotChecked => "not checked yet",
            ReferenceShown::Pending => "pending",
            ReferenceShown::Done(verdict) => verdict.label(),
        }
    }
}

/// One repository's card; while a sync runs it asks for itself again every two seconds.
pub fn repository_card(repository: &RepositoryView, csrf_token: &str) -> Markup {
    let id = format!("repository-{}", repository.name);
    let status_url = paths::staff::repository_card(&repository.name);
    html! {
        article.card.repository id=(id)
            hx-get=[repository.running.then_some(status_url.as_str())]
            hx-trigger=[repository.running.then_some("every 2s")]
            hx-swap=[repository.running.then_some("outerHTML")] {
            h2 { (repository.name) }
            dl.facts {
                dt { "URL" } dd { code { (repository.url) } }
                dt { "Branch" } dd { code { (repository.branch) } }
                dt { "Revision" } dd { @if let Some(revision) = &repository.revision { code { (revision) } } @else { span.muted { "not synced yet" } } }
                dt { "Last sync" } dd {
                    @if repository.running {
                        span.badge.running role="status" { "syncing now…" }
                    } @else {
                        span class=(format!("badge sync-{}", repository.status)) { (repository.status) }
                        @if let Some(at) = &repository.synced_at { " " (at) }
                        @if !repository.message.is_empty() { " — " (repository.message) }
                    }
                }
            }
            @if !repository.problems.is_empty() {
                h3 { "Problems of the last sync" }
                ul.problems {
                    @for problem in &repository.problems {
                        li { strong { (problem.task) } ": " (problem.message) }
                    }
                }
            }
            @if !repository.references.is_empty() {
                h3 { "Reference solutions" }
                table.data.references {
                    thead { tr { th scope="col" { "Task" } th scope="col" { "Check" } } }
                    tbody {
                        @for reference in &repository.references {
                            tr {
                                td { a href=(paths::task(&reference.slug)) { (reference.task) } }
                                td {
                                    span class=(format!("badge verdict-{}", reference.check.word())) data-reference-verdict=(reference.check.word()) { (reference.check.label()) }
                                    @if let Some(details) = &reference.details {
                                        details { summary { "What happened" } pre { (details) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action=(paths::staff::repository_sync(&repository.name)) {
                (csrf_field(csrf_token))
                button.primary type="submit" disabled[repository.running] { "Sync now" }
            }
            details.webhook {
                summary { "Webhook: sync on every push" }
                p { "Payload URL: " code { (repository.webhook_url) } }
                @if let Some(secret) = &repository.secret {
                    p { "Secret: " code { (secret) } }
                } @else {
                    p.muted { "An admin can see the secret here." }
                }
                p { strong { "GitHub: " } "Settings → Webhooks → Add webhook; content type " code { "application/json" } "; the secret above; just the push event." }
                p { strong { "GitLab: " } "Settings → Webhooks; the URL above, the secret as Secret token, trigger: Push events." }
            }
            @if let Some(source) = &repository.source {
                @let url_id = format!("source-url-{}", repository.name);
                @let branch_id = format!("source-branch-{}", repository.name);
                details.source open[source.error.is_some()] {
                    summary { "Change the URL or branch" }
                    (form_error(source.error.as_deref()))
                    form method="post" action=(paths::staff::repository_source(&repository.name)) {
                        (csrf_field(csrf_token))
                        div.field {
                            label for=(url_id) { "Git URL" }
                            input id=(url_id) type="text" name="url" value=(source.url) required;
                        }
                        div.field {
                            label for=(branch_id) { "Branch" }
                            input id=(branch_id) type="text" name="branch" value=(source.branch) required;
                        }
                        p.help { "The next sync fetches from here. Tasks keep their solutions as long as their folders keep their names." }
                        button type="submit" { "Change and sync" }
                    }
                }
            }
        }
    }
}

pub struct RepositoriesView<'a> {
    pub csrf_token: &'a str,
    pub is_admin: bool,
    pub repositories: &'a [RepositoryView],
    pub form_error: Option<&'a str>,
    pub name: &'a str,
    pub url: &'a str,
    pub branch: &'a str,
}

pub fn repositories(view: &RepositoriesView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::REPOSITORIES, view.is_admin))
        h1 { "Task repositories" }
        @if view.repositories.is_empty() { p.muted { "No repository yet." } }
        div.repositories {
            @for repository in view.repositories { (repository_card(repository, view.csrf_token)) }
        }
        @if view.is_admin {
            h2 { "Add a repository" }
            (form_error(view.form_error))
            form method="post" action=(paths::staff::REPOSITORIES) {
                (csrf_field(view.csrf_token))
                div.field {
                    label for="field-name" { "Name" }
                    input #field-name type="text" name="name" value=(view.name) required maxlength="63" aria-describedby="field-name-help";
                    div.help #field-name-help { "Lower-case letters, digits, - and _; also the folder name on every host." }
                }
                div.field {
                    label for="field-url" { "Git URL" }
                    input #field-url type="text" name="url" value=(view.url) required placeholder="https://git.example.org/course/tasks.git";
                }
                div.field {
                    label for="field-branch" { "Branch" }
                    input #field-branch type="text" name="branch" value=(view.branch) required;
                }
                button.primary type="submit" { "Add and sync" }
            }
        }
    }
}

pub struct CategoryEditView {
    pub id: i64,
    pub name: String,
    pub display_order: i32,
    pub description: String,
    pub tasks: i64,
}

pub fn categories(csrf_token: &str, is_admin: bool, categories: &[CategoryEditView]) -> Markup {
    html! {
        (staff_nav(paths::staff::CATEGORIES, is_admin))
        h1 { "Task categories" }
        p { "Categories come from the tasks' meta.json. Their order and description are yours: imports never change them." }
        @if categories.is_empty() { p.muted { "No categories yet: sync a task repository first." } }
        @for category in categories {
            form.card.category method="post" action=(paths::staff::category(category.id)) {
                (csrf_field(csrf_token))
                h2 { (category.name) " " span.muted { "(" (category.tasks) " tasks)" } }
                div.field {
                    label for=(format!("order-{}", category.id)) { "Display order (lower first)" }
                    input id=(format!("order-{}", category.id)) type="number" name="display_order" value=(category.display_order) step="1";
                }
                div.field {
                    label for=(format!("description-{}", category.id)) { "Description (Markdown)" }
                    textarea id=(format!("description-{}", category.id)) name="description" rows="2" { (category.description) }
                }
                button type="submit" { "Save" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_form_marks_its_errors_at_their_fields() {
        let mut errors = FieldErrors::new();
        errors.insert("max_submissions", "Enter a whole number, or -1 (or nothing) for no limit.");
        let view = SettingsView {
            csrf_token: "token",
            signup_allowed: true,
            email_pattern: r"^[a-z.]+@tu-dresden\.de$",
            email_help_text: "Your university address.",
            email_error_message: "Use your university address.",
            require_ownwork_declaration: true,
            ownwork_declaration_intro: "Before you start:",
            ownwork_declaration: "I solve the tasks on my own.",
            auto_assign_groups: "Group-A Group-B",
            privacy_statement: "We keep what you submit until the end of term.",
            legal_notice: "",
            help_page: "",
            deadline_tolerance_seconds: 60,
            max_submissions: -2,
            hide_failing_tasks: false,
            immediate_feedback: true,
            saved_solutions: 0,
            errors: &errors,
        };
        insta::assert_snapshot!("settings_form", crate::views::snapshot_html(settings(&view)));
    }
}
