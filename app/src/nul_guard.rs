//! Refuses requests carrying a NUL character before any handler sees them: PostgreSQL cannot
//! store NUL in text, so such a value would otherwise end as a 500 somewhere deep down. The
//! address (path and query) and url-encoded form bodies are looked at; uploaded files are
//! bytes and may hold anything.

use poem::{Endpoint, IntoResponse, Request, Response, http::StatusCode};

use crate::error::AppError;

/// Largest form body looked at; larger ones are refused further in anyway.
const MAX_FORM_BYTES: usize = 4 << 20;

const MESSAGE: &str = "What you sent contains a NUL character (\\0), which cannot be stored. \
    Remove it and send it again.";

pub async fn refuse_nul<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let address = req.uri().path_and_query().map(|whole| whole.as_str()).unwrap_or_default();
    let mut found = carries_nul(address.as_bytes());
    if !found
        && req.content_type().is_some_and(|content_type| {
            content_type.starts_with("application/x-www-form-urlencoded")
        })
    {
        let body = req
            .take_body()
            .into_bytes_limit(MAX_FORM_BYTES)
            .await
            .map_err(|_| AppError::BadRequest("The form is too large.".into()))?;
        found = carries_nul(&body);
        req.set_body(body);
    }
    if !found {
        return Ok(next.call(req).await?.into_response());
    }
    tracing::info!(path = req.uri().path(), "refused a request with a NUL character");
    let wants_json = req
        .header(poem::http::header::ACCEPT)
        .is_some_and(|accept| accept.contains("application/json"));
    if wants_json {
        return Ok(Response::builder()
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .content_type("application/json")
            .body(serde_json::json!({ "error": MESSAGE }).to_string()));
    }
    Err(AppError::Unprocessable(MESSAGE.to_owned()).into())
}

/// A NUL byte, raw or percent-encoded (`%00`: a percent sign itself is encoded as `%25`).
fn carries_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0)
        || bytes
            .windows(3)
            .any(|window| window[0] == b'%' && window[1] == b'0' && window[2] == b'0')
}

#[cfg(test)]
mod tests {
    use super::carries_nul;

    #[test]
    fn raw_and_encoded_nul_are_found_and_nothing_else() {
        assert!(carries_nul(b"name=a%00b"));
        assert!(carries_nul(b"/tasks/%00"));
        assert!(carries_nul(b"a\0b"));
        assert!(!carries_nul(b"name=100%25&x=%2000"));
        assert!(!carries_nul(b"q=%E2%90%80"));
    }
}
