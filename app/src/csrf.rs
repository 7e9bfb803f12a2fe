//! CSRF protection for every state-changing request: a per-session token, checked centrally.
//!
//! Forms carry the token in a hidden `csrf_token` field; htmx sends it in the `X-CSRF-Token`
//! header (set once on `<body>`). Requests with any other method than GET, HEAD or OPTIONS that
//! do not present the session's token are refused with 403 before a handler runs, so no handler
//! can forget the check. A visitor who is not logged in has no session in Redis: their token
//! lives in a cookie of its own (`inloop_csrf`, `__Host-inloop_csrf` under https), which the form must repeat (a double-submit
//! cookie), so looking at the login page costs the session store nothing.

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{Method, StatusCode},
    session::Session,
    web::cookie::{Cookie, CookieJar, SameSite},
};
use subtle::ConstantTimeEq;

use crate::session::TypedSession;

pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "X-CSRF-Token";
/// The cookie that holds the token of a visitor who is not logged in. Under https it carries the
/// `__Host-` prefix, which browsers only accept from this very host over TLS, so no sibling
/// subdomain or plain-http forger can plant a token they know.
pub const ANONYMOUS_COOKIE: &str = "inloop_csrf";
const ANONYMOUS_COOKIE_HTTPS: &str = "__Host-inloop_csrf";

pub fn anonymous_cookie_name(secure: bool) -> &'static str {
    if secure { ANONYMOUS_COOKIE_HTTPS } else { ANONYMOUS_COOKIE }
}
/// Largest url-encoded form we read to find the token: the editor's form carries up to 1 MB of
/// code, which url-encoding can triple.
const MAX_FORM_BYTES: usize = 4 << 20;

/// Why a request was refused; `error::render_errors` draws the page.
#[derive(Debug, thiserror::Error)]
pub enum CsrfError {
    #[error("request rejected: the form was out of date")]
    Rejected,
    /// The body was too large to look for the token in.
    #[error("{0}")]
    TooLarge(&'static str),
}

impl poem::error::ResponseError for CsrfError {
    fn status(&self) -> StatusCode {
        match self {
            CsrfError::Rejected => StatusCode::FORBIDDEN,
            CsrfError::TooLarge(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// The check itself; `secure` says whether the site is served over https (which cookie holds a
/// visitor's token).
pub async fn verify<E: Endpoint>(
    next: E,
    mut req: Request,
    secure: bool,
) -> poem::Result<Response> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.call(req).await?.into_response());
    }
    let expected = req.extensions().get::<Session>().and_then(|session| {
        let session = TypedSession(session);
        if session.user_id().is_some() {
            session.stored_csrf_token()
        } else {
            anonymous_token(req.cookie(), secure)
        }
    });
    let Some(expected) = expected else {
        return Err(CsrfError::Rejected.into());
    };
    let mut presented = req.header(HEADER).map(str::to_owned);
    if presented.is_none()
        && let Some(boundary) = multipart_boundary(&req)
    {
        // Uploads without JavaScript carry the token as a form field too. The body is read once
        // here (bounded) and handed on unchanged.
        let body = req
            .take_body()
            .into_bytes_limit(MAX_MULTIPART_BYTES)
            .await
            .map_err(|_| CsrfError::TooLarge("The upload is too large."))?;
        presented = multipart_field(body.clone(), boundary, FORM_FIELD).await;
        req.set_body(body);
    } else if presented.is_none() && is_url_encoded_form(&req) {
        let body = req
            .take_body()
            .into_bytes_limit(MAX_FORM_BYTES)
            .await
            .map_err(|_| CsrfError::TooLarge("The form is too large."))?;
        presented = form_field(&body, FORM_FIELD);
        req.set_body(body);
    }
    let valid = presented
        .is_some_and(|presented| bool::from(presented.as_bytes().ct_eq(expected.as_bytes())));
    if !valid {
        return Err(CsrfError::Rejected.into());
    }
    Ok(next.call(req).await?.into_response())
}

/// The token of a visitor who is not logged in, from their cookie, if it holds one we could have
/// made.
fn anonymous_token(cookies: &CookieJar, secure: bool) -> Option<String> {
    let value = cookies.get(anonymous_cookie_name(secure))?.value_str().to_owned();
    let plausible = value.len() == crate::session::CSRF_TOKEN_CHARS
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then_some(value)
}

/// The token to put in the forms of a visitor who is not logged in: the one their cookie holds,
/// or a new one, set in a cookie that lasts as long as the browser is open.
pub fn anonymous_token_or_new(cookies: &CookieJar, secure: bool) -> String {
    if let Some(token) = anonymous_token(cookies, secure) {
        return token;
    }
    let token = crate::session::new_csrf_token();
    let mut cookie = Cookie::new_with_str(anonymous_cookie_name(secure), &token);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(secure);
    cookies.add(cookie);
    token
}

/// Largest multipart body read to find the token: above any upload we accept.
const MAX_MULTIPART_BYTES: usize = 4 << 20;

fn multipart_boundary(req: &Request) -> Option<String> {
    let content_type = req.content_type()?;
    content_type
        .starts_with("multipart/form-data")
        .then(|| multer::parse_boundary(content_type).ok())
        .flatten()
}

async fn multipart_field(body: bytes::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn is_url_encoded_form(req: &Request) -> bool {
    req.content_type()
        .is_some_and(|content_type| content_type.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(key, _)| key == name).map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_found_among_other_form_fields() {
        let body = b"username=bob&csrf_token=abc%2B1&password=x";
        assert_eq!(form_field(body, FORM_FIELD).as_deref(), Some("abc+1"));
        assert_eq!(form_field(b"username=bob", FORM_FIELD), None);
    }
}
