//! Live progress for the open pages of this process: the runners' events arrive on one Redis
//! subscription and are fanned out to every page's stream.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use inloop_protocol::jobs::{self, ProgressEvent};
use tokio::sync::broadcast;

/// Live progress for this process's open pages: one Redis subscription, fanned out.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<ProgressEvent>,
    streams: Arc<Mutex<HashMap<i64, usize>>>,
    opened: Arc<AtomicU64>,
}

/// Live streams one user may hold open on one web server: a tab per solution is far fewer, and
/// a script that opens hundreds holds no more.
pub const MOST_STREAMS_PER_USER: usize = 8;

/// An open stream, counted against its user while it lives.
pub struct OpenStream {
    streams: Arc<Mutex<HashMap<i64, usize>>>,
    user_id: i64,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        let mut streams = self.streams.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(open) = streams.get_mut(&self.user_id) {
            *open -= 1;
            if *open == 0 {
                streams.remove(&self.user_id);
            }
        }
    }
}

impl Events {
    pub fn new() -> Self {
        Events {
            sender: broadcast::channel(1024).0,
            streams: Arc::default(),
            opened: Arc::default(),
        }
    }

    /// Counts a new stream for a user, unless they hold as many as they may already.
    pub fn open_stream(&self, user_id: i64) -> Option<OpenStream> {
        let mut streams = self.streams.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let open = streams.entry(user_id).or_insert(0);
        if *open >= MOST_STREAMS_PER_USER {
            return None;
        }
        *open += 1;
        self.opened.fetch_add(1, Ordering::Relaxed);
        Some(OpenStream { streams: self.streams.clone(), user_id })
    }

    /// Streams this server has opened since it started.
    pub fn streams_opened(&self) -> u64 {
        self.opened.load(Ordering::Relaxed)
    }

    /// Streams open on this server now.
    pub fn open_streams(&self) -> usize {
        self.streams.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().sum()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ProgressEvent> {
        self.sender.subscribe()
    }

    /// Relays the Redis channel into this process, reconnecting as needed.
    pub fn spawn_relay(&self, redis_url: String, prefix: String) -> tokio::task::JoinHandle<()> {
        let sender = self.sender.clone();
        tokio::spawn(async move {
            use futures_util::StreamExt;
            loop {
                let relay = async {
                    let client = redis::Client::open(redis_url.as_str())?;
                    let mut pubsub = client.get_async_pubsub().await?;
                    pubsub.subscribe(jobs::events_channel(&prefix)).await?;
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        if let Ok(payload) = message.get_payload::<String>()
                            && let Ok(event) = serde_json::from_str::<ProgressEvent>(&payload)
                        {
                            let _ = sender.send(event);
                        }
                    }
                    Ok::<(), redis::RedisError>(())
                };
                if let Err(err) = relay.await {
                    tracing::warn!(error = %err, "the live-event relay lost Redis; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    }
}

impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}
