//! Sessions kept in Redis under hashed ids, and typed access to what a session holds.

use std::{collections::BTreeMap, time::Duration};

use poem::session::{Session, SessionStorage};
use rand::RngCore;
use redis::{AsyncCommands, aio::ConnectionManager};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// poem's `ServerSession` storage on redis 1.x. Keys are `<prefix>:session:<sha256(id)>`, so a
/// copy of the Redis data does not hand out live session cookies.
#[derive(Clone)]
pub struct RedisSessionStorage {
    redis: ConnectionManager,
    prefix: String,
}

impl RedisSessionStorage {
    pub fn new(redis: ConnectionManager, redis_prefix: &str) -> Self {
        Self { redis, prefix: format!("{redis_prefix}:session:") }
    }

    fn key(&self, session_id: &str) -> String {
        format!("{}{}", self.prefix, hex::encode(Sha256::digest(session_id.as_bytes())))
    }
}

fn storage_error(err: impl std::fmt::Display) -> poem::Error {
    poem::Error::from_string(
        format!("session storage: {err}"),
        poem::http::StatusCode::SERVICE_UNAVAILABLE,
    )
}

/// Runs a Redis command, and once more if the connection had dropped: after Redis restarts,
/// the first command on the old connection fails while the connection manager reconnects, and
/// nobody should see an error page for that.
pub async fn once_more_after_a_drop<T, F, Fut>(mut command: F) -> redis::RedisResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = redis::RedisResult<T>>,
{
    match command().await {
        Err(err) if err.is_connection_dropped() || err.is_io_error() => {
            tracing::info!(error = %err, "Redis connection dropped; trying again");
            command().await
        }
        other => other,
    }
}

impl SessionStorage for RedisSessionStorage {
    async fn load_session<'a>(
        &'a self,
        session_id: &'a str,
    ) -> poem::Result<Option<BTreeMap<String, Value>>> {
        let key = self.key(session_id);
        let stored: Option<String> = once_more_after_a_drop(|| {
            let mut redis = self.redis.clone();
            let key = key.clone();
            async move { redis.get(key).await }
        })
        .await
        .map_err(storage_error)?;
        Ok(stored.and_then(|json| serde_json::from_str(&json).ok()))
    }

    async fn update_session<'a>(
        &'a self,
        session_id: &'a str,
        entries: &'a BTreeMap<String, Value>,
        expires: Option<Duration>,
    ) -> poem::Result<()> {
        let json = serde_json::to_string(entries).map_err(storage_error)?;
        let mut ttl = expires.unwrap_or(Duration::from_secs(24 * 3600));
        if !entries.contains_key(USER_ID) {
            // Somebody not logged in keeps a session only to carry a message to the next page.
            ttl = ttl.min(ANONYMOUS_SESSION_LIFETIME);
        }
        let ttl = ttl.as_secs().max(1);
        let key = self.key(session_id);
        let () = once_more_after_a_drop(|| {
            let mut redis = self.redis.clone();
            let (key, json) = (key.clone(), json.clone());
            async move { redis.set_ex(key, json, ttl).await }
        })
        .await
        .map_err(storage_error)?;
        Ok(())
    }

    async fn remove_session<'a>(&'a self, session_id: &'a str) -> poem::Result<()> {
        let mut redis = self.redis.clone();
        let () = redis.del(self.key(session_id)).await.map_err(storage_error)?;
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashLevel {
    Success,
    Info,
    Warning,
    Error,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flash {
    pub level: FlashLevel,
    pub text: String,
}

const USER_ID: &str = "uid";
/// How long a session without a logged-in user is kept (it only ever holds flashes).
const ANONYMOUS_SESSION_LIFETIME: Duration = Duration::from_secs(3600);
const PASSWORD_FINGERPRINT: &str = "pwfp";
const CSRF_TOKEN: &str = "csrf";
const FLASHES: &str = "flash";

/// Named accessors over poem's untyped session map.
pub struct TypedSession<'a>(pub &'a Session);

impl TypedSession<'_> {
    pub fn user_id(&self) -> Option<i64> {
        self.0.get(USER_ID)
    }

    pub fn password_fingerprint(&self) -> Option<String> {
        self.0.get(PASSWORD_FINGERPRINT)
    }

    /// Logs a user in: a fresh session id (no fixation), a fresh CSRF token, the user's id.
    pub fn log_in(&self, user_id: i64, password_fingerprint: &str) {
        let flashes = self.take_flashes();
        self.0.clear();
        self.0.renew();
        self.0.set(USER_ID, user_id);
        self.0.set(PASSWORD_FINGERPRINT, password_fingerprint);
        self.0.set(CSRF_TOKEN, new_csrf_token());
        if !flashes.is_empty() {
            self.0.set(FLASHES, flashes);
        }
    }

    pub fn log_out(&self) {
        self.0.purge();
    }

    /// The session's CSRF token, created on first use.
    pub fn csrf_token(&self) -> String {
        if let Some(token) = self.0.get::<String>(CSRF_TOKEN) {
            return token;
        }
        let token = new_csrf_token();
        self.0.set(CSRF_TOKEN, &token);
        token
    }

    pub fn stored_csrf_token(&self) -> Option<String> {
        self.0.get(CSRF_TOKEN)
    }

    pub fn flash(&self, level: FlashLevel, text: impl Into<String>) {
        let mut flashes = self.0.get::<Vec<Flash>>(FLASHES).unwrap_or_default();
        flashes.push(Flash { level, text: text.into() });
        self.0.set(FLASHES, flashes);
    }

    /// Messages waiting to be shown; reading them removes them.
    pub fn take_flashes(&self) -> Vec<Flash> {
        match self.0.get::<Vec<Flash>>(FLASHES) {
            Some(flashes) => {
                self.0.remove(FLASHES);
                flashes
            }
            None => Vec::new(),
        }
    }
}

/// How long a CSRF token is as text: 32 random bytes, base64url without padding.
pub const CSRF_TOKEN_CHARS: usize = 43;

pub fn new_csrf_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}
