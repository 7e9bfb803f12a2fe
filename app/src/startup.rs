//! Builds the application from settings (pools, routes, middleware, listener) and runs it.

use std::{future::Future, net::SocketAddr, time::Duration};

use anyhow::Context;
use poem::{
    EndpointExt, IntoEndpoint, IntoResponse, Route, Server,
    endpoint::BoxEndpoint,
    listener::{Acceptor, Listener, TcpAcceptor, TcpListener},
    middleware::{CatchPanic, Tracing},
    session::{CookieConfig, ServerSession},
    web::cookie::SameSite,
};

use crate::{
    config::Settings, csrf, db, error, mail::Mailer, routes, session::RedisSessionStorage,
    state::AppState,
};

pub const SESSION_COOKIE: &str = "inloop_session";

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

pub struct Application {
    acceptor: TcpAcceptor,
    local_addr: SocketAddr,
    endpoint: BoxEndpoint<'static>,
    state: AppState,
}

impl Application {
    /// Connects to PostgreSQL and Redis, checks the schema, binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db =
            db::connect(settings.database_url.expose(), settings.database_max_connections).await?;
        db::ensure_migrated(&db).await?;
        let redis = crate::redis_conn::connect(settings.redis_url.expose()).await?;
        let mailer = Mailer::from_settings(&settings)?;
        let task_source = settings.task_dir_settings().source(&settings.data_dir)?;
        // Runner hosts wait for the marker before they take jobs, also before the first sync.
        inloop_protocol::taskdir::mark_task_dir(&task_source.task_dir).with_context(|| {
            format!(
                "cannot create the task directory {} (setting task_dir, INLOOP_TASK_DIR)",
                task_source.task_dir.display()
            )
        })?;
        crate::metrics::install();
        let state = AppState::new(db, redis, settings, mailer, task_source);
        let endpoint = build_endpoint(state.clone());
        let acceptor =
            TcpListener::bind(state.settings.listen).into_acceptor().await.with_context(|| {
                format!(
                    "cannot listen on {} (setting listen, INLOOP_LISTEN)",
                    state.settings.listen
                )
            })?;
        let local_addr = acceptor
            .local_addr()
            .first()
            .and_then(|addr| addr.as_socket_addr().copied())
            .context("the listener has no socket address")?;
        Ok(Self { acceptor, local_addr, endpoint, state })
    }

    /// The address actually bound; with port 0 the system picked the port.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(address = %self.local_addr, public_url = %self.state.settings.public_url, "serving");
        let pruner = tokio::spawn(prune_unactivated_accounts(self.state.clone()));
        let ingester = crate::queue::spawn_ingester(self.state.clone());
        let lease = crate::queue::lease(&self.state.settings);
        let reconciler =
            crate::queue::spawn_reconciler(self.state.clone(), lease, Duration::from_secs(5));
        let checks = crate::plagiarism_worker::spawn(self.state.clone(), Duration::from_secs(1));
        let relay = self.state.events.spawn_relay(
            self.state.settings.redis_url.expose().to_owned(),
            self.state.settings.redis_prefix.clone(),
        );
        if self.state.settings.pull_minutes > 0 {
            self.state.syncs.pull_periodically(Duration::from_secs(
                u64::from(self.state.settings.pull_minutes) * 60,
            ));
        }
        let served = Server::new_with_acceptor(self.acceptor)
            .idle_timeout(Duration::from_secs(75))
            // Open live-update streams would otherwise hold the shutdown forever.
            .run_with_graceful_shutdown(self.endpoint, shutdown, Some(Duration::from_secs(10)))
            .await
            .context("the web server failed");
        for task in [pruner, ingester, reconciler, checks, relay] {
            task.abort();
        }
        served
    }
}

/// Every half hour, deletes accounts whose activation link expired unused, as INLOOP did.
async fn prune_unactivated_accounts(state: AppState) {
    let days = i32::try_from(state.settings.activation_days).unwrap_or(i32::MAX);
    let period = Duration::from_secs(30 * 60);
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        interval.tick().await;
        match db::users::prune_unactivated(&state.db, days).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "Pruned {pruned} invalid account(s)."),
            Err(err) => tracing::warn!(error = %err, "could not prune unactivated accounts"),
        }
    }
}

/// The usual security headers on every response; a response that set its own (stricter)
/// Content-Security-Policy keeps it.
async fn security_headers<E: poem::Endpoint>(
    next: E,
    req: poem::Request,
    strict_transport: bool,
) -> poem::Result<poem::Response> {
    let mut response = next.call(req).await?.into_response();
    let headers = response.headers_mut();
    let defaults: [(&str, &str); 6] = [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(name) {
            headers.insert(name, poem::http::HeaderValue::from_static(value));
        }
    }
    if strict_transport {
        headers.insert(
            "strict-transport-security",
            poem::http::HeaderValue::from_static("max-age=31536000"),
        );
    }
    Ok(response)
}

fn build_endpoint(state: AppState) -> BoxEndpoint<'static> {
    let settings = &state.settings;
    let cookie = CookieConfig::default()
        .name(SESSION_COOKIE)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.is_https())
        .max_age(Duration::from_secs(u64::from(settings.session_days) * 24 * 3600));
    let storage = RedisSessionStorage::new(state.redis.clone(), &settings.redis_prefix);

    let secure = settings.is_https();
    let pages = routes::pages()
        .around(crate::nul_guard::refuse_nul)
        .around(move |next, req| csrf::verify(next, req, secure))
        .around(error::render_errors)
        .with(ServerSession::new(cookie, storage));

    let strict_transport = settings.is_https();
    Route::new()
        .at("/static/*path", crate::assets::serve)
        .at("/healthz", routes::health::healthz)
        .at("/readyz", routes::health::readyz)
        .at("/metrics", routes::health::metrics_page)
        .at("/hooks/repositories/:name", poem::post(routes::hooks::repository_push))
        .nest("/", pages)
        .around(routes::legacy::without_trailing_slash)
        .around(crate::body_limit::limit_bodies)
        .around(error::render_errors)
        .around(move |next, req| security_headers(next, req, strict_transport))
        .with(CatchPanic::new())
        .around(crate::metrics::count_requests)
        .with(Tracing)
        .data(state.assets.clone())
        .data(state)
        .into_endpoint()
        .boxed()
}
