//! What every request handler shares: pools, settings, the mailer, cached live settings.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use redis::aio::ConnectionManager;
use sqlx::PgPool;

use crate::{
    assets::Assets,
    auth::LinkSigner,
    config::Settings,
    db::{self, site_settings::SiteSettings},
    mail::Mailer,
    sync_scheduler::SyncScheduler,
    taskrepo::TaskSource,
    views::layout::Chrome,
};

/// How long a web instance may show live settings that another instance has changed.
const SITE_SETTINGS_TTL: Duration = Duration::from_secs(5);

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
    pub events: crate::queue::Events,
    site_settings: RwLock<Option<(Instant, Arc<SiteSettings>)>>,
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
            events: crate::queue::Events::new(),
            site_settings: RwLock::new(None),
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

    pub fn forget_site_settings(&self) {
        if let Ok(mut cached) = self.site_settings.write() {
            *cached = None;
        }
    }

    /// Page chrome for responses that have no session to draw on (error pages).
    pub fn anonymous_chrome(&self) -> Chrome {
        Chrome {
            site_name: self.settings.site_name.clone(),
            stylesheet: self.assets.url("css/app.css").to_owned(),
            code_styles: self.code_styles(),
            scripts: self.scripts(),
            page_assets: (Vec::new(), Vec::new()),
            csrf_token: None,
            user: None,
            flashes: Vec::new(),
        }
    }

    pub fn code_styles(&self) -> (String, String) {
        (
            self.assets.url("vendor/highlight-github-11.12.0.min.css").to_owned(),
            self.assets.url("vendor/highlight-github-dark-11.12.0.min.css").to_owned(),
        )
    }

    pub fn scripts(&self) -> Vec<String> {
        [
            "vendor/htmx-2.0.11.min.js",
            "vendor/htmx-ext-sse-2.2.4.min.js",
            "vendor/highlight-11.12.0.min.js",
            "js/app.js",
        ]
        .into_iter()
        .map(|name| self.assets.url(name).to_owned())
        .collect()
    }

    /// The code editor's files: Ace in its strict-CSP mode wants its stylesheets linked.
    pub fn editor_assets(&self) -> (Vec<String>, Vec<String>) {
        let urls = |names: &[&str]| -> Vec<String> {
            names.iter().map(|name| self.assets.url(name).to_owned()).collect()
        };
        (
            urls(&["vendor/ace-1.45.2/css/ace.css", "vendor/ace-1.45.2/css/theme/github_dark.css"]),
            urls(&[
                "vendor/ace-1.45.2/ace.js",
                "vendor/ace-1.45.2/mode-java.js",
                "vendor/ace-1.45.2/mode-python.js",
                "vendor/ace-1.45.2/ext-searchbox.js",
                "vendor/ace-1.45.2/theme-github_dark.js",
                "js/editor.js",
            ]),
        )
    }

    pub fn redis_prefix(&self) -> &str {
        &self.settings.redis_prefix
    }
}
