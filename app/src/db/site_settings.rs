//! The live site settings staff edit at run time (the one-row `site_settings` table).

use sqlx::PgExecutor;

#[derive(Clone, Debug, Default)]
pub struct SiteSettings {
    pub signup_allowed: bool,
    pub email_pattern: String,
    pub email_help_text: String,
    pub email_error_message: String,
    pub require_ownwork_declaration: bool,
    pub ownwork_declaration_intro: String,
    pub ownwork_declaration: String,
    pub auto_assign_groups: String,
    pub privacy_statement: String,
    /// Markdown of the legal notice (imprint) page; empty: none written yet.
    pub legal_notice: String,
    /// Markdown of the help page; empty: the built-in help.
    pub help_page: String,
    /// Seconds after a deadline in which submissions are still taken.
    pub deadline_tolerance_seconds: i32,
    /// Submissions per student and task when the task says nothing; -1 is unlimited.
    pub max_submissions: i32,
    /// Students do not see tasks whose reference solution fails its check.
    pub hide_failing_tasks: bool,
    /// Solutions are tested as they come in; off (exam mode) they are only stored.
    pub immediate_feedback: bool,
}

impl SiteSettings {
    pub fn auto_assign_group_names(&self) -> Vec<&str> {
        self.auto_assign_groups.split_whitespace().collect()
    }

    /// What differs from `old`, in words for the audit log: short values with their old and
    /// new value, texts by name only.
    pub fn changes_from(&self, old: &SiteSettings) -> Vec<String> {
        let yes_no = |on: bool| if on { "on" } else { "off" };
        let mut changes = Vec::new();
        let mut flag = |name: &str, old: bool, new: bool| {
            changes.extend(crate::audit::change(name, yes_no(old), yes_no(new)));
        };
        flag("signup", old.signup_allowed, self.signup_allowed);
        flag(
            "own-work declaration",
            old.require_ownwork_declaration,
            self.require_ownwork_declaration,
        );
        flag("hide failing tasks", old.hide_failing_tasks, self.hide_failing_tasks);
        flag("immediate feedback", old.immediate_feedback, self.immediate_feedback);
        let numbers = [
            (
                "deadline tolerance (s)",
                old.deadline_tolerance_seconds,
                self.deadline_tolerance_seconds,
            ),
            ("submission limit", old.max_submissions, self.max_submissions),
        ];
        for (name, old, new) in numbers {
            changes.extend(crate::audit::change(name, &old.to_string(), &new.to_string()));
        }
        changes.extend(crate::audit::change(
            "e-mail pattern",
            &old.email_pattern,
            &self.email_pattern,
        ));
        changes.extend(crate::audit::change(
            "groups to assign",
            &old.auto_assign_groups,
            &self.auto_assign_groups,
        ));
        let texts = [
            ("e-mail help text", &old.email_help_text, &self.email_help_text),
            ("e-mail error message", &old.email_error_message, &self.email_error_message),
            (
                "declaration introduction",
                &old.ownwork_declaration_intro,
                &self.ownwork_declaration_intro,
            ),
            ("own-work declaration", &old.ownwork_declaration, &self.ownwork_declaration),
            ("privacy statement", &old.privacy_statement, &self.privacy_statement),
            ("legal notice", &old.legal_notice, &self.legal_notice),
            ("help page", &old.help_page, &self.help_page),
        ];
        for (name, old, new) in texts {
            if old != new {
                changes.push(format!("{name} rewritten"));
            }
        }
        changes
    }
}

pub async fn load(db: impl PgExecutor<'_>) -> sqlx::Result<SiteSettings> {
    sqlx::query_as!(
        SiteSettings,
        "select signup_allowed, email_pattern, email_help_text, email_error_message,
                require_ownwork_declaration, ownwork_declaration_intro, ownwork_declaration,
                auto_assign_groups, privacy_statement, legal_notice, help_page, deadline_tolerance_seconds,
                max_submissions, hide_failing_tasks, immediate_feedback
         from site_settings"
    )
    .fetch_one(db)
    .await
}

pub async fn save(db: impl PgExecutor<'_>, settings: &SiteSettings) -> sqlx::Result<()> {
    sqlx::query!(
        "update site_settings set signup_allowed = $1, email_pattern = $2, email_help_text = $3,
                email_error_message = $4, require_ownwork_declaration = $5,
                ownwork_declaration_intro = $6, ownwork_declaration = $7, auto_assign_groups = $8,
                privacy_statement = $9, deadline_tolerance_seconds = $10, max_submissions = $11,
                hide_failing_tasks = $12, immediate_feedback = $13, legal_notice = $14, help_page = $15,
                updated_at = now()",
        settings.signup_allowed,
        settings.email_pattern,
        settings.email_help_text,
        settings.email_error_message,
        settings.require_ownwork_declaration,
        settings.ownwork_declaration_intro,
        settings.ownwork_declaration,
        settings.auto_assign_groups,
        settings.privacy_statement,
        settings.deadline_tolerance_seconds,
        settings.max_submissions,
        settings.hide_failing_tasks,
        settings.immediate_feedback,
        settings.legal_notice,
        settings.help_page
    )
    .execute(db)
    .await?;
    Ok(())
}
