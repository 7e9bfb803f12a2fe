//! The statistics page: filters (category, group, days) and the charts of a course — solutions
//! per day and per hour around a deadline, pass rate and verdicts per task, attempts until the
//! first pass, waiting and running times.

use maud::{Markup, html};

use super::staff_nav;
use crate::{
    paths,
    views::charts::{self, Columns, Lines, Shares, Stacked},
};

pub struct FilterValues {
    pub category: Option<i64>,
    pub group: Option<i64>,
    pub from: String,
    pub until: String,
    pub deadline_task: Option<i64>,
}

/// A task as the charts show it.
pub struct TaskLine {
    pub id: i64,
    pub title: String,
    pub students: i64,
    pub passed_students: i64,
    pub verdicts: [i64; 8],
}

/// The hours around one task's deadline.
pub struct DeadlineView {
    pub task_title: String,
    pub deadline: String,
    /// Hours from the deadline (negative before) and the solutions handed in then.
    pub hours: Vec<(i32, i64)>,
    pub before: i32,
    pub after: i32,
}

pub struct TimesLine {
    pub day: String,
    pub wait_median: f64,
    pub wait_p90: f64,
    pub run_median: f64,
    pub run_p90: f64,
}

pub struct StatisticsView<'a> {
    pub is_admin: bool,
    pub categories: &'a [(i64, String)],
    pub groups: &'a [(i64, String)],
    pub values: &'a FilterValues,
    pub problem: Option<&'a str>,
    pub per_day: &'a [(String, i64)],
    pub tasks: &'a [TaskLine],
    /// Tasks with a deadline, for the deadline chart's choice.
    pub deadline_tasks: &'a [(i64, String)],
    pub deadline: Option<&'a DeadlineView>,
    pub attempts: &'a [(i32, i64)],
    pub times: &'a [TimesLine],
}

const VERDICTS: [(&str, &str); 8] = [
    ("passed", "v-passed"),
    ("failed", "v-failed"),
    ("compile error", "v-compile_error"),
    ("timeout", "v-timeout"),
    ("memory", "v-memory_exceeded"),
    ("crashed", "v-crashed"),
    ("system error", "v-system_error"),
    ("not graded", "v-none"),
];

fn filters(view: &StatisticsView<'_>) -> Markup {
    let values = view.values;
    html! {
        form.filters method="get" action=(paths::staff::STATISTICS) {
            div.field {
                label for="category" { "Category" }
                select #category name="category" {
                    option value="" selected[values.category.is_none()] { "Every category" }
                    @for (id, name) in view.categories { option value=(id) selected[values.category == Some(*id)] { (name) } }
                }
            }
            div.field {
                label for="group" { "Group" }
                select #group name="group" {
                    option value="" selected[values.group.is_none()] { "Every student" }
                    @for (id, name) in view.groups { option value=(id) selected[values.group == Some(*id)] { (name) } }
                }
            }
            div.field { label for="from" { "From" } input #from type="date" name="from" value=(values.from); }
            div.field { label for="until" { "Until" } input #until type="date" name="until" value=(values.until); }
            @if !view.deadline_tasks.is_empty() {
                div.field {
                    label for="deadline_task" { "Deadline of" }
                    select #deadline_task name="deadline_task" {
                        @for (id, title) in view.deadline_tasks { option value=(id) selected[values.deadline_task == Some(*id)] { (title) } }
                    }
                }
            }
            div.actions { button type="submit" { "Show" } }
        }
    }
}

pub fn page(view: &StatisticsView<'_>) -> Markup {
    let total: i64 = view.per_day.iter().map(|(_, count)| count).sum();
    html! {
        (staff_nav(paths::staff::STATISTICS, view.is_admin))
        h1 { "Statistics" }
        p { "Students' solutions only; figures are at most a minute old." }
        @if let Some(problem) = view.problem { div.form-error role="alert" { (problem) } }
        (filters(view))
        @if total == 0 {
            p role="status" { "No solution matches these filters." }
        } @else {
            p role="status" { (total) " solution(s) of " (view.tasks.len()) " task(s)." }
            div.charts {
                (per_day(view))
                @if let Some(deadline) = view.deadline { (around_deadline(deadline)) }
                (pass_rate(view))
                (verdict_mix(view))
                (attempts(view))
                @if !view.times.is_empty() { (times(view)) }
            }
        }
    }
}

fn per_day(view: &StatisticsView<'_>) -> Markup {
    let busiest = view.per_day.iter().max_by_key(|(_, count)| *count);
    charts::columns(&Columns {
        id: "per-day",
        title: "Solutions handed in per day",
        description: match busiest {
            Some((day, count)) => format!(
                "{} days with solutions; the busiest was {day} with {count}.",
                view.per_day.len()
            ),
            None => "No solutions.".into(),
        },
        label_header: "Day",
        value_header: "Solutions",
        bars: view.per_day.iter().map(|(day, count)| (day.clone(), *count as f64)).collect(),
        marker: None,
    })
}

fn around_deadline(deadline: &DeadlineView) -> Markup {
    let bars: Vec<(String, f64)> = (-deadline.before..deadline.after)
        .map(|hour| {
            let count =
                deadline.hours.iter().find(|(at, _)| *at == hour).map_or(0, |(_, count)| *count);
            let label = if hour < 0 { format!("{hour} h") } else { format!("+{hour} h") };
            (label, count as f64)
        })
        .collect();
    let last_day: i64 = deadline
        .hours
        .iter()
        .filter(|(hour, _)| (-24..0).contains(hour))
        .map(|(_, count)| count)
        .sum();
    let all: i64 =
        deadline.hours.iter().filter(|(hour, _)| *hour < 0).map(|(_, count)| count).sum();
    charts::columns(&Columns {
        id: "deadline",
        title: &format!(
            "Solutions of {} per hour around its deadline ({})",
            deadline.task_title, deadline.deadline
        ),
        description: format!(
            "{all} solutions in the {} hours before the deadline, {last_day} of them in the last 24 hours.",
            deadline.before
        ),
        label_header: "Hour (0 is the deadline's)",
        value_header: "Solutions",
        bars,
        marker: Some((deadline.before as usize, "deadline")),
    })
}

fn pass_rate(view: &StatisticsView<'_>) -> Markup {
    let rows: Vec<(String, f64, String)> = view
        .tasks
        .iter()
        .map(|task| {
            let share = if task.students > 0 {
                100.0 * task.passed_students as f64 / task.students as f64
            } else {
                0.0
            };
            (
                task.title.clone(),
                share,
                format!("{} of {} students", task.passed_students, task.students),
            )
        })
        .collect();
    let lowest = rows.iter().min_by(|x, y| x.1.total_cmp(&y.1));
    charts::shares(&Shares {
        id: "pass-rate",
        title: "Students who passed, of those who handed in, per task",
        description: match lowest {
            Some((task, share, _)) => format!("The lowest pass rate: {task}, {share:.0} %."),
            None => String::new(),
        },
        label_header: "Task",
        rows,
    })
}

fn verdict_mix(view: &StatisticsView<'_>) -> Markup {
    charts::stacked(&Stacked {
        id: "verdicts",
        title: "Verdicts of all solutions, per task",
        description: "Each bar is one task's solutions, split by verdict.".into(),
        label_header: "Task",
        series: VERDICTS.to_vec(),
        rows: view.tasks.iter().map(|task| (task.title.clone(), task.verdicts.to_vec())).collect(),
    })
}

fn attempts(view: &StatisticsView<'_>) -> Markup {
    // Ten and more share the last column.
    let mut counts = [0i64; 10];
    for (attempt, students) in view.attempts {
        counts[(*attempt as usize).clamp(1, 10) - 1] += students;
    }
    let first: i64 = counts[0];
    let all: i64 = counts.iter().sum();
    charts::columns(&Columns {
        id: "attempts",
        title: "Attempts until the first pass",
        description: format!(
            "{all} passes of a task by a student; {first} of them at the first attempt."
        ),
        label_header: "Attempts",
        value_header: "Students and tasks",
        bars: counts
            .iter()
            .enumerate()
            .map(|(at, count)| {
                (if at == 9 { "10+".to_owned() } else { (at + 1).to_string() }, *count as f64)
            })
            .collect(),
        marker: None,
    })
}

fn times(view: &StatisticsView<'_>) -> Markup {
    let labels: Vec<String> = view.times.iter().map(|line| line.day.clone()).collect();
    let worst = view.times.iter().map(|line| line.wait_p90).fold(0.0, f64::max);
    charts::lines(&Lines {
        id: "times",
        title: "Waiting for a runner and running, per day (seconds)",
        description: format!("The longest 90th percentile of waiting on a day: {worst:.1} s."),
        label_header: "Day",
        unit: " s",
        labels,
        series: vec![
            ("waiting, median", "s-0", view.times.iter().map(|line| line.wait_median).collect()),
            (
                "waiting, 90th percentile",
                "s-1",
                view.times.iter().map(|line| line.wait_p90).collect(),
            ),
            ("running, median", "s-2", view.times.iter().map(|line| line.run_median).collect()),
            (
                "running, 90th percentile",
                "s-3",
                view.times.iter().map(|line| line.run_p90).collect(),
            ),
        ],
    })
}
