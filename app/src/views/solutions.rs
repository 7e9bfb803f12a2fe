//! Submitting, and a solution's status, result and files.

use inloop_plugin_api::report::{Report, TestStatus, Verdict};
use maud::{Markup, html};

use super::{components::csrf_field, tasks::When};
use crate::{db::solutions::SolutionStatus, paths};

pub struct SubmitFormView<'a> {
    pub slug: &'a str,
    pub csrf_token: &'a str,
    pub patterns: &'a [String],
    /// `(used, limit)` when the task has a limit.
    pub usage: Option<(i64, i64)>,
    /// Why submitting is not possible now, if it is not.
    pub closed: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// A plain upload form: it works without JavaScript.
pub fn submit_form(view: &SubmitFormView<'_>) -> Markup {
    let accept =
        view.patterns.iter().filter_map(|p| p.strip_prefix('*')).collect::<Vec<_>>().join(",");
    html! {
        section.submit #submit aria-labelledby="submit-heading" {
            h3 #submit-heading { "Upload your files" }
            @if let Some(error) = view.error { div.form-error role="alert" { (error) } }
            @if let Some(closed) = view.closed {
                p.flash.flash-warning { (closed) }
            } @else {
                form method="post" action=(paths::task_submit(view.slug)) enctype="multipart/form-data" {
                    (csrf_field(view.csrf_token))
                    div.field {
                        label for="field-files" { "Files" }
                        input #field-files type="file" name="files" multiple required accept=[(!accept.is_empty()).then_some(accept.as_str())]
                            aria-describedby="field-files-help";
                        div.help #field-files-help {
                            @if view.patterns.is_empty() { "Choose one or more files." } @else { "Files matching " (view.patterns.join(", ")) "." }
                        }
                    }
                    button.primary type="submit" {
                        "Submit"
                        @if let Some((used, limit)) = view.usage { " (" (used) "/" (limit) ")" }
                    }
                }
            }
        }
    }
}

pub struct TestRow {
    pub name: String,
    pub status: TestStatus,
    pub message: Option<String>,
    pub details: Option<String>,
    pub duration_ms: Option<u64>,
}

pub struct ResultView {
    pub verdict: Verdict,
    pub tests: Vec<TestRow>,
    pub feedback: Option<String>,
    pub notes: Vec<String>,
    pub console: String,
    pub truncated: bool,
    pub duration_ms: i32,
}

impl ResultView {
    /// A stored run's result, as the page shows it.
    pub fn of(report: Report, console: String, truncated: bool, duration_ms: i32) -> ResultView {
        ResultView {
            verdict: report.verdict,
            tests: report
                .tests
                .into_iter()
                .map(|test| TestRow {
                    name: test.name,
                    status: test.status,
                    message: test.message,
                    details: test.details,
                    duration_ms: test.duration_ms,
                })
                .collect(),
            feedback: report.feedback,
            notes: report.notes,
            console,
            truncated,
            duration_ms,
        }
    }
}

/// The tests of a run that is still going: how many will run, and those that finished.
pub struct ProgressView {
    pub planned: Option<u32>,
    /// `(test, status)` in the order they finished.
    pub finished: Vec<(String, TestStatus)>,
}

/// Finished tests listed while a run goes on; the rest are counted.
const PROGRESS_LISTED: usize = 30;

pub enum StatusView {
    Waiting {
        position: i64,
    },
    Running {
        stage: &'static str,
        progress: Option<ProgressView>,
    },
    Error {
        message: String,
    },
    Done(ResultView),
    /// Stored while feedback was off (exam mode); it is never tested.
    Saved,
}

impl StatusView {
    /// Nothing more will happen to the solution.
    pub fn is_final(&self) -> bool {
        matches!(self, StatusView::Done(_) | StatusView::Error { .. } | StatusView::Saved)
    }
}

/// The part of a solution's page that changes while it is graded. While not final it asks for
/// itself again (htmx) and, without JavaScript, the page reloads itself.
pub fn status(solution_id: i64, status: &StatusView) -> Markup {
    let final_state = status.is_final();
    // Scripts and tests read the final state here; a saved solution has no verdict but is final.
    let verdict = match status {
        StatusView::Done(result) => Some(result.verdict.as_str()),
        StatusView::Error { .. } => Some(Verdict::SystemError.as_str()),
        StatusView::Saved => Some("saved"),
        _ => None,
    };
    let url = paths::solution_status(solution_id);
    html! {
        section #solution-status.solution-status aria-live="polite"
            data-verdict=[verdict]
            hx-get=[(!final_state).then_some(url.as_str())]
            hx-trigger=[(!final_state).then_some("every 5s")]
            hx-swap=[(!final_state).then_some("outerHTML")] {
            @match status {
                StatusView::Waiting { position } => {
                    (check_again())
                    p.status.waiting { span.spinner aria-hidden="true" {} "Waiting to be tested"
                        @if *position > 0 { " (" (position) " ahead)" } "…" }
                }
                StatusView::Running { stage, progress } => {
                    (check_again())
                    p.status.running { span.spinner aria-hidden="true" {} (stage) "…" }
                    @if let Some(progress) = progress { (test_progress(progress)) }
                }
                StatusView::Error { message } => {
                    p.verdict.verdict-system_error { (message) }
                }
                StatusView::Saved => {
                    p.verdict.verdict-saved {
                        strong { "Saved." }
                        " Solutions are not tested while the course gives no feedback (during an exam, for example). Your files are stored, and staff can see them."
                    }
                }
                StatusView::Done(result) => {
                    p class=(format!("verdict verdict-{}", result.verdict.as_str())) {
                        strong { (result.verdict.describe()) }
                        " " span.muted { "(" (result.duration_ms) " ms)" }
                    }
                    @if !result.tests.is_empty() {
                        @let passed = result.tests.iter().filter(|t| t.status == TestStatus::Passed).count();
                        h3 { "Tests: " (passed) " of " (result.tests.len()) " passed" }
                        table.data.tests {
                            thead { tr { th scope="col" { "Test" } th scope="col" { "Result" } th scope="col" { "Message" } } }
                            tbody {
                                // What needs fixing first; the report's order within each group.
                                @for test in failing_first(&result.tests) {
                                    tr class=(format!("test-{}", test.status.as_str())) {
                                        td { code { (test.name) } }
                                        td { (test.status.as_str()) @if let Some(ms) = test.duration_ms { " " span.muted { "(" (ms) " ms)" } } }
                                        td {
                                            @if let Some(message) = &test.message { (message) }
                                            @if let Some(details) = &test.details {
                                                details { summary { "Details" } pre { (details) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(feedback) = &result.feedback {
                        h3 { "Messages" }
                        pre.feedback { (feedback) }
                    }
                    @for note in &result.notes { p.flash.flash-info { (note) } }
                    h3 { "Console output" }
                    @if result.console.trim().is_empty() { p.muted { "Nothing to show here." } } @else { pre.console { (result.console) } }
                }
            }
        }
    }
}

/// Without JavaScript nothing updates by itself (a page that reloads on its own is hard to use
/// with a screen reader or a magnifier): a link reloads the page when the reader wants.
pub fn check_again() -> Markup {
    html! {
        noscript { p { a.check-again href="" { "Check again" } " — reload this page to see how far it is." } }
    }
}

fn failing_first(tests: &[TestRow]) -> Vec<&TestRow> {
    let mut ordered: Vec<&TestRow> = tests.iter().collect();
    ordered.sort_by_key(|test| match test.status {
        TestStatus::Failed | TestStatus::Error => 0,
        TestStatus::Passed => 1,
        TestStatus::Skipped => 2,
    });
    ordered
}

fn test_progress(progress: &ProgressView) -> Markup {
    let done = progress.finished.len();
    let failing = progress.finished.iter().filter(|(_, status)| status.is_failing()).count();
    let hidden = done.saturating_sub(PROGRESS_LISTED);
    html! {
        div.test-progress {
            @if let Some(planned) = progress.planned {
                progress #test-progress-bar max=(planned.max(1)) value=(done) aria-describedby="test-progress-text" {}
                " " span #test-progress-text { (done) " of " (planned) " tests done" }
            } @else {
                span #test-progress-text { (done) " tests done" }
            }
            @if failing > 0 { " " span.progress-failing { "(" (failing) " not passed so far)" } }
            @if done > 0 {
                ol.test-ticker aria-label="Finished tests" start=(hidden + 1) {
                    @for (name, status) in progress.finished.iter().skip(hidden) {
                        li class=(format!("test-{}", status.as_str())) {
                            span.test-mark aria-hidden="true" { (status_mark(*status)) }
                            code { (name) } " " span.visually-hidden { (status.as_str()) }
                        }
                    }
                }
            }
        }
    }
}

fn status_mark(status: TestStatus) -> &'static str {
    match status {
        TestStatus::Passed => "✓",
        TestStatus::Skipped => "–",
        TestStatus::Failed | TestStatus::Error => "✗",
    }
}

/// The status, kept current over SSE while it can still change: each event swaps it in place,
/// the `done` event closes the stream for good (a stream that just ended would be opened again
/// by the browser), and its own polling is the fallback. A final status opens no stream.
pub fn live_status(solution_id: i64, current: &StatusView) -> Markup {
    html! {
        @if current.is_final() {
            div.solution-live { (status(solution_id, current)) }
        } @else {
            div.solution-live hx-ext="sse" sse-connect=(paths::solution_events(solution_id)) sse-swap="status" sse-close=(STREAM_DONE) hx-swap="innerHTML" {
                (status(solution_id, current))
            }
        }
    }
}

/// The event that ends a solution's live stream.
pub const STREAM_DONE: &str = "done";

pub struct FileView {
    pub name: String,
    pub size: usize,
    pub text: String,
}

pub struct SolutionPageView<'a> {
    pub solution_id: i64,
    pub number: i32,
    pub task_slug: &'a str,
    pub task_title: &'a str,
    pub submitted: When,
    pub author: Option<&'a str>,
    pub status: StatusView,
    pub files: &'a [FileView],
    pub attempts: Vec<String>,
    /// For staff, when the solution could not be tested: the token of the form that has it
    /// tested again.
    pub test_again: Option<&'a str>,
}

pub fn solution_page(view: &SolutionPageView<'_>) -> Markup {
    html! {
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::task(view.task_slug)) { (view.task_title) } " › "
            a href=(paths::task_solutions(view.task_slug)) { "Solutions" } " › "
            span aria-current="page" { "#" (view.number) }
        }
        h1 { "Solution #" (view.number) " for " (view.task_title) }
        @if let Some(author) = view.author { p.flash.flash-info { "You are viewing a solution by " strong { (author) } "." } }
        p.muted { "Submitted " (super::tasks::when(&view.submitted)) }
        (live_status(view.solution_id, &view.status))
        @if let Some(token) = view.test_again {
            form.test-again method="post" action=(paths::staff::solution_test_again(view.solution_id)) {
                (csrf_field(token))
                button type="submit" { "Test again" }
                span.help { " It could not be tested; its old result stays in its history." }
            }
        }
        section.files {
            h2 { "Files" }
            p { a href=(paths::solution_download(view.solution_id)) download { "Download as zip" } }
            @for file in view.files {
                details open {
                    summary { code { (file.name) } " " span.muted { "(" (file.size) " bytes)" } }
                    pre.source { code class=[language_class(&file.name)] { (file.text) } }
                }
            }
        }
        @if !view.attempts.is_empty() {
            section.attempts {
                h2 { "Grading attempts" }
                ul { @for attempt in &view.attempts { li { (attempt) } } }
            }
        }
    }
}

/// The highlighting class for a file name, where the language is known.
fn language_class(name: &str) -> Option<&'static str> {
    match name.rsplit('.').next()? {
        "java" => Some("language-java"),
        "py" => Some("language-python"),
        "c" | "h" => Some("language-c"),
        "kt" => Some("language-kotlin"),
        _ => None,
    }
}

pub struct ListedSolution {
    pub id: i64,
    pub number: i32,
    pub submitted: When,
    pub status: SolutionStatus,
    pub verdict: Option<Verdict>,
}

impl ListedSolution {
    /// Its result in a word or two.
    fn label(&self) -> &'static str {
        match (self.status, self.verdict) {
            (_, Some(verdict)) => verdict.label(),
            (SolutionStatus::Error, None) => "could not be tested",
            (SolutionStatus::Saved, None) => "saved, not tested",
            _ => "being tested",
        }
    }
}

pub fn solution_list(
    task_slug: &str,
    task_title: &str,
    solutions: &[ListedSolution],
    pagination: Markup,
) -> Markup {
    html! {
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::task(task_slug)) { (task_title) } " › " span aria-current="page" { "My solutions" }
        }
        h1 { "My solutions for " (task_title) }
        @if solutions.is_empty() {
            p.muted { "You haven't submitted anything yet." }
        } @else {
            table.data.solutions {
                thead { tr { th scope="col" { "#" } th scope="col" { "Submitted" } th scope="col" { "Result" } } }
                tbody {
                    @for solution in solutions {
                        tr {
                            td { a href=(paths::solution(solution.id)) { "#" (solution.number) } }
                            td { (super::tasks::when(&solution.submitted)) }
                            td data-verdict=[solution.verdict.map(Verdict::as_str)] {
                                span class=(format!("badge verdict-{}", solution.verdict.map_or("pending", Verdict::as_str))) { (solution.label()) }
                            }
                        }
                    }
                }
            }
            (pagination)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::snapshot_html;

    #[test]
    fn the_status_fragment_in_each_state() {
        let html = |status: &StatusView| snapshot_html(self::status(7, status));
        insta::assert_snapshot!("status_waiting", html(&StatusView::Waiting { position: 3 }));
        insta::assert_snapshot!(
            "status_running",
            html(&StatusView::Running {
                stage: "Running the tests",
                progress: Some(ProgressView {
                    planned: Some(3),
                    finished: vec![("counts up".to_owned(), TestStatus::Passed)],
                }),
            })
        );
        insta::assert_snapshot!(
            "status_error",
            html(&StatusView::Error { message: "This solution could not be tested.".to_owned() })
        );
        insta::assert_snapshot!("status_saved", html(&StatusView::Saved));
        let result = ResultView {
            verdict: Verdict::Failed,
            tests: vec![
                TestRow {
                    name: "counts up".to_owned(),
                    status: TestStatus::Passed,
                    message: None,
                    details: None,
                    duration_ms: Some(4),
                },
                TestRow {
                    name: "counts <down>".to_owned(),
                    status: TestStatus::Failed,
                    message: Some("expected: <1> but was: <2>".to_owned()),
                    details: Some("at CounterTest.java:12".to_owned()),
                    duration_ms: None,
                },
            ],
            feedback: None,
            notes: vec!["Output was cut at 64 KB.".to_owned()],
            console: "hello ␀ world".to_owned(),
            truncated: true,
            duration_ms: 812,
        };
        insta::assert_snapshot!("status_done", html(&StatusView::Done(result)));
    }
}
