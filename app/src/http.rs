//! Small HTTP helpers every layer may use: redirects, htmx detection, query encoding and the
//! check of where a login may send the browser next. A leaf: it uses nothing of this crate but
//! the list of addresses.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use poem::{
    Request, Response,
    http::{StatusCode, header},
};

use crate::paths;

/// 303 See Other: after a form, the browser fetches the target with GET.
pub fn redirect(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// True when htmx sent the request, so the response should be a fragment, not a document.
pub fn is_htmx(req: &Request) -> bool {
    // History restores ask for the whole page even though htmx sends them.
    req.header("HX-Request").is_some() && req.header("HX-History-Restore-Request").is_none()
}

/// What stays as it is inside a query parameter: RFC 3986's unreserved characters, and `/` so
/// that a path stays readable in `?next=`.
const QUERY_VALUE: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

/// Percent-encodes a string for use inside a query parameter.
pub fn url_encode(text: &str) -> String {
    utf8_percent_encode(text, QUERY_VALUE).to_string()
}

/// The most pages a list is cut into; a larger `?page=` is taken as this one, so that no page
/// number, however large, overflows an offset.
pub const MOST_PAGES: i64 = 1_000_000;

/// A `?page=` number as a list can use it: 1 … `MOST_PAGES`.
pub fn page_number(requested: Option<i64>) -> i64 {
    requested.unwrap_or(1).clamp(1, MOST_PAGES)
}

/// Where to go after logging in: only paths on this site, never another host. Browsers drop
/// tabs and line breaks from an address and read a backslash as a slash, so `/\t/evil.example` would
/// leave the site: only visible ASCII is taken (our own links are percent-encoded anyway).
pub fn safe_next(next: &str) -> &str {
    let visible_ascii = next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    let is_local = visible_ascii && next.starts_with('/') && !next.starts_with("//");
    if is_local && !next.starts_with(paths::LOGIN) { next } else { paths::HOME }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_parameter_stays_on_this_site() {
        assert_eq!(safe_next("/staff/users?q=a"), "/staff/users?q=a");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil.example"), "/");
        assert_eq!(safe_next("/login"), "/");
        for sneaky in ["/\t/evil.example", "/\n/evil.example", "/ /evil.example", "/\u{0}x"] {
            assert_eq!(safe_next(sneaky), "/", "{sneaky:?}");
        }
        assert_eq!(safe_next("/tasks/a%20b?x=1#c"), "/tasks/a%20b?x=1#c");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(url_encode("/staff/users?q=a b&x"), "/staff/users%3Fq%3Da%20b%26x");
    }
}
