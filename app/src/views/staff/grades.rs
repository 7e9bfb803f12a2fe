//! The grade export's page: the choices (tasks, students, counting rule, columns, preset,
//! format) as one GET form, a preview of the first rows, and the download.

use maud::{Markup, html};

use super::staff_nav;
use crate::{
    grades::{Column, Counting, Format, Preset, Table},
    paths,
};

/// The form's values as they were sent (so the page shows them again).
pub struct FormValues {
    pub category: Option<i64>,
    pub group: Option<i64>,
    pub counting: Counting,
    pub columns: Vec<Column>,
    pub since: String,
    pub only_with_passes: bool,
    pub preset: Preset,
    pub format: Format,
}

pub struct GradesView<'a> {
    pub is_admin: bool,
    pub categories: &'a [(i64, String)],
    pub groups: &'a [(i64, String)],
    pub values: &'a FormValues,
    pub problem: Option<&'a str>,
    pub preview: Option<&'a Table>,
    /// The download's address with the same choices.
    pub download: &'a str,
}

/// Rows the preview shows.
pub const PREVIEW_ROWS: usize = 20;

fn radio(name: &str, value: &str, label: &str, checked: bool) -> Markup {
    let id = format!("{name}-{value}");
    html! {
        div.checkbox {
            input id=(id) type="radio" name=(name) value=(value) checked[checked];
            label for=(id) { (label) }
        }
    }
}

pub fn page(view: &GradesView<'_>) -> Markup {
    let values = view.values;
    html! {
        (staff_nav(paths::staff::GRADES, view.is_admin))
        h1 { "Grade export" }
        p {
            "Who passed which task, as a file for your records or your examination office. "
            "A task counts as passed by the solution your rule picks, handed in by the student's own "
            "deadline (with their extensions); a confirmed plagiarism counts as not passed."
        }
        @if let Some(problem) = view.problem { div.form-error role="alert" { (problem) } }
        form.grades method="get" action=(paths::staff::GRADES) {
            div.field {
                label for="category" { "Tasks" }
                select #category name="category" {
                    option value="" selected[values.category.is_none()] { "Every category" }
                    @for (id, name) in view.categories {
                        option value=(id) selected[values.category == Some(*id)] { (name) }
                    }
                }
            }
            div.field {
                label for="group" { "Students" }
                select #group name="group" {
                    option value="" selected[values.group.is_none()] { "Every student" }
                    @for (id, name) in view.groups {
                        option value=(id) selected[values.group == Some(*id)] { "Group " (name) }
                    }
                }
            }
            fieldset.choices {
                legend { "What the file holds" }
                (radio("preset", Preset::Custom.as_str(), "Columns of my choice, one column per task and the number passed", values.preset == Preset::Custom))
                (radio("preset", Preset::TudBonus.as_str(), "INLOOP's bonus points (TU Dresden): tasks passed, at most 10, no header", values.preset == Preset::TudBonus))
            }
            fieldset.choices {
                legend { "A task is passed by" }
                @for counting in Counting::ALL {
                    (radio("counting", counting.as_str(), counting.label(), values.counting == counting))
                }
                p.help { "The bonus-point preset always takes the best solution." }
            }
            fieldset.choices {
                legend { "Columns about the student" }
                @for column in Column::ALL {
                    div.checkbox {
                        input id=(format!("column-{}", column.as_str())) type="checkbox" name="columns"
                            value=(column.as_str()) checked[values.columns.contains(&column)];
                        label for=(format!("column-{}", column.as_str())) { (column.label()) }
                    }
                }
            }
            div.field {
                label for="since" { "Count solutions handed in from (optional)" }
                input #since type="date" name="since" value=(values.since);
            }
            div.checkbox {
                input #only-with-passes type="checkbox" name="only_with_passes" value="1" checked[values.only_with_passes];
                label for="only-with-passes" { "Leave out students who passed nothing" }
            }
            fieldset.choices {
                legend { "Format" }
                (radio("format", Format::Csv.as_str(), "CSV (commas, UTF-8), for scripts", values.format == Format::Csv))
                (radio("format", Format::Spreadsheet.as_str(), "For spreadsheets (semicolons, UTF-8 with byte-order mark)", values.format == Format::Spreadsheet))
            }
            div.actions {
                button type="submit" { "Preview" }
                button.primary type="submit" formaction=(paths::staff::GRADES_DOWNLOAD) { "Download" }
            }
        }
        @if let Some(table) = view.preview {
            h2 { "Preview" }
            p role="status" {
                (table.rows.len()) " row(s) of " (table.students) " student(s) and " (table.tasks) " task(s)"
                @if table.rows.len() > PREVIEW_ROWS { "; the first " (PREVIEW_ROWS) " are shown" }
                ". " a href=(view.download) { "Download the file" }
            }
            div.table-scroll {
                table.data.grades {
                    caption.visually-hidden { "The first rows of the export" }
                    @if let Some(header) = &table.header {
                        thead { tr { @for cell in header { th scope="col" { (cell) } } } }
                    }
                    tbody {
                        @for row in table.rows.iter().take(PREVIEW_ROWS) {
                            tr { @for cell in row { td { (cell) } } }
                        }
                    }
                }
            }
        }
    }
}
