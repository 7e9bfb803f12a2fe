//! Prometheus metrics of this process, at `/metrics`: requests by route (rates and latencies),
//! open live streams, the grading queue, results stored by verdict, ingester failures, and
//! whatever else the process records through the `metrics` facade (a runner host's jobs, when
//! one runs in the same process). Only loopback clients that came through no proxy, or
//! scrapers with the configured bearer token, may read them; everyone else gets a 404.

use std::{
    net::SocketAddr,
    sync::OnceLock,
    time::{Duration, Instant},
};

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use poem::{
    Endpoint, IntoResponse, PathPattern, Request, Response,
    http::{StatusCode, header},
};
use subtle::ConstantTimeEq;

use crate::config::Secret;

pub const HTTP_REQUESTS: &str = "inloop_http_requests_total";
pub const HTTP_DURATION: &str = "inloop_http_request_duration_seconds";
pub const LIVE_STREAMS: &str = "inloop_live_streams";
pub const SOLUTIONS_WAITING: &str = "inloop_solutions_waiting";
pub const JOBS_IN_STREAM: &str = "inloop_jobs_in_stream";
pub const RESULTS_STORED: &str = "inloop_results_stored_total";
pub const RESULT_TURNAROUND: &str = "inloop_result_turnaround_seconds";
pub const INGEST_FAILURES: &str = "inloop_ingest_failures_total";
pub const SNAPSHOT_FAILURES: &str = "inloop_metrics_snapshot_failures_total";

/// Bucket bounds of every histogram, in seconds: page times at the low end, grading runs and
/// queue waits at the high end.
const BUCKETS: &[f64] =
    &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs this process's recorder on first use (servers and runners in one process share it)
/// and returns the handle that renders it; `None` if another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new().set_buckets(BUCKETS).ok()?;
            let handle = builder.install_recorder().ok()?;
            describe();
            let upkeep = handle.clone();
            // Histograms are drained into their buckets in the background.
            std::thread::Builder::new()
                .name("metrics-upkeep".to_owned())
                .spawn(move || {
                    loop {
                        std::thread::sleep(Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                })
                .ok()?;
            Some(handle)
        })
        .clone()
}

fn describe() {
    metrics::describe_counter!(HTTP_REQUESTS, "Requests answered, by method, route and status.");
    metrics::describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to the answer's head, by method and route (a live stream counts until it opens)."
    );
    metrics::describe_gauge!(LIVE_STREAMS, "Live status streams open on this server.");
    metrics::describe_gauge!(
        SOLUTIONS_WAITING,
        "Solutions waiting for a runner (queued) or with one (dispatched), course-wide."
    );
    metrics::describe_gauge!(JOBS_IN_STREAM, "Entries in the Redis jobs stream.");
    metrics::describe_counter!(RESULTS_STORED, "Results this server stored, by verdict.");
    metrics::describe_histogram!(
        RESULT_TURNAROUND,
        metrics::Unit::Seconds,
        "From a solution's dispatch to its stored result."
    );
    metrics::describe_counter!(
        SNAPSHOT_FAILURES,
        "Figures a scrape could not read (PostgreSQL or Redis away); the gauge shows NaN then."
    );
    metrics::describe_counter!(
        INGEST_FAILURES,
        "Result entries that could not be stored at a try, and those set aside, by outcome."
    );
}

/// Counts every request by the route that answered it: the route's pattern, never the address
/// itself, so that a crawler's made-up addresses add no series.
pub async fn count_requests<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let began = Instant::now();
    let method = method_label(req.method());
    let response = match next.call(req).await {
        Ok(response) => response.into_response(),
        Err(err) => err.into_response(),
    };
    // An address no route takes carries no pattern, or the empty one of the nest it fell into.
    let route = response
        .data::<PathPattern>()
        .map(|pattern| pattern.0.to_string())
        .filter(|pattern| !pattern.is_empty())
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16().to_string();
    histogram!(HTTP_DURATION, "method" => method, "route" => route.clone())
        .record(began.elapsed().as_secs_f64());
    counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status).increment(1);
    Ok(response)
}

/// The methods we name; any other (a client may send any word) is `other`, so no client can
/// add series by making methods up.
fn method_label(method: &poem::http::Method) -> &'static str {
    use poem::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// A result stored for a student's solution.
pub fn result_stored(verdict: &str, seconds_out: f64) {
    counter!(RESULTS_STORED, "verdict" => verdict.to_owned()).increment(1);
    histogram!(RESULT_TURNAROUND).record(seconds_out.max(0.0));
}

/// A result entry that could not be stored at a try (`retried`) or at all (`set_aside`).
pub fn ingest_failed(outcome: &'static str) {
    counter!(INGEST_FAILURES, "outcome" => outcome).increment(1);
}

/// Figures read when scraped rather than counted as they happen; `None` where the reading
/// failed, which shows as NaN (and a count of failed readings) rather than a wrong figure.
pub struct Snapshot {
    pub live_streams: usize,
    /// Queued and dispatched solutions.
    pub waiting: Option<(i64, i64)>,
    pub jobs_in_stream: Option<u64>,
}

impl Snapshot {
    fn set(&self) {
        gauge!(LIVE_STREAMS).set(self.live_streams as f64);
        let (queued, dispatched) = self.waiting.map_or_else(
            || {
                counter!(SNAPSHOT_FAILURES, "figure" => "solutions_waiting").increment(1);
                (f64::NAN, f64::NAN)
            },
            |(queued, dispatched)| (queued as f64, dispatched as f64),
        );
        gauge!(SOLUTIONS_WAITING, "status" => "queued").set(queued);
        gauge!(SOLUTIONS_WAITING, "status" => "dispatched").set(dispatched);
        let jobs = self.jobs_in_stream.map_or_else(
            || {
                counter!(SNAPSHOT_FAILURES, "figure" => "jobs_in_stream").increment(1);
                f64::NAN
            },
            |jobs| jobs as f64,
        );
        gauge!(JOBS_IN_STREAM).set(jobs);
    }
}

/// Who may read the metrics: a scraper with the token, or a loopback client that came through
/// no proxy (behind the shipped nginx site every request comes from loopback, but carries
/// `X-Forwarded-For`).
pub fn may_read(req: &Request, token: Option<&Secret>) -> bool {
    // An empty token (a blank line in the environment file) is no token.
    let token = token.map(|token| token.expose().trim()).filter(|token| !token.is_empty());
    if let Some(token) = token
        && let Some(presented) = req
            .header(header::AUTHORIZATION)
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|presented| !presented.is_empty())
    {
        return bool::from(presented.as_bytes().ct_eq(token.as_bytes()));
    }
    let from_loopback = req
        .remote_addr()
        .as_socket_addr()
        .is_some_and(|addr: &SocketAddr| addr.ip().to_canonical().is_loopback());
    from_loopback && req.header("X-Forwarded-For").is_none() && req.header("Forwarded").is_none()
}

/// The metrics in Prometheus' text format, with the snapshot's figures set first; a 404 for
/// anybody who may not read them.
pub fn answer(req: &Request, token: Option<&Secret>, snapshot: Option<Snapshot>) -> Response {
    if !may_read(req, token) {
        return Response::builder().status(StatusCode::NOT_FOUND).body("Not found");
    }
    let Some(handle) = install() else {
        return Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .body("metrics are recorded elsewhere in this process");
    };
    if let Some(snapshot) = snapshot {
        snapshot.set();
    }
    Response::builder()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(handle.render())
}

/// A listener of its own that answers `/metrics` only, for processes without a web server
/// (`inloop runner`): bound here (so a taken port is said at start), then served in the
/// background.
pub async fn serve_alone(
    listen: SocketAddr,
    token: Option<Secret>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use anyhow::Context;
    use poem::listener::{Acceptor, Listener};
    install().context("another metrics recorder is installed")?;
    let acceptor = poem::listener::TcpListener::bind(listen)
        .into_acceptor()
        .await
        .with_context(|| format!("cannot answer metrics on {listen} (setting metrics_listen)"))?;
    let bound = acceptor.local_addr().first().and_then(|addr| addr.as_socket_addr().copied());
    tracing::info!(listen = ?bound, "answering metrics");
    let endpoint = poem::Route::new().at(
        "/metrics",
        poem::get(poem::endpoint::make(move |req: Request| {
            let token = token.clone();
            async move { answer(&req, token.as_ref(), None) }
        })),
    );
    Ok(tokio::spawn(async move {
        if let Err(err) = poem::Server::new_with_acceptor(acceptor).run(endpoint).await {
            tracing::error!(error = %err, "the metrics listener stopped");
        }
    }))
}
