//! Attempt counters in Redis, shared by every web instance: fixed windows (`Limit`), and waits
//! that grow with every further failure (`Backoff`).

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

/// Waits that grow for one subject (an account tried from one address): after `free` failures
/// each further one makes the next try wait twice as long as the last, from `first_wait` up to
/// `longest`. Failures are forgotten `memory` after the last one, or on success.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub bucket: &'static str,
    pub free: u32,
    pub first_wait: Duration,
    pub longest: Duration,
    pub memory: Duration,
}

const FAILURES: &str = "failures";
const WAIT_UNTIL_MS: &str = "until_ms";

impl Backoff {
    fn key(&self, prefix: &str, subject: &str) -> String {
        let subject = hex::encode(&Sha256::digest(subject.to_lowercase().as_bytes())[..12]);
        format!("{prefix}:rl:{}:{subject}", self.bucket)
    }

    /// How long the next try must wait after this many failures in a row.
    pub fn wait_after(&self, failures: u64) -> Option<Duration> {
        let beyond = failures.checked_sub(u64::from(self.free)).filter(|beyond| *beyond > 0)?;
        let doublings = u32::try_from(beyond - 1).unwrap_or(u32::MAX).min(32);
        let wait = self.first_wait.saturating_mul(2u32.saturating_pow(doublings));
        Some(wait.min(self.longest))
    }

    /// Whether a try may be made now.
    pub async fn check(
        &self,
        redis: &ConnectionManager,
        prefix: &str,
        subject: &str,
    ) -> redis::RedisResult<Decision> {
        let mut redis = redis.clone();
        let until: Option<u64> =
            redis::AsyncCommands::hget(&mut redis, self.key(prefix, subject), WAIT_UNTIL_MS)
                .await?;
        let now = now_ms();
        Ok(match until {
            Some(until) if until > now => {
                Decision::Limited { retry_after: Duration::from_millis(until - now) }
            }
            _ => Decision::Allowed,
        })
    }

    /// Counts a failure; from now on the next try waits as `wait_after` says.
    pub async fn fail(
        &self,
        redis: &ConnectionManager,
        prefix: &str,
        subject: &str,
    ) -> redis::RedisResult<()> {
        let key = self.key(prefix, subject);
        let mut redis = redis.clone();
        let memory_ms = i64::try_from(self.memory.as_millis()).unwrap_or(i64::MAX).max(1);
        let (failures,): (u64,) = redis::pipe()
            .atomic()
            .hincr(&key, FAILURES, 1)
            .pexpire(&key, memory_ms)
            .ignore()
            .query_async(&mut redis)
            .await?;
        if let Some(wait) = self.wait_after(failures) {
            let until = now_ms() + u64::try_from(wait.as_millis()).unwrap_or(u64::MAX / 2);
            let () = redis::AsyncCommands::hset(&mut redis, &key, WAIT_UNTIL_MS, until).await?;
        }
        Ok(())
    }

    /// Forgets the failures, e.g. after a successful login.
    pub async fn reset(
        &self,
        redis: &ConnectionManager,
        prefix: &str,
        subject: &str,
    ) -> redis::RedisResult<()> {
        let mut redis = redis.clone();
        redis::AsyncCommands::del(&mut redis, self.key(prefix, subject)).await
    }
}

fn now_ms() -> u64 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(now.as_millis()).unwrap_or(u64::MAX / 2)
}

/// "3 minutes", "45 seconds": how long to wait, for messages.
pub fn describe_wait(wait: Duration) -> String {
    // Rounded up: "1 second" for 1.9 s would have people try again too soon.
    let secs = u64::try_from(wait.as_millis().div_ceil(1000)).unwrap_or(u64::MAX).max(1);
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
    fn waits_grow_after_the_free_failures_up_to_the_longest() {
        let backoff = Backoff {
            bucket: "test",
            free: 3,
            first_wait: Duration::from_secs(2),
            longest: Duration::from_secs(60),
            memory: Duration::from_secs(3600),
        };
        let waits: Vec<Option<u64>> =
            (0..=10).map(|n| backoff.wait_after(n).map(|wait| wait.as_secs())).collect();
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                None,
                Some(2),
                Some(4),
                Some(8),
                Some(16),
                Some(32),
                Some(60),
                Some(60)
            ]
        );
        assert_eq!(backoff.wait_after(u64::MAX), Some(Duration::from_secs(60)));
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(describe_wait(Duration::from_secs(0)), "1 second");
        assert_eq!(describe_wait(Duration::from_secs(45)), "45 seconds");
        assert_eq!(describe_wait(Duration::from_secs(600)), "10 minutes");
        assert_eq!(describe_wait(Duration::from_secs(601)), "11 minutes");
        assert_eq!(describe_wait(Duration::from_millis(1_900)), "2 seconds");
    }
}
