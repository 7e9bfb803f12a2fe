//! Runs repository syncs in the background for the web server: a burst of requests (webhook
//! pushes, "sync now" clicks, the periodic pull) becomes at most one running sync plus one queued.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use sqlx::PgPool;

use crate::{
    db,
    taskrepo::{self, TaskSource},
};

#[derive(Clone, Copy, Debug, Default)]
struct RepoState {
    running: bool,
    pending: bool,
    completed: u64,
}

#[derive(Clone)]
pub struct SyncScheduler {
    db: PgPool,
    redis: redis::aio::ConnectionManager,
    prefix: String,
    source: TaskSource,
    states: Arc<Mutex<HashMap<i64, RepoState>>>,
}

impl SyncScheduler {
    pub fn new(
        db: PgPool,
        redis: redis::aio::ConnectionManager,
        prefix: String,
        source: TaskSource,
    ) -> Self {
        SyncScheduler { db, redis, prefix, source, states: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// True while a sync of the repository runs in this process.
    pub fn is_running(&self, repository_id: i64) -> bool {
        self.states
            .lock()
            .map(|states| states.get(&repository_id).is_some_and(|s| s.running))
            .unwrap_or(false)
    }

    /// How many syncs of the repository this process has finished.
    pub fn completed(&self, repository_id: i64) -> u64 {
        self.states
            .lock()
            .map(|states| states.get(&repository_id).map_or(0, |s| s.completed))
            .unwrap_or(0)
    }

    /// Asks for a sync. If one is running, one more runs after it (however many asks arrive).
    pub fn request(&self, repository_id: i64) {
        let start = {
            let Ok(mut states) = self.states.lock() else { return };
            let state = states.entry(repository_id).or_default();
            if state.running {
                state.pending = true;
                false
            } else {
                state.running = true;
                true
            }
        };
        if start {
            let scheduler = self.clone();
            tokio::spawn(async move { scheduler.run(repository_id).await });
        }
    }

    async fn run(&self, repository_id: i64) {
        loop {
            self.sync_once(repository_id).await;
            let Ok(mut states) = self.states.lock() else { return };
            let state = states.entry(repository_id).or_default();
            state.completed += 1;
            if state.pending {
                state.pending = false;
            } else {
                state.running = false;
                return;
            }
        }
    }

    async fn sync_once(&self, repository_id: i64) {
        let repository = match db::repositories::find_by_id(&self.db, repository_id).await {
            Ok(Some(repository)) => repository,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(repository_id, error = %err, "cannot read a repository to sync");
                return;
            }
        };
        match taskrepo::sync_repository(&self.db, &self.source, &repository).await {
            Ok(report) => {
                tracing::info!(
                    repository = repository.name,
                    revision = report.revision,
                    "background sync finished"
                );
                // Runner hosts build the new revision's images before jobs need them.
                let mut redis = self.redis.clone();
                let channel = inloop_protocol::jobs::tasks_channel(&self.prefix);
                let _: Result<(), _> =
                    redis::AsyncCommands::publish(&mut redis, channel, &repository.name).await;
            }
            Err(err) => {
                tracing::warn!(repository = repository.name, error = %err, "background sync failed")
            }
        }
    }

    /// Requests a sync of every repository every `interval`, for repositories without webhooks.
    pub fn pull_periodically(&self, interval: Duration) {
        let scheduler = self.clone();
        tokio::spawn(async move {
            let mut ticker =
                tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
            loop {
                ticker.tick().await;
                match db::repositories::list(&scheduler.db).await {
                    Ok(repositories) => {
                        for repository in repositories {
                            scheduler.request(repository.id);
                        }
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "periodic pull: cannot list repositories")
                    }
                }
            }
        });
    }
}
