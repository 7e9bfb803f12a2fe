//! Plagiarism checks: the list with the form that starts one, a check's page (its progress
//! while it runs, then its clusters and pairs), and a pair side by side with the matched code
//! marked and the decision.

use maud::{Markup, html};

use super::{
    super::components::{csrf_field, pagination},
    staff_nav,
};
use crate::{
    paths,
    plagiarism::{Basis, CheckState, DEFAULT_THRESHOLD_PERCENT, Decision, Piece, Stage},
    views::solutions::check_again,
};

/// A check as the list and its page show it.
pub struct CheckLine {
    pub id: i64,
    pub task_id: i64,
    pub task_title: String,
    pub basis: Basis,
    pub threshold_percent: u32,
    pub state: CheckState,
    pub cancel_requested: bool,
    pub stage: Option<Stage>,
    pub steps_done: i64,
    pub steps_total: i64,
    pub started: String,
    pub finished: Option<String>,
    pub solutions: i32,
    pub pairs_screened: i64,
    pub pairs_compared: i32,
    pub candidates_capped: bool,
    pub capped_solutions: i32,
    pub message: String,
    pub pairs: i64,
    pub confirmed: i64,
    pub undecided: i64,
}

/// What the start form offers: tasks by category.
pub struct TaskGroup {
    pub category: String,
    pub tasks: Vec<(i64, String)>,
}

pub struct ListView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub groups: &'a [TaskGroup],
    /// The task the form starts with (from a task's overview).
    pub chosen: Option<i64>,
    pub checks: &'a [CheckLine],
    pub page: i64,
    pub pages: i64,
}

fn state_badge(check: &CheckLine) -> Markup {
    let class = match check.state {
        CheckState::Done => "badge verdict-passed",
        CheckState::Failed => "badge verdict-system_error",
        CheckState::Cancelled => "badge",
        CheckState::Queued | CheckState::Running => "badge",
    };
    html! { span class=(class) { (check.state.label()) } }
}

pub fn list(view: &ListView<'_>) -> Markup {
    html! {
        (staff_nav(paths::staff::PLAGIARISM, view.is_admin))
        h1 { "Plagiarism checks" }
        p {
            "A check compares the students' solutions of a task with each other, with renamed "
            "names, reordered methods, comments and layout seen through; the task's templates and "
            "its reference solution do not count as copied. You decide about each pair it finds: a "
            "confirmed pair counts as not passed for both students in the grade export."
        }
        (start_form(view))
        h2 { "Checks" }
        @if view.checks.is_empty() {
            p.muted { "No check yet." }
        } @else {
            table.data.checks {
                thead { tr {
                    th scope="col" { "Task" } th scope="col" { "Started" } th scope="col" { "State" }
                    th scope="col" { "Solutions" } th scope="col" { "Pairs found" } th scope="col" { "Undecided" }
                    th scope="col" { "Confirmed" }
                } }
                tbody {
                    @for check in view.checks {
                        tr {
                            td { a href=(paths::staff::plagiarism_check(check.id)) { (check.task_title) } }
                            td { (check.started) }
                            td { (state_badge(check)) }
                            td { (check.solutions) }
                            td { (check.pairs) }
                            td { (check.undecided) }
                            td { (check.confirmed) }
                        }
                    }
                }
            }
            (pagination(paths::staff::PLAGIARISM, view.page, view.pages))
        }
    }
}

fn start_form(view: &ListView<'_>) -> Markup {
    html! {
        form.start-check method="post" action=(paths::staff::PLAGIARISM) {
            (csrf_field(view.csrf_token))
            fieldset {
                legend { "Start a check" }
                div.field {
                    label for="target" { "Task" }
                    select #target name="target" required aria-describedby="target-help" {
                        @for group in view.groups {
                            optgroup label=(group.category) {
                                option value=(format!("category:{}", group.category)) {
                                    "Every task of " (group.category)
                                }
                                @for (id, title) in &group.tasks {
                                    option value=(format!("task:{id}")) selected[view.chosen == Some(*id)] { (title) }
                                }
                            }
                        }
                    }
                    p.help #target-help { "A whole category starts one check per task." }
                }
                fieldset.choices {
                    legend { "Compare" }
                    @for basis in Basis::ALL {
                        div.checkbox {
                            input id=(format!("basis-{}", basis.as_str())) type="radio" name="basis"
                                value=(basis.as_str()) checked[basis == Basis::LastPassed];
                            label for=(format!("basis-{}", basis.as_str())) { (basis.label()) }
                        }
                    }
                }
                div.field {
                    label for="threshold" { "Report pairs from this similarity (%)" }
                    input #threshold type="number" name="threshold" min="10" max="100" step="1"
                        value=(DEFAULT_THRESHOLD_PERCENT) required aria-describedby="threshold-help";
                    p.help #threshold-help {
                        "The share of each pair's code that matches. " (DEFAULT_THRESHOLD_PERCENT)
                        " % finds the disguised copies of our test corpora and none of their independent solutions."
                    }
                }
                div.actions { button.primary type="submit" { "Start the check" } }
            }
        }
    }
}

/// Two students' solutions in a pair line.
pub struct SideLine {
    pub solution_id: i64,
    pub number: i32,
    pub user_id: i64,
    pub username: String,
    pub name: String,
}

pub struct PairLine {
    pub id: i64,
    pub a: SideLine,
    pub b: SideLine,
    pub similarity_percent: u32,
    pub max_similarity_percent: u32,
    pub cut_short: bool,
    pub cluster: Option<i32>,
    pub decision: Option<Decision>,
}

/// More than two students whose solutions are alike.
pub struct ClusterLine {
    pub number: i32,
    pub members: Vec<SideLine>,
    pub mean_percent: u32,
    pub pairs: usize,
}

pub struct CheckView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub check: &'a CheckLine,
    pub clusters: &'a [ClusterLine],
    pub pairs: &'a [PairLine],
    pub page: i64,
    pub pages: i64,
}

pub fn check(view: &CheckView<'_>) -> Markup {
    let check = view.check;
    html! {
        (staff_nav(paths::staff::PLAGIARISM, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::PLAGIARISM) { "Plagiarism checks" } " › "
            span aria-current="page" { (check.task_title) }
        }
        h1 { "Plagiarism check of " (check.task_title) }
        // While the check runs, everything below the heading is replaced every two seconds, so
        // that the results arrive without a reload.
        (live_part(view))
    }
}

fn live_part(view: &CheckView<'_>) -> Markup {
    let check = view.check;
    let open = check.state.is_open();
    let address = paths::staff::plagiarism_check(check.id);
    html! {
        div #check-live
            hx-get=[open.then_some(&address)] hx-trigger=[open.then_some("every 2s")]
            hx-select=[open.then_some("#check-live")] hx-swap=[open.then_some("outerHTML")] {
            p {
                "Compared: " (check.basis.label()) "; pairs from " (check.threshold_percent) " % similarity. Started "
                (check.started)
                @if let Some(finished) = &check.finished { ", ended " (finished) }
                "."
            }
            @if open {
                (progress(view))
            } @else if check.state == CheckState::Failed {
                div.form-error role="alert" { (check.message) }
            } @else if check.state == CheckState::Cancelled {
                p role="status" { "This check was cancelled before it finished." }
            } @else {
                (results(view))
            }
        }
    }
}

fn progress(view: &CheckView<'_>) -> Markup {
    let check = view.check;
    let stage = check.stage.map_or("Waiting for a server to start it", |stage| stage.label());
    let (done, total) = (check.steps_done.max(0), check.steps_total.max(0));
    html! {
        (check_again())
        p role="status" {
            strong { (check.state.label()) } ": " (stage)
            @if total > 0 { " (" (done) " of " (total) ")" }
            @if check.cancel_requested { "; stopping" }
            "."
        }
        @if total > 0 {
            progress max=(total) value=(done.min(total)) aria-label=(stage) { (done) " of " (total) }
        } @else {
            progress aria-label=(stage) {}
        }
        @if !check.cancel_requested {
            form method="post" action=(paths::staff::plagiarism_cancel(check.id)) {
                (csrf_field(view.csrf_token))
                button type="submit" { "Cancel the check" }
            }
        }
    }
}

fn student(side: &SideLine) -> Markup {
    html! {
        a href=(paths::staff::user(side.user_id)) { (side.username) }
        @if !side.name.is_empty() { " " span.muted { "(" (side.name) ")" } }
    }
}

fn decision_badge(decision: Option<Decision>) -> Markup {
    match decision {
        Some(Decision::Confirmed) => html! { span.badge.verdict-failed { "confirmed" } },
        Some(Decision::Dismissed) => html! { span.badge { "dismissed" } },
        None => html! { span.muted { "undecided" } },
    }
}

fn results(view: &CheckView<'_>) -> Markup {
    let check = view.check;
    html! {
        p role="status" {
            (check.solutions) " solutions compared: all " (check.pairs_screened) " pairs screened, "
            (check.pairs_compared) " compared in detail; " strong { (check.pairs) " pair(s) found" } "."
        }
        @if check.solutions < 2 {
            p { "Fewer than two students have a solution of this kind: there is nothing to compare." }
        }
        @if check.candidates_capped {
            p.notice { "More pairs looked alike than a check compares in detail; the least alike were left out. Raise the threshold or look at the task's template." }
        }
        @if check.capped_solutions > 0 {
            p.notice { (check.capped_solutions) " solution(s) were longer than a check reads; only their beginning was compared." }
        }
        @if !view.clusters.is_empty() {
            h2 { "Groups of more than two" }
            ul.clusters {
                @for cluster in view.clusters {
                    li {
                        strong { "Group " (cluster.number) } ": " (cluster.members.len()) " students, "
                        (cluster.pairs) " pairs, " (cluster.mean_percent) " % alike on average — "
                        @for (at, member) in cluster.members.iter().enumerate() {
                            @if at > 0 { ", " }
                            (student(member))
                        }
                    }
                }
            }
        }
        @if !view.pairs.is_empty() {
            h2 { "Pairs, most similar first" }
            table.data.pairs {
                thead { tr {
                    th scope="col" { "Similarity" } th scope="col" { "Student" } th scope="col" { "Student" }
                    th scope="col" { "Group" } th scope="col" { "Decision" } th scope="col" { span.visually-hidden { "Compare" } }
                } }
                tbody {
                    @for pair in view.pairs {
                        tr {
                            td {
                                meter min="0" max="100" value=(pair.similarity_percent) aria-hidden="true" {}
                                " " (pair.similarity_percent) " %"
                                @if pair.cut_short { span.muted title="The comparison was cut short: at least this much." { " or more" } }
                            }
                            td { (student(&pair.a)) }
                            td { (student(&pair.b)) }
                            td { @if let Some(cluster) = pair.cluster { (cluster) } }
                            td { (decision_badge(pair.decision)) }
                            td { a href=(paths::staff::plagiarism_pair(pair.id)) { "Compare " span.visually-hidden { (pair.a.username) " and " (pair.b.username) } } }
                        }
                    }
                }
            }
            (pagination(&paths::staff::plagiarism_check(check.id), view.page, view.pages))
        }
    }
}

/// One file of one side, cut into plain and matched pieces.
pub struct FileView {
    pub name: String,
    /// `None`: a binary file, not shown.
    pub pieces: Option<Vec<Piece>>,
}

pub struct PairView<'a> {
    pub is_admin: bool,
    pub csrf_token: &'a str,
    pub check_id: i64,
    pub task_title: &'a str,
    pub pair: &'a PairLine,
    pub matched_tokens: i32,
    pub regions: usize,
    pub decided: Option<String>,
    pub files_a: &'a [FileView],
    pub files_b: &'a [FileView],
}

/// The files of one side; each matched region links to the same region on the other side.
fn side(prefix: &str, other: &str, side: &SideLine, files: &[FileView]) -> Markup {
    html! {
        section.side aria-label=(format!("Solution #{} of {}", side.number, side.username)) {
            h2 {
                (student(side)) ", "
                a href=(paths::solution(side.solution_id)) { "solution #" (side.number) }
            }
            @for file in files {
                h3.file-name { (file.name) }
                @match &file.pieces {
                    None => p.muted { "A binary file, not shown." },
                    Some(pieces) => pre.source { code {
                        @for piece in pieces {
                            @match piece.region {
                                None => (piece.text),
                                Some(region) => a class=(format!("match-region match-{}", region % 6))
                                    id=(format!("{prefix}-{region}")) href=(format!("#{other}-{region}"))
                                    title=(format!("Match {}: go to the other side", region + 1)) {
                                    (piece.text)
                                },
                            }
                        }
                    } },
                }
            }
        }
    }
}

pub fn pair(view: &PairView<'_>) -> Markup {
    let pair = view.pair;
    html! {
        (staff_nav(paths::staff::PLAGIARISM, view.is_admin))
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::staff::PLAGIARISM) { "Plagiarism checks" } " › "
            a href=(paths::staff::plagiarism_check(view.check_id)) { (view.task_title) } " › "
            span aria-current="page" { (pair.a.username) " and " (pair.b.username) }
        }
        h1 { (pair.a.username) " and " (pair.b.username) ": " (pair.similarity_percent) " % alike" }
        p {
            (view.regions) " matched region(s), " (view.matched_tokens) " matched tokens; "
            (pair.max_similarity_percent) " % of the smaller solution is matched. "
            "Marked code is in both; follow a mark to its counterpart."
            @if pair.cut_short { " The comparison was cut short: the pair is at least this alike." }
        }
        section.decision aria-labelledby="decision-heading" {
            h2 #decision-heading { "Decision" }
            p role="status" {
                (decision_badge(pair.decision))
                @if let Some(decided) = &view.decided { " " span.muted { (decided) } }
            }
            form.decide method="post" action=(paths::staff::plagiarism_decision(pair.id)) {
                (csrf_field(view.csrf_token))
                @if pair.decision != Some(Decision::Confirmed) {
                    button.danger type="submit" name="decision" value="confirmed" { "Confirm plagiarism" }
                }
                @if pair.decision != Some(Decision::Dismissed) {
                    button type="submit" name="decision" value="dismissed" { "Dismiss" }
                }
                @if pair.decision.is_some() {
                    button type="submit" name="decision" value="undecided" { "Undecide" }
                }
            }
            p.help { "Confirmed: the task counts as not passed for both students in the grade export. Every decision goes into the audit log." }
        }
        div.side-by-side {
            (side("a", "b", &pair.a, view.files_a))
            (side("b", "a", &pair.b, view.files_b))
        }
    }
}
