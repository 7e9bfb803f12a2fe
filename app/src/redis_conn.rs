//! Connections to Redis and the stream groups the web server reads; a leaf that the queue, the
//! live events and start-up share.

use std::time::Duration;

use anyhow::Context;
use redis::{
    AsyncCommands,
    aio::{ConnectionManager, ConnectionManagerConfig},
};

/// A connection for ordinary commands.
pub async fn connect(url: &str) -> anyhow::Result<ConnectionManager> {
    connect_with_timeout(url, Duration::from_secs(3)).await
}

/// A connection whose commands may take up to `response_timeout` (blocking reads need more).
pub async fn connect_with_timeout(
    url: &str,
    response_timeout: Duration,
) -> anyhow::Result<ConnectionManager> {
    let client = redis::Client::open(url)
        .context("setting redis_url (INLOOP_REDIS_URL) is not a valid Redis URL")?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(3)))
        .set_response_timeout(Some(response_timeout))
        .set_number_of_retries(3);
    let mut redis = ConnectionManager::new_with_config(client, config)
        .await
        .context("cannot connect to Redis (setting redis_url, INLOOP_REDIS_URL)")?;
    let _: String =
        redis::cmd("PING").query_async(&mut redis).await.context("Redis does not answer PING")?;
    Ok(redis)
}

/// Creates the consumer group (and the stream) unless it exists.
pub async fn ensure_group(
    redis: &mut ConnectionManager,
    stream: &str,
    group: &str,
) -> Result<(), redis::RedisError> {
    let created: Result<(), redis::RedisError> =
        redis.xgroup_create_mkstream(stream, group, "0").await;
    match created {
        Err(err) if err.to_string().contains("BUSYGROUP") => Ok(()),
        other => other,
    }
}
