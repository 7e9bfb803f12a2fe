//! Live progress for the open pages of this process: the runners' events arrive on one Redis
//! subscription and are fanned out to every page's stream.

use std::time::Duration;

use inloop_protocol::jobs::{self, ProgressEvent};
use tokio::sync::broadcast;

/// Live progress for this process's open pages: one Redis subscription, fanned out.
#[derive(Clone)]
pub struct Events {
    sender: broadcast::Sender<ProgressEvent>,
}

impl Events {
    pub fn new() -> Self {
        Events { sender: broadcast::channel(1024).0 }
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
