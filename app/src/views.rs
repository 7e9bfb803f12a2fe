//! Pages and fragments: pure functions from plain data to maud `Markup`.
//!
//! Views never see the database, the session or the request; handlers gather what a view needs
//! into the structs defined here and call it.

pub mod accounts;
pub mod charts;
pub mod components;
pub mod editor;
pub mod errors;
pub mod home;
pub mod layout;
pub mod mails;
pub mod solutions;
pub mod staff;
pub mod tasks;

/// A view's HTML one element a line, so that a snapshot's diff shows what changed.
#[cfg(test)]
fn snapshot_html(markup: maud::Markup) -> String {
    markup.into_string().replace("><", ">\n<")
}
