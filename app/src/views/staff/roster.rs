//! Creating students' accounts: one by one, or a CSV file checked row by row before anything
//! is created.

use maud::{Markup, html};

use super::{
    super::components::{Checkbox, Field, Select, TextArea, csrf_field, form_error},
    staff_nav,
};
use crate::{paths, roster::Row};

/// The one-student form as sent (or empty).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OneStudentForm {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub matriculation_number: String,
    pub group: String,
    pub send_mail: Option<String>,
}

pub struct NewAccountsView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub form: &'a OneStudentForm,
    /// `(field, message)` of the one-student form.
    pub errors: &'a [(&'static str, String)],
    pub groups: &'a [String],
    /// The CSV text as last sent, and why the file as a whole was refused.
    pub csv: &'a str,
    pub csv_error: Option<&'a str>,
}

const CSV_HELP: &str = "A header line names the columns: username and email, and any of first_name, last_name, \
     matriculation_number and group (an existing group's name). Commas or semicolons; one student per line.";

fn import_form(csrf_token: &str, csv: &str, error: Option<&str>) -> Markup {
    let error = error.map(|message| html! { (message) });
    html! {
        form method="post" action=(paths::staff::USERS_IMPORT) enctype="multipart/form-data" {
            (csrf_field(csrf_token))
            div.field {
                label for="field-file" { "A CSV file" }
                input #field-file type="file" name="file" accept=".csv,text/csv,text/plain";
            }
            (TextArea { name: "csv", label: "or the lines themselves", value: csv, rows: 8,
                        error: error.as_ref(), help: Some(html! { (CSV_HELP) }) }.render())
            div.actions { button.primary type="submit" { "Check the file" } }
        }
    }
}

pub fn new_accounts(view: &NewAccountsView<'_>) -> Markup {
    let form = view.form;
    let error = |field: &str| {
        view.errors.iter().find(|(name, _)| *name == field).map(|(_, message)| html! { (message) })
    };
    let errors = ["username", "email", "first_name", "last_name", "matriculation_number", "group"]
        .map(error);
    let mut groups = vec![(String::new(), "none".to_owned())];
    groups.extend(view.groups.iter().map(|group| (group.clone(), group.clone())));
    html! {
        (staff_nav(paths::staff::USERS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::USERS) { "Users" } " › " span aria-current="page" { "New accounts" }
        }
        h1 { "New student accounts" }
        p {
            "Accounts created here are active at once. Their students get an e-mail with a link to choose "
            "their password (valid for a week; after that, \"Forgot your password?\" sends a new one)."
        }
        div.two-columns {
            section aria-labelledby="one-heading" {
                h2 #one-heading { "One student" }
                form.grant method="post" action=(paths::staff::USERS_NEW) novalidate {
                    (csrf_field(view.csrf_token))
                    (form_error((!view.errors.is_empty()).then_some("The account cannot be created: see the fields marked below.")))
                    (Field { name: "username", label: "User name", value: &form.username, required: true,
                             maxlength: Some(150), error: errors[0].as_ref(), ..Field::default() }.render())
                    (Field { name: "email", label: "E-mail address", kind: "email", value: &form.email, required: true,
                             error: errors[1].as_ref(), ..Field::default() }.render())
                    (Field { name: "first_name", label: "First name", value: &form.first_name, maxlength: Some(150),
                             error: errors[2].as_ref(), ..Field::default() }.render())
                    (Field { name: "last_name", label: "Last name", value: &form.last_name, maxlength: Some(150),
                             error: errors[3].as_ref(), ..Field::default() }.render())
                    (Field { name: "matriculation_number", label: "Matriculation number", value: &form.matriculation_number,
                             maxlength: Some(20), error: errors[4].as_ref(), ..Field::default() }.render())
                    (Select { name: "group", label: "Group", options: groups, selected: Some(&form.group),
                              error: errors[5].as_ref(), help: None }.render())
                    (Checkbox { name: "send_mail", label: html! { "Send the student the e-mail to choose a password" },
                                checked: form.send_mail.is_some() || view.errors.is_empty(), required: false, error: None, help: None }.render())
                    div.actions { button.primary type="submit" { "Create the account" } }
                }
            }
            section aria-labelledby="import-heading" {
                h2 #import-heading { "Many students from a CSV file" }
                p.muted { "Nothing is created before you have seen every line checked." }
                (import_form(view.csrf_token, view.csv, view.csv_error))
            }
        }
    }
}

pub struct ImportPreviewView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub rows: &'a [Row],
    pub csv: &'a str,
    /// Something changed between the check and the import (an account taken meanwhile).
    pub changed_since: bool,
}

pub fn import_preview(view: &ImportPreviewView<'_>) -> Markup {
    let with_problems = view.rows.iter().filter(|row| !row.problems.is_empty()).count();
    html! {
        (staff_nav(paths::staff::USERS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::USERS) { "Users" } " › "
            a href=(paths::staff::USERS_NEW) { "New accounts" } " › " span aria-current="page" { "Check" }
        }
        h1 { "Import " (view.rows.len()) " student(s)" }
        @if view.changed_since {
            div.form-error role="alert" { "Something changed since the check: nothing was imported. See the lines marked below." }
        }
        @if with_problems > 0 {
            p role="status" { strong { (with_problems) " line(s)" } " cannot be imported. Fix them and check the file again; nothing is created until every line is right." }
        } @else {
            p role="status" { "Every line is right." }
            form method="post" action=(paths::staff::USERS_IMPORT_CONFIRM) {
                (csrf_field(view.csrf_token))
                input type="hidden" name="csv" value=(view.csv);
                (Checkbox { name: "send_mail", label: html! { "Send every student the e-mail to choose a password" },
                            checked: true, required: false, error: None, help: None }.render())
                div.actions { button.primary type="submit" { "Create " (view.rows.len()) " account(s)" } }
            }
        }
        table.data.import {
            thead { tr {
                th scope="col" { "Line" } th scope="col" { "User name" } th scope="col" { "E-mail" }
                th scope="col" { "Name" } th scope="col" { "Matr. no." } th scope="col" { "Group" } th scope="col" { "Problems" }
            } }
            tbody {
                @for row in view.rows {
                    tr.has-problems[!row.problems.is_empty()] {
                        td { (row.line) }
                        td { (row.student.username) }
                        td { (row.student.email) }
                        td { (row.student.first_name) " " (row.student.last_name) }
                        td { (row.student.matriculation_number) }
                        td { @if let Some(group) = &row.student.group { (group) } }
                        td {
                            @if row.problems.is_empty() { span.muted { "none" } }
                            @else { ul.problems { @for problem in &row.problems { li { (problem) } } } }
                        }
                    }
                }
            }
        }
        @if with_problems > 0 {
            section aria-labelledby="again-heading" {
                h2 #again-heading { "Check again" }
                (import_form(view.csrf_token, view.csv, None))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::NewStudent;

    #[test]
    fn the_import_check_names_each_lines_problems_and_offers_no_import_then() {
        let rows = [
            Row {
                line: 2,
                student: NewStudent {
                    username: "ann".into(),
                    email: "ann@example.org".into(),
                    first_name: "Ann".into(),
                    group: Some("Tuesday".into()),
                    ..NewStudent::default()
                },
                problems: vec![],
            },
            Row {
                line: 3,
                student: NewStudent {
                    username: "ada".into(),
                    email: "ada@example".into(),
                    ..NewStudent::default()
                },
                problems: vec![
                    "the user name ada is taken".into(),
                    "\"ada@example\" is not an e-mail address".into(),
                ],
            },
        ];
        let view = ImportPreviewView {
            is_admin: false,
            csrf_token: "token",
            rows: &rows,
            csv: "username,email\n",
            changed_since: false,
        };
        insta::assert_snapshot!(
            "import_preview",
            crate::views::snapshot_html(import_preview(&view))
        );
    }
}
