//! htmx request detection and response headers.

use poem::Request;

/// True when htmx sent the request, so the response should be a fragment, not a document.
pub fn is_htmx(req: &Request) -> bool {
    // History restores ask for the whole page even though htmx sends them.
    req.header("HX-Request").is_some() && req.header("HX-History-Restore-Request").is_none()
}
