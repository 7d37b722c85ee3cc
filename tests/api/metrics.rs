//! `/metrics` scraped and parsed as Prometheus text: every family operators expect, with
//! routes as patterns and histograms with their buckets.

use std::collections::HashMap;

use serde_json::json;

use crate::{
    helpers::*,
    workflow::{cast, new_item},
};

/// A parsed page: family types, and samples as (name, labels) → value.
struct Page {
    types: HashMap<String, String>,
    samples: Vec<(String, HashMap<String, String>, f64)>,
}

impl Page {
    fn parse(text: &str) -> Page {
        let mut types = HashMap::new();
        let mut samples = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("# TYPE name kind");
                assert!(
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                    "{line}"
                );
                assert!(
                    types.insert(name.to_owned(), kind.to_owned()).is_none(),
                    "one TYPE per family: {name}"
                );
                continue;
            }
            if line.starts_with('#') {
                assert!(line.starts_with("# HELP "), "{line}");
                continue;
            }
            let (series, value) = line.rsplit_once(' ').expect("a sample");
            let value: f64 = match value {
                "+Inf" => f64::INFINITY,
                v => v.parse().unwrap_or_else(|_| panic!("a number in {line}")),
            };
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => {
                    let body = rest.strip_suffix('}').expect("closed labels");
                    let labels = body
                        .split("\",")
                        .filter(|p| !p.is_empty())
                        .map(|p| {
                            let (k, v) = p.split_once("=\"").expect("k=\"v\"");
                            (k.to_owned(), v.trim_end_matches('"').to_owned())
                        })
                        .collect();
                    (name.to_owned(), labels)
                }
                None => (series.to_owned(), HashMap::new()),
            };
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
                "{name}"
            );
            samples.push((name, labels, value));
        }
        Page { types, samples }
    }

    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples
            .iter()
            .find(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| *v)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_cover_requests_graphql_jobs_the_pool_and_items() {
    let app = spawn_app(Backend::Sqlite).await;
    let c = cast(&app).await;
    new_item(&app, &c.dept, "统计用的事项").await;
    let refused = app
        .graphql_as(
            Some(&c.leader_token),
            "{ reminders { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let item_id = uuid::Uuid::now_v7();
    reqwest::get(app.url(&format!("/evidence/{item_id}")))
        .await
        .unwrap();
    app.reminders.run_once().await.unwrap();

    let response = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let page = Page::parse(&response.text().await.unwrap());
    for (family, kind) in [
        ("rectify_http_requests_total", "counter"),
        ("rectify_http_request_duration_seconds", "histogram"),
        ("rectify_graphql_operations_total", "counter"),
        ("rectify_graphql_errors_total", "counter"),
        ("rectify_job_duration_seconds", "histogram"),
        ("rectify_job_last_success_timestamp_seconds", "gauge"),
        ("rectify_db_pool_connections", "gauge"),
        ("rectify_items", "gauge"),
        ("rectify_items_overdue", "gauge"),
        ("rectify_reminders", "gauge"),
        ("rectify_evidence_bytes", "gauge"),
        ("rectify_build_info", "gauge"),
    ] {
        assert_eq!(
            page.types.get(family).map(String::as_str),
            Some(kind),
            "{family}"
        );
    }
    // Requests by the matched route (a pattern, never an id) and status.
    assert!(
        page.value(
            "rectify_http_requests_total",
            &[("method", "POST"), ("route", "/graphql"), ("status", "200")]
        )
        .unwrap()
            >= 3.0
    );
    assert!(
        page.value(
            "rectify_http_requests_total",
            &[("route", "/evidence/{id}")]
        )
        .is_some(),
        "{:?}",
        page.samples
            .iter()
            .filter(|s| s.0 == "rectify_http_requests_total")
            .collect::<Vec<_>>()
    );
    assert!(
        !page
            .samples
            .iter()
            .any(|(_, l, _)| l.values().any(|v| v.contains(&item_id.to_string())))
    );
    assert!(
        page.value(
            "rectify_http_request_duration_seconds_bucket",
            &[("route", "/graphql"), ("le", "+Inf")]
        )
        .unwrap()
            >= 3.0
    );
    assert!(
        page.value("rectify_graphql_errors_total", &[("code", "FORBIDDEN")])
            .unwrap()
            >= 1.0
    );
    assert!(
        page.value("rectify_graphql_operations_total", &[("type", "mutation")])
            .unwrap()
            >= 1.0
    );
    for job in ["sweep", "send"] {
        assert!(
            page.value(
                "rectify_job_last_success_timestamp_seconds",
                &[("job", job)]
            )
            .unwrap()
                > 1.7e9
        );
        assert!(
            page.value("rectify_job_duration_seconds_count", &[("job", job)])
                .unwrap()
                >= 1.0
        );
    }
    assert_eq!(
        page.value("rectify_items", &[("state", "identified")]),
        Some(1.0)
    );
    assert_eq!(
        page.value("rectify_items", &[("state", "closed")]),
        Some(0.0)
    );
    assert_eq!(page.value("rectify_items_overdue", &[]), Some(0.0));
    assert!(
        page.value("rectify_db_pool_connections", &[("state", "idle")])
            .is_some()
    );
    assert_eq!(
        page.value(
            "rectify_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );
}

/// The counters a scrape shows for deliveries on `channel` with `outcome`.
async fn deliveries(app: &TestApp, channel: &str, outcome: &str) -> f64 {
    let text = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Page::parse(&text)
        .value(
            "rectify_deliveries_total",
            &[("channel", channel), ("outcome", outcome)],
        )
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_counted_by_channel_and_outcome() {
    use crate::{smtp_sink::SmtpSink, webhook_sink::WebhookSink};
    let smtp = SmtpSink::start().await;
    let hooks = WebhookSink::start().await;
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.smtp.host = smtp.addr.ip().to_string();
        s.smtp.port = smtp.addr.port();
        s.remind.retry_base = std::time::Duration::from_millis(1);
        s.remind.webhook_allow =
            rectify::domain::destination::DestinationPolicy::parse("127.0.0.1").unwrap();
    })
    .await;
    let c = cast(&app).await;
    app.ok_as(
        &c.coordinator,
        "mutation($a: ID!, $url: String) { setAgencyWebhook(agencyId: $a, url: $url) { url } }",
        json!({ "a": c.dept, "url": hooks.url("dept") }),
    )
    .await;
    let item = new_item(&app, &c.dept, "计数用的事项").await;
    let due = today_here() + chrono::Duration::days(7);
    let (given, _) = assignable(&due.to_string());
    let v = crate::workflow::version(&app, &item).await;
    app.ok_as(
        &c.coordinator,
        crate::workflow::ASSIGN,
        json!({ "id": item, "v": v, "input": { "leadPersonId": c.leader,
                "responsiblePersonId": c.responsible, "dueOn": given, "category": "TIME_BOUND" } }),
    )
    .await;

    // Other tests in this process count too: compare before and after.
    let before = [
        deliveries(&app, "email", "sent").await,
        deliveries(&app, "webhook", "retry").await,
        deliveries(&app, "webhook", "sent").await,
    ];
    // The robot is down once (a retry), then takes the message.
    hooks.answer(&[503]);
    let (_, first) = app.reminders.run_once().await.unwrap();
    assert_eq!(first.retried, 1, "the robot was down: {first:?}");
    let emails = smtp.messages().len() as f64;
    assert!(emails >= 2.0, "the leader and the responsible person");
    // The round sends what fell due again within it: the robot's message, second time.
    let mut resent = first.sent - emails as u64;
    for _ in 0..60 {
        if resent > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        resent += app.reminders.send_due().await.unwrap().sent;
    }
    assert_eq!(resent, 1, "the robot takes it the second time");

    let after = [
        deliveries(&app, "email", "sent").await,
        deliveries(&app, "webhook", "retry").await,
        deliveries(&app, "webhook", "sent").await,
    ];
    for ((b, a), what) in
        before
            .iter()
            .zip(after)
            .zip(["email sent", "webhook retry", "webhook sent"])
    {
        let expected = if what == "email sent" { emails } else { 1.0 };
        assert!(a - b >= expected, "{what}: {b} → {a}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_waiting_for_the_pool_is_counted_as_a_wait() {
    use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt};
    // As `rectify serve` installs it (another test may have already: one per process).
    let _ = tracing_subscriber::registry()
        .with(rectify::telemetry::pool_waits_layer())
        .try_init();
    let app = spawn_app_with(Backend::Sqlite, |s| s.db_max_connections = 1).await;
    let scrape = || async {
        let text = reqwest::get(app.url("/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let page = Page::parse(&text);
        assert_eq!(
            page.types
                .get("rectify_db_pool_acquire_seconds")
                .map(String::as_str),
            Some("histogram")
        );
        let waits = page
            .value("rectify_db_pool_waits_total", &[])
            .unwrap_or(0.0);
        let bucket = |le| {
            page.value("rectify_db_pool_acquire_seconds_bucket", &[("le", le)])
                .unwrap_or(0.0)
        };
        // Acquires that took longer than 50 ms.
        (waits, bucket("+Inf") - bucket("0.05"))
    };
    let before = scrape().await;

    // The one connection is taken; a request needing the database queues behind it.
    let held = app.store.begin().await.unwrap();
    let client = app.client.clone();
    let url = app.url("/graphql");
    let request = tokio::spawn(async move {
        client
            .post(url)
            .json(&json!({ "query": "{ items { totalCount } }" }))
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    held.rollback().await.unwrap();
    let answer = request.await.unwrap();
    assert!(answer.get("errors").is_none(), "{answer:#}");

    let after = scrape().await;
    assert!(after.0 - before.0 >= 1.0, "waits {before:?} → {after:?}");
    assert!(
        after.1 - before.1 >= 1.0,
        "an acquire over 50 ms: {before:?} → {after:?}"
    );
}
