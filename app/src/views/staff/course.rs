//! The staff pages that find students' work: the solutions list, a task's overview of every
//! student, and one student's tasks and solutions.

use maud::{Markup, html};

use super::{
    super::components::{Field, Select, csrf_field, pagination},
    overrides::{ExtensionLine, extension_table},
    retests::{BatchLine, batch_list, start_form},
    staff_nav,
};
use crate::{
    db::search::COUNTED_AT_MOST,
    finding::{FilterProblem, Outcome, SolutionQuery},
    paths,
};

/// A solution's outcome as a coloured badge; `data-outcome` carries the word for scripts.
pub fn outcome_badge(outcome: Outcome) -> Markup {
    let colour = match outcome {
        Outcome::Verdict(verdict) => verdict.as_str(),
        Outcome::Saved => "saved",
        Outcome::Waiting | Outcome::NotTested => "pending",
    };
    html! {
        span class=(format!("badge verdict-{colour}")) data-outcome=(outcome.as_str()) { (outcome.label()) }
    }
}

/// One found solution, ready to show.
pub struct FoundRow {
    pub id: i64,
    pub number: i32,
    pub submitted: String,
    pub outcome: Outcome,
    pub task_id: i64,
    pub task_title: String,
    pub author_id: i64,
    pub username: String,
    pub name: String,
    pub matriculation_number: String,
}

/// The choices the filter offers: `(value, text)` pairs, the empty value first.
pub struct FilterChoices {
    pub tasks: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
    pub groups: Vec<(String, String)>,
}

pub struct SolutionsView<'a> {
    pub is_admin: bool,
    pub query: &'a SolutionQuery,
    pub problems: &'a [FilterProblem],
    pub choices: &'a FilterChoices,
    pub rows: &'a [FoundRow],
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// The list's address with the filter, without the page.
    pub base_url: &'a str,
    /// The task the list shows alone, whose listed solutions staff may pick to test again.
    pub retest_task: Option<i64>,
    pub csrf_token: &'a str,
}

fn problem_for(problems: &[FilterProblem], field: &str) -> Option<Markup> {
    problems
        .iter()
        .find(|problem| problem.field == field)
        .map(|problem| html! { (problem.message) })
}

fn outcome_choices() -> Vec<(String, String)> {
    let mut choices = vec![(String::new(), "any".to_owned())];
    choices.extend(
        Outcome::all()
            .into_iter()
            .map(|outcome| (outcome.as_str().to_owned(), outcome.label().to_owned())),
    );
    choices
}

pub fn solutions(view: &SolutionsView<'_>) -> Markup {
    let query = view.query;
    let error = |field: &str| problem_for(view.problems, field);
    let (task_error, category_error, group_error, outcome_error, from_error, until_error) = (
        error("task"),
        error("category"),
        error("group"),
        error("outcome"),
        error("from"),
        error("until"),
    );
    html! {
        (staff_nav(paths::staff::SOLUTIONS, view.is_admin))
        h1 { "Solutions" }
        form.filters role="search" method="get" action=(paths::staff::SOLUTIONS)
            hx-get=(paths::staff::SOLUTIONS) hx-trigger="change, input changed delay:300ms from:#field-student"
            hx-target="#solution-results" hx-select="#solution-results" hx-swap="outerHTML" hx-push-url="true" {
            (Select { name: "task", label: "Task", options: view.choices.tasks.clone(), selected: Some(&query.task),
                      error: task_error.as_ref(), help: None }.render())
            (Select { name: "category", label: "Category", options: view.choices.categories.clone(),
                      selected: Some(&query.category), error: category_error.as_ref(), help: None }.render())
            (Select { name: "group", label: "Group", options: view.choices.groups.clone(), selected: Some(&query.group),
                      error: group_error.as_ref(), help: None }.render())
            (Field { name: "student", label: "Student", kind: "search", value: &query.student,
                     placeholder: Some("name, user name or matriculation number"), maxlength: Some(100),
                     ..Field::default() }.render())
            (Select { name: "outcome", label: "Result", options: outcome_choices(), selected: Some(&query.outcome),
                      error: outcome_error.as_ref(), help: None }.render())
            (Field { name: "from", label: "Submitted from", kind: "date", value: &query.from,
                     error: from_error.as_ref(), ..Field::default() }.render())
            (Field { name: "until", label: "until (including)", kind: "date", value: &query.until,
                     error: until_error.as_ref(), ..Field::default() }.render())
            (Select { name: "sort", label: "Order",
                      options: vec![("newest".to_owned(), "newest first".to_owned()), ("oldest".to_owned(), "oldest first".to_owned())],
                      selected: Some(if query.sort == "oldest" { "oldest" } else { "newest" }), error: None, help: None }.render())
            div.actions {
                button.primary type="submit" { "Show" }
                a href=(paths::staff::SOLUTIONS) { "Clear" }
            }
        }
        div #solution-results {
            p.muted role="status" {
                @if view.total > COUNTED_AT_MOST {
                    "More than " (COUNTED_AT_MOST) " solutions; narrow the filter to page through all of them."
                } @else { (view.total) " solution(s)" }
            }
            @if !view.rows.is_empty() {
                form #pick-solutions method="post" action=[view.retest_task.map(paths::staff::task_retests)] {
                    @if view.retest_task.is_some() { (csrf_field(view.csrf_token)) }
                }
                table.data {
                    thead { tr {
                        @if view.retest_task.is_some() { th scope="col" { span.visually-hidden { "Pick" } } }
                        th scope="col" { "Solution" } th scope="col" { "Task" } th scope="col" { "Student" }
                        th scope="col" { "Matr. no." } th scope="col" { "Submitted" } th scope="col" { "Result" }
                    } }
                    tbody {
                        @for row in view.rows {
                            tr {
                                @if view.retest_task.is_some() {
                                    td {
                                        input type="checkbox" form="pick-solutions" name="solution" value=(row.id)
                                            id=(format!("pick-{}", row.id)) aria-label=(format!("Pick solution #{}", row.id));
                                    }
                                }
                                td { a href=(paths::solution(row.id)) { "#" (row.id) } span.muted { " (" (row.username) "'s #" (row.number) ")" } }
                                td { a href=(paths::staff::task_overview(row.task_id)) { (row.task_title) } }
                                td { a href=(paths::staff::user(row.author_id)) { (row.username) } @if !row.name.is_empty() { " " span.muted { (row.name) } } }
                                td { (row.matriculation_number) }
                                td { (row.submitted) }
                                td { (outcome_badge(row.outcome)) }
                            }
                        }
                    }
                }
                @if view.retest_task.is_some() {
                    div.actions {
                        button.secondary type="submit" form="pick-solutions" { "Test the picked solutions again" }
                        span.muted { " Their new results wait for your review before they count." }
                    }
                }
            }
            (pagination(view.base_url, view.page, view.pages))
        }
    }
}

/// One student's standing in one task.
pub struct StandingRow {
    pub task_id: i64,
    pub task_slug: String,
    pub task_title: String,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub matriculation_number: String,
    pub attempts: i64,
    /// The latest solution and its outcome.
    pub latest: Option<(i64, Outcome)>,
    pub latest_at: Option<String>,
    pub first_passed: Option<String>,
}

fn latest_cell(row: &StandingRow) -> Markup {
    html! {
        @match row.latest {
            Some((id, outcome)) => { a href=(paths::solution(id)) { (outcome_badge(outcome)) } }
            None => { span.muted { "nothing yet" } }
        }
    }
}

pub struct TaskOverviewView<'a> {
    pub is_admin: bool,
    pub task_id: i64,
    pub task_slug: &'a str,
    pub task_title: &'a str,
    pub group: &'a str,
    pub student: &'a str,
    pub groups: Vec<(String, String)>,
    pub rows: &'a [StandingRow],
    pub total: i64,
    pub passed: i64,
    pub page: i64,
    pub pages: i64,
    pub base_url: &'a str,
    /// The fields whose repository value staff overrode.
    pub overridden: &'a [&'static str],
    pub extensions: &'a [ExtensionLine],
    pub csrf_token: &'a str,
    /// The task's re-test batches, newest first.
    pub retests: &'a [BatchLine],
    /// The task's latest plagiarism check.
    pub last_check: Option<LastCheck>,
}

/// What the overview says about a task's latest plagiarism check (INLOOP's banner).
pub struct LastCheck {
    pub id: i64,
    pub when: String,
    pub state: &'static str,
    pub pairs: i64,
    pub confirmed: i64,
    pub undecided: i64,
}

pub fn task_overview(view: &TaskOverviewView<'_>) -> Markup {
    let address = paths::staff::task_overview(view.task_id);
    html! {
        (staff_nav(paths::staff::SOLUTIONS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::SOLUTIONS) { "Solutions" } " › " span aria-current="page" { (view.task_title) }
        }
        h1 { (view.task_title) }
        p {
            a href=(paths::task(view.task_slug)) { "The task as students see it" } " · "
            a href=(format!("{}?task={}", paths::staff::SOLUTIONS, view.task_id)) { "Every solution of this task" } " · "
            a href=(paths::staff::task_settings(view.task_id)) { "Settings" } " · "
            a href=(paths::staff::plagiarism_for_task(view.task_id)) { "Check for plagiarism" }
        }
        @if let Some(check) = &view.last_check {
            p.last-check {
                "Last plagiarism check: " (check.when) ", " (check.state) " — "
                (check.pairs) " pair(s) found, " (check.confirmed) " confirmed, " (check.undecided) " undecided. "
                a href=(paths::staff::plagiarism_check(check.id)) { "See the check" }
            }
        }
        p.downloads {
            "Download as a zip: "
            a href=(paths::staff::task_download(view.task_id, false)) download { "every student's latest solution" } " · "
            a href=(paths::staff::task_download(view.task_id, true)) download { "every student's latest passed solution" }
            " (" (view.passed) " passed)"
        }
        @if !view.overridden.is_empty() {
            p.flash.flash-info {
                "Overridden here, not from the repository: " (view.overridden.join(", ")) ". "
                a href=(paths::staff::task_settings(view.task_id)) { "Change" }
            }
        }
        form.filters role="search" method="get" action=(address)
            hx-get=(address) hx-trigger="change, input changed delay:300ms from:#field-student"
            hx-target="#standing-results" hx-select="#standing-results" hx-swap="outerHTML" hx-push-url="true" {
            (Select { name: "group", label: "Group", options: view.groups.clone(), selected: Some(view.group), error: None, help: None }.render())
            (Field { name: "student", label: "Student", kind: "search", value: view.student,
                     placeholder: Some("name, user name or matriculation number"), maxlength: Some(100), ..Field::default() }.render())
            div.actions { button.primary type="submit" { "Show" } }
        }
        div #standing-results {
            p.muted role="status" { (view.total) " student(s); " (view.passed) " of them passed" }
            @if !view.rows.is_empty() {
                table.data {
                    thead { tr {
                        th scope="col" { "Student" } th scope="col" { "Name" } th scope="col" { "Matr. no." }
                        th scope="col" { "Solutions" } th scope="col" { "Latest" } th scope="col" { "Submitted" } th scope="col" { "First passed" }
                    } }
                    tbody {
                        @for row in view.rows {
                            tr {
                                td { a href=(paths::staff::user(row.user_id)) { (row.username) } }
                                td { (row.name) }
                                td { (row.matriculation_number) }
                                td { (row.attempts) }
                                td { (latest_cell(row)) }
                                td { @if let Some(at) = &row.latest_at { (at) } }
                                td { @if let Some(at) = &row.first_passed { (at) } @else { span.muted { "not yet" } } }
                            }
                        }
                    }
                }
            }
            (pagination(view.base_url, view.page, view.pages))
        }
        section aria-labelledby="retests-heading" {
            h2 #retests-heading { "Re-tests" }
            (start_form(view.csrf_token, view.task_id,
                        view.retests.iter().find(|batch| batch.state.is_open()).map(|batch| batch.id)))
            (batch_list(view.retests))
        }
        @if !view.extensions.is_empty() {
            section aria-labelledby="extensions-heading" {
                h2 #extensions-heading { "Extensions" }
                (extension_table("", view.extensions, true))
            }
        }
    }
}

/// A student's tasks and latest solutions, for the bottom of their account page.
pub fn student_work(
    username: &str,
    tasks: &[StandingRow],
    solutions: &[FoundRow],
    more: i64,
) -> Markup {
    html! {
        section aria-labelledby="work-heading" {
            h2 #work-heading { "Tasks" }
            @if tasks.is_empty() {
                p.muted { "There are no tasks yet." }
            } @else {
                table.data {
                    thead { tr {
                        th scope="col" { "Task" } th scope="col" { "Solutions" } th scope="col" { "Latest" }
                        th scope="col" { "Submitted" } th scope="col" { "First passed" }
                    } }
                    tbody {
                        @for row in tasks {
                            tr {
                                td { a href=(paths::staff::task_overview(row.task_id)) { (row.task_title) } }
                                td { (row.attempts) }
                                td { (latest_cell(row)) }
                                td { @if let Some(at) = &row.latest_at { (at) } }
                                td { @if let Some(at) = &row.first_passed { (at) } @else { span.muted { "not yet" } } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="solutions-heading" {
            h2 #solutions-heading { "Solutions, newest first" }
            @if solutions.is_empty() {
                p.muted { "No solutions yet." }
            } @else {
                table.data {
                    thead { tr { th scope="col" { "Solution" } th scope="col" { "Task" } th scope="col" { "Submitted" } th scope="col" { "Result" } } }
                    tbody {
                        @for row in solutions {
                            tr {
                                td { a href=(paths::solution(row.id)) { "#" (row.id) } span.muted { " (#" (row.number) ")" } }
                                td { a href=(paths::staff::task_overview(row.task_id)) { (row.task_title) } }
                                td { (row.submitted) }
                                td { (outcome_badge(row.outcome)) }
                            }
                        }
                    }
                }
                @if more > 0 {
                    p { a href=(format!("{}?student={}", paths::staff::SOLUTIONS, crate::http::url_encode(username))) { "All " (more + solutions.len() as i64) " solutions" } }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use inloop_plugin_api::report::Verdict;

    use super::*;

    #[test]
    fn the_solution_list_keeps_what_was_typed_and_marks_what_cannot_be_read() {
        let query = SolutionQuery {
            task: "3".into(),
            student: "Ada".into(),
            from: "someday".into(),
            outcome: "passed".into(),
            ..SolutionQuery::default()
        };
        let problems = [FilterProblem {
            field: "from",
            message: "'someday' is not a date like 2026-10-01".into(),
        }];
        let choices = FilterChoices {
            tasks: vec![(String::new(), "any".into()), ("3".into(), "Basics › Counter".into())],
            categories: vec![(String::new(), "any".into())],
            groups: vec![(String::new(), "any".into())],
        };
        let rows = [FoundRow {
            id: 17,
            number: 2,
            submitted: "01-12-2026 10:00 CET".into(),
            outcome: Outcome::Verdict(Verdict::Passed),
            task_id: 3,
            task_title: "Counter".into(),
            author_id: 5,
            username: "ada".into(),
            name: "Ada Lovelace".into(),
            matriculation_number: "4711".into(),
        }];
        let view = SolutionsView {
            is_admin: false,
            query: &query,
            problems: &problems,
            choices: &choices,
            rows: &rows,
            total: 1,
            page: 1,
            pages: 1,
            base_url: "/staff/solutions?task=3",
            retest_task: Some(3),
            csrf_token: "token",
        };
        insta::assert_snapshot!("staff_solutions", crate::views::snapshot_html(solutions(&view)));
    }
}
