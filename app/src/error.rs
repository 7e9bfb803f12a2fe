//! One error type for every handler, and the middleware that turns any error into a page.
//!
//! Handlers return `Result<_, AppError>`. Outcomes a user can act on (not found, log in first,
//! too many attempts, a rejected form) keep their message; PostgreSQL or Redis out of reach is a
//! 503 "briefly unavailable" page with `Retry-After`; everything else is logged with its
//! whole cause chain and shown as an opaque "something went wrong" page with a reference the
//! admin can find in the log. htmx requests get the same content as a fragment, so a swap never
//! puts a whole document inside a page.

use poem::{
    Endpoint, IntoResponse, PathPattern, Request, Response,
    http::{StatusCode, header},
};

use crate::{csrf::CsrfError, frame, http, paths, state::AppState, views};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    LoginRequired { next: String },
    /// Somewhere else first, e.g. the own-work declaration.
    #[error("redirect to {0}")]
    Redirect(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("too many requests")]
    TooManyRequests { message: String },
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Understood, and refused as it is (422): the message says what to change.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("redis error")]
    Redis(#[from] redis::RedisError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::LoginRequired { .. } | AppError::Redirect(_) => StatusCode::SEE_OTHER,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Db(_) | AppError::Redis(_) | AppError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// Middleware: renders every error that reaches it, ours or poem's, as a page or fragment.
pub async fn render_errors<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let wants_fragment = http::is_htmx(&req);
    let state = req.data::<AppState>().cloned();
    let method = req.method().clone();
    let path = req.original_uri().path().to_owned();
    let err = match next.call(req).await {
        Ok(resp) => return Ok(resp.into_response()),
        Err(err) => err,
    };
    // The route that failed, for the request metrics, which only see the page drawn here.
    let pattern = err.data::<PathPattern>().cloned();
    let mut response = error_page(err, state, wants_fragment, &method, &path);
    if let Some(pattern) = pattern {
        response.set_data(pattern);
    }
    Ok(response)
}

fn error_page(
    err: poem::Error,
    state: Option<AppState>,
    wants_fragment: bool,
    method: &poem::http::Method,
    path: &str,
) -> Response {
    let Some(state) = state else {
        return err.into_response();
    };
    let chrome = frame::anonymous(&state);
    let page = |status: StatusCode, body: maud::Markup, title: &str| -> Response {
        let markup = if wants_fragment { body } else { views::layout::page(&chrome, title, &body) };
        Response::builder()
            .status(status)
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(markup.into_string())
    };
    if let Some(csrf_error) = err.downcast_ref::<CsrfError>() {
        return match csrf_error {
            CsrfError::Rejected => {
                tracing::warn!(%method, %path, "rejected a state-changing request without a valid CSRF token");
                page(StatusCode::FORBIDDEN, views::errors::csrf_rejected(), "Form expired")
            }
            CsrfError::TooLarge(message) => {
                page(StatusCode::BAD_REQUEST, views::errors::bad_request(message), "Bad request")
            }
        };
    }
    if let Some(app_error) = err.downcast_ref::<AppError>() {
        return match app_error {
            AppError::NotFound => {
                page(StatusCode::NOT_FOUND, views::errors::not_found(), "Page not found")
            }
            AppError::LoginRequired { next } => redirect_response(
                &format!("{}?next={}", paths::LOGIN, http::url_encode(next)),
                wants_fragment,
            ),
            AppError::Redirect(location) => redirect_response(location, wants_fragment),
            AppError::Forbidden(message) => {
                page(StatusCode::FORBIDDEN, views::errors::forbidden(message), "Not allowed")
            }
            AppError::TooManyRequests { message } => {
                page(StatusCode::TOO_MANY_REQUESTS, views::errors::too_many(message), "Slow down")
            }
            AppError::BadRequest(message) => {
                page(StatusCode::BAD_REQUEST, views::errors::bad_request(message), "Bad request")
            }
            AppError::Unprocessable(message) => page(
                StatusCode::UNPROCESSABLE_ENTITY,
                views::errors::unprocessable(message),
                "Not accepted",
            ),
            error if is_unavailable(error) => {
                tracing::warn!(%method, %path, error = %cause_chain(app_error), "a service is unreachable");
                unavailable(page)
            }
            AppError::Db(_) | AppError::Redis(_) | AppError::Internal(_) => {
                let reference = uuid::Uuid::new_v4().simple().to_string();
                let reference = &reference[..12];
                tracing::error!(%method, %path, reference, error = %cause_chain(app_error), "request failed");
                page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    views::errors::internal(reference),
                    "Something went wrong",
                )
            }
        };
    }
    let status = err.status();
    match status {
        StatusCode::NOT_FOUND => page(status, views::errors::not_found(), "Page not found"),
        StatusCode::METHOD_NOT_ALLOWED => {
            page(status, views::errors::method_not_allowed(), "Method not allowed")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            page(status, views::errors::bad_request("The request is too large."), "Too large")
        }
        status if status.is_client_error() => {
            page(status, views::errors::bad_request(&err.to_string()), "Bad request")
        }
        // The session store (Redis) could not be reached.
        StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!(%method, %path, error = %err, "a service is unreachable");
            unavailable(page)
        }
        _ => {
            let reference = uuid::Uuid::new_v4().simple().to_string();
            let reference = &reference[..12];
            tracing::error!(%method, %path, reference, error = %err, "request failed");
            page(status, views::errors::internal(reference), "Something went wrong")
        }
    }
}

/// PostgreSQL or Redis cannot be reached right now: not a bug to report, but a wait.
fn is_unavailable(error: &AppError) -> bool {
    match error {
        AppError::Db(err) => {
            matches!(err, sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_))
        }
        AppError::Redis(err) => {
            err.is_io_error()
                || err.is_connection_dropped()
                || err.is_connection_refusal()
                || err.is_timeout()
        }
        _ => false,
    }
}

fn unavailable(page: impl Fn(StatusCode, maud::Markup, &str) -> Response) -> Response {
    let mut response =
        page(StatusCode::SERVICE_UNAVAILABLE, views::errors::unavailable(), "Briefly unavailable");
    response.headers_mut().insert(header::RETRY_AFTER, poem::http::HeaderValue::from_static("30"));
    response
}

fn redirect_response(location: &str, wants_fragment: bool) -> Response {
    if wants_fragment {
        // A swap cannot show a login form inside a table cell: send the whole page there.
        Response::builder().status(StatusCode::OK).header("HX-Redirect", location).finish()
    } else {
        http::redirect(location)
    }
}

/// `error: cause: cause` on one line, for logs.
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
