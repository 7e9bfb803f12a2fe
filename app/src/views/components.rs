//! Small widgets shared by many pages: form fields, the CSRF field, pagination.

use maud::{Markup, html};

/// A labelled input with its help text and error, wired up for screen readers.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub value: &'a str,
    pub error: Option<&'a Markup>,
    pub help: Option<Markup>,
    pub autocomplete: &'a str,
    pub required: bool,
}

impl Field<'_> {
    pub fn render(&self) -> Markup {
        let id = format!("field-{}", self.name);
        let help_id = format!("{id}-help");
        let error_id = format!("{id}-error");
        let mut described_by = Vec::new();
        if self.help.is_some() {
            described_by.push(help_id.clone());
        }
        if self.error.is_some() {
            described_by.push(error_id.clone());
        }
        let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
        // Passwords are never sent back into the page.
        let value = (self.kind != "password").then_some(self.value);
        html! {
            div.field.has-error[self.error.is_some()] {
                label for=(id) { (self.label) @if self.required { span.required aria-hidden="true" { " *" } } }
                input id=(id) name=(self.name) type=(self.kind) value=[value]
                    autocomplete=(self.autocomplete) required[self.required]
                    aria-invalid=[self.error.map(|_| "true")] aria-describedby=[described_by];
                @if let Some(help) = &self.help {
                    div.help id=(help_id) { (help) }
                }
                @if let Some(error) = self.error {
                    p.error id=(error_id) { (error) }
                }
            }
        }
    }
}

pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(crate::csrf::FORM_FIELD) value=(token); }
}

/// An error summary at the top of a form, so screen readers announce it.
pub fn form_error(message: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = message {
            div.form-error role="alert" { (message) }
        }
    }
}

/// "Previous / page N of M / Next" links that keep the other query parameters.
pub fn pagination(base: &str, page: i64, pages: i64) -> Markup {
    let link = |target: i64| {
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}page={target}")
    };
    html! {
        @if pages > 1 {
            nav.pagination aria-label="Pages" {
                @if page > 1 { a href=(link(page - 1)) rel="prev" { "← Previous" } }
                span { "Page " (page) " of " (pages) }
                @if page < pages { a href=(link(page + 1)) rel="next" { "Next →" } }
            }
        }
    }
}
