//! Small widgets shared by many pages: form fields, the CSRF field, pagination.

use maud::{Markup, html};

/// The ids and `aria-*` values that tie a control to its label, help text and error. Every field
/// kind below is wired through this one place, so screen readers hear each the same way.
struct Wiring {
    id: String,
    help_id: String,
    error_id: String,
    described_by: Option<String>,
    invalid: Option<&'static str>,
}

impl Wiring {
    fn new(name: &str, has_help: bool, has_error: bool) -> Self {
        let id = format!("field-{name}");
        let help_id = format!("{id}-help");
        let error_id = format!("{id}-error");
        let described_by: Vec<&str> =
            [(has_help, help_id.as_str()), (has_error, error_id.as_str())]
                .into_iter()
                .filter_map(|(present, id)| present.then_some(id))
                .collect();
        let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
        Wiring { invalid: has_error.then_some("true"), described_by, id, help_id, error_id }
    }

    fn help_and_error(&self, help: Option<&Markup>, error: Option<&Markup>) -> Markup {
        html! {
            @if let Some(help) = help { div.help id=(self.help_id) { (help) } }
            @if let Some(error) = error { p.error id=(self.error_id) { (error) } }
        }
    }
}

fn label(for_id: &str, text: &str, required: bool) -> Markup {
    html! {
        label for=(for_id) { (text) @if required { span.required aria-hidden="true" { " *" } } }
    }
}

/// A labelled input with its help text and error, wired up for screen readers.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: &'a str,
    /// The input's `type`: text, email, password, number, url, search.
    pub kind: &'a str,
    pub value: &'a str,
    pub error: Option<&'a Markup>,
    pub help: Option<Markup>,
    pub autocomplete: &'a str,
    pub required: bool,
    /// For numbers: the smallest value the browser offers.
    pub min: Option<i64>,
    pub maxlength: Option<u32>,
    pub placeholder: Option<&'a str>,
}

impl Default for Field<'_> {
    fn default() -> Self {
        Field {
            name: "",
            label: "",
            kind: "text",
            value: "",
            error: None,
            help: None,
            autocomplete: "off",
            required: false,
            min: None,
            maxlength: None,
            placeholder: None,
        }
    }
}

impl Field<'_> {
    pub fn render(&self) -> Markup {
        let wiring = Wiring::new(self.name, self.help.is_some(), self.error.is_some());
        // Passwords are never sent back into the page.
        let value = (self.kind != "password").then_some(self.value);
        html! {
            div.field.has-error[self.error.is_some()] {
                (label(&wiring.id, self.label, self.required))
                input id=(wiring.id) name=(self.name) type=(self.kind) value=[value]
                    autocomplete=(self.autocomplete) required[self.required]
                    min=[self.min] maxlength=[self.maxlength] placeholder=[self.placeholder]
                    aria-invalid=[wiring.invalid] aria-describedby=[&wiring.described_by];
                (wiring.help_and_error(self.help.as_ref(), self.error))
            }
        }
    }
}

/// A labelled multi-line text field.
pub struct TextArea<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub rows: u32,
    pub error: Option<&'a Markup>,
    pub help: Option<Markup>,
}

impl TextArea<'_> {
    pub fn render(&self) -> Markup {
        let wiring = Wiring::new(self.name, self.help.is_some(), self.error.is_some());
        html! {
            div.field.has-error[self.error.is_some()] {
                (label(&wiring.id, self.label, false))
                textarea id=(wiring.id) name=(self.name) rows=(self.rows)
                    aria-invalid=[wiring.invalid] aria-describedby=[&wiring.described_by] { (self.value) }
                (wiring.help_and_error(self.help.as_ref(), self.error))
            }
        }
    }
}

/// A labelled choice of one option: `(value, text)` pairs and the value chosen.
pub struct Select<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub options: Vec<(String, String)>,
    pub selected: Option<&'a str>,
    pub error: Option<&'a Markup>,
    pub help: Option<Markup>,
}

impl Select<'_> {
    pub fn render(&self) -> Markup {
        let wiring = Wiring::new(self.name, self.help.is_some(), self.error.is_some());
        html! {
            div.field.has-error[self.error.is_some()] {
                (label(&wiring.id, self.label, false))
                select id=(wiring.id) name=(self.name)
                    aria-invalid=[wiring.invalid] aria-describedby=[&wiring.described_by] {
                    @for (value, text) in &self.options {
                        option value=(value) selected[self.selected == Some(value.as_str())] { (text) }
                    }
                }
                (wiring.help_and_error(self.help.as_ref(), self.error))
            }
        }
    }
}

/// A checkbox with its label after it; ticked, the form sends `name=on`.
pub struct Checkbox<'a> {
    pub name: &'a str,
    pub label: Markup,
    pub checked: bool,
    pub required: bool,
    pub error: Option<&'a Markup>,
    pub help: Option<Markup>,
}

impl Checkbox<'_> {
    pub fn render(&self) -> Markup {
        let wiring = Wiring::new(self.name, self.help.is_some(), self.error.is_some());
        html! {
            div.field.checkbox.has-error[self.error.is_some()] {
                input id=(wiring.id) type="checkbox" name=(self.name) value="on"
                    checked[self.checked] required[self.required]
                    aria-invalid=[wiring.invalid] aria-describedby=[&wiring.described_by];
                label for=(wiring.id) { (self.label) }
                (wiring.help_and_error(self.help.as_ref(), self.error))
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
