//! Webhooks from Git hosts: a push to a repository's branch queues a sync of it.
//!
//! GitHub signs the body with the repository's secret (`X-Hub-Signature-256`, or the older SHA-1
//! `X-Hub-Signature`); GitLab sends the secret itself (`X-Gitlab-Token`). These routes sit outside
//! the session and CSRF middleware: the signature is their authentication.

use hmac::{Hmac, Mac};
use poem::{
    Body, Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use subtle::ConstantTimeEq;

use crate::{db, state::AppState};

/// Push payloads of big repositories are large, but not this large.
const MAX_PAYLOAD_BYTES: usize = 5 << 20;

fn answer(status: StatusCode, text: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("text/plain; charset=utf-8")
        .body(format!("{text}\n"))
}

/// `sha256=<hex>` or `sha1=<hex>` of the body, as GitHub computes it.
pub fn github_signature(algorithm: &str, secret: &[u8], body: &[u8]) -> Option<String> {
    let digest = match algorithm {
        "sha256" => {
            let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret).ok()?;
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        "sha1" => {
            let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret).ok()?;
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        _ => return None,
    };
    Some(format!("{algorithm}={digest}"))
}

fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[handler]
pub async fn repository_push(
    req: &Request,
    Path(name): Path<String>,
    body: Body,
    state: Data<&AppState>,
) -> Response {
    let Ok(Some(repository)) = db::repositories::find_by_name(&state.db, &name).await else {
        return answer(StatusCode::NOT_FOUND, "No such repository.");
    };
    let Ok(body) = body.into_bytes_limit(MAX_PAYLOAD_BYTES).await else {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "The payload is too large.");
    };
    let secret = repository.webhook_secret.as_bytes();
    let authentic = if let Some(token) = req.header("X-Gitlab-Token") {
        same(token, &repository.webhook_secret)
    } else if let Some(signature) = req.header("X-Hub-Signature-256") {
        github_signature("sha256", secret, &body).is_some_and(|expected| same(signature, &expected))
    } else if let Some(signature) = req.header("X-Hub-Signature") {
        github_signature("sha1", secret, &body).is_some_and(|expected| same(signature, &expected))
    } else {
        false
    };
    if !authentic {
        tracing::warn!(
            repository = name,
            "rejected a webhook call with an invalid or missing signature"
        );
        return answer(StatusCode::BAD_REQUEST, "Invalid or missing signature.");
    }
    let event = req.header("X-GitHub-Event").or_else(|| req.header("X-Gitlab-Event")).unwrap_or("");
    match event {
        "ping" => return answer(StatusCode::OK, "pong"),
        "push" | "Push Hook" => {}
        _ => return answer(StatusCode::OK, "Event ignored."),
    }
    let Ok(payload) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return answer(StatusCode::BAD_REQUEST, "Malformed payload.");
    };
    let wanted = format!("refs/heads/{}", repository.branch);
    if payload.get("ref").and_then(serde_json::Value::as_str) != Some(wanted.as_str()) {
        return answer(StatusCode::OK, "Event ignored: the push is to another branch.");
    }
    state.syncs.request(repository.id);
    tracing::info!(repository = name, "a webhook queued a sync");
    answer(StatusCode::ACCEPTED, "Sync queued.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_githubs() {
        // The value INLOOP's own test suite used for HMAC-SHA1.
        assert_eq!(
            github_signature("sha1", b"secret", b"foo").as_deref(),
            Some("sha1=9baed91be7f58b57c824b60da7cb262b2ecafbd2")
        );
        assert_eq!(
            github_signature("sha256", b"secret", b"foo").as_deref(),
            Some("sha256=773ba44693c7553d6ee20f61ea5d2757a9a4f4a44d2841ae4e95b52e4cd62db4")
        );
        assert_eq!(github_signature("md5", b"secret", b"foo"), None);
    }
}
