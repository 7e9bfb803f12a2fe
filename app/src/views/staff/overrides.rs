//! The pages where staff override a task's settings and give a student an extension.

use maud::{Markup, html};

use super::{
    super::components::{Checkbox, Field, Select, TextArea, csrf_field, form_error},
    staff_nav,
};
use crate::{
    overrides::{ExtensionForm, FieldProblem, MOST_SUBMISSIONS, TaskOverrideForm},
    paths,
};

fn problem<'a>(problems: &'a [FieldProblem], field: &str) -> Option<&'a FieldProblem> {
    problems.iter().find(|problem| problem.field == field)
}

fn summary(problems: &[FieldProblem]) -> Option<&'static str> {
    (!problems.is_empty()).then_some("Some values cannot be saved: see the fields marked below.")
}

/// A task's repository values in words, beside which staff set their own.
pub struct RepositoryText {
    pub pubdate: String,
    pub deadline: String,
    pub max_submissions: String,
    pub group: String,
    pub state: String,
}

pub struct TaskSettingsView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub task_id: i64,
    pub task_title: &'a str,
    pub repository: &'a RepositoryText,
    pub form: &'a TaskOverrideForm,
    pub problems: &'a [FieldProblem],
    /// Who last saved the overrides, and when.
    pub last_saved: Option<String>,
    pub groups: &'a [String],
}

/// One overridable field: a tick that says it overrides, the control, and the repository's value.
fn overridable(
    name: &'static str,
    title: &str,
    ticked: bool,
    repository: &str,
    control: Markup,
) -> Markup {
    html! {
        fieldset.override.overridden[ticked] {
            legend {
                (title)
                @if ticked { " " span.badge.overridden { "overridden" } }
            }
            p.muted { "Repository: " (repository) }
            (Checkbox { name: &format!("override_{name}"), label: html! { "Override the repository's value" },
                        checked: ticked, required: false, error: None, help: None }.render())
            (control)
        }
    }
}

pub fn task_settings(view: &TaskSettingsView<'_>) -> Markup {
    let form = view.form;
    let problems = view.problems;
    let error = |field: &str| problem(problems, field).map(|problem| html! { (problem.message) });
    let errors = ["pubdate", "deadline", "max_submissions", "group", "disabled"].map(error);
    let mut group_options = vec![(String::new(), "every student".to_owned())];
    group_options.extend(view.groups.iter().map(|group| (group.clone(), group.clone())));
    let state_options = vec![
        ("taken".to_owned(), "takes solutions".to_owned()),
        ("disabled".to_owned(), "disabled (hidden from students)".to_owned()),
    ];
    let action = paths::staff::task_settings(view.task_id);
    html! {
        (staff_nav(paths::staff::SOLUTIONS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::SOLUTIONS) { "Solutions" } " › "
            a href=(paths::staff::task_overview(view.task_id)) { (view.task_title) } " › "
            span aria-current="page" { "Settings" }
        }
        h1 { "Settings of " (view.task_title) }
        p {
            "Values set here apply instead of the task repository's and stay through every sync. "
            "Untick a field to use the repository's value again."
        }
        @if let Some(saved) = &view.last_saved { p.muted { (saved) } }
        form.task-settings method="post" action=(action) novalidate {
            (csrf_field(view.csrf_token))
            (form_error(summary(problems)))
            (overridable("pubdate", "Publication", form.override_pubdate.is_some(), &view.repository.pubdate,
                Field { name: "pubdate", label: "Published from", kind: "datetime-local", value: &form.pubdate,
                        error: errors[0].as_ref(), ..Field::default() }.render()))
            (overridable("deadline", "Deadline", form.override_deadline.is_some(), &view.repository.deadline,
                Field { name: "deadline", label: "Deadline", kind: "datetime-local", value: &form.deadline,
                        error: errors[1].as_ref(), help: Some(html! { "Leave empty for no deadline." }),
                        ..Field::default() }.render()))
            (overridable("max_submissions", "Submission limit", form.override_max_submissions.is_some(),
                &view.repository.max_submissions,
                Field { name: "max_submissions", label: "Solutions per student", kind: "number", min: Some(-1),
                        value: &form.max_submissions, error: errors[2].as_ref(),
                        help: Some(html! { "Empty: the site's limit; -1: no limit; at most " (MOST_SUBMISSIONS) "." }),
                        ..Field::default() }.render()))
            (overridable("group", "Group", form.override_group.is_some(), &view.repository.group,
                Select { name: "group", label: "Shown to", options: group_options, selected: Some(&form.group),
                         error: errors[3].as_ref(), help: None }.render()))
            (overridable("disabled", "State", form.override_disabled.is_some(), &view.repository.state,
                Select { name: "disabled", label: "The task", options: state_options, selected: Some(&form.disabled),
                         error: errors[4].as_ref(), help: None }.render()))
            div.actions { button.primary type="submit" { "Save settings" } }
        }
    }
}

/// One extension as a row of the tables below.
pub struct ExtensionLine {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    /// "Task: …" or "Category: …".
    pub scope: String,
    pub deadline: Option<String>,
    pub extra_submissions: i32,
    pub reason: String,
    pub granted: String,
}

pub struct ExtensionsView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub user_id: i64,
    pub username: &'a str,
    pub extensions: &'a [ExtensionLine],
    /// `(scope value, text)`: every category, then every task.
    pub scopes: Vec<(String, String)>,
    pub form: &'a ExtensionForm,
    pub problems: &'a [FieldProblem],
}

pub fn extensions(view: &ExtensionsView<'_>) -> Markup {
    let form = view.form;
    let problems = view.problems;
    let error = |field: &str| problem(problems, field).map(|problem| html! { (problem.message) });
    let (scope_error, deadline_error, extra_error, reason_error) =
        (error("scope"), error("deadline"), error("extra_submissions"), error("reason"));
    let mut scopes = vec![(String::new(), "choose…".to_owned())];
    scopes.extend(view.scopes.iter().cloned());
    html! {
        (staff_nav(paths::staff::USERS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::USERS) { "Users" } " › "
            a href=(paths::staff::user(view.user_id)) { (view.username) } " › "
            span aria-current="page" { "Extensions" }
        }
        h1 { "Extensions for " (view.username) }
        p {
            "An extension gives this student a later deadline, extra submissions, or both, for one task or "
            "for every task of a category. Where several apply, the latest deadline counts and the extra "
            "submissions add up; an extension never moves a deadline earlier."
        }
        (extension_table(view.csrf_token, view.extensions, false))
        section aria-labelledby="grant-heading" {
            h2 #grant-heading { "Give an extension" }
            p.muted { "Giving one for a task or category that already has one replaces it." }
            form.grant method="post" action=(paths::staff::user_extensions(view.user_id)) novalidate {
                (csrf_field(view.csrf_token))
                (form_error(summary(problems)))
                (Select { name: "scope", label: "For", options: scopes, selected: Some(&form.scope),
                          error: scope_error.as_ref(), help: None }.render())
                (Field { name: "deadline", label: "New deadline", kind: "datetime-local", value: &form.deadline,
                         error: deadline_error.as_ref(), help: Some(html! { "Leave empty to keep the deadline." }),
                         ..Field::default() }.render())
                (Field { name: "extra_submissions", label: "Extra submissions", kind: "number", min: Some(0),
                         value: &form.extra_submissions, error: extra_error.as_ref(), ..Field::default() }.render())
                (TextArea { name: "reason", label: "Reason (staff only)", value: &form.reason, rows: 2,
                            error: reason_error.as_ref(), help: None }.render())
                div.actions { button.primary type="submit" { "Give the extension" } }
            }
        }
    }
}

/// The extensions of one student, or of one task's students (`by_student`).
pub fn extension_table(csrf_token: &str, extensions: &[ExtensionLine], by_student: bool) -> Markup {
    html! {
        @if extensions.is_empty() {
            p.muted { "No extensions." }
        } @else {
            table.data.extensions {
                thead { tr {
                    @if by_student { th scope="col" { "Student" } }
                    th scope="col" { "For" } th scope="col" { "Deadline" } th scope="col" { "Extra submissions" }
                    th scope="col" { "Reason" } th scope="col" { "Given" }
                    @if !by_student { th scope="col" { span.visually-hidden { "Actions" } } }
                } }
                tbody {
                    @for line in extensions {
                        tr {
                            @if by_student {
                                td { a href=(paths::staff::user_extensions(line.user_id)) { (line.username) } }
                            }
                            td { (line.scope) }
                            td { @if let Some(deadline) = &line.deadline { (deadline) } @else { span.muted { "unchanged" } } }
                            td { (line.extra_submissions) }
                            td { (line.reason) }
                            td { (line.granted) }
                            @if !by_student {
                                td {
                                    form method="post" action=(paths::staff::extension_remove(line.user_id, line.id)) {
                                        (csrf_field(csrf_token))
                                        button.secondary type="submit" aria-label=(format!("Take back the extension for {}", line.scope)) { "Take back" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_form_marks_what_overrides_and_keeps_what_was_refused() {
        let repository = RepositoryText {
            pubdate: "01-10-2026 08:00 CEST".into(),
            deadline: "01-12-2026 23:59 CET".into(),
            max_submissions: "the site's limit".into(),
            group: "every student".into(),
            state: "takes solutions".into(),
        };
        let form = TaskOverrideForm {
            override_deadline: Some("on".into()),
            deadline: "next week".into(),
            pubdate: "2026-10-01T08:00".into(),
            disabled: "taken".into(),
            ..TaskOverrideForm::default()
        };
        let problems = [FieldProblem {
            field: "deadline",
            message: "Give the deadline as a date and time, or leave it empty for none.".into(),
        }];
        let groups = ["Tuesday".to_owned()];
        let view = TaskSettingsView {
            is_admin: false,
            csrf_token: "token",
            task_id: 3,
            task_title: "Counter",
            repository: &repository,
            form: &form,
            problems: &problems,
            last_saved: Some("Last changed by ta on 01-12-2026 10:00 CET.".into()),
            groups: &groups,
        };
        insta::assert_snapshot!("task_settings", crate::views::snapshot_html(task_settings(&view)));
    }

    #[test]
    fn a_students_extensions_and_the_form_to_give_one() {
        let lines = [ExtensionLine {
            id: 9,
            user_id: 5,
            username: "ada".into(),
            scope: "Category: Java Basics".into(),
            deadline: Some("08-12-2026 23:59 CET".into()),
            extra_submissions: 2,
            reason: "medical certificate".into(),
            granted: "01-12-2026 10:00 CET by ta".into(),
        }];
        let form = ExtensionForm::default();
        let view = ExtensionsView {
            is_admin: false,
            csrf_token: "token",
            user_id: 5,
            username: "ada",
            extensions: &lines,
            scopes: vec![
                ("category:1".into(), "Every task of Java Basics".into()),
                ("task:3".into(), "Java Basics › Counter".into()),
            ],
            form: &form,
            problems: &[],
        };
        insta::assert_snapshot!("extensions", crate::views::snapshot_html(extensions(&view)));
    }
}
