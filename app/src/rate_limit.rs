//! Fixed-window attempt counters in Redis, shared by every web instance.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::ConnectionManager;
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Over the limit; the window ends after this long.
    Limited {
        retry_after: Duration,
    },
}

/// One kind of limited action, e.g. "login attempts per address".
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    fn key(&self, prefix: &str, subject: &str) -> (String, Duration) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let window_secs = self.window.as_secs().max(1);
        let window_index = now.as_secs() / window_secs;
        let window_end = Duration::from_secs((window_index + 1) * window_secs);
        // Subjects are user names and addresses: hash them so Redis holds no personal data.
        let subject = hex::encode(&Sha256::digest(subject.to_lowercase().as_bytes())[..12]);
        (
            format!("{prefix}:rl:{}:{subject}:{window_index}", self.bucket),
            window_end.saturating_sub(now),
        )
    }

    /// Counts one attempt and says whether it is within the limit.
    pub async fn hit(
        &self,
        redis: &ConnectionManager,
        prefix: &str,
        subject: &str,
    ) -> redis::RedisResult<Decision> {
        let (key, remaining) = self.key(prefix, subject);
        let mut redis = redis.clone();
        let (count,): (u64,) = redis::pipe()
            .atomic()
            .incr(&key, 1)
            .expire(&key, self.window.as_secs().max(1) as i64 + 1)
            .ignore()
            .query_async(&mut redis)
            .await?;
        Ok(self.decide(count, remaining))
    }

    /// Whether the limit is already reached, without counting an attempt.
    pub async fn check(
        &self,
        redis: &ConnectionManager,
        prefix: &str,
        subject: &str,
    ) -> redis::RedisResult<Decision> {
        let (key, remaining) = self.key(prefix, subject);
        let mut redis = redis.clone();
        let count: Option<u64> = redis::AsyncCommands::get(&mut redis, &key).await?;
        // `check` guards the next attempt, so reaching the limit already blocks.
        Ok(self.decide(count.unwrap_or(0) + 1, remaining))
    }

    /// Forgets the attempts of this window, e.g. after a successful login.
    pub async fn reset(
        &self,
        redis: &ConnectionManager,
        prefix: &str,
        subject: &str,
    ) -> redis::RedisResult<()> {
        let (key, _) = self.key(prefix, subject);
        let mut redis = redis.clone();
        redis::AsyncCommands::del(&mut redis, &key).await
    }

    fn decide(&self, count: u64, remaining: Duration) -> Decision {
        if count > u64::from(self.max) {
            Decision::Limited { retry_after: remaining }
        } else {
            Decision::Allowed
        }
    }
}

/// "3 minutes", "45 seconds": how long to wait, for messages.
pub fn describe_wait(wait: Duration) -> String {
    let secs = wait.as_secs().max(1);
    if secs >= 90 {
        let minutes = secs.div_ceil(60);
        format!("{minutes} minutes")
    } else if secs == 1 {
        "1 second".to_owned()
    } else {
        format!("{secs} seconds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_naturally() {
        assert_eq!(describe_wait(Duration::from_secs(0)), "1 second");
        assert_eq!(describe_wait(Duration::from_secs(45)), "45 seconds");
        assert_eq!(describe_wait(Duration::from_secs(600)), "10 minutes");
        assert_eq!(describe_wait(Duration::from_secs(601)), "11 minutes");
    }
}
