//! The rules of handing in a solution, the same for the upload form, the editor and the task
//! page: which files a task takes, whether it takes any now and why not, and how a solution is
//! stored and sent to the runners. No HTTP here; handlers gather, call and render.

use std::time::Duration;

use inloop_plugin_api::protocol::glob_match;
use time::OffsetDateTime;

use crate::{
    db::{self, site_settings::SiteSettings, tasks::TaskPage},
    overrides, queue,
    rate_limit::{Decision, Limit, describe_wait},
    state::AppState,
};

pub const MAX_FILES: usize = 20;
pub const MAX_FILE_BYTES: usize = 256 << 10;
pub const MAX_TOTAL_BYTES: usize = 1 << 20;

/// The file patterns a task accepts: its own, or its runner's usual ones.
pub fn accepted_patterns(task: &TaskPage) -> Vec<String> {
    if !task.file_patterns.is_empty() {
        return task.file_patterns.clone();
    }
    inloop_protocol::meta::default_file_patterns(&task.runner)
}

/// Why a task takes no solution from this student now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Disabled or removed from its repository.
    NoLongerTaken,
    DeadlinePassed,
    LimitReached {
        limit: i64,
    },
}

impl Closed {
    pub fn message(&self) -> String {
        match self {
            Closed::NoLongerTaken => "This task no longer takes solutions.".to_owned(),
            Closed::DeadlinePassed => {
                "The deadline for this task has passed. You cannot submit new solutions.".to_owned()
            }
            Closed::LimitReached { limit } => {
                format!("You cannot submit more than {limit} solution(s).")
            }
        }
    }
}

/// Whether a student may submit, and how many of their solutions count against a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub closed: Option<Closed>,
    /// `(counted, limit)` where the task has a limit.
    pub usage: Option<(i64, i64)>,
}

impl Window {
    pub fn closed_message(&self) -> Option<String> {
        self.closed.as_ref().map(Closed::message)
    }
}

/// What of a task decides whether it takes solutions from one student.
#[derive(Clone, Copy, Debug)]
pub struct TaskRules {
    pub taken: bool,
    /// The student's own: the task's, or later by an extension.
    pub deadline: Option<OffsetDateTime>,
    pub max_submissions: Option<i32>,
    /// Given by extensions, on top of a limit.
    pub extra_submissions: i64,
}

impl TaskRules {
    /// The rules for the student the task page was read for (its extensions included).
    pub fn of(task: &TaskPage) -> TaskRules {
        TaskRules {
            taken: !(task.disabled || task.removed),
            deadline: overrides::personal_deadline(task.deadline, task.extended_to),
            max_submissions: task.max_submissions,
            extra_submissions: task.extra_submissions,
        }
    }
}

/// The rule itself: closed when the task is gone, past its deadline plus the site's tolerance,
/// or when the student has used up the task's (or the site's) limit and their extra submissions.
pub fn window(
    rules: TaskRules,
    settings: &SiteSettings,
    counted: i64,
    now: OffsetDateTime,
) -> Window {
    let limit = i64::from(rules.max_submissions.unwrap_or(settings.max_submissions));
    let limit = if limit >= 0 { limit + rules.extra_submissions } else { limit };
    let usage = (limit >= 0).then_some((counted, limit));
    let tolerance = time::Duration::seconds(i64::from(settings.deadline_tolerance_seconds));
    let closed = if !rules.taken {
        Some(Closed::NoLongerTaken)
    } else if rules.deadline.is_some_and(|deadline| now > deadline + tolerance) {
        Some(Closed::DeadlinePassed)
    } else if limit >= 0 && counted >= limit {
        Some(Closed::LimitReached { limit })
    } else {
        None
    };
    Window { closed, usage }
}

/// The window of this student for this task, now.
pub async fn window_for(state: &AppState, task: &TaskPage, user_id: i64) -> sqlx::Result<Window> {
    let settings = state.site_settings().await?;
    let counted = db::solutions::counted(&state.db, task.id, user_id).await?;
    Ok(window(TaskRules::of(task), &settings, counted, OffsetDateTime::now_utc()))
}

pub fn check_files(files: &[(String, Vec<u8>)], patterns: &[String]) -> Result<(), String> {
    if files.is_empty() {
        return Err("You haven't uploaded any files.".to_owned());
    }
    check_names(files.iter().map(|(name, _)| name.as_str()), patterns)
}

/// File names a solution may have: plain names that match the task's patterns.
pub fn check_names<'a>(
    names: impl IntoIterator<Item = &'a str>,
    patterns: &[String],
) -> Result<(), String> {
    for name in names {
        if !inloop_protocol::names::is_safe_file_name(name) {
            return Err(format!(
                "{name:?} is not a file name we accept: use letters, digits, dots, dashes and underscores."
            ));
        }
        if !patterns.is_empty() && !patterns.iter().any(|pattern| glob_match(pattern, name)) {
            return Err(format!(
                "{name} is not accepted: this task takes {}.",
                patterns.join(", ")
            ));
        }
    }
    Ok(())
}

/// A solution as stored.
#[derive(Clone, Copy, Debug)]
pub struct Stored {
    pub id: i64,
    /// The student's running number of their solutions to the task.
    pub number: i32,
    /// Sent to be tested (false while feedback is off: exam mode).
    pub tested: bool,
}

impl Stored {
    /// What a student is told after a submit without JavaScript.
    pub fn message(&self) -> String {
        if self.tested {
            format!("Your solution #{} has been submitted.", self.number)
        } else {
            format!(
                "Your solution #{} has been saved. It is not tested while feedback is off.",
                self.number
            )
        }
    }
}

/// Why a solution was refused at the moment it was handed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The window closed (also when another submit, just before, used up the limit).
    Closed(Closed),
    /// More submits in a minute than a person makes.
    TooFast { retry_after: Duration },
    /// As many of the student's solutions wait for the runners as one may have.
    TooManyWaiting { most: u32 },
}

impl Refused {
    pub fn message(&self) -> String {
        match self {
            Refused::Closed(closed) => closed.message(),
            Refused::TooFast { retry_after } => format!(
                "You are submitting faster than we test. Please wait {} before the next one.",
                describe_wait(*retry_after)
            ),
            Refused::TooManyWaiting { most: 1 } => "Your last solution is still waiting to be tested. Submit again when it has its result.".to_owned(),
            Refused::TooManyWaiting { most } => format!(
                "{most} of your solutions are still waiting to be tested. Submit again when one of them has its result."
            ),
        }
    }
}

/// What can go wrong while handing in that is not the student's.
#[derive(Debug, thiserror::Error)]
pub enum HandInError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
}

impl From<HandInError> for crate::error::AppError {
    fn from(err: HandInError) -> Self {
        match err {
            HandInError::Db(err) => Self::Db(err),
            HandInError::Redis(err) => Self::Redis(err),
        }
    }
}

/// Stores checked files as the student's next solution and sends it to the runners when it is
/// the student's turn, unless feedback is off (exam mode). The window is checked again under the
/// lock on the student's row, so parallel submits never pass a limit together.
pub async fn store_and_dispatch(
    state: &AppState,
    task: &TaskPage,
    user_id: i64,
    files: &[(String, Vec<u8>)],
) -> Result<Result<Stored, Refused>, HandInError> {
    let limits = &state.settings.rate_limits;
    let pace =
        Limit { bucket: "submit", max: limits.submits_per_minute, window: Duration::from_secs(60) };
    if let Decision::Limited { retry_after } =
        pace.hit(&state.redis, state.redis_prefix(), &user_id.to_string()).await?
    {
        return Ok(Err(Refused::TooFast { retry_after }));
    }
    let settings = state.site_settings().await?;
    let tested = settings.immediate_feedback;
    let mut tx = state.db.begin().await?;
    db::solutions::lock_author(&mut tx, user_id).await?;
    let counted = db::solutions::counted(&mut *tx, task.id, user_id).await?;
    let window = window(TaskRules::of(task), &settings, counted, OffsetDateTime::now_utc());
    if let Some(closed) = window.closed {
        return Ok(Err(Refused::Closed(closed)));
    }
    if tested
        && db::solutions::waiting_of(&mut *tx, user_id).await?
            >= i64::from(limits.waiting_per_student)
    {
        return Ok(Err(Refused::TooManyWaiting { most: limits.waiting_per_student }));
    }
    let new = db::solutions::NewSolution {
        task_id: task.id,
        author_id: user_id,
        revision: &task.revision,
        files,
        tested,
    };
    let (id, number) = db::solutions::insert(&mut tx, &new).await?;
    tx.commit().await?;
    tracing::info!(
        solution_id = id,
        number,
        task = task.slug,
        user_id,
        tested,
        "stored a solution"
    );
    if tested && let Err(err) = queue::dispatch_next(state, user_id).await {
        // Stored is stored: the reconciler sends it when Redis is back.
        tracing::warn!(solution_id = id, error = %format!("{err:#}"), "could not dispatch a solution yet");
    }
    Ok(Ok(Stored { id, number, tested }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_is_said_in_good_grammar() {
        assert_eq!(
            Refused::TooManyWaiting { most: 1 }.message(),
            "Your last solution is still waiting to be tested. Submit again when it has its result."
        );
        assert!(
            Refused::TooManyWaiting { most: 3 }.message().starts_with("3 of your solutions are")
        );
    }

    #[test]
    fn files_are_checked_against_the_tasks_patterns() {
        let java = vec!["*.java".to_owned()];
        let file = |name: &str| vec![(name.to_owned(), b"x".to_vec())];
        assert!(check_files(&file("Counter.java"), &java).is_ok());
        assert_eq!(check_files(&[], &java).unwrap_err(), "You haven't uploaded any files.");
        assert!(
            check_files(&file("evil.sh"), &java).unwrap_err().contains("this task takes *.java")
        );
        assert!(check_files(&file("../x.java"), &java).unwrap_err().contains("not a file name"));
    }

    #[test]
    fn a_task_closes_when_gone_after_its_deadline_and_its_tolerance_and_at_its_limit() {
        let now = OffsetDateTime::now_utc();
        let settings = SiteSettings {
            deadline_tolerance_seconds: 60,
            max_submissions: -1,
            ..SiteSettings::default()
        };
        let open =
            TaskRules { taken: true, deadline: None, max_submissions: None, extra_submissions: 0 };
        assert_eq!(window(open, &settings, 7, now), Window { closed: None, usage: None });
        let gone = TaskRules { taken: false, ..open };
        assert_eq!(window(gone, &settings, 0, now).closed, Some(Closed::NoLongerTaken));
        let just_past = TaskRules { deadline: Some(now - time::Duration::seconds(30)), ..open };
        assert_eq!(window(just_past, &settings, 0, now).closed, None, "within the tolerance");
        let past = TaskRules { deadline: Some(now - time::Duration::seconds(61)), ..open };
        assert_eq!(window(past, &settings, 0, now).closed, Some(Closed::DeadlinePassed));
        let limited = TaskRules { max_submissions: Some(2), ..open };
        assert_eq!(
            window(limited, &settings, 1, now),
            Window { closed: None, usage: Some((1, 2)) }
        );
        let used_up = window(limited, &settings, 2, now);
        assert_eq!(used_up.closed, Some(Closed::LimitReached { limit: 2 }));
        assert_eq!(
            used_up.closed_message().as_deref(),
            Some("You cannot submit more than 2 solution(s).")
        );
        let site_limit = SiteSettings { max_submissions: 1, ..settings.clone() };
        assert_eq!(window(open, &site_limit, 1, now).usage, Some((1, 1)));
        let extended = TaskRules { extra_submissions: 2, ..limited };
        assert_eq!(
            window(extended, &settings, 3, now),
            Window { closed: None, usage: Some((3, 4)) }
        );
        let unlimited = TaskRules { max_submissions: Some(-1), extra_submissions: 2, ..open };
        assert_eq!(window(unlimited, &settings, 9, now).usage, None, "no limit stays no limit");
    }
}
