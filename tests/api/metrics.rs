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
