//! The start page for logged-in users, and the pages admins write: privacy statement, legal
//! notice, help.

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

/// The legal notice, or a note that there is none yet.
pub fn legal_notice(text: Option<Markup>) -> Markup {
    html! {
        section.narrow {
            h1 { "Legal notice" }
            @match text {
                Some(text) => div.prose { (text) },
                None => p.muted { "The people who run this site have not written a legal notice yet." },
            }
        }
    }
}

/// The admins' help, or the built-in one.
pub fn help(text: Option<Markup>) -> Markup {
    html! {
        section.narrow {
            h1 { "Help" }
            @match text {
                Some(text) => div.prose { (text) },
                None => div.prose {
                    h2 { "Handing in a solution" }
                    p {
                        "Open a task from its category. Write your solution in the editor beside the task text "
                        "and press " strong { "Submit" } ", or upload your files below it. "
                        strong { "Save" } " keeps your work in the editor without handing it in."
                    }
                    h2 { "Your result" }
                    p {
                        "Each solution is compiled and tested on its own; its page shows the result as soon as it is "
                        "there, with every test, its message and what your program printed. A solution we could not "
                        "test does not count against your submissions."
                    }
                    h2 { "Deadlines and limits" }
                    p {
                        "A task's page shows its deadline and how many solutions you may still hand in. If you have "
                        "been given an extension, it says so there."
                    }
                    h2 { "Questions" }
                    p { "Ask your course's staff; they can see your solutions and their results." }
                },
            }
        }
    }
}
