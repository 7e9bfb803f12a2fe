//! The task page's workbench: the code editor with its files, the live result of the latest
//! submission, and the upload form.
//!
//! Without JavaScript the editor is a form of file names and text areas with Save and Submit;
//! `static/js/editor.js` turns it into tabs around one Ace editor that saves by itself.

use maud::{Markup, html};

use super::{
    components::csrf_field,
    solutions::{StatusView, live_status},
    tasks::When,
};
use crate::{db::checkpoints::EditorFile, paths};

/// The latest solution, shown beside the editor.
pub struct LatestSolution {
    pub id: i64,
    pub number: i32,
    pub status: StatusView,
}

pub struct EditorView<'a> {
    pub slug: &'a str,
    pub csrf_token: &'a str,
    pub files: &'a [EditorFile],
    pub patterns: &'a [String],
    /// `(used, limit)` when the task has a limit.
    pub usage: Option<(i64, i64)>,
    /// Why submitting is not possible now, if it is not (saving still is).
    pub closed: Option<&'a str>,
    /// Feedback is off (exam mode): submitted solutions are stored, not tested.
    pub untested: bool,
    pub error: Option<&'a str>,
    pub saved_at: Option<When>,
    /// The files come from the task's starter templates, not from the student.
    pub from_templates: bool,
    pub latest: Option<LatestSolution>,
    pub upload: Markup,
    /// The task's starter files, for the editor's "Start over".
    pub starter_files: &'a [(String, String)],
}

pub fn workbench(view: &EditorView<'_>) -> Markup {
    let save_url = paths::task_checkpoint(view.slug);
    html! {
        section.workbench #editor aria-labelledby="editor-heading" {
            h2 #editor-heading { "Your solution" }
            @if let Some(error) = view.error { div.form-error #editor-error role="alert" { (error) } }
            @if let Some(closed) = view.closed { p.flash.flash-warning { (closed) } }
            @else if view.untested {
                p.flash.flash-info #feedback-off {
                    "Solutions are not tested at the moment (during an exam, for example): what you submit is stored for staff, and you see no results."
                }
            }
            form #editor-form method="post" action=(save_url) data-editor
                data-patterns=(view.patterns.join(","))
                data-saved-at=[view.saved_at.as_ref().map(|at| at.iso.as_str())] {
                (csrf_field(view.csrf_token))
                // The checkpoint this editor starts from: saving over a newer one is refused.
                input type="hidden" name="base" value=(view.saved_at.as_ref().map_or("", |at| at.iso.as_str()));
                div.editor-files {
                    @for (index, file) in view.files.iter().enumerate() {
                        (file_block(index, file, false))
                    }
                    (file_block(view.files.len(), &EditorFile { name: String::new(), contents: String::new() }, true))
                    p.help.editor-help {
                        "Rename a file by changing its name; to remove one, empty its name and contents."
                        @if !view.patterns.is_empty() { " This task takes " (view.patterns.join(", ")) "." }
                    }
                }
                div.editor-actions {
                    button #editor-save type="submit" { "Save" }
                    @if view.closed.is_none() {
                        (submit_button(view.slug, view.usage, false))
                    }
                    span #editor-state.muted role="status" aria-live="polite" {
                        @if let Some(saved_at) = &view.saved_at {
                            "Saved " time datetime=(saved_at.iso) data-local { (saved_at.text) }
                        } @else if view.from_templates && !view.files.is_empty() {
                            "Starter files"
                        }
                    }
                }
            }
            div #editor-result aria-live="polite" {
                @if let Some(latest) = &view.latest {
                    (result_panel(latest.id, latest.number, &latest.status))
                }
            }
            p.solution-links { a href=(paths::task_solutions(view.slug)) { "All my solutions" } }
            details.upload-instead {
                summary { "Upload files instead" }
                (view.upload)
            }
            @if !view.starter_files.is_empty() {
                // Inert until the editor's "Start over" puts them back in place of the files.
                template #starter-files {
                    @for (name, contents) in view.starter_files {
                        textarea data-name=(name) { (contents) }
                    }
                }
            }
        }
    }
}

fn file_block(index: usize, file: &EditorFile, new: bool) -> Markup {
    let name_id = format!("editor-name-{index}");
    let contents_id = format!("editor-contents-{index}");
    html! {
        fieldset.editor-file data-editor-file[!new] data-editor-new[new] {
            legend { @if new { "Add a file" } @else { (file.name) } }
            div.field {
                label for=(name_id) { "File name" }
                input id=(name_id) type="text" name="name" value=(file.name)
                    autocomplete="off" spellcheck="false" autocapitalize="off";
            }
            div.field {
                label for=(contents_id) { "Contents" }
                textarea.code id=(contents_id) name="contents" rows=(if new { 6 } else { 18 })
                    spellcheck="false" autocomplete="off" autocapitalize="off" wrap="off" {
                    (file.contents)
                }
            }
        }
    }
}

/// Submit posts the editor's form; htmx puts the answer beside the editor, a plain browser
/// goes to the new solution's page.
pub fn submit_button(slug: &str, usage: Option<(i64, i64)>, out_of_band: bool) -> Markup {
    let url = paths::task_editor(slug);
    let exhausted = usage.is_some_and(|(used, limit)| used >= limit);
    html! {
        button.primary #editor-submit type="submit" formaction=(url) hx-post=(url)
            hx-target="#editor-result" hx-swap="innerHTML" hx-disabled-elt="this"
            disabled[exhausted]
            hx-swap-oob=[out_of_band.then_some("outerHTML")] {
            "Submit"
            @if let Some((used, limit)) = usage { " (" (used) "/" (limit) ")" }
        }
    }
}

/// A submission's live status next to the editor.
pub fn result_panel(solution_id: i64, number: i32, status: &StatusView) -> Markup {
    html! {
        h3.result-heading { a href=(paths::solution(solution_id)) { "Solution #" (number) } }
        (live_status(solution_id, status))
    }
}

/// What an htmx submit from the editor receives: the new solution's live status, and the
/// Submit button again with the new count.
pub fn submitted(
    slug: &str,
    solution_id: i64,
    number: i32,
    status: &StatusView,
    usage: Option<(i64, i64)>,
) -> Markup {
    html! {
        (result_panel(solution_id, number, status))
        (submit_button(slug, usage, true))
    }
}

/// What an htmx submit receives when it is refused.
pub fn refused(reason: &str, saved: bool) -> Markup {
    html! {
        div.form-error role="alert" {
            (reason)
            @if saved { " Your files are saved." }
        }
    }
}
