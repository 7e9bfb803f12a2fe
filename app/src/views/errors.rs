//! Error pages that say what happened and what to do next.

use maud::{Markup, html};

use crate::paths;

pub fn not_found() -> Markup {
    html! {
        section.error-page {
            h1 { "Page not found" }
            p { "There is nothing at this address. It may have moved, or the link you followed may be mistyped." }
            p { a href=(paths::HOME) { "Go to the start page" } }
        }
    }
}

pub fn method_not_allowed() -> Markup {
    html! {
        section.error-page {
            h1 { "Not possible this way" }
            p { "This address does not accept that kind of request. Logging out, for example, works only through the Log out button." }
            p { a href=(paths::HOME) { "Go to the start page" } }
        }
    }
}

pub fn forbidden(message: &str) -> Markup {
    html! {
        section.error-page {
            h1 { "Not allowed" }
            p { (message) }
            p { a href=(paths::HOME) { "Go to the start page" } }
        }
    }
}

pub fn csrf_rejected() -> Markup {
    html! {
        section.error-page {
            h1 { "This form has expired" }
            p { "For your security we did not accept it: it was sent from an old page or from another site. Nothing was changed." }
            p { "Go back, reload the page, and send the form again." }
        }
    }
}

pub fn too_many(message: &str) -> Markup {
    html! {
        section.error-page {
            h1 { "Too many attempts" }
            p { (message) }
        }
    }
}

pub fn unprocessable(message: &str) -> Markup {
    html! {
        section.error-page {
            h1 { "Not accepted as it is" }
            p { (message) }
            p { "Go back to change it; nothing was stored." }
        }
    }
}

pub fn bad_request(message: &str) -> Markup {
    html! {
        section.error-page {
            h1 { "We could not understand that request" }
            p { (message) }
            p { a href=(paths::HOME) { "Go to the start page" } }
        }
    }
}

pub fn internal(reference: &str) -> Markup {
    html! {
        section.error-page {
            h1 { "Something went wrong on our side" }
            p { "Your request could not be completed. Please try again in a moment." }
            p { "If it keeps happening, tell the course staff this reference: " code { (reference) } }
        }
    }
}

pub fn unavailable() -> Markup {
    html! {
        section.error-page {
            h1 { "INLOOP is briefly unavailable" }
            p { "The database or the job queue cannot be reached at the moment, usually only for a minute or two during maintenance." }
            p { "Nothing you saved or submitted is lost, and solutions that were being tested get their results. Please try again shortly." }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::snapshot_html;

    #[test]
    fn error_pages_say_what_happened_and_what_to_do() {
        insta::assert_snapshot!("not_found", snapshot_html(not_found()));
        insta::assert_snapshot!("csrf_rejected", snapshot_html(csrf_rejected()));
        insta::assert_snapshot!("too_many", snapshot_html(too_many("Try again in 2 minutes.")));
        insta::assert_snapshot!("internal", snapshot_html(internal("0123456789ab")));
        insta::assert_snapshot!("unavailable", snapshot_html(unavailable()));
    }
}
