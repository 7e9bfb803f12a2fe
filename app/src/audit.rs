//! The audit log's vocabulary: every kind of change staff can make, and one entry of the log.
//!
//! An entry says who did what to which thing, in words staff read; it is written in the same
//! transaction as the change where the change has one, so that the log and the data agree.

/// A kind of change staff made. Stored as [`Action::as_str`]; new kinds go at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    UserChanged,
    GroupCreated,
    GroupDeleted,
    CourseCreated,
    CategoryChanged,
    SettingsChanged,
    SavedSolutionsQueued,
    RepositoryAdded,
    RepositorySourceChanged,
    RepositorySynced,
    SolutionTestedAgain,
    UntestedTestedAgain,
    TaskOverridden,
    ExtensionGranted,
    ExtensionRemoved,
    RetestStarted,
    RetestApplied,
    RetestDiscarded,
    AccountsCreated,
    GroupRenamed,
    StudentsAssigned,
    AccountDeleted,
    CourseChanged,
    PlagiarismCheckStarted,
    PlagiarismCheckCancelled,
    PlagiarismDecided,
    GradesExported,
}

impl Action {
    pub const ALL: [Action; 27] = [
        Action::UserChanged,
        Action::GroupCreated,
        Action::GroupDeleted,
        Action::CourseCreated,
        Action::CategoryChanged,
        Action::SettingsChanged,
        Action::SavedSolutionsQueued,
        Action::RepositoryAdded,
        Action::RepositorySourceChanged,
        Action::RepositorySynced,
        Action::SolutionTestedAgain,
        Action::UntestedTestedAgain,
        Action::TaskOverridden,
        Action::ExtensionGranted,
        Action::ExtensionRemoved,
        Action::RetestStarted,
        Action::RetestApplied,
        Action::RetestDiscarded,
        Action::AccountsCreated,
        Action::GroupRenamed,
        Action::StudentsAssigned,
        Action::AccountDeleted,
        Action::CourseChanged,
        Action::PlagiarismCheckStarted,
        Action::PlagiarismCheckCancelled,
        Action::PlagiarismDecided,
        Action::GradesExported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::UserChanged => "user_changed",
            Action::GroupCreated => "group_created",
            Action::GroupDeleted => "group_deleted",
            Action::CourseCreated => "course_created",
            Action::CategoryChanged => "category_changed",
            Action::SettingsChanged => "settings_changed",
            Action::SavedSolutionsQueued => "saved_solutions_queued",
            Action::RepositoryAdded => "repository_added",
            Action::RepositorySourceChanged => "repository_source_changed",
            Action::RepositorySynced => "repository_synced",
            Action::SolutionTestedAgain => "solution_tested_again",
            Action::UntestedTestedAgain => "untested_tested_again",
            Action::TaskOverridden => "task_overridden",
            Action::ExtensionGranted => "extension_granted",
            Action::ExtensionRemoved => "extension_removed",
            Action::RetestStarted => "retest_started",
            Action::RetestApplied => "retest_applied",
            Action::RetestDiscarded => "retest_discarded",
            Action::AccountsCreated => "accounts_created",
            Action::GroupRenamed => "group_renamed",
            Action::StudentsAssigned => "students_assigned",
            Action::AccountDeleted => "account_deleted",
            Action::CourseChanged => "course_changed",
            Action::PlagiarismCheckStarted => "plagiarism_check_started",
            Action::PlagiarismCheckCancelled => "plagiarism_check_cancelled",
            Action::PlagiarismDecided => "plagiarism_decided",
            Action::GradesExported => "grades_exported",
        }
    }

    pub fn parse(word: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.as_str() == word)
    }

    /// What staff read in the log.
    pub fn label(self) -> &'static str {
        match self {
            Action::UserChanged => "Changed an account",
            Action::GroupCreated => "Created a group",
            Action::GroupDeleted => "Deleted a group",
            Action::CourseCreated => "Added a course of study",
            Action::CategoryChanged => "Changed a category",
            Action::SettingsChanged => "Changed the site settings",
            Action::SavedSolutionsQueued => "Had the saved solutions tested",
            Action::RepositoryAdded => "Added a task repository",
            Action::RepositorySourceChanged => "Changed where a repository comes from",
            Action::RepositorySynced => "Synced a repository",
            Action::SolutionTestedAgain => "Had a solution tested again",
            Action::UntestedTestedAgain => "Had a task's untested solutions tested again",
            Action::TaskOverridden => "Overrode a task's settings",
            Action::ExtensionGranted => "Gave a student an extension",
            Action::ExtensionRemoved => "Took back an extension",
            Action::RetestStarted => "Started a re-test",
            Action::RetestApplied => "Applied a re-test",
            Action::RetestDiscarded => "Discarded a re-test",
            Action::AccountsCreated => "Created student accounts",
            Action::GroupRenamed => "Renamed a group",
            Action::StudentsAssigned => "Put students without a group into groups",
            Action::AccountDeleted => "Deleted an account",
            Action::CourseChanged => "Renamed or deleted a course of study",
            Action::PlagiarismCheckStarted => "Started a plagiarism check",
            Action::PlagiarismCheckCancelled => "Cancelled a plagiarism check",
            Action::PlagiarismDecided => "Decided about a suspected plagiarism",
            Action::GradesExported => "Exported grades",
        }
    }
}

/// One change, as it goes into the log; who made it and when are added on the way in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    /// The thing changed, in words: `user stu`, `task a-counter`, `repository course`.
    pub subject: String,
    /// What changed, for a reader: `role: student → staff; groups: A, B`.
    pub details: String,
}

/// The longest subject and details the log keeps (the columns' checks); longer text is cut.
pub const MAX_SUBJECT_CHARS: usize = 300;
pub const MAX_DETAILS_CHARS: usize = 4000;

impl Entry {
    pub fn new(action: Action, subject: impl Into<String>, details: impl Into<String>) -> Entry {
        Entry {
            action,
            subject: cut(subject.into(), MAX_SUBJECT_CHARS),
            details: cut(details.into(), MAX_DETAILS_CHARS),
        }
    }
}

fn cut(text: String, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars.saturating_sub(1)) {
        Some((end, _)) if text.chars().count() > max_chars => format!("{}…", &text[..end]),
        _ => text,
    }
}

/// `old → new` for a field that changed, `None` when it did not.
pub fn change(field: &str, old: &str, new: &str) -> Option<String> {
    (old != new).then(|| format!("{field}: {old} → {new}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_itself() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
            assert!(action.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        assert_eq!(Action::parse("dropped_tables"), None);
    }

    #[test]
    fn long_text_is_cut_to_what_the_column_keeps() {
        let entry = Entry::new(Action::UserChanged, "ü".repeat(400), "x".repeat(5000));
        assert_eq!(entry.subject.chars().count(), MAX_SUBJECT_CHARS);
        assert!(entry.subject.ends_with('…'));
        assert_eq!(entry.details.chars().count(), MAX_DETAILS_CHARS);
        assert_eq!(Entry::new(Action::UserChanged, "stu", "").subject, "stu");
    }

    #[test]
    fn a_change_is_only_said_when_there_is_one() {
        assert_eq!(change("role", "student", "staff").as_deref(), Some("role: student → staff"));
        assert_eq!(change("role", "staff", "staff"), None);
    }
}
