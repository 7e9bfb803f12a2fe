//! `/metrics`: Prometheus' text format, by route and not by address, the grading pipeline's
//! figures, and only for loopback clients that came through no proxy or for the token.

use std::time::Duration;

use inloop_app::{config::Secret, db::users::Role};
use inloop_tests::{
    app_with_fixture_course, counters::PASSES, poll_until, spawn_app_with, start_runner,
};
use reqwest::StatusCode;

async fn metrics(app: &inloop_tests::TestApp) -> String {
    let response = app.client.get(app.url("/metrics")).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().expect("type").starts_with("text/plain"));
    response.text().await.expect("text")
}

/// The value of one series in the text, 0 where it is not there yet.
fn value_of(text: &str, series: &str) -> f64 {
    text.lines().find_map(|line| line.strip_prefix(series)?.trim().parse().ok()).unwrap_or(0.0)
}

#[tokio::test]
async fn requests_count_by_route_and_the_pipeline_by_verdict() {
    let app = app_with_fixture_course().await;
    app.logged_in_as("stu", Role::Student).await;
    app.get("/tasks/a-counter").await;
    app.get("/no/such/page/at/all").await;
    // A route that answers 404 itself is still that route; a made-up method is "other".
    app.get("/tasks/no-such-task").await;
    let made_up = reqwest::Method::from_bytes(b"FOOBARBAZ").expect("a method");
    app.client.request(made_up, app.url("/tasks/a-counter")).send().await.expect("answered");
    let text = metrics(&app).await;
    assert!(text.contains(r#"route="/tasks/:slug",status="404""#), "{text}");
    assert!(!text.contains("FOOBARBAZ"), "methods never become series");
    assert!(text.contains(r#"method="other""#), "{text}");
    assert!(
        text.contains(
            r#"inloop_http_requests_total{method="GET",route="/tasks/:slug",status="200"}"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(!text.contains("no/such/page"), "addresses never become series");
    assert!(text.contains(r#"inloop_http_request_duration_seconds_bucket{method="GET",route="/tasks/:slug",le="0.05"}"#), "{text}");
    assert!(text.contains(r#"inloop_solutions_waiting{status="queued"}"#), "{text}");
    assert!(text.contains("inloop_live_streams "), "{text}");
    assert!(text.contains("inloop_jobs_in_stream "), "{text}");

    // Other tests in this process record into the same registry: what counts is the rise.
    let passed = r#"inloop_results_stored_total{verdict="passed"}"#;
    let before = value_of(&metrics(&app).await, passed);
    let _runner = start_runner(&app, 1);
    let path = app.submitted("a-counter", &[("Counter.java", PASSES)]).await;
    assert_eq!(app.wait_for_verdict(&path).await, "passed");
    let text = poll_until(
        Duration::from_secs(15),
        || metrics(&app),
        |text| value_of(text, passed) > before,
    )
    .await;
    assert!(value_of(&text, passed) > before, "{text}");
    assert!(text.contains("inloop_result_turnaround_seconds_count"), "{text}");
    // The runner in this process records into the same registry, as a runner host's own does.
    assert!(text.contains(r#"plugin="java",kind="student",verdict="passed""#), "{text}");
    assert!(
        text.contains(r#"inloop_runner_phase_seconds_bucket{plugin="java",phase="start""#),
        "{text}"
    );
}

#[tokio::test]
async fn metrics_are_for_loopback_or_the_token_not_the_public_site() {
    let app = spawn_app_with(|settings| {
        settings.metrics_token = Some(Secret::new("scrape-token-0123456789"));
    })
    .await;
    metrics(&app).await;
    // Behind the proxy every request comes from loopback, but says whom it came from.
    let proxied = app
        .client
        .get(app.url("/metrics"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .expect("answered");
    assert_eq!(proxied.status(), StatusCode::NOT_FOUND);
    for token in ["wrong", "scrape-token-012345678"] {
        let guessed = app
            .client
            .get(app.url("/metrics"))
            .header("X-Forwarded-For", "203.0.113.9")
            .bearer_auth(token)
            .send()
            .await
            .expect("answered");
        assert_eq!(guessed.status(), StatusCode::NOT_FOUND, "{token}");
    }
    let scraper = app
        .client
        .get(app.url("/metrics"))
        .header("X-Forwarded-For", "203.0.113.9")
        .bearer_auth("scrape-token-0123456789")
        .send()
        .await
        .expect("answered");
    assert_eq!(scraper.status(), StatusCode::OK);
    assert!(
        scraper.text().await.expect("text").contains("# TYPE inloop_http_requests_total counter")
    );
}
