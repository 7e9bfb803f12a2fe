//! Login, signup, activation, password reset and change, profile, own-work declaration.

use std::collections::HashMap;

use maud::{Markup, html};

use super::components::{Checkbox, Field, Select, csrf_field, form_error};
use crate::paths;

/// Field name → message, for forms that report problems per field.
#[derive(Default)]
pub struct FieldErrors(HashMap<&'static str, Markup>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, field: &'static str, message: impl Into<String>) {
        let message: String = message.into();
        self.0.insert(field, html! { (message) });
    }

    /// A message that is already safe HTML, e.g. Markdown written by staff.
    pub fn insert_markup(&mut self, field: &'static str, message: Markup) {
        self.0.insert(field, message);
    }

    pub fn get(&self, field: &str) -> Option<&Markup> {
        self.0.get(field)
    }

    pub fn contains_key(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub struct LoginView<'a> {
    pub csrf_token: &'a str,
    pub login: &'a str,
    pub next: &'a str,
    pub error: Option<&'a str>,
    pub notice: Option<&'a str>,
    pub signup_allowed: bool,
}

pub fn login(view: &LoginView<'_>) -> Markup {
    html! {
        section.narrow {
            h1 { "Log in" }
            @if let Some(notice) = view.notice { p.flash.flash-info role="status" { (notice) } }
            (form_error(view.error))
            form method="post" action=(paths::LOGIN) {
                (csrf_field(view.csrf_token))
                input type="hidden" name="next" value=(view.next);
                (Field { name: "login", label: "Username or e-mail address", kind: "text", value: view.login,
                         error: None, help: None, autocomplete: "username", required: true, ..Field::default() }.render())
                (Field { name: "password", label: "Password", kind: "password", value: "",
                         error: None, help: None, autocomplete: "current-password", required: true, ..Field::default() }.render())
                button.primary type="submit" { "Log in" }
            }
            p { a href=(paths::PASSWORD_RESET) { "Forgot your password?" } }
            @if view.signup_allowed {
                p { "New here? " a href=(paths::SIGNUP) { "Create an account" } }
            }
        }
    }
}

pub struct SignupView<'a> {
    pub csrf_token: &'a str,
    pub username: &'a str,
    pub email: &'a str,
    pub privacy_consent: bool,
    pub email_help: Option<Markup>,
    pub errors: &'a FieldErrors,
    pub error: Option<&'a str>,
}

pub fn signup(view: &SignupView<'_>) -> Markup {
    let error = |name: &str| view.errors.get(name);
    html! {
        section.narrow {
            h1 { "Create an account" }
            (form_error(view.error))
            form method="post" action=(paths::SIGNUP) novalidate {
                (csrf_field(view.csrf_token))
                (Field { name: "username", label: "Username", kind: "text", value: view.username,
                         error: error("username"),
                         help: Some(html! { "Up to 150 letters, digits and . + - _" }),
                         autocomplete: "username", required: true, ..Field::default() }.render())
                (Field { name: "email", label: "E-mail address", kind: "email", value: view.email,
                         error: error("email"), help: view.email_help.clone(), autocomplete: "email", required: true, ..Field::default() }.render())
                (Field { name: "password1", label: "Password", kind: "password", value: "",
                         error: error("password1"),
                         help: Some(html! { "At least " (crate::auth::MIN_PASSWORD_LENGTH) " characters; not a common password." }),
                         autocomplete: "new-password", required: true, ..Field::default() }.render())
                (Field { name: "password2", label: "Password again", kind: "password", value: "",
                         error: error("password2"), help: None, autocomplete: "new-password", required: true, ..Field::default() }.render())
                (Checkbox { name: "privacy_consent",
                            label: html! { "Yes, I accept the " a href=(paths::PRIVACY) target="_blank" { "privacy statement" } "." },
                            checked: view.privacy_consent, required: true, error: error("privacy_consent"), help: None }.render())
                button.primary type="submit" { "Sign up" }
            }
        }
    }
}

pub fn signup_closed() -> Markup {
    html! {
        section.narrow {
            h1 { "Signing up is closed" }
            p { "Sorry, signing up is not allowed at the moment. Ask your course staff for an account." }
            p { a href=(paths::LOGIN) { "Log in" } }
        }
    }
}

pub fn signup_complete(email: &str) -> Markup {
    html! {
        section.narrow {
            h1 { "Please check your mailbox" }
            p { "We have sent a link to " strong { (email) } ". Open it to activate your account; it stays valid for a week." }
            p { "No mail? Look in your spam folder, or sign up again after a week." }
        }
    }
}

pub fn activation_invalid() -> Markup {
    html! {
        section.narrow {
            h1 { "This activation link is not valid." }
            p { "It may have been used already, or it has expired. If your account is active, simply "
                a href=(paths::LOGIN) { "log in" } "." }
        }
    }
}

pub struct PasswordResetRequestView<'a> {
    pub csrf_token: &'a str,
    pub email: &'a str,
    pub error: Option<&'a str>,
}

pub fn password_reset_request(view: &PasswordResetRequestView<'_>) -> Markup {
    html! {
        section.narrow {
            h1 { "Forgot your password?" }
            p { "Enter the e-mail address of your account and we will send you a link to set a new password." }
            (form_error(view.error))
            form method="post" action=(paths::PASSWORD_RESET) {
                (csrf_field(view.csrf_token))
                (Field { name: "email", label: "E-mail address", kind: "email", value: view.email,
                         error: None, help: None, autocomplete: "email", required: true, ..Field::default() }.render())
                button.primary type="submit" { "Send me a link" }
            }
        }
    }
}

pub fn password_reset_sent() -> Markup {
    html! {
        section.narrow {
            h1 { "Check your mailbox" }
            p { "If an active account uses that address, we have sent it a link to set a new password. The link works once, for a day." }
        }
    }
}

pub fn password_reset_invalid() -> Markup {
    html! {
        section.narrow {
            h1 { "Sorry, this recovery link is invalid." }
            p { "It may have been used already, or it has expired. "
                a href=(paths::PASSWORD_RESET) { "Ask for a new link" } "." }
        }
    }
}

pub struct SetPasswordView<'a> {
    pub csrf_token: &'a str,
    pub action: &'a str,
    pub errors: &'a FieldErrors,
    /// Changing a known password asks for the old one first.
    pub ask_old_password: bool,
    pub heading: &'a str,
}

pub fn set_password(view: &SetPasswordView<'_>) -> Markup {
    let error = |name: &str| view.errors.get(name);
    html! {
        section.narrow {
            h1 { (view.heading) }
            form method="post" action=(view.action) novalidate {
                (csrf_field(view.csrf_token))
                @if view.ask_old_password {
                    (Field { name: "old_password", label: "Current password", kind: "password", value: "",
                             error: error("old_password"), help: None, autocomplete: "current-password", required: true, ..Field::default() }.render())
                }
                (Field { name: "password1", label: "New password", kind: "password", value: "",
                         error: error("password1"),
                         help: Some(html! { "At least " (crate::auth::MIN_PASSWORD_LENGTH) " characters; not a common password." }),
                         autocomplete: "new-password", required: true, ..Field::default() }.render())
                (Field { name: "password2", label: "New password again", kind: "password", value: "",
                         error: error("password2"), help: None, autocomplete: "new-password", required: true, ..Field::default() }.render())
                button.primary type="submit" { "Set password" }
            }
        }
    }
}

pub struct CourseOption {
    pub id: i64,
    pub name: String,
}

pub struct ProfileView<'a> {
    pub csrf_token: &'a str,
    pub username: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub matriculation_number: &'a str,
    pub course_id: Option<i64>,
    pub courses: &'a [CourseOption],
    pub groups: &'a [String],
    pub errors: &'a FieldErrors,
}

pub fn profile(view: &ProfileView<'_>) -> Markup {
    let selected_course = view.course_id.map(|id| id.to_string());
    let error = |name: &str| view.errors.get(name);
    html! {
        section.narrow {
            h1 { "My profile" }
            dl.facts {
                dt { "Username" } dd { (view.username) }
                dt { "E-mail address" } dd { (view.email) }
                dt { "Groups" } dd {
                    @if view.groups.is_empty() { span.muted { "none" } } @else { (view.groups.join(", ")) }
                }
            }
            form method="post" action=(paths::PROFILE) novalidate {
                (csrf_field(view.csrf_token))
                (Field { name: "first_name", label: "First name", kind: "text", value: view.first_name,
                         error: error("first_name"), help: None, autocomplete: "given-name", required: false, ..Field::default() }.render())
                (Field { name: "last_name", label: "Last name", kind: "text", value: view.last_name,
                         error: error("last_name"), help: None, autocomplete: "family-name", required: false, ..Field::default() }.render())
                (Field { name: "matriculation_number", label: "Matriculation number", kind: "text",
                         value: view.matriculation_number, error: error("matriculation_number"),
                         help: Some(html! { "Digits only; leave it blank if you have none." }),
                         autocomplete: "off", required: false, ..Field::default() }.render())
                (Select { name: "course_id", label: "Course of study",
                          options: view.courses.iter().map(|course| (course.id.to_string(), course.name.clone())).collect(),
                          selected: selected_course.as_deref(), error: error("course_id"), help: None }.render())
                button.primary type="submit" { "Save profile" }
            }
            p { a href=(paths::PASSWORD) { "Change my password" } }
        }
    }
}

pub struct OwnworkView<'a> {
    pub csrf_token: &'a str,
    pub intro: Markup,
    pub declaration: Markup,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub matriculation_number: &'a str,
    pub errors: &'a FieldErrors,
}

pub fn confirm_ownwork(view: &OwnworkView<'_>) -> Markup {
    let error = |name: &str| view.errors.get(name);
    html! {
        section.narrow {
            h1 { "Before you start" }
            div.prose { (view.intro) }
            form method="post" action=(paths::CONFIRM_OWNWORK) novalidate {
                (csrf_field(view.csrf_token))
                (Field { name: "first_name", label: "First name", kind: "text", value: view.first_name,
                         error: error("first_name"), help: None, autocomplete: "given-name", required: true, ..Field::default() }.render())
                (Field { name: "last_name", label: "Last name", kind: "text", value: view.last_name,
                         error: error("last_name"), help: None, autocomplete: "family-name", required: true, ..Field::default() }.render())
                (Field { name: "matriculation_number", label: "Matriculation number", kind: "text",
                         value: view.matriculation_number, error: error("matriculation_number"),
                         help: None, autocomplete: "off", required: true, ..Field::default() }.render())
                (Checkbox { name: "declaration", label: view.declaration.clone(), checked: false, required: true,
                            error: error("declaration"), help: None }.render())
                button.primary type="submit" { "Confirm" }
            }
        }
    }
}
