//! Passwords (argon2id), the password policy, and signed links for activation and password reset.

use std::{
    sync::{
        Arc, LazyLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::Context;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tokio::sync::OwnedSemaphorePermit;

use crate::config::Secret;

pub const MIN_PASSWORD_LENGTH: usize = 10;
const MAX_PASSWORD_LENGTH: usize = 1024;

/// Hashes running at once are at most one per core: each takes tens of milliseconds and 19 MiB
/// on purpose, so a crowd of logins would otherwise fill the blocking pool and the memory, and
/// every page would wait for them. Beyond that they queue here, cheaply.
static HASHING: LazyLock<Arc<tokio::sync::Semaphore>> =
    LazyLock::new(|| Arc::new(tokio::sync::Semaphore::new(hashing_slots())));
static HASHING_NOW: AtomicUsize = AtomicUsize::new(0);
static HASHING_MOST: AtomicUsize = AtomicUsize::new(0);

/// A computation running on the blocking pool, counted until it ends.
struct Hashing {
    /// Held, never read: dropping it frees the slot.
    _permit: OwnedSemaphorePermit,
}

impl Hashing {
    fn start(permit: OwnedSemaphorePermit) -> Self {
        let now = HASHING_NOW.fetch_add(1, Ordering::SeqCst) + 1;
        HASHING_MOST.fetch_max(now, Ordering::SeqCst);
        Hashing { _permit: permit }
    }
}

impl Drop for Hashing {
    fn drop(&mut self) {
        HASHING_NOW.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs an argon2 computation on the blocking pool once a core is free for it. The permit
/// travels with the computation: a client that gives up does not free its slot while the
/// computation it started still runs.
async fn with_hashing_permit<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let permit =
        HASHING.clone().acquire_owned().await.context("the password hashing queue is closed")?;
    tokio::task::spawn_blocking(move || {
        let _running = Hashing::start(permit);
        work()
    })
    .await
    .context("the password hashing task failed")
}

/// The most argon2 computations this process has run at the same time.
pub fn most_hashes_at_once() -> usize {
    HASHING_MOST.load(Ordering::SeqCst)
}

/// How many argon2 computations may run at the same time.
pub fn hashing_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Hashes on the blocking pool: argon2id takes tens of milliseconds on purpose.
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    with_hashing_permit(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|err| anyhow::anyhow!("argon2: {err}"))
    })
    .await?
}

/// What an account staff created holds until its student sets a password: no password matches it.
pub const NO_PASSWORD_YET: &str = "!no password yet";

/// Checks a password against a stored hash. Unknown users, and accounts without a password yet,
/// are checked against a dummy hash, so the answer takes as long whether or not the account
/// exists or has a password.
pub async fn verify_password(password: &str, stored_hash: Option<&str>) -> bool {
    let password = password.to_owned();
    let stored_hash = stored_hash.filter(|hash| *hash != NO_PASSWORD_YET);
    let known = stored_hash.is_some();
    let stored_hash = stored_hash.map_or_else(|| DUMMY_HASH.clone(), str::to_owned);
    let matches = with_hashing_permit(move || {
        Argon2::default().verify_password(password.as_bytes(), stored_hash.as_str()).is_ok()
    })
    .await
    .unwrap_or(false);
    known && matches
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no such user, no such password")
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

/// A short digest of the password hash, kept in the session: when the password changes, every
/// other session of the account stops working.
pub fn password_fingerprint(password_hash: &str) -> String {
    hex::encode(&Sha256::digest(password_hash.as_bytes())[..8])
}

/// Why a new password is refused, in words for the form; `Ok` when it is acceptable.
pub fn check_password_policy(password: &str, username: &str, email: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(format!(
            "This password is too short. It must contain at least {MIN_PASSWORD_LENGTH} characters."
        ));
    }
    if length > MAX_PASSWORD_LENGTH {
        return Err(format!(
            "This password is too long. Use at most {MAX_PASSWORD_LENGTH} characters."
        ));
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.iter().any(|common| lowered == *common)
        || lowered.chars().all(|c| c == lowered.chars().next().unwrap_or(' '))
    {
        return Err("This password is too common.".to_owned());
    }
    let email_local = email.split('@').next().unwrap_or("").to_lowercase();
    for personal in [username.to_lowercase(), email_local] {
        if personal.chars().count() >= 4 && lowered.contains(&personal) {
            return Err(
                "This password is too similar to your username or e-mail address.".to_owned()
            );
        }
    }
    Ok(())
}

/// Passwords that appear at the top of every leaked-password list and are long enough to pass
/// the length rule.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "0123456789",
    "12345678910",
    "123456789a",
    "1234567890a",
    "a123456789",
    "qwertyuiop",
    "qwertzuiop",
    "asdfghjkl1",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "zaq12wsxcde3",
    "password12",
    "password123",
    "password1234",
    "passwort123",
    "iloveyou12",
    "sunshine12",
    "football12",
    "baseball12",
    "princess12",
    "dragon1234",
    "monkey1234",
    "letmein123",
    "welcome123",
    "abc1234567",
    "abcdefghij",
    "abcd123456",
    "1111111111",
    "0000000000",
    "9876543210",
    "qwerty1234",
    "qwertz1234",
    "administrator",
    "changeme123",
    "secret1234",
    "trustno1234",
    "starwars12",
    "superman12",
    "michael123",
    "jennifer12",
    "computer12",
    "internet12",
    "hallo12345",
    "test123456",
    "testtest12",
    "passw0rd12",
    "p@ssw0rd12",
];

/// What a signed link is for; part of the signature, so one kind cannot stand in for another.
#[derive(Clone, Copy, Debug)]
pub enum LinkPurpose {
    Activation,
    PasswordReset,
}

impl LinkPurpose {
    fn label(self) -> &'static str {
        match self {
            LinkPurpose::Activation => "activate",
            LinkPurpose::PasswordReset => "reset",
        }
    }
}

/// Signs and checks the tokens in activation and password-reset links. A token names a user and
/// an expiry time and is bound to state that the link's use changes (the account's active flag,
/// its password hash), so every link works once.
#[derive(Clone)]
pub struct LinkSigner {
    key: [u8; 32],
}

/// A token taken apart but not yet checked.
pub struct UnverifiedToken {
    pub user_id: i64,
    expires: u64,
    mac: Vec<u8>,
}

impl LinkSigner {
    pub fn new(secret_key: &Secret) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"inloop signed links\0");
        hasher.update(secret_key.expose().as_bytes());
        Self { key: hasher.finalize().into() }
    }

    fn mac(&self, purpose: LinkPurpose, user_id: i64, expires: u64, binding: &str) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes keys of any length");
        mac.update(format!("{}\0{user_id}\0{expires}\0{binding}", purpose.label()).as_bytes());
        mac
    }

    pub fn sign(
        &self,
        purpose: LinkPurpose,
        user_id: i64,
        binding: &str,
        lifetime: Duration,
    ) -> String {
        let expires =
            (SystemTime::now() + lifetime).duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let mac = self.mac(purpose, user_id, expires, binding).finalize().into_bytes();
        format!("{user_id}-{expires}-{}", URL_SAFE_NO_PAD.encode(mac))
    }

    pub fn parse(token: &str) -> Option<UnverifiedToken> {
        let mut parts = token.splitn(3, '-');
        let user_id = parts.next()?.parse().ok()?;
        let expires = parts.next()?.parse().ok()?;
        let mac = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        Some(UnverifiedToken { user_id, expires, mac })
    }

    /// True when the token is genuine, unexpired and bound to `binding`.
    pub fn verify(&self, purpose: LinkPurpose, token: &UnverifiedToken, binding: &str) -> bool {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        if token.expires < now {
            return false;
        }
        self.mac(purpose, token.user_id, token.expires, binding).verify_slice(&token.mac).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> LinkSigner {
        LinkSigner::new(&Secret::new("a test key that is long enough for us"))
    }

    #[test]
    fn a_signed_link_verifies_once_bound_state_matches() {
        let token = signer().sign(LinkPurpose::PasswordReset, 7, "hash-a", Duration::from_secs(60));
        let parsed = LinkSigner::parse(&token).expect("well-formed token");
        assert_eq!(parsed.user_id, 7);
        assert!(signer().verify(LinkPurpose::PasswordReset, &parsed, "hash-a"));
        assert!(
            !signer().verify(LinkPurpose::PasswordReset, &parsed, "hash-b"),
            "bound state changed"
        );
        assert!(!signer().verify(LinkPurpose::Activation, &parsed, "hash-a"), "other purpose");
        let other_key = LinkSigner::new(&Secret::new("another key that is long enough too"));
        assert!(!other_key.verify(LinkPurpose::PasswordReset, &parsed, "hash-a"));
    }

    #[test]
    fn tampered_and_expired_links_fail() {
        let token = signer().sign(LinkPurpose::Activation, 7, "x", Duration::from_secs(60));
        let tampered = token.replacen('7', "8", 1);
        let parsed = LinkSigner::parse(&tampered).expect("well-formed token");
        assert!(!signer().verify(LinkPurpose::Activation, &parsed, "x"));
        let expired = signer().sign(LinkPurpose::Activation, 7, "x", Duration::ZERO);
        let mut parsed = LinkSigner::parse(&expired).expect("well-formed token");
        parsed.expires -= 1;
        assert!(!signer().verify(LinkPurpose::Activation, &parsed, "x"));
        assert!(LinkSigner::parse("garbage").is_none());
    }

    #[test]
    fn password_policy_names_the_problem() {
        assert!(
            check_password_policy("short", "bob", "bob@example.org")
                .unwrap_err()
                .contains("too short")
        );
        assert!(
            check_password_policy("1234567890", "bob", "bob@example.org")
                .unwrap_err()
                .contains("common")
        );
        assert!(
            check_password_policy("aaaaaaaaaaaa", "bob", "bob@example.org")
                .unwrap_err()
                .contains("common")
        );
        assert!(
            check_password_policy("alice-in-wonderland", "alice", "a@example.org")
                .unwrap_err()
                .contains("similar")
        );
        assert!(check_password_policy("correct horse battery", "bob", "bob@example.org").is_ok());
    }

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").await.expect("hashing works");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", Some(&hash)).await);
        assert!(!verify_password("wrong horse battery", Some(&hash)).await);
        assert!(!verify_password("correct horse battery", None).await);
    }
}
