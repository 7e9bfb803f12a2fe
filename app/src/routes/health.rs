//! `/healthz` (the process answers) and `/readyz` (PostgreSQL and Redis answer too).

use std::time::Duration;

use poem::{Response, handler, http::StatusCode, web::Data};

use crate::state::AppState;

#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let database = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.db),
    )
    .await;
    let database_ok = matches!(database, Ok(Ok(1)));
    let mut redis = state.redis.clone();
    let redis_reply = tokio::time::timeout(
        Duration::from_secs(2),
        redis::cmd("PING").query_async::<String>(&mut redis),
    )
    .await;
    let redis_ok = matches!(redis_reply, Ok(Ok(_)));
    let body = format!(
        "postgresql: {}\nredis: {}\n",
        if database_ok { "ok" } else { "unreachable" },
        if redis_ok { "ok" } else { "unreachable" }
    );
    let status =
        if database_ok && redis_ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    Response::builder()
        .status(status)
        .content_type("text/plain; charset=utf-8")
        .header("Cache-Control", "no-store")
        .body(body)
}
