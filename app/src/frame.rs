//! The frame around every page: the site's name, the stylesheets and scripts every page loads,
//! the visitor's menu and flashes. Built here from the shared state and the visitor's session;
//! `views::layout` draws it.

use crate::{
    db::users::{Role, User},
    session::TypedSession,
    state::AppState,
    views::layout::{Chrome, NavUser},
};

/// The frame for responses that have no session to draw on (error pages).
pub fn anonymous(state: &AppState) -> Chrome {
    Chrome {
        site_name: state.settings.site_name.clone(),
        stylesheet: state.assets.url("css/app.css").to_owned(),
        code_styles: code_styles(state),
        scripts: scripts(state),
        page_assets: (Vec::new(), Vec::new()),
        csrf_token: None,
        user: None,
        flashes: Vec::new(),
    }
}

/// The frame for a visitor, logged in or not, with the token of their forms; takes the
/// session's flashes.
pub fn for_visitor(
    state: &AppState,
    session: TypedSession<'_>,
    user: Option<&User>,
    csrf_token: String,
) -> Chrome {
    Chrome {
        csrf_token: Some(csrf_token),
        user: user.map(|user| NavUser {
            username: user.username.clone(),
            is_staff: user.role.is_staff(),
            is_admin: user.role == Role::Admin,
        }),
        flashes: session.take_flashes(),
        ..anonymous(state)
    }
}

fn code_styles(state: &AppState) -> (String, String) {
    (
        state.assets.url("vendor/highlight-github-11.12.0.min.css").to_owned(),
        state.assets.url("vendor/highlight-github-dark-11.12.0.min.css").to_owned(),
    )
}

fn scripts(state: &AppState) -> Vec<String> {
    [
        "vendor/htmx-2.0.11.min.js",
        "vendor/htmx-ext-sse-2.2.4.min.js",
        "vendor/highlight-11.12.0.min.js",
        "js/app.js",
    ]
    .into_iter()
    .map(|name| state.assets.url(name).to_owned())
    .collect()
}

/// The code editor's files: Ace in its strict-CSP mode wants its stylesheets linked.
pub fn editor_assets(state: &AppState) -> (Vec<String>, Vec<String>) {
    let urls = |names: &[&str]| -> Vec<String> {
        names.iter().map(|name| state.assets.url(name).to_owned()).collect()
    };
    (
        urls(&["vendor/ace-1.45.2/css/ace.css", "vendor/ace-1.45.2/css/theme/github_dark.css"]),
        urls(&[
            "vendor/ace-1.45.2/ace.js",
            "vendor/ace-1.45.2/mode-java.js",
            "vendor/ace-1.45.2/mode-python.js",
            "vendor/ace-1.45.2/ext-searchbox.js",
            "vendor/ace-1.45.2/theme-github_dark.js",
            "js/editor.js",
        ]),
    )
}
