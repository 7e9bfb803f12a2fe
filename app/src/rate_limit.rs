//! Attempt counters in Redis, shared by every web instance: fixed windows (`Limit`), and waits
//! that grow with every further failure (`Backoff`).

use std::{
    sync::LazyLock,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

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
        let subject = hashed(subject);
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

/// Waits that grow for one subject (an account tried from one network): after `free` tries
/// that did not succeed, each further one makes the next wait twice as long as the last, from
/// `first_wait` up to `longest`. A try counts from the moment it is made (so parallel tries
/// cannot all slip through before the first of them fails) until `reset` forgets them, at a
/// success; otherwise `memory` after the last.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    pub bucket: &'static str,
    pub free: u32,
    pub first_wait: Duration,
    pub longest: Duration,
    pub memory: Duration,
}

/// One try, atomically: refused while a wait runs; otherwise counted, and the wait the count
/// calls for set before any other try can look.
static BACKOFF_TRY: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
        local now, memory = tonumber(ARGV[1]), tonumber(ARGV[2])
        local free, first, longest = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local until_ms = tonumber(redis.call('HGET', KEYS[1], 'until_ms') or '0')
        if until_ms > now then return until_ms - now end
        local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
        redis.call('PEXPIRE', KEYS[1], memory)
        if tries > free then
            local wait = math.min(first * 2 ^ math.min(tries - free - 1, 40), longest)
            redis.call('HSET', KEYS[1], 'until_ms', math.floor(now + wait))
        end
        return 0
        ",
    )
});

impl Backoff {
    fn key(&self, prefix: &str, subject: &str) -> String {
        format!("{prefix}:rl:{}:{}", self.bucket, hashed(subject))
    }

    /// Counts a try, or refuses it while a wait runs.
    pub async fn try_now(
        &self,
        redis: &ConnectionManager,
        prefix: &str,
        subject: &str,
    ) -> redis::RedisResult<Decision> {
        let millis = |duration: Duration| u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        let mut redis = redis.clone();
        let wait_ms: u64 = BACKOFF_TRY
            .key(self.key(prefix, subject))
            .arg(now_ms())
            .arg(millis(self.memory).max(1))
            .arg(self.free)
            .arg(millis(self.first_wait))
            .arg(millis(self.longest))
            .invoke_async(&mut redis)
            .await?;
        Ok(if wait_ms > 0 {
            Decision::Limited { retry_after: Duration::from_millis(wait_ms) }
        } else {
            Decision::Allowed
        })
    }

    /// Forgets the tries, after a success.
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

/// Subjects are user names and addresses: keys hold their hash, so Redis holds no personal data.
fn hashed(subject: &str) -> String {
    hex::encode(&Sha256::digest(subject.to_lowercase().as_bytes())[..12])
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
    fn waits_read_naturally() {
        assert_eq!(describe_wait(Duration::from_secs(0)), "1 second");
        assert_eq!(describe_wait(Duration::from_secs(45)), "45 seconds");
        assert_eq!(describe_wait(Duration::from_secs(600)), "10 minutes");
        assert_eq!(describe_wait(Duration::from_secs(601)), "11 minutes");
        assert_eq!(describe_wait(Duration::from_millis(1_900)), "2 seconds");
    }
}
