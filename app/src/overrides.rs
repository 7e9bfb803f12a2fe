//! Changes staff make to a course without a commit: a task's dates, limit, group or state over its
//! repository's values, and one student's extension. Forms are read here into typed values, with a
//! message for each field that cannot be read; the rules of what applies are here too.

use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    db::overrides::{TaskOverrideRow, TaskSettingsRow},
    taskrepo::dates::{self, Zone},
};

/// A task's value for one field: the repository's, or one staff set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Setting<T> {
    FromRepository,
    Overridden(T),
}

impl<T> Setting<T> {
    pub fn overridden(&self) -> Option<&T> {
        match self {
            Setting::FromRepository => None,
            Setting::Overridden(value) => Some(value),
        }
    }
}

/// What staff overrode of one task. `None` inside an override is a value too: no deadline, the
/// site's limit, every student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskOverrides {
    pub pubdate: Setting<OffsetDateTime>,
    pub deadline: Setting<Option<OffsetDateTime>>,
    /// `None` is the site's limit, -1 no limit.
    pub max_submissions: Setting<Option<i32>>,
    pub group: Setting<Option<String>>,
    pub disabled: Setting<bool>,
}

impl TaskOverrides {
    pub const NONE: TaskOverrides = TaskOverrides {
        pubdate: Setting::FromRepository,
        deadline: Setting::FromRepository,
        max_submissions: Setting::FromRepository,
        group: Setting::FromRepository,
        disabled: Setting::FromRepository,
    };

    pub fn is_empty(&self) -> bool {
        *self == TaskOverrides::NONE
    }

    /// The fields that override, in words.
    pub fn overridden_fields(&self) -> Vec<&'static str> {
        [
            (self.pubdate.overridden().is_some(), "publication"),
            (self.deadline.overridden().is_some(), "deadline"),
            (self.max_submissions.overridden().is_some(), "submission limit"),
            (self.group.overridden().is_some(), "group"),
            (self.disabled.overridden().is_some(), "state"),
        ]
        .into_iter()
        .filter_map(|(overridden, field)| overridden.then_some(field))
        .collect()
    }
}

impl TaskOverrides {
    pub fn from_row(row: Option<&TaskOverrideRow>) -> TaskOverrides {
        let Some(row) = row else { return TaskOverrides::NONE };
        fn flagged<T>(on: bool, value: T) -> Setting<T> {
            if on { Setting::Overridden(value) } else { Setting::FromRepository }
        }
        TaskOverrides {
            pubdate: row.pubdate.map_or(Setting::FromRepository, Setting::Overridden),
            deadline: flagged(row.overrides_deadline, row.deadline),
            max_submissions: flagged(row.overrides_max_submissions, row.max_submissions),
            group: flagged(row.overrides_group, row.group_name.clone()),
            disabled: row.disabled.map_or(Setting::FromRepository, Setting::Overridden),
        }
    }

    pub fn to_row(&self) -> TaskOverrideRow {
        TaskOverrideRow {
            pubdate: self.pubdate.overridden().copied(),
            overrides_deadline: self.deadline.overridden().is_some(),
            deadline: self.deadline.overridden().copied().flatten(),
            overrides_max_submissions: self.max_submissions.overridden().is_some(),
            max_submissions: self.max_submissions.overridden().copied().flatten(),
            overrides_group: self.group.overridden().is_some(),
            group_name: self.group.overridden().cloned().flatten(),
            disabled: self.disabled.overridden().copied(),
        }
    }

    /// What changed from `old` to `self`, in words for the audit log.
    pub fn changes_from(&self, old: &TaskOverrides, zone: &Zone) -> Vec<String> {
        fn word<T>(setting: &Setting<T>, show: impl Fn(&T) -> String) -> String {
            match setting {
                Setting::FromRepository => "the repository's".to_owned(),
                Setting::Overridden(value) => show(value),
            }
        }
        let when = |at: &OffsetDateTime| dates::display(*at, zone);
        let maybe_when = |at: &Option<OffsetDateTime>| at.as_ref().map_or("none".to_owned(), when);
        let limit = |limit: &Option<i32>| match limit {
            None => "the site's".to_owned(),
            Some(-1) => "no limit".to_owned(),
            Some(limit) => limit.to_string(),
        };
        let group = |group: &Option<String>| group.clone().unwrap_or_else(|| "everyone".to_owned());
        let state =
            |disabled: &bool| if *disabled { "disabled" } else { "takes solutions" }.to_owned();
        [
            crate::audit::change(
                "publication",
                &word(&old.pubdate, when),
                &word(&self.pubdate, when),
            ),
            crate::audit::change(
                "deadline",
                &word(&old.deadline, maybe_when),
                &word(&self.deadline, maybe_when),
            ),
            crate::audit::change(
                "limit",
                &word(&old.max_submissions, limit),
                &word(&self.max_submissions, limit),
            ),
            crate::audit::change("group", &word(&old.group, group), &word(&self.group, group)),
            crate::audit::change(
                "state",
                &word(&old.disabled, state),
                &word(&self.disabled, state),
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl RepositoryValues {
    pub fn of(row: &TaskSettingsRow) -> RepositoryValues {
        RepositoryValues {
            pubdate: row.repo_pubdate,
            deadline: row.repo_deadline,
            max_submissions: row.repo_max_submissions,
            group: row.repo_group_name.clone(),
            disabled: row.repo_disabled,
        }
    }
}

/// A task's own values as its repository gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepositoryValues {
    pub pubdate: OffsetDateTime,
    pub deadline: Option<OffsetDateTime>,
    pub max_submissions: Option<i32>,
    pub group: Option<String>,
    pub disabled: bool,
}

/// The task overrides form as sent: a tick per field that overrides, and the value.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct TaskOverrideForm {
    pub override_pubdate: Option<String>,
    pub pubdate: String,
    pub override_deadline: Option<String>,
    pub deadline: String,
    pub override_max_submissions: Option<String>,
    pub max_submissions: String,
    pub override_group: Option<String>,
    pub group: String,
    pub override_disabled: Option<String>,
    pub disabled: String,
}

/// A form field that could not be read, and what to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub message: String,
}

/// The most submissions an override or an extension may give.
pub const MOST_SUBMISSIONS: i32 = 1000;

impl TaskOverrideForm {
    /// The form showing what is stored now, for its first display.
    pub fn showing(overrides: &TaskOverrides, repository: &RepositoryValues, zone: &Zone) -> Self {
        let input = |at: OffsetDateTime| dates::input_value(at, zone);
        let ticked = |on: bool| on.then(|| "on".to_owned());
        let limit_text =
            |limit: Option<i32>| limit.map(|limit| limit.to_string()).unwrap_or_default();
        let pubdate = overrides.pubdate.overridden().copied().unwrap_or(repository.pubdate);
        let deadline = overrides.deadline.overridden().copied().unwrap_or(repository.deadline);
        let limit =
            overrides.max_submissions.overridden().copied().unwrap_or(repository.max_submissions);
        let group = overrides.group.overridden().cloned().unwrap_or(repository.group.clone());
        let disabled = overrides.disabled.overridden().copied().unwrap_or(repository.disabled);
        TaskOverrideForm {
            override_pubdate: ticked(overrides.pubdate.overridden().is_some()),
            pubdate: input(pubdate),
            override_deadline: ticked(overrides.deadline.overridden().is_some()),
            deadline: deadline.map(input).unwrap_or_default(),
            override_max_submissions: ticked(overrides.max_submissions.overridden().is_some()),
            max_submissions: limit_text(limit),
            override_group: ticked(overrides.group.overridden().is_some()),
            group: group.unwrap_or_default(),
            override_disabled: ticked(overrides.disabled.overridden().is_some()),
            disabled: if disabled { "disabled" } else { "taken" }.to_owned(),
        }
    }

    /// The overrides, or every field that cannot be read. `groups` are the names a task may be
    /// given; a value of an unticked field is not read at all.
    pub fn read(&self, zone: &Zone, groups: &[String]) -> Result<TaskOverrides, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field: &'static str, message: String| {
            problems.push(FieldProblem { field, message });
        };
        let pubdate = match &self.override_pubdate {
            None => Setting::FromRepository,
            Some(_) => match dates::parse(&self.pubdate, zone) {
                Ok(at) => Setting::Overridden(at),
                Err(_) => {
                    problem("pubdate", "Give the publication date as a date and time.".to_owned());
                    Setting::FromRepository
                }
            },
        };
        let deadline = match &self.override_deadline {
            None => Setting::FromRepository,
            Some(_) if self.deadline.trim().is_empty() => Setting::Overridden(None),
            Some(_) => match dates::parse(&self.deadline, zone) {
                Ok(at) => Setting::Overridden(Some(at)),
                Err(_) => {
                    problem(
                        "deadline",
                        "Give the deadline as a date and time, or leave it empty for none."
                            .to_owned(),
                    );
                    Setting::FromRepository
                }
            },
        };
        if let (Setting::Overridden(Some(deadline)), Some(pubdate)) =
            (&deadline, pubdate.overridden())
            && deadline <= pubdate
        {
            problem("deadline", "The deadline must come after the publication date.".to_owned());
        }
        let max_submissions = match &self.override_max_submissions {
            None => Setting::FromRepository,
            Some(_) if self.max_submissions.trim().is_empty() => Setting::Overridden(None),
            Some(_) => match self.max_submissions.trim().parse::<i32>() {
                Ok(limit) if (-1..=MOST_SUBMISSIONS).contains(&limit) => {
                    Setting::Overridden(Some(limit))
                }
                _ => {
                    problem(
                        "max_submissions",
                        format!(
                            "Give a number from 0 to {MOST_SUBMISSIONS}, -1 for no limit, or leave it empty for the site's limit."
                        ),
                    );
                    Setting::FromRepository
                }
            },
        };
        let group = match &self.override_group {
            None => Setting::FromRepository,
            Some(_) => match self.group.trim() {
                "" => Setting::Overridden(None),
                name => match groups.iter().find(|group| group.eq_ignore_ascii_case(name)) {
                    Some(group) => Setting::Overridden(Some(group.clone())),
                    None => {
                        problem("group", "Choose a group from the list.".to_owned());
                        Setting::FromRepository
                    }
                },
            },
        };
        let disabled = match (&self.override_disabled, self.disabled.as_str()) {
            (None, _) => Setting::FromRepository,
            (Some(_), "disabled") => Setting::Overridden(true),
            (Some(_), "taken") => Setting::Overridden(false),
            (Some(_), _) => {
                problem("disabled", "Choose whether the task takes solutions.".to_owned());
                Setting::FromRepository
            }
        };
        if problems.is_empty() {
            Ok(TaskOverrides { pubdate, deadline, max_submissions, group, disabled })
        } else {
            Err(problems)
        }
    }
}

/// One student's extension of a task or of every task in a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionScope {
    Task(i64),
    Category(i64),
}

/// What an extension gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionGrant {
    pub scope: ExtensionScope,
    pub deadline: Option<OffsetDateTime>,
    pub extra_submissions: i32,
    pub reason: String,
}

/// The extension form as sent. `scope` is `task:<id>` or `category:<id>`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExtensionForm {
    pub scope: String,
    pub deadline: String,
    pub extra_submissions: String,
    pub reason: String,
}

pub const MOST_REASON_CHARS: usize = 500;

impl ExtensionForm {
    pub fn read(&self, zone: &Zone) -> Result<ExtensionGrant, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let scope = self.scope.split_once(':').and_then(|(kind, id)| {
            let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
            match kind {
                "task" => Some(ExtensionScope::Task(id)),
                "category" => Some(ExtensionScope::Category(id)),
                _ => None,
            }
        });
        if scope.is_none() {
            problems.push(FieldProblem {
                field: "scope",
                message: "Choose a task or a category from the list.".to_owned(),
            });
        }
        let deadline = match self.deadline.trim() {
            "" => None,
            text => match dates::parse(text, zone) {
                Ok(at) => Some(at),
                Err(_) => {
                    problems.push(FieldProblem {
                        field: "deadline",
                        message: "Give the new deadline as a date and time.".to_owned(),
                    });
                    None
                }
            },
        };
        let extra_submissions = match self.extra_submissions.trim() {
            "" => 0,
            text => match text.parse::<i32>() {
                Ok(extra) if (0..=MOST_SUBMISSIONS).contains(&extra) => extra,
                _ => {
                    problems.push(FieldProblem {
                        field: "extra_submissions",
                        message: format!(
                            "Give a number of extra submissions from 0 to {MOST_SUBMISSIONS}."
                        ),
                    });
                    0
                }
            },
        };
        if problems.is_empty() && deadline.is_none() && extra_submissions == 0 {
            problems.push(FieldProblem {
                field: "deadline",
                message: "Give a new deadline, extra submissions, or both.".to_owned(),
            });
        }
        let reason: String = self.reason.trim().chars().filter(|c| !c.is_control()).collect();
        if reason.chars().count() > MOST_REASON_CHARS {
            problems.push(FieldProblem {
                field: "reason",
                message: format!("Keep the reason under {MOST_REASON_CHARS} characters."),
            });
        }
        match scope {
            Some(scope) if problems.is_empty() => {
                Ok(ExtensionGrant { scope, deadline, extra_submissions, reason })
            }
            _ => Err(problems),
        }
    }
}

/// A student's deadline for a task: the later of the task's and their extensions'. A task without
/// a deadline gets none from an extension.
pub fn personal_deadline(
    task_deadline: Option<OffsetDateTime>,
    extended_to: Option<OffsetDateTime>,
) -> Option<OffsetDateTime> {
    task_deadline.map(|deadline| extended_to.map_or(deadline, |extended| extended.max(deadline)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> Zone {
        Zone::named("Europe/Berlin").expect("the zone database knows Berlin")
    }

    fn groups() -> Vec<String> {
        vec!["Tuesday".to_owned(), "Friday".to_owned()]
    }

    #[test]
    fn an_unticked_field_stays_the_repositorys_whatever_its_value() {
        let form = TaskOverrideForm { deadline: "garbage".into(), ..TaskOverrideForm::default() };
        assert_eq!(form.read(&berlin(), &groups()), Ok(TaskOverrides::NONE));
    }

    #[test]
    fn ticked_fields_override_and_empty_values_mean_none() {
        let on = || Some("on".to_owned());
        let form = TaskOverrideForm {
            override_pubdate: on(),
            pubdate: "2026-10-01T08:00".into(),
            override_deadline: on(),
            deadline: String::new(),
            override_max_submissions: on(),
            max_submissions: "-1".into(),
            override_group: on(),
            group: "tuesday".into(),
            override_disabled: on(),
            disabled: "disabled".into(),
        };
        let read = form.read(&berlin(), &groups()).expect("readable");
        assert_eq!(
            read.pubdate,
            Setting::Overridden(dates::parse("2026-10-01 08:00", &berlin()).expect("a date"))
        );
        assert_eq!(read.deadline, Setting::Overridden(None), "no deadline");
        assert_eq!(read.max_submissions, Setting::Overridden(Some(-1)));
        assert_eq!(
            read.group,
            Setting::Overridden(Some("Tuesday".to_owned())),
            "the group's own name"
        );
        assert_eq!(read.disabled, Setting::Overridden(true));
    }

    #[test]
    fn every_unreadable_field_is_named() {
        let on = || Some("on".to_owned());
        let form = TaskOverrideForm {
            override_pubdate: on(),
            pubdate: "next week".into(),
            override_max_submissions: on(),
            max_submissions: "1001".into(),
            override_group: on(),
            group: "Nobody's".into(),
            override_disabled: on(),
            disabled: "maybe".into(),
            ..TaskOverrideForm::default()
        };
        let fields: Vec<&str> = form
            .read(&berlin(), &groups())
            .unwrap_err()
            .iter()
            .map(|problem| problem.field)
            .collect();
        assert_eq!(fields, ["pubdate", "max_submissions", "group", "disabled"]);
        let backwards = TaskOverrideForm {
            override_pubdate: on(),
            pubdate: "2026-10-02 08:00".into(),
            override_deadline: on(),
            deadline: "2026-10-01 08:00".into(),
            ..TaskOverrideForm::default()
        };
        assert_eq!(backwards.read(&berlin(), &groups()).unwrap_err()[0].field, "deadline");
    }

    #[test]
    fn the_form_shows_what_is_stored() {
        let zone = berlin();
        let repository = RepositoryValues {
            pubdate: dates::parse("2026-10-01 08:00", &zone).expect("a date"),
            deadline: None,
            max_submissions: Some(3),
            group: None,
            disabled: false,
        };
        let overrides = TaskOverrides {
            deadline: Setting::Overridden(Some(
                dates::parse("2026-11-01 23:59", &zone).expect("a date"),
            )),
            ..TaskOverrides::NONE
        };
        let form = TaskOverrideForm::showing(&overrides, &repository, &zone);
        assert_eq!(form.pubdate, "2026-10-01T08:00");
        assert_eq!(form.override_pubdate, None);
        assert_eq!(form.deadline, "2026-11-01T23:59");
        assert_eq!(form.override_deadline.as_deref(), Some("on"));
        assert_eq!(form.max_submissions, "3");
        assert_eq!(
            form.read(&zone, &groups()),
            Ok(overrides),
            "shown and sent back, nothing changes"
        );
    }

    #[test]
    fn the_log_says_what_changed_from_what() {
        let new = TaskOverrides {
            max_submissions: Setting::Overridden(Some(-1)),
            group: Setting::Overridden(Some("Tuesday".to_owned())),
            ..TaskOverrides::NONE
        };
        assert_eq!(
            new.changes_from(&TaskOverrides::NONE, &berlin()),
            ["limit: the repository's → no limit", "group: the repository's → Tuesday"]
        );
        assert!(new.changes_from(&new, &berlin()).is_empty());
    }

    #[test]
    fn an_extension_needs_a_scope_and_gives_something() {
        let zone = berlin();
        let read = |scope: &str, deadline: &str, extra: &str| {
            ExtensionForm {
                scope: scope.into(),
                deadline: deadline.into(),
                extra_submissions: extra.into(),
                reason: "ill\u{0}".into(),
            }
            .read(&zone)
        };
        let grant = read("task:7", "2026-12-24 12:00", "2").expect("readable");
        assert_eq!(grant.scope, ExtensionScope::Task(7));
        assert_eq!(grant.extra_submissions, 2);
        assert_eq!(grant.reason, "ill", "control characters are dropped");
        assert_eq!(
            read("category:3", "", "1").expect("readable").scope,
            ExtensionScope::Category(3)
        );
        assert_eq!(read("task:7", "", "").unwrap_err()[0].field, "deadline");
        assert_eq!(read("user:7", "2026-12-24", "").unwrap_err()[0].field, "scope");
        assert_eq!(read("task:-1", "2026-12-24", "").unwrap_err()[0].field, "scope");
        assert_eq!(read("task:7", "", "-3").unwrap_err()[0].field, "extra_submissions");
    }

    #[test]
    fn an_extension_only_ever_moves_a_deadline_later() {
        let zone = berlin();
        let at = |text: &str| dates::parse(text, &zone).expect("a date");
        let deadline = at("2026-12-01 12:00");
        assert_eq!(personal_deadline(Some(deadline), None), Some(deadline));
        assert_eq!(
            personal_deadline(Some(deadline), Some(at("2026-12-08 12:00"))),
            Some(at("2026-12-08 12:00"))
        );
        assert_eq!(personal_deadline(Some(deadline), Some(at("2026-11-01 12:00"))), Some(deadline));
        assert_eq!(personal_deadline(None, Some(at("2026-12-08 12:00"))), None);
    }
}
