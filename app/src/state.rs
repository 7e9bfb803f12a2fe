//! What every request handler shares: pools, settings, the mailer, cached live settings.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use redis::aio::ConnectionManager;
use sqlx::PgPool;

use crate::{
    assets::Assets,
    auth::LinkSigner,
    config::Settings,
    db::{
        self,
        site_settings::SiteSettings,
        statistics::{Figures, Filter},
    },
    mail::Mailer,
    sync_scheduler::SyncScheduler,
    taskrepo::TaskSource,
};

/// How long a web instance may show live settings that another instance has changed.
const SITE_SETTINGS_TTL: Duration = Duration::from_secs(5);
/// How old the statistics page's figures may be: they are read at most this often per filter.
const STATISTICS_TTL: Duration = Duration::from_secs(60);
/// Filters whose figures are kept at once.
const STATISTICS_KEPT: usize = 64;

/// One reading of the statistics' figures, awaited by everybody who asks while it runs.
type Reading = Arc<tokio::sync::OnceCell<Arc<Figures>>>;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: PgPool,
    pub redis: ConnectionManager,
    pub settings: Settings,
    pub mailer: Mailer,
    pub assets: Assets,
    pub links: LinkSigner,
    pub task_source: TaskSource,
    pub syncs: SyncScheduler,
    pub events: crate::live::Events,
    site_settings: RwLock<Option<(Instant, Arc<SiteSettings>)>>,
    /// Per filter: when its reading began, and the reading (shared by every request that comes
    /// while it runs, so that a page reloaded by many at once reads the figures once).
    statistics: Mutex<HashMap<Filter, (Instant, Reading)>>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        db: PgPool,
        redis: ConnectionManager,
        settings: Settings,
        mailer: Mailer,
        task_source: TaskSource,
    ) -> Self {
        let links = LinkSigner::new(&settings.secret_key);
        let syncs = SyncScheduler::new(
            db.clone(),
            redis.clone(),
            settings.redis_prefix.clone(),
            task_source.clone(),
        );
        Self(Arc::new(Inner {
            db,
            redis,
            settings,
            mailer,
            assets: Assets::load(),
            links,
            task_source,
            syncs,
            events: crate::live::Events::new(),
            site_settings: RwLock::new(None),
            statistics: Mutex::new(HashMap::new()),
        }))
    }

    /// The live settings, at most a few seconds old.
    pub async fn site_settings(&self) -> sqlx::Result<Arc<SiteSettings>> {
        if let Ok(cached) = self.site_settings.read()
            && let Some((loaded_at, settings)) = cached.as_ref()
            && loaded_at.elapsed() < SITE_SETTINGS_TTL
        {
            return Ok(settings.clone());
        }
        let fresh = Arc::new(db::site_settings::load(&self.db).await?);
        if let Ok(mut cached) = self.site_settings.write() {
            *cached = Some((Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }

    /// The statistics page's figures for a filter, at most a minute old: staff reloading the
    /// page at a deadline should not make PostgreSQL add up the term again each time.
    pub async fn statistics(&self, filter: &Filter) -> sqlx::Result<Arc<Figures>> {
        let now = Instant::now();
        let reading = {
            let mut cached =
                self.statistics.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match cached.get(filter) {
                Some((at, reading)) if now.duration_since(*at) < STATISTICS_TTL => reading.clone(),
                _ => {
                    cached.retain(|_, (at, _)| now.duration_since(*at) < STATISTICS_TTL);
                    let reading = Arc::new(tokio::sync::OnceCell::new());
                    if cached.len() < STATISTICS_KEPT {
                        cached.insert(filter.clone(), (now, reading.clone()));
                    }
                    reading
                }
            }
        };
        let figures = reading
            .get_or_try_init(|| async {
                let resolved = db::statistics::resolve(&self.db, filter).await?;
                let offset = crate::taskrepo::dates::offset_seconds(
                    time::OffsetDateTime::now_utc(),
                    &self.task_source.zone,
                );
                let figures = db::statistics::figures(&self.db, &resolved, offset).await?;
                Ok::<_, sqlx::Error>(Arc::new(figures))
            })
            .await?;
        Ok(figures.clone())
    }

    pub fn forget_site_settings(&self) {
        if let Ok(mut cached) = self.site_settings.write() {
            *cached = None;
        }
    }

    pub fn redis_prefix(&self) -> &str {
        &self.settings.redis_prefix
    }
}
