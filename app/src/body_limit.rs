//! One ceiling on every request body, checked before any extractor or handler reads it, so that
//! no route can be made to buffer more than the largest upload we take.

use futures_util::StreamExt;
use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{StatusCode, header},
};

/// Above the largest form we take (the editor's 4 MB, a webhook's 5 MB payload) and far below
/// what would hurt a server that reads a few such bodies at once.
pub const MOST_BODY_BYTES: u64 = 5 << 20;

pub async fn limit_bodies<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    match declared_length(&req) {
        // hyper ends a body at its declared length, so the declaration is the whole check.
        Some(length) if length > MOST_BODY_BYTES => {
            return Err(poem::Error::from_status(StatusCode::PAYLOAD_TOO_LARGE));
        }
        Some(_) => {}
        // A chunked body says nothing in advance: it is counted while it is read.
        None => {
            let mut read = 0u64;
            let counted = req.take_body().into_bytes_stream().map(move |chunk| {
                let chunk = chunk?;
                read += chunk.len() as u64;
                if read > MOST_BODY_BYTES {
                    return Err(std::io::Error::other(format!(
                        "the request body is larger than {} MB",
                        MOST_BODY_BYTES >> 20
                    )));
                }
                Ok(chunk)
            });
            req.set_body(Body::from_bytes_stream(counted));
        }
    }
    Ok(next.call(req).await?.into_response())
}

fn declared_length(req: &Request) -> Option<u64> {
    req.headers().get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use poem::{EndpointExt, handler};

    use super::*;

    #[handler]
    async fn read_all(body: Body) -> poem::Result<String> {
        let bytes = body.into_bytes().await.map_err(poem::Error::from)?;
        Ok(bytes.len().to_string())
    }

    fn chunked(total: u64) -> Request {
        let chunk = bytes::Bytes::from(vec![b'a'; 64 << 10]);
        let chunks = (total / chunk.len() as u64) as usize;
        let stream = futures_util::stream::iter(
            (0..chunks).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
        );
        Request::builder().method(poem::http::Method::POST).body(Body::from_bytes_stream(stream))
    }

    #[tokio::test]
    async fn a_chunked_body_is_cut_off_once_it_passes_the_limit() {
        let endpoint = read_all.around(limit_bodies);
        let within = endpoint.call(chunked(MOST_BODY_BYTES)).await.expect("read");
        assert_eq!(
            within.into_body().into_string().await.expect("text"),
            MOST_BODY_BYTES.to_string()
        );
        assert!(endpoint.call(chunked(MOST_BODY_BYTES + (64 << 10))).await.is_err());
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_unread() {
        let endpoint = read_all.around(limit_bodies);
        let request = Request::builder()
            .method(poem::http::Method::POST)
            .header(header::CONTENT_LENGTH, (MOST_BODY_BYTES + 1).to_string())
            .body(Body::empty());
        let refused = endpoint.call(request).await.expect_err("refused");
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
