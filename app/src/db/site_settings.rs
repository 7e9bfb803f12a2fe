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
}

pub async fn load(db: impl PgExecutor<'_>) -> sqlx::Result<SiteSettings> {
    sqlx::query_as!(
        SiteSettings,
        "select signup_allowed, email_pattern, email_help_text, email_error_message,
                require_ownwork_declaration, ownwork_declaration_intro, ownwork_declaration,
                auto_assign_groups, privacy_statement, deadline_tolerance_seconds, max_submissions, hide_failing_tasks,
                immediate_feedback
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
                hide_failing_tasks = $12, immediate_feedback = $13, updated_at = now()",
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
        settings.immediate_feedback
    )
    .execute(db)
    .await?;
    Ok(())
}
