//! The start page for logged-in users and the privacy statement.

use maud::{Markup, html};

use crate::paths;

pub struct HomeView<'a> {
    pub display_name: &'a str,
    pub profile_complete: bool,
    pub groups: &'a [String],
    pub is_staff: bool,
    pub tasks: Markup,
}

pub fn home(view: &HomeView<'_>) -> Markup {
    html! {
        section {
            h1 { "Hello, " (view.display_name) }
            @if !view.profile_complete {
                p.flash.flash-warning {
                    "Your profile is incomplete: please add your name and matriculation number in "
                    a href=(paths::PROFILE) { "My profile" } "."
                }
            }
            (view.tasks)
            div.cards {
                article.card {
                    h2 { "Your account" }
                    p {
                        @if view.groups.is_empty() { "You are not in a group yet." }
                        @else { "Your group: " (view.groups.join(", ")) }
                    }
                    p { a href=(paths::PROFILE) { "Profile" } " · " a href=(paths::PASSWORD) { "Password" } }
                }
                @if view.is_staff {
                    article.card {
                        h2 { "Course staff" }
                        p { a href=(paths::staff::DASHBOARD) { "Manage users, groups and settings" } }
                    }
                }
            }
        }
    }
}

pub fn privacy(statement: Markup) -> Markup {
    html! {
        section.narrow {
            h1 { "Privacy statement" }
            div.prose { (statement) }
        }
    }
}
