//! The document frame: head, navigation, flash messages, footer.

use maud::{DOCTYPE, Markup, html};

use crate::{
    paths,
    session::{Flash, FlashLevel},
};

/// What the frame around every page needs to know.
pub struct Chrome {
    pub site_name: String,
    pub stylesheet: String,
    /// Code highlighting themes: (light, dark).
    pub code_styles: (String, String),
    pub scripts: Vec<String>,
    /// What one page needs beyond the rest, such as the code editor: (stylesheets, scripts).
    pub page_assets: (Vec<String>, Vec<String>),
    /// Absent on error pages rendered without a session.
    pub csrf_token: Option<String>,
    pub user: Option<NavUser>,
    pub flashes: Vec<Flash>,
}

pub struct NavUser {
    pub username: String,
    pub is_staff: bool,
    pub is_admin: bool,
}

/// htmx settings that keep it within our Content-Security-Policy (no eval, no inline styles).
const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true,"historyCacheSize":0}"#;

pub fn page(chrome: &Chrome, title: &str, body: &Markup) -> Markup {
    let hx_headers = chrome
        .csrf_token
        .as_ref()
        .map(|token| serde_json::json!({ crate::csrf::HEADER: token }).to_string());
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=(HTMX_CONFIG);
                title { (title) " · " (chrome.site_name) }
                link rel="stylesheet" href=(chrome.stylesheet);
                link rel="stylesheet" href=(chrome.code_styles.0) media="(prefers-color-scheme: light)";
                link rel="stylesheet" href=(chrome.code_styles.1) media="(prefers-color-scheme: dark)";
                @for stylesheet in &chrome.page_assets.0 {
                    link rel="stylesheet" href=(stylesheet);
                }
                @for script in chrome.scripts.iter().chain(&chrome.page_assets.1) {
                    script src=(script) defer {}
                }
            }
            body hx-headers=[hx_headers] {
                a.skip-link href="#main" { "Skip to content" }
                header.site-header {
                    nav.site-nav aria-label="Main" {
                        a.brand href=(paths::HOME) { (chrome.site_name) }
                        @if let Some(user) = &chrome.user {
                            ul {
                                li { a href=(paths::HOME) { "Home" } }
                                @if user.is_staff {
                                    li { a href=(paths::staff::DASHBOARD) { "Staff" } }
                                }
                                li { a href=(paths::PROFILE) { "My profile" } }
                                li {
                                    form.inline method="post" action=(paths::LOGOUT) {
                                        @if let Some(token) = &chrome.csrf_token {
                                            input type="hidden" name=(crate::csrf::FORM_FIELD) value=(token);
                                        }
                                        button.link-button type="submit" {
                                            "Log out " span.muted { "(" (user.username) ")" }
                                        }
                                    }
                                }
                            }
                        } @else {
                            ul {
                                li { a href=(paths::LOGIN) { "Log in" } }
                                li { a href=(paths::SIGNUP) { "Sign up" } }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    (flashes(&chrome.flashes))
                    (body)
                }
                footer.site-footer {
                    a href=(paths::HELP) { "Help" }
                    a href=(paths::PRIVACY) { "Privacy" }
                    a href=(paths::LEGAL_NOTICE) { "Legal notice" }
                    span.muted { (chrome.site_name) }
                }
            }
        }
    }
}

/// What an htmx swap receives: the flashes and the page content, with the title for htmx to set.
pub fn fragment(chrome: &Chrome, title: &str, body: &Markup) -> Markup {
    html! {
        title { (title) " · " (chrome.site_name) }
        (flashes(&chrome.flashes))
        (body)
    }
}

fn flashes(flashes: &[Flash]) -> Markup {
    html! {
        @if !flashes.is_empty() {
            div.flashes role="status" aria-live="polite" {
                @for flash in flashes {
                    p class=(format!("flash flash-{}", level_name(flash.level))) { (flash.text) }
                }
            }
        }
    }
}

fn level_name(level: FlashLevel) -> &'static str {
    match level {
        FlashLevel::Success => "success",
        FlashLevel::Info => "info",
        FlashLevel::Warning => "warning",
        FlashLevel::Error => "error",
    }
}
