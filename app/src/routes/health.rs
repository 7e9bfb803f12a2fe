//! `/healthz` (the process answers), `/readyz` (PostgreSQL and Redis answer too) and
//! `/metrics` (Prometheus; for loopback or the token only).

use std::time::Duration;

use poem::{Request, Response, handler, http::StatusCode, web::Data};

use crate::{db, state::AppState};

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

/// The metrics, with the figures that are read rather than counted: streams, the queue.
#[handler]
pub async fn metrics_page(req: &Request, state: Data<&AppState>) -> Response {
    use crate::metrics;
    let token = state.settings.metrics_token.as_ref();
    if !metrics::may_read(req, token) {
        return metrics::answer(req, token, None);
    }
    let waiting = db::solutions::waiting_by_status(&state.db).await.ok();
    let mut redis = state.redis.clone();
    let jobs_in_stream = redis::cmd("XLEN")
        .arg(inloop_protocol::jobs::jobs_stream(state.redis_prefix()))
        .query_async::<u64>(&mut redis)
        .await
        .ok();
    let snapshot =
        metrics::Snapshot { live_streams: state.events.open_streams(), waiting, jobs_in_stream };
    metrics::answer(req, token, Some(snapshot))
}
