//! Re-test batches: the form that starts one, a task's batches, and a batch's page (its
//! progress while it runs, then the changed verdicts to review and apply).

use inloop_plugin_api::report::Verdict;
use maud::{Markup, html};

use super::{
    super::components::{csrf_field, pagination},
    staff_nav,
};
use crate::{
    paths,
    retest::{Scope, State},
    views::solutions::{StatusView, check_again, status},
};

/// A batch as its page and lists show it.
pub struct BatchLine {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub scope: Scope,
    pub state: State,
    pub revision: String,
    pub started: String,
    pub finished: Option<String>,
    pub decided: Option<String>,
    pub total: i64,
    pub graded: i64,
    pub failed: i64,
    pub changed: i64,
}

impl BatchLine {
    fn done(&self) -> i64 {
        self.graded + self.failed
    }
}

fn verdict_badge(verdict: Option<Verdict>) -> Markup {
    match verdict {
        Some(verdict) => html! {
            span class=(format!("badge verdict-{}", verdict.as_str())) { (verdict.label()) }
        },
        None => html! { span.muted { "none" } },
    }
}

/// The form on a task's overview that starts a batch.
pub fn start_form(csrf_token: &str, task_id: i64, open: Option<i64>) -> Markup {
    html! {
        @if let Some(open) = open {
            p { "A re-test of this task is open: " a href=(paths::staff::retest(open)) { "see it" } "." }
        } @else {
            form.start-retest method="post" action=(paths::staff::task_retests(task_id)) {
                (csrf_field(csrf_token))
                fieldset {
                    legend { "Test again at the task's current revision" }
                    @for scope in [Scope::Latest, Scope::All, Scope::Untested] {
                        div.checkbox {
                            input id=(format!("scope-{}", scope.as_str())) type="radio" name="scope"
                                value=(scope.as_str()) checked[scope == Scope::Latest];
                            label for=(format!("scope-{}", scope.as_str())) { (scope.label()) }
                        }
                    }
                    p.muted {
                        "The new results wait for you to review them; students see nothing until you apply them. "
                        "Re-tests run behind students' own submissions."
                    }
                    div.actions { button.primary type="submit" { "Start the re-test" } }
                }
            }
        }
    }
}

/// A task's batches, newest first.
pub fn batch_list(batches: &[BatchLine]) -> Markup {
    html! {
        @if !batches.is_empty() {
            table.data.retests {
                thead { tr {
                    th scope="col" { "Started" } th scope="col" { "Of" } th scope="col" { "State" }
                    th scope="col" { "Tested" } th scope="col" { "Changed" }
                } }
                tbody {
                    @for batch in batches {
                        tr {
                            td { a href=(paths::staff::retest(batch.id)) { (batch.started) } }
                            td { (batch.scope.label()) }
                            td { (batch.state.label()) }
                            td { (batch.done()) " of " (batch.total) }
                            td { (batch.changed) }
                        }
                    }
                }
            }
        }
    }
}

/// One solution of the review table.
pub struct ItemLine {
    pub solution_id: i64,
    pub number: i32,
    pub username: String,
    pub old_verdict: Option<Verdict>,
    /// `None` while it waits or runs, or when it could not be tested.
    pub new_verdict: Option<Verdict>,
    pub could_not_test: bool,
}

pub struct BatchView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub batch: &'a BatchLine,
    pub items: &'a [ItemLine],
    pub only_changed: bool,
    pub page: i64,
    pub pages: i64,
}

/// How far the batch has come.
fn progress(view: &BatchView<'_>) -> Markup {
    let batch = view.batch;
    let running = batch.state == State::Running;
    html! {
        div #retest-progress {
            @if running { (check_again()) }
            p role="status" {
                strong { (batch.state.label()) } ": " (batch.done()) " of " (batch.total) " tested"
                @if batch.failed > 0 { ", " (batch.failed) " could not be tested" }
                @if batch.state != State::Running { "; " (batch.changed) " verdict(s) would change" }
            }
            progress max=(batch.total.max(1)) value=(batch.done()) aria-label="Solutions tested" {
                (batch.done()) " of " (batch.total)
            }
        }
    }
}

pub fn batch(view: &BatchView<'_>) -> Markup {
    let batch = view.batch;
    html! {
        (staff_nav(paths::staff::SOLUTIONS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::SOLUTIONS) { "Solutions" } " › "
            a href=(paths::staff::task_overview(batch.task_id)) { (batch.task_title) } " › "
            span aria-current="page" { "Re-test" }
        }
        h1 { "Re-test of " (batch.task_title) }
        // Everything below the heading updates while the batch runs: when it ends, the decision
        // and the changed verdicts arrive with the last swap.
        (live_part(view))
    }
}

fn live_part(view: &BatchView<'_>) -> Markup {
    let batch = view.batch;
    let address = paths::staff::retest(batch.id);
    let running = batch.state == State::Running;
    // The swap keeps what the page lists.
    let this_page = match (view.only_changed, view.page) {
        (true, 1) => address.clone(),
        (true, page) => format!("{address}?page={page}"),
        (false, page) => format!("{address}?all=1&page={page}"),
    };
    html! {
        div #retest-live
            hx-get=[running.then_some(&this_page)] hx-trigger=[running.then_some("every 2s")]
            hx-select=[running.then_some("#retest-live")] hx-swap=[running.then_some("outerHTML")] {
        dl.facts {
            dt { "Of" } dd { (batch.scope.label()) }
            dt { "At revision" } dd { code { (batch.revision.get(..12).unwrap_or(&batch.revision)) } }
            dt { "Started" } dd { (batch.started) }
            @if let Some(finished) = &batch.finished { dt { "Finished" } dd { (finished) } }
            @if let Some(decided) = &batch.decided { dt { (batch.state.label()) } dd { (decided) } }
        }
        (progress(view))
        @if batch.state.is_open() {
            div.actions.retest-decision {
                @if batch.state == State::Review {
                    form method="post" action=(paths::staff::retest_apply(batch.id)) {
                        (csrf_field(view.csrf_token))
                        button.primary type="submit" { "Apply the new results" }
                    }
                }
                form method="post" action=(paths::staff::retest_discard(batch.id)) {
                    (csrf_field(view.csrf_token))
                    button.secondary type="submit" { "Discard the re-test" }
                }
            }
            @if batch.state == State::Review {
                p.muted { "Applied, each new result becomes the solution's own; the old one stays in its history." }
            }
        }
        section aria-labelledby="items-heading" {
            h2 #items-heading { @if view.only_changed { "Changed verdicts" } @else { "Every solution" } }
            p {
                @if view.only_changed {
                    a href=(format!("{address}?all=1")) { "Show every solution" }
                } @else {
                    a href=(address) { "Show only changed verdicts" }
                }
            }
            @if view.items.is_empty() {
                p.muted { @if view.only_changed { "No verdict changed (so far)." } @else { "No solutions." } }
            } @else {
                table.data {
                    thead { tr {
                        th scope="col" { "Solution" } th scope="col" { "Student" }
                        th scope="col" { "Verdict now" } th scope="col" { "Re-test" }
                    } }
                    tbody {
                        @for item in view.items {
                            tr {
                                td { a href=(paths::solution(item.solution_id)) { "#" (item.number) } }
                                td { (item.username) }
                                td { (verdict_badge(item.old_verdict)) }
                                td {
                                    @if item.could_not_test { span.muted { "could not be tested" } }
                                    @else if item.new_verdict.is_none() { span.muted { "waiting" } }
                                    @else { (verdict_badge(item.new_verdict)) }
                                    @if item.new_verdict.is_some() || item.could_not_test {
                                        " " a href=(paths::staff::retest_result(batch.id, item.solution_id)) { "new result" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(&if view.only_changed { address.clone() } else { format!("{address}?all=1") }, view.page, view.pages))
        }
        }
    }
}

pub struct ItemResultView<'a> {
    pub is_admin: bool,
    pub retest_id: i64,
    pub solution_id: i64,
    pub number: i32,
    pub username: &'a str,
    pub task_title: &'a str,
    /// The new result, as a solution's status shows it.
    pub result: &'a StatusView,
}

/// A solution's new result in a batch, beside a link to what it has now.
pub fn item_result(view: &ItemResultView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::SOLUTIONS, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::SOLUTIONS) { "Solutions" } " › "
            a href=(paths::staff::retest(view.retest_id)) { "Re-test of " (view.task_title) } " › "
            span aria-current="page" { (view.username) "'s #" (view.number) }
        }
        h1 { "Re-test of " (view.username) "'s solution #" (view.number) }
        p { a href=(paths::solution(view.solution_id)) { "The solution and the result it has now" } }
        (status(view.solution_id, view.result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_in_review_lists_the_verdicts_that_change() {
        let batch = BatchLine {
            id: 4,
            task_id: 3,
            task_title: "Squares".into(),
            scope: Scope::Latest,
            state: State::Review,
            revision: "0123456789abcdef0123".into(),
            started: "01-12-2026 10:00 CET by ta".into(),
            finished: Some("01-12-2026 10:04 CET".into()),
            decided: None,
            total: 240,
            graded: 238,
            failed: 2,
            changed: 17,
        };
        let items = [
            ItemLine {
                solution_id: 90,
                number: 3,
                username: "bob".into(),
                old_verdict: Some(Verdict::Passed),
                new_verdict: Some(Verdict::Failed),
                could_not_test: false,
            },
            ItemLine {
                solution_id: 91,
                number: 1,
                username: "eve".into(),
                old_verdict: Some(Verdict::Failed),
                new_verdict: None,
                could_not_test: true,
            },
        ];
        let view = BatchView {
            is_admin: false,
            csrf_token: "token",
            batch: &batch,
            items: &items,
            only_changed: true,
            page: 1,
            pages: 1,
        };
        insta::assert_snapshot!("retest_review", crate::views::snapshot_html(super::batch(&view)));
    }
}
