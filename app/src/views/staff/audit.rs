//! The audit log page: what staff changed, filtered by who, what and when.

use maud::{Markup, html};

use super::{
    super::components::{Field, Select, pagination},
    staff_nav,
};
use crate::{audit::Action, paths};

pub struct LogRowView {
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub details: String,
}

pub struct AuditView<'a> {
    pub is_admin: bool,
    pub actor: &'a str,
    pub action: &'a str,
    pub text: &'a str,
    pub from: &'a str,
    pub until: &'a str,
    pub from_error: Option<Markup>,
    pub until_error: Option<Markup>,
    pub rows: &'a [LogRowView],
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub base_url: &'a str,
}

pub fn audit(view: &AuditView<'_>) -> Markup {
    let mut actions = vec![(String::new(), "any".to_owned())];
    actions.extend(
        Action::ALL
            .into_iter()
            .map(|action| (action.as_str().to_owned(), action.label().to_owned())),
    );
    html! {
        (staff_nav(paths::staff::AUDIT, view.is_admin))
        h1 { "Audit log" }
        p.help { "Every change staff made to accounts, groups, settings, repositories and solutions, newest first." }
        form.filters role="search" method="get" action=(paths::staff::AUDIT)
            hx-get=(paths::staff::AUDIT) hx-trigger="change, input changed delay:300ms from:input[type=search]"
            hx-target="#audit-results" hx-select="#audit-results" hx-swap="outerHTML" hx-push-url="true" {
            (Field { name: "actor", label: "By", kind: "search", value: view.actor, placeholder: Some("user name"),
                     maxlength: Some(150), ..Field::default() }.render())
            (Select { name: "action", label: "Change", options: actions, selected: Some(view.action), error: None, help: None }.render())
            (Field { name: "text", label: "Concerning", kind: "search", value: view.text,
                     placeholder: Some("user, group, task, repository…"), maxlength: Some(100), ..Field::default() }.render())
            (Field { name: "from", label: "From", kind: "date", value: view.from, error: view.from_error.as_ref(), ..Field::default() }.render())
            (Field { name: "until", label: "until (including)", kind: "date", value: view.until, error: view.until_error.as_ref(), ..Field::default() }.render())
            div.actions { button.primary type="submit" { "Show" } a href=(paths::staff::AUDIT) { "Clear" } }
        }
        div #audit-results {
            p.muted role="status" { (view.total) " change(s)" }
            @if !view.rows.is_empty() {
                table.data.audit {
                    thead { tr { th scope="col" { "When" } th scope="col" { "By" } th scope="col" { "Change" } th scope="col" { "Concerning" } th scope="col" { "Details" } } }
                    tbody {
                        @for row in view.rows {
                            tr {
                                td { (row.at) }
                                td {
                                    @match row.actor_id {
                                        Some(id) => { a href=(paths::staff::user(id)) { (row.actor_name) } }
                                        None => { (row.actor_name) " " span.badge { "deleted" } }
                                    }
                                }
                                td { (row.action) }
                                td { (row.subject) }
                                td { (row.details) }
                            }
                        }
                    }
                }
            }
            (pagination(view.base_url, view.page, view.pages))
        }
    }
}
