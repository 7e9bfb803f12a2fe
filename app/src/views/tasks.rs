//! Students' task pages: the index of categories, a category's tasks, a task's text.

use maud::{Markup, html};

use crate::paths;

pub struct CategoryRow {
    pub slug: String,
    pub name: String,
    pub description: Markup,
    pub open_tasks: i64,
}

/// The categories a student can see, with how many of their tasks are open.
pub fn index(categories: &[CategoryRow]) -> Markup {
    html! {
        section.task-index aria-labelledby="tasks-heading" {
            h2 #tasks-heading { "Tasks" }
            @if categories.is_empty() {
                p.muted { "There are currently no tasks in the system." }
            } @else {
                ul.categories {
                    @for category in categories {
                        li {
                            a href=(paths::category(&category.slug)) { (category.name) }
                            " " span.muted { "(" (category.open_tasks) " open task" @if category.open_tasks != 1 { "s" } ")" }
                            div.prose { (category.description) }
                        }
                    }
                }
            }
        }
    }
}

/// A moment in time: the site's zone for everyone, the reader's own zone once the script runs.
pub struct When {
    pub iso: String,
    pub text: String,
}

pub fn when(at: &When) -> Markup {
    html! { time datetime=(at.iso) data-local { (at.text) } }
}

pub struct TaskRow {
    pub done: bool,
    pub slug: String,
    pub title: String,
    pub published: bool,
    pub pubdate: When,
    pub deadline: Option<When>,
    pub expired: bool,
    /// The deadline is the student's own, later by an extension.
    pub extended: bool,
    /// Shown to staff: why students do not see the task.
    pub staff_notes: Vec<&'static str>,
    pub group: Option<String>,
}

pub struct CategoryView<'a> {
    pub name: &'a str,
    pub description: Markup,
    pub tasks: &'a [TaskRow],
    /// The "Done" column; hidden in exam mode, where nothing new is tested.
    pub show_done: bool,
}

pub fn category(view: &CategoryView<'_>) -> Markup {
    let any_deadline = view.tasks.iter().any(|task| task.deadline.is_some());
    html! {
        nav.breadcrumbs aria-label="Breadcrumb" { a href=(paths::HOME) { "Tasks" } " › " span aria-current="page" { (view.name) } }
        h1 { (view.name) }
        div.prose { (view.description) }
        @if view.tasks.is_empty() {
            p.muted { "You are lucky! Nothing to do here." }
        } @else {
            table.data.tasks {
                thead { tr {
                    th scope="col" { "Task" }
                    th scope="col" { "Published" }
                    @if any_deadline { th scope="col" { "Deadline" } }
                    @if view.show_done { th scope="col" { "Done" } }
                } }
                tbody {
                    @for task in view.tasks {
                        tr.tasks-unpublished[!task.published] {
                            td {
                                @if task.published || !task.staff_notes.is_empty() {
                                    a href=(paths::task(&task.slug)) { (task.title) }
                                } @else {
                                    (task.title)
                                }
                                @for note in &task.staff_notes { " " span.badge { (note) } }
                                @if let Some(group) = &task.group { " " span.badge { "group " (group) } }
                            }
                            td {
                                @if task.published {
                                    (when(&task.pubdate))
                                } @else {
                                    "opens " time datetime=(task.pubdate.iso) data-countdown { (task.pubdate.text) }
                                }
                            }
                            @if any_deadline {
                                td.expired[task.expired] {
                                    @if let Some(deadline) = &task.deadline {
                                        (when(deadline))
                                        @if task.extended { " " span.badge.extended { "extended for you" } }
                                    } @else { span.muted { "none" } }
                                }
                            }
                            @if view.show_done {
                                td.done {
                                    @if task.done { span.done-mark title="You have a solution that passed" { "✓" span.visually-hidden { " done" } } }
                                    @else { span.visually-hidden { "not done" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub struct TaskView<'a> {
    pub title: &'a str,
    pub category_slug: &'a str,
    pub category_name: &'a str,
    pub text: Markup,
    pub deadline: Option<When>,
    pub expired: bool,
    /// The deadline is the student's own, later by an extension.
    pub extended: bool,
    pub file_patterns: &'a [String],
    /// Listed under the text once the editor holds the student's own files instead.
    pub starter_files: &'a [(String, String)],
    pub staff_notes: Vec<String>,
    /// The text starts with its own `# Title`, which then is the page's heading.
    pub text_has_title: bool,
    pub workbench: Markup,
}

/// The task text beside the workbench (editor, results, upload); one above the other on
/// narrow screens.
pub fn task(view: &TaskView<'_>) -> Markup {
    html! {
        nav.breadcrumbs aria-label="Breadcrumb" {
            a href=(paths::HOME) { "Tasks" } " › "
            a href=(paths::category(view.category_slug)) { (view.category_name) } " › "
            span aria-current="page" { (view.title) }
        }
        @for note in &view.staff_notes { p.flash.flash-info { (note) } }
        div.task-layout {
            article.task {
                header.task-header {
                    @if !view.text_has_title { h1 { (view.title) } }
                    @if let Some(deadline) = &view.deadline {
                        p.deadline.expired[view.expired] {
                            @if view.expired { "The deadline has passed: " } @else { "Deadline: " }
                            (when(deadline))
                            @if !view.expired { " (" time datetime=(deadline.iso) data-countdown="deadline" { "soon" } ")" }
                            @if view.extended { " " span.badge.extended { "extended for you" } }
                        }
                    }
                    @if !view.file_patterns.is_empty() {
                        p.muted { "Files to hand in: " (view.file_patterns.join(", ")) }
                    }
                }
                div.prose.task-text { (view.text) }
                @if !view.starter_files.is_empty() {
                    section.templates {
                        h2 { "Starter files" }
                        @for (name, contents) in view.starter_files {
                            details {
                                summary { code { (name) } }
                                pre { code { (contents) } }
                            }
                        }
                    }
                }
            }
            (view.workbench)
        }
    }
}
